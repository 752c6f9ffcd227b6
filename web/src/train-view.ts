// The training lab: settings (bound to the lab state, so links carry them), train / pause /
// resume / stop / new run, live loss and learning-rate charts, tokens/s and time left, the last
// layer's attention, samples (or a masked model's fill-ins) as they are generated. Every run is
// kept in IndexedDB (run-store.ts) as it goes: after a reload the latest is loaded again (to look
// at, sample from or resume), any kept run can be opened from the Runs view, and a checkpoint
// can be downloaded; an uploaded checkpoint is loaded the same way.
import corpusUrl from '/corpus/pride-and-prejudice.txt?url';
import { AttentionPanel } from './attention-panel';
import type { TrainOptions } from './gptlab-module';
import type { LabState, TrainSettings } from './lab-state';
import { drawLineChart, type Reference } from './line-chart';
import { addTensorPoints, emptyCurves, extend, textHash, type Curves, type RunRecord, type RunState } from './run-record';
import { canKeepRuns, claimTraining, getRun, importOldRun, listRuns, loadCheckpoint, loadText, onRunsChanged, releaseTraining, saveRun,
  saveText }
  from './run-store';
import { change, embedView, getState, subscribe } from './store';
import { nextSeq, onTrainer, sendTrainer } from './trainer-client';
import type { CorpusSource, FromTrainer, TrainState } from './train-protocol';
import { $, downloadFile } from './dom';
import { showWhitespace } from './whitespace';

const form = $<HTMLFormElement>('train-form'), status = $<HTMLParagraphElement>('train-status');
const startButton = $<HTMLButtonElement>('train-start'), pause = $<HTMLButtonElement>('train-pause');
const stop = $<HTMLButtonElement>('train-stop'), download = $<HTMLButtonElement>('train-download');
const sample = $<HTMLPreElement>('train-sample');
// The settings bound to the lab state, and with them the corpus box: all locked while a run trains.
const settingFields = [...form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-train]')];
const fields = [...settingFields, ...form.querySelectorAll<HTMLInputElement | HTMLTextAreaElement>('#upload-box :is(input, textarea)')];
const attention = new AttentionPanel($<HTMLCanvasElement>('train-attention'), $('train-tip'), $('train-readout'));
const MAX_CORPUS = 50_000_000;  // bytes
const NO_SAMPLE = '(samples appear here as the model trains)';

// ?config=benchmark trains the benchmark model of BENCHMARKS.md; ?threads=N caps the threads.
const query = new URLSearchParams(location.search);
const threads = Number(query.get('threads')) || undefined;
/** Applies ?config=benchmark over the state a link opened with. */
export function applyQuery() {
  if (query.get('config') === 'benchmark')
    change((s) => Object.assign(s.train, { layers: 4, heads: 4, embd: 128, block: 64, batch: 32, dropout: 0.1, lr: 1e-3,
      warmup: 100, tokenizer: 'char', objective: 'causal', corpus: 'austen', optimizer: 'adamw' }));  // as PyTorch's peer
}

let state: TrainState = 'idle';
let uploaded: { text: string; name: string } | null = null;
type Corpus = { text: string; name: string } | null;
// The run in the worker (training, paused, or finished): its record (settings, curves, figures;
// kept in the browser as it goes), the text it reads, and what the model is.
interface Run {
  record: RunRecord; corpus: Corpus;
  baselines?: { unigram: number; bigram: number | null }; bitsPerNat?: number;
}
let current: Run | null = null;
let curves: Curves = emptyCurves();  // on the charts: the current run's, or the latest kept run's
let saved: RunRecord | null = null;  // the latest run kept in this browser with a checkpoint
let trainingSince: number | null = null;  // performance.now() of the last progress while training
let wantDownload = false;
let crashNotice: string | null = null;  // said again once the saved run is loaded after a crash
let fillSeq = 0;

