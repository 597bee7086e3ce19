// Browser tests of the web app: playwright-core drives Debian's Chromium against dist/ served
// on localhost. Run by `cargo xtask test` (and `cargo xtask e2e`). Prints one line per test
// and a closing "e2e: N passed, M failed" line; exits non-zero on any failure.
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { serve, launch } from './serve.mjs';

const DIST = process.env.DIST;
const ART = process.env.ARTIFACTS;
await mkdir(ART, { recursive: true });

const server = await serve(DIST);
const base = server.base;
const browser = await launch();

let passed = 0, failed = 0;
const results = [];
// E2E_ONLY=<text> runs only the tests whose name contains it (for working on one test); the
// closing line then says how many were left out, so a filtered run never passes for a full one.
const ONLY = process.env.E2E_ONLY;
let skipped = 0;
async function test(name, fn) {
  if (ONLY && !name.includes(ONLY)) { skipped++; return; }
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  try {
    await fn(page);
    if (errors.length) throw new Error('page errors: ' + errors.join('; '));
    passed++;
    console.log(`ok    ${name}`);
  } catch (e) {
    failed++;
    console.log(`FAIL  ${name}\n      ${String(e.message || e).split('\n').join('\n      ')}`);
  } finally {
    await page.screenshot({ path: path.join(ART, name.replace(/[^a-z0-9]+/gi, '-') + '.png'), fullPage: false }).catch(() => {});
    await context.close();
  }
}
function assert(cond, msg) { if (!cond) throw new Error(msg); }
const text = (page, id) => page.locator(`[data-testid="${id}"]`).first().innerText();
// Opens the editor and waits for its text, which comes with the compiler module.
const openEditor = async (page) => {
  await page.waitForSelector('[data-testid="editor"]', { state: 'attached' });
  await page.click('summary');
  await page.waitForFunction(() => {
    const e = document.querySelector('[data-testid="editor"]');
    return e && !e.readOnly && e.value.length > 0;
  }, null, { timeout: 10000 });
};
// Whether the page has fetched the compiler module.
const toolsFetched = (page) => page.evaluate(() => performance.getEntriesByType('resource').some((r) => r.name.includes('tcpsim-web-tools')));

async function playToEnd(page) {
  await page.selectOption('[data-testid="speed"]', '5'); // 8x
  const fwd = page.locator('[data-testid="step-forward"]');
  if (!(await fwd.isDisabled())) {
    const playLabel = await page.locator('[data-testid="play"]').getAttribute('aria-label');
    if (playLabel === 'Play' || playLabel === '播放') await page.click('[data-testid="play"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="step-forward"]').disabled, null, { timeout: 30000 });
  }
}

const lessons = [
  ['handshake', 'ESTABLISHED', 'ESTABLISHED'],
  ['four-way-close', 'CLOSED', 'CLOSED'],
  ['simultaneous-close', 'CLOSED', 'CLOSED'],
  ['leaked-close', 'CLOSE-WAIT', 'CLOSED'],
];
for (const [id, client, server] of lessons) {
  await test(`${id} plays to the end`, async (page) => {
    await page.goto(`${base}?scenario=${id}&step=0&lang=en`);
    await page.waitForSelector('svg.ladder');
    await playToEnd(page);
    assert((await text(page, 'state-client')) === client, `client is ${await text(page, 'state-client')}, expected ${client}`);
    assert((await text(page, 'state-server')) === server, `server is ${await text(page, 'state-server')}, expected ${server}`);
    if (id === 'leaked-close') {
      const ex = await text(page, 'explanation');
      assert(ex.includes('never called close()'), `the explanation does not say the application never called close(): ${ex}`);
    }
  });
}

