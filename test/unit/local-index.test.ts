// The persistent index (issue 15): writes proportional to change (journal batches, compaction), sharing one
// index between processes (the extension's worker, another window, `claude-usage local --index`), torn
// writes, locks, and history kept from transcripts that are gone (issue 13 item 4).
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createRequire } from 'node:module';
import * as vm from 'node:vm';
import { constants as perfConstants, PerformanceObserver } from 'node:perf_hooks';
import fc from 'fast-check';
import { generate } from '../../bench/local/generate';
import { main } from '../../src/cli';
import { Decimal } from '../../src/core/decimal';
import { Debouncer } from '../../src/core/local/debounce';
import { collectGarbage, IdleCollector, SHRINK_YOUNG_TRIES, youngGenerationBytes, type Collection } from '../../src/core/local/heap';
import { FileTable, type FileState } from '../../src/core/local/fileTable';
import { headerRegion, indexFile, IndexStore, readHeaderRegion, type SavedDir } from '../../src/core/local/transcriptIndex';
import { fnv1a32 } from '../../src/core/local/hash';
import type { Ledger } from '../../src/core/local/ledger';
import { listTranscripts } from '../../src/core/local/discovery';
import { LocalUsageEngine, RELOAD_AFTER_BASE } from '../../src/core/local/service';
import { emptySnapshot, type LocalUsageData, type StoreSnapshot } from '../../src/core/model/snapshot';
import { missingText } from '../../src/core/model/facts';
import { usdEstimate } from '../../src/core/model/format';
import { localTree } from '../../src/core/viewModels/tree';
import { localView } from '../../src/core/dashboard/tabs/local';
import { resolveRange } from '../../src/core/dashboard/view';
import { makeClaudeHome } from '../fixtures/makeClaudeHome';

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});
function tmpdir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-index-'));
  made.push(d);
  return d;
}

const NOW = () => new Date('2026-11-27T12:00:00Z');
const engine = (root: string, idx: string, extra: Partial<ConstructorParameters<typeof LocalUsageEngine>[0]> = {}) => new LocalUsageEngine({ roots: [root], indexDir: idx, timezone: 'UTC', now: NOW, ...extra });
const totals = (d: LocalUsageData) => ({ days: d.days, skipped: d.skipped });

/** A response line in Claude Code's shape, about 1.5 KB like the measurement. */
function response(n: number): string {
  return JSON.stringify({
    parentUuid: 'p',
    isSidechain: false,
    userType: 'external',
    cwd: '/home/dev/shop-1',
    sessionId: 'live',
    version: '2.1.140',
    gitBranch: 'main',
    message: { model: 'claude-sonnet-4-6', id: `msg_live_${n}`, type: 'message', role: 'assistant', content: [{ type: 'text', text: 'x'.repeat(1000) }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, cache_creation_input_tokens: 100, cache_read_input_tokens: 20000, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 100 }, output_tokens: 250, service_tier: 'standard' } },
    requestId: `req_live_${n}`,
    type: 'assistant',
    uuid: 'u',
    timestamp: new Date(Date.parse('2026-11-27T11:00:00Z') + n * 1000).toISOString(),
  });
}

