// Messages between the start page and the benchmark worker.
import type { BenchShape, BenchTiming } from './matmul-bench';

export type ToWorker = { type: 'run' } & BenchTiming;

export type FromWorker =
  | { type: 'ready'; simd: string }
  | { type: 'result'; shape: BenchShape; gflops: number }
  | { type: 'done' }
  | { type: 'error'; message: string };
