// Runs inside the VS Code extension host against the local Anthropic server the launcher started
// (CLAUDE_USAGE_TEST_API, keys from the documented environment fallback): the store, the status bar
// and the trees of the running extension, the set-key flow through the input box, a 401, and a second
// window's store sharing the lease.
import * as assert from 'node:assert/strict';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { ClaudeUsageApi } from '../../../src/extension';
import { createAnthropicClient } from '../../../src/core/anthropic/client';
import { Decimal } from '../../../src/core/decimal';
import { FileDayCache } from '../../../src/core/store/dayCache';
import { realScheduler } from '../../../src/core/store/scheduler';
import { ManualScheduler } from '../../support/manualScheduler';
import { DEFAULT_STORE_SETTINGS } from '../../../src/core/model/settings';
import { FileFocus, FileLease, FileSnapshotPersistence } from '../../../src/core/store/shared';
import { Store } from '../../../src/core/store/store';
import { compact, usd } from '../../../src/core/model/format';
import type { TreeNode } from '../../../src/core/viewModels/tree';
import { SnapshotTree } from '../../../src/views/tree/provider';
import { Ticker } from '../../../src/views/ticker';
import { systemClock } from '../../../src/core/clock';

const EXTENSION_ID = 'claude-usage.claude-usage';
const API = process.env.CLAUDE_USAGE_TEST_API;

async function control<T>(path: string, init?: RequestInit): Promise<T> {
  const res = await fetch(`${API}${path}`, init);
  return (await res.json()) as T;
}

async function extension(): Promise<ClaudeUsageApi> {
  const ext = vscode.extensions.getExtension<ClaudeUsageApi>(EXTENSION_ID);
  assert.ok(ext);
  const api = await ext.activate();
  await api.ready;
  return api;
}

