// What the page benchmarks share: a static server of the repository root
// (and of other directories under a path prefix, e.g. the scalar build) and
// Debian's Chromium, headless.

import { chromium } from 'playwright-core';
import { createServer } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const TYPES = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css', '.wasm': 'application/wasm' };

/// Serve ROOT, and each `mounts` directory under its prefix ('/scalar');
/// launch Chromium. Resolves with the origin, the browser and `close()`.
export async function serveAndLaunch(mounts = {}) {
  const server = createServer(async (req, res) => {
    let path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname));
    let base = ROOT;
    for (const [prefix, dir] of Object.entries(mounts)) {
      if (path.startsWith(prefix + '/')) { base = dir; path = path.slice(prefix.length); }
    }
    const file = join(base, path.endsWith('/') ? path + 'index.html' : path);
    let body;
    try {
      body = await readFile(file);
    } catch {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  });
  await new Promise((ok) => server.listen(0, '127.0.0.1', ok));
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    browser,
    close: async () => { await browser.close(); server.close(); },
  };
}
