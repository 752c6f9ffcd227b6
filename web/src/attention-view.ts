// Inside the model: every layer's attention on a text the user types (a grid of layers x
// heads, as BertViz's model view, or one head large) with the tokens along both axes, a
// readout of the cell under the pointer, refreshed after each evaluation while the model
// trains; and RoPE's rotation by position. An embedded view can train a model of its own.
import { AttentionPanel } from './attention-panel';
import { AttentionLines } from './attention-lines';
import { describePattern, headPattern } from './head-summary';
import type { Square } from './attention-grid';
import { loadGptlab, type GptlabModule } from './gptlab';
import type { LabState } from './lab-state';
import { change, getState, subscribe } from './store';
import { nextSeq, onTrainer, sendTrainer } from './trainer-client';
import { panelShown } from './inside-view';
import type { FromTrainer } from './train-protocol';
import { $ } from './dom';

const text = $<HTMLInputElement>('att-text'), headSelect = $<HTMLSelectElement>('att-head');
const status = $<HTMLParagraphElement>('att-status'), canvas = $<HTMLCanvasElement>('att-canvas');
const panel = new AttentionPanel(canvas, $('att-tip'), $('att-hover'));
const linesCanvas = $<HTMLCanvasElement>('att-lines-canvas'), lines = new AttentionLines(linesCanvas, $('att-hover'));

let model: { layers: number; heads: number } | null = null;
let seq = 0;
let shown: Extract<FromTrainer, { type: 'inspected' }> | null = null;
let timer: ReturnType<typeof setTimeout> | undefined;

// On the attention panel, or shown inside a lesson.
const visible = () => panelShown() === 'attention' || $('lesson-live').contains(canvas);

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

// The chosen squares: every layer's every head, or one head.
function squares(s: LabState, m: NonNullable<typeof shown>): Square[] {
  const { layer, head } = s.attention;
  if (head >= 0 && layer < m.weights.length && head < m.heads) return [{ layer, head }];
  return m.weights.flatMap((_, l) => Array.from({ length: m.heads }, (_, h) => ({ layer: l, head: h })));
}

function render() {
  if (!shown) return;
  const s = getState(), m = shown;
  if (!m.weights.length) {  // a model without blocks (layers 0) has no attention to show
    panel.clear();
    status.textContent = 'This model has no layers, so no attention: it predicts each token from the one before it alone ' +
      '(a bigram model). Train one with at least one layer to see its heads.';
    status.className = '';
    return;
  }
  const chosen = squares(s, m), one = chosen.length === 1 ? chosen[0] : null, T = m.tokens.length;
  const asLines = one !== null && s.attention.lines;
  $('att-heatmap').hidden = asLines;
  linesCanvas.hidden = !asLines;
  $<HTMLInputElement>('att-lines').disabled = one === null;
  if (asLines) lines.show(m.tokens, m.weights[one.layer], one.head * T * T);
  panel.show({ weights: m.weights, heads: m.heads, tokens: m.tokens, squares: chosen, columns: chosen.length > 1 ? m.heads : 1 });
  panel.onPick = chosen.length > 1 ? ({ layer, head }) => change((st) => Object.assign(st.attention, { layer, head })) : null;
  canvas.dataset.step = String(m.step);
  headSelect.value = s.attention.head < 0 ? '-1' : `${s.attention.layer}:${s.attention.head}`;
  const pattern = one && describePattern(headPattern(m.weights[one.layer], one.head * T * T, m.tokens));
  status.textContent = `The model at step ${m.step.toLocaleString('en')}: ${m.tokens.length} tokens, ` +
    `${m.weights.length} layers x ${m.heads} heads.` + (one ? ` Layer ${one.layer + 1}, head ${one.head + 1} attends ` +
    `${pattern ?? 'to many tokens at once (no single pattern takes half its attention)'}.` : '');
  status.className = '';
}

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
$('att-lines').addEventListener('change', (e) => change((s) => { s.attention.lines = (e.target as HTMLInputElement).checked; }));
headSelect.addEventListener('change', () => change((s) => {
  const [layer, head] = headSelect.value === '-1' ? [s.attention.layer, -1] : headSelect.value.split(':').map(Number);
  s.attention.layer = layer;
  s.attention.head = head;
}));

subscribe((s, before) => {
  if (text.value !== s.attention.text) text.value = s.attention.text;
  const opened = panelShown() === 'attention' && (before.view !== s.view || before.inside.panel !== 'attention');
  if (s.attention.text !== before.attention.text || opened) {
    clearTimeout(timer);
    timer = setTimeout(inspect, 150);
  } else if (s.attention.head !== before.attention.head || s.attention.layer !== before.attention.layer ||
    s.attention.lines !== before.attention.lines) render();
  $<HTMLInputElement>('att-lines').checked = s.attention.lines;
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
$('att-instrument').addEventListener('shown', () => inspect());
$('rope-instrument').addEventListener('shown', () => void drawRope(getState()));