// One load of the default scenario in `page`: when its first diagram was drawn, and the marks
// on the way there.
async function firstDiagram(page) {
  // The moment the ladder's first lifeline enters the document, seen by a mutation observer
  // (its callback runs before the browser next lays out and paints).
  await page.addInitScript(() => {
    new MutationObserver((_, obs) => {
      if (document.querySelector('svg.ladder line.lifeline')) {
        performance.mark('test: ladder in the document');
        obs.disconnect();
      }
    }).observe(document, { childList: true, subtree: true });
  });
  await page.goto(base);
  // Nothing from the test runs in the page while it starts (polling would take the page's
  // main thread): a second of waiting outside it, then the page's own record.
  await new Promise((r) => setTimeout(r, 1000));
  await page.waitForFunction(() => performance.getEntriesByName('tcpsim-first-frame').length > 0
    && performance.getEntriesByName('first-contentful-paint').length > 0);
  const marks = await page.evaluate(() => Object.fromEntries(performance.getEntriesByType('mark').map((m) => [m.name, Math.round(m.startTime)])));
  const paint = await page.evaluate(() => Math.round(performance.getEntriesByName('first-contentful-paint')[0].startTime));
  const inDom = marks['test: ladder in the document'];
  // The page shows nothing before the app's first render, so its first contentful paint is
  // the first frame drawn with the diagram in it; the ladder being in the document before
  // that paint proves it.
  assert(inDom !== undefined && inDom <= paint, `the ladder entered the document at ${inDom} ms, after the first paint at ${paint} ms`);
  return { paint, marks, inDom };
}

await test('first diagram drawn on the default scenario', async (page) => {
  // Three loads, each in a fresh browser context (no cache shared), as timings on a busy
  // machine vary by tens of milliseconds from one load to the next.
  const loads = [await firstDiagram(page)];
  for (let k = 0; k < 2; k++) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
    try {
      loads.push(await firstDiagram(await context.newPage()));
    } finally {
      await context.close();
    }
  }
  const sorted = loads.map((l) => l.paint).sort((a, b) => a - b);
  const { paint, marks, inDom } = loads.find((l) => l.paint === sorted[1]);
  console.log(`      time from navigation to the first drawn diagram (first contentful paint, the ladder in it): median ${paint} ms of ${sorted.join(', ')} ms` +
    ` [median load: wasm running ${marks['tcpsim-main']} ms, first run done ${marks['tcpsim-initial-run']} ms, ladder in the document ${inDom} ms,` +
    ` first-render effect ${marks['tcpsim-first-render']} ms, the animation frame after it ${marks['tcpsim-first-frame']} ms]`);
  assert((await text(page, 'title')).includes('handshake'), 'the default scenario is the handshake');
  // The language switch's Chinese label, drawn after the first diagram (see App in app.rs).
  await page.waitForFunction(() => document.querySelector('[data-testid="lang"]')?.textContent === '中文', null, { timeout: 5000 });
});

await test('an editing error is shown at its line', async (page) => {
  await page.goto(`${base}?scenario=handshake&step=0&lang=en`);
  await openEditor(page);
  const src = await page.locator('[data-testid="editor"]').inputValue();
  const lines = src.split('\n');
  const n = lines.findIndex((l) => l.startsWith('call = "connect"'));
  lines[n] = 'call = "conect"';
  await page.fill('[data-testid="editor"]', lines.join('\n'));
  await page.waitForSelector('[data-testid="error"]', { timeout: 5000 });
  const err = await text(page, 'error');
  assert(err.includes(`line ${n + 1}:`), `expected the error at line ${n + 1}: ${err}`);
  assert(err.includes('conect'), err);
  // In Chinese, the same error, in Chinese.
  await page.click('[data-testid="lang"]');
  const zh = await text(page, 'error');
  assert(zh.includes(`第 ${n + 1}:`) && zh.includes('`conect` 不是有效的 `call`') && zh.includes('是不是想写 `connect`'), `not in Chinese: ${zh}`);
  // The last good run stays on screen.
  assert(await page.locator('svg.ladder').count() === 1, 'the diagram is gone');
});

