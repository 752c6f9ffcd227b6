// Trains in the background: owns the WASM core and the Trainer, runs a step in
// micro-batches of about kPartTokens tokens and yields between them, so pause /
// resume / stop arrive within one part (well under 100 ms) whatever the model.
// Evaluations, samples, attention snapshots and checkpoints run as separate tasks
// ("chores") between the parts. It also answers the attention view and the
// fill-in box from the model as it is.
import { loadGptlab, usefulThreads, type GptlabModule } from './gptlab';
import type { RunClock, Trainer } from './gptlab-module';
import type { Answer, FromTrainer, Question, ToTrainer, TrainState } from './train-protocol';
import { errorText } from './error-text';

const post = (m: FromTrainer, transfer: Transferable[] = []) => postMessage(m, transfer);
const kPartTokens = 256;
const kAttentionText = 'It is a truth universally acknowledged';

let core: GptlabModule | null = null;
let trainer: Trainer | null = null;
let state: TrainState = 'idle';
let run = { steps: 0, evalEvery: 100, sampleEvery: 100, tokensPerStep: 0 };
let clock: RunClock | null = null;  // a run timed by the clock
let chores: (() => void)[] = [];  // reports due after the last step, one per task
let passage = '';  // a fixed passage of the validation text (the corpus' last tenth), for the surprise panel

// Training time, pauses left out.
let activeMs = 0, activeSince: number | null = null;
const trainingMs = () => activeMs + (activeSince === null ? 0 : performance.now() - activeSince);

function setState(s: TrainState, detail?: string) {
  postProgress();  // the steps so far, before the page hears that training paused or ended
  activeMs = trainingMs();
  activeSince = s === 'training' ? performance.now() : null;
  state = s;
  post({ type: 'state', state: s, detail });
}

function fail(e: unknown) {
  setState('stopped');
  post({ type: 'error', message: errorText(e) });  // after the state, so the sentence stays on screen
}

async function corpusText(source: Extract<ToTrainer, { type: 'start' }>['corpus']): Promise<string> {
  if ('text' in source) return source.text;
  const response = await fetch(source.url);
  if (!response.ok) throw new Error(`The corpus could not be loaded (HTTP ${response.status}).`);
  return response.text();
}

async function start(msg: Extract<ToTrainer, { type: 'start' }>) {
  setState('loading', msg.checkpoint ? 'Loading the saved model…' : 'Loading the engine and the corpus…');
  chores = [];
  try {
    core ??= await loadGptlab({ threads: true });
    const whole = await corpusText(msg.corpus);
    const corpus = msg.corpusChars ? whole.slice(0, msg.corpusChars) : whole;
    const valStart = corpus.indexOf('\n\n', Math.floor(corpus.length * 0.92));
    passage = corpus.slice(valStart < 0 ? Math.floor(corpus.length * 0.92) : valStart + 2).slice(0, 600);
    trainer?.delete();
    trainer = null;
    const block = msg.options.model?.block ?? 128;
    const options = { ...msg.options, threads: msg.options.threads ?? usefulThreads(),
      microBatch: Math.max(1, Math.floor(kPartTokens / block)) };
    trainer = msg.checkpoint ? core.Trainer.resume(corpus, options, msg.checkpoint) : core.Trainer.create(corpus, options);
  } catch (e) {
    return fail(e);
  }
  run = { steps: msg.steps, evalEvery: msg.evalEvery, sampleEvery: msg.sampleEvery,
          tokensPerStep: (msg.options.batchSize ?? 64) * trainer.blockSize() };
  speed.length = 0;
  unreported = [];
  activeMs = 0;
  clock?.delete();
  clock = msg.seconds && !msg.checkpoint ? new core.RunClock(msg.seconds, msg.evalEvery, msg.options.lr?.warmup ?? 0) : null;
  post({ type: 'started', step: trainer.stepsDone(), steps: run.steps, parameters: trainer.numParameters(),
    vocabSize: trainer.vocabSize(), layers: trainer.nLayer(), heads: trainer.nHead(), blockSize: trainer.blockSize(),
    objective: trainer.objective(), baselines: trainer.baselines() });
  const size = `a model of ${trainer.numParameters().toLocaleString('en')} parameters`;
  if (msg.paused || trainer.stepsDone() >= run.steps) {
    // A saved or uploaded model: shown (attention, a sample or fill-in) but not trained until Resume.
    chores.push(postAttention, postSample);
    const done = trainer.stepsDone() >= run.steps;
    setState(done ? 'done' : 'paused', `${done ? 'Finished' : 'Loaded'}: ${size} at step ` +
      `${trainer.stepsDone().toLocaleString('en')} of ${run.steps.toLocaleString('en')}.`);
  } else setState('training', `${size}…`);
  soon();
}

