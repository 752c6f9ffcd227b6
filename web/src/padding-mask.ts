// A padded batch and the attention mask over it (Lesson 3). Documents of different lengths are
// filled with <pad> to the longest. In a masked (bidirectional) model each token may look at
// every other one, so only the key mask keeps real tokens from attending to the padding:
//   score(i, j) = -inf  where key j is <pad>   =>   softmax gives it weight exactly 0.
// Character tokens, so that every column is one letter.
import { showWhitespace } from './whitespace';
import { $ } from './dom';

const DOCS = ['Mr. Darcy bowed.', 'She smiled.', 'Yes!'];
const T = Math.max(...DOCS.map((d) => [...d].length));
let picked = 1;

const cell = (text: string, className: string, title?: string) =>
  Object.assign(document.createElement('span'), { textContent: text, className, title: title ?? '' });

function draw() {
  const keyMask = $<HTMLInputElement>('pad-key-mask').checked;
  const docs = DOCS.map((d) => [...d]);
  $('pad-batch').replaceChildren(...docs.map((chars, b) => {
    const row = Object.assign(document.createElement('button'), { type: 'button', className: 'pad-row' });
    row.setAttribute('aria-pressed', String(b === picked));
    row.setAttribute('aria-label', `Document ${b + 1}: ${DOCS[b]}, ${T - chars.length} padding tokens`);
    for (let t = 0; t < T; t++) row.append(t < chars.length ? cell(showWhitespace(chars[t]), 'pad-tok') : cell('pad', 'pad-tok pad'));
    row.addEventListener('click', () => { picked = b; draw(); });
    return row;
  }));
  // The mask of the picked document: rows are queries, columns keys.
  const chars = docs[picked], n = chars.length;
  const grid = $('pad-grid');
  grid.style.gridTemplateColumns = `repeat(${T + 1}, var(--cell))`;
  const label = (t: number) => (t < n ? showWhitespace(chars[t]) : 'p');
  const cells = [cell('', 'corner')];
  for (let j = 0; j < T; j++) cells.push(cell(label(j), j < n ? 'key' : 'key pad', j < n ? `key ${j + 1}` : 'key: <pad>'));
  for (let i = 0; i < T; i++) {
    cells.push(cell(label(i), i < n ? 'query' : 'query pad', i < n ? `query ${i + 1}` : 'query: <pad>'));
    for (let j = 0; j < T; j++) {
      const state = i >= n ? 'unused' : j < n ? 'sees' : keyMask ? 'hidden' : 'leaks';
      cells.push(cell('', `m ${state}`, { sees: 'attends', hidden: 'hidden by the key mask (weight 0)',
        leaks: 'attends to padding', unused: 'a padding query: its output is never used' }[state]));
    }
  }
  grid.replaceChildren(...cells);
  const pads = T - n;
  $('pad-explain').textContent = pads === 0
    ? `Document ${picked + 1} is the longest: it has no padding, whatever the mask. Pick a shorter one.`
    : keyMask
      ? `With the key mask, each of the ${n} real tokens spreads its attention over the ${n} real tokens only; the ` +
        `${pads} padding columns get weight exactly 0, so the document is read the same however long its batch-mates are.`
      : `Without the key mask, each real token also attends to ${pads} padding positions. Its output now depends on ` +
        `how long the other documents in the batch happen to be: the same sentence gives different predictions in ` +
        'different batches.';
}

$('pad-key-mask').addEventListener('change', draw);
$('pad-mask').addEventListener('shown', draw);
