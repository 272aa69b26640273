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
 *
 * Records read on demand: a ledger loaded from a saved index it trusts (`source`) leaves the records in the
 * file and reads a page of them (64 records, 4 KiB) the first time one of them is needed; the rest of its
 * buffer is never written, so the system never gives it memory. What a session needs is the recent entries
 * (sessions, 5-hour windows) and the ones a new line is a copy of; passes over every entry (`eachRecord`: a
 * full aggregation, the window chain, finding the recent entries, a table growing) read the pages they lack
 * into a small scratch buffer instead of keeping them. At 3 GiB of transcripts that keeps ~8 MiB of records
 * out of the extension host (bench/local/README.md). Invariant: a record is only ever written after its page
 * was read (`need`), so a page read later never overwrites a newer record.
 */
import * as fs from 'node:fs';
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

/** Records per page read on demand from a saved index (64: 4 KiB). */
const PAGE_SHIFT = 6;
const PAGE = 1 << PAGE_SHIFT;
/** Pages a pass over records it does not keep reads at once (256 KiB). */
const RUN_PAGES = 64;
/** Pages kept aside for comparing keys (128 KiB). */
const KEY_PAGES = 32;

/** Where the records of a ledger loaded on demand are: an open file (the ledger closes it) and the offset of record 0. */
export interface RecordSource {
  fd: number;
  at: number;
}

const WASM_PAGE = 65536;

/** Closes the file of a ledger dropped without `release` (a state let go on some path that did not say so). */
const unreleased = new FinalizationRegistry<number>((fd) => {
  try {
    fs.closeSync(fd);
  } catch {
    // already closed
  }
});

/**
 * Memory for `cap` records that the system hands out only where it is written. An ArrayBuffer comes from the
 * C allocator, which may take it from memory it already holds and clear all of it (then every page counts
 * from the start, read or not); a WebAssembly memory is mapped on its own and grows in place. An ordinary
 * ArrayBuffer where WebAssembly is not available.
 */
function sparseMemory(cap: number): WebAssembly.Memory | undefined {
  try {
    return new WebAssembly.Memory({ initial: Math.ceil((cap * RECORD_BYTES) / WASM_PAGE) });
  } catch {
    return undefined;
  }
}

/** The saved index could not be read back where its records are (a disk error, a file cut short). */
export class RecordReadError extends Error {}

/** A buffer of `RUN_PAGES` pages of records, with views of it as words and as doubles. */
function runBuffer(): { bytes: Uint8Array; w: Uint32Array; f: Float64Array } {
  const b = new ArrayBuffer(RUN_PAGES * PAGE * RECORD_BYTES);
  return { bytes: new Uint8Array(b), w: new Uint32Array(b), f: new Float64Array(b) };
}

/** Whether the string of id `a` sorts before that of id `b`; undefined when they are the same string. */
function textBefore(tab: StringTable, a: number, b: number): boolean | undefined {
  if (a === b) return undefined;
  const x = tab.values[a]!;
  const y = tab.values[b]!;
  return x === y ? undefined : x < y;
}

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

/**
 * A hash-table slot is one 32-bit word: the entry's index + 1 in its low `REF_BITS` bits (0: empty), two bits
 * of state above them (the message-id table's side / parent state), and the top six bits of the key's first
 * hash word as a tag. The key itself is not stored: it is read from the entry's record when the tag matches
 * (one probe in 64 otherwise), so a slot takes 4 bytes instead of 12 (hash, hash, value): 6.3 → 2.1 MiB
 * for both tables at 3 GiB of transcripts, in memory and in the index (bench/local/README.md).
 * Six bits, not four: a record not in memory is read from the index file to compare its key (ledger pages
 * read on demand), and with four bits a warm CLI run adding 836 new entries at 1 GiB (tables three fifths
 * full, ~4 occupied slots probed per new key) compared 442 keys, reading 418 pages: ~5 ms.
 */
const REF_BITS = 24;
const REF_MASK = (1 << REF_BITS) - 1;
const STATE_SHIFT = REF_BITS;
const TAG_SHIFT = 26;
/** The most entries a ledger holds (one per usage entry: ~400 GB of transcripts at today's ~25 KB each). */
export const MAX_ENTRIES = REF_MASK - 1;

/** Whether `size` entries fit in `slots` slots at a load of at most three quarters. */
export const fits = (size: number, slots: number): boolean => size * 4 <= slots * 3;

/** The fewest slots a table has. */
const MIN_SLOTS = 1024;

