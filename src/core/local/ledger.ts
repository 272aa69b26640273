/**
 * The de-duplicated set of usage entries, global across files and runs (claude-code-logs.md, "Duplicates"):
 * key `message.id` + `requestId` (or `message.id` alone; none: no dedup); among copies a parent entry beats a
 * sidechain copy, then the largest token total wins, then (for a result independent of reading order) the
 * earliest timestamp and the smallest model / session / project.
 *
 * `/btw` replays: a sidechain entry whose `message.id` also belongs to a non-sidechain entry (under any
 * `requestId`) is a replay and is not counted. That is decided when reading the ledger (`isReplay`), from a
 * table of message ids that have a parent entry, so the order in which copies are discovered never matters.
 *
 * Layout: one record of 16 32-bit words per entry in a single growable ArrayBuffer (the same bytes the
 * index stores, so loading is a copy, not a decode), and open-addressing tables of 64-bit key hashes.
 */
import type { UsageLine } from './extract';

export const F_SIDECHAIN = 1;
export const F_KEYLESS = 2;
export const F_BATCH = 4;
export const F_US = 8;
export const F_DEAD = 16;
/** The kept copy came from a progress line's nested entry. */
export const F_NESTED = 32;

/** Words per entry record (64 bytes). */
export const W = 16;
export const W_K1 = 0;
export const W_K2 = 1;
export const W_I1 = 2;
export const W_I2 = 3;
/** Float64 epoch ms in words 4-5: the Float64Array index is `i * 8 + 2`. */
export const W_TS = 4;
export const W_INPUT = 6;
export const W_OUTPUT = 7;
export const W_W5 = 8;
export const W_W1 = 9;
export const W_READ = 10;
export const W_MODEL = 11;
export const W_PROJECT = 12;
export const W_SESSION = 13;
export const W_FILE = 14;
/** Flags in the low 8 bits, the number of copies read (all lines with this key) above. */
export const W_FLAGS = 15;
export const RECORD_BYTES = W * 4;
export const MAX_COPIES = 0xffffff;

/** Interned strings: id ↔ string. */
export class StringTable {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  constructor(values: string[] = []) {
    for (const v of values) this.id(v);
  }
  /** The id of a string already in the table, or undefined. */
  find(s: string): number | undefined {
    return this.ids.get(s);
  }
  id(s: string): number {
    let i = this.ids.get(s);
    if (i === undefined) {
      i = this.values.length;
      this.values.push(s);
      this.ids.set(s, i);
    }
    return i;
  }
}

/** Int32 words per hash-table slot: hash high, hash low, value. */
export const SLOT_WORDS = 3;

/** Whether `size` entries fit in `slots` slots at a load of at most three quarters. */
export const fits = (size: number, slots: number): boolean => size * 4 <= slots * 3;

/** The fewest slots a table has. */
const MIN_SLOTS = 1024;

/** Whether `n` Int32 words are a table's length: `SLOT_WORDS` per slot, a power of two of slots, at least `MIN_SLOTS`. */
export function isTableLength(n: unknown): n is number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n % SLOT_WORDS !== 0) return false;
  const slots = n / SLOT_WORDS;
  return slots >= MIN_SLOTS && (slots & (slots - 1)) === 0;
}

/** Slots (a power of two from `from` on) that hold `capacity` entries at a load of at most three quarters. */
function slotsFor(capacity: number, from: number): number {
  let n = from;
  while (!fits(capacity, n)) n *= 2;
  return n;
}

/**
 * Open-addressing table (linear probing) of 64-bit hashes with a small value per slot: one Int32Array of
 * `SLOT_WORDS` words per slot, saved and loaded as is. Value 0 means empty. The hashes are uniform, so a load
 * of up to three quarters costs a few more probes per new key than one half did (the cold scan's time did not
 * move), and the tables take 12 bytes a slot instead of 16 (hash, hash, value, unused) in a third fewer
 * slots: 16 → 6 MiB for both at 3 GiB of transcripts (bench/local/README.md).
 */
