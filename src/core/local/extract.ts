/**
 * Byte-level extraction of one transcript line: reads only what a usage line needs (type, ids, timestamp,
 * model, sidechain and API-error flags, the usage object) straight from the read buffer, without decoding the
 * line to a string or `JSON.parse`-ing it. The line is still parsed as JSON from its first byte to its last
 * (every key, `:` and `,` checked; values we do not need are skipped structurally, strings with a byte
 * search for their closing quote), so a malformed line is noticed. Anything unusual (escapes in a key or in
 * a type, numbers that are not plain digits, duplicate object keys, timestamps in another format...) makes
 * it answer `X_FALLBACK`, and the caller parses that line with `JSON.parse` (`parseUsageLine` in
 * reader.ts), the reference this code is differentially tested against.
 *
 * Type first: Claude Code writes `"type"` before the bulky part of every line that carries no usage (user
 * prompts and tool results, snapshots, summaries, hooks), so such a line is left as soon as its type is
 * read; assistant lines (`"type"` after `"message"`) and progress lines (sub-agent usage nested in
 * `data.message`) are parsed through.
 *
 * Not checked inside skipped strings (as `JSON.parse` would): escape sequences and raw control characters.
 * Claude Code writes with `JSON.stringify`, which never produces either; the old reader did not check them
 * in message content either. `message.content`, most of an assistant line's bytes, is not scanned at all
 * when its end can be found walking back from the end of the line (`tailArrayEnd`): everything before and
 * after it is still parsed and checked, and the line is used only if the id, model and usage were all read;
 * a line damaged only inside its content is then counted (its usage is intact), where JSON.parse would
 * have called it corrupt.
 *
 * The walk runs in WebAssembly when the line is in the module's memory, where the reader reads
 * (src/core/local/wasm/extract.ts, the same walk function for function with SIMD string search; extractWasm.ts
 * loads it), and here otherwise (a line longer than the read buffer, no `dist/extract.wasm`). Either way the
 * entry is made here (`entry`) from the fields the walk found.
 */
import { KEY_SEPARATOR, KeyHasher } from './hash';
import { W_FALLBACK, W_IGNORE, W_TOP, WASM_DONE, WASM_DONE_TS, WASM_INNER, WASM_TOKENS, WASM_TOP, wasmExtractor, type WasmExtractor } from './extractWasm';

export const X_IGNORE = 0;
export const X_ENTRY = 1;
export const X_CORRUPT = 2;
export const X_SYNTHETIC = 3;
export const X_API_ERROR = 4;
export const X_FALLBACK = 5;
export type ExtractCode = 0 | 1 | 2 | 3 | 4 | 5;

/** One usage entry as read (before de-duplication); reused between lines by the reader. */
export interface UsageLine {
  /** Has a `message.id` (then `i1,i2` hash it and `k1,k2` hash `message.id` + `requestId`). */
  keyed: boolean;
  i1: number;
  i2: number;
  k1: number;
  k2: number;
  /** Epoch milliseconds. */
  ts: number;
  /** `message.model` (or `<unknown>`), with ` (fast)` appended for `usage.speed: "fast"`. */
  model: string;
  sessionId?: string;
  cwd?: string;
  sidechain: boolean;
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  /** `usage.service_tier === "batch"`. */
  batch: boolean;
  /** `usage.inference_geo` is "us" (or starts with "us" and a non-word character). */
  usInference: boolean;
  /** Came from a `"type":"progress"` line's `data.message` (a sub-agent's entry). */
  nested: boolean;
}

export function emptyLine(): UsageLine {
  return { keyed: false, i1: 0, i2: 0, k1: 0, k2: 0, ts: 0, model: '', sessionId: undefined, cwd: undefined, sidechain: false, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, batch: false, usInference: false, nested: false };
}

// Token fields: -1 absent (or null), otherwise the value.
const T_INPUT = 0;
const T_OUTPUT = 1;
const T_CREATION = 2;
const T_READ = 3;
const T_B5 = 4;
const T_B1 = 5;

/** Fields of one entry object (a line, or the entry nested in a progress line's `data.message`). */
class Fields {
  type = 0; // 0 none/other, 1 assistant, 2 progress
  typeSeen = false;
  tsS = -1;
  tsE = -1;
  tsEsc = false;
  ridS = -1;
  ridE = -1;
  ridEsc = false;
  sessS = -1;
  sessE = -1;
  sessEsc = false;
  cwdS = -1;
  cwdE = -1;
  cwdEsc = false;
  side = 0; // 0 absent or not a boolean, 1 true, 2 false
  apiError = false;
  message = false;
  idS = -1;
  idE = -1;
  idEsc = false;
  modelS = -1;
  modelE = -1;
  modelEsc = false;
  usage = false;
  tok = [-1, -1, -1, -1, -1, -1];
  cc = false;
  tierS = -1;
  tierE = -1;
  tierEsc = false;
  geoS = -1;
  geoE = -1;
  geoEsc = false;
  speedS = -1;
  speedE = -1;
  speedEsc = false;
  data = false;
  nested = false;
  /** The message's content was skipped by the jump (see `tailArrayEnd`). */
  jumped = false;

