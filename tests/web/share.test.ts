// Share links: state <-> hash round trips, and what a bad hash does.
import { describe, expect, it } from 'vitest';
import { defaultState, parseState, type LabState } from '../../web/src/lab-state';
import { hashToState, MAX_HASH, stateToHash } from '../../web/src/share';

const changed = (): LabState => {
  const s = defaultState();
  s.view = 'attention';
  s.tokenizer = { kind: 'bpe-gpt4', vocabSize: 777, corpus: 'text', whitespace: true, merges: 12,
    text: 'Ünïcödé: 日本語のテキスト, emoji 👩‍👩‍👧 and <b>markup</b> & "quotes"\n\ttabs' };
  s.train = { ...s.train, objective: 'masked', layers: 3, heads: 2, embd: 48, dropout: 0.15, lr: 3e-4, seed: 7, ffn: 'swiglu' };
  s.attention = { text: 'Mr. Darcy', layer: 1, head: 3 };
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
});
