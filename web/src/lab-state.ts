// The lab's whole state in one typed object: the text, the tokenizer settings, the model
// and optimizer settings, the current view. A share link carries exactly this (share.ts);
// trained weights and uploaded corpora do not travel in links.

export const VIEWS = ['lessons', 'tokenizer', 'train', 'attention', 'runs'] as const;
export type View = (typeof VIEWS)[number];

export const TOKENIZER_KINDS = ['char', 'bpe', 'bpe-gpt2', 'bpe-gpt4', 'gpt2'] as const;
export type TokenizerKind = (typeof TOKENIZER_KINDS)[number];  // gpt2: OpenAI's pretrained GPT-2 vocabulary

export interface TokenizerState {
  kind: TokenizerKind;
  vocabSize: number;              // trained BPE: 256 bytes + 5 special tokens + merges
  corpus: 'austen' | 'text';      // what a tokenizer is trained on: the built-in novel or the text itself
  text: string;
  whitespace: boolean;            // show spaces, tabs and newlines as visible marks
  merges: number | null;          // the merge stepper's position (null: all merges)
}

export interface TrainSettings {
  corpus: 'austen' | 'upload';    // an uploaded or pasted corpus stays in this browser
  corpusChars: number;            // train on only the first this many characters of it (0: all of it)
  tokenizer: 'char' | 'bpe' | 'bpe-gpt2' | 'bpe-gpt4';
  vocabSize: number;
  objective: 'causal' | 'masked' | 'mntp';
  layers: number;                 // 0: no blocks, the token embedding straight into the head (a bigram model)
  heads: number; embd: number; block: number;
  dropout: number;
  positions: 'none' | 'rope' | 'learned';
  ffn: 'none' | 'gelu' | 'swiglu';
  norm: 'none' | 'layernorm' | 'rmsnorm';
  residual: boolean;              // off: each block's halves replace the stream instead of adding to it
  lr: number; minLr: number; warmup: number; steps: number; cosine: boolean;
  minutes: number;                // train for this long, steps chosen from the measured speed (0: for `steps` steps)
  weightDecay: number;
  decay: 'none' | 'all' | 'matrices';  // which tensors AdamW decays: matrices = 2-D and up (nanoGPT)
  optimizer: 'adamw' | 'muon';    // muon: the blocks' weight matrices take Muon's step, the rest AdamW's
  clip: number;
  batch: number;
  seed: number;
  evalInterval: number;           // steps between evaluations (and samples)
  evalBatches: number;            // validation batches per evaluation
  documents: boolean;             // batches of whole paragraphs padded with <pad>, instead of windows of the text
  keyMask: boolean;               // with documents: hide padded keys from attention (off only to show what goes wrong)
}

export interface AttentionState {
  text: string;
  layer: number;
  head: number;  // -1: every head of every layer (the model view)
  lines: boolean;  // one head drawn as lines between two columns of tokens (BertViz), not a heatmap
}

/** The panels of "Inside the model"; each can be embedded by itself (embed=<panel>). */
export const PANELS = ['attention', 'next-token', 'surprise', 'embeddings', 'logit-lens', 'weights'] as const;
export type Panel = (typeof PANELS)[number];

export interface InsideState {
  panel: Panel;
  temperature: number; topK: number; topP: number;  // the next-token panel's sampling settings
  position: number;                                  // the logit lens' position in the text (-1: the last)
  table: 'tokens' | 'positions';                     // the embeddings panel's table
}

/** A run a link carries to compare: its settings and recorded curves, never weights or the user's own text. */
export interface SharedRun {
  id: string;                    // the run's id in the browser that shared it
  name: string;
  settings: TrainSettings;
  corpus: 'austen' | 'private';  // private: the user's own text, which stayed in their browser
  train: [number, number][];     // [step, training loss], about 200 points
  val: [number, number][];       // [step, validation loss]
  seconds: [number, number][];   // [step, wall-clock seconds of training]
  bitsPerNat: number | null;     // bits per character for one nat per token
  /** Masked models: how often the top guess for a masked token was right, and for always the commonest token. */
  masked: { accuracy: number; unigram: number } | null;
}

export interface LabState {
  view: View;
  tokenizer: TokenizerState;
  train: TrainSettings;
  attention: AttentionState;
  inside: InsideState;
  compare: SharedRun[];          // the runs on the comparison chart
  runs: RunsViewState;
  lesson: number;                // the chapter open in the Lessons view (1-based)
}

export interface RunsViewState {
  x: 'step' | 'tokens' | 'seconds';  // what the comparison's x axis counts
  logX: boolean;
  trainToo: boolean;                  // training loss as well as validation loss
}

export const MIN_BPE_VOCAB = 256 + 5;
export const MAX_TEXT = 100_000;  // characters of text a state may carry

