// Line charts on a canvas: values against steps (losses, the learning rate), several runs or
// series at once. The y range is zoomed to the data (the first steps' high loss may run off
// the top, so that the later fall fills the chart), with "nice" ticks, gridlines, axis titles,
// an optional second y scale on the right (bits per character beside nats per token) and
// horizontal reference lines (baselines). The canvas is drawn at its CSS size in device
// pixels, so the text stays 12 px on a phone, and again whenever its size changes.
import { onWidthChange } from './dom';

export interface Series {
  color: string; points: [number, number][]; label: string;
  dots?: boolean;   // a square at each point (evaluations)
  faint?: boolean;  // thin and pale: a second curve of the same run
}
export interface Reference { value: number; label: string; color: string }

export interface ChartSpec {
  series: Series[];
  references?: Reference[];
  xMax: number;
  xTitle: string;
  yTitle: string;
  format?: (v: number) => string;
  /** A second scale on the right: its value is the left value times `scale`. */
  right?: { scale: number; title: string };
  /** Height in CSS pixels. */
  height: number;
  /** Written in the middle while there are no points. */
  empty?: string;
  /** A logarithmic x axis (from the first positive x). */
  logX?: boolean;
  /** How x values are written (default: whole numbers with separators). */
  formatX?: (v: number) => string;
  /** A legend of the series above the plot (default true); off where the page names them otherwise. */
  legend?: boolean;
  /** Pointing at the chart writes here the value of every series at that x. */
  readout?: HTMLElement;
}

const FONT = '12px system-ui, sans-serif';
const INK = '#4a5468', GRID = '#e6e9ef', AXIS = '#98a2b3';

/** About `count` round tick values covering [lo, hi] (1, 2 or 5 times a power of ten apart). */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count, power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) ticks.push(Math.abs(v) < step * 1e-9 ? 0 : v);
  return ticks;
}

/** The y range worth drawing: all points, except that the first tenth of a long curve may run off the top. */
export function yRange(series: Series[]): [number, number] | null {
  const values = series.flatMap((s) => s.points.map((p) => p[1])).filter(Number.isFinite);
  if (!values.length) return null;
  const lo = Math.min(...values);
  const later = series.flatMap((s) => s.points.slice(s.points.length >= 20 ? Math.floor(s.points.length / 10) : 0).map((p) => p[1]));
  const hi = Math.max(...later.filter(Number.isFinite), lo);
  const pad = Math.max((hi - lo) * 0.06, Math.abs(hi) * 1e-3, 1e-12);
  return [lo - pad, hi + pad];
}

const specs = new WeakMap<HTMLCanvasElement, ChartSpec>();
// Where the plot lies and which x a pixel column stands for, for the hover readout.
const plots = new WeakMap<HTMLCanvasElement, { left: number; right: number; xAt: (px: number) => number }>();

