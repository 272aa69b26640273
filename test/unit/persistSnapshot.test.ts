/**
 * The shared snapshot written by what changed (issue 13, item 2): a small root (snapshot.json) naming
 * content-addressed heads and chunks in snapshot/. A probe writes a few kilobytes, a refresh that changes
 * nothing shared writes nothing, what is read back is exactly what was written (or nothing), windows never
 * replace newer data with older, unreferenced files are cleaned up, the one-file layout is still read.
 * And stale means stale (restored, merged and aging data).
 */
import assert from 'node:assert/strict';
import { readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock';
import { emptySnapshot, emptySource, type StoreSnapshot } from '../../src/core/model/snapshot';
import { collectGarbage } from '../../src/core/local/heap';
import { FileSnapshotPersistence } from '../../src/core/store/shared';
import { assertLedgerTotals, MIN, START, storeHarness, type StoreHarness } from './storeHarness';

interface Root {
  layout: number;
  sources: Record<string, { head: string; attemptedAt?: string }>;
}

async function files(dir: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const name of await readdir(join(dir, 'snapshot')).catch(() => [] as string[])) out.set(name, (await stat(join(dir, 'snapshot', name))).size);
  return out;
}

async function root(dir: string): Promise<Root> {
  return JSON.parse(await readFile(join(dir, 'snapshot.json'), 'utf8')) as Root;
}

/** The shared sources as a reader should get them back. */
function shared(s: StoreSnapshot): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['rateLimits', 'costs', 'tokens', 'claudeCode', 'labels', 'local'] as const) out[k] = s[k].data;
  return out;
}

/** A local day row, as the transcript engine reports it. */
const localRow = (date: string, output: number) => ({ date, project: '/p', model: 'claude-sonnet-4-6', input: 1, output, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd: '0.01' });

/** A snapshot whose only data is local usage with `days`, fetched now by `clock`. */
function localSnapshot(clock: ManualClock, days: ReturnType<typeof localRow>[]): StoreSnapshot {
  const at = new Date(clock.now()).toISOString();
  return { ...emptySnapshot(new Date(clock.now())), local: { ...emptySource(), data: { timezone: 'UTC', days, unpricedModels: [], skippedLines: 0, files: 1, roots: ['/r'] }, fetchedAt: at, attemptedAt: at } };
}