// What the model makes of text, refreshed at each evaluation: a causal model writes a
// sample from a newline, 200 tokens in chores of 25 (each its own task, so a click waits
// for 25 tokens at most), streamed to the page as it grows; a masked model fills in the
// blanks of a fixed sentence.
function postSample() {
  if (!trainer) return;
  if (trainer.objective() === 'causal') chores.unshift(sampleChunk(trainer.stepsDone(), '', 0));
  else chores.unshift(fillChore(trainer.stepsDone()));
}

function sampleChunk(step: number, text: string, chunk: number): () => void {
  return () => {
    if (!trainer) return;
    let added = '';
    try {
      trainer.generate(`\n${text}`, 25, { temperature: 0.8, seed: step * 8 + chunk }, (piece) => { added += piece; });
    } catch (e) {  // a sample that cannot be made is said where it would be, and training goes on
      return post({ type: 'sample', step, text: `(No sample: ${errorText(e)})`, done: true });
    }
    const done = chunk === 7 || added === '';
    post({ type: 'sample', step, text: text + added, done });
    if (!done) chores.unshift(sampleChunk(step, text + added, chunk + 1));
  };
}

// The blanks are letters for a character model, whole tokens for BPE; the longest sentence
// that fits the model's block is used.
const kBlanks = {
  char: ['It is a truth univ<mask>rsally ackn<mask>wledged, that a single man in poss<mask>ssion of a good f<mask>rtune.',
    'It is a truth univ<mask>rsally ackn<mask>wledged.', 'a good f<mask>rtune'],
  bpe: ['It is a truth universally <mask>, that a single man in <mask> of a good fortune, must be in want of a <mask>.',
    'It is a truth universally <mask>, that a single <mask> in possession of a good fortune.', 'a single <mask>'],
};

function fillChore(step: number): () => void {
  return () => {
    if (!trainer) return;
    let refusal: unknown = null;
    for (const text of trainer.vocabSize() < 256 ? kBlanks.char : kBlanks.bpe) {
      try {
        return post({ type: 'fill-demo', step, text, candidates: trainer.fill(text, 3) });
      } catch (e) {
        refusal = e;  // longer than the block, say: try a shorter one
      }
    }
    post({ type: 'sample', step, text: `(No fill-in: ${errorText(refusal)})`, done: true });
  };
}

// The last layer's attention on a fixed sentence.
function postAttention() {
  if (!trainer || trainer.nLayer() === 0) return;  // a model without blocks has no attention
  const layer = trainer.nLayer() - 1;
  const { tokens, weights } = trainer.attention(kAttentionText, layer);
  post({ type: 'attention', step: trainer.stepsDone(), layer, heads: trainer.nHead(), tokens, weights }, [weights.buffer]);
}

function postCheckpoint() {
  if (!trainer) return;
  const bytes = trainer.saveCheckpoint();
  post({ type: 'checkpoint', step: trainer.stepsDone(), bytes }, [bytes.buffer]);
}

