// The latest training run, kept in this browser's IndexedDB so that a reload (or a crash)
// loses at most the steps since the last checkpoint: the checkpoint bytes, the settings and
// corpus it was trained with, and the curves drawn so far.
import type { TrainSettings } from './lab-state';

export interface RunHistory { train: [number, number][]; val: [number, number][]; lr: [number, number][] }

export interface SavedRun {
  checkpoint: Uint8Array;
  step: number;
  steps: number;
  settings: TrainSettings;
  corpus: string | null;   // a text the user gave; null for the built-in corpus
  corpusName: string;
  history: RunHistory;
  savedAt: number;         // ms since the epoch
}

const DB = 'gptlab', STORE = 'runs', KEY = 'latest';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => request.result.createObjectStore(STORE);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened.'));
  });
}

async function transact<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const db = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const request = act(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(request.result as T);
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('The browser refused to store the run.'));
    });
  } finally {
    db.close();
  }
}

// Tabs of the lab tell each other when they have saved a run.
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('gptlab-runs') : null;
export const onRunSaved = (listener: () => void) => channel?.addEventListener('message', listener);

// Written in one transaction: the previous run stays whole until the new one is stored.
export async function saveRun(run: SavedRun) {
  await transact<void>('readwrite', (s) => s.put(run, KEY));
  channel?.postMessage('saved');
}
export const loadRun = async () => (await transact<SavedRun | undefined>('readonly', (s) => s.get(KEY))) ?? null;
export const clearRun = () => transact<void>('readwrite', (s) => s.delete(KEY));

// One tab trains (and so writes the saved run) at a time: it holds this Web Lock from Train or
// Resume until its run stops, ends or is reset, or the tab closes.
let release: (() => void) | null = null;

/** Takes the training lock; false if another tab holds it. */
export function claimTraining(): Promise<boolean> {
  if (release || !navigator.locks) return Promise.resolve(true);
  return new Promise((answer) => {
    void navigator.locks.request('gptlab-training', { ifAvailable: true }, (lock) => {
      answer(lock !== null);
      if (!lock) return undefined;
      return new Promise<void>((done) => { release = () => { release = null; done(); }; });
    });
  });
}
export const releaseTraining = () => release?.();
