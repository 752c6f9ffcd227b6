// The Runs view: every run kept in this browser, the chosen ones compared on one chart (their
// validation losses against steps, tokens seen or seconds, the legend naming what differs
// between them) with a table of their figures, and the queue. The comparison is part of the
// lab state, so a share link carries it (settings and curves only) and opens it anywhere.
import type { SharedRun } from './lab-state';
import { drawLineChart, type Series } from './line-chart';
import { addToQueue, clearQueue, onQueueChange, queueActive, queueItems, runQueue } from './queue';
import { bestVal, corpusName, differences, lastStep, sample, summary, type Point, type RunRecord } from './run-record';
import { deleteRun, listRuns, loadCheckpoint, onRunsChanged, renameRun } from './run-store';
import { change, embedView, getState, subscribe } from './store';
import { onLiveRun, openRun, startRun } from './train-view';
import { $, downloadFile, swatch } from './dom';

const PALETTE = ['#2f6fed', '#d9480f', '#2b8a3e', '#9c36b5', '#e8590c', '#0c8599', '#c2255c', '#5c940d'];
const SHARED_POINTS = 200;

let local: RunRecord[] = [];
let live: RunRecord | null = null;

/** The run as a link carries it: settings and thinned curves, never weights or the user's text. */
export function toShared(r: RunRecord): SharedRun {
  const m = r.metrics;
  return { id: r.id, name: r.name, settings: r.settings, corpus: r.corpus.kind === 'austen' ? 'austen' : 'private',
    train: sample(r.curves.train, SHARED_POINTS), val: sample(r.curves.val, SHARED_POINTS),
    seconds: sample(r.curves.seconds, 50), bitsPerNat: m && m.valLoss > 0 ? m.bitsPerChar / m.valLoss : null,
    masked: m?.maskedAccuracy != null && m.unigramAccuracy != null ? { accuracy: m.maskedAccuracy, unigram: m.unigramAccuracy } : null };
}

// A chosen run's freshest data: the run in training, else the kept record, else the link's copy.
function freshest(shared: SharedRun): { run: SharedRun; local: boolean } {
  const record = live?.id === shared.id ? live : local.find((r) => r.id === shared.id);
  return record ? { run: toShared(record), local: true } : { run: shared, local: false };
}

const tokensPerStep = (run: SharedRun) => run.settings.batch * run.settings.block;

// Seconds of training at a step, read off the run's [step, seconds] curve (linear in between).
function secondsAt(seconds: Point[], step: number): number | null {
  if (!seconds.length) return null;
  const i = seconds.findIndex((p) => p[0] >= step);
  if (i === -1) return seconds.at(-1)![1];
  if (i === 0) return (seconds[0][1] * step) / Math.max(1, seconds[0][0]);
  const [s0, t0] = seconds[i - 1], [s1, t1] = seconds[i];
  return t0 + ((t1 - t0) * (step - s0)) / Math.max(1, s1 - s0);
}

function toX(run: SharedRun, points: Point[]): Point[] {
  const x = getState().runs.x;
  if (x === 'step') return points;
  if (x === 'tokens') return points.map(([s, v]) => [s * tokensPerStep(run), v]);
  return points.flatMap(([s, v]) => {
    const t = secondsAt(run.seconds, s);
    return t === null ? [] : [[t, v] as Point];
  });
}

