// The run store (IndexedDB, here fake-indexeddb's in-memory implementation of the standard)
// and the pure functions over runs: round trips, the checkpoint budget, what tells runs apart.
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it } from 'vitest';
import { defaultState } from '../../web/src/lab-state';
import { checkpointsToDrop, differences, emptyCurves, extend, MAX_POINTS, sample, textHash, thin, type Point,
  type RunRecord } from '../../web/src/run-record';
import { deleteRun, getRun, limits, listRuns, loadCheckpoint, loadText, renameRun, saveRun, saveText }
  from '../../web/src/run-store';

const record = (id: string, savedAt: number, settings: Partial<RunRecord['settings']> = {}): RunRecord => ({
  id, name: `run ${id}`, createdAt: savedAt, savedAt, settings: { ...defaultState().train, ...settings },
  corpus: { kind: 'austen' }, step: 100, steps: 2500, state: 'stopped',
  curves: { ...emptyCurves(), train: [[1, 4.2], [2, 3.9]], val: [[50, 2.5]], seconds: [[1, 0.1], [2, 0.25]] },
  metrics: { valLoss: 2.5, bitsPerChar: 3.6, maskedAccuracy: null, unigramAccuracy: null }, sample: 'It is a',
  checkpointBytes: 0,
});

beforeEach(async () => {
  limits.checkpointBudget = 200e6;
  for (const r of await listRuns()) await deleteRun(r.id);
});

describe('run store', () => {
  it('keeps a run and its checkpoint, newest first, and forgets them when deleted', async () => {
    const bytes = Uint8Array.from({ length: 1000 }, (_, i) => i % 251);
    await saveRun(record('a', 1), bytes);
    await saveRun(record('b', 2));
    const runs = await listRuns();
    expect(runs.map((r) => r.id)).toEqual(['b', 'a']);
    expect(runs[1]).toEqual({ ...record('a', 1), checkpointBytes: 1000 });
    expect(await loadCheckpoint('a')).toEqual(bytes);
    expect(await loadCheckpoint('b')).toBeNull();
    await renameRun('a', 'RoPE, 3 layers');
    expect((await getRun('a'))?.name).toBe('RoPE, 3 layers');
    await deleteRun('a');
    expect(await getRun('a')).toBeNull();
    expect(await loadCheckpoint('a')).toBeNull();
    expect((await listRuns()).map((r) => r.id)).toEqual(['b']);
  });

  it('drops the oldest checkpoints past the budget, never a curve and never the run being saved', async () => {
    limits.checkpointBudget = 2500;
    await saveRun(record('old', 1), new Uint8Array(1000));
    await saveRun(record('mid', 2), new Uint8Array(1000));
    await saveRun(record('new', 3), new Uint8Array(1000));  // 3000 > 2500: the oldest checkpoint goes
    const runs = await listRuns();
    expect(runs.map((r) => [r.id, r.checkpointBytes])).toEqual([['new', 1000], ['mid', 1000], ['old', 0]]);
    expect(await loadCheckpoint('old')).toBeNull();
    expect(runs.find((r) => r.id === 'old')!.curves).toEqual(record('old', 1).curves);
    // The run being saved keeps its checkpoint even when it alone is over the budget.
    await saveRun(record('huge', 4), new Uint8Array(3000));
    expect((await listRuns()).map((r) => [r.id, r.checkpointBytes])).toEqual([['huge', 3000], ['new', 0], ['mid', 0], ['old', 0]]);
  });

  it('gives records of earlier versions the settings they lacked', async () => {
    const old = record('x', 1);
    delete (old.settings as Partial<typeof old.settings>).norm;
    delete (old.curves as Partial<typeof old.curves>).speed;
    await saveRun(old);
    const back = (await getRun('x'))!;
    expect(back.settings.norm).toBe('layernorm');
    expect(back.curves.speed).toEqual([]);
  });

  it('keeps a private text under its hash', async () => {
    const text = 'Ünïcödé text of my own.';
    await saveText(textHash(text), text);
    expect(await loadText(textHash(text))).toBe(text);
    expect(await loadText('nothing')).toBeNull();
  });
});

describe('runs', () => {
  it('thin long curves to at most MAX_POINTS, keeping the first and last points', () => {
    let curve: Point[] = [];
    for (let s = 1; s <= 5 * MAX_POINTS + 3; s++) curve = extend(curve, [s, 1 / s]);
    expect(curve.length).toBeLessThanOrEqual(MAX_POINTS);
    expect(curve.length).toBeGreaterThan(MAX_POINTS / 2);
    expect(curve[0]).toEqual([1, 1]);
    expect(curve.at(-1)![0]).toBe(5 * MAX_POINTS + 3);
    expect(curve.every((p, i) => i === 0 || p[0] > curve[i - 1][0])).toBe(true);
    expect(thin([[1, 1], [2, 2]], 5)).toEqual([[1, 1], [2, 2]]);
  });

  it('sample a curve evenly for a link', () => {
    const curve: Point[] = Array.from({ length: 1001 }, (_, i) => [i, i]);
    const s = sample(curve, 201);
    expect(s.length).toBe(201);
    expect(s[0]).toEqual([0, 0]);
    expect(s.at(-1)).toEqual([1000, 1000]);
    expect(s[100]).toEqual([500, 500]);
  });

  it('name what differs between runs, and only that', () => {
    const base = defaultState().train;
    const runs = [
      { name: 'a', settings: { ...base }, corpus: { kind: 'austen' as const } },
      { name: 'b', settings: { ...base, positions: 'learned' as const }, corpus: { kind: 'austen' as const } },
    ];
    expect(differences(runs)).toEqual(['positions rope', 'positions learned']);
    runs[1].settings.residual = false;
    expect(differences(runs)).toEqual(['positions rope, residual on', 'positions learned, residual off']);
    expect(differences([runs[0], { ...runs[0], name: 'again' }])).toEqual(['a', 'again']);
    const char = { name: 'c', settings: { ...base, tokenizer: 'char' as const }, corpus: { kind: 'austen' as const } };
    const bpe = { name: 'd', settings: { ...base, tokenizer: 'bpe' as const, vocabSize: 1024 }, corpus: { kind: 'austen' as const } };
    expect(differences([char, bpe])).toEqual(['tokenizer char, vocab characters', 'tokenizer bpe, vocab 1024']);
  });

  it('choose the least recently saved checkpoints to drop', () => {
    const runs = [{ ...record('a', 3), checkpointBytes: 10 }, { ...record('b', 1), checkpointBytes: 10 },
      { ...record('c', 2), checkpointBytes: 10 }, { ...record('d', 0), checkpointBytes: 0 }];
    expect(checkpointsToDrop(runs, 30, null)).toEqual([]);
    expect(checkpointsToDrop(runs, 20, null)).toEqual(['b']);
    expect(checkpointsToDrop(runs, 5, 'b')).toEqual(['c', 'a']);
  });

  it('hash texts stably', () => {
    expect(textHash('abc')).toBe(textHash('abc'));
    expect(textHash('abc')).not.toBe(textHash('abd'));
    expect(textHash('')).toMatch(/^[0-9a-f]{14}$/);
  });
});
