// An attention heatmap the reader can question: hover, tap or use the arrow keys on a cell and
// a readout beside the pointer (and in a live region below, for screen readers) says which token
// attends to which and how much; the cell stays highlighted, and the readout follows when the
// squares change (another head, a newer model). Used by the Train tab and "Inside the model".
import { cellAt, drawAttentionGrid, moveCell, weightAt, type Cell, type GridInput, type GridLayout,
  type Square } from './attention-grid';
import { onWidthChange } from './dom';
import { showWhitespace } from './whitespace';

export class AttentionPanel {
  private input: GridInput | null = null;
  private layout: GridLayout | null = null;
  private cursor: Cell | null = null;

  /** Called with the square clicked, if set (the overview opens that head large). */
  onPick: ((square: Square) => void) | null = null;

  constructor(private canvas: HTMLCanvasElement, private tip: HTMLElement, private readout: HTMLElement) {
    canvas.addEventListener('click', (e) => {
      const box = canvas.getBoundingClientRect();
      const hit = this.layout && cellAt(this.layout, e.clientX - box.left, e.clientY - box.top);
      if (hit && this.onPick && this.input) this.onPick(this.input.squares[hit.square]);
    });
    canvas.addEventListener('pointermove', (e) => this.point(e, false));
    canvas.addEventListener('pointerdown', (e) => this.point(e, true));  // a tap on a phone
    canvas.addEventListener('pointerleave', () => { tip.hidden = true; });
    canvas.addEventListener('keydown', (e) => {
      const next = this.layout && moveCell(this.layout, this.cursor ?? { square: 0, query: 0, key: 0 }, e.key);
      if (!next) return;
      e.preventDefault();
      this.select(next);
      tip.hidden = true;
    });
    onWidthChange(canvas, () => this.draw());
  }

  /** Draws new weights or squares; the selected cell (kept inside them) is read out again. */
  show(input: Omit<GridInput, 'highlight'>) {
    this.input = { ...input, highlight: null };
    const T = input.tokens.length;
    if (this.cursor) this.cursor = { square: Math.min(this.cursor.square, input.squares.length - 1),
      query: Math.min(this.cursor.query, T - 1), key: Math.min(this.cursor.key, T - 1) };
    const tokens = input.tokens.map((t) => `“${showWhitespace(t)}”`).join(' ');
    this.canvas.setAttribute('aria-label', `Attention heatmaps of ${input.squares.length === 1 ? 'one head' :
      `${input.squares.length} heads`} over ${T} tokens: ${tokens}. Use the arrow keys to read a cell.`);
    this.canvas.dataset.tokens = JSON.stringify(input.tokens);
    this.draw();
    if (this.cursor) this.select(this.cursor);
  }

  /** Nothing to show (a model without attention): the canvas is emptied and the readout cleared. */
  clear() {
    this.input = null;
    this.layout = null;
    this.cursor = null;
    this.canvas.getContext('2d')?.clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.canvas.style.height = '0px';
    this.readout.textContent = '';
    this.tip.hidden = true;
  }

  private draw() {
    if (!this.input) return;
    this.input.highlight = this.cursor;
    this.layout = drawAttentionGrid(this.canvas, this.input) ?? this.layout;
  }

  private point(e: PointerEvent, tap: boolean) {
    if (!this.layout) return;
    const box = this.canvas.getBoundingClientRect();
    const hit = cellAt(this.layout, e.clientX - box.left, e.clientY - box.top);
    if (!hit) {
      this.tip.hidden = true;
      return;
    }
    if (tap || !this.cursor || hit.square !== this.cursor.square || hit.query !== this.cursor.query || hit.key !== this.cursor.key)
      this.select(hit);
    this.placeTip(e.clientX - box.left, e.clientY - box.top);
  }

  private select(c: Cell) {
    if (!this.input) return;
    this.cursor = c;
    this.draw();
    const { layer, head } = this.input.squares[c.square], tokens = this.input.tokens;
    const text = `Layer ${layer + 1}, head ${head + 1}: “${showWhitespace(tokens[c.query])}” attends to ` +
      `“${showWhitespace(tokens[c.key])}” with weight ${weightAt(this.input, c).toFixed(3)}.`;
    this.readout.textContent = text;
    this.tip.textContent = text;
  }

  // Beside the pointer, kept inside the canvas (left of it near the right edge, above it near the bottom).
  private placeTip(x: number, y: number) {
    const tip = this.tip, canvas = this.canvas;
    tip.hidden = false;
    const w = tip.offsetWidth, h = tip.offsetHeight;
    const left = x + 14 + w > canvas.clientWidth ? Math.max(0, x - 14 - w) : x + 14;
    const top = y + 18 + h > canvas.clientHeight ? Math.max(0, y - 10 - h) : y + 18;
    tip.style.left = `${canvas.offsetLeft + left}px`;
    tip.style.top = `${canvas.offsetTop + top}px`;
  }
}
