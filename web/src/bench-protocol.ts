// Messages between the engine page and the benchmark worker: To<Worker> / From<Worker>, as the
// training (train-protocol.ts) and tokenizer (tokenizer-protocol.ts) workers name theirs.
import type { BenchShape, BenchTiming } from './matmul-bench';

export type ToBench = { type: 'run' } & BenchTiming;

export type FromBench =
  | { type: 'ready'; simd: string; kernel: string }
  | { type: 'result'; shape: BenchShape; gflops: number }
  | { type: 'done' }
  | { type: 'error'; message: string };