export class HashTable {
  t: Int32Array;
  mask: number;
  size = 0;
  constructor(capacity: number, table?: Int32Array, size = 0) {
    if (table) {
      this.t = table;
      this.mask = table.length / SLOT_WORDS - 1;
      this.size = size;
      return;
    }
    const n = slotsFor(capacity, MIN_SLOTS);
    this.t = new Int32Array(n * SLOT_WORDS);
    this.mask = n - 1;
  }
  /** Slot of (a, b), or of the empty slot where it would go. */
  slot(a: number, b: number): number {
    const t = this.t;
    let s = ((a ^ Math.imul(b, 0x9e3779b1)) >>> 0) & this.mask;
    for (;;) {
      const o = s * SLOT_WORDS;
      if (t[o + 2] === 0 || (t[o] === (a | 0) && t[o + 1] === (b | 0))) return s;
      s = (s + 1) & this.mask;
    }
  }
  val(s: number): number {
    return this.t[s * SLOT_WORDS + 2]!;
  }
  set(s: number, a: number, b: number, v: number): void {
    const o = s * SLOT_WORDS;
    if (this.t[o + 2] === 0) {
      this.size++;
      this.t[o] = a;
      this.t[o + 1] = b;
    }
    this.t[o + 2] = v;
    if (!fits(this.size, this.mask + 1)) this.grow();
  }
  /** Makes room for `capacity` entries in all, so that adding them does not grow the table step by step. */
  reserve(capacity: number): void {
    const n = slotsFor(capacity, this.mask + 1);
    if (n > this.mask + 1) this.rehash(n);
  }
  private grow(): void {
    this.rehash((this.mask + 1) * 2);
  }
  private rehash(n: number): void {
    const old = this.t;
    this.t = new Int32Array(n * SLOT_WORDS);
    this.mask = n - 1;
    for (let o = 0; o < old.length; o += SLOT_WORDS) {
      if (old[o + 2] === 0) continue;
      const d = this.slot(old[o]!, old[o + 1]!) * SLOT_WORDS;
      this.t[d] = old[o]!;
      this.t[d + 1] = old[o + 1]!;
      this.t[d + 2] = old[o + 2]!;
    }
  }
}

/**
 * Records to allocate for `count` entries when at least `need` must fit: an eighth more than `count` (1,024 at
 * least), so a loaded ledger that Claude Code keeps appending to grows in steps of an eighth, copying its
 * records now and then (~2 ms per 10 MiB), instead of holding a quarter more from the start and doubling
 * to twice its size when that runs out (at 3 GiB of transcripts: 9.8 MiB of records, then 19.7; now 8.9,
 * then 10). A first scan reserves what it expects at once (`reserve`).
 */
export function roomFor(count: number, need: number): number {
  return Math.max(need, count + Math.max(1024, Math.ceil(count / 8)));
}

/** Message-id states: a sidechain copy seen / a non-sidechain (parent) entry seen. */
const ID_SIDE = 1;
const ID_PARENT = 2;

export class Ledger {
  count = 0;
  words: Uint32Array;
  f64: Float64Array;
  private keys: HashTable;
  private ids: HashTable;
  readonly models: StringTable;
  readonly projects: StringTable;
  readonly sessions: StringTable;
  /** Entries changed since the last save (each once), for an append-only journal. */
  readonly changed: number[] = [];
  private aggLog = new Map<number, Uint32Array | null>();
  private aggInvalid = true;
  private aggBase = 0;
  private mark: Uint8Array;

  /** False when `fill` could not read the saved records and tables. */
  readonly filled: boolean = true;

