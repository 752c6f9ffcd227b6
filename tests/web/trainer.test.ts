// Training in the WASM core from JavaScript, checked against the native build
// (build/gptlab, built before Vitest runs in npm test) in the same test run.
import { describe, expect, test, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadCore } from './load-core';
import type { GptlabModule, TrainOptions } from '../../web/src/gptlab-module';

const root = fileURLToPath(new URL('../../', import.meta.url));
const cli = join(root, 'build/gptlab');
const austen = readFileSync(join(root, 'public/corpus/pride-and-prejudice.txt'), 'utf8').slice(0, 60_000);
const dir = mkdtempSync(join(tmpdir(), 'gptlab-'));
const corpusPath = join(dir, 'corpus.txt');
writeFileSync(corpusPath, austen);

// A small config both sides run: the CLI flags and the JS options say the same thing.
const options: TrainOptions = {
  batchSize: 8, evalBatches: 2, seed: 42, lr: { max: 2e-3, min: 1e-4, warmup: 5, total: 60 },
  model: { layers: 2, heads: 2, embd: 32, block: 32 },
};
const cliFlags = ['--batch', '8', '--eval-batches', '2', '--seed', '42', '--lr', '2e-3', '--min-lr', '1e-4',
  '--warmup', '5', '--layers', '2', '--heads', '2', '--embd', '32', '--block', '32'];

let core: GptlabModule;
beforeAll(async () => { core = await loadCore(); });

function argmax(xs: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < xs.length; i++) if (xs[i] > xs[best]) best = i;
  return best;
}

// What sampling draws from, recomputed from the temperature-1 probabilities q (banned ids 0):
// q^(1 / temperature) over the ids with q > 0, most likely first, cut to the topK, then to the
// shortest prefix reaching topP of their mass, renormalised; temperature 0 all on the likeliest.
function sampledFrom(q: Float32Array, temperature: number, topK: number, topP: number): number[] {
  const out: number[] = Array(q.length).fill(0);
  const ids = [...q.keys()].filter((i) => q[i] > 0).sort((a, b) => q[b] - q[a] || a - b);
  if (temperature === 0) { out[ids[0]] = 1; return out; }
  const kept = topK > 0 ? ids.slice(0, topK) : ids;
  const w = kept.map((i) => Math.pow(q[i], 1 / temperature));
  const total = w.reduce((a, b) => a + b, 0);
  let n = 0;
  for (let mass = 0; n < kept.length && (n === 0 || mass < topP * total); n++) mass += w[n];
  const z = w.slice(0, n).reduce((a, b) => a + b, 0);
  for (let i = 0; i < n; i++) out[kept[i]] = w[i] / z;
  return out;
}

