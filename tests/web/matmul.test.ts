// The WASM core's matmul, called from JavaScript, against a JS triple loop in float64.
import { describe, expect, test, beforeAll } from 'vitest';
import { loadCore } from './load-core';
import type { GptlabModule } from '../../web/src/gptlab-module';
import { BENCH_SHAPES, measureGflops } from '../../web/src/matmul-bench';

let core: GptlabModule;
beforeAll(async () => { core = await loadCore(); });

// Deterministic uniform(-1, 1) numbers (mulberry32), so a failure reproduces.
function random(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

type Op = 'ab' | 'abt' | 'atb';

// Returns C and, per element, sum_p |a_ip b_pj| for the error bound.
function reference(a: Float32Array, b: Float32Array, m: number, k: number, n: number, op: Op) {
  const c = new Float64Array(m * n), scale = new Float64Array(m * n);
  const A = (i: number, p: number) => (op === 'atb' ? a[p * m + i] : a[i * k + p]);
  const B = (p: number, j: number) => (op === 'abt' ? b[j * k + p] : b[p * n + j]);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++)
      for (let p = 0; p < k; p++) {
        const x = A(i, p) * B(p, j);
        c[i * n + j] += x;
        scale[i * n + j] += Math.abs(x);
      }
  return { c, scale };
}

describe('matmul from JavaScript', () => {
  const cases: [number, number, number][] = [[1, 1, 1], [7, 13, 5], [33, 17, 65], [64, 128, 40], [3, 300, 2]];
  for (const op of ['ab', 'abt', 'atb'] as Op[]) {
    for (const [m, k, n] of cases) {
      test(`${op} ${m}x${k}x${n} matches a float64 triple loop within 2 k eps |A||B|`, () => {
        const rnd = random(m * 1000 + k * 10 + n);
        const a = Float32Array.from({ length: m * k }, rnd), b = Float32Array.from({ length: k * n }, rnd);
        const [ar, ac] = op === 'atb' ? [k, m] : [m, k];
        const [br, bc] = op === 'abt' ? [n, k] : [k, n];
        const c = core.matmul(a, ar, ac, b, br, bc, op);
        expect(c).toBeInstanceOf(Float32Array);
        expect(c.length).toBe(m * n);
        const { c: want, scale } = reference(a, b, m, k, n, op);
        const eps = 2 ** -23;
        let worst = 0;
        for (let i = 0; i < m * n; i++) worst = Math.max(worst, Math.abs(c[i] - want[i]) / (2 * (k + 2) * eps * scale[i] + 1e-30));
        expect(worst).toBeLessThanOrEqual(1);
      });
    }
  }

  test('an exact integer product', () => {
    expect(Array.from(core.matmul([1, 2, 3, 4, 5, 6], 2, 3, [7, 8, 9, 10, 11, 12], 3, 2, 'ab'))).toEqual([58, 64, 139, 154]);
  });
});

describe('errors reach JavaScript as Error objects with the core\'s sentence', () => {
  test('mismatched inner dimensions', () => {
    expect(() => core.matmul(new Float32Array(6), 2, 3, new Float32Array(6), 2, 3, 'ab')).toThrowError(
      new Error('matmul: C is 2x3, A is 2x3 and B is 2x3; the inner dimensions of the product differ.'));
  });
  test('an array that does not fit its stated shape', () => {
    expect(() => core.matmul(new Float32Array(5), 2, 3, new Float32Array(6), 3, 2, 'ab')).toThrowError(
      'A has 5 numbers but its shape 2x3 needs 6.');
  });
  test('an unknown op', () => {
    // @ts-expect-error -- deliberately wrong
    expect(() => core.matmul([1], 1, 1, [1], 1, 1, 'ba')).toThrowError('op must be "ab", "abt" or "atb", not "ba"');
  });
  test('a benchmark with an empty dimension', () => {
    expect(() => new core.MatmulBenchmark(0, 4, 4)).toThrowError('every dimension must be at least 1');
  });
  test('the module still works after an error', () => {
    expect(() => core.matmul([1], 1, 1, [1, 2], 1, 1, 'ab')).toThrow(Error);
    expect(Array.from(core.matmul([2], 1, 1, [3], 1, 1, 'ab'))).toEqual([6]);
  });
});

describe('the benchmark the engine page runs', () => {
  test('reports a positive GFLOP/s for a small shape', () => {
    // The best of three 50 ms batches: one scheduler pause on a busy machine cannot sink it.
    const gflops = measureGflops(core, BENCH_SHAPES[0], { batchSeconds: 0.05, batches: 3 });
    expect(gflops).toBeGreaterThan(0.5);
    expect(Number.isFinite(gflops)).toBe(true);
  });
  test('reports the SIMD set the kernels were compiled for', () => {
    expect(core.simdName()).toBe('sse4.1');
  });
  test('reports the matmul kernel: SIMD128, with fused multiply-add where the engine has relaxed SIMD', () => {
    expect(['wasm simd128', 'wasm simd128 + relaxed madd']).toContain(core.kernelName());
  });
});