// An evaluation in pieces: each runs as its own chore until the last posts the result.
function postEval() {
  if (!trainer) return;
  const result = trainer.evaluatePart();
  if (!result) {
    chores.unshift(postEval);
    return;
  }
  post({ type: 'eval', step: trainer.stepsDone(), ...result });
  post({ type: 'tensors', step: trainer.stepsDone(), stats: trainer.tensorStats() });
}

// Tokens per second over the last steps (a recent window: the first steps, with the
// engine warming up, would make the time left far too long).
const speed: number[] = [];  // when each of the last steps ended (ms)
function rate(): number | null {
  speed.push(performance.now());
  if (speed.length > 30) speed.shift();
  if (speed.length < 4) return null;
  return ((speed.length - 1) * run.tokensPerStep * 1000) / (speed[speed.length - 1] - speed[0]);
}

// A timed run's length, once its speed is known (RunClock says when and how long).
function retime(t: Trainer, step: number) {
  const total = clock?.stepsAt(step, trainingMs() / 1000) ?? null;
  if (total === null) return;
  t.setTotalSteps(total);
  run.steps = total;
}

// Steps the page has not heard of yet. A small model takes a hundred steps a second: the page
// hears of them together, at most every kReportMs and at each evaluation, so its main thread
// handles a few messages a second, not one a step.
const kReportMs = 50;
let unreported: [number, number, number][] = [];
let reportedAt = 0, lastRate: number | null = null;
function postProgress() {
  if (!trainer || !unreported.length) return;
  const step = trainer.stepsDone();
  post({ type: 'progress', step, steps: run.steps, points: unreported, tokensPerSecond: lastRate, threads: trainer.threads(),
         wasmBytes: core?.HEAP8.length ?? 0,
         etaSeconds: lastRate === null ? null : ((run.steps - step) * run.tokensPerStep) / lastRate });
  unreported = [];
  reportedAt = performance.now();
}

function reportStep(loss: number, lr: number) {
  if (!trainer) return;
  const step = trainer.stepsDone();
  lastRate = rate();
  retime(trainer, step);
  unreported.push([step, loss, lr]);
  const evaluates = step % run.evalEvery === 0 || step === run.steps;
  if (evaluates || step % run.sampleEvery === 0 || performance.now() - reportedAt >= kReportMs) postProgress();
  if (evaluates) chores.push(postEval, postAttention, postSample, postCheckpoint);
  else if (step % run.sampleEvery === 0) chores.push(postSample);
  if (step >= run.steps) chores.push(() => setState('done'));
}

// The next task of this worker, soon: a message to itself, because browsers hold a chain of
// setTimeout(0) calls back by 4 ms each after the fifth (10-20% of the time for parts of 20-40 ms).
const channel = new MessageChannel();
channel.port1.onmessage = () => tick();
const soon = () => channel.port2.postMessage(null);

// One chore or one part of a step, then the next task (messages such as Pause are handled in
// between). While paused, only the chores run (a loaded model's first sample, say). One item a
// task: with 10 ms slices of several, a small model's tour of the inside-view panels saw page
// tasks over 50 ms in 3 runs of 5 (none in 5 runs like this).
function tick() {
  if (!trainer || (state !== 'training' && !chores.length)) return;
  try {
    const chore = chores.shift();
    if (chore) chore();
    else {
      const lr = trainer.lr();
      const loss = trainer.stepPart();
      if (loss !== null) reportStep(loss, lr);
    }
  } catch (e) {
    return fail(e);
  }
  soon();
}

// Tokens per second sampling from a newline, with or without the KV cache.
function samplingRate(t: Trainer, tokens: number, cache: boolean) {
  const start = performance.now();
  t.generate('\n', tokens, { temperature: 1, seed: 1, cache }, null);
  return (tokens * 1000) / Math.max(performance.now() - start, 0.001);
}

