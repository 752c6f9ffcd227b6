// Attention heatmaps on a canvas. One square per head: cell (i, j) is the weight query token
// i (row) gives key token j (column), darker is more; the squares wrap in a grid, each titled
// with its layer and head (and its pattern where one is clear), the tokens written along both axes (whitespace made visible) where
// the cells are large enough to read, and a colour legend below. drawAttentionGrid returns
// where it drew, so a pointer position maps back to a cell.

import { fitCanvas } from './line-chart';
import { showWhitespace } from './whitespace';
import { headPattern, type HeadPattern } from './head-summary';

// A head's pattern in its square's title.
const SHORT: Record<HeadPattern['name'], string> = { previous: 'previous token', self: 'itself', first: 'first token', same: 'same token' };

export interface Square { layer: number; head: number }
export interface Cell { square: number; query: number; key: number }
export interface GridInput {
  weights: Float32Array[];  // per layer: heads x T x T
  heads: number;
  tokens: string[];
  squares: Square[];
  /** Squares per row (one row per layer in the overview); by default as many as keep the labels readable. */
  columns?: number;
  highlight?: Cell | null;
}
export interface GridLayout {
  left: number; top: number; cell: number; size: number; gap: number; title: number; cols: number; rows: number;
  T: number; squares: Square[];
}

const INK = '#4a5468', MAX_CELL = 28, GAP = 14, TITLE = 16;


// sqrt: small weights stay visible; blue for the most, white for none.
const shade = (w: number) => Math.round(255 * (1 - Math.min(1, Math.sqrt(Math.max(0, w)))));
const colour = (w: number) => `rgb(${shade(w)}, ${shade(w)}, 255)`;

export const weightAt = (input: GridInput, c: Cell) => {
  const { layer, head } = input.squares[c.square], T = input.tokens.length;
  return input.weights[layer][(head * T + c.query) * T + c.key];
};

// The most squares per row whose cells are still large enough for labels (8 px), else for colour (4 px);
// an overview of every head asks for colour first: a phone then shows two heads a row, not one.
function columns(count: number, T: number, width: number, sizes = [8, 4]): number {
  for (const min of sizes)
    for (let cols = count; cols >= 1; cols--) if ((width - GAP * (cols - 1)) / (cols * T) >= min) return cols;
  return 1;
}

export function drawAttentionGrid(canvas: HTMLCanvasElement, input: GridInput): GridLayout | null {
  const ctx = canvas.getContext('2d'), T = input.tokens.length, width = canvas.clientWidth;
  if (!ctx || T === 0 || input.squares.length === 0 || width === 0) return null;
  const labels = input.tokens.map((t) => showWhitespace(t));
  // Room for labels, measured at the largest font they may take.
  ctx.font = '11px ui-monospace, monospace';
  const labelWidth = Math.min(72, Math.max(...labels.map((l) => ctx.measureText(l).width)) + 6);
  const wanted = input.columns && Math.min(input.columns, input.squares.length);
  const fits = wanted && (width - labelWidth - GAP * (wanted - 1)) / (wanted * T) >= 3;
  const cols = fits ? wanted : columns(input.squares.length, T, width - labelWidth, wanted ? [4] : [8, 4]);
  const cell = Math.min(MAX_CELL, Math.floor(((width - labelWidth - GAP * (cols - 1)) / (cols * T)) * 4) / 4);
  const withLabels = cell >= 7, size = cell * T;
  const upright = labels.every((l) => [...l].length === 1);
  const left = withLabels ? labelWidth : 0, top = withLabels ? (upright ? 14 : labelWidth) : 0;
  const rows = Math.ceil(input.squares.length / cols);
  const layout: GridLayout = { left, top, cell, size, gap: GAP, title: TITLE, cols, rows, T, squares: input.squares };
  const height = top + rows * (TITLE + size + GAP) + 34;
  const dpr = window.devicePixelRatio || 1;
  canvas.style.height = `${height}px`;
  fitCanvas(canvas, width, height, dpr);
  ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
  ctx.clearRect(0, 0, width, height);
  const font = `${Math.min(11, Math.floor(cell))}px ui-monospace, monospace`;
  input.squares.forEach((sq, i) => {
    const { x, y } = squareOrigin(layout, i);
    ctx.fillStyle = INK;
    ctx.font = '12px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'bottom';
    const pattern = headPattern(input.weights[sq.layer], sq.head * T * T, input.tokens);
    ctx.fillText(`layer ${sq.layer + 1} · head ${sq.head + 1}${pattern ? ` · ${SHORT[pattern.name]}` : ''}`, x, y - 3, size);
    drawSquare(ctx, input.weights[sq.layer], sq.head * T * T, T, x, y, cell);
    ctx.font = font;
    if (withLabels && i % cols === 0) rowLabels(ctx, labels, x, y, cell);
    if (withLabels && i < cols) columnLabels(ctx, labels, x, y, cell, upright);  // the columns line up below
  });
  if (input.highlight) drawHighlight(ctx, layout, input.highlight);
  drawLegend(ctx, 0, height - 26);
  return layout;
}

export function squareOrigin(layout: GridLayout, i: number) {
  const col = i % layout.cols, row = Math.floor(i / layout.cols);
  return { x: layout.left + col * (layout.size + layout.gap),
           y: layout.top + row * (layout.title + layout.size + layout.gap) + layout.title };
}

