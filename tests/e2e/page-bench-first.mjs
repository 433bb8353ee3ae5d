// The first fit after the page opens (cold) and the next ones (warm), as a
// user meets them: the default options (1000 bootstrap resamples, all
// workers), the reference data pasted with its 5 highest losses dropped, a
// click on Fit. Measured in the page from the click to the fitted numbers
// on screen (the results table, before the bootstrap ends) and to the end
// of the bootstrap. Each cold run is a fresh browser profile (no cache, no
// service worker); the click comes right after the data is pasted, while
// the workers started at load may still be compiling. Prints JSON.
//
// Run through scripts/bench (after scripts/build).

import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const REFERENCE = join(ROOT, 'crates/engine/tests/data/chinchilla_svg_extracted.csv');
const REPEAT = Number(process.env.REPEAT ?? 3);
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

const server = createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
  const file = join(ROOT, path.endsWith('/') ? path + 'index.html' : path);
  try {
    const body = await readFile(file);
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  } catch {
    res.writeHead(404).end();
  }
});
await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
const origin = `http://127.0.0.1:${server.address().port}`;
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const data = await readFile(REFERENCE, 'utf8');

/// Milliseconds from the click on Fit to the fitted numbers on screen, and
/// to the end of the bootstrap.
async function clickToNumbers(page) {
  return page.evaluate(() => new Promise((done) => {
    const status = () => document.querySelector('[data-testid=fit-status]')?.textContent ?? '';
    const t0 = performance.now();
    let numbers = null;
    const check = () => {
      // The fit's numbers are on screen when the bootstrap starts (or the
      // fit is done): the page shows the results as the fit ends.
      if (numbers === null && /^(Bootstrapping|Done)/.test(status())) {
        numbers = performance.now() - t0;
      }
      if (status().startsWith('Done') || status().startsWith('Cannot')) {
        watch.disconnect();
        done({ numbers, done: performance.now() - t0, status: status() });
      }
    };
    const watch = new MutationObserver(check);
    watch.observe(document.body, { subtree: true, childList: true, characterData: true });
    document.querySelector('[data-testid=fit-button]').click();
  }));
}

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const cold = [];
const warm = [];
for (let i = 0; i < REPEAT; i++) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(origin + '/');
  await page.getByTestId('fit-button').waitFor();
  await page.getByTestId('data-input').evaluate((ta, t) => {
    ta.value = t;
    ta.dispatchEvent(new Event('input', { bubbles: true }));
  }, data);
  await page.getByTestId('drop-top').fill('5');
  const first = await clickToNumbers(page);
  if (!first.status.startsWith('Done')) throw new Error(first.status);
  cold.push(first);
  // Warm: the same inputs again after a change and back (a refit, not a
  // restored result).
  await page.getByTestId('drop-top').fill('4');
  await page.getByTestId('drop-top').fill('5');
  warm.push(await clickToNumbers(page));
  await context.close();
}
await browser.close();
server.close();
const pick = (rows, k) => median(rows.map((r) => r[k])) / 1000;
console.log(JSON.stringify({
  repeat: REPEAT,
  cold: { numbers_seconds: pick(cold, 'numbers'), bootstrap_done_seconds: pick(cold, 'done') },
  warm: { numbers_seconds: pick(warm, 'numbers'), bootstrap_done_seconds: pick(warm, 'done') },
  runs: { cold, warm },
}));
