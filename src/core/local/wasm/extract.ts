// AssemblyScript, not TypeScript: compiled to dist/extract.wasm by esbuild.mjs (asc, SIMD), never type-checked or
// bundled with the project's TypeScript (tsconfig.json and eslint.config.mjs leave this folder out).
//
// The structural walk of src/core/local/extract.ts (`extractLine`: `parseEntry`, `parseData`, `parseMessage`,
// `parseUsage`, `parseCacheCreation`, `skipValue`, `tailArrayEnd`...) in WebAssembly, function for function and
// with the same decisions, so that both readings of any line are the same (the differential tests in
// test/unit/local-extract.test.ts run every line through both). Strings are searched 16 bytes at a time (SIMD)
// for their closing quote. What it reads goes to two records of fields in linear memory (`TOP`, `INNER`, laid
// out as `SLOT_*` in extract.ts), which the JavaScript side turns into a usage entry (`entry` there: model,
// timestamp, ids hashed, session). Where the JavaScript walk throws its FALLBACK, this returns `FAIL` up to
// `extract`, which answers `R_FALLBACK`.
//
// Memory (4 MiB, never grown): [1024, 1536) the two field records, [1536, 1568) what `finishEntry` computed, [8192, …) static data (key names), from
// 64 KiB the reader's read buffer (extractWasm.ts: `READ_AT`), from 2 MiB room for lines copied in (`COPY_AT`).

// `extract`'s answers (extract.ts: `W_*`).
const R_IGNORE: i32 = 0;
const R_TOP: i32 = 1;
const R_INNER: i32 = 2;
const R_FALLBACK: i32 = 5;

const FAIL: i32 = -1;
/** `parseEntry` at the top level: the line's type shows no usage. */
const NOT_USAGE: i32 = -2;

const TOP: i32 = 1024;
const INNER: i32 = 1280;
// Field slots (i32 each; extract.ts reads them by the same numbers).
const F_TYPE: i32 = 0;
const F_TS_S: i32 = 2;
const F_TS_E: i32 = 3;
const F_TS_ESC: i32 = 4;
const F_RID_S: i32 = 5;
const F_RID_E: i32 = 6;
const F_RID_ESC: i32 = 7;
const F_SESS_S: i32 = 8;
const F_SESS_E: i32 = 9;
const F_SESS_ESC: i32 = 10;
const F_CWD_S: i32 = 11;
const F_CWD_E: i32 = 12;
const F_CWD_ESC: i32 = 13;
const F_SIDE: i32 = 14;
const F_API_ERROR: i32 = 15;
const F_MESSAGE: i32 = 16;
const F_ID_S: i32 = 17;
const F_ID_E: i32 = 18;
const F_ID_ESC: i32 = 19;
const F_MODEL_S: i32 = 20;
const F_MODEL_E: i32 = 21;
const F_MODEL_ESC: i32 = 22;
const F_USAGE: i32 = 23;
const F_CC: i32 = 24;
const F_TIER_S: i32 = 25;
const F_TIER_E: i32 = 26;
const F_TIER_ESC: i32 = 27;
const F_GEO_S: i32 = 28;
const F_GEO_E: i32 = 29;
const F_GEO_ESC: i32 = 30;
const F_SPEED_S: i32 = 31;
const F_SPEED_E: i32 = 32;
const F_SPEED_ESC: i32 = 33;
const F_DATA: i32 = 34;
const F_NESTED: i32 = 35;
const F_JUMPED: i32 = 36;
/** Token counts: six f64 from this byte offset (-1 absent or null). */
const TOK: i32 = 160;
const T_INPUT: i32 = 0;
const T_OUTPUT: i32 = 1;
const T_CREATION: i32 = 2;
const T_READ: i32 = 3;
const T_B5: i32 = 4;
const T_B1: i32 = 5;

@inline function setF(f: i32, slot: i32, v: i32): void {
  store<i32>(<usize>(f + (slot << 2)), v);
}
@inline function getF(f: i32, slot: i32): i32 {
  return load<i32>(<usize>(f + (slot << 2)));
}
@inline function setTok(f: i32, k: i32, v: f64): void {
  store<f64>(<usize>(f + TOK + (k << 3)), v);
}

