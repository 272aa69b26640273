/**
 * Streams Claude Code transcripts (JSON lines) by byte offset. Lines are found with a byte search for `\n`;
 * each is handed to the byte-level extractor (extract.ts), which reads a line's type first and leaves lines
 * without billable usage (user prompts, tool results, snapshots) after their first few keys, so their bulk is
 * never decoded. A line the extractor finds unusual is parsed with `JSON.parse` (`parseUsageLine`, the
 * reference). The last line of a file without `\n` is consumed only when it is a complete JSON object (other
 * writers and copied files omit the final newline); otherwise it is left for the next read (still being
 * written). Lines longer than `MAX_LINE` are streamed past; if they look like usage lines they are tallied
 * as `tooLarge`.
 */
import * as fs from 'node:fs';
import { emptyLine, extractLine, usGeo, X_API_ERROR, X_CORRUPT, X_ENTRY, X_FALLBACK, X_IGNORE, X_SYNTHETIC, type UsageLine } from './extract';
import { readBuffer, wasmExtractor } from './extractWasm';
import { fnv1a32, hashIds } from './hash';

export type { UsageLine } from './extract';

/** Why a line that carries usage was not counted (issue 11: no silent drops). Replays and duplicates are
 *  decided by the ledger; the reader tallies the rest. */
export interface SkipCounts {
  /** Unparseable, or impossible values (negative or non-integer tokens, no valid timestamp). */
  corrupt: number;
  /** Longer than `MAX_LINE`. */
  tooLarge: number;
  /** `"model":"<synthetic>"` (Claude Code's own placeholder messages). */
  synthetic: number;
  /** `isApiErrorMessage: true`. */
  apiError: number;
}

export const zeroSkips = (): SkipCounts => ({ corrupt: 0, tooLarge: 0, synthetic: 0, apiError: 0 });

export type ParsedLine = UsageLine | 'ignore' | 'corrupt' | 'synthetic' | 'apiError';

const MAX_TOKENS = 0xffffffff;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function tokenField(u: Obj, name: string): number | undefined | null {
  const v = u[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_TOKENS) return null;
  return v;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * The reference reading of one line with `JSON.parse` (also the fallback of the byte-level extractor):
 * an assistant entry, or the assistant entry nested in a progress line's `data.message` (a sub-agent's; it
 * counts as a sidechain unless it says otherwise, and takes the progress line's session and cwd when it has
 * none). `ignore` for lines without billable usage; `synthetic` / `apiError` for usage that is not billable;
 * `corrupt` for unparseable lines and impossible values. Unknown fields are ignored.
 */
export function parseUsageLine(text: string): ParsedLine {
  let o: unknown;
  try {
    o = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return 'corrupt';
  }
  return usageOf(o);
}

/** `parseUsageLine` of an already parsed line. */
function usageOf(o: unknown): ParsedLine {
  if (!isObj(o)) return 'corrupt';
  if (o.type === 'assistant') return entryOf(o, undefined);
  if (o.type === 'progress' && isObj(o.data) && isObj(o.data.message) && o.data.message.type === 'assistant') return entryOf(o.data.message, o);
  return 'ignore';
}

function entryOf(line: Obj, parent: Obj | undefined): ParsedLine {
  const message = line.message;
  if (!isObj(message)) return 'ignore';
  const usage = message.usage;
  if (!isObj(usage)) return 'ignore';
  let model = str(message.model) ?? '<unknown>';
  if (model === '<synthetic>') return 'synthetic';
  if (line.isApiErrorMessage === true) return 'apiError';
  const ts = typeof line.timestamp === 'string' ? Date.parse(line.timestamp) : NaN;
  if (!Number.isFinite(ts)) return 'corrupt';
  const input = tokenField(usage, 'input_tokens');
  const output = tokenField(usage, 'output_tokens');
  const creation = tokenField(usage, 'cache_creation_input_tokens');
  const cacheRead = tokenField(usage, 'cache_read_input_tokens');
  if (input === null || output === null || creation === null || cacheRead === null) return 'corrupt';
  const cc = usage.cache_creation;
  const b5 = isObj(cc) ? tokenField(cc, 'ephemeral_5m_input_tokens') : undefined;
  const b1 = isObj(cc) ? tokenField(cc, 'ephemeral_1h_input_tokens') : undefined;
  if (b5 === null || b1 === null) return 'corrupt';
  // The total is cache_creation_input_tokens; the breakdown only splits it (missing breakdown: all 5-minute).
  const totalWrite = creation ?? (b5 ?? 0) + (b1 ?? 0);
  const w1 = Math.min(b1 ?? 0, totalWrite);
  if (usage.speed === 'fast') model += ' (fast)';
  const id = str(message.id);
  const rid = str(line.requestId);
  const geo = usage.inference_geo;
  const h = id !== undefined ? hashIds(id, rid) : undefined;
  const r: UsageLine = {
    keyed: h !== undefined,
    i1: h ? h.i1 : 0,
    i2: h ? h.i2 : 0,
    k1: h ? h.k1 : 0,
    k2: h ? h.k2 : 0,
    ts,
    model,
    sidechain: parent ? line.isSidechain !== false : line.isSidechain === true,
    input: input ?? 0,
    output: output ?? 0,
    cacheWrite5m: totalWrite - w1,
    cacheWrite1h: w1,
    cacheRead: cacheRead ?? 0,
    batch: usage.service_tier === 'batch',
    usInference: typeof geo === 'string' && usGeo(geo),
    nested: parent !== undefined,
  };
  if (parent && typeof line.isSidechain !== 'boolean') r.sidechain = true;
  const session = str(line.sessionId) ?? (parent ? str(parent.sessionId) : undefined);
  const cwd = str(line.cwd) ?? (parent ? str(parent.cwd) : undefined);
  if (session !== undefined) r.sessionId = session;
  if (cwd !== undefined) r.cwd = cwd;
  return r;
}

