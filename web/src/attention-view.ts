// Inside the model: every layer's attention on a text the user types (a grid of layers x
// heads, as BertViz's model view, or one head large), hover to read a cell, refreshed after
// each evaluation while the model trains; and RoPE's rotation by position.
import { cellAt, drawAttentionGrid, type GridLayout } from './attention-grid';
import { loadGptlab, type GptlabModule } from './gptlab';
import type { LabState } from './lab-state';
import { change, embedView, getState, subscribe } from './store';
import { nextSeq, onTrainer, sendTrainer } from './trainer-client';
import { trainSomething } from './train-view';
import type { FromTrainer } from './train-protocol';
import { $ } from './dom';

const text = $<HTMLInputElement>('att-text'), headSelect = $<HTMLSelectElement>('att-head');
const status = $<HTMLParagraphElement>('att-status'), canvas = $<HTMLCanvasElement>('att-canvas');
const hover = $<HTMLParagraphElement>('att-hover');

let model: { layers: number; heads: number } | null = null;
let seq = 0;
let shown: Extract<FromTrainer, { type: 'inspected' }> | null = null;
let layout: GridLayout | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

const visible = () => (embedView() ?? getState().view) === 'attention';
const quoted = (t: string) => `“${t.replace(/\n/g, '↵')}”`;

function inspect() {
  if (!model || !visible()) return;
  sendTrainer({ type: 'inspect', seq: (seq = nextSeq()), text: getState().attention.text });
}

function fillHeadChoices(layers: number, heads: number) {
  const options = [new Option('every head of every layer', '-1')];
  for (let l = 0; l < layers; l++)
    for (let h = 0; h < heads; h++) options.push(new Option(`layer ${l + 1}, head ${h + 1}`, `${l}:${h}`));
  headSelect.replaceChildren(...options);
}

// The chosen squares: all layers, or one layer's one head.
function squares(s: LabState, m: NonNullable<typeof shown>) {
  const T = m.tokens.length;
  if (s.attention.head < 0 || s.attention.layer >= m.weights.length || s.attention.head >= m.heads)
    return { layers: m.weights, heads: m.heads, pick: (row: number, col: number) => [row, col] };
  const { layer, head } = s.attention;
  return { layers: [m.weights[layer].subarray(head * T * T, (head + 1) * T * T)], heads: 1, pick: () => [layer, head] };
}

function render() {
  if (!shown) return;
  const s = getState(), m = shown, chosen = squares(s, m);
  layout = drawAttentionGrid(canvas, chosen.layers, chosen.heads, m.tokens.length, chosen.heads > 1);
  canvas.dataset.step = String(m.step);
  headSelect.value = s.attention.head < 0 ? '-1' : `${s.attention.layer}:${s.attention.head}`;
  status.textContent = `The model at step ${m.step.toLocaleString('en')}: ${m.tokens.length} tokens, ` +
    `${m.weights.length} layers x ${m.heads} heads.`;
  status.className = '';
}

// The cell under the pointer, or under the keyboard's cursor, is read out in words.
let cursor = { row: 0, col: 0, query: 0, key: 0 };
function readOut(hit: typeof cursor) {
  if (!shown) return;
  cursor = hit;
  const T = shown.tokens.length, [layer, head] = squares(getState(), shown).pick(hit.row, hit.col);
  const w = shown.weights[layer][(head * T + hit.query) * T + hit.key];
  hover.textContent = `Layer ${layer + 1}, head ${head + 1}: ${quoted(shown.tokens[hit.query])} attends to ` +
    `${quoted(shown.tokens[hit.key])} with weight ${w.toFixed(3)}.`;
}
canvas.addEventListener('pointermove', (e) => {
  if (!layout) return;
  const box = canvas.getBoundingClientRect();
  const hit = cellAt(layout, ((e.clientX - box.left) * canvas.width) / box.width, ((e.clientY - box.top) * canvas.height) / box.height);
  if (hit) readOut(hit);
});
// Arrow keys walk the cells of the whole grid, square to square.
canvas.addEventListener('keydown', (e) => {
  const move = { ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] }[e.key];
  if (!layout || !move) return;
  e.preventDefault();
  const { T, rows, cols } = layout;
  const y = Math.max(0, Math.min(rows * T - 1, cursor.row * T + cursor.query + move[0]));
  const x = Math.max(0, Math.min(cols * T - 1, cursor.col * T + cursor.key + move[1]));
  readOut({ row: Math.floor(y / T), col: Math.floor(x / T), query: y % T, key: x % T });
});

