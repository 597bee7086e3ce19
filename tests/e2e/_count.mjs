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
await page.goto(`${base}?scenario=handshake&step=0&lang=en`);
await page.waitForSelector('svg.ladder');
console.log(await page.evaluate(() => {
  const out = {};
  out.total = document.querySelectorAll('body *').length;
  for (const sel of ['header', '.intro', '.states', '.controls', '.ladder-panel', 'svg.ladder', 'svg.ladder-head', '.explain', '.diagram', '.netstat', '.editor-panel', 'footer', '.share']) {
    const e = document.querySelector(sel); out[sel] = e ? e.querySelectorAll('*').length : -1;
  }
  return JSON.stringify(out);
}));
await browser.close(); server.close();