const USAGE = Buffer.from('"usage"');
const NL = 0x0a;
/** Read size: 1 MiB, in the WebAssembly walk's memory (extractWasm.ts). A line longer than this is read into a
 *  bigger JavaScript buffer and walked in JavaScript, so reads much smaller than Claude Code's long lines
 *  cost: with 64 KiB reads a cold scan of the realistic 1 GiB corpus took 1.21 s (median of 9, 2 threads),
 *  with 256 KiB 1.14 s, 1 MiB 1.06 s, ~2 MiB 1.21 s (4 MiB reads took 3x the system time of 64 KiB ones). */
const CHUNK = 1024 * 1024;
/** Lines longer than this cannot be assistant lines (bounded by max output); they are skipped in a
 *  streaming pass without being held in memory. */
export const MAX_LINE = 16 * 1024 * 1024;
/**
 * A small read's bytes per `read` (the line it ends in is moved to the start of the buffer before the next):
 * the first write to a page of memory costs a fault, ~12 µs each on the 2-vCPU build machine, and a warm CLI
 * run's 1 MB append read in one go wrote 256 fresh pages of the read buffer (~3 ms), 64 KiB at a time 16.
 * A longer line still gets the whole buffer.
 */
export const SMALL_WINDOW = 64 * 1024;
export const HEAD_BYTES = 512;

let shared: Buffer | undefined;

export interface ScanResult {
  /** File offset just after the last line consumed. */
  offset: number;
  /** Usage lines not counted, by reason (tallied once per line read). */
  skipped: SkipCounts;
  bytesRead: number;
}

export interface ScanOptions {
  /** Whether the next entry should carry its `cwd` (only the first of a file needs it). */
  wantCwd?: () => boolean;
  /**
   * A small read (a warm refresh's appended bytes): without the WebAssembly walk, lines holding the usage
   * marker are read with `JSON.parse` first (`jsonFirst`). The JavaScript walk pays off once V8 has compiled
   * it; in a fresh process reading a few MB it runs interpreted and is several times slower than the native
   * parser. The WebAssembly walk is compiled before its first line, so with it this changes nothing.
   * Either way the bytes are read `SMALL_WINDOW` at a time into the start of the read buffer (`scanFd`).
   */
  small?: boolean;
}


const hasType = (v: unknown): number => (isObj(v) && 'type' in v ? 1 : 0);

/** Keys named `type` of a line's entry, its message and the message's content items (a lower bound of `typeKeys`). */
function entryTypeKeys(v: unknown): number {
  if (!isObj(v)) return 0;
  let n = hasType(v);
  const m = v.message;
  if (isObj(m)) {
    n += hasType(m);
    if (Array.isArray(m.content)) for (const c of m.content) n += hasType(c);
  }
  return n;
}

/** Keys named `type` in a parsed value (each object counts its own once). */
function typeKeys(v: unknown): number {
  if (typeof v !== 'object' || v === null) return 0;
  let n = 0;
  if (Array.isArray(v)) {
    for (const x of v) n += typeKeys(x);
    return n;
  }
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    if (keys[i] === 'type') n++;
    n += typeKeys((v as Obj)[keys[i]!]);
  }
  return n;
}

/**
 * The reading of a complete line with `JSON.parse`, or undefined when the byte-level extractor must read it
 * (`JSON.parse` rejects it, or it might hold a duplicate `"type"` key). For every line `JSON.parse` accepts
 * the extractor's reading is the reference's (the differential tests in local-extract.test.ts), with one
 * exception this guards: the extractor leaves a line at its first top-level `"type"` when that is not an
 * assistant or progress line, where `JSON.parse` keeps the last of two. A line whose `"type":` byte
 * sequences (not preceded by a backslash, i.e. not inside a string) are as many as the `type` keys parsed
 * has no duplicate one; keys spelled otherwise (`\u` escapes, a space before the colon) are left to the extractor.
 */
