// "The engine": a benchmark of the WASM core's matmul in a worker (not loaded in embeds).
import type { FromBench, ToBench } from './bench-protocol';
import type { BenchShape } from './matmul-bench';

const status = document.querySelector<HTMLParagraphElement>('#core-status')!;
const rows = document.querySelector<HTMLTableSectionElement>('#bench-table tbody')!;
const again = document.querySelector<HTMLButtonElement>('#bench-run')!;

// ?batch=0.2&batches=5 lengthens the timing (the browser benchmark uses it); the default is quick.
const params = new URLSearchParams(location.search);
const timing = {
  batchSeconds: Number(params.get('batch')) || 0.05,
  batches: Number(params.get('batches')) || 2,
};

const worker = new Worker(new URL('./bench-worker.ts', import.meta.url), { type: 'module' });
let simd = '';
let kernel = '';
const loaded = () => `Core loaded (${simd} kernels as WebAssembly SIMD128; matmul kernel: ${kernel})`;

function addRow(shape: BenchShape, gflops: number) {
  const tr = rows.insertRow();
  tr.dataset.label = shape.label;
  for (const text of [shape.label, `${shape.m} × ${shape.k} × ${shape.n}`, gflops.toFixed(1)]) {
    tr.insertCell().textContent = text;
  }
  tr.cells[2].className = 'figure';
}

function run() {
  again.disabled = true;
  rows.replaceChildren();
  status.textContent = `${loaded()}. Measuring…`;
  worker.postMessage({ type: 'run', ...timing } satisfies ToBench);
}

function showError(message: string) {
  status.textContent = message;
  status.className = 'error';
  again.disabled = false;
}

worker.onmessage = (event: MessageEvent<FromBench>) => {
  const msg = event.data;
  switch (msg.type) {
    case 'ready':
      simd = msg.simd;
      kernel = msg.kernel;
      run();
      break;
    case 'result':
      addRow(msg.shape, msg.gflops);
      break;
    case 'done':
      status.textContent = `${loaded()}. Single-thread matmul speed:`;
      again.disabled = false;
      break;
    case 'error':
      showError(msg.message);
      break;
  }
};
worker.onerror = (e) => showError(`The benchmark worker stopped: ${e.message || 'unknown error'}`);
again.addEventListener('click', run);
