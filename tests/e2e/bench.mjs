// The page benchmark (`cargo xtask bench`, beside criterion's native benchmarks): the
// production-scale leak (10 000 connections, one hour) run by the web app in headless Chromium.
//
// - "first run in a fresh page": a new browser context opens the page on the scenario; the run
//   starts after the page's first paint. The browser has not yet compiled the simulator with its
//   optimizing compiler (it runs it in baseline code first) and the run touches its memory for
//   the first time. Also: when the result was ready, from navigation.
// - "run again in the same page": the scenario is picked again (after another one) in a page
//   that already ran it, as criterion measures a native run after warming up.
//
// Each is measured RUNS times (env BENCH_RUNS, default 10); medians, minima and maxima of the
// page's own `performance.measure` entries ("run <file>" and its parts) are printed.
import { serve, launch } from './serve.mjs';

const RUNS = Number(process.env.BENCH_RUNS || 10);
const FILE = 'http-client-leak-production.toml';
const ID = 'http-client-leak-production';
const server = await serve(process.env.DIST);
const browser = await launch();

const measures = (page) => page.evaluate((file) => {
  const last = (n) => performance.getEntriesByName(`${n} ${file}`).at(-1);
  const run = last('run');
  if (!run) return null;
  return {
    run: run.duration,
    simulate: last('simulate')?.duration ?? NaN,
    'lay out': last('lay out')?.duration ?? NaN,
    ready: run.startTime + run.duration,
  };
}, FILE);
const waitForRun = (page, n) => page.waitForFunction(([file, n]) => performance.getEntriesByName(`run ${file}`).length >= n, [FILE, n], { timeout: 60000 });

const cold = [], warm = [];
for (let i = 0; i < RUNS; i++) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  await page.goto(`${server.base}?scenario=${ID}&step=0&lang=en`);
  await waitForRun(page, 1);
  cold.push(await measures(page));
  // Again in the same page: another scenario, then this one.
  await page.waitForSelector('[data-testid="chart"] svg', { timeout: 60000 });
  await page.selectOption('[data-testid="scenario-select"]', 'handshake');
  await page.waitForSelector('svg.ladder');
  await page.selectOption('[data-testid="scenario-select"]', ID);
  await waitForRun(page, 2);
  warm.push(await measures(page));
  await context.close();
}
await browser.close();
server.close();

const stats = (xs) => {
  const s = xs.filter(Number.isFinite).sort((a, b) => a - b);
  const med = s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
  return `${med.toFixed(0).padStart(4)} ms (min ${s[0].toFixed(0)}, max ${s.at(-1).toFixed(0)})`;
};
const report = (title, rows, parts) => {
  console.log(`${title} (${rows.length} runs, median):`);
  for (const p of parts) console.log(`  ${p.padEnd(44)} ${stats(rows.map((r) => r[p]))}`);
};
console.log(`page benchmark: ${ID} (10 000 connections, 1 h) in headless Chromium`);
report('first run in a fresh page', cold, ['run', 'simulate', 'lay out', 'ready']);
report('run again in the same page', warm, ['run', 'simulate', 'lay out']);
console.log('("run" is the whole run: read the embedded setup, set up, simulate, lay out; "ready" is its end, from navigation)');
