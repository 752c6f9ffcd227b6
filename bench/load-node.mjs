// Loads the browser build of the WASM module under node: Emscripten 3.1.6's node
// path is broken under ESM, so the bytes are read here and passed in.
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

// GPTLAB_WASM_DIR points at another build (e.g. a tuning experiment).
const dir = process.env.GPTLAB_WASM_DIR
  ? pathToFileURL(process.env.GPTLAB_WASM_DIR.replace(/\/?$/, '/'))
  : new URL('../build-wasm/wasm-bindings/', import.meta.url);

// options: e.g. { relaxedSimd: false } for the SIMD128 matmul kernel where relaxed SIMD exists.
export async function loadGptlab(options = {}) {
  const { default: createGptlab } = await import(new URL('gptlab.js', dir).href);
  return createGptlab({ wasmBinary: readFileSync(new URL('gptlab.wasm', dir)), ...options });
}
