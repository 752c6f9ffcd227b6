// The training lab: settings (bound to the lab state, so links carry them), start / pause /
// resume / stop / reset, live loss and learning-rate charts, tokens/s and time left, the last
// layer's attention, samples as they are generated, fill-in for masked models, and the
// latest checkpoint kept in IndexedDB (download, upload, resume after a reload).
import corpusUrl from '/corpus/pride-and-prejudice.txt?url';
import { drawAttention } from './attention-grid';
import type { TrainOptions } from './gptlab-module';
import type { LabState, TrainSettings } from './lab-state';
import { drawLineChart } from './line-chart';
import { clearRun, loadRun, saveRun, type RunHistory, type SavedRun } from './run-store';
import { change, getState, subscribe } from './store';
import { nextSeq, onTrainer, sendTrainer } from './trainer-client';
import type { CorpusSource, FromTrainer, TrainState } from './train-protocol';
import { $ } from './dom';

const form = $<HTMLFormElement>('train-form'), status = $<HTMLParagraphElement>('train-status');
const startButton = $<HTMLButtonElement>('train-start'), pause = $<HTMLButtonElement>('train-pause');
const stop = $<HTMLButtonElement>('train-stop'), download = $<HTMLButtonElement>('train-download');
const sample = $<HTMLPreElement>('train-sample');
const fields = [...form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-train]')];
const MAX_CORPUS = 50_000_000;  // bytes

// ?config=benchmark trains the benchmark model of BENCHMARKS.md; ?threads=N caps the threads.
const query = new URLSearchParams(location.search);
const threads = Number(query.get('threads')) || undefined;
/** Applies ?config=benchmark over the state a link opened with. */
export function applyQuery() {
  if (query.get('config') === 'benchmark')
    change((s) => Object.assign(s.train, { layers: 4, heads: 4, embd: 128, block: 64, batch: 32, dropout: 0.1, lr: 1e-3,
      warmup: 100, tokenizer: 'char', objective: 'causal', corpus: 'austen' }));
}

let state: TrainState = 'idle';
let uploaded: { text: string; name: string } | null = null;
// The run in progress (or last finished): what it was started with, and its curves.
let current: { settings: TrainSettings; corpus: { text: string; name: string } | null; steps: number } | null = null;
let history: RunHistory = { train: [], val: [], lr: [] };
let saved: SavedRun | null = null;
let wantDownload = false;
let fillSeq = 0;

const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

function options(t: TrainSettings): TrainOptions {
  return { tokenizer: t.tokenizer, vocabSize: t.vocabSize, objective: t.objective, batchSize: t.batch, evalBatches: 4,
    seed: t.seed, lr: { max: t.lr, min: t.lr / 10, warmup: t.warmup, total: t.steps, constant: !t.cosine },
    dropout: { start: t.dropout }, weightDecay: t.weightDecay, gradClip: t.clip, threads,
    model: { layers: t.layers, heads: t.heads, embd: t.embd, block: t.block, positions: t.positions, ffn: t.ffn } };
}

function source(corpus: { text: string } | null): CorpusSource {
  return corpus ? { text: corpus.text } : { url: corpusUrl };
}

function showState(s: TrainState, detail?: string) {
  state = s;
  const busy = s === 'loading' || s === 'training' || s === 'paused';
  startButton.disabled = busy;
  pause.disabled = s !== 'training' && s !== 'paused';
  pause.textContent = s === 'paused' ? 'Resume' : 'Pause';
  stop.disabled = !busy || s === 'loading';
  download.disabled = !(busy || saved);
  for (const f of fields) f.disabled = busy;
  $<HTMLButtonElement>('train-resume-saved').disabled = busy;
  const words: Record<TrainState, string> = { idle: 'Ready.', loading: 'Loading…', training: 'Training', paused: 'Paused.',
    stopped: 'Stopped.', done: 'Done.' };
  status.textContent = detail ? `${words[s]} ${detail}` : words[s];
  status.dataset.state = s;
  status.className = '';
}

function drawCharts(steps: number) {
  drawLineChart($('train-chart'), [{ color: '#2f6fed', points: history.train, label: 'training loss' },
    { color: '#d9480f', points: history.val, label: 'validation loss', dots: true }], steps);
  drawLineChart($('train-lr'), [{ color: '#2b8a3e', points: history.lr, label: 'learning rate' }], steps,
    (v) => v.toExponential(1));
}

function showSaved() {
  const box = $('train-saved');
  box.hidden = !saved;
  if (!saved) return;
  $('train-saved-text').textContent = `Saved in this browser: a run at step ${saved.step.toLocaleString('en')} of ` +
    `${saved.steps.toLocaleString('en')} on ${saved.corpusName} (${new Date(saved.savedAt).toLocaleString()}).`;
  download.disabled = false;
}