export function drawLineChart(canvas: HTMLCanvasElement, spec: ChartSpec) {
  // What is drawn, for tests and tools: each series' label, number of points and last point.
  canvas.dataset.series = JSON.stringify(spec.series.map((s) => ({ label: s.label, points: s.points.length, last: s.points.at(-1) ?? null })));
  if (!specs.has(canvas)) {
    onWidthChange(canvas, () => drawLineChart(canvas, specs.get(canvas)!));
    canvas.addEventListener('pointermove', (e) => readAt(canvas, e.clientX - canvas.getBoundingClientRect().left));
  }
  specs.set(canvas, spec);
  const ctx = canvas.getContext('2d');
  const w = canvas.clientWidth, h = spec.height, dpr = window.devicePixelRatio || 1;
  canvas.style.height = `${h}px`;
  if (!ctx || w === 0) return;  // hidden: drawn when it gets a size
  fitCanvas(canvas, w, h, dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, w, h);
  ctx.font = FONT;
  const format = spec.format ?? ((v: number) => v.toFixed(2));
  const data = yRange(spec.series), range = data ?? [0, 1];
  const yTicks = data ? niceTicks(range[0], range[1], h < 160 ? 3 : 5) : [];
  const legendRows = spec.legend === false ? [] : legendLayout(ctx, spec.series, w - 60);
  const top = 8 + legendRows.length * 16, bottom = h - 34;
  const left = 22 + Math.max(12, ...yTicks.map((v) => ctx.measureText(format(v)).width));
  const rightTicks = spec.right ? yTicks.map((v) => (v * spec.right!.scale).toFixed(2)) : [];
  const right = w - 8 - (spec.right ? 22 + Math.max(12, ...rightTicks.map((t) => ctx.measureText(t).width)) : 0);
  const xMin = spec.logX ? firstPositive(spec.series) : 0;
  const scaleX = spec.logX ? Math.log10 : (v: number) => v;
  const span = Math.max(spec.logX ? 1e-9 : 1, scaleX(Math.max(spec.xMax, xMin * 10 ** 0.5)) - scaleX(xMin));
  const x = (step: number) => left + ((right - left) * (scaleX(Math.max(step, xMin)) - scaleX(xMin))) / span;
  const unscale = spec.logX ? (v: number) => 10 ** v : (v: number) => v;
  plots.set(canvas, { left, right, xAt: (px) => unscale(scaleX(xMin) + ((px - left) / (right - left)) * span) });
  const formatX = spec.formatX ?? ((v: number) => v.toLocaleString('en'));
  const y = (v: number) => bottom - ((bottom - top) * (v - range[0])) / (range[1] - range[0]);

  // Gridlines and tick labels.
  ctx.fillStyle = INK;
  ctx.strokeStyle = GRID;
  ctx.lineWidth = 1;
  ctx.textBaseline = 'middle';
  yTicks.forEach((v, i) => {
    line(ctx, left, y(v), right, y(v));
    ctx.textAlign = 'right';
    ctx.fillText(format(v), left - 6, y(v));
    if (spec.right) {
      ctx.textAlign = 'left';
      ctx.fillText(rightTicks[i], right + 6, y(v));
    }
  });
  ctx.textBaseline = 'top';
  ctx.textAlign = 'center';
  const xTicks = spec.logX ? logTicks(xMin, spec.xMax) : niceTicks(0, spec.xMax, Math.max(2, Math.floor((right - left) / 90)));
  for (const s of xTicks) {
    line(ctx, x(s), top, x(s), bottom);
    const label = formatX(s), half = ctx.measureText(label).width / 2;
    ctx.fillText(label, Math.min(x(s), w - 2 - half), bottom + 4);  // the last label stays on the canvas
  }
  ctx.strokeStyle = AXIS;
  line(ctx, left, top, left, bottom);
  line(ctx, left, bottom, right, bottom);
  ctx.fillText(spec.xTitle, (left + right) / 2, bottom + 18);
  axisTitle(ctx, spec.yTitle, 9, (top + bottom) / 2, -1);
  if (spec.right) axisTitle(ctx, spec.right.title, w - 9, (top + bottom) / 2, 1);

  // References, then the series, clipped to the plot (the first steps may lie above it).
  ctx.save();
  ctx.beginPath();
  ctx.rect(left, top - 1, right - left + 1, bottom - top + 2);
  ctx.clip();
  for (const r of spec.references ?? []) {
    ctx.strokeStyle = r.color;
    ctx.setLineDash([5, 4]);
    line(ctx, left, y(r.value), right, y(r.value));
    ctx.setLineDash([]);
  }
  for (const s of spec.series) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = s.faint ? 1 : 2;
    ctx.globalAlpha = s.faint ? 0.45 : 1;
    ctx.beginPath();
    s.points.forEach(([step, v], i) => (i ? ctx.lineTo(x(step), y(v)) : ctx.moveTo(x(step), y(v))));
    ctx.stroke();
    if (s.dots) for (const [step, v] of s.points) ctx.fillRect(x(step) - 3, y(v) - 3, 6, 6);
    ctx.globalAlpha = 1;
  }
  ctx.restore();
  referenceLabels(ctx, spec.references ?? [], y, right, top, bottom, format);
  drawLegend(ctx, legendRows, left);
  if (spec.empty && !spec.series.some((s) => s.points.length)) {
    ctx.fillStyle = INK;
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(spec.empty, (left + right) / 2, (top + bottom) / 2);
  }
}

const firstPositive = (series: Series[]) =>
  Math.min(...series.flatMap((s) => s.points.map((p) => p[0]).filter((v) => v > 0)), Infinity) || 1;

/** Powers of ten within [lo, hi] (and their 2x and 5x when there are few). */
export function logTicks(lo: number, hi: number): number[] {
  if (!(lo > 0) || !Number.isFinite(lo)) lo = 1;
  const ticks: number[] = [];
  for (let p = 10 ** Math.floor(Math.log10(lo)); p <= hi * 1.0001; p *= 10)
    for (const m of [1, 2, 5]) if (p * m >= lo * 0.9999 && p * m <= hi * 1.0001) ticks.push(p * m);
  return ticks.length > 6 ? ticks.filter((t) => Math.abs(Math.log10(t) % 1) < 1e-9) : ticks;
}

