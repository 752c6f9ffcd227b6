// WASM matmul benchmark under node: gptlab's kernels against @tensorflow/tfjs-backend-wasm
// (XNNPACK) in the same process, same shapes. With relaxed SIMD available, gptlab runs twice:
// its fused multiply-add kernel (wasm-kernels/) and its SIMD128 kernel (relaxedSimd: false).
// GFLOP/s = 2 m k n / seconds, best of 5 timed batches of >= 0.2 s each; the contenders'
// batches alternate, so a busy spell on a shared machine hits them alike.
//
//   node bench/wasm-node.mjs            (after the WASM build: npm run build)
//   node --experimental-wasm-relaxed-simd bench/wasm-node.mjs   (node 20: relaxed SIMD on)
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs-core';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { loadGptlab } from './load-node.mjs';

const quick = process.argv.includes('--quick');
const batchSeconds = quick ? 0.05 : 0.2;
const batches = quick ? 2 : 5;

// The start page's shapes (web/src/matmul-bench.ts).
const SHAPES = [
  ['square 64', 64, 64, 64],
  ['square 128', 128, 128, 128],
  ['square 256', 256, 256, 256],
  ['square 512', 512, 512, 512],
  ['qkv proj X W', 2048, 128, 384],
  ['mlp up X W', 2048, 128, 512],
  ['mlp down X W', 2048, 512, 128],
];

// Best GFLOP/s of each function, their timed batches taken in turn.
function gflops(flops, fns) {
  const best = fns.map(() => 0);
  fns.forEach((fn) => fn());
  for (let b = 0; b < batches; b++) {
    fns.forEach((fn, i) => {
      let reps = 0;
      const start = performance.now();
      let seconds;
      do {
        fn();
        reps++;
        seconds = (performance.now() - start) / 1000;
      } while (seconds < batchSeconds);
      best[i] = Math.max(best[i], (flops * reps) / seconds / 1e9);
    });
  }
  return best;
}

const gptlab = await loadGptlab();
const relaxed = gptlab.kernelName().includes('relaxed');
const plain = relaxed ? await loadGptlab({ relaxedSimd: false }) : gptlab;
const wasmDir = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));
setWasmPaths(wasmDir);
await tf.setBackend('wasm');
await tf.ready();
const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');

console.log(`node ${process.version}; gptlab matmul kernels: ${gptlab.kernelName()}` +
  (relaxed ? `, ${plain.kernelName()}` : '') +
  `; tfjs-backend-wasm ${tf.version_core} (simd: ${simd}, threads: ${threads})\n`);
console.log(relaxed
  ? '| shape | m x k x n | gptlab relaxed GFLOP/s | gptlab SIMD128 GFLOP/s | tfjs-wasm GFLOP/s | relaxed / tfjs | SIMD128 / tfjs |\n' +
    '|---|---|---:|---:|---:|---:|---:|'
  : '| shape | m x k x n | gptlab GFLOP/s | tfjs-wasm GFLOP/s | gptlab / tfjs |\n|---|---|---:|---:|---:|');
for (const [label, m, k, n] of SHAPES) {
  const modules = relaxed ? [gptlab, plain] : [gptlab];
  const benches = modules.map((g) => new g.MatmulBenchmark(m, k, n));
  const a = tf.randomUniform([m, k], -1, 1), b = tf.randomUniform([k, n], -1, 1);
  const figures = gflops(2 * m * k * n, [...benches.map((bench) => () => bench.run(1)), () => tf.matMul(a, b).dispose()]);
  benches.forEach((bench) => bench.delete());
  a.dispose(); b.dispose();
  const theirs = figures.at(-1), ours = figures.slice(0, -1);
  console.log(`| ${label} | ${m}x${k}x${n} | ${figures.map((g) => g.toFixed(1)).join(' | ')} | ` +
    `${ours.map((g) => (g / theirs).toFixed(2)).join(' | ')} |`);
}
