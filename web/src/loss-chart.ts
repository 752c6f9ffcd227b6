// A line chart of training and validation loss against steps, on a canvas.
export interface Series { color: string; points: [number, number][] }

export function drawLossChart(canvas: HTMLCanvasElement, series: Series[], maxStep: number) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  const pad = 32;
  ctx.clearRect(0, 0, w, h);
  const all = series.flatMap((s) => s.points.map((p) => p[1]));
  if (!all.length) return;
  const hi = Math.max(...all), lo = Math.min(0, ...all);
  const x = (step: number) => pad + ((w - 2 * pad) * step) / Math.max(1, maxStep);
  const y = (loss: number) => h - pad - ((h - 2 * pad) * (loss - lo)) / Math.max(1e-9, hi - lo);
  ctx.strokeStyle = '#98a2b3';
  ctx.fillStyle = '#4a5468';
  ctx.font = '12px system-ui, sans-serif';
  ctx.beginPath();
  ctx.moveTo(pad, pad / 2);
  ctx.lineTo(pad, h - pad);
  ctx.lineTo(w - pad / 2, h - pad);
  ctx.stroke();
  ctx.fillText(hi.toFixed(2), 2, y(hi) + 4);
  ctx.fillText(lo.toFixed(2), 2, y(lo));
  ctx.fillText(`step ${maxStep}`, w - pad - 50, h - 10);
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    s.points.forEach(([step, loss], i) => (i ? ctx.lineTo(x(step), y(loss)) : ctx.moveTo(x(step), y(loss))));
    ctx.stroke();
  }
}
