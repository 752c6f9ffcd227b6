// The tokenizer playground as a teacher uses it: a shared link opens identically in a
// fresh browser profile (tokens and ids checked against the tokenizer in node), the merge
// stepper joins tokens one merge at a time, embed mode shows one view, and a hostile
// hash is shown as text and runs nothing. Screenshots go to test-results/ (not committed).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { assertHidden, startApp, openPage } from './harness.mjs';
import { loadGptlab as loadCoreNode } from '../../bench/load-node.mjs';

const shots = new URL('../../test-results/', import.meta.url).pathname;
mkdirSync(shots, { recursive: true });
const austen = readFileSync(new URL('../../public/corpus/pride-and-prejudice.txt', import.meta.url), 'utf8');
let app;
before(async () => { app = await startApp(); });
after(async () => { await app?.close(); });

const tokensOf = (page) => page.$$eval('#tok-tokens .tok', (spans) => spans.map((s) => ({ id: Number(s.dataset.id), text: s.textContent })));
// The tokenizer has drawn its tokens, and its tab is open (the lab opens on the Lessons).
async function settled(page) {
  await page.locator('#tok-tokens[data-seq]').waitFor({ state: 'attached', timeout: 30_000 });
  if (await page.locator('#tab-tokenizer').isVisible()) await page.click('#tab-tokenizer');
}

test('a shared tokenizer link opens with the same tokens and ids in a fresh profile', async () => {
  const { page, errors } = await openPage(app, '/');
  await settled(page);
  const text = 'Mr. Darcy danced <eos> with Élisabeth — twice!\n\tThe end.';
  await page.fill('#tok-text', text);
  await page.selectOption('#tok-kind', 'bpe-gpt4');
  await page.locator('#tok-vocab').fill('600');
  await page.locator('#tok-vocab').dispatchEvent('input');
  await page.check('#tok-ws');
  await page.waitForFunction(() => document.querySelector('#tok-status').textContent.includes('a vocabulary of 600 token types'));
  const ours = await tokensOf(page);
  await page.click('#share-open');
  const link = await page.inputValue('#share-link');
  assert.match(link, /#s=[A-Za-z0-9_-]+$/);
  await page.screenshot({ path: `${shots}tokenizer.png`, fullPage: true });

  // What the link must show: the same tokenizer trained in node on the same corpus.
  const core = await loadCoreNode();
  const t = core.Tokenizer.trainBpe(austen, 600, 'gpt4', ['<pad>', '<unk>', '<bos>', '<eos>', '<mask>'], null);
  const ids = Array.from(t.encode(text, true));
  assert.deepEqual(ours.map((x) => x.id), ids);
  t.delete();

  const fresh = await app.browser.newContext();  // a new profile: no storage, no cache
  try {
    const other = await fresh.newPage();
    await other.goto(link);
    await settled(other);
    await other.waitForFunction(() => document.querySelector('#tok-status').textContent.includes('a vocabulary of 600 token types'));
    assert.equal(await other.inputValue('#tok-text'), text);
    assert.equal(await other.inputValue('#tok-kind'), 'bpe-gpt4');
    assert.ok(await other.isChecked('#tok-ws'));
    assert.deepEqual(await tokensOf(other), ours);
    assert.equal(await other.locator('#tok-ids').textContent(), ids.join(', '));
    const special = other.locator('#tok-tokens .tok.special');
    assert.equal(await special.textContent(), '<eos>');
    assert.equal(await special.getAttribute('data-id'), '259');
    assert.equal(await other.locator('#tok-count').textContent(), String(ids.length));
  } finally {
    await fresh.close();
  }
  assert.deepEqual(errors, []);
});

test('the merge stepper joins the text one merge at a time', async () => {
  const { page, errors } = await openPage(app, '/');
  await settled(page);
  await page.fill('#tok-text', 'the theme of the thesis');
  await page.waitForFunction(() => document.querySelector('#tok-ids').textContent.split(', ').length < 10);
  const at = async (k) => {
    await page.locator('#tok-merge').fill(String(k));
    await page.locator('#tok-merge').dispatchEvent('input');
    await page.waitForFunction((n) => document.querySelector('#tok-merge-out').textContent.startsWith(n ? `Merge ${n} ` : 'No merges'), k);
    return (await tokensOf(page)).length;
  };
  const counts = [];
  for (const k of [0, 1, 2, 3, 20, 200]) counts.push(await at(k));
  assert.equal(counts[0], [...'the theme of the thesis'].length, 'no merges: one token per byte');
  for (let i = 1; i < counts.length; i++) assert.ok(counts[i] <= counts[i - 1], `counts fall: ${counts}`);
  assert.ok(counts.at(-1) < counts[0] / 2, `200 merges join most of it: ${counts}`);
  await page.click('#tok-merge-prev');
  await page.waitForFunction(() => document.querySelector('#tok-merge-out').textContent.startsWith('Merge 199 '));
  assert.match(await page.locator('#tok-merge-out').textContent(),
    /^Merge 199 of 763: “.+” \+ “.+” → “.+” \(id \d+\); the vocabulary so far: 460 token types\.$/);
  // The status names the whole vocabulary, not the stepper's.
  assert.match(await page.locator('#tok-status').textContent(), /a vocabulary of 1,024 token types/);
  assert.deepEqual(errors, []);
});

test('embed mode shows one view without the chrome', async () => {
  const { page, errors } = await openPage(app, '/');
  await settled(page);
  await page.click('#share-open');
  await page.selectOption('#share-embed', 'tokenizer');
  const snippet = await page.inputValue('#share-iframe');
  const src = snippet.match(/src="([^"]+)"/)[1].replace(/&amp;/g, '&');
  assert.match(src, /&embed=tokenizer$/);
  const embedded = await app.browser.newPage();
  await embedded.setViewportSize({ width: 600, height: 500 });
  await embedded.goto(src);
  await settled(embedded);
  assert.ok(await embedded.locator('#view-tokenizer').isVisible());
  for (const hidden of ['header', '#view-train', '#view-attention', 'footer'])
    await assertHidden(embedded.locator(hidden), hidden);
  await embedded.screenshot({ path: `${shots}embed-tokenizer.png` });
  assert.deepEqual(errors, []);
});

