/**
 * Dashboard paint time in headless Chromium: the real page (same HTML + CSP as the panel) and bundle, with
 * a stand-in host that answers `ready` with the snapshot at once, as the extension does when the store
 * already holds data. Prints the webview's own `painted` timings (script start → first chart drawn, since
 * navigation, and snapshot arrival → paint) for the sample snapshot at 45 and 90 days. Target: < 500 ms.
 *   npm run build && npx tsx bench/dashboard-paint.ts [runs]
 */
import { createServer } from 'node:http';
import { existsSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium } from 'playwright-core';
import { dashboardHtml } from '../src/core/dashboard/html';
import { sanitizeSnapshot } from '../src/core/dashboard/messages';
import type { StoreSnapshot } from '../src/core/model/snapshot';
import { sampleSnapshot } from '../test/unit/dashboardFixture';

const REPO = join(__dirname, '..');
const NOW = new Date('2026-11-27T12:00:00Z');

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 10);
  if (!existsSync(join(REPO, 'dist', 'webview', 'main.js'))) throw new Error('run `npm run build` first');
  let snapshot: StoreSnapshot = sampleSnapshot(NOW);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = `http://${req.headers.host}`;
    if (url.pathname === '/') {
      const nonce = 'QmVuY2hOb25jZUJlbmNoTm9uY2U=';
      const html = dashboardHtml({ cspSource: origin, nonce, script: { uri: `${origin}/dist/webview/main.js` }, style: { uri: `${origin}/media/dashboard.css` }, codiconUri: `${origin}/dist/webview/codicon.css` });
      res.writeHead(200, { 'content-type': 'text/html' }).end(html.replace('<script nonce=', `<script nonce="${nonce}" src="${origin}/host.js"></script>\n<script nonce=`));
    } else if (url.pathname === '/host.js') {
      const msg = JSON.stringify({ type: 'snapshot', snapshot: sanitizeSnapshot(snapshot), now: NOW.toISOString() });
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(`
        window.__posted = [];
        const reply = ${msg};
        window.acquireVsCodeApi = () => ({
          postMessage(m) { window.__posted.push(m); if (m.type === 'ready') setTimeout(() => window.postMessage(reply, '*'), 0); },
          getState() { return null; }, setState() {},
        });`);
    } else {
      const file = normalize(join(REPO, url.pathname));
      if (![join(REPO, 'dist', 'webview'), join(REPO, 'media')].some((r) => file.startsWith(r)) || !existsSync(file)) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : 'application/octet-stream' }).end(readFileSync(file));
    }
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  try {
    console.log(`dashboard paint, ${runs} runs each (ms; median / p90 / max)`);
    console.log(`${'snapshot'.padEnd(26)}${'script→paint'.padEnd(24)}${'navigation→paint'.padEnd(24)}snapshot→paint`);
    for (const days of [45, 90]) {
      snapshot = sampleSnapshot(NOW, days);
      const samples: { ms: number; sinceNavigationMs: number; renderMs: number }[] = [];
      for (let i = 0; i < runs; i++) {
        const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
        await page.goto(base);
        await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'painted'), undefined, { timeout: 30_000 });
        const p = await page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted.find((m) => m.type === 'painted'));
        samples.push(p as unknown as { ms: number; sinceNavigationMs: number; renderMs: number });
        await page.close();
      }
      const stat = (k: 'ms' | 'sinceNavigationMs' | 'renderMs') => {
        const v = samples.map((s) => s[k]).sort((a, b) => a - b);
        const q = (f: number) => v[Math.min(v.length - 1, Math.floor(f * v.length))]!;
        return `${q(0.5).toFixed(0).padStart(5)} / ${q(0.9).toFixed(0).padStart(5)} / ${v[v.length - 1]!.toFixed(0).padStart(5)}`;
      };
      const rows = snapshot.costs.data!.rows.length;
      console.log(`${`${days} days (${rows} cost rows)`.padEnd(26)}${stat('ms').padEnd(24)}${stat('sinceNavigationMs').padEnd(24)}${stat('renderMs')}`);
    }
  } finally {
    await browser.close();
    server.close();
  }
}

void main();