const plural = (n: number, word: string) => `${n.toLocaleString('en')} ${word}${n === 1 ? '' : 's'}`;

const PARAGRAPH = '\n\n';  // documents: the text's paragraphs

function options(t: TrainSettings): TrainOptions {
  return { tokenizer: t.tokenizer, vocabSize: t.vocabSize, objective: t.objective, batchSize: t.batch,
    evalBatches: t.evalBatches, seed: t.seed, lr: { max: t.lr, min: t.minLr, warmup: t.warmup, total: t.steps, constant: !t.cosine },
    dropout: { start: t.dropout }, weightDecay: t.weightDecay, decay: t.decay, optimizer: t.optimizer, gradClip: t.clip, threads,
    documents: t.documents ? PARAGRAPH : undefined, keyMask: t.keyMask,
    model: { layers: t.layers, heads: t.heads, embd: t.embd, block: t.block, positions: t.positions, ffn: t.ffn, norm: t.norm,
      residual: t.residual } };
}

function source(corpus: { text: string } | null): CorpusSource {
  return corpus ? { text: corpus.text } : { url: corpusUrl };
}

function showState(s: TrainState, detail?: string) {
  state = s;
  const busy = s === 'loading' || s === 'training' || s === 'paused';
  startButton.disabled = s === 'loading' || s === 'training';
  pause.disabled = s !== 'training' && s !== 'paused';
  pause.textContent = s === 'paused' ? 'Resume' : 'Pause';
  stop.disabled = s !== 'training' && s !== 'paused';
  download.disabled = !(busy || saved);
  for (const f of fields) f.disabled = s === 'loading' || s === 'training';
  lockVocabulary();
  const words: Record<TrainState, string> = { idle: 'Ready.', loading: 'Loading…', training: 'Training', paused: 'Paused.',
    stopped: 'Stopped.', done: 'Done.' };
  status.textContent = detail ? `${words[s]} ${detail}` : words[s];
  status.dataset.state = s;
  status.className = '';
  if (crashNotice && s === 'paused') {
    status.textContent = `${crashNotice} The run saved in this browser is loaded again: press Resume to go on from step ` +
      `${saved?.step.toLocaleString('en')}.`;
    status.className = 'error';
    crashNotice = null;
  }
  if (s !== 'training') $('train-eta').textContent = '–';  // no time left when nothing trains
  trainingSince = s === 'training' ? performance.now() : null;
  if (s === 'stopped' || s === 'done' || s === 'idle') releaseTraining();
  if (current && (s === 'training' || s === 'paused' || s === 'stopped' || s === 'done') && current.record.state !== s) {
    current.record.state = s as RunState;
    void keep();
  }
  for (const l of liveListeners) l(current?.record ?? null);
}

// The BPE vocabulary field: locked for characters, and while a run trains.
function lockVocabulary() {
  form.querySelector<HTMLInputElement>('[data-train="vocabSize"]')!.disabled =
    getState().train.tokenizer === 'char' || state === 'loading' || state === 'training';
}

// Loss in nats per token (and bits per character on the right), zoomed to the data, with the
// count models' losses as reference lines; the learning rate below.
function drawCharts() {
  const refs: Reference[] = [];
  const b = current?.baselines;
  if (b) refs.push({ value: b.unigram, label: 'unigram counts', color: '#7048e8' });
  if (b?.bigram != null) refs.push({ value: b.bigram, label: 'bigram counts', color: '#0c8599' });
  const steps = current?.record.steps ?? saved?.steps ?? getState().train.steps;
  drawLineChart($('train-chart'), { series: [{ color: '#2f6fed', points: curves.train, label: 'training loss' },
    { color: '#d9480f', points: curves.val, label: 'validation loss', dots: true }], references: refs, xMax: steps,
    xTitle: 'step', yTitle: 'loss (nats/token)', height: embedView() ? 200 : 240, empty: 'The loss appears here when training starts.',
    readout: $('train-chart-readout'),
    right: current?.bitsPerNat ? { scale: current.bitsPerNat, title: 'bits/char' } : undefined });
  drawLineChart($('train-lr'), { series: [{ color: '#2b8a3e', points: curves.lr, label: 'learning rate' }], xMax: steps,
    xTitle: 'step', yTitle: 'lr', height: 130, format: (v) => (v === 0 ? '0' : v.toExponential(1)) });
  $('train-chart-summary').textContent = lossInWords();
}