await test('an edited text is kept for its scenario, until it is reset', async (page) => {
  const editor = () => page.locator('[data-testid="editor"]').inputValue();
  await page.goto(`${base}?scenario=handshake&step=0&lang=en`);
  await openEditor(page);
  const bundled = await editor();
  const mine = bundled.replace('duration = ', '# mine\nduration = ');
  await page.fill('[data-testid="editor"]', mine);
  await page.waitForFunction(() => Object.keys(localStorage).length > 0, null, { timeout: 5000 });
  // Opened again without the text in the address: the saved text, and it runs.
  await page.goto(`${base}?scenario=handshake&step=0&lang=en`);
  await openEditor(page);
  assert((await editor()) === mine, 'the edited text was not kept');
  await page.waitForSelector('svg.ladder');
  // Another scenario, then back with the picker: the saved text again.
  await page.selectOption('[data-testid="scenario-select"]', 'four-way-close');
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]')?.textContent.includes('four-way'), null, { timeout: 5000 });
  await page.selectOption('[data-testid="scenario-select"]', 'handshake');
  await page.waitForFunction((m) => document.querySelector('[data-testid="editor"]')?.value === m, mine, { timeout: 5000 });
  // Reset: the bundled text, and nothing kept.
  await page.click('.editor-panel button');
  await page.waitForFunction((b) => document.querySelector('[data-testid="editor"]')?.value === b, bundled, { timeout: 5000 });
  await page.waitForFunction(() => Object.keys(localStorage).length === 0, null, { timeout: 5000 });
  // A text shared in the address is shown but not kept until it is edited.
  await page.goto(`${base}?scenario=handshake&step=1&lang=en#src=${encodeURIComponent(mine)}`);
  await openEditor(page);
  assert((await editor()) === mine, 'the shared text is not shown');
  await page.waitForSelector('svg.ladder');
  assert(await page.evaluate(() => Object.keys(localStorage).length) === 0, 'a shared text was kept without an edit');
});

await test('the first load carries no compiler; opening the editor brings it and the text', async (page) => {
  await page.goto(`${base}?scenario=leaked-close&step=0&lang=en`);
  await page.waitForSelector('svg.ladder');
  assert(!(await toolsFetched(page)), 'the compiler module was fetched by a bundled scenario');
  await openEditor(page);
  assert(await toolsFetched(page), 'the editor has its text but the module was not fetched');
  const shown = await page.locator('[data-testid="editor"]').inputValue();
  const file = await readFile(path.join(path.dirname(DIST), 'scenarios', 'leaked-close.toml'), 'utf8');
  assert(shown === file, 'the editor does not show the bundled file');
  const load = await page.evaluate(() => Math.round(performance.getEntriesByName('load the compiler module')[0]?.duration ?? -1));
  console.log(`      compiler module loaded in ${load} ms after the editor was opened`);
});

await test('a run past the page limits gets a message, not a frozen tab', async (page) => {
  await page.goto(`${base}?scenario=handshake&step=0&lang=en`);
  await openEditor(page);
  const src = await page.locator('[data-testid="editor"]').inputValue();
  await page.fill('[data-testid="editor"]', src + '\n[limits]\nmax_events = 5\n');
  await page.waitForSelector('[data-testid="too-large"]', { timeout: 5000 });
  const msg = await text(page, 'too-large');
  assert(msg.includes('limit'), msg);
  assert(await page.locator('svg.ladder').count() === 1, 'the last good diagram is gone');
});

await test('a shared address reopens the same scenario at the same step', async (page) => {
  await page.goto(`${base}?scenario=four-way-close&step=0&lang=en`);
  await page.waitForSelector('svg.ladder');
  for (let i = 0; i < 9; i++) await page.click('[data-testid="step-forward"]');
  const counter = await text(page, 'step-counter');
  const states = [await text(page, 'state-client'), await text(page, 'state-server')];
  const shared = page.url();
  assert(shared.includes('scenario=four-way-close') && shared.includes('step=9'), shared);
  const other = await page.context().newPage();
  await other.goto(shared);
  await other.waitForSelector('svg.ladder');
  assert((await text(other, 'step-counter')) === counter, `${await text(other, 'step-counter')} vs ${counter}`);
  assert((await text(other, 'state-client')) === states[0] && (await text(other, 'state-server')) === states[1], 'states differ');
  await other.close();
});

await test('the keyboard steps and plays', async (page) => {
  await page.goto(`${base}?scenario=handshake&step=0&lang=en`);
  await page.waitForSelector('svg.ladder');
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert((await text(page, 'step-counter')).startsWith('Step 3 of'), await text(page, 'step-counter'));
  await page.keyboard.press('ArrowLeft');
  assert((await text(page, 'step-counter')).startsWith('Step 2 of'), await text(page, 'step-counter'));
});

