// Every run the lab starts, kept in this browser's IndexedDB: its record (settings, corpus
// reference, curves, final figures, a sample) and, while there is room, its latest checkpoint,
// so a reload (or a crash) loses at most the steps since the last checkpoint and any run can
// be resumed. Checkpoints share a budget: past it, the least recently saved ones are dropped,
// never a run's curves. A text of the user's own is kept once, under its hash, for the runs
// that read it; it never leaves the browser.
import { keptSettings } from './lab-state';
import { checkpointsToDrop, emptyCurves, type RunRecord } from './run-record';

/** Bytes of checkpoints kept in all (a setting, so that tests can make it small). */
export const limits = { checkpointBudget: 200e6 };

const DB = 'gptlab-runs';
const RUNS = 'runs', CHECKPOINTS = 'checkpoints', TEXTS = 'texts';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DB, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(RUNS, { keyPath: 'id' });
      request.result.createObjectStore(CHECKPOINTS);
      request.result.createObjectStore(TEXTS);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened.'));
  });
}

/** Whether this page can keep runs: not where the browser gives it no IndexedDB (a private window,
 *  or a frame on another site, which this Chromium keeps from storage). Asked once a page: the
 *  Train and Inside views share the answer. */
let keeps: Promise<boolean> | undefined;
export const canKeepRuns = (): Promise<boolean> => (keeps ??= open().then((db) => {
  db.close();
  return true;
}, () => false));

const done = (request: IDBRequest) => new Promise<unknown>((resolve, reject) => {
  request.onsuccess = () => resolve(request.result);
  request.onerror = () => reject(request.error);
});

// One transaction over the stores: everything `act` asks for is written together or not at all.
async function transact<T>(stores: string[], mode: IDBTransactionMode,
  act: (get: (name: string) => IDBObjectStore) => Promise<T> | T): Promise<T> {
  const db = await open();
  try {
    const tx = db.transaction(stores, mode);
    const finished = new Promise<void>((resolve, reject) => {
      tx.oncomplete = () => resolve();
      tx.onerror = tx.onabort = () => reject(tx.error ?? new Error('The browser refused to store the run.'));
    });
    finished.catch(() => {});  // awaited below, unless act fails first
    let result: T;
    try {
      result = await act((name) => tx.objectStore(name));
    } catch (e) {
      tx.abort();
      throw e;
    }
    await finished;
    return result;
  } finally {
    db.close();
  }
}

// Records written by earlier versions lack the newer settings: they take the defaults.
const complete = (r: RunRecord): RunRecord =>
  ({ ...r, settings: keptSettings(r.settings), curves: { ...emptyCurves(), ...r.curves } });

// Whenever a run is saved, renamed or deleted, this tab's views and the lab's other tabs hear of it.
const channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel('gptlab-runs') : null;
const listeners: (() => void)[] = [];
channel?.addEventListener('message', () => listeners.forEach((l) => l()));
export const onRunsChanged = (listener: () => void) => listeners.push(listener);
function announce() {
  channel?.postMessage('changed');
  listeners.forEach((l) => l());
}

export const listRuns = async (): Promise<RunRecord[]> =>
  (await transact([RUNS], 'readonly', (s) => done(s(RUNS).getAll())) as RunRecord[]).map(complete)
    .sort((a, b) => b.createdAt - a.createdAt);

export const getRun = async (id: string): Promise<RunRecord | null> => {
  const r = await transact([RUNS], 'readonly', (s) => done(s(RUNS).get(id))) as RunRecord | undefined;
  return r ? complete(r) : null;
};

/** Stores the record (and the checkpoint, when given), then drops the oldest checkpoints past the budget. */
export async function saveRun(record: RunRecord, checkpoint?: Uint8Array) {
  await transact([RUNS, CHECKPOINTS], 'readwrite', async (s) => {
    if (checkpoint) {
      record.checkpointBytes = checkpoint.byteLength;
      s(CHECKPOINTS).put(checkpoint, record.id);
    }
    s(RUNS).put(record);
    const all = await done(s(RUNS).getAll()) as RunRecord[];
    for (const id of checkpointsToDrop(all, limits.checkpointBudget, record.id)) {
      const r = all.find((x) => x.id === id)!;
      s(RUNS).put({ ...r, checkpointBytes: 0 });
      s(CHECKPOINTS).delete(id);
    }
  });
  announce();
}

