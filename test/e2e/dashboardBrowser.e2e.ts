/**
 * The dashboard page in plain headless Chromium: exactly the HTML and CSP the panel serves
 * (`dashboardHtml`), the built bundle, and a stand-in for `acquireVsCodeApi` that records posted messages.
 * Fast (no VS Code boot): checks rendering, pixels, range/grouping switches, theme switches without a
 * reload, the CSP, empty states and actions; saves a screenshot of every tab in light, dark and
 * high-contrast themes under test-results/dashboard/.
 */
import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join, normalize } from 'node:path';
import type { AddressInfo } from 'node:net';
import { chromium, type Browser, type Page } from 'playwright-core';
import { dashboardHtml } from '../../src/core/dashboard/html';
import { buildDashboard, TAB_IDS, type TabId } from '../../src/core/dashboard/view';
import { Decimal } from '../../src/core/decimal';
import { usd } from '../../src/core/model/format';
import { emptySnapshot, type StoreSnapshot } from '../../src/core/model/snapshot';
import { sampleSnapshot } from '../unit/dashboardFixture';

const REPO = join(__dirname, '..', '..');
const OUT = join(REPO, 'test-results', 'dashboard');
const NOW = new Date('2026-11-27T12:00:00Z');

export const THEMES: Record<'light' | 'dark' | 'hc', { bodyClass: string; vars: Record<string, string> }> = {
  light: {
    bodyClass: 'vscode-light',
    vars: {
      '--vscode-foreground': '#3b3b3b', '--vscode-editor-background': '#ffffff', '--vscode-descriptionForeground': '#717171',
      '--vscode-charts-foreground': '#616161', '--vscode-charts-lines': '#61616180', '--vscode-charts-blue': '#1a85ff', '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#388a34', '--vscode-charts-purple': '#652d90', '--vscode-charts-red': '#e51400', '--vscode-charts-yellow': '#bf8803',
      '--vscode-panel-border': '#e5e5e5', '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px', '--vscode-sideBar-background': '#f8f8f8',
      '--vscode-button-background': '#005fb8', '--vscode-button-foreground': '#ffffff', '--vscode-textLink-foreground': '#005fb8',
    },
  },
  dark: {
    bodyClass: 'vscode-dark',
    vars: {
      '--vscode-foreground': '#cccccc', '--vscode-editor-background': '#1f1f1f', '--vscode-descriptionForeground': '#9d9d9d',
      '--vscode-charts-foreground': '#cccccc', '--vscode-charts-lines': '#cccccc80', '--vscode-charts-blue': '#3794ff', '--vscode-charts-orange': '#d18616',
      '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7', '--vscode-charts-red': '#f14c4c', '--vscode-charts-yellow': '#cca700',
      '--vscode-panel-border': '#2b2b2b', '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px', '--vscode-sideBar-background': '#181818',
      '--vscode-button-background': '#0078d4', '--vscode-button-foreground': '#ffffff', '--vscode-textLink-foreground': '#4daafc',
    },
  },
  hc: {
    bodyClass: 'vscode-high-contrast',
    vars: {
      '--vscode-foreground': '#ffffff', '--vscode-editor-background': '#000000', '--vscode-descriptionForeground': '#ffffff',
      '--vscode-charts-foreground': '#ffffff', '--vscode-charts-lines': '#ffffff', '--vscode-charts-blue': '#3794ff', '--vscode-charts-orange': '#ff8c00',
      '--vscode-charts-green': '#89d185', '--vscode-charts-purple': '#b180d7', '--vscode-charts-red': '#f14c4c', '--vscode-charts-yellow': '#ffff00',
      '--vscode-panel-border': '#6fc3df', '--vscode-contrastBorder': '#6fc3df', '--vscode-font-family': 'sans-serif', '--vscode-font-size': '13px',
      '--vscode-button-background': '#000000', '--vscode-button-foreground': '#ffffff', '--vscode-textLink-foreground': '#21a6ff',
    },
  },
};

const FAKE_API = `
window.__posted = [];
window.__loadCount = (window.__loadCount || 0) + 1;
window.acquireVsCodeApi = () => ({
  postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
  getState: () => JSON.parse(sessionStorage.getItem('state') || 'null'),
  setState: (s) => sessionStorage.setItem('state', JSON.stringify(s)),
});`;

