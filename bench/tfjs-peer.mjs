// Puts TensorFlow.js with its WASM backend into a page that serves only gptlab:
// the scripts and .wasm files come from node_modules/@tensorflow through a
// request route under /peer/, so the app itself never ships tfjs.
//   script: 'tfjs-core/dist/tf-core.min.js', or 'tfjs/dist/tf.min.js' when gradients are needed
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const tfjsDir = fileURLToPath(new URL('../node_modules/@tensorflow/', import.meta.url));

export async function loadTfjsWasm(page, script) {
  await page.route('**/peer/**', (route) => {
    const rel = new URL(route.request().url()).pathname.replace(/^\/peer\//, '');
    route.fulfill({ body: readFileSync(tfjsDir + rel), contentType: rel.endsWith('.wasm') ? 'application/wasm' : 'text/javascript' });
  });
  await page.addScriptTag({ url: `/peer/${script}` });
  await page.addScriptTag({ url: '/peer/tfjs-backend-wasm/dist/tf-backend-wasm.min.js' });
  await page.evaluate(async () => {
    tf.wasm.setWasmPaths(location.origin + '/peer/tfjs-backend-wasm/dist/');
    await tf.setBackend('wasm');
    await tf.ready();
  });
}
