// Hand-written types for the Emscripten module built from wasm-bindings/
// (Emscripten 3.1.6 cannot emit them). Keep in step with the EMSCRIPTEN_BINDINGS blocks.

export interface MatmulBenchmark {
  /** Runs C = A B `repetitions` times on the object's own random m x k and k x n data. */
  run(repetitions: number): void;
  /** 2 m k n: floating-point operations in one run. */
  flopsPerRun(): number;
  /** Frees the WASM memory; the object is unusable afterwards. */
  delete(): void;
}

export type SplitPattern = 'none' | 'gpt2' | 'gpt4';
export interface SpecialToken { text: string; id: number }

/** A tokenizer owned by the WASM core (char or byte-level BPE). Call delete() when done. */
export interface Tokenizer {
  kind(): 'char' | 'bpe';
  vocabSize(): number;
  /** Token ids; special tokens written in the text count only with allowSpecial. */
  encode(text: string, allowSpecial: boolean): Int32Array;
  /** Text of the tokens; bytes that are not valid UTF-8 become U+FFFD. */
  decode(ids: Int32Array | number[]): string;
  /** The raw bytes one token stands for. */
  tokenBytes(id: number): Uint8Array;
  specials(): SpecialToken[];
  /** BPE: merges in rank order, flattened [left, right, result, ...]. */
  merges(): Int32Array;
  /** A BPE with learned merges cut to its first k merges (a new tokenizer: delete() it too). */
  withFirstMerges(k: number): Tokenizer;
  split(): SplitPattern;
  /** After trainBpe: why training stopped short of the vocabulary size, or null. */
  stoppedEarly(): string | null;
  /** gptlab's own JSON file. */
  save(): string;
  /** Hugging Face tokenizer.json (BPE only). */
  exportHf(): string;
  delete(): void;
}

export interface TokenizerStatics {
  trainChar(corpus: string, specials: string[]): Tokenizer;
  trainBpe(corpus: string, vocabSize: number, split: SplitPattern, specials: string[],
           onProgress?: ((done: number, total: number) => void) | null): Tokenizer;
  /** OpenAI's tiktoken rank file (e.g. r50k_base.tiktoken) plus special tokens. */
  fromTiktoken(ranks: string, split: SplitPattern, specials: SpecialToken[]): Tokenizer;
  load(json: string): Tokenizer;
  importHf(json: string): Tokenizer;
}

export interface TrainOptions {
  tokenizer?: 'char' | 'bpe' | 'bpe-gpt2' | 'bpe-gpt4';
  vocabSize?: number;
  objective?: 'causal' | 'masked' | 'mntp';
  batchSize?: number;
  evalBatches?: number;
  seed?: number;
  /** Cut the corpus into documents after this separator and pad batches of whole documents. */
  documents?: string;
  /**
   * With documents: hide padded keys from attention (default true). false is a teaching switch
   * that shows what goes wrong: real tokens then attend to the padding (bidirectional models).
   */
  keyMask?: boolean;
  lr?: { max?: number; min?: number; warmup?: number; total?: number; constant?: boolean };
  dropout?: { start?: number; end?: number };
  weightDecay?: number;
  /** Which tensors weight decay applies to: none, all (biases and norms too) or matrices (default: 2-D weights and embeddings). */
  decay?: 'none' | 'all' | 'matrices';
  /** adamw (default) or muon: the blocks' 2-D weights take Muon's orthogonalized momentum at the same lr. */
  optimizer?: 'adamw' | 'muon';
  gradClip?: number;
  /** Rows per forward/backward; a step then runs in parts (stepPart), same result up to rounding. */
  microBatch?: number;
  /**
   * Data-parallel training: micro-batches of a step run at once on this many model replicas
   * (default 1). Only the multi-threaded module (gptlab-mt.js, cross-origin isolated pages)
   * starts threads; elsewhere the trainer runs on one.
   */
  threads?: number;
  model?: {
    /** 0 layers: embeddings straight into the final norm and the LM head (attention() then has no layer). */
    layers?: number; heads?: number; embd?: number; block?: number;
    positions?: 'none' | 'learned' | 'rope'; ffn?: 'none' | 'gelu' | 'swiglu'; norm?: 'none' | 'layernorm' | 'rmsnorm';
    /** false: each half of a block replaces the stream (x = branch(x)) instead of adding to it (default true). */
    residual?: boolean;
    tieWeights?: boolean;
  };
}