interface Harness {
  server: Server;
  url: string;
  browser: Browser;
}

async function startHarness(): Promise<Harness> {
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const origin = `http://${req.headers.host}`;
    if (url.pathname === '/') {
      const nonce = Buffer.from(String(Math.random()).repeat(2)).toString('base64').slice(0, 24);
      let html = dashboardHtml({ cspSource: origin, nonce, script: { uri: `${origin}/dist/webview/main.js` }, style: { uri: `${origin}/media/dashboard.css` }, codiconUri: `${origin}/dist/webview/codicon.css` });
      html = html.replace('<script nonce=', `<script nonce="${nonce}" src="${origin}/fake-vscode.js"></script>\n<script nonce=`);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(html);
      return;
    }
    if (url.pathname === '/fake-vscode.js') {
      res.writeHead(200, { 'content-type': 'text/javascript' }).end(FAKE_API);
      return;
    }
    const file = normalize(join(REPO, url.pathname));
    const allowed = [join(REPO, 'dist', 'webview'), join(REPO, 'media')].some((root) => file.startsWith(root));
    if (!allowed || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const type = file.endsWith('.js') ? 'text/javascript' : file.endsWith('.css') ? 'text/css' : file.endsWith('.ttf') ? 'font/ttf' : 'application/octet-stream';
    res.writeHead(200, { 'content-type': type }).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  return { server, url, browser };
}

async function setTheme(page: Page, theme: keyof typeof THEMES): Promise<void> {
  await page.evaluate((t) => {
    const root = document.documentElement;
    for (const [k, v] of Object.entries(t.vars)) root.style.setProperty(k, v);
    document.body.className = t.bodyClass;
  }, THEMES[theme]);
  await page.waitForTimeout(100); // one animation frame for the MutationObserver → retheme
}

async function openPage(h: Harness, snapshot: StoreSnapshot, theme: keyof typeof THEMES = 'light'): Promise<Page> {
  const page = await h.browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(h.url);
  await page.evaluate((t) => {
    for (const [k, v] of Object.entries(t.vars)) document.documentElement.style.setProperty(k, v);
    document.body.className = t.bodyClass;
  }, THEMES[theme]);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
  await postSnapshot(page, snapshot);
  await page.waitForFunction(() => (window as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'painted'));
  return page;
}

async function postSnapshot(page: Page, snapshot: StoreSnapshot): Promise<void> {
  await page.evaluate(([s, now]) => window.postMessage({ type: 'snapshot', snapshot: s, now }, '*'), [snapshot, NOW.toISOString()] as const);
}

async function posted(page: Page): Promise<{ type: string; [k: string]: unknown }[]> {
  return page.evaluate(() => (window as unknown as { __posted: { type: string }[] }).__posted);
}

async function selectTab(page: Page, tab: TabId): Promise<void> {
  await page.locator(`vscode-tab-header[data-tab="${tab}"]`).click();
  await page.locator(`#panel-${tab}`).waitFor({ state: 'visible' });
  await page.waitForTimeout(50);
}

/** Number of non-transparent pixels in every canvas of the visible tab panel. */
async function canvasInk(page: Page, tab: TabId): Promise<number[]> {
  return page.evaluate((id) => {
    const panel = document.getElementById(`panel-${id}`)!;
    return [...panel.querySelectorAll('canvas')].map((c) => {
      const ctx = (c as HTMLCanvasElement).getContext('2d')!;
      const { data } = ctx.getImageData(0, 0, c.width, c.height);
      let n = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i]! > 0) n++;
      return n;
    });
  }, tab);
}

async function selectOption(page: Page, selectId: string, value: string): Promise<void> {
  await page.evaluate(
    ([id, v]) => {
      const el = document.getElementById(id) as HTMLElement & { value: string };
      el.value = v;
      el.dispatchEvent(new Event('change', { bubbles: true }));
    },
    [selectId, value] as const,
  );
  await page.waitForTimeout(50);
}

