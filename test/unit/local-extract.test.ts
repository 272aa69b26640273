// Differential tests: the byte-level extractor (src/core/local/extract.ts) against the JSON.parse reference
// (parseUsageLine) on every fixture line, on both benchmark corpus shapes, and on generated lines with
// escapes, unicode, nested objects, reordered keys, odd value types and truncation.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { generate } from '../../bench/local/generate';
import { generateRealistic } from '../../bench/local/realistic';
import { listTranscripts } from '../../src/core/local/discovery';
import { emptyLine, extractLine, X_API_ERROR, X_CORRUPT, X_ENTRY, X_FALLBACK, X_IGNORE, X_SYNTHETIC, type UsageLine } from '../../src/core/local/extract';
import { copyIntoWasm, setWasmEnabled, wasmExtractor } from '../../src/core/local/extractWasm';
import { parseUsageLine, scanFile, SMALL_WINDOW, type ParsedLine } from '../../src/core/local/reader';
import { makeClaudeHome } from '../fixtures/makeClaudeHome';

const made: string[] = [];
after(() => {
  for (const d of made) fs.rmSync(d, { recursive: true, force: true });
});
function tmpdir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-extract-'));
  made.push(d);
  return d;
}

type Outcome = { kind: 'entry'; line: UsageLine } | { kind: 'ignore' | 'corrupt' | 'synthetic' | 'apiError' } | { kind: 'fallback' };

/**
 * The extractor's reading of one line, walked twice: in JavaScript (the line in a Buffer of its own) and in
 * WebAssembly (the same bytes copied into the module's memory, as the reader reads them there). Both must give
 * the same outcome, fallbacks included.
 */
function fast(text: string): Outcome {
  // Surround the line like the reader does (newline after it, another line before).
  const buf = Buffer.from(`{"x":1}\n${text}\n{"type":"user"}\n`);
  const ls = 8;
  const le = ls + Buffer.byteLength(text);
  const js = outcome(buf, ls, le);
  const inWasm = copyIntoWasm(buf);
  if (inWasm) assert.deepStrictEqual(outcome(inWasm, ls, le), js, `WebAssembly and JavaScript walks differ: ${text.slice(0, 300)}`);
  return js;
}

function outcome(buf: Buffer, ls: number, le: number): Outcome {
  const out = emptyLine();
  const code = extractLine(buf, ls, le, out, true);
  switch (code) {
    case X_ENTRY:
      return { kind: 'entry', line: { ...out } };
    case X_IGNORE:
      return { kind: 'ignore' };
    case X_CORRUPT:
      return { kind: 'corrupt' };
    case X_SYNTHETIC:
      return { kind: 'synthetic' };
    case X_API_ERROR:
      return { kind: 'apiError' };
    case X_FALLBACK:
      return { kind: 'fallback' };
  }
  throw new Error(`code ${String(code)}`);
}

function ref(p: ParsedLine): Outcome {
  return typeof p === 'string' ? { kind: p } : { kind: 'entry', line: p };
}

