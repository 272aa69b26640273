/**
 * Turns the de-duplicated ledger into reports: rows per (local day, project, model), 5-hour windows with
 * burn rate and projection, sessions, the tally of usage lines not counted (replays and duplicates; the
 * reader's reasons come from the files), and the history kept from transcripts no longer on disk. Tokens are
 * summed per (group, model, price class) and each sum is priced once, exactly; the price class holds the
 * table period in force at each entry's own timestamp. An unknown model stays unpriced (`costUsd: null`),
 * never $0.
 *
 * One pass over the ledger's records with small-integer keys (no per-entry objects), so a refresh of a
 * large history costs milliseconds; prices are applied per row with exact integer arithmetic.
 */
import { Decimal } from '../decimal';
import { PriceBook, type ResolvedModel, type TokenCounts } from '../pricing';
import type { LocalSession, LocalUsageDay, LocalWindow } from '../model/snapshot';
import { F_BATCH, F_DEAD, F_KEYLESS, F_SIDECHAIN, F_US, W, W_FILE, W_FLAGS, W_I1, W_I2, W_INPUT, W_MODEL, W_PROJECT, W_SESSION, type Ledger } from './ledger';
import type { DayClock } from '../model/zones';

export const WINDOW_MS = 5 * 3_600_000;
export const BURN_MS = 30 * 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
/** Price classes per model (period * 8 + flags). */
const CLS = 256;

export interface AggregateOptions {
  clock: DayClock;
  book: PriceBook;
  /** Local days, inclusive start, exclusive end. */
  since?: string;
  until?: string;
  now: Date;
  /** Project id → display label (the transcript's `cwd`). */
  projectLabel: (id: number) => string;
  /** Compute 5-hour windows and sessions (default true; the CLI's plain day report skips them). */
  details?: boolean;
  /** Epoch ms: only sessions active and windows ending after it (the extension keeps a week of them). */
  recentSince?: number;
  /** Per file id, 1 when the file an entry was read from is gone (deleted by Claude Code's cleanup). */
  missingFiles?: Uint8Array;
  /** Day rows per project (default true); false: per (day, model), `project` ''. */
  byProject?: boolean;
  /** Local day from which day rows are per project; earlier rows are per (day, model) with `project` ''. */
  projectDetailSince?: string;
}

export interface LocalReport {
  timezone: string;
  days: LocalUsageDay[];
  windows: LocalWindow[];
  currentWindow?: LocalWindow;
  sessions: LocalSession[];
  unpricedModels: string[];
  /** Tokens of unpriced models, so they are reported instead of hidden. */
  unpricedTokens: Record<string, TokenCounts>;
  /** cacheRead / (input + cacheWrite + cacheRead) over the selected days, 0..1. */
  cacheHitShare: number;
  /** Copies not counted: sidechain replays of a parent's message (`/btw`), and other copies of counted entries. */
  replay: number;
  duplicate: number;
  /** Counted usage of the selected days whose transcript is no longer on disk (kept by the index). */
  missing: { entries: number; tokens: number; costUsd: string; unpricedTokens: number };
}

/** A saved row: [day, label, model, class, entries, input, output, 5m writes, 1h writes, reads]. */
export type SavedRow = [number, string, string, number, number, number, number, number, number, number];

/** Aggregates saved between processes (see `Aggregator.save`). */
export interface SavedAggregates {
  sig: string;
  replay: number;
  duplicate: number;
  rows: SavedRow[];
  missing: SavedRow[];
}

/** Token sums of one group, priced per (model, class); `n` entries; the cost string is cached. */
class Acc implements TokenCounts {
  input = 0;
  output = 0;
  cacheWrite5m = 0;
  cacheWrite1h = 0;
  cacheRead = 0;
  n = 0;
  cost: string | null | undefined = undefined;
  /** Changed since `report` last read it (day rows). */
  dirty = true;
  /**
   * On the first Acc of a day row's group (same day, label and model): the row `report` made from the
   * group, null when all of it was empty. Reused while no Acc of the group changes (a new one is dirty).
   */
  row: LocalUsageDay | null | undefined = undefined;
  constructor(
    readonly model: number,
    readonly cls: number,
    /** Label rank of a day row's project (0 elsewhere) and the day (day rows only). */
    readonly label = 0,
    readonly day = 0,
  ) {}
  addFrom(w: Uint32Array, off: number, sign = 1): void {
    this.input += sign * w[off + W_INPUT]!;
    this.output += sign * w[off + W_INPUT + 1]!;
    this.cacheWrite5m += sign * w[off + W_INPUT + 2]!;
    this.cacheWrite1h += sign * w[off + W_INPUT + 3]!;
    this.cacheRead += sign * w[off + W_INPUT + 4]!;
    this.n += sign;
    this.cost = undefined;
    this.dirty = true;
  }
  get tokens(): number {
    return this.input + this.output + this.cacheWrite5m + this.cacheWrite1h + this.cacheRead;
  }
}

