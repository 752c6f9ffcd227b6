// The lab as a phone, a small laptop and a desktop show it, and as a tutorial embeds it from
// another origin: no sideways scrolling, no form boxes on top of each other, each view's key
// content inside the first screen, and no serious or critical accessibility violations
// (axe-core). Screenshots go to test-results/ (not committed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { assertHidden, startApp, tutorialHost } from './harness.mjs';

const shots = new URL('../../test-results/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SIZES = [[1280, 800], [800, 600], [390, 844]];

let app, host, hostUrl;
before(async () => {
  app = await startApp();
  host = await tutorialHost();
  hostUrl = host.url;
});
after(async () => {
  await app?.close();
  host?.close();
});

// Sideways scrolling: content wider than the screen.
const overflowX = (frame) => frame.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);

// The top of an element (which must exist and be shown), relative to the top of its document.
async function topOf(frame, selector) {
  const el = frame.locator(selector);
  assert.equal(await el.count(), 1, `${selector} exists`);
  assert.ok(await el.isVisible(), `${selector} is shown`);
  return el.evaluate((e) => e.getBoundingClientRect().top + window.scrollY);
}

// Serious and critical axe-core violations (the page's policy refuses injected scripts, so the
// context bypasses it for the checker alone).
async function axeViolations(frame) {
  await frame.addScriptTag({ path: axePath });
  const found = await frame.evaluate(async () => (await window.axe.run(document, { resultTypes: ['violations'] })).violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`));
  return found;
}

// Pairs of boxes that overlap by more than a pixel.
const overlaps = (rects) => rects.flatMap((a, i) => rects.slice(i + 1).filter((b) =>
  Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1)
  .map((b) => `${a.name} / ${b.name}`));

for (const [width, height] of SIZES) {
  test(`every view at ${width}x${height}: no sideways scroll, boxes apart, key content first, axe clean`, async () => {
    const context = await app.browser.newContext({ viewport: { width, height }, bypassCSP: true });
    try {
      const page = await context.newPage();
      const errors = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(app.url);
      await page.locator('#tok-tokens[data-seq]').waitFor({ state: 'attached', timeout: 30_000 });
      const views = { tokenizer: ['#tok-text', '#tok-tokens'], train: ['#train-start', '#train-status'], attention: ['#att-text', '#att-train'],
        runs: ['#runs-chart'], lessons: ['#lesson-title', '#lesson-nav'] };
      for (const [view, keys] of Object.entries(views)) {
        await page.click(`#tab-${view}`);
        await page.evaluate(() => window.scrollTo(0, 0));
        assert.ok(await overflowX(page) <= 0, `${view} at ${width}px scrolls sideways by ${await overflowX(page)} px`);
        for (const key of keys) assert.ok(await topOf(page, key) < height, `${key} is on the first screen at ${width}x${height}`);
        await page.screenshot({ path: `${shots}layout-${view}-${width}.png`, fullPage: true });
        assert.deepEqual(await axeViolations(page), [], `axe on the ${view} view at ${width}px`);
      }
      // The settings with "Your own text" chosen: the three boxes side by side (or stacked) never overlap,
      // and nothing spills out of its box.
      await page.click('#tab-train');
      await page.locator('#train-settings').evaluate((d) => { d.open = true; });
      await page.selectOption('[data-train="corpus"]', 'upload');
      await page.locator('[data-train="corpus"]').dispatchEvent('change');
      const boxes = await page.$$eval('#train-form fieldset', (sets) => sets.map((f) => {
        const r = f.getBoundingClientRect();
        const spill = [...f.querySelectorAll('input, select, textarea, label')].filter((c) => {
          const b = c.getBoundingClientRect();
          return b.width > 0 && (b.left < r.left - 1 || b.right > r.right + 1);
        }).map((c) => c.outerHTML.slice(0, 60));
        return { name: f.querySelector('legend').textContent, left: r.left, right: r.right, top: r.top, bottom: r.bottom, spill };
      }));
      assert.equal(boxes.length, 3);
      assert.deepEqual(overlaps(boxes), [], `settings boxes overlap at ${width}px`);
      for (const b of boxes) assert.deepEqual(b.spill, [], `controls spill out of ${b.name} at ${width}px`);
      assert.ok(await overflowX(page) <= 0, 'the open settings do not scroll sideways');
      await page.screenshot({ path: `${shots}layout-settings-${width}.png`, fullPage: true });
      assert.deepEqual(await axeViolations(page), [], 'axe on the open settings');
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

// Each embed in an iframe on another origin: the instrument itself on the first screen of the frame.
const EMBEDS = [['tokenizer', 600, 500, '#tok-tokens'], ['tokenizer', 800, 450, '#tok-tokens'], ['train', 800, 450, '#train-chart'],
  ['train', 390, 700, '#train-start'], ['attention', 800, 450, '#att-train'], ['attention', 390, 700, '#att-status'],
  ['runs', 800, 450, '#runs-chart'], ['runs', 390, 700, '#runs-chart'], ['lessons', 800, 450, '#lesson-title'],
  ['lessons', 390, 700, '#lesson-title'], ['next-token', 600, 450, '#next-text'], ['surprise', 600, 450, '#surprise-status'],
  ['embeddings', 600, 450, '#emb-table'], ['logit-lens', 600, 450, '#lens-text'], ['weights', 600, 450, '#weights-status']];
const PANELS = ['next-token', 'surprise', 'embeddings', 'logit-lens', 'weights'];  // of "Inside the model"
for (const [view, width, height, key] of EMBEDS) {
  test(`the ${view} embed at ${width}x${height} on another origin shows ${key} first`, async () => {
    const context = await app.browser.newContext({ viewport: { width, height }, bypassCSP: true });
    try {
      const page = await context.newPage();
      const src = new URL(`/#embed=${view}`, app.url).href;
      await page.goto(`${hostUrl}?w=${width}&h=${height}&src=${encodeURIComponent(src)}`);
      const frame = page.frames().find((f) => f.url().startsWith(app.url));
      assert.ok(frame, 'the lab loaded in the frame');
      const shown = PANELS.includes(view) ? 'attention' : view;
      await frame.locator(`#view-${shown}`).waitFor();
      if (shown === 'attention') await assertHidden(frame.locator('.panel-tabs'), 'the tabs of the other panels');
      if (view === 'tokenizer') await frame.locator('#tok-tokens[data-seq]').waitFor({ state: 'attached', timeout: 30_000 });
      await assertHidden(frame.locator('header'), 'the page chrome');
      assert.ok(await overflowX(frame) <= 0, `the ${view} embed scrolls sideways`);
      assert.ok(await topOf(frame, key) < height - 40, `${key} starts on the frame's first screen`);
      // Embeds get one thread unless the page around them is isolated, and say so.
      if (view !== 'tokenizer') assert.match(await frame.locator(`#${view === 'train' ? 'train' : 'att'}-threads-note`).textContent(),
        /^Training runs on one thread here: the page around this one is not cross-origin isolated\./);
      // This Chromium keeps a frame on another site from storage: the Train view says its run is not kept.
      if (view === 'train') await frame.locator('#train-kept-note:not([hidden])').waitFor({ timeout: 5_000 });
      await page.screenshot({ path: `${shots}embed-${view}-${width}x${height}.png` });
      assert.deepEqual(await axeViolations(frame), [], `axe on the ${view} embed`);
    } finally {
      await context.close();
    }
  });
}
