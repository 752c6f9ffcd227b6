// `npm start` serves the lab with Vite's dev server, which transforms modules on the
// fly: check that the multi-threaded core still loads there and training starts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { chromium } from 'playwright-core';
import { CHROMIUM_ARGS } from './harness.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));

test('the dev server (npm start) trains on every core', async () => {
  const server = await createServer({ configFile: `${root}/vite.config.ts`, logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false } });
  await server.listen();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.resolvedUrls.local[0]);
    await page.click('#tab-train');
    await page.click('#train-start');
    await page.waitForFunction(() => Number(document.querySelector('#train-threads').textContent) >= 1, null, { timeout: 60_000 });
    const cores = await page.evaluate(() => Math.min(8, navigator.hardwareConcurrency));
    assert.equal(await page.locator('#train-threads').textContent(), String(cores));
    await page.click('#train-stop');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await server.close();
  }
});
