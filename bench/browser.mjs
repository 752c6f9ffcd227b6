// WASM matmul benchmark in headless Chromium: the engine page's worker benchmark
// (gptlab, SIMD128 with relaxed SIMD's fused multiply-add) with long timings, then @tensorflow/tfjs-backend-wasm's matMul
// on the same shapes in the same browser (loaded from node_modules through a
// request route, so the app itself never ships tfjs). Needs `npx vite build` first.
//
//   node bench/browser.mjs [--quick] [--no-relaxed-simd]
//
// --no-relaxed-simd: gptlab runs its SIMD128 kernel instead of the fused multiply-add one
// (wasm-kernels/), the before/after comparison.
import { startApp, openPage } from '../tests/e2e/harness.mjs';
import { loadTfjsWasm } from './tfjs-peer.mjs';

const quick = process.argv.includes('--quick');
const [batchSeconds, batches] = quick ? [0.05, 2] : [0.2, 5];

const noRelaxed = process.argv.includes('--no-relaxed-simd');
const app = await startApp();
// Chromium has no switch for relaxed SIMD (156 ignores --js-flags=--no-experimental-wasm-relaxed-simd),
// so the worker's copy of the core is served with its feature test answering "no".
async function withoutRelaxedSimd(page) {
  await page.route(/\/assets\/bench-worker-[^/]*\.js$/, async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('WebAssembly.validate(', '(() => false)(');
    await route.fulfill({ response, body });
  });
}
try {
  const { page, errors } = await openPage(app, `/engine.html?batch=${batchSeconds}&batches=${batches}`, {
    bypassCSP: true,
    setup: noRelaxed ? withoutRelaxedSimd : undefined,
  });
  await page.locator('#bench-run:enabled').waitFor({ state: 'attached', timeout: 300_000 });
  const ours = await page.$$eval('#bench-table tbody tr', (rows) =>
    rows.map((r) => ({ label: r.cells[0].textContent, dims: r.cells[1].textContent, gflops: Number(r.cells[2].textContent) })));
  const kernel = (await page.locator('#core-status').textContent()).match(/matmul kernel: ([^)]*)/)?.[1];
  if (errors.length) throw new Error(errors.join('\n'));

  await loadTfjsWasm(page, 'tfjs-core/dist/tf-core.min.js');  // the peer
  const theirs = await page.evaluate(async ({ shapes, batchSeconds, batches }) => {
    const tf = globalThis.tf;
    const out = [];
    for (const [m, k, n] of shapes) {
      const a = tf.randomUniform([m, k], -1, 1), b = tf.randomUniform([k, n], -1, 1);
      tf.matMul(a, b).dispose();
      let best = 0;
      for (let t = 0; t < batches; t++) {
        let reps = 0, seconds;
        const start = performance.now();
        do { tf.matMul(a, b).dispose(); reps++; seconds = (performance.now() - start) / 1000; } while (seconds < batchSeconds);
        best = Math.max(best, (2 * m * k * n * reps) / seconds / 1e9);
      }
      a.dispose(); b.dispose();
      out.push(best);
    }
    return { gflops: out, threads: await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT') };
  }, { shapes: ours.map((r) => r.dims.split(' × ').map(Number)), batchSeconds, batches });

  console.log(`${await app.browser.version()} headless; gptlab (${kernel}) in a Web Worker, tfjs-backend-wasm on the page ` +
    `(threads: ${theirs.threads})\n`);
  console.log('| shape | m x k x n | gptlab GFLOP/s | tfjs-wasm GFLOP/s | gptlab / tfjs |');
  console.log('|---|---|---:|---:|---:|');
  ours.forEach((r, i) => {
    const t = theirs.gflops[i];
    console.log(`| ${r.label} | ${r.dims.replaceAll(' × ', 'x')} | ${r.gflops.toFixed(1)} | ${t.toFixed(1)} | ${(r.gflops / t).toFixed(2)} |`);
  });
} finally {
  await app.close();
}
