// The training lab: pressing Train trains on the built-in corpus in a worker, the loss,
// tokens/s and samples appear, pause / resume / stop answer and the main thread never
// blocks; the attention view draws the model; a reload resumes from IndexedDB; a masked
// model fills in blanks. Screenshots go to test-results/ (not committed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { assertHidden, stepOf, stopAndKeep, longTasksSince, recordLongTasks, startApp, setField } from './harness.mjs';

const shots = new URL('../../test-results/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const untilStep = (page, n, timeout = 120_000) => page.waitForFunction(
  (k) => Number(document.querySelector('#train-step').textContent.split(' / ')[0].replace(/,/g, '')) >= k, n, { timeout });
// Pixels of a canvas that are neither blank nor white.
const inkOf = (page, selector) => page.$eval(selector, (c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) ink++;
  return ink;
});
// A fresh browser profile (its own IndexedDB) on the Train tab; errors thrown by the page are collected.
async function inFreshProfile(body, { ignore } = {}) {
  const context = await app.browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.url);
    await page.click('#tab-train');
    await body(page);
    assert.deepEqual(errors.filter((e) => !ignore?.test(e)), []);
  } finally {
    await context.close();
  }
}


let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

test('training runs in a worker: loss falls, a sample appears, the page stays responsive', async () => {
  const page = await app.browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await recordLongTasks(page);
  await page.goto(app.url);
  await page.click('#tab-train');
  await page.click('#train-start');
  await page.locator('#train-status[data-state="training"]').waitFor({ timeout: 30_000 });
  // The server sends COOP/COEP, so the worker loads the multi-threaded core and trains on every core (up to 8).
  const cores = await page.evaluate(() => crossOriginIsolated && Math.min(8, navigator.hardwareConcurrency));
  assert.ok(cores >= 1, 'the page is cross-origin isolated');
  await page.waitForFunction((n) => document.querySelector('#train-threads').textContent === String(n), cores);
  const step = () => stepOf(page);
  // The first evaluation and sample come at step 100.
  await page.waitForFunction(() => !Number.isNaN(Number(document.querySelector('#train-val').textContent)) &&
    document.querySelector('#train-sample').dataset.step, null, { timeout: 120_000 });
  const val = Number(await page.locator('#train-val').textContent());
  assert.ok(val > 0 && val < 3.5, `validation loss ${val} after 50 steps (chance: ln 84 = 4.43)`);
  const sample = await page.locator('#train-sample').textContent();
  assert.ok(sample.length > 50 && !sample.startsWith('(samples'), 'a sample appeared');
  const attention = page.locator('#train-attention[data-step]');
  await attention.waitFor({ timeout: 10_000 });
  assert.equal(await attention.getAttribute('data-heads'), '4', 'one heatmap per head of the last layer');
  assert.deepEqual(JSON.parse(await attention.getAttribute('data-tokens')), [...'It is a truth universally acknowledged'],
    'the heatmap is labelled with the model\'s tokens: the characters of the sentence');
  assert.equal(await page.locator('#train-attention-layer').textContent(), ' (layer 2)');

  // What the user feels: while the model trains (and evaluates, samples and saves), no main-thread
  // task over 50 ms. Measured over a quiet stretch with no screenshots of the test's own.
  const before = await page.evaluate(() => window.__longTasks.length);
  await untilStep(page, 120);
  const longTasks = await longTasksSince(page, before);
  assert.equal(longTasks.length, 0, `main-thread tasks over 50 ms during training: ${JSON.stringify(longTasks, null, 1)}`);

  await page.click('#train-pause');
  await page.locator('#train-status[data-state="paused"]').waitFor({ timeout: 2_000 });
  const paused = await step();
  await page.waitForTimeout(1_000);
  assert.equal(await step(), paused, 'no steps while paused');
  await page.click('#train-pause');  // now "Resume"
  await page.locator('#train-status[data-state="training"]').waitFor({ timeout: 2_000 });
  await untilStep(page, paused + 1, 10_000);
  const lossAfter = Number(await page.locator('#train-loss').textContent());
  assert.ok(lossAfter < 3.0, `training loss ${lossAfter} has fallen from ln 84 = 4.43`);
  // Time left comes from the speed of the last steps: shown again a few steps after the resume.
  await page.waitForFunction(() => /^\d+ (s|min)$/.test(document.querySelector('#train-eta').textContent), null, { timeout: 10_000 });
  assert.ok(await inkOf(page, '#train-chart') > 500, 'the loss chart has curves');
  assert.ok(await inkOf(page, '#train-lr') > 200, 'the learning-rate chart has a curve');
  await page.screenshot({ path: `${shots}train.png`, fullPage: true });

  // Inside the model: every layer x head on a text, and a hover names a cell.
  await page.click('#tab-attention');
  await page.fill('#att-text', 'Mr. Darcy looked at Elizabeth');
  await page.waitForFunction(() => document.querySelector('#att-status').textContent.includes('29 tokens, 2 layers x 4 heads'));
  assert.ok(await inkOf(page, '#att-canvas') > 2000, 'the attention grid draws non-empty pixels');
  assert.deepEqual(JSON.parse(await page.getAttribute('#att-canvas', 'data-tokens')), [...'Mr. Darcy looked at Elizabeth']);
  const box = await page.locator('#att-canvas').boundingBox();
  await page.mouse.move(box.x + 50, box.y + 40);
  await page.waitForFunction(() => /^Layer 1, head 1: “.+” attends to “.+” with weight \d\.\d{3}\.$/.test(
    document.querySelector('#att-hover').textContent));
  assert.ok(await page.locator('#att-tip').isVisible(), 'the readout shows beside the pointer');
  const tip = await page.locator('#att-tip').boundingBox();
  assert.ok(Math.abs(tip.y - (box.y + 40)) < 60, `the readout is next to the pointer (${tip.y} vs ${box.y + 40})`);
  await page.selectOption('#att-head', '1:2');
  // The readout follows the head: the same cell, now of layer 2, head 3.
  await page.waitForFunction(() => /^Layer 2, head 3: /.test(document.querySelector('#att-hover').textContent));
  assert.ok(await inkOf(page, '#att-canvas') > 2000, 'one head, large');
  await page.focus('#att-canvas');  // the keyboard reads cells too
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.waitForFunction(() => /^Layer 2, head 3: “.+” attends to “.+” with weight/.test(
    document.querySelector('#att-hover').textContent));
  // A tap (a phone has no hover) reads a cell too.
  const large = await page.locator('#att-canvas').boundingBox();
  await page.mouse.click(large.x + large.width / 2, large.y + large.height / 3);
  await page.locator('#att-tip:not([hidden])').waitFor();
  assert.ok(await inkOf(page, '#rope-canvas') > 200, 'the RoPE circles are drawn');
  await page.screenshot({ path: `${shots}attention.png`, fullPage: true });
  await page.click('#tab-train');

  await page.click('#train-stop');
  await page.locator('#train-status[data-state="stopped"]').waitFor({ timeout: 2_000 });
  assert.equal(await page.locator('#train-eta').textContent(), '–', 'no time left after Stop');
  assert.deepEqual(errors, []);
});

