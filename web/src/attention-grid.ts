// Attention heatmaps on a canvas. One square per head, cell (i, j) the weight query i
// gives key j (darker is more); squares in a grid of layers (rows) x heads (columns).
// drawAttentionGrid returns where it drew, so a pointer position maps back to a cell.

export interface GridLayout { x0: number; y0: number; size: number; gap: number; T: number; rows: number; cols: number }

function drawSquare(ctx: CanvasRenderingContext2D, weights: Float32Array, offset: number, T: number,
                    x0: number, y0: number, size: number) {
  const cell = size / T;
  for (let i = 0; i < T; i++)
    for (let j = 0; j < T; j++) {
      const w = weights[offset + i * T + j];
      const shade = Math.round(255 * (1 - Math.min(1, Math.sqrt(w))));  // sqrt: small weights stay visible
      ctx.fillStyle = `rgb(${shade}, ${shade}, 255)`;
      ctx.fillRect(x0 + j * cell, y0 + i * cell, Math.ceil(cell), Math.ceil(cell));
    }
  ctx.strokeStyle = '#98a2b3';
  ctx.strokeRect(x0, y0, size, size);
}

// layers[l] is heads x T x T; every square as large as the canvas width allows.
export function drawAttentionGrid(canvas: HTMLCanvasElement, layers: Float32Array[], heads: number, T: number,
                                  labelRows = false): GridLayout | null {
  const ctx = canvas.getContext('2d');
  if (!ctx || T === 0 || layers.length === 0) return null;
  const gap = 8, x0 = labelRows ? 28 : 0, y0 = 2;
  const size = Math.max(8, Math.floor((canvas.width - x0 - gap * (heads - 1)) / heads));
  const height = y0 + layers.length * (size + gap);
  if (canvas.height !== height) canvas.height = height;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  ctx.font = '12px system-ui, sans-serif';
  layers.forEach((weights, l) => {
    const y = y0 + l * (size + gap);
    if (labelRows) {
      ctx.fillStyle = '#4a5468';
      ctx.fillText(`L${l + 1}`, 2, y + size / 2);
    }
    for (let h = 0; h < heads; h++) drawSquare(ctx, weights, h * T * T, T, x0 + h * (size + gap), y, size);
  });
  return { x0, y0, size, gap, T, rows: layers.length, cols: heads };
}

// The last layer's heads side by side (the training view's snapshot).
export function drawAttention(canvas: HTMLCanvasElement, weights: Float32Array, heads: number, T: number) {
  drawAttentionGrid(canvas, [weights], heads, T);
}

// Which square and cell a point of the canvas (in canvas pixels) falls on.
export function cellAt(layout: GridLayout, x: number, y: number) {
  const col = Math.floor((x - layout.x0) / (layout.size + layout.gap));
  const row = Math.floor((y - layout.y0) / (layout.size + layout.gap));
  const inX = x - layout.x0 - col * (layout.size + layout.gap), inY = y - layout.y0 - row * (layout.size + layout.gap);
  if (col < 0 || row < 0 || col >= layout.cols || row >= layout.rows || inX >= layout.size || inY >= layout.size) return null;
  return { row, col, query: Math.floor((inY * layout.T) / layout.size), key: Math.floor((inX * layout.T) / layout.size) };
}