describe('local index: writes proportional to change', () => {
  it('an appended line adds one small journal batch, not a rewrite (and equals a cold scan)', function () {
    this.timeout(60_000);
    const d = tmpdir();
    generate({ sizeMb: 8, seed: 3, out: d });
    const root = path.join(d, 'projects');
    const idx = path.join(d, 'idx');
    const e = engine(root, idx);
    const first = e.refreshSync();
    assert.equal(first.stats.save.mode, 'base');
    const baseBytes = first.stats.save.bytes;
    const target = listTranscripts(root)[0]!.path;
    const per: number[] = [];
    for (let n = 0; n < 20; n++) {
      fs.appendFileSync(target, `${response(n)}\n`);
      const r = e.refreshSync();
      assert.equal(r.stats.save.mode, 'journal');
      per.push(r.stats.save.bytes);
    }
    assert.ok(Math.max(...per) < 2048, `journal bytes per appended line: ${per.join(', ')} (base ${baseBytes})`);
    // Nothing changed: nothing written.
    assert.equal(e.refreshSync().stats.save.mode, 'unchanged');
    const fresh = engine(root, idx).refreshSync();
    assert.equal(fresh.stats.bytesRead, 0);
    assert.deepStrictEqual(totals(fresh.data), totals(new LocalUsageEngine({ roots: [root], timezone: 'UTC', now: NOW }).refreshSync().data));
  });

  it('compacts once the tables outgrow the base’s, so that no process grows them again while loading', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, NOW());
    const idx = path.join(d, 'idx');
    const roots = [h.projectsDir];
    const e = engine(h.projectsDir, idx);
    assert.equal(e.refreshSync().stats.save.mode, 'base');
    const target = listTranscripts(h.projectsDir)[0]!.path;
    /** Table slots a fresh process loads from the base, and holds after replaying the journal. */
    const load = () => {
      const base = fs.readFileSync(indexFile(idx, roots));
      const header = readHeaderRegion(new Uint8Array(base.subarray(24, 24 + base.readUInt32LE(12))))!.h;
      const r = new IndexStore(idx, roots, () => NOW().getTime()).load();
      assert.ok(r.state, 'the index loads');
      const t = r.state.ledger.tables();
      return { base: header.keysLen + header.idsLen, loaded: t.keys.length + t.ids.length };
    };
    const modes: string[] = [];
    let n = 0;
    // 1,200 new messages in batches of 100: the tables (1,024 slots each at first) must grow on the way.
    for (let batch = 0; batch < 12; batch++) {
      fs.appendFileSync(target, `${Array.from({ length: 100 }, () => response(n++)).join('\n')}\n`);
      modes.push(e.refreshSync().stats.save.mode);
      const slots = load();
      assert.equal(slots.loaded, slots.base, `batch ${batch}: a fresh load grew the tables (${modes.join(',')})`);
    }
    // Once (the growth), not more: the journal (under 1 MiB here) did not need compacting otherwise.
    assert.deepEqual(
      modes.filter((m) => m === 'base'),
      ['base'],
      modes.join(','),
    );
    assert.ok(load().base > 2048, 'the tables grew');
    assert.deepStrictEqual(totals(engine(h.projectsDir, idx).refreshSync().data), totals(new LocalUsageEngine({ roots, timezone: 'UTC', now: NOW }).refreshSync().data));
  });

  it('compacts the journal into a new base once it holds more records than a later load should replay', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, NOW());
    const idx = path.join(d, 'idx');
    const roots = [h.projectsDir];
    const e = engine(h.projectsDir, idx, { indexCompactRecords: 120 });
    assert.equal(e.refreshSync().stats.save.mode, 'base');
    const target = listTranscripts(h.projectsDir)[0]!.path;
    const journal = indexFile(idx, roots).replace(/\.bin$/, '.journal');
    const modes: string[] = [];
    let n = 0;
    // Batches of 50 new messages: two fit in the journal (100 records), a third would make it 150 (and
    // 450 in all stay below where the tables would grow, which compacts too).
    for (let batch = 0; batch < 7; batch++) {
      fs.appendFileSync(target, `${Array.from({ length: 50 }, () => response(n++)).join('\n')}\n`);
      modes.push(e.refreshSync().stats.save.mode);
    }
    assert.deepEqual(modes, ['journal', 'journal', 'base', 'journal', 'journal', 'base', 'journal'], 'by records, not bytes (the journal stays far under 1 MiB)');
    assert.ok(fs.statSync(journal).size < 1 << 20);
    // A process that loaded the index counts the records it replayed (50): its next batch still fits (100),
    // the one after compacts.
    const other = engine(h.projectsDir, idx, { indexCompactRecords: 120 });
    other.refreshSync();
    const more: string[] = [];
    for (let batch = 0; batch < 2; batch++) {
      fs.appendFileSync(target, `${Array.from({ length: 50 }, () => response(n++)).join('\n')}\n`);
      more.push(other.refreshSync().stats.save.mode);
    }
    assert.deepEqual(more, ['journal', 'base']);
    assert.deepStrictEqual(totals(engine(h.projectsDir, idx).refreshSync().data), totals(new LocalUsageEngine({ roots, timezone: 'UTC', now: NOW }).refreshSync().data));
  });

  it('a load puts back the table slots each journal batch carries (the writer’s tables exactly); a batch whose tables were of other lengths has its entries found their places one by one', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, NOW());
    const idx = path.join(d, 'idx');
    const roots = [h.projectsDir];
    const e = engine(h.projectsDir, idx);
    e.refreshSync();
    if (process.platform !== 'win32') {
      // The base just written, loaded with its records left in the file: none in memory (its last page holds
      // fewer than 64 records; counted as whole pages this once came out below zero).
      const base = new IndexStore(idx, roots, () => NOW().getTime()).load().state!.ledger;
      assert.ok(base.count % 64 !== 0);
      assert.deepStrictEqual(base.resident(), { records: 0, of: base.count });
      base.release();
    }
    // (Files that end with a whole line: appending to one that ends mid-line would change that line.)
    const files = listTranscripts(h.projectsDir).map((f) => f.path).filter((f) => fs.readFileSync(f).at(-1) === 0x0a);
    let n = 0;
    for (let batch = 0; batch < 3; batch++) {
      fs.appendFileSync(files[batch % files.length]!, `${Array.from({ length: 40 }, () => response(n++)).join('\n')}\n`);
      // Copies of messages already indexed (a new file's streamed copies): slots of old entries written again.
      fs.appendFileSync(files[(batch + 1) % files.length]!, `${response(n - 7)}\n${response(n - 39)}\n`);
      assert.equal(e.refreshSync().stats.save.mode, 'journal');
    }
    const writer = (e as unknown as { state: { ledger: Ledger } }).state.ledger.tables();
    const tablesOf = () => {
      const r = new IndexStore(idx, roots, () => NOW().getTime()).load();
      assert.ok(r.state, 'the index loads');
      const t = r.state.ledger.tables();
      return { keys: [...t.keys], ids: [...t.ids], keysSize: t.keysSize, idsSize: t.idsSize };
    };
    const expected = { keys: [...writer.keys], ids: [...writer.ids], keysSize: writer.keysSize, idsSize: writer.idsSize };
    assert.deepStrictEqual(tablesOf(), expected);
    // Each batch's table lengths rewritten (checksums made anew): the loader cannot put its slots back.
    const journal = indexFile(idx, roots).replace(/\.bin$/, '.journal');
    const j = fs.readFileSync(journal);
    let batches = 0;
    for (let at = 16; at + 12 <= j.length; at += 12 + j.readUInt32LE(at + 4)) {
      const payload = j.subarray(at + 12, at + 12 + j.readUInt32LE(at + 4));
      const records = 4 + ((payload.readUInt32LE(0) + 3) & ~3);
      const slots = records + 4 + payload.readUInt32LE(records) * (4 + 64);
      payload.writeUInt32LE(payload.readUInt32LE(slots) * 2, slots);
      j.writeUInt32LE(fnv1a32(payload), at + 8);
      batches++;
    }
    assert.equal(batches, 3);
    fs.writeFileSync(journal, j);
    assert.deepStrictEqual(tablesOf(), expected);
    const cold = new LocalUsageEngine({ roots, timezone: 'UTC', now: NOW }).refreshSync().data;
    assert.deepStrictEqual(totals(engine(h.projectsDir, idx).refreshSync().data), totals(cold));
  });

  it('compacts the journal into a new base once it is long', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, NOW());
    const idx = path.join(d, 'idx');
    const e = engine(h.projectsDir, idx, { indexCompactBytes: 3000 });
    e.refreshSync();
    const target = listTranscripts(h.projectsDir)[0]!.path;
    const modes: string[] = [];
    for (let n = 0; n < 12; n++) {
      fs.appendFileSync(target, `${response(n)}\n`);
      modes.push(e.refreshSync().stats.save.mode);
    }
    assert.ok(modes.includes('journal') && modes.includes('base'), modes.join(','));
    const journal = indexFile(idx, [h.projectsDir]).replace(/\.bin$/, '.journal');
    assert.ok(fs.statSync(journal).size < 3000 + 2048);
    assert.deepStrictEqual(totals(engine(h.projectsDir, idx).refreshSync().data), totals(new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', now: NOW }).refreshSync().data));
  });
});