function reset(f: i32): void {
  setF(f, F_TYPE, 0);
  setF(f, F_TS_S, -1);
  setF(f, F_RID_S, -1);
  setF(f, F_SESS_S, -1);
  setF(f, F_CWD_S, -1);
  setF(f, F_ID_S, -1);
  setF(f, F_MODEL_S, -1);
  setF(f, F_TIER_S, -1);
  setF(f, F_GEO_S, -1);
  setF(f, F_SPEED_S, -1);
  setF(f, F_SIDE, 0);
  setF(f, F_API_ERROR, 0);
  setF(f, F_MESSAGE, 0);
  setF(f, F_USAGE, 0);
  setF(f, F_CC, 0);
  setF(f, F_DATA, 0);
  setF(f, F_NESTED, 0);
  setF(f, F_JUMPED, 0);
  for (let k = 0; k < 6; k++) setTok(f, k, -1);
}

const K_TYPE: i32 = <i32>memory.data<u8>([0x74, 0x79, 0x70, 0x65]); // type
const K_TIMESTAMP: i32 = <i32>memory.data<u8>([0x74, 0x69, 0x6d, 0x65, 0x73, 0x74, 0x61, 0x6d, 0x70]); // timestamp
const K_REQUEST_ID: i32 = <i32>memory.data<u8>([0x72, 0x65, 0x71, 0x75, 0x65, 0x73, 0x74, 0x49, 0x64]); // requestId
const K_IS_SIDECHAIN: i32 = <i32>memory.data<u8>([0x69, 0x73, 0x53, 0x69, 0x64, 0x65, 0x63, 0x68, 0x61, 0x69, 0x6e]); // isSidechain
const K_IS_API_ERROR: i32 = <i32>memory.data<u8>([0x69, 0x73, 0x41, 0x70, 0x69, 0x45, 0x72, 0x72, 0x6f, 0x72, 0x4d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65]); // isApiErrorMessage
const K_SESSION_ID: i32 = <i32>memory.data<u8>([0x73, 0x65, 0x73, 0x73, 0x69, 0x6f, 0x6e, 0x49, 0x64]); // sessionId
const K_CWD: i32 = <i32>memory.data<u8>([0x63, 0x77, 0x64]); // cwd
const K_MESSAGE: i32 = <i32>memory.data<u8>([0x6d, 0x65, 0x73, 0x73, 0x61, 0x67, 0x65]); // message
const K_DATA: i32 = <i32>memory.data<u8>([0x64, 0x61, 0x74, 0x61]); // data
const K_ID: i32 = <i32>memory.data<u8>([0x69, 0x64]); // id
const K_MODEL: i32 = <i32>memory.data<u8>([0x6d, 0x6f, 0x64, 0x65, 0x6c]); // model
const K_CONTENT: i32 = <i32>memory.data<u8>([0x63, 0x6f, 0x6e, 0x74, 0x65, 0x6e, 0x74]); // content
const K_USAGE: i32 = <i32>memory.data<u8>([0x75, 0x73, 0x61, 0x67, 0x65]); // usage
const K_INPUT: i32 = <i32>memory.data<u8>([0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73]); // input_tokens
const K_OUTPUT: i32 = <i32>memory.data<u8>([0x6f, 0x75, 0x74, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73]); // output_tokens
const K_CREATION: i32 = <i32>memory.data<u8>([0x63, 0x61, 0x63, 0x68, 0x65, 0x5f, 0x63, 0x72, 0x65, 0x61, 0x74, 0x69, 0x6f, 0x6e, 0x5f, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73]); // cache_creation_input_tokens
const K_READ: i32 = <i32>memory.data<u8>([0x63, 0x61, 0x63, 0x68, 0x65, 0x5f, 0x72, 0x65, 0x61, 0x64, 0x5f, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73]); // cache_read_input_tokens
const K_CC: i32 = <i32>memory.data<u8>([0x63, 0x61, 0x63, 0x68, 0x65, 0x5f, 0x63, 0x72, 0x65, 0x61, 0x74, 0x69, 0x6f, 0x6e]); // cache_creation
const K_B5: i32 = <i32>memory.data<u8>([0x65, 0x70, 0x68, 0x65, 0x6d, 0x65, 0x72, 0x61, 0x6c, 0x5f, 0x35, 0x6d, 0x5f, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73]); // ephemeral_5m_input_tokens
const K_B1: i32 = <i32>memory.data<u8>([0x65, 0x70, 0x68, 0x65, 0x6d, 0x65, 0x72, 0x61, 0x6c, 0x5f, 0x31, 0x68, 0x5f, 0x69, 0x6e, 0x70, 0x75, 0x74, 0x5f, 0x74, 0x6f, 0x6b, 0x65, 0x6e, 0x73]); // ephemeral_1h_input_tokens
const K_TIER: i32 = <i32>memory.data<u8>([0x73, 0x65, 0x72, 0x76, 0x69, 0x63, 0x65, 0x5f, 0x74, 0x69, 0x65, 0x72]); // service_tier
const K_GEO: i32 = <i32>memory.data<u8>([0x69, 0x6e, 0x66, 0x65, 0x72, 0x65, 0x6e, 0x63, 0x65, 0x5f, 0x67, 0x65, 0x6f]); // inference_geo
const K_SPEED: i32 = <i32>memory.data<u8>([0x73, 0x70, 0x65, 0x65, 0x64]); // speed
const K_ASSISTANT: i32 = <i32>memory.data<u8>([0x61, 0x73, 0x73, 0x69, 0x73, 0x74, 0x61, 0x6e, 0x74]); // assistant
const K_PROGRESS: i32 = <i32>memory.data<u8>([0x70, 0x72, 0x6f, 0x67, 0x72, 0x65, 0x73, 0x73]); // progress

