// The page renders user text (a shared link's text, an uploaded corpus, samples, token
// pieces) only as text: no source file of the front end may use an HTML sink or eval.
import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';

const dir = new URL('../../web/src/', import.meta.url);
const sources = readdirSync(dir).filter((f) => f.endsWith('.ts'));
const sinks = /\.(innerHTML|outerHTML)\b|insertAdjacentHTML|document\.write|\beval\(|new Function\(|srcdoc/;

describe('no HTML sinks in web/src', () => {
  test('the sources are there to check', () => expect(sources.length).toBeGreaterThan(10));
  test.each(sources)('%s uses none', (file) => {
    const lines = readFileSync(new URL(file, dir), 'utf8').split('\n');
    const hits = lines.map((l, i) => [i + 1, l] as const).filter(([, l]) => sinks.test(l) && !l.trim().startsWith('//'));
    expect(hits, hits.map(([n, l]) => `${file}:${n}: ${l.trim()}`).join('\n')).toEqual([]);
  });
});
