// The first fit after the page opens (cold) and the next ones (warm), as a
// user meets them: the default options (1000 bootstrap resamples, all
// workers), the reference data pasted with its 5 highest losses dropped, a
// click on Fit. Measured in the page from the click to the animation frame
// that paints the fitted numbers (the results, before the bootstrap ends),
// to every chart on screen drawn anew (the page draws them after the
// numbers are painted and counts each drawing in the canvas's data-drawn
// attribute), and to the end of the bootstrap. Each cold run is a fresh browser profile (no cache, no
// service worker); the click comes right after the data is pasted, while
// the workers started at load may still be compiling. Prints JSON.
//
// Run through scripts/bench (after scripts/build).

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, serveAndLaunch } from './bench-serve.mjs';

const REFERENCE = join(ROOT, 'crates/engine/tests/data/chinchilla_svg_extracted.csv');
const REPEAT = Number(process.env.REPEAT ?? 3);

const { origin, browser, close } = await serveAndLaunch();
const data = await readFile(REFERENCE, 'utf8');

/// Milliseconds from the click on Fit to the frame painting the fitted
/// numbers, to the charts drawn, and to the end of the bootstrap.
async function clickToNumbers(page) {
  return page.evaluate(() => new Promise((done) => {
    const status = () => document.querySelector('[data-testid=fit-status]')?.textContent ?? '';
    const t0 = performance.now();
    const drawings = () => [...document.querySelectorAll('canvas')]
      .filter((c) => c.clientWidth > 0)
      .map((c) => [c, c.getAttribute('data-drawn')]);
    const before = new Map(drawings());
    let seen = false;
    let numbers = null;
    let charts = null;
    const check = () => {
      // The fit's numbers are in the page when the bootstrap starts (or
      // the fit is done): the page shows the results as the fit ends. They
      // are painted in the next frame.
      if (!seen && /^(Bootstrapping|Done)/.test(status())) {
        seen = true;
        requestAnimationFrame(() => {
          numbers = performance.now() - t0;
        });
      }
      if (seen && charts === null && drawings().every(([c, n]) => before.has(c) ? before.get(c) !== n : n !== null)) {
        charts = performance.now() - t0;
      }
      if (status().startsWith('Done') || status().startsWith('Cannot')) {
        watch.disconnect();
        done({ numbers, charts, done: performance.now() - t0, status: status() });
      }
    };
    const watch = new MutationObserver(check);
    watch.observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-drawn'],
    });
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
await close();
const pick = (rows, k) => median(rows.map((r) => r[k])) / 1000;
console.log(JSON.stringify({
  repeat: REPEAT,
  cold: { numbers_seconds: pick(cold, 'numbers'), charts_seconds: pick(cold, 'charts'), bootstrap_done_seconds: pick(cold, 'done') },
  warm: { numbers_seconds: pick(warm, 'numbers'), charts_seconds: pick(warm, 'charts'), bootstrap_done_seconds: pick(warm, 'done') },
  runs: { cold, warm },
}));
