// The engine page (engine.html, linked from the lab's footer) loads the WASM core in a worker
// and shows matmul GFLOP/s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startApp, openPage } from './harness.mjs';

let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

test('the engine section benchmarks the WASM matmul in a worker and shows GFLOP/s', async () => {
  const { page, errors } = await openPage(app, '/engine.html');
  const rows = page.locator('#bench-table tbody tr');
  await page.locator('#bench-run:enabled').waitFor({ timeout: 60_000 });
  assert.equal(await rows.count(), 7, 'one row per benchmark shape');
  const status = await page.locator('#core-status').textContent();
  assert.match(status, /sse4\.1 kernels as WebAssembly SIMD128/);
  // Chromium has relaxed SIMD: matmul runs the fused multiply-add kernel (wasm-kernels/).
  assert.match(status, /matmul kernel: wasm simd128 \+ relaxed madd/);
  for (const text of await page.locator('#bench-table td.figure').allTextContents()) {
    const gflops = Number(text);
    // A scalar triple loop manages about 1 GFLOP/s; SIMD kernels run far above it.
    assert.ok(Number.isFinite(gflops) && gflops > 2, `implausible GFLOP/s figure "${text}"`);
  }
  assert.deepEqual(errors, []);
});

test('"Run again" measures again without reloading the page', async () => {
  const { page, errors } = await openPage(app, '/engine.html');
  await page.locator('#bench-run:enabled').waitFor({ timeout: 60_000 });
  await page.locator('#bench-run').click();
  assert.equal(await page.locator('#bench-run').isDisabled(), true, 'the button waits for the run to finish');
  await page.locator('#bench-run:enabled').waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('#bench-table tbody tr').count(), 7);
  assert.deepEqual(errors, []);
});

test('a WASM module that cannot load gives a sentence on the page, not a blank table', async () => {
  const page = await app.browser.newPage();
  await page.route('**/*.wasm', (route) => route.fulfill({ status: 404, body: 'not found' }));
  await page.goto(new URL('/engine.html', app.url).href);
  const status = page.locator('#core-status.error');
  await status.waitFor({ timeout: 30_000 });
  const text = await status.textContent();
  assert.match(text, /^The WebAssembly core failed to load, so nothing can run\. Reload the page;/);
  assert.match(text, /Details: .*CompileError/);
  assert.equal(await page.locator('#bench-table tbody').count(), 1);
  assert.equal(await page.locator('#bench-table tbody tr').count(), 0);
});