describe('dashboard page in Chromium (same HTML + CSP as the panel)', function () {
  this.timeout(60_000);
  let h: Harness;
  const snapshot = sampleSnapshot(NOW);

  before(async function () {
    if (!existsSync(join(REPO, 'dist', 'webview', 'main.js'))) throw new Error('run `npm run build` first (dist/webview/main.js missing)');
    h = await startHarness();
    mkdirSync(OUT, { recursive: true });
  });
  after(async () => {
    await h?.browser.close();
    h?.server.close();
  });

  it('paints the overview with numbers equal to an independent sum of the cost rows, and reports its paint time', async () => {
    const page = await openPage(h, snapshot);
    const paint = (await posted(page)).find((m) => m.type === 'painted')!;
    console.log(`      paint: ${String(paint.ms)} ms from script start, ${String(paint.sinceNavigationMs)} ms from navigation, ${String(paint.renderMs)} ms from the snapshot`);
    assert.equal(typeof paint.ms, 'number');
    const rows = snapshot.costs.data!.rows;
    const sum = (since: string, until: string) => usd(Decimal.sum(rows.filter((r) => r.date >= since && r.date <= until).map((r) => Decimal.parse(r.amountUsd))));
    assert.equal(await page.locator('#ov-today .tile-value').innerText(), sum('2026-11-27', '2026-11-27'));
    assert.equal(await page.locator('#ov-7d .tile-value').innerText(), sum('2026-11-21', '2026-11-27'));
    assert.equal(await page.locator('#ov-30d .tile-value').innerText(), sum('2026-10-29', '2026-11-27'));
    assert.equal(await page.locator('#ov-mtd .tile-value').innerText(), sum('2026-11-01', '2026-11-27'));
    const ink = await canvasInk(page, 'overview');
    assert.ok(ink.length >= 1 && ink.every((n) => n > 100), `overview canvases drawn: ${ink.join(',')}`);
    const errors = (await posted(page)).filter((m) => m.type === 'webviewError');
    assert.deepEqual(errors, [], 'no script errors or CSP violations while loading');
    await page.close();
  });

  it('draws every chart of every tab, in light, dark and high-contrast, and saves screenshots', async () => {
    const page = await openPage(h, snapshot);
    for (const theme of ['light', 'dark', 'hc'] as const) {
      await setTheme(page, theme);
      for (const tab of TAB_IDS) {
        await selectTab(page, tab);
        const ink = await canvasInk(page, tab);
        assert.ok(ink.every((n) => n > 50), `${theme}/${tab}: every canvas has pixels (${ink.join(',')})`);
        if (tab !== 'overview') assert.ok(ink.length >= 1, `${theme}/${tab} has charts`);
        await page.screenshot({ path: join(OUT, `browser-${tab}-${theme}.png`), fullPage: true });
      }
    }
    const loads = await page.evaluate(() => (window as unknown as { __loadCount: number }).__loadCount);
    assert.equal(loads, 1, 'theme switches never reload the page');
    assert.deepEqual((await posted(page)).filter((m) => m.type === 'webviewError'), []);
    await page.close();
  });

  it('recolours charts in place when the theme changes', async () => {
    const page = await openPage(h, snapshot, 'light');
    await selectTab(page, 'cost');
    const pixel = () =>
      page.evaluate(() => {
        const c = document.querySelector('#panel-cost canvas') as HTMLCanvasElement;
        return c.toDataURL();
      });
    const before = await pixel();
    await setTheme(page, 'dark');
    const after = await pixel();
    assert.notEqual(before, after, 'the chart was redrawn with the dark palette');
    await page.close();
  });

  it('switches range and grouping and updates the cost table and the stored state', async () => {
    const page = await openPage(h, snapshot);
    await selectTab(page, 'cost');
    await selectOption(page, 'grouping', 'workspace');
    const groups = await page.locator('#panel-cost table.cost-table tbody th').allInnerTexts();
    assert.deepEqual([...groups].sort(), ['Default', 'Production']);
    await selectOption(page, 'range', '7d');
    const view = buildDashboard(snapshot, { range: { kind: '7d' }, grouping: 'workspace' }, NOW.getTime());
    const total = await page.locator('#panel-cost table.cost-table tfoot td').first().innerText();
    assert.equal(total, usd(view.cost.series.total));
    assert.match(await page.locator('#range-info').innerText(), /2026-11-21 to 2026-11-27/);
    const state = await page.evaluate(() => JSON.parse(sessionStorage.getItem('state') ?? 'null'));
    assert.deepEqual(state.view, { tab: 'cost', range: { kind: '7d' }, grouping: 'workspace' });
    // Tokens: hourly chart appears for a 7-day range.
    await selectTab(page, 'tokens');
    assert.equal(await page.locator('#panel-tokens canvas').count(), 2);
    // A custom range from the date inputs.
    await selectOption(page, 'range', 'custom');
    assert.equal(await page.locator('.custom-range').isVisible(), true);
    await page.locator('#range-since').fill('2026-11-02');
    await page.locator('#range-until').fill('2026-11-04');
    await page.locator('#range-until').dispatchEvent('change');
    await page.waitForTimeout(50);
    assert.match(await page.locator('#range-info').innerText(), /2026-11-02 to 2026-11-04/);
    assert.equal(await page.locator('#panel-tokens canvas').count(), 2, 'a 3-day custom range also shows hours');
    await selectOption(page, 'range', '30d');
    assert.equal(await page.locator('.custom-range').isVisible(), false);
    assert.equal(await page.locator('#panel-tokens canvas').count(), 1, 'no hourly chart for 30 days');
    // Export asks the host with the visible view.
    await page.locator('#export-csv').click();
    const exp = (await posted(page)).filter((m) => m.type === 'export').pop();
    assert.deepEqual(exp, { type: 'export', format: 'csv', view: { tab: 'tokens', range: { kind: '30d' }, grouping: 'workspace' } });
    await page.close();
  });

  it('offers "Load N days" when the range starts before the loaded history, as a fixed action with the day count', async () => {
    const page = await openPage(h, snapshot);
    await selectTab(page, 'claudeCode');
    await selectOption(page, 'range', '90d');
    const note = page.locator('#panel-claudeCode .coverage');
    assert.match(await note.innerText(), /Claude Code analytics starts on 2026-10-29; load 90 days/);
    await page.screenshot({ path: join(OUT, 'browser-load-history.png') });
    await note.locator('[data-action="extendHistory"]').click();
    assert.deepEqual((await posted(page)).filter((m) => m.type === 'runAction'), [{ type: 'runAction', action: 'extendHistory', days: 90 }]);
    await selectOption(page, 'range', '30d');
    assert.equal(await note.locator('[data-action="extendHistory"]').count(), 0, 'no offer when the history covers the range');
    await page.close();
  });

  it('sorts the per-person table', async () => {
    const page = await openPage(h, snapshot);
    await selectTab(page, 'claudeCode');
    const people = () => page.locator('#panel-claudeCode table.people tbody th').allInnerTexts();
    await page.locator('#panel-claudeCode table.people thead button', { hasText: 'Person' }).click();
    assert.deepEqual(await people(), ['ada@example.com', 'ci-bot', 'grace@example.com', 'linus@example.com']);
    assert.equal(await page.locator('#panel-claudeCode table.people thead th[aria-sort="ascending"]').count(), 1);
    await page.locator('#panel-claudeCode table.people thead button', { hasText: 'Person' }).click();
    assert.deepEqual(await people(), ['linus@example.com', 'grace@example.com', 'ci-bot', 'ada@example.com']);
    await page.close();
  });

  it('blocks an injected inline script (CSP) and reports the violation', async () => {
    const page = await openPage(h, snapshot);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.__pwned = true;';
      document.body.appendChild(s);
      const img = document.createElement('img');
      img.src = 'https://example.com/x.png';
      document.body.appendChild(img);
    });
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: boolean }).__pwned), undefined);
    const violations = (await posted(page)).filter((m) => m.type === 'webviewError' && String(m.message).startsWith('CSP blocked'));
    assert.ok(violations.some((v) => /script-src/.test(String(v.message))), JSON.stringify(violations));
    assert.ok(violations.some((v) => /img-src/.test(String(v.message))), JSON.stringify(violations));
    await page.close();
  });

  it('says which key fills an empty dashboard, and its button asks for a fixed action', async () => {
    const empty = emptySnapshot(NOW);
    const page = await openPage(h, empty);
    const notice = page.locator('#panel-overview .notice');
    assert.match(await notice.innerText(), /Set an Admin API key to see organization costs/);
    await notice.locator('[data-action="setAdminKey"]').click();
    assert.deepEqual((await posted(page)).filter((m) => m.type === 'runAction'), [{ type: 'runAction', action: 'setAdminKey' }]);
    await selectTab(page, 'rateLimits');
    assert.match(await page.locator('#panel-rateLimits .notice').innerText(), /Set an API key to see live rate-limit headroom/);
    await page.screenshot({ path: join(OUT, 'browser-empty.png') });
    // An error with old data: stale banner, data still shown.
    const stale = sampleSnapshot(NOW);
    stale.costs = { ...stale.costs, stale: true, error: { kind: 'auth', message: 'invalid x-api-key', status: 401, requestId: 'req_123' } };
    await postSnapshot(page, stale);
    await selectTab(page, 'cost');
    const banner = await page.locator('#panel-cost .notice').innerText();
    assert.match(banner, /Showing the last good data/);
    assert.match(banner, /req_123/);
    assert.ok((await canvasInk(page, 'cost')).every((n) => n > 50));
    await page.screenshot({ path: join(OUT, 'browser-stale.png') });
    await page.close();
  });

  it('says one of anything in the singular on every tab (1 probe, 1 session, 1 commit, 1 PR)', async () => {
    const one = sampleSnapshot(NOW);
    const rl = one.rateLimits.data!;
    one.rateLimits = { ...one.rateLimits, data: { ...rl, history: [rl.current], probeSpendToday: { ...rl.probeSpendToday!, probes: 1 } } };
    const row = one.claudeCode.data!.rows.find((r) => r.actor === 'ci-bot')!;
    one.claudeCode = { ...one.claudeCode, data: { ...one.claudeCode.data!, rows: [{ ...row, sessions: 1, commits: 1, pullRequests: 1 }] } };
    one.local = { ...one.local, data: { ...one.local.data!, skippedLines: 1, files: 1 } };
    const page = await openPage(h, one);
    const wrong: string[] = [];
    for (const tab of TAB_IDS) {
      await selectTab(page, tab);
      const text = await page.locator(`#panel-${tab}`).innerText();
      for (const m of text.matchAll(/(?<![\d.,])1 (probes|sessions|commits|PRs|pull requests|lines|files|days|windows|transcripts|models|requests)\b/g)) wrong.push(`${tab}: "${m[0]}"`);
    }
    assert.deepEqual(wrong, []);
    assert.match(await page.locator('#panel-overview').innerText(), /1 probe,/);
    await page.close();
  });

  it("re-renders relative times on the host's tick, from the same snapshot at the tick's time", async () => {
    const page = await openPage(h, snapshot);
    await selectTab(page, 'local');
    const gauge = page.locator('#plan-gauges .gauge-text').first(); // the 5-hour session's
    assert.match(await gauge.innerText(), /^\d+% used · resets \d\d:\d\d \(in /);
    const resetsAt = snapshot.plan.data!.windows.five_hour!.resetsAt!;
    await page.evaluate((now) => window.postMessage({ type: 'tick', now }, '*'), new Date(resetsAt + 1000).toISOString());
    await page.waitForFunction(() => /^reset · reset at \d\d:\d\d/.test(document.querySelector('#plan-gauges .gauge-text')?.textContent ?? ''));
    assert.ok(!(await posted(page)).some((m) => m.type === 'webviewError'), 'no message was refused');
    // The used-% chart's tooltip (drawn on the canvas: looked at in the screenshot, not read here).
    const chart = page.locator('#plan-history canvas');
    const box = (await chart.boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.985, box.y + box.height * 0.5);
    await page.waitForTimeout(400);
    await chart.screenshot({ path: join(OUT, 'browser-plan-tooltip.png') });
    await page.close();
  });

  it('ignores malformed host messages', async () => {
    const page = await openPage(h, snapshot);
    const before = await page.locator('#ov-today .tile-value').innerText();
    await page.evaluate(() => {
      window.postMessage({ type: 'snapshot', snapshot: { version: 99 }, now: 'x' }, '*');
      window.postMessage({ type: 'runCommand', command: 'workbench.action.quit' }, '*');
      window.postMessage('garbage', '*');
    });
    await page.waitForTimeout(100);
    assert.equal(await page.locator('#ov-today .tile-value').innerText(), before);
    assert.deepEqual(
      (await posted(page)).filter((m) => m.type === 'webviewError').map((m) => m.message),
      ['ignored a malformed message from the host (snapshot)', 'ignored a malformed message from the host (runCommand)', 'ignored a malformed message from the host (string)'],
      'dropped and reported to the host log',
    );
    assert.ok(!(await posted(page)).some((m) => m.type === 'runAction'));
    await page.close();
  });
});
