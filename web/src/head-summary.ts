// A head in a few words, where its pattern is clear: where most of each token's attention goes,
// averaged over the rows that have a choice (every query from the third token on). A pattern
// names the head when it takes at least half of the attention; otherwise the head is "spread".
export interface HeadPattern { name: 'previous' | 'self' | 'first' | 'same'; share: number }

const WORDS: Record<HeadPattern['name'], string> = {
  previous: 'the previous token', self: 'itself', first: 'the first token', same: 'earlier copies of the same token',
};

/** weights: T x T (row = query) of one head; tokens: the T token texts. */
export function headPattern(weights: Float32Array, offset: number, tokens: string[]): HeadPattern | null {
  const T = tokens.length;
  if (T < 3) return null;
  const share = { previous: 0, self: 0, first: 0, same: 0 };
  for (let i = 2; i < T; i++) {
    const row = offset + i * T;
    share.previous += weights[row + i - 1];
    share.self += weights[row + i];
    share.first += weights[row];
    for (let j = 0; j < i; j++) if (tokens[j] === tokens[i]) share.same += weights[row + j];
  }
  const rows = T - 2;
  const best = (Object.keys(share) as HeadPattern['name'][]).map((name) => ({ name, share: share[name] / rows }))
    .sort((a, b) => b.share - a.share)[0];
  return best.share >= 0.5 ? best : null;
}

/** "mostly the previous token (71%)", or null. */
export const describePattern = (p: HeadPattern | null) => (p ? `mostly ${WORDS[p.name]} (${Math.round(100 * p.share)}%)` : null);
