import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Cross-origin isolation lets the page use SharedArrayBuffer, which the multi-threaded
// core (gptlab-mt.js) needs; a static host serving dist/ should send the same headers
// (without them the lab runs on one thread).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

// The app lives in web/, static assets in public/, the WASM module in build-wasm/.
export default defineConfig({
  root: here('./web'),
  publicDir: here('./public'),
  resolve: { alias: { '@gptlab-wasm': here('./build-wasm/wasm-bindings') } },
  server: { fs: { allow: [here('.')] }, strictPort: true, headers: isolation },
  preview: { strictPort: true, headers: isolation },
  build: { outDir: here('./dist'), emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
});
