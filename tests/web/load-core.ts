// Loads the browser build of the WASM core in node: the bytes are passed in
// because Emscripten 3.1.6's own node loading breaks under ES modules.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
// @ts-expect-error -- Emscripten output; typed by web/src/gptlab-module.d.ts
import createModule from '@gptlab-wasm/gptlab.js';
import type { GptlabModule, GptlabModuleOptions } from '../../web/src/gptlab-module';

const wasmPath = fileURLToPath(new URL('../../build-wasm/wasm-bindings/gptlab.wasm', import.meta.url));

export function loadCore(): Promise<GptlabModule> {
  const create = createModule as (o: GptlabModuleOptions) => Promise<GptlabModule>;
  return create({ wasmBinary: readFileSync(wasmPath) });
}