  /** Reads the field record the WebAssembly walk filled at byte `at` (its slots: src/core/local/wasm/extract.ts, `F_*`). */
  load(w: WasmExtractor, at: number): void {
    const r = w.i32;
    const x = at >> 2;
    this.type = r[x]!;
    this.tsS = r[x + 2]!;
    this.tsE = r[x + 3]!;
    this.tsEsc = r[x + 4] !== 0;
    this.ridS = r[x + 5]!;
    this.ridE = r[x + 6]!;
    this.ridEsc = r[x + 7] !== 0;
    this.sessS = r[x + 8]!;
    this.sessE = r[x + 9]!;
    this.sessEsc = r[x + 10] !== 0;
    this.cwdS = r[x + 11]!;
    this.cwdE = r[x + 12]!;
    this.cwdEsc = r[x + 13] !== 0;
    this.side = r[x + 14]!;
    this.apiError = r[x + 15] !== 0;
    this.message = r[x + 16] !== 0;
    this.idS = r[x + 17]!;
    this.idE = r[x + 18]!;
    this.idEsc = r[x + 19] !== 0;
    this.modelS = r[x + 20]!;
    this.modelE = r[x + 21]!;
    this.modelEsc = r[x + 22] !== 0;
    this.usage = r[x + 23] !== 0;
    this.cc = r[x + 24] !== 0;
    this.tierS = r[x + 25]!;
    this.tierE = r[x + 26]!;
    this.tierEsc = r[x + 27] !== 0;
    this.geoS = r[x + 28]!;
    this.geoE = r[x + 29]!;
    this.geoEsc = r[x + 30] !== 0;
    this.speedS = r[x + 31]!;
    this.speedE = r[x + 32]!;
    this.speedEsc = r[x + 33] !== 0;
    this.data = r[x + 34] !== 0;
    this.nested = r[x + 35] !== 0;
    this.jumped = r[x + 36] !== 0;
    const t = (at + WASM_TOKENS) >> 3;
    for (let k = 0; k < 6; k++) this.tok[k] = w.f64[t + k]!;
  }

  reset(): void {
    this.type = 0;
    this.typeSeen = false;
    this.tsS = this.ridS = this.sessS = this.cwdS = this.idS = this.modelS = this.tierS = this.geoS = this.speedS = -1;
    this.side = 0;
    this.apiError = false;
    this.message = this.usage = this.cc = this.data = this.nested = this.jumped = false;
    this.tok.fill(-1);
  }
}

/** Thrown (internally) to abandon the fast path for `JSON.parse`. */
const FALLBACK = { fallback: true };

const Q = 0x22; // "
const BS = 0x5c; // \

let b: Uint8Array = new Uint8Array(0);
let end = 0;
const top = new Fields();
const inner = new Fields();
const hasher = new KeyHasher();

/** Models as strings, interned by their bytes (a handful of distinct values): the few read last, then by latin1 key. */
const modelCache = new Map<string, string>();
/** The models read last, most recent first, with copies of their bytes: lines alternate among a handful of
 *  models (a session's own, its sub-agents', nested ones; the realistic benchmark corpus has ten), each
 *  recognised without making a string. With only the last one kept, a cold 1 GiB scan made ~20,000 copies. */
const RECENT_MODELS = 8;
const recentModels: string[] = [];
const recentModelBytes: Uint8Array[] = [];

/** The model string of the unescaped bytes [s, e): usually one of the last lines', recognised without making a string. */
function modelAt(s: number, e: number): string {
  for (let r = 0; r < recentModels.length; r++) {
    if (sameBytes(s, e, recentModelBytes[r]!)) {
      if (r > 0) moveToFront(r);
      return recentModels[0]!;
    }
  }
  const k = buf!.toString('latin1', s, e);
  let m = modelCache.get(k);
  if (m === undefined) {
    m = buf!.toString('utf8', s, e);
    if (modelCache.size < 1000) modelCache.set(k, m);
  }
  const copy = copyOf(s, e);
  if (recentModels.length < RECENT_MODELS) {
    recentModels.push(m);
    recentModelBytes.push(copy);
  } else {
    recentModels[RECENT_MODELS - 1] = m;
    recentModelBytes[RECENT_MODELS - 1] = copy;
  }
  moveToFront(recentModels.length - 1);
  return m;
}

/** Whether the bytes [s, e) are those of `m`. */
function sameBytes(s: number, e: number, m: Uint8Array): boolean {
  if (e - s !== m.length) return false;
  for (let j = 0; j < m.length; j++) if (b[s + j] !== m[j]) return false;
  return true;
}

/** A copy of the bytes [s, e), made byte by byte: a Buffer's own `slice` is a view of the read buffer, and a
 *  typed array's `slice` of a Buffer goes through its species constructor (~1 µs each, 20 ms of a cold 1 GiB scan). */
function copyOf(s: number, e: number): Uint8Array {
  const copy = new Uint8Array(e - s);
  for (let j = s; j < e; j++) copy[j - s] = b[j]!;
  return copy;
}

function moveToFront(r: number): void {
  const m = recentModels[r]!;
  const mb = recentModelBytes[r]!;
  for (let q = r; q > 0; q--) {
    recentModels[q] = recentModels[q - 1]!;
    recentModelBytes[q] = recentModelBytes[q - 1]!;
  }
  recentModels[0] = m;
  recentModelBytes[0] = mb;
}

