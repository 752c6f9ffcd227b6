// Puts TensorFlow.js with its WASM backend into a page that serves only gptlab:
// the scripts and .wasm files come from node_modules/@tensorflow through a
// request route under /peer/, so the app itself never ships tfjs.
//   script: 'tfjs-core/dist/tf-core.min.js', or 'tfjs/dist/tf.min.js' when gradients are needed
// The app's pages are cross-origin isolated, where tfjs would pick its threaded build:
// with `threads` 1 it gets its single-thread SIMD build, else the threaded one with that
// many threads. Returns the count tfjs reports.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tfjsDir = fileURLToPath(new URL('../node_modules/@tensorflow/', import.meta.url));

export async function loadTfjsWasm(page, script, threads = 1) {
  await page.route('**/peer/**', (route) => {
    const rel = new URL(route.request().url()).pathname.replace(/^\/peer\//, '');
    route.fulfill({ body: readFileSync(tfjsDir + rel), contentType: rel.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
  });
  await page.addScriptTag({ url: `/peer/${script}` });
  await page.addScriptTag({ url: '/peer/tfjs-backend-wasm/dist/tf-backend-wasm.min.js' });
  return page.evaluate(async (n) => {
    tf.wasm.setWasmPaths(location.origin + '/peer/tfjs-backend-wasm/dist/');
    // One thread: the plain SIMD build (the threaded build on one thread runs at half its speed).
    if (n === 1) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
    else tf.wasm.setThreadsCount(n);
    await tf.setBackend('wasm');
    await tf.ready();
    return tf.wasm.getThreadsCount();
  }, threads);
}
