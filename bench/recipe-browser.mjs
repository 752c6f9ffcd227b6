// What a learner gets from one run of the lab in Chromium: the start page's Train tab,
// driven as a person would (own text uploaded, settings changed, Train pressed), until the
// run ends or a time limit; then the run's checkpoint is downloaded and evaluated natively
// (build/gptlab eval) on at least 100k validation tokens.
//   node bench/recipe-browser.mjs [--corpus FILE] [--limit SECONDS] [field=value ...]
// Fields are the Train settings' names (data-train="..."), e.g. steps=400 embd=128.
// Prints one JSON line: settings, steps done, seconds, tokens/s, the lab's last
// validation loss and the 100k-token one, and a trace of [seconds, step, planned steps] every 10 s. Needs `npx vite build` and build/gptlab.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, freshProfile, setField } from '../tests/e2e/harness.mjs';

const args = process.argv.slice(2);
const option = (name) => { const i = args.indexOf(name); return i < 0 ? null : args.splice(i, 2)[1]; };
const corpus = option('--corpus');
const limit = Number(option('--limit') ?? 900);
const fields = Object.fromEntries(args.map((a) => a.split('=')));
const builtIn = new URL('../public/corpus/pride-and-prejudice.txt', import.meta.url).pathname;

const app = await startApp();
try {
  const { context, page, errors } = await freshProfile(app);
  await page.goto(new URL('/#view=train', app.url).href);
  await page.click('#tab-train');
  if (corpus) {
    await setField(page, 'corpus', 'upload');
    await page.setInputFiles('#corpus-file', corpus);
    await page.waitForFunction(() => /characters/.test(document.querySelector('#corpus-info').textContent));
  }
  for (const [name, value] of Object.entries(fields)) await setField(page, name, value);
  const figure = (id) => page.locator(`#${id}`).textContent();
  const t0 = Date.now();
  await page.click('#train-start');
  const state = () => page.locator('#train-status').getAttribute('data-state');
  // Every 10 s: [seconds, step, planned steps], to see how a timed run's length was estimated.
  const trace = [];
  while (!['done', 'stopped'].includes(await state()) && Date.now() - t0 < limit * 1000) {
    await page.waitForTimeout(500);
    if (Date.now() - t0 >= trace.length * 10_000) {
      const [step, total] = ((await figure('train-step')) ?? '').replaceAll(',', '').split(' / ').map(Number);
      trace.push([Math.round((Date.now() - t0) / 1000), step || 0, total || 0]);
    }
  }
  const seconds = (Date.now() - t0) / 1000;
  if ((await state()) !== 'done') await page.click('#train-stop');
  await page.waitForFunction(() => !document.querySelector('#train-download').disabled);
  const [download] = await Promise.all([page.waitForEvent('download'), page.click('#train-download')]);
  const dir = mkdtempSync(join(tmpdir(), 'recipe-'));
  const checkpoint = join(dir, 'run.ckpt');
  await download.saveAs(checkpoint);
  // Block x batch x batches >= 100k tokens of the validation split (the same split the lab uses).
  const evalText = execFileSync('build/gptlab', ['eval', '--checkpoint', checkpoint, '--corpus', corpus ?? builtIn,
    '--batch', '32', '--eval-batches', String(Math.ceil(100_000 / 32 / Number(fields.block ?? 64)))], { encoding: 'utf8' });
  const result = {
    settings: fields, seconds: Math.round(seconds), step: await figure('train-step'),
    tokensPerSecond: await figure('train-speed'), threads: await figure('train-threads'),
    labValLoss: await figure('train-val'), eval: evalText.trim(), errors, trace,
  };
  console.log(JSON.stringify(result));
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result));
  await context.close();
} finally {
  await app.close();
}
