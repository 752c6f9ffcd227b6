// Runs the matmul benchmark off the main thread and reports each figure as it lands.
import { loadGptlab } from './gptlab';
import { BENCH_SHAPES, measureGflops, warmUp } from './matmul-bench';
import type { FromWorker, ToWorker } from './bench-protocol';

const post = (m: FromWorker) => postMessage(m);
const errorText = (e: unknown) => (e instanceof Error ? e.message : String(e));

const core = loadGptlab().then(
  (c) => (post({ type: 'ready', simd: c.simdName() }), c),
  (e) => (post({ type: 'error', message: `The WebAssembly core failed to load: ${errorText(e)}` }), null),
);

onmessage = async (event: MessageEvent<ToWorker>) => {
  const c = await core;
  if (!c) return;
  try {
    warmUp(c);
    for (const shape of BENCH_SHAPES) post({ type: 'result', shape, gflops: measureGflops(c, shape, event.data) });
    post({ type: 'done' });
  } catch (e) {
    post({ type: 'error', message: errorText(e) });
  }
};