  constructor(init?: {
    bytes?: Uint8Array;
    count: number;
    models: string[];
    projects: string[];
    sessions: string[];
    /** Saved tables: their lengths (Int32 words) and entry counts; `fill` reads records and tables in. */
    tables?: { keysLen: number; idsLen: number; keysSize: number; idsSize: number };
    fill?: (records: Uint8Array, keys: Int32Array, ids: Int32Array) => boolean;
  }) {
    this.models = new StringTable(init?.models);
    this.projects = new StringTable(init?.projects);
    this.sessions = new StringTable(init?.sessions);
    const n = init?.count ?? 0;
    const cap = roomFor(n, n);
    const ab = new ArrayBuffer(cap * RECORD_BYTES);
    if (init?.bytes) new Uint8Array(ab, 0, n * RECORD_BYTES).set(init.bytes.subarray(0, n * RECORD_BYTES));
    this.words = new Uint32Array(ab);
    this.f64 = new Float64Array(ab);
    this.mark = new Uint8Array(cap);
    this.count = n;
    const t = init?.tables;
    if (t && init.fill) {
      // Saved with the records: read in and used as they are (no rebuild).
      const keys = new Int32Array(t.keysLen);
      const ids = new Int32Array(t.idsLen);
      this.filled = init.fill(new Uint8Array(ab, 0, n * RECORD_BYTES), keys, ids);
      this.keys = new HashTable(n, keys, t.keysSize);
      this.ids = new HashTable(n, ids, t.idsSize);
    } else {
      this.keys = new HashTable(n);
      this.ids = new HashTable(n);
      for (let i = 0; i < n; i++) this.indexEntry(i);
    }
  }

  /** The key and message-id tables as they are (saved next to the records). */
  tables(): { keys: Int32Array; ids: Int32Array; keysSize: number; idsSize: number } {
    return { keys: this.keys.t, ids: this.ids.t, keysSize: this.keys.size, idsSize: this.ids.size };
  }

  /** Every table value points at an entry (or is a valid id state) and the sizes add up: a corrupt index
   *  must not mislead. */
  checkTables(): boolean {
    let n = 0;
    const k = this.keys.t;
    for (let o = 2; o < k.length; o += SLOT_WORDS) {
      const v = k[o]!;
      if (v < 0 || v > this.count) return false;
      if (v) n++;
    }
    if (n !== this.keys.size) return false;
    n = 0;
    const d = this.ids.t;
    for (let o = 2; o < d.length; o += SLOT_WORDS) {
      const v = d[o]!;
      if (v < 0 || v > ID_PARENT) return false;
      if (v) n++;
    }
    return n === this.ids.size && fits(this.keys.size, k.length / SLOT_WORDS) && fits(this.ids.size, d.length / SLOT_WORDS);
  }

  /** Puts entry `i` (as stored) into the key and id tables. */
  indexEntry(i: number): void {
    const w = this.words;
    const o = i * W;
    const flags = w[o + W_FLAGS]! & 0xff;
    if (flags & (F_KEYLESS | F_DEAD)) return;
    const ks = this.keys.slot(w[o + W_K1]!, w[o + W_K2]!);
    this.keys.set(ks, w[o + W_K1]!, w[o + W_K2]!, i + 1);
    this.noteId(w[o + W_I1]!, w[o + W_I2]!, (flags & F_SIDECHAIN) !== 0);
  }

  private noteId(a: number, b: number, sidechain: boolean): void {
    const s = this.ids.slot(a, b);
    const v = this.ids.val(s);
    const want = sidechain ? ID_SIDE : ID_PARENT;
    if (v < want) {
      // Sidechain entries already counted become replays: incremental aggregates cannot follow that.
      if (v === ID_SIDE) this.aggInvalid = true;
      this.ids.set(s, a, b, want);
    }
  }

  /** Whether a message id has a parent (non-sidechain) entry. */
  hasParent(a: number, b: number): boolean {
    return this.ids.val(this.ids.slot(a, b)) === ID_PARENT;
  }

  /**
   * Entries changed since the last `takeAggChanges`, with a copy of each one's record as it was before
   * (`null` for entries added since), so aggregates can subtract the old and add the new; `invalid` when
   * something else changed (copies became replays, entries were dropped, another process's records were
   * applied) and aggregates must be recomputed.
   */
  takeAggChanges(): { touched: Map<number, Uint32Array | null>; invalid: boolean } {
    const r = { touched: this.aggLog, invalid: this.aggInvalid };
    this.aggLog = new Map();
    this.aggInvalid = false;
    this.aggBase = this.count;
    return r;
  }

