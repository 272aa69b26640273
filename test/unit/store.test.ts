/**
 * The Store under fake time against the REAL local Anthropic server (loopback): schedules, back-off,
 * retry-after, the day cache, persistence, the lease between windows, focus, stale marking.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../../src/core/decimal';
import { ManualClock } from '../../src/core/clock';
import { ManualScheduler } from '../support/manualScheduler';
import { DEFAULT_STORE_SETTINGS } from '../../src/core/model/settings';
import { FileFocus, FileLease, type Lease } from '../../src/core/store/shared';
import type { LocalUsageData, SourceName } from '../../src/core/model/snapshot';
import { costOfDay } from '../../src/core/model/facts';
import { MIN, START, storeHarness, type StoreHarness } from './storeHarness';
import { startMockServer } from '../server/server';
import { Store } from '../../src/core/store/store';

type Harness = StoreHarness;
const harness = (): Promise<Harness> => storeHarness();
const teardown = (h: Harness): Promise<void> => h.close();

const COST = '/v1/organizations/cost_report';
const USAGE = '/v1/organizations/usage_report/messages';
const MESSAGES = '/v1/messages';
const CC = '/v1/organizations/usage_report/claude_code';

describe('Store against the local Anthropic server', function () {
  this.timeout(60_000);
  let h: Harness;
  beforeEach(async () => {
    h = await harness();
  });
  afterEach(async () => {
    await teardown(h);
  });

  it('fetches every source once at start and the costs equal the server ledger per day', async () => {
    const store = await h.make('w1');
    await store.start();
    await h.advance(0);
    const s = store.snapshot;
    assert.ok(s.costs.data && s.tokens.data && s.claudeCode.data && s.labels.data && s.rateLimits.data);
    assert.equal(h.count(MESSAGES), 1);
    const expected = h.server.ledger.expectedCosts(s.costs.data.since, s.costs.data.until);
    assert.ok(expected.days.length >= 14);
    let nonZero = 0;
    for (const day of expected.days) {
      const ours = costOfDay(s.costs.data.rows, day.date);
      assert.ok(ours.eq(Decimal.parse(day.totalUsd)), `${day.date}: ours ${ours.toString()} vs ledger ${day.totalUsd}`);
      if (!ours.isZero()) nonZero++;
    }
    assert.ok(nonZero > 5, 'the seeded org has spend on most days');
    // Exact tokens: the daily rows of one day summed equal the ledger.
    const tokDays = h.server.ledger.expectedTokens(s.tokens.data.since, s.tokens.data.until).days;
    const someDay = tokDays.find((d) => Object.keys(d.byModel).length > 0)!;
    const ourOut = s.tokens.data.daily.filter((r) => r.start === someDay.date).reduce((a, r) => a + r.output, 0);
    const theirOut = Object.values(someDay.byModel).reduce((a, t) => a + t.output, 0);
    assert.equal(ourOut, theirOut);
    // The status bar source holds what the server's headers said.
    const probe = s.rateLimits.data.current;
    assert.ok(probe.requests?.limit && probe.requests.remaining !== undefined);
    assert.equal(s.rateLimits.data.probeSpendToday.probes, 1);
  });

  it('steady state: probes every interval, costs every 15 min asking only for the open day', async () => {
    const store = await h.make('w1');
    await store.start();
    await h.advance(0);
    h.server.resetRequests();
    await h.advance(30 * MIN);
    assert.equal(h.count(MESSAGES), 30, 'one probe per minute');
    assert.equal(h.count(COST), 2, 'two cost refreshes in 30 minutes');
    const today = new Date(START).toISOString().slice(0, 10);
    for (const r of h.server.requests.filter((x) => x.path === COST)) {
      const q = new URLSearchParams(r.query);
      assert.equal(q.get('starting_at')?.slice(0, 10), today, `only the open day is re-fetched: ${r.query}`);
    }
    assert.equal(h.count(CC), 0, 'Claude Code analytics are hourly');
    await h.advance(31 * MIN);
    assert.equal(h.count(CC), 1, 'only today is asked again (past days cached)');
  });

  it('a restart shows the persisted snapshot at once and fetches only open days', async () => {
    const first = await h.make('w1');
    await first.start();
    await h.advance(0);
    const before = first.snapshot.costs.data!;
    first.dispose();
    await first.whenIdle();
    h.stores = [];
    h.server.resetRequests();
    await h.advance(61 * MIN);
    const second = await h.make('w2');
    let sawDataBeforeFetch = false;
    second.onDidChange((s) => {
      if (h.server.requests.length === 0 && s.costs.data) sawDataBeforeFetch = true;
    });
    await second.start();
    assert.ok(sawDataBeforeFetch, 'views get the persisted data before any request');
    await h.advance(0);
    const costRequests = h.server.requests.filter((r) => r.path === COST);
    assert.equal(costRequests.length, 1);
    assert.equal(new URLSearchParams(costRequests[0]!.query).get('starting_at')?.slice(0, 10), new Date(START).toISOString().slice(0, 10));
    assert.equal(second.snapshot.costs.data!.since, before.since);
    assert.equal(h.count(CC), 1, 'claude code: only the open days');
    const ccQuery = new URLSearchParams(h.server.requests.find((r) => r.path === CC)!.query);
    assert.equal(ccQuery.get('starting_at')?.slice(0, 10), new Date(START).toISOString().slice(0, 10));
  });

  it('a 401 keeps the old data, marks it stale, notifies once and backs off (no retry storm)', async () => {
    const errors: SourceName[] = [];
    const store = await h.make('w1', { onError: (s) => errors.push(s) });
    await store.start();
    await h.advance(0);
    const old = store.snapshot.costs.data;
    h.server.injectFault({ kind: 'unauthorized', path: COST, times: Infinity });
    h.server.resetRequests();
    await h.advance(16 * MIN);
    const s = store.snapshot.costs;
    assert.deepEqual(s.data, old, 'last good data kept');
    assert.equal(s.stale, true);
    assert.equal(s.error?.kind, 'auth');
    assert.equal(s.error?.status, 401);
    assert.ok(!JSON.stringify(store.snapshot).includes(h.server.keys.admin), 'no key in the snapshot');
    await h.advance(60 * MIN);
    assert.ok(h.count(COST) <= 3, `cost_report asked ${h.count(COST)} times in 76 minutes`);
    assert.equal(errors.filter((e) => e === 'costs').length, h.count(COST));
    h.server.clearFaults();
    await store.refresh(['costs']);
    assert.equal(store.snapshot.costs.stale, false);
    assert.equal(store.snapshot.costs.error, undefined);
  });

  it('transient errors back off exponentially and honour retry-after', async () => {
    const store = await h.make('w1');
    await store.start();
    await h.advance(0);
    h.server.injectFault({ kind: 'overloaded', path: MESSAGES, times: Infinity });
    h.server.resetRequests();
    await h.advance(30 * MIN);
    const at = h.server.requests.filter((r) => r.path === MESSAGES).map((r) => r.at);
    assert.ok(at.length >= 4 && at.length <= 7, `${at.length} probes in 30 min while overloaded`);
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    for (let i = 1; i < gaps.length; i++) assert.ok(gaps[i]! >= gaps[i - 1]!, `gaps grow: ${gaps.join(',')}`);
    assert.equal(store.snapshot.rateLimits.error?.kind, 'overloaded');
    assert.ok(store.snapshot.rateLimits.data, 'old headroom kept');

    h.server.clearFaults();
    await store.refresh(['rateLimits']);
    h.server.injectFault({ kind: 'rate_limited', path: MESSAGES, times: 1, retryAfterSeconds: 600 });
    h.server.resetRequests();
    await h.advance(MIN);
    assert.equal(h.count(MESSAGES), 1);
    assert.equal(store.snapshot.rateLimits.error?.kind, 'rateLimited');
    await h.advance(10 * MIN - 1000);
    assert.equal(h.count(MESSAGES), 1, 'nothing before retry-after elapses');
    await h.advance(2000);
    assert.equal(h.count(MESSAGES), 2);
    assert.equal(store.snapshot.rateLimits.error, undefined);
  });

  it('malformed JSON and a dead network mark stale without crashing', async () => {
    const store = await h.make('w1');
    await store.start();
    await h.advance(0);
    h.server.injectFault({ kind: 'invalid_json', path: USAGE, times: Infinity });
    await store.refresh(['tokens']);
    assert.equal(store.snapshot.tokens.error?.kind, 'invalidResponse');
    assert.ok(store.snapshot.tokens.data);
    await h.server.close();
    await store.refresh(['rateLimits']);
    assert.equal(store.snapshot.rateLimits.error?.kind, 'network');
    assert.equal(store.snapshot.rateLimits.stale, true);
    assert.ok(store.snapshot.rateLimits.data);
    h.server = await startMockServer({ now: () => new Date(h.sched.now()), seed: 7 });
  });

  it('two windows sharing a lease: only one polls, the other follows its snapshot', async () => {
    const a = await h.make('A');
    const b = await h.make('B');
    await a.start();
    await b.start();
    await h.advance(0);
    assert.equal([a, b].filter((s) => s.isPolling).length, 1);
    h.server.resetRequests();
    await h.advance(30 * MIN);
    assert.equal(h.count(MESSAGES), 30, 'probes not multiplied');
    assert.equal(h.count(COST), 2);
    const follower = a.isPolling ? b : a;
    const holder = a.isPolling ? a : b;
    await follower.sharedChanged(); // what the host's file watcher triggers; also polled every 15 s
    assert.deepEqual(follower.snapshot.costs.data, holder.snapshot.costs.data);
    assert.equal(follower.snapshot.rateLimits.data?.current.takenAt, holder.snapshot.rateLimits.data?.current.takenAt);
  });

  it('a crashed holder is taken over once its heartbeat is stale', async () => {
    const crashing: Lease = new FileLease(join(h.dir, 'lease.json'), 'A', h.sched);
    const a = await h.make('A', { lease: { id: 'A', tryAcquire: () => crashing.tryAcquire(), release: async () => {} } });
    const b = await h.make('B');
    await a.start();
    await b.start();
    await h.advance(0);
    assert.ok(a.isPolling && !b.isPolling);
    a.dispose(); // no release: like a killed window
    h.stores = [b];
    await b.setFocused(true);
    h.server.resetRequests();
    await h.advance(30_000);
    assert.equal(b.isPolling, false, 'not before the lease is stale');
    await h.advance(45_000);
    assert.equal(b.isPolling, true);
    await h.advance(10 * MIN);
    assert.ok(h.count(MESSAGES) >= 9 && h.count(MESSAGES) <= 11, `${h.count(MESSAGES)} probes after takeover`);
  });

  it('Refresh Now in a follower fetches once and the holder merges it', async () => {
    const a = await h.make('A');
    const b = await h.make('B');
    await a.start();
    await b.start();
    await h.advance(0);
    const follower = a.isPolling ? b : a;
    const holder = a.isPolling ? a : b;
    await h.advance(2 * MIN);
    h.server.resetRequests();
    await follower.refresh(['costs']);
    assert.equal(h.count(COST), 1);
    await h.advance(15_000);
    assert.equal(holder.snapshot.costs.fetchedAt, follower.snapshot.costs.fetchedAt);
  });

  it('rate limits are probed only while some window is focused', async () => {
    const store = await h.make('w1', { focused: false, settings: { rateLimits: { enabled: true, intervalSeconds: 30, model: 'claude-haiku-4-5' } } });
    await store.setFocused(false);
    await store.start();
    await h.advance(10 * MIN);
    assert.equal(h.count(MESSAGES), 0);
    const other = new FileFocus(join(h.dir, 'focus.json'), 'another-window', { clock: h.sched });
    await other.setFocused(true);
    await h.advance(MIN);
    assert.ok(h.count(MESSAGES) >= 1, 'resumes within a housekeeping period when another window gains focus');
    await store.setFocused(true);
    h.server.resetRequests();
    await h.advance(5 * MIN);
    assert.equal(h.count(MESSAGES), 10, 'every 30 s while focused');
  });

  it('a corrupt snapshot file starts empty; a removed admin key clears organization data', async () => {
    await writeFile(join(h.dir, 'snapshot.json'), '{"version":1,"costs":');
    const store = await h.make('w1');
    await store.start();
    await h.advance(0);
    assert.ok(store.snapshot.costs.data);
    h.keys = { api: h.keys.api, status: { api: 'secretStorage', admin: 'none' } };
    await store.keysChanged();
    assert.equal(store.snapshot.costs.data, undefined);
    assert.equal(store.snapshot.keys.admin, 'none');
    h.server.resetRequests();
    await h.advance(20 * MIN);
    assert.equal(h.count(COST), 0, 'no admin calls without an admin key');
  });

  it('history.days=90: cold fetches 90 analytics days and paginated reports; warm only the open day; 120 adds only the older days', async () => {
    const day = (ms: number, plus = 0) => new Date(ms + plus * 86_400_000).toISOString().slice(0, 10);
    const today = day(START);
    const store = await h.make('w1', { lease: null, settings: { historyDays: 90 } });
    await store.start();
    await h.advance(0);
    const ccDays = () => h.server.requests.filter((r) => r.path === CC).map((r) => new URLSearchParams(r.query).get('starting_at')!.slice(0, 10));
    const dailyUsage = () => h.server.requests.filter((r) => r.path === USAGE && new URLSearchParams(r.query).get('bucket_width') === '1d');
    assert.equal(h.count(CC), 90, 'one analytics request per day, cold');
    assert.equal(new Set(ccDays()).size, 90);
    assert.equal(store.snapshot.claudeCode.data!.since, day(START, -89));
    assert.equal(store.snapshot.costs.data!.since, day(START, -89));
    assert.equal(store.snapshot.tokens.data!.since, day(START, -89));
    assert.equal(h.count(COST), 3, '90 days of daily cost buckets are three pages of 31');
    assert.equal(dailyUsage().length, 3, '90 days of daily usage buckets are three pages of 31');
    const costPages = h.server.requests.filter((r) => r.path === COST).map((r) => new URLSearchParams(r.query));
    assert.equal(costPages.filter((q) => q.get('page')).length, 2, 'the second and third pages follow next_page');

    h.server.resetRequests();
    await h.advance(61 * MIN);
    assert.deepEqual(ccDays(), [today], 'warm: only the open day is asked again');

    h.server.resetRequests();
    store.updateSettings({ ...DEFAULT_STORE_SETTINGS, baseUrl: h.server.url, historyDays: 120 });
    await h.advance(0);
    const older = ccDays().filter((d) => d !== today);
    assert.equal(older.length, 30, 'a longer history fetches only the 30 days before the cached ones');
    assert.ok(older.every((d) => d >= day(START, -119) && d < day(START, -89)), older.join(','));
    for (const q of h.server.requests.filter((r) => r.path === COST).map((r) => new URLSearchParams(r.query))) {
      if (q.get('page')) continue;
      const since = q.get('starting_at')!.slice(0, 10);
      assert.ok(since === day(START, -119) || since === today, `cost request starts at a missing day: ${since}`);
    }
    assert.equal(store.snapshot.claudeCode.data!.since, day(START, -119));
    assert.equal(store.snapshot.costs.data!.since, day(START, -119));
  });

  it('settings apply without restart: a new model probes at once, a shorter interval takes effect', async () => {
    const store = await h.make('w1', { lease: null });
    await store.start();
    await h.advance(0);
    h.server.resetRequests();
    store.updateSettings({ ...DEFAULT_STORE_SETTINGS, baseUrl: h.server.url, rateLimits: { enabled: true, intervalSeconds: 15, model: 'claude-sonnet-4-6' } });
    await h.advance(0);
    assert.equal(h.count(MESSAGES), 1);
    assert.equal(store.snapshot.rateLimits.data?.current.model, 'claude-sonnet-4-6');
    await h.advance(MIN);
    assert.equal(h.count(MESSAGES), 5);
  });
});

describe('FileFocus (shared focus between windows)', () => {
  it('expires the entry of a window that stopped renewing it, e.g. one that crashed while focused', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'claude-usage-focus-'));
    try {
      let now = 0;
      const file = join(dir, 'focus.json');
      const crashed = new FileFocus(file, 'window-a', { clock: { now: () => now }, ttlMs: 45_000 });
      const other = new FileFocus(file, 'window-b', { clock: { now: () => now }, ttlMs: 45_000 });
      const observer = new FileFocus(file, 'window-c', { clock: { now: () => now }, ttlMs: 45_000 });
      await crashed.setFocused(true);
      assert.equal(await observer.anyFocused(), true, 'a fresh focus entry counts');
      now = 30_000;
      await crashed.renew();
      now = 70_000;
      assert.equal(await observer.anyFocused(), true, 'renewed 40 s ago: still focused');
      now = 80_000;
      assert.equal(await observer.anyFocused(), false, 'not renewed for 50 s (> 45 s): the window is gone');
      await other.setFocused(true);
      assert.equal(await observer.anyFocused(), true, 'another window taking focus counts again');
      await other.setFocused(false);
      assert.equal(await observer.anyFocused(), false, 'blur clears the entry it owns');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('FileLease (one polling window)', () => {
  it('windows taking over a free or stale lease at the same moment: exactly one wins', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'claude-usage-lease-'));
    try {
      const sched = new ManualScheduler(START);
      const file = join(dir, 'lease.json');
      for (let round = 0; round < 20; round++) {
        const leases = ['a', 'b', 'c', 'd', 'e'].map((id) => new FileLease(file, `${id}${round}`, sched));
        // A lease is never taken over at first sight (its holder's clock may be behind ours), and a window
        // that finds another one deciding (the lock) asks again at its next housekeeping tick: within a few
        // ticks exactly one wins, and never two.
        let won = await Promise.all(leases.map((l) => l.tryAcquire()));
        if (round > 0) assert.deepEqual(won, [false, false, false, false, false], `round ${round}: first sight`);
        for (let tick = 0; tick < 4 && !won.some(Boolean); tick++) {
          await sched.advance(15_000);
          won = await Promise.all(leases.map((l) => l.tryAcquire()));
        }
        assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${won.join(',')}`);
        // The winner keeps it while it renews; the others still cannot take it.
        const winner = leases[won.indexOf(true)]!;
        assert.equal(await winner.tryAcquire(), true);
        assert.deepEqual(await Promise.all(leases.filter((l) => l !== winner).map((l) => l.tryAcquire())), [false, false, false, false]);
        await sched.advance(46_000); // the holder stops renewing: stale for the next round
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a process clock far from the file system clock (pinned, or a VM whose clock jumped) still gives exactly one winner', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'claude-usage-lease-'));
    try {
      // A year ahead of the files' modification times: a rule that compared mtimes with this clock would
      // call every lock stale and let two windows decide at once.
      const clock = new ManualClock(Date.UTC(2027, 10, 30, 12));
      const file = join(dir, 'lease.json');
      for (let round = 0; round < 20; round++) {
        const leases = ['a', 'b', 'c', 'd', 'e'].map((id) => new FileLease(file, `${id}${round}`, clock));
        let won = await Promise.all(leases.map((l) => l.tryAcquire()));
        for (let tick = 0; tick < 4 && !won.some(Boolean); tick++) {
          clock.advance(15_000);
          won = await Promise.all(leases.map((l) => l.tryAcquire()));
        }
        assert.equal(won.filter(Boolean).length, 1, `round ${round}: ${won.join(',')}`);
        clock.advance(46_000);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a lock file left by a crash is removed once seen unchanged for 10 s of our own clock, never by its file time', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'claude-usage-lease-'));
    try {
      const clock = new ManualClock(Date.UTC(2030, 0, 1));
      const file = join(dir, 'lease.json');
      await writeFile(`${file}.lock`, JSON.stringify({ token: 'crashed:1', at: 0 }));
      const lease = new FileLease(file, 'w', clock);
      assert.equal(await lease.tryAcquire(), false, 'first sight of a lock: someone may be deciding');
      clock.advance(5_000);
      assert.equal(await lease.tryAcquire(), false, 'seen for 5 s: still respected');
      clock.advance(6_000);
      assert.equal(await lease.tryAcquire(), true, 'seen unchanged for 11 s: removed, lease taken');
      assert.equal(existsSync(`${file}.lock`), false, 'our own lock is gone after deciding');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('two windows whose clocks differ by an hour: never two holders; the other takes over when the holder stops', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'claude-usage-lease-'));
    try {
      const base = Date.UTC(2026, 11, 31, 23, 30);
      for (const [aheadName, skew] of [['A ahead', 3_600_000], ['A behind', -3_600_000]] as const) {
        const file = join(dir, `lease-${skew}.json`);
        const clockA = new ManualClock(base + skew);
        const clockB = new ManualClock(base);
        const a = new FileLease(file, 'A', clockA);
        const b = new FileLease(file, 'B', clockB);
        const tick = (ms: number) => {
          clockA.advance(ms);
          clockB.advance(ms);
        };
        let holders: string[] = [];
        // Both renew every 15 s for 10 minutes; at most one may hold after each housekeeping round, and
        // after the first round the holder never changes.
        let first: string | undefined;
        for (let i = 0; i < 40; i++) {
          const [ha, hb] = [await a.tryAcquire(), await b.tryAcquire()];
          holders = [ha ? 'A' : '', hb ? 'B' : ''].filter(Boolean);
          assert.ok(holders.length <= 1, `${aheadName}, round ${i}: ${holders.join('+')}`);
          const now = holders[0];
          if (i > 1 && now) {
            first ??= now;
            assert.equal(now, first, `${aheadName}, round ${i}: the lease moved while its holder was alive`);
          }
          tick(15_000);
        }
        // The holder stops renewing (crashed): the other takes over within the stale time plus a tick.
        const survivor = first === 'A' ? b : a;
        let tookOver = -1;
        for (let i = 0; i < 6 && tookOver < 0; i++) {
          if (await survivor.tryAcquire()) tookOver = i;
          tick(15_000);
        }
        assert.ok(tookOver >= 0, `${aheadName}: the survivor took over within 90 s`);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('Store: a transcript change during a local refresh', () => {
  it('is not lost: the store refreshes again right after the running refresh', async () => {
    const sched = new ManualScheduler(START);
    let runs = 0;
    let release: (() => void) | undefined;
    const localRunner = () =>
      new Promise<LocalUsageData>((resolve) => {
        runs++;
        release = () => resolve({ timezone: 'UTC', days: [], unpricedModels: [], skippedLines: 0, files: runs, roots: [] });
      });
    const store = new Store({ scheduler: sched, localRunner, settings: { ...DEFAULT_STORE_SETTINGS, local: { enabled: true } } });
    await store.start();
    await sched.advance(0);
    assert.equal(runs, 1, 'the first refresh runs');
    store.localChanged(); // an append while it runs
    release!();
    await store.whenIdle();
    await sched.advance(0);
    assert.equal(runs, 2, 'a second refresh follows at once, not after the 5-minute interval');
    release!();
    await store.whenIdle();
    await sched.advance(60_000);
    assert.equal(runs, 2, 'and then the interval applies again');
    store.dispose();
  });
});
