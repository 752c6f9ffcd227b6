// The tokenizer playground's engine: trains the chosen tokenizer (on the built-in novel or the
// text itself), keeps it while only the text or the merge stepper changes, and encodes. Requests
// that arrive while it works are collapsed: only the latest is answered.
import corpusUrl from '/corpus/pride-and-prejudice.txt?url';
import gpt2RanksUrl from 'gpt-tokenizer/data/r50k_base.tiktoken?url';
import { loadGptlab, type GptlabModule } from './gptlab';
import type { Tokenizer } from './gptlab-module';
import type { FromTokenizer, ToTokenizer, TokenView } from './tokenizer-protocol';
import { errorText } from './error-text';

const SPECIALS = ['<pad>', '<unk>', '<bos>', '<eos>', '<mask>'];
const post = (m: FromTokenizer) => postMessage(m);

let core: GptlabModule | null = null;
let trained: { key: string; tokenizer: Tokenizer } | null = null;
const texts = new Map<string, Promise<string>>();
let latest: ToTokenizer | null = null;
let busy = false;

function fetchText(url: string, what: string): Promise<string> {
  if (!texts.has(url))
    texts.set(url, fetch(url).then((r) => {
      if (!r.ok) throw new Error(`${what} could not be loaded (HTTP ${r.status}).`);
      return r.text();
    }));
  return texts.get(url)!;
}

async function train(req: ToTokenizer, gptlab: GptlabModule): Promise<Tokenizer> {
  if (req.kind === 'gpt2') {
    post({ type: 'progress', seq: req.seq, done: 0, total: 1, what: 'Loading GPT-2’s vocabulary (50,257 tokens)…' });
    const ranks = await fetchText(gpt2RanksUrl, 'GPT-2’s vocabulary');
    return gptlab.Tokenizer.fromTiktoken(ranks, 'gpt2', [{ text: '<|endoftext|>', id: 50256 }]);
  }
  const corpus = req.corpus === 'austen' ? await fetchText(corpusUrl, 'The built-in corpus') : req.text;
  if (req.kind === 'char') return gptlab.Tokenizer.trainChar(corpus, SPECIALS);
  const split = req.kind === 'bpe' ? 'none' : req.kind === 'bpe-gpt2' ? 'gpt2' : 'gpt4';
  let shown = 0;
  return gptlab.Tokenizer.trainBpe(corpus, req.vocabSize, split, SPECIALS, (done, total) => {
    if (done - shown < total / 20 && done !== total) return;  // about 20 progress messages
    shown = done;
    post({ type: 'progress', seq: req.seq, done, total, what: `Learning ${total.toLocaleString('en')} merges…` });
  });
}

// A token's text for display: its bytes as UTF-8, or \xNN for bytes that are only part of a character.
function tokenText(t: Tokenizer, id: number, specials: Map<number, string>): string {
  const special = specials.get(id);
  if (special !== undefined) return special;
  const bytes = t.tokenBytes(id);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return Array.from(bytes, (b) => `\\x${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}

async function handle(req: ToTokenizer) {
  core ??= await loadGptlab();
  const key = req.kind === 'gpt2' ? 'gpt2' : `${req.kind}|${req.kind === 'char' ? 0 : req.vocabSize}|${req.corpus === 'text' ? req.text : 'austen'}`;
  let trainMs: number | null = null;
  if (trained?.key !== key) {
    const t0 = performance.now();
    const tokenizer = await train(req, core);
    trained?.tokenizer.delete();
    trained = { key, tokenizer };
    trainMs = performance.now() - t0;
  }
  const full = trained.tokenizer;
  const learned = full.kind() === 'bpe' && req.kind !== 'gpt2' ? full.merges() : new Int32Array(0);
  const mergeCount = learned.length / 3;
  const k = req.merges === null ? mergeCount : Math.min(req.merges, mergeCount);
  const view = k < mergeCount ? full.withFirstMerges(k) : full;
  try {
    const specials = new Map(view.specials().map((s) => [s.id, s.text]));
    const names = new Map<number, string>();
    const tokens: TokenView[] = Array.from(view.encode(req.text, true), (id) => {
      if (!names.has(id)) names.set(id, tokenText(view, id, specials));
      return { id, text: names.get(id)!, special: specials.has(id) };
    });
    const merge = k > 0 ? { left: tokenText(full, learned[3 * k - 3], specials), right: tokenText(full, learned[3 * k - 2], specials),
      result: tokenText(full, learned[3 * k - 1], specials), id: learned[3 * k - 1] } : null;
    post({ type: 'tokens', seq: req.seq, tokens, vocabSize: view.vocabSize(), mergeCount, merge, trainMs });
  } finally {
    if (view !== full) view.delete();
  }
}

async function drain() {
  while (latest) {
    const req = latest;
    latest = null;
    try {
      await handle(req);
    } catch (e) {
      post({ type: 'error', seq: req.seq, message: errorText(e) });
    }
  }
  busy = false;
}

onmessage = (event: MessageEvent<ToTokenizer>) => {
  latest = event.data;
  if (!busy) {
    busy = true;
    setTimeout(drain, 0);
  }
};