export function defaultState(): LabState {
  return {
    view: 'lessons',  // the front door: the journey, chapter 1
    tokenizer: { kind: 'bpe-gpt2', vocabSize: 1024, corpus: 'austen', whitespace: false, merges: null,
      text: 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.' },
    // The 5-minute recipe (BENCHMARKS.md): a small model, Muon for its matrices (more out of each step
    // than AdamW), batches of 32 (the two threads of the browser kept busier than by 16); steps is
    // the first guess a timed run replaces once it knows its speed.
    train: { corpus: 'austen', corpusChars: 0, tokenizer: 'char', vocabSize: 512, objective: 'causal', layers: 2, heads: 4, embd: 96, block: 64,
      dropout: 0, positions: 'rope', ffn: 'gelu', norm: 'layernorm', residual: true, lr: 1e-2, minLr: 0, warmup: 50,
      steps: 2500, minutes: 5, cosine: true, weightDecay: 0.3, decay: 'matrices', optimizer: 'muon', clip: 1, batch: 32, seed: 1337, evalInterval: 100,
      evalBatches: 8, documents: false, keyMask: true },
    attention: { text: 'It is a truth universally acknowledged', layer: 0, head: -1, lines: false },
    inside: { panel: 'attention', temperature: 1, topK: 0, topP: 1, position: -1, table: 'tokens' },
    compare: [],
    runs: { x: 'step', logX: false, trainToo: false },
    lesson: 1,
  };
}

/** Settings kept from before some fields existed (a run, a queue item, a shared run): those take their
 *  defaults, except that a run from before timed runs trained for its steps, and one from before the
 *  optimizer choice used AdamW. */
export const keptSettings = (kept: Partial<TrainSettings>): TrainSettings =>
  ({ ...defaultState().train, minutes: 0, optimizer: 'adamw', ...kept });

export const MAX_SHARED_RUNS = 8;
export const LESSONS = 8;  // chapters in the Lessons view
export const MAX_SHARED_POINTS = 400;  // per curve

// What each field may hold. A state from a link is checked against this before use.
type Rule =
  | { enum: readonly string[] }
  | { int: [number, number]; nullable?: boolean }
  | { num: [number, number] }
  | { bool: true }
  | { text: number };

const RULES: { [K in Exclude<keyof LabState, 'compare'>]: LabState[K] extends object ? Record<string, Rule> : Rule } = {
  view: { enum: VIEWS },
  tokenizer: {
    kind: { enum: TOKENIZER_KINDS }, vocabSize: { int: [MIN_BPE_VOCAB, 8192] }, corpus: { enum: ['austen', 'text'] },
    text: { text: MAX_TEXT }, whitespace: { bool: true }, merges: { int: [0, 8192], nullable: true },
  },
  train: {
    corpus: { enum: ['austen', 'upload'] }, corpusChars: { int: [0, 100_000_000] }, tokenizer: { enum: ['char', 'bpe', 'bpe-gpt2', 'bpe-gpt4'] },
    vocabSize: { int: [MIN_BPE_VOCAB, 8192] }, objective: { enum: ['causal', 'masked', 'mntp'] },
    layers: { int: [0, 12] }, heads: { int: [1, 16] }, embd: { int: [8, 512] }, block: { int: [8, 512] },
    dropout: { num: [0, 0.9] }, positions: { enum: ['none', 'rope', 'learned'] }, ffn: { enum: ['none', 'gelu', 'swiglu'] },
    norm: { enum: ['none', 'layernorm', 'rmsnorm'] }, residual: { bool: true },
    lr: { num: [1e-6, 1] }, minLr: { num: [0, 1] }, warmup: { int: [0, 100_000] }, steps: { int: [1, 1_000_000] },
    minutes: { int: [0, 600] },
    cosine: { bool: true }, documents: { bool: true }, keyMask: { bool: true }, weightDecay: { num: [0, 1] }, decay: { enum: ['none', 'all', 'matrices'] },
    optimizer: { enum: ['adamw', 'muon'] },
    clip: { num: [0, 100] }, batch: { int: [1, 512] }, seed: { int: [0, 2 ** 31 - 1] },
    evalInterval: { int: [1, 100_000] }, evalBatches: { int: [1, 200] },
  },
  attention: { text: { text: 1000 }, layer: { int: [0, 11] }, head: { int: [-1, 15] }, lines: { bool: true } },
  inside: { panel: { enum: PANELS }, temperature: { num: [0, 5] }, topK: { int: [0, 100_000] }, topP: { num: [0.01, 1] },
    position: { int: [-1, 511] }, table: { enum: ['tokens', 'positions'] } },
  runs: { x: { enum: ['step', 'tokens', 'seconds'] }, logX: { bool: true }, trainToo: { bool: true } },
  lesson: { int: [1, LESSONS] },
};

export class StateError extends Error {}

function check(path: string, value: unknown, rule: Rule): unknown {
  const fail = (what: string) => { throw new StateError(`${path} ${what}.`); };
  if ('enum' in rule) {
    if (typeof value !== 'string' || !rule.enum.includes(value)) fail(`must be one of ${rule.enum.join(', ')}`);
  } else if ('int' in rule) {
    if (value === null && rule.nullable) return null;
    const [lo, hi] = rule.int;
    if (!Number.isInteger(value) || (value as number) < lo || (value as number) > hi) fail(`must be a whole number from ${lo} to ${hi}`);
  } else if ('num' in rule) {
    const [lo, hi] = rule.num;
    if (typeof value !== 'number' || !(value >= lo && value <= hi)) fail(`must be a number from ${lo} to ${hi}`);
  } else if ('bool' in rule) {
    if (typeof value !== 'boolean') fail('must be true or false');
  } else if (typeof value !== 'string' || value.length > rule.text) fail(`must be a text of at most ${rule.text} characters`);
  return value;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

// A state from untrusted data: missing fields take their defaults (links from older
// versions keep working), unknown fields are ignored, a wrong value throws a StateError
// that names the field.
export function parseState(raw: unknown): LabState {
  if (!isObject(raw)) throw new StateError('The link does not hold a lab state.');
  const state = defaultState() as unknown as Record<string, unknown>;
  for (const [key, rule] of Object.entries(RULES)) {
    if (!(key in raw)) continue;
    if ('enum' in rule || 'int' in rule) {
      state[key] = check(key, raw[key], rule as Rule);
      continue;
    }
    group(key, raw[key], rule as Record<string, Rule>, state[key] as Record<string, unknown>);
  }
  if ('compare' in raw) state.compare = parseShared(raw.compare);
  // A link from before the optimizer choice trained with AdamW; it opens as it did.
  if (isObject(raw.train) && !('optimizer' in raw.train)) (state.train as TrainSettings).optimizer = 'adamw';
  return state as unknown as LabState;
}

// Checks the fields of a group of settings into target (missing ones keep their defaults).
function group(path: string, part: unknown, rules: Record<string, Rule>, target: Record<string, unknown>) {
  if (!isObject(part)) throw new StateError(`${path} must be a group of settings.`);
  for (const [field, fieldRule] of Object.entries(rules))
    if (field in part) target[field] = check(`${path}.${field}`, part[field], fieldRule);
}

function parseShared(raw: unknown): SharedRun[] {
  if (!Array.isArray(raw) || raw.length > MAX_SHARED_RUNS)
    throw new StateError(`compare must be a list of at most ${MAX_SHARED_RUNS} runs`);
  return raw.map((run: unknown, i) => {
    const path = `compare[${i}]`;
    if (!isObject(run)) throw new StateError(`${path} must be a run.`);
    const settings = keptSettings({});
    group(`${path}.settings`, run.settings, RULES.train, settings as unknown as Record<string, unknown>);
    const curve = (name: string): [number, number][] => {
      const points = run[name];
      if (!Array.isArray(points) || points.length > MAX_SHARED_POINTS)
        throw new StateError(`${path}.${name} must be a list of at most ${MAX_SHARED_POINTS} points`);
      for (const p of points)
        if (!Array.isArray(p) || p.length !== 2 || !Number.isInteger(p[0]) || p[0] < 0 || typeof p[1] !== 'number' ||
          !Number.isFinite(p[1]))
          throw new StateError(`${path}.${name} must hold [step, value] pairs of numbers`);
      return points as [number, number][];
    };
    const bitsPerNat = run.bitsPerNat ?? null;
    if (bitsPerNat !== null && (typeof bitsPerNat !== 'number' || !(bitsPerNat > 0 && bitsPerNat < 100)))
      throw new StateError(`${path}.bitsPerNat must be a positive number`);
    const masked = run.masked ?? null;
    if (masked !== null && (!isObject(masked) || ![masked.accuracy, masked.unigram].every((v) => typeof v === 'number' && v >= 0 && v <= 1)))
      throw new StateError(`${path}.masked must hold two accuracies between 0 and 1`);
    return {
      id: check(`${path}.id`, run.id ?? '', { text: 100 }) as string,
      name: check(`${path}.name`, run.name ?? '', { text: 100 }) as string,
      settings,
      corpus: check(`${path}.corpus`, run.corpus ?? 'austen', { enum: ['austen', 'private'] }) as SharedRun['corpus'],
      train: curve('train'), val: curve('val'), seconds: curve('seconds'), bitsPerNat,
      masked: masked && { accuracy: masked.accuracy as number, unigram: masked.unigram as number },
    };
  });
}