/** Whether the unescaped bytes [s, e) are the ASCII string `word`. */
function bytesAre(s: number, e: number, word: string): boolean {
  if (e - s !== word.length) return false;
  for (let j = 0; j < word.length; j++) if (b[s + j] !== word.charCodeAt(j)) return false;
  return true;
}

const isWordByte = (c: number): boolean => (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || c === 0x5f;

/** `usGeo` of the unescaped UTF-8 bytes [s, e): "us" in any case, then the end or a non-word character
 *  (`\w` is ASCII: a multi-byte character is not a word character). */
function usGeoAt(s: number, e: number): boolean {
  return e - s >= 2 && (b[s] === 0x75 || b[s] === 0x55) && (b[s + 1] === 0x73 || b[s + 1] === 0x53) && (e - s === 2 || !isWordByte(b[s + 2]!));
}

function ws(i: number): number {
  while (i < end) {
    const c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      spaced = true;
      i++;
    } else return i;
  }
  return i;
}

/** Whitespace was met between tokens of this line (by `ws` or `bws`): a jump then is not trusted (see `mayJump`). */
let spaced = false;

/** What `strEnd` saw: 0 no backslash, 1 a backslash, 2 not known (the string was searched natively). */
let lastEsc = 0;

/**
 * Index of the closing quote of the string whose opening quote is at `i`; -1 if it does not close before
 * `end`. Short stretches are walked in JS (a native call costs more than ~50 bytes of loop), long ones are
 * searched natively for the next quote, whose escaping is then checked by counting the backslashes before it.
 */
function strEnd(i: number): number {
  let j = i + 1;
  lastEsc = 0;
  for (;;) {
    const lim = j + 48 < end ? j + 48 : end;
    while (j < lim) {
      const c = b[j]!;
      if (c === Q) return j;
      if (c === BS) {
        lastEsc = 1;
        j += 2;
      } else j++;
    }
    if (j >= end) return -1;
    lastEsc = 2;
    const q = buf!.indexOf(Q, j);
    if (q < 0 || q >= end) return -1;
    let k = q - 1;
    while (k >= j && b[k] === BS) k--;
    if ((q - 1 - k) % 2 === 0) return q;
    j = q + 1;
  }
}

let buf: Buffer | undefined;
/** Whether the string [s, e) just delimited by `strEnd` holds a backslash. */
function escaped(s: number, e: number): boolean {
  return lastEsc === 1 || (lastEsc === 2 && hasBackslash(s, e));
}

function hasBackslash(s: number, e: number): boolean {
  if (e - s < 64) {
    for (let j = s; j < e; j++) if (b[j] === BS) return true;
    return false;
  }
  return buf!.subarray(s, e).indexOf(BS) >= 0;
}

/** Skips one JSON value at `i`, checking its grammar (not string contents); returns the index after it. */
function skipValue(i: number, depth: number): number {
  const c = b[i];
  if (c === Q) {
    const e = strEnd(i);
    if (e < 0) throw FALLBACK;
    return e + 1;
  }
  if (c === 0x7b) {
    if (depth > 200) throw FALLBACK;
    i = ws(i + 1);
    if (b[i] === 0x7d) return i + 1;
    for (;;) {
      if (b[i] !== Q) throw FALLBACK;
      const ke = strEnd(i);
      if (ke < 0) throw FALLBACK;
      i = ws(ke + 1);
      if (b[i] !== 0x3a) throw FALLBACK;
      i = ws(skipValue(ws(i + 1), depth + 1));
      if (b[i] === 0x2c) i = ws(i + 1);
      else if (b[i] === 0x7d) return i + 1;
      else throw FALLBACK;
    }
  }
  if (c === 0x5b) {
    if (depth > 200) throw FALLBACK;
    i = ws(i + 1);
    if (b[i] === 0x5d) return i + 1;
    for (;;) {
      i = ws(skipValue(i, depth + 1));
      if (b[i] === 0x2c) i = ws(i + 1);
      else if (b[i] === 0x5d) return i + 1;
      else throw FALLBACK;
    }
  }
  return skipScalar(i);
}

/** true / false / null / a number: returns the index after it. */
function skipScalar(i: number): number {
  const c = b[i];
  if (c === 0x74) return lit(i, 0x72, 0x75, 0x65, -1); // true
  if (c === 0x66) return lit(i, 0x61, 0x6c, 0x73, 0x65); // false
  if (c === 0x6e) return lit(i, 0x75, 0x6c, 0x6c, -1); // null
  return skipNumber(i);
}

function lit(i: number, c1: number, c2: number, c3: number, c4: number): number {
  if (i + (c4 < 0 ? 4 : 5) > end) throw FALLBACK;
  if (b[i + 1] !== c1 || b[i + 2] !== c2 || b[i + 3] !== c3) throw FALLBACK;
  if (c4 < 0) return i + 4;
  if (b[i + 4] !== c4) throw FALLBACK;
  return i + 5;
}

const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;

const digitAt = (i: number) => i < end && isDigit(b[i]);

