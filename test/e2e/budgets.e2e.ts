// Budgets and alerts end to end in the real VS Code (issue 14): a monthly budget the local server's sample
// organization has crossed (95 % of it spent) shows one warning notification with its three actions; a
// reload and a second window stay quiet (the shared record in global storage); "Open Dashboard" opens the
// dashboard; a lower budget set while running (no reload) shows the error notification; "Snooze Until
// Tomorrow" snoozes every window. Screenshots: test-results/e2e/budgets *.png.
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { systemClock } from '../../src/core/clock';
import { Decimal } from '../../src/core/decimal';
import { monthStart, utcDay } from '../../src/core/model/days';
import { startMockServer } from '../server/server';
import { STATUS_BAR_SELECTOR, writeUserSettings } from '../support/vscode';
import { RESULTS_DIR, useWorkbench, type Workbench } from './harness';

const MONTHLY = 'claudeUsage.budgets.organization.monthly';
const ACTIONS = ['Open Dashboard', 'Snooze Until Tomorrow', 'Budget Settings'];
const BUDGET_TOAST = /of its monthly budget/;

function toast(page: Page, text: RegExp | string) {
  return page.locator('.notification-toast', { hasText: text });
}

async function budgetToasts(page: Page): Promise<string[]> {
  return (await page.locator('.notification-toast .notification-list-item-message').allInnerTexts()).filter((t) => BUDGET_TOAST.test(t));
}

/** Quiet for `ms`: no budget notification (or none matching `what`) appears. */
async function staysQuiet(page: Page, ms: number, what: RegExp = /budget/): Promise<void> {
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    const texts = (await page.locator('.notification-toast .notification-list-item-message').allInnerTexts()).filter((x) => what.test(x));
    assert.deepEqual(texts, []);
    await page.waitForTimeout(500);
  }
}