function state(path: string, size: number, mtimeMs: number, ino: number, offset: number, headLen: number, headHash: number, project: number, skipped: FileState['skipped'], missing: boolean): FileState {
  return { path, size, mtimeMs, ino, offset, headLen, headHash, skipped, project, missing };
}
/** A table of these states (ids in order). */
function table(files: FileState[]): FileTable {
  const t = new FileTable();
  files.forEach((f, i) => assert.ok(t.set(i, f)));
  return t;
}
/** Every state of a table, as objects. */
const states = (t: FileTable): FileState[] => t.paths.map((_, i) => t.get(i));

describe('local index: the file table', () => {
  it('keeps each file state column by column: new files, updates, growth past its room, objects in and out', () => {
    const t = new FileTable();
    const n = 200; // past the initial room of 64 files, twice
    for (let i = 0; i < n; i++) assert.equal(t.add(`/p/${i}.jsonl`, i % 3), i);
    assert.equal(t.length, n);
    assert.deepStrictEqual(t.get(5), state('/p/5.jsonl', -1, -1, -1, 0, 0, 0, 2, { corrupt: 0, tooLarge: 0, synthetic: 0, apiError: 0 }, false));
    assert.equal(t.unchanged(5, -1, -1, -1), true, 'a new file compares as never seen (-1)');
    t.setStat(7, 3 * 2 ** 31, 1796235948714.4153, 2 ** 40 + 1);
    t.setOffset(7, 2 ** 33);
    t.setHead(7, 512, -1304698656);
    t.addSkipped(7, { corrupt: 1, tooLarge: 2, synthetic: 3, apiError: 4 });
    t.addSkipped(7, { corrupt: 1, tooLarge: 0, synthetic: 0, apiError: 0 });
    assert.deepStrictEqual(t.get(7), state('/p/7.jsonl', 3 * 2 ** 31, 1796235948714.4153, 2 ** 40 + 1, 2 ** 33, 512, -1304698656, 1, { corrupt: 2, tooLarge: 2, synthetic: 3, apiError: 4 }, false));
    assert.equal(t.unchanged(7, 3 * 2 ** 31, 1796235948714.4153, 2 ** 40 + 1), true);
    assert.equal(t.unchanged(7, 3 * 2 ** 31 + 1, 1796235948714.4153, 2 ** 40 + 1), false);
    t.restart(7);
    assert.deepStrictEqual([t.offset(7), t.headLen(7), t.get(7).skipped], [0, 0, { corrupt: 0, tooLarge: 0, synthetic: 0, apiError: 0 }]);
    // Gone: every file not present now, each told once.
    const present = new Uint8Array(n).fill(1);
    present[3] = 0;
    present[150] = 0;
    const told: number[] = [];
    t.markGone(present, (i) => told.push(i));
    t.markGone(present, (i) => told.push(i));
    assert.deepStrictEqual(told, [3, 150]);
    assert.deepStrictEqual([...t.missingFlags()].flatMap((m, i) => (m ? [i] : [])), [3, 150]);
    assert.equal(t.unchanged(3, -1, -1, -1), false, 'a file gone never compares unchanged');
    assert.deepStrictEqual(t.totals(), { skipped: { corrupt: 0, tooLarge: 0, synthetic: 0, apiError: 0 }, missing: 2 });
    // From objects (a journal batch): an existing id, the next one, never a gap; the path index follows.
    const moved = state('/q/moved.jsonl', 10, 20, 30, 5, 5, 99, 1, { corrupt: 1, tooLarge: 0, synthetic: 0, apiError: 2 }, true);
    assert.ok(t.set(9, moved));
    assert.deepStrictEqual(t.get(9), moved);
    assert.equal(t.id('/q/moved.jsonl'), 9);
    assert.equal(t.id('/p/9.jsonl'), undefined);
    assert.ok(t.set(n, { ...moved, path: '/q/next.jsonl' }));
    assert.equal(t.length, n + 1);
    assert.equal(t.set(n + 5, moved), false);
    assert.deepStrictEqual(t.totals(), { skipped: { corrupt: 2, tooLarge: 0, synthetic: 0, apiError: 4 }, missing: 4 });
    // A table made from another's columns is the same table.
    const { f64, i32 } = t.columns();
    assert.deepStrictEqual(states(new FileTable([...t.paths], f64, i32)), states(t));
  });
});

describe('local index: the base header', () => {
  it('file states and folders round-trip through the header region exactly (non-ASCII paths, numbers past 32 bits, a missing file), and a region that does not add up is refused', () => {
    const skipped = (k: number) => ({ corrupt: k, tooLarge: k + 1, synthetic: k + 2, apiError: k + 3 });
    const files: FileState[] = [
      state('/home/dev/.claude/projects/-home-dévé-app/s-1.jsonl', 123, 1796235948714.4153, 5514825, 100, 512, -1304698656, 0, skipped(0), false),
      state('/home/dev/.claude/projects/-home-dev-b/s-✓.jsonl', 3 * 2 ** 31 + 5, 1.5, 2 ** 40 + 7, 2 ** 33, 0, 2035387341, 7, skipped(4), true),
      state('C:\\Users\\me\\.claude\\projects\\x\\y.jsonl', -1, -1, -1, 0, 0, 0, 1, skipped(9), false),
    ];
    const dirs: SavedDir[] = [
      ['/home/dev/.claude/projects', 1796235953302.4153, 5513903, 1796251169196],
      ['/home/dev/.claude/projects/-home-dévé-app', 1.25, 2 ** 36, -1],
    ];
    const h = { version: 5, generation: 42, roots: ['/home/dev/.claude/projects'], models: ['m'], projects: ['p', 'q'], projectLabels: ['', ''], sessions: ['s'], count: 0, keysLen: 1024, idsLen: 1024, keysSize: 0, idsSize: 0 };
    const region = headerRegion(h, table(files), dirs);
    const back = readHeaderRegion(new Uint8Array(region))!;
    assert.deepStrictEqual(states(back.files), files);
    assert.equal(back.files.id(files[1]!.path), 1);
    assert.deepStrictEqual(back.dirs, dirs);
    assert.deepStrictEqual(back.h, { ...h, files: 3, dirs: 2, pathBytes: back.h.pathBytes });
    assert.equal(readHeaderRegion(new Uint8Array(region.subarray(0, region.length - 1))), undefined, 'a path byte short');
    const more = Buffer.from(region);
    more.writeUInt32LE(more.readUInt32LE(0) + 8, 0);
    assert.throws(() => readHeaderRegion(new Uint8Array(more)) ?? assert.fail('refused'), 'a JSON part that runs into the numbers');
    assert.deepStrictEqual(states(readHeaderRegion(new Uint8Array(headerRegion(h, new FileTable(), [])))!.files), []);
  });
});

