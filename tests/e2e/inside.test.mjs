// "Inside the model" as a learner uses it: a small model trains, and every panel (attention,
// next token, surprise, embeddings, logit lens, weights) draws it with its tokens named, reads
// out what is under the pointer, follows the training without blocking the page, and works
// embedded alone in an iframe on another origin.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { assertHidden, freshProfile, interactions, longTasksSince, recordLongTasks, setField, startApp, tutorialHost } from './harness.mjs';

const shots = new URL('../../test-results/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
let app, host;
before(async () => {
  app = await startApp();
  host = await tutorialHost();
});
after(async () => {
  await app?.close();
  host?.close();
});

// Pixels of a canvas that are neither blank nor white.
const inkOf = (page, selector) => page.$eval(selector, (c) => {
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let ink = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && (d[i] < 250 || d[i + 1] < 250 || d[i + 2] < 250)) ink++;
  return ink;
});
// Points at a spot of an element (a fraction of its width and height) as a mouse would, scrolled into view.
async function pointAt(page, selector, { dx = 0.5, dy = 0.5 } = {}) {
  const target = page.locator(selector).first(), box = await target.boundingBox();
  await target.hover({ position: { x: box.width * dx, y: box.height * dy } });
}
const TEXT = 'It is a truth universally acknowledged';