function skipNumber(i: number): number {
  if (b[i] === 0x2d) i++;
  if (i < end && b[i] === 0x30) i++;
  else if (digitAt(i)) while (digitAt(i)) i++;
  else throw FALLBACK;
  if (i < end && b[i] === 0x2e) {
    i++;
    if (!digitAt(i)) throw FALLBACK;
    while (digitAt(i)) i++;
  }
  if (i < end && (b[i] === 0x65 || b[i] === 0x45)) {
    i++;
    if (i < end && (b[i] === 0x2b || b[i] === 0x2d)) i++;
    if (!digitAt(i)) throw FALLBACK;
    while (digitAt(i)) i++;
  }
  return i;
}

/** A token count: plain digits only (anything else: the JSON.parse path decides); -1 for null. */
function tokenValue(i: number, f: Fields, slot: number): number {
  const c = b[i];
  if (c === 0x6e) {
    f.tok[slot] = -1;
    return lit(i, 0x75, 0x6c, 0x6c, -1);
  }
  if (!digitAt(i)) throw FALLBACK;
  let v = 0;
  let j = i;
  while (digitAt(j)) {
    v = v * 10 + (b[j]! - 0x30);
    j++;
  }
  const n = j - i;
  if ((n > 1 && c === 0x30) || n > 10 || (j < end && (b[j] === 0x2e || b[j] === 0x65 || b[j] === 0x45))) throw FALLBACK;
  f.tok[slot] = v;
  return j;
}

// Key names as byte arrays.
const K = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const K_TYPE = K('type');
const K_TIMESTAMP = K('timestamp');
const K_REQUEST_ID = K('requestId');
const K_IS_SIDECHAIN = K('isSidechain');
const K_IS_API_ERROR = K('isApiErrorMessage');
const K_SESSION_ID = K('sessionId');
const K_CWD = K('cwd');
const K_MESSAGE = K('message');
const K_DATA = K('data');
const K_ID = K('id');
const K_MODEL = K('model');
const K_CONTENT = K('content');
const K_USAGE = K('usage');
const K_INPUT = K('input_tokens');
const K_OUTPUT = K('output_tokens');
const K_CREATION = K('cache_creation_input_tokens');
const K_READ = K('cache_read_input_tokens');
const K_CC = K('cache_creation');
const K_B5 = K('ephemeral_5m_input_tokens');
const K_B1 = K('ephemeral_1h_input_tokens');
const K_TIER = K('service_tier');
const K_GEO = K('inference_geo');
const K_SPEED = K('speed');
const V_ASSISTANT = K('assistant');
const V_PROGRESS = K('progress');

function keyIs(s: number, len: number, k: Uint8Array): boolean {
  if (len !== k.length) return false;
  for (let j = 0; j < len; j++) if (b[s + j] !== k[j]) return false;
  return true;
}

/** Reads a key at `i` (its opening quote); returns [start, end) of its bytes via `ks/ke`. Keys with escapes: fallback. */
let ks = 0;
let ke = 0;
function readKey(i: number): number {
  if (b[i] !== Q) throw FALLBACK;
  const e = strEnd(i);
  if (e < 0) throw FALLBACK;
  ks = i + 1;
  ke = e;
  if (escaped(ks, ke)) throw FALLBACK;
  const j = ws(e + 1);
  if (b[j] !== 0x3a) throw FALLBACK;
  return ws(j + 1);
}

/** A string value at `i`: sets `ss/se/sesc`; returns the index after it. Non-strings: `ss = -2` (skipped). */
let ss = 0;
let se = 0;
let sesc = false;
function readString(i: number): number {
  if (b[i] !== Q) {
    ss = -2;
    return skipValue(i, 1);
  }
  const e = strEnd(i);
  if (e < 0) throw FALLBACK;
  ss = i + 1;
  se = e;
  sesc = escaped(ss, se);
  return e + 1;
}

/**
 * Parses the entry object at `i` into `f` (top level when `level` is 0). Returns the index after it, or -1
 * when the line's type (read before its bulk) shows it carries no usage.
 */
function parseEntry(i: number, f: Fields, level: number): number {
  if (b[i] !== 0x7b) throw FALLBACK;
  i = ws(i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    i = readKey(i);
    const len = ke - ks;
    const c0 = b[ks];
    if (c0 === 0x74 && keyIs(ks, len, K_TYPE)) {
      i = readString(i);
      f.typeSeen = true;
      if (ss === -2) f.type = 0;
      else if (sesc) throw FALLBACK;
      else if (keyIsSpan(ss, se, V_ASSISTANT)) f.type = 1;
      else if (keyIsSpan(ss, se, V_PROGRESS)) f.type = 2;
      else {
        f.type = 0;
        // A line that says what it is before its bulk and is not an assistant or progress line: done.
        if (level === 0) return -1;
      }
    } else if (c0 === 0x74 && keyIs(ks, len, K_TIMESTAMP)) {
      i = readString(i);
      f.tsS = ss;
      f.tsE = se;
      f.tsEsc = sesc;
    } else if (c0 === 0x72 && keyIs(ks, len, K_REQUEST_ID)) {
      i = readString(i);
      f.ridS = ss;
      f.ridE = se;
      f.ridEsc = sesc;
    } else if (c0 === 0x69 && keyIs(ks, len, K_IS_SIDECHAIN)) {
      const c = b[i];
      f.side = c === 0x74 ? 1 : c === 0x66 ? 2 : 0;
      i = skipValue(i, 1);
    } else if (c0 === 0x69 && keyIs(ks, len, K_IS_API_ERROR)) {
      f.apiError = b[i] === 0x74;
      i = skipValue(i, 1);
    } else if (c0 === 0x73 && keyIs(ks, len, K_SESSION_ID)) {
      i = readString(i);
      f.sessS = ss;
      f.sessE = se;
      f.sessEsc = sesc;
    } else if (c0 === 0x63 && keyIs(ks, len, K_CWD)) {
      i = readString(i);
      f.cwdS = ss;
      f.cwdE = se;
      f.cwdEsc = sesc;
    } else if (c0 === 0x6d && keyIs(ks, len, K_MESSAGE)) {
      if (f.message) throw FALLBACK;
      if (b[i] === 0x7b) {
        f.message = true;
        i = parseMessage(i, f, level === 0 ? 2 : 4);
      } else i = skipValue(i, 1);
    } else if (level === 0 && c0 === 0x64 && keyIs(ks, len, K_DATA)) {
      if (f.data) throw FALLBACK;
      if (b[i] === 0x7b) {
        f.data = true;
        i = parseData(i);
      } else i = skipValue(i, 1);
    } else i = skipValue(i, 1);
    i = ws(i);
    if (b[i] === 0x2c) i = ws(i + 1);
    else if (b[i] === 0x7d) return i + 1;
    else throw FALLBACK;
  }
}