/** Map from small integer to T, two levels deep (both keys stay small integers, fast in V8). */
class Map2<T> {
  private readonly m = new Map<number, Map<number, T>>();
  get(a: number, b: number): T | undefined {
    return this.m.get(a)?.get(b);
  }
  set(a: number, b: number, v: T): void {
    let inner = this.m.get(a);
    if (!inner) this.m.set(a, (inner = new Map()));
    inner.set(b, v);
  }
}

const SCRATCH = new ArrayBuffer(W * 4);
const SCRATCH_W = new Uint32Array(SCRATCH);
const SCRATCH_F = new Float64Array(SCRATCH);

/**
 * The day rows kept between refreshes: a refresh adds what was appended and swaps the records that changed
 * (a later, larger copy of a response) instead of going over every entry again. Anything it cannot follow
 * incrementally (other options, a new project label, a file gone, copies turned into replays, records from
 * another process) recomputes everything; the result is always what a full pass gives (tested).
 */
export class Aggregator {
  private sig = '';
  /** The ledger last aggregated (its `serial`: holding the object would keep a replaced one's records alive). */
  private ledgerSerial = -1;
  private rowAcc = new Map2<Acc>();
  private rows: Acc[] = [];
  private missingAcc = new Map<number, Acc>();
  private replay = 0;
  private duplicate = 0;
  private sorted = false;
  // Per computation: ranks and options.
  private labels: string[] = [];
  private labelOf = new Int32Array(0);
  private modelRank = new Int32Array(0);
  private noLabel = 0;
  private detailIdx = -Infinity;
  private sinceIdx = -Infinity;
  private untilIdx = Infinity;
  private nModels = 1;
  private readonly resolved: (ResolvedModel | null)[] = [];
  private missingFiles?: Uint8Array;
  private lastUtc = NaN;
  private lastOffset = 0;
  private readonly tmp: TokenCounts = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };

  /**
   * Brings the aggregates up to date with the ledger and reports. `changes`: from `takeAggChanges`.
   * `saved`: aggregates another process saved (`save()`) for the ledger as it was when `changes` started;
   * one with the same options is taken instead of going over every entry.
   */
  update(ledger: Ledger, o: AggregateOptions, changes: { touched: Map<number, Uint32Array | null>; invalid: boolean }, saved?: SavedAggregates[]): LocalReport {
    const { clock, book } = o;
    if (ledger.serial !== this.ledgerSerial) {
      // The same entries loaded again (the engine reads its new base back, records on demand): the sums
      // hold, but the recent entries are found again, which also reads their records in.
      this.ledgerSerial = ledger.serial;
      this.recentFrom = NaN;
    }
    const models = ledger.models.values;
    const labelText = ledger.projects.values.map((_, id) => (o.byProject === false ? '' : o.projectLabel(id)));
    let missingKey = 0;
    if (o.missingFiles) for (let i = 0; i < o.missingFiles.length; i++) if (o.missingFiles[i]) missingKey = (Math.imul(missingKey ^ i, 0x01000193) + i) | 0;
    const sig = JSON.stringify([o.since, o.until, o.byProject, o.projectDetailSince, clock.timeZone, models.length, labelText, missingKey, book.asOf]);
    const fromSaved = !changes.invalid && this.sig === '' ? saved?.find((x) => x.sig === sig) : undefined;
    if (fromSaved) {
      this.sig = sig;
      this.prepare(ledger, o, labelText);
      this.recentFrom = NaN;
      this.chain = undefined;
      this.restore(ledger, fromSaved);
      this.resolve(models, book);
      this.applyTouched(ledger, changes.touched, o);
    } else if (changes.invalid || sig !== this.sig) {
      this.sig = sig;
      this.prepare(ledger, o, labelText);
      this.recentFrom = NaN;
      this.chain = undefined;
      ledger.eachRecord((w, off, ts) => this.apply(ledger, w, off, ts, 1, o));
    } else {
      // Entries changed since: the recent list (below) takes those that are now recent; the window chain
      // follows appended entries.
      for (const [i, old] of changes.touched) {
        this.noteRecent(ledger, i);
        this.noteChain(ledger, i, old);
        this.changedSessions.add(ledger.words[i * W + W_SESSION]!);
        if (old) this.changedSessions.add(old[W_SESSION]!);
      }
      this.resolve(models, book);
      this.applyTouched(ledger, changes.touched, o);
    }
    return this.report(ledger, o);
  }

  /** The day rows and tallies as plain data (rows name their label and model), to be saved. */
  save(ledger: Ledger): SavedAggregates {
    const models = ledger.models.values;
    const row = (a: Acc) => [a.day, this.labels[a.label]!, models[a.model]!, a.cls, a.n, a.input, a.output, a.cacheWrite5m, a.cacheWrite1h, a.cacheRead] as SavedRow;
    return {
      sig: this.sig,
      replay: this.replay,
      duplicate: this.duplicate,
      rows: this.rows.filter((a) => a.n !== 0).map(row),
      missing: [...this.missingAcc.values()].filter((a) => a.n !== 0).map(row),
    };
  }

  private restore(ledger: Ledger, x: SavedAggregates): void {
    const labelRank = new Map(this.labels.map((l, i) => [l, i]));
    const make = (r: SavedRow, day: boolean): Acc | undefined => {
      const m = ledger.models.find(r[2]);
      const label = labelRank.get(r[1]);
      if (m === undefined || label === undefined) return undefined;
      const a = new Acc(m, r[3], day ? label : 0, day ? r[0] : 0);
      a.n = r[4];
      [a.input, a.output, a.cacheWrite5m, a.cacheWrite1h, a.cacheRead] = [r[5], r[6], r[7], r[8], r[9]];
      return a;
    };
    for (const r of x.rows) {
      const a = make(r, true);
      if (!a) continue;
      this.rowAcc.set(a.day, (a.label * this.nModels + a.model) * CLS + a.cls, a);
      this.rows.push(a);
    }
    for (const r of x.missing) {
      const a = make(r, false);
      if (a) this.missingAcc.set(a.model * CLS + a.cls, a);
    }
    this.replay = x.replay;
    this.duplicate = x.duplicate;
  }

  private prepare(ledger: Ledger, o: AggregateOptions, labelText: string[]): void {
    const models = ledger.models.values;
    this.nModels = Math.max(models.length, 1);
    // Rows group by the project's label (its cwd): two folders with one label make one row, whatever order
    // they were found in. Labels and models are ranked by their text so numeric order is display order.
    this.labels = [...new Set([...labelText, ...(o.projectDetailSince ? [''] : [])])].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const labelRank = new Map(this.labels.map((l, i) => [l, i]));
    this.labelOf = Int32Array.from(labelText, (l) => labelRank.get(l)!);
    this.noLabel = labelRank.get('') ?? 0;
    this.modelRank = new Int32Array(this.nModels);
    [...models.keys()].sort((a, b) => (models[a]! < models[b]! ? -1 : models[a]! > models[b]! ? 1 : 0)).forEach((m, r) => (this.modelRank[m] = r));
    this.resolve(models, o.book);
    this.sinceIdx = o.since ? Math.floor(Date.parse(`${o.since}T00:00:00Z`) / DAY) : -Infinity;
    this.untilIdx = o.until ? Math.floor(Date.parse(`${o.until}T00:00:00Z`) / DAY) : Infinity;
    this.detailIdx = o.projectDetailSince ? Math.floor(Date.parse(`${o.projectDetailSince}T00:00:00Z`) / DAY) : -Infinity;
    this.missingFiles = o.missingFiles;
    this.rowAcc = new Map2();
    this.rows = [];
    this.missingAcc = new Map();
    this.replay = 0;
    this.duplicate = 0;
    this.sorted = false;
    this.lastUtc = NaN;
    this.sessionCache.clear();
    this.changedSessions.clear();
  }

  /** Entries changed since the last update: each old copy (if any) taken out, the current one counted. */
  private applyTouched(ledger: Ledger, touched: Map<number, Uint32Array | null>, o: AggregateOptions): void {
    for (const [i, old] of touched) {
      if (old) {
        SCRATCH_W.set(old);
        this.apply(ledger, SCRATCH_W, 0, SCRATCH_F[2]!, -1, o);
      }
      this.apply(ledger, ledger.words, i * W, ledger.f64[i * 8 + 2]!, 1, o);
    }
  }

  /** Adds (sign 1) or removes (sign -1) one record's contribution. */
  private apply(ledger: Ledger, w: Uint32Array, off: number, ts: number, sign: number, o: AggregateOptions): void {
    const fw = w[off + W_FLAGS]!;
    const f = fw & 0xff;
    if (f & F_DEAD) return;
    const copies = fw >>> 8;
    if (f & F_SIDECHAIN && !(f & F_KEYLESS) && ledger.hasParent(w[off + W_I1]!, w[off + W_I2]!)) {
      this.replay += sign * copies;
      return;
    }
    if (!(f & F_KEYLESS)) this.duplicate += sign * (copies - 1);
    const m = w[off + W_MODEL]!;
    const k = this.classOf(w, off, ts, f, o.book);
    // The local day: the zone's offset is looked up once per UTC hour (when it is the same at both ends of
    // the hour, as DayClock itself assumes), otherwise per entry.
    const clock = o.clock;
    const utcHour = Math.floor(ts / HOUR);
    if (utcHour !== this.lastUtc) {
      this.lastUtc = utcHour;
      const o0 = clock.offset(utcHour * HOUR);
      this.lastOffset = o0 === clock.offset(utcHour * HOUR + HOUR - 1000) ? o0 : NaN;
    }
    const day = Number.isNaN(this.lastOffset) ? clock.dayIndex(ts) : Math.floor((ts + this.lastOffset) / DAY);
    if (day < this.sinceIdx || day >= this.untilIdx) return;
    const project = w[off + W_PROJECT]!;
    const label = day >= this.detailIdx ? this.labelOf[project]! : this.noLabel;
    const gid = (label * this.nModels + m) * CLS + k;
    let a = this.rowAcc.get(day, gid);
    if (!a) {
      this.rowAcc.set(day, gid, (a = new Acc(m, k, label, day)));
      this.rows.push(a);
      this.sorted = false;
    }
    a.addFrom(w, off, sign);
    if (this.missingFiles && this.missingFiles[w[off + W_FILE]!] === 1) {
      const mk = m * CLS + k;
      let ma = this.missingAcc.get(mk);
      if (!ma) this.missingAcc.set(mk, (ma = new Acc(m, k)));
      ma.addFrom(w, off, sign);
    }
  }

  /**
   * Each model's prices, filled into the same array on every update: a new array per refresh had a map of
   * its own now and then, and the optimized code reading it (`classOf`, inlined into the session and window
   * passes) was thrown away and compiled again on V8's compiler threads after each refresh.
   */
  private resolve(models: readonly string[], book: PriceBook): void {
    const r = this.resolved;
    r.length = 0;
    for (const m of models) r.push(book.resolve(m));
  }

  private classOf(w: Uint32Array, off: number, ts: number, f: number, book: PriceBook): number {
    const r = this.resolved[w[off + W_MODEL]!];
    if (!r || (r.periods.length === 1 && !r.periods[0]!.tier && !(f & (F_BATCH | F_US)))) return 0;
    const t = this.tmp;
    t.input = w[off + W_INPUT]!;
    t.output = w[off + W_INPUT + 1]!;
    t.cacheWrite5m = w[off + W_INPUT + 2]!;
    t.cacheWrite1h = w[off + W_INPUT + 3]!;
    t.cacheRead = w[off + W_INPUT + 4]!;
    return book.classify(r, ts, t, (f & F_BATCH) !== 0, (f & F_US) !== 0);
  }

  private report(ledger: Ledger, o: AggregateOptions): LocalReport {
    const { book, clock } = o;
    const models = ledger.models.values;
    if (!this.sorted) {
      const rank = this.modelRank;
      this.rows.sort((x, y) => x.day - y.day || x.label - y.label || rank[x.model]! - rank[y.model]! || x.cls - y.cls);
      this.sorted = true;
    }
    const unpriced = new Map<string, TokenCounts>();
    const days: LocalUsageDay[] = [];
    let hitRead = 0;
    let hitAll = 0;
    // One row per group of Accs with the same day, label and model (price classes merged). A group none of
    // whose Accs changed keeps the row object it had: a refresh after an append rebuilds today's rows only,
    // and the extension host's store and snapshot writer (snapshotFiles.ts) see the rest as the same objects.
    const rows = this.rows;
    for (let g = 0; g < rows.length; ) {
      const a0 = rows[g]!;
      let end = g + 1;
      let changed = a0.dirty || a0.row === undefined;
      for (; end < rows.length && rows[end]!.day === a0.day && rows[end]!.label === a0.label && rows[end]!.model === a0.model; end++) if (rows[end]!.dirty) changed = true;
      if (changed) {
        let row: LocalUsageDay | null = null;
        for (let k = g; k < end; k++) {
          const a = rows[k]!;
          a.dirty = false;
          a.row = undefined;
          if (a.n === 0) continue;
          if (a.cost === undefined) a.cost = book.costString(models[a.model]!, a, a.cls);
          const cost = a.cost;
          if (row) {
            row.input += a.input;
            row.output += a.output;
            row.cacheWrite5m += a.cacheWrite5m;
            row.cacheWrite1h += a.cacheWrite1h;
            row.cacheRead += a.cacheRead;
            row.costUsd = row.costUsd === null || cost === null ? null : Decimal.parse(row.costUsd).add(Decimal.parse(cost)).toString();
          } else {
            row = { date: clock.dayName(a.day), project: this.labels[a.label]!, model: models[a.model]!, input: a.input, output: a.output, cacheWrite5m: a.cacheWrite5m, cacheWrite1h: a.cacheWrite1h, cacheRead: a.cacheRead, costUsd: cost };
          }
        }
        a0.row = row;
      }
      if (a0.row) days.push(a0.row);
      for (; g < end; g++) {
        const a = rows[g]!;
        if (a.n === 0) continue;
        const cost = a.cost!;
        if (cost === null) {
          const u = unpriced.get(models[a.model]!) ?? { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
          u.input += a.input;
          u.output += a.output;
          u.cacheWrite5m += a.cacheWrite5m;
          u.cacheWrite1h += a.cacheWrite1h;
          u.cacheRead += a.cacheRead;
          unpriced.set(models[a.model]!, u);
        }
        hitRead += a.cacheRead;
        hitAll += a.input + a.cacheWrite5m + a.cacheWrite1h + a.cacheRead;
      }
    }

    let missingCost = Decimal.ZERO;
    let missingTokens = 0;
    let missingUnpriced = 0;
    let missingEntries = 0;
    for (const a of this.missingAcc.values()) {
      if (a.n === 0) continue;
      const c = book.costString(models[a.model]!, a, a.cls);
      missingEntries += a.n;
      missingTokens += a.tokens;
      if (c === null) missingUnpriced += a.tokens;
      else missingCost = missingCost.add(Decimal.parse(c));
    }

    // Sessions and 5-hour windows: from the entries of the recent days only (all without `recentSince`).
    const details = o.details !== false;
    const recent = o.recentSince ?? -Infinity;
    const sessions: LocalSession[] = [];
    let windows: LocalWindow[] = [];
    if (details) {
      const from = recent === -Infinity ? -Infinity : recent - 2 * DAY;
      const live = this.recentEntries(ledger, from, book);
      sessions.push(...this.sessions(ledger, live.list, o, recent, from));
      windows = fiveHourWindows(ledger, live.list, live.cls, book, o.now.getTime(), recent, undefined, this.chainOf(ledger));
    }
    const last = windows[windows.length - 1];
    return {
      timezone: clock.timeZone,
      days,
      windows,
      ...(last ? { currentWindow: last } : {}),
      sessions,
      unpricedModels: [...unpriced.keys()].sort(),
      unpricedTokens: Object.fromEntries([...unpriced.entries()].sort()),
      cacheHitShare: hitAll > 0 ? hitRead / hitAll : 0,
      replay: this.replay,
      duplicate: this.duplicate,
      missing: { entries: missingEntries, tokens: missingTokens, costUsd: missingCost.toString(), unpricedTokens: missingUnpriced },
    };
  }

  // Entries with a timestamp from `recentFrom` on (a day before the window asked for, so the list stays
  // good for a day), kept between refreshes: a refresh adds the entries that changed instead of going over
  // all of them.
  private recentFrom = NaN;
  private recentList: number[] = [];
  private recentMember = new Uint8Array(0);
  /**
   * Sessions as `sessions` last made them, by session id, with the first and last time of their entries;
   * `sessionFrom`: the `from` they were made with. A session is made again when one of its entries changed
   * (`changedSessions`, from the touched entries) or when `from` moved past its first entry.
   */
  private readonly sessionCache = new Map<number, { out: LocalSession; first: number; last: number }>();
  private sessionFrom = NaN;
  private readonly changedSessions = new Set<number>();
  /** `recentEntries`' list and price classes (by entry index). */
  private liveList = new Int32Array(0);
  private liveCls = new Uint8Array(0);
  /** Start of every 5-hour window of all counted entries (undefined: to be computed). */
  private chain?: number[];

  /** Keeps the window chain for one changed entry, or drops it when the entry could move a boundary. */
  private noteChain(ledger: Ledger, i: number, old: Uint32Array | null): void {
    const chain = this.chain;
    if (!chain) return;
    if (old) {
      SCRATCH_W.set(old);
      // A copy replaced by one at another time, or a record that stopped or started counting: recompute.
      if (SCRATCH_F[2] !== ledger.f64[i * 8 + 2] || (old[W_FLAGS]! & 0xff) !== ledger.flags(i)) this.chain = undefined;
      return;
    }
    const f = ledger.flags(i);
    const w = ledger.words;
    if (f & F_DEAD || (f & F_SIDECHAIN && !(f & F_KEYLESS) && ledger.hasParent(w[i * W + W_I1]!, w[i * W + W_I2]!))) return;
    const t = ledger.f64[i * 8 + 2]!;
    const last = chain.length ? chain[chain.length - 1]! : -Infinity;
    if (t >= last + WINDOW_MS) chain.push(Math.floor(t / HOUR) * HOUR);
    else if (t < last) {
      // Inside an earlier window it changes nothing; in a gap between windows it starts a new one.
      let lo = 0;
      let hi = chain.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (chain[mid]! <= t) lo = mid;
        else hi = mid - 1;
      }
      if (!(chain[lo]! <= t && t < chain[lo]! + WINDOW_MS)) this.chain = undefined;
    }
  }

  private chainOf(ledger: Ledger): number[] {
    if (this.chain) return this.chain;
    const ts = new Float64Array(ledger.count);
    let n = 0;
    ledger.eachRecord((w, off, t) => {
      const f = w[off + W_FLAGS]! & 0xff;
      if (f & F_DEAD || (f & F_SIDECHAIN && !(f & F_KEYLESS) && ledger.hasParent(w[off + W_I1]!, w[off + W_I2]!))) return;
      ts[n++] = t;
    });
    const sorted = ts.subarray(0, n).sort();
    const chain: number[] = [];
    let end = -Infinity;
    for (let j = 0; j < n; j++) {
      const t = sorted[j]!;
      if (t >= end) {
        const s = Math.floor(t / HOUR) * HOUR;
        chain.push(s);
        end = s + WINDOW_MS;
      }
    }
    return (this.chain = chain);
  }

  private noteRecent(ledger: Ledger, i: number): void {
    if (Number.isNaN(this.recentFrom) || ledger.f64[i * 8 + 2]! < this.recentFrom) return;
    if (i >= this.recentMember.length) {
      const m = new Uint8Array(Math.max(ledger.count, this.recentMember.length * 2));
      m.set(this.recentMember);
      this.recentMember = m;
    }
    if (this.recentMember[i]) return;
    this.recentMember[i] = 1;
    this.recentList.push(i);
  }

  /** Entries that may be from `from` on: a list kept between refreshes, or null for all of them (no `from`). */
  private recentCandidates(ledger: Ledger, from: number): number[] | null {
    if (from === -Infinity) return null;
    if (Number.isNaN(this.recentFrom) || from < this.recentFrom || from - this.recentFrom > 2 * DAY) {
      this.recentFrom = from - DAY;
      this.recentList = [];
      this.recentMember = new Uint8Array(ledger.count);
      const recentFrom = this.recentFrom;
      const member = this.recentMember;
      const list = this.recentList;
      // (Their records are kept in memory: the refreshes that follow read them again and again.)
      ledger.eachRecord((_w, _off, ts, i) => {
        if (ts < recentFrom) return false;
        member[i] = 1;
        list.push(i);
        return true;
      });
    }
    return this.recentList;
  }

  /** Counted entries with a timestamp from `from` on, with their price classes (by entry index). */
  private recentEntries(ledger: Ledger, from: number, book: PriceBook): { list: Int32Array; cls: Uint8Array; complete: boolean } {
    const w = ledger.words;
    const f64 = ledger.f64;
    // Kept between refreshes (grown by half when short): sized by the ledger, they were ~1 MB of fresh
    // memory on every refresh at 3 GiB. Only the indices in `list` are read, so old contents do no harm.
    if (this.liveList.length < ledger.count) {
      this.liveList = new Int32Array(Math.max(ledger.count, Math.ceil(this.liveList.length * 1.5)));
      this.liveCls = new Uint8Array(this.liveList.length);
    }
    const list = this.liveList;
    const cls = this.liveCls;
    let n = 0;
    // Indexed loops here and below, not `for…of`: these run once per refresh, often before V8 optimizes them,
    // and an iterator's result object per entry was megabytes of garbage per refresh in the extension host.
    const candidates = this.recentCandidates(ledger, from);
    // Every entry (the CLI, tests, a history without a 5-hour gap): all records in memory.
    if (!candidates) ledger.needAll();
    const m = candidates ? candidates.length : ledger.count;
    for (let c = 0; c < m; c++) {
      const i = candidates ? candidates[c]! : c;
      const ts = f64[i * 8 + 2]!;
      if (ts < from) continue;
      const off = i * W;
      const f = w[off + W_FLAGS]! & 0xff;
      if (f & F_DEAD || (f & F_SIDECHAIN && !(f & F_KEYLESS) && ledger.hasParent(w[off + W_I1]!, w[off + W_I2]!))) continue;
      list[n++] = i;
      cls[i] = this.classOf(w, off, ts, f, book);
    }
    return { list: list.subarray(0, n), cls, complete: from === -Infinity };
  }

  /** The sessions of the `live` entries (those from `from` on) that were active from `recent` on. */
  private sessions(ledger: Ledger, live: Int32Array, o: AggregateOptions, recent: number, from: number): LocalSession[] {
    const w = ledger.words;
    const models = ledger.models.values;
    const cache = this.sessionCache;
    // From an earlier `from` (a clock set back), entries may come back: nothing is kept.
    if (!(from >= this.sessionFrom)) cache.clear();
    this.sessionFrom = from;
    for (const sid of this.changedSessions) cache.delete(sid);
    this.changedSessions.clear();
    for (const [sid, c] of cache) if (c.first < from) cache.delete(sid);
    type S = { project: number; first: number; last: number; acc: Map<number, Acc> };
    const acc = new Map<number, S>();
    const filterDays = this.sinceIdx > -Infinity || this.untilIdx < Infinity;
    let lastSid = -1;
    let kept = false;
    let s: S | undefined;
    for (let j = 0; j < live.length; j++) {
      const i = live[j]!;
      const off = i * W;
      const sid = w[off + W_SESSION]!;
      if (sid !== lastSid) {
        lastSid = sid;
        kept = cache.has(sid);
        s = kept ? undefined : acc.get(sid);
      }
      if (kept) continue;
      const ts = ledger.f64[i * 8 + 2]!;
      if (filterDays) {
        const day = o.clock.dayIndex(ts);
        if (day < this.sinceIdx || day >= this.untilIdx) continue;
      }
      if (!s) acc.set(sid, (s = { project: w[off + W_PROJECT]!, first: ts, last: ts, acc: new Map() }));
      if (ts < s!.first) s!.first = ts;
      if (ts > s!.last) s!.last = ts;
      const m = w[off + W_MODEL]!;
      const k = this.classOf(w, off, ts, w[off + W_FLAGS]! & 0xff, o.book);
      const sk = m * CLS + k;
      let sa = s!.acc.get(sk);
      if (!sa) s!.acc.set(sk, (sa = new Acc(m, k)));
      sa.addFrom(w, off);
    }
    for (const [sid, s] of acc) {
      let tokens = 0;
      let cost: Decimal | null = null;
      const ms = new Set<string>();
      for (const a of s.acc.values()) {
        tokens += a.tokens;
        ms.add(models[a.model]!);
        const x = o.book.costString(models[a.model]!, a, a.cls);
        if (x !== null) cost = (cost ?? Decimal.ZERO).add(Decimal.parse(x));
      }
      const made: LocalSession = {
        sessionId: ledger.sessions.values[sid]!,
        project: o.projectLabel(s.project),
        first: new Date(s.first).toISOString(),
        last: new Date(s.last).toISOString(),
        tokens,
        costUsd: cost === null ? null : cost.toString(),
        models: [...ms].sort(),
      };
      cache.set(sid, { out: made, first: s.first, last: s.last });
    }
    const out: LocalSession[] = [];
    for (const c of cache.values()) if (c.last >= recent) out.push(c.out);
    return out.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));
  }
}

