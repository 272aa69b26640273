// The transcript rules of issue 11 on real-shaped lines: /btw replays, sub-agent usage nested in progress
// lines, a complete last line without newline, fast mode; the reason-coded tally of lines not counted; and
// the property that any interleaving and split of appends, read by incremental runs (also by two engines
// sharing one index, like the extension and the CLI), gives exactly the totals of one cold scan.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { LocalUsageEngine } from '../../src/core/local/service';
import type { LocalUsageData } from '../../src/core/model/snapshot';

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});
function tmpdir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-rules-'));
  made.push(d);
  return d;
}

const T0 = Date.parse('2026-11-20T10:00:00Z');
const NOW = () => new Date('2026-11-21T00:00:00Z');

interface Spec {
  id?: string;
  rid?: string;
  side?: boolean;
  model?: string;
  at?: number;
  u: [number, number, number, number, number];
  speed?: string;
  /** Wrap as a sub-agent entry nested in a parent's progress line. */
  nested?: boolean;
}

/** A line in Claude Code's shape (key order, streamed content), or a progress line carrying it. */
function line(s: Spec): string {
  const entry = {
    parentUuid: 'p',
    isSidechain: s.side ?? false,
    userType: 'external',
    cwd: '/home/dev/app',
    sessionId: 'sess-1',
    version: '2.1.140',
    gitBranch: 'main',
    message: {
      model: s.model ?? 'claude-sonnet-4-6',
      ...(s.id ? { id: s.id } : {}),
      type: 'message',
      role: 'assistant',
      content: [{ type: 'text', text: 'the "usage" of {"type":"assistant"} lines\n\tis fine ✓' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: {
        input_tokens: s.u[0],
        cache_creation_input_tokens: s.u[2] + s.u[3],
        cache_read_input_tokens: s.u[4],
        cache_creation: { ephemeral_5m_input_tokens: s.u[2], ephemeral_1h_input_tokens: s.u[3] },
        output_tokens: s.u[1],
        service_tier: 'standard',
        ...(s.speed ? { speed: s.speed } : {}),
      },
    },
    ...(s.rid ? { requestId: s.rid } : {}),
    type: 'assistant',
    uuid: 'u',
    timestamp: new Date(s.at ?? T0).toISOString(),
  };
  if (!s.nested) return JSON.stringify(entry);
  const { isSidechain: _drop, ...inner } = entry; // nested copies carry no sidechain flag of their own
  return JSON.stringify({ parentUuid: 'p', isSidechain: false, userType: 'external', cwd: '/home/dev/app', sessionId: 'sess-1', type: 'progress', data: { type: 'agent_progress', agentId: 'a1', message: inner }, uuid: 'v', timestamp: new Date((s.at ?? T0) + 50).toISOString() });
}

const tokens = (d: LocalUsageData) => d.days.map((r) => [r.model, r.input, r.output, r.cacheWrite5m, r.cacheWrite1h, r.cacheRead]);
const engine = (root: string, idx?: string) => new LocalUsageEngine({ roots: [root], timezone: 'UTC', now: NOW, ...(idx ? { indexDir: idx } : {}) });
const cold = (root: string) => engine(root).refreshSync().data;

describe('local transcripts: /btw replays', () => {
  const parent: Spec = { id: 'msg_P', rid: 'req_1', u: [3, 100, 0, 0, 720] };
  const replay: Spec = { id: 'msg_P', rid: 'req_btw', side: true, u: [3, 100, 0, 0, 50_720] };

  it('a sidechain copy of a parent message with a new requestId is not counted (cache read 720, not 50,720)', () => {
    const d = tmpdir();
    fs.writeFileSync(path.join(d, 's.jsonl'), `${line(parent)}\n${line(replay)}\n`);
    const data = cold(d);
    assert.deepEqual(tokens(data), [['claude-sonnet-4-6', 3, 100, 0, 0, 720]]);
    assert.equal(data.skipped?.replay, 1);
  });

  it('in any order of discovery and across incremental runs: the replay first, its parent in a later run', () => {
    const d = tmpdir();
    const idx = path.join(d, '.idx');
    fs.mkdirSync(path.join(d, 'p', 's', 'subagents'), { recursive: true });
    // The replay sits in a file read before the parent's (and arrives first).
    fs.writeFileSync(path.join(d, 'p', 'a.jsonl'), `${line(replay)}\n`);
    const e = engine(d, idx);
    assert.deepEqual(tokens(e.refreshSync().data), [['claude-sonnet-4-6', 3, 100, 0, 0, 50_720]]); // no parent known yet
    fs.writeFileSync(path.join(d, 'p', 'b.jsonl'), `${line(parent)}\n`);
    const warm = e.refreshSync().data;
    assert.deepEqual(tokens(warm), [['claude-sonnet-4-6', 3, 100, 0, 0, 720]]);
    assert.deepEqual(tokens(engine(d, idx).refreshSync().data), tokens(warm));
    assert.deepEqual(tokens(cold(d)), tokens(warm));
  });

  it('a sidechain entry with its own message id (a sub-agent) counts', () => {
    const d = tmpdir();
    fs.writeFileSync(path.join(d, 's.jsonl'), `${line(parent)}\n${line({ id: 'msg_S', rid: 'req_2', side: true, u: [1, 1, 0, 0, 1] })}\n`);
    assert.equal(cold(d).skipped?.replay, 0);
    assert.equal(cold(d).days[0]!.input, 4);
  });
});

describe('local transcripts: sub-agent usage nested in progress lines', () => {
  const sub: Spec = { id: 'msg_A', rid: 'req_A', side: true, model: 'claude-haiku-4-5-20251001', u: [10, 20, 30, 0, 40] };

  it('counts a nested entry whose sub-agent file is missing', () => {
    const d = tmpdir();
    fs.writeFileSync(path.join(d, 's.jsonl'), `${line({ ...sub, nested: true })}\n`);
    assert.deepEqual(tokens(cold(d)), [['claude-haiku-4-5-20251001', 10, 20, 30, 0, 40]]);
  });

  for (const order of ['parent file first', 'sub-agent file first']) {
    it(`counts it once when the sub-agent file has the same entry (${order}, also across runs)`, () => {
      const d = tmpdir();
      const idx = path.join(d, '.idx');
      const parentFile = path.join(d, 'p', 'sess.jsonl');
      const subFile = path.join(d, 'p', 'sess', 'subagents', 'agent-a1.jsonl');
      fs.mkdirSync(path.dirname(subFile), { recursive: true });
      const e = engine(d, idx);
      const [first, second] = order === 'parent file first' ? [() => fs.writeFileSync(parentFile, `${line({ ...sub, nested: true })}\n`), () => fs.writeFileSync(subFile, `${line(sub)}\n`)] : [() => fs.writeFileSync(subFile, `${line(sub)}\n`), () => fs.writeFileSync(parentFile, `${line({ ...sub, nested: true })}\n`)];
      first();
      e.refreshSync();
      second();
      const data = e.refreshSync().data;
      assert.deepEqual(tokens(data), [['claude-haiku-4-5-20251001', 10, 20, 30, 0, 40]]);
      assert.equal(data.skipped?.duplicate, 1);
      assert.deepEqual(tokens(cold(d)), tokens(data));
    });
  }
});

describe('local transcripts: the last line of a file', () => {
  it('a complete last line without newline counts exactly once, also when the file grows later', () => {
    const d = tmpdir();
    const idx = path.join(d, '.idx');
    const f = path.join(d, 's.jsonl');
    fs.writeFileSync(f, `${line({ id: 'a', rid: 'r', u: [1, 0, 0, 0, 0] })}\n${line({ id: 'b', rid: 'r', u: [10, 0, 0, 0, 0] })}`);
    // A one-off run (no index) and an indexed run both count it.
    assert.equal(cold(d).days[0]!.input, 11);
    const e = engine(d, idx);
    assert.equal(e.refreshSync().data.days[0]!.input, 11);
    fs.appendFileSync(f, `\n${line({ id: 'c', rid: 'r', u: [100, 0, 0, 0, 0] })}\n`);
    const warm = e.refreshSync().data;
    assert.equal(warm.days[0]!.input, 111);
    assert.equal(warm.skipped?.duplicate, 0);
    assert.equal(engine(d, idx).refreshSync().data.days[0]!.input, 111);
    assert.equal(cold(d).days[0]!.input, 111);
  });
});

describe('local transcripts: fast mode and the tally of lines not counted', () => {
  it('fast usage is its own "(fast)" row at the fast price; every usage line not counted has a reason', () => {
    const d = tmpdir();
    const lines = [
      line({ id: 'f', rid: 'r', model: 'claude-opus-4-6', speed: 'fast', u: [40, 2000, 0, 0, 20_000] }),
      line({ id: 'n', rid: 'r', model: 'claude-opus-4-6', speed: 'standard', u: [40, 2000, 0, 0, 20_000] }),
      line({ id: 'n', rid: 'r', model: 'claude-opus-4-6', u: [40, 10, 0, 0, 20_000] }), // a streamed early copy
      line({ id: 's', rid: 'r', model: '<synthetic>', u: [0, 0, 0, 0, 0] }),
      JSON.stringify({ type: 'assistant', isApiErrorMessage: true, timestamp: new Date(T0).toISOString(), message: { id: 'e', model: 'claude-opus-4-6', usage: { input_tokens: 0, output_tokens: 0 } } }),
      line({ id: 'x', rid: 'r', u: [1, 1, 0, 0, 1] }).slice(0, -30) + '"usage"', // broken
    ];
    fs.writeFileSync(path.join(d, 's.jsonl'), `${lines.join('\n')}\n`);
    const data = cold(d);
    assert.deepEqual(
      data.days.map((r) => [r.model, r.costUsd]),
      [
        ['claude-opus-4-6', '0.0602'],
        ['claude-opus-4-6 (fast)', '0.3612'],
      ],
    );
    assert.deepEqual(data.skipped, { corrupt: 1, tooLarge: 0, synthetic: 1, apiError: 1, replay: 0, duplicate: 1 });
    assert.equal(data.skippedLines, 1);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Property: any interleaving and split of appends equals one cold scan.

const specArb: fc.Arbitrary<Spec> = fc.record({
  id: fc.option(fc.constantFrom('m1', 'm2', 'm3', 'm4'), { nil: undefined, freq: 6 }),
  rid: fc.option(fc.constantFrom('r1', 'r2', 'r3'), { nil: undefined, freq: 6 }),
  side: fc.boolean(),
  model: fc.constantFrom('claude-sonnet-4-6', 'claude-opus-4-6', 'claude-mystery-9'),
  at: fc.integer({ min: 0, max: 3 }).map((h) => T0 + h * 8 * 3_600_000),
  u: fc.tuple(fc.nat(500), fc.nat(500), fc.nat(50), fc.nat(50), fc.nat(5000)),
  speed: fc.constantFrom(undefined, 'standard', 'fast'),
  nested: fc.boolean(),
});

function totalsAndTally(d: LocalUsageData): unknown {
  return { days: d.days.map((r) => ({ ...r })), skipped: d.skipped, skippedLines: d.skippedLines, unpriced: d.unpricedModels };
}

describe('local transcripts: incremental runs equal a cold scan (property)', () => {
  it('any split of appends, in any interleaving across files, read warm, fresh, or by two engines sharing the index', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(specArb, fc.nat(3)), { minLength: 1, maxLength: 20 }),
        fc.array(fc.tuple(fc.nat(3), fc.double({ min: 0, max: 1, noNaN: true })), { minLength: 1, maxLength: 12 }),
        fc.boolean(),
        fc.constantFrom('warm', 'fresh', 'fresh, with saved aggregates', 'two engines', 'warm, as the extension asks'),
        (items, steps, lastNewline, mode) => {
          const d = tmpdir();
          const root = path.join(d, 'projects');
          const idx = path.join(d, 'idx');
          // Four files: a session, its sub-agent file, a resumed session and another project's.
          const names = ['p1/s1.jsonl', 'p1/s1/subagents/agent-a.jsonl', 'p1/s2.jsonl', 'p2/s3.jsonl'];
          const contents = names.map((_, i) => {
            const ls = items.filter(([, f]) => f === i).map(([s]) => line(s));
            return Buffer.from(ls.length ? `${ls.join('\n')}${lastNewline || i % 2 ? '\n' : ''}` : '');
          });
          for (const n of names) fs.mkdirSync(path.dirname(path.join(root, n)), { recursive: true });
          const written = names.map(() => 0);
          const engines = [engine(root, idx), engine(root, idx)];
          let turn = 0;
          // The extension's query: a week of sessions and windows, per-project rows for recent days only.
          const extension = { recent: true, projectDetailSince: '2026-11-20', changed: names.map((n) => path.join(root, n)) };
          const refresh = () => {
            if (mode === 'fresh, with saved aggregates') {
              // A new process each time (the CLI), starting from the aggregates the last one saved.
              const data = new LocalUsageEngine({ roots: [root], timezone: 'UTC', now: NOW, indexDir: idx, aggregateCache: true }).refreshSync().data;
              assert.deepStrictEqual(totalsAndTally(data), totalsAndTally(cold(root)));
              return;
            }
            const e = mode === 'fresh' ? engine(root, idx) : engines[mode === 'two engines' ? turn++ % 2 : 0]!;
            if (mode === 'warm, as the extension asks') {
              const { computedAt: _a, indexDir: _b, ...data } = e.refreshSync(extension).data;
              const { computedAt: _c, ...want } = engine(root).refreshSync(extension).data;
              assert.deepStrictEqual(data, want);
              return;
            }
            const data = e.refreshSync().data;
            // After every step (not only at the end): the warm engine's incrementally kept aggregates equal a
            // cold scan of the files as they are now.
            if (mode === 'warm') assert.deepStrictEqual(totalsAndTally(data), totalsAndTally(cold(root)));
          };
          // Append pieces (split at any byte, mid-line and mid-character too) in the generated order.
          for (const [fi, frac] of steps) {
            const c = contents[fi]!;
            const to = Math.max(written[fi]!, Math.floor(frac * c.length));
            fs.appendFileSync(path.join(root, names[fi]!), c.subarray(written[fi]!, to));
            written[fi] = to;
            refresh();
          }
          names.forEach((n, i) => fs.appendFileSync(path.join(root, n), contents[i]!.subarray(written[i]!)));
          refresh();
          const final = (mode === 'two engines' ? engines[turn % 2]! : engine(root, idx)).refreshSync().data;
          assert.deepStrictEqual(totalsAndTally(final), totalsAndTally(cold(root)));
          fs.rmSync(d, { recursive: true, force: true });
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 60) },
    );
  });
});

describe('local transcripts: days in any time zone (property)', () => {
  it('every entry lands on the local day Intl gives, across DST changes and half-hour zones', () => {
    const zones = ['America/Los_Angeles', 'Asia/Kolkata', 'America/St_Johns', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'Europe/London', 'Pacific/Kiritimati', 'UTC'];
    // Times around transitions of 2026 (March/April, October/November) and random ones.
    const around = ['2026-03-08T09:00:00Z', '2026-03-29T00:30:00Z', '2026-04-05T15:00:00Z', '2026-10-04T15:30:00Z', '2026-10-25T01:00:00Z', '2026-11-01T08:30:00Z'].map(Date.parse);
    const instant = fc.oneof(
      fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2027-01-01T00:00:00Z') }),
      fc.tuple(fc.constantFrom(...around), fc.integer({ min: -3 * 3_600_000, max: 3 * 3_600_000 })).map(([a, b]) => a + b),
    );
    fc.assert(
      fc.property(fc.constantFrom(...zones), fc.array(instant, { minLength: 1, maxLength: 30 }), (tz, times) => {
        const d = tmpdir();
        fs.writeFileSync(path.join(d, 's.jsonl'), `${times.map((at, n) => line({ id: `m${n}`, rid: 'r', at, u: [1 + n, 0, 0, 0, 0] })).join('\n')}\n`);
        const fmt = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' });
        const want = new Map<string, number>();
        times.forEach((at, n) => {
          const day = fmt.format(new Date(at));
          want.set(day, (want.get(day) ?? 0) + 1 + n);
        });
        const got = new LocalUsageEngine({ roots: [d], timezone: tz, now: NOW }).refreshSync().data.days.map((r) => [r.date, r.input]);
        assert.deepEqual(got, [...want.entries()].sort());
        fs.rmSync(d, { recursive: true, force: true });
      }),
      { numRuns: 150 },
    );
  });
});

describe('local transcripts: project detail for recent days only', () => {
  it('rows before projectDetailSince are per (day, model) with project ""; totals unchanged', () => {
    const d = tmpdir();
    for (const [p, cwd] of [
      ['a', '/home/dev/a'],
      ['b', '/home/dev/b'],
    ] as const) {
      fs.mkdirSync(path.join(d, p));
      const at = [Date.parse('2026-11-01T10:00:00Z'), Date.parse('2026-11-20T10:00:00Z')];
      fs.writeFileSync(path.join(d, p, 's.jsonl'), `${at.map((t, n) => line({ id: `${p}${n}`, rid: 'r', at: t, u: [1, 1, 0, 0, 0] }).replace('/home/dev/app', cwd)).join('\n')}\n`);
    }
    const e = new LocalUsageEngine({ roots: [d], timezone: 'UTC', now: NOW });
    const all = e.refreshSync().data;
    const cut = e.refreshSync({ projectDetailSince: '2026-11-15' }).data;
    assert.deepEqual(
      cut.days.map((r) => [r.date, r.project, r.input]),
      [
        ['2026-11-01', '', 2],
        ['2026-11-20', '/home/dev/a', 1],
        ['2026-11-20', '/home/dev/b', 1],
      ],
    );
    assert.equal(cut.projectDetailSince, '2026-11-15');
    assert.deepEqual(
      all.days.map((r) => [r.date, r.project]),
      [
        ['2026-11-01', '/home/dev/a'],
        ['2026-11-01', '/home/dev/b'],
        ['2026-11-20', '/home/dev/a'],
        ['2026-11-20', '/home/dev/b'],
      ],
    );
  });
});

describe('local transcripts: sessions and windows kept between refreshes (property)', () => {
  it('equal a fresh computation as the clock moves on (entries leave the week), back, and as sessions grow; so do the day rows', () => {
    const at = (h: number) => T0 - 12 * 86_400_000 + h * 3_600_000;
    // US-only inference is a price class of its own: a day row then sums two groups of tokens.
    const entry = fc.record({ session: fc.nat(4), hour: fc.nat(12 * 24), u: fc.nat(5000), us: fc.boolean() });
    const step = fc.oneof(
      fc.record({ kind: fc.constant('clock' as const), hours: fc.integer({ min: -30, max: 80 }) }),
      fc.record({ kind: fc.constant('append' as const), e: entry }),
    );
    fc.assert(
      fc.property(fc.array(entry, { minLength: 1, maxLength: 25 }), fc.array(step, { minLength: 1, maxLength: 12 }), (initial, steps) => {
        const d = tmpdir();
        const root = path.join(d, 'projects');
        fs.mkdirSync(path.join(root, 'p1'), { recursive: true });
        let n = 0;
        const append = (e: { session: number; hour: number; u: number; us: boolean }) => {
          const l = JSON.parse(line({ id: `msg_${n}`, rid: `req_${n}`, model: 'claude-opus-4-6', at: at(e.hour), u: [1, e.u, 0, 0, n++] }));
          l.sessionId = `sess-${e.session}`;
          l.message.usage.inference_geo = e.us ? 'us' : 'global';
          fs.appendFileSync(path.join(root, 'p1', `sess-${e.session}.jsonl`), `${JSON.stringify(l)}\n`);
        };
        initial.forEach(append);
        // The clock starts after the last entry could be, so the week of sessions moves over them as it runs.
        let now = at(12 * 24 + 1);
        const clock = () => new Date(now);
        const warm = new LocalUsageEngine({ roots: [root], timezone: 'UTC', now: clock, indexDir: path.join(d, 'idx') });
        const query = { recent: true, projectDetailSince: '2026-11-15' };
        const check = () => {
          const { computedAt: _a, indexDir: _b, ...got } = warm.refreshSync(query).data;
          const { computedAt: _c, ...want } = new LocalUsageEngine({ roots: [root], timezone: 'UTC', now: clock }).refreshSync(query).data;
          assert.deepStrictEqual(got, want);
        };
        check();
        for (const s of steps) {
          if (s.kind === 'clock') now += s.hours * 3_600_000;
          else append(s.e);
          check();
        }
      }),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 60) },
    );
  });
});
