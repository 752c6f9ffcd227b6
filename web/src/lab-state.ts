// The lab's whole state in one typed object: the text, the tokenizer settings, the model
// and optimizer settings, the current view. A share link carries exactly this (share.ts);
// trained weights and uploaded corpora do not travel in links.

export const VIEWS = ['tokenizer', 'train', 'attention'] as const;
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
  tokenizer: 'char' | 'bpe' | 'bpe-gpt2' | 'bpe-gpt4';
  vocabSize: number;
  objective: 'causal' | 'masked' | 'mntp';
  layers: number; heads: number; embd: number; block: number;
  dropout: number;
  positions: 'rope' | 'learned';
  ffn: 'gelu' | 'swiglu';
  lr: number; warmup: number; steps: number; cosine: boolean;
  weightDecay: number; clip: number;
  batch: number;
  seed: number;
}

export interface AttentionState {
  text: string;
  layer: number;
  head: number;  // -1: every head of every layer (the model view)
}

export interface LabState {
  view: View;
  tokenizer: TokenizerState;
  train: TrainSettings;
  attention: AttentionState;
}

export const MIN_BPE_VOCAB = 256 + 5;
export const MAX_TEXT = 100_000;  // characters of text a state may carry

export function defaultState(): LabState {
  return {
    view: 'tokenizer',
    tokenizer: { kind: 'bpe-gpt2', vocabSize: 1024, corpus: 'austen', whitespace: false, merges: null,
      text: 'It is a truth universally acknowledged, that a single man in possession of a good fortune, must be in want of a wife.' },
    train: { corpus: 'austen', tokenizer: 'char', vocabSize: 512, objective: 'causal', layers: 3, heads: 4, embd: 96, block: 64,
      dropout: 0, positions: 'rope', ffn: 'gelu', lr: 2e-3, warmup: 50, steps: 2500, cosine: true, weightDecay: 0.1, clip: 1,
      batch: 16, seed: 1337 },
    attention: { text: 'It is a truth universally acknowledged', layer: 0, head: -1 },
  };
}

// What each field may hold. A state from a link is checked against this before use.
type Rule =
  | { enum: readonly string[] }
  | { int: [number, number]; nullable?: boolean }
  | { num: [number, number] }
  | { bool: true }
  | { text: number };

const RULES: { [K in keyof LabState]: LabState[K] extends object ? Record<string, Rule> : Rule } = {
  view: { enum: VIEWS },
  tokenizer: {
    kind: { enum: TOKENIZER_KINDS }, vocabSize: { int: [MIN_BPE_VOCAB, 8192] }, corpus: { enum: ['austen', 'text'] },
    text: { text: MAX_TEXT }, whitespace: { bool: true }, merges: { int: [0, 8192], nullable: true },
  },
  train: {
    corpus: { enum: ['austen', 'upload'] }, tokenizer: { enum: ['char', 'bpe', 'bpe-gpt2', 'bpe-gpt4'] },
    vocabSize: { int: [MIN_BPE_VOCAB, 8192] }, objective: { enum: ['causal', 'masked', 'mntp'] },
    layers: { int: [1, 12] }, heads: { int: [1, 16] }, embd: { int: [8, 512] }, block: { int: [8, 512] },
    dropout: { num: [0, 0.9] }, positions: { enum: ['rope', 'learned'] }, ffn: { enum: ['gelu', 'swiglu'] },
    lr: { num: [1e-6, 1] }, warmup: { int: [0, 100_000] }, steps: { int: [1, 1_000_000] }, cosine: { bool: true },
    weightDecay: { num: [0, 1] }, clip: { num: [0, 100] }, batch: { int: [1, 512] }, seed: { int: [0, 2 ** 31 - 1] },
  },
  attention: { text: { text: 1000 }, layer: { int: [0, 11] }, head: { int: [-1, 15] } },
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
    if ('enum' in rule) {
      state[key] = check(key, raw[key], rule as Rule);
      continue;
    }
    const part = raw[key];
    if (!isObject(part)) throw new StateError(`${key} must be a group of settings.`);
    const target = state[key] as Record<string, unknown>;
    for (const [field, fieldRule] of Object.entries(rule as Record<string, Rule>))
      if (field in part) target[field] = check(`${key}.${field}`, part[field], fieldRule);
  }
  return state as unknown as LabState;
}
