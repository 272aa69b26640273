/**
 * Property tests for every file the store persists (issue 13, item 1): a saved file replaced by a JSON value
 * of the wrong shape (a value of another type anywhere inside it, a missing key, a string that is not what
 * the field holds, any JSON value, random bytes) never reaches the snapshot or the views, is logged at most
 * once, and after the next refresh every total equals the local server's ledger.
 * Files: each day-cache namespace, the snapshot's root, heads and chunks, the previous one-file snapshot,
 * the lease and focus. (The plan-limits state file has its own property test in plan.test.ts.)
 * PERSIST_RUNS sets the number of cases per file (default 4), PERSIST_SEED the seed (default 13).
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { check, type Shape } from '../../src/core/model/shape';
import { SHARED_SOURCE_SHAPES } from '../../src/core/model/shapes';
import { SHARED_SOURCES, WINDOW_SOURCES, type StoreSnapshot } from '../../src/core/model/snapshot';
import { FileLease } from '../../src/core/store/shared';
import { assertLedgerTotals, START, storeHarness, type StoreHarness } from './storeHarness';

const RUNS = Number(process.env.PERSIST_RUNS ?? 4);
const day = (n: number): string => new Date(START + n * 86_400_000).toISOString().slice(0, 10);

type Path = (string | number)[];

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Every path inside a JSON value (the value itself first), at most `max` of them, spread over the whole value. */
function paths(v: unknown, max = 4000): { values: Path[]; keys: Path[] } {
  const values: Path[] = [];
  const keys: Path[] = [];
  const walk = (x: unknown, p: Path): void => {
    values.push(p);
    if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...p, i]));
    else if (x && typeof x === 'object')
      for (const [k, y] of Object.entries(x)) {
        keys.push([...p, k]);
        walk(y, [...p, k]);
      }
  };
  walk(v, []);
  const thin = (list: Path[]): Path[] => (list.length <= max ? list : list.filter((_, i) => i % Math.ceil(list.length / max) === 0));
  return { values: thin(values), keys: thin(keys) };
}

function edit(v: unknown, path: Path, f: (parent: Record<string | number, unknown>, key: string | number) => void): unknown {
  const copy = structuredClone(v) as Record<string | number, unknown>;
  if (path.length === 0) return v;
  let parent = copy;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  f(parent, path[path.length - 1]!);
  return copy;
}

const WRONG_STRINGS = ['garbage', '', '2026-13-45', 'NaN', '1e999', '-', '12,5', ' 2026-11-20', 'null', '[]'];

/** File contents of the wrong shape, derived from a valid file's JSON value. */
function wrongShape(valid: unknown): fc.Arbitrary<string | Uint8Array> {
  const { values, keys } = paths(valid);
  const stringPaths = values.filter((p) => {
    let x: unknown = valid;
    for (const k of p) x = (x as Record<string | number, unknown>)[k];
    return typeof x === 'string';
  });
  const at = (p: Path): unknown => p.reduce<unknown>((x, k) => (x as Record<string | number, unknown>)[k], valid);
  const arbs: fc.WeightedArbitrary<string | Uint8Array>[] = [
    // A value of another type somewhere inside.
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.constantFrom(...values), fc.jsonValue({ maxDepth: 2 }))
        .filter(([p, x]) => kindOf(at(p)) !== kindOf(x))
        .map(([p, x]) => JSON.stringify(p.length ? edit(valid, p, (o, k) => void (o[k] = x)) : x)),
    },
    // Any JSON value instead of the file, and random bytes.
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((x) => JSON.stringify(x) ?? 'null') },
    { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
  ];
  if (keys.length) arbs.push({ weight: 3, arbitrary: fc.constantFrom(...keys).map((p) => JSON.stringify(edit(valid, p, (o, k) => void delete o[k]))) });
  if (stringPaths.length) {
    arbs.push({
      weight: 3,
      arbitrary: fc.tuple(fc.constantFrom(...stringPaths), fc.constantFrom(...WRONG_STRINGS)).map(([p, x]) => JSON.stringify(edit(valid, p, (o, k) => void (o[k] = x)))),
    });
  }
  return fc.oneof(...arbs);
}