function jsonFirst(view: Buffer, ls: number, le: number, latin1: string): ParsedLine | undefined {
  // The read's bytes decoded once as latin1 (a char a byte: fast, and JSON's structure is ASCII): a line is
  // a slice of it, read as its UTF-8 decoding would be as long as the strings an entry keeps are ASCII.
  let text = latin1.slice(view[ls] === 0xef && view[ls + 1] === 0xbb && view[ls + 2] === 0xbf ? ls + 3 : ls, le);
  let o: unknown;
  try {
    o = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!keptStringsAscii(o)) {
    text = view.toString('utf8', ls, le);
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    o = JSON.parse(text);
  }
  const parsed = usageOf(o);
  if (parsed === 'ignore') return parsed;
  if (text.indexOf('\\u') >= 0) return undefined;
  let seen = 0;
  for (let at = text.indexOf('"type"'); at >= 0; at = text.indexOf('"type"', at + 6)) {
    if (at > 0 && text.charCodeAt(at - 1) === BACKSLASH) continue; // inside a string
    const c = text.charCodeAt(at + 6);
    if (c === 0x3a) seen++;
    else if (c === 0x20 || c === 0x09 || c === 0x0d) return undefined; // a key spelled with a space: the extractor reads it
  }
  // typeKeys(o) ≤ seen; most lines have as many in their entry, message and content items alone.
  const d = isObj(o) ? o.data : undefined;
  const quick = entryTypeKeys(o) + (isObj(d) ? hasType(d) + entryTypeKeys(d.message) : 0);
  return seen === quick || seen === typeKeys(o) ? parsed : undefined;
}
const BACKSLASH = 0x5c;

const NON_ASCII = /[\u0080-\uffff]/;
/** The values `entryOf` keeps of an entry, joined (a value that is not a string joins as ASCII, or is not used). */
const kept = (e: Obj): string => `${e.requestId}${e.sessionId}${e.cwd}${isObj(e.message) ? `${e.message.id}${e.message.model}` : ''}`;

/** Whether the strings `usageOf` keeps from a line (ids, model, session, cwd, also of a nested entry) are ASCII. */
function keptStringsAscii(o: unknown): boolean {
  if (!isObj(o)) return true;
  return !NON_ASCII.test(isObj(o.data) && isObj(o.data.message) ? kept(o) + kept(o.data.message) : kept(o));
}

const isBlank = (b: Buffer, s: number, e: number): boolean => {
  for (let i = s; i < e; i++) {
    const c = b[i];
    if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0a) return false;
  }
  return true;
};

/** Reads complete lines of `path` from byte `from` and hands every usage entry to `onLine` (the object is
 *  reused: copy what you keep). */
export function scanFile(path: string, from: number, onLine: (l: UsageLine) => void, o: ScanOptions = {}): ScanResult {
  const fd = fs.openSync(path, 'r');
  try {
    return scanFd(fd, from, onLine, o);
  } finally {
    fs.closeSync(fd);
  }
}