// The loss chart in words, for screen readers.
function lossInWords() {
  const last = curves.train.at(-1), b = current?.baselines;
  if (!last) return 'No run yet.';
  const best = curves.val.length ? Math.min(...curves.val.map((p) => p[1])) : null;
  return `Training loss ${last[1].toFixed(3)} at step ${last[0].toLocaleString('en')}` +
    (best === null ? '.' : `; best validation loss ${best.toFixed(3)}.`) + (b ? ` Unigram baseline ${b.unigram.toFixed(3)}.` : '');
}

function showSaved() {
  const box = $('train-saved');
  box.hidden = !saved;
  if (!saved) return;
  $('train-saved-text').textContent = `Kept in this browser: “${saved.name}” at step ${saved.step.toLocaleString('en')} of ` +
    `${saved.steps.toLocaleString('en')} (${new Date(saved.savedAt).toLocaleString()}). Every run is listed under Runs.`;
  download.disabled = false;
}

// The current run's record, kept in the browser (with the checkpoint, when given).
async function keep(checkpoint?: Uint8Array) {
  if (!current) return;
  const record = current.record;
  record.savedAt = Date.now();
  try {
    await saveRun(record, checkpoint);
    if (checkpoint) {
      saved = record;
      showSaved();
    }
  } catch (e) {
    $('train-saved').hidden = false;
    $('train-saved-text').textContent = `This browser did not keep the run (${e instanceof Error ? e.message : e})` +
      (embedView() ? '.' : '; use Download checkpoint to keep it.');
  }
}

const downloadBytes = (bytes: Uint8Array, step: number) =>
  downloadFile(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), `gptlab-step${step}.ckpt`);

const FIGURES = ['train-step', 'train-loss', 'train-val', 'train-speed', 'train-threads', 'train-eta', 'train-params', 'train-memory'];

// A new run's record (numbered once the kept runs are counted; the Runs view renames it).
function newRecord(settings: TrainSettings, corpus: Corpus, name?: string): RunRecord {
  const now = Date.now();
  return { id: `run-${now.toString(36)}-${Math.random().toString(36).slice(2, 6)}`, name: name ?? 'Run',
    createdAt: now, savedAt: now, settings, step: 0, steps: settings.steps, state: 'training', curves: emptyCurves(),
    corpus: corpus ? { kind: 'private', name: corpus.name, chars: corpus.text.length, hash: textHash(corpus.text) } : { kind: 'austen' },
    metrics: null, sample: null, checkpointBytes: 0 };
}

interface Begin { checkpoint?: Uint8Array; record?: RunRecord; paused?: boolean; name?: string }
/** Starts a run in the worker: a new one, or a kept record with its checkpoint. */
function begin(settings: TrainSettings, corpus: Corpus, { checkpoint, record, paused, name }: Begin = {}) {
  current = { record: record ?? newRecord(settings, corpus, name), corpus };
  curves = current.record.curves;
  for (const id of FIGURES) $(id).textContent = '–';  // nothing of the last run stays on screen
  drawCharts();
  sample.textContent = current.record.sample ?? NO_SAMPLE;
  sendTrainer({ type: 'start', options: options(settings), steps: settings.steps, corpus: source(corpus),
    seconds: checkpoint ? undefined : settings.minutes * 60,
    evalEvery: settings.evalInterval, sampleEvery: settings.evalInterval, corpusChars: settings.corpusChars, checkpoint, paused },
    checkpoint ? [checkpoint.buffer] : []);
  if (!record) {
    if (corpus && current.record.corpus.kind === 'private') void saveText(current.record.corpus.hash, corpus.text).catch(() => {});
    const fresh = current.record;
    void listRuns().catch(() => []).then((runs) => {  // "Run 3": the runs kept so far, plus this one
      if (!name) fresh.name = `Run ${runs.length + 1}`;
      return keep();
    });
  }
}