test('a reload resumes training from the checkpoint kept in IndexedDB', () => inFreshProfile(async (page) => {
  await smallModel(page);
  await page.click('#train-start');
  await page.waitForFunction(() => /at step (50|100) of/.test(document.querySelector('#train-saved-text').textContent),
    null, { timeout: 120_000 });
  const savedAt = Number((await page.locator('#train-saved-text').textContent()).match(/at step (\d+)/)[1]);
  const url = page.url();
  await page.reload();
  assert.equal(page.url(), url, 'the settings stay in the link');
  await page.click('#tab-train');
  await page.locator('#train-saved:not([hidden])').waitFor();
  await assertHidden(page.locator('#train-kept-note'), 'the note that runs are not kept');  // this page keeps them
  assert.equal(await page.inputValue('[data-train="embd"]'), '32');
  assert.match(await page.locator('#train-saved-text').textContent(), new RegExp(`at step ${savedAt} of 2,500`));
  assert.ok(await inkOf(page, '#train-chart') > 200, 'the saved curves are drawn again');
  // The saved model is loaded to be looked at, not trained: a sample and its attention, at once.
  await page.locator('#train-status[data-state="paused"]').waitFor({ timeout: 30_000 });
  await page.locator('#train-sample[data-step]').waitFor({ timeout: 30_000 });
  assert.equal(await page.locator('#train-pause').textContent(), 'Resume', 'one action goes on with it');
  await page.locator('#train-attention[data-step]').waitFor({ timeout: 30_000 });
  await page.click('#tab-attention');
  await page.locator('#att-canvas[data-step]').waitFor({ timeout: 30_000 });
  assert.equal(await stepOf(page), savedAt, 'nothing trained while looking');
  await page.click('#tab-train');
  await page.click('#train-pause');
  await page.locator('#train-status[data-state="training"]').waitFor({ timeout: 30_000 });
  assert.ok(await stepOf(page) >= savedAt, 'training goes on from the saved step');
  await untilStep(page, savedAt + 5);
  assert.match(await page.locator('#train-params').textContent(), /^\d{1,3}(,\d{3})*$/, 'the resumed model is described');
  await page.click('#train-stop');
}));