export interface EvalResult {
  trainLoss: number; valLoss: number; perplexity: number; bitsPerChar: number;
  /** Masked objectives only (else null). */
  maskedAccuracy: number | null;
  unigramAccuracy: number;
  /** A run that attends to padding (documents, keyMask false) only, else null: valLoss with the
   *  padding hidden from attention, each document read alone as one text is after training. */
  valLossAlone: number | null;
}

/** One parameter tensor (name as in the safetensors export); norms are L2. gradNorm and
 *  updateNorm are of the last optimizer step (gradient after clipping), 0 before the first step.
 *  matrix: 2 or more dimensions (weights, embeddings), else a bias or a norm's gain; decayed: the
 *  decay policy applies weight decay to it; muon: Muon updates it (optimizer muon), not AdamW. */
export interface TensorStats {
  name: string; matrix: boolean; decayed: boolean; muon: boolean; size: number;
  weightNorm: number; gradNorm: number; updateNorm: number;
}

export interface SamplingOptions {
  temperature?: number; topK?: number; topP?: number; seed?: number;
  /** false: every new token runs the whole context (last block-size tokens) through the model
   *  instead of using the KV cache (default true); the same tokens while the text fits the block. */
  cache?: boolean;
}

/** A training run in the WASM core. Call delete() when done. */
export interface Trainer {
  /** Runs n optimizer steps; returns their training losses. */
  step(n: number): Float32Array;
  /** One micro-batch of the current step: the step's loss when that completed it, else null. */
  stepPart(): number | null;
  /** Loss on the fixed evaluation batches of both splits (and accuracy for masked objectives). */
  evaluate(): EvalResult;
  /** One piece of an evaluation (a micro-batch per thread): the result with the last piece, else null. */
  evaluatePart(): EvalResult | null;
  /** Cross-entropy (nats per token) on the validation split of add-one count models fitted on the
   *  training split: unigram, and bigram for a character tokenizer with the causal objective (else null). */
  baselines(): { unigram: number; bigram: number | null };
  stepsDone(): number;
  /** Moves the end of the learning-rate schedule (a run timed by the clock, once its speed is known). */
  setTotalSteps(total: number): void;
  /** Threads the trainer really runs on (1 in the single-thread module; see TrainOptions.threads). */
  threads(): number;
  lr(): number;
  numParameters(): number;
  vocabSize(): number;
  blockSize(): number;
  nLayer(): number;
  nHead(): number;
  /** What the model was trained for (a checkpoint's own objective when resumed). */
  objective(): 'causal' | 'masked' | 'mntp';
  /** The model's logits for a text cut to the block size: logits is T x vocab. A masked model reads
   *  special tokens written in the text, as attention does. */
  logits(text: string): { tokens: string[]; logits: Float32Array };
  /** Attention of one layer's heads on a text: weights is n_head x T x T, row = query. A masked
   *  model reads special tokens written in the text ("<mask>" is one token), as fill does. */
  attention(text: string, layer: number): { tokens: string[]; weights: Float32Array };
  /**
   * Attention of one layer's heads over texts padded with <pad> to the longest (length T), padding
   * hidden from attention unless the run has keyMask false: weights is B x n_head x T x T (row =
   * query), padded is B x T (1 at padding). Throws if the tokenizer has no <pad>.
   */
  attentionBatch(texts: string[], layer: number):
    { tokens: string[][]; padded: Uint8Array; length: number; weights: Float32Array };
  /** Per parameter tensor: weight, last gradient and last update norms, and whether it decays. */
  tensorStats(): TensorStats[];
  /** Continues the prompt; onToken gets each new piece of text (return false to stop). */
  generate(prompt: string, maxTokens: number, sampling: SamplingOptions,
           onToken: ((text: string) => boolean | void) | null): string;
  /** Masked models: the k likeliest tokens for each <mask> in the text. */
  fill(text: string, k: number): { text: string; probability: number }[][];
  /** The text of every token id (special tokens as their names, e.g. "<eos>"): labels for ids. */
  vocabulary(): string[];
  /**
   * Causal models: the next token after the text (its last blockSize tokens; an empty text reads
   * as "\n", as generate does). probabilities is the model's belief over the tokens sampling may
   * write: softmax of the last position's logits with <pad>, <mask> and <bos> at 0, renormalised
   * (what sampling at temperature 1 without topK or topP draws from). sampled is what generate
   * draws from under the options (temperature, then topK, then topP, renormalised; dropped ids
   * exactly 0; temperature 0 all on the likeliest). Both have vocabSize entries. Throws for a
   * masked model.
   */
  nextToken(text: string, sampling: SamplingOptions):
    { tokens: string[]; probabilities: Float32Array; sampled: Float32Array };
  /**
   * Causal models: where the model is surprised in a text cut to the block size (T tokens).
   * losses[t] = -log p(tokens[t + 1] | tokens[..t]) in nats, top[t] the k likeliest next tokens at
   * position t, most likely first; both have T - 1 entries. Their mean is the model's loss on the text.
   */
  surprise(text: string, k: number):
    { tokens: string[]; losses: Float32Array; top: { text: string; probability: number }[][] };
  /**
   * The logit lens at one position of a text cut to the block size (-1: the last): the final norm
   * and the LM head applied to the residual stream there after the embeddings and after each block,
   * as the k likeliest tokens. layers has nLayer + 1 entries labelled "embeddings", "after block 1",
   * ...; the last is the model's own prediction.
   */
  logitLens(text: string, position: number, k: number):
    { tokens: string[]; layers: { label: string; top: { text: string; probability: number }[] }[] };
  /**
   * An embedding table on its top two principal components: 'tokens' (vocabSize rows, texts as
   * vocabulary()) or 'positions' (blockSize rows, texts "0", "1", ...; throws unless the model has
   * learned positions). x, y: each row's coordinates (the sign of each axis is fixed by its
   * direction's largest entry being positive); explained: each axis' share of the total variance.
   */
  embeddingProjection(table: 'tokens' | 'positions'):
    { texts: string[]; x: Float32Array; y: Float32Array; explained: [number, number] };
  saveCheckpoint(): Uint8Array;
  exportSafetensors(): Uint8Array;
  /** Hugging Face tokenizer.json for BPE, gptlab's tokenizer file for characters. */
  exportTokenizer(): string;
  delete(): void;
}

