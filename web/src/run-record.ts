// A training run as the lab keeps it: its settings, the corpus it read (by reference), its
// curves, its final figures and a sample. Pure functions over runs live here (thinning the
// curves, naming what differs between runs, choosing which checkpoints to drop); the
// IndexedDB store is run-store.ts.
import { defaultState, type TrainSettings } from './lab-state';
import type { TensorStats } from './gptlab-module';

/** [step, value] */
export type Point = [number, number];

export interface Curves {
  train: Point[];    // training loss (nats per token)
  val: Point[];      // validation loss
  lr: Point[];       // learning rate
  speed: Point[];    // tokens per second over the last steps
  seconds: Point[];  // wall-clock seconds of training so far
}

export interface Metrics {
  valLoss: number;
  bitsPerChar: number;
  /** Masked models: how often the top guess for a masked token is right, and the same for always guessing the commonest token. */
  maskedAccuracy: number | null;
  unigramAccuracy: number | null;
  /** A run that attends to padding: the validation loss with each document read alone (padding hidden). */
  valLossAlone?: number | null;
}

/** The built-in novel, or a text of the user's own (which never leaves the browser): known by its hash and size. */
export type CorpusRef = { kind: 'austen' } | { kind: 'private'; name: string; chars: number; hash: string };

/** One parameter tensor's sizes over training: L2 norms at each evaluation, of the weights, of the last
 * gradient and of the last update. matrix: 2-D or more (weights, embeddings), else a bias or a norm's gain.
 * muon: Muon updates it, not AdamW (absent in runs kept from before the optimizer choice: AdamW). */
export interface TensorCurve {
  name: string; size: number; matrix: boolean; decayed: boolean; muon?: boolean; weight: Point[]; grad: Point[]; update: Point[];
}

export type RunState = 'training' | 'paused' | 'stopped' | 'done';

export interface RunRecord {
  id: string;
  name: string;
  createdAt: number;  // ms since the epoch
  savedAt: number;
  settings: TrainSettings;
  corpus: CorpusRef;
  step: number;   // the step its kept checkpoint reaches: where resuming goes on from
  steps: number;
  state: RunState;
  curves: Curves;
  metrics: Metrics | null;  // the last evaluation
  sample: string | null;
  checkpointBytes: number;  // 0: no checkpoint kept (dropped for space, or none yet)
  tensors?: TensorCurve[];  // runs kept before the lab measured them have none
}

export const emptyCurves = (): Curves => ({ train: [], val: [], lr: [], speed: [], seconds: [] });

export const MAX_POINTS = 2000;

/** Keeps a curve at most `max` points long: past it, every other point goes (the last always stays). */
export function thin(points: Point[], max = MAX_POINTS): Point[] {
  if (points.length <= max) return points;
  const kept = points.filter((_, i) => i % 2 === 0);
  if (kept.at(-1) !== points.at(-1)) kept.push(points.at(-1)!);
  return thin(kept, max);
}

/** Appends a point and keeps the curve within MAX_POINTS. */
export function extend(points: Point[], point: Point): Point[] {
  points.push(point);
  return points.length > MAX_POINTS ? thin(points) : points;
}

/** At most `count` points spread evenly over the curve, first and last included (for links). */
export function sample(points: Point[], count: number): Point[] {
  if (points.length <= count) return points;
  return Array.from({ length: count }, (_, i) => points[Math.round((i * (points.length - 1)) / (count - 1))]);
}

// The settings a person compares runs by, in the order they are named, with their names.
const NAMES: [keyof TrainSettings, string][] = [
  ['tokenizer', 'tokenizer'], ['vocabSize', 'vocab'], ['objective', 'objective'], ['layers', 'layers'],
  ['heads', 'heads'], ['embd', 'n_embd'], ['block', 'block'], ['positions', 'positions'], ['ffn', 'ffn'],
  ['norm', 'norm'], ['residual', 'residual'], ['dropout', 'dropout'], ['lr', 'lr'], ['minLr', 'min lr'],
  ['warmup', 'warmup'], ['cosine', 'cosine'], ['steps', 'steps'], ['minutes', 'minutes'], ['weightDecay', 'weight decay'],
  ['decay', 'decay'], ['optimizer', 'optimizer'], ['clip', 'clip'], ['batch', 'batch'], ['seed', 'seed'], ['documents', 'paragraphs padded'],
  ['keyMask', 'key mask'],
];