async function persist(bytes: Uint8Array, step: number) {
  if (!current) return;
  const run: SavedRun = { checkpoint: bytes, step, steps: current.steps, settings: current.settings,
    corpus: current.corpus?.text ?? null, corpusName: current.corpus?.name ?? 'Pride and Prejudice', history, savedAt: Date.now() };
  try {
    await saveRun(run);
    saved = run;
    showSaved();
  } catch (e) {
    $('train-saved').hidden = false;
    $('train-saved-text').textContent = `This browser did not keep the checkpoint (${e instanceof Error ? e.message : e}); ` +
      'use Download checkpoint to keep it.';
  }
}

function downloadBytes(bytes: Uint8Array, step: number) {
  const url = URL.createObjectURL(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = `gptlab-step${step}.ckpt`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

const FIGURES = ['train-step', 'train-loss', 'train-val', 'train-speed', 'train-eta', 'train-params'];

function begin(settings: TrainSettings, corpus: { text: string; name: string } | null, checkpoint?: Uint8Array,
               keep?: RunHistory) {
  current = { settings, corpus, steps: settings.steps };
  for (const id of FIGURES) $(id).textContent = '–';  // nothing of the last run stays on screen
  history = keep ? structuredClone(keep) : { train: [], val: [], lr: [] };
  drawCharts(settings.steps);
  if (!keep) sample.textContent = '(samples appear here as the model trains)';
  $('fill-box').hidden = settings.objective === 'causal';
  sendTrainer({ type: 'start', options: options(settings), steps: settings.steps, corpus: source(corpus),
    evalEvery: 50, sampleEvery: 50, checkpoint }, checkpoint ? [checkpoint.buffer] : []);
}

onTrainer((m: FromTrainer) => {
  switch (m.type) {
    case 'state': return showState(m.state, m.detail);
    case 'started':
      $('train-params').textContent = m.parameters.toLocaleString('en');
      $('train-step').textContent = `${m.step} / ${m.steps}`;
      $('fill-box').hidden = m.objective === 'causal';
      return;
    case 'progress':
      history.train.push([m.step, m.loss]);
      history.lr.push([m.step, m.lr]);
      $('train-step').textContent = `${m.step} / ${m.steps}`;
      $('train-loss').textContent = m.loss.toFixed(3);
      $('train-speed').textContent = `${Math.round(m.tokensPerSecond).toLocaleString('en')} on ${plural(m.threads, 'thread')}`;
      $('train-eta').textContent = m.etaSeconds < 90 ? `${Math.ceil(m.etaSeconds)} s` : `${Math.ceil(m.etaSeconds / 60)} min`;
      if (state === 'training') status.textContent = `Training: about ${$('train-eta').textContent} left.`;
      return drawCharts(m.steps);
    case 'eval':
      history.val.push([m.step, m.valLoss]);
      $('train-val').textContent = m.valLoss.toFixed(3);
      return drawCharts(current?.steps ?? m.step);
    case 'sample':
      sample.textContent = m.text;
      if (m.done) sample.dataset.step = String(m.step);  // a whole sample is on screen
      return;
    case 'attention': {
      const canvas = $<HTMLCanvasElement>('train-attention');
      drawAttention(canvas, m.weights, m.heads, m.tokens.length);
      canvas.dataset.step = String(m.step);
      canvas.dataset.heads = String(m.heads);
      return;
    }
    case 'checkpoint':
      if (wantDownload) downloadBytes(m.bytes, m.step);
      wantDownload = false;
      return void persist(m.bytes, m.step);
    case 'filled': {
      if (m.seq !== fillSeq) return;
      const items = m.candidates.map((list, i) => {
        const li = document.createElement('li');
        li.textContent = `<mask> ${i + 1}: ` + list.map((c) => `${JSON.stringify(c.text)} ${(100 * c.probability).toFixed(1)}%`).join(', ');
        return li;
      });
      $('fill-out').replaceChildren(...items);
      return;
    }
    case 'error':
      if (m.seq !== undefined) {  // an answer to a question: the fill-in box's, or the attention view's
        if (m.seq === fillSeq) $('fill-out').replaceChildren(Object.assign(document.createElement('li'), { textContent: m.message }));
        return;
      }
      status.textContent = m.message;
      status.className = 'error';
  }
});

// Settings <-> state.
function readField(f: HTMLInputElement | HTMLSelectElement): unknown {
  if (f instanceof HTMLInputElement && f.type === 'checkbox') return f.checked;
  if (f instanceof HTMLInputElement && f.type === 'number') return f.valueAsNumber;
  return f.value;
}
for (const f of fields) {
  f.addEventListener('change', () => {
    const valid = f instanceof HTMLSelectElement || f.checkValidity();
    f.setAttribute('aria-invalid', String(!valid));
    if (valid) change((s) => { (s.train as unknown as Record<string, unknown>)[f.dataset.train!] = readField(f); });
  });
}
subscribe((s: LabState) => {
  for (const f of fields) {
    const v = (s.train as unknown as Record<string, unknown>)[f.dataset.train!];
    if (f instanceof HTMLInputElement && f.type === 'checkbox') f.checked = v as boolean;
    else if (document.activeElement !== f) f.value = String(v);
  }
  $('upload-box').hidden = s.train.corpus !== 'upload';
  const t = s.train, objective = { causal: 'next token', masked: 'masked tokens', mntp: 'masked next token' }[t.objective];
  $('train-summary').textContent = `(${t.layers} layers, ${t.heads} heads, n_embd ${t.embd}, block ${t.block}, ` +
    `${t.tokenizer === 'char' ? 'characters' : `BPE ${t.vocabSize}`}, ${objective}, ${t.steps.toLocaleString('en')} steps)`;
  const vocab = form.querySelector<HTMLInputElement>('[data-train="vocabSize"]')!;
  vocab.disabled = s.train.tokenizer === 'char' || state === 'training' || state === 'paused';
});

// Your own corpus: pasted, chosen or dropped. Only text is accepted.
async function useFile(file: File) {
  const info = $('corpus-info');
  if (file.size > MAX_CORPUS) {
    info.textContent = `${file.name} is ${(file.size / 1e6).toFixed(0)} MB; the lab takes texts up to ${MAX_CORPUS / 1e6} MB.`;
    return;
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(await file.arrayBuffer());
    uploaded = { text, name: file.name };
    $<HTMLTextAreaElement>('corpus-text').value = text.slice(0, 5000);
    info.textContent = `${file.name}: ${plural([...text].length, 'character')}. It stays in this browser.`;
  } catch {
    info.textContent = `${file.name} is not UTF-8 text; choose a plain text file.`;
  }
}
$<HTMLInputElement>('corpus-file').addEventListener('change', (e) => {
  const file = (e.target as HTMLInputElement).files?.[0];
  if (file) void useFile(file);
});
$('corpus-text').addEventListener('input', (e) => {
  const text = (e.target as HTMLTextAreaElement).value;
  uploaded = text ? { text, name: 'your text' } : null;
  $('corpus-info').textContent = text ? `${plural([...text].length, 'character')} pasted. It stays in this browser.` : '';
});
const box = $('upload-box');
box.addEventListener('dragover', (e) => e.preventDefault());
box.addEventListener('drop', (e) => {
  e.preventDefault();
  const file = e.dataTransfer?.files[0];
  if (file) void useFile(file);
});

/** Resumes the run saved in this browser, or starts a new one with the current settings. */
export function trainSomething() {
  if (state === 'training' || state === 'loading') return;
  if (saved) $('train-resume-saved').click();
  else startButton.click();
}

// Buttons.
startButton.addEventListener('click', () => {
  const s = getState().train;
  if (!form.checkValidity()) {
    $<HTMLDetailsElement>('train-settings').open = true;
    status.textContent = 'Some settings are out of range (marked): fix them first.';
    status.className = 'error';
    return;
  }
  if (s.corpus === 'upload' && !uploaded) {
    status.textContent = 'Paste or choose a text to train on, or pick the built-in corpus.';
    status.className = 'error';
    return;
  }
  begin(structuredClone(s), s.corpus === 'upload' ? uploaded : null);
});
pause.addEventListener('click', () => sendTrainer({ type: state === 'paused' ? 'resume' : 'pause' }));
stop.addEventListener('click', () => sendTrainer({ type: 'stop' }));
download.addEventListener('click', () => {
  if (state === 'training' || state === 'paused' || state === 'loading') {
    wantDownload = true;
    sendTrainer({ type: 'checkpoint' });
  } else if (saved) downloadBytes(saved.checkpoint, saved.step);
});
$<HTMLInputElement>('train-upload').addEventListener('change', async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  const s = getState().train;
  begin(structuredClone(s), s.corpus === 'upload' ? uploaded : null, new Uint8Array(await file.arrayBuffer()));
});
$('train-resume-saved').addEventListener('click', () => {
  if (!saved) return;
  const run = saved;
  change((s) => { s.train = structuredClone(run.settings); });
  const corpus = run.corpus === null ? null : { text: run.corpus, name: run.corpusName };
  uploaded = corpus ?? uploaded;
  begin(structuredClone(run.settings), corpus, run.checkpoint.slice(), run.history);
});
$('train-reset').addEventListener('click', async () => {
  if (state === 'training' || state === 'paused') sendTrainer({ type: 'stop' });
  current = null;
  history = { train: [], val: [], lr: [] };
  drawCharts(getState().train.steps);
  for (const id of FIGURES) $(id).textContent = '–';
  sample.textContent = '(samples appear here as the model trains)';
  saved = null;
  await clearRun().catch(() => {});
  showSaved();
  showState('idle');
});
$('fill-run').addEventListener('click', () => {
  sendTrainer({ type: 'fill', seq: (fillSeq = nextSeq()), text: $<HTMLInputElement>('fill-text').value, top: 5 });
});
$('train-to-attention').addEventListener('click', (e) => {
  e.preventDefault();
  change((s) => { s.view = 'attention'; });
});

// A run saved by an earlier visit: offer to resume it, and show its curves.
loadRun().then((run) => {
  saved = run;
  showSaved();
  if (run && !current) {
    history = structuredClone(run.history);
    drawCharts(run.steps);
    $('train-step').textContent = `${run.step} / ${run.steps}`;
  }
}).catch(() => { /* no IndexedDB here (a private window, say): runs are simply not kept */ });
showState('idle');