// A panel's question about the model as it is.
function answerQuestion(t: Trainer, q: Question): { answer: Answer; transfer: Transferable[] } {
  switch (q.kind) {
    case 'next-token': {
      const r = t.nextToken(q.text, q.sampling);
      return { answer: { kind: q.kind, ...r, vocabulary: t.vocabulary() }, transfer: [r.probabilities.buffer, r.sampled.buffer] };
    }
    case 'sample':
      return { answer: { kind: q.kind, piece: t.generate(q.text, 1, q.sampling, null) }, transfer: [] };
    case 'surprise': {
      const r = t.surprise(q.passage ?? passage, q.top);
      return { answer: { kind: q.kind, ...r }, transfer: [r.losses.buffer] };
    }
    case 'logit-lens': {
      const r = t.logitLens(q.text, q.position, q.top);
      return { answer: { kind: q.kind, position: q.position, ...r }, transfer: [] };
    }
    case 'embeddings': {
      const r = t.embeddingProjection(q.table);
      return { answer: { kind: q.kind, ...r }, transfer: [r.x.buffer, r.y.buffer] };
    }
    case 'padded-attention': {
      if (t.nLayer() === 0) throw new Error('This model has no layers, so no attention to show.');
      const r = t.attentionBatch(q.texts, q.layer);
      return { answer: { kind: q.kind, heads: t.nHead(), ...r }, transfer: [r.weights.buffer, r.padded.buffer] };
    }
    case 'tensors':
      return { answer: { kind: q.kind, stats: t.tensorStats() }, transfer: [] };
  }
}

// Questions from the views (attention, fill-in box, sampling speed, the panels): answered from the model as it is.
function answer(msg: Extract<ToTrainer, { type: 'inspect' | 'fill' | 'sampling-speed' | 'ask' }>) {
  try {
    if (!trainer) throw new Error('There is no model yet: train one (or resume a saved run) first.');
    if (msg.type === 'ask') {
      const { answer: a, transfer } = answerQuestion(trainer, msg.question);
      post({ type: 'answer', seq: msg.seq, step: trainer.stepsDone(), answer: a }, transfer);
      return;
    }
    if (msg.type === 'sampling-speed') {
      const cached = samplingRate(trainer, msg.tokens, true), uncached = samplingRate(trainer, msg.tokens, false);
      post({ type: 'sampling-speed', seq: msg.seq, tokens: msg.tokens, cached, uncached, blockSize: trainer.blockSize() });
      return;
    }
    if (msg.type === 'fill') {
      post({ type: 'filled', seq: msg.seq, text: msg.text, candidates: trainer.fill(msg.text, msg.top) });
      return;
    }
    const weights: Float32Array[] = [];
    let tokens: string[] = [];
    for (let layer = 0; layer < trainer.nLayer(); layer++) {
      const a = trainer.attention(msg.text, layer);
      weights.push(a.weights);
      tokens = a.tokens;
    }
    post({ type: 'inspected', seq: msg.seq, step: trainer.stepsDone(), tokens, heads: trainer.nHead(), weights },
      weights.map((w) => w.buffer));
  } catch (e) {
    post({ type: 'error', seq: msg.seq, message: errorText(e) });
  }
}

onmessage = (event: MessageEvent<ToTrainer>) => {
  const msg = event.data;
  try {
    if (msg.type === 'start') void start(msg);
    else if (msg.type === 'pause' && state === 'training') {
      setState('paused');
      postCheckpoint();
    } else if (msg.type === 'resume' && state === 'paused') {
      speed.length = 0;
      setState('training');
      soon();
    } else if (msg.type === 'stop' && (state === 'training' || state === 'paused')) {
      setState('stopped');
      postCheckpoint();
    } else if (msg.type === 'checkpoint') postCheckpoint();
    else if (msg.type === 'inspect' || msg.type === 'fill' || msg.type === 'sampling-speed' || msg.type === 'ask') answer(msg);
  } catch (e) {
    fail(e);
  }
};
