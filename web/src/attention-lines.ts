// One head as BertViz draws it: the tokens twice, in two columns, each query token on the left
// joined to every key token on the right by a line as strong as its attention weight. Pointing
// at a token on the left shows its lines alone; a click keeps it (click again to let go).
import { fitCanvas } from './line-chart';
import { onWidthChange } from './dom';
import { showWhitespace } from './whitespace';

const ROW = 18, INK = '#4a5468', LINE = '47, 111, 237';

export class AttentionLines {
  private tokens: string[] = [];
  private weights: Float32Array = new Float32Array();  // T x T, row = query
  private hover: number | null = null;
  private fixed: number | null = null;

  constructor(private canvas: HTMLCanvasElement, private readout: HTMLElement) {
    const rowAt = (e: PointerEvent | MouseEvent) => {
      const i = Math.floor((e.clientY - canvas.getBoundingClientRect().top - 6) / ROW);
      return i >= 0 && i < this.tokens.length ? i : null;
    };
    canvas.addEventListener('pointermove', (e) => {
      const row = rowAt(e);
      if (row !== this.hover) { this.hover = row; this.draw(); }
    });
    canvas.addEventListener('pointerleave', () => { this.hover = null; this.draw(); });
    canvas.addEventListener('click', (e) => {
      const i = rowAt(e);
      this.fixed = i === this.fixed ? null : i;
      this.draw();
    });
    onWidthChange(canvas, () => this.draw());
  }

  show(tokens: string[], weights: Float32Array, offset: number) {
    const T = tokens.length;
    this.tokens = tokens;
    this.weights = weights.slice(offset, offset + T * T);
    if (this.fixed !== null && this.fixed >= T) this.fixed = null;
    this.canvas.dataset.tokens = JSON.stringify(tokens);
    this.draw();
  }

  private draw() {
    const T = this.tokens.length, width = this.canvas.clientWidth, height = T * ROW + 12, dpr = devicePixelRatio || 1;
    if (!T || !width) return;
    this.canvas.style.height = `${height}px`;
    fitCanvas(this.canvas, width, height, dpr);
    const ctx = this.canvas.getContext('2d')!;
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, width, height);
    const left = width * 0.3, right = width * 0.7, y = (i: number) => 6 + (i + 0.5) * ROW;
    const row = this.fixed ?? this.hover;
    const line = (path: CanvasPath, i: number, j: number) => {
      path.moveTo(left + 6, y(i));
      path.lineTo(right - 6, y(j));
    };
    if (row === null) {  // every row at once: one path per tenth of opacity, not a stroke call per line
      const paths = Array.from({ length: 11 }, () => new Path2D());
      this.weights.forEach((w, k) => {
        if (w >= 0.01) line(paths[Math.round(10 * Math.min(1, w * 0.7))], Math.floor(k / T), k % T);
      });
      ctx.lineWidth = 1.5;
      paths.forEach((path, k) => {
        ctx.strokeStyle = `rgba(${LINE}, ${Math.max(0.05, k / 10)})`;
        ctx.stroke(path);
      });
    } else {  // one row: few lines, each as wide as its weight
      for (let j = 0; j < T; j++) {
        const w = this.weights[row * T + j];
        if (w < 0.01) continue;
        ctx.strokeStyle = `rgba(${LINE}, ${Math.min(1, w)})`;
        ctx.lineWidth = 1 + 3 * w;
        ctx.beginPath();
        line(ctx, row, j);
        ctx.stroke();
      }
    }
    ctx.font = '12px ui-monospace, monospace';
    ctx.textBaseline = 'middle';
    this.tokens.forEach((t, i) => {
      const label = showWhitespace(t);
      ctx.fillStyle = i === row ? '#d9480f' : INK;
      ctx.textAlign = 'right';
      ctx.fillText(label, left, y(i), left - 4);
      ctx.fillStyle = INK;
      ctx.textAlign = 'left';
      ctx.fillText(label, right, y(i), width - right - 4);
    });
    if (row !== null) {
      const order = Array.from({ length: T }, (_, j) => j).sort((a, b) => this.weights[row * T + b] - this.weights[row * T + a]);
      this.readout.textContent = `“${showWhitespace(this.tokens[row])}” attends most to ` + order.slice(0, 3)
        .map((j) => `“${showWhitespace(this.tokens[j])}” (${this.weights[row * T + j].toFixed(2)})`).join(', ') +
        (this.fixed === null ? '. Click to keep this row.' : '. Click it again to see every row.');
    }
  }
}