// Only one tab trains (and writes the saved run) at a time.
async function mayTrain(): Promise<boolean> {
  if (await claimTraining()) return true;
  showState(state);
  status.textContent = 'Another tab of this lab is training; its run is saved as it goes. Stop it there (or close that tab) ' +
    'to train here.';
  status.className = 'error';
  return false;
}

// What a masked model makes of a sentence with blanks: the blanks, then its best guesses.
function showFills(text: string, candidates: { text: string; probability: number }[][]) {
  let i = 0;
  const filled = text.replace(/<mask>/g, () => `[${showWhitespace(candidates[i++]?.[0]?.text ?? '?')}]`);
  const lines = candidates.map((list, k) => `  blank ${k + 1}: ` +
    list.map((c) => `“${showWhitespace(c.text)}” ${(100 * c.probability).toFixed(1)}%`).join(', '));
  sample.textContent = [`Blanks:  ${text.replace(/<mask>/g, '▢')}`, `Guesses: ${filled}`, '', ...lines].join('\n');
}

onTrainer((m: FromTrainer) => {
  switch (m.type) {
    case 'state': return showState(m.state, m.detail);
    case 'started': {
      $('train-params').textContent = m.parameters.toLocaleString('en');
      $('train-step').textContent = `${m.step.toLocaleString('en')} / ${m.steps.toLocaleString('en')}`;
      const masked = m.objective !== 'causal';
      const empty = $('train-attention-empty');
      if (m.layers === 0) attention.clear();
      empty.hidden = false;
      empty.textContent = m.layers === 0
        ? 'This model has no layers, so no attention: it predicts each token from the one before it alone (a bigram model).'
        : `The heads appear at the model's first evaluation (step ${current?.record.settings.evalInterval ?? 50}).`;
      $('fill-box').hidden = !masked;
      $('sample-heading').textContent = masked ? 'Fill in the blanks' : 'Sample';
      // Bits per character: 1/ln 2 per nat for characters; for BPE, from the first evaluation on.
      if (current) {
        const last = current.record.metrics;  // a kept BPE run knows its ratio from its last evaluation
        Object.assign(current, { baselines: m.baselines, bitsPerNat: current.record.settings.tokenizer === 'char' ? 1 / Math.LN2
          : last && last.valLoss > 0 ? last.bitsPerChar / last.valLoss : undefined });
      }
      return drawCharts();
    }
    case 'progress': {
      const now = performance.now(), r = current?.record;
      if (r) {
        const seconds = (r.curves.seconds.at(-1)?.[1] ?? 0) + (trainingSince === null ? 0 : (now - trainingSince) / 1000);
        trainingSince = state === 'training' ? now : null;
        extend(r.curves.seconds, [m.step, seconds]);
        if (m.tokensPerSecond !== null) extend(r.curves.speed, [m.step, m.tokensPerSecond]);
        r.steps = r.settings.steps = m.steps;  // a timed run's length, once its speed is known
      }
      for (const [step, loss, lr] of m.points) {
        extend(curves.train, [step, loss]);
        extend(curves.lr, [step, lr]);
      }
      $('train-step').textContent = `${m.step.toLocaleString('en')} / ${m.steps.toLocaleString('en')}`;
      $('train-loss').textContent = m.points[m.points.length - 1][1].toFixed(3);
      $('train-threads').textContent = String(m.threads);
      $('train-memory').textContent = `${Math.round(m.wasmBytes / 1e6)} MB`;
      $('train-speed').textContent = m.tokensPerSecond === null ? '–' : Math.round(m.tokensPerSecond).toLocaleString('en');
      $('train-eta').textContent = m.etaSeconds === null || state !== 'training' ? '–'
        : m.etaSeconds < 90 ? `${Math.ceil(m.etaSeconds)} s` : `${Math.ceil(m.etaSeconds / 60)} min`;
      if (state === 'training') status.textContent = m.etaSeconds === null ? 'Training…' : `Training: about ${$('train-eta').textContent} left.`;
      return redrawSoon();
    }
    case 'eval':
      extend(curves.val, [m.step, m.valLoss]);
      $('train-val').textContent = m.valLoss.toFixed(3);
      if (current && m.valLoss > 0) current.bitsPerNat = m.bitsPerChar / m.valLoss;
      if (current) current.record.metrics = { valLoss: m.valLoss, bitsPerChar: m.bitsPerChar, maskedAccuracy: m.maskedAccuracy,
        unigramAccuracy: m.maskedAccuracy === null ? null : m.unigramAccuracy, valLossAlone: m.valLossAlone };
      return drawCharts();
    case 'tensors':
      if (current) current.record.tensors = addTensorPoints(current.record.tensors ?? [], m.step, m.stats);
      return;
    case 'sample':
      sample.textContent = m.text;
      if (m.done) {
        sample.dataset.step = String(m.step);  // a whole sample is on screen
        if (current) current.record.sample = m.text;
      }
      return;
    case 'fill-demo':
      showFills(m.text, m.candidates);
      sample.dataset.step = String(m.step);
      if (current) current.record.sample = sample.textContent;
      return;
    case 'attention': {
      const canvas = $<HTMLCanvasElement>('train-attention');
      const weights: Float32Array[] = [];
      weights[m.layer] = m.weights;
      attention.show({ weights, heads: m.heads, tokens: m.tokens,
        squares: Array.from({ length: m.heads }, (_, h) => ({ layer: m.layer, head: h })) });
      $('train-attention-layer').textContent = ` (layer ${m.layer + 1})`;
      $('train-attention-empty').hidden = true;
      canvas.dataset.step = String(m.step);
      canvas.dataset.heads = String(m.heads);
      return;
    }
    case 'checkpoint':
      if (wantDownload) downloadBytes(m.bytes, m.step);
      wantDownload = false;
      if (current) current.record.step = m.step;
      return void keep(m.bytes);
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
      if (m.crashed && saved) {  // a new worker takes the saved run
        crashNotice = m.message;
        current = null;
        savedOpened = false;
        openSavedWhenShown();
      }
  }
});

