// The matmul benchmark the start page runs in a worker: GFLOP/s of C = A B for
// the square sizes and the shapes a 128-wide model multiplies.
import type { GptlabModule } from './gptlab-module';

export interface BenchShape { label: string; m: number; k: number; n: number }

export const BENCH_SHAPES: BenchShape[] = [
  { label: 'square 64', m: 64, k: 64, n: 64 },
  { label: 'square 128', m: 128, k: 128, n: 128 },
  { label: 'square 256', m: 256, k: 256, n: 256 },
  { label: 'square 512', m: 512, k: 512, n: 512 },
  { label: 'qkv projection X W', m: 2048, k: 128, n: 384 },
  { label: 'mlp up X W', m: 2048, k: 128, n: 512 },
  { label: 'mlp down X W', m: 2048, k: 512, n: 128 },
];

export interface BenchTiming { batchSeconds: number; batches: number }

// V8 first runs WASM through its baseline compiler and swaps in optimized code
// once a function is hot; run the kernel for a moment so figures measure the
// optimized code (without this, the first small shapes read 2-3x too low).
export function warmUp(core: GptlabModule, seconds = 0.3) {
  const bench = new core.MatmulBenchmark(128, 128, 128);
  const start = performance.now();
  while ((performance.now() - start) / 1000 < seconds) bench.run(1);
  bench.delete();
}

// Best rate over `batches` timed batches, each repeating the product for at least batchSeconds.
export function measureGflops(core: GptlabModule, s: BenchShape, t: BenchTiming): number {
  const bench = new core.MatmulBenchmark(s.m, s.k, s.n);
  try {
    bench.run(1); // warm-up: caches and the packing workspace
    let best = 0;
    for (let b = 0; b < t.batches; b++) {
      let reps = 0;
      const start = performance.now();
      let seconds = 0;
      do {
        bench.run(1);
        reps++;
        seconds = (performance.now() - start) / 1000;
      } while (seconds < t.batchSeconds);
      best = Math.max(best, (bench.flopsPerRun() * reps) / seconds / 1e9);
    }
    return best;
  } finally {
    bench.delete();
  }
}
