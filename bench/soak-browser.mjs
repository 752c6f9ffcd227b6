// A long training run in one page of headless Chromium (run by hand; figures in RELIABILITY.md):
// the default model trains for N minutes (30 by default) on the built-in corpus while, every
// minute, the script reads the JS heap (after a garbage collection), the WebAssembly memory,
// the IndexedDB usage and the main thread's long tasks (over 50 ms). It takes no screenshots
// and does nothing else to the page, so a long task is the lab's own. Needs `npx vite build`.
//
//   node bench/soak-browser.mjs [--minutes 30]
import { recordLongTasks, startApp } from '../tests/e2e/harness.mjs';

const at = process.argv.indexOf('--minutes');
const minutes = at > 0 ? Number(process.argv[at + 1]) : 30;
const mb = (bytes) => (bytes / 1e6).toFixed(1);

const app = await startApp({ args: ['--enable-precise-memory-info'] });
try {
  const page = await app.browser.newPage({ viewport: { width: 1280, height: 800 } });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await recordLongTasks(page);
  await page.goto(app.url);
  await page.click('#tab-train');
  await page.locator('#train-settings').evaluate((d) => { d.open = true; });
  await page.fill('[data-train="steps"]', '1000000');  // more than the soak can take
  await page.locator('[data-train="steps"]').dispatchEvent('change');
  await page.click('#train-start');
  await page.locator('#train-status[data-state="training"]').waitFor({ timeout: 60_000 });
  const startup = await page.evaluate(() => window.__longTasks.slice());  // loading the page, before training
  await page.evaluate(() => { window.__longTasks = []; });
  const cdp = await page.context().newCDPSession(page);
  const rows = [];
  console.log('minute   step   JS heap MB   WASM MB   IndexedDB MB   long tasks (max ms)   tokens/s');
  for (let minute = 1; minute <= minutes; minute++) {
    await page.waitForTimeout(60_000);
    await cdp.send('HeapProfiler.collectGarbage');
    const row = await page.evaluate(async () => ({
      step: Number(document.querySelector('#train-step').textContent.split(' / ')[0].replace(/,/g, '')),
      heap: performance.memory.usedJSHeapSize,
      wasm: Number.parseFloat(document.querySelector('#train-memory').textContent) * 1e6,
      idb: (await navigator.storage.estimate()).usage ?? 0,
      longTasks: window.__longTasks.length,
      longest: Math.max(0, ...window.__longTasks),
      speed: document.querySelector('#train-speed').textContent,
    }));
    rows.push(row);
    console.log(`${String(minute).padStart(6)} ${String(row.step).padStart(6)} ${mb(row.heap).padStart(12)} ` +
      `${mb(row.wasm).padStart(9)} ${mb(row.idb).padStart(14)} ${String(row.longTasks).padStart(12)} (${row.longest.toFixed(0)})` +
      `${row.speed.padStart(18)}`);
  }
  // Flat after the first minutes: compare minute 3 with the last.
  const first = rows[Math.min(2, rows.length - 1)], last = rows[rows.length - 1];
  console.log(`\nfrom minute ${Math.min(3, rows.length)} to ${rows.length}: JS heap ${mb(first.heap)} -> ${mb(last.heap)} MB, ` +
    `WASM ${mb(first.wasm)} -> ${mb(last.wasm)} MB, IndexedDB ${mb(first.idb)} -> ${mb(last.idb)} MB (max ` +
    `${mb(Math.max(...rows.map((r) => r.idb)))}); long tasks over 50 ms: ${last.longTasks} (longest ${last.longest.toFixed(0)} ms); ` +
    `page errors: ${errors.length}; before training (loading the page): ${startup.map((d) => d.toFixed(0)).join(', ') || 'none'}`);
  await page.click('#train-stop');
} finally {
  await app.close();
}
