// The tokenizer playground: the text as coloured tokens (ids on hover and listed below),
// counts, a vocabulary slider, and a stepper through the learned BPE merges. Training and
// encoding happen in tokenizer-worker.ts; this module only renders, always as text.
import { MIN_BPE_VOCAB, type LabState } from './lab-state';
import { change, getState, subscribe } from './store';
import type { FromTokenizer, ToTokenizer, TokenView } from './tokenizer-protocol';
import { $ } from './dom';
import { showWhitespace } from './whitespace';

const text = $<HTMLTextAreaElement>('tok-text'), kind = $<HTMLSelectElement>('tok-kind');
const vocab = $<HTMLInputElement>('tok-vocab'), vocabOut = $<HTMLOutputElement>('tok-vocab-out');
const vocabNumber = $<HTMLInputElement>('tok-vocab-n');
const corpus = $<HTMLSelectElement>('tok-corpus'), whitespace = $<HTMLInputElement>('tok-ws');
const status = $<HTMLParagraphElement>('tok-status'), progress = $<HTMLProgressElement>('tok-progress');
const tokensBox = $<HTMLDivElement>('tok-tokens'), ids = $<HTMLSpanElement>('tok-ids');
const stepper = $<HTMLFieldSetElement>('tok-stepper'), merge = $<HTMLInputElement>('tok-merge');
const mergeOut = $<HTMLOutputElement>('tok-merge-out');

const worker = new Worker(new URL('./tokenizer-worker.ts', import.meta.url), { type: 'module' });
let seq = 0;
let last: Extract<FromTokenizer, { type: 'tokens' }> | null = null;

const KIND_NAMES: Record<string, string> = { char: 'character', bpe: 'BPE', 'bpe-gpt2': 'BPE (GPT-2 split)',
  'bpe-gpt4': 'BPE (GPT-4 split)', gpt2: 'GPT-2' };

const visible = (s: string) => showWhitespace(s, { keepBreaks: true });
const quoted = (s: string) => `“${visible(s)}”`;

function request(s: LabState) {
  const t = s.tokenizer;
  const message: ToTokenizer = { type: 'tokenize', seq: ++seq, kind: t.kind, vocabSize: t.vocabSize, corpus: t.corpus,
    text: t.text, merges: t.merges };
  worker.postMessage(message);
}

function renderTokens(tokens: TokenView[], showWhitespace: boolean) {
  const spans = tokens.map((t, i) => {
    const span = document.createElement('span');
    // A token stays on one line unless it holds a line break.
    span.className = `${t.special ? 'tok special' : `tok c${i % 6}`}${t.text.includes('\n') ? '' : ' whole'}`;
    span.textContent = showWhitespace ? visible(t.text) : t.text;
    span.title = `id ${t.id}: ${JSON.stringify(t.text)}`;
    span.setAttribute('role', 'listitem');
    span.setAttribute('aria-label', `${quoted(t.text)}, id ${t.id}`);
    span.dataset.id = String(t.id);
    return span;
  });
  tokensBox.replaceChildren(...spans);
  ids.textContent = tokens.map((t) => t.id).join(', ');
}

function renderCounts(s: LabState, count: number) {
  const chars = [...s.tokenizer.text].length;
  $('tok-chars').textContent = chars.toLocaleString('en');
  $('tok-bytes').textContent = new TextEncoder().encode(s.tokenizer.text).length.toLocaleString('en');
  $('tok-count').textContent = count.toLocaleString('en');
  $('tok-ratio').textContent = count ? (chars / count).toFixed(2) : '–';
}

function renderStepper(m: Extract<FromTokenizer, { type: 'tokens' }>, s: LabState) {
  stepper.disabled = m.mergeCount === 0;
  merge.max = String(m.mergeCount);
  const k = s.tokenizer.merges ?? m.mergeCount;
  merge.value = String(Math.min(k, m.mergeCount));
  merge.setAttribute('aria-valuetext', `${k} merges`);
  if (m.mergeCount === 0)
    mergeOut.textContent = s.tokenizer.kind === 'char' ? 'A character tokenizer has no merges.'
      : 'GPT-2’s pretrained vocabulary comes as ranks, not as a list of merges to step through.';
  else if (!m.merge) mergeOut.textContent = `No merges yet: every byte is its own token (0 of ${m.mergeCount}).`;
  else mergeOut.textContent = `Merge ${k.toLocaleString('en')} of ${m.mergeCount.toLocaleString('en')}: ` +
    `${quoted(m.merge.left)} + ${quoted(m.merge.right)} → ${quoted(m.merge.result)} (id ${m.merge.id}); ` +
    `the vocabulary so far: ${m.vocabSize.toLocaleString('en')} token types.`;
}

