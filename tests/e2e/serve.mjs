// What the browser tests and the page benchmark share: dist/ served on a free localhost port,
// and Debian's Chromium launched headless with the flags this machine needs (no background
// networking, which the closed network refuses).
import { chromium } from 'playwright-core';
import http from 'node:http';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

const types = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm', '.css': 'text/css' };

/// Serves `dist` on 127.0.0.1; resolves to `{ base, close }`.
export async function serve(dist) {
  if (!dist) throw new Error('DIST=<the web app\'s build, e.g. dist> is required (cargo xtask build-web writes dist/)');
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url, 'http://x');
    const file = url.pathname === '/' ? '/index.html' : url.pathname;
    try {
      const body = await readFile(path.join(dist, path.normalize(file)));
      res.writeHead(200, { 'Content-Type': types[path.extname(file)] || 'application/octet-stream' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  return { base: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}
