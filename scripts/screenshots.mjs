// npm run screenshots — the README's pictures of the Train and Attention views
// (docs/screenshots/{train,attention}-{desktop,phone}.png), taken from the lab as a student meets
// it: the default recipe trained for MINUTES minutes (default 2) in Debian's Chromium, then each
// view at 1280 x 800 and at 390 x 844. Needs the built lab (npm run build; npx vite build).
//   node scripts/screenshots.mjs [MINUTES]
import { startApp, setField } from '../tests/e2e/harness.mjs';

const minutes = Number(process.argv[2] ?? 2);
const out = new URL('../docs/screenshots/', import.meta.url).pathname;
const app = await startApp();
try {
  const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  await page.goto(app.url);
  await page.click('#tab-train');
  await setField(page, 'minutes', minutes);
  await page.locator('#train-settings').evaluate((d) => { d.open = false; });
  await page.click('#train-start');
  await page.locator('#train-status[data-state="done"]').waitFor({ timeout: (minutes * 60 + 120) * 1000 });
  const views = [['train', '#tab-train'], ['attention', '#tab-attention']];
  for (const [width, height, name] of [[1280, 800, 'desktop'], [390, 844, 'phone']]) {
    await page.setViewportSize({ width, height });
    for (const [view, tab] of views) {
      await page.click(tab);
      await page.waitForTimeout(1000);  // the charts and heatmaps redraw at the new width
      await page.screenshot({ path: `${out}${view}-${name}.png`, fullPage: true });
      console.log(`${view}-${name}.png`);
    }
  }
  await context.close();
} finally {
  await app.close();
}
