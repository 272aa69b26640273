/**
 * Saved state is read back with the same rigour as an API response (issue 13, item 1): a file of the wrong
 * shape is discarded, logged once with its name, what it held is fetched again, and nothing of it reaches
 * the snapshot, the views or the saved state.
 */
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { storeHarness, assertLedgerTotals, MIN, START, type StoreHarness } from './storeHarness';

const COST = '/v1/organizations/cost_report';
const day = (n: number): string => new Date(START + n * 86_400_000).toISOString().slice(0, 10);

async function costsCacheFile(dir: string, d: string): Promise<string> {
  const ns = (await readdir(join(dir, 'days'))).find((n) => n.startsWith('costs-'));
  assert.ok(ns, 'the costs day cache exists');
  return join(dir, 'days', ns, `${d}.json`);
}

describe('Saved state of the wrong shape (issue 13)', function () {
  this.timeout(60_000);
  let h: StoreHarness;
  beforeEach(async () => {
    h = await storeHarness();
  });
  afterEach(async () => {
    await h.close();
  });

  it('a cached day {"v":1,"day":…,"data":"garbage"} is discarded, logged once with its file name and fetched again', async () => {
    const first = await h.make('w1', { lease: null });
    await first.start();
    await h.advance(0);
    assertLedgerTotals(h.server, first.snapshot, 'first start');
    await h.closeAll();

    const bad = day(-1);
    const file = await costsCacheFile(h.dir, bad);
    await writeFile(file, JSON.stringify({ v: 1, day: bad, data: 'garbage' }));

    // Another window starts; the next cost refresh reads past days from the cache.
    const second = await h.make('w2', { lease: null });
    await second.start();
    h.server.resetRequests();
    await h.advance(16 * MIN);
    await second.refresh(['costs']);
    const s = second.snapshot;
    assert.equal(s.costs.loading, false);
    assert.equal(s.costs.error, undefined);
    assertLedgerTotals(h.server, s, 'after the garbage day');
    const asked = h.server.requests.filter((r) => r.path === COST).map((r) => new URLSearchParams(r.query).get('starting_at')!.slice(0, 10));
    assert.ok(asked.includes(bad), `the discarded day is fetched again: ${asked.join(', ')}`);
    const errors = h.log.filter((l) => l.level === 'error');
    assert.deepEqual(errors, [], 'no listener threw');
    const warned = h.log.filter((l) => l.level === 'warn' && l.message.includes(file));
    assert.equal(warned.length, 1, `logged once with the file name: ${JSON.stringify(h.log.filter((l) => l.level === 'warn'))}`);
    // The refetched day replaced the garbage on disk.
    const fixed = JSON.parse(await readFile(file, 'utf8')) as { data: unknown };
    assert.ok(Array.isArray(fixed.data), 'the cache file holds rows again');
  });

  it('a saved snapshot with a row of the wrong shape is not merged: the source is fetched again', async () => {
    const first = await h.make('w1', { lease: null });
    await first.start();
    await h.advance(0);
    const good = first.snapshot;
    await h.closeAll();
    // What an earlier version saved (one snapshot.json) with one bad row in it.
    const legacy = {
      ...good,
      rateLimits: { ...good.rateLimits, loading: false },
      costs: { ...good.costs, data: { ...good.costs.data!, rows: [...good.costs.data!.rows, 'garbage'] } },
    };
    delete (legacy as Partial<typeof legacy>).plan;
    await writeFile(join(h.dir, 'snapshot.json'), JSON.stringify(legacy));
    const second = await h.make('w2', { lease: null });
    let sawBad = false;
    second.onDidChange((s) => {
      if (s.costs.data?.rows.some((r) => typeof r !== 'object')) sawBad = true;
    });
    await second.start();
    assert.equal(sawBad, false, 'the bad row never reached a view');
    assert.ok(second.snapshot.tokens.data, 'the valid sources are kept');
    await h.advance(0);
    assertLedgerTotals(h.server, second.snapshot, 'after the bad snapshot');
    assert.deepEqual(h.log.filter((l) => l.level === 'error'), []);
    assert.equal(h.log.filter((l) => l.level === 'warn' && l.message.includes('snapshot')).length, 1);
  });
});
