import { defineConfig, type Plugin } from 'vite';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// Cross-origin isolation lets the page use SharedArrayBuffer, which the multi-threaded
// core (gptlab-mt.js) needs; a static host serving dist/ should send the same headers
// (without them the lab runs on one thread).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'cross-origin',
};

// Hosts that cannot send those headers (GitHub Pages and the like): coi-serviceworker (npm) is
// a service worker that adds them to the lab's own responses, so the page is isolated from its
// second load on. It is served, and written into dist/, as /coi-serviceworker.js.
function coiServiceWorker(): Plugin {
  const name = 'coi-serviceworker.js', source = () => readFileSync(here('./node_modules/coi-serviceworker/coi-serviceworker.min.js'));
  return {
    name: 'coi-serviceworker',
    configureServer(server) {
      server.middlewares.use(`/${name}`, (_req, res) => res.setHeader('Content-Type', 'text/javascript').end(source()));
    },
    generateBundle() { this.emitFile({ type: 'asset', fileName: name, source: source() }); },
  };
}

// The app lives in web/, static assets in public/, the WASM module in build-wasm/.
export default defineConfig({
  root: here('./web'),
  publicDir: here('./public'),
  resolve: { alias: { '@gptlab-wasm': here('./build-wasm/wasm-bindings') } },
  server: { fs: { allow: [here('.')] }, strictPort: true, headers: isolation },
  preview: { strictPort: true, headers: isolation },
  build: { outDir: here('./dist'), emptyOutDir: true, target: 'es2022',
    rollupOptions: { input: { lab: here('./web/index.html'), engine: here('./web/engine.html') } } },
  worker: { format: 'es' },
  plugins: [coiServiceWorker()],
});
