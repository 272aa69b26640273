import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { main } from '../../src/cli';
import { Decimal } from '../../src/core/decimal';
import { discoverRoots, listTranscriptPaths, listTranscripts, transcriptAt, transcriptOf } from '../../src/core/local/discovery';
import { indexFile, readHeaderRegion } from '../../src/core/local/transcriptIndex';
import { emptyLine } from '../../src/core/local/extract';
import { F_BATCH, F_SIDECHAIN, fits, HashTable, Ledger, RECORD_BYTES, W, W_INPUT, W_MODEL, W_PROJECT, W_READ, W_SESSION } from '../../src/core/local/ledger';
import { hashIds } from '../../src/core/local/hash';
import { MAX_LINE, parseUsageLine, scanFile } from '../../src/core/local/reader';
import { createLocalUsage, LocalUsageEngine, scanForReply } from '../../src/core/local/service';
import { IdleCollector } from '../../src/core/local/heap';
import { weekOf } from '../../src/core/model/days';
import { DayClock } from '../../src/core/model/zones';
import { makeClaudeHome } from '../fixtures/makeClaudeHome';

const FIXTURE = path.join(__dirname, '..', 'fixtures', 'claude-home');

const made: string[] = [];
function tmpdir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-local-'));
  made.push(d);
  return d;
}
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['local', ...args], { out: (t) => (out += `${t}\n`), err: (t) => (err += `${t}\n`), env: {} });
  return { code, out, err };
}

async function cliJson(args: string[]): Promise<unknown> {
  const r = await cli([...args, '--json']);
  assert.equal(r.code, 0, r.err);
  return JSON.parse(r.out);
}

interface Spec {
  id?: string;
  rid?: string;
  side?: boolean;
  model?: string;
  at: number;
  u: [number, number, number, number, number]; // input, output, w5, w1, read
}

function line(s: Spec): string {
  return JSON.stringify({
    isSidechain: s.side ?? false,
    cwd: '/w/p',
    sessionId: 'sess',
    message: {
      ...(s.id ? { id: s.id } : {}),
      model: s.model ?? 'claude-sonnet-4-6',
      content: [{ type: 'text', text: 'hi' }],
      usage: {
        input_tokens: s.u[0],
        output_tokens: s.u[1],
        cache_creation_input_tokens: s.u[2] + s.u[3],
        cache_read_input_tokens: s.u[4],
        cache_creation: { ephemeral_5m_input_tokens: s.u[2], ephemeral_1h_input_tokens: s.u[3] },
      },
    },
    ...(s.rid ? { requestId: s.rid } : {}),
    type: 'assistant',
    timestamp: new Date(s.at).toISOString(),
  });
}

const T0 = Date.parse('2026-11-20T10:00:00Z');

/** Data without what legitimately differs between two runs (when and where they ran). */
function comparable<T extends { computedAt?: string; indexDir?: string }>(d: T): Omit<T, 'computedAt' | 'indexDir'> {
  const { computedAt: _c, indexDir: _i, ...rest } = d;
  return rest;
}

describe('local transcripts: fixture', () => {
  it('CLI JSON for the sample home equals EXPECTED.json exactly (UTC)', async () => {
    const expected = JSON.parse(fs.readFileSync(path.join(FIXTURE, 'EXPECTED.json'), 'utf8'));
    assert.deepStrictEqual(await cliJson(['--dir', path.join(FIXTURE, '.claude', 'projects'), '--timezone', 'UTC']), expected);
  });

  it('the committed fixture is what makeClaudeHome writes (kept in sync)', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, new Date('2026-11-27T12:00:00Z'));
    assert.deepStrictEqual(h.expected, JSON.parse(fs.readFileSync(path.join(FIXTURE, 'EXPECTED.json'), 'utf8')));
    for (const f of listTranscripts(h.projectsDir)) {
      const rel = path.relative(d, f.path);
      assert.equal(fs.readFileSync(f.path, 'utf8'), fs.readFileSync(path.join(FIXTURE, rel), 'utf8'), rel);
    }
  });

  for (const now of ['2026-11-27T00:05:00Z', '2027-03-01T23:30:00Z', '2026-06-15T13:37:00Z']) {
    it(`makeClaudeHome(now=${now}) totals match the reader, with index and discovery via HOME`, async () => {
      const d = tmpdir();
      const h = makeClaudeHome(d, new Date(now));
      const engine = new LocalUsageEngine({ env: {}, home: d, indexDir: path.join(d, 'idx'), timezone: 'UTC', now: () => new Date(now) });
      const { data } = engine.refreshSync();
      assert.deepEqual(data.roots, [h.projectsDir]);
      assert.deepStrictEqual(await cliJson(['--dir', h.projectsDir, '--timezone', 'UTC']), h.expected);
      const today = data.days.filter((r) => r.date === h.today.date && r.costUsd !== null);
      assert.equal(Decimal.sum(today.map((r) => Decimal.parse(r.costUsd!))).toString(), h.today.costUsd);
      for (const tz of ['Asia/Kolkata', 'America/Los_Angeles']) {
        const e = new LocalUsageEngine({ roots: [h.projectsDir], timezone: tz, now: () => new Date(now) });
        const t = h.todayIn(tz);
        const rows = e.refreshSync().data.days.filter((r) => r.date === t.date && r.costUsd !== null);
        assert.equal(Decimal.sum(rows.map((r) => Decimal.parse(r.costUsd!))).toString(), t.costUsd, tz);
      }
    });
  }

  it('labels costs as an API-equivalent estimate in tables and rejects bad options clearly', async () => {
    const r = await cli(['--dir', path.join(FIXTURE, '.claude', 'projects'), '--timezone', 'UTC', '--by', 'project']);
    assert.equal(r.code, 0);
    assert.match(r.out, /API-equivalent estimate/);
    assert.match(r.out, /\/home\/dev\/shop/);
    assert.match(r.out, /claude-mystery-9 \(666 tokens\)/);
    assert.equal((await cli(['--timezone', 'Mars/Olympus'])).code, 2);
    assert.equal((await cli(['--since', '2026-13-01'])).code, 2);
    assert.equal((await cli(['--dir', '/nonexistent/x'])).code, 2);
  });

  it('--since/--until select local days, --until exclusive', async () => {
    const j = (await cliJson(['--dir', FIXTURE, '--timezone', 'UTC', '--since', '2026-11-20', '--until', '2026-11-26'])) as { days: { date: string }[] };
    assert.deepEqual(
      j.days.map((d) => d.date),
      ['2026-11-20', '2026-11-24'],
    );
  });
});