// Settings <-> state.
function readField(f: HTMLInputElement | HTMLSelectElement): unknown {
  if (f instanceof HTMLInputElement && f.type === 'checkbox') return f.checked;
  if (f instanceof HTMLInputElement && f.type === 'number') return f.valueAsNumber;
  return f.value;
}
// A field out of range says what it takes.
function rangeOf(f: HTMLInputElement | HTMLSelectElement) {
  const label = f.closest('label')?.firstChild?.textContent?.trim() ?? 'This setting';
  return `${label} takes ${f.getAttribute('step') === '1' ? 'whole numbers' : 'values'} from ${f.getAttribute('min')} to ${f.getAttribute('max')}.`;
}
for (const f of settingFields) {
  f.addEventListener('change', () => {
    const valid = f instanceof HTMLSelectElement || f.checkValidity();
    f.setAttribute('aria-invalid', String(!valid));
    $('train-field-error').textContent = valid ? '' : rangeOf(f);
    if (!valid) return;
    change((s) => {
      (s.train as unknown as Record<string, unknown>)[f.dataset.train!] = readField(f);
      if (f.dataset.train === 'steps') s.train.minutes = 0;  // a number of steps is asked for, not a time
    });
  });
}
subscribe((s: LabState) => {
  for (const f of settingFields) {
    const v = (s.train as unknown as Record<string, unknown>)[f.dataset.train!];
    if (f instanceof HTMLInputElement && f.type === 'checkbox') f.checked = v as boolean;
    else if (document.activeElement !== f) f.value = String(v);
  }
  $('upload-box').hidden = s.train.corpus !== 'upload';
  const t = s.train, objective = { causal: 'next token', masked: 'masked tokens', mntp: 'masked next token' }[t.objective];
  $('train-summary').textContent = `(${t.layers} layers, ${t.heads} heads, n_embd ${t.embd}, block ${t.block}, ` +
    `${t.tokenizer === 'char' ? 'characters' : `BPE ${t.vocabSize}`}, ${objective}, ${t.optimizer === 'muon' ? 'Muon' : 'AdamW'}, ` +
    `${t.minutes ? plural(t.minutes, 'minute') : plural(t.steps, 'step')})`;
  lockVocabulary();
  if (!curves.train.length && !current) drawCharts();
  openSavedWhenShown();
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
  if (state === 'training' || state === 'loading') return;
  const file = e.dataTransfer?.files[0];
  if (file) void useFile(file);
});