await test('the Chinese interface explains in Chinese', async (page) => {
  await page.goto(`${base}?scenario=leaked-close&step=0&lang=en`);
  await page.waitForSelector('svg.ladder');
  await page.click('[data-testid="lang"]');
  await playToEnd(page);
  const ex = await text(page, 'explanation');
  assert(/[\u4e00-\u9fff]/.test(ex), `not Chinese: ${ex}`);
  assert(ex.includes('从未调用 close()'), `the leak is not explained: ${ex}`);
  assert((await text(page, 'title')).includes('CLOSE-WAIT'), await text(page, 'title'));
  // The last step is the server's FIN-WAIT-2 timeout: its long label stays inside the figure.
  const fit = await page.evaluate(() => {
    const svg = document.querySelector('svg.state-diagram').getBoundingClientRect();
    const label = document.querySelector('svg.state-diagram .taken-label');
    const r = label.getBoundingClientRect();
    return { inside: r.left >= svg.left - 1 && r.right <= svg.right + 1, lines: label.querySelectorAll('tspan').length, text: label.textContent };
  });
  assert(fit.inside, `the arc's label leaves the figure: ${fit.text}`);
  assert(fit.lines >= 2 && fit.text.includes('tcp_fin_timeout'), `the label is not wrapped: ${JSON.stringify(fit)}`);
  // At the end the diagram has scrolled; the endpoints' names are still in view above it.
  const head = await page.evaluate(() => {
    const box = document.querySelector('.ladder-scroll');
    const h = document.querySelector('svg.ladder-head').getBoundingClientRect();
    return { scrolled: box.scrollTop, gap: Math.abs(h.top - box.getBoundingClientRect().top), text: document.querySelector('svg.ladder-head').textContent };
  });
  assert(head.scrolled > 0 && head.gap <= 2 && head.text.includes('client') && head.text.includes('server'), `the names scrolled away: ${JSON.stringify(head)}`);
});

await test('many connections: the chart of sockets per state', async (page) => {
  await page.goto(`${base}?scenario=http-client-leak&step=0&lang=en`);
  await page.waitForSelector('[data-testid="chart"] svg', { timeout: 20000 });
  const chart = await page.locator('[data-testid="chart"]').innerHTML();
  assert(chart.includes('CLOSE-WAIT'), 'no CLOSE-WAIT line in the chart');
  // At 1280x720 the chart is in view when the page opens, not below the state diagram.
  const box = await page.locator('[data-testid="chart"] svg').boundingBox();
  assert(box && box.y + box.height / 2 < 720, `the chart is below the fold: ${JSON.stringify(box)}`);
});

await test('the embed mode shows only the diagram and the timeline', async (page) => {
  await page.goto(`${base}?embed&scenario=four-way-close&step=6&lang=en`);
  await page.waitForSelector('svg.ladder');
  assert(await page.locator('[data-testid="editor"]').count() === 0, 'the editor is shown in embed mode');
  assert(await page.locator('[data-testid="scenario-select"]').count() === 0, 'the picker is shown in embed mode');
  assert(await page.locator('[data-testid="step-forward"]').count() === 1, 'no timeline in embed mode');
  assert((await text(page, 'step-counter')).startsWith('Step 7 of'), await text(page, 'step-counter'));
});