describe('local transcripts: reader', () => {
  it('parses usage lines, tells synthetic/API-error lines apart, ignores non-assistant ones, flags corrupt ones', () => {
    const ok = parseUsageLine(line({ id: 'm', rid: 'r', at: T0, u: [1, 2, 3, 4, 5] }));
    assert.ok(typeof ok === 'object');
    assert.deepEqual([ok.input, ok.output, ok.cacheWrite5m, ok.cacheWrite1h, ok.cacheRead], [1, 2, 3, 4, 5]);
    assert.equal(parseUsageLine(line({ id: 'm', at: T0, u: [1, 1, 0, 0, 0], model: '<synthetic>' })), 'synthetic');
    assert.equal(parseUsageLine(JSON.stringify({ type: 'assistant', isApiErrorMessage: true, timestamp: '2026-01-01T00:00:00Z', message: { model: 'claude-sonnet-4-6', usage: { input_tokens: 1 } } })), 'apiError');
    // More tokens than a request can hold (and than the index stores) is not a real line.
    assert.equal(parseUsageLine(JSON.stringify({ type: 'assistant', timestamp: '2026-01-01T00:00:00Z', message: { usage: { input_tokens: 2 ** 32 } } })), 'corrupt');
    assert.equal(parseUsageLine(JSON.stringify({ type: 'user', message: { usage: {} } })), 'ignore');
    assert.equal(parseUsageLine('{"type":"assistant","message":{"usage":'), 'corrupt');
    assert.equal(parseUsageLine(JSON.stringify({ type: 'assistant', timestamp: 'x', message: { usage: { input_tokens: 1 } } })), 'corrupt');
    assert.equal(parseUsageLine(JSON.stringify({ type: 'assistant', timestamp: '2026-01-01T00:00:00Z', message: { usage: { input_tokens: -1 } } })), 'corrupt');
    // Old format: no cache_creation breakdown → all writes are 5-minute; unknown fields are fine.
    const old = parseUsageLine(JSON.stringify({ type: 'assistant', costUSD: 0.1, timestamp: '2025-01-01T00:00:00Z', future: { x: 1 }, message: { id: 'a', model: 'claude-3-5-haiku-20241022', usage: { input_tokens: 1, cache_creation_input_tokens: 9 } } }));
    assert.ok(typeof old === 'object');
    assert.equal(old.cacheWrite5m, 9);
    assert.equal(old.cacheWrite1h, 0);
    // `"type": "assistant"` with a space is a usage line too.
    assert.ok(typeof parseUsageLine('{"type": "assistant", "timestamp": "2026-01-01T00:00:00Z", "message": {"usage": {"output_tokens": 3}}}') === 'object');
  });

  it('leaves an incomplete last line for later; a complete one without newline is consumed once', () => {
    const d = tmpdir();
    const f = path.join(d, 'a.jsonl');
    const a = line({ id: 'a', at: T0, u: [1, 1, 0, 0, 0] });
    const b = line({ id: 'b', at: T0, u: [2, 2, 0, 0, 0] });
    const c = line({ id: 'c', at: T0, u: [3, 3, 0, 0, 0] });
    const id = (x: string) => hashIds(x, undefined).k1;
    // Still being written: not a whole JSON object yet.
    fs.writeFileSync(f, `${a}\n${b.slice(0, 40)}`);
    const seen: number[] = [];
    const r1 = scanFile(f, 0, (l) => seen.push(l.k1));
    assert.deepEqual(seen, [id('a')]);
    assert.equal(r1.offset, Buffer.byteLength(a) + 1);
    assert.deepEqual(r1.skipped, { corrupt: 0, tooLarge: 0, synthetic: 0, apiError: 0 });
    // Completed, still without a newline: counted now, and the offset moves past it.
    fs.appendFileSync(f, b.slice(40));
    const r2 = scanFile(f, r1.offset, (l) => seen.push(l.k1));
    assert.deepEqual(seen, [id('a'), id('b')]);
    assert.equal(r2.offset, fs.statSync(f).size);
    // The file grows: the line is not read again.
    fs.appendFileSync(f, `\n${c}\n`);
    const r3 = scanFile(f, r2.offset, (l) => seen.push(l.k1));
    assert.deepEqual(seen, [id('a'), id('b'), id('c')]);
    assert.equal(r3.offset, fs.statSync(f).size);
  });

  it('handles huge lines: a 6 MiB snapshot (buffer grows) and a line over MAX_LINE (streamed past)', () => {
    const d = tmpdir();
    const f = path.join(d, 'h.jsonl');
    const snap = JSON.stringify({ type: 'file-history-snapshot', snapshot: { x: 'z'.repeat(6 * 1024 * 1024) } });
    const hugeUsage = `{"type":"assistant","message":{"usage":{"output_tokens":1}},"pad":"${'q'.repeat(MAX_LINE + 1024)}"}`;
    fs.writeFileSync(f, [line({ id: 'a', at: T0, u: [1, 0, 0, 0, 0] }), snap, line({ id: 'b', at: T0, u: [2, 0, 0, 0, 0] }), hugeUsage, line({ id: 'c', at: T0, u: [3, 0, 0, 0, 0] }), ''].join('\n'));
    const seen: number[] = [];
    const r = scanFile(f, 0, (l) => seen.push(l.k1));
    assert.deepEqual(seen, ['a', 'b', 'c'].map((x) => hashIds(x, undefined).k1));
    assert.equal(r.skipped.tooLarge, 1, 'the over-long usage line is counted as skipped');
    assert.equal(r.skipped.corrupt, 0);
    assert.equal(r.offset, fs.statSync(f).size);
  });
});

/** Naive independent count: parse every line, keep per key the best copy (parent over sidechain, then
 *  largest); drop sidechain entries whose message id also has a parent entry (`/btw` replays). */
export function naive(specs: Spec[]): Map<string, number[]> {
  const best = new Map<string, Spec>();
  const keyless: Spec[] = [];
  const parents = new Set(specs.filter((s) => s.id && !s.side).map((s) => s.id));
  const tot = (s: Spec) => s.u.reduce((a, b) => a + b, 0);
  for (const s of specs) {
    if (!s.id) {
      keyless.push(s);
      continue;
    }
    const k = s.rid ? `${s.id}|${s.rid}` : s.id;
    const o = best.get(k);
    if (!o || (o.side && !s.side) || (!!o.side === !!s.side && (tot(s) > tot(o) || (tot(s) === tot(o) && s.at < o.at)))) best.set(k, s);
  }
  const out = new Map<string, number[]>();
  for (const s of [...[...best.values()].filter((b) => !(b.side && parents.has(b.id))), ...keyless]) {
    const key = `${new Date(s.at).toISOString().slice(0, 10)}|${s.model ?? 'claude-sonnet-4-6'}`;
    const acc = out.get(key) ?? [0, 0, 0, 0, 0];
    s.u.forEach((v, i) => (acc[i] = acc[i]! + v));
    out.set(key, acc);
  }
  return out;
}

function totalsOf(days: { date: string; byModel: Record<string, { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number }> }[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const d of days) for (const [m, t] of Object.entries(d.byModel)) out.set(`${d.date}|${m}`, [t.input, t.output, t.cacheWrite5m, t.cacheWrite1h, t.cacheRead]);
  return out;
}

const specArb = fc.record({
  id: fc.option(fc.constantFrom('m1', 'm2', 'm3', 'm4', 'm5'), { nil: undefined }),
  rid: fc.option(fc.constantFrom('r1', 'r2'), { nil: undefined }),
  side: fc.boolean(),
  model: fc.constantFrom('claude-sonnet-4-6', 'claude-opus-4-5-20251101', 'claude-mystery-9'),
  at: fc.integer({ min: 0, max: 3 }).map((h) => T0 + h * 8 * 3_600_000),
  u: fc.tuple(fc.nat(500), fc.nat(500), fc.nat(50), fc.nat(50), fc.nat(5000)),
});