test('every panel draws the model in training, names its tokens, reads out the pointer and never blocks', async () => {
  const { context, page, errors } = await freshProfile(app);
  try {
    await recordLongTasks(page);
    await page.goto(app.url);
    await page.click('#tab-train');
    for (const [name, value] of [['layers', 2], ['heads', 2], ['embd', 32], ['block', 48], ['steps', 3000], ['evalInterval', 20],
      ['warmup', 10], ['positions', 'learned']]) await setField(page, name, value);
    const beforeTraining = (await interactions(page)).length;  // the page's own start-up is not what is judged here
    await page.click('#train-start');
    await page.click('#tab-attention');
    await page.locator('#att-canvas[data-step]').waitFor({ timeout: 120_000 });
    // Attention: the text's characters along the axes; one head large as lines, with a readout naming tokens.
    assert.deepEqual(JSON.parse(await page.locator('#att-canvas').getAttribute('data-tokens')), [...TEXT]);
    await assertHidden(page.locator('#att-kept-note'), 'the note that runs are not kept');  // the lab keeps them
    await page.selectOption('#att-head', '1:0');
    await page.check('#att-lines');
    await page.locator('#att-lines-canvas:not([hidden])').waitFor();
    assert.ok(await inkOf(page, '#att-lines-canvas') > 500);
    await pointAt(page, '#att-lines-canvas', { dx: 0.25, dy: 0.5 });
    assert.match(await page.locator('#att-hover').textContent(), /^“.+” attends most to “.+” \(\d\.\d\d\)/);
    assert.match(await page.locator('#att-status').textContent(), /Layer 2, head 1 attends /);

    // Next token: bars for the likeliest characters after the text, the settings' odds summing to 1.
    await page.click('#panel-tab-next-token');
    await page.locator('#next-chart[data-step]').waitFor({ timeout: 30_000 });
    assert.ok(await inkOf(page, '#next-chart') > 500);
    const candidates = JSON.parse(await page.locator('#next-chart').getAttribute('data-tokens'));
    assert.equal(candidates.length, 20);
    assert.ok(candidates.every((t) => [...t].length === 1), 'character tokens');
    await pointAt(page, '#next-chart', { dx: 0.5, dy: 0.03 });
    assert.match(await page.locator('#next-readout').textContent(), /^“.+”: the model gives it \d/);
    // top-k 3: three tokens can be drawn, the rest are ruled out; sampling appends one character.
    // Paused first, so that the bars and the sample come from the same weights (training moves on
    // between two evaluations), and resumed after.
    await page.click('#att-pause');
    await page.waitForFunction(() => /, paused\.$/.test(document.querySelector('#inside-status').textContent));
    await page.locator('#next-topk').fill('3');
    await page.waitForFunction(() => /: 3 of /.test(document.querySelector('#next-status').textContent));
    const top3 = JSON.parse(await page.locator('#next-chart').getAttribute('data-tokens')).slice(0, 3);
    await page.click('#next-sample');
    await page.waitForFunction((t) => document.querySelector('#next-text').value.length === t.length + 1, TEXT);
    const extended = await page.locator('#next-text').inputValue();
    assert.ok(top3.includes(extended.at(-1)), `the sampled character “${extended.at(-1)}” is one of the top 3 ${top3}`);
    await page.click('#att-train');  // "Resume training"
    await page.waitForFunction(() => /, training\.$/.test(document.querySelector('#inside-status').textContent));

    // Surprise: the validation passage token by token, coloured, a hover naming what was expected.
    await page.click('#panel-tab-surprise');
    await page.locator('#surprise-text[data-step]').waitFor({ timeout: 30_000 });
    const spans = page.locator('#surprise-text .tok');
    assert.ok(await spans.count() >= 40);
    await spans.nth(5).hover();
    assert.match(await page.locator('#surprise-readout').textContent(), /^“.+” had p = [\d.]+% \(loss [\d.]+ nats\); the model expected “/);

    // Embeddings: every character of the vocabulary placed, labelled, a hover naming one.
    await page.click('#panel-tab-embeddings');
    await page.locator('#emb-canvas[data-step]').waitFor({ timeout: 30_000 });
    assert.ok(await inkOf(page, '#emb-canvas') > 500);
    const vocabulary = JSON.parse(await page.locator('#emb-canvas').getAttribute('data-tokens'));
    assert.ok(vocabulary.includes('e') && vocabulary.includes('<pad>'), 'the characters and the special tokens');
    assert.match(await page.locator('#emb-status').textContent(), /rows; the two directions shown hold \d+%/);

    // Logit lens: one row per depth, the last being the model's own prediction.
    await page.click('#panel-tab-logit-lens');
    await page.locator('#lens-body[data-step]').waitFor({ timeout: 30_000 });
    assert.deepEqual(await page.locator('#lens-body th').allTextContents(), ['embeddings', 'after block 1', 'after block 2']);
    assert.equal((await page.locator('#lens-tokens .lens-pick').allTextContents()).join(''), extended.replace(/ /g, '·'));
    await page.locator('#lens-tokens .lens-pick').nth(2).click();
    await page.waitForFunction(() => document.querySelector('#lens-tokens [aria-pressed="true"]')?.textContent === '·');

    // Weights: a ratio per tensor over training and a verdict on the learning rate.
    await page.click('#panel-tab-weights');
    await page.waitForFunction(() => JSON.parse(document.querySelector('#weights-chart').dataset.series ?? '[]').length > 10);
    assert.ok(await inkOf(page, '#weights-chart') > 500);
    assert.match(await page.locator('#weights-status').textContent(), /^Middle update \/ weight ratio [\d.e+-]+ over the \d+ weight matrices/);
    assert.ok(await page.locator('#weights-body tr').count() > 10);

    // Every panel followed the training: its step moved on.
    const step = Number(await page.locator('#lens-body').getAttribute('data-step'));
    await page.click('#panel-tab-logit-lens');
    await page.waitForFunction((s) => Number(document.querySelector('#lens-body').dataset.step) > s, step, { timeout: 60_000 });
    // Each click or key answered (the next frame painted) within 200 ms, what the web calls a good
    // response (INP), though a panel's first drawing (fonts, canvases) shares two cores with training.
    const slow = (await interactions(page)).slice(beforeTraining).filter((e) => e.ms > 200);
    assert.deepEqual(slow, [], 'interactions answered in over 200 ms');
    // Following the training while nobody touches the page (every head's heatmap redrawn at each
    // evaluation) never blocks it: no main-thread task over 50 ms.
    await page.click('#panel-tab-attention');
    await page.uncheck('#att-lines');
    await page.selectOption('#att-head', '-1');
    const drawn = Number(await page.locator('#att-canvas').getAttribute('data-step'));
    await page.waitForFunction((s) => Number(document.querySelector('#att-canvas').dataset.step) > s, drawn, { timeout: 60_000 });
    const quiet = await page.evaluate(() => window.__longTasks.length);
    await page.waitForFunction((s) => Number(document.querySelector('#att-canvas').dataset.step) > s + 100, drawn, { timeout: 60_000 });
    const long = await longTasksSince(page, quiet);
    assert.equal(long.length, 0, `main-thread tasks over 50 ms: ${JSON.stringify(long, null, 1)}`);
    await page.screenshot({ path: `${shots}inside-lens.png`, fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('each panel embedded alone at 600x450 on another origin trains its own model and draws it', async () => {
  const context = await app.browser.newContext({ viewport: { width: 600, height: 450 } });
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const ready = { 'next-token': '#next-chart[data-step]', surprise: '#surprise-text[data-step]', embeddings: '#emb-canvas[data-step]',
      'logit-lens': '#lens-body[data-step]', weights: '#weights-body tr' };
    for (const [panel, drawn] of Object.entries(ready)) {
      await page.goto(`${host.url}?w=600&h=450&src=${encodeURIComponent(new URL(`/#embed=${panel}`, app.url).href)}`);
      const frame = page.frames().find((f) => f.url().startsWith(app.url));
      await frame.locator(`#panel-${panel}:not([hidden])`).waitFor();
      assert.equal(await frame.locator('.panel:not([hidden])').count(), 1, `${panel}: one panel shown`);
      // Each embed trains a model of its own (a frame on another site may be kept from storage, as
      // this Chromium keeps it, so nothing carries over from one embed to the next).
      await frame.locator('#att-kept-note:not([hidden])').waitFor({ timeout: 5_000 });  // it says the model is not kept
      await frame.click('#att-train');
      await frame.locator(drawn).first().waitFor({ state: 'attached', timeout: 120_000 });
      await page.screenshot({ path: `${shots}inside-embed-${panel}.png` });
    }
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
