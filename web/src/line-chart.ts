// Line charts on a canvas: values against steps (the losses, the learning rate).
export interface Series { color: string; points: [number, number][]; label: string; dots?: boolean }

export function drawLineChart(canvas: HTMLCanvasElement, series: Series[], maxStep: number,
                              format: (v: number) => string = (v) => v.toFixed(2), fromZero = true) {
  const ctx = canvas.getContext('2d');
  if (!ctx) return;
  const { width: w, height: h } = canvas;
  const pad = 44;
  ctx.clearRect(0, 0, w, h);
  const all = series.flatMap((s) => s.points.map((p) => p[1]));
  if (!all.length) return;
  const hi = Math.max(...all), lo = fromZero ? Math.min(0, ...all) : Math.min(...all);
  const x = (step: number) => pad + ((w - pad - 12) * step) / Math.max(1, maxStep);
  const y = (v: number) => h - 24 - ((h - 24 - 10) * (v - lo)) / Math.max(1e-12, hi - lo);
  ctx.strokeStyle = '#98a2b3';
  ctx.fillStyle = '#4a5468';
  ctx.font = '12px system-ui, sans-serif';
  ctx.beginPath();
  ctx.moveTo(pad, 6);
  ctx.lineTo(pad, h - 24);
  ctx.lineTo(w - 6, h - 24);
  ctx.stroke();
  ctx.fillText(format(hi), 2, y(hi) + 4);
  ctx.fillText(format(lo), 2, y(lo));
  ctx.fillText(`step ${maxStep.toLocaleString('en')}`, w - 90, h - 6);
  let legend = pad + 8;
  for (const s of series) {
    ctx.strokeStyle = s.color;
    ctx.fillStyle = s.color;
    ctx.lineWidth = 2;
    ctx.beginPath();
    s.points.forEach(([step, v], i) => (i ? ctx.lineTo(x(step), y(v)) : ctx.moveTo(x(step), y(v))));
    ctx.stroke();
    if (s.dots) for (const [step, v] of s.points) ctx.fillRect(x(step) - 2.5, y(v) - 2.5, 5, 5);
    ctx.fillText(s.label, legend, h - 6);
    legend += ctx.measureText(s.label).width + 16;
  }
}