describe('local index: shared between processes', () => {
  it('a warm engine applies what another process appended, without reading those bytes again', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, NOW());
    const idx = path.join(d, 'idx');
    const ext = engine(h.projectsDir, idx);
    ext.refreshSync();
    const target = listTranscripts(h.projectsDir)[0]!.path;
    fs.appendFileSync(target, `${response(1)}\n`);
    const cli = engine(h.projectsDir, idx).refreshSync();
    assert.equal(cli.stats.save.mode, 'journal');
    const warm = ext.refreshSync();
    assert.equal(warm.stats.bytesRead, 0, 'the CLI already indexed the new bytes');
    assert.deepStrictEqual(totals(warm.data), totals(cli.data));
  });

  it('the CLI reads the extension’s index with --index (same totals, kept history reported)', async () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, NOW());
    const idx = path.join(d, 'globalStorage', 'local-index');
    const ext = engine(h.projectsDir, idx).refreshSync().data;
    let out = '';
    const code = await main(['local', '--dir', h.projectsDir, '--index', idx, '--timezone', 'UTC', '--json'], { out: (t) => (out += t), err: () => {}, env: {} });
    assert.equal(code, 0);
    const j = JSON.parse(out) as { skipped: unknown; missing: unknown };
    assert.deepStrictEqual(j.skipped, ext.skipped);
    assert.deepStrictEqual(j.missing, { files: 0, entries: 0, tokens: 0, costUsd: '0' });
  });

  it('a torn write at the end of the journal (a crash mid-append) is ignored, then cut off', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, NOW());
    const idx = path.join(d, 'idx');
    const e = engine(h.projectsDir, idx);
    e.refreshSync();
    const target = listTranscripts(h.projectsDir)[0]!.path;
    fs.appendFileSync(target, `${response(1)}\n`);
    e.refreshSync();
    const journal = indexFile(idx, [h.projectsDir]).replace(/\.bin$/, '.journal');
    const good = fs.statSync(journal).size;
    fs.appendFileSync(journal, Buffer.from([0x42, 0x54, 0x43, 0x48, 200, 0, 0, 0, 1, 2, 3]));
    const again = engine(h.projectsDir, idx);
    const r = again.refreshSync();
    assert.equal(r.stats.indexLoaded, 'index');
    assert.equal(r.stats.bytesRead, 0);
    fs.appendFileSync(target, `${response(2)}\n`);
    assert.equal(again.refreshSync().stats.save.mode, 'journal');
    assert.ok(fs.statSync(journal).size > good);
    assert.deepStrictEqual(totals(engine(h.projectsDir, idx).refreshSync().data), totals(new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', now: NOW }).refreshSync().data));
  });

  it('a lock held by a live process: the run works in memory; a lock left by a dead one is removed', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, NOW());
    const idx = path.join(d, 'idx');
    engine(h.projectsDir, idx).refreshSync();
    const lock = indexFile(idx, [h.projectsDir]).replace(/\.bin$/, '.lock');
    fs.writeFileSync(lock, `${process.ppid}\n`); // alive, and not us
    const busy = engine(h.projectsDir, idx).refreshSync();
    assert.equal(busy.stats.indexLoaded, 'rebuilt (locked)');
    assert.equal(busy.stats.save.mode, 'locked');
    fs.writeFileSync(lock, '2147483646\n'); // no such process
    const r = engine(h.projectsDir, idx).refreshSync();
    assert.equal(r.stats.indexLoaded, 'index');
    assert.deepStrictEqual(totals(r.data), totals(busy.data));
    assert.ok(!fs.existsSync(lock));
  });
});

describe('local index: history of transcripts that are gone', () => {
  it('keeps their usage and says how much of it there is (files, tokens, cost), in one sentence on every surface', async () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, NOW());
    const idx = path.join(d, 'idx');
    const before = engine(h.projectsDir, idx).refreshSync().data;
    assert.deepStrictEqual(before.missing, { files: 0, entries: 0, tokens: 0, costUsd: '0' });
    // Claude Code's cleanup deletes the older api session (m10, m11 and the counted copies of m9 and m8).
    fs.rmSync(path.join(h.projectsDir, '-home-dev-api', '7a2d9e10-1c3b-4e5f-8a9b-0c1d2e3f4a02.jsonl'));
    const after = engine(h.projectsDir, idx).refreshSync().data;
    assert.deepStrictEqual(after.days, before.days);
    assert.equal(after.missing?.files, 1);
    // Kept from it: m10, m11, m9 and m8 (equal copies of m9 and m8 sit in the resumed session; the kept one is
    // chosen by a fixed order, here the deleted file's): the whole of 2026-11-14, -20 and -24.
    const gone = new Set(['2026-11-14', '2026-11-24', '2026-11-20']);
    let tokens = 0;
    let cost = Decimal.ZERO;
    for (const r of before.days.filter((x) => gone.has(x.date))) {
      tokens += r.input + r.output + r.cacheWrite5m + r.cacheWrite1h + r.cacheRead;
      if (r.costUsd !== null) cost = cost.add(Decimal.parse(r.costUsd));
    }
    assert.equal(after.missing?.entries, 4);
    assert.equal(after.missing?.tokens, tokens);
    assert.equal(after.missing?.costUsd, cost.toString());
    // One sentence on every surface: the tree, the dashboard's This machine tab and the CLI (with --index).
    const text = missingText(after)!;
    assert.equal(text, `Includes 1 transcript no longer on disk: ${usdEstimate(cost)}`);
    const snap: StoreSnapshot = { ...emptySnapshot(NOW()), ready: true, local: { stale: false, loading: false, data: after } };
    const item = localTree(snap, NOW().getTime()).find((n) => n.id === 'local/missing')!;
    assert.equal(`${item.label}: ${item.description!.split(' · ')[0]}`, text);
    assert.ok(localView(after, resolveRange({ kind: '30d' }, NOW().getTime()), NOW().getTime()).missingText?.startsWith(text));
    let out = '';
    assert.equal(await main(['local', '--dir', h.projectsDir, '--index', idx, '--timezone', 'UTC', '--since', '2026-01-01'], { out: (t) => (out += t), err: () => {}, env: {} }), 0);
    assert.ok(out.includes(text), out);
  });
});

