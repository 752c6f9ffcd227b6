// The page's handle on the training worker, shared by the training and attention views.
// The worker starts with the first message; if it crashes, listeners get an error
// sentence and the next message starts a fresh one.
import type { FromTrainer, ToTrainer } from './train-protocol';

type Listener = (m: FromTrainer) => void;
const listeners: Listener[] = [];
let worker: Worker | null = null;
let questions = 0;

/** A number for a question to the worker ('inspect', 'fill'); its answer carries it back. */
export const nextSeq = () => ++questions;

export function onTrainer(listener: Listener) {
  listeners.push(listener);
}

const emit = (m: FromTrainer) => listeners.forEach((l) => l(m));

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
