// The Lessons view: the journey from a bigram to a modern GPT in short chapters (#lesson=N).
// Each chapter has its text, what to notice, a link to the instrument it needs and, where it has
// one, an experiment: runs queued with one click, drawn live beside reference curves recorded
// with the native CLI (scripts/record-lessons.mjs), so a reader on a slow machine sees the whole
// picture at once.
import { CHAPTERS } from './lessons/chapters';
import experiments from './lessons/experiments.json';
import recorded from './lessons/recorded.json';
import { keptSettings, type TrainSettings } from './lab-state';
import { drawLineChart, type Series } from './line-chart';
import { addToQueue, queueActive, runQueue } from './queue';
import { lastStep, type Point, type RunRecord, type TensorCurve } from './run-record';
import { listRuns, onRunsChanged } from './run-store';
import { change, embedView, getState, subscribe } from './store';
import { onLiveRun } from './train-view';
import { $, swatch } from './dom';

const PALETTE = ['#495057', '#2f6fed', '#d9480f', '#2b8a3e', '#9c36b5', '#e8590c', '#0c8599', '#c2255c'];
const PROGRESS = 'gptlab-lessons';

interface Rung { name: string; settings: Partial<TrainSettings> }
interface Recorded {
  name: string; val: Point[]; bits: Point[]; train?: Point[]; masked?: [number, number, number][];
  sizes?: Point[];  // L2 norm of the 1-D tensors together, at each evaluation
  alone?: Point[];  // a run that attends to padding: val loss with each document read alone
}
const runsOf = (n: number): Rung[] => (experiments.lessons as Record<string, Rung[]>)[String(n)] ?? [];
const recordedOf = (n: number): Recorded[] => (recorded.lessons as unknown as Record<string, Recorded[]>)[String(n)] ?? [];
const runName = (n: number, rung: string) => `Lesson ${n} · ${rung}`;
export const lessonSettings = (rung: Rung): TrainSettings =>
  keptSettings({ ...(experiments.base as Partial<TrainSettings>), ...rung.settings });

let local: RunRecord[] = [];
let live: RunRecord | null = null;

// Chapters opened, and experiments run to the end, in this browser.
function progress(): { opened: number[]; done: number[] } {
  try {
    const p = JSON.parse(localStorage.getItem(PROGRESS) ?? '{}');
    return { opened: Array.isArray(p.opened) ? p.opened : [], done: Array.isArray(p.done) ? p.done : [] };
  } catch {
    return { opened: [], done: [] };
  }
}
function mark(kind: 'opened' | 'done', n: number) {
  const p = progress();
  if (p[kind].includes(n)) return;
  p[kind].push(n);
  try {
    localStorage.setItem(PROGRESS, JSON.stringify(p));
  } catch { /* no storage: progress lasts as long as the page */ }
}

// Text with `code` spans, as DOM nodes (never HTML).
function paragraph(text: string, tag: 'p' | 'li' = 'p') {
  const el = document.createElement(tag);
  text.split('`').forEach((part, i) => el.append(i % 2 ? Object.assign(document.createElement('code'), { textContent: part }) : part));
  return el;
}

// Instruments a chapter shows inline are borrowed from their views (by element id) and given
// back when the chapter closes; a 'shown' event tells the owner to draw.
const homes = new Map<HTMLElement, Comment>();
function borrow(ids: readonly string[]) {
  const slot = $('lesson-live');
  for (const el of [...slot.children] as HTMLElement[]) if (!ids.includes(el.id)) homes.get(el)?.after(el);
  for (const id of ids) {
    const el = $(id);
    if (!homes.has(el)) {
      const home = document.createComment(` ${id} `);
      el.before(home);
      homes.set(el, home);
    }
    slot.append(el);
    el.dispatchEvent(new Event('shown'));
  }
}

// The reader's latest run of each rung (the one in training first).
function yours(n: number, rung: string): RunRecord | null {
  const name = runName(n, rung);
  if (live?.name === name) return live;
  return local.filter((r) => r.name === name).sort((a, b) => b.createdAt - a.createdAt)[0] ?? null;
}