/** Whether `n` words are a table's length: a power of two of slots, at least `MIN_SLOTS`. */
export function isTableLength(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= MIN_SLOTS && (n & (n - 1)) === 0;
}

/** Slots (a power of two from `from` on) that hold `capacity` entries at a load of at most three quarters. */
function slotsFor(capacity: number, from: number): number {
  let n = from;
  while (!fits(capacity, n)) n *= 2;
  return n;
}

/** The slot where the key (a, b) starts its probe in a table of `mask` + 1 slots. */
const home = (a: number, b: number, mask: number): number => ((a ^ Math.imul(b, 0x9e3779b1)) >>> 0) & mask;

/** Where a table reads its keys: the records, `W` words per entry (the key's two words at the table's offset `at`). */
export interface KeyedRecords {
  /** Whether entry `i`'s words `at`, `at + 1` are (a, b) (read from the file when its record is not in memory). */
  keyIs(i: number, at: number, a: number, b: number): boolean;
  /** Every record in order (`eachRecord`). */
  eachRecord(fn: (w: Uint32Array, off: number, ts: number, i: number) => void): void;
}

/**
 * Open-addressing table (linear probing) of entries by a 64-bit key hash kept in their records (`at`: the
 * offset of the hash's two words in a record), one Uint32 word per slot (see `REF_BITS`), saved and loaded as
 * is. The hashes are uniform, so a load of up to three quarters keeps probes short.
 */
