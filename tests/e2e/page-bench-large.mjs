// Times the page on large data in headless Chromium (run by scripts/bench,
// after `frontier bench-large --write target/large` wrote the data sets):
// for each of the three synthetic data sets of 100,000 rows,
// - reading the pasted rows: from the input event on the data box to the data
//   report showing the count (the page parses the text and checks it for the
//   law on every edit), and the engine's parse alone on the main thread;
// - the 4500-start fit with one worker per core, from the click on Fit to the
//   numbers on screen (median of REPEAT after a warm-up click, and the cold
//   first click);
// - the engine alone: one fit on the main thread, no workers.
// Prints JSON.

import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, serveAndLaunch } from './bench-serve.mjs';

const DATA = process.env.LARGE_DATA ?? join(ROOT, 'target/large');
const REPEAT = Number(process.env.REPEAT ?? 3);

const { origin, browser, close } = await serveAndLaunch();

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];

/// Milliseconds from setting the data box's text (one input event) to the
/// data report naming the number of rows read ("1 run read", "100000 runs
/// read"). Rejects after `PASTE_TIMEOUT` ms with the report's text, so a
/// report worded otherwise fails here instead of waiting forever.
const PASTE_TIMEOUT = 120000;
async function pasteToReport(page, text, rows) {
  return page.evaluate(({ text, rows, limit }) => new Promise((done, fail) => {
    const box = document.querySelector('[data-testid=data-input]');
    const report = document.querySelector('[data-testid=data-report]');
    const read = new RegExp(`^${rows} runs? read`);
    const t0 = performance.now();
    const timer = setTimeout(() => {
      watch.disconnect();
      fail(new Error(`no "${rows} run(s) read" after ${limit} ms; the report says: ${report.textContent.slice(0, 300)}`));
    }, limit);
    const watch = new MutationObserver(() => {
      if (read.test(report.textContent)) {
        watch.disconnect();
        clearTimeout(timer);
        done(performance.now() - t0);
      }
    });
    watch.observe(report, { subtree: true, childList: true, characterData: true });
    box.value = text;
    box.dispatchEvent(new Event('input', { bubbles: true }));
  }), { text, rows, limit: PASTE_TIMEOUT });
}

/// Milliseconds from the click on Fit to "Done" on screen.
async function clickToDone(page) {
  return page.evaluate(() => new Promise((done) => {
    const status = () => document.querySelector('[data-testid=fit-status]').textContent;
    const t0 = performance.now();
    const watch = new MutationObserver(() => {
      if (status().startsWith('Done') || status().startsWith('Cannot')) {
        watch.disconnect();
        done(performance.now() - t0);
      }
    });
    watch.observe(document.body, { subtree: true, childList: true, characterData: true });
    document.querySelector('[data-testid=fit-button]').click();
  }));
}

const files = (await readdir(DATA)).filter((f) => f.startsWith('large-') && f.endsWith('.csv')).sort();
const sets = [];
let cores;
for (const file of files) {
  const text = await readFile(join(DATA, file), 'utf8');
  const rows = text.trim().split('\n').length - 1;
  const context = await browser.newContext();
  const page = await context.newPage();
  // A renderer that dies (out of memory) closes the page: say so.
  page.on('crash', () => console.error(`the page crashed while reading ${file}`));
  await page.goto(origin + '/');
  await page.getByTestId('fit-button').waitFor();
  cores ??= await page.evaluate(() => navigator.hardwareConcurrency);
  await page.getByTestId('drop-top').fill('0');
  await page.getByTestId('bootstrap-resamples').fill('0');
  const paste = [];
  for (let i = 0; i < REPEAT; i++) {
    // Alternate with an empty box so that every paste is a change.
    await pasteToReport(page, 'N,D,loss\n1,1,1\n', 1);
    paste.push(await pasteToReport(page, text, rows));
  }
  // The engine's parse and checks alone (what each fit worker, and the page
  // on the click, do first).
  const parse = await page.evaluate(async ({ text, repeat }) => {
    const m = await import('/pkg/frontier_web.js');
    const out = [];
    for (let i = 0; i < repeat; i++) {
      const t = performance.now();
      m.bench_engine_prepare(text);
      out.push(performance.now() - t);
    }
    return out;
  }, { text, repeat: REPEAT });
  await context.close();

  const fitContext = await browser.newContext();
  const fitPage = await fitContext.newPage();
  fitPage.on('crash', () => console.error(`the page crashed while fitting ${file}`));
  await fitPage.goto(`${origin}/?workers=${cores}`);
  await fitPage.getByTestId('fit-button').waitFor();
  await fitPage.getByTestId('drop-top').fill('0');
  await fitPage.getByTestId('bootstrap-resamples').fill('0');
  await pasteToReport(fitPage, text, rows);
  const cold = await clickToDone(fitPage);
  const times = [];
  for (let i = 0; i < REPEAT; i++) times.push(await clickToDone(fitPage));
  const stats = await fitPage.getByTestId('fit-stats').textContent();
  const objective = parseFloat(stats.match(/Objective \(sum of Huber losses\): ([\d.]+)/)[1]);
  // The engine alone, once: one fit on the main thread.
  const engine = await fitPage.evaluate(async (text) => {
    const m = await import('/pkg/frontier_web.js');
    const t = performance.now();
    const objective = m.bench_engine_fit_large(text);
    return { seconds: (performance.now() - t) / 1000, objective };
  }, text);
  await fitContext.close();
  sets.push({
    file, rows,
    paste_seconds: median(paste) / 1000,
    parse_seconds: median(parse) / 1000,
    workers: cores,
    fit_seconds: median(times) / 1000,
    fit_seconds_all: times.map((t) => t / 1000),
    cold_fit_seconds: cold / 1000,
    objective,
    engine_seconds: engine.seconds,
    engine_objective: engine.objective,
    stats: stats.trim(),
  });
}
await close();
console.log(JSON.stringify({ cores, repeat: REPEAT, sets }));