function render() {
  const n = getState().lesson, chapter = CHAPTERS[n - 1];
  mark('opened', n);
  const p = progress();
  $('lesson-nav').replaceChildren(...CHAPTERS.map((c, i) => {
    const b = Object.assign(document.createElement('button'), { type: 'button', textContent: `${i + 1}. ${c.title}` });
    if (p.done.includes(i + 1)) b.append(Object.assign(document.createElement('span'), { className: 'tick', textContent: ' ✓' }));
    if (i + 1 === n) b.setAttribute('aria-current', 'page');
    b.addEventListener('click', () => change((s) => { s.lesson = i + 1; }));
    const li = document.createElement('li');
    li.append(b);
    return li;
  }));
  // On a phone the chapters are one scrolling row: the open one is brought into it.
  const nav = $('lesson-nav'), current = nav.querySelector<HTMLElement>('[aria-current="page"]');
  if (current && nav.scrollWidth > nav.clientWidth) nav.scrollLeft = current.offsetLeft - nav.offsetLeft - 8;
  $('lesson-title').textContent = `${n}. ${chapter.title}`;
  $('lesson-text').replaceChildren(...chapter.text.map((t) => paragraph(t)));
  $('lesson-notice').replaceChildren(...chapter.notice.map((t) => paragraph(t, 'li')));
  borrow(chapter.inline ?? []);
  const instrument = $<HTMLButtonElement>('lesson-instrument');
  instrument.hidden = !chapter.instrument || embedView() !== null;
  instrument.textContent = chapter.instrument?.label ?? '';
  const rungs = runsOf(n);
  $('lesson-experiment').hidden = rungs.length === 0;
  $('lesson-no-experiment').hidden = rungs.length > 0;
  if (rungs.length) drawExperiment(n, rungs);
}

function drawExperiment(n: number, rungs: Rung[]) {
  const bits = CHAPTERS[n - 1].measure === 'bits', rec = recordedOf(n);
  const series: Series[] = [];
  const rows = rungs.map((rung, i) => {
    const color = PALETTE[i % PALETTE.length];
    const r = rec.find((x) => x.name === rung.name);
    const mine = yours(n, rung.name);
    const ratio = mine?.metrics && mine.metrics.valLoss > 0 ? mine.metrics.bitsPerChar / mine.metrics.valLoss : null;
    const minePoints: Point[] = !mine ? [] : bits ? (ratio ? mine.curves.val.map(([s, v]) => [s, v * ratio]) : []) : mine.curves.val;
    // Recorded curves are pale beside the reader's own run of the same rung, and drawn in full without one.
    if (r) series.push({ color, points: bits ? r.bits : r.val, label: `${rung.name} (recorded)`, faint: minePoints.length > 0 });
    if (minePoints.length) series.push({ color, points: minePoints, label: rung.name, dots: true });
    if (CHAPTERS[n - 1].showTrain && !bits) {
      if (r?.train) series.push({ color, points: r.train, label: `${rung.name}, training loss (recorded)`, faint: true });
      if (mine) series.push({ color, points: mine.curves.train, label: `${rung.name}, training loss`, faint: true });
    }
    const last = (points: Point[] | undefined) => (points?.length ? points.at(-1)![1].toFixed(3) : '–');
    // Masked models: also how often the top guess is right, beside always guessing the commonest token.
    const accuracy = (a: number | null | undefined, u: number | null | undefined) =>
      a == null || u == null ? '' : `; ${(100 * a).toFixed(1)}% right (commonest token ${(100 * u).toFixed(1)}%)`;
    // A run that attends to padding: also its loss with each document read alone.
    const alone = (loss: number | null | undefined) => (loss == null ? '' : `; read alone ${loss.toFixed(3)}`);
    const recAcc = r?.masked?.at(-1), myAcc = mine?.metrics;
    return { rung, color, recorded: last(r ? (bits ? r.bits : r.val) : undefined) + accuracy(recAcc?.[1], recAcc?.[2]) +
        alone(r?.alone?.at(-1)?.[1]),
      mine: last(minePoints) + accuracy(myAcc?.maskedAccuracy, myAcc?.unigramAccuracy) + alone(myAcc?.valLossAlone),
      state: !mine ? 'not run' : mine.state === 'done' ? 'done' : `step ${lastStep(mine).toLocaleString('en')}` };
  });
  const steps = Math.max(...rungs.map((r) => lessonSettings(r).steps));
  $('lesson-sizes').hidden = !CHAPTERS[n - 1].sizes;
  if (CHAPTERS[n - 1].sizes) drawSizes(n, rungs, steps);
  drawLineChart($('lesson-chart'), { series, xMax: steps, xTitle: 'step', height: 280,
    yTitle: bits ? 'validation bits per character' : 'validation loss (nats/token)', readout: $('lesson-readout'),
    empty: 'Press Run this experiment.' });
  $('lesson-table-body').replaceChildren(...rows.map((row) => {
    const tr = document.createElement('tr');
    const name = document.createElement('th');
    name.scope = 'row';
    name.append(swatch(row.color), row.rung.name);
    tr.append(name, ...[row.recorded, row.mine, row.state].map((t) => Object.assign(document.createElement('td'), { textContent: t })));
    return tr;
  }));
  $('lesson-measure').textContent = bits ? 'bits/char' : 'val loss';
  $('lesson-recorded').replaceChildren(...paragraph(recorded.about).childNodes);
  const all = rungs.every((r) => yours(n, r.name)?.state === 'done');
  if (all) mark('done', n);
  $<HTMLButtonElement>('lesson-run').disabled = queueActive();
}

