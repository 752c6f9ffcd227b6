// The one place the web app loads the WASM core (in a worker or the page).
// Two builds of the same bindings: gptlab.js runs on one thread anywhere;
// gptlab-mt.js runs data-parallel training on pthreads (Web Workers sharing the
// WASM memory), which browsers allow only on cross-origin isolated pages (the
// COOP/COEP headers in vite.config.ts). Its helper workers import the module
// again by URL, so it is served as a file of its own rather than bundled; their
// small classic-script bootstrap travels as text and starts from a blob: URL
// (Vite's dev server would otherwise rewrite it into something only a module can run).
// @ts-expect-error -- the Emscripten output has no types; gptlab-module.d.ts describes it.
import createModule from '@gptlab-wasm/gptlab.js';
import wasmUrl from '@gptlab-wasm/gptlab.wasm?url';
import mtJsUrl from '@gptlab-wasm/gptlab-mt.js?url';
import mtWasmUrl from '@gptlab-wasm/gptlab-mt.wasm?url';
import mtWorkerSource from '@gptlab-wasm/gptlab-mt.worker.js?raw';
import type { GptlabModule, GptlabModuleOptions } from './gptlab-module';

export type { GptlabModule } from './gptlab-module';

type Factory = (options?: GptlabModuleOptions) => Promise<GptlabModule>;

/** Whether this page may run the multi-threaded core. */
export const threadsAvailable = () => globalThis.crossOriginIsolated === true;

/** The threads worth asking a trainer for here (1 where threads are unavailable). */
export const usefulThreads = () => (threadsAvailable() ? Math.max(1, Math.min(8, navigator.hardwareConcurrency || 1)) : 1);

export async function loadGptlab({ threads = false } = {}): Promise<GptlabModule> {
  if (!threads || !threadsAvailable())
    return (createModule as Factory)({ locateFile: (path) => (path.endsWith('.wasm') ? wasmUrl : path) });
  const script = new URL(mtJsUrl, self.location.href).href;
  const { default: create } = (await import(/* @vite-ignore */ script)) as { default: Factory };
  const workerUrl = URL.createObjectURL(new Blob([mtWorkerSource], { type: 'text/javascript' }));
  return create({
    mainScriptUrlOrBlob: script,
    locateFile: (path) => (path.endsWith('.wasm') ? mtWasmUrl : path.endsWith('.worker.js') ? workerUrl : path),
  });
}