/** A run timed by the clock (core/train/run_clock.h): its length from the speed it measures. */
export interface RunClock {
  /** After `step`, at `seconds` of training: the run's new length when an estimate is due, else null. */
  stepsAt(step: number, seconds: number): number | null;
  delete(): void;
}

export interface TrainerStatics {
  create(corpus: string, options: TrainOptions): Trainer;
  resume(corpus: string, options: TrainOptions, checkpoint: Uint8Array): Trainer;
}

export interface GptlabModule {
  /** The module's memory as bytes (its length is the memory's current size). */
  HEAP8: Int8Array;
  Trainer: TrainerStatics;
  /** The chunks a split pattern cuts a text into (before BPE). */
  splitText(text: string, pattern: SplitPattern): string[];
  Tokenizer: TokenizerStatics;
  /** RoPE's tables from the core: entry (t, i) of cos/sin (positions x headDim/2) is pair i at position t. */
  ropeTables(positions: number, headDim: number, base: number): { cos: Float32Array; sin: Float32Array };
  /** SIMD instruction set the kernels were written for ("sse4.1" is translated to WASM SIMD128). */
  simdName(): string;
  /** The matmul micro-kernel that runs: "wasm simd128", or "wasm simd128 + relaxed madd" where the engine has relaxed SIMD. */
  kernelName(): string;
  /** C = op(A) op(B) for row-major arrays; op is "ab", "abt" (A B^T) or "atb" (A^T B). Throws Error on bad shapes. */
  matmul(a: Float32Array | number[], aRows: number, aCols: number,
         b: Float32Array | number[], bRows: number, bCols: number, op: 'ab' | 'abt' | 'atb'): Float32Array;
  MatmulBenchmark: new (m: number, k: number, n: number) => MatmulBenchmark;
  RunClock: new (budgetSeconds: number, evalInterval: number, warmup: number) => RunClock;
}

export interface GptlabModuleOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
  /** gptlab-mt.js only: the URL its helper workers import the module from. */
  mainScriptUrlOrBlob?: string;
  /** false: matmul keeps its SIMD128 kernel even where relaxed SIMD's fused multiply-add exists. */
  relaxedSimd?: boolean;
}

declare const createGptlab: (options?: GptlabModuleOptions) => Promise<GptlabModule>;
export default createGptlab;