/** The line being read: [lineStart, end). */
let lineStart: i32 = 0;
let end: i32 = 0;
/** Whitespace was met between tokens (`ws`, `bws`): a jump is then not trusted (`mayJump`). */
let spaced: bool = false;
/** The last string `strEnd` delimited holds a backslash. */
let lastEsc: bool = false;

/** The byte at `i`, or -1 outside the line (where the JavaScript walk reads the `\n` or nothing). */
@inline function at(i: i32): i32 {
  return i >= lineStart && i < end ? <i32>load<u8>(<usize>i) : -1;
}

@inline function byte(i: i32): i32 {
  return <i32>load<u8>(<usize>i);
}

function keyIs(s: i32, len: i32, k: i32, n: i32): bool {
  if (len != n) return false;
  for (let j = 0; j < len; j++) if (byte(s + j) != byte(k + j)) return false;
  return true;
}

function ws(i: i32): i32 {
  while (i < end) {
    const c = byte(i);
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) {
      spaced = true;
      i++;
    } else return i;
  }
  return i;
}

/** Index of the closing quote of the string opening at `i`, or -1; sets `lastEsc`. */
function strEnd(i: i32): i32 {
  let j = i + 1;
  lastEsc = false;
  const q = i8x16.splat(0x22);
  const bs = i8x16.splat(0x5c);
  while (j + 16 <= end) {
    const v = v128.load(<usize>j);
    const m = i8x16.bitmask(v128.or(i8x16.eq(v, q), i8x16.eq(v, bs)));
    if (m == 0) {
      j += 16;
      continue;
    }
    j += <i32>ctz(m);
    if (byte(j) == 0x22) return j;
    lastEsc = true;
    j += 2;
  }
  while (j < end) {
    const c = byte(j);
    if (c == 0x22) return j;
    if (c == 0x5c) {
      lastEsc = true;
      j += 2;
    } else j++;
  }
  return -1;
}

function skipValue(i: i32, depth: i32): i32 {
  const c = at(i);
  if (c == 0x22) {
    const e = strEnd(i);
    return e < 0 ? FAIL : e + 1;
  }
  if (c == 0x7b) {
    if (depth > 200) return FAIL;
    i = ws(i + 1);
    if (at(i) == 0x7d) return i + 1;
    while (true) {
      if (at(i) != 0x22) return FAIL;
      const ke = strEnd(i);
      if (ke < 0) return FAIL;
      i = ws(ke + 1);
      if (at(i) != 0x3a) return FAIL;
      const v = skipValue(ws(i + 1), depth + 1);
      if (v < 0) return FAIL;
      i = ws(v);
      const d = at(i);
      if (d == 0x2c) i = ws(i + 1);
      else if (d == 0x7d) return i + 1;
      else return FAIL;
    }
  }
  if (c == 0x5b) {
    if (depth > 200) return FAIL;
    i = ws(i + 1);
    if (at(i) == 0x5d) return i + 1;
    while (true) {
      const v = skipValue(i, depth + 1);
      if (v < 0) return FAIL;
      i = ws(v);
      const d = at(i);
      if (d == 0x2c) i = ws(i + 1);
      else if (d == 0x5d) return i + 1;
      else return FAIL;
    }
  }
  return skipScalar(i);
}

function skipScalar(i: i32): i32 {
  const c = at(i);
  if (c == 0x74) return lit(i, 0x72, 0x75, 0x65, -1); // true
  if (c == 0x66) return lit(i, 0x61, 0x6c, 0x73, 0x65); // false
  if (c == 0x6e) return lit(i, 0x75, 0x6c, 0x6c, -1); // null
  return skipNumber(i);
}