function keyIsSpan(s: number, e: number, k: Uint8Array): boolean {
  return keyIs(s, e - s, k);
}

/** `data` of a progress line: `data.message` is a whole assistant entry (a sub-agent's). */
function parseData(i: number): number {
  i = ws(i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    i = readKey(i);
    if (b[ks] === 0x6d && keyIs(ks, ke - ks, K_MESSAGE)) {
      if (inner.nested) throw FALLBACK;
      if (b[i] === 0x7b) {
        inner.nested = true;
        i = parseEntry(i, inner, 1);
      } else i = skipValue(i, 2);
    } else i = skipValue(i, 2);
    i = ws(i);
    if (b[i] === 0x2c) i = ws(i + 1);
    else if (b[i] === 0x7d) return i + 1;
    else throw FALLBACK;
  }
}

function parseMessage(i: number, f: Fields, depth: number): number {
  i = ws(i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    i = readKey(i);
    const len = ke - ks;
    const c0 = b[ks];
    if (c0 === 0x63 && b[i] === 0x5b && keyIs(ks, len, K_CONTENT)) {
      // The bulk of the line: jump to its end, found from the end of the line, when that is unambiguous.
      const t = tailArrayEnd();
      if (t > i && tailDepth === depth && mayJump(i, t)) {
        i = t;
        f.jumped = true;
      } else i = skipValue(i, 2);
    } else if (c0 === 0x69 && keyIs(ks, len, K_ID)) {
      i = readString(i);
      f.idS = ss;
      f.idE = se;
      f.idEsc = sesc;
    } else if (c0 === 0x6d && keyIs(ks, len, K_MODEL)) {
      i = readString(i);
      f.modelS = ss;
      f.modelE = se;
      f.modelEsc = sesc;
    } else if (c0 === 0x75 && keyIs(ks, len, K_USAGE)) {
      if (f.usage) throw FALLBACK;
      if (b[i] === 0x7b) {
        f.usage = true;
        i = parseUsage(i, f);
      } else i = skipValue(i, 2);
    } else i = skipValue(i, 2);
    i = ws(i);
    if (b[i] === 0x2c) i = ws(i + 1);
    else if (b[i] === 0x7d) return i + 1;
    else throw FALLBACK;
  }
}

function parseUsage(i: number, f: Fields): number {
  i = ws(i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    i = readKey(i);
    const len = ke - ks;
    const c0 = b[ks];
    if (c0 === 0x69 && keyIs(ks, len, K_INPUT)) i = tokenValue(i, f, T_INPUT);
    else if (c0 === 0x6f && keyIs(ks, len, K_OUTPUT)) i = tokenValue(i, f, T_OUTPUT);
    else if (c0 === 0x63 && keyIs(ks, len, K_CREATION)) i = tokenValue(i, f, T_CREATION);
    else if (c0 === 0x63 && keyIs(ks, len, K_READ)) i = tokenValue(i, f, T_READ);
    else if (c0 === 0x63 && keyIs(ks, len, K_CC)) {
      if (f.cc) throw FALLBACK;
      if (b[i] === 0x7b) {
        f.cc = true;
        i = parseCacheCreation(i, f);
      } else if (b[i] === 0x6e) {
        i = lit(i, 0x75, 0x6c, 0x6c, -1);
      } else throw FALLBACK; // a breakdown that is not an object: let JSON.parse decide
    } else if (c0 === 0x73 && keyIs(ks, len, K_TIER)) {
      i = readString(i);
      f.tierS = ss;
      f.tierE = se;
      f.tierEsc = sesc;
    } else if (c0 === 0x69 && keyIs(ks, len, K_GEO)) {
      i = readString(i);
      f.geoS = ss;
      f.geoE = se;
      f.geoEsc = sesc;
    } else if (c0 === 0x73 && keyIs(ks, len, K_SPEED)) {
      i = readString(i);
      f.speedS = ss;
      f.speedE = se;
      f.speedEsc = sesc;
    } else i = skipValue(i, 3);
    i = ws(i);
    if (b[i] === 0x2c) i = ws(i + 1);
    else if (b[i] === 0x7d) return i + 1;
    else throw FALLBACK;
  }
}

