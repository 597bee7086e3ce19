import { chromium } from 'playwright-core';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
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
page.on('console', (m) => console.log('console:', m.text()));
await page.goto(`${base}?scenario=${process.argv[2] || 'http-client-leak-production'}&step=0&lang=en`);
await page.waitForFunction(() => performance.getEntriesByName('run ' + (new URLSearchParams(location.search).get('scenario')) + '.toml').length > 0, null, { timeout: 20000 });
await page.waitForTimeout(300);
const es = await page.evaluate(() => performance.getEntries().filter(e => e.entryType !== 'resource' || true).map(e => [e.entryType, e.name.replace(/.*\//,''), Math.round(e.startTime), Math.round(e.duration)]));
for (const e of es) console.log(e.join('\t'));
await browser.close(); server.close();
