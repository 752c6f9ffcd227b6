// The page's Content-Security-Policy is in force and the lab runs within it: no inline
// script can run, nothing the lab itself does is refused (the WASM module's JS is built
// without eval, which the page forbids), and threads still start.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp } from './harness.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

test('the Content-Security-Policy blocks inline script and allows everything the lab does', async () => {
  const page = await app.browser.newPage();
  await page.addInitScript(() => {
    window.__violations = [];
    document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
  });
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(app.url);
  const policy = await page.getAttribute('meta[http-equiv="Content-Security-Policy"]', 'content');
  assert.match(policy, /script-src 'self' 'wasm-unsafe-eval';/);
  // Everything the lab does: the tokenizer worker, GPT-2's vocabulary, training on threads, the share dialog.
  await page.locator('#tok-tokens[data-seq]').waitFor({ state: 'attached', timeout: 30_000 });
  await page.click('#tab-tokenizer');
  await page.selectOption('#tok-kind', 'gpt2');
  await page.waitForFunction(() => document.querySelector('#tok-status').textContent.startsWith('GPT-2 tokenizer: a vocabulary of 50,257 token types'),
    null, { timeout: 30_000 });
  await page.click('#tab-train');
  await page.click('#train-start');
  await page.waitForFunction(() => Number(document.querySelector('#train-threads').textContent) >= 1, null, { timeout: 60_000 });
  // The attention heatmap's readout is placed beside the pointer (styles set from script, which the policy allows).
  const heatmap = page.locator('#train-attention[data-step]');
  await heatmap.waitFor({ timeout: 120_000 });
  const box = await heatmap.boundingBox();
  await heatmap.hover({ position: { x: box.width / 4, y: box.height / 4 } });
  await page.locator('#train-tip:not([hidden])').waitFor();
  await page.click('#train-stop');
  await page.click('#share-open');
  await page.click('#share-close');
  // The RoPE view loads the WASM module in the page itself (the workers have no policy of their own).
  await page.click('#tab-attention');
  await page.waitForFunction(() => document.querySelector('#rope-readout').textContent.startsWith('Head size'));
  assert.deepEqual(await page.evaluate(() => window.__violations), [], 'the lab itself trips no directive');

  // An inline script, as an injection would add it, does not run.
  const ran = await page.evaluate(async () => {
    const s = document.createElement('script');
    s.textContent = 'window.__inline = true';
    document.head.append(s);
    await new Promise((r) => setTimeout(r, 100));
    return window.__inline === true;
  });
  assert.equal(ran, false);
  assert.ok((await page.evaluate(() => window.__violations)).some((v) => v.startsWith('script-src')), 'the browser reported the block');
  assert.deepEqual(errors, []);
});