function parseCacheCreation(i: number, f: Fields): number {
  i = ws(i + 1);
  if (b[i] === 0x7d) return i + 1;
  for (;;) {
    i = readKey(i);
    const len = ke - ks;
    if (b[ks] === 0x65 && keyIs(ks, len, K_B5)) i = tokenValue(i, f, T_B5);
    else if (b[ks] === 0x65 && keyIs(ks, len, K_B1)) i = tokenValue(i, f, T_B1);
    else i = skipValue(i, 4);
    i = ws(i);
    if (b[i] === 0x2c) i = ws(i + 1);
    else if (b[i] === 0x7d) return i + 1;
    else throw FALLBACK;
  }
}

let lineStart = 0;
let tailDone = false;
let tailResult = -1;
let tailDepth = 0;

function bws(i: number): number {
  while (i >= lineStart) {
    const c = b[i];
    if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) {
      spaced = true;
      i--;
    } else return i;
  }
  return i;
}

const OBJECT_THEN_KEY = Buffer.from('},"');

/**
 * Whether `[from, to)`, the stretch the tail walk says is `message.content`, can be jumped over. The walk
 * never sees the key of the array it stops at, so it can stop in a later object at the same depth, e.g.
 * `"message":{…,"content":[…]},"isApiErrorMessage":true,"extra":{"k":[…]}`: the stretch then holds the
 * end of the message object and the start of the next pair, `}` `,` `"`, with no whitespace between them
 * in a line without whitespace between tokens (inside a string `"` is escaped as `\"`, so `},"` there is
 * only a string ending in `},`: declining then costs a scan, never a wrong answer). Lines with whitespace
 * between tokens (never written by Claude Code) are scanned instead of jumped.
 */
function mayJump(from: number, to: number): boolean {
  if (spaced) return false;
  const k = buf!.indexOf(OBJECT_THEN_KEY, from);
  return k < 0 || k >= to;
}

/** The opening quote of the string whose closing quote is at `q` (walking back), or -1. */
function bString(q: number): number {
  let j = q - 1;
  for (;;) {
    while (j >= lineStart && b[j] !== Q) j--;
    if (j < lineStart) return -1;
    let k = j - 1;
    while (k >= lineStart && b[k] === BS) k--;
    if ((j - 1 - k) % 2 === 0) return j;
    j--;
  }
}

