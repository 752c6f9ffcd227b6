// The hand-written declarations (web/src/gptlab-module.d.ts) against the module
// Emscripten actually built: every declared function exists and can be called.
import { describe, expect, test, beforeAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { loadCore } from './load-core';
import type { GptlabModule } from '../../web/src/gptlab-module';

const dts = readFileSync(new URL('../../web/src/gptlab-module.d.ts', import.meta.url), 'utf8');
// Method names declared inside an interface body: `name(` at the start of a member line.
function declared(iface: string): string[] {
  const body = dts.match(new RegExp(`export interface ${iface} \\{([\\s\\S]*?)\\n\\}`))?.[1] ?? '';
  return [...body.matchAll(/^\s+(\w+)\(/gm)].map((m) => m[1]);
}

let core: GptlabModule;
beforeAll(async () => { core = await loadCore(); });

describe('declarations match the module', () => {
  test('module-level functions and classes', () => {
    for (const name of declared('GptlabModule')) expect(typeof (core as unknown as Record<string, unknown>)[name], name).toBe('function');
    expect(typeof core.Tokenizer).toBe('function');
    expect(typeof core.Trainer).toBe('function');
    expect(typeof core.MatmulBenchmark).toBe('function');
  });

  test('every declared method is callable on a live object', () => {
    const corpus = 'It is a truth universally acknowledged. '.repeat(40);
    const tok = core.Tokenizer.trainBpe(corpus, 270, 'gpt2', ['<eos>'], null);
    const trainer = core.Trainer.create(corpus, { batchSize: 2, evalBatches: 1, lr: { warmup: 1, total: 5 },
      model: { layers: 1, heads: 1, embd: 8, block: 8 } });
    const bench = new core.MatmulBenchmark(2, 2, 2);
    const clock = new core.RunClock(60, 50, 10);
    const calls: Record<string, () => unknown> = {
      // Tokenizer
      kind: () => tok.kind(), vocabSize: () => tok.vocabSize(), encode: () => tok.encode('truth', false),
      decode: () => tok.decode([116]), tokenBytes: () => tok.tokenBytes(116), specials: () => tok.specials(),
      merges: () => tok.merges(), withFirstMerges: () => tok.withFirstMerges(0).delete(), split: () => tok.split(), stoppedEarly: () => tok.stoppedEarly(),
      save: () => tok.save(), exportHf: () => tok.exportHf(),
      // Trainer
      step: () => trainer.step(1), stepPart: () => trainer.stepPart(), evaluate: () => trainer.evaluate(), evaluatePart: () => trainer.evaluatePart(), baselines: () => trainer.baselines(), stepsDone: () => trainer.stepsDone(), setTotalSteps: () => trainer.setTotalSteps(50), threads: () => trainer.threads(),
      lr: () => trainer.lr(), numParameters: () => trainer.numParameters(), blockSize: () => trainer.blockSize(),
      nLayer: () => trainer.nLayer(), nHead: () => trainer.nHead(), objective: () => trainer.objective(), attention: () => trainer.attention('It is', 0), logits: () => trainer.logits('It is'),
      attentionBatch: () => trainer.attentionBatch(['It is', 'It'], 0), tensorStats: () => trainer.tensorStats(),
      generate: () => trainer.generate('It', 3, {}, null), fill: () => null /* causal model: see trainer.test.ts */,
      vocabulary: () => trainer.vocabulary(), nextToken: () => trainer.nextToken('It is', { topK: 3 }),
      surprise: () => trainer.surprise('It is', 2), logitLens: () => trainer.logitLens('It is', -1, 2),
      embeddingProjection: () => trainer.embeddingProjection('tokens'),
      saveCheckpoint: () => trainer.saveCheckpoint(), exportSafetensors: () => trainer.exportSafetensors(),
      exportTokenizer: () => trainer.exportTokenizer(),
      // MatmulBenchmark
      run: () => bench.run(1), flopsPerRun: () => bench.flopsPerRun(),
      // RunClock
      stepsAt: () => expect(clock.stepsAt(20, 2.5)).toBe(480),
      delete: () => null,
    };
    for (const iface of ['Tokenizer', 'Trainer', 'MatmulBenchmark', 'RunClock']) {
      expect(declared(iface).length, iface).toBeGreaterThan(1);
      for (const name of declared(iface)) {
        expect(calls[name], `${iface}.${name} has no call in this test`).toBeTypeOf('function');
        expect(() => calls[name](), `${iface}.${name}`).not.toThrow();
      }
    }
    for (const name of declared('TokenizerStatics')) expect(typeof (core.Tokenizer as unknown as Record<string, unknown>)[name], name).toBe('function');
    for (const name of declared('TrainerStatics')) expect(typeof (core.Trainer as unknown as Record<string, unknown>)[name], name).toBe('function');
    tok.delete();
    trainer.delete();
    bench.delete();
    clock.delete();
  });
});