interface Target {
  /** The file to replace, relative to the storage folder. */
  file: string;
  /** Its valid content. */
  valid: unknown;
  /** What each shared source shows when read from the valid file (default: what the first window saved). */
  saved?: Partial<StoreSnapshot>;
  /** The file has no checksum (the previous one-file snapshot): an edit that keeps every shape may show. */
  unsummed?: boolean;
}

interface Fixture {
  h: StoreHarness;
  /** The storage folder as the first window left it (restored before every case). */
  pristine: string;
  snapshot: StoreSnapshot;
  /** Files a case replaced (put back before the next one). */
  touched: Set<string>;
}

async function fixture(): Promise<Fixture> {
  const h = await storeHarness();
  const first = await h.make('w0', { lease: null });
  await first.start();
  await h.advance(0);
  const snapshot = first.snapshot;
  await h.closeAll();
  const pristine = await mkdtemp(join(tmpdir(), 'cu-pristine-'));
  await cp(h.dir, pristine, { recursive: true });
  return { h, pristine, snapshot, touched: new Set() };
}

/** Puts back what a case may have changed: the target, the snapshot root (a case's window saves a new one,
 *  next to the pristine heads and chunks, which stay), the lease and focus. Day files a case rewrote hold
 *  the same rows again. */
async function restore(f: Fixture): Promise<void> {
  for (const file of new Set([...f.touched, 'snapshot.json', 'lease.json', 'focus.json'])) {
    await rm(join(f.h.dir, file), { force: true });
    if (existsSync(join(f.pristine, file))) await cp(join(f.pristine, file), join(f.h.dir, file));
  }
  f.touched.clear();
}

async function readJsonFile(file: string): Promise<unknown> {
  return JSON.parse(await readFile(file, 'utf8')) as unknown;
}

async function dayFile(dir: string, ns: string, d: string): Promise<string> {
  const folder = (await readdir(join(dir, 'days'))).find((n) => n.startsWith(`${ns}-`));
  assert.ok(folder, `the ${ns} day cache exists`);
  return join('days', folder, `${d}.json`);
}

/** One case: the target replaced, a window starts and refreshes; nothing invalid shows, the totals are the ledger's. */
async function runCase(f: Fixture, target: Target, content: string | Uint8Array, withLease: boolean): Promise<void> {
  const { h } = f;
  await restore(f);
  h.log.length = 0;
  f.touched.add(target.file);
  await writeFile(join(h.dir, target.file), content);
  const store = await h.make('w1', withLease ? {} : { lease: null });
  try {
    await store.start();
    const errors = (): string[] => h.log.filter((l) => l.level === 'error').map((l) => l.message);
    assert.deepEqual(errors(), [], 'nothing threw at start-up');
    // What the views got from disk is exactly what was saved, or nothing.
    for (const s of SHARED_SOURCES) {
      if (WINDOW_SOURCES.includes(s)) continue;
      const shown = store.snapshot[s];
      if (shown.data === undefined) continue;
      if (target.unsummed) {
        const c = check(SHARED_SOURCE_SHAPES[s as keyof typeof SHARED_SOURCE_SHAPES] as Shape<unknown>, shown);
        assert.ok(c.ok, `${s} shown from disk has its shape: ${c.ok ? '' : c.error.message}`);
      } else {
        assert.deepEqual(shown.data, (target.saved ?? f.snapshot)[s]?.data, `${s} shown from disk is what was saved`);
      }
    }
    await store.refresh(['costs', 'tokens', 'claudeCode']);
    assert.deepEqual(errors(), [], 'nothing threw');
    assertLedgerTotals(h.server, store.snapshot, target.file);
    for (const s of SHARED_SOURCES) {
      if (WINDOW_SOURCES.includes(s)) continue;
      const c = check(SHARED_SOURCE_SHAPES[s as keyof typeof SHARED_SOURCE_SHAPES] as Shape<unknown>, store.snapshot[s]);
      assert.ok(c.ok, `${s} after refresh: ${c.ok ? '' : c.error.message}`);
    }
    const warnings = h.log.filter((l) => l.level === 'warn' && l.message.includes(join(h.dir, target.file)));
    assert.ok(warnings.length <= 1, `logged at most once: ${warnings.map((w) => w.message).join(' | ')}`);
  } finally {
    await h.closeAll();
  }
}

