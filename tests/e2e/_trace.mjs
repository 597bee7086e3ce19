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
const page = await (await browser.newContext({ viewport: { width: 1280, height: 720 } })).newPage();
const sc = process.argv[2] || 'handshake';
await browser.startTracing(page, { path: '/tmp/prof/trace.json', categories: ['devtools.timeline', 'v8.execute', 'blink.user_timing', 'loading', 'disabled-by-default-devtools.timeline', 'cc', 'gpu', 'viz', 'benchmark'] });
await page.goto(`${base}?scenario=${sc}&step=0&lang=en`);
await page.waitForFunction((s) => performance.getEntriesByName('tcpsim-first-frame').length > 0 && performance.getEntriesByName('run ' + s + '.toml').length > 0, sc, { timeout: 20000 });
await page.waitForTimeout(200);
await browser.stopTracing();
await browser.close(); server.close();