const compact = (v: number) => v >= 1e6 ? `${(v / 1e6).toFixed(v >= 1e7 ? 0 : 1)}M` : v >= 1e3 ? `${Math.round(v / 1e3)}k` : `${Math.round(v)}`;
const duration = (s: number) => s < 90 ? `${Math.round(s)} s` : `${Math.floor(s / 60)} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;

function drawComparison() {
  const chosen = getState().compare.map(freshest);
  const labels = differences(chosen.map(({ run }) => ({ name: run.name, settings: run.settings,
    corpus: run.corpus === 'austen' ? { kind: 'austen' as const } : { kind: 'private' as const, name: 'own text', chars: 0, hash: '' } })));
  const view = getState().runs;
  const series: Series[] = [];
  chosen.forEach(({ run }, i) => {
    const color = PALETTE[i % PALETTE.length];
    series.push({ color, points: toX(run, run.val), label: labels[i], dots: true });
    if (view.trainToo) series.push({ color, points: toX(run, run.train), label: `${labels[i]} (training)`, faint: true });
  });
  const points = series.flatMap((s) => s.points.map((p) => p[0]));
  const xMax = points.length ? Math.max(1, ...points) : getState().train.steps;
  const xTitle = { step: 'step', tokens: 'tokens seen', seconds: 'seconds of training' }[view.x];
  drawLineChart($('runs-chart'), { series, xMax, xTitle, yTitle: view.trainToo ? 'loss (nats/token)' : 'validation loss (nats/token)', height: 300, logX: view.logX,
    formatX: view.x === 'step' ? undefined : compact, readout: $('runs-readout'),
    empty: embedView() ? 'No runs to compare: this embed shows the runs its link carries.'
      : 'Tick runs under “Your runs” (or open a comparison link) to compare them here.' });
  drawTable(chosen, labels);
}

function drawTable(chosen: { run: SharedRun; local: boolean }[], labels: string[]) {
  const rows = chosen.map(({ run, local: isLocal }, i) => ({ run, isLocal, label: labels[i], color: PALETTE[i % PALETTE.length],
    best: run.val.length ? Math.min(...run.val.map((p) => p[1])) : null }));
  const ranked = [...rows].sort((a, b) => (a.best ?? Infinity) - (b.best ?? Infinity));
  // Masked models are also judged by how often they guess a masked token, against always guessing the commonest.
  const anyMasked = rows.some((r) => r.run.masked);
  $('runs-masked-head').hidden = !anyMasked;
  const winner = ranked.find((r) => r.best !== null);
  $('runs-table-body').replaceChildren(...ranked.map((r) => {
    const tr = document.createElement('tr');
    const step = Math.max(r.run.val.at(-1)?.[0] ?? 0, r.run.train.at(-1)?.[0] ?? 0);
    const seconds = r.run.seconds.at(-1)?.[1];
    const name = document.createElement('th');
    name.scope = 'row';
    const notes = [r.label === r.run.name ? '' : r.label, r.run.corpus === 'private' ? 'private text' : '',
      r.isLocal ? '' : 'from a link'].filter(Boolean);
    name.append(swatch(r.color), r.run.name || 'Run', Object.assign(document.createElement('small'), { textContent: ` ${notes.join('; ')}` }));
    const cells = [r.best === null ? '–' : r.best.toFixed(3), r.best !== null && r.run.bitsPerNat ? (r.best * r.run.bitsPerNat).toFixed(3) : '–',
      `${step.toLocaleString('en')} / ${r.run.settings.steps.toLocaleString('en')}`, compact(step * tokensPerStep(r.run)),
      seconds === undefined ? '–' : duration(seconds)].map((text) => Object.assign(document.createElement('td'), { textContent: text }));
    if (anyMasked) cells.splice(2, 0, Object.assign(document.createElement('td'), { textContent: r.run.masked
      ? `${(100 * r.run.masked.accuracy).toFixed(1)}% (${(100 * r.run.masked.unigram).toFixed(1)}%)` : '–' }));
    if (r === winner && rows.length > 1) {
      tr.className = 'best';
      cells[0].append(Object.assign(document.createElement('span'), { className: 'badge', textContent: 'best' }));
    }
    const action = document.createElement('td');
    action.append(r.isLocal ? button('Open', () => void openRun(r.run.id))
      : button('Train this', () => void trainShared(r.run), r.run.corpus === 'private' ? 'It was trained on a private text' : undefined));
    tr.append(name, ...cells, action);
    return tr;
  }));
}

function button(text: string, onClick: () => void, disabledWhy?: string) {
  const b = Object.assign(document.createElement('button'), { type: 'button', textContent: text });
  b.addEventListener('click', onClick);
  if (disabledWhy) {
    b.disabled = true;
    b.title = disabledWhy;
  }
  return b;
}

// A run from a link, trained live here with its settings.
async function trainShared(run: SharedRun) {
  change((s) => { s.train = structuredClone(run.settings); s.view = 'train'; });
  if (!(await startRun(run.settings, run.name))) return;
}

function drawList() {
  $('runs-empty').hidden = local.length > 0;
  $('runs-list').hidden = local.length === 0;
  const chosen = new Set(getState().compare.map((r) => r.id));
  $('runs-list-body').replaceChildren(...local.map((stored) => {
    const r = live?.id === stored.id ? live : stored;
    const tr = document.createElement('tr');
    const pick = Object.assign(document.createElement('input'), { type: 'checkbox', checked: chosen.has(r.id) });
    pick.setAttribute('aria-label', `Compare ${r.name}`);
    pick.addEventListener('change', () => change((s) => {
      s.compare = pick.checked ? [...s.compare, toShared(r)].slice(-8) : s.compare.filter((c) => c.id !== r.id);
    }));
    const name = Object.assign(document.createElement('input'), { value: r.name, className: 'run-name' });
    name.setAttribute('aria-label', 'Name of this run');
    name.addEventListener('change', () => void renameRun(r.id, name.value.trim() || r.name));
    const when = new Date(r.createdAt).toLocaleString('en', { dateStyle: 'medium', timeStyle: 'short' });
    const named = document.createElement('div');
    named.append(name, Object.assign(document.createElement('small'), { textContent: `started ${when}` }));
    const settings = `${summary(r.settings)}; ${corpusName(r.corpus)}`;
    const best = bestVal(r);
    // A run that was training when its page closed (or crashed) is kept as it was at its last save.
    const shownState = r.state === 'training' && live?.id !== r.id ? 'interrupted' : r.state;
    const trained = r.curves.seconds.at(-1)?.[1];
    const state = (r.state === 'done' ? `done (${r.steps.toLocaleString('en')} steps)`
      : `${shownState} at step ${(shownState === 'training' ? lastStep(r) : r.step).toLocaleString('en')} of ` +
        `${r.steps.toLocaleString('en')}`) +
      (trained === undefined ? '' : `, ${duration(trained)}`);
    const actions = document.createElement('td');
    actions.className = 'actions';
    actions.append(button('Open', () => void openRun(r.id)), button('Download', () => void downloadRun(r)), deleteButton(r));
    tr.append(cell(pick), cell(named), cell(settings), cell(best === null ? '–' : best.toFixed(3)), cell(state), actions);
    return tr;
  }));
}

const cell = (content: string | Node) => {
  const td = document.createElement('td');
  td.append(content);
  return td;
};

// Delete asks once more (the button says so) before the run goes.
function deleteButton(r: RunRecord) {
  const b = button('Delete', () => {
    if (b.dataset.armed !== 'yes') {
      b.dataset.armed = 'yes';
      b.textContent = 'Really delete?';
      setTimeout(() => { b.dataset.armed = ''; b.textContent = 'Delete'; }, 4000);
      return;
    }
    void deleteRun(r.id).then(() => change((s) => { s.compare = s.compare.filter((c) => c.id !== r.id); }));
  });
  return b;
}

// The run's record as JSON, and its checkpoint beside it when one is kept.
async function downloadRun(r: RunRecord) {
  const base = r.name.replace(/[^\w.-]+/g, '-').replace(/^-|-$/g, '') || 'run';
  downloadFile(new Blob([JSON.stringify(r, null, 1)], { type: 'application/json' }), `${base}.json`);
  const bytes = await loadCheckpoint(r.id).catch(() => null);
  if (bytes) downloadFile(new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/octet-stream' }), `${base}.ckpt`);
}

function drawQueue() {
  const items = queueItems();
  $('queue-list').replaceChildren(...items.map((item) => Object.assign(document.createElement('li'), {
    textContent: `${item.name}: ${summary(item.settings)}${item.done ? ' — done' : ''}`,
    className: item.done ? 'done' : '' })));
  $<HTMLButtonElement>('queue-run').disabled = !items.some((i) => !i.done) || queueActive();
  $('queue-status').textContent = !items.length ? 'The queue is empty.' : queueActive()
    ? `Training ${items.filter((i) => i.done).length + 1} of ${items.length}.`
    : `${items.filter((i) => !i.done).length} of ${items.length} to train.`;
}

async function refresh() {
  local = await listRuns().catch(() => []);
  drawList();
  drawComparison();
}

// Controls bound to the state.
const controls = [...document.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-runs]')];
for (const c of controls)
  c.addEventListener('change', () => change((s) => {
    (s.runs as unknown as Record<string, unknown>)[c.dataset.runs!] = c instanceof HTMLInputElement && c.type === 'checkbox' ? c.checked : c.value;
  }));
subscribe((s, previous) => {
  for (const c of controls) {
    const v = (s.runs as unknown as Record<string, unknown>)[c.dataset.runs!];
    if (c instanceof HTMLInputElement && c.type === 'checkbox') c.checked = v as boolean;
    else c.value = String(v);
  }
  if (s.view === 'runs' && previous.view !== 'runs') void refresh();
  else if (s.compare !== previous.compare || s.runs !== previous.runs) {
    drawComparison();
    drawList();
  }
});

// The run in training: its row and curve follow it; a chosen one's copy in the state (and
// so in the link) is brought up to date now and then.
let lastCopy = 0;
onLiveRun((run) => {
  live = run;
  if (getState().view === 'runs') {
    drawList();
    drawComparison();
  }
  if (run && performance.now() - lastCopy > 5000 && getState().compare.some((c) => c.id === run.id)) {
    lastCopy = performance.now();
    change((s) => { s.compare = s.compare.map((c) => (c.id === run.id ? toShared(run) : c)); });
  }
});
onRunsChanged(() => void refresh());

$('queue-add').addEventListener('click', () => {
  const settings = getState().train;
  addToQueue([{ name: `Queued ${queueItems().length + 1}`, settings }]);
});
$('queue-run').addEventListener('click', async () => {
  const why = await runQueue();
  if (why) $('queue-status').textContent = why;
});
$('queue-clear').addEventListener('click', clearQueue);
onQueueChange(drawQueue);
drawQueue();
void refresh();
