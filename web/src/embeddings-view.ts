// The Embeddings panel: every row of the token (or learned position) embedding table projected
// onto its two principal components (computed in the core), each point labelled with its token
// and coloured by kind; at each evaluation the points glide to where the model has moved them.
import { fitCanvas } from './line-chart';
import { change, getState, subscribe } from './store';
import { ask } from './trainer-client';
import { errorText } from './error-text';
import { followModel, panelShown } from './inside-view';
import { showWhitespace } from './whitespace';
import { $, onWidthChange } from './dom';

const canvas = $<HTMLCanvasElement>('emb-canvas'), status = $('emb-status'), HEIGHT = 420, PAD = 28, LABELLED = 150;
const special = (t: string) => /^<[a-z]+>$/.test(t);
const KINDS: [string, string, (t: string) => boolean][] = [
  ['special', '#1d2433', (t) => special(t)],
  ['space', '#98a2b3', (t) => /^\s+$/.test(t)],
  ['vowel', '#d9480f', (t) => /^[aeiouAEIOU]$/.test(t)],
  ['letter', '#2f6fed', (t) => /^\p{L}$/u.test(t)],
  ['digit', '#2b8a3e', (t) => /^\p{N}$/u.test(t)],
  ['punctuation', '#9c36b5', () => true],
];
const LENGTHS: [string, string][] = [['1 character', '#98a2b3'], ['2', '#2f6fed'], ['3', '#2b8a3e'], ['4', '#d9480f'], ['5 or more', '#9c36b5']];

interface Points { texts: string[]; x: Float32Array; y: Float32Array; explained: [number, number]; step: number }
let target: Points | null = null, from: { x: Float32Array; y: Float32Array } | null = null, started = 0;

// A BPE vocabulary: some token (not a special one) is longer than one character.
const pieces = (texts: string[]) => texts.some((t) => !special(t) && [...t].length > 1);

// Characters by kind; BPE pieces by length.
function colourOf(texts: string[]): (t: string) => string {
  if (pieces(texts)) return (t) => (special(t) ? '#1d2433' : LENGTHS[Math.max(1, Math.min([...t].length, 5)) - 1][1]);
  return (t) => KINDS.find(([, , test]) => test(t))![1];
}

function legend(texts: string[]) {
  const entries = pieces(texts) ? [['special', '#1d2433'], ...LENGTHS] : KINDS.map(([name, colour]) => [name, colour]);
  $('emb-legend').replaceChildren(...entries.flatMap(([name, colour]) => {
    const dot = Object.assign(document.createElement('span'), { className: 'swatch' });
    dot.style.background = colour;
    return [dot, `${name}  `];
  }));
}

function draw(now = performance.now()) {
  if (!target) return;
  const t = Math.min(1, (now - started) / 500), ease = t * (2 - t);
  const xs = target.x.map((v, i) => (from ? from.x[i] + (v - from.x[i]) * ease : v));
  const ys = target.y.map((v, i) => (from ? from.y[i] + (v - from.y[i]) * ease : v));
  const width = canvas.clientWidth, dpr = devicePixelRatio || 1;
  canvas.style.height = `${HEIGHT}px`;
  fitCanvas(canvas, width, HEIGHT, dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx || width === 0) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, HEIGHT);
  const span = (v: Float32Array) => [Math.min(...v), Math.max(...v)];
  const [x0, x1] = span(target.x), [y0, y1] = span(target.y);
  const px = (v: number) => PAD + ((v - x0) / (x1 - x0 || 1)) * (width - 2 * PAD);
  const py = (v: number) => HEIGHT - PAD - ((v - y0) / (y1 - y0 || 1)) * (HEIGHT - 2 * PAD);
  ctx.strokeStyle = '#e6e9ef';
  ctx.strokeRect(PAD / 2, PAD / 2, width - PAD, HEIGHT - PAD);
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = '#4a5468';
  const [e1, e2] = target.explained.map((e) => `${(100 * e).toFixed(0)}%`);
  ctx.fillText(`component 1 (${e1} of the spread) →`, PAD, HEIGHT - 6);
  ctx.save();
  ctx.translate(12, HEIGHT - PAD);
  ctx.rotate(-Math.PI / 2);
  ctx.fillText(`component 2 (${e2}) →`, 0, 0);
  ctx.restore();
  const colour = colourOf(target.texts), every = Math.ceil(target.texts.length / LABELLED);
  ctx.font = '12px ui-monospace, monospace';
  target.texts.forEach((text, i) => {
    ctx.fillStyle = colour(text);
    if (i % every === 0) ctx.fillText(showWhitespace(text), px(xs[i]) - 3, py(ys[i]) + 4);
    else ctx.fillRect(px(xs[i]) - 1.5, py(ys[i]) - 1.5, 3, 3);
  });
  canvas.dataset.step = String(target.step);
  canvas.dataset.tokens = JSON.stringify(target.texts);
  if (t < 1) requestAnimationFrame(draw);
}

async function refresh() {
  try {
    const { answer: a, step } = await ask({ kind: 'embeddings', table: getState().inside.table });
    const same = target && target.texts.length === a.texts.length;
    from = same ? { x: target!.x, y: target!.y } : null;
    target = { ...a, step };
    started = performance.now();
    legend(a.texts);
    status.textContent = `The model at step ${step.toLocaleString('en')}: ${a.texts.length} rows; the two directions shown hold ` +
      `${(100 * (a.explained[0] + a.explained[1])).toFixed(0)}% of how the rows differ.`;
    requestAnimationFrame(draw);
  } catch (e) {
    target = null;
    canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
    status.textContent = errorText(e);
  }
}

canvas.addEventListener('pointermove', (e) => {
  if (!target) return;
  const box = canvas.getBoundingClientRect(), width = canvas.clientWidth;
  const [x0, x1] = [Math.min(...target.x), Math.max(...target.x)], [y0, y1] = [Math.min(...target.y), Math.max(...target.y)];
  let best = -1, bestD = Infinity;
  target.texts.forEach((_, i) => {
    const dx = PAD + ((target!.x[i] - x0) / (x1 - x0 || 1)) * (width - 2 * PAD) - (e.clientX - box.left);
    const dy = HEIGHT - PAD - ((target!.y[i] - y0) / (y1 - y0 || 1)) * (HEIGHT - 2 * PAD) - (e.clientY - box.top);
    if (dx * dx + dy * dy < bestD) [best, bestD] = [i, dx * dx + dy * dy];
  });
  if (best >= 0 && bestD < 400) $('emb-readout').textContent = `“${showWhitespace(target.texts[best])}” (row ${best}).`;
});
$<HTMLSelectElement>('emb-table').addEventListener('change', (e) =>
  change((s) => { s.inside.table = (e.target as HTMLSelectElement).value as 'tokens' | 'positions'; }));
subscribe((s, before) => {
  $<HTMLSelectElement>('emb-table').value = s.inside.table;
  if (s.inside.table !== before.inside.table && panelShown() === 'embeddings') {
    target = null;
    void refresh();
  }
});
onWidthChange(canvas, draw);
followModel('embeddings', () => void refresh());