// The training curve kept in IndexedDB with the latest run: [step, loss] for every step.
const savedLosses = (page) => page.evaluate(() => new Promise((resolve, reject) => {
  const open = indexedDB.open('gptlab-runs');
  open.onerror = () => reject(open.error);
  open.onsuccess = () => {
    const get = open.result.transaction('runs').objectStore('runs').getAll();
    get.onsuccess = () => resolve(get.result.sort((a, b) => b.savedAt - a.savedAt)[0].curves.train);
    get.onerror = () => reject(get.error);
  };
}));

// A small model trained for a set number of steps (not for some minutes: its length must not depend on its speed).
async function smallModel(page) {
  await setField(page, 'layers', 1);
  await setField(page, 'embd', 32);
  await setField(page, 'steps', 2500);
}

test('a run paused, reloaded and resumed takes the same steps as one never interrupted', async () => {
  let straight, resumed, pausedAt;
  await inFreshProfile(async (page) => {
    await smallModel(page);
    await page.click('#train-start');
    await untilStep(page, 70);
    await stopAndKeep(page);
    straight = new Map(await savedLosses(page));
  });
  await inFreshProfile(async (page) => {
    await smallModel(page);
    await page.click('#train-start');
    await untilStep(page, 25);
    await page.click('#train-pause');
    await page.locator('#train-status[data-state="paused"]').waitFor();
    pausedAt = await stepOf(page);
    await page.waitForFunction((k) => document.querySelector('#train-saved-text').textContent.includes(`at step ${k} of`), pausedAt);
    await page.reload();
    await page.click('#tab-train');
    await page.locator('#train-status[data-state="paused"]').waitFor({ timeout: 30_000 });
    await page.click('#train-pause');  // Resume
    await untilStep(page, 70);
    await stopAndKeep(page);
    resumed = await savedLosses(page);
  });
  const after = resumed.filter(([step]) => step > pausedAt && straight.has(step));
  assert.ok(after.length >= 30, `${after.length} steps after the resume at step ${pausedAt} to compare`);
  for (const [step, loss] of after)
    assert.ok(Math.abs(loss - straight.get(step)) <= 1e-6 * Math.max(1, loss), `step ${step}: ${loss} resumed vs ${straight.get(step)}`);
});