function render(s: LabState) {
  if (!last) return;
  renderTokens(last.tokens, s.tokenizer.whitespace);
  renderCounts(s, last.tokens.length);
  renderStepper(last, s);
}

worker.onmessage = (event: MessageEvent<FromTokenizer>) => {
  const m = event.data;
  if (m.seq !== seq) return;  // an answer to a request that has been replaced
  status.className = '';
  if (m.type === 'progress') {
    status.textContent = m.what;
    progress.hidden = false;
    progress.max = m.total;
    progress.value = m.done;
    return;
  }
  progress.hidden = true;
  if (m.type === 'error') {
    status.textContent = m.message;
    status.className = 'error';
    return;
  }
  last = m;
  const s = getState();
  const verb = s.tokenizer.kind === 'gpt2' ? 'loaded' : 'trained';
  const trained = m.trainMs === null ? '' : ` (${verb} in ${Math.round(m.trainMs)} ms)`;
  const full = m.mergeCount ? MIN_BPE_VOCAB + m.mergeCount : m.vocabSize;  // not the stepper's smaller vocabulary
  status.textContent = `${KIND_NAMES[s.tokenizer.kind]} tokenizer: a vocabulary of ${full.toLocaleString('en')} ` +
    `token types${trained}.`;
  tokensBox.dataset.seq = String(m.seq);
  render(s);
};
worker.onerror = (e) => {
  status.textContent = `The tokenizer stopped: ${e.message || 'unknown error'}. Reload the page to start it again.`;
  status.className = 'error';
};

// Controls -> state.
text.addEventListener('input', () => change((s) => { s.tokenizer.text = text.value; }));
kind.addEventListener('change', () => change((s) => { s.tokenizer.kind = kind.value as LabState['tokenizer']['kind']; s.tokenizer.merges = null; }));
vocab.addEventListener('input', () => change((s) => { s.tokenizer.vocabSize = Number(vocab.value); s.tokenizer.merges = null; }));
// The number box: any size the state allows (the slider stops at 4,096); out of range is said, not stored.
vocabNumber.addEventListener('change', () => {
  const ok = vocabNumber.checkValidity() && vocabNumber.value !== '';
  vocabNumber.setAttribute('aria-invalid', String(!ok));
  if (!ok) {
    vocabOut.textContent = `The vocabulary size is a whole number from ${vocabNumber.min} to ${vocabNumber.max}.`;
    return;
  }
  change((s) => { s.tokenizer.vocabSize = vocabNumber.valueAsNumber; s.tokenizer.merges = null; });
});
corpus.addEventListener('change', () => change((s) => { s.tokenizer.corpus = corpus.value as 'austen' | 'text'; s.tokenizer.merges = null; }));
whitespace.addEventListener('change', () => change((s) => { s.tokenizer.whitespace = whitespace.checked; }));
const stepTo = (k: number) => change((s) => {
  const max = Number(merge.max);
  const next = Math.max(0, Math.min(max, k));
  s.tokenizer.merges = next === max ? null : next;
});
merge.addEventListener('input', () => stepTo(Number(merge.value)));
$('tok-merge-prev').addEventListener('click', () => stepTo(Number(merge.value) - 1));
$('tok-merge-next').addEventListener('click', () => stepTo(Number(merge.value) + 1));

// State -> controls, and a new request when anything the tokens depend on changed.
subscribe((s, before) => {
  const t = s.tokenizer, b = before.tokenizer;
  if (text.value !== t.text) text.value = t.text;
  kind.value = t.kind;
  vocab.value = String(t.vocabSize);
  if (document.activeElement !== vocabNumber) vocabNumber.value = String(t.vocabSize);
  vocabNumber.setAttribute('aria-invalid', 'false');
  vocabOut.textContent = t.kind === 'char' ? 'Characters: the vocabulary is every character of the corpus.'
    : t.kind === 'gpt2' ? 'GPT-2’s vocabulary: 50,257 token types.'
    : `${t.vocabSize.toLocaleString('en')} token types: 256 bytes, 5 special tokens and ${(t.vocabSize - MIN_BPE_VOCAB).toLocaleString('en')} merges.`;
  vocab.disabled = vocabNumber.disabled = t.kind === 'char' || t.kind === 'gpt2';
  vocab.setAttribute('aria-valuetext', `${t.vocabSize} token types`);
  vocab.min = String(MIN_BPE_VOCAB);
  corpus.value = t.corpus;
  corpus.disabled = t.kind === 'gpt2';
  whitespace.checked = t.whitespace;
  const needs = (x: typeof t) => [x.kind, x.vocabSize, x.corpus, x.text, x.merges].join('\u0000');
  if (needs(t) !== needs(b) || !last) request(s);
  else render(s);
});
