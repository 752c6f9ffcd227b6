// Share links: state <-> hash round trips, and what a bad hash does.
import { describe, expect, it } from 'vitest';
import { defaultState, MAX_SHARED_POINTS, parseState, type LabState, type SharedRun } from '../../web/src/lab-state';
import { hashToState, MAX_HASH, stateToHash } from '../../web/src/share';

const changed = (): LabState => {
  const s = defaultState();
  s.view = 'attention';
  s.tokenizer = { kind: 'bpe-gpt4', vocabSize: 777, corpus: 'text', whitespace: true, merges: 12,
    text: 'Ünïcödé: 日本語のテキスト, emoji 👩‍👩‍👧 and <b>markup</b> & "quotes"\n\ttabs' };
  s.train = { ...s.train, objective: 'masked', layers: 3, heads: 2, embd: 48, dropout: 0.15, lr: 3e-4, seed: 7, ffn: 'swiglu' };
  s.attention = { text: 'Mr. Darcy', layer: 1, head: 3, lines: true };
  s.inside = { panel: 'logit-lens', temperature: 0.7, topK: 5, topP: 0.9, position: 3, table: 'positions' };
  return s;
};

describe('share links', () => {
  it('round-trip every field, unicode included, with and without embed', async () => {
    const s = changed();
    const opened = await hashToState(`#${await stateToHash(s)}`);
    expect(opened).toEqual({ state: s, embed: null, error: null });
    const embedded = await hashToState(await stateToHash(s, 'tokenizer'));
    expect(embedded.embed).toBe('tokenizer');
    expect(embedded.state).toEqual(s);
  });

  it('embed one panel of "Inside the model" by its own name', async () => {
    const s = changed();
    const hash = await stateToHash(s, 'attention');
    expect(hash).toMatch(/&embed=logit-lens$/);
    const opened = await hashToState(hash);
    expect(opened.embed).toBe('attention');
    expect(opened.state).toEqual(s);
    // A panel named in the embed wins over the one the state was shared from; an unknown one is refused.
    const next = await hashToState(hash.replace('embed=logit-lens', 'embed=next-token'));
    expect(next.state.inside.panel).toBe('next-token');
    expect((await hashToState('#embed=weights')).state.inside.panel).toBe('weights');
    expect((await hashToState('#embed=kernels')).error).toBe('There is no view called “kernels” to embed.');
  });

  it('carry a large text, compressed', async () => {
    const s = defaultState();
    s.tokenizer.text = 'It is a truth universally acknowledged. '.repeat(2000) + 'é';  // 80 kB
    const hash = await stateToHash(s);
    expect(hash.length).toBeLessThan(s.tokenizer.text.length / 20);
    expect((await hashToState(hash)).state.tokenizer.text).toBe(s.tokenizer.text);
  });

  it('an empty hash is the default state, without a message', async () => {
    expect(await hashToState('')).toEqual({ state: defaultState(), embed: null, error: null });
  });

  it('a fragment carrying only embed opens that view with the defaults', async () => {
    expect(await hashToState('#embed=attention')).toEqual({ state: defaultState(), embed: 'attention', error: null });
    const bad = await hashToState('#embed=everything');
    expect(bad.embed).toBeNull();
    expect(bad.error).toBe('There is no view called “everything” to embed.');
  });

  it.each([
    ['not base64', '#s=%%%'],
    ['base64 that is not deflate', '#s=aGVsbG8gd29ybGQ'],
    ['cut short', null],
    ['script text', '#s=<img src=x onerror=alert(1)>'],
  ])('rejects %s with a sentence and the default state', async (_, hash) => {
    const h = hash ?? (await stateToHash(changed())).slice(0, 40);
    const opened = await hashToState(h);
    expect(opened.state).toEqual(defaultState());
    expect(opened.error).toMatch(/^This link could not be read.*The lab opened with its default settings\.$/);
  });

  it('names the field a valid but wrong state gets wrong', async () => {
    const bad = { ...changed(), train: { ...changed().train, heads: 'four' } };
    const opened = await hashToState(await stateToHash(bad as unknown as LabState));
    expect(opened.error).toContain('(train.heads must be a whole number from 1 to 16)');
    expect(() => parseState({ tokenizer: { kind: 'wordpiece' } }))
      .toThrow('tokenizer.kind must be one of char, bpe, bpe-gpt2, bpe-gpt4, gpt2.');
    expect(() => parseState([])).toThrow('The link does not hold a lab state.');
    expect(() => parseState({ train: 5 })).toThrow('train must be a group of settings.');
  });

  it('fills fields a link does not carry with the defaults and ignores unknown ones', () => {
    const s = parseState({ view: 'train', tokenizer: { vocabSize: 300 }, extra: { x: 1 } });
    expect(s.view).toBe('train');
    expect(s.tokenizer.vocabSize).toBe(300);
    expect(s.tokenizer.text).toBe(defaultState().tokenizer.text);
  });

  it('opens a link from before the optimizer choice with AdamW, as it trained then', () => {
    expect(defaultState().train.optimizer).toBe('muon');
    expect(parseState({ train: { lr: 2e-3 } }).train.optimizer).toBe('adamw');
    expect(parseState({ train: { optimizer: 'muon' } }).train.optimizer).toBe('muon');
    expect(parseState({ view: 'train' }).train.optimizer).toBe('muon');  // no settings carried: today's defaults
    const old = parseState({ compare: [{ settings: { lr: 2e-3 }, train: [], val: [], seconds: [] }] });
    expect(old.compare[0].settings.optimizer).toBe('adamw');
  });

  it('refuses an oversized hash and a deflate bomb', async () => {
    const long = await hashToState(`#s=${'A'.repeat(MAX_HASH + 1)}`);
    expect(long.error).toMatch(/^This link is too long \(200,003 characters/);
    const bomb = defaultState();
    bomb.tokenizer.text = 'a'.repeat(100_000);
    const hash = await stateToHash(bomb);
    // A hand-made stream: the same JSON with the text repeated far past the limit inflates to > 1 MB.
    const huge = new TextEncoder().encode(JSON.stringify({ v: 1, pad: 'a'.repeat(3_000_000) }));
    const packed = await new Response(new Blob([huge]).stream().pipeThrough(new CompressionStream('deflate'))).arrayBuffer();
    const b64 = Buffer.from(packed).toString('base64url');
    expect(b64.length).toBeLessThan(MAX_HASH);
    const opened = await hashToState(`s=${b64}`);
    expect(opened.error).toContain('(it holds more than 1,000,000 bytes of settings)');
    expect((await hashToState(hash)).error).toBeNull();  // 100k characters is within the limits
  });

  it('a link from a newer format says so', async () => {
    const packed = await new Response(new Blob([JSON.stringify({ v: 2 })]).stream()
      .pipeThrough(new CompressionStream('deflate'))).arrayBuffer();
    const opened = await hashToState(`s=${Buffer.from(packed).toString('base64url')}`);
    expect(opened.error).toContain('made by a newer version of the lab (format 2)');
  });

  // A comparison link: two runs' settings and curves.
  const shared = (): SharedRun[] => {
    const base = defaultState().train;
    const curve = (from: number): [number, number][] => Array.from({ length: 200 }, (_, i) => [i * 10, from - i / 200]);
    return [
      { id: 'run-a', name: 'RoPE', settings: { ...base }, corpus: 'austen', train: curve(4), val: curve(3.9),
        seconds: [[100, 12.5], [2000, 250]], bitsPerNat: 1 / Math.LN2, masked: null },
      { id: 'run-b', name: 'learned', settings: { ...base, positions: 'learned', residual: false, layers: 0 }, corpus: 'private',
        train: curve(4.1), val: [], seconds: [], bitsPerNat: null, masked: { accuracy: 0.41, unigram: 0.17 } },
    ];
  };
  const raw = async (json: unknown) => {
    const packed = await new Response(new Blob([JSON.stringify(json)]).stream()
      .pipeThrough(new CompressionStream('deflate'))).arrayBuffer();
    return hashToState(`s=${Buffer.from(packed).toString('base64url')}`);
  };

  it('carry a comparison of runs with their curves, compressed', async () => {
    const s = { ...changed(), view: 'runs' as const, compare: shared(), runs: { x: 'seconds' as const, logX: true, trainToo: true } };
    const hash = await stateToHash(s);
    expect(hash.length).toBeLessThan(12_000);  // 600 points of curves
    expect(await hashToState(hash)).toEqual({ state: s, embed: null, error: null });
    expect((await hashToState(await stateToHash(s, 'runs'))).embed).toBe('runs');
  });

  it.each([
    ['a NaN loss (null in JSON)', (r: Record<string, unknown>) => { (r.val as unknown[])[3] = [30, null]; },
      'compare[0].val must hold [step, value] pairs of numbers'],
    ['a million points', (r: Record<string, unknown>) => { r.train = Array.from({ length: 1e6 }, (_, i) => [i, 1]); },
      null],
    ['too many points', (r: Record<string, unknown>) => { r.train = Array.from({ length: MAX_SHARED_POINTS + 1 }, (_, i) => [i, 1]); },
      `compare[0].train must be a list of at most ${MAX_SHARED_POINTS} points`],
    ['a string for a curve', (r: Record<string, unknown>) => { r.val = 'steep'; },
      `compare[0].val must be a list of at most ${MAX_SHARED_POINTS} points`],
    ['a negative step', (r: Record<string, unknown>) => { r.val = [[-1, 2]]; }, 'compare[0].val must hold [step, value] pairs'],
    ['wrong settings', (r: Record<string, unknown>) => { r.settings = { layers: 99 }; },
      'compare[0].settings.layers must be a whole number from 0 to 12'],
    ['a name as an object', (r: Record<string, unknown>) => { r.name = { toString: 1 }; }, 'compare[0].name must be a text'],
    ['a zero bits-per-nat', (r: Record<string, unknown>) => { r.bitsPerNat = 0; }, 'compare[0].bitsPerNat must be a positive number'],
    ['an accuracy above 1', (r: Record<string, unknown>) => { r.masked = { accuracy: 2, unigram: 0.1 }; },
      'compare[0].masked must hold two accuracies between 0 and 1'],
  ])('refuse a comparison with %s in a sentence, opening the defaults', async (_, spoil, words) => {
    const runs = JSON.parse(JSON.stringify(shared())) as Record<string, unknown>[];
    spoil(runs[0]);
    const opened = await raw({ v: 1, view: 'runs', compare: runs });
    expect(opened.state).toEqual(defaultState());
    // A million points do not even fit in a link: it is refused as too long before it is read.
    expect(opened.error).toMatch(words ? /^This link could not be read \(.*\).*The lab opened with its default settings\.$/
      : /^This link is too long \(.*The lab opened with its default settings\.$/);
    if (words) expect(opened.error).toContain(words);
  });

  it('refuse a comparison of too many runs, or one that is not a list', async () => {
    expect((await raw({ v: 1, compare: Array(9).fill(shared()[0]) })).error).toContain('compare must be a list of at most 8 runs');
    expect((await raw({ v: 1, compare: { 0: shared()[0] } })).error).toContain('compare must be a list of at most 8 runs');
    expect((await raw({ v: 1, compare: [5] })).error).toContain('compare[0] must be a run');
  });
});