  /** A sidechain entry whose message id also has a parent (non-sidechain) entry: a `/btw` replay. */
  isReplay(i: number): boolean {
    const w = this.words;
    const o = i * W;
    const flags = w[o + W_FLAGS]!;
    if (!(flags & F_SIDECHAIN) || flags & F_KEYLESS) return false;
    return this.ids.val(this.ids.slot(w[o + W_I1]!, w[o + W_I2]!)) === ID_PARENT;
  }

  flags(i: number): number {
    return this.words[i * W + W_FLAGS]! & 0xff;
  }

  copies(i: number): number {
    return this.words[i * W + W_FLAGS]! >>> 8;
  }

  private touch(i: number): void {
    // (Once aggregates must be recomputed anyway, the old records are not needed.)
    if (!this.aggInvalid && !this.aggLog.has(i)) this.aggLog.set(i, i < this.aggBase ? this.words.slice(i * W, i * W + W) : null);
    if (this.mark[i]) return;
    this.mark[i] = 1;
    this.changed.push(i);
  }

  /** Forgets the list of changed entries (after they were saved). */
  saved(): void {
    for (const i of this.changed) this.mark[i] = 0;
    this.changed.length = 0;
  }

  /**
   * Makes room for `more` entries beyond the current ones (records and both tables), sized once instead of
   * doubling step by step while a first scan adds them (~20-30 ms of rehashing and copying at 1 GiB).
   */
  reserve(more: number): void {
    const want = this.count + more;
    if (want > this.words.length / W) this.grow(want);
    this.keys.reserve(want);
    this.ids.reserve(want);
  }

  private grow(atLeast = 0): void {
    const cap = Math.max(roomFor(this.count, this.words.length / W + 1), atLeast);
    const ab = new ArrayBuffer(cap * RECORD_BYTES);
    new Uint32Array(ab).set(this.words);
    this.words = new Uint32Array(ab);
    this.f64 = new Float64Array(ab);
    const m = new Uint8Array(cap);
    m.set(this.mark);
    this.mark = m;
  }

  /** Appends a raw record (the index's journal replay) or overwrites entry `i`. */
  putRecord(i: number, src: Uint32Array, off: number): void {
    if (!this.aggInvalid && !this.aggLog.has(i)) this.aggLog.set(i, i < this.aggBase && i < this.count ? this.words.slice(i * W, i * W + W) : null);
    while (i >= this.words.length / W) this.grow();
    const w = this.words;
    const o = i * W;
    for (let k = 0; k < W; k++) w[o + k] = src[off + k]!;
    if (i >= this.count) this.count = i + 1;
    this.indexEntry(i);
  }

  private append(): number {
    if (this.count === this.words.length / W) this.grow();
    return this.count++;
  }

  /** Adds one line (or keeps the existing better copy; either way counts the copy). Returns true when
   *  the kept entry changed. */
  add(l: UsageLine, projectId: number, fileId: number, fallbackSession: string): boolean {
    const modelId = this.models.id(l.model);
    const sessionId = this.sessions.id(l.sessionId ?? fallbackSession);
    const flags = (l.sidechain ? F_SIDECHAIN : 0) | (l.batch ? F_BATCH : 0) | (l.usInference ? F_US : 0) | (l.nested ? F_NESTED : 0);
    if (!l.keyed) {
      const i = this.append();
      this.write(i, l, modelId, projectId, sessionId, fileId, flags | F_KEYLESS, 1);
      return true;
    }
    const s = this.keys.slot(l.k1, l.k2);
    const v = this.keys.val(s);
    if (v === 0) {
      const i = this.append();
      this.write(i, l, modelId, projectId, sessionId, fileId, flags, 1);
      this.keys.set(s, l.k1, l.k2, i + 1);
      this.noteId(l.i1, l.i2, l.sidechain);
      return true;
    }
    const i = v - 1;
    const o = i * W;
    const copies = Math.min(MAX_COPIES, (this.words[o + W_FLAGS]! >>> 8) + 1);
    this.touch(i);
    if (!this.better(l, flags, modelId, projectId, sessionId, i)) {
      this.words[o + W_FLAGS] = (this.words[o + W_FLAGS]! & 0xff) | (copies << 8);
      return false;
    }
    this.write(i, l, modelId, projectId, sessionId, fileId, flags, copies);
    this.noteId(l.i1, l.i2, l.sidechain);
    return true;
  }

