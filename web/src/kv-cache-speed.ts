// The KV cache, measured (Lesson 8): the model trained last samples the same number of tokens
// with the cache (each new token runs through the layers once, attending to the keys and values
// kept from before) and without it (each new token re-runs the whole prefix, up to the block).
import { nextSeq, onTrainer, sendTrainer } from './trainer-client';
import { $ } from './dom';

const TOKENS = 200;
let seq = 0;

function bar(label: string, rate: number, fastest: number) {
  const row = Object.assign(document.createElement('div'), { className: 'speed-row' });
  const fill = Object.assign(document.createElement('span'), { className: 'speed-bar' });
  fill.style.width = `${Math.max(1, (100 * rate) / fastest)}%`;
  row.append(Object.assign(document.createElement('span'), { className: 'speed-label', textContent: label }), fill,
    Object.assign(document.createElement('span'), { textContent: `${Math.round(rate).toLocaleString('en')} tokens/s` }));
  return row;
}

$('kv-measure').addEventListener('click', () => {
  $<HTMLButtonElement>('kv-measure').disabled = true;
  $('kv-result').textContent = `Sampling ${TOKENS} tokens twice…`;
  $('kv-bars').replaceChildren();
  sendTrainer({ type: 'sampling-speed', seq: (seq = nextSeq()), tokens: TOKENS });
});

onTrainer((m) => {
  if ((m.type !== 'sampling-speed' && m.type !== 'error') || m.seq !== seq) return;
  $<HTMLButtonElement>('kv-measure').disabled = false;
  if (m.type === 'error') {
    $('kv-result').textContent = m.message;
    return;
  }
  $('kv-bars').replaceChildren(bar('with the cache', m.cached, m.cached), bar('without', m.uncached, m.cached));
  $('kv-result').textContent = `${m.tokens} tokens from the model trained last: ${(m.cached / m.uncached).toFixed(1)}× ` +
    `faster with the cache. Without it each new token runs the whole text before it again (up to ${m.blockSize} ` +
    'positions) through every layer; with it, only itself.';
});