test('an uploaded checkpoint is loaded to look at, and resumes from its own step', async () => {
  let bytes;
  await inFreshProfile(async (page) => {
    await smallModel(page);
    await setField(page, 'objective', 'masked');
    await page.click('#train-start');
    await page.waitForFunction(() => /at step \d+ of/.test(document.querySelector('#train-saved-text').textContent), null, { timeout: 120_000 });
    await page.click('#train-stop');
    await page.locator('#train-status[data-state="stopped"]').waitFor();
    const download = page.waitForEvent('download');
    await page.click('#train-download');
    bytes = await (await download).createReadStream().then((stream) => new Promise((resolve) => {
      const parts = [];
      stream.on('data', (d) => parts.push(d));
      stream.on('end', () => resolve(Buffer.concat(parts)));
    }));
  });
  const step = Number((bytes.toString('latin1').match(/"step":(\d+)/) ?? [])[1]);
  assert.ok(step >= 50, `the downloaded checkpoint holds its step (${step})`);
  await inFreshProfile(async (page) => {  // a causal setting: the checkpoint's own objective wins
    await page.setInputFiles('#train-upload', { name: 'run.ckpt', mimeType: 'application/octet-stream', buffer: bytes });
    await page.locator('#train-status[data-state="paused"]').waitFor({ timeout: 30_000 });
    assert.match(await page.locator('#train-status').textContent(), new RegExp(`Loaded: a model of [\\d,]+ parameters at step ${step} of`));
    await page.locator('#fill-box:not([hidden])').waitFor();
    await page.waitForFunction(() => document.querySelector('#train-sample').textContent.startsWith('Blanks:'));
    await page.click('#tab-attention');
    await page.locator('#att-canvas[data-step]').waitFor({ timeout: 30_000 });
    await page.click('#tab-train');
    assert.equal(await stepOf(page), step, 'nothing trained while looking');
    await page.click('#train-pause');  // Resume
    await untilStep(page, step + 3);
    await page.click('#train-stop');
  });
});

// Masked LM (characters) and masked next-token prediction (BPE, GPT-2 split) train past two
// evaluations; each evaluation shows the model's fill-ins of a sentence with blanks.
for (const [objective, tokenizer] of [['masked', 'char'], ['mntp', 'bpe-gpt2']]) {
  test(`a ${objective} model (${tokenizer}) trains past two evaluations and fills in blanks`, () => inFreshProfile(async (page) => {
    await setField(page, 'objective', objective);
    await setField(page, 'tokenizer', tokenizer);
    if (tokenizer !== 'char') await setField(page, 'vocabSize', 320);
    await setField(page, 'layers', 1);
    await setField(page, 'embd', 32);
    await page.click('#train-start');
    await page.locator('#fill-box:not([hidden])').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => Number(document.querySelector('#train-sample').dataset.step) >= 100, null, { timeout: 120_000 });
    await untilStep(page, 110);
    assert.equal(await page.locator('#train-status').getAttribute('data-state'), 'training', 'still training');
    assert.equal(await page.locator('#sample-heading').textContent(), 'Fill in the blanks');
    const fills = await page.locator('#train-sample').textContent();
    assert.match(fills, /^Blanks: {2}.*▢.*\nGuesses: .*\[.+\].*\n\n {2}blank 1: “.+” \d+\.\d%/s);
    assert.equal((await page.locator('#train-val').textContent()).match(/^\d\.\d{3}$/)?.length, 1, 'a validation loss');
    await page.fill('#fill-text', tokenizer === 'char' ? 'She <mask>as a lady.' : 'She was a <mask>.');
    await page.click('#fill-run');
    const item = page.locator('#fill-out li');
    await item.waitFor({ timeout: 10_000 });
    assert.match(await item.textContent(), /^<mask> 1: (".*" \d+\.\d%, ){4}".*" \d+\.\d%$/);
    await page.click('#train-stop');
  }));
}