// The run saved by an earlier visit, loaded into the worker (not trained) once a view that
// shows a model is open, so its samples, fill-ins and attention can be looked at at once.
let savedOpened = false;
function openSavedWhenShown() {
  const view = embedView() ?? getState().view;
  if (savedOpened || !saved || current || (view !== 'train' && view !== 'attention')) return;
  savedOpened = true;
  void beginSaved(saved, true);
}

// A run kept in the browser, in the worker again with its own settings, corpus, curves and
// checkpoint. Says why not if its checkpoint or its text is no longer kept.
async function beginSaved(run: RunRecord, paused: boolean): Promise<boolean> {
  const checkpoint = await loadCheckpoint(run.id).catch(() => null);
  const text = run.corpus.kind === 'private' ? await loadText(run.corpus.hash).catch(() => null) : null;
  const why = !checkpoint ? 'its checkpoint is no longer kept (the oldest are dropped to make room)'
    : run.corpus.kind === 'private' && text === null ? 'the text it was trained on is no longer kept in this browser' : null;
  if (why) {
    status.textContent = `“${run.name}” cannot be opened: ${why}. Its curves stay under Runs.`;
    status.className = 'error';
    return false;
  }
  const corpus = run.corpus.kind === 'private' ? { text: text!, name: run.corpus.name } : null;
  begin(structuredClone(run.settings), corpus, { checkpoint: checkpoint!, record: structuredClone(run), paused });
  return true;
}

/** Opens a kept run in the Train view, paused: to look at, sample from or resume. */
export async function openRun(id: string) {
  const run = await getRun(id);
  if (!run) return;
  if (state === 'training' || state === 'loading') {
    status.textContent = 'Pause or stop the run in training before opening another.';
    status.className = 'error';
  } else if (await beginSaved(run, true)) savedOpened = true;
  change((s) => { s.view = 'train'; });
}

/** Starts a new run with these settings on the built-in corpus; its id, or null if a run is training here or elsewhere. */
export async function startRun(settings: TrainSettings, name?: string): Promise<string | null> {
  if (state === 'training' || state === 'loading' || !(await mayTrain())) return null;
  begin(structuredClone(settings), null, { name });
  return current!.record.id;
}

/** Trains a kept run on from its checkpoint; false if it cannot be (said in the status line). */
export async function resumeRun(id: string): Promise<boolean> {
  const run = await getRun(id);
  if (!run || state === 'training' || state === 'loading' || !(await mayTrain())) return false;
  savedOpened = true;
  return beginSaved(run, false);
}

