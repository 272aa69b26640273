// The host surfaces in a real VS Code (code-server + Chromium) against the local Anthropic server:
// the status bar and its tooltip, the sidebar trees, a 401, the set-key flow typed into the input box,
// and two windows sharing one poller. Screenshots: test-results/e2e/host-*.png.
import * as assert from 'node:assert/strict';
import { Decimal } from '../../src/core/decimal';
import { usd } from '../../src/core/model/format';
import { loadSampleKeys } from '../support/sampleWorld';
import { useWorkbench } from './harness';
import { systemClock } from '../../src/core/clock';

const COST = '/v1/organizations/cost_report';

describe('host surfaces (e2e)', () => {
  const wb = useWorkbench({ name: 'host', settings: { 'claudeUsage.rateLimits.intervalSeconds': 15 } });

  function todayCost(): string {
    const ledger = wb().server!.raw.ledger;
    const today = new Date(systemClock.now()).toISOString().slice(0, 10);
    const day = ledger.expectedCosts(today).days.find((d) => d.date === today);
    return usd(day ? Decimal.parse(day.totalUsd) : Decimal.ZERO);
  }

  it('status bar: headroom from the probe headers and today’s cost from the ledger', async () => {
    const page = wb().page;
    const item = wb().statusBarItem();
    await page.waitForFunction(
      (sel) => /RPM|TPM/.test(document.querySelector(sel)?.textContent ?? ''),
      '[id="claude-usage.claude-usage.claudeUsage.status"]',
      { timeout: 60_000 },
    );
    const text = await wb().statusBarText();
    // Haiku's configured limits on the local server: 4000 requests, 4M input and 800k output tokens per
    // minute. The item shows the two tightest families, which depends on the server's moving background
    // load, so each family shown must carry its own limit (the host suite compares exact header values).
    const families = text.match(/\b(RPM|ITPM|OTPM|TPM) [\d.]+[kM]?\/[\d.]+[kM]?/g) ?? [];
    assert.ok(families.length >= 1, text);
    const limits: Record<string, string> = { RPM: '4k', ITPM: '4M', OTPM: '800k' };
    for (const f of families) {
      const [name, value] = f.split(' ');
      if (limits[name!]) assert.equal(value!.split('/')[1], limits[name!], f);
    }
    await page.waitForFunction(
      ([sel, want]) => (document.querySelector(sel!)?.textContent ?? '').includes(`${want} today`),
      ['[id="claude-usage.claude-usage.claudeUsage.status"]', todayCost()] as const,
      { timeout: 60_000 },
    );
    const label = await item.getAttribute('aria-label');
    assert.match(label ?? '', /^Claude Usage: /);
    await wb().screenshot('host-status-bar');
  });

  it('tooltip: the limits table, costs, key sources and command links', async () => {
    const page = wb().page;
    const hover = await wb().statusBarTooltip('Claude Usage');
    const text = await hover.innerText();
    assert.match(text, /Requests per minute/);
    assert.match(text, /Cost today/);
    assert.match(text, /API key environment variable/);
    assert.match(text, /Refresh/);
    await wb().screenshot('host-tooltip');
    await page.mouse.move(10, 10);
  });

  it('sidebar: the Costs tree shows today with the ledger total', async () => {
    await wb().openSidebar();
    const today = wb().treeItem(/today, UTC/).first();
    await today.waitFor({ state: 'visible', timeout: 30_000 });
    assert.ok((await today.innerText()).includes(todayCost()), await today.innerText());
    await today.click();
    await wb().page.waitForTimeout(500);
    await wb().screenshot('host-tree');
  });

  it('a 401 shows an error item with an action and keeps the old data', async () => {
    const server = wb().server!.raw;
    server.injectFault({ kind: 'unauthorized', path: COST, times: Infinity });
    try {
      await wb().runCommand('Claude Usage: Refresh Now');
      const err = wb().treeItem(/Costs: /).first();
      await err.waitFor({ state: 'visible', timeout: 30_000 });
      assert.match(await err.innerText(), /Set Admin API Key/);
      assert.ok(await wb().treeItem(/Month to date/).first().isVisible(), 'old data still shown');
      // The status bar says the key was rejected, in words, instead of showing the old cost as if it were live.
      await wb().page.waitForFunction((sel) => /key rejected/.test(document.querySelector(sel)?.textContent ?? ''), '[id="claude-usage.claude-usage.claudeUsage.status"]', { timeout: 30_000 });
      assert.doesNotMatch(await wb().statusBarText(), /today/);
      await wb().screenshot('host-tree-401');
    } finally {
      server.clearFaults();
    }
    await wb().runCommand('Claude Usage: Refresh Now');
    await wb().treeItem(/Costs: /).first().waitFor({ state: 'detached', timeout: 30_000 });
  });

  it('set-key flow: the input box rejects the other kind, then checks and stores the key', async () => {
    const keys = loadSampleKeys();
    await wb().runCommand('Claude Usage: Set Admin API Key');
    await wb().typeIntoQuickInput(keys.apiKey!, false);
    const message = wb().quickInput().locator('.quick-input-message');
    await message.filter({ hasText: /standard API key/ }).waitFor({ state: 'visible', timeout: 10_000 });
    assert.equal(await wb().quickInput().locator('input').first().getAttribute('type'), 'password');
    await wb().screenshot('host-set-key-validation');
    await wb().typeIntoQuickInput(keys.adminKey!, true);
    const toast = wb().page.locator('.notification-toast', { hasText: 'Admin API key saved and working' });
    await toast.waitFor({ state: 'visible', timeout: 20_000 });
    await wb().screenshot('host-set-key-saved');
  });

  it('two windows share one poller: the second makes no organization calls', async () => {
    const server = wb().server!.raw;
    // The first window's own refreshes (the key just saved starts one) must be over before counting, or its
    // late requests would be blamed on the second window: wait until the organization endpoints have been
    // quiet for 3 s.
    const orgCalls = () => server.requests.filter((r) => r.path.startsWith('/v1/organizations')).length;
    for (let seen = orgCalls(), quietSince = performance.now(), t0 = performance.now(); performance.now() - quietSince < 3000 && performance.now() - t0 < 60_000; ) {
      await wb().page.waitForTimeout(250);
      if (orgCalls() !== seen) {
        seen = orgCalls();
        quietSince = performance.now();
      }
    }
    server.resetRequests();
    const second = await wb().browser.newPage({ viewport: { width: 1280, height: 800 } });
    try {
      await second.goto(wb().url);
      const sel = '[id="claude-usage.claude-usage.claudeUsage.status"]';
      await second.waitForFunction((s) => /today/.test(document.querySelector(s)?.textContent ?? ''), sel, { timeout: 90_000 });
      await second.waitForTimeout(5000);
      const org = server.requests.filter((r) => r.path.startsWith('/v1/organizations'));
      assert.deepEqual(org.map((r) => r.path), [], 'the second window followed the shared snapshot');
      await second.screenshot({ path: 'test-results/e2e/host-second-window.png' });
    } finally {
      await second.close();
    }
  });
});
