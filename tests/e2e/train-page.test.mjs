// Pressing Train: the worker trains on the built-in corpus, the loss and samples
// appear, pause / resume / stop answer, and the main thread never blocks.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp } from './harness.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

test('training runs in a worker: loss falls, a sample appears, the page stays responsive', async () => {
  const page = await app.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  // Every main-thread task longer than 50 ms is a "long task" (Chromium reports them).
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => list.getEntries().forEach((e) => window.__longTasks.push(e.duration)))
      .observe({ type: 'longtask', buffered: true });
  });
  await page.goto(app.url);
  await page.locator('#bench-run:enabled').waitFor({ state: 'attached', timeout: 60_000 });  // let the start-up benchmark finish
  await page.click('#tab-train');
  const before = await page.evaluate(() => window.__longTasks.length);
  await page.click('#train-start');
  await page.locator('#train-status[data-state="training"]').waitFor({ timeout: 30_000 });
  // The server sends COOP/COEP, so the worker loads the multi-threaded core and trains on every core (up to 8).
  const cores = await page.evaluate(() => crossOriginIsolated && Math.min(8, navigator.hardwareConcurrency));
  assert.ok(cores >= 1, 'the page is cross-origin isolated');
  const threads = `${cores} thread${cores > 1 ? 's' : ''}`;
  await page.waitForFunction((t) => document.querySelector('#train-speed').textContent.endsWith(` on ${t}`), threads);
  const step = async () => Number((await page.locator('#train-step').textContent()).split(' / ')[0]);
  // The first evaluation and sample come at step 50.
  await page.waitForFunction(() => !Number.isNaN(Number(document.querySelector('#train-val').textContent)) &&
    !document.querySelector('#train-sample').textContent.startsWith('(samples'), null, { timeout: 120_000 });
  const val = Number(await page.locator('#train-val').textContent());
  assert.ok(val > 0 && val < 3.5, `validation loss ${val} after 50 steps (chance: ln 84 = 4.43)`);
  const sample = await page.locator('#train-sample').textContent();
  assert.ok(sample.length > 50 && !sample.startsWith('(samples'), 'a sample appeared');
  const attention = page.locator('#train-attention[data-step]');
  await attention.waitFor({ timeout: 10_000 });
  assert.equal(await attention.getAttribute('data-heads'), '4', 'one heatmap per head of the last layer');

  await page.click('#train-pause');
  await page.locator('#train-status[data-state="paused"]').waitFor({ timeout: 2_000 });
  const paused = await step();
  await page.waitForTimeout(1_000);
  assert.equal(await step(), paused, 'no steps while paused');
  await page.click('#train-pause');  // now "Resume"
  await page.locator('#train-status[data-state="training"]').waitFor({ timeout: 2_000 });
  await page.waitForFunction((s) => Number(document.querySelector('#train-step').textContent.split(' / ')[0]) > s,
    paused, { timeout: 10_000 });
  await page.click('#train-stop');
  await page.locator('#train-status[data-state="stopped"]').waitFor({ timeout: 2_000 });

  const longTasks = await page.evaluate((n) => window.__longTasks.slice(n), before);
  assert.deepEqual(longTasks, [], `main-thread tasks over 50 ms during training: ${longTasks.join(', ')}`);
  assert.deepEqual(errors, []);
});