test('a run timed by the clock chooses its steps from its measured speed', () => inFreshProfile(async (page) => {
  for (const [name, value] of [['embd', 32], ['batch', 8]]) await setField(page, name, value);  // quick steps
  await setField(page, 'minutes', 1);
  assert.match(await page.locator('#train-summary').textContent(), /1 minute\)$/);
  await page.click('#train-start');
  // Estimated at step 20, then at every evaluation (100, 200, ...) from the average speed since step 20.
  // The test times steps 100 to 200, with one evaluation in it (the page's tokens/s figure covers only
  // the last 30 steps, so an evaluation weighs three times as much there).
  await untilStep(page, 100);
  const [s0, t0] = [await stepOf(page), Date.now()];
  await untilStep(page, 202);
  const [s1, t1] = [await stepOf(page), Date.now()];
  const [, total] = (await page.locator('#train-step').textContent()).split(' / ').map((x) => Number(x.replace(/,/g, '')));
  const stepsPerSecond = ((s1 - s0) * 1000) / (t1 - t0);
  const ratio = total / (60 * stepsPerSecond);  // the steps of one minute at the measured speed
  assert.ok(total !== 2500 && ratio > 0.6 && ratio < 1.4, `${total} steps at ${stepsPerSecond.toFixed(1)} steps/s: ${ratio.toFixed(2)} of the minute`);
  await page.click('#train-stop');
  // Asking for a number of steps turns the clock off.
  await setField(page, 'steps', 300);
  assert.equal(await page.locator('[data-train="minutes"]').inputValue(), '0');
  assert.match(await page.locator('#train-summary').textContent(), /300 steps\)$/);
}));

test('bad settings and a bad checkpoint file give sentences', () => inFreshProfile(async (page) => {
  await setField(page, 'heads', 5);  // 64 is not divisible by 5: the core says so
  await page.click('#train-start');
  await page.locator('#train-status.error').waitFor({ timeout: 30_000 });
  assert.match(await page.locator('#train-status').textContent(), /divisible by the number of heads/);
  await setField(page, 'heads', 4);
  // A model past the browser's 2 GB: refused before anything is allocated, with the size it needs.
  for (const [name, value] of [['layers', 12], ['embd', 512], ['block', 512], ['batch', 512]]) await setField(page, name, value);
  await page.click('#train-start');
  await page.waitForFunction(() => /^This model needs about \d+ MB to train with batches of 512, but the browser gives gptlab at most \d+ MB/
    .test(document.querySelector('#train-status.error')?.textContent ?? ''), null, { timeout: 30_000 });
  for (const [name, value] of [['layers', 2], ['embd', 64], ['block', 64], ['batch', 16]]) await setField(page, name, value);
  await setField(page, 'layers', 99);  // out of the field's range: marked, not stored
  assert.equal(await page.getAttribute('[data-train="layers"]', 'aria-invalid'), 'true');
  assert.equal(await page.locator('#train-field-error').textContent(), 'Layers takes whole numbers from 0 to 12.');
  await page.click('#train-start');
  assert.match(await page.locator('#train-status').textContent(), /out of range/);
  // Your own corpus: nothing given yet, then a file that is not text.
  await setField(page, 'layers', 2);
  await setField(page, 'corpus', 'upload');
  await page.click('#train-start');
  assert.equal(await page.locator('#train-status').textContent(), 'Paste or choose a text to train on, or pick the built-in corpus.');
  await page.setInputFiles('#corpus-file', { name: 'photo.jpg', mimeType: 'image/jpeg', buffer: Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x80]) });
  await page.waitForFunction(() => document.querySelector('#corpus-info').textContent === 'photo.jpg is not UTF-8 text; choose a plain text file.');
  await page.fill('#corpus-text', 'Too short.');
  await page.click('#train-start');
  await page.waitForFunction(() => /The corpus is \d+ tokens long; a block size of 64 needs at least 65\./
    .test(document.querySelector('#train-status.error')?.textContent ?? ''), null, { timeout: 30_000 });
  await setField(page, 'corpus', 'austen');
  await page.setInputFiles('#train-upload', { name: 'not-a.ckpt', mimeType: 'application/octet-stream',
    buffer: Buffer.from('this is not a checkpoint') });
  await page.waitForFunction(() => document.querySelector('#train-status.error')?.textContent.includes('not a gptlab checkpoint'),
    null, { timeout: 30_000 });
}));

