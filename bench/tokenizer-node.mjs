// Tokenizer benchmark, WASM under node: BPE training time, and GPT-2 encoding
// throughput against tiktoken (OpenAI's Rust core compiled to WASM) and
// gpt-tokenizer (pure JavaScript) in the same process, checking that all three
// produce identical token ids for the whole text.
//
//   node bench/tokenizer-node.mjs [corpus.txt] [--quick]
// Default corpus: ../shared/data/tinyshakespeare.txt if present, else the built-in corpus.
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { get_encoding } from 'tiktoken';
import { encode as gptTokenizerEncode } from 'gpt-tokenizer/encoding/r50k_base';
import { loadGptlab } from './load-node.mjs';

const quick = process.argv.includes('--quick');
const root = fileURLToPath(new URL('..', import.meta.url));
let path = process.argv.slice(2).find((a) => !a.startsWith('--')) ?? `${root}../shared/data/tinyshakespeare.txt`;
if (!existsSync(path)) path = `${root}public/corpus/pride-and-prejudice.txt`;
const corpus = readFileSync(path, 'utf8');
const mb = Buffer.byteLength(corpus) / 1e6;
console.log(`corpus: ${path} (${mb.toFixed(2)} MB); node ${process.version}\n`);

const core = await loadGptlab();

console.log('| training | split | vocab | seconds | merges |\n|---|---|---:|---:|---:|');
for (const vocab of [512, 2048]) {
  for (const split of ['none', 'gpt2', 'gpt4']) {
    if (quick && vocab === 2048 && split === 'none') continue;
    const t0 = performance.now();
    const t = core.Tokenizer.trainBpe(corpus, vocab, split, [], null);
    const s = (performance.now() - t0) / 1000;
    console.log(`| WASM (node) | ${split} | ${vocab} | ${s.toFixed(3)} | ${t.merges().length / 3} |`);
    t.delete();
  }
}

const ranks = readFileSync(`${root}node_modules/gpt-tokenizer/data/r50k_base.tiktoken`, 'utf8');
const reps = quick ? 2 : 5;
const best = (fn) => {
  let b = Infinity, out;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    out = fn(i);
    b = Math.min(b, (performance.now() - t0) / 1000);
  }
  return [b, out];
};
const fresh = () => core.Tokenizer.fromTiktoken(ranks, 'gpt2', [{ text: '<|endoftext|>', id: 50256 }]);

// gptlab, cold: a newly loaded tokenizer each time (its chunk cache starts empty).
const tokenizers = Array.from({ length: reps }, fresh);
const [ourCold, ours] = best((i) => tokenizers[i].encode(corpus, false));
tokenizers.forEach((t) => t.delete());
// gptlab, warm: the same tokenizer again (the cache already holds the text's chunks).
const warm = fresh();
warm.encode(corpus, false);
const [ourWarm] = best(() => warm.encode(corpus, false));
warm.delete();
const tik = get_encoding('gpt2');
const [tiktokenS, theirs] = best(() => tik.encode(corpus));
tik.free();
const [gptTokS, theirs2] = best(() => gptTokenizerEncode(corpus));

const same = (a, b) => a.length === b.length && a.every((x, i) => x === b[i]);
if (!same(Array.from(ours), Array.from(theirs)) || !same(Array.from(ours), theirs2)) {
  console.error('Token ids differ between gptlab, tiktoken and gpt-tokenizer.');
  process.exit(1);
}
const row = (name, s) => `| ${name} | ${s.toFixed(3)} | ${(mb / s).toFixed(1)} |`;
console.log(`\nGPT-2 encode, ${ours.length} tokens, identical ids from all three (best of ${reps}):\n`);
console.log('| encoder | seconds | MB/s |\n|---|---:|---:|');
console.log(row('gptlab WASM, cold cache', ourCold));
console.log(row('gptlab WASM, warm cache', ourWarm));
console.log(row('tiktoken 1.0.22 (WASM)', tiktokenS));
console.log(row('gpt-tokenizer 4.0.0 (JS)', gptTokS));
const peer = Math.min(tiktokenS, gptTokS);  // the faster peer (gpt-tokenizer keeps its own chunk cache warm)
console.log(`\ngptlab / faster peer: ${(peer / ourWarm).toFixed(2)}x with a warm cache, ` +
  `${(peer / ourCold).toFixed(2)}x even from a cold one`);
