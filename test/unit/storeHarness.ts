/**
 * Stores under fake time against the REAL local Anthropic server, sharing one storage folder like VS Code
 * windows share the extension's global storage; a log that records what the stores said; the checks the
 * persistence tests share: every total equals the server's ledger, and every view model renders the
 * snapshot without throwing.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnthropicClient } from '../../src/core/anthropic/client';
import { Decimal } from '../../src/core/decimal';
import { FileDayCache } from '../../src/core/store/dayCache';
import { DEFAULT_STORE_SETTINGS, type StoreSettings } from '../../src/core/model/settings';
import { FileFocus, FileLease, FileSnapshotPersistence, type Lease } from '../../src/core/store/shared';
import type { ClaudeCodeRow, SourceName, StoreSnapshot } from '../../src/core/model/snapshot';
import { Store, type KeyProvider, type ResolvedKeys, type StoreLogger } from '../../src/core/store/store';
import { costOfDay } from '../../src/core/model/facts';
import { buildStatusBar, buildTooltip } from '../../src/core/viewModels/statusBar';
import { claudeCodeTree, costsTree, localTree, rateLimitsTree } from '../../src/core/viewModels/tree';
import { buildDashboard } from '../../src/core/dashboard/view';
import { ManualScheduler } from '../support/manualScheduler';
import { startMockServer, type MockServer } from '../server/server';

export const START = Date.UTC(2026, 10, 27, 12, 0, 0);
export const MIN = 60_000;

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
}

export interface StoreHarness {
  sched: ManualScheduler;
  server: MockServer;
  dir: string;
  stores: Store[];
  keys: ResolvedKeys;
  log: LogLine[];
  make(id: string, extra?: { settings?: Partial<StoreSettings>; lease?: Lease | null; focused?: boolean; onError?: (s: SourceName) => void }): Promise<Store>;
  advance(ms: number): Promise<void>;
  /** Requests the server has seen for a path. */
  count(path: string): number;
  /** Disposes every store (like closing the windows), keeping the folder. */
  closeAll(): Promise<void>;
  close(): Promise<void>;
}

export async function storeHarness(options: { seed?: number; start?: number } = {}): Promise<StoreHarness> {
  const sched = new ManualScheduler(options.start ?? START);
  const server = await startMockServer({ now: () => new Date(sched.now()), seed: options.seed ?? 7 });
  const dir = await mkdtemp(join(tmpdir(), 'cu-persist-'));
  const keys: ResolvedKeys = { api: server.keys.standard, admin: server.keys.admin, status: { api: 'secretStorage', admin: 'secretStorage' } };
  const provider: KeyProvider = { getKeys: async () => h.keys };
  const log: LogLine[] = [];
  const logger: StoreLogger = {
    debug: (message) => log.push({ level: 'debug', message }),
    info: (message) => log.push({ level: 'info', message }),
    warn: (message) => log.push({ level: 'warn', message }),
    error: (message) => log.push({ level: 'error', message }),
  };
  const h: StoreHarness = {
    sched,
    server,
    dir,
    stores: [],
    keys,
    log,
    async make(id, extra = {}) {
      const focus = new FileFocus(join(dir, 'focus.json'), id, { clock: sched });
      const store = new Store({
        keys: provider,
        clientFactory: (o) => createAnthropicClient({ ...o, sleep: async () => {}, maxAttempts: 1 }),
        settings: { ...DEFAULT_STORE_SETTINGS, baseUrl: server.url, ...extra.settings },
        scheduler: sched,
        persistence: new FileSnapshotPersistence(join(dir, 'snapshot.json')),
        dayCache: new FileDayCache(join(dir, 'days')),
        ...(extra.lease === null ? {} : { lease: extra.lease ?? new FileLease(join(dir, 'lease.json'), id, sched) }),
        focus,
        log: logger,
        ...(extra.onError ? { onError: extra.onError } : {}),
      });
      // What the views do: render every snapshot they are given.
      store.onDidChange((s) => renderAll(s, sched.now()));
      if (extra.focused !== false) await focus.setFocused(true);
      h.stores.push(store);
      return store;
    },
    advance: (ms) => sched.advance(ms, async () => void (await Promise.all(h.stores.map((s) => s.whenIdle())))),
    count: (path) => h.server.requests.filter((r) => r.path === path).length,
    async closeAll() {
      for (const s of h.stores) s.dispose();
      await Promise.all(h.stores.map((s) => s.whenIdle()));
      h.stores = [];
    },
    async close() {
      await h.closeAll();
      await h.server.close(); // a test may have replaced the server (to take it down and bring up another)
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
  return h;
}

/** Every surface's model built from the snapshot (what the status bar, trees and dashboard render). */
export function renderAll(s: StoreSnapshot, now: number): void {
  buildStatusBar(s, { format: '{headroom} · {todayCost} · {window}', warningPercent: 25, errorPercent: 5, localMode: 'always' }, now);
  buildTooltip(s, now);
  costsTree(s, 'model', 14, now);
  costsTree(s, 'workspace', 14, now);
  costsTree(s, 'description', 14, now);
  claudeCodeTree(s, now);
  rateLimitsTree(s, now);
  localTree(s, now);
  for (const range of ['7d', '30d', 'mtd'] as const) buildDashboard(s, { range: { kind: range }, grouping: 'model' }, now);
}

/** Costs, tokens and Claude Code analytics in the snapshot equal the server's ledger, day by day. */
export function assertLedgerTotals(server: MockServer, s: StoreSnapshot, what = ''): void {
  const costs = s.costs.data;
  assert.ok(costs, `${what}: costs loaded`);
  for (const r of costs.rows) assert.ok(r && typeof r === 'object' && typeof r.date === 'string', `${what}: a cost row that is not a row: ${JSON.stringify(r)}`);
  const expected = server.ledger.expectedCosts(costs.since, costs.until);
  const days = new Set([...expected.days.map((d) => d.date), ...costs.rows.map((r) => r.date)]);
  for (const day of days) {
    const want = Decimal.parse(expected.days.find((d) => d.date === day)?.totalUsd ?? '0');
    const ours = costOfDay(costs.rows, day);
    assert.ok(ours.eq(want), `${what}: costs of ${day}: ours ${ours.toString()}, ledger ${want.toString()}`);
  }
  const tokens = s.tokens.data;
  assert.ok(tokens, `${what}: tokens loaded`);
  for (const day of server.ledger.expectedTokens(tokens.since, tokens.until).days) {
    const theirs = Object.values(day.byModel).reduce((a, t) => a + t.output + t.uncachedInput + t.cacheRead, 0);
    const ours: number = tokens.daily.filter((r) => r.start === day.date).reduce((a, r) => a + r.output + r.uncachedInput + r.cacheRead, 0);
    assert.equal(ours, theirs, `${what}: tokens of ${day.date}`);
  }
  const cc = s.claudeCode.data;
  assert.ok(cc, `${what}: Claude Code analytics loaded`);
  for (const day of server.ledger.expectedClaudeCode(cc.since, cc.until).days) {
    const rows: ClaudeCodeRow[] = cc.rows.filter((r) => r.date === day.date);
    assert.equal(
      rows.reduce((a, r) => a + r.sessions, 0),
      day.sessions,
      `${what}: Claude Code sessions of ${day.date}`,
    );
    const cost = Decimal.sum(rows.flatMap((r) => r.models.map((m) => Decimal.parse(m.costUsd))));
    assert.ok(cost.eq(Decimal.parse(day.costUsd)), `${what}: Claude Code cost of ${day.date}: ${cost.toString()} vs ${day.costUsd}`);
  }
}
