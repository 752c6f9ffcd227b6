// Runs the matmul benchmark off the main thread and reports each figure as it lands.
import { loadGptlab, type GptlabModule } from './gptlab';
import { BENCH_SHAPES, measureGflops, warmUp } from './matmul-bench';
import type { FromBench, ToBench } from './bench-protocol';
import { errorText } from './error-text';

const post = (m: FromBench) => postMessage(m);

async function load(): Promise<GptlabModule | null> {
  try {
    const c = await loadGptlab();
    post({ type: 'ready', simd: c.simdName(), kernel: c.kernelName() });
    return c;
  } catch (e) {
    post({
      type: 'error',
      message:
        'The WebAssembly core failed to load, so nothing can run. Reload the page; if that does not help, ' +
        'this browser may lack WebAssembly SIMD (Chrome 91+, Firefox 89+, Safari 16.4+). ' +
        `Details: ${errorText(e)}`,
    });
    return null;
  }
}
const core = load();

onmessage = async (event: MessageEvent<ToBench>) => {
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
