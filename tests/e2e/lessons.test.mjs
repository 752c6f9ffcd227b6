// The Lessons view: each chapter opens from its URL (#lesson=N) with its text; a chapter's
// experiment queues its runs with one click and the first run's curve appears beside the
// recorded reference curves; progress is kept; a bad chapter number gives a sentence.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { freshProfile, startApp } from './harness.mjs';
import experiments from '../../web/src/lessons/experiments.json' with { type: 'json' };
import recorded from '../../web/src/lessons/recorded.json' with { type: 'json' };

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

// Opens chapter n from its URL and waits for the page's script to draw it (the view itself is
// shown by the page's HTML before the script runs).
async function openChapter(page, n, { reload = false } = {}) {
  await page.goto(new URL(`/#lesson=${n}`, app.url).href);
  if (reload) await page.reload();
  await page.locator('#view-lessons:not([hidden])').waitFor();
  await page.waitForFunction(() => document.querySelector('#lesson-title').textContent !== '');
}
const drawn = (page) => page.$eval('#lesson-chart', (c) => JSON.parse(c.dataset.series ?? '[]'));

test('every chapter opens from its URL with its title and text', async () => {
  const { context, page, errors } = await freshProfile(app);
  try {
    for (let n = 1; n <= 8; n++) {
      await openChapter(page, n, { reload: true });  // a hash change alone would not reload the page
      assert.match(await page.locator('#lesson-title').textContent(), new RegExp(`^${n}\\. `));
      assert.ok((await page.locator('#lesson-text p').count()) >= 1);
      assert.equal(await page.locator('#lesson-nav [aria-current="page"]').textContent(), await page.locator('#lesson-title').textContent());
      // The instruments a chapter shows inline are in it, and only those.
      const inline = { 2: ['tok-instrument'], 3: ['pad-mask', 'fill-box'], 6: ['att-instrument', 'rope-instrument'], 8: ['kv-speed'] }[n] ?? [];
      assert.deepEqual(await page.$$eval('#lesson-live > *', (els) => els.map((e) => e.id)), inline);
      const runs = experiments.lessons[String(n)] ?? [];
      assert.equal(await page.locator('#lesson-experiment').isVisible(), runs.length > 0, `chapter ${n} shows its experiment if it has one`);
      if (runs.length) {
        assert.equal(await page.locator('#lesson-table-body tr').count(), runs.length);
        const rec = recorded.lessons[String(n)] ?? [];
        const series = await drawn(page);
        const validation = series.filter((s) => s.label.endsWith('(recorded)') && !s.label.includes('training loss'));
        assert.equal(validation.length, rec.length, `chapter ${n}'s recorded curves are drawn`);
        assert.ok(validation.every((s) => s.points >= 5), `chapter ${n}'s recorded curves have their evaluations`);
      }
    }
    // A borrowed instrument goes home when its view opens: the playground is the Tokenizer tab's again.
    await page.goto(new URL('/#lesson=2', app.url).href);
    await page.reload();
    await page.locator('#lesson-live #tok-tokens .tok').first().waitFor();
    await page.click('#tab-tokenizer');
    assert.equal(await page.locator('#view-tokenizer #tok-instrument').count(), 1);
    assert.ok(await page.locator('#tok-tokens').isVisible());
    assert.equal(await page.locator('#lesson-live > *').count(), 0);
    await page.goto(new URL('/#lesson=12', app.url).href);  // the hash changes: the lab opens it and says why not
    await page.waitForFunction(() => document.querySelector('#lab-message').textContent !== '');
    assert.equal(await page.locator('#lab-message').textContent(), 'There is no lesson 12; the lessons are numbered 1 to 8.');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('chapter 7: the experiment starts with one click, its first run is drawn live with the sizes of its tensors', async () => {
  const { context, page, errors } = await freshProfile(app);
  try {
    await openChapter(page, 7);
    const sizes = (p) => p.$eval('#lesson-sizes-chart', (c) => JSON.parse(c.dataset.series ?? '[]'));
    assert.equal((await sizes(page)).filter((s) => s.label.endsWith('(recorded)')).length, 3, 'the recorded sizes are drawn');
    await page.click('#lesson-run');
    await page.waitForFunction(() => /3 runs queued/.test(document.querySelector('#lesson-status').textContent));
    // The first run ("decay nothing") reaches its first evaluation (step 100) and is drawn.
    await page.waitForFunction(() => JSON.parse(document.querySelector('#lesson-chart').dataset.series)
      .some((s) => s.label === 'decay nothing' && s.points >= 1), null, { timeout: 240_000 });
    const row = await page.locator('#lesson-table-body tr').first().locator('td').allTextContents();
    // The browser's run is the recorded run: same settings, seed and core (the CLI on one thread).
    const rec = recorded.lessons['7'].find((r) => r.name === 'decay nothing');
    const recordedAt100 = rec.val.find((p) => p[0] === 100)[1];
    assert.ok(Math.abs(Number(row[1]) - recordedAt100) < 0.01,
      `the browser's validation loss at step 100 (${row[1]}) is the recorded one (${recordedAt100})`);
    // Its tensors' sizes too: the norm gains and biases together, measured in the browser, as recorded.
    await page.waitForFunction(() => JSON.parse(document.querySelector('#lesson-sizes-chart').dataset.series)
      .some((s) => s.label === 'decay nothing' && s.points >= 1));
    const [step, size] = (await sizes(page)).find((s) => s.label === 'decay nothing').last;
    assert.equal(step, 100);
    const recordedSize = rec.sizes.find((p) => p[0] === 100)[1];
    assert.ok(Math.abs(size - recordedSize) < 0.01, `the size at step 100 in the browser (${size}) is the recorded one (${recordedSize})`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('every chapter\'s experiment starts from its button; lesson 3 draws its mask, lesson 8 measures the KV cache', async () => {
  for (const n of Object.keys(experiments.lessons).map(Number).filter((k) => k !== 7)) {
    const { context, page, errors } = await freshProfile(app);
    try {
      await openChapter(page, n);
      await page.click('#lesson-run');
      // The first rung is the run in training: its row shows the steps it has done.
      await page.waitForFunction(() => /^step [1-9]/.test(document.querySelector('#lesson-table-body tr td:last-child').textContent),
        null, { timeout: 120_000 });
      if (n === 3) {
        // The padded batch: the second document's padding columns are hidden, or attended to without the key mask.
        assert.ok(await page.locator('#pad-grid .m.hidden').count() > 0);
        assert.equal(await page.locator('#pad-grid .m.leaks').count(), 0);
        await page.uncheck('#pad-key-mask');
        assert.equal(await page.locator('#pad-grid .m.hidden').count(), 0);
        assert.ok(await page.locator('#pad-grid .m.leaks').count() > 0);
        assert.match(await page.locator('#pad-explain').textContent(), /Without the key mask/);
        // The model in training (the first rung: masked, with the key mask) over the same batch: padded keys get exactly 0.
        await page.click('#pad-model');
        await page.locator('#pad-grid[data-step]').waitFor({ timeout: 30_000 });
        assert.match(await page.locator('#pad-explain').textContent(), /give the padding 0% of their attention \(exactly nothing/);
        assert.ok(await page.locator('#pad-grid .m.hidden').count() > 0);
        assert.equal(await page.locator('#pad-grid .m.leaks').count(), 0);
      }
      if (n === 8) {
        await page.click('#kv-measure');
        await page.waitForFunction(() => /faster with the cache/.test(document.querySelector('#kv-result').textContent), null,
          { timeout: 60_000 });
        const rates = await page.$$eval('#kv-bars .speed-row span:last-child', (els) => els.map((e) => Number(e.textContent.replace(/\D/g, ''))));
        assert.equal(rates.length, 2);
        assert.ok(rates[0] > rates[1], `sampling with the cache (${rates[0]} tokens/s) is faster than without (${rates[1]})`);
      }
      assert.deepEqual(errors, [], `lesson ${n}`);
    } finally {
      await context.close();
    }
  }
});
