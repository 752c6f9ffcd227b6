// The page's handle on the training worker, shared by the training and attention views.
// The worker starts with the first message; if it crashes, listeners get an error
// sentence and the next message starts a fresh one.
import type { Answer, FromTrainer, Question, ToTrainer } from './train-protocol';

type Listener = (m: FromTrainer) => void;
const listeners: Listener[] = [];
let worker: Worker | null = null;
let questions = 0;

/** A number for a question to the worker ('inspect', 'fill'); its answer carries it back. */
export const nextSeq = () => ++questions;

export function onTrainer(listener: Listener) {
  listeners.push(listener);
}

const emit = (m: FromTrainer) => [...listeners].forEach((l) => l(m));  // a listener may remove itself

export function sendTrainer(message: ToTrainer, transfer: Transferable[] = []) {
  if (!worker) {
    worker = new Worker(new URL('./train-worker.ts', import.meta.url), { type: 'module' });
    worker.onmessage = (e: MessageEvent<FromTrainer>) => emit(e.data);
    worker.onerror = (e) => {
      e.preventDefault();
      worker?.terminate();
      worker = null;
      emit({ type: 'state', state: 'stopped' });
      emit({ type: 'error', crashed: true, message: `The training worker stopped unexpectedly (${e.message || 'no reason given'}).` });
    };
  }
  worker.postMessage(message, transfer);
}

/**
 * Asks the worker about the model as it is: resolves with the answer and the model's step, or
 * rejects with the worker's sentence (no model yet, a question this model cannot answer).
 */
export function ask<K extends Question['kind']>(question: Extract<Question, { kind: K }>):
  Promise<{ answer: Extract<Answer, { kind: K }>; step: number }> {
  const seq = nextSeq();
  return new Promise((resolve, reject) => {
    const listener: Listener = (m) => {
      if (m.type === 'answer' && m.seq === seq) resolve({ answer: m.answer as Extract<Answer, { kind: K }>, step: m.step });
      else if (m.type === 'error' && (m.seq === seq || m.crashed)) reject(new Error(m.message));
      else return;
      listeners.splice(listeners.indexOf(listener), 1);
    };
    listeners.push(listener);
    sendTrainer({ type: 'ask', seq, question });
  });
}