function lit(i: i32, c1: i32, c2: i32, c3: i32, c4: i32): i32 {
  if (i + (c4 < 0 ? 4 : 5) > end) return FAIL;
  if (byte(i + 1) != c1 || byte(i + 2) != c2 || byte(i + 3) != c3) return FAIL;
  if (c4 < 0) return i + 4;
  if (byte(i + 4) != c4) return FAIL;
  return i + 5;
}

@inline function digitAt(i: i32): bool {
  if (i >= end) return false;
  const c = byte(i);
  return c >= 0x30 && c <= 0x39;
}

function skipNumber(i: i32): i32 {
  if (at(i) == 0x2d) i++;
  if (i < end && byte(i) == 0x30) i++;
  else if (digitAt(i)) {
    while (digitAt(i)) i++;
  } else return FAIL;
  if (i < end && byte(i) == 0x2e) {
    i++;
    if (!digitAt(i)) return FAIL;
    while (digitAt(i)) i++;
  }
  if (i < end && (byte(i) == 0x65 || byte(i) == 0x45)) {
    i++;
    if (i < end && (byte(i) == 0x2b || byte(i) == 0x2d)) i++;
    if (!digitAt(i)) return FAIL;
    while (digitAt(i)) i++;
  }
  return i;
}

/** A token count: plain digits only; -1 for null. */
function tokenValue(i: i32, f: i32, slot: i32): i32 {
  const c = at(i);
  if (c == 0x6e) {
    setTok(f, slot, -1);
    return lit(i, 0x75, 0x6c, 0x6c, -1);
  }
  if (!digitAt(i)) return FAIL;
  let v: f64 = 0;
  let j = i;
  while (digitAt(j)) {
    v = v * 10 + <f64>(byte(j) - 0x30);
    j++;
  }
  const n = j - i;
  if ((n > 1 && c == 0x30) || n > 10 || (j < end && (byte(j) == 0x2e || byte(j) == 0x65 || byte(j) == 0x45))) return FAIL;
  setTok(f, slot, v);
  return j;
}

/** `nextMember`: the object closed, the index after its `}` in `closedAt`. */
const CLOSED: i32 = -3;
let closedAt: i32 = 0;
/** After a member's value ending at `i` (or FAIL): the next key's index after a `,`, `CLOSED` at `}`, or FAIL. */
function nextMember(i: i32): i32 {
  if (i < 0) return FAIL;
  i = ws(i);
  const d = at(i);
  if (d == 0x2c) return ws(i + 1);
  if (d == 0x7d) {
    closedAt = i + 1;
    return CLOSED;
  }
  return FAIL;
}

/** The key read by `readKey`: [ks, ke). */
let ks: i32 = 0;
let ke: i32 = 0;
function readKey(i: i32): i32 {
  if (at(i) != 0x22) return FAIL;
  const e = strEnd(i);
  if (e < 0) return FAIL;
  ks = i + 1;
  ke = e;
  if (lastEsc) return FAIL;
  const j = ws(e + 1);
  if (at(j) != 0x3a) return FAIL;
  return ws(j + 1);
}

/** The string value read by `readString`: [ss, se), escaped; `ss` -2 for a value that is not a string. */
let ss: i32 = 0;
let se: i32 = 0;
let sesc: bool = false;
function readString(i: i32): i32 {
  if (at(i) != 0x22) {
    ss = -2;
    return skipValue(i, 1);
  }
  const e = strEnd(i);
  if (e < 0) return FAIL;
  ss = i + 1;
  se = e;
  sesc = lastEsc;
  return e + 1;
}

/** Stores the string just read into the slots `s`, `s + 1`, `s + 2` (start, end, escaped). */
@inline function keepString(f: i32, s: i32): void {
  setF(f, s, ss);
  setF(f, s + 1, se);
  setF(f, s + 2, sesc ? 1 : 0);
}