// The size of each run's 1-D tensors over training: sqrt of the sum of their squared norms.
function oneDimensionalSize(tensors: TensorCurve[]): Point[] {
  const vectors = tensors.filter((t) => !t.matrix);
  return (vectors[0]?.weight ?? []).map(([step], i) => [step, Math.hypot(...vectors.map((t) => t.weight[i]?.[1] ?? 0))]);
}

function drawSizes(n: number, rungs: Rung[], steps: number) {
  const rec = recordedOf(n);
  const series: Series[] = rungs.flatMap((rung, i) => {
    const color = PALETTE[i % PALETTE.length], mine = oneDimensionalSize(yours(n, rung.name)?.tensors ?? []);
    const recorded = rec.find((x) => x.name === rung.name)?.sizes ?? [];
    return [{ color, points: recorded, label: `${rung.name} (recorded)`, faint: mine.length > 0 },
      { color, points: mine, label: rung.name, dots: true }].filter((x) => x.points.length);
  });
  drawLineChart($('lesson-sizes-chart'), { series, xMax: steps, xTitle: 'step', height: 220, yTitle: 'L2 norm',
    readout: $('lesson-sizes-readout'), empty: 'Run the experiment to measure the sizes.' });
}

async function refresh() {
  local = await listRuns().catch(() => []);
  if ((embedView() ?? getState().view) === 'lessons') render();
}

$('lesson-run').addEventListener('click', async () => {
  const n = getState().lesson;
  addToQueue(runsOf(n).map((rung) => ({ name: runName(n, rung.name), settings: lessonSettings(rung) })));
  $('lesson-status').textContent = (await runQueue()) ?? `${runsOf(n).length} runs queued: they train one after another ` +
    '(the Train tab shows the one in training; the Runs view keeps them all).';
});
// The other views' pointers into the chapter that explains them.
for (const link of document.querySelectorAll<HTMLElement>('[data-lesson]'))
  link.addEventListener('click', (e) => {
    e.preventDefault();
    change((s) => { s.view = 'lessons'; s.lesson = Number(link.dataset.lesson); });
  });
$('lesson-instrument').addEventListener('click', () => {
  const view = CHAPTERS[getState().lesson - 1].instrument?.view;
  if (view) change((s) => { s.view = view; });
});

subscribe((s, previous) => {
  if ((embedView() ?? s.view) !== 'lessons') return borrow([]);
  if (previous.view !== 'lessons' || s.lesson !== previous.lesson) void refresh();
});
onLiveRun((run) => {
  live = run;
  if ((embedView() ?? getState().view) === 'lessons') render();
});
onRunsChanged(() => void refresh());
void refresh();