function shown(key: keyof TrainSettings, settings: TrainSettings): string {
  const v = settings[key] ?? defaultState().train[key];  // runs kept before a setting existed had its default
  if (key === 'vocabSize' && settings.tokenizer === 'char') return 'characters';
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  return String(v);
}

/**
 * What tells the runs apart: for each run, the settings whose values are not the same in
 * every run (e.g. "positions learned"), or its name when the settings are all equal.
 */
export function differences(runs: { name: string; settings: TrainSettings; corpus: CorpusRef }[]): string[] {
  const differing = NAMES.filter(([key]) => new Set(runs.map((r) => shown(key, r.settings))).size > 1);
  const corpora = new Set(runs.map((r) => corpusName(r.corpus))).size > 1;
  return runs.map((r) => {
    const parts = differing.map(([key, name]) => `${name} ${shown(key, r.settings)}`);
    if (corpora) parts.unshift(corpusName(r.corpus));
    return parts.length ? parts.join(', ') : r.name;
  });
}

export const corpusName = (c: CorpusRef) => (c.kind === 'austen' ? 'Pride and Prejudice' : `${c.name} (private text)`);

/** A short line of the settings that matter most. */
export function summary(s: TrainSettings): string {
  const model = s.layers === 0 ? 'bigram (0 layers)' : `${s.layers}×${s.heads} heads, n_embd ${s.embd}`;
  return `${model}, ${s.tokenizer === 'char' ? 'characters' : `${s.tokenizer} ${s.vocabSize}`}, ${s.objective}, ` +
    `${s.steps.toLocaleString('en')} steps`;
}

/**
 * Which runs' checkpoints to drop so that the kept checkpoints fit in `budget` bytes: the
 * least recently saved first, never `keep` (the run in training). Curves are never dropped.
 */
export function checkpointsToDrop(runs: RunRecord[], budget: number, keep: string | null): string[] {
  let total = runs.reduce((sum, r) => sum + r.checkpointBytes, 0);
  const drop: string[] = [];
  for (const r of [...runs].sort((a, b) => a.savedAt - b.savedAt)) {
    if (total <= budget) break;
    if (r.id === keep || !r.checkpointBytes) continue;
    drop.push(r.id);
    total -= r.checkpointBytes;
  }
  return drop;
}

/** Adds one evaluation's tensor norms to their curves (a tensor's curve starts at its first evaluation). */
export function addTensorPoints(curves: TensorCurve[], step: number, stats: TensorStats[]): TensorCurve[] {
  for (const t of stats) {
    let c = curves.find((x) => x.name === t.name);
    if (!c) {
      curves.push(c = { name: t.name, size: t.size, matrix: t.matrix, decayed: t.decayed, muon: t.muon, weight: [], grad: [],
        update: [] });
    }
    extend(c.weight, [step, t.weightNorm]);
    extend(c.grad, [step, t.gradNorm]);
    extend(c.update, [step, t.updateNorm]);
  }
  return curves;
}

/** The last step trained: a run in training is usually past its last checkpoint (`step`). */
export const lastStep = (r: RunRecord) => Math.max(r.step, r.curves.train.at(-1)?.[0] ?? 0);

/** The run's lowest validation loss so far, or null. */
export const bestVal = (r: { curves: Curves }) => (r.curves.val.length ? Math.min(...r.curves.val.map((p) => p[1])) : null);

/** A stable name for a text (53-bit hash, cyrb53): the same text gives the same hash in every browser. */
export function textHash(text: string): string {
  let h1 = 0xdeadbeef, h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, '0');
}
