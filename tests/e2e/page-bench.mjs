// Times the page in headless Chromium (run by scripts/bench): the 4500-start fit of
// the reference data from the click to the numbers on screen, for the SIMD and
// the scalar WebAssembly builds, on one worker and on one per core; then 1000
// bootstrap resamples on the SIMD build with all workers; and the engine alone
// (one fit called on the main thread, no workers). Prints JSON.

import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT, serveAndLaunch } from './bench-serve.mjs';

const SCALAR = join(ROOT, 'target/bench-scalar');
const REFERENCE = join(ROOT, 'crates/engine/tests/data/chinchilla_svg_extracted.csv');
const REPEAT = Number(process.env.REPEAT ?? 3);

const { origin, browser, close } = await serveAndLaunch({ '/scalar': SCALAR });
const data = await readFile(REFERENCE, 'utf8');

async function session(path, resamples) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(origin + path);
  await page.getByTestId('fit-button').waitFor();
  await page.getByTestId('data-input').fill(data);
  await page.getByTestId('drop-top').fill('5');
  await page.getByTestId('bootstrap-resamples').fill(String(resamples));
  return { context, page };
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

const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const cores = await (async () => {
  const { context, page } = await session('/', 0);
  const n = await page.evaluate(() => navigator.hardwareConcurrency);
  await context.close();
  return n;
})();

const rows = [];
for (const [build, prefix] of [['simd', ''], ['scalar', '/scalar']]) {
  for (const workers of [1, cores]) {
    const { context, page } = await session(`${prefix}/?workers=${workers}`, 0);
    await clickToDone(page); // warm-up: compiles the module in the workers
    const times = [];
    for (let i = 0; i < REPEAT; i++) times.push(await clickToDone(page));
    const objective = await page.getByTestId('fit-stats').textContent();
    rows.push({ build, workers, fit_seconds: median(times) / 1000, objective: objective.match(/[\d.]+/)[0] });
    await context.close();
  }
}

// The engine alone: one fit on the page's main thread, no workers; the
// hand-written Chinchilla kernel, and (SIMD build) the same law typed as a
// formula, through the generic tape.
const engine = {};
for (const [build, prefix, fn] of [['simd', '', 'bench_engine_fit'], ['scalar', '/scalar', 'bench_engine_fit'], ['simd_generic', '', 'bench_engine_fit_generic']]) {
  const { context, page } = await session(`${prefix}/`, 0);
  const { times, objective } = await page.evaluate(async ({ text, repeat, prefix, fn }) => {
    const m = await import(`${prefix}/pkg/frontier_web.js`);
    const objective = m[fn](text); // warm-up
    const out = [];
    for (let i = 0; i < repeat; i++) {
      const t = performance.now();
      m[fn](text);
      out.push(performance.now() - t);
    }
    return { times: out, objective };
  }, { text: data, repeat: REPEAT, prefix, fn });
  engine[build] = median(times) / 1000;
  engine[`${build}_objective`] = objective;
  await context.close();
}

const { context, page } = await session(`/?workers=${cores}`, 1000);
const boot = [];
for (let i = 0; i < REPEAT; i++) {
  await clickToDone(page);
  const m = (await page.getByTestId('fit-status').textContent()).match(/(\d+) bootstrap resamples in ([\d.]+) s/);
  boot.push(Number(m[2]));
}
await context.close();
await close();
console.log(JSON.stringify({ cores, repeat: REPEAT, fits: rows, engine, bootstrap: { build: 'simd', workers: cores, resamples: 1000, seconds: median(boot) } }));
