// The one place the web app loads the WASM core (in a worker or the page).
// @ts-expect-error -- the Emscripten output has no types; gptlab-module.d.ts describes it.
import createModule from '@gptlab-wasm/gptlab.js';
import wasmUrl from '@gptlab-wasm/gptlab.wasm?url';
import type { GptlabModule, GptlabModuleOptions } from './gptlab-module';

export type { GptlabModule } from './gptlab-module';

const create = createModule as (options?: GptlabModuleOptions) => Promise<GptlabModule>;

export function loadGptlab(): Promise<GptlabModule> {
  return create({ locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path) });
}
