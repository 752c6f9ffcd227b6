// Experiments: every run is kept, two runs that differ in one setting are compared on one chart
// (the legend names the difference, the table ranks them), the comparison travels in a share
// link to a fresh profile without training, and a queue survives a reload.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { freshProfile, startApp, setField } from './harness.mjs';

const shots = new URL('../../test-results/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });



// A tiny model, evaluated every 20 steps, 40 steps long: a run takes seconds.
async function tinyRuns(page) {
  for (const [k, v] of [['steps', 40], ['evalInterval', 20], ['warmup', 5], ['layers', 1], ['embd', 32], ['block', 32]])
    await setField(page, k, v);
}
const untilDone = (page) => page.waitForFunction(() => document.querySelector('#train-status').dataset.state === 'done', null,
  { timeout: 120_000 });
const drawn = (page) => page.$eval('#runs-chart', (c) => JSON.parse(c.dataset.series ?? '[]'));

test('two runs that differ in one setting are compared, and the comparison opens from its link', async () => {
  const { context, page, errors } = await freshProfile(app);
  let link;
  try {
    await page.goto(app.url);
    await page.click('#tab-train');
    await tinyRuns(page);
    for (const positions of ['rope', 'learned']) {
      await setField(page, 'positions', positions);
      await page.click('#train-start');
      await page.waitForFunction(() => document.querySelector('#train-status').dataset.state !== 'done');  // the new run began
      await untilDone(page);
    }
    await page.click('#tab-runs');
    const boxes = page.locator('#runs-list-body input[type=checkbox]');
    await page.waitForFunction(() => document.querySelectorAll('#runs-list-body tr').length === 2);
    assert.deepEqual(await page.locator('#runs-list-body .run-name').evaluateAll((e) => e.map((i) => i.value)), ['Run 2', 'Run 1']);
    await boxes.nth(0).check();
    await boxes.nth(1).check();
    await page.waitForFunction(() => JSON.parse(document.querySelector('#runs-chart').dataset.series).length === 2);
    const series = await drawn(page);
    assert.deepEqual(series.map((s) => s.label).sort(), ['positions learned', 'positions rope'],
      'the legend names the one setting that differs');
    assert.ok(series.every((s) => s.points === 2), `each run has its two evaluations (steps 20 and 40): ${JSON.stringify(series)}`);
    const rows = await page.locator('#runs-table-body tr').evaluateAll((trs) => trs.map((tr) =>
      ({ best: Number(tr.children[1].textContent.replace('best', '')), marked: tr.classList.contains('best') })));
    assert.equal(rows.length, 2);
    assert.ok(rows[0].best <= rows[1].best, 'the table ranks the runs, best first');
    assert.deepEqual(rows.map((r) => r.marked), [true, false]);
    const box = await page.locator('#runs-chart').boundingBox();
    await page.locator('#runs-chart').hover({ position: { x: box.width * 0.9, y: box.height / 2 } });
    assert.match(await page.locator('#runs-readout').textContent(), /positions (rope|learned): \d\.\d{3} at step \d+/);
    await page.screenshot({ path: `${shots}runs-comparison.png`, fullPage: true });
    await page.waitForTimeout(400);  // the address bar follows the state (debounced)
    link = page.url();
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }

  // A reader opens the link in a browser that has never trained: the same curves, at once.
  const reader = await freshProfile(app);
  try {
    await reader.page.goto(link);
    await reader.page.locator('#view-runs:not([hidden])').waitFor();
    await reader.page.waitForFunction(() => JSON.parse(document.querySelector('#runs-chart').dataset.series ?? '[]').length === 2);
    const series = await drawn(reader.page);
    assert.deepEqual(series.map((s) => s.label).sort(), ['positions learned', 'positions rope']);
    assert.ok(series.every((s) => s.points === 2));
    assert.equal(await reader.page.locator('#runs-table-body tr').count(), 2);
    assert.equal(await reader.page.locator('#runs-table-body button', { hasText: 'Train this' }).count(), 2,
      'each shared run can be trained again live');
    assert.match(await reader.page.locator('#runs-table-body').textContent(), /from a link/);
    assert.equal(await reader.page.locator('#runs-empty').isVisible(), true, 'nothing was trained in this browser');
    assert.equal(await reader.page.locator('#train-status').getAttribute('data-state'), 'idle');
    assert.deepEqual(reader.errors, []);
  } finally {
    await reader.context.close();
  }
});

test('a queue trains its runs one after another and goes on after a reload', async () => {
  const { context, page, errors } = await freshProfile(app);
  try {
    await page.goto(app.url);
    await page.click('#tab-train');
    await tinyRuns(page);
    await setField(page, 'steps', 300);
    await page.click('#tab-runs');
    await page.click('#queue-add');
    await page.click('#queue-add');
    assert.equal(await page.locator('#queue-list li').count(), 2);
    await page.click('#queue-run');
    // Past the first checkpoint (step 20) of the first run, reload in the middle of it.
    await page.waitForFunction(() => /at step (20|40|60) of 300/.test(document.querySelector('#train-saved-text').textContent),
      null, { timeout: 120_000 });
    assert.match(await page.locator('#runs-list-body').textContent(), /training at step \d+ of 300/);
    await page.reload();
    await page.waitForFunction(() => document.querySelectorAll('#queue-list li.done').length === 2, null, { timeout: 180_000 });
    const runs = await page.locator('#runs-list-body tr').count();
    assert.equal(runs, 2, 'the first run was resumed, not started again');
    assert.match(await page.locator('#runs-list-body').textContent(), /done \(300 steps\)[\s\S]*done \(300 steps\)/);
    assert.match(await page.locator('#queue-status').textContent(), /0 of 2 to train/);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('the run an earlier version kept is taken into the run store', async () => {
  const { context, page, errors } = await freshProfile(app);
  try {
    await page.goto(app.url);
    // What versions before the run store wrote: database "gptlab", store "runs", key "latest".
    await page.evaluate(() => new Promise((resolve, reject) => {
      const open = indexedDB.open('gptlab', 1);
      open.onupgradeneeded = () => open.result.createObjectStore('runs');
      open.onerror = () => reject(open.error);
      open.onsuccess = () => {
        const tx = open.result.transaction('runs', 'readwrite');
        tx.objectStore('runs').put({ checkpoint: new Uint8Array([1, 2, 3]), step: 50, steps: 2500,
          settings: { corpus: 'austen', tokenizer: 'char', vocabSize: 512, objective: 'causal', layers: 2, heads: 4, embd: 64,
            block: 64, dropout: 0, positions: 'rope', ffn: 'gelu', lr: 0.002, warmup: 50, steps: 2500, cosine: true,
            weightDecay: 0.1, clip: 1, batch: 16, seed: 1337 },
          corpus: null, corpusName: 'Pride and Prejudice', savedAt: 1764490000000,
          history: { train: [[1, 4.2], [2, 4.1]], val: [[50, 3.125]], lr: [[1, 1e-4], [2, 2e-4]] } }, 'latest');
        tx.oncomplete = () => { open.result.close(); resolve(); };
      };
    }));
    await page.reload();
    await page.click('#tab-runs');
    await page.waitForFunction(() => document.querySelector('#runs-list-body')?.textContent.includes('3.125'));
    assert.equal(await page.locator('#runs-list-body .run-name').inputValue(), 'Saved run');
    assert.match(await page.locator('#runs-list-body').textContent(), /2×4 heads, n_embd 64.*stopped at step 50 of 2,500/);
    assert.equal(await page.evaluate(async () => (await indexedDB.databases()).some((d) => d.name === 'gptlab')), false,
      'the old database is gone once its run is taken over');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a bigram model (0 layers, no norm, no positions) trains in the lab and says it has no attention', async () => {
  const { context, page, errors } = await freshProfile(app);
  try {
    await page.goto(app.url);
    await page.click('#tab-train');
    await tinyRuns(page);
    for (const [k, v] of [['layers', 0], ['norm', 'none'], ['positions', 'none'], ['lr', 0.03], ['steps', 200], ['evalInterval', 100]])
      await setField(page, k, v);
    await page.click('#train-start');
    await untilDone(page);
    const val = Number(await page.locator('#train-val').textContent());
    assert.ok(val < 2.9, `the bigram model learns more than letter frequencies (validation loss ${val} after 200 steps; ` +
      'unigram counts give 3.11, bigram counts 2.45)');
    assert.match(await page.locator('#train-attention-empty').textContent(), /no layers, so no attention/);
    await page.click('#tab-attention');
    await page.waitForFunction(() => /no layers, so no attention/.test(document.querySelector('#att-status').textContent));
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