async function until(what: string, cond: () => boolean, ms = 15_000): Promise<void> {
  const end = performance.now() + ms;
  while (!cond()) {
    if (performance.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('host: store, status bar and trees against the local server', function () {
  this.timeout(60_000);
  before(function () {
    if (!API) this.skip();
  });

  it('activate() is cheap and starts the rest afterwards', async () => {
    const api = await extension();
    assert.ok(api.activationMs < 200, `activate() took ${api.activationMs} ms`);
    assert.equal(api.store.snapshot.keys.api, 'environment');
    assert.equal(api.store.snapshot.keys.admin, 'environment');
  });

  it('the status bar text equals the headers of the latest probe', async () => {
    const api = await extension();
    await api.store.refresh(['rateLimits']);
    const probe = api.store.snapshot.rateLimits.data?.current;
    assert.ok(probe?.requests?.limit && probe.outputTokens?.limit, 'the probe returned limits');
    await until('the status bar to render', () => api.statusBar.last?.text.includes('RPM') === true || api.statusBar.last?.text.includes('TPM') === true);
    const text = api.statusBar.last!.text;
    const families = [
      ['RPM', probe.requests],
      ['ITPM', probe.inputTokens],
      ['OTPM', probe.outputTokens],
    ] as const;
    const shown = families.filter(([short]) => text.includes(`${short} `));
    assert.ok(shown.length >= 1, text);
    for (const [short, fam] of shown) assert.ok(text.includes(`${short} ${compact(fam!.remaining!)}/${compact(fam!.limit!)}`), `${text} shows ${short} from the headers`);
    assert.match(api.statusBar.last!.tooltip, /\*\*Requests per minute\*\*: [\d,]+ of [\d,]+ left/);
  });

  it("the Costs tree's days and totals equal the server's ledger", async () => {
    const api = await extension();
    await api.store.refresh(['costs', 'tokens', 'labels']);
    const data = api.store.snapshot.costs.data;
    assert.ok(data);
    const ledger = await control<{ days: { date: string; totalUsd: string }[] }>(`/__control/ledger?kind=costs&since=${data.since}&until=${data.until}`);
    api.trees.costs.schedule();
    await new Promise((r) => setTimeout(r, 200));
    const dayNodes = api.trees.costs.nodes.filter((n) => /^costs\/\d{4}-\d{2}-\d{2}$/.test(n.id));
    assert.equal(dayNodes.length, 14);
    let compared = 0;
    for (const n of dayNodes) {
      const day = n.id.slice('costs/'.length);
      const expected = ledger.days.find((d) => d.date === day);
      const want = usd(expected ? Decimal.parse(expected.totalUsd) : Decimal.ZERO);
      assert.equal(n.description, want, `${day}`);
      compared++;
    }
    assert.equal(compared, 14);
  });

  it('set-key flow: the masked input box validates the prefix, checks the key live and stores it', async () => {
    const api = await extension();
    const keys = { api: process.env.ANTHROPIC_API_KEY!, admin: process.env.ANTHROPIC_ADMIN_API_KEY! };
    const original = vscode.window.showInputBox;
    let seen: vscode.InputBoxOptions | undefined;
    (vscode.window as { showInputBox: typeof original }).showInputBox = (async (o?: vscode.InputBoxOptions) => {
      seen = o;
      return keys.api;
    }) as typeof original;
    try {
      await vscode.commands.executeCommand('claudeUsage.setApiKey');
    } finally {
      (vscode.window as { showInputBox: typeof original }).showInputBox = original;
    }
    assert.ok(seen, 'the command opened the input box');
    assert.equal(seen.password, true);
    assert.equal(seen.ignoreFocusOut, true);
    assert.match(String(await seen.validateInput?.(keys.admin)), /Admin API key/);
    assert.equal(await seen.validateInput?.(keys.api), undefined);
    await until('the key to come from SecretStorage', () => api.store.snapshot.keys.api === 'secretStorage');
    assert.ok(!JSON.stringify(api.store.snapshot).includes(keys.api), 'no key in the snapshot');
  });

  it('a tree whose model throws shows an error item with Refresh, never "Loading…"; ages advance on each tick', async () => {
    const api = await extension();
    const ticks = new vscode.EventEmitter<void>();
    const ticker = { onTick: ticks.event } as unknown as Ticker;
    const errors: string[] = [];
    const broken = new SnapshotTree(api.store, () => {
      throw new Error("Cannot read properties of undefined (reading 'startsWith')");
    }, ticker, { error: (m) => errors.push(m) });
    try {
      const item = broken.nodes[0]!;
      assert.equal(item.contextValue, 'error');
      assert.match(item.label, /^Could not show this view: Cannot read properties of undefined/);
      assert.equal(item.command?.command, 'claudeUsage.refresh');
      assert.equal(errors.length, 1, 'logged');
    } finally {
      broken.dispose();
    }
    // A view whose text depends on the time is rebuilt on the shared tick (and only repaints when it changed).
    const started = systemClock.now();
    const timed = new SnapshotTree(api.store, (_s, now) => [{ id: 'age', label: `Data from ${Math.floor((now - started) / 1000)}s ago` }], ticker);
    try {
      const first = timed.nodes[0]!.label;
      let repaints = 0;
      timed.onDidChangeTreeData(() => repaints++);
      await new Promise((r) => setTimeout(r, 1100));
      ticks.fire();
      await until('the tick to rebuild the tree', () => timed.nodes[0]!.label !== first, 2000);
      assert.equal(repaints, 1);
    } finally {
      timed.dispose();
      ticks.dispose();
    }
  });

  it('the ticker also ticks once at the instant it is asked for (a plan reset), the latest request replacing the one before', async () => {
    // A period far longer than the test: every tick seen here is a wake.
    const ticker = new Ticker(3_600_000);
    const seen: number[] = [];
    const sub = ticker.onTick(() => seen.push(systemClock.now()));
    try {
      const t0 = systemClock.now();
      ticker.wakeAt(t0 + 60_000);
      ticker.wakeAt(t0 + 300); // replaces the minute
      await until('the wake', () => seen.length > 0, 5_000);
      assert.equal(seen.length, 1);
      assert.ok(seen[0]! >= t0 + 300, `not before its instant (${seen[0]! - t0} ms)`);
      ticker.wakeAt(systemClock.now() + 200);
      ticker.wakeAt(undefined); // cancelled
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(seen.length, 1, 'a cancelled wake does not tick');
      ticker.wakeAt(systemClock.now() - 5_000); // already past: at once
      await until('the past instant', () => seen.length === 2, 5_000);
    } finally {
      sub.dispose();
      ticker.dispose();
    }
  });

  it('a hidden tree is not rebuilt on store changes and ticks; it catches up when it shows (and when read)', async () => {
    const api = await extension();
    const ticks = new vscode.EventEmitter<void>();
    const ticker = { onTick: ticks.event } as unknown as Ticker;
    const shown = new vscode.EventEmitter<vscode.TreeViewVisibilityChangeEvent>();
    const view = { visible: false, onDidChangeVisibility: shown.event } as unknown as vscode.TreeView<TreeNode>;
    let builds = 0;
    const tree = new SnapshotTree(api.store, () => [{ id: 'n', label: `build ${++builds}` }], ticker);
    const attached = tree.attach(view);
    try {
      assert.equal(builds, 1, 'built once when created');
      let repaints = 0;
      tree.onDidChangeTreeData(() => repaints++);
      ticks.fire();
      tree.schedule();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(builds, 1, 'hidden: nothing rebuilt');
      shown.fire({ visible: true });
      await until('the shown tree to be rebuilt and repainted', () => repaints === 1, 2000);
      assert.equal(builds, 2);
      assert.equal(tree.getChildren()[0]!.label, 'build 2');
      // Hidden again, then read (host tests, getChildren): rebuilt on demand.
      shown.fire({ visible: false });
      ticks.fire();
      await new Promise((r) => setTimeout(r, 200));
      assert.equal(builds, 2);
      assert.equal(tree.nodes[0]!.label, 'build 3');
    } finally {
      attached.dispose();
      tree.dispose();
      ticks.dispose();
      shown.dispose();
    }
  });

  it('a 401 shows an error item with an action and keeps the old data, marked stale', async () => {
    const api = await extension();
    await api.store.refresh(['costs']);
    const before = api.store.snapshot.costs.data;
    assert.ok(before);
    await control('/__control/faults', { method: 'POST', body: JSON.stringify({ kind: 'unauthorized', path: '/v1/organizations/cost_report', times: null }) });
    try {
      await api.store.refresh(['costs']);
      const st = api.store.snapshot.costs;
      assert.equal(st.stale, true);
      assert.equal(st.error?.status, 401);
      assert.deepEqual(st.data, before);
      api.trees.costs.schedule();
      await new Promise((r) => setTimeout(r, 200));
      const first: TreeNode = api.trees.costs.nodes[0]!;
      assert.equal(first.contextValue, 'error');
      assert.equal(first.command?.command, 'claudeUsage.setAdminKey');
      assert.ok(api.trees.costs.nodes.some((n) => n.label === 'Month to date'), 'old data still shown');
      assert.match(api.statusBar.last!.tooltip, /Costs/);
    } finally {
      await control('/__control/faults', { method: 'DELETE' });
      await api.store.refresh(['costs']);
    }
    assert.equal(api.store.snapshot.costs.stale, false);
  });

  it('a longer claudeUsage.history.days (what "Load N days" sets) fetches only the older days', async () => {
    const api = await extension();
    await api.store.refresh(['claudeCode']);
    const before = api.store.snapshot.claudeCode.data;
    assert.ok(before);
    const day = (n: number) => new Date(systemClock.now() + n * 86_400_000).toISOString().slice(0, 10);
    assert.equal(before.since, day(-29), 'the default history is 30 days');
    await control('/__control/requests', { method: 'DELETE' });
    const config = vscode.workspace.getConfiguration('claudeUsage');
    try {
      await config.update('history.days', 45, vscode.ConfigurationTarget.Global);
      await until('45 days of Claude Code analytics', () => api.store.snapshot.claudeCode.data?.since === day(-44) && !api.store.snapshot.claudeCode.loading, 30_000);
      const requests = await control<{ path: string; query: string }[]>('/__control/requests');
      const asked = requests.filter((r) => r.path === '/v1/organizations/usage_report/claude_code').map((r) => new URLSearchParams(r.query).get('starting_at')!.slice(0, 10));
      assert.equal(asked.filter((d) => d < before.since).length, 15, 'the 15 older days');
      const again = asked.filter((d) => d >= before.since);
      assert.ok(again.every((d) => d >= day(-1)), `cached days fetched again: ${again.join(', ')}`);
    } finally {
      await config.update('history.days', undefined, vscode.ConfigurationTarget.Global);
      // The store refetches when the setting changes; let that finish here, not in the next test.
      await until('30 days of Claude Code analytics again', () => api.store.snapshot.claudeCode.data?.since === day(-29) && !api.store.snapshot.claudeCode.loading, 30_000);
      await api.store.whenIdle();
    }
  });

  it('a second window shares the poller: it makes no API calls and shows the same data', async () => {
    const api = await extension();
    // The extension's global storage: where this window's lease and snapshot live.
    const ctxDir = (api.store as unknown as { options: { persistence: FileSnapshotPersistence } }).options.persistence.file;
    const dir = join(ctxDir, '..');
    assert.equal(api.store.isPolling, true, 'this window holds the lease');
    // The leader (this window) may still poll while the follower runs; the server's log cannot tell the
    // two apart, so the follower's own requests are counted at its client, and they still go over HTTP.
    const followerCalls: string[] = [];
    // The follower's own time runs an hour ahead, so every source it could poll falls due; the lease
    // keeps real time, so this window still holds it.
    const followerTime = new ManualScheduler(realScheduler.now());
    const second = new Store({
      keys: { getKeys: async () => ({ api: process.env.ANTHROPIC_API_KEY!, admin: process.env.ANTHROPIC_ADMIN_API_KEY!, status: { api: 'environment', admin: 'environment' } }) },
      clientFactory: (options) =>
        createAnthropicClient({
          ...options,
          onRequest: (entry) => {
            followerCalls.push(entry.path);
            options.onRequest?.(entry);
          },
        }),
      settings: { ...DEFAULT_STORE_SETTINGS, baseUrl: API! },
      scheduler: followerTime,
      persistence: new FileSnapshotPersistence(join(dir, 'snapshot.json')),
      dayCache: new FileDayCache(join(dir, 'days')),
      lease: new FileLease(join(dir, 'lease.json'), 'second-window', realScheduler),
      focus: new FileFocus(join(dir, 'focus.json'), 'second-window'),
    });
    try {
      await second.start();
      assert.equal(second.isPolling, false);
      assert.ok(second.snapshot.costs.data, 'the follower shows the shared snapshot at once');
      await followerTime.advance(61 * 60_000, () => second.whenIdle());
      assert.equal(second.isPolling, false, 'still a follower an hour on');
    } finally {
      second.dispose();
      await second.whenIdle();
    }
    assert.equal(followerCalls.length, 0, `the follower made ${followerCalls.length} calls: ${[...new Set(followerCalls)].join(', ')}`);
  });
});