describe('local transcripts: de-duplication', () => {
  it('random interleavings and duplications of copies across files give the naive totals (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(specArb, fc.nat(2)), { minLength: 1, maxLength: 25 }), async (items) => {
        const d = tmpdir();
        const files: string[][] = [[], [], []];
        for (const [s, fi] of items) files[fi]!.push(line(s));
        files.forEach((ls, i) => ls.length && fs.writeFileSync(path.join(d, `f${i}.jsonl`), `${ls.join('\n')}\n`));
        const j = (await cliJson(['--dir', d, '--timezone', 'UTC'])) as { days: Parameters<typeof totalsOf>[0] };
        assert.deepStrictEqual(totalsOf(j.days), naive(items.map(([s]) => s)));
        fs.rmSync(d, { recursive: true });
      }),
      { numRuns: 40 },
    );
  });

  it('a ledger sized ahead (reserve, as before a big first scan) holds exactly what one grown step by step holds (property)', () => {
    fc.assert(
      fc.property(
        // size 'max': lengths across the whole range (fast-check's default keeps arrays near 10), so the tables grow.
        fc.array(fc.record({ key: fc.nat(2500), side: fc.boolean(), output: fc.nat(1000) }), { minLength: 1, maxLength: 2500, size: 'max' }),
        fc.nat(6000),
        fc.nat(2500),
        (lines, more, at) => {
          const grown = new Ledger();
          const sized = new Ledger();
          lines.forEach((x, i) => {
            if (i === Math.min(at, lines.length - 1)) sized.reserve(more);
            const l = emptyLine();
            l.keyed = true;
            [l.k1, l.k2, l.i1, l.i2] = [x.key, x.key * 7 + 1, x.key >> 1, 3];
            l.ts = T0 + i * 1000;
            l.model = 'claude-sonnet-4-6';
            l.sidechain = x.side;
            l.output = x.output;
            assert.equal(sized.add(l, 0, 0, 's'), grown.add(l, 0, 0, 's'));
          });
          assert.equal(sized.count, grown.count);
          assert.deepStrictEqual(sized.words.slice(0, sized.count * W), grown.words.slice(0, grown.count * W));
          assert.ok(sized.checkTables());
          for (let i = 0; i < sized.count; i++) assert.equal(sized.isReplay(i), grown.isReplay(i));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('of two copies of a message the ledger keeps the one its rule prefers, criterion by criterion, in either order', () => {
    type Copy = { side?: boolean; tok?: [number, number, number, number, number]; ts?: number; batch?: boolean; model?: string; session?: string; project?: string };
    const make = (c: Copy) => {
      const l = emptyLine();
      l.keyed = true;
      [l.k1, l.k2, l.i1, l.i2] = [11, 77, 5, 9];
      l.sidechain = c.side ?? false;
      [l.input, l.output, l.cacheWrite5m, l.cacheWrite1h, l.cacheRead] = c.tok ?? [10, 20, 30, 40, 50];
      l.ts = c.ts ?? T0;
      l.batch = c.batch ?? false;
      l.model = c.model ?? 'claude-sonnet-4-6';
      l.sessionId = c.session ?? 's1';
      return l;
    };
    // [preferred, other]: each pair differs first in the criterion named, the rule's order.
    const pairs: [string, Copy, Copy][] = [
      ['not a sidechain copy', { side: false, tok: [1, 1, 1, 1, 1] }, { side: true }],
      ['more tokens in all', { tok: [10, 20, 30, 40, 51] }, { tok: [10, 20, 30, 40, 50] }],
      ['the earlier timestamp', { ts: T0 }, { ts: T0 + 1 }],
      ['more input (same total)', { tok: [11, 19, 30, 40, 50] }, { tok: [10, 20, 30, 40, 50] }],
      ['more output', { tok: [10, 21, 29, 40, 50] }, { tok: [10, 20, 30, 40, 50] }],
      ['more 5-minute cache writes', { tok: [10, 20, 31, 39, 50] }, { tok: [10, 20, 30, 40, 50] }],
      ['more 1-hour cache writes', { tok: [10, 20, 30, 41, 49] }, { tok: [10, 20, 30, 40, 50] }],
      ['fewer flags', {}, { batch: true }],
      ['the model that sorts first', { model: 'claude-opus-4-6' }, { model: 'claude-sonnet-4-6' }],
      ['the session that sorts first', { session: 's1' }, { session: 's2' }],
      ['the project that sorts first', { project: 'p1' }, { project: 'p2' }],
    ];
    for (const [what, a, b] of pairs) {
      for (const order of [
        [a, b],
        [b, a],
      ]) {
        const l = new Ledger();
        // Ids in the order of reading, so that an id comparison would give the other answer in one of the orders.
        for (const c of order) l.add(make(c), l.projects.id(c.project ?? 'p1'), 0, 's');
        assert.equal(l.count, 1, what);
        const o = 0;
        const kept = make(a);
        assert.deepEqual(
          [...l.words.slice(o + W_INPUT, o + W_READ + 1)],
          [kept.input, kept.output, kept.cacheWrite5m, kept.cacheWrite1h, kept.cacheRead],
          what,
        );
        assert.equal(l.ts(0), kept.ts, what);
        assert.equal(l.models.values[l.words[o + W_MODEL]!], kept.model, what);
        assert.equal(l.sessions.values[l.words[o + W_SESSION]!], kept.sessionId, what);
        assert.equal(l.projects.values[l.words[o + W_PROJECT]!], a.project ?? 'p1', what);
        assert.equal(l.flags(0) & (F_BATCH | F_SIDECHAIN), (a.batch ? F_BATCH : 0) | (a.side ? F_SIDECHAIN : 0), what);
        assert.equal(l.copies(0), 2, what);
      }
    }
  });

  it('a ledger holds room for an eighth more records, when grown and when loaded: never twice what it needs', () => {
    const l = new Ledger();
    const caps = [l.words.length / W];
    for (let i = 0; i < 40_000; i++) {
      const x = emptyLine();
      x.keyed = true;
      [x.k1, x.k2, x.i1, x.i2] = [i, i * 7 + 1, i, 3];
      x.ts = T0 + i;
      x.model = 'claude-sonnet-4-6';
      l.add(x, 0, 0, 's');
      if (l.words.length / W !== caps.at(-1)) caps.push(l.words.length / W);
    }
    assert.equal(caps[0], 1024);
    // Each step adds an eighth of the records held (1,024 at least): 1,024 → 2,048 → … → 9,216 → 10,368 → ….
    for (let k = 1; k < caps.length; k++) assert.equal(caps[k], caps[k - 1]! + Math.max(1024, Math.ceil(caps[k - 1]! / 8)));
    assert.ok(caps.at(-1)! <= 40_000 * 1.125 + 1, `${caps.at(-1)}`);
    // Loaded from an index: the same eighth on top of what it holds.
    const loaded = new Ledger({ bytes: new Uint8Array(l.words.buffer, 0, l.count * RECORD_BYTES), count: l.count, models: l.models.values, projects: l.projects.values, sessions: l.sessions.values });
    assert.equal(loaded.words.length / W, 45_000);
    assert.deepStrictEqual(loaded.words.slice(0, l.count * W), l.words.slice(0, l.count * W));
    assert.ok(loaded.checkTables());
  });

  it('the hash table finds what a Map holds through its growth, keys read from the records, at a load of at most three quarters (property)', () => {
    fc.assert(
      // Keys from a small range (many share a slot's home and a tag), some set twice; the second word's
      // top bits vary so that tags differ and match.
      fc.property(fc.array(fc.tuple(fc.integer({ min: -60, max: 60 }), fc.integer({ min: -40, max: 40 }), fc.integer({ min: 0, max: 3 })), { maxLength: 4000, size: 'max' }), (sets) => {
        const rec = {
          words: new Uint32Array(0),
          keyIs: (i: number, at: number, a: number, b: number) => rec.words[i * W + at] === a && rec.words[i * W + at + 1] === b,
          eachRecord: (fn: (w: Uint32Array, off: number, ts: number, i: number) => void) => {
            for (let i = 0; i < rec.words.length / W; i++) fn(rec.words, i * W, 0, i);
          },
        };
        const t = new HashTable(rec, 0, 0);
        const m = new Map<string, { i: number; state: number }>();
        const keys: [number, number][] = [];
        for (const [x, b, state] of sets) {
          const a = Math.imul(x, 0x2000_0001);
          const k = `${a},${b}`;
          const s = t.slot(a, b);
          const known = m.get(k);
          if (known) {
            assert.equal(t.ref(s), known.i + 1);
            t.setState(s, state);
            known.state = state;
            continue;
          }
          assert.equal(t.ref(s), 0);
          // The record of the new entry (its key at words 0-1), then the slot.
          const i = keys.length;
          keys.push([a, b]);
          const w = new Uint32Array((i + 1) * W);
          w.set(rec.words);
          w[i * W] = a;
          w[i * W + 1] = b;
          rec.words = w;
          t.set(s, a, i, state);
          m.set(k, { i, state });
        }
        assert.equal(t.size, m.size);
        for (const [k, v] of m) {
          const [a, b] = k.split(',').map(Number) as [number, number];
          const s = t.slot(a, b);
          assert.equal(t.ref(s), v.i + 1);
          assert.equal(t.state(s), v.state);
        }
        assert.ok(t.check(rec.words, keys.length, 0, [0, 1, 2, 3]));
        const slots = t.t.length;
        assert.ok(fits(t.size, slots), `${t.size} in ${slots} slots`);
        // Grown only when needed: half as many slots would not hold them (or it is the first size).
        assert.ok(slots === 1024 || !fits(t.size, slots / 2), `${t.size} in ${slots} slots`);
        assert.equal(t.ref(t.slot(99, 99)), 0);
      }),
      // Thousands of entries shrink slowly: a failure is reported as found.
      { numRuns: 50, endOnFailure: true },
    );
  });

  it('a later larger copy in an appended piece replaces the counted one across runs; a sidechain replay never does', () => {
    const d = tmpdir();
    const idx = path.join(d, 'idx');
    const f = path.join(d, 'p', 's.jsonl');
    fs.mkdirSync(path.dirname(f));
    fs.writeFileSync(f, `${line({ id: 'm', rid: 'r', at: T0, u: [1, 5, 0, 0, 0] })}\n`);
    const run = () => new LocalUsageEngine({ roots: [d], indexDir: idx, timezone: 'UTC' }).refreshSync().data.days.map((r) => [r.input, r.output]);
    assert.deepEqual(run(), [[1, 5]]);
    fs.appendFileSync(f, `${line({ id: 'm', rid: 'r', at: T0, u: [1, 50, 0, 0, 0], side: true })}\n`);
    assert.deepEqual(run(), [[1, 5]]);
    fs.appendFileSync(f, `${line({ id: 'm', rid: 'r', at: T0, u: [1, 40, 0, 0, 0] })}\n${line({ id: 'm', rid: 'r', at: T0, u: [1, 2, 0, 0, 0] })}\n`);
    assert.deepEqual(run(), [[1, 40]]);
  });
});

describe('local transcripts: incremental index', () => {
  it('appending pieces split at random byte positions (mid-line too) equals one full run (property)', async () => {
    const src = tmpdir();
    const h = makeClaudeHome(src, new Date('2026-11-27T12:00:00Z'));
    const files = listTranscripts(h.projectsDir).map((f) => ({ rel: path.relative(h.projectsDir, f.path), bytes: fs.readFileSync(f.path) }));
    const full = await cliJson(['--dir', h.projectsDir, '--timezone', 'UTC']);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 6 }), fc.boolean(), async (cuts, freshEngine) => {
        const d = tmpdir();
        const root = path.join(d, 'projects');
        const idx = path.join(d, 'idx');
        let engine = new LocalUsageEngine({ roots: [root], indexDir: idx, timezone: 'UTC' });
        const points = [...new Set(cuts)].sort((x, y) => x - y);
        let prev = 0;
        for (const p of [...points, 1]) {
          for (const f of files) {
            const target = path.join(root, f.rel);
            fs.mkdirSync(path.dirname(target), { recursive: true });
            const a = Math.floor(prev * f.bytes.length);
            const b = Math.floor(p * f.bytes.length);
            fs.appendFileSync(target, f.bytes.subarray(a, b));
          }
          prev = p;
          if (freshEngine) engine = new LocalUsageEngine({ roots: [root], indexDir: idx, timezone: 'UTC' });
          engine.refreshSync();
        }
        const j = (await cliJson(['--dir', root, '--timezone', 'UTC', '--index', idx])) as Record<string, unknown>;
        assert.deepStrictEqual(j.missing, { files: 0, entries: 0, tokens: 0, costUsd: '0' });
        delete j.missing;
        assert.deepStrictEqual(j, full);
        fs.rmSync(d, { recursive: true });
      }),
      { numRuns: 15 },
    );
  });

  it('reads only appended bytes on a warm refresh', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, new Date('2026-11-27T12:00:00Z'));
    const idx = path.join(d, 'idx');
    const e1 = new LocalUsageEngine({ roots: [h.projectsDir], indexDir: idx, timezone: 'UTC' });
    assert.equal(e1.refreshSync().stats.indexLoaded, 'rebuilt (missing)');
    const e2 = new LocalUsageEngine({ roots: [h.projectsDir], indexDir: idx, timezone: 'UTC' });
    const r = e2.refreshSync();
    assert.equal(r.stats.indexLoaded, 'index');
    assert.equal(r.stats.filesRead, 0);
    assert.equal(r.stats.bytesRead, 0);
    const f = listTranscripts(h.projectsDir)[0]!.path;
    const extra = `${line({ id: 'new', at: Date.parse('2026-11-27T11:00:00Z'), u: [1, 1, 0, 0, 0] })}\n`;
    fs.appendFileSync(f, extra);
    const r3 = e2.refreshSync();
    assert.equal(r3.stats.filesRead, 1);
    assert.ok(r3.stats.bytesRead <= Buffer.byteLength(extra) + 1024, `read ${r3.stats.bytesRead} bytes`);
  });

  it('a file truncated and rewritten is re-read: old keyed history stays, old key-less entries are not double counted', () => {
    const d = tmpdir();
    const idx = path.join(d, 'idx');
    const f = path.join(d, 'p', 's.jsonl');
    fs.mkdirSync(path.dirname(f));
    fs.writeFileSync(f, [line({ id: 'a', at: T0, u: [10, 0, 0, 0, 0] }), line({ at: T0, u: [100, 0, 0, 0, 0] }), line({ id: 'b', at: T0, u: [1000, 0, 0, 0, 0] }), ''].join('\n'));
    const run = () => new LocalUsageEngine({ roots: [d], indexDir: idx, timezone: 'UTC' }).refreshSync().data.days.reduce((a, r) => a + r.input, 0);
    assert.equal(run(), 1110);
    // Rewritten shorter with different content (same inode, size below the old offset).
    fs.writeFileSync(f, [line({ at: T0, u: [100, 0, 0, 0, 0] }), line({ id: 'c', at: T0, u: [5, 0, 0, 0, 0] }), ''].join('\n'));
    assert.equal(run(), 1115);
    // Replaced by a new file of the same size with another head (new inode or head hash).
    const tmp = `${f}.new`;
    const body = fs.readFileSync(f, 'utf8').replace('"c"', '"d"');
    fs.writeFileSync(tmp, body);
    fs.renameSync(tmp, f);
    assert.equal(run(), 1120);
  });

  it('a deleted transcript keeps its history in the index', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, new Date('2026-11-27T12:00:00Z'));
    const idx = path.join(d, 'idx');
    const before = new LocalUsageEngine({ roots: [h.projectsDir], indexDir: idx, timezone: 'UTC' }).refreshSync().data;
    fs.rmSync(path.join(h.projectsDir, '-home-dev-api'), { recursive: true });
    const after = new LocalUsageEngine({ roots: [h.projectsDir], indexDir: idx, timezone: 'UTC' }).refreshSync().data;
    assert.deepStrictEqual(after.days, before.days);
    assert.equal(after.files, before.files - 2);
    assert.equal(after.skippedLines, before.skippedLines);
  });

  it('a corrupt, truncated or other-version index is rebuilt, never fatal', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, new Date('2026-11-27T12:00:00Z'));
    const idx = path.join(d, 'idx');
    const good = new LocalUsageEngine({ roots: [h.projectsDir], indexDir: idx, timezone: 'UTC' }).refreshSync().data.days;
    const file = indexFile(idx, [h.projectsDir]);
    const bytes = fs.readFileSync(file);
    const variants: [Buffer, string][] = [
      [Buffer.from('garbage'), 'corrupt'],
      [bytes.subarray(0, bytes.length - 9), 'corrupt'],
      [Buffer.concat([bytes.subarray(0, 8), Buffer.from([1, 0, 0, 0]), bytes.subarray(12)]), 'version'],
    ];
    const flipped = Buffer.from(bytes);
    flipped[30] = 0x7b; // breaks the header's JSON part (and its checksum)
    variants.push([flipped, 'corrupt']);
    // The last record's model id, out of range (records follow the 8-aligned header).
    const outOfRange = Buffer.from(bytes);
    const records = (24 + bytes.readUInt32LE(12) + 7) & ~7;
    outOfRange.writeUInt32LE(0xffff, records + (bytes.readUInt32LE(16) - 1) * 64 + 11 * 4);
    variants.push([outOfRange, 'corrupt']);
    // A table slot pointing past the records: the message-id table's last slot, at the end of the file.
    const badTable = Buffer.from(bytes);
    badTable.writeUInt32LE(0x00ff_ffff, bytes.length - 4);
    variants.push([badTable, 'corrupt']);
    // A slot pointing at an entry whose key is not there: the first non-empty slot of the message-id table
    // repointed to another entry (the tables follow the records; the key table's slots come first).
    const count = bytes.readUInt32LE(16);
    const header = readHeaderRegion(new Uint8Array(bytes.subarray(24, 24 + bytes.readUInt32LE(12))))!.h;
    const ids = records + count * 64 + header.keysLen * 4;
    const wrongKey = Buffer.from(bytes);
    for (let o = ids; o < wrongKey.length; o += 4) {
      const v = wrongKey.readUInt32LE(o);
      if (v === 0) continue;
      const ref = v & 0x00ff_ffff;
      wrongKey.writeUInt32LE(((v & ~0x00ff_ffff) | ((ref % count) + 1)) >>> 0, o);
      break;
    }
    assert.ok(count > 1 && !wrongKey.equals(bytes));
    variants.push([wrongKey, 'corrupt']);
    for (const [b, reason] of variants) {
      fs.writeFileSync(file, b);
      const r = new LocalUsageEngine({ roots: [h.projectsDir], indexDir: idx, timezone: 'UTC' }).refreshSync();
      assert.equal(r.stats.indexLoaded, `rebuilt (${reason})`);
      assert.deepStrictEqual(r.data.days, good);
    }
  });

  it('a base checked once is trusted while its identity holds; a write to it is checked again, even with its mtime put back', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, new Date('2026-11-27T12:00:00Z'));
    const idx = path.join(d, 'idx');
    const engine = () => new LocalUsageEngine({ roots: [h.projectsDir], indexDir: idx, timezone: 'UTC' });
    const good = engine().refreshSync().data.days;
    const file = indexFile(idx, [h.projectsDir]);
    const verified = file.replace(/\.bin$/, '.verified');
    const identity = () => {
      const st = fs.statSync(file);
      return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
    };
    // Written with the base, so even the first load skips the checks.
    assert.equal(fs.readFileSync(verified, 'utf8'), identity());
    const loaded = engine().refreshSync();
    assert.equal(loaded.stats.indexLoaded, 'index');
    assert.deepStrictEqual(loaded.data.days, good);
    // A whole-second mtime (a change of the file, checked and recorded by the next load)...
    fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
    assert.equal(engine().refreshSync().stats.indexLoaded, 'index');
    assert.equal(fs.readFileSync(verified, 'utf8'), identity());
    // ...then the same size, a record's model id out of range, the mtime set back: the ctime still tells.
    const bytes = fs.readFileSync(file);
    const records = (24 + bytes.readUInt32LE(12) + 7) & ~7;
    bytes.writeUInt32LE(0xffff, records + 11 * 4);
    fs.writeFileSync(file, bytes);
    fs.utimesSync(file, 1_700_000_000, 1_700_000_000);
    assert.equal(fs.statSync(file).mtimeMs, 1_700_000_000_000);
    const r = engine().refreshSync();
    assert.equal(r.stats.indexLoaded, 'rebuilt (corrupt)');
    assert.deepStrictEqual(r.data.days, good);
    // A missing or damaged record only means the next load checks everything again.
    fs.writeFileSync(verified, 'nonsense');
    assert.equal(engine().refreshSync().stats.indexLoaded, 'index');
    assert.equal(fs.readFileSync(verified, 'utf8'), identity());
  });
});

