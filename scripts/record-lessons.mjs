// npm run lessons:record — trains every run of the lessons' experiments (web/src/lessons/
// experiments.json) with the native CLI on the built-in corpus, one thread (so each run is the
// run the browser trains for the same settings and seed), and writes their validation curves to
// web/src/lessons/recorded.json, which the Lessons view draws as the recorded reference.
//   node scripts/record-lessons.mjs [LESSON...]   (default: every lesson with an experiment)
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const experiments = JSON.parse(readFileSync(join(root, 'web/src/lessons/experiments.json'), 'utf8'));
const outFile = join(root, 'web/src/lessons/recorded.json');
const out = JSON.parse(readFileSync(outFile, 'utf8'));
const cli = join(root, 'build/gptlab');
const corpus = join(root, 'public/corpus/pride-and-prejudice.txt');

// The lab's settings as the CLI's flags.
function flags(s) {
  const f = ['--tokenizer', s.tokenizer, '--objective', s.objective, '--layers', s.layers, '--heads', s.heads, '--embd', s.embd,
    '--block', s.block, '--dropout', s.dropout, '--positions', s.positions, '--ffn', s.ffn, '--norm', s.norm,
    '--batch', s.batch, '--steps', s.steps, '--lr', s.lr, '--min-lr', s.minLr, '--warmup', s.warmup,
    '--weight-decay', s.weightDecay, '--decay', s.decay, '--clip', s.clip, '--eval-interval', s.evalInterval,
    '--eval-batches', s.evalBatches, '--seed', s.seed, '--threads', 1];
  if (s.tokenizer !== 'char') f.push('--vocab', s.vocabSize);
  if (s.residual === false) f.push('--no-residual');
  if (s.cosine === false) f.push('--constant-lr');
  if (s.documents) f.push('--documents', '\n\n');  // the lab's paragraphs (train-view.ts)
  if (s.keyMask === false) f.push('--no-key-mask');
  f.push('--tensor-norms');  // each tensor's norms at every evaluation (the sizes of the 1-D tensors, lesson 7)
  return f.map(String);
}

const machine = execFileSync('lscpu', { encoding: 'utf8' }).match(/Model name:\s*(.+)/)?.[1].trim() ?? 'unknown';
const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(experiments.lessons);
const dir = mkdtempSync(join(tmpdir(), 'gptlab-lessons-'));
try {
  for (const lesson of wanted) {
    const runs = [];
    for (const rung of experiments.lessons[lesson] ?? []) {
      const settings = { ...experiments.base, ...rung.settings };  // the base names every setting the CLI is given
      const started = Date.now();
      // The first corpusChars characters, cut as the browser cuts them (a JavaScript string).
      const text = settings.corpusChars ? join(dir, 'corpus.txt') : corpus;
      if (settings.corpusChars) writeFileSync(text, readFileSync(corpus, 'utf8').slice(0, settings.corpusChars));
      const log = execFileSync(cli, ['train', '--corpus', text, '--checkpoint', join(dir, 'run.ckpt'), ...flags(settings)],
        { encoding: 'utf8', maxBuffer: 1 << 26 });
      const val = [], bits = [], masked = [], train = [], alone = [];
      const evals = /^step (\d+): train ([\d.]+), val ([\d.]+) \(perplexity [\d.]+, ([\d.]+) bits\/char(?:, masked accuracy ([\d.]+) vs unigram ([\d.]+))?(?:, val each document alone ([\d.]+))?\)/gm;
      for (const m of log.matchAll(evals)) {
        train.push([Number(m[1]), Number(m[2])]);
        val.push([Number(m[1]), Number(m[3])]);
        bits.push([Number(m[1]), Number(m[4])]);
        if (m[5]) masked.push([Number(m[1]), Number(m[5]), Number(m[6])]);
        if (m[7]) alone.push([Number(m[1]), Number(m[7])]);
      }
      // The 1-D tensors' (norm gains, biases) weights together: sqrt of the sum of their squared norms, per evaluation.
      const sizes = log.split(/^step \d+: /m).slice(1).map((block, i) => {
        const norms = [...block.matchAll(/^ {2}\S+ \(vector, [^)]*\): weight ([\d.e+-]+)/gm)];
        return [val[i][0], Math.hypot(...norms.map((n) => Number(n[1])))];
      });
      if (!val.length) throw new Error(`No evaluation in the output of lesson ${lesson}, ${rung.name}:\n${log}`);
      // train: the loss on training batches at each evaluation; masked: [step, accuracy, the commonest token's]
      // alone: a run that attends to padding, its val loss with each document read alone
      runs.push({ name: rung.name, val, bits, train, ...(masked.length ? { masked } : {}), ...(alone.length ? { alone } : {}), sizes });
      console.log(`lesson ${lesson} · ${rung.name}: val ${val.at(-1)[1]} (${bits.at(-1)[1]} bits/char) in ${((Date.now() - started) / 1000).toFixed(0)} s`);
    }
    out.lessons[lesson] = runs;
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
out.about = `Recorded with \`npm run lessons:record\` (build/gptlab train, one thread, the settings and seeds of ` +
  `web/src/lessons/experiments.json) on ${new Date().toISOString().slice(0, 10)}, ${machine}.`;
writeFileSync(outFile, `${JSON.stringify(out, null, 1)}\n`);
console.log(`wrote ${outFile}`);
