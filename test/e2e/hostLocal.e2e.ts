// Zero keys: with a sample HOME of Claude Code transcripts (known totals) and no API or Admin key, the
// status bar shows today's API-equivalent estimate and the "Claude Code (this machine)" tree shows the
// sample's days with their exact totals. Screenshots: test-results/e2e/host-local-*.png.
import * as assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../../src/core/decimal';
import { compact, usd } from '../../src/core/model/format';
import { makeClaudeHome, type ClaudeHome } from '../fixtures/makeClaudeHome';
import { removeDir, tempDir } from '../support/vscode';
import { useWorkbench } from './harness';
import { systemClock } from '../../src/core/clock';

const homeRoot = tempDir('host-local');
const home = join(homeRoot, 'home');
mkdirSync(home, { recursive: true });
const sample: ClaudeHome = makeClaudeHome(home, new Date(systemClock.now()));

describe('zero-key local transcripts (e2e)', () => {
  const wb = useWorkbench({ name: 'host-local', keys: 'none', mock: false, home: { dir: home }, settings: { 'claudeUsage.local.timezone': 'UTC' } });
  after(() => {
    if (!process.env.KEEP_TMP) removeDir(homeRoot);
  });

  it("status bar: today's API-equivalent estimate equals the sample's known total", async () => {
    const want = usd(Decimal.parse(sample.today.costUsd));
    const sel = '[id="claude-usage.claude-usage.claudeUsage.status"]';
    await wb().page.waitForFunction((s) => /today/.test(document.querySelector(s)?.textContent ?? ''), sel, { timeout: 90_000 });
    const text = await wb().statusBarText();
    assert.ok(text.startsWith(`≈${want}`), `${text} starts with ≈${want}`);
    await wb().statusBarTooltip('API-equivalent estimate');
    await wb().screenshot('host-local-status-bar');
    await wb().page.mouse.move(10, 10);
  });

  it('tree: each sample day with its exact estimate and tokens', async () => {
    await wb().openSidebar();
    const days = sample.expected.days;
    assert.ok(days.length >= 2);
    for (const d of days.slice(-3)) {
      let cost = Decimal.ZERO;
      let tokens = 0;
      let unpriced = false;
      for (const m of Object.values(d.byModel)) {
        tokens += m.input + m.output + m.cacheWrite5m + m.cacheWrite1h + m.cacheRead;
        if (m.costUsd === null) unpriced = true;
        else cost = cost.add(Decimal.parse(m.costUsd));
      }
      const label = new Date(`${d.date}T00:00:00Z`).toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
      const row = wb().treeItem(new RegExp(`^${label}`)).last();
      await row.waitFor({ state: 'visible', timeout: 30_000 });
      const text = await row.innerText();
      assert.ok(text.includes(`≈${usd(cost)}${unpriced ? ' + unpriced' : ''} · ${compact(tokens)} tokens`), `${d.date}: ${text}`);
    }
    await wb().screenshot('host-local-tree');
  });
});
