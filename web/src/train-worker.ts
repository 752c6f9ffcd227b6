// Trains in the background: owns the WASM core and the Trainer, runs a step in
// micro-batches of about kPartTokens tokens and yields between them, so pause /
// resume / stop arrive within one part (well under 100 ms) whatever the model.
import { loadGptlab, usefulThreads, type GptlabModule } from './gptlab';
import type { Trainer } from './gptlab-module';
import type { FromTrainer, ToTrainer, TrainState } from './train-protocol';

const post = (m: FromTrainer) => postMessage(m);
const kPartTokens = 256;
const kAttentionText = 'It is a truth universally acknowledged';
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

let core: GptlabModule | null = null;
let trainer: Trainer | null = null;
let state: TrainState = 'idle';
let run = { steps: 0, evalEvery: 100, sampleEvery: 100, tokensPerStep: 0 };
let clock = { since: 0, tokens: 0 };

function setState(s: TrainState, detail?: string) {
  state = s;
  post({ type: 'state', state: s, detail });
}

function fail(e: unknown) {
  post({ type: 'error', message: errorText(e) });
  setState('stopped');
}

async function start(msg: Extract<ToTrainer, { type: 'start' }>) {
  setState('loading', 'Loading the engine and the corpus…');
  try {
    core ??= await loadGptlab({ threads: true });
    const response = await fetch(msg.corpusUrl);
    if (!response.ok) throw new Error(`The corpus could not be loaded (HTTP ${response.status}).`);
    const corpus = await response.text();
    trainer?.delete();
    chores = [];
    const block = msg.options.model?.block ?? 128;
    trainer = core.Trainer.create(corpus, {
      ...msg.options, threads: msg.options.threads ?? usefulThreads(), microBatch: Math.max(1, Math.floor(kPartTokens / block)) });
  } catch (e) {
    return fail(e);
  }
  run = { steps: msg.steps, evalEvery: msg.evalEvery, sampleEvery: msg.sampleEvery,
          tokensPerStep: (msg.options.batchSize ?? 64) * trainer.blockSize() };
  clock = { since: performance.now(), tokens: 0 };
  setState('training', `a model of ${trainer.numParameters().toLocaleString('en')} parameters…`);
  setTimeout(tick, 0);
}

function postSample() {
  if (!trainer) return;
  const step = trainer.stepsDone();
  post({ type: 'sample', step, text: trainer.generate('\n', 200, { temperature: 0.8, seed: step }, null) });
}

// The last layer's attention on a fixed sentence.
function postAttention() {
  if (!trainer) return;
  const layer = trainer.nLayer() - 1;
  const { tokens, weights } = trainer.attention(kAttentionText, layer);
  const m: FromTrainer = { type: 'attention', step: trainer.stepsDone(), layer, heads: trainer.nHead(), tokens, weights };
  postMessage(m, [weights.buffer]);
}

// An evaluation in pieces: each runs as its own chore until the last posts the result.
function postEval() {
  if (!trainer) return;
  const result = trainer.evaluatePart();
  if (result) post({ type: 'eval', step: trainer.stepsDone(), ...result });
  else chores.unshift(postEval);
}

// Reports due after a step, run one per task between step parts so that messages get in between.
let chores: (() => void)[] = [];

function reportStep(loss: number, lr: number) {
  if (!trainer) return;
  const step = trainer.stepsDone();
  clock.tokens += run.tokensPerStep;
  const rate = clock.tokens / ((performance.now() - clock.since) / 1000);
  post({ type: 'progress', step, steps: run.steps, loss, lr, tokensPerSecond: rate, threads: trainer.threads(),
         etaSeconds: ((run.steps - step) * run.tokensPerStep) / rate });
  if (step % run.evalEvery === 0 || step === run.steps) chores.push(postEval, postAttention, postSample);
  else if (step % run.sampleEvery === 0) chores.push(postSample);
  if (step >= run.steps) chores.push(() => setState('done'));
}

// One chore or one part of a step, then schedule the next (messages are handled in between).
function tick() {
  if (state !== 'training' || !trainer) return;
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
  setTimeout(tick, 0);
}

onmessage = (event: MessageEvent<ToTrainer>) => {
  const msg = event.data;
  if (msg.type === 'start') void start(msg);
  else if (msg.type === 'pause' && state === 'training') setState('paused');
  else if (msg.type === 'resume' && state === 'paused') {
    clock = { since: performance.now(), tokens: 0 };
    setState('training');
    setTimeout(tick, 0);
  } else if (msg.type === 'stop' && (state === 'training' || state === 'paused')) setState('stopped');
  else if (msg.type === 'snapshot') {
    try {
      postAttention();
      postSample();
    } catch (e) {
      fail(e);
    }
  }
};