// The readout for pixel column px: each series' point nearest that x.
function readAt(canvas: HTMLCanvasElement, px: number) {
  const spec = specs.get(canvas), plot = plots.get(canvas);
  if (!spec?.readout || !plot || px < plot.left || px > plot.right) return;
  const at = plot.xAt(px), format = spec.format ?? ((v: number) => v.toFixed(3)), formatX = spec.formatX ??
    ((v: number) => Math.round(v).toLocaleString('en'));
  const parts = spec.series.filter((s) => s.points.length).map((s) => {
    const p = nearest(s.points, at);
    return `${s.label}: ${format(p[1])} at ${spec.xTitle} ${formatX(p[0])}`;
  });
  spec.readout.textContent = parts.length ? parts.join(' · ') : '';
}

/** The point whose x is nearest `at` (points sorted by x). */
export function nearest(points: [number, number][], at: number): [number, number] {
  let lo = 0, hi = points.length - 1;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (points[mid][0] < at) lo = mid;
    else hi = mid;
  }
  return Math.abs(points[lo][0] - at) <= Math.abs(points[hi][0] - at) ? points[lo] : points[hi];
}

function line(ctx: CanvasRenderingContext2D, x0: number, y0: number, x1: number, y1: number) {
  ctx.beginPath();
  ctx.moveTo(Math.round(x0) + 0.5, Math.round(y0) + 0.5);
  ctx.lineTo(Math.round(x1) + 0.5, Math.round(y1) + 0.5);
  ctx.stroke();
}

function axisTitle(ctx: CanvasRenderingContext2D, text: string, x: number, y: number, turn: -1 | 1) {
  ctx.save();
  ctx.translate(x, y);
  ctx.rotate((turn * Math.PI) / 2);
  ctx.textAlign = 'center';
  ctx.textBaseline = 'middle';
  ctx.fillStyle = INK;
  ctx.fillText(text, 0, 0);
  ctx.restore();
}

// A reference line's label sits on it, at the right; one above the plot is named at its top edge.
function referenceLabels(ctx: CanvasRenderingContext2D, refs: Reference[], y: (v: number) => number, right: number,
                         top: number, bottom: number, format: (v: number) => string) {
  ctx.textAlign = 'right';
  ctx.textBaseline = 'bottom';
  refs.forEach((r, i) => {
    const at = y(r.value), above = at < top;
    if (at > bottom) return;
    const text = `${r.label} ${format(r.value)}${above ? ' ↑' : ''}`;
    const ty = above ? top + 14 + 14 * i : at - 2;
    const tw = ctx.measureText(text).width;
    ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
    ctx.fillRect(right - tw - 6, ty - 14, tw + 4, 14);
    ctx.fillStyle = r.color;
    ctx.fillText(text, right - 4, ty);
  });
}

type LegendItem = { series: Series; x: number };
function legendLayout(ctx: CanvasRenderingContext2D, series: Series[], width: number): LegendItem[][] {
  const rows: LegendItem[][] = [[]];
  let x = 0;
  for (const s of series) {
    const size = 18 + ctx.measureText(s.label).width + 14;
    if (x + size > width && rows[rows.length - 1].length) {
      rows.push([]);
      x = 0;
    }
    rows[rows.length - 1].push({ series: s, x });
    x += size;
  }
  return series.length ? rows : [];
}

function drawLegend(ctx: CanvasRenderingContext2D, rows: LegendItem[][], left: number) {
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  rows.forEach((row, r) => row.forEach(({ series, x }) => {
    const cy = 10 + r * 16;
    ctx.fillStyle = series.color;
    if (series.dots) ctx.fillRect(left + x + 4, cy - 3, 6, 6);
    else ctx.fillRect(left + x, cy - 1, 14, 3);
    ctx.fillStyle = INK;
    ctx.fillText(series.label, left + x + 18, cy);
  }));
}

/** Sizes the canvas's pixels to its CSS size (resizing only when it changed: that reallocates them). */
export function fitCanvas(canvas: HTMLCanvasElement, width: number, height: number, dpr: number) {
  const w = Math.round(width * dpr), h = Math.round(height * dpr);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
}