await test('exports: SVG, Mermaid, the state diagram and the embed code of the current view', async (page) => {
  await page.goto(`${base}?scenario=leaked-close&step=8&lang=en`);
  await page.waitForSelector('svg.ladder');
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-svg"]')]);
  assert(svg.suggestedFilename() === 'tcpsim-leaked-close.svg', svg.suggestedFilename());
  const svgText = await readFile(await svg.path(), 'utf8');
  assert(svgText.startsWith('<svg') && svgText.includes('<title id="title">') && !svgText.includes('<script'), svgText.slice(0, 200));
  const [mmd] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-mermaid"]')]);
  const mmdText = await readFile(await mmd.path(), 'utf8');
  assert(mmdText.startsWith('sequenceDiagram') && mmdText.includes('L->>R: SYN seq=0'), mmdText);
  const [states] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-states"]')]);
  assert(states.suggestedFilename() === 'tcpsim-leaked-close-states.svg', states.suggestedFilename());
  const statesText = await readFile(await states.path(), 'utf8');
  assert(statesText.startsWith('<svg') && statesText.includes('CLOSE-WAIT') && !statesText.includes('<script'), statesText.slice(0, 200));
  // Both endpoints' paths are drawn (blue for the client, orange for the server).
  assert(statesText.includes('#2f6fdb') && statesText.includes('#e8781e'), 'the paths taken are missing');
  await page.click('[data-testid="embed"]');
  const code = await page.locator('[data-testid="embed-code"]').inputValue();
  assert(code.startsWith('<iframe src="') && code.includes('?embed&scenario=leaked-close&step=8&lang=en'), code);
});

await test('playback advances; frames per second while playing are reported', async (page) => {
  await page.goto(`${base}?scenario=http-client-leak&step=0&lang=en`);
  await page.waitForSelector('[data-testid="chart"] svg', { timeout: 20000 });
  await page.selectOption('[data-testid="speed"]', '5'); // 8x
  const before = await text(page, 'step-counter');
  await page.click('[data-testid="play"]');
  const frames = await page.evaluate(() => new Promise((resolve) => {
    const times = [];
    const start = performance.now();
    function tick(t) {
      times.push(t);
      if (t - start < 2000) requestAnimationFrame(tick); else resolve(times);
    }
    requestAnimationFrame(tick);
  }));
  const gaps = frames.slice(1).map((t, i) => t - frames[i]);
  const fps = (frames.length - 1) / ((frames[frames.length - 1] - frames[0]) / 1000);
  const worst = Math.max(...gaps);
  console.log(`      playing http-client-leak at 8x: ${fps.toFixed(1)} frames/s, longest frame ${worst.toFixed(0)} ms`);
  const after = await text(page, 'step-counter');
  assert(after !== before, `playback did not advance: ${after}`);
});

await test('the production-scale leak (10 000 connections, 1 h) runs in the page, which keeps painting', async (page) => {
  // Record every painted frame and every progress value the page shows, from the start.
  await page.addInitScript(() => {
    window.__frames = [];
    window.__progress = [];
    const frame = (t) => { window.__frames.push(t); requestAnimationFrame(frame); };
    requestAnimationFrame(frame);
    new MutationObserver(() => {
      const p = document.querySelector('[data-testid="running"] progress');
      if (p) window.__progress.push(Number(p.getAttribute('value')));
      // The language switch's Chinese label waits for the run to end (see App in app.rs).
      if (p && document.querySelector('[data-testid="lang"]')?.textContent) window.__labelDuringRun = true;
    }).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
  });
  await page.goto(`${base}?scenario=http-client-leak-production&step=0&lang=en`);
  await page.waitForSelector('[data-testid="chart"] svg', { timeout: 60000 });
  const ms = await page.evaluate(() => Math.round(performance.getEntriesByName('run http-client-leak-production.toml')[0]?.duration ?? -1));
  // When the result was ready, from navigation: what the visitor waits for, page load included.
  const ready = await page.evaluate(() => {
    const r = performance.getEntriesByName('run http-client-leak-production.toml')[0];
    return r ? Math.round(r.startTime + r.duration) : -1;
  });
  const part = (p) => page.evaluate((n) => Math.round(performance.getEntriesByName(n)[0]?.duration ?? -1), `${p} http-client-leak-production.toml`);
  const sim = await page.evaluate(() => {
    const start = performance.getEntriesByName('set up-end http-client-leak-production.toml')[0]?.startTime ?? 0;
    const end = performance.getEntriesByName('simulate-end http-client-leak-production.toml')[0]?.startTime ?? 0;
    const f = window.__frames.filter((t) => t >= start && t <= end);
    const gaps = f.slice(1).map((t, i) => t - f[i]);
    return { frames: f.length, longest: Math.round(Math.max(0, ...gaps)) };
  });
  console.log(`      http-client-leak-production in the page: ${ms} ms [read the embedded setup: ${await part('parse')} ms from the start, set up ${await part('set up')} ms, simulate (the repeat's 70 000 calls made as the run reaches them) ${await part('simulate')} ms (${sim.frames} frames painted meanwhile, longest gap ${sim.longest} ms), lay out ${await part('lay out')} ms; the result ready ${ready} ms after navigation]`);
  assert(ms > 0, 'no measure of the run');
  // The tab is never frozen: between slices the page answers input, and the browser paints
  // when it chooses (Chromium: at least every 100 ms or so while a run goes on).
  assert(sim.longest < 250, `no frame painted for ${sim.longest} ms while the run went on`);
  const progress = await page.evaluate(() => window.__progress);
  assert(progress.some((p) => p > 0 && p < 100), `no progress shown while running: ${JSON.stringify(progress.slice(0, 20))}`);
  assert((await page.locator('[data-testid="chart"]').innerHTML()).includes('CLOSE-WAIT'), 'no CLOSE-WAIT in the chart');
  assert(await page.locator('[data-testid="running"]').count() === 0, 'the progress is still shown after the run');
  assert(!(await page.evaluate(() => window.__labelDuringRun)), 'the language switch\'s label was drawn while the run went on');
  await page.waitForFunction(() => document.querySelector('[data-testid="lang"]')?.textContent === '中文', null, { timeout: 5000 });
});