export function scanFd(fd: number, from: number, onLine: (l: UsageLine) => void, o: ScanOptions = {}): ScanResult {
  let buf = shared ?? (shared = readBuffer(CHUNK) ?? Buffer.allocUnsafe(CHUNK));
  let base = from; // file offset of buf[0]
  let len = 0; // valid bytes in buf
  let lineStart = 0; // start of the first unconsumed line, in buf
  let bytesRead = 0;
  const skipped = zeroSkips();
  const line = emptyLine();
  const wantCwd = o.wantCwd ?? (() => false);
  // With the WebAssembly walk the extractor is compiled from the first line: no reason to parse first.
  const windowed = o.small === true;
  const small = windowed && wasmExtractor() === undefined;
  /** `buf[0, len)` as latin1, made on the first `jsonFirst` after a read. */
  let latin1: string | undefined;
  /** Handles one line; returns false when it is not a complete line (only asked for a final line). */
  const handle = (view: Buffer, ls: number, le: number, final: boolean): boolean => {
    let parsed = small && !final && view.subarray(ls, le).indexOf(USAGE) >= 0 ? jsonFirst(view, ls, le, (latin1 ??= buf.toString('latin1', 0, len))) : undefined;
    let code: number;
    if (parsed !== undefined) {
      code = parsed === 'ignore' ? X_IGNORE : parsed === 'corrupt' ? X_CORRUPT : parsed === 'synthetic' ? X_SYNTHETIC : parsed === 'apiError' ? X_API_ERROR : X_ENTRY;
    } else code = extractLine(view, ls, le, line, wantCwd());
    // A final line without `\n` whose type says "no usage" is left to be read again: cheaper than proving
    // it complete.
    if (final && code === X_IGNORE) return false;
    if (code === X_FALLBACK) {
      const text = view.toString('utf8', ls, le);
      if (final) {
        // Without its newline a line counts only when it is a whole JSON object.
        try {
          JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
        } catch {
          return false;
        }
      }
      parsed = parseUsageLine(text);
      code = parsed === 'ignore' ? X_IGNORE : parsed === 'corrupt' ? X_CORRUPT : parsed === 'synthetic' ? X_SYNTHETIC : parsed === 'apiError' ? X_API_ERROR : X_ENTRY;
      // An unparseable line counts as a skipped usage line only when it looks like one.
      if (code === X_CORRUPT && view.subarray(ls, le).indexOf(USAGE) < 0) code = X_IGNORE;
    }
    switch (code) {
      case X_ENTRY:
        onLine(parsed !== undefined ? (parsed as UsageLine) : line);
        break;
      case X_CORRUPT:
        skipped.corrupt++;
        break;
      case X_SYNTHETIC:
        skipped.synthetic++;
        break;
      case X_API_ERROR:
        skipped.apiError++;
        break;
    }
    return true;
  };
  let longLine: 'unknown' | 'skip' | 'keep' = 'unknown';
  for (;;) {
    if (len === buf.length) {
      if (lineStart > 0) {
        buf.copyWithin(0, lineStart, len);
        len -= lineStart;
        base += lineStart;
        lineStart = 0;
        longLine = 'unknown';
      } else {
        // One line fills the buffer. A line whose type (read first) shows no usage is streamed past
        // without keeping it; a possible usage line is kept up to MAX_LINE, then streamed past as too large.
        if (longLine === 'unknown') longLine = extractLine(buf, 0, len, line, false) === X_IGNORE ? 'skip' : 'keep';
        if (longLine === 'keep' && buf.length < MAX_LINE) {
          const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_LINE));
          buf.copy(bigger, 0, 0, len);
          buf = bigger;
          shared = bigger;
        } else {
          const sawUsage = longLine === 'keep' && buf.indexOf(USAGE) >= 0;
          const end = skipLongLine(fd, base + len, buf, longLine === 'keep');
          bytesRead += end.bytesRead;
          if (end.nl < 0) {
            if (buf.length > CHUNK) shared = undefined;
            return { offset: base, skipped, bytesRead };
          }
          if (sawUsage || end.sawUsage) skipped.tooLarge++;
          base = end.nl + 1;
          len = 0;
          lineStart = 0;
          longLine = 'unknown';
          continue;
        }
      }
    }
    if (windowed && lineStart > 0) {
      buf.copyWithin(0, lineStart, len);
      len -= lineStart;
      base += lineStart;
      lineStart = 0;
      longLine = 'unknown';
    }
    const n = fs.readSync(fd, buf, len, windowed ? Math.min(buf.length - len, SMALL_WINDOW) : buf.length - len, base + len);
    if (n === 0) break;
    latin1 = undefined;
    bytesRead += n;
    const from0 = len;
    len += n;
    const view = buf.subarray(0, len);
    // Lines end in the bytes just read (the unconsumed start needs no second search).
    let nl = view.indexOf(NL, Math.max(from0, lineStart));
    while (nl >= 0) {
      handle(buf, lineStart, nl, false);
      lineStart = nl + 1;
      nl = view.indexOf(NL, lineStart);
    }
  }
  // End of file: a last line without `\n` counts once if it is complete (it will not be read again).
  if (lineStart < len && !isBlank(buf, lineStart, len) && handle(buf.subarray(0, len), lineStart, len, true)) lineStart = len;
  if (buf.length > CHUNK) shared = undefined; // do not keep a grown buffer after a rare long line
  return { offset: base + lineStart, skipped, bytesRead };
}

function skipLongLine(fd: number, at: number, buf: Buffer, lookForUsage: boolean): { nl: number; sawUsage: boolean; bytesRead: number } {
  let sawUsage = false;
  let bytesRead = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, at);
    if (n === 0) return { nl: -1, sawUsage, bytesRead };
    bytesRead += n;
    const view = buf.subarray(0, n);
    const nl = view.indexOf(NL);
    const upto = nl < 0 ? view : view.subarray(0, nl);
    if (lookForUsage && !sawUsage && upto.indexOf(USAGE) >= 0) sawUsage = true;
    if (nl >= 0) return { nl: at + nl, sawUsage, bytesRead };
    at += n;
  }
}

/** Hash of a file's first bytes, to notice a file replaced by another of at least the same size. */
export function headHash(fd: number, length: number): number {
  const b = Buffer.allocUnsafe(length);
  const n = length > 0 ? fs.readSync(fd, b, 0, length, 0) : 0;
  return fnv1a32(b.subarray(0, n), 0x811c9dc5) ^ n;
}
