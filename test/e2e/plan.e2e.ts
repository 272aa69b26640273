// Plan limits end to end in the real VS Code: Connect in a sample HOME (the modal shows the exact change),
// then play Claude Code — run the exact command string now in the settings file through a shell with a
// sample payload on stdin, as Claude Code does — and check the state file and the command's output (the
// user's previous status line chained in front); Disconnect restores the file byte for byte.
// Screenshots: test-results/e2e/plan limits *.png.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../../src/core/clock';
import { readPlanData } from '../../src/core/plan/state';
import { samplePlanDir } from '../support/sampleWorld';
import { REPO, STATUS_BAR_SELECTOR } from '../support/vscode';
import { useWorkbench, type Workbench } from './harness';

const ORIGINAL = '{\n  "model": "opus",\n  "statusLine": {\n    "type": "command",\n    "command": "cat >/dev/null; printf \'my own line\'",\n    "padding": 1\n  }\n}\n';

function payload(nowMs: number): string {
  const sec = Math.floor(nowMs / 1000);
  return JSON.stringify({
    session_id: 'e2e-session',
    version: '2.1.214',
    model: { id: 'claude-opus-4-8', display_name: 'Opus 4.8' },
    context_window: { used_percentage: 26 },
    cost: { total_cost_usd: 1.37 },
    rate_limits: { five_hour: { used_percentage: 42, resets_at: sec + 2 * 3600 + 13 * 60 + 30 }, seven_day: { used_percentage: 18, resets_at: sec + 3 * 86400 } },
  });
}

async function answerModal(w: Workbench, title: RegExp, button: string): Promise<string> {
  const dialog = w.page.locator('.monaco-dialog-box');
  await dialog.waitFor({ state: 'visible', timeout: 15_000 });
  const text = await dialog.innerText();
  assert.match(text, title);
  await w.screenshot(`plan limits modal ${button}`);
  await dialog.getByRole('button', { name: button, exact: true }).click();
  await dialog.waitFor({ state: 'hidden', timeout: 10_000 });
  return text;
}

