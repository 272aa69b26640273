/**
 * Streams Claude Code transcripts (JSON lines) by byte offset. Lines are found in bytes; a line is only
 * decoded and parsed when it contains the byte pattern `"usage"` and `"assistant"` (a cheap search), so
 * tool results and file-history snapshots of hundreds of KB are never turned into strings. An unterminated
 * last line is left for the next read (the returned offset stays before it).
 */
import * as fs from 'node:fs';
import { fnv1a32 } from './hash';

/** One usage-bearing assistant line, as read (before de-duplication). */
export interface UsageLine {
  /** `message.id` + `requestId` (or `message.id` alone); undefined when there is no `message.id`. */
  key?: string;
  /** Epoch milliseconds. */
  ts: number;
  model: string;
  sessionId?: string;
  cwd?: string;
  sidechain: boolean;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** `usage.service_tier === "batch"` (Claude Code itself does not use batch; honoured if it ever appears). */
  batch: boolean;
  /** `usage.inference_geo` starting with "us" (not documented for transcripts; honoured only if present). */
  usInference: boolean;
}

export type ParsedLine = UsageLine | 'ignore' | 'corrupt';

function tokenField(u: Record<string, unknown>, name: string): number | undefined | null {
  const v = u[name];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) return null;
  return v;
}

/** Parses one line. `ignore` for lines that carry no billable usage; `corrupt` for unparseable lines or
 *  usage lines with impossible values. Unknown fields are ignored. */