export class HashTable {
  t: Uint32Array;
  mask: number;
  size = 0;
  /**
   * Slots written since the last save (`takeWrites`), each listed once (`written` marks them): a journal batch
   * carries their words, so that a process loading the index puts them back as they are instead of finding each
   * journaled entry's place again, which compared keys of records still in the file (a page read each).
   * Undefined once the table has grown: the slots moved, and the next save writes a new base anyway (its
   * tables are larger than the base's).
   */
  private writes: number[] | undefined = [];
  private written = new Uint8Array(0);
  constructor(
    private readonly rec: KeyedRecords,
    private readonly at: number,
    capacity: number,
    table?: Uint32Array,
    size = 0,
  ) {
    if (table) {
      this.t = table;
      this.mask = table.length - 1;
      this.size = size;
      return;
    }
    const n = slotsFor(capacity, MIN_SLOTS);
    this.t = new Uint32Array(n);
    this.mask = n - 1;
  }
  /** Slot of the key (a, b), or of the empty slot where it would go. */
  slot(a: number, b: number): number {
    const t = this.t;
    const ua = a >>> 0;
    const ub = b >>> 0;
    const tag = ua >>> TAG_SHIFT;
    let s = home(a, b, this.mask);
    for (;;) {
      const v = t[s]!;
      if (v === 0) return s;
      if (v >>> TAG_SHIFT === tag && this.rec.keyIs((v & REF_MASK) - 1, this.at, ua, ub)) return s;
      s = (s + 1) & this.mask;
    }
  }
  /** The entry in slot `s` (its index + 1; 0: empty). */
  ref(s: number): number {
    return this.t[s]! & REF_MASK;
  }
  /** The two bits of state in slot `s`. */
  state(s: number): number {
    return (this.t[s]! >>> STATE_SHIFT) & 3;
  }
  /** Puts entry `i` (whose record holds the key (a, b)) into slot `s`, found by `slot(a, b)`, with `state`. */
  set(s: number, a: number, i: number, state = 0): void {
    if (this.t[s] === 0) this.size++;
    this.t[s] = (((a >>> TAG_SHIFT) << TAG_SHIFT) | (state << STATE_SHIFT) | (i + 1)) >>> 0;
    this.note(s);
    if (!fits(this.size, this.mask + 1)) this.grow();
  }
  /** Sets the state of the occupied slot `s`. */
  setState(s: number, state: number): void {
    this.t[s] = ((this.t[s]! & ~(3 << STATE_SHIFT)) | (state << STATE_SHIFT)) >>> 0;
    this.note(s);
  }
  private note(s: number): void {
    const w = this.writes;
    if (w === undefined) return;
    if (this.written.length <= s >> 3) {
      const m = new Uint8Array((this.mask + 1 + 7) >> 3);
      m.set(this.written);
      this.written = m;
    }
    if (this.written[s >> 3]! & (1 << (s & 7))) return;
    this.written[s >> 3]! |= 1 << (s & 7);
    w.push(s);
  }
  /** The slots written since the last call (undefined when the table has grown since), and forgets them. */
  takeWrites(): number[] | undefined {
    const w = this.writes;
    if (w) for (const s of w) this.written[s >> 3] = 0;
    this.writes = [];
    return w;
  }
  /**
   * Puts the slot words a journal batch recorded (`takeWrites`; pairs of slot and word, this table's where the
   * slot's top bit is `table`), in a table of the size they were written in; false when one cannot be (out of
   * range, empty, pointing past `count`, a table that would be over-full). `raised` is called when a held slot's
   * state goes up. (Not noted as written: a load or another process's batch, saved already.)
   */
  putWords(pairs: Uint32Array, table: 0 | 1, count: number, raised?: () => void): boolean {
    const t = this.t;
    for (let o = 0; o < pairs.length; o += 2) {
      const x = pairs[o]!;
      if (x >>> 31 !== table) continue;
      const s = x & 0x7fff_ffff;
      const v = pairs[o + 1]!;
      if (s > this.mask || v === 0 || (v & REF_MASK) > count) return false;
      const old = t[s]!;
      if (old === 0) {
        if (!fits(this.size + 1, this.mask + 1)) return false;
        this.size++;
      } else if (((old >>> STATE_SHIFT) & 3) < ((v >>> STATE_SHIFT) & 3)) raised?.();
      t[s] = v;
    }
    return true;
  }
  /** Makes room for `capacity` entries in all, so that adding them does not grow the table step by step. */
  reserve(capacity: number): void {
    const n = slotsFor(capacity, this.mask + 1);
    if (n > this.mask + 1) this.rehash(n);
  }
  /**
   * Every slot points at an entry below `count` that is not `excluded` (flags), whose key carries the slot's tag
   * and leads to that very slot, with a state in `states`; and `size` is the number of such slots. A corrupt
   * index must not mislead.
   */
  check(w: Uint32Array, count: number, excluded: number, states: readonly number[]): boolean {
    let n = 0;
    for (let s = 0; s <= this.mask; s++) {
      const v = this.t[s]!;
      if (v === 0) continue;
      n++;
      const ref = v & REF_MASK;
      if (ref === 0 || ref > count || !states.includes((v >>> STATE_SHIFT) & 3)) return false;
      const o = (ref - 1) * W;
      if (w[o + W_FLAGS]! & excluded) return false;
      const a = w[o + this.at]!;
      if (a >>> TAG_SHIFT !== v >>> TAG_SHIFT || this.slot(a, w[o + this.at + 1]!) !== s) return false;
    }
    return n === this.size && fits(this.size, this.mask + 1);
  }
  private grow(): void {
    this.rehash((this.mask + 1) * 2);
  }
  private rehash(n: number): void {
    this.writes = undefined;
    this.written = new Uint8Array(0);
    const old = this.t;
    const t = new Uint32Array(n);
    const mask = n - 1;
    // Slot words by entry, then the entries in record order (their keys read once, in order, also from a
    // ledger whose records are mostly still in the file).
    let refs = 0;
    for (let s = 0; s < old.length; s++) refs = Math.max(refs, old[s]! & REF_MASK);
    const slotOf = new Uint32Array(refs);
    for (let s = 0; s < old.length; s++) {
      const v = old[s]!;
      if (v !== 0) slotOf[(v & REF_MASK) - 1] = v;
    }
    const at = this.at;
    this.rec.eachRecord((w, off, _ts, i) => {
      const v = i < refs ? slotOf[i]! : 0;
      if (v === 0) return;
      // Keys are distinct: the first empty slot from the key's home is its place.
      let d = home(w[off + at]!, w[off + at + 1]!, mask);
      while (t[d] !== 0) d = (d + 1) & mask;
      t[d] = v;
    });
    this.t = t;
    this.mask = mask;
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

let serials = 0;

export class Ledger {
  /** Tells ledgers apart (a new one per load). */
  readonly serial = ++serials;
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

  /**
   * Records read on demand (see the file's comment): per page of the `source`'s records, 1 once read into
   * `words`. Pages from `pages.length` on were never in the file. null: every record is in memory.
   */
  private pages: Uint8Array | null = null;
  private source: RecordSource | null = null;
  /** The records' memory when they are read on demand (see `sparseMemory`). */
  private memory?: WebAssembly.Memory;
  /** Records the source holds. */
  private sourceCount = 0;
  /** Records of the pages a pass reads without keeping them, and which ones are there now ([runFrom, runTo)). */
  private run?: { bytes: Uint8Array; w: Uint32Array; f: Float64Array };
  private runFrom = 0;
  private runTo = 0;
  /** Passes under way (one inside another, were there any, would read into a scratch buffer of its own). */
  private passes = 0;
  /**
   * Pages read to compare a key, not kept in `words` (a page per slot, by page number modulo `KEY_PAGES`): a
   * pass over every entry asks about the message ids of sidechain copies, whose entries sit near each other.
   */
  private keyPages?: { w: Uint32Array; bytes: Uint8Array; page: Int32Array };

  constructor(init?: {
    bytes?: Uint8Array;
    count: number;
    /** Records about to be added (a journal to replay): room for them from the start, not a copy on the way. */
    more?: number;
    models: string[];
    projects: string[];
    sessions: string[];
    /** Saved tables: their lengths (slots) and entry counts; `fill` reads records (unless `source`) and tables in. */
    tables?: { keysLen: number; idsLen: number; keysSize: number; idsSize: number };
    fill?: (records: Uint8Array | null, keys: Uint32Array, ids: Uint32Array) => boolean;
    /** The `count` records stay in this file, read a page at a time when needed; the ledger closes it (`release`). */
    source?: RecordSource;
  }) {
    this.models = new StringTable(init?.models);
    this.projects = new StringTable(init?.projects);
    this.sessions = new StringTable(init?.sessions);
    const n = init?.count ?? 0;
    const cap = roomFor(n, n + (init?.more ?? 0));
    const paged = init?.source !== undefined && init.tables !== undefined && n > 0;
    if (paged) this.memory = sparseMemory(cap);
    const ab = this.memory?.buffer ?? new ArrayBuffer(cap * RECORD_BYTES);
    if (init?.bytes) new Uint8Array(ab, 0, n * RECORD_BYTES).set(init.bytes.subarray(0, n * RECORD_BYTES));
    this.words = new Uint32Array(ab, 0, cap * W);
    this.f64 = new Float64Array(ab, 0, cap * 8);
    this.mark = new Uint8Array(cap);
    this.count = n;
    const t = init?.tables;
    if (t && init.fill) {
      // Saved with the records: read in (or left in the file) and used as they are (no rebuild).
      const keys = new Uint32Array(t.keysLen);
      const ids = new Uint32Array(t.idsLen);
      if (init.source && n > 0) {
        this.source = init.source;
        unreleased.register(this, init.source.fd, this);
        this.sourceCount = n;
        this.pages = new Uint8Array((n + PAGE - 1) >> PAGE_SHIFT);
      }
      this.filled = init.fill(this.source ? null : new Uint8Array(ab, 0, n * RECORD_BYTES), keys, ids);
      this.keys = new HashTable(this, W_K1, n, keys, t.keysSize);
      this.ids = new HashTable(this, W_I1, n, ids, t.idsSize);
    } else {
      this.keys = new HashTable(this, W_K1, n);
      this.ids = new HashTable(this, W_I1, n);
      for (let i = 0; i < n; i++) this.indexEntry(i);
    }
  }

  /** Slots of the key and message-id tables together (what an index base saves of them). */
  tableSlots(): number {
    return this.keys.t.length + this.ids.t.length;
  }

  /** The key and message-id tables as they are (saved next to the records). */
  tables(): { keys: Uint32Array; ids: Uint32Array; keysSize: number; idsSize: number } {
    return { keys: this.keys.t, ids: this.ids.t, keysSize: this.keys.size, idsSize: this.ids.size };
  }

  /** Every slot of both tables points at a keyed entry that holds the slot's key and is found there, with a
   *  valid state, and the sizes add up (`HashTable.check`): a corrupt index must not mislead. */
  checkTables(): boolean {
    this.needAll();
    return this.keys.check(this.words, this.count, F_KEYLESS | F_DEAD, [0]) && this.ids.check(this.words, this.count, F_KEYLESS | F_DEAD, [ID_SIDE, ID_PARENT]);
  }

  /** Makes sure entry `i`'s record is in memory: reads its page from the file the first time. */
  need(i: number): void {
    const p = this.pages;
    if (p !== null && i >> PAGE_SHIFT < p.length && p[i >> PAGE_SHIFT] === 0) this.readPages(i >> PAGE_SHIFT, 1);
  }

  /** Every record in memory (a check of all of them, an entry dropped by file); the file is closed. */
  needAll(): void {
    const p = this.pages;
    if (p === null) return;
    for (let k = 0; k < p.length; k++) {
      if (p[k]) continue;
      const e = this.unreadRun(k);
      this.readPages(k, e - k);
      k = e - 1;
    }
    this.release();
  }

  /** Records in memory / in all (benchmarks, tests). */
  resident(): { records: number; of: number } {
    const p = this.pages;
    if (p === null) return { records: this.count, of: this.count };
    // Records of the pages still in the file (the last page of the file's records may hold fewer than PAGE).
    let unread = 0;
    for (let k = 0; k < p.length; k++) if (!p[k]) unread += Math.min(PAGE, this.sourceCount - k * PAGE);
    return { records: this.count - unread, of: this.count };
  }

  /** Closes the file records are read from (when the ledger is dropped); pages not read by then are lost. */
  release(): void {
    const src = this.source;
    this.source = null;
    this.pages = null;
    if (src) {
      unreleased.unregister(this);
      try {
        fs.closeSync(src.fd);
      } catch {
        // already closed
      }
    }
  }

  private readPages(first: number, n: number): void {
    const from = first << PAGE_SHIFT;
    const to = Math.min(this.sourceCount, (first + n) << PAGE_SHIFT);
    this.readRecords(new Uint8Array(this.words.buffer, from * RECORD_BYTES, (to - from) * RECORD_BYTES), from);
    this.pages!.fill(1, first, first + n);
  }

  /** Reads records from entry `from` on, as many as fit `into`, from the file. */
  private readRecords(into: Uint8Array, from: number): void {
    const { fd, at } = this.source!;
    const position = at + from * RECORD_BYTES;
    let done = 0;
    while (done < into.length) {
      let n: number;
      try {
        n = fs.readSync(fd, into, done, into.length - done, position + done);
      } catch (e) {
        throw new RecordReadError(e instanceof Error ? e.message : String(e));
      }
      if (n <= 0) throw new RecordReadError(`the file ends at ${position + done}, before its records do`);
      done += n;
    }
  }

  /** The end (a page index) of the run of pages still in the file from page `k` on, `RUN_PAGES` at most. */
  private unreadRun(k: number): number {
    const p = this.pages!;
    let e = k + 1;
    while (e < p.length && !p[e] && e - k < RUN_PAGES) e++;
    return e;
  }

  /**
   * Calls `fn` for every record in order, with the words it is in (`off`: its first word) and its timestamp:
   * records in memory where they are, the others read from the file a run of pages at a time into a scratch
   * buffer that is reused (they are not kept, unless `fn` returns true for one: its page is then kept, copied
   * from the scratch buffer, as `need` would read it).
   */
  eachRecord(fn: (w: Uint32Array, off: number, ts: number, i: number) => boolean | void): void {
    const outer = this.passes++ === 0;
    try {
      this.pass(fn, outer);
    } finally {
      this.passes--;
      if (outer) this.runTo = 0;
    }
  }

  private pass(fn: (w: Uint32Array, off: number, ts: number, i: number) => boolean | void, outer: boolean): void {
    const n = this.count;
    const p = this.pages;
    const w = this.words;
    const f = this.f64;
    let i = 0;
    while (i < n) {
      const k = i >> PAGE_SHIFT;
      if (p === null || k >= p.length || p[k]) {
        const end = p === null || k >= p.length ? n : Math.min(n, (k + 1) << PAGE_SHIFT);
        for (; i < end; i++) fn(w, i * W, f[i * 8 + 2]!, i);
        continue;
      }
      // A run of pages still in the file, from a page's first record (`i`) on.
      const to = Math.min(n, this.unreadRun(k) << PAGE_SHIFT);
      const run = outer ? (this.run ??= runBuffer()) : runBuffer();
      if (outer) this.runTo = 0;
      this.readRecords(run.bytes.subarray(0, (to - i) * RECORD_BYTES), i);
      const base = i;
      // Keys compared meanwhile (`keyIs`) are often of these very records.
      if (outer) [this.runFrom, this.runTo] = [base, to];
      let kept = -1;
      for (; i < to; i++) {
        if (fn(run.w, (i - base) * W, run.f[(i - base) * 8 + 2]!, i) !== true || i >> PAGE_SHIFT === kept) continue;
        kept = i >> PAGE_SHIFT;
        const from = kept << PAGE_SHIFT;
        w.set(run.w.subarray((from - base) * W, (Math.min(this.sourceCount, from + PAGE) - base) * W), from * W);
        p[kept] = 1;
      }
    }
  }

  keyIs(i: number, at: number, a: number, b: number): boolean {
    const p = this.pages;
    if (p === null || i >> PAGE_SHIFT >= p.length || p[i >> PAGE_SHIFT]) {
      const o = i * W + at;
      return this.words[o] === a && this.words[o + 1] === b;
    }
    if (i >= this.runFrom && i < this.runTo) {
      const o = (i - this.runFrom) * W + at;
      return this.run!.w[o] === a && this.run!.w[o + 1] === b;
    }
    // A key compared, not a record needed: its page is read aside, not into `words`.
    const c = (this.keyPages ??= (() => {
      const b = new ArrayBuffer(KEY_PAGES * PAGE * RECORD_BYTES);
      return { w: new Uint32Array(b), bytes: new Uint8Array(b), page: new Int32Array(KEY_PAGES).fill(-1) };
    })());
    const pg = i >> PAGE_SHIFT;
    const slot = pg % KEY_PAGES;
    if (c.page[slot] !== pg) {
      const from = pg << PAGE_SHIFT;
      const to = Math.min(this.sourceCount, from + PAGE);
      c.page[slot] = -1;
      this.readRecords(c.bytes.subarray(slot * PAGE * RECORD_BYTES, (slot * PAGE + to - from) * RECORD_BYTES), from);
      c.page[slot] = pg;
    }
    const o = (slot * PAGE + (i - (pg << PAGE_SHIFT))) * W + at;
    return c.w[o] === a && c.w[o + 1] === b;
  }

  /** Puts entry `i` (as stored) into the key and id tables. */
  indexEntry(i: number): void {
    this.need(i);
    const w = this.words;
    const o = i * W;
    const flags = w[o + W_FLAGS]! & 0xff;
    if (flags & (F_KEYLESS | F_DEAD)) return;
    const ks = this.keys.slot(w[o + W_K1]!, w[o + W_K2]!);
    this.keys.set(ks, w[o + W_K1]!, i);
    this.noteId(w[o + W_I1]!, w[o + W_I2]!, (flags & F_SIDECHAIN) !== 0, i);
  }

  /** Notes message id (a, b) of entry `i` (whose record holds it), a sidechain copy or a parent entry. */
  private noteId(a: number, b: number, sidechain: boolean, i: number): void {
    const s = this.ids.slot(a, b);
    // An empty slot's state is 0; a held one's is ID_SIDE or ID_PARENT.
    const v = this.ids.state(s);
    const want = sidechain ? ID_SIDE : ID_PARENT;
    if (v === 0) this.ids.set(s, a, i, want);
    else if (v < want) {
      // Sidechain entries already counted become replays: incremental aggregates cannot follow that.
      this.aggInvalid = true;
      this.ids.setState(s, want);
    }
  }

  /** Whether a message id has a parent (non-sidechain) entry. */
  hasParent(a: number, b: number): boolean {
    return this.ids.state(this.ids.slot(a, b)) === ID_PARENT;
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
    this.need(i);
    const w = this.words;
    const o = i * W;
    const flags = w[o + W_FLAGS]!;
    if (!(flags & F_SIDECHAIN) || flags & F_KEYLESS) return false;
    return this.ids.state(this.ids.slot(w[o + W_I1]!, w[o + W_I2]!)) === ID_PARENT;
  }

  flags(i: number): number {
    this.need(i);
    return this.words[i * W + W_FLAGS]! & 0xff;
  }

  copies(i: number): number {
    this.need(i);
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
    this.keys.takeWrites();
    this.ids.takeWrites();
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
    const m0 = new Uint8Array(cap);
    m0.set(this.mark);
    this.mark = m0;
    const mem = this.memory;
    if (mem) {
      // Grown where it is: nothing copied, pages still in the file still never written.
      try {
        const more = Math.ceil((cap * RECORD_BYTES) / WASM_PAGE) - mem.buffer.byteLength / WASM_PAGE;
        if (more > 0) mem.grow(more);
        this.words = new Uint32Array(mem.buffer, 0, cap * W);
        this.f64 = new Float64Array(mem.buffer, 0, cap * 8);
        return;
      } catch {
        this.memory = undefined; // no more address space: an ordinary buffer, copied below
      }
    }
    const ab = new ArrayBuffer(cap * RECORD_BYTES);
    const to = new Uint32Array(ab);
    // The records there are (not the free room after them, nor pages still in the file: both would be memory
    // written for nothing).
    const p = this.pages;
    const from = p === null ? 0 : p.length << PAGE_SHIFT;
    if (p !== null) for (let k = 0; k < p.length; k++) if (p[k]) to.set(this.words.subarray(k * PAGE * W, (k + 1) * PAGE * W), k * PAGE * W);
    if (this.count > from) to.set(this.words.subarray(from * W, this.count * W), from * W);
    this.words = to;
    this.f64 = new Float64Array(ab);
  }

  /**
   * A journal batch's records (`ids[k]`'s record is `recs[k * W …]`), without putting the entries into the tables
   * (the batch carries their slots, `putSlots`). A run of consecutive entries, as the new ones of a batch are, is
   * one copy: every process that loads the index does this before V8 has compiled it. False when an entry
   * lies past the ones before it and the batch (a batch that cannot be this ledger's).
   */
  putRecords(ids: Uint32Array, recs: Uint32Array): boolean {
    const n = ids.length;
    let max = -1;
    for (let k = 0; k < n; k++) if (ids[k]! > max) max = ids[k]!;
    if (max >= this.count + n) return false;
    while (max >= this.words.length / W) this.grow();
    for (let k = 0; k < n; ) {
      const i = ids[k]!;
      let e = k + 1;
      while (e < n && ids[e] === i + (e - k)) e++;
      const end = i + (e - k);
      // Pages still in the file are read first (a record is only written after its page was read).
      for (let j = i; j < end; j = ((j >> PAGE_SHIFT) + 1) << PAGE_SHIFT) this.need(j);
      if (!this.aggInvalid) {
        for (let j = i; j < end; j++) if (!this.aggLog.has(j)) this.aggLog.set(j, j < this.aggBase && j < this.count ? this.words.slice(j * W, j * W + W) : null);
      }
      this.words.set(recs.subarray(k * W, e * W), i * W);
      if (end > this.count) this.count = end;
      k = e;
    }
    return true;
  }

  /**
   * The table slots written since the last save, with their words, and the tables' lengths; undefined when a
   * table has grown since (its slots moved). For a journal batch: `putSlots` puts them back.
   */
  slotWrites(): { keysLen: number; idsLen: number; slots: Uint32Array } | undefined {
    const k = this.keys.takeWrites();
    const d = this.ids.takeWrites();
    if (!k || !d) return undefined;
    // Pairs of (slot, word); the message-id table's slots have the top bit set.
    const slots = new Uint32Array((k.length + d.length) * 2);
    let o = 0;
    for (const x of k) {
      slots[o++] = x;
      slots[o++] = this.keys.t[x]!;
    }
    for (const x of d) {
      slots[o++] = (x | 0x8000_0000) >>> 0;
      slots[o++] = this.ids.t[x]!;
    }
    return { keysLen: this.keys.t.length, idsLen: this.ids.t.length, slots };
  }

  /**
   * Puts back table slots a journal batch carries (`slotWrites`), after its records (`putRecords`); false when the
   * tables are not of the lengths they were written in, or a slot cannot be one (then the caller puts the
   * batch's entries into the tables one by one, `indexEntry`). A message id's state raised from a sidechain copy
   * to a parent entry makes the aggregates be computed again, as `noteId` does.
   */
  putSlots(keysLen: number, idsLen: number, slots: Uint32Array): boolean {
    if (keysLen !== this.keys.t.length || idsLen !== this.ids.t.length) return false;
    return this.keys.putWords(slots, 0, this.count) && this.ids.putWords(slots, 1, this.count, () => (this.aggInvalid = true));
  }

  private append(): number {
    if (this.count >= MAX_ENTRIES) throw new Error(`more than ${MAX_ENTRIES.toLocaleString('en-US')} usage entries: too many transcripts to index`);
    if (this.count === this.words.length / W) this.grow();
    // (The last page of a file's records also holds the first entries added after them.)
    this.need(this.count);
    return this.count++;
  }

  /** Adds one line (or keeps the existing better copy; either way counts the copy). Returns true when
   *  the kept entry changed. */
  add(l: UsageLine, projectId: number, fileId: number, fallbackSession: string): boolean {
    return this.addInterned(l, this.models.id(l.model), projectId, this.sessions.id(l.sessionId ?? fallbackSession), fileId);
  }

  /** `add` with the model and session already interned (`l.model` and `l.sessionId` are not read). */
  addInterned(l: UsageLine, modelId: number, projectId: number, sessionId: number, fileId: number): boolean {
    const flags = (l.sidechain ? F_SIDECHAIN : 0) | (l.batch ? F_BATCH : 0) | (l.usInference ? F_US : 0) | (l.nested ? F_NESTED : 0);
    if (!l.keyed) {
      const i = this.append();
      this.write(i, l, modelId, projectId, sessionId, fileId, flags | F_KEYLESS, 1);
      return true;
    }
    const s = this.keys.slot(l.k1, l.k2);
    const v = this.keys.ref(s);
    if (v === 0) {
      const i = this.append();
      this.write(i, l, modelId, projectId, sessionId, fileId, flags, 1);
      this.keys.set(s, l.k1, i);
      this.noteId(l.i1, l.i2, l.sidechain, i);
      return true;
    }
    const i = v - 1;
    this.need(i);
    const o = i * W;
    const copies = Math.min(MAX_COPIES, (this.words[o + W_FLAGS]! >>> 8) + 1);
    this.touch(i);
    if (!this.better(l, flags, modelId, projectId, sessionId, i)) {
      this.words[o + W_FLAGS] = (this.words[o + W_FLAGS]! & 0xff) | (copies << 8);
      return false;
    }
    this.write(i, l, modelId, projectId, sessionId, fileId, flags, copies);
    this.noteId(l.i1, l.i2, l.sidechain, i);
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
    this.need(i);
    return this.f64[i * 8 + 2]!;
  }

  /** Does the new copy replace entry `i`? A strict total order, so the kept copy never depends on order. */
  private better(l: UsageLine, flags: number, model: number, project: number, session: number, i: number): boolean {
    const w = this.words;
    const o = i * W;
    const old = w[o + W_FLAGS]! & 0xff;
    const oldSide = (old & F_SIDECHAIN) !== 0;
    if (l.sidechain !== oldSide) return oldSide;
    // (No arrays here: this runs for every repeated copy of a message, tens of thousands per first scan.)
    const total = l.input + l.output + l.cacheWrite5m + l.cacheWrite1h + l.cacheRead;
    const oldTotal = w[o + W_INPUT]! + w[o + W_OUTPUT]! + w[o + W_W5]! + w[o + W_W1]! + w[o + W_READ]!;
    if (total !== oldTotal) return total > oldTotal;
    const ts = this.ts(i);
    if (l.ts !== ts) return l.ts < ts;
    if (l.input !== w[o + W_INPUT]) return l.input > w[o + W_INPUT]!;
    if (l.output !== w[o + W_OUTPUT]) return l.output > w[o + W_OUTPUT]!;
    if (l.cacheWrite5m !== w[o + W_W5]) return l.cacheWrite5m > w[o + W_W5]!;
    if (l.cacheWrite1h !== w[o + W_W1]) return l.cacheWrite1h > w[o + W_W1]!;
    if (l.cacheRead !== w[o + W_READ]) return l.cacheRead > w[o + W_READ]!;
    const keep = old & ~F_DEAD;
    if (flags !== keep) return flags < keep;
    // Then by the strings (not the ids, which depend on the order lines were read).
    return textBefore(this.models, model, w[o + W_MODEL]!) ?? textBefore(this.sessions, session, w[o + W_SESSION]!) ?? textBefore(this.projects, project, w[o + W_PROJECT]!) ?? false;
  }

  /** Forgets entries without a key that came from `fileId` (the file was replaced and is re-read). */
  dropKeyless(fileId: number): void {
    this.needAll();
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

  /** The raw bytes of entries [0, count), in pieces (those still in the file read a run at a time), in order. */
  eachBytes(fn: (bytes: Uint8Array) => void): void {
    const p = this.pages;
    const n = this.count;
    const all = (from: number, to: number) => new Uint8Array(this.words.buffer, from * RECORD_BYTES, (to - from) * RECORD_BYTES);
    if (p === null) {
      fn(all(0, n));
      return;
    }
    let i = 0;
    while (i < n) {
      const k = i >> PAGE_SHIFT;
      if (k >= p.length) {
        fn(all(i, n));
        return;
      }
      if (p[k]) {
        let e = k + 1;
        while (e < p.length && p[e]) e++;
        const to = Math.min(n, e << PAGE_SHIFT);
        fn(all(i, to));
        i = to;
        continue;
      }
      // (Written out before the next run is read: the pass's scratch buffer serves.)
      const to = Math.min(n, this.unreadRun(k) << PAGE_SHIFT);
      const b = (this.run ??= runBuffer()).bytes.subarray(0, (to - i) * RECORD_BYTES);
      this.readRecords(b, i);
      fn(b);
      i = to;
    }
  }
}