async function waitFor<T>(what: string, fn: () => T | undefined, timeoutMs = 15_000): Promise<T> {
  const t0 = performance.now();
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (performance.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('plan limits', function () {
  this.timeout(120_000);
  const wb = useWorkbench({ name: 'plan', keys: 'none', mock: false });
  let settingsPath: string;
  let env: NodeJS.ProcessEnv;

  before(() => {
    const home = wb().home;
    settingsPath = join(home, '.claude', 'settings.json');
    writeFileSync(settingsPath, ORIGINAL);
    env = { ...process.env, HOME: home, CLAUDE_CONFIG_DIR: join(home, '.claude'), CLAUDE_USAGE_DIR: samplePlanDir(home), NO_COLOR: '' };
    delete env.NO_COLOR;
  });

  it('Connect shows the exact change, then changes only statusLine and chains the previous command', async () => {
    const w = wb();
    await w.runCommand('Claude Usage: Connect Claude Code Plan Limits');
    const text = await answerModal(w, /Connect Claude Code plan limits\?/, 'Connect');
    assert.match(text, /Before: "statusLine": \{"type":"command","command":"cat >\/dev\/null; printf 'my own line'","padding":1\}/);
    assert.match(text, /After: +"statusLine": \{"type":"command","command":"'.*claude-usage\/statusline'","padding":1\}/);
    assert.match(text, /Your status line command keeps running/);
    const written = await waitFor('settings.json to change', () => {
      const t = readFileSync(settingsPath, 'utf8');
      return t !== ORIGINAL ? t : undefined;
    });
    const parsed = JSON.parse(written) as { model: string; statusLine: { command: string; padding: number; type: string } };
    assert.equal(parsed.model, 'opus');
    assert.equal(parsed.statusLine.type, 'command');
    assert.equal(parsed.statusLine.padding, 1);
    assert.match(parsed.statusLine.command, /^'.*\/\.local\/share\/claude-usage\/statusline'$/);
    assert.ok(existsSync(join(samplePlanDir(w.home), 'statusline')), 'the launcher is written');
  });

  it('Claude Code runs the command in the settings file: the line shows its output and ours; the state file records it', async () => {
    const command = (JSON.parse(readFileSync(settingsPath, 'utf8')) as { statusLine: { command: string } }).statusLine.command;
    const now = systemClock.now();
    const r = spawnSync('sh', ['-c', command], { input: payload(now), env, encoding: 'utf8', timeout: 10_000 });
    assert.equal(r.status, 0, r.stderr);
    // eslint-disable-next-line no-control-regex
    const plain = r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
    assert.match(plain, /^my own line {2}Opus 4\.8 · ctx 26% · 5h 42% ↻2h1[34]m · wk 18%\n$/);
    const data = readPlanData(join(samplePlanDir(wb().home), 'plan-state.json'));
    assert.equal(data.windows.five_hour?.usedPercent, 42);
    assert.equal(data.windows.seven_day?.usedPercent, 18);
    assert.equal(data.session?.sessionId, 'e2e-session');
    assert.ok(Math.abs(data.windows.five_hour!.observedAt - now) < 10_000);
  });

  it('Connect again changes nothing', async () => {
    const before = readFileSync(settingsPath, 'utf8');
    await wb().runCommand('Claude Usage: Connect Claude Code Plan Limits');
    const toast = wb().page.locator('.notification-toast', { hasText: 'already reports plan limits' });
    await toast.waitFor({ state: 'visible', timeout: 15_000 });
    assert.equal(readFileSync(settingsPath, 'utf8'), before);
  });

  it('Disconnect restores the settings file byte for byte', async () => {
    const w = wb();
    await w.runCommand('Claude Usage: Disconnect Claude Code Plan Limits');
    const text = await answerModal(w, /Disconnect Claude Code plan limits\?/, 'Disconnect');
    assert.match(text, /restored exactly as it was before/);
    await waitFor('settings.json to be restored', () => (readFileSync(settingsPath, 'utf8') === ORIGINAL ? true : undefined));
    // The extension removes the launcher right after it restores the file (one step, but two file operations
    // this process can see between): wait for it rather than read in between.
    await waitFor('the launcher to be gone once nothing uses it', () => (existsSync(join(samplePlanDir(w.home), 'statusline')) ? undefined : true));
  });

  it('a malformed settings file is refused and left untouched', async () => {
    const w = wb();
    const bad = '{\n  "model": "opus",\n}\n';
    writeFileSync(settingsPath, bad);
    await w.runCommand('Claude Usage: Connect Claude Code Plan Limits');
    const toast = w.page.locator('.notification-toast', { hasText: 'is not valid JSON' });
    await toast.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await toast.innerText(), /line 3, column 1.*changed nothing/s);
    assert.equal(readFileSync(settingsPath, 'utf8'), bad);
    writeFileSync(settingsPath, ORIGINAL);
  });

  it('the walkthrough "Get started with Claude Usage" offers Connect first', async () => {
    const w = wb();
    await w.runCommand('Welcome: Open Walkthrough...');
    await w.typeIntoQuickInput('Get started with Claude Usage', false);
    await w.quickInput().locator('.monaco-list-row', { hasText: 'Get started with Claude Usage' }).first().click();
    const page = w.page.locator('.gettingStartedContainer');
    await page.getByText("See your plan's 5-hour and weekly limits").first().waitFor({ state: 'visible', timeout: 15_000 });
    await page.getByRole('button', { name: 'Connect Claude Code Plan Limits' }).first().waitFor({ state: 'visible', timeout: 10_000 });
    for (const step of ['Live rate-limit headroom (API key)', 'Organization costs (Admin key)', 'Open the dashboard']) {
      assert.ok(await page.getByText(step).first().isVisible(), step);
    }
    // The step's media (media/walkthrough/plan-limits.md) renders in a webview beside the steps.
    const media = w.page.frameLocator('.gettingStartedContainer iframe.webview.ready').frameLocator('#active-frame');
    await media.getByText('Your plan\'s limits, where you code').waitFor({ state: 'visible', timeout: 15_000 });
  });

  // Surfaces: the store's plan source (read from the state file the command above wrote) in the status bar,
  // tooltip, tree and dashboard.
  describe('surfaces', function () {
    it('the status bar leads with the plan figures', async () => {
      await wb().page.waitForFunction((sel) => /5h 42% ↻\d\d:\d\d · wk 18%/.test(document.querySelector(sel)?.textContent ?? ''), STATUS_BAR_SELECTOR, { timeout: 20_000 });
    });

    it('the tooltip shows every window with its reset, source and age', async () => {
      const hover = await wb().statusBarTooltip('5-hour session');
      const t = await hover.innerText();
      assert.match(t, /5-hour session\s+42%\s+·\s+resets \d\d:\d\d \(in 2 h 1[23] min\)\s+·\s+from Claude Code, (just now|\d+ min ago)/);
      assert.match(t, /Weekly\s+18%/);
    });

    it('"Plan limits" heads the Claude Code (this machine) tree', async () => {
      await wb().openSidebar();
      await wb().treeItem(/Plan limits/).waitFor({ state: 'visible', timeout: 15_000 });
    });

    it('the dashboard\'s This machine tab has gauges and the used-% chart', async () => {
      await wb().runCommand('Show Claude Usage');
      const view = wb().webview();
      await view.locator('vscode-tab-header[data-tab="local"]').click();
      const panel = view.locator('#plan-panel');
      await panel.getByText('5-hour session').first().waitFor({ state: 'visible', timeout: 15_000 });
      await panel.getByText(/42% used · resets \d\d:\d\d/).first().waitFor({ state: 'visible', timeout: 15_000 });
      assert.match(await panel.innerText(), /Used 18% with \d+% of the week gone/);
      await view.locator('#plan-history canvas').waitFor({ state: 'visible', timeout: 15_000 });
      // The earlier tests' notifications would cover the chart's newest samples in the screenshot.
      await wb().runCommand('Notifications: Clear All Notifications');
      await wb().screenshot('plan-dashboard');
    });

    it('a window whose reset time passes shows as reset, not as its last percentage', async () => {
      // Claude Code reports a 5-hour window that resets 8 s from now; the clock moves past it.
      const sec = Math.floor(systemClock.now() / 1000);
      const body = JSON.stringify({ session_id: 'e2e-reset', rate_limits: { five_hour: { used_percentage: 55, resets_at: sec + 8 }, seven_day: { used_percentage: 19, resets_at: sec + 3 * 86400 } } });
      const r = spawnSync(process.execPath, [join(REPO, 'dist', 'statusline.js')], { input: body, env, encoding: 'utf8', timeout: 10_000 });
      assert.equal(r.status, 0, r.stderr);
      const text = () => wb().page.locator(STATUS_BAR_SELECTOR).innerText();
      await wb().page.waitForFunction((sel) => /5h 55%/.test(document.querySelector(sel)?.textContent ?? ''), STATUS_BAR_SELECTOR, { timeout: 20_000 });
      await wb().page.waitForFunction((sel) => /5h reset · wk 19%/.test(document.querySelector(sel)?.textContent ?? ''), STATUS_BAR_SELECTOR, { timeout: 45_000 });
      const late = systemClock.now() - (sec + 8) * 1000;
      assert.doesNotMatch(await text(), /5h 55%/);
      // The views' ticker wakes at the reset: the status bar flips then, not up to a 15 s period later,
      // and the dashboard (open since the test before) flips on the same tick.
      assert.ok(late < 5_000, `the status bar showed the reset ${late} ms after it`);
      const gauge = wb().webview().locator('#plan-panel');
      await gauge.getByText(/reset at \d\d:\d\d/).first().waitFor({ state: 'visible', timeout: 3_000 });
      assert.doesNotMatch(await gauge.innerText(), /55% used/);
      await wb().screenshot('plan-reset');
    });
  });
});
