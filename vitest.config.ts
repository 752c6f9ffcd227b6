import { defineConfig } from 'vitest/config';
import { fileURLToPath } from 'node:url';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));

export default defineConfig({
  resolve: { alias: { '@gptlab-wasm': here('./build-wasm/wasm-bindings') } },
  test: { include: ['tests/web/**/*.test.ts'], environment: 'node', testTimeout: 60_000 },
});