describe('The snapshot on disk, written by what changed (issue 13)', function () {
  this.timeout(120_000);
  let h: StoreHarness;
  beforeEach(async () => {
    h = await storeHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('a probe writes the root, the rate-limits head and one small chunk; labels fetched again unchanged write only a head', async () => {
    const store = await h.make('w1', { lease: null });
    await store.start();
    await h.advance(0);
    const before = await files(h.dir);
    const rootBefore = await stat(join(h.dir, 'snapshot.json'));
    assert.ok(rootBefore.size < 1024, `the root is small: ${rootBefore.size} bytes`);
    await h.advance(MIN); // one probe
    const after = await files(h.dir);
    const added = [...after].filter(([n]) => !before.has(n));
    const bytes = added.reduce((a, [, n]) => a + n, 0) + (await stat(join(h.dir, 'snapshot.json'))).size;
    assert.ok(added.length <= 2, `new files for one probe: ${added.length}`);
    assert.ok(bytes < 8 * 1024, `bytes for one probe: ${bytes}`);
    // Labels fetched again with the same content: a new head (its fetchedAt changed) and the root.
    const filesBefore = await files(h.dir);
    await store.refresh(['labels']);
    const added2 = [...(await files(h.dir))].filter(([n]) => !filesBefore.has(n));
    assert.equal(added2.length, 1, 'only a new labels head');
    assert.ok(added2[0]![1] < 4096, `the labels head: ${added2[0]![1]} bytes`);
  });

  it('a window whose shared sources did not change writes nothing (plan limits are read by every window)', async () => {
    const store = await h.make('w1', { lease: null });
    await store.start();
    await h.advance(0);
    const p = new FileSnapshotPersistence(join(h.dir, 'snapshot.json'), { clock: h.sched });
    const stamp = await p.stamp();
    // Saving the same shared state (any window, any number of times) is no write at all.
    assert.equal(await p.save(store.snapshot), 'unchanged');
    assert.equal(await p.stamp(), stamp);
  });

  it('what is read back is exactly what was written, and a follower reads only what changed', async () => {
    const store = await h.make('w1', { lease: null });
    await store.start();
    await h.advance(0);
    const reader = new FileSnapshotPersistence(join(h.dir, 'snapshot.json'), { clock: h.sched });
    const loaded = await reader.load();
    assert.ok(loaded);
    assert.deepEqual(shared(loaded), shared(store.snapshot));
    await h.advance(MIN);
    const again = await reader.load();
    assert.deepEqual(shared(again!), shared(store.snapshot));
    assert.equal(again!.costs, loaded.costs, 'an unchanged source is not read or checked again');
    assert.notEqual(again!.rateLimits, loaded.rateLimits);
  });

  it('unchanged local days are encoded once: a save with the same row objects writes only the changed day; a row added to a kept day is written', async () => {
    const dir = join(h.dir, 'memo');
    const clock = new ManualClock(START);
    const p = new FileSnapshotPersistence(join(dir, 'snapshot.json'), { clock });
    const days = [localRow('2026-11-01', 1), localRow('2026-11-02', 2), localRow('2026-11-03', 3)];
    const snap = (d: typeof days): StoreSnapshot => localSnapshot(clock, d);
    const back = async () => (await new FileSnapshotPersistence(join(dir, 'snapshot.json'), { clock }).load())?.local.data?.days;
    await p.save(snap(days));
    assert.deepEqual(await back(), days);
    const before = await files(dir);
    clock.advance(MIN);
    // The same objects for the first two days (a refresh after an append), and a new row on the last one.
    const next = [days[0]!, days[1]!, days[2]!, localRow('2026-11-03', 4)];
    await p.save(snap(next));
    assert.deepEqual(await back(), next);
    const added = [...(await files(dir)).keys()].filter((n) => !before.has(n));
    assert.equal(added.length, 2, `the last day's chunk and the head: ${added.join(', ')}`);
    // A kept run whose first row is the same object but whose rows changed in number is encoded again.
    clock.advance(MIN);
    const fewer = [days[0]!, days[1]!, days[2]!];
    await p.save(snap(fewer));
    assert.deepEqual(await back(), fewer);
  });

  it('restored data is let go once a save replaced it (a restart does not keep two copies of the local history)', async () => {
    const dir = join(h.dir, 'release');
    const clock = new ManualClock(START);
    const file = join(dir, 'snapshot.json');
    const snap = (days: ReturnType<typeof localRow>[]): StoreSnapshot => localSnapshot(clock, days);
    await new FileSnapshotPersistence(file, { clock }).save(snap([localRow('2026-11-01', 1), localRow('2026-11-02', 2)]));
    // A new session: the saved snapshot is loaded (restored), then the first refresh's data is saved over it.
    const p = new FileSnapshotPersistence(file, { clock });
    // (In a function of its own, so that no variable of this one holds the restored snapshot.)
    const restore = async () => {
      const restored = (await p.load())!;
      return { source: new WeakRef(restored.local), row: new WeakRef(restored.local.data!.days[0]!) };
    };
    const refs = await restore();
    clock.advance(MIN);
    const next = snap([localRow('2026-11-01', 1), localRow('2026-11-02', 3)]);
    assert.equal(await p.save(next), 'written');
    await new Promise((r) => setImmediate(r)); // WeakRefs are kept until the job that made them ends
    assert.ok(collectGarbage(), 'a full collection is available to tests');
    assert.equal(refs.source.deref(), undefined, 'the restored local source is not kept');
    assert.equal(refs.row.deref(), undefined, 'nor its rows (the chunk contents)');
    // What was saved reads back, in this instance and in another.
    assert.deepEqual((await p.load())!.local.data, next.local.data);
    assert.deepEqual((await new FileSnapshotPersistence(file, { clock }).load())!.local.data, next.local.data);
  });

  it('a chunk altered with a well-formed edit is discarded (its hash), logged once and fetched again', async () => {
    const first = await h.make('w1', { lease: null });
    await first.start();
    await h.advance(0);
    await h.closeAll();
    const r = await root(h.dir);
    const head = JSON.parse(await readFile(join(h.dir, 'snapshot', `${r.sources.costs!.head}.json`), 'utf8')) as { data: { rows: { $chunks: string[] } } };
    const chunkFile = join(h.dir, 'snapshot', `${head.data.rows.$chunks[3]}.json`);
    const rows = JSON.parse(await readFile(chunkFile, 'utf8')) as { amountUsd: string }[];
    rows[0]!.amountUsd = '1000000';
    await writeFile(chunkFile, JSON.stringify(rows));
    const second = await h.make('w2', { lease: null });
    let shown = false;
    second.onDidChange((s) => {
      if (s.costs.data?.rows.some((x) => x.amountUsd === '1000000')) shown = true;
    });
    await second.start();
    assert.equal(second.snapshot.costs.data, undefined, 'the altered costs are not shown');
    assert.ok(second.snapshot.tokens.data, 'the other sources are');
    await h.advance(0);
    assert.equal(shown, false);
    assertLedgerTotals(h.server, second.snapshot, 'after the altered chunk');
    assert.equal(h.log.filter((l) => l.level === 'warn' && l.message.includes(chunkFile)).length, 1);
  });

  it('a missing chunk: the source is fetched again', async () => {
    const first = await h.make('w1', { lease: null });
    await first.start();
    await h.advance(0);
    await h.closeAll();
    const r = await root(h.dir);
    const head = JSON.parse(await readFile(join(h.dir, 'snapshot', `${r.sources.claudeCode!.head}.json`), 'utf8')) as { data: { rows: { $chunks: string[] } } };
    await rm(join(h.dir, 'snapshot', `${head.data.rows.$chunks[0]}.json`));
    const second = await h.make('w2', { lease: null });
    await second.start();
    assert.equal(second.snapshot.claudeCode.data, undefined);
    await h.advance(0);
    assertLedgerTotals(h.server, second.snapshot, 'after the missing chunk');
  });

  it('several writers: per source the later attempt wins on disk too; a window that kept newer data loads it', async () => {
    const store = await h.make('w1', { lease: null });
    await store.start();
    await h.advance(0);
    const older = store.snapshot;
    await h.advance(16 * MIN); // costs and rate limits refreshed since
    const newer = store.snapshot;
    assert.ok(Date.parse(newer.costs.attemptedAt!) > Date.parse(older.costs.attemptedAt!));
    // Another window saves its older copy with newer labels: its labels win, nothing else moves back.
    const other = new FileSnapshotPersistence(join(h.dir, 'snapshot.json'), { clock: h.sched });
    const labels = { ...older.labels, attemptedAt: new Date(h.sched.now() + 1000).toISOString() };
    assert.equal(await other.save({ ...older, labels }), 'merged', 'it kept sources newer than its own: it should load them');
    const back = await new FileSnapshotPersistence(join(h.dir, 'snapshot.json'), { clock: h.sched }).load();
    assert.equal(back!.costs.attemptedAt, newer.costs.attemptedAt, 'the newer costs stayed');
    assert.equal(back!.rateLimits.attemptedAt, newer.rateLimits.attemptedAt);
    assert.equal(back!.labels.attemptedAt, labels.attemptedAt, 'the newer labels were written');
    // The first window's next save keeps the other's labels, and it follows them at its next look.
    await h.advance(MIN);
    await store.sharedChanged();
    assert.equal(store.snapshot.labels.attemptedAt, labels.attemptedAt);
  });

  it('a time in the future is not believed: it would win every merge and put off every fetch', async () => {
    const store = await h.make('w1', { lease: null });
    await store.start();
    await h.advance(0);
    await h.closeAll();
    const r = await root(h.dir);
    r.sources.costs!.attemptedAt = '2099-01-01T00:00:00.000Z';
    await writeFile(join(h.dir, 'snapshot.json'), JSON.stringify(r));
    // A writer ignores the future entry and writes its own.
    const p = new FileSnapshotPersistence(join(h.dir, 'snapshot.json'), { clock: h.sched });
    await p.save(store.snapshot);
    assert.equal((await root(h.dir)).sources.costs!.attemptedAt, store.snapshot.costs.attemptedAt);
    // A head whose fetchedAt is in the future is discarded on load (and the source fetched now).
    const headFile = join(h.dir, 'snapshot', `${(await root(h.dir)).sources.tokens!.head}.json`);
    const head = JSON.parse(await readFile(headFile, 'utf8')) as { fetchedAt: string };
    head.fetchedAt = '2099-01-01T00:00:00.000Z';
    const { createHash } = await import('node:crypto');
    const text = JSON.stringify(head);
    const hash = createHash('sha256').update(text).digest('hex').slice(0, 24);
    await writeFile(join(h.dir, 'snapshot', `${hash}.json`), text);
    const r2 = await root(h.dir);
    r2.sources.tokens!.head = hash;
    await writeFile(join(h.dir, 'snapshot.json'), JSON.stringify(r2));
    const second = await h.make('w2', { lease: null });
    await second.start();
    assert.equal(second.snapshot.tokens.data, undefined);
    assert.ok(h.log.some((l) => l.level === 'warn' && l.message.includes('in the future')));
    await h.advance(0);
    assert.ok(second.snapshot.tokens.data, 'fetched at once, not in 2099');
  });

  it('unreferenced files are removed an hour after; referenced and recent ones stay', async () => {
    const clock = new ManualClock(START);
    const p = new FileSnapshotPersistence(join(h.dir, 'snapshot.json'), { clock });
    const store = await h.make('w1', { lease: null });
    await store.start();
    await h.advance(0);
    await h.closeAll();
    await p.load();
    assert.equal(await p.save({ ...store.snapshot, labels: { ...store.snapshot.labels } }), 'unchanged');
    // Three files nobody references: two old, one new.
    const old = new Date(Date.parse('2000-01-01T00:00:00Z'));
    for (const name of ['aaaaaaaaaaaaaaaaaaaaaaaa.json', 'bbbbbbbbbbbbbbbbbbbbbbbb.json', 'cccccccccccccccccccccccc.json']) await writeFile(join(h.dir, 'snapshot', name), '[]');
    for (const name of ['aaaaaaaaaaaaaaaaaaaaaaaa.json', 'bbbbbbbbbbbbbbbbbbbbbbbb.json']) await utimes(join(h.dir, 'snapshot', name), old, old);
    // A referenced file, however old, stays.
    const costsHead = `${(await root(h.dir)).sources.costs!.head}.json`;
    await utimes(join(h.dir, 'snapshot', costsHead), old, old);
    clock.advance(20 * MIN);
    const later = { ...store.snapshot, labels: { ...store.snapshot.labels, attemptedAt: new Date(START + 20 * MIN).toISOString() } };
    assert.equal(await p.save(later), 'written');
    const left = await files(h.dir);
    assert.ok(!left.has('aaaaaaaaaaaaaaaaaaaaaaaa.json') && !left.has('bbbbbbbbbbbbbbbbbbbbbbbb.json'), 'old unreferenced files removed');
    assert.ok(left.has('cccccccccccccccccccccccc.json'), 'a recent unreferenced file stays (another window may be about to name it)');
    assert.ok(left.has(costsHead), 'an old referenced file stays');
    const reread = await new FileSnapshotPersistence(join(h.dir, 'snapshot.json'), { clock: h.sched }).load();
    assert.ok(reread?.costs.data && reread.tokens.data && reread.claudeCode.data, 'everything still reads back');
  });

  it('a removed Admin key clears the organization data on disk too (a restart does not show it)', async () => {
    const store = await h.make('w1', { lease: null });
    await store.start();
    await h.advance(1000);
    h.keys = { status: { api: 'none', admin: 'none' } };
    await store.keysChanged();
    await store.whenIdle();
    await h.closeAll();
    const second = await h.make('w2', { lease: null });
    await second.start();
    for (const s of ['costs', 'tokens', 'claudeCode', 'labels', 'rateLimits'] as const) assert.equal(second.snapshot[s].data, undefined, `${s} after the keys were removed`);
  });

  it('the one-file snapshot of earlier versions is read (checked), and the next write replaces it with the root', async () => {
    const store = await h.make('w1', { lease: null });
    await store.start();
    await h.advance(0);
    await h.closeAll();
    const s = store.snapshot;
    const legacy = { ...s, rateLimits: { ...s.rateLimits, loading: false }, local: emptySource() } as Partial<StoreSnapshot>;
    delete legacy.plan;
    await rm(join(h.dir, 'snapshot'), { recursive: true });
    await writeFile(join(h.dir, 'snapshot.json'), JSON.stringify(legacy));
    const second = await h.make('w2', { lease: null });
    await second.start();
    assert.deepEqual(second.snapshot.costs.data, s.costs.data);
    h.server.resetRequests();
    await h.advance(MIN);
    assert.equal((await root(h.dir)).layout, 2);
    const back = await new FileSnapshotPersistence(join(h.dir, 'snapshot.json'), { clock: h.sched }).load();
    assert.deepEqual(back!.costs.data, s.costs.data);
  });
});

describe('Stale means stale (issue 13)', function () {
  this.timeout(120_000);
  let h: StoreHarness;
  beforeEach(async () => {
    h = await storeHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('restored data older than twice its interval is stale; younger is not', async () => {
    const first = await h.make('w1', { lease: null });
    await first.start();
    await h.advance(0);
    await h.closeAll();
    await h.sched.advance(20 * MIN);
    const second = await h.make('w2', { lease: null, focused: false });
    const seen: StoreSnapshot[] = [];
    second.onDidChange((s) => seen.push(s));
    await second.start();
    const restored = seen[0]!;
    assert.equal(restored.rateLimits.stale, true, 'the probe from 20 minutes ago (interval 1 min)');
    assert.equal(restored.costs.stale, false, 'costs from 20 minutes ago (interval 15 min)');
    assert.equal(restored.claudeCode.stale, false);
  });

  it('data that ages without a new attempt (no window focused) turns stale; a new probe makes it fresh', async () => {
    const store = await h.make('w1');
    await store.start();
    await h.advance(0);
    assert.equal(store.snapshot.rateLimits.stale, false);
    await store.setFocused(false);
    await h.advance(MIN + 1000);
    assert.equal(store.snapshot.rateLimits.stale, false, 'one interval: not yet');
    await h.advance(2 * MIN);
    assert.equal(store.snapshot.rateLimits.stale, true, 'no probe for three minutes (interval 1 min): stale');
    assert.equal(store.snapshot.rateLimits.error, undefined, 'stale without an error: just old');
    await store.setFocused(true);
    await h.advance(MIN);
    assert.equal(store.snapshot.rateLimits.stale, false);
  });

  it("a follower merging a crashed holder's old data marks it stale by its age", async () => {
    const first = await h.make('w1', { lease: null });
    await first.start();
    await h.advance(0);
    await h.closeAll();
    const follower = await h.make('w2', { focused: false });
    await h.sched.advance(5 * MIN);
    await follower.start();
    assert.equal(follower.snapshot.rateLimits.stale, true);
    assert.equal(follower.snapshot.costs.stale, false);
  });
});
