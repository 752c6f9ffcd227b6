// Training throughput in headless Chromium: gptlab's training worker on the
// benchmark config (the start page with ?config=benchmark), on one thread and on
// every core (data-parallel, the page is cross-origin isolated), then the same model
// written in TensorFlow.js (bench/tfjs-gpt.js) with its WASM backend on the same
// page. Needs `npx vite build` first.
//   node bench/train-browser.mjs [steps] [--no-peer]   (--no-peer: gptlab only)
import { readFileSync } from 'node:fs';
import { startApp } from '../tests/e2e/harness.mjs';
import { loadTfjsWasm } from './tfjs-peer.mjs';

const steps = Number(process.argv.find((a, i) => i > 1 && !a.startsWith('--')) ?? 30);
const peer = readFileSync(new URL('./tfjs-gpt.js', import.meta.url), 'utf8');

// gptlab's training worker on the benchmark config: tokens/s over steps 5..5+steps (the figure on the
// page is an average since the start) and how fast a click on Pause is answered while a step runs in parts.
async function measure(query) {
  const page = await app.browser.newPage();  // a fresh page each: the last run's workers are gone
  await page.goto(new URL(`/?config=benchmark${query}`, app.url).href);
  await page.click('#tab-train');
  await page.click('#train-start');
  // The page notes when each step shows (its own clock); the benchmark looks once a second, so
  // that its polling takes next to nothing from the two cores it measures.
  await page.evaluate(() => {
    const shown = document.querySelector('#train-step');
    window.__stepTimes = [];
    new MutationObserver(() => window.__stepTimes.push([performance.now(), Number(shown.textContent.split(' / ')[0].replace(/,/g, '')) || 0]))
      .observe(shown, { childList: true, characterData: true, subtree: true });
  });
  await page.waitForFunction((n) => {
    const first = window.__stepTimes.find(([, s]) => s >= 5);
    return first && window.__stepTimes.some(([, s]) => s >= first[1] + n);
  }, steps, { polling: 1000, timeout: 600_000 });
  const times = await page.evaluate(() => window.__stepTimes);
  const [t0, s0] = times.find(([, s]) => s >= 5), [t1, s1] = times.find(([, s]) => s >= s0 + steps);
  const seconds = (t1 - t0) / 1000;
  const threads = Number(await page.locator('#train-threads').textContent());
  const parameters = await page.locator('#train-params').textContent();
  const latencies = [];
  for (let i = 0; i < 5; i++) {
    const t = await page.evaluate(async () => {
      const t0 = performance.now();
      document.querySelector('#train-pause').click();
      while (document.querySelector('#train-status').dataset.state !== 'paused') await new Promise((r) => setTimeout(r, 1));
      return performance.now() - t0;
    });
    latencies.push(t);
    await page.click('#train-pause');  // resume
    await page.waitForTimeout(300);
  }
  // The same right after a step that evaluates (every 50th): the click lands while the worker
  // evaluates, draws attention and samples, each its own task.
  const afterEval = await page.evaluate(async () => {
    const stepNow = () => Number(document.querySelector('#train-step').textContent.split(' / ')[0]) || 0;
    const due = Math.ceil((stepNow() + 1) / 50) * 50;
    while (stepNow() < due) await new Promise((r) => setTimeout(r, 1));
    const t0 = performance.now();
    document.querySelector('#train-pause').click();
    while (document.querySelector('#train-status').dataset.state !== 'paused') await new Promise((r) => setTimeout(r, 1));
    return performance.now() - t0;
  });
  await page.click('#train-stop');
  await page.close();
  return { tokensPerSecond: ((s1 - s0) * 32 * 64) / seconds, steps: s1 - s0, threads: `${threads} thread${threads === 1 ? '' : 's'}`, latencies,
           afterEval, parameters };
}

const app = await startApp();
try {
  const runs = [await measure('&threads=1'), await measure('')];
  const page = await app.browser.newPage();

  // The peer: @tensorflow/tfjs (core with gradients) with its WASM backend, the model from bench/tfjs-gpt.js,
  // on as many threads as each gptlab run (a fresh page each: tfjs sets its threads once).
  const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
  const peers = [];
  for (const threads of process.argv.includes('--no-peer') ? [] : [1, cores]) {
    const p = await (await app.browser.newContext({ bypassCSP: true })).newPage();  // tfjs is not in the lab's policy
    await p.goto(app.url);
    const got = await loadTfjsWasm(p, 'tfjs/dist/tf.min.js', threads);
    await p.addScriptTag({ content: peer });
    peers.push({ threads: got, ...(await p.evaluate((n) => globalThis.benchTfjsGpt(n), Math.min(steps, 10))) });
    await p.close();
  }
  const plural = (n) => `${n} thread${n > 1 ? 's' : ''}`;
  console.log(`${await app.browser.version()}, ${await page.evaluate(() => navigator.hardwareConcurrency)} cores`);
  for (const r of runs)
    console.log(`gptlab WASM in Chromium (training worker, ${r.threads}, ${r.parameters} parameters): ` +
      `${Math.round(r.tokensPerSecond)} tokens/s ` +
      `over ${r.steps} steps; Pause answered in ${r.latencies.map((t) => t.toFixed(0)).join(', ')} ms, ` +
      `${r.afterEval.toFixed(0)} ms right after an evaluating step`);
  for (const t of peers)
    console.log(`TensorFlow.js ${t.version} wasm backend (${plural(t.threads)}): ${Math.round(t.tokensPerSecond)} tokens/s ` +
      `(${t.params} parameters, ${t.steps} steps, loss ${t.loss.toFixed(3)})`);
  if (peers.length) console.log(`gptlab / tfjs on the same threads: ` +
    runs.map((r, i) => `${(r.tokensPerSecond / peers[i].tokensPerSecond).toFixed(2)}x (${r.threads})`).join(', '));
} finally {
  await app.close();
}
