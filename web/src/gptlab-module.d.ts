// Hand-written types for the Emscripten module built from wasm-bindings/
// (Emscripten 3.1.6 cannot emit them). Keep in step with the EMSCRIPTEN_BINDINGS blocks.

export interface MatmulBenchmark {
  /** Runs C = A B `repetitions` times on the object's own random m x k and k x n data. */
  run(repetitions: number): void;
  /** 2 m k n: floating-point operations in one run. */
  flopsPerRun(): number;
  /** Frees the WASM memory; the object is unusable afterwards. */
  delete(): void;
}

export interface GptlabModule {
  /** SIMD instruction set the kernels were written for ("sse4.1" is translated to WASM SIMD128). */
  simdName(): string;
  /** C = op(A) op(B) for row-major arrays; op is "ab", "abt" (A B^T) or "atb" (A^T B). Throws Error on bad shapes. */
  matmul(a: Float32Array | number[], aRows: number, aCols: number,
         b: Float32Array | number[], bRows: number, bCols: number, op: 'ab' | 'abt' | 'atb'): Float32Array;
  MatmulBenchmark: new (m: number, k: number, n: number) => MatmulBenchmark;
}

export interface GptlabModuleOptions {
  wasmBinary?: ArrayBuffer | Uint8Array;
  locateFile?: (path: string, prefix: string) => string;
}

declare const createGptlab: (options?: GptlabModuleOptions) => Promise<GptlabModule>;
export default createGptlab;
