import { chromium } from 'playwright-core';
import http from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
const DIST = process.env.DIST || '/work/main/dist';
const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };
const server = http.createServer(async (req, res) => {
  const url = new URL(req.url, 'http://x');
  let file = url.pathname === '/' ? '/index.html' : url.pathname;
  try { const body = await readFile(path.join(DIST, path.normalize(file)));
    res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' }); res.end(body);
  } catch { res.writeHead(404); res.end('nf'); }
});
await new Promise((r) => server.listen(0, '127.0.0.1', r));
const base = `http://127.0.0.1:${server.address().port}/`;
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu'] });
const sc = process.argv[2] || 'handshake';
const agg = {};
for (let r = 0; r < (+process.argv[3] || 3); r++) {
const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
await page.goto('about:blank');
const cdp = await page.context().newCDPSession(page);
await cdp.send('Profiler.enable');
await cdp.send('Profiler.setSamplingInterval', { interval: 100 });
await cdp.send('Profiler.start');
await page.goto(`${base}?scenario=${sc}&step=0&lang=en`);
await page.waitForFunction((s) => performance.getEntriesByName('tcpsim-first-frame').length > 0 && performance.getEntriesByName('run ' + s + '.toml').length > 0, sc, { timeout: 20000 });
const { profile } = await cdp.send('Profiler.stop');
const byId = new Map(profile.nodes.map(n => [n.id, n]));
const self = new Map();
const dt = profile.timeDeltas; 
profile.samples.forEach((id, i) => { const n = byId.get(id); const k = n.callFrame.functionName || '(' + n.callFrame.url.split('/').pop() + ')'; self.set(k, (self.get(k) || 0) + (dt[i+1] || 0)); });
for (const [k, v] of self) agg[k] = (agg[k] || 0) + v;
await page.context().close();
}
const top = Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, +process.argv[4] || 40);
for (const [k, v] of top) console.log((v / 1000 / (+process.argv[3] || 3)).toFixed(1).padStart(7), k.slice(0, 120));
await browser.close(); server.close();
