// The per-head summary of the attention view, on patterns built by hand.
import { describe, expect, test } from 'vitest';
import { describePattern, headPattern } from '../../web/src/head-summary';

// A T x T causal attention where each row puts `share` on the key `pick(i)` and spreads the rest
// evenly over the other keys it may see.
function head(T: number, pick: (i: number) => number, share: number): Float32Array {
  const w = new Float32Array(T * T);
  for (let i = 0; i < T; i++) {
    const target = pick(i);
    for (let j = 0; j <= i; j++) w[i * T + j] = i === 0 ? 1 : j === target ? share : (1 - share) / i;
  }
  return w;
}

describe('head patterns', () => {
  const tokens = [...'abcabcab'];
  test('a previous-token head', () => {
    const p = headPattern(head(8, (i) => i - 1, 0.8), 0, tokens);
    expect(p?.name).toBe('previous');
    expect(p!.share).toBeCloseTo(0.8, 5);
    expect(describePattern(p)).toBe('mostly the previous token (80%)');
  });
  test('a head on the first token, and one on itself', () => {
    expect(headPattern(head(8, () => 0, 0.9), 0, tokens)?.name).toBe('first');
    expect(headPattern(head(8, (i) => i, 0.7), 0, tokens)?.name).toBe('self');
  });
  test('a head on earlier copies of the same token', () => {
    // Rows 3..7 look at the copy three back; rows 0..2 have none and spread out.
    const w = head(8, (i) => (i >= 3 ? i - 3 : -1), 0.9);
    expect(headPattern(w, 0, tokens)?.name).toBe('same');
  });
  test('an even head has no name, and neither has a text too short to choose', () => {
    expect(headPattern(head(8, () => -1, 0), 0, tokens)).toBeNull();
    expect(describePattern(null)).toBeNull();
    expect(headPattern(new Float32Array([1, 0, 0.5, 0.5]), 0, ['a', 'b'])).toBeNull();
  });
  test('reads its head at the offset', () => {
    const two = new Float32Array(2 * 64);
    two.set(head(8, () => 0, 0.1), 0);
    two.set(head(8, (i) => i - 1, 0.95), 64);
    expect(headPattern(two, 64, tokens)?.name).toBe('previous');
  });
});