onTrainer((m) => {
  if (m.type === 'started') {
    model = { layers: m.layers, heads: m.heads };
    fillHeadChoices(m.layers, m.heads);
    inspect();
  } else if (m.type === 'eval') inspect();
  else if (m.type === 'inspected' && m.seq === seq) {
    shown = m;
    render();
  } else if (m.type === 'error' && m.seq === seq) {
    status.textContent = m.message;
    status.className = 'error';
  }
});

text.addEventListener('input', () => change((s) => { s.attention.text = text.value; }));
$('att-train').addEventListener('click', () => {
  status.textContent = 'Starting to train…';
  trainSomething();
});
headSelect.addEventListener('change', () => change((s) => {
  const [layer, head] = headSelect.value === '-1' ? [s.attention.layer, -1] : headSelect.value.split(':').map(Number);
  s.attention.layer = layer;
  s.attention.head = head;
}));

subscribe((s, before) => {
  if (text.value !== s.attention.text) text.value = s.attention.text;
  if (s.attention.text !== before.attention.text || (s.view === 'attention' && before.view !== 'attention')) {
    clearTimeout(timer);
    timer = setTimeout(inspect, 150);
  } else if (s.attention.head !== before.attention.head || s.attention.layer !== before.attention.layer) render();
  if (visible()) void drawRope(s);
});

// RoPE: the first, a middle and the last pair of a head, each a circle on which a query
// pair (1, 0) turns by the core's angle for every position up to the block size.
let core: Promise<GptlabModule> | null = null;
async function drawRope(s: LabState) {
  const headDim = Math.floor(s.train.embd / s.train.heads), T = s.train.block, half = headDim / 2;
  const slider = $<HTMLInputElement>('rope-pos');
  slider.max = String(T - 1);
  const pos = Math.min(Number(slider.value), T - 1);
  $('rope-pos-out').textContent = String(pos);
  if (headDim < 2 || headDim % 2) {
    $('rope-readout').textContent = `A head size of ${headDim} (n_embd / heads) has no pairs to turn; RoPE needs an even head size.`;
    return;
  }
  core ??= loadGptlab();
  const { cos, sin } = (await core).ropeTables(T, headDim, 10000);
  const ctx = $<HTMLCanvasElement>('rope-canvas').getContext('2d');
  if (!ctx) return;
  const pairs = [...new Set([0, Math.floor(half / 2), half - 1])];
  const w = ctx.canvas.width / pairs.length, r = Math.min(w, ctx.canvas.height) / 2 - 24;
  ctx.clearRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.font = '12px system-ui, sans-serif';
  pairs.forEach((i, n) => {
    const cx = w * n + w / 2, cy = ctx.canvas.height / 2 - 6;
    ctx.strokeStyle = '#dde1e8';
    ctx.beginPath();
    ctx.arc(cx, cy, r, 0, 2 * Math.PI);
    ctx.stroke();
    for (let t = 0; t <= pos; t++) {  // the tip at every position so far, fading into the past
      ctx.fillStyle = `rgba(47, 111, 237, ${0.15 + (0.85 * (t + 1)) / (pos + 1)})`;
      ctx.beginPath();
      ctx.arc(cx + r * cos[t * half + i], cy - r * sin[t * half + i], 3, 0, 2 * Math.PI);
      ctx.fill();
    }
    ctx.strokeStyle = '#2f6fed';
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.moveTo(cx, cy);
    ctx.lineTo(cx + r * cos[pos * half + i], cy - r * sin[pos * half + i]);
    ctx.stroke();
    ctx.fillStyle = '#4a5468';
    ctx.fillText(`pair ${i + 1} of ${half}`, cx - 30, ctx.canvas.height - 6);
  });
  const step = Math.atan2(sin[half], cos[half]);  // pair 1 turns by this much per position
  $('rope-readout').textContent = `Head size ${headDim}: at position ${pos} pair 1 has turned ${(pos * step).toFixed(2)} rad ` +
    `(1 rad per position), the slowest pair ${(pos * Math.atan2(sin[2 * half - 1], cos[2 * half - 1])).toFixed(4)} rad.`;
}
$('rope-pos').addEventListener('input', () => void drawRope(getState()));