export function parseUsageLine(text: string): ParsedLine {
  let o: unknown;
  try {
    o = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch {
    return 'corrupt';
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) return 'corrupt';
  const line = o as Record<string, unknown>;
  if (line.type !== 'assistant') return 'ignore';
  const message = line.message as Record<string, unknown> | undefined;
  if (typeof message !== 'object' || message === null) return 'ignore';
  const usage = message.usage as Record<string, unknown> | undefined;
  if (typeof usage !== 'object' || usage === null) return 'ignore';
  const model = typeof message.model === 'string' && message.model !== '' ? message.model : '<unknown>';
  if (model === '<synthetic>' || line.isApiErrorMessage === true) return 'ignore';
  const ts = typeof line.timestamp === 'string' ? Date.parse(line.timestamp) : NaN;
  if (!Number.isFinite(ts)) return 'corrupt';
  const input = tokenField(usage, 'input_tokens');
  const output = tokenField(usage, 'output_tokens');
  const creation = tokenField(usage, 'cache_creation_input_tokens');
  const cacheRead = tokenField(usage, 'cache_read_input_tokens');
  if (input === null || output === null || creation === null || cacheRead === null) return 'corrupt';
  let w5 = 0;
  let w1 = 0;
  const cc = usage.cache_creation as Record<string, unknown> | undefined;
  const b5 = typeof cc === 'object' && cc !== null ? tokenField(cc, 'ephemeral_5m_input_tokens') : undefined;
  const b1 = typeof cc === 'object' && cc !== null ? tokenField(cc, 'ephemeral_1h_input_tokens') : undefined;
  if (b5 === null || b1 === null) return 'corrupt';
  // The total is cache_creation_input_tokens; the breakdown only splits it (missing breakdown: all 5-minute).
  const totalWrite = creation ?? (b5 ?? 0) + (b1 ?? 0);
  w1 = Math.min(b1 ?? 0, totalWrite);
  w5 = totalWrite - w1;
  const id = typeof message.id === 'string' && message.id !== '' ? message.id : undefined;
  const rid = typeof line.requestId === 'string' && line.requestId !== '' ? line.requestId : undefined;
  const tier = usage.service_tier;
  const geo = usage.inference_geo;
  const r: UsageLine = {
    ts,
    model,
    sidechain: line.isSidechain === true,
    input: input ?? 0,
    output: output ?? 0,
    cacheWrite5m: w5,
    cacheWrite1h: w1,
    cacheRead: cacheRead ?? 0,
    batch: tier === 'batch',
    usInference: typeof geo === 'string' && /^us\b/i.test(geo),
  };
  if (id !== undefined) r.key = rid !== undefined ? `${id}\u0000${rid}` : id;
  if (typeof line.sessionId === 'string' && line.sessionId !== '') r.sessionId = line.sessionId;
  if (typeof line.cwd === 'string' && line.cwd !== '') r.cwd = line.cwd;
  return r;
}

const USAGE = Buffer.from('"usage"');
const ASSISTANT = Buffer.from('"assistant"');
const NL = 0x0a;
const CHUNK = 4 * 1024 * 1024;
/** Lines longer than this cannot be assistant lines (bounded by max output); they are skipped in a
 *  streaming pass without being held in memory. */
export const MAX_LINE = 16 * 1024 * 1024;
export const HEAD_BYTES = 512;

let shared: Buffer | undefined;

export interface ScanResult {
  /** File offset just after the last complete line consumed. */
  offset: number;
  /** Lines that looked like usage lines but could not be used. */
  corrupt: number;
  bytesRead: number;
}

/** Reads complete lines of `path` from byte `from` and hands every usage line to `onLine`. */
export function scanFile(path: string, from: number, onLine: (l: UsageLine) => void): ScanResult {
  const fd = fs.openSync(path, 'r');
  try {
    return scanFd(fd, from, onLine);
  } finally {
    fs.closeSync(fd);
  }
}

export function scanFd(fd: number, from: number, onLine: (l: UsageLine) => void): ScanResult {
  let buf = shared ?? (shared = Buffer.allocUnsafe(CHUNK));
  let base = from; // file offset of buf[0]
  let len = 0; // valid bytes in buf
  let lineStart = 0; // start of the first unconsumed line, in buf
  let corrupt = 0;
  let bytesRead = 0;
  const handle = (view: Buffer, ls: number, le: number) => {
    const a = view.indexOf(ASSISTANT, ls);
    if (a < 0 || a >= le) return;
    const r = parseUsageLine(lineText(view, ls, le));
    if (r === 'corrupt') corrupt++;
    else if (r !== 'ignore') onLine(r);
  };
  for (;;) {
    if (len === buf.length) {
      if (lineStart > 0) {
        buf.copyWithin(0, lineStart, len);
        len -= lineStart;
        base += lineStart;
        lineStart = 0;
      } else if (buf.length < MAX_LINE) {
        const bigger = Buffer.allocUnsafe(Math.min(buf.length * 2, MAX_LINE));
        buf.copy(bigger, 0, 0, len);
        buf = bigger;
        shared = bigger;
      } else {
        // A line longer than MAX_LINE: stream to its end without keeping it.
        const sawUsage = buf.indexOf(USAGE) >= 0;
        const end = skipLongLine(fd, base + len, buf);
        bytesRead += end.bytesRead;
        if (end.nl < 0) {
          shared = undefined;
          return { offset: base, corrupt, bytesRead };
        }
        if (sawUsage || end.sawUsage) corrupt++;
        base = end.nl + 1;
        len = 0;
        lineStart = 0;
        continue;
      }
    }
    const n = fs.readSync(fd, buf, len, buf.length - len, base + len);
    if (n === 0) break;
    bytesRead += n;
    len += n;
    const view = buf.subarray(0, len);
    const lastNl = view.lastIndexOf(NL, len - 1);
    if (lastNl < lineStart) continue;
    let pos = lineStart;
    while (pos <= lastNl) {
      const p = view.indexOf(USAGE, pos);
      if (p < 0 || p > lastNl) break;
      const before = p > pos ? view.lastIndexOf(NL, p - 1) : -1;
      const ls = before >= pos ? before + 1 : pos;
      const le = view.indexOf(NL, p);
      handle(view, ls, le);
      pos = le + 1;
    }
    lineStart = lastNl + 1;
  }
  if (buf.length > CHUNK) shared = undefined; // do not keep a grown buffer after a rare long line
  return { offset: base + lineStart, corrupt, bytesRead };
}

const CONTENT = Buffer.from('"content":');

/**
 * The line as text for `JSON.parse`, with the value of its first `"content":` key (the message's content
 * blocks: thinking, text, tool input, often most of the line) replaced by `null`; nothing we read lives
 * there. The byte pattern can only match a real key (inside a JSON string every `"` is escaped), and the
 * value is skipped by a structural scan; if that scan fails the whole line is parsed as is.
 */
export function lineText(view: Buffer, ls: number, le: number): string {
  const c = view.indexOf(CONTENT, ls);
  if (c >= 0 && c < le) {
    let v = c + CONTENT.length;
    while (v < le && (view[v] === 0x20 || view[v] === 0x09)) v++;
    const e = skipValue(view, v, le);
    if (e > 0 && e - v > 16) return view.toString('utf8', ls, v) + 'null' + view.toString('utf8', e, le);
  }
  return view.toString('utf8', ls, le);
}

/** End of the JSON value starting at `i` (exclusive), or -1 when it is not well formed before `end`. */
function skipValue(b: Buffer, i: number, end: number): number {
  const first = b[i];
  if (first === 0x22) return skipString(b, i, end);
  if (first !== 0x5b && first !== 0x7b) return -1;
  let depth = 0;
  for (; i < end; i++) {
    const ch = b[i]!;
    if (ch === 0x22) {
      i = skipString(b, i, end) - 1;
      if (i < 0) return -1;
    } else if (ch === 0x5b || ch === 0x7b) depth++;
    else if (ch === 0x5d || ch === 0x7d) {
      if (--depth === 0) return i + 1;
    }
  }
  return -1;
}

function skipString(b: Buffer, i: number, end: number): number {
  let j = i;
  for (;;) {
    j = b.indexOf(0x22, j + 1);
    if (j < 0 || j >= end) return -1;
    let k = j - 1;
    while (b[k] === 0x5c) k--;
    if ((j - 1 - k) % 2 === 0) return j + 1;
  }
}

function skipLongLine(fd: number, at: number, buf: Buffer): { nl: number; sawUsage: boolean; bytesRead: number } {
  let sawUsage = false;
  let bytesRead = 0;
  for (;;) {
    const n = fs.readSync(fd, buf, 0, buf.length, at);
    if (n === 0) return { nl: -1, sawUsage, bytesRead };
    bytesRead += n;
    const view = buf.subarray(0, n);
    const nl = view.indexOf(NL);
    const upto = nl < 0 ? view : view.subarray(0, nl);
    if (!sawUsage && upto.indexOf(USAGE) >= 0) sawUsage = true;
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
