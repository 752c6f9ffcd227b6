import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

// The app lives in web/, static assets in public/, the WASM module in build-wasm/.
export default defineConfig({
  root: here('./web'),
  publicDir: here('./public'),
  resolve: { alias: { '@gptlab-wasm': here('./build-wasm/wasm-bindings') } },
  server: { fs: { allow: [here('.')] }, strictPort: true },
  preview: { strictPort: true },
  build: { outDir: here('./dist'), emptyOutDir: true, target: 'es2022' },
  worker: { format: 'es' },
});