// The run in the worker, on every change (for the Runs view and the queue).
const liveListeners: ((run: RunRecord | null) => void)[] = [];
// Progress comes after every step (tens a second for a small model): the charts and the views that
// follow the run are redrawn at most four times a second, leaving the cores to training.
let redrawDue: number | null = null;
function redrawSoon() {
  redrawDue ??= window.setTimeout(() => {
    redrawDue = null;
    drawCharts();
    for (const l of liveListeners) l(current?.record ?? null);
  }, 250);
}
export const onLiveRun = (listener: (run: RunRecord | null) => void) => liveListeners.push(listener);
export const liveRunState = () => state;

/** Resumes the loaded run, or starts a new one with the current settings (the attention embed's Train). */
export function trainOrResume() {
  if (state === 'paused') void resume();
  else if (state !== 'training' && state !== 'loading') void startNew();
}

/** Pauses the run in training, or resumes the paused one. */
export const pauseOrResume = () => (state === 'paused' ? resume() : sendTrainer({ type: 'pause' }));
/** Ends the run (its checkpoint is kept). */
export const stopTraining = () => sendTrainer({ type: 'stop' });

// A new run with the current settings.
async function startNew() {
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
  if (await mayTrain()) begin(structuredClone(s), s.corpus === 'upload' ? uploaded : null);
}

async function resume() {
  if (!(await mayTrain())) return;
  // Another tab may have trained this run further since this one loaded it: go on from there.
  const latest = current ? await getRun(current.record.id).catch(() => null) : null;
  if (latest && current && latest.step > current.record.step && latest.checkpointBytes) {
    saved = latest;
    showSaved();
    await beginSaved(latest, false);
    return;
  }
  sendTrainer({ type: 'resume' });
}

// Buttons.
startButton.addEventListener('click', () => void startNew());
pause.addEventListener('click', () => void pauseOrResume());
stop.addEventListener('click', stopTraining);
download.addEventListener('click', () => {
  if (state === 'training' || state === 'paused' || state === 'loading') {
    wantDownload = true;
    sendTrainer({ type: 'checkpoint' });
  } else if (saved) {
    const { step } = saved;
    void loadCheckpoint(saved.id).then((bytes) => bytes && downloadBytes(bytes, step));
  }
});
$<HTMLInputElement>('train-upload').addEventListener('change', async (e) => {
  const input = e.target as HTMLInputElement;
  const file = input.files?.[0];
  input.value = '';
  if (!file) return;
  const s = getState().train;
  savedOpened = true;
  begin(structuredClone(s), s.corpus === 'upload' ? uploaded : null,
    { checkpoint: new Uint8Array(await file.arrayBuffer()), paused: true, name: `Uploaded ${file.name}` });
});
// A clean slate for the next run; the runs so far stay under Runs.
$('train-reset').addEventListener('click', () => {
  if (state === 'training' || state === 'paused') sendTrainer({ type: 'stop' });
  current = null;
  curves = emptyCurves();
  drawCharts();
  for (const id of FIGURES) $(id).textContent = '–';
  sample.textContent = NO_SAMPLE;
  saved = null;
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

// The latest run kept with a checkpoint (by an earlier visit, or by another tab just now).
const latestSaved = async () => (await listRuns()).find((r) => r.checkpointBytes > 0) ?? null;
function takeSaved(run: RunRecord | null) {
  saved = run;
  showSaved();
  if (run && !current) {
    curves = structuredClone(run.curves);
    drawCharts();
    $('train-step').textContent = `${run.step.toLocaleString('en')} / ${run.steps.toLocaleString('en')}`;
  }
  openSavedWhenShown();
}
void canKeepRuns().then((kept) => { $('train-kept-note').hidden = kept; });
importOldRun(textHash).catch(() => { /* nothing to take over */ }).then(latestSaved).then(takeSaved)
  .catch(() => { /* no IndexedDB here (a private window, say): runs are simply not kept */ });
onRunsChanged(() => {
  if (!current || state === 'stopped' || state === 'done') void latestSaved().then((r) => { saved = r; showSaved(); });
});
showState('idle');