function parseEntry(i: i32, f: i32, level: i32): i32 {
  if (at(i) != 0x7b) return FAIL;
  i = ws(i + 1);
  if (at(i) == 0x7d) return i + 1;
  while (true) {
    i = readKey(i);
    if (i < 0) return FAIL;
    const len = ke - ks;
    const c0 = byte(ks);
    if (c0 == 0x74 && keyIs(ks, len, K_TYPE, 4)) {
      i = readString(i);
      if (i < 0) return FAIL;
      if (ss == -2) setF(f, F_TYPE, 0);
      else if (sesc) return FAIL;
      else if (keyIs(ss, se - ss, K_ASSISTANT, 9)) setF(f, F_TYPE, 1);
      else if (keyIs(ss, se - ss, K_PROGRESS, 8)) setF(f, F_TYPE, 2);
      else {
        setF(f, F_TYPE, 0);
        if (level == 0) return NOT_USAGE;
      }
    } else if (c0 == 0x74 && keyIs(ks, len, K_TIMESTAMP, 9)) {
      i = readString(i);
      keepString(f, F_TS_S);
    } else if (c0 == 0x72 && keyIs(ks, len, K_REQUEST_ID, 9)) {
      i = readString(i);
      keepString(f, F_RID_S);
    } else if (c0 == 0x69 && keyIs(ks, len, K_IS_SIDECHAIN, 11)) {
      const c = at(i);
      setF(f, F_SIDE, c == 0x74 ? 1 : c == 0x66 ? 2 : 0);
      i = skipValue(i, 1);
    } else if (c0 == 0x69 && keyIs(ks, len, K_IS_API_ERROR, 17)) {
      setF(f, F_API_ERROR, at(i) == 0x74 ? 1 : 0);
      i = skipValue(i, 1);
    } else if (c0 == 0x73 && keyIs(ks, len, K_SESSION_ID, 9)) {
      i = readString(i);
      keepString(f, F_SESS_S);
    } else if (c0 == 0x63 && keyIs(ks, len, K_CWD, 3)) {
      i = readString(i);
      keepString(f, F_CWD_S);
    } else if (c0 == 0x6d && keyIs(ks, len, K_MESSAGE, 7)) {
      if (getF(f, F_MESSAGE)) return FAIL;
      if (at(i) == 0x7b) {
        setF(f, F_MESSAGE, 1);
        i = parseMessage(i, f, level == 0 ? 2 : 4);
      } else i = skipValue(i, 1);
    } else if (level == 0 && c0 == 0x64 && keyIs(ks, len, K_DATA, 4)) {
      if (getF(f, F_DATA)) return FAIL;
      if (at(i) == 0x7b) {
        setF(f, F_DATA, 1);
        i = parseData(i);
      } else i = skipValue(i, 1);
    } else i = skipValue(i, 1);
    i = nextMember(i);
    if (i == CLOSED) return closedAt;
    if (i < 0) return FAIL;
  }
  return FAIL;
}

/** `data` of a progress line: `data.message` is a whole assistant entry (a sub-agent's). */
function parseData(i: i32): i32 {
  i = ws(i + 1);
  if (at(i) == 0x7d) return i + 1;
  while (true) {
    i = readKey(i);
    if (i < 0) return FAIL;
    if (byte(ks) == 0x6d && keyIs(ks, ke - ks, K_MESSAGE, 7)) {
      if (getF(INNER, F_NESTED)) return FAIL;
      if (at(i) == 0x7b) {
        setF(INNER, F_NESTED, 1);
        i = parseEntry(i, INNER, 1);
      } else i = skipValue(i, 2);
    } else i = skipValue(i, 2);
    i = nextMember(i);
    if (i == CLOSED) return closedAt;
    if (i < 0) return FAIL;
  }
  return FAIL;
}

function parseMessage(i: i32, f: i32, depth: i32): i32 {
  i = ws(i + 1);
  if (at(i) == 0x7d) return i + 1;
  while (true) {
    i = readKey(i);
    if (i < 0) return FAIL;
    const len = ke - ks;
    const c0 = byte(ks);
    if (c0 == 0x63 && at(i) == 0x5b && keyIs(ks, len, K_CONTENT, 7)) {
      // The bulk of the line: jump to its end, found from the end of the line, when that is unambiguous.
      const t = tailArrayEnd();
      if (t > i && tailDepth == depth && mayJump(i, t)) {
        i = t;
        setF(f, F_JUMPED, 1);
      } else i = skipValue(i, 2);
    } else if (c0 == 0x69 && keyIs(ks, len, K_ID, 2)) {
      i = readString(i);
      keepString(f, F_ID_S);
    } else if (c0 == 0x6d && keyIs(ks, len, K_MODEL, 5)) {
      i = readString(i);
      keepString(f, F_MODEL_S);
    } else if (c0 == 0x75 && keyIs(ks, len, K_USAGE, 5)) {
      if (getF(f, F_USAGE)) return FAIL;
      if (at(i) == 0x7b) {
        setF(f, F_USAGE, 1);
        i = parseUsage(i, f);
      } else i = skipValue(i, 2);
    } else i = skipValue(i, 2);
    i = nextMember(i);
    if (i == CLOSED) return closedAt;
    if (i < 0) return FAIL;
  }
  return FAIL;
}