describe('local transcripts: time zones and windows', () => {
  it('maps instants to local days like Intl does, across DST and half-hour zones (property)', () => {
    for (const tz of ['America/Los_Angeles', 'Asia/Kolkata', 'Europe/London', 'Australia/Adelaide', 'Asia/Kathmandu', 'America/St_Johns', 'Australia/Lord_Howe', 'UTC']) {
      const clock = new DayClock(tz);
      const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
      fc.assert(
        fc.property(fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2028-01-01T00:00:00Z') }), (ms) => {
          assert.equal(clock.day(ms), fmt.format(new Date(ms)), `${tz} ${new Date(ms).toISOString()}`);
        }),
        { numRuns: 300 },
      );
    }
    const la = new DayClock('America/Los_Angeles');
    assert.equal(la.day(Date.parse('2026-03-08T07:59:59Z')), '2026-03-07'); // PST, before the change
    assert.equal(la.day(Date.parse('2026-03-08T08:00:00Z')), '2026-03-08');
    assert.equal(la.day(Date.parse('2026-03-09T06:59:59Z')), '2026-03-08'); // PDT after the change
    assert.equal(la.day(Date.parse('2026-03-09T07:00:00Z')), '2026-03-09');
    // Newfoundland changes offset at 05:30 UTC, inside a UTC hour; Lord Howe by 30 minutes.
    const nl = new DayClock('America/St_Johns');
    const nlFmt = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/St_Johns', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', hourCycle: 'h23' });
    for (let ms = Date.parse('2026-03-08T05:00:00Z'); ms < Date.parse('2026-03-08T06:00:00Z'); ms += 60_000) {
      assert.equal(new Date(ms + nl.offset(ms)).toISOString().slice(11, 13), nlFmt.formatToParts(new Date(ms)).find((p) => p.type === 'hour')!.value);
    }
    const ist = new DayClock('Asia/Kolkata');
    assert.equal(ist.day(Date.parse('2026-11-26T18:29:59Z')), '2026-11-26');
    assert.equal(ist.day(Date.parse('2026-11-26T18:30:00Z')), '2026-11-27');
    assert.equal(weekOf('2026-11-29'), '2026-11-23');
    assert.throws(() => new DayClock('Not/AZone'), /unknown time zone/);
  });

  it('splits the same entries into different days per time zone', () => {
    const d = tmpdir();
    fs.writeFileSync(path.join(d, 's.jsonl'), [line({ id: 'a', at: Date.parse('2026-11-26T18:00:00Z'), u: [1, 0, 0, 0, 0] }), line({ id: 'b', at: Date.parse('2026-11-26T19:00:00Z'), u: [2, 0, 0, 0, 0] }), ''].join('\n'));
    const days = (tz: string) => new LocalUsageEngine({ roots: [d], timezone: tz }).refreshSync().data.days.map((r) => [r.date, r.input]);
    assert.deepEqual(days('UTC'), [['2026-11-26', 3]]);
    assert.deepEqual(days('Asia/Kolkata'), [['2026-11-26', 1], ['2026-11-27', 2]]);
  });

  it('builds 5-hour windows (floored start, next window at the first entry after the end) with burn rate and projection', () => {
    const d = tmpdir();
    const at = (iso: string) => Date.parse(iso);
    // Sonnet 4.6 output at $15/M: 1M output tokens = $15.
    fs.writeFileSync(
      path.join(d, 's.jsonl'),
      [
        line({ id: 'a', at: at('2026-11-27T08:20:00Z'), u: [0, 1_000_000, 0, 0, 0] }),
        line({ id: 'b', at: at('2026-11-27T12:59:00Z'), u: [0, 1_000_000, 0, 0, 0] }),
        line({ id: 'c', at: at('2026-11-27T13:10:00Z'), u: [0, 100_000, 0, 0, 0] }),
        line({ id: 'e', at: at('2026-11-27T13:40:00Z'), u: [0, 200_000, 0, 0, 0] }),
        '',
      ].join('\n'),
    );
    const now = new Date('2026-11-27T14:00:00Z');
    const data = new LocalUsageEngine({ roots: [d], timezone: 'UTC', now: () => now }).refreshSync().data;
    const w = data.windows!;
    assert.deepEqual(
      w.map((x) => [x.start, x.end, x.tokens, x.costUsd, x.active]),
      [
        ['2026-11-27T08:00:00.000Z', '2026-11-27T13:00:00.000Z', 2_000_000, '30', false],
        ['2026-11-27T13:00:00.000Z', '2026-11-27T18:00:00.000Z', 300_000, '4.5', true],
      ],
    );
    const cur = data.currentWindow!;
    assert.equal(cur.active, true);
    // Last 30 minutes: only entry e (13:40): 200k tokens → 400k tokens/h, $3 → $6/h; 4 h left → +$24.
    assert.equal(cur.burnTokensPerHour, 400_000);
    assert.equal(cur.burnUsdPerHour, '6');
    assert.equal(cur.projectedCostUsd, '28.5');
  });
});