async function property(f: Fixture, target: Target, withLease = false): Promise<void> {
  await fc.assert(
    fc.asyncProperty(wrongShape(target.valid), (content) => runCase(f, target, content, withLease)),
    { numRuns: RUNS, seed: Number(process.env.PERSIST_SEED ?? 13), endOnFailure: true },
  );
}

describe('Every persisted file of the wrong shape (property, issue 13)', function () {
  this.timeout(300_000);
  let f: Fixture;
  before(async () => {
    f = await fixture();
  });
  after(async () => {
    await f.h.close();
    await rm(f.pristine, { recursive: true, force: true });
  });

  for (const [ns, d] of [
    ['costs', day(-3)],
    ['tokens1d', day(-3)],
    ['tokens1h', day(-2)],
    ['claudeCode', day(-3)],
  ] as const) {
    it(`day cache: days/${ns}-…/<day>.json`, async () => {
      const file = await dayFile(f.pristine, ns, d);
      await property(f, { file, valid: await readJsonFile(join(f.pristine, file)) });
    });
  }

  it('snapshot root: snapshot.json', async () => {
    await property(f, { file: 'snapshot.json', valid: await readJsonFile(join(f.pristine, 'snapshot.json')) });
  });

  it('snapshot heads and chunks: snapshot/<hash>.json', async () => {
    const root = (await readJsonFile(join(f.pristine, 'snapshot.json'))) as { sources: Record<string, { head: string }> };
    const files: string[] = [];
    for (const { head } of Object.values(root.sources)) {
      files.push(head);
      const v = (await readJsonFile(join(f.pristine, 'snapshot', `${head}.json`))) as { data?: Record<string, { $chunks?: string[] }> };
      for (const x of Object.values(v.data ?? {})) if (x && typeof x === 'object' && '$chunks' in x) files.push(...(x.$chunks ?? []).slice(-2));
    }
    assert.ok(files.length > 8, `heads and chunks: ${files.length}`);
    const targets = await Promise.all(files.map(async (h) => ({ file: join('snapshot', `${h}.json`), valid: await readJsonFile(join(f.pristine, 'snapshot', `${h}.json`)) })));
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...targets).chain((t) => wrongShape(t.valid).map((content) => ({ t, content }))),
        ({ t, content }) => runCase(f, t, content, false),
      ),
      { numRuns: RUNS * 2, seed: Number(process.env.PERSIST_SEED ?? 13), endOnFailure: true },
    );
  });

  it('the previous one-file snapshot.json ("version": 1)', async () => {
    const legacy = { ...f.snapshot, rateLimits: { ...f.snapshot.rateLimits, loading: false } } as Partial<StoreSnapshot>;
    delete legacy.plan;
    // Only shared sources: keep the case small (the costs rows are the big part; their shapes are covered above).
    const small = { ...legacy, costs: { ...legacy.costs!, data: { ...legacy.costs!.data!, rows: legacy.costs!.data!.rows.slice(-40) } } };
    await property(f, { file: 'snapshot.json', valid: small, unsummed: true });
  });

  it('lease.json', async () => {
    await property(f, { file: 'lease.json', valid: { holder: 'another-window', heartbeatAt: START, seq: 3 } }, true);
  });

  it('focus.json', async () => {
    await property(f, { file: 'focus.json', valid: { window: 'another-window', at: START } }, true);
  });
});

describe('lease file of the wrong shape', () => {
  it('counts as free and is logged once', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'cu-lease-'));
    try {
      const file = join(dir, 'lease.json');
      await writeFile(file, JSON.stringify({ holder: 7, heartbeatAt: 'soon' }));
      const warned: string[] = [];
      const lease = new FileLease(file, 'me', { now: () => START });
      lease.attach({ log: { warn: (m) => warned.push(m) }, clock: { now: () => START } });
      assert.equal(await lease.tryAcquire(), true);
      await writeFile(file, JSON.stringify({ holder: 7, heartbeatAt: 'soon' }));
      assert.equal(await lease.tryAcquire(), true);
      assert.equal(warned.length, 2, 'a file broken again after a good read is news again');
      assert.ok(warned[0]!.includes(file) && warned[0]!.includes('holder'), warned[0]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
