// WASM matmul benchmark under node: gptlab's SIMD128 kernels against
// @tensorflow/tfjs-backend-wasm (XNNPACK) in the same process, same shapes.
// GFLOP/s = 2 m k n / seconds, best of 5 timed batches of >= 0.2 s each.
//
//   node bench/wasm-node.mjs            (after the WASM build: npm run build)
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

function gflops(flops, fn) {
  fn();
  let best = 0;
  for (let b = 0; b < batches; b++) {
    let reps = 0;
    const start = performance.now();
    let seconds;
    do {
      fn();
      reps++;
      seconds = (performance.now() - start) / 1000;
    } while (seconds < batchSeconds);
    best = Math.max(best, (flops * reps) / seconds / 1e9);
  }
  return best;
}

const gptlab = await loadGptlab();
const wasmDir = fileURLToPath(new URL('../node_modules/@tensorflow/tfjs-backend-wasm/dist/', import.meta.url));
setWasmPaths(wasmDir);
await tf.setBackend('wasm');
await tf.ready();
const threads = await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT');
const simd = await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT');

console.log(`node ${process.version}; gptlab kernels: ${gptlab.simdName()} -> WASM SIMD128; ` +
  `tfjs-backend-wasm ${tf.version_core} (simd: ${simd}, threads: ${threads})\n`);
console.log('| shape | m x k x n | gptlab GFLOP/s | tfjs-wasm GFLOP/s | gptlab / tfjs |');
console.log('|---|---|---:|---:|---:|');
for (const [label, m, k, n] of SHAPES) {
  const flops = 2 * m * k * n;
  const bench = new gptlab.MatmulBenchmark(m, k, n);
  const ours = gflops(flops, () => bench.run(1));
  bench.delete();
  const a = tf.randomUniform([m, k], -1, 1), b = tf.randomUniform([k, n], -1, 1);
  const theirs = gflops(flops, () => tf.matMul(a, b).dispose());
  a.dispose(); b.dispose();
  console.log(`| ${label} | ${m}x${k}x${n} | ${ours.toFixed(1)} | ${theirs.toFixed(1)} | ${(ours / theirs).toFixed(2)} |`);
}