await test('readable on a phone', async (page) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(`${base}?scenario=handshake&step=5&lang=zh`);
  await page.waitForSelector('svg.ladder');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
  assert(!overflow, 'the page scrolls sideways on a phone');
  // Both ends of the connection are in view in the diagram, without scrolling it sideways,
  // and each endpoint's state is shown whole.
  const seen = await page.evaluate(() => {
    const box = document.querySelector('.ladder-scroll').getBoundingClientRect();
    const heads = [...document.querySelectorAll('svg.ladder-head .host')].map((t) => t.getBoundingClientRect());
    const states = [...document.querySelectorAll('[data-testid^="state-"]')].map((e) => e.getBoundingClientRect());
    return {
      heads: heads.map((r) => r.left >= box.left - 1 && r.right <= box.right + 1),
      states: states.map((r) => r.left >= 0 && r.right <= window.innerWidth),
      scrolls: document.querySelector('.ladder-scroll').scrollWidth > document.querySelector('.ladder-scroll').clientWidth + 1,
    };
  });
  assert(seen.heads.length === 2 && seen.heads.every(Boolean), `both lifelines in view: ${JSON.stringify(seen)}`);
  assert(!seen.scrolls, 'the diagram scrolls sideways on a phone');
  assert(seen.states.length >= 2 && seen.states.every(Boolean), `states shown whole: ${JSON.stringify(seen)}`);
  await page.goto(`${base}?scenario=http-client-leak&step=9&lang=en`);
  await page.waitForSelector('svg.ladder');
  const statesWide = await page.evaluate(() => [...document.querySelectorAll('[data-testid^="state-"]')].every((e) => e.getBoundingClientRect().right <= window.innerWidth));
  assert(statesWide, 'a long state name (ESTABLISHED) stays on the screen');
  // The time column is left out, but not where time was compressed: the leaked close's
  // minute in FIN-WAIT-2 is marked between the lifelines, inside the diagram's view.
  await page.goto(`${base}?scenario=leaked-close&step=99&lang=en`);
  await page.waitForSelector('svg.ladder');
  const gaps = await page.evaluate(() => {
    const box = document.querySelector('.ladder-scroll').getBoundingClientRect();
    return {
      ticks: document.querySelectorAll('svg.ladder text.tick').length,
      gaps: [...document.querySelectorAll('svg.ladder text.gap')].map((t) => {
        const r = t.getBoundingClientRect();
        const mid = (r.left + r.right) / 2;
        return { text: t.textContent, inside: r.left >= box.left && r.right <= box.right && Math.abs(mid - (box.left + box.right) / 2) < box.width / 4 };
      }),
    };
  });
  assert(gaps.ticks === 0, `the time column is drawn on a phone: ${JSON.stringify(gaps)}`);
  assert(gaps.gaps.some((g) => g.text === '⋯ 1min') && gaps.gaps.every((g) => g.inside), `the compressed minute is not marked between the lifelines: ${JSON.stringify(gaps)}`);
});