function parseUsage(i: i32, f: i32): i32 {
  i = ws(i + 1);
  if (at(i) == 0x7d) return i + 1;
  while (true) {
    i = readKey(i);
    if (i < 0) return FAIL;
    const len = ke - ks;
    const c0 = byte(ks);
    if (c0 == 0x69 && keyIs(ks, len, K_INPUT, 12)) i = tokenValue(i, f, T_INPUT);
    else if (c0 == 0x6f && keyIs(ks, len, K_OUTPUT, 13)) i = tokenValue(i, f, T_OUTPUT);
    else if (c0 == 0x63 && keyIs(ks, len, K_CREATION, 27)) i = tokenValue(i, f, T_CREATION);
    else if (c0 == 0x63 && keyIs(ks, len, K_READ, 23)) i = tokenValue(i, f, T_READ);
    else if (c0 == 0x63 && keyIs(ks, len, K_CC, 14)) {
      if (getF(f, F_CC)) return FAIL;
      const c = at(i);
      if (c == 0x7b) {
        setF(f, F_CC, 1);
        i = parseCacheCreation(i, f);
      } else if (c == 0x6e) {
        i = lit(i, 0x75, 0x6c, 0x6c, -1);
      } else return FAIL; // a breakdown that is not an object: let JSON.parse decide
    } else if (c0 == 0x73 && keyIs(ks, len, K_TIER, 12)) {
      i = readString(i);
      keepString(f, F_TIER_S);
    } else if (c0 == 0x69 && keyIs(ks, len, K_GEO, 13)) {
      i = readString(i);
      keepString(f, F_GEO_S);
    } else if (c0 == 0x73 && keyIs(ks, len, K_SPEED, 5)) {
      i = readString(i);
      keepString(f, F_SPEED_S);
    } else i = skipValue(i, 3);
    i = nextMember(i);
    if (i == CLOSED) return closedAt;
    if (i < 0) return FAIL;
  }
  return FAIL;
}

function parseCacheCreation(i: i32, f: i32): i32 {
  i = ws(i + 1);
  if (at(i) == 0x7d) return i + 1;
  while (true) {
    i = readKey(i);
    if (i < 0) return FAIL;
    const len = ke - ks;
    const c0 = byte(ks);
    if (c0 == 0x65 && keyIs(ks, len, K_B5, 25)) i = tokenValue(i, f, T_B5);
    else if (c0 == 0x65 && keyIs(ks, len, K_B1, 25)) i = tokenValue(i, f, T_B1);
    else i = skipValue(i, 4);
    i = nextMember(i);
    if (i == CLOSED) return closedAt;
    if (i < 0) return FAIL;
  }
  return FAIL;
}

let tailDone: bool = false;
let tailResult: i32 = -1;
let tailDepth: i32 = 0;

function bws(i: i32): i32 {
  while (i >= lineStart) {
    const c = byte(i);
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) {
      spaced = true;
      i--;
    } else return i;
  }
  return i;
}

/** Whether `[from, to)`, the stretch the tail walk says is `message.content`, can be jumped over (extract.ts). */
function mayJump(from: i32, to: i32): bool {
  if (spaced) return false;
  const brace = i8x16.splat(0x7d);
  let k = from;
  while (k + 16 <= to) {
    let m = i8x16.bitmask(i8x16.eq(v128.load(<usize>k), brace));
    while (m != 0) {
      const p = k + <i32>ctz(m);
      if (byte(p + 1) == 0x2c && byte(p + 2) == 0x22) return false;
      m &= m - 1;
    }
    k += 16;
  }
  for (; k < to; k++) if (byte(k) == 0x7d && byte(k + 1) == 0x2c && byte(k + 2) == 0x22) return false;
  return true;
}

/** The opening quote of the string whose closing quote is at `q` (walking back), or -1. */
function bString(q: i32): i32 {
  let j = q - 1;
  while (true) {
    while (j >= lineStart && byte(j) != 0x22) j--;
    if (j < lineStart) return -1;
    let k = j - 1;
    while (k >= lineStart && byte(k) == 0x5c) k--;
    if ((j - 1 - k) % 2 == 0) return j;
    j--;
  }
  return -1;
}

