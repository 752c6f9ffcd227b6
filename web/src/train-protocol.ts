// Messages between the page and the training worker: one module, both sides.
import type { EvalResult, SamplingOptions, TensorStats, TrainOptions } from './gptlab-module';

/** Questions the panels of "Inside the model" ask about the model as it is, and their answers. */
export type Question =
  | { kind: 'next-token'; text: string; sampling: SamplingOptions }
  /** One token sampled after the text with the settings (the seed in sampling). */
  | { kind: 'sample'; text: string; sampling: SamplingOptions }
  /** passage null: a fixed passage of the validation text. */
  | { kind: 'surprise'; passage: string | null; top: number }
  | { kind: 'logit-lens'; text: string; position: number; top: number }
  | { kind: 'embeddings'; table: 'tokens' | 'positions' }
  /** Attention of one layer over texts padded to the longest with <pad>. */
  | { kind: 'padded-attention'; texts: string[]; layer: number }
  | { kind: 'tensors' };

export interface Guess { text: string; probability: number }
export type Answer =
  | { kind: 'next-token'; tokens: string[]; vocabulary: string[]; probabilities: Float32Array; sampled: Float32Array }
  | { kind: 'sample'; piece: string }
  | { kind: 'surprise'; tokens: string[]; losses: Float32Array; top: Guess[][] }
  | { kind: 'logit-lens'; tokens: string[]; position: number; layers: { label: string; top: Guess[] }[] }
  | { kind: 'embeddings'; texts: string[]; x: Float32Array; y: Float32Array; explained: [number, number] }
  | { kind: 'padded-attention'; tokens: string[][]; padded: Uint8Array; length: number; heads: number; weights: Float32Array }
  | { kind: 'tensors'; stats: TensorStats[] };

export type TrainState = 'idle' | 'loading' | 'training' | 'paused' | 'stopped' | 'done';

/** The corpus to train on: a URL (the built-in novel) or a text the user gave. */
export type CorpusSource = { url: string } | { text: string };

export type ToTrainer =
  | { type: 'start'; options: TrainOptions; steps: number; corpus: CorpusSource; evalEvery: number; sampleEvery: number;
      /** Train for this many seconds: `steps` is then a first guess, replaced once the speed is measured. */
      seconds?: number;
      /** Train on only the first this many characters of the corpus (0: all of it). */
      corpusChars?: number;
      /** Continue from this checkpoint (its weights, optimizer state, step and tokenizer) instead of a new model. */
      checkpoint?: Uint8Array;
      /** Load the model and show it, but train only on 'resume' (a saved or uploaded model). */
      paused?: boolean }
  | { type: 'pause' }
  | { type: 'resume' }
  | { type: 'stop' }
  /** Asks for the current checkpoint (answered with a 'checkpoint' message). */
  | { type: 'checkpoint' }
  /** Attention of every head of every layer on a text, for the attention view. */
  | { type: 'inspect'; seq: number; text: string }
  /** Masked models: the likeliest tokens for each <mask> in the text. */
  | { type: 'fill'; seq: number; text: string; top: number }
  /** A panel's question about the model as it is (answered with an 'answer' carrying the same seq). */
  | { type: 'ask'; seq: number; question: Question }
  /** Times sampling `tokens` tokens from the model as it is, with and without the KV cache. */
  | { type: 'sampling-speed'; seq: number; tokens: number };

export type FromTrainer =
  | { type: 'state'; state: TrainState; detail?: string }
  /** A run began (or resumed): what the model is. */
  | { type: 'started'; step: number; steps: number; parameters: number; vocabSize: number; layers: number; heads: number;
      blockSize: number; objective: 'causal' | 'masked' | 'mntp';
      /** Validation loss (nats per token) of count models fitted on the training text; bigram: character models only. */
      baselines: { unigram: number; bigram: number | null } }
  /** Speed and time left over the last steps (null until there are a few). */
  /** The steps since the last progress, each [step, training loss, learning rate]; step is the last. */
  | { type: 'progress'; step: number; steps: number; points: [number, number, number][]; tokensPerSecond: number | null;
      etaSeconds: number | null;
      /** The WebAssembly memory the core has taken (it grows, never shrinks). */
      wasmBytes: number;
      /** Threads training runs on (data-parallel; 1 without cross-origin isolation). */
      threads: number }
  | ({ type: 'eval'; step: number } & EvalResult)
  /** Every parameter tensor's norms after the step of an evaluation. */
  | { type: 'tensors'; step: number; stats: TensorStats[] }
  /** A sample as it is generated: text so far; done on the last piece. */
  | { type: 'sample'; step: number; text: string; done: boolean }
  /** A masked model's guesses for the blanks of a fixed sentence: candidates[i] for the i-th <mask>. */
  | { type: 'fill-demo'; step: number; text: string; candidates: { text: string; probability: number }[][] }
  /** Attention of every head of one layer on a fixed text: weights is heads x T x T (row = query). */
  | { type: 'attention'; step: number; layer: number; heads: number; tokens: string[]; weights: Float32Array }
  /** Every layer's attention on the text of an 'inspect' request: weights[layer] is heads x T x T. */
  | { type: 'inspected'; seq: number; step: number; tokens: string[]; heads: number; weights: Float32Array[] }
  | { type: 'filled'; seq: number; text: string; candidates: { text: string; probability: number }[][] }
  | { type: 'checkpoint'; step: number; bytes: Uint8Array }
  | { type: 'answer'; seq: number; step: number; answer: Answer }
  /** Tokens per second sampled with and without the KV cache; blockSize: the most positions a token re-reads without it. */
  | { type: 'sampling-speed'; seq: number; tokens: number; cached: number; uncached: number; blockSize: number }
  /** crashed: the worker itself died (the page starts a new one with the next message). */
  | { type: 'error'; message: string; seq?: number; crashed?: boolean };