describe('budgets', function () {
  this.timeout(180_000);
  // What the sample organization spent this month, from a server with the same seed (deterministic), so the
  // budget can be set before the workbench starts: 95 % of it is spent (75 % and 90 % crossed, 100 % not).
  const settings: Record<string, unknown> = {};
  let monthToDate: Decimal;
  before(async () => {
    const probe = await startMockServer({ port: 0 });
    try {
      monthToDate = Decimal.parse(probe.ledger.expectedCosts(monthStart(utcDay(systemClock.now()))).totalUsd);
    } finally {
      await probe.close();
    }
    settings[MONTHLY] = Number(monthToDate.mulInt(100).divInt(95, 2).toString());
  });
  const wb = useWorkbench({ name: 'budgets', settings });
  const fired = (w: Workbench): string[] => {
    const dir = join(w.userDataDir, 'User', 'globalStorage', 'claude-usage.claude-usage', 'budget-alerts', 'fired');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  it('a crossed monthly budget of the organization shows one warning notification with its actions; "Budget Settings"', async () => {
    const w = wb();
    const t = toast(w.page, BUDGET_TOAST);
    await t.waitFor({ state: 'visible', timeout: 90_000 });
    const text = (await t.locator('.notification-list-item-message').innerText()).trim();
    assert.match(text, /^Claude Usage: The organization has used 9[45]% of its monthly budget: \$[\d,]+\.\d\d of \$[\d,]+\.\d\d \([A-Z][a-z]{2} \d{4}, UTC\)\./);
    assert.ok(!/estimate/.test(text.split('. At this rate')[0]!), 'the organization figures are exact, not an estimate');
    if (/At this rate/.test(text)) assert.match(text, /At this rate it reaches the budget on \w{3} \d+ \w{3} \(estimate\)\.$/);
    for (const a of ACTIONS) await t.getByRole('button', { name: a }).waitFor({ state: 'visible', timeout: 5_000 });
    assert.ok(await t.locator('.codicon-warning').first().isVisible(), 'a warning');
    assert.equal((await budgetToasts(w.page)).length, 1, 'one notification for 75 % and 90 % crossed together');
    await w.page.waitForTimeout(800); // the toast's fade-in
    await w.screenshot('budgets notification with actions');
    assert.ok(fired(w).length >= 2, `75 and 90 recorded as fired: ${fired(w).join(', ')}`);
    await t.getByRole('button', { name: 'Budget Settings' }).click();
    const editor = w.page.locator('.settings-editor');
    await editor.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(await editor.locator('.settings-header textarea, .settings-header input').first().inputValue(), 'claudeUsage.budgets');
    await editor.getByText(/Daily budget in US dollars for the organization's cost/).first().waitFor({ state: 'visible', timeout: 15_000 });
    await w.screenshot('budgets settings from the notification');
  });

  it('a second window stays quiet, and so does a reload', async () => {
    const w = wb();
    const second = await w.browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await second.goto(w.url);
      await second.locator(STATUS_BAR_SELECTOR).waitFor({ state: 'visible', timeout: 60_000 });
      await staysQuiet(second, 10_000);
      await second.screenshot({ path: join(RESULTS_DIR, 'budgets second window quiet.png') });
    } finally {
      await second.close();
    }
    await w.page.reload();
    await w.statusBarItem().waitFor({ state: 'visible', timeout: 60_000 });
    await staysQuiet(w.page, 10_000);
    await w.screenshot('budgets reloaded window quiet');
  });

  it('a budget lowered while running (no reload) is used up: an error notification; "Open Dashboard"', async () => {
    const w = wb();
    settings[MONTHLY] = Number(monthToDate.divInt(2, 2).toString());
    // Both the user and the machine (remote) settings files, as the harness wrote them.
    writeUserSettings(w.userDataDir, { 'claudeUsage.baseUrl': w.server!.url, ...settings });
    const t = toast(w.page, /has used up its monthly budget/);
    await t.waitFor({ state: 'visible', timeout: 60_000 });
    assert.match(await t.innerText(), /Claude Usage: The organization has used up its monthly budget: \$[\d,.]+ of \$[\d,.]+ \(\d+%, [A-Z][a-z]{2} \d{4}, UTC\)\./);
    assert.ok(await t.locator('.codicon-error').first().isVisible(), 'an error');
    await w.page.waitForTimeout(800);
    await w.screenshot('budgets used up error notification');
    await t.getByRole('button', { name: 'Open Dashboard' }).click();
    await w.webview().locator('body[data-paint-ms]').waitFor({ state: 'attached', timeout: 30_000 });
    await w.webview().locator('#ov-mtd').waitFor({ timeout: 30_000 });
    await w.screenshot('budgets dashboard opened from the notification');
  });

  it('"Snooze Until Tomorrow" keeps every window quiet until local midnight', async () => {
    const w = wb();
    const today = Decimal.parse(w.server!.raw.ledger.expectedCosts(utcDay(systemClock.now())).totalUsd);
    settings['claudeUsage.budgets.organization.daily'] = Math.max(0.01, Number(today.divInt(2, 2).toString()));
    writeUserSettings(w.userDataDir, { 'claudeUsage.baseUrl': w.server!.url, ...settings });
    const t = toast(w.page, /of its daily budget|its daily budget/);
    await t.waitFor({ state: 'visible', timeout: 60_000 });
    await t.getByRole('button', { name: 'Snooze Until Tomorrow' }).click();
    const info = toast(w.page, /snoozed until/);
    await info.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await info.innerText(), /Claude Usage: budget and plan-limit notifications are snoozed until \d\d:\d\d tomorrow; colours and the dashboard still show every budget\./);
    await w.page.waitForTimeout(800);
    await w.screenshot('budgets snoozed');
    assert.ok(existsSync(join(w.userDataDir, 'User', 'globalStorage', 'claude-usage.claude-usage', 'budget-alerts', 'snooze.json')));
    // This machine's daily budget, crossed by the sample transcripts: snoozed, so nothing shows.
    settings['claudeUsage.budgets.local.daily'] = 0.01;
    writeUserSettings(w.userDataDir, { 'claudeUsage.baseUrl': w.server!.url, ...settings });
    await staysQuiet(w.page, 10_000, /this machine/);
  });

  // Surfaces: budgets (src/core/budget/surfaces.ts) in the status bar's colour, the tooltip and the dashboard.
  describe('surfaces', function () {
    it('the status bar item has the error background (the monthly budget is used up)', async () => {
      await wb().page.waitForFunction(
        (sel) => {
          const el = document.querySelector(sel) as HTMLElement | null;
          return !!el && /error/i.test(`${el.className} ${el.parentElement?.className ?? ''}`);
        },
        STATUS_BAR_SELECTOR,
        { timeout: 20_000 },
      );
      await wb().screenshot('budgets status bar error colour');
    });

    it('the tooltip shows the budget with spent, budget, percent and projection', async () => {
      await wb().runCommand('Notifications: Clear All Notifications');
      const hover = await wb().statusBarTooltip('Keys:');
      assert.match(await hover.innerText(), /Organization, monthly budget\s+\$[\d,.]+ of \$[\d,.]+ \(\d+%\)/);
      await wb().screenshot('budgets tooltip');
    });

    it('the dashboard shows the budget progress and the budget line on the cost chart', async () => {
      await wb().runCommand('Show Claude Usage');
      const view = wb().webview();
      const row = view.locator('#ov-budgets .budget').filter({ hasText: 'Organization, monthly budget' }).first();
      await row.waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await row.innerText(), /\$[\d,.]+ of \$[\d,.]+ \(\d+%\)/);
      assert.equal(await row.getAttribute('data-level'), 'error');
      assert.ok(Number(await row.locator('progress').getAttribute('value')) >= 100);
      await wb().screenshot('budgets dashboard');
    });
  });
});
