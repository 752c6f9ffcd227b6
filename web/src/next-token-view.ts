// The Next token panel: for the text, the probability of every candidate next token as a sorted
// bar chart (the 20 likeliest and "the rest"): pale, the model's own odds; solid, the odds after
// the sampling settings (temperature, top-k, top-p), which is the distribution the core's sampler
// draws from, computed by the core. "Sample one token" draws one and appends it to the text.
import { fitCanvas } from './line-chart';
import { change, getState, subscribe } from './store';
import { ask } from './trainer-client';
import { errorText } from './error-text';
import { followModel, panelShown } from './inside-view';
import { showWhitespace } from './whitespace';
import { $, onWidthChange } from './dom';
import type { Answer } from './train-protocol';

const SHOWN = 20, ROW = 20, PALE = '#c5d6fb', SOLID = '#2f6fed', OUT = '#adb5bd', INK = '#4a5468';
const text = $<HTMLTextAreaElement>('next-text'), status = $('next-status'), canvas = $<HTMLCanvasElement>('next-chart');
const sliders = { temperature: $<HTMLInputElement>('next-temp'), topK: $<HTMLInputElement>('next-topk'), topP: $<HTMLInputElement>('next-topp') };
type NextToken = Extract<Answer, { kind: 'next-token' }>;
let shown: { answer: NextToken; step: number } | null = null;
let asked = 0;

const sampling = () => {
  const { temperature, topK, topP } = getState().inside;
  return { temperature, topK, topP };
};

async function refresh() {
  const mine = ++asked;
  try {
    const got = await ask({ kind: 'next-token', text: getState().attention.text, sampling: sampling() });
    if (mine !== asked) return;  // a newer question is on its way
    shown = got;
    draw();
  } catch (e) {
    if (mine === asked) status.textContent = errorText(e);
  }
}

interface Row { label: string; model: number; sampled: number; id: number | null }

// The 20 likeliest tokens (the model's order, which no setting changes) and the rest together.
function rows(a: NextToken): Row[] {
  const order = Array.from(a.probabilities.keys()).sort((x, y) => a.probabilities[y] - a.probabilities[x]);
  const top: Row[] = order.slice(0, SHOWN).map((id) => ({ label: showWhitespace(a.vocabulary[id]), model: a.probabilities[id], sampled: a.sampled[id], id }));
  const rest = order.slice(SHOWN);
  if (rest.length) top.push({ label: `the other ${rest.length.toLocaleString('en')}`, id: null,
    model: rest.reduce((sum, id) => sum + a.probabilities[id], 0), sampled: rest.reduce((sum, id) => sum + a.sampled[id], 0) });
  return top;
}

function draw() {
  if (!shown) return;
  const { answer: a, step } = shown, list = rows(a);
  const width = canvas.clientWidth, height = list.length * ROW + 8, dpr = devicePixelRatio || 1;
  canvas.style.height = `${height}px`;
  fitCanvas(canvas, width, height, dpr);
  const ctx = canvas.getContext('2d');
  if (!ctx || width === 0) return;
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  ctx.font = '12px ui-monospace, monospace';
  const labelWidth = Math.min(140, Math.max(...list.map((r) => ctx.measureText(r.label).width)) + 10), barWidth = width - labelWidth - 70;
  const max = Math.max(...list.map((r) => Math.max(r.model, r.sampled)), 1e-9);
  list.forEach((r, i) => {
    const y = 4 + i * ROW, out = r.sampled === 0;
    ctx.fillStyle = out ? OUT : INK;
    ctx.textAlign = 'right';
    ctx.fillText(r.label, labelWidth - 6, y + 13, labelWidth - 8);
    ctx.fillStyle = PALE;
    ctx.fillRect(labelWidth, y + 3, (barWidth * r.model) / max, 6);
    ctx.fillStyle = out ? OUT : SOLID;
    ctx.fillRect(labelWidth, y + 9, Math.max(out ? 0 : 1, (barWidth * r.sampled) / max), 8);
    ctx.fillStyle = out ? OUT : INK;
    ctx.textAlign = 'left';
    ctx.fillText(out ? 'ruled out' : `${(100 * r.sampled).toFixed(1)}%`, labelWidth + barWidth + 6, y + 13);
  });
  canvas.dataset.tokens = JSON.stringify(list.filter((r) => r.id !== null).map((r) => a.vocabulary[r.id!]));
  canvas.dataset.step = String(step);
  const kept = Array.from(a.sampled).filter((p) => p > 0).length;
  status.textContent = `After “${showWhitespace(a.tokens.join(''))}”, the model at step ${step.toLocaleString('en')}: ` +
    `${kept.toLocaleString('en')} of ${a.sampled.length.toLocaleString('en')} tokens can be drawn with these settings; ` +
    `the likeliest, “${showWhitespace(a.vocabulary[Array.from(a.probabilities.keys()).reduce((b, i) => (a.probabilities[i] > a.probabilities[b] ? i : b), 0)])}”, ` +
    `has ${(100 * Math.max(...a.sampled)).toFixed(1)}% after them.`;
}

// Reads out the row under the pointer.
canvas.addEventListener('pointermove', (e) => {
  if (!shown) return;
  const list = rows(shown.answer), i = Math.floor((e.clientY - canvas.getBoundingClientRect().top - 4) / ROW);
  const r = list[i];
  if (!r) return;
  $('next-readout').textContent = `“${r.label}”: the model gives it ${(100 * r.model).toFixed(2)}%; ` +
    (r.sampled === 0 ? 'the settings rule it out.' : `after the settings, ${(100 * r.sampled).toFixed(2)}%.`);
});

for (const [key, input] of Object.entries(sliders) as [keyof typeof sliders, HTMLInputElement][])
  input.addEventListener('input', () => change((s) => { s.inside[key] = input.valueAsNumber; }));
text.addEventListener('input', () => change((s) => { s.attention.text = text.value; }));
$('next-sample').addEventListener('click', async () => {
  try {
    const { answer } = await ask({ kind: 'sample', text: getState().attention.text,
      sampling: { ...sampling(), seed: Math.floor(Math.random() * 2 ** 31) } });
    change((s) => { s.attention.text = (s.attention.text + answer.piece).slice(-1000); });
  } catch (e) {
    status.textContent = errorText(e);
  }
});

let timer: ReturnType<typeof setTimeout> | undefined;
subscribe((s, before) => {
  if (text.value !== s.attention.text) text.value = s.attention.text;
  const { temperature, topK, topP } = s.inside;
  sliders.temperature.value = String(temperature);
  sliders.topK.value = String(topK);
  sliders.topP.value = String(topP);
  $('next-temp-out').textContent = temperature === 0 ? '0 (always the likeliest)' : temperature.toFixed(2);
  $('next-topk-out').textContent = topK === 0 ? 'off' : String(topK);
  $('next-topp-out').textContent = topP === 1 ? 'off' : topP.toFixed(2);
  const changed = s.attention.text !== before.attention.text || temperature !== before.inside.temperature ||
    topK !== before.inside.topK || topP !== before.inside.topP;
  if (changed && panelShown() === 'next-token') {
    clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 60);
  }
});
onWidthChange(canvas, draw);
followModel('next-token', () => void refresh());
