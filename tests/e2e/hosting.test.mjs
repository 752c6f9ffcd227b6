// The lab on a plain static host (no COOP/COEP headers, as GitHub Pages serves it): the
// service worker makes it cross-origin isolated after its first load, so training gets every
// core; where service workers are off it still trains, on one thread. And two tabs of one
// browser: only one trains (and writes the saved run) at a time, the other says why and
// follows what the first saved.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { assertHidden, CHROMIUM_ARGS, stopAndKeep } from './harness.mjs';
import { chromium } from 'playwright-core';

const dist = fileURLToPath(new URL('../../dist/', import.meta.url));
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm',
  '.txt': 'text/plain; charset=utf-8', '.json': 'application/json' };

let server, url, browser;
before(async () => {
  // Files as they are, with a content type and nothing else.
  server = http.createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
    try {
      const body = await readFile(join(dist, path.endsWith('/') ? `${path}index.html` : path));
      res.writeHead(200, { 'Content-Type': TYPES[extname(path)] ?? (path.endsWith('/') ? TYPES['.html'] : 'application/octet-stream') });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${server.address().port}/`;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
});
after(async () => {
  await browser?.close();
  server?.close();
});

// A browser without service workers (as a private window may be): navigator.serviceWorker is
// absent. (Playwright's own `serviceWorkers: 'block'` instead makes register() resolve to nothing,
// which no browser does.)
async function withoutServiceWorkers() {
  const context = await browser.newContext();
  await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'serviceWorker', { get: () => undefined }));
  return context;
}

const isolated = async (page) => {
  for (let i = 0; i < 100; i++) {
    try {
      if (await page.evaluate(() => crossOriginIsolated)) return true;
    } catch { /* the page is reloading */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  return false;
};

async function trainsOn(page) {
  await page.click('#tab-train');
  await page.locator('#train-settings').evaluate((d) => { d.open = true; });
  await page.fill('[data-train="layers"]', '1');
  await page.locator('[data-train="layers"]').dispatchEvent('change');
  await page.click('#train-start');
  await page.waitForFunction(() => Number(document.querySelector('#train-threads').textContent) >= 1, null, { timeout: 60_000 });
  const threads = Number(await page.locator('#train-threads').textContent());
  await page.click('#train-stop');
  return threads;
}

test('a static host without COOP/COEP: the service worker isolates the page, and training gets every core', async () => {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const response = await page.goto(url);
    assert.equal(response.headers()['cross-origin-opener-policy'], undefined, 'the host sends no isolation headers');
    assert.ok(await isolated(page), 'isolated after the service worker reloaded the page');
    const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
    assert.equal(await trainsOn(page), cores, `training runs on ${cores} threads`);
    await assertHidden(page.locator('#train-threads-note'), 'the one-thread note');
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('where service workers are off the lab still trains, on one thread, and says why', async () => {
  const context = await withoutServiceWorkers();
  try {
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.locator('#tok-tokens[data-seq]').waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await page.evaluate(() => crossOriginIsolated), false);
    assert.equal(await trainsOn(page), 1);
    assert.match(await page.locator('#train-threads-note').textContent(), /^Training runs on one thread here: this page is not cross-origin isolated\./);
    assert.deepEqual(errors, []);
  } finally {
    await context.close();
  }
});

test('two tabs: one trains at a time, the other says so and then follows the saved run', async () => {
  const context = await withoutServiceWorkers();
  try {
    const [first, second] = [await context.newPage(), await context.newPage()];
    for (const page of [first, second]) {
      await page.goto(`${url}#`);
      await page.click('#tab-train');
    }
    await first.locator('#train-settings').evaluate((d) => { d.open = true; });
    for (const [name, value] of [['layers', '1'], ['embd', '32']]) {  // a small model: quick checkpoints
      await first.fill(`[data-train="${name}"]`, value);
      await first.locator(`[data-train="${name}"]`).dispatchEvent('change');
    }
    await first.click('#train-start');
    await first.locator('#train-status[data-state="training"]').waitFor({ timeout: 30_000 });
    await second.click('#train-start');
    await second.waitForFunction(() => document.querySelector('#train-status.error')?.textContent.startsWith('Another tab of this lab is training'));
    // The first tab's checkpoints show up in the second as they are saved.
    await second.waitForFunction(() => /at step \d+ of/.test(document.querySelector('#train-saved-text').textContent), null, { timeout: 120_000 });
    await stopAndKeep(first);
    const savedByFirst = await first.locator('#train-saved-text').textContent();
    await second.waitForFunction((t) => document.querySelector('#train-saved-text').textContent === t, savedByFirst);
    // Now the second may train.
    await second.click('#train-start');
    await second.locator('#train-status[data-state="training"]').waitFor({ timeout: 30_000 });
    await first.click('#train-start');
    await first.waitForFunction(() => document.querySelector('#train-status.error')?.textContent.startsWith('Another tab of this lab is training'));
    await second.click('#train-stop');
  } finally {
    await context.close();
  }
});