await test('evidence: a pasted ss listing and a dropped capture are explained in both languages, and a connection opens on the ladder', async (page) => {
  await page.goto(`${base}?scenario=handshake&step=0&lang=en`);
  await page.waitForSelector('svg.ladder');
  assert(!(await toolsFetched(page)), 'the reader was fetched before the panel was opened');
  await page.click('[data-testid="evidence"] summary');
  await page.waitForSelector('[data-testid="evidence-text"]', { timeout: 15000 });
  // ss -tan with 20 sockets in CLOSE-WAIT, held by this host's clients.
  const rows = [...Array(20)].map((_, i) => `CLOSE-WAIT 0      0      10.0.0.5:${40000 + i}    10.0.0.9:8080`);
  await page.fill('[data-testid="evidence-text"]', ['State      Recv-Q Send-Q Local Address:Port  Peer Address:Port', ...rows].join('\n'));
  await page.click('[data-testid="evidence-read"]');
  await page.waitForSelector('[data-testid="evidence-report"] [data-testid="finding"]');
  const en = await text(page, 'evidence-report');
  assert(en.includes('(pasted): 20 sockets, from ss') && en.includes('20 sockets in CLOSE-WAIT held by this host') && en.includes('what to do'), en);
  assert(await page.locator('[data-testid="evidence-report"] a[href="?scenario=http-client-leak"]').count() === 1, 'the finding does not link its lesson');
  // In Chinese, the report is said again in Chinese.
  await page.click('[data-testid="lang"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="evidence-report"]').innerText.includes('怎么办'));
  // A capture dropped on the panel (real loopback traffic, six connections).
  const capture = (await readFile(new URL('../../crates/tcpsim-evidence/tests/captures/real-incidents.pcapng', import.meta.url))).toString('base64');
  await page.evaluate((b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    dt.items.add(new File([bytes], 'incident.pcapng'));
    document.querySelector('[data-testid="evidence-report"]').dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, capture);
  await page.waitForSelector('[data-connection="6"]');
  const zh = await text(page, 'evidence-report');
  assert(zh.includes('迟到的 FIN 换来 RST') && zh.includes('客户端未关闭'), zh);
  await page.click('[data-testid="lang"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="evidence-report"]').innerText.includes('late FIN answered by RST'));
  // The late FIN's connection opens on the ladder, as a scenario does.
  await page.click('[data-connection="6"]');
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]').innerText.includes('connection 6'));
  const title = await text(page, 'title');
  assert(title === 'Capture incident.pcapng, connection 6: observed (not simulated)', title);
  await playToEnd(page);
  const ladder = await page.locator('.ladder-panel').innerText();
  assert(ladder.includes('127.0.0.1:5050') && ladder.includes('RST'), `the ladder does not show the connection: ${ladder}`);
  const states = await page.locator('[data-testid^="state-"]').allInnerTexts();
  assert(states.length === 2 && states.every((s) => s === 'CLOSED'), JSON.stringify(states));
  // Both ends are on one host (loopback): their roles tell them apart.
  const who = await page.locator('.endpoint .who').allInnerTexts();
  assert(who[0] === '127.0.0.1 client' && who[1] === '127.0.0.1 server', JSON.stringify(who));
  // Nothing about the capture goes into the address: it was never uploaded.
  assert(!page.url().includes('incident') && !page.url().includes('capture'), page.url());
  // Its exports are drawn from the capture.
  const [mmd] = await Promise.all([page.waitForEvent('download'), page.click('[data-testid="export-mermaid"]')]);
  const mmdText = await readFile(await mmd.path(), 'utf8');
  assert(mmdText.startsWith('sequenceDiagram') && mmdText.includes('RST'), mmdText);
});

await browser.close();
server.close();
if (skipped) console.log(`(E2E_ONLY=${ONLY}: ${skipped} tests not run)`);
console.log(`e2e: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} not run` : ''}`);
process.exit(failed ? 1 : 0);
