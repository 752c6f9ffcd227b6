// Messages between the page and the training worker: one module, both sides.
import type { EvalResult, TrainOptions } from './gptlab-module';

export type TrainState = 'idle' | 'loading' | 'training' | 'paused' | 'stopped' | 'done';

export type ToTrainer =
  | { type: 'start'; options: TrainOptions; steps: number; corpusUrl: string; evalEvery: number; sampleEvery: number }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Asks for an attention snapshot and a sample now (answered between two parts of a step). */
  | { type: 'snapshot' };

export type FromTrainer =
  | { type: 'state'; state: TrainState; detail?: string }
  | { type: 'progress'; step: number; steps: number; loss: number; lr: number; tokensPerSecond: number; etaSeconds: number;
      /** Threads training runs on (data-parallel; 1 without cross-origin isolation). */
      threads: number }
  | ({ type: 'eval'; step: number } & EvalResult)
  | { type: 'sample'; step: number; text: string }
  /** Attention of every head of one layer on a fixed text: weights is heads x T x T (row = query). */
  | { type: 'attention'; step: number; layer: number; heads: number; tokens: string[]; weights: Float32Array }
  | { type: 'error'; message: string };
