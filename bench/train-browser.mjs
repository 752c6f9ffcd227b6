// Training throughput in headless Chromium: gptlab's training worker on the
// benchmark config (the start page with ?config=benchmark), then the same model
// written in TensorFlow.js (bench/tfjs-gpt.js) with its WASM backend on the same
// page. Needs `npx vite build` first.
//   node bench/train-browser.mjs [steps]
import { readFileSync } from 'node:fs';
import { startApp } from '../tests/e2e/harness.mjs';
import { loadTfjsWasm } from './tfjs-peer.mjs';

const steps = Number(process.argv[2] ?? 30);
const peer = readFileSync(new URL('./tfjs-gpt.js', import.meta.url), 'utf8');

const app = await startApp();
try {
  const page = await app.browser.newPage();
  await page.goto(new URL('/?config=benchmark', app.url).href);
  await page.locator('#bench-run:enabled').waitFor({ timeout: 120_000 });
  await page.click('#train-start');
  // Tokens/s over steps 5..5+steps (the figure on the page is an average since the start).
  const stepNow = () => page.evaluate(() => Number(document.querySelector('#train-step').textContent.split(' / ')[0]) || 0);
  while ((await stepNow()) < 5) await page.waitForTimeout(100);
  const s0 = await stepNow(), t0 = Date.now();
  while ((await stepNow()) < s0 + steps) await page.waitForTimeout(50);
  const s1 = await stepNow(), seconds = (Date.now() - t0) / 1000;
  const ours = ((s1 - s0) * 32 * 64) / seconds;
  // How fast a click on Pause is answered while a step (0.5 s of work here) runs in parts.
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
  await page.click('#train-stop');

  // The peer: @tensorflow/tfjs (core with gradients) with its WASM backend, the model from bench/tfjs-gpt.js.
  await loadTfjsWasm(page, 'tfjs/dist/tf.min.js');
  await page.addScriptTag({ content: peer });
  const theirs = await page.evaluate((n) => globalThis.benchTfjsGpt(n), Math.min(steps, 10));
  console.log(`${await app.browser.version()}, one thread each`);
  console.log(`gptlab WASM in Chromium (training worker): ${Math.round(ours)} tokens/s over ${s1 - s0} steps; ` +
    `Pause answered in ${latencies.map((t) => t.toFixed(0)).join(', ')} ms`);
  console.log(`TensorFlow.js ${theirs.version} wasm backend: ${Math.round(theirs.tokensPerSecond)} tokens/s ` +
    `(${theirs.params} parameters, ${theirs.steps} steps, loss ${theirs.loss.toFixed(3)})`);
  console.log(`gptlab / tfjs: ${(ours / theirs.tokensPerSecond).toFixed(2)}x`);
} finally {
  await app.close();
}
