// Shared by the browser tests and the browser benchmark: serves the built app
// (dist/, from `vite build`) with `vite preview` on a free loopback port and
// drives Debian's Chromium headless through playwright-core.
import { preview } from 'vite';
import { chromium } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { existsSync } from 'node:fs';
import http from 'node:http';
import assert from 'node:assert/strict';

const root = fileURLToPath(new URL('../..', import.meta.url));

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export async function startApp({ args = [] } = {}) {
  if (!existsSync(`${root}/dist/index.html`)) throw new Error('dist/ is missing: run `npx vite build` first.');
  const server = await preview({
    configFile: `${root}/vite.config.ts`,
    logLevel: 'warn',
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false },
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview did not report a URL.');
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', headless: true, args: [...CHROMIUM_ARGS, ...args] });
  return {
    url,
    browser,
    async close() {
      await browser.close();
      await new Promise((resolve) => server.httpServer.close(resolve));
    },
  };
}

// A page in a fresh browser profile (its own storage) at 1280x800, with the errors it throws
// collected; close the context when done.
export async function freshProfile(app) {
  const context = await app.browser.newContext({ viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  return { context, page, errors };
}

// A new page that records console errors and uncaught exceptions. bypassCSP: for benchmark
// pages that add a peer library (TensorFlow.js) the lab's own policy would refuse. setup(page) runs
// before the page loads (e.g. to route requests).
export async function openPage(app, path = '/', { bypassCSP = false, setup } = {}) {
  const page = bypassCSP ? await (await app.browser.newContext({ bypassCSP })).newPage() : await app.browser.newPage();
  await setup?.(page);
  const errors = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => m.type() === 'error' && errors.push(`console: ${m.text()}`));
  await page.goto(new URL(path, app.url).href);
  return { page, errors };
}

// Every main-thread task longer than 50 ms (a "long task", as Chromium reports them) goes into
// window.__longTasks, from the page's first load on; longTasksSince(page, n) lists those after the
// first n with what ran in them: the scripts of the long animation frames that overlap each (who
// called them, for how long) and the frames' style, layout and paint time, so that a failing check
// says where the time went. Each interaction (a click, a key, a tap) goes into window.__interactions
// with its duration from the input to the next paint (Event Timing), as interactions() reads them.
export function recordLongTasks(page) {
  return page.addInitScript(() => {
    window.__longTasks = [];
    window.__frames = [];
    window.__interactions = [];
    new PerformanceObserver((list) => window.__frames.push(...list.getEntries()))
      .observe({ type: 'long-animation-frame', buffered: true });
    new PerformanceObserver((list) => window.__longTasks.push(...list.getEntries()))
      .observe({ type: 'longtask', buffered: true });
    new PerformanceObserver((list) => window.__interactions.push(...list.getEntries().filter((e) => e.interactionId)))
      .observe({ type: 'event', durationThreshold: 16, buffered: true });
  });
}
export const interactions = (page) => page.evaluate(() => window.__interactions.map((e) =>
  ({ ms: e.duration, event: e.name, target: e.target?.id || e.target?.tagName || '' })));
export const longTasksSince = (page, n) => page.evaluate((n) => window.__longTasks.slice(n).map((t) => ({
  ms: Math.round(t.duration), atMs: Math.round(t.startTime),
  frames: window.__frames.filter((f) => f.startTime < t.startTime + t.duration && t.startTime < f.startTime + f.duration)
    .map((f) => ({
      ms: Math.round(f.duration), renderMs: Math.round(f.renderStart ? f.startTime + f.duration - f.renderStart : 0),
      scripts: f.scripts.map((s) => `${s.invoker} ${s.sourceFunctionName} ${s.sourceURL.split('/').pop()}:${s.sourceCharPosition}` +
        ` ${Math.round(s.duration)} ms (forced layout ${Math.round(s.forcedStyleAndLayoutDuration)} ms)`),
    })),
})), n);

// An element that is on the page but not shown (a check that fails if it is missing altogether).
export async function assertHidden(locator, what) {
  assert.equal(await locator.count(), 1, `${what} is on the page`);
  assert.equal(await locator.isVisible(), false, `${what} is hidden`);
}

// Sets one of the Train tab's settings as a person would (the settings box opened, the field
// filled or chosen, its change event fired).
export async function setField(page, name, value) {
  await page.locator('#train-settings').evaluate((d) => { d.open = true; });
  const field = page.locator(`[data-train="${name}"]`);
  if (await field.evaluate((f) => f.tagName === 'SELECT')) await field.selectOption(String(value));
  else await field.fill(String(value));
  await field.dispatchEvent('change');
}

// A tutorial page on another origin (localhost, while the lab is on 127.0.0.1) that embeds one
// view: `${url}?w=600&h=450&src=<the lab's embed link>`.
export async function tutorialHost() {
  const host = http.createServer((req, res) => {
    const q = new URL(req.url, 'http://host').searchParams;
    if (!q.get('src')) return res.writeHead(404).end();
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.end(`<!doctype html><html lang="en"><title>A tutorial</title><body style="margin:0">` +
      `<iframe title="gptlab" src="${q.get('src').replace(/"/g, '&quot;')}" width="${Number(q.get('w'))}" ` +
      `height="${Number(q.get('h'))}" style="border:0;display:block"></iframe></body></html>`);
  });
  await new Promise((resolve) => host.listen(0, '127.0.0.1', resolve));
  return { url: `http://localhost:${host.address().port}/`, close: () => host.close() };
}

// The step the Train tab shows ("1,234 / 2,500" reads 1234).
export const stepOf = (page) => page.evaluate(() => Number(document.querySelector('#train-step').textContent.split(' / ')[0].replace(/,/g, '')) || 0);

// Stops the run and waits until the browser has kept it at the step it stopped on (not at an earlier save).
export async function stopAndKeep(page) {
  await page.click('#train-stop');
  await page.locator('#train-status[data-state="stopped"]').waitFor();
  const step = await stepOf(page);
  await page.waitForFunction((k) => document.querySelector('#train-saved-text').textContent.includes(`at step ${k.toLocaleString('en')} of`), step);
}