@inline function isScalarByte(c: i32): bool {
  return (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x7a) || c == 0x2e || c == 0x2b || c == 0x2d || c == 0x45;
}

/** `tailArrayEnd` of extract.ts: the end of the first array value met walking back from the end of the line. */
function tailArrayEnd(): i32 {
  if (tailDone) return tailResult;
  tailDone = true;
  tailResult = -1;
  const before = spaced;
  let i = bws(end - 1);
  spaced = before;
  if (at(i) != 0x7d) return -1;
  i--;
  let depth = 1;
  for (let steps = 0; steps < 256; steps++) {
    i = bws(i);
    const c = at(i);
    if (c == 0x5d) {
      tailDepth = depth;
      tailResult = i + 1;
      return tailResult;
    }
    if (c == 0x7d) {
      depth++;
      i--;
      continue;
    }
    if (c == 0x22) {
      const s = bString(i);
      if (s < 0) return -1;
      i = s - 1;
    } else if (c != 0x7b) {
      if (c < 0 || !isScalarByte(c)) return -1;
      while (i >= lineStart && isScalarByte(byte(i))) i--;
    }
    let atBrace = c == 0x7b;
    while (true) {
      if (!atBrace) {
        i = bws(i);
        if (at(i) != 0x3a) return -1;
        i = bws(i - 1);
        if (at(i) != 0x22) return -1;
        const s = bString(i);
        if (s < 0) return -1;
        i = bws(s - 1);
        if (at(i) == 0x2c) {
          i--;
          break;
        }
        if (at(i) != 0x7b) return -1;
      }
      atBrace = false;
      depth--;
      if (depth == 0) return -1;
      i--;
    }
  }
  return -1;
}

@inline function jumpedOver(f: i32): bool {
  return getF(f, F_JUMPED) != 0 && (getF(f, F_USAGE) == 0 || getF(f, F_ID_S) < 0 || getF(f, F_MODEL_S) < 0);
}

// What `extract` computes of the entry it answers with (extract.ts reads it instead of computing it there):
// at `DONE`, i32 flags (timestamp read, key hashes made), the four key hash halves, then the timestamp (f64).
const DONE: i32 = 1536;

/** `timestamp` of extract.ts, its fast path only (`YYYY-MM-DDTHH:MM:SS[.sss]Z`): epoch ms, or NaN (JavaScript decides). */
function timestampOf(s: i32, e: i32, esc: i32): f64 {
  const n = e - s;
  if (esc != 0 || (n != 20 && n != 24)) return NaN;
  if (byte(s + 4) != 0x2d || byte(s + 7) != 0x2d || byte(s + 10) != 0x54 || byte(s + 13) != 0x3a || byte(s + 16) != 0x3a || byte(e - 1) != 0x5a) return NaN;
  if (!digits(s, 4) || !digits(s + 5, 2) || !digits(s + 8, 2) || !digits(s + 11, 2) || !digits(s + 14, 2) || !digits(s + 17, 2)) return NaN;
  let ms = 0;
  if (n == 24) {
    if (byte(s + 19) != 0x2e || !digits(s + 20, 3)) return NaN;
    ms = num(s + 20, 3);
  }
  const y = num(s, 4);
  const mo = num(s + 5, 2);
  const d = num(s + 8, 2);
  const h = num(s + 11, 2);
  const mi = num(s + 14, 2);
  const sec = num(s + 17, 2);
  if (y < 100 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59) return NaN;
  // Days from 1970-01-01 of the proleptic Gregorian date (linear in the day, so day 31 of a shorter month
  // runs into the next one, as with `Date.UTC`).
  const yy = y - (mo <= 2 ? 1 : 0);
  const era = yy / 400;
  const yoe = yy - era * 400;
  const doy = (153 * ((mo + 9) % 12) + 2) / 5 + d - 1;
  const days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
  return <f64>days * 86400000 + <f64>(h * 3600000 + mi * 60000 + sec * 1000 + ms);
}