const isScalarByte = (c: number) => (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c === 0x2e || c === 0x2b || c === 0x2d || c === 0x45;

/**
 * Walking back from the end of the line through the last key-value pairs (descending into object values),
 * the end (exclusive) of the first array value met: in Claude Code's lines that is `message.content`, the
 * bulk of an assistant line (thinking, text, tool input), which is then jumped over instead of scanned.
 * `tailDepth` is the object depth it sits at. Anything unexpected: -1 (the value is skipped by scanning).
 * The forward parse checks everything after the jump; inside the jumped-over array nothing is checked.
 */
function tailArrayEnd(): number {
  if (tailDone) return tailResult;
  tailDone = true;
  tailResult = -1;
  // Whitespace after the line's last `}` (a CR of CRLF) is not between tokens.
  const before = spaced;
  let i = bws(end - 1);
  spaced = before;
  if (b[i] !== 0x7d) return -1;
  i--;
  let depth = 1;
  for (let steps = 0; steps < 256; steps++) {
    i = bws(i);
    const c = b[i];
    if (c === 0x5d) {
      tailDepth = depth;
      return (tailResult = i + 1);
    }
    if (c === 0x7d) {
      depth++;
      i--;
      continue;
    }
    if (c === Q) {
      const s = bString(i);
      if (s < 0) return -1;
      i = s - 1;
    } else if (c !== 0x7b) {
      if (c === undefined || !isScalarByte(c)) return -1;
      while (i >= lineStart && isScalarByte(b[i]!)) i--;
    }
    // After a value (or at an empty object's `{`): its key, then `,` (a pair before it) or `{` (the object
    // started: it was itself the value of a pair one level up).
    let atBrace = c === 0x7b;
    for (;;) {
      if (!atBrace) {
        i = bws(i);
        if (b[i] !== 0x3a) return -1;
        i = bws(i - 1);
        if (b[i] !== Q) return -1;
        const s = bString(i);
        if (s < 0) return -1;
        i = bws(s - 1);
        if (b[i] === 0x2c) {
          i--;
          break;
        }
        if (b[i] !== 0x7b) return -1;
      }
      atBrace = false;
      depth--;
      if (depth === 0) return -1;
      i--;
    }
  }
  return -1;
}

/** The string [s, e); an escaped one decoded by `JSON.parse` (a bad escape, `\x`: the line goes to the fallback,
 *  which calls it corrupt, instead of the error ending the whole read). */
function text(s: number, e: number, esc: boolean): string {
  if (!esc) return buf!.toString('utf8', s, e);
  try {
    return JSON.parse(buf!.toString('utf8', s - 1, e + 1)) as string;
  } catch {
    throw FALLBACK;
  }
}

/** Hashes a string value's UTF-8 bytes; strings with escapes or non-ASCII bytes are decoded and re-encoded
 *  first (so the hash equals the one of the decoded JS string). */
function feed(s: number, e: number, esc: boolean): void {
  let plain = !esc;
  if (plain) {
    for (let j = s; j < e; j++) {
      if (b[j]! >= 0x80) {
        plain = false;
        break;
      }
    }
  }
  if (plain) hasher.bytes(b, s, e);
  else {
    const bytes = Buffer.from(text(s, e, esc), 'utf8');
    hasher.bytes(bytes, 0, bytes.length);
  }
}

const DAYS_OK = (y: number, m: number, d: number, h: number, mi: number, sec: number) => y >= 0 && m >= 1 && m <= 12 && d >= 1 && d <= 31 && h <= 23 && mi <= 59 && sec <= 59;
const dg = (j: number) => b[j]! - 0x30;
/** Offsets of the digits in `YYYY-MM-DDTHH:MM:SS`. */
const TS_DIGITS = [0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18];

/** `YYYY-MM-DDTHH:MM:SS[.sss]Z` read directly; any other form goes through `Date.parse` of the text. */
function timestamp(s: number, e: number, esc: boolean): number {
  const n = e - s;
  if (!esc && (n === 20 || n === 24) && b[s + 4] === 0x2d && b[s + 7] === 0x2d && b[s + 10] === 0x54 && b[s + 13] === 0x3a && b[s + 16] === 0x3a && b[e - 1] === 0x5a) {
    let ok = true;
    for (let k = 0; k < TS_DIGITS.length; k++) if (!isDigit(b[s + TS_DIGITS[k]!])) ok = false;
    if (n === 24 && (b[s + 19] !== 0x2e || !isDigit(b[s + 20]) || !isDigit(b[s + 21]) || !isDigit(b[s + 22]))) ok = false;
    if (ok) {
      const y = dg(s) * 1000 + dg(s + 1) * 100 + dg(s + 2) * 10 + dg(s + 3);
      const mo = dg(s + 5) * 10 + dg(s + 6);
      const d = dg(s + 8) * 10 + dg(s + 9);
      const h = dg(s + 11) * 10 + dg(s + 12);
      const mi = dg(s + 14) * 10 + dg(s + 15);
      const sec = dg(s + 17) * 10 + dg(s + 18);
      const ms = n === 24 ? dg(s + 20) * 100 + dg(s + 21) * 10 + dg(s + 22) : 0;
      if (y >= 100 && DAYS_OK(y, mo, d, h, mi, sec)) return Date.UTC(y, mo - 1, d, h, mi, sec, ms);
    }
  }
  return Date.parse(text(s, e, esc));
}

const MAX_TOKENS = 0xffffffff;

/**
 * Set while `entry` makes the entry the WebAssembly walk answered with: the walk also read its timestamp and
 * hashed its keys where it could (the fast timestamp form; ids without escapes, ASCII), flagged at `DONE_TS`
 * and `DONE_HASH` (i32 slots from `WASM_DONE`), the timestamp at `DONE_TS_VALUE` (f64 slot).
 */
let done: WasmExtractor | undefined;
const DONE_TS = WASM_DONE >> 2;
const DONE_HASH = DONE_TS + 1;
const DONE_TS_VALUE = (WASM_DONE + WASM_DONE_TS) >> 3;

/** Fills `out` from the parsed fields of one entry object (`parent`: the progress line it is nested in). */
function entry(f: Fields, parent: Fields | undefined, out: UsageLine, wantCwd: boolean): ExtractCode {
  if (!f.message || !f.usage) return X_IGNORE;
  let model = '<unknown>';
  if (f.modelS >= 0 && f.modelE > f.modelS) {
    model = f.modelEsc ? text(f.modelS, f.modelE, true) : modelAt(f.modelS, f.modelE);
    if (model === '') model = '<unknown>';
  }
  if (model === '<synthetic>') return X_SYNTHETIC;
  if (f.apiError) return X_API_ERROR;
  if (f.tsS < 0) return X_CORRUPT;
  const ts = done !== undefined && done.i32[DONE_TS]! !== 0 ? done.f64[DONE_TS_VALUE]! : timestamp(f.tsS, f.tsE, f.tsEsc);
  if (!Number.isFinite(ts)) return X_CORRUPT;
  const t = f.tok;
  for (let k = 0; k < 6; k++) if (t[k]! > MAX_TOKENS) return X_CORRUPT;
  const creation = t[T_CREATION]!;
  const b5 = t[T_B5]!;
  const b1 = t[T_B1]!;
  const totalWrite = creation >= 0 ? creation : Math.max(b5, 0) + Math.max(b1, 0);
  const w1 = Math.min(Math.max(b1, 0), totalWrite);
  out.input = Math.max(t[T_INPUT]!, 0);
  out.output = Math.max(t[T_OUTPUT]!, 0);
  out.cacheWrite5m = totalWrite - w1;
  out.cacheWrite1h = w1;
  out.cacheRead = Math.max(t[T_READ]!, 0);
  out.ts = ts;
  if (f.speedS >= 0 && (f.speedEsc ? text(f.speedS, f.speedE, true) === 'fast' : bytesAre(f.speedS, f.speedE, 'fast'))) {
    model += ' (fast)';
  }
  out.model = model;
  out.batch = f.tierS >= 0 && (f.tierEsc ? text(f.tierS, f.tierE, true) === 'batch' : bytesAre(f.tierS, f.tierE, 'batch'));
  out.usInference = f.geoS >= 0 && (f.geoEsc ? usGeo(text(f.geoS, f.geoE, true)) : usGeoAt(f.geoS, f.geoE));
  out.sidechain = parent ? f.side !== 2 : f.side === 1;
  out.nested = parent !== undefined;
  const hasId = f.idS >= 0 && f.idE > f.idS;
  out.keyed = hasId;
  if (hasId && done !== undefined && done.i32[DONE_HASH]! !== 0) {
    const r = done.i32;
    out.i1 = r[DONE_HASH + 1]! >>> 0;
    out.i2 = r[DONE_HASH + 2]! >>> 0;
    out.k1 = r[DONE_HASH + 3]! >>> 0;
    out.k2 = r[DONE_HASH + 4]! >>> 0;
  } else if (hasId) {
    hasher.reset();
    feed(f.idS, f.idE, f.idEsc);
    out.i1 = hasher.finish1();
    out.i2 = hasher.finish2();
    if (f.ridS >= 0 && f.ridE > f.ridS) {
      hasher.byte(KEY_SEPARATOR);
      feed(f.ridS, f.ridE, f.ridEsc);
      out.k1 = hasher.finish1();
      out.k2 = hasher.finish2();
    } else {
      out.k1 = out.i1;
      out.k2 = out.i2;
    }
  } else out.i1 = out.i2 = out.k1 = out.k2 = 0;
  const sess = f.sessS >= 0 && f.sessE > f.sessS ? f : parent && parent.sessS >= 0 && parent.sessE > parent.sessS ? parent : undefined;
  out.sessionId = sess ? sessionText(sess.sessS, sess.sessE, sess.sessEsc) : undefined;
  if (wantCwd) {
    const cw = f.cwdS >= 0 && f.cwdE > f.cwdS ? f : parent && parent.cwdS >= 0 && parent.cwdE > parent.cwdS ? parent : undefined;
    out.cwd = cw ? text(cw.cwdS, cw.cwdE, cw.cwdEsc) : undefined;
  } else out.cwd = undefined;
  return X_ENTRY;
}

/** Session ids repeat on every line of a file: the last one is kept to avoid making the same string again. */
let lastSess = '';
let lastSessBytes: Uint8Array = new Uint8Array(0);
function sessionText(s: number, e: number, esc: boolean): string {
  if (!esc && sameBytes(s, e, lastSessBytes)) return lastSess;
  const v = text(s, e, esc);
  if (!esc) {
    lastSess = v;
    lastSessBytes = copyOf(s, e);
  }
  return v;
}

export function usGeo(geo: string): boolean {
  return /^us\b/i.test(geo);
}

/**
 * Extracts the usage entry of the line `buf[ls, le)` (without its newline) into `out`. `wantCwd`: also read
 * the working directory (only the first entry of a file needs it).
 */
export function extractLine(source: Buffer, ls: number, le: number, out: UsageLine, wantCwd: boolean): ExtractCode {
  const w = wasmExtractor();
  if (w !== undefined && source.buffer === w.mem.buffer) return extractInWasm(w, source.byteOffset + ls, source.byteOffset + le, out, wantCwd);
  buf = source;
  b = source;
  end = le;
  lineStart = ls;
  tailDone = false;
  top.reset();
  inner.reset();
  try {
    let i = ls;
    if (b[i] === 0xef && b[i + 1] === 0xbb && b[i + 2] === 0xbf) i += 3;
    i = ws(i);
    spaced = false; // whitespace before the line's `{` is not between tokens
    if (i >= le) return X_IGNORE;
    const after = parseEntry(i, top, 0);
    if (after < 0) return X_IGNORE;
    if (ws(after) !== le) throw FALLBACK;
    // A jumped-over stretch might have hidden a field we read: only trust the jump when it hid none of them.
    const jumped = (f: Fields) => f.jumped && (!f.usage || f.idS < 0 || f.modelS < 0);
    if (jumped(top) || jumped(inner)) throw FALLBACK;
    if (top.type === 1) return entry(top, undefined, out, wantCwd);
    if (top.type === 2 && inner.nested && inner.type === 1) return entry(inner, top, out, wantCwd);
    return X_IGNORE;
  } catch (e) {
    if (e === FALLBACK) return X_FALLBACK;
    throw e;
  } finally {
    buf = undefined;
  }
}

/** `extractLine` of a line in the WebAssembly module's memory ([ls, le) absolute): the module walks it, the
 *  entry is made here from the fields it read, as in `extractLine`. */
function extractInWasm(w: WasmExtractor, ls: number, le: number, out: UsageLine, wantCwd: boolean): ExtractCode {
  const r = w.extract(ls, le);
  if (r === W_IGNORE) return X_IGNORE;
  if (r === W_FALLBACK) return X_FALLBACK;
  buf = w.mem;
  b = w.mem;
  end = le;
  done = w;
  try {
    top.load(w, WASM_TOP);
    if (r === W_TOP) return entry(top, undefined, out, wantCwd);
    inner.load(w, WASM_INNER);
    return entry(inner, top, out, wantCwd);
  } catch (e) {
    if (e === FALLBACK) return X_FALLBACK;
    throw e;
  } finally {
    buf = undefined;
    done = undefined;
  }
}