test('a worker that crashes mid-training is reported, and the checkpoint in IndexedDB resumes', () => inFreshProfile(async (page) => {
  await setField(page, 'layers', 1);
  await setField(page, 'embd', 32);
  await page.click('#train-start');
  await page.waitForFunction(() => /at step \d+ of/.test(document.querySelector('#train-saved-text').textContent),
    null, { timeout: 120_000 });
  const savedAt = Number((await page.locator('#train-saved-text').textContent()).match(/at step (\d+)/)[1]);
  // An uncaught exception inside the training worker, as a bug in it would throw.
  const worker = page.workers().find((w) => w.url().includes('train-worker'));
  assert.ok(worker, 'the training worker is running');
  await worker.evaluate(() => { setTimeout(() => { throw new Error('simulated crash'); }, 0); });
  await page.waitForFunction(() => document.querySelector('#train-status.error')?.textContent.includes('stopped unexpectedly'));
  await page.waitForFunction(() => /The run saved in this browser is loaded again: press Resume/
    .test(document.querySelector('#train-status').textContent), null, { timeout: 30_000 });
  assert.match(await page.locator('#train-saved-text').textContent(), new RegExp(`at step ${savedAt} of`));
  await page.locator('#train-pause:enabled').waitFor({ timeout: 30_000 });  // a new worker holds the saved model
  await page.click('#train-pause');
  await page.locator('#train-status[data-state="training"]').waitFor({ timeout: 30_000 });
  assert.ok(await stepOf(page) >= savedAt);
  await untilStep(page, savedAt + 3);
  await page.click('#train-stop');
}, { ignore: /simulated crash/ }));

test('an embedded attention view trains a model of its own and draws it', async () => {
  const context = await app.browser.newContext();
  try {
    const page = await context.newPage();
    await page.goto(new URL('/#embed=attention', app.url).href);
    await assertHidden(page.locator('header'), 'the page chrome');
    await assertHidden(page.getByText('in the Train tab'), 'the pointer to a tab the embed lacks');
    await page.click('#att-train');
    await page.locator('#att-canvas[data-step]').waitFor({ state: 'attached', timeout: 60_000 });
    assert.ok(await inkOf(page, '#att-canvas') > 2000, 'the heads are drawn');
    await page.screenshot({ path: `${shots}embed-attention.png` });
    // The embed that trains can pause, resume and stop.
    await page.click('#att-pause');
    await page.locator('#att-train:text("Resume training"):enabled').waitFor({ timeout: 5_000 });
    await page.click('#att-train');
    await page.locator('#att-pause:enabled').waitFor({ timeout: 5_000 });
    await page.click('#att-stop');
    await page.locator('#att-stop:disabled').waitFor({ timeout: 5_000 });
    assert.equal(await page.locator('#att-train').isEnabled(), true, 'a new run can start');
  } finally {
    await context.close();
  }
});

test('a browser that refuses to store the run says so and keeps training', async () => {
  const context = await app.browser.newContext();
  try {
    const page = await context.newPage();
    // IndexedDB that fails every open, as a full disk or a locked-down profile would.
    await page.addInitScript(() => {
      IDBFactory.prototype.open = function () {
        const request = { error: new DOMException('The quota has been exceeded.', 'QuotaExceededError') };
        setTimeout(() => request.onerror?.());
        return request;
      };
    });
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(app.url);
    await page.click('#tab-train');
    await setField(page, 'layers', 1);
    await setField(page, 'embd', 32);
    await page.click('#train-start');
    await page.waitForFunction(() => document.querySelector('#train-saved-text').textContent.startsWith('This browser did not keep'),
      null, { timeout: 120_000 });
    assert.match(await page.locator('#train-saved-text').textContent(),
      /^This browser did not keep the run \(The quota has been exceeded\.\); use Download checkpoint to keep it\.$/);
    // Said as soon as the run is first kept (at its start); training goes on past the first checkpoint.
    await page.waitForFunction(() => Number(document.querySelector('#train-step').textContent.split(' / ')[0]) > 50, null,
      { timeout: 120_000 });
    assert.equal(await page.locator('#train-status').getAttribute('data-state'), 'training', 'training goes on');
    assert.match(await page.locator('#train-saved-text').textContent(), /^This browser did not keep the run/);
    assert.equal(await page.locator('#train-download').isDisabled(), false);
    await page.click('#train-stop');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