function digits(s: i32, n: i32): bool {
  for (let j = 0; j < n; j++) {
    const c = byte(s + j);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

function num(s: i32, n: i32): i32 {
  let v = 0;
  for (let j = 0; j < n; j++) v = v * 10 + byte(s + j) - 0x30;
  return v;
}

/** Whether the string [s, e) is hashed from its bytes as they are (no escape, ASCII): extract.ts `feed`'s plain case. */
function plain(s: i32, e: i32, esc: i32): bool {
  if (esc != 0) return false;
  for (let j = s; j < e; j++) if (byte(j) >= 0x80) return false;
  return true;
}

// `KeyHasher` of src/core/local/hash.ts.
let h1: u32 = 0;
let h2: u32 = 0;
let hlen: u32 = 0;
function hashBytes(s: i32, e: i32): void {
  for (let j = s; j < e; j++) hashByte(<u32>byte(j));
}
@inline function hashByte(c: u32): void {
  h1 = (h1 ^ c) * 0x01000193;
  h2 = (h2 ^ c) * 0x5bd1e995;
  h2 ^= h2 >>> 15;
  hlen++;
}
function finish1(): u32 {
  let h = h1 ^ (h1 >>> 13);
  h *= 0xc2b2ae35;
  return h ^ (h >>> 16);
}
function finish2(): u32 {
  let h = (h2 ^ hlen) * 0x27d4eb2d;
  return h ^ (h >>> 15);
}

/** The timestamp and the key hashes of the entry in `f` (`entry` of extract.ts does the rest). */
function finishEntry(f: i32): void {
  const ts = timestampOf(getF(f, F_TS_S), getF(f, F_TS_E), getF(f, F_TS_ESC));
  store<i32>(<usize>DONE, isNaN(ts) ? 0 : 1);
  store<f64>(<usize>(DONE + 24), ts);
  const is = getF(f, F_ID_S);
  const ie = getF(f, F_ID_E);
  const rs = getF(f, F_RID_S);
  const re = getF(f, F_RID_E);
  const withRid = rs >= 0 && re > rs;
  const ok = is >= 0 && ie > is && plain(is, ie, getF(f, F_ID_ESC)) && (!withRid || plain(rs, re, getF(f, F_RID_ESC)));
  store<i32>(<usize>(DONE + 4), ok ? 1 : 0);
  if (!ok) return;
  h1 = 0x811c9dc5;
  h2 = 0x9e3779b9;
  hlen = 0;
  hashBytes(is, ie);
  const i1 = finish1();
  const i2 = finish2();
  store<u32>(<usize>(DONE + 8), i1);
  store<u32>(<usize>(DONE + 12), i2);
  if (withRid) {
    hashByte(0x00); // KEY_SEPARATOR
    hashBytes(rs, re);
    store<u32>(<usize>(DONE + 16), finish1());
    store<u32>(<usize>(DONE + 20), finish2());
  } else {
    store<u32>(<usize>(DONE + 16), i1);
    store<u32>(<usize>(DONE + 20), i2);
  }
}

/**
 * Reads the line [ls, le) of linear memory (without its newline) into the field records: `R_TOP` (an
 * assistant line: `TOP`), `R_INNER` (a progress line's nested entry: `INNER`, its line in `TOP`), `R_IGNORE`,
 * or `R_FALLBACK` (the JavaScript side reads the line with `JSON.parse`).
 */
export function extract(ls: i32, le: i32): i32 {
  lineStart = ls;
  end = le;
  tailDone = false;
  reset(TOP);
  reset(INNER);
  let i = ls;
  if (at(i) == 0xef && at(i + 1) == 0xbb && at(i + 2) == 0xbf) i += 3;
  i = ws(i);
  spaced = false; // whitespace before the line's `{` is not between tokens
  if (i >= le) return R_IGNORE;
  const after = parseEntry(i, TOP, 0);
  if (after == NOT_USAGE) return R_IGNORE;
  if (after < 0) return R_FALLBACK;
  if (ws(after) != le) return R_FALLBACK;
  if (jumpedOver(TOP) || jumpedOver(INNER)) return R_FALLBACK;
  const type = getF(TOP, F_TYPE);
  if (type == 1) {
    finishEntry(TOP);
    return R_TOP;
  }
  if (type == 2 && getF(INNER, F_NESTED) != 0 && getF(INNER, F_TYPE) == 1) {
    finishEntry(INNER);
    return R_INNER;
  }
  return R_IGNORE;
}

/**
 * FNV-1a over the bytes [at, at + len) of linear memory, from the state `h` (a chunk's result is the next
 * chunk's state): `fnv1a32` in src/core/local/hash.ts for long inputs (the index's checksums), the same values.
 */
export function fnv1a(at: i32, len: i32, h: u32): u32 {
  const end = at + len;
  for (let p = at; p < end; p++) {
    h ^= <u32>load<u8>(<usize>p);
    h *= 0x01000193;
  }
  return h;
}

/** The end of the static data (the JavaScript side checks that it stays below the field records' neighbours). */
export function dataEnd(): i32 {
  return <i32>__data_end;
}