export const loadCheckpoint = async (id: string) =>
  (await transact([CHECKPOINTS], 'readonly', (s) => done(s(CHECKPOINTS).get(id))) as Uint8Array | undefined) ?? null;

export async function deleteRun(id: string) {
  await transact([RUNS, CHECKPOINTS], 'readwrite', (s) => {
    s(RUNS).delete(id);
    s(CHECKPOINTS).delete(id);
  });
  announce();
}

export async function renameRun(id: string, name: string) {
  await transact([RUNS], 'readwrite', async (s) => {
    const r = await done(s(RUNS).get(id)) as RunRecord | undefined;
    if (r) s(RUNS).put({ ...r, name });
  });
  announce();
}

/** Keeps a text of the user's own under its hash (for the runs that read it). */
export const saveText = (hash: string, text: string) =>
  transact([TEXTS], 'readwrite', (s) => void s(TEXTS).put(text, hash));
export const loadText = async (hash: string) =>
  (await transact([TEXTS], 'readonly', (s) => done(s(TEXTS).get(hash))) as string | undefined) ?? null;

// The one run that versions before the run store kept (database "gptlab", key "latest"),
// taken into the store once, then that database is deleted.
interface OldRun {
  checkpoint: Uint8Array; step: number; steps: number; settings: RunRecord['settings']; corpus: string | null;
  corpusName: string; history: { train: [number, number][]; val: [number, number][]; lr: [number, number][] };
  savedAt: number;
}
export async function importOldRun(hash: (text: string) => string) {
  if (!(await indexedDB.databases?.())?.some((d) => d.name === 'gptlab')) return;
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open('gptlab');
    request.onupgradeneeded = () => request.transaction?.abort();  // it was not there after all
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  let old: OldRun | undefined;
  try {
    if (db.objectStoreNames.contains('runs'))
      old = await done(db.transaction('runs').objectStore('runs').get('latest')) as OldRun | undefined;
  } finally {
    db.close();
  }
  if (old) {
    const corpus = old.corpus === null ? { kind: 'austen' as const }
      : { kind: 'private' as const, name: old.corpusName, chars: [...old.corpus].length, hash: hash(old.corpus) };
    if (old.corpus !== null && corpus.kind === 'private') await saveText(corpus.hash, old.corpus);
    await saveRun({ id: `run-${old.savedAt}`, name: 'Saved run', createdAt: old.savedAt, savedAt: old.savedAt,
      settings: old.settings, corpus, step: old.step, steps: old.steps, state: 'stopped',
      curves: { ...emptyCurves(), ...old.history }, metrics: null, sample: null, checkpointBytes: 0 }, old.checkpoint);
  }
  indexedDB.deleteDatabase('gptlab');
}

// One tab trains (and so writes runs) at a time: it holds this Web Lock from Train or Resume
// until its run stops, ends or is reset, or the tab closes.
let release: (() => void) | null = null;
let released: Promise<unknown> = Promise.resolve();  // settles once the last lock this tab held is free again

/** Takes the training lock; false if another tab holds it. */
export async function claimTraining(): Promise<boolean> {
  if (release || !navigator.locks) return true;
  await released;  // this tab's own lock, let go a moment ago, is not in the way
  return new Promise((answer) => {
    released = navigator.locks.request('gptlab-training', { ifAvailable: true }, (lock) => {
      answer(lock !== null);
      if (!lock) return undefined;
      return new Promise<void>((finish) => { release = () => { release = null; finish(); }; });
    }).catch(() => answer(true));  // a frame kept from storage (an embed on another site) may not lock: it trains alone
  });
}
export const releaseTraining = () => release?.();