/** Timers on a manual clock. */
function fakeTimers() {
  let now = 0;
  let seq = 0;
  const due = new Map<number, { at: number; fn: () => void }>();
  return {
    timers: { now: () => now, set: (fn: () => void, ms: number) => (due.set(++seq, { at: now + ms, fn }), seq), clear: (h: unknown) => due.delete(h as number) },
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const next = [...due.entries()].sort((a, b) => a[1].at - b[1].at)[0];
        if (!next || next[1].at > end) break;
        now = next[1].at;
        due.delete(next[0]);
        next[1].fn();
      }
      now = end;
    },
  };
}

describe('local watcher: debounce with a maximum wait', () => {
  it('fires after a quiet period, and during a steady stream of changes at least every maxMs', () => {
    const f = fakeTimers();
    const fired: number[] = [];
    const d = new Debouncer(() => fired.push(f.timers.now()), 1000, 3000, f.timers);
    // A change every half second for 30 s (Claude Code streaming): a plain debounce would wait until it stops.
    for (let t = 0; t < 30_000; t += 500) {
      d.poke();
      f.advance(500);
    }
    assert.deepEqual(fired.slice(0, 3), [3000, 6000, 9000]);
    assert.equal(fired.length, 10);
    f.advance(5000);
    assert.ok(!d.pending);
    // One change: fires once, after the quiet period.
    const n = fired.length;
    d.poke();
    f.advance(999);
    assert.equal(fired.length, n);
    f.advance(1);
    assert.equal(fired.length, n + 1);
    d.dispose();
  });
});

describe('local index: watcher hints', () => {
  it('a warm refresh with the changed paths stats only those; a full walk still runs at least every minute', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, NOW());
    let now = Date.parse('2026-11-27T12:00:00Z');
    const e = engine(h.projectsDir, path.join(d, 'idx'), { now: () => new Date(now) });
    e.refreshSync();
    const files = listTranscripts(h.projectsDir);
    const [a, b] = [files[0]!.path, files[1]!.path];
    fs.appendFileSync(a, `${response(1)}\n`);
    fs.appendFileSync(b, `${response(2)}\n`);
    // Only `a` is named: `b`'s append is not read yet.
    now += 5000;
    const r1 = e.refreshSync({ changed: [a, '/elsewhere/x.jsonl'] });
    assert.equal(r1.stats.files, 1);
    assert.equal(r1.stats.filesRead, 1);
    // A deleted transcript named in the hints is marked gone (its history stays).
    const c = files[2]!.path;
    fs.rmSync(c);
    now += 5000;
    assert.equal(e.refreshSync({ changed: [c] }).data.missing?.files, 1);
    // More than a minute after the last full walk, hints or not, everything is walked again.
    now += 61_000;
    const r3 = e.refreshSync({ changed: [a] });
    assert.equal(r3.stats.files, files.length - 1);
    assert.equal(r3.stats.filesRead, 1, 'b, whose append was not named');
    assert.deepStrictEqual(totals(r3.data), totals(new LocalUsageEngine({ roots: [h.projectsDir], indexDir: path.join(d, 'idx'), timezone: 'UTC', now: NOW }).refreshSync().data));
  });
});