  private write(i: number, l: UsageLine, model: number, project: number, session: number, file: number, flags: number, copies: number): void {
    const w = this.words;
    const o = i * W;
    w[o + W_K1] = l.k1;
    w[o + W_K2] = l.k2;
    w[o + W_I1] = l.i1;
    w[o + W_I2] = l.i2;
    this.f64[i * 8 + 2] = l.ts;
    w[o + W_INPUT] = l.input;
    w[o + W_OUTPUT] = l.output;
    w[o + W_W5] = l.cacheWrite5m;
    w[o + W_W1] = l.cacheWrite1h;
    w[o + W_READ] = l.cacheRead;
    w[o + W_MODEL] = model;
    w[o + W_PROJECT] = project;
    w[o + W_SESSION] = session;
    w[o + W_FILE] = file;
    w[o + W_FLAGS] = (flags & 0xff) | (copies << 8);
    this.touch(i);
  }

  ts(i: number): number {
    return this.f64[i * 8 + 2]!;
  }

  /** Does the new copy replace entry `i`? A strict total order, so the kept copy never depends on order. */
  private better(l: UsageLine, flags: number, model: number, project: number, session: number, i: number): boolean {
    const w = this.words;
    const o = i * W;
    const old = w[o + W_FLAGS]! & 0xff;
    const oldSide = (old & F_SIDECHAIN) !== 0;
    if (l.sidechain !== oldSide) return oldSide;
    const nt = [l.input, l.output, l.cacheWrite5m, l.cacheWrite1h, l.cacheRead];
    let oldTotal = 0;
    let total = 0;
    for (let k = 0; k < 5; k++) {
      oldTotal += w[o + W_INPUT + k]!;
      total += nt[k]!;
    }
    if (total !== oldTotal) return total > oldTotal;
    const ts = this.ts(i);
    if (l.ts !== ts) return l.ts < ts;
    for (let k = 0; k < 5; k++) {
      if (nt[k] !== w[o + W_INPUT + k]) return nt[k]! > w[o + W_INPUT + k]!;
    }
    const keep = old & ~F_DEAD;
    if (flags !== keep) return flags < keep;
    for (const [n, x, tab] of [
      [model, w[o + W_MODEL]!, this.models],
      [session, w[o + W_SESSION]!, this.sessions],
      [project, w[o + W_PROJECT]!, this.projects],
    ] as const) {
      if (n !== x) {
        const ns = tab.values[n]!;
        const os = tab.values[x]!;
        if (ns !== os) return ns < os;
      }
    }
    return false;
  }

  /** Forgets entries without a key that came from `fileId` (the file was replaced and is re-read). */
  dropKeyless(fileId: number): void {
    const w = this.words;
    for (let i = 0; i < this.count; i++) {
      const o = i * W;
      const f = w[o + W_FLAGS]!;
      if (w[o + W_FILE] === fileId && f & F_KEYLESS && !(f & F_DEAD)) {
        this.aggInvalid = true;
        w[o + W_FLAGS] = f | F_DEAD;
        this.touch(i);
      }
    }
  }

  /** The raw bytes of entries [0, count). */
  bytes(): Uint8Array {
    return new Uint8Array(this.words.buffer, 0, this.count * RECORD_BYTES);
  }
}