test('a hostile or broken hash shows text literally, runs nothing, and opens the defaults', async () => {
  const page = await app.browser.newPage();
  const dialogs = [];
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss(); });
  await page.addInitScript(() => { window.__pwned = false; });
  // A valid link whose text is markup: it must appear as characters, not as an element.
  const { page: maker } = await openPage(app, '/');
  await settled(maker);
  const payload = '<img src=x onerror="window.__pwned=true;alert(1)"><script>window.__pwned=true</script>';
  const before = await maker.evaluate(() => location.hash);
  await maker.fill('#tok-text', payload);
  // The hash is written 250 ms after the last change.
  await maker.waitForFunction((h) => location.hash !== h && document.querySelector('#tok-tokens').textContent.includes('<img'), before);
  const link = maker.url();
  await page.goto(link);
  await settled(page);
  assert.equal(await page.inputValue('#tok-text'), payload);
  assert.equal(await page.locator('#tok-tokens').textContent(), payload);
  assert.equal(await page.locator('#tok-tokens img, #tok-tokens script').count(), 0);
  // Broken links: markup in the hash itself, a truncated link, a huge one.
  for (const hash of ['#s=<img src=x onerror=alert(1)>', link.split('#')[1].slice(0, 30), `#s=${'A'.repeat(210_000)}`]) {
    await page.goto(new URL(`/#${hash.replace(/^#/, '')}`, app.url).href);
    await page.locator('#lab-message:not([hidden])').waitFor({ timeout: 10_000 });
    const message = await page.locator('#lab-message').textContent();
    assert.match(message, /^This link (could not be read|is too long).*The lab opened with its default settings\.$/);
    await settled(page);
    assert.match(await page.inputValue('#tok-text'), /^It is a truth universally acknowledged/);
  }
  await page.screenshot({ path: `${shots}bad-link.png` });
  assert.equal(await page.evaluate(() => window.__pwned), false);
  assert.deepEqual(dialogs, []);
});
