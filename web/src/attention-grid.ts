// Attention heatmaps: one square per head, cell (i, j) the weight query i gives key j.
export function drawAttention(canvas: HTMLCanvasElement, weights: Float32Array, heads: number, T: number) {
  const ctx = canvas.getContext('2d');
  if (!ctx || T === 0) return;
  const gap = 8;
  const size = Math.min(canvas.height - 4, (canvas.width - gap * (heads - 1)) / heads);
  const cell = size / T;
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  for (let h = 0; h < heads; h++) {
    const x0 = h * (size + gap);
    for (let i = 0; i < T; i++)
      for (let j = 0; j < T; j++) {
        const w = weights[(h * T + i) * T + j];
        const shade = Math.round(255 * (1 - Math.min(1, Math.sqrt(w))));  // sqrt: small weights stay visible
        ctx.fillStyle = `rgb(${shade}, ${shade}, 255)`;
        ctx.fillRect(x0 + j * cell, 2 + i * cell, Math.ceil(cell), Math.ceil(cell));
      }
    ctx.strokeStyle = '#98a2b3';
    ctx.strokeRect(x0, 2, size, size);
  }
}
