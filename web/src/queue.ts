// The queue: runs that train one after another, each to its last step ("Run these"). It lives
// in localStorage, so a reload finds it: the run in training is resumed from its checkpoint,
// then the queue goes on. Stopping a run by hand pauses the queue; "Run these" goes on.
import { keptSettings, type TrainSettings } from './lab-state';
import { deleteRun, getRun } from './run-store';
import { onLiveRun, resumeRun, startRun } from './train-view';

export interface QueueItem { name: string; settings: TrainSettings; runId: string | null; done: boolean }
interface Queue { items: QueueItem[]; active: boolean }

const KEY = 'gptlab-queue';
const listeners: (() => void)[] = [];
let queue: Queue = load();

function load(): Queue {
  try {
    const q = JSON.parse(localStorage.getItem(KEY) ?? 'null') as Queue | null;
    if (q && Array.isArray(q.items))
      return { active: q.active === true, items: q.items.map((i) => ({ ...i, settings: keptSettings(i.settings) })) };
  } catch { /* a damaged entry: start empty */ }
  return { items: [], active: false };
}

function save() {
  try {
    localStorage.setItem(KEY, JSON.stringify(queue));
  } catch { /* no storage (a private window): the queue lasts as long as the page */ }
  for (const l of listeners) l();
}

export const queueItems = (): readonly QueueItem[] => queue.items;
export const queueActive = () => queue.active;
export const onQueueChange = (listener: () => void) => listeners.push(listener);

export function addToQueue(items: { name: string; settings: TrainSettings }[]) {
  queue.items.push(...items.map((i) => ({ ...i, settings: structuredClone(i.settings), runId: null, done: false })));
  save();
}

export function clearQueue() {
  queue = { items: [], active: false };
  save();
}

/** Trains the items not done yet, one after another. Returns a sentence if it cannot start now. */
export async function runQueue(): Promise<string | null> {
  const next = queue.items.find((i) => !i.done);
  if (!next) return 'The queue is empty: add runs first.';
  queue.active = true;
  save();
  return goOn();
}

async function goOn(): Promise<string | null> {
  const next = queue.items.find((i) => !i.done);
  if (!queue.active || !next) {
    queue.active = false;
    save();
    return null;
  }
  // Its run goes on from its checkpoint; a run never started (or one without a checkpoint yet) starts anew.
  let ok = next.runId !== null && (await resumeRun(next.runId));
  if (!ok && next.runId !== null) {
    const old = await getRun(next.runId).catch(() => null);
    if (old && !old.checkpointBytes) await deleteRun(old.id).catch(() => {});  // it had not got far: start it again
  }
  if (!ok) ok = (next.runId = await startRun(next.settings, next.name)) !== null;
  if (!ok) {
    queue.active = false;
    save();
    return 'A run is already training (here or in another tab): the queue waits. Press Run these when it is over.';
  }
  save();
  return null;
}

onLiveRun((run) => {
  const item = run && queue.items.find((i) => i.runId === run.id);
  if (!item || !queue.active) return;
  if (run.state === 'done' && !item.done) {
    item.done = true;
    save();
    void goOn();
  } else if (run.state === 'stopped') {
    queue.active = false;
    save();
  }
});

// After a reload: the queue was running, so its current run goes on from its checkpoint.
if (queue.active) setTimeout(() => void goOn(), 0);
