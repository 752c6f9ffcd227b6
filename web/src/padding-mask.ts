// A padded batch and the attention mask over it (Lesson 3). Documents of different lengths are
// filled with <pad> to the longest. In a masked (bidirectional) model each token may look at
// every other one, so only the key mask keeps real tokens from attending to the padding:
//   score(i, j) = -inf  where key j is <pad>   =>   softmax gives it weight exactly 0.
// First drawn as the mask itself (character tokens); "the model's attention" then shows the
// weights of the model trained last over the same batch (its first layer, heads averaged),
// from the core, padded keys at exactly 0 unless it was trained without the key mask.
import { ask } from './trainer-client';
import { errorText } from './error-text';
import { showWhitespace } from './whitespace';
import { $ } from './dom';

const DOCS = ['Mr. Darcy bowed.', 'She smiled.', 'Yes!'];
interface Batch { tokens: string[][]; padded: boolean[][]; weights?: number[][][]; step?: number }  // weights[b][i][j]

// The batch as character tokens, padded to the longest.
function characters(): Batch {
  const T = Math.max(...DOCS.map((d) => [...d].length));
  return { tokens: DOCS.map((d) => [...d, ...Array(T - [...d].length).fill('<pad>')]),
    padded: DOCS.map((d) => Array.from({ length: T }, (_, t) => t >= [...d].length)) };
}
let batch = characters();
let picked = 1;

const cell = (text: string, className: string, title?: string) =>
  Object.assign(document.createElement('span'), { textContent: text, className, title: title ?? '' });
const label = (t: string, pad: boolean) => (pad ? 'p' : showWhitespace(t));

function draw() {
  const keyMask = $<HTMLInputElement>('pad-key-mask').checked, T = batch.tokens[0].length;
  $('pad-batch').replaceChildren(...batch.tokens.map((tokens, b) => {
    const row = Object.assign(document.createElement('button'), { type: 'button', className: 'pad-row' });
    row.setAttribute('aria-pressed', String(b === picked));
    const pads = batch.padded[b].filter(Boolean).length;
    row.setAttribute('aria-label', `Document ${b + 1}: ${DOCS[b]}, ${pads} padding tokens`);
    tokens.forEach((t, i) => row.append(batch.padded[b][i] ? cell('pad', 'pad-tok pad') : cell(showWhitespace(t), 'pad-tok')));
    row.addEventListener('click', () => { picked = b; draw(); });
    return row;
  }));
  // The picked document: rows are queries, columns keys.
  const tokens = batch.tokens[picked], padded = batch.padded[picked], weights = batch.weights?.[picked];
  const grid = $('pad-grid');
  grid.style.gridTemplateColumns = `repeat(${T + 1}, var(--cell))`;
  const cells = [cell('', 'corner')];
  for (let j = 0; j < T; j++) cells.push(cell(label(tokens[j], padded[j]), padded[j] ? 'key pad' : 'key', padded[j] ? 'key: <pad>' : `key ${j + 1}`));
  for (let i = 0; i < T; i++) {
    cells.push(cell(label(tokens[i], padded[i]), padded[i] ? 'query pad' : 'query', padded[i] ? 'query: <pad>' : `query ${i + 1}`));
    for (let j = 0; j < T; j++) {
      const w = weights?.[i][j];
      const state = padded[i] ? 'unused' : w !== undefined ? (w === 0 ? 'hidden' : padded[j] ? 'leaks' : 'sees')
        : !padded[j] ? 'sees' : keyMask ? 'hidden' : 'leaks';
      const c = cell('', `m ${state}`, w === undefined ? { sees: 'attends', hidden: 'hidden by the key mask (weight 0)',
        leaks: 'attends to padding', unused: 'a padding query: its output is never used' }[state] : `weight ${w.toFixed(3)}`);
      if (w !== undefined && state !== 'unused' && state !== 'hidden') c.style.opacity = String(0.15 + 0.85 * Math.min(1, Math.sqrt(w)));
      cells.push(c);
    }
  }
  grid.replaceChildren(...cells);
  $('pad-explain').textContent = weights ? modelSentence(padded, weights) : maskSentence(padded, keyMask);
}

function maskSentence(padded: boolean[], keyMask: boolean) {
  const pads = padded.filter(Boolean).length, n = padded.length - pads;
  if (pads === 0) return 'This document is the longest: it has no padding, whatever the mask. Pick a shorter one.';
  return keyMask
    ? `With the key mask, each of the ${n} real tokens spreads its attention over the ${n} real tokens only; the ` +
      `${pads} padding columns get weight exactly 0, so the document is read the same however long its batch-mates are.`
    : `Without the key mask, each real token also attends to ${pads} padding positions. Its output now depends on ` +
      'how long the other documents in the batch happen to be: the same sentence gives different predictions in ' +
      'different batches.';
}

// What the model trained last does: the share of attention its real tokens give the padding.
function modelSentence(padded: boolean[], weights: number[][]) {
  const rows = weights.filter((_, i) => !padded[i]);
  const share = rows.reduce((sum, row) => sum + row.reduce((s, w, j) => s + (padded[j] ? w : 0), 0), 0) / Math.max(1, rows.length);
  return `The model trained last (step ${batch.step?.toLocaleString('en')}), first layer, heads averaged: its real tokens give ` +
    `the padding ${(100 * share).toFixed(share === 0 ? 0 : 2)}% of their attention` + (share === 0
    ? ' (exactly nothing: the key mask hides it).' : '. It was trained without the key mask, or pads on the left of a causal model.');
}

async function showModel() {
  try {
    const { answer: a, step } = await ask({ kind: 'padded-attention', texts: DOCS, layer: 0 });
    const T = a.length, H = a.heads;
    const weights = a.tokens.map((_, b) => Array.from({ length: T }, (_, i) => Array.from({ length: T }, (_, j) => {
      let sum = 0;
      for (let h = 0; h < H; h++) sum += a.weights[((b * H + h) * T + i) * T + j];
      return sum / H;
    })));
    batch = { tokens: a.tokens, padded: a.tokens.map((_, b) => Array.from({ length: T }, (_, t) => a.padded[b * T + t] === 1)), weights, step };
    $('pad-grid').dataset.step = String(step);
    draw();
  } catch (e) {
    $('pad-explain').textContent = errorText(e);
  }
}

$('pad-key-mask').addEventListener('change', () => {
  batch = characters();  // back to the mask itself
  draw();
});
$('pad-model').addEventListener('click', () => void showModel());
$('pad-mask').addEventListener('shown', draw);
