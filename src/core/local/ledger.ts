/**
 * The de-duplicated set of usage entries, global across files and runs (claude-code-logs.md, "Duplicates"):
 * key `message.id` + `requestId` (or `message.id` alone; none: no dedup); among copies a parent entry beats a
 * sidechain replay, then the largest token total wins, then (for a result independent of reading order)
 * the earliest timestamp and the smallest model / session / project. Columnar typed arrays plus an
 * open-addressing table of 64-bit key hashes keep this compact at millions of entries.
 */
import { hashKey } from './hash';
import type { UsageLine } from './reader';

export const F_SIDECHAIN = 1;
export const F_KEYLESS = 2;
export const F_BATCH = 4;
export const F_US = 8;
export const F_DEAD = 16;

/** Interned strings: id ↔ string. */
export class StringTable {
  readonly values: string[] = [];
  private readonly ids = new Map<string, number>();
  constructor(values: string[] = []) {
    for (const v of values) this.id(v);
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

export interface LedgerColumns {
  h1: Uint32Array;
  h2: Uint32Array;
  ts: Float64Array;
  model: Uint32Array;
  project: Uint32Array;
  session: Uint32Array;
  file: Uint32Array;
  /** input, output, cacheWrite5m, cacheWrite1h, cacheRead interleaved (5 per entry). */
  tokens: Float64Array;
  flags: Uint8Array;
}

const T = 5;

export class Ledger {
  count = 0;
  cols: LedgerColumns;
  private table: Int32Array;
  private mask: number;
  private live = 0;
  readonly models: StringTable;
  readonly projects: StringTable;
  readonly sessions: StringTable;
  /** Set when the ledger changed since the last save. */
  dirty = false;

  constructor(init?: { cols: LedgerColumns; count: number; models: string[]; projects: string[]; sessions: string[] }) {
    this.models = new StringTable(init?.models);
    this.projects = new StringTable(init?.projects);
    this.sessions = new StringTable(init?.sessions);
    this.cols = init ? init.cols : allocColumns(1024);
    this.count = init?.count ?? 0;
    this.mask = 0;
    this.table = new Int32Array(0);
    this.rehash(Math.max(1024, this.count * 2));
  }

  private rehash(min: number): void {
    let size = 1024;
    while (size < min) size *= 2;
    this.table = new Int32Array(size);
    this.mask = size - 1;
    this.live = 0;
    const { h1, h2, flags } = this.cols;
    for (let i = 0; i < this.count; i++) {
      if (flags[i]! & (F_KEYLESS | F_DEAD)) continue;
      this.insertSlot(h1[i]!, h2[i]!, i);
    }
  }

  private slotOf(a: number, b: number): number {
    let s = (a ^ Math.imul(b, 0x9e3779b1)) & this.mask;
    const { h1, h2 } = this.cols;
    for (;;) {
      const v = this.table[s]!;
      if (v === 0) return s;
      const i = v - 1;
      if (h1[i] === a && h2[i] === b) return s;
      s = (s + 1) & this.mask;
    }
  }

  private insertSlot(a: number, b: number, idx: number): void {
    const s = this.slotOf(a, b);
    if (this.table[s] === 0) this.live++;
    this.table[s] = idx + 1;
  }

  private grow(): void {
    const n = this.cols.ts.length * 2;
    const c = allocColumns(n);
    const o = this.cols;
    c.h1.set(o.h1);
    c.h2.set(o.h2);
    c.ts.set(o.ts);
    c.model.set(o.model);
    c.project.set(o.project);
    c.session.set(o.session);
    c.file.set(o.file);
    c.tokens.set(o.tokens);
    c.flags.set(o.flags);
    this.cols = c;
  }

  /** Adds one line (or keeps the existing better copy). Returns true when totals changed. `hash` is the
   *  precomputed `hashKey(l.key)` (lines scanned in another thread carry only the hash). */
  add(l: UsageLine, projectId: number, fileId: number, fallbackSession: string, hash?: readonly [number, number]): boolean {
    const modelId = this.models.id(l.model);
    const sessionId = this.sessions.id(l.sessionId ?? fallbackSession);
    const flags = (l.sidechain ? F_SIDECHAIN : 0) | (l.batch ? F_BATCH : 0) | (l.usInference ? F_US : 0);
    if (l.key === undefined) {
      this.write(this.append(), 0, 0, l, modelId, projectId, sessionId, fileId, flags | F_KEYLESS);
      return true;
    }
    const [a, b] = hash ?? hashKey(l.key);
    if ((this.live + 1) * 2 > this.table.length) this.rehash(this.table.length * 2);
    const s = this.slotOf(a, b);
    const v = this.table[s]!;
    if (v === 0) {
      const idx = this.append();
      this.write(idx, a, b, l, modelId, projectId, sessionId, fileId, flags);
      this.table[s] = idx + 1;
      this.live++;
      return true;
    }
    const idx = v - 1;
    if (!this.better(l, flags, modelId, projectId, sessionId, idx)) return false;
    this.write(idx, a, b, l, modelId, projectId, sessionId, fileId, flags);
    return true;
  }

  private append(): number {
    if (this.count === this.cols.ts.length) this.grow();
    this.dirty = true;
    return this.count++;
  }

  private write(i: number, a: number, b: number, l: UsageLine, model: number, project: number, session: number, file: number, flags: number): void {
    const c = this.cols;
    c.h1[i] = a;
    c.h2[i] = b;
    c.ts[i] = l.ts;
    c.model[i] = model;
    c.project[i] = project;
    c.session[i] = session;
    c.file[i] = file;
    const t = i * T;
    c.tokens[t] = l.input;
    c.tokens[t + 1] = l.output;
    c.tokens[t + 2] = l.cacheWrite5m;
    c.tokens[t + 3] = l.cacheWrite1h;
    c.tokens[t + 4] = l.cacheRead;
    c.flags[i] = flags;
    this.dirty = true;
  }

  /** Does the new copy replace entry `i`? A strict total order, so the kept copy never depends on order. */
  private better(l: UsageLine, flags: number, model: number, project: number, session: number, i: number): boolean {
    const c = this.cols;
    const oldSide = (c.flags[i]! & F_SIDECHAIN) !== 0;
    if (l.sidechain !== oldSide) return oldSide;
    const t = i * T;
    const oldTotal = c.tokens[t]! + c.tokens[t + 1]! + c.tokens[t + 2]! + c.tokens[t + 3]! + c.tokens[t + 4]!;
    const total = l.input + l.output + l.cacheWrite5m + l.cacheWrite1h + l.cacheRead;
    if (total !== oldTotal) return total > oldTotal;
    if (l.ts !== c.ts[i]) return l.ts < c.ts[i]!;
    for (let k = 0; k < T; k++) {
      const nv = [l.input, l.output, l.cacheWrite5m, l.cacheWrite1h, l.cacheRead][k]!;
      if (nv !== c.tokens[t + k]) return nv > c.tokens[t + k]!;
    }
    const keep = c.flags[i]! & ~F_DEAD;
    if (flags !== keep) return flags < keep;
    for (const [n, o, tab] of [
      [model, c.model[i]!, this.models],
      [session, c.session[i]!, this.sessions],
      [project, c.project[i]!, this.projects],
    ] as const) {
      if (n !== o) {
        const ns = tab.values[n]!;
        const os = tab.values[o]!;
        if (ns !== os) return ns < os;
      }
    }
    return false;
  }

  /** Forgets entries without a key that came from `fileId` (the file was replaced and is re-read). */
  dropKeyless(fileId: number): void {
    const { file, flags } = this.cols;
    for (let i = 0; i < this.count; i++) {
      if (file[i] === fileId && flags[i]! & F_KEYLESS && !(flags[i]! & F_DEAD)) {
        flags[i]! |= F_DEAD;
        this.dirty = true;
      }
    }
  }

  /** Live entries as a compact copy (dead ones removed) for saving. */
  compact(): { cols: LedgerColumns; count: number } {
    const { flags } = this.cols;
    let n = 0;
    for (let i = 0; i < this.count; i++) if (!(flags[i]! & F_DEAD)) n++;
    if (n === this.count) return { cols: this.cols, count: n };
    const c = allocColumns(Math.max(n, 1));
    let j = 0;
    const o = this.cols;
    for (let i = 0; i < this.count; i++) {
      if (flags[i]! & F_DEAD) continue;
      c.h1[j] = o.h1[i]!;
      c.h2[j] = o.h2[i]!;
      c.ts[j] = o.ts[i]!;
      c.model[j] = o.model[i]!;
      c.project[j] = o.project[i]!;
      c.session[j] = o.session[i]!;
      c.file[j] = o.file[i]!;
      c.tokens.set(o.tokens.subarray(i * T, i * T + T), j * T);
      c.flags[j] = o.flags[i]!;
      j++;
    }
    return { cols: c, count: n };
  }
}

export function allocColumns(n: number): LedgerColumns {
  return {
    h1: new Uint32Array(n),
    h2: new Uint32Array(n),
    ts: new Float64Array(n),
    model: new Uint32Array(n),
    project: new Uint32Array(n),
    session: new Uint32Array(n),
    file: new Uint32Array(n),
    tokens: new Float64Array(n * T),
    flags: new Uint8Array(n),
  };
}
