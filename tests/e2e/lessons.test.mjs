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

const drawn = (page) => page.$eval('#lesson-chart', (c) => JSON.parse(c.dataset.series ?? '[]'));

test('every chapter opens from its URL with its title and text', async () => {
  const { context, page, errors } = await freshProfile(app);
  try {
    for (let n = 1; n <= 8; n++) {
      await page.goto(new URL(`/#lesson=${n}`, app.url).href);
      await page.reload();  // a hash change alone would not reload the page
      await page.locator('#view-lessons:not([hidden])').waitFor();
      assert.match(await page.locator('#lesson-title').textContent(), new RegExp(`^${n}\\. `));
      assert.ok((await page.locator('#lesson-text p').count()) >= 1);
      assert.equal(await page.locator('#lesson-nav [aria-current="page"]').textContent(), await page.locator('#lesson-title').textContent());
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
    await page.goto(new URL('/#lesson=12', app.url).href);  // the hash changes: the lab opens it and says why not
    await page.waitForFunction(() => document.querySelector('#lab-message').textContent !== '');
    assert.equal(await page.locator('#lab-message').textContent(), 'There is no lesson 12; the lessons are numbered 1 to 8.');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('a chapter\'s experiment starts with one click and its first run is drawn live', async () => {
  const { context, page, errors } = await freshProfile(app);
  try {
    await page.goto(new URL('/#lesson=6', app.url).href);
    await page.locator('#view-lessons:not([hidden])').waitFor();
    await page.click('#lesson-run');
    assert.match(await page.locator('#lesson-status').textContent(), /3 runs queued/);
    // The first run ("no positions") reaches its first evaluation (step 100) and is drawn.
    await page.waitForFunction(() => JSON.parse(document.querySelector('#lesson-chart').dataset.series)
      .some((s) => s.label === 'no positions' && s.points >= 1), null, { timeout: 240_000 });
    const row = await page.locator('#lesson-table-body tr').first().locator('td').allTextContents();
    // The browser's run is the recorded run: same settings, seed and core (the CLI on one thread).
    const recordedAt100 = recorded.lessons['6'].find((r) => r.name === 'no positions').val.find((p) => p[0] === 100)[1];
    assert.ok(Math.abs(Number(row[1]) - recordedAt100) < 0.01,
      `the browser's validation loss at step 100 (${row[1]}) is the recorded one (${recordedAt100})`);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});