/** Both readings agree (the fast path may decline with `fallback`: the reader then uses the reference). */
function agree(text: string): 'same' | 'fallback' {
  const a = fast(text);
  if (a.kind === 'fallback') return 'fallback';
  let b = ref(parseUsageLine(text));
  // The reader tallies an unparseable line only when it holds the usage marker (as it does for the fallback).
  if (b.kind === 'corrupt' && !text.includes('"usage"')) b = { kind: 'ignore' };
  if (a.kind === 'ignore' && b.kind === 'corrupt') {
    // Allowed only when the line said early that it is not an assistant or progress line.
    assert.match(text, /^\uFEFF?\s*\{[^]*?"type"\s*:\s*"(?!assistant"|progress")/, `ignored a corrupt line: ${text.slice(0, 200)}`);
    return 'same';
  }
  if (a.kind === 'entry' && b.kind === 'entry') {
    const norm = (l: UsageLine) => ({ ...l, sessionId: l.sessionId, cwd: l.cwd });
    assert.deepStrictEqual(norm(a.line), norm(b.line), text.slice(0, 300));
  } else assert.equal(a.kind, b.kind, text.slice(0, 300));
  return 'same';
}

function linesOf(root: string): string[] {
  const out: string[] = [];
  for (const f of listTranscripts(root)) {
    for (const l of fs.readFileSync(f.path, 'utf8').split('\n')) if (l.trim()) out.push(l);
  }
  return out;
}

describe('local transcripts: byte-level extractor = JSON.parse (differential)', () => {
  it('walks lines in WebAssembly too (dist/extract.wasm, built by npm run build), reading where the reader reads', () => {
    const w = wasmExtractor();
    assert.ok(w, 'dist/extract.wasm did not load: run `npm run build` first');
    const line = Buffer.from('{"type":"assistant","timestamp":"2026-11-20T10:00:00.000Z","message":{"id":"msg_1","model":"claude-sonnet-4-6","content":[],"usage":{"input_tokens":3,"output_tokens":4}},"requestId":"req_1"}');
    const inWasm = copyIntoWasm(line)!;
    assert.equal(inWasm.buffer, w.mem.buffer);
    const out = emptyLine();
    assert.equal(extractLine(inWasm, 0, line.length, out, false), X_ENTRY);
    assert.deepEqual([out.model, out.input, out.output, out.ts], ['claude-sonnet-4-6', 3, 4, Date.UTC(2026, 10, 20, 10)]);
  });

  it('on every line of the sample home (also with CRLF, a BOM, spaces after colons)', () => {
    const d = tmpdir();
    const h = makeClaudeHome(d, new Date('2026-11-27T12:00:00Z'));
    let fallbacks = 0;
    const lines = linesOf(h.projectsDir);
    for (const l of lines) {
      for (const v of [l, `${l}\r`, `\uFEFF${l}`, l.replace(/":/g, '": ')]) if (agree(v) === 'fallback') fallbacks++;
    }
    // Only the cut line, the line still being written and the line without message.id (read by scanning is
    // not allowed to jump over its content) need JSON.parse, in each of the 4 variants.
    assert.ok(fallbacks <= 12, `${fallbacks} fallbacks`);
  });

  for (const [shape, gen] of [
    ['synthetic', generate],
    ['realistic', generateRealistic],
  ] as const) {
    it(`on every line of a generated ${shape} corpus (4 MiB)`, function () {
      this.timeout(60_000);
      const d = tmpdir();
      gen({ sizeMb: 4, seed: 7, out: d });
      let n = 0;
      let fallbacks = 0;
      for (const l of linesOf(path.join(d, 'projects'))) {
        n++;
        if (agree(l) === 'fallback') fallbacks++;
      }
      assert.ok(n > 500, `${n} lines`);
      // The corrupt lines the generators write are the only ones that need the fallback.
      assert.ok(fallbacks <= Math.max(3, n * 0.01), `${fallbacks} of ${n} lines fell back`);
    });
  }

  it('on generated lines: reordered keys, escapes, unicode, nested values, odd types, progress nesting (property)', () => {
    const tricky = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.constantFrom('"', '\\', '\\"', '"}]', '{"usage":{"input_tokens":9}}', '\u2028é𝄞日本', '\n\t\r', '"type":"assistant"', 'msg_01\u0000x', ''),
    );
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(tricky, tie('v'), { maxKeys: 3 })),
    })).v;
    const token = fc.oneof(
      { weight: 8, arbitrary: fc.nat({ max: 2_000_000 }) },
      { weight: 1, arbitrary: fc.constantFrom(0, 4294967295, 4294967296, -1, 1.5, 1e3, null, '12', true) },
    );
    const str = (s: fc.Arbitrary<string>) => fc.oneof({ weight: 6, arbitrary: s }, { weight: 1, arbitrary: fc.constantFrom(5, null, '', false) as fc.Arbitrary<unknown> });
    const ts = fc.oneof(
      { weight: 6, arbitrary: fc.integer({ min: Date.parse('2025-01-01T00:00:00Z'), max: Date.parse('2027-12-31T00:00:00Z') }).map((t) => new Date(t).toISOString()) },
      { weight: 1, arbitrary: fc.constantFrom('2026-11-20T10:00:00Z', '2026-11-20T10:00:00.5Z', '2026-11-20T10:00:00+02:00', '2026-02-30T00:00:00Z', '2026-13-01T00:00:00Z', 'yesterday', '2026-11-20T10:00:00.123456Z') },
    );
    const usage = fc.record(
      {
        input_tokens: token,
        output_tokens: token,
        cache_creation_input_tokens: token,
        cache_read_input_tokens: token,
        cache_creation: fc.oneof(fc.record({ ephemeral_5m_input_tokens: token, ephemeral_1h_input_tokens: token }, { requiredKeys: [] }), fc.constant(null), fc.constant(7)),
        service_tier: str(fc.constantFrom('standard', 'batch', 'batchy', 'Batch', 'priority')),
        inference_geo: str(fc.constantFrom('us', 'US', 'uS', 'us-east', 'usa', 'us_1', 'US1', 'us.', 'uś', 'u', '', 'eu', 'global')),
        speed: str(fc.constantFrom('standard', 'fast', 'FAST')),
        server_tool_use: value,
      },
      { requiredKeys: [] },
    );
    const entry = fc.record(
      {
        type: fc.oneof({ weight: 8, arbitrary: fc.constant('assistant') }, { weight: 1, arbitrary: fc.constantFrom('user', 'system', 5) as fc.Arbitrary<unknown> }),
        timestamp: ts,
        requestId: str(fc.constantFrom('req_011CA', 'req_é', 'req_"q"', 'req\\x')),
        isSidechain: fc.constantFrom(true, false, null, 'yes'),
        isApiErrorMessage: fc.constantFrom(true, false, 1),
        sessionId: str(fc.constantFrom('s-1', 's-ü')),
        cwd: str(fc.constantFrom('/w/p', 'C:\\Users\\dev', '/ü/日本')),
        parentUuid: value,
        message: fc.record(
          {
            id: str(fc.constantFrom('msg_01A', 'msg_01B', 'msg_é', 'msg_"x"')),
            model: str(fc.constantFrom('claude-sonnet-4-6', 'claude-opus-4-6', 'claude-opus-4-5', 'claude-opus-4-6x', '<synthetic>', 'claude-\u00e9', 'claude-\u00e8')),
            content: value,
            usage: fc.oneof({ weight: 8, arbitrary: usage as fc.Arbitrary<unknown> }, { weight: 1, arbitrary: fc.constantFrom(null, [], 'u') as fc.Arbitrary<unknown> }),
            stop_reason: value,
          },
          { requiredKeys: ['usage'] },
        ),
        extra: value,
      },
      { requiredKeys: ['type', 'message'] },
    );
    const shuffle = <T extends object>(o: T, order: number[]): T => {
      const ks = Object.keys(o);
      const sorted = ks.map((k, i) => [k, order[i % Math.max(order.length, 1)] ?? i] as const).sort((a, b) => a[1] - b[1]);
      const r: Record<string, unknown> = {};
      for (const [k] of sorted) {
        const v = (o as Record<string, unknown>)[k];
        r[k] = v && typeof v === 'object' && !Array.isArray(v) ? shuffle(v as object, order.slice(1)) : v;
      }
      return r as T;
    };
    const line = fc.record({
      e: entry,
      progress: fc.oneof({ weight: 3, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      order: fc.array(fc.nat(20), { maxLength: 8 }),
      style: fc.constantFrom('compact', 'spaced', 'ascii'),
      cut: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { freq: 5 }),
    });
    let fallbacks = 0;
    let runs = 0;
    fc.assert(
      fc.property(line, ({ e, progress, order, style, cut }) => {
        runs++;
        const obj = progress ? { type: 'progress', sessionId: 'p-1', cwd: '/p', data: { type: 'agent_progress', message: e }, uuid: 'u', timestamp: '2026-11-20T10:00:00Z' } : e;
        let text = JSON.stringify(shuffle(obj, order), null, style === 'spaced' ? 1 : undefined);
        if (style === 'spaced') text = text.replace(/\n/g, ' ');
        if (style === 'ascii') text = text.replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
        if (cut !== null) text = text.slice(0, Math.floor(text.length * cut));
        if (agree(text) === 'fallback') fallbacks++;
      }),
      { numRuns: 3000 },
    );
    // Most generated lines are read without JSON.parse (only odd numbers, escaped keys, duplicate objects,
    // other timestamp forms and truncations fall back).
    assert.ok(fallbacks < runs * 0.3, `${fallbacks} of ${runs} fell back`);
  });

  it('timestamps on calendar edges and key hashes read the same in both walks and as JSON.parse reads them', () => {
    // Leap days, a day past the month's end (run into the next month, as Date.UTC does), year and century
    // ends, before 1970, years below 1000, a DST night (no zone: UTC), other forms left to Date.parse.
    const stamps = ['2024-02-29T23:59:59.999Z', '2023-02-29T12:00:00Z', '2023-02-31T00:00:00.000Z', '2026-12-31T23:59:59.999Z', '2027-01-01T00:00:00Z', '2000-02-29T00:00:00Z', '2100-03-01T00:00:00Z', '1969-12-31T23:59:59.999Z', '0100-01-01T00:00:00Z', '0099-12-31T00:00:00Z', '9999-12-31T23:59:59.999Z', '2026-03-08T02:30:00Z', '2026-11-01T01:30:00.000Z', '2026-11-30T10:00:00+01:00', '2026-11-30T10:00:00.1Z', '2026-11-30 10:00:00Z'];
    // Ids as written in the line's JSON: a \u escape, non-ASCII, an escaped backslash, a bad escape (\x: the
    // extractor leaves the line to JSON.parse, which calls it corrupt), an empty requestId.
    const ids: [string, string | undefined][] = [['msg_01A', 'req_01A'], ['msg_01A', undefined], ['msg_\\u00e9', 'req_1'], ['msg_é', 'req_\\\\b'], ['msg_1', 'req_\\x'], ['m', '']];
    for (const ts of stamps) {
      for (const [id, rid] of ids) {
        const text = `{"type":"assistant","timestamp":"${ts}","message":{"id":"${id}","model":"claude-sonnet-4-6","content":[],"usage":{"input_tokens":1}}${rid === undefined ? '' : `,"requestId":"${rid}"`}}`;
        assert.equal(agree(text), rid === 'req_\\x' ? 'fallback' : 'same', text);
        const got = fast(text);
        const want = ref(parseUsageLine(text));
        if (got.kind === 'fallback') continue;
        assert.equal(got.kind, want.kind, text);
        if (got.kind === 'entry' && want.kind === 'entry') assert.deepStrictEqual([got.line.ts, got.line.k1, got.line.k2, got.line.i1, got.line.i2], [want.line.ts, want.line.k1, want.line.k2, want.line.i1, want.line.i2], text);
      }
    }
    // Read from a file, the line with the bad escape is a skipped corrupt line and the read goes on.
    const f = path.join(tmpdir(), 'escapes.jsonl');
    const line = (id: string, rid: string) => `{"type":"assistant","timestamp":"2026-11-30T10:00:00Z","message":{"id":"${id}","model":"m","content":[],"usage":{"input_tokens":1}},"requestId":"${rid}"}`;
    fs.writeFileSync(f, `${line('msg_1', 'req_1')}\n${line('msg_2', 'req_\\x')}\n${line('msg_3', 'req_3')}\n`);
    const got: UsageLine[] = [];
    const r = scanFile(f, 0, (l) => got.push({ ...l }), {});
    assert.equal(got.length, 2);
    assert.equal(r.skipped.corrupt, 1);
  });

  it('an array at the end of a later object at the same depth as message.content is not taken for it', () => {
    // Found by the property above (seed 832575578): walking back from the end of the line, the first array met
    // is `extra`'s, as deep as `message.content`; jumping to its end hid `isApiErrorMessage` and `cwd`.
    const e = { type: 'assistant', timestamp: '2025-01-01T00:00:00.000Z', parentUuid: false, message: { id: 'msg_01A', usage: { input_tokens: 5 }, model: 'claude-sonnet-4-6', content: [] }, isApiErrorMessage: true, cwd: '/w/p', extra: { '"': [] } };
    const progress = { type: 'progress', sessionId: 'p-1', cwd: '/p', data: { type: 'agent_progress', message: e }, uuid: 'u', timestamp: '2026-11-20T10:00:00Z' };
    const hidden = { ...e, isApiErrorMessage: false, requestId: 'req_1', isSidechain: true, extra: { k: [{ a: 1 }] } };
    for (const obj of [e, progress, hidden, { ...hidden, message: { ...hidden.message, content: [{ type: 'text', text: 'a},"b' }] } }]) {
      for (const text of [JSON.stringify(obj), JSON.stringify(obj, null, 1).replace(/\n/g, ' ')]) {
        assert.equal(agree(text), 'same', text);
        assert.equal(fast(text).kind, ref(parseUsageLine(text)).kind, text);
      }
    }
    // A real line's content (objects, code with `}` and `],` in strings) is still read as an entry by the fast path.
    const real = { type: 'assistant', message: { id: 'msg_01B', model: 'claude-sonnet-4-6', content: [{ type: 'tool_use', id: 't', name: 'Edit', input: { code: 'if (a) { b[1], c }' } }], usage: { input_tokens: 3, output_tokens: 4 } }, requestId: 'req_2', uuid: 'u2', timestamp: '2026-11-20T10:00:00.000Z' };
    assert.equal(fast(JSON.stringify(real)).kind, 'entry');
  });

  /** Every entry, the skip tallies and the end offset of a scan of `file`, read as a small read or not. */
  function scanAll(file: string, small: boolean): unknown {
    const entries: UsageLine[] = [];
    const r = scanFile(file, 0, (l) => entries.push({ ...l, cwd: l.cwd, sessionId: l.sessionId }), { wantCwd: () => true, small });
    return { entries, r };
  }

  it('a small read (usage lines through JSON.parse first) reads every line as the extractor does', function () {
    this.timeout(60_000);
    const d = tmpdir();
    const h = makeClaudeHome(d, new Date('2026-11-27T12:00:00Z'));
    const files = listTranscripts(h.projectsDir).map((f) => f.path);
    for (const [shape, gen] of [
      ['synthetic', generate],
      ['realistic', generateRealistic],
    ] as const) {
      const out = path.join(d, shape);
      gen({ sizeMb: 4, seed: 11, out });
      files.push(...listTranscripts(path.join(out, 'projects')).map((f) => f.path));
    }
    // Lines where a JSON.parse reading would differ from the extractor's or needs care: duplicate "type"
    // keys (the extractor stops at the first), keys spelled with escapes or spaces, damaged content.
    const u = '"usage":{"input_tokens":5,"output_tokens":7}';
    const msg = `"message":{"id":"m-x","model":"claude-opus-4-6","type":"message","content":[{"type":"text","text":"a \\"type\\": b"}],${u}}`;
    const tricky = [
      `{"type":"user","timestamp":"2026-11-20T10:00:00Z",${msg},"type":"assistant"}`,
      `{"type":"assistant","timestamp":"2026-11-20T10:00:00Z",${msg},"type":"user"}`,
      `{"typ\\u0065":"user","timestamp":"2026-11-20T10:00:00Z",${msg},"type":"assistant"}`,
      `{"type" :"user","timestamp":"2026-11-20T10:00:00Z",${msg},"type":"assistant"}`,
      `{"timestamp":"2026-11-20T10:00:00Z",${msg},"type":"assistant","requestId":"r-1"}`,
      `{"timestamp":"2026-11-20T10:00:00Z",${msg.replace('"text":"a', '"text":"a\u0001')},"type":"assistant"}`,
      `{"timestamp":"2026-11-20T10:00:00Z","message":{"id":"m-y","model":"m","content":[{"type":"tool_use","input":{"type":"x","type":"y"}}],${u}},"type":"assistant"}`,
      `{"type":"progress","timestamp":"2026-11-20T10:00:00Z","data":{"type":"agent_progress","message":{"type":"assistant","timestamp":"2026-11-20T10:00:00Z",${msg}}}}`,
      `{"timestamp":"nope",${msg},"type":"assistant"}`,
      `{"timestamp":"2026-11-20T10:00:00Z",${msg.replace('"model":"claude-opus-4-6"', '"model":"<synthetic>"')},"type":"assistant"}`,
      `[${u}]`,
      // Non-ASCII where an entry keeps it (a small read decodes latin1 first) and only in the content.
      `{"type":"assistant","cwd":"/home/José/app","sessionId":"s-ü","requestId":"r-✓","timestamp":"2026-11-20T10:00:00Z",${msg.replace('"id":"m-x"', '"id":"m-é"')}}`,
      `{"type":"assistant","cwd":"/home/dev","timestamp":"2026-11-20T10:00:00Z",${msg.replace('"model":"claude-opus-4-6"', '"model":"claude-ü"').replace('a \\"type\\": b', 'café ✓ naïve')}}`,
      `{"type":"progress","cwd":"/tmp/ö","timestamp":"2026-11-20T10:00:00Z","data":{"type":"agent_progress","message":{"type":"assistant","timestamp":"2026-11-20T10:00:00Z","sessionId":"s-ø",${msg}}}}`,
      `\ufeff{"type":"assistant","cwd":"/home/dev","timestamp":"2026-11-20T10:00:00Z",${msg.replace('"id":"m-x"', '"id":"m-bom"')}}`,
    ];
    const t = path.join(d, 'tricky.jsonl');
    fs.writeFileSync(t, `${tricky.join('\n')}\n`);
    files.push(t);
    let entries = 0;
    for (const f of files) {
      // With the WebAssembly walk a small read is walked like a big one; without it (the JavaScript walk, as
      // where the module cannot load) usage lines go through JSON.parse first. All three read the same.
      const big = scanAll(f, false);
      assert.deepStrictEqual(scanAll(f, true), big, f);
      setWasmEnabled(false);
      try {
        assert.deepStrictEqual(scanAll(f, false), big, `${f} (JavaScript walk)`);
        assert.deepStrictEqual(scanAll(f, true), big, `${f} (JavaScript walk, JSON.parse first)`);
      } finally {
        setWasmEnabled(true);
      }
      entries += (big as { entries: unknown[] }).entries.length;
    }
    assert.ok(files.length > 10 && entries > 600, `${files.length} files, ${entries} entries`);
  });

  it('a small read goes SMALL_WINDOW bytes at a time and still reads what one read of the whole buffer reads: lines longer than the window, lines across window ends, a last line with or without its newline', () => {
    const d = tmpdir();
    const at = (n: number) => new Date(Date.parse('2026-11-20T10:00:00Z') + n * 1000).toISOString();
    const usage = (n: number, text: string) =>
      JSON.stringify({ type: 'assistant', sessionId: 's', cwd: '/home/dev', requestId: `r-${n}`, timestamp: at(n), message: { id: `m-${n}`, model: 'claude-opus-4-6', content: [{ type: 'text', text }], usage: { input_tokens: n, output_tokens: 2 * n } } });
    const user = (text: string) => JSON.stringify({ type: 'user', message: { role: 'user', content: text } });
    const lines: string[] = [];
    for (let n = 1; n <= 40; n++) lines.push(usage(n, 'x'.repeat((n * 7919) % 3000)));
    lines.push(usage(41, 'y'.repeat(3 * SMALL_WINDOW)), user('z'.repeat(5 * SMALL_WINDOW)), usage(42, 'w'.repeat(SMALL_WINDOW - 300)));
    for (let n = 43; n <= 200; n++) lines.push(n % 50 === 0 ? user('u'.repeat(SMALL_WINDOW + n)) : usage(n, 'v'.repeat((n * 104729) % 2500)));
    const whole = path.join(d, 'whole.jsonl');
    fs.writeFileSync(whole, `${lines.join('\n')}\n`);
    const noNewline = path.join(d, 'no-newline.jsonl');
    fs.writeFileSync(noNewline, lines.join('\n'));
    const partial = path.join(d, 'partial.jsonl');
    fs.writeFileSync(partial, `${lines.join('\n')}\n${usage(201, 'p'.repeat(SMALL_WINDOW)).slice(0, SMALL_WINDOW + 10)}`);
    assert.ok(fs.statSync(whole).size > 16 * SMALL_WINDOW);
    for (const f of [whole, noNewline, partial]) {
      const big = scanAll(f, false) as { entries: unknown[]; r: { offset: number } };
      assert.deepStrictEqual(scanAll(f, true), big, f);
      setWasmEnabled(false);
      try {
        assert.deepStrictEqual(scanAll(f, true), big, `${f} (JavaScript walk)`);
      } finally {
        setWasmEnabled(true);
      }
      assert.equal(big.entries.length, 196, f);
      // The incomplete last line is left for the next read; a complete one without its newline is not (here a
      // user line: left too, as its type shows no usage).
      if (f !== noNewline) assert.equal(big.r.offset, fs.statSync(whole).size, f);
    }
  });

  it('a file read through the shared read buffer gives every line the reference reading (models, tiers, geos that change from line to line)', () => {
    // Twelve models alternating (more than the extractor keeps recognised by their bytes, most of one length),
    // lines of 5-40 KB: the read buffer is refilled between lines, so nothing of one line may be remembered as a
    // view into it. Four lines longer than the 1 MiB read buffer are read into a bigger one and walked in
    // JavaScript; the lines after them in the WebAssembly memory again.
    const models = ['claude-opus-4-6', 'claude-opus-4-8', 'claude-opus-4-5', 'claude-\u00e9-4-6', 'claude-opus-4-7', 'claude-opus-4-9', 'claude-haik-4-5'];
    models.push('claude-sonnet-4-6', 'claude-sonnet-4-5', 'claude-sonnet-5-0', 'claude-haiku-4-5-20251001', 'c');
    const lines: string[] = [];
    for (let i = 0; i < 400; i++) {
      const o = {
        type: 'assistant',
        timestamp: new Date(Date.UTC(2026, 10, 1) + i * 60_000).toISOString(),
        requestId: `req_${i}`,
        message: {
          id: `msg_${i}`,
          model: models[(i * 7 + (i >> 3)) % models.length],
          content: [{ type: 'text', text: 'x'.repeat(i % 100 === 50 ? 1_200_000 : 5000 + ((i * 7919) % 35000)) }],
          usage: { input_tokens: i, output_tokens: 2 * i, service_tier: i % 3 ? 'standard' : 'batch', inference_geo: ['us', 'usa', 'eu', 'US-1'][i % 4] },
        },
      };
      lines.push(JSON.stringify(o));
    }
    const f = path.join(tmpdir(), 'models.jsonl');
    fs.writeFileSync(f, `${lines.join('\n')}\n`);
    const got: UsageLine[] = [];
    scanFile(f, 0, (l) => got.push({ ...l }), { wantCwd: () => false });
    assert.equal(got.length, lines.length);
    lines.forEach((text, i) => {
      const r = parseUsageLine(text) as UsageLine;
      const g = got[i]!;
      assert.deepStrictEqual([g.model, g.batch, g.usInference, g.input, g.output, g.k1, g.k2], [r.model, r.batch, r.usInference, r.input, r.output, r.k1, r.k2], `line ${i}`);
    });
  });

  it('reads the fixed cases the rules name', () => {
    const base = { type: 'assistant', timestamp: '2026-11-20T10:00:00.000Z', requestId: 'r', message: { id: 'm', model: 'claude-opus-4-6', usage: { input_tokens: 1, output_tokens: 2 } } };
    const ok = fast(JSON.stringify({ ...base, message: { ...base.message, usage: { ...base.message.usage, speed: 'fast' } } }));
    assert.equal(ok.kind, 'entry');
    assert.equal((ok as { line: UsageLine }).line.model, 'claude-opus-4-6 (fast)');
    // A user line's bulk is never parsed: a broken tool result after its type is just ignored.
    assert.equal(fast('{"parentUuid":null,"type":"user","message":{"content":"…').kind, 'ignore');
    // Nested sub-agent entry: a sidechain by default, with the progress line's session when it has none.
    const nested = fast(JSON.stringify({ type: 'progress', sessionId: 'parent-s', cwd: '/p', data: { message: { ...base, isSidechain: undefined } } }));
    assert.equal(nested.kind, 'entry');
    const nl = (nested as { line: UsageLine }).line;
    assert.deepEqual([nl.sidechain, nl.nested, nl.sessionId, nl.cwd], [true, true, 'parent-s', '/p']);
    assert.equal(agree(JSON.stringify({ type: 'progress', data: { message: { ...base, isSidechain: false } } })), 'same');
  });
});