describe('the engine thread gives back what a big refresh leaves behind (heap.ts)', () => {
  it('collectGarbage runs a full collection (an object only a WeakRef holds is gone) and lends no `gc` to other code', async () => {
    let ref: WeakRef<object> | undefined;
    (() => {
      ref = new WeakRef(new Array(100_000).fill({ big: true }));
    })();
    // A WeakRef's target lives until the end of the task that made or read it.
    await new Promise((r) => setImmediate(r));
    assert.equal(collectGarbage(), true);
    assert.equal(ref!.deref(), undefined);
    assert.equal(vm.runInNewContext('typeof gc'), 'undefined');
    assert.equal(typeof (globalThis as { gc?: unknown }).gc, 'undefined');
  });

  it('collectGarbage("young") runs a young-generation collection, "full" a full one', async () => {
    const kinds: number[] = [];
    const obs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) kinds.push((e as unknown as { detail: { kind: number } }).detail.kind);
    });
    obs.observe({ entryTypes: ['gc'] });
    try {
      assert.equal(collectGarbage('young'), true);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepStrictEqual(kinds, [perfConstants.NODE_PERFORMANCE_GC_MINOR]);
      kinds.length = 0;
      assert.equal(collectGarbage('full'), true);
      await new Promise((r) => setTimeout(r, 50));
      assert.deepStrictEqual(kinds, [perfConstants.NODE_PERFORMANCE_GC_MAJOR]);
      // V8's young generation is never below 1 MiB committed.
      assert.ok(youngGenerationBytes() >= 1024 * 1024, String(youngGenerationBytes()));
    } finally {
      obs.disconnect();
    }
  });

  it('collects once, after the last of a burst of refreshes, and only when one of them was big; then its young generation while that is large', () => {
    const f = fakeTimers();
    const collected: Collection[] = [];
    const MiB = 1024 * 1024;
    let young = 32 * MiB;
    /** Whether V8 shrinks the young generation at the next young-generation collection. */
    let shrinks = false;
    const c = new IdleCollector(
      (kind) => {
        collected.push(kind);
        if (kind === 'young' && shrinks) young = MiB;
      },
      1000,
      f.timers,
      () => young,
      8000,
    );
    // Small refreshes (appended lines): never.
    for (let k = 0; k < 5; k++) {
      c.start();
      c.end(false);
      f.advance(2000);
    }
    assert.deepStrictEqual(collected, []);
    // The first index, then appends every half second: once, a second after the last.
    c.start();
    c.end(true);
    for (let k = 0; k < 4; k++) {
      f.advance(500);
      c.start();
      c.end(false);
    }
    assert.deepStrictEqual(collected, []);
    f.advance(999);
    assert.deepStrictEqual(collected, []);
    f.advance(1);
    assert.deepStrictEqual(collected, ['full']);
    // Appended lines meanwhile do not postpone the young generation's collection; V8 does not shrink it at
    // the first, so another follows 8 s later, and none after it shrank.
    for (let k = 0; k < 3; k++) {
      f.advance(2000);
      c.start();
      c.end(false);
    }
    f.advance(1999);
    assert.deepStrictEqual(collected, ['full']);
    f.advance(1);
    assert.deepStrictEqual(collected, ['full', 'young']);
    shrinks = true;
    f.advance(8000);
    assert.deepStrictEqual(collected, ['full', 'young', 'young']);
    assert.equal(young, MiB);
    f.advance(60_000);
    assert.deepStrictEqual(collected, ['full', 'young', 'young']);
    // Not while a refresh runs: a request queued behind a big one holds the collection until it ends. The young
    // generation already small at its turn: no collection of it.
    c.start();
    c.start();
    c.end(true);
    f.advance(5000);
    assert.deepStrictEqual(collected, ['full', 'young', 'young']);
    c.end(false);
    f.advance(1000);
    assert.deepStrictEqual(collected, ['full', 'young', 'young', 'full']);
    f.advance(60_000);
    assert.deepStrictEqual(collected, ['full', 'young', 'young', 'full']);
    // A young generation V8 never shrinks: SHRINK_YOUNG_TRIES tries, then it is left to V8.
    collected.length = 0;
    young = 32 * MiB;
    shrinks = false;
    c.start();
    c.end(true);
    f.advance(1000 + (SHRINK_YOUNG_TRIES + 10) * 8000);
    assert.deepStrictEqual(collected, ['full', ...Array<Collection>(SHRINK_YOUNG_TRIES).fill('young')]);
    // Another big refresh before the young generation's turn: that one waits for the new full collection.
    collected.length = 0;
    c.start();
    c.end(true);
    f.advance(5000);
    c.start();
    c.end(true);
    f.advance(8999);
    assert.deepStrictEqual(collected, ['full', 'full']);
    f.advance(1);
    assert.deepStrictEqual(collected, ['full', 'full', 'young']);
  });
});