/** One full pass (the CLI, tests): the same as a fresh `Aggregator`. */
export function aggregate(ledger: Ledger, o: AggregateOptions): LocalReport {
  return new Aggregator().update(ledger, o, { touched: new Map(), invalid: true });
}

/**
 * 5-hour windows (claude-code-logs.md): a window starts at its first entry's time floored to the hour and
 * ends 5 hours later; the next starts at the first entry after that end. Boundaries come from the sorted
 * timestamps; each entry is then placed by binary search, so no per-entry sort of records is needed.
 * `live`: the entries that count; `cls`: their price classes (by entry index). With `since` (epoch ms),
 * only windows ending after it: the chain of windows restarts at any gap of 5 hours without entries, so it
 * is computed from the last such gap before `since - 5 h` and equals the one computed from the beginning.
 */
export function fiveHourWindows(
  ledger: Ledger,
  live: Int32Array,
  cls: Uint8Array,
  book: PriceBook,
  now: number,
  since = -Infinity,
  /** When `live` holds only recent entries: all of them, for when no gap shows where the chain restarts. */
  everything?: () => { list: Int32Array; cls: Uint8Array },
  /** The window starts of all entries, when known (kept by the Aggregator): then `live` may be recent only. */
  knownStarts?: number[],
): LocalWindow[] {
  if (knownStarts) return windowsFrom(ledger, live, cls, book, now, since, knownStarts, -Infinity);
  const all = new Float64Array(live.length);
  for (let j = 0; j < live.length; j++) all[j] = ledger.ts(live[j]!);
  all.sort();
  let from = 0;
  if (since > -Infinity) {
    let found = false;
    for (let j = all.length - 1; j > 0; j--) {
      if (all[j]! <= since - WINDOW_MS && all[j]! - all[j - 1]! >= WINDOW_MS) {
        from = j;
        found = true;
        break;
      }
    }
    if (!found && everything) {
      const e = everything();
      return fiveHourWindows(ledger, e.list, e.cls, book, now, since);
    }
  }
  const ts = all.subarray(from);
  const chainStart = ts.length ? ts[0]! : Infinity;
  const starts: number[] = [];
  let end = -Infinity;
  for (let j = 0; j < ts.length; j++) {
    const t = ts[j]!;
    if (t >= end) {
      const s = Math.floor(t / HOUR) * HOUR;
      starts.push(s);
      end = s + WINDOW_MS;
    }
  }
  return windowsFrom(ledger, live, cls, book, now, since, starts, chainStart);
}