describe('the Trainer binding', () => {
  test('50 steps: the loss falls, evaluation and sampling work', () => {
    const t = core.Trainer.create(austen, options);
    expect(t.numParameters()).toBeGreaterThan(20_000);
    const losses = Array.from(t.step(50));
    expect(losses).toHaveLength(50);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    expect(mean(losses.slice(40))).toBeLessThan(mean(losses.slice(0, 5)) - 0.5);
    const r = t.evaluate();
    expect(r.valLoss).toBeGreaterThan(0);
    expect(r.maskedAccuracy).toBeNull();
    expect(r.valLossAlone).toBeNull();  // nothing padded
    const pieces: string[] = [];
    const text = t.generate('It is', 30, { temperature: 0.8, seed: 3 }, (p) => { pieces.push(p); });
    expect(pieces.join('')).toBe(text);
    expect(text.length).toBeGreaterThan(10);
    const att = t.attention('It is a truth', 1);
    expect(att.tokens).toHaveLength(13);
    expect(att.weights).toHaveLength(2 * 13 * 13);
    for (let h = 0; h < 2; h++)  // causal rows: nothing on later keys, each row sums to 1
      for (let i = 0; i < 13; i++) {
        let sum = 0;
        for (let j = 0; j < 13; j++) {
          const w = att.weights[(h * 13 + i) * 13 + j];
          if (j > i) expect(w).toBe(0);
          sum += w;
        }
        expect(sum).toBeCloseTo(1, 5);
      }
    const { tokens, logits } = t.logits('It is a truth');
    expect(tokens.join('')).toBe('It is a truth');
    expect(logits).toHaveLength(13 * t.vocabSize());
    expect(logits.every(Number.isFinite)).toBe(true);
    t.delete();
  });

  test('the same seed gives the native CLI\'s first 10 losses', () => {
    const out = execFileSync(cli, ['train', '--corpus', corpusPath, ...cliFlags, '--threads', '1', '--steps', '60', '--log-interval', '1',
      '--eval-interval', '1000', '--checkpoint', join(dir, 'native.ckpt')], { encoding: 'utf8' });
    const native = [...out.matchAll(/^step (\d+) loss ([0-9.]+)/gm)].slice(0, 10).map((m) => Number(m[2]));
    expect(native).toHaveLength(10);
    const t = core.Trainer.create(austen, { ...options, lr: { ...options.lr, total: 60 } });
    const wasm = Array.from(t.step(10));
    t.delete();
    for (let i = 0; i < 10; i++) expect(Math.abs(wasm[i] - native[i])).toBeLessThan(1e-4);
  });

  test('checkpoints move between WASM and native in both directions', () => {
    const t = core.Trainer.create(austen, options);
    t.step(3);
    const bytes = t.saveCheckpoint();
    t.delete();
    writeFileSync(join(dir, 'wasm.ckpt'), bytes);
    const evaluated = execFileSync(cli, ['eval', '--checkpoint', join(dir, 'wasm.ckpt'), '--corpus', corpusPath], { encoding: 'utf8' });
    expect(evaluated).toMatch(/^train loss [0-9.]+, val loss [0-9.]+/);
    execFileSync(cli, ['train', '--corpus', corpusPath, ...cliFlags, '--threads', '1', '--steps', '6', '--eval-interval', '6',
      '--checkpoint', join(dir, 'native2.ckpt')]);
    const resumed = core.Trainer.resume(austen, options, new Uint8Array(readFileSync(join(dir, 'native2.ckpt'))));
    expect(resumed.stepsDone()).toBe(6);
    resumed.step(1);
    expect(resumed.stepsDone()).toBe(7);
    resumed.delete();
  });

  test('a resumed run equals the uninterrupted run (causal and masked, with dropout)', () => {
    for (const objective of ['causal', 'masked'] as const) {
      const opts: TrainOptions = { ...options, objective, dropout: { start: 0.2, end: 0.1 } };
      const whole = core.Trainer.create(austen, opts);
      const losses = Array.from(whole.step(6));
      const first = core.Trainer.create(austen, opts);
      first.step(2);
      const resumed = core.Trainer.resume(austen, opts, first.saveCheckpoint());
      expect(Array.from(resumed.step(4)), objective).toEqual(losses.slice(2));
      // Weights, AdamW moments, step and random streams: byte for byte the same checkpoint.
      expect(resumed.saveCheckpoint(), objective).toEqual(whole.saveCheckpoint());
      for (const t of [whole, first, resumed]) t.delete();
    }
  });

  test('count-model baselines: finite, bigram below unigram, a trained model below the unigram', () => {
    const t = core.Trainer.create(austen, { ...options, lr: { ...options.lr, total: 200 } });
    const { unigram, bigram } = t.baselines();
    expect(Number.isFinite(unigram)).toBe(true);
    expect(bigram).not.toBeNull();
    expect(Number.isFinite(bigram)).toBe(true);
    expect(bigram!).toBeLessThan(unigram);
    expect(unigram).toBeLessThan(Math.log(t.vocabSize()));  // counts beat a uniform guess
    t.step(200);  // about 2.5 nats on val natively, against a unigram of about 3.1
    expect(t.evaluate().valLoss).toBeLessThan(unigram);
    t.delete();
    const masked = core.Trainer.create(austen, { ...options, objective: 'masked' });
    expect(masked.baselines()).toEqual({ unigram, bigram: null });  // same splits; no bigram for masked models
    masked.delete();
  });

  test('a masked model fills in blanks', () => {
    const t = core.Trainer.create(austen, { ...options, objective: 'masked' });
    t.step(5);
    const filled = t.fill('It is a tr<mask>th', 3);
    expect(filled).toHaveLength(1);
    expect(filled[0]).toHaveLength(3);
    expect(filled[0][0].probability).toBeGreaterThanOrEqual(filled[0][1].probability);
    expect(t.evaluate().maskedAccuracy).not.toBeNull();
    expect(() => t.generate('x', 5, {}, null)).toThrowError('This is a masked model; it fills in blanks rather than continuing text.');
    t.delete();
  });

  test('attention over a padded batch: padded keys get exactly 0 with the key mask, some weight without', () => {
    const texts = ['It is a truth', 'It is'];
    for (const keyMask of [true, false]) {
      const t = core.Trainer.create(austen, { ...options, objective: 'masked', documents: '\n\n', keyMask });
      t.step(3);
      const { tokens, padded, length: T, weights } = t.attentionBatch(texts, 1);
      expect(T).toBe(13);
      expect(tokens[0].join('')).toBe('It is a truth');
      expect(tokens[1]).toEqual(['I', 't', ' ', 'i', 's', ...Array(8).fill('<pad>')]);
      expect(Array.from(padded)).toEqual([...Array(13).fill(0), ...Array(5).fill(0), ...Array(8).fill(1)]);
      expect(weights).toHaveLength(2 * 2 * T * T);
      let onPadding = 0;  // weight real queries put on padded keys
      for (let b = 0; b < 2; b++)
        for (let h = 0; h < 2; h++)
          for (let i = 0; i < T; i++) {
            let sum = 0;
            for (let j = 0; j < T; j++) {
              const w = weights[((b * 2 + h) * T + i) * T + j];
              sum += w;
              if (!padded[b * T + i] && padded[b * T + j]) {
                if (keyMask) expect(w).toBe(0);
                onPadding += w;
              }
            }
            expect(sum).toBeCloseTo(1, 5);
          }
      if (keyMask) expect(onPadding).toBe(0);
      else expect(onPadding).toBeGreaterThan(0.1);
      // Only a run that attends to padding is also measured with each document read alone.
      const r = t.evaluate();
      if (keyMask) expect(r.valLossAlone).toBeNull();
      else expect(r.valLossAlone).toBeGreaterThan(0);
      t.delete();
    }
  });

  test('tensor statistics: every tensor by name, gradient and update norms after a step', () => {
    const t = core.Trainer.create(austen, options);
    const before = t.tensorStats();
    expect(before[0]).toMatchObject({ name: 'transformer.wte.weight', matrix: true, decayed: true, gradNorm: 0, updateNorm: 0 });
    expect(before.reduce((n, s) => n + s.size, 0)).toBe(t.numParameters());
    expect(before.find((s) => s.name.endsWith('.bias'))).toMatchObject({ matrix: false, decayed: false });
    t.step(1);
    for (const s of t.tensorStats()) {
      expect(s.weightNorm, s.name).toBeGreaterThan(0);
      expect(s.gradNorm, s.name).toBeGreaterThan(0);
      expect(s.updateNorm, s.name).toBeGreaterThan(0);
    }
    t.delete();
  });

  test('optimizer muon: the blocks\' matrices take steps of lr 0.2 sqrt(max dim) times a near-orthogonal matrix', () => {
    expect(() => core.Trainer.create(austen, { ...options, optimizer: 'sgd' as 'muon' }))
      .toThrowError('Unknown optimizer "sgd"; use adamw or muon.');
    const t = core.Trainer.create(austen, { ...options, optimizer: 'muon' });
    const blockMatrix = /^transformer\.h\.\d+\.(attn\.c_attn|attn\.c_proj|mlp\.c_fc|mlp\.c_proj)\.weight$/;
    for (const s of t.tensorStats()) expect(s.muon, s.name).toBe(blockMatrix.test(s.name));
    t.step(1);
    // The first step's lr is max / warmup; an orthogonal (96 x 32) matrix has norm sqrt(32), and Newton-Schulz
    // leaves every singular value within about [0.6, 1.25] of 1. (Decay 0.1 moves the weights ~1% as much.)
    const attn = t.tensorStats().find((s) => s.name === 'transformer.h.0.attn.c_attn.weight')!;
    const ratio = attn.updateNorm / ((2e-3 / 5) * 0.2 * Math.sqrt(96) * Math.sqrt(32));
    expect(ratio).toBeGreaterThan(0.6);
    expect(ratio).toBeLessThan(1.25);
    t.delete();
  });

  test('sampling without the KV cache gives the same greedy text within the block', () => {
    const t = core.Trainer.create(austen, options);
    t.step(20);
    const cached = t.generate('It is', 20, { temperature: 0 }, null);
    expect(t.generate('It is', 20, { temperature: 0, cache: false }, null)).toBe(cached);
    t.delete();
  });

  test('next token: sampled is the JS reference of temperature, top-k and top-p applied to probabilities', () => {
    const t = core.Trainer.create(austen, options);
    t.step(20);
    const vocab = t.vocabulary();
    expect(vocab).toHaveLength(t.vocabSize());
    const { tokens, probabilities, sampled } = t.nextToken('It is a truth', {});
    expect(tokens.join('')).toBe('It is a truth');
    expect(probabilities).toHaveLength(t.vocabSize());
    expect(Array.from(sampled)).toEqual(Array.from(probabilities));  // the defaults change nothing
    for (const name of ['<pad>', '<mask>', '<bos>'])
      if (vocab.includes(name)) expect(probabilities[vocab.indexOf(name)], name).toBe(0);
    const cases = [{ temperature: 0.7 }, { temperature: 1.6 }, { topK: 5 }, { topP: 0.8 },
      { temperature: 1.3, topK: 12, topP: 0.9 }, { temperature: 0 }];
    for (const sampling of cases) {
      const got = t.nextToken('It is a truth', sampling).sampled;
      const want = sampledFrom(probabilities, sampling.temperature ?? 1, sampling.topK ?? 0, sampling.topP ?? 1);
      expect(got.reduce((a, b) => a + b, 0), JSON.stringify(sampling)).toBeCloseTo(1, 5);
      for (let i = 0; i < got.length; i++) expect(Math.abs(got[i] - want[i]), `${JSON.stringify(sampling)} id ${i}`).toBeLessThan(1e-5);
    }
    const greedy = t.nextToken('It is a truth', { temperature: 0 }).sampled;
    expect(greedy.filter((p) => p !== 0)).toEqual(new Float32Array([1]));
    expect(greedy[argmax(probabilities)]).toBe(1);
    // The context is the text's last blockSize tokens.
    expect(t.nextToken('x'.repeat(40) + 'It is', {}).tokens.join('')).toBe('x'.repeat(27) + 'It is');
    t.delete();
  });

  test('surprise, logit lens and embedding projection: shapes, and agreement with the logits', () => {
    const t = core.Trainer.create(austen, { ...options, model: { ...options.model, positions: 'learned' } });
    t.step(20);
    const vocab = t.vocabulary();
    const text = 'It is a truth';
    const { logits } = t.logits(text);
    const V = t.vocabSize();
    const row = (i: number) => logits.subarray(i * V, (i + 1) * V);
    const s = t.surprise(text, 3);
    expect(s.tokens).toHaveLength(13);
    expect(s.losses).toHaveLength(12);
    expect(s.top).toHaveLength(12);
    for (let i = 0; i < 12; i++) {
      expect(Number.isFinite(s.losses[i])).toBe(true);
      expect(s.top[i]).toHaveLength(3);
      expect(s.top[i][0].probability).toBeGreaterThanOrEqual(s.top[i][1].probability);
      expect(s.top[i][0].text).toBe(vocab[argmax(row(i))]);
      const l = row(i), max = l[argmax(l)];
      const logZ = max + Math.log(l.reduce((a, x) => a + Math.exp(x - max), 0));
      expect(s.losses[i]).toBeCloseTo(logZ - l[vocab.indexOf(s.tokens[i + 1])], 4);
    }
    const lens = t.logitLens(text, -1, 4);
    expect(lens.tokens).toEqual(s.tokens);
    expect(lens.layers.map((l) => l.label)).toEqual(['embeddings', 'after block 1', 'after block 2']);
    expect(lens.layers).toHaveLength(t.nLayer() + 1);
    for (const layer of lens.layers) expect(layer.top).toHaveLength(4);
    expect(lens.layers[2].top[0].text).toBe(vocab[argmax(row(12))]);
    expect(() => t.logitLens(text, 13, 4)).toThrowError('Position 13 is outside the text\'s 13 tokens.');
    const tokens = t.embeddingProjection('tokens');
    expect(tokens.texts).toEqual(vocab);
    expect(tokens.x).toHaveLength(V);
    expect(tokens.y).toHaveLength(V);
    const positions = t.embeddingProjection('positions');
    expect(positions.texts.slice(0, 3)).toEqual(['0', '1', '2']);
    expect(positions.x).toHaveLength(t.blockSize());
    for (const { explained: [a, b] } of [tokens, positions]) {
      expect(a).toBeGreaterThan(0);
      expect(a).toBeLessThanOrEqual(1);
      expect(b).toBeGreaterThan(0);
      expect(b).toBeLessThanOrEqual(a);
      expect(a + b).toBeLessThanOrEqual(1 + 1e-9);
    }
    t.delete();
    const rope = core.Trainer.create(austen, options);
    expect(() => rope.embeddingProjection('positions')).toThrowError(
      'This model has no learned position table (its positions are rope).');
    rope.delete();
  });

  test('a masked model: attention reads <mask> as one token; next-token views say what they are for', () => {
    const t = core.Trainer.create(austen, { ...options, objective: 'masked' });
    const att = t.attention('It is a <mask>', 0);
    expect(att.tokens).toHaveLength(9);
    expect(att.tokens).toContain('<mask>');
    expect(() => t.nextToken('It is', {})).toThrowError(
      'This is a masked model; it fills in blanks rather than predicting the next token.');
    expect(() => t.surprise('It is', 3)).toThrowError(
      'The per-token loss is for next-token models; this one is masked (bidirectional).');
    t.delete();
  });

  test('errors arrive as Error objects with the core\'s sentence', () => {
    expect(() => core.Trainer.create(austen, { ...options, model: { embd: 30, heads: 4 } })).toThrowError(
      'n_embd (30) must be divisible by the number of heads (4).');
    expect(() => core.Trainer.create(austen, { ...options, model: { layers: 24, embd: 1024, heads: 16, block: 1024 } }))
      .toThrowError(/^This model needs about \d+ MB to train with batches of 8, but the browser gives gptlab at most \d+ MB/);
    expect(() => core.Trainer.create('tiny', options)).toThrowError('The corpus is 4 tokens long; a block size of 32 needs at least 33.');
    // @ts-expect-error -- deliberately wrong
    expect(() => core.Trainer.create(austen, { ...options, objective: 'gan' })).toThrowError(
      'Unknown objective "gan"; use causal, masked or mntp.');
    expect(() => core.Trainer.resume(austen, options, new Uint8Array([1, 2, 3]))).toThrowError(
      'This is not a gptlab checkpoint (it does not start with GPTLABCK).');
  });
});
