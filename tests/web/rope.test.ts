// RoPE's tables as the page gets them: the angles of the formula, and the property the
// RoPE view teaches, that a rotated query·key depends only on the distance of the positions.
import { beforeAll, describe, expect, test } from 'vitest';
import { loadCore } from './load-core';
import type { GptlabModule } from '../../web/src/gptlab-module';

let core: GptlabModule;
beforeAll(async () => { core = await loadCore(); });

describe('ropeTables', () => {
  test('entry (t, i) is cos and sin of t * base^(-2i/d)', () => {
    const T = 64, d = 16, half = d / 2;
    const { cos, sin } = core.ropeTables(T, d, 10000);
    expect(cos.length).toBe(T * half);
    for (let t = 0; t < T; t++)
      for (let i = 0; i < half; i++) {
        const angle = t * 10000 ** (-2 * i / d);
        expect(cos[t * half + i]).toBeCloseTo(Math.cos(angle), 6);
        expect(sin[t * half + i]).toBeCloseTo(Math.sin(angle), 6);
      }
  });

  test('q at position m and k at position n: the dot product depends only on m - n', () => {
    const T = 40, d = 8, half = d / 2;
    const { cos, sin } = core.ropeTables(T, d, 10000);
    const rotate = (x: number[], t: number) => {  // rotate-half: pair (i, i + d/2)
      const y = [...x];
      for (let i = 0; i < half; i++) {
        const c = cos[t * half + i], s = sin[t * half + i];
        y[i] = x[i] * c - x[i + half] * s;
        y[i + half] = x[i] * s + x[i + half] * c;
      }
      return y;
    };
    const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i], 0);
    const q = [0.3, -1.2, 0.8, 0.1, 0.5, 0.9, -0.4, 1.1], k = [1.0, 0.2, -0.7, 0.6, -0.3, 0.4, 0.8, -1.5];
    for (const distance of [0, 1, 5, 17])
      for (const m of [distance, distance + 3, 30])
        expect(dot(rotate(q, m), rotate(k, m - distance))).toBeCloseTo(dot(rotate(q, distance), rotate(k, 0)), 5);
  });

  test('bad arguments give a sentence', () => {
    expect(() => core.ropeTables(8, 3, 10000)).toThrowError(/an even head size/);
  });
});
