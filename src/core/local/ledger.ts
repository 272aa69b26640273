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
 * of state above them (the message-id table's side / parent state), and the top four bits of the key's first
 * hash word as a tag. The key itself is not stored: it is read from the entry's record when the tag matches
 * (one probe in sixteen otherwise), so a slot takes 4 bytes instead of 12 (hash, hash, value): 6.3 → 2.1 MiB
 * for both tables at 3 GiB of transcripts, in memory and in the index (bench/local/README.md).
 */
const REF_BITS = 26;
const REF_MASK = (1 << REF_BITS) - 1;
const STATE_SHIFT = REF_BITS;
const TAG_SHIFT = 28;
/** The most entries a ledger holds (one per usage entry: ~1.6 TB of transcripts at today's ~25 KB each). */
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
  readonly words: Uint32Array;
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
    const w = this.rec.words;
    const ua = a >>> 0;
    const ub = b >>> 0;
    const tag = ua >>> TAG_SHIFT;
    let s = home(a, b, this.mask);
    for (;;) {
      const v = t[s]!;
      if (v === 0) return s;
      if (v >>> TAG_SHIFT === tag) {
        const o = ((v & REF_MASK) - 1) * W + this.at;
        if (w[o] === ua && w[o + 1] === ub) return s;
      }
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
    if (!fits(this.size, this.mask + 1)) this.grow();
  }
  /** Sets the state of the occupied slot `s`. */
  setState(s: number, state: number): void {
    this.t[s] = ((this.t[s]! & ~(3 << STATE_SHIFT)) | (state << STATE_SHIFT)) >>> 0;
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
  check(count: number, excluded: number, states: readonly number[]): boolean {
    const w = this.rec.words;
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
    const old = this.t;
    const w = this.rec.words;
    const t = new Uint32Array(n);
    const mask = n - 1;
    for (let s = 0; s < old.length; s++) {
      const v = old[s]!;
      if (v === 0) continue;
      // Keys are distinct: the first empty slot from the key's home is its place.
      const o = ((v & REF_MASK) - 1) * W + this.at;
      let d = home(w[o]!, w[o + 1]!, mask);
      while (t[d] !== 0) d = (d + 1) & mask;
      t[d] = v;
    }
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
    /** Records about to be added (a journal to replay): room for them from the start, not a copy on the way. */
    more?: number;
    models: string[];
    projects: string[];
    sessions: string[];
    /** Saved tables: their lengths (slots) and entry counts; `fill` reads records and tables in. */
    tables?: { keysLen: number; idsLen: number; keysSize: number; idsSize: number };
    fill?: (records: Uint8Array, keys: Uint32Array, ids: Uint32Array) => boolean;
  }) {
    this.models = new StringTable(init?.models);
    this.projects = new StringTable(init?.projects);
    this.sessions = new StringTable(init?.sessions);
    const n = init?.count ?? 0;
    const cap = roomFor(n, n + (init?.more ?? 0));
    const ab = new ArrayBuffer(cap * RECORD_BYTES);
    if (init?.bytes) new Uint8Array(ab, 0, n * RECORD_BYTES).set(init.bytes.subarray(0, n * RECORD_BYTES));
    this.words = new Uint32Array(ab);
    this.f64 = new Float64Array(ab);
    this.mark = new Uint8Array(cap);
    this.count = n;
    const t = init?.tables;
    if (t && init.fill) {
      // Saved with the records: read in and used as they are (no rebuild).
      const keys = new Uint32Array(t.keysLen);
      const ids = new Uint32Array(t.idsLen);
      this.filled = init.fill(new Uint8Array(ab, 0, n * RECORD_BYTES), keys, ids);
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
    return this.keys.check(this.count, F_KEYLESS | F_DEAD, [0]) && this.ids.check(this.count, F_KEYLESS | F_DEAD, [ID_SIDE, ID_PARENT]);
  }

  /** Puts entry `i` (as stored) into the key and id tables. */
  indexEntry(i: number): void {
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
    const w = this.words;
    const o = i * W;
    const flags = w[o + W_FLAGS]!;
    if (!(flags & F_SIDECHAIN) || flags & F_KEYLESS) return false;
    return this.ids.state(this.ids.slot(w[o + W_I1]!, w[o + W_I2]!)) === ID_PARENT;
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
    if (this.count >= MAX_ENTRIES) throw new Error(`more than ${MAX_ENTRIES.toLocaleString('en-US')} usage entries: too many transcripts to index`);
    if (this.count === this.words.length / W) this.grow();
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
