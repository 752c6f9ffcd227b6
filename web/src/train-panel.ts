// The "Train a model" section: buttons, live figures, the loss chart, samples.
import corpusUrl from '/corpus/pride-and-prejudice.txt?url';
import { drawAttention } from './attention-grid';
import { drawLossChart } from './loss-chart';
import type { FromTrainer, ToTrainer, TrainState } from './train-protocol';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const start = $<HTMLButtonElement>('train-start'), pause = $<HTMLButtonElement>('train-pause');
const stop = $<HTMLButtonElement>('train-stop'), status = $<HTMLParagraphElement>('train-status');
const chart = $<HTMLCanvasElement>('train-chart'), sample = $<HTMLPreElement>('train-sample');

// ?config=benchmark trains the benchmark model of BENCHMARKS.md (4 layers, 4 heads, n_embd 128,
// block 64, batch 32, dropout 0.1) instead of the lab's small default; ?threads=N caps the threads.
const query = new URLSearchParams(location.search);
const benchmark = query.get('config') === 'benchmark';
const threads = Number(query.get('threads')) || undefined;
const STEPS = 2000;
let worker: Worker | null = null;
let state: TrainState = 'idle';
const train: [number, number][] = [], val: [number, number][] = [];

function send(m: ToTrainer) { worker?.postMessage(m); }

function show(s: TrainState, detail?: string) {
  state = s;
  start.disabled = s === 'loading' || s === 'training' || s === 'paused';
  pause.disabled = s !== 'training' && s !== 'paused';
  pause.textContent = s === 'paused' ? 'Resume' : 'Pause';
  stop.disabled = s !== 'training' && s !== 'paused';
  const words: Record<TrainState, string> = { idle: 'Ready.', loading: 'Loading…', training: 'Training', paused: 'Paused.',
    stopped: 'Stopped.', done: 'Done.' };
  status.textContent = detail ? `${words[s]} ${detail}` : words[s];
  status.dataset.state = s;
}

function onMessage(m: FromTrainer) {
  if (m.type === 'state') show(m.state, m.detail);
  else if (m.type === 'progress') {
    train.push([m.step, m.loss]);
    $('train-step').textContent = `${m.step} / ${m.steps}`;
    $('train-loss').textContent = m.loss.toFixed(3);
    $('train-speed').textContent = `${Math.round(m.tokensPerSecond).toLocaleString('en')} on ${m.threads} thread${m.threads > 1 ? 's' : ''}`;
    if (state === 'training') status.textContent = `Training: about ${Math.ceil(m.etaSeconds / 60)} min left.`;
    drawLossChart(chart, [{ color: '#2f6fed', points: train }, { color: '#d9480f', points: val }], m.steps);
  } else if (m.type === 'eval') {
    val.push([m.step, m.valLoss]);
    $('train-val').textContent = m.valLoss.toFixed(3);
  } else if (m.type === 'sample') sample.textContent = m.text;
  else if (m.type === 'attention') {
    const canvas = $<HTMLCanvasElement>('train-attention');
    drawAttention(canvas, m.weights, m.heads, m.tokens.length);
    canvas.dataset.step = String(m.step);
    canvas.dataset.heads = String(m.heads);
  }
  else if (m.type === 'error') {
    status.textContent = m.message;
    status.className = 'error';
  }
}

start.addEventListener('click', () => {
  worker ??= new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (e: MessageEvent<FromTrainer>) => onMessage(e.data);
  worker.onerror = (e) => onMessage({ type: 'error', message: `The training worker stopped: ${e.message || 'unknown error'}` });
  train.length = 0;
  val.length = 0;
  status.className = '';
  send({
    type: 'start', corpusUrl, steps: STEPS, evalEvery: 50, sampleEvery: 50,
    options: { threads, ...(benchmark
      ? { batchSize: 32, evalBatches: 4, seed: 1337, lr: { max: 1e-3, min: 1e-5, warmup: 100, total: STEPS },
          dropout: { start: 0.1 }, model: { layers: 4, heads: 4, embd: 128, block: 64 } }
      : { batchSize: 16, evalBatches: 4, seed: 1337, lr: { max: 2e-3, min: 1e-4, warmup: 50, total: STEPS },
          model: { layers: 2, heads: 4, embd: 64, block: 64 } }) },
  });
});
pause.addEventListener('click', () => send({ type: state === 'paused' ? 'resume' : 'pause' }));
stop.addEventListener('click', () => send({ type: 'stop' }));