describe('local transcripts: discovery and service', () => {
  it('finds CLAUDE_CONFIG_DIR (comma-separated), ~/.config/claude and ~/.claude, extra folders, WSL homes on win32', () => {
    const d = tmpdir();
    const mk = (...p: string[]) => fs.mkdirSync(path.join(d, ...p), { recursive: true });
    mk('a', 'projects');
    mk('b', 'projects');
    mk('home', '.claude', 'projects');
    mk('home', '.config', 'claude', 'projects');
    mk('extra');
    assert.deepEqual(discoverRoots({ env: { CLAUDE_CONFIG_DIR: `${path.join(d, 'a')}, ${path.join(d, 'b')},${path.join(d, 'missing')}` }, home: path.join(d, 'home') }), [
      path.join(d, 'a', 'projects'),
      path.join(d, 'b', 'projects'),
    ]);
    assert.deepEqual(discoverRoots({ env: {}, home: path.join(d, 'home'), extraDirs: [path.join(d, 'extra'), path.join(d, 'a')] }), [
      path.join(d, 'home', '.config', 'claude', 'projects'),
      path.join(d, 'home', '.claude', 'projects'),
      path.join(d, 'extra'),
      path.join(d, 'a', 'projects'),
    ]);
    mk('wsl', 'Ubuntu', 'home', 'me', '.claude', 'projects');
    const roots = discoverRoots({ env: {}, home: path.join(d, 'home'), platform: 'win32', wslRoot: path.join(d, 'wsl') });
    assert.ok(roots.some((r) => r.includes('Ubuntu')), JSON.stringify(roots));
  });

  it('lists transcripts recursively, sub-agent files under their session', () => {
    const files = listTranscripts(path.join(FIXTURE, '.claude', 'projects'));
    assert.equal(files.length, 4);
    const sub = files.find((f) => f.path.includes('subagents'))!;
    assert.equal(sub.project, '-home-dev-shop');
    assert.equal(sub.session, '3f1c1a52-5b7e-4c1a-9d55-0a1b2c3d4e01');
  });

  it('a listing of paths alone names each transcript’s project and session as the full listing and a watcher’s path do (a file in the root, in a project, in a session folder, deeper)', () => {
    const d = tmpdir();
    const root = path.join(d, 'projects');
    const at = (...parts: string[]) => {
      const p = path.join(root, ...parts);
      fs.mkdirSync(path.dirname(p), { recursive: true });
      fs.writeFileSync(p, '');
      return p;
    };
    const made = [at('stray.jsonl'), at('-home-dev-app', 'sess-1.jsonl'), at('-home-dev-app', 'sess-1', 'subagents', 'agent-a.jsonl'), at('-home-dev-app', 'sess-1', 'x', 'y', 'deep.jsonl'), at('-home-dev-b', 'sess-2.jsonl')];
    at('-home-dev-app', 'notes.txt');
    for (const cache of [undefined, new Map()]) {
      const paths = listTranscriptPaths(root, cache, Date.parse('2026-11-27T12:00:00Z'));
      assert.deepStrictEqual(paths, [...made].sort());
      assert.deepStrictEqual(paths.map((p) => transcriptAt(root, p)), listTranscripts(root));
      for (const p of paths) assert.deepStrictEqual(transcriptAt(root, p), transcriptOf([root], p), p);
    }
    assert.deepStrictEqual(transcriptAt(root, made[2]!), { path: made[2], project: '-home-dev-app', session: 'sess-1' });
    assert.deepStrictEqual(transcriptAt(root, made[0]!), { path: made[0], project: '(root)', session: 'stray' });
  });

  it('a big scan split with a helper thread gives exactly the sequential result (when dist/indexWorker.js is built)', async function () {
    const workerFile = path.join(__dirname, '..', '..', 'dist', 'indexWorker.js');
    if (!fs.existsSync(workerFile)) this.skip();
    const d = tmpdir();
    const h = makeClaudeHome(d, new Date('2026-11-27T12:00:00Z'));
    const seq = new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', now: () => new Date('2026-11-27T12:00:00Z') }).refreshSync();
    const idx = path.join(d, 'idx');
    const par = await new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', indexDir: idx, scanWorkerFile: workerFile, parallelThreshold: 0, now: () => new Date('2026-11-27T12:00:00Z') }).refresh();
    assert.deepStrictEqual(comparable(par.data), comparable(seq.data));
    // The index it saved continues incrementally like any other.
    const again = new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', indexDir: idx, now: () => new Date('2026-11-27T12:00:00Z') }).refreshSync();
    assert.equal(again.stats.bytesRead, 0);
    assert.deepStrictEqual(comparable(again.data), comparable(seq.data));
  });

  /** The helper thread's bundle (the test is skipped without a build), a sample home and its sequential reading. */
  function sharedScanWorld(ctx: Mocha.Context) {
    const workerFile = path.join(__dirname, '..', '..', 'dist', 'indexWorker.js');
    if (!fs.existsSync(workerFile)) ctx.skip();
    const d = tmpdir();
    const now = () => new Date('2026-11-27T12:00:00Z');
    const h = makeClaudeHome(d, now());
    const seq = new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', now }).refreshSync();
    return { workerFile, d, now, h, seq };
  }

  it('a shared scan gives the sequential result when the helper reads every file (sharedThread), and when the helper fails (its files are read here)', async function () {
    const { workerFile, d, now, h, seq } = sharedScanWorld(this);
    // Every line comes through the helper's packed arrays and the merge.
    const all = await new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', scanWorkerFile: workerFile, parallelThreshold: 0, sharedThread: true, now }).refresh();
    assert.equal(all.stats.helper?.files, all.stats.files);
    assert.equal(all.stats.helper?.failed, false);
    assert.deepStrictEqual(comparable(all.data), comparable(seq.data));
    // A helper that dies at start-up (the CLI's shared scan): nothing is lost, its files are read in this thread.
    const broken = path.join(d, 'broken-worker.js');
    fs.writeFileSync(broken, "throw new Error('helper failed to start');\n");
    const fallback = await new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', scanWorkerFile: broken, parallelThreshold: 0, now }).refresh();
    assert.equal(fallback.stats.helper?.failed, true);
    assert.equal(fallback.stats.filesRead, seq.stats.filesRead);
    assert.deepStrictEqual(comparable(fallback.data), comparable(seq.data));
  });

  it('on a shared thread a failed helper fails the refresh (nothing read there, nothing taken in), and the next refresh reads everything', async function () {
    const { workerFile, d, now, h, seq } = sharedScanWorld(this);
    const broken = path.join(d, 'broken-worker.js');
    fs.writeFileSync(broken, "throw new Error('helper failed to start');\n");
    const idx = path.join(d, 'idx');
    const failing = new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', indexDir: idx, scanWorkerFile: broken, parallelThreshold: 0, sharedThread: true, now });
    await assert.rejects(failing.refresh(), /the transcript reader thread failed \(helper failed to start\); nothing was read/);
    assert.equal(fs.existsSync(indexFile(idx, [h.projectsDir])), false, 'nothing was saved');
    // The same index afterwards, with a helper that works: every file read once, the totals exact.
    const next = await new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', indexDir: idx, scanWorkerFile: workerFile, parallelThreshold: 0, sharedThread: true, now }).refresh();
    assert.equal(next.stats.filesRead, seq.stats.filesRead);
    assert.deepStrictEqual(comparable(next.data), comparable(seq.data));
  });

  it('a first scan starts the helper before listing the folders, and one that turns out small is read in this thread (the helper stopped unused)', async function () {
    const { workerFile, d, now, h, seq } = sharedScanWorld(this);
    const idx = path.join(d, 'idx');
    // Below the threshold: no shared scan, whether the helper was started early (no index yet) or not (an index).
    for (const round of ['no index yet', 'index on disk']) {
      const small = await new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', indexDir: idx, scanWorkerFile: workerFile, parallelThreshold: 1 << 30, now }).refresh();
      assert.equal(small.stats.helper, undefined, round);
      assert.deepStrictEqual(comparable(small.data), comparable(seq.data), round);
    }
    // Above it, the helper started early shares the scan.
    const big = await new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', scanWorkerFile: workerFile, parallelThreshold: 1, now }).refresh();
    assert.equal(big.stats.helper?.failed, false);
    assert.deepStrictEqual(comparable(big.data), comparable(seq.data));
  });

  it('the helper\'s packed lines hold every line when there are more than it made room for (its columns grow)', () => {
    const d = tmpdir();
    const files = [0, 1].map((k) => {
      const f = path.join(d, `many-${k}.jsonl`);
      const lines: string[] = [];
      // 3,000 lines a file, 6,000 in all: above the 4,096 a helper makes room for at least.
      for (let i = 0; i < 3000; i++) lines.push(line({ id: `msg_${k}_${i}`, rid: `req_${i % 7}`, model: i % 3 ? 'claude-opus-4-6' : 'claude-haiku-4-5', at: T0 + i * 1000, u: [i, k, i % 5, 0, 2 * i] }));
      fs.writeFileSync(f, `${lines.join('\n')}\n`);
      return f;
    });
    const { reply } = scanForReply({ jobs: files.map((f) => ({ path: f, from: 0, needCwd: false })), next: new SharedArrayBuffer(4), lines: 0 });
    const pk = reply.packed;
    assert.equal(pk.ts.length, 6000);
    assert.equal(pk.h.length, 6000 * 4);
    assert.equal(pk.tokens.length, 6000 * 5);
    // Line by line as the sequential reader reads them, file after file.
    let i = 0;
    files.forEach((f, job) =>
      scanFile(f, 0, (l) => {
        assert.deepStrictEqual(
          [pk.job[i], pk.ts[i], [...pk.h.subarray(i * 4, i * 4 + 4)], [...pk.tokens.subarray(i * 5, i * 5 + 5)], reply.models[pk.model[i]!]],
          [job, l.ts, [l.k1, l.k2, l.i1, l.i2], [l.input, l.output, l.cacheWrite5m, l.cacheWrite1h, l.cacheRead], l.model],
          `line ${i}`,
        );
        i++;
      }),
    );
    assert.equal(i, 6000);
  });

  it('closing the engine while its helper reads stops the helper, and the refresh fails instead of reading those files here', async function () {
    const { workerFile, h, now } = sharedScanWorld(this);
    const e = new LocalUsageEngine({ roots: [h.projectsDir], timezone: 'UTC', scanWorkerFile: workerFile, parallelThreshold: 0, sharedThread: true, now });
    // The refresh runs until it waits for the helper: the helper is under way when close() comes.
    const pending = e.refresh();
    e.close();
    await assert.rejects(pending, /closed/);
  });

  it('createLocalUsage collects garbage once idle after its first refresh and after a big one, never after small ones', async () => {
    const d = tmpdir();
    const projects = path.join(d, 'projects');
    fs.cpSync(path.join(FIXTURE, '.claude', 'projects'), projects, { recursive: true });
    const target = path.join(projects, '-home-dev-api', '7a2d9e10-1c3b-4e5f-8a9b-0c1d2e3f4a02.jsonl');
    // Timers by hand: the idle timer fires when the test says so.
    const due: { fn: () => void; ms: number }[] = [];
    const timers = { now: () => 0, set: (fn: () => void, ms: number) => due.push({ fn, ms }) - 1, clear: (t: unknown) => { if (typeof t === 'number' && due[t]) due[t]!.fn = () => {}; } };
    let collected = 0;
    const u = createLocalUsage({ roots: [projects], timezone: 'UTC', indexDir: path.join(d, 'idx'), collector: new IdleCollector(() => collected++, 1000, timers, () => 32 * 1024 * 1024) });
    await u.refresh();
    assert.equal(due.length, 1, 'the first refresh (the index built or loaded) asks for a collection');
    due[0]!.fn();
    assert.equal(collected, 1);
    assert.equal(due.length, 2, 'then its young generation, later');
    fs.appendFileSync(target, `\n${line({ id: 'msg_gc_1', rid: 'req_gc_1', at: Date.parse('2026-11-20T10:00:00Z'), u: [1, 2, 0, 0, 3] })}\n`);
    await u.refresh({ changed: [target] });
    assert.equal(due.length, 2, 'an append is not worth a collection');
    due[1]!.fn();
    assert.equal(collected, 2);
    u.close();
    await assert.rejects(u.refresh(), /closed/);
  });

  it('createLocalUsage: after an append the unchanged day rows come back as the same objects (the snapshot writer skips them)', async () => {
    const d = tmpdir();
    const projects = path.join(d, 'projects');
    fs.cpSync(path.join(FIXTURE, '.claude', 'projects'), projects, { recursive: true });
    const target = path.join(projects, '-home-dev-api', '7a2d9e10-1c3b-4e5f-8a9b-0c1d2e3f4a02.jsonl');
    const u = createLocalUsage({ roots: [projects], timezone: 'UTC', indexDir: path.join(d, 'idx'), sharedThread: true });
    /** The same files read from nothing: what every reply must equal. */
    const fresh = async () => {
      const c = createLocalUsage({ roots: [projects], timezone: 'UTC' });
      const data = await c.refresh();
      c.close();
      return data;
    };
    const first = await u.refresh();
    assert.ok(first.days.length >= 3, 'the fixture has several day rows');
    // A new, later day: every earlier row is kept. (The fixture's last line has no newline: one goes first.)
    const lastDay = Date.parse(`${first.days.at(-1)!.date}T00:00:00Z`);
    fs.appendFileSync(target, `\n${line({ id: 'msg_delta_1', rid: 'req_delta_1', at: lastDay + 86_400_000 + 3_600_000, u: [5, 7, 0, 0, 11] })}\n`);
    const second = await u.refresh({ changed: [target] });
    assert.deepStrictEqual(comparable(second), comparable(await fresh()));
    assert.equal(second.days.length, first.days.length + 1);
    first.days.forEach((r, i) => assert.equal(second.days[i], r, `row ${i} is the object the caller already held`));
    // A caller reordering the array it got changes nothing in the next reply.
    second.days.reverse();
    // The first day changes: its row is new, and the rows are right.
    fs.appendFileSync(target, `${line({ id: 'msg_delta_2', rid: 'req_delta_2', model: first.days[0]!.model, at: Date.parse(`${first.days[0]!.date}T12:00:00Z`), u: [1, 2, 0, 0, 3] })}\n`);
    const third = await u.refresh({ changed: [target] });
    assert.deepStrictEqual(comparable(third), comparable(await fresh()));
    assert.equal(first.days[0]!.project, '/home/dev/api', 'the first row is of the transcript appended to');
    assert.notDeepStrictEqual(third.days[0], first.days[0]);
    // Two requests at once are serialised and agree.
    const [p1, p2] = await Promise.all([u.refresh(), u.refresh()]);
    assert.deepStrictEqual(comparable(p1), comparable(third));
    assert.deepStrictEqual(comparable(p2), comparable(third));
    u.close();
  });

  it('createLocalUsage with sharedThread (every file read by the helper when built) gives the in-thread data and its progress', async () => {
    const roots = [path.join(FIXTURE, '.claude', 'projects')];
    const a = createLocalUsage({ roots, timezone: 'UTC' });
    const progress: [number, number, number][] = [];
    const scanWorkerFile = path.join(__dirname, '..', '..', 'dist', 'indexWorker.js');
    const b = createLocalUsage({ roots, timezone: 'UTC', sharedThread: true, parallelThreshold: 0, scanWorkerFile, helperProgressMs: 1, onProgress: (...p: [number, number, number]) => progress.push(p) });
    const [x, y] = await Promise.all([a.refresh(), b.refresh()]);
    assert.deepStrictEqual(y.days, x.days);
    assert.equal(y.skippedLines, 1);
    assert.deepStrictEqual(y.skipped, x.skipped);
    // Files done and in all, and the bytes the scan reads: every transcript, whole (what the extension's
    // progress notification shows, and how it tells a big scan).
    const files = listTranscripts(roots[0]!);
    const bytes = files.reduce((n, f) => n + fs.statSync(f.path).size, 0);
    assert.deepStrictEqual(progress.at(-1), [files.length, files.length, bytes]);
    assert.ok(progress.every(([done, total, b]) => done <= total && total === files.length && b === bytes), JSON.stringify(progress));
    if (fs.existsSync(scanWorkerFile)) {
      // While the helper reads alone, its claims are reported as they grow (this thread reads nothing meanwhile).
      assert.ok(progress.length >= 2, `reports while the helper reads: ${JSON.stringify(progress)}`);
      assert.ok(progress.every(([done], i) => i === 0 || done >= progress[i - 1]![0]), JSON.stringify(progress));
    }
    // Concurrent refreshes are serialised and agree.
    const [p1, p2] = await Promise.all([a.refresh(), a.refresh()]);
    assert.deepStrictEqual(comparable(p2), comparable(p1));
    a.close();
    b.close();
    await assert.rejects(a.refresh(), /closed/);
  });
});