describe('local index: records read on demand from the saved index', () => {
  /**
   * A history of many small entries (a page of the index holds 64): `files` sessions, one every ~12 hours back
   * from NOW, each with streamed copies, a sidechain sub-agent part, key-less lines and two models.
   */
  function history(d: string, files = 240, per = 30): string {
    const root = path.join(d, 'projects');
    for (let f = 0; f < files; f++) {
      const dir = path.join(root, `-home-dev-p${f % 7}`);
      fs.mkdirSync(dir, { recursive: true });
      const start = NOW().getTime() - (files - f) * 12 * 3_600_000;
      const out: string[] = [];
      for (let k = 0; k < per; k++) {
        const at = start + k * 60_000;
        const side = k % 9 === 4;
        const base = { parentUuid: 'p', isSidechain: side, cwd: `/home/dev/p${f % 7}`, sessionId: `s${f}`, type: 'assistant', uuid: `u${f}-${k}`, timestamp: new Date(at).toISOString() };
        const usage = (out_: number) => ({ input_tokens: 3 + k, cache_creation_input_tokens: 100, cache_read_input_tokens: 2000 + f, cache_creation: { ephemeral_5m_input_tokens: 40, ephemeral_1h_input_tokens: 60 }, output_tokens: out_ });
        const model = k % 5 === 0 ? 'claude-opus-4-6' : 'claude-sonnet-4-6';
        const message = (out_: number, keyed = true) => ({ model, ...(keyed ? { id: `msg_${f}_${k}` } : {}), type: 'message', role: 'assistant', content: [{ type: 'text', text: 'x' }], usage: usage(out_) });
        if (k % 13 === 7) out.push(JSON.stringify({ ...base, message: message(50, false) }));
        else {
          // A streamed copy first (partial output), then the final one.
          if (k % 3 === 0) out.push(JSON.stringify({ ...base, message: message(5), requestId: `req_${f}_${k}` }));
          out.push(JSON.stringify({ ...base, message: message(100 + k), requestId: `req_${f}_${k}` }));
        }
      }
      fs.writeFileSync(path.join(dir, `s${f}.jsonl`), out.join('\n') + '\n');
    }
    return root;
  }

  /** Old entries' lines (a third of the way into history), for copies that hit records still in the file. */
  function oldLines(root: string, n: number): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (const f of listTranscripts(root)) {
      for (const text of fs.readFileSync(f.path, 'utf8').split('\n')) {
        if (!text.includes('"usage"') || !text.includes('"requestId"')) continue;
        let j: { type?: string; timestamp?: string; message?: { id?: string; usage?: { output_tokens?: number } } };
        try {
          j = JSON.parse(text);
        } catch {
          continue;
        }
        if (j.type !== 'assistant' || !j.message?.id || !j.message.usage || !j.timestamp) continue;
        if (Date.parse(j.timestamp) > NOW().getTime() - 20 * 86_400_000) continue;
        out.push(j as Record<string, unknown>);
        if (out.length >= n) return out;
      }
    }
    return out;
  }

  it('a ledger that reads its records on demand gives exactly what one holding them all gives, through copies of old entries, replays, replaced and deleted files, compaction and a reload', function () {
    this.timeout(120_000);
    const d = tmpdir();
    const root = history(d);
    const idxP = path.join(d, 'idx-paged');
    const idxF = path.join(d, 'idx-full');
    const cold = engine(root, idxP).refreshSync();
    assert.equal(cold.stats.save.mode, 'base');
    fs.cpSync(idxP, idxF, { recursive: true });
    const verifiedF = indexFile(idxF, [root]).replace(/\.bin$/, '.verified');
    // Paged: the base is trusted (written by this process), its records stay in the file. Full: every load
    // checks the base (no `.verified`), which reads every record in.
    const paged = engine(root, idxP, { indexCompactRecords: 64 });
    const fullLoad = () => {
      fs.rmSync(verifiedF, { force: true });
      return engine(root, idxF, { indexCompactRecords: 64 });
    };
    let full = fullLoad();
    const q = { since: '2026-10-01', recent: true, projectDetailSince: '2026-11-20' };
    const both = (what: string) => {
      const p = paged.refreshSync(q);
      const f = full.refreshSync(q);
      assert.deepStrictEqual(comparableData(p.data), comparableData(f.data), what);
      assert.equal(f.stats.entriesInMemory, f.stats.entries, what);
      return p;
    };
    const first = both('loaded');
    assert.ok(first.stats.entriesInMemory < first.stats.entries / 2, `records in memory after loading: ${first.stats.entriesInMemory} of ${first.stats.entries}`);
    // Counted page by page, the file's last page holding fewer than 64 records (it once came out below zero).
    const ledger = (paged as unknown as { state: { ledger: Ledger } }).state.ledger;
    assert.ok(ledger.count % 64 !== 0 && first.stats.entriesInMemory >= 0, `${ledger.count} entries`);
    ledger.needAll();
    assert.deepStrictEqual(ledger.resident(), { records: ledger.count, of: ledger.count });
    const old = oldLines(root, 40);
    assert.ok(old.length >= 20, `old lines: ${old.length}`);
    const target = listTranscripts(root).find((f) => !f.path.includes('subagents'))!.path;
    // Larger copies of old responses (a resumed session copying them): each replaces the counted record.
    fs.appendFileSync(
      target,
      old
        .slice(0, 10)
        .map((j) => JSON.stringify({ ...j, message: { ...(j.message as object), usage: { ...((j.message as { usage: object }).usage), output_tokens: 90_000 } } }) + '\n')
        .join(''),
    );
    both('larger copies of old entries');
    // Sidechain copies of old parents' messages under new request ids: replays, never counted.
    fs.appendFileSync(target, old.slice(10, 20).map((j) => JSON.stringify({ ...j, isSidechain: true, requestId: `req_btw_${String((j.message as { id: string }).id)}` }) + '\n').join(''));
    both('sidechain replays of old entries');
    // New lines, many: the journal is compacted into a new base (written from records partly still in the old one).
    for (let n = 0; n < 100; n++) fs.appendFileSync(target, `${response(n)}\n`);
    const compacted = both('new lines');
    assert.equal(compacted.stats.save.mode, 'base');
    // A file replaced by another with the same name: its key-less entries dropped (every record read).
    const other = listTranscripts(root).filter((f) => f.path !== target)[3]!.path;
    const tmp = `${other}.new`;
    fs.writeFileSync(tmp, `${response(1000)}\n`);
    fs.renameSync(tmp, other);
    both('a replaced file');
    fs.rmSync(listTranscripts(root).filter((f) => f.path !== target)[5]!.path);
    both('a deleted file');
    // Fresh processes on both indexes, and a cold scan: the same.
    const again = engine(root, idxP).refreshSync(q);
    full = fullLoad();
    assert.deepStrictEqual(comparableData(again.data), comparableData(full.refreshSync(q).data));
    paged.close();
  });

  it('random copies of any entry (larger, smaller, as sidechain replays), into any file, between refreshes: the same as a ledger holding every record (property)', function () {
    this.timeout(120_000);
    const d = tmpdir();
    const root = history(d, 160, 24);
    const idx0 = path.join(d, 'idx0');
    engine(root, idx0).refreshSync();
    const files = listTranscripts(root).map((f) => f.path);
    const lines = files.flatMap((f) => fs.readFileSync(f, 'utf8').split('\n').filter((l) => l.includes('"requestId"')));
    const sizes = new Map(files.map((f) => [f, fs.statSync(f).size]));
    let round = 0;
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(lines.length - 1), fc.nat(files.length - 1), fc.constantFrom('larger', 'smaller', 'replay', 'new'), fc.boolean()), { minLength: 1, maxLength: 25 }),
        (ops) => {
          round++;
          for (const f of files) fs.truncateSync(f, sizes.get(f)!);
          const idxP = path.join(d, `p${round}`);
          const idxF = path.join(d, `f${round}`);
          fs.cpSync(idx0, idxP, { recursive: true });
          fs.cpSync(idx0, idxF, { recursive: true });
          const verifiedF = indexFile(idxF, [root]).replace(/\.bin$/, '.verified');
          const q = { since: '2026-06-01', recent: true, projectDetailSince: '2026-11-20' };
          // A copied base is checked once (its identity is new), then trusted: records on demand from there.
          engine(root, idxP).refreshSync();
          const paged = engine(root, idxP, { indexCompactRecords: 40 });
          const loaded = paged.refreshSync(q);
          assert.ok(loaded.stats.entriesInMemory < loaded.stats.entries / 2, `${loaded.stats.entriesInMemory} of ${loaded.stats.entries}`);
          for (const [k, [li, fi, kind, refresh]] of ops.entries()) {
            const j = JSON.parse(lines[li]!) as { isSidechain: boolean; requestId: string; message: { id: string; usage: { output_tokens: number } } };
            if (kind === 'larger') j.message.usage.output_tokens += 1000;
            if (kind === 'smaller') j.message.usage.output_tokens = 0;
            if (kind === 'replay') Object.assign(j, { isSidechain: true, requestId: `req_btw_${k}` });
            if (kind === 'new') Object.assign(j, { requestId: `req_new_${round}_${k}`, message: { ...j.message, id: `msg_new_${round}_${k}` } });
            fs.appendFileSync(files[fi]!, `${JSON.stringify(j)}\n`);
            if (refresh) paged.refreshSync(q);
          }
          const p = paged.refreshSync(q);
          paged.close();
          fs.rmSync(verifiedF, { force: true });
          const f = engine(root, idxF).refreshSync(q);
          assert.deepStrictEqual(comparableData(p.data), comparableData(f.data));
          assert.equal(f.stats.entriesInMemory, f.stats.entries);
          fs.rmSync(idxP, { recursive: true });
          fs.rmSync(idxF, { recursive: true });
        },
      ),
      { numRuns: 12 },
    );
    for (const f of files) fs.truncateSync(f, sizes.get(f)!);
  });

  it('a record that cannot be read back fails the refresh clearly; the next one loads the index again (or rebuilds it) and is exact', function () {
    this.timeout(60_000);
    const d = tmpdir();
    const root = history(d);
    const idx = path.join(d, 'idx');
    engine(root, idx).refreshSync();
    const e = engine(root, idx);
    // As the extension asks: a week of sessions and windows (only recent records are read).
    const loaded = e.refreshSync({ recent: true });
    assert.ok(loaded.stats.entriesInMemory < loaded.stats.entries / 2, `${loaded.stats.entriesInMemory} of ${loaded.stats.entries}`);
    // The disk fails while the base is read (another range of days needs every record): the refresh fails
    // part-way, and what it had taken in is not kept.
    const ino = fs.statSync(indexFile(idx, [root])).ino;
    // (The module object itself: an import's namespace only has getters of it.)
    const io = createRequire(__filename)('node:fs') as { readSync: typeof fs.readSync };
    const real = io.readSync;
    io.readSync = ((fd: number, ...rest: unknown[]) => {
      if (fs.fstatSync(fd).ino === ino) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
      return (real as (...a: unknown[]) => number)(fd, ...rest);
    }) as typeof fs.readSync;
    try {
      assert.throws(() => e.refreshSync({ since: '2026-01-01', recent: true }), /^Error: the saved transcript index could not be read \(EIO: i\/o error, read\); the next refresh loads it again or rebuilds it$/);
    } finally {
      io.readSync = real;
    }
    const r = e.refreshSync({ since: '2026-01-01', recent: true });
    assert.equal(r.stats.indexLoaded, 'index');
    assert.deepStrictEqual(comparableData(r.data), comparableData(new LocalUsageEngine({ roots: [root], timezone: 'UTC', now: NOW }).refreshSync({ since: '2026-01-01', recent: true }).data));
  });

  it('after a first index the extension’s engine reads its new base back, records on demand: the next refreshes hold only what they need and stay exact', function () {
    this.timeout(60_000);
    const d = tmpdir();
    const root = history(d, 700);
    const idx = path.join(d, 'idx');
    // As the extension host runs it (a CLI process ends after its first index).
    const e = engine(root, idx, { sharedThread: true });
    const q = { since: '2026-06-01', recent: true, projectDetailSince: '2026-11-20' };
    const first = e.refreshSync(q);
    assert.equal(first.stats.save.mode, 'base');
    assert.ok(first.stats.entries >= RELOAD_AFTER_BASE, `${first.stats.entries} entries`);
    const target = listTranscripts(root)[0]!.path;
    const inMemory: string[] = [];
    for (let n = 0; n < 3; n++) {
      fs.appendFileSync(target, `${response(n)}\n`);
      const r = e.refreshSync(q);
      inMemory.push(`${r.stats.entriesInMemory} of ${r.stats.entries}`);
      assert.ok(r.stats.entriesInMemory < r.stats.entries / 2, inMemory.join(', '));
      assert.deepStrictEqual(comparableData(r.data), comparableData(new LocalUsageEngine({ roots: [root], timezone: 'UTC', now: NOW }).refreshSync(q).data));
    }
    e.close();
  });

  it('the saved index stays open only while its records are read from it: closed by close(), and on a reload after another process rewrote it', function () {
    if (process.platform !== 'linux') this.skip();
    this.timeout(60_000);
    const d = tmpdir();
    const root = history(d);
    const idx = path.join(d, 'idx');
    engine(root, idx).refreshSync();
    const base = indexFile(idx, [root]);
    // Open descriptors of this process on index bases (old ones show as "(deleted)").
    const open = () => fs.readdirSync('/proc/self/fd').filter((n) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${n}`).startsWith(fs.realpathSync(base));
      } catch {
        return false;
      }
    }).length;
    const before = open();
    const e = engine(root, idx);
    const r = e.refreshSync({ recent: true });
    assert.ok(r.stats.entriesInMemory < r.stats.entries);
    assert.equal(open(), before + 1);
    // Another process compacts the index into a new base: this engine reloads and lets the old one go.
    const other = engine(root, idx, { indexCompactRecords: 1 });
    other.refreshSync();
    const target = listTranscripts(root)[0]!.path;
    fs.appendFileSync(target, `${response(1)}\n${response(2)}\n`);
    assert.equal(other.refreshSync().stats.save.mode, 'base');
    other.close();
    assert.match(e.refreshSync({ recent: true }).stats.indexLoaded, /reloaded/);
    assert.equal(open(), before + 1);
    e.close();
    assert.equal(open(), before);
  });
});

/** Data without what differs between two engines on two index folders (when and where they ran). */
function comparableData(d: LocalUsageData): Omit<LocalUsageData, 'computedAt' | 'indexDir'> {
  const { computedAt: _c, indexDir: _i, ...rest } = d as LocalUsageData & { indexDir?: string };
  return rest;
}