/** The windows `starts` holds that end after `since`, with the tokens and costs of the `live` entries. */
function windowsFrom(ledger: Ledger, live: Int32Array, cls: Uint8Array, book: PriceBook, now: number, since: number, starts: number[], chainStart: number): LocalWindow[] {
  const w = ledger.words;
  // Windows that end after `since` (all of them without it).
  let first = 0;
  while (first < starts.length && starts[first]! + WINDOW_MS <= since) first++;
  const n = starts.length;
  // Sums of the windows from `first` on only (index k - first): `starts` may be every window since the
  // first transcript.
  const acc: Map<number, Acc>[] = Array.from({ length: n - first }, () => new Map());
  const burn: Map<number, Acc>[] = Array.from({ length: n - first }, () => new Map());
  const tokens = new Float64Array(n - first);
  const burnTokens = new Float64Array(n - first);
  const lowest = first < n ? starts[first]! : Infinity;
  for (let j = 0; j < live.length; j++) {
    const i = live[j]!;
    const t = ledger.ts(i);
    if (t < chainStart || t < lowest) continue;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    const x = lo - first;
    const off = i * W;
    const m = w[off + W_MODEL]!;
    const key = m * CLS + cls[i]!;
    let a = acc[x]!.get(key);
    if (!a) acc[x]!.set(key, (a = new Acc(m, cls[i]!)));
    a.addFrom(w, off);
    const sum = w[off + W_INPUT]! + w[off + W_INPUT + 1]! + w[off + W_INPUT + 2]! + w[off + W_INPUT + 3]! + w[off + W_INPUT + 4]!;
    tokens[x] = tokens[x]! + sum;
    if (t > now - BURN_MS && t <= now) {
      let b = burn[x]!.get(key);
      if (!b) burn[x]!.set(key, (b = new Acc(m, cls[i]!)));
      b.addFrom(w, off);
      burnTokens[x] = burnTokens[x]! + sum;
    }
  }
  const models = ledger.models.values;
  const price = (m: Map<number, Acc>) => {
    let d = Decimal.ZERO;
    for (const a of m.values()) {
      const c = book.costString(models[a.model]!, a, a.cls);
      if (c !== null) d = d.add(Decimal.parse(c));
    }
    return d;
  };
  const out: LocalWindow[] = [];
  for (let k = first; k < n; k++) {
    const start = starts[k]!;
    const wEnd = start + WINDOW_MS;
    const active = now >= start && now < wEnd;
    const cost = price(acc[k - first]!);
    const burnUsd = active ? price(burn[k - first]!).mulInt(HOUR / BURN_MS) : Decimal.ZERO;
    const burnTok = active ? burnTokens[k - first]! * (HOUR / BURN_MS) : 0;
    const remainingMinutes = active ? Math.max(0, Math.floor((wEnd - now) / 60_000)) : 0;
    const projected = cost.add(burnUsd.mulInt(remainingMinutes).divInt(60, 12));
    out.push({
      start: new Date(start).toISOString(),
      end: new Date(wEnd).toISOString(),
      tokens: tokens[k - first]!,
      costUsd: cost.toString(),
      burnTokensPerHour: burnTok,
      burnUsdPerHour: burnUsd.toString(),
      projectedCostUsd: projected.toString(),
      active,
    });
  }
  return out;
}