// One pixel per cell in a T x T image, scaled up without smoothing. Eight heads over 38 tokens
// take 2-4 ms so in Chromium's software canvas, 30-70 ms with a fillRect (and colour string) a cell.
let scratch: HTMLCanvasElement | null = null;
function drawSquare(ctx: CanvasRenderingContext2D, weights: Float32Array, offset: number, T: number,
                    x0: number, y0: number, cell: number) {
  const image = new ImageData(T, T);
  for (let k = 0; k < T * T; k++) {
    const s = shade(weights[offset + k]), p = image.data;
    p[4 * k] = p[4 * k + 1] = s;
    p[4 * k + 2] = p[4 * k + 3] = 255;
  }
  scratch ??= document.createElement('canvas');
  fitCanvas(scratch, T, T, 1);
  scratch.getContext('2d')!.putImageData(image, 0, 0);
  ctx.imageSmoothingEnabled = false;
  ctx.drawImage(scratch, x0, y0, cell * T, cell * T);
  ctx.strokeStyle = '#98a2b3';
  ctx.lineWidth = 1;
  ctx.strokeRect(x0, y0, cell * T, cell * T);
}

// Special tokens (<mask>, <pad>, ...) are written in the accent colour, so a masked position stands out.
const SPECIAL = '#d9480f';
const inkOf = (label: string) => (/^<[a-z]+>$/.test(label) ? SPECIAL : INK);

// Query tokens down the left of a row of squares.
function rowLabels(ctx: CanvasRenderingContext2D, labels: string[], x: number, y: number, cell: number) {
  ctx.textAlign = 'right';
  ctx.textBaseline = 'middle';
  labels.forEach((l, i) => {
    ctx.fillStyle = inkOf(l);
    ctx.fillText(l, x - 3, y + (i + 0.5) * cell, x - 3);
  });
}

// Key tokens along the top of a square: upright when every token is one character, else turned.
function columnLabels(ctx: CanvasRenderingContext2D, labels: string[], x: number, y: number, cell: number, upright: boolean) {
  labels.forEach((l, j) => {
    const cx = x + (j + 0.5) * cell;
    ctx.fillStyle = inkOf(l);
    if (upright) {
      ctx.textAlign = 'center';
      ctx.textBaseline = 'bottom';
      ctx.fillText(l, cx, y - TITLE - 1);
      return;
    }
    ctx.save();
    ctx.translate(cx, y - TITLE - 2);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    ctx.fillText(l, 0, 0, 66);
    ctx.restore();
  });
}

// The chosen cell outlined, its row and column lightly framed.
function drawHighlight(ctx: CanvasRenderingContext2D, layout: GridLayout, c: Cell) {
  if (c.square >= layout.squares.length) return;
  const { x, y } = squareOrigin(layout, c.square), { cell, size } = layout;
  ctx.strokeStyle = 'rgba(217, 72, 15, 0.5)';
  ctx.lineWidth = 1;
  ctx.strokeRect(x, y + c.query * cell, size, cell);
  ctx.strokeRect(x + c.key * cell, y, cell, size);
  ctx.strokeStyle = '#d9480f';
  ctx.lineWidth = 2;
  ctx.strokeRect(x + c.key * cell - 1, y + c.query * cell - 1, cell + 2, cell + 2);
}

function drawLegend(ctx: CanvasRenderingContext2D, x: number, y: number) {
  ctx.font = '12px system-ui, sans-serif';
  ctx.fillStyle = INK;
  ctx.textAlign = 'left';
  ctx.textBaseline = 'middle';
  ctx.fillText('attention weight', x, y + 6);
  const x0 = x + ctx.measureText('attention weight').width + 8, w = 140;
  for (let i = 0; i < w; i++) {
    ctx.fillStyle = colour(i / (w - 1));
    ctx.fillRect(x0 + i, y, 1, 12);
  }
  ctx.strokeStyle = '#98a2b3';
  ctx.strokeRect(x0, y, w, 12);
  ctx.fillStyle = INK;
  ctx.textAlign = 'center';
  ctx.textBaseline = 'top';
  for (const v of [0, 0.25, 0.5, 1]) ctx.fillText(String(v), x0 + v * (w - 1), y + 13);
}

/** Which square and cell a point (CSS pixels from the canvas's top left) falls on. */
export function cellAt(layout: GridLayout, x: number, y: number): Cell | null {
  for (let i = 0; i < layout.squares.length; i++) {
    const o = squareOrigin(layout, i);
    if (x >= o.x && y >= o.y && x < o.x + layout.size && y < o.y + layout.size)
      return { square: i, query: Math.floor((y - o.y) / layout.cell), key: Math.floor((x - o.x) / layout.cell) };
  }
  return null;
}

/** The cell an arrow key leads to: across a square's edge into its neighbour in the grid. */
export function moveCell(layout: GridLayout, c: Cell, key: string): Cell | null {
  const [dy, dx] = ({ ArrowLeft: [0, -1], ArrowRight: [0, 1], ArrowUp: [-1, 0], ArrowDown: [1, 0] } as Record<string, number[]>)[key] ?? [];
  if (dy === undefined) return null;
  const { T, cols } = layout, n = layout.squares.length;
  let { square, query, key: k } = c;
  query += dy;
  k += dx;
  if (k < 0 && square % cols > 0) { square--; k = T - 1; }
  if (k >= T && square % cols < cols - 1 && square + 1 < n) { square++; k = 0; }
  if (query < 0 && square >= cols) { square -= cols; query = T - 1; }
  if (query >= T && square + cols < n) { square += cols; query = 0; }
  return { square, query: Math.max(0, Math.min(T - 1, query)), key: Math.max(0, Math.min(T - 1, k)) };
}
