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
import { PriceBook, type TokenCounts } from '../pricing';
import type { LocalSession, LocalUsageDay, LocalWindow } from '../store/snapshot';
import { F_BATCH, F_DEAD, F_KEYLESS, F_SIDECHAIN, F_US, W, W_FILE, W_FLAGS, W_INPUT, W_MODEL, W_PROJECT, W_SESSION, type Ledger } from './ledger';
import type { DayClock } from './timezone';

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

/** Token sums of one group, priced per (model, class). */
class Acc implements TokenCounts {
  input = 0;
  output = 0;
  cacheWrite5m = 0;
  cacheWrite1h = 0;
  cacheRead = 0;
  constructor(
    readonly model: number,
    readonly cls: number,
    /** Label rank of a day row's project (0 elsewhere). */
    readonly label = 0,
  ) {}
  addFrom(w: Uint32Array, off: number): void {
    this.input += w[off + W_INPUT]!;
    this.output += w[off + W_INPUT + 1]!;
    this.cacheWrite5m += w[off + W_INPUT + 2]!;
    this.cacheWrite1h += w[off + W_INPUT + 3]!;
    this.cacheRead += w[off + W_INPUT + 4]!;
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
  *values(): IterableIterator<T> {
    for (const inner of this.m.values()) yield* inner.values();
  }
}

export function aggregate(ledger: Ledger, o: AggregateOptions): LocalReport {
  const { clock, book } = o;
  const w = ledger.words;
  const models = ledger.models.values;
  const nModels = Math.max(models.length, 1);
  // Rows group by the project's label (its cwd): two folders with one label make one row, whatever order
  // they were found in. Labels and models are ranked by their text so numeric order is display order.
  const labelText = ledger.projects.values.map((_, id) => (o.byProject === false ? '' : o.projectLabel(id)));
  const missingFiles = o.missingFiles;
  const labels = [...new Set(labelText)].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const labelRank = new Map(labels.map((l, i) => [l, i]));
  const labelOf = Int32Array.from(labelText, (l) => labelRank.get(l)!);
  const modelRank = new Int32Array(nModels);
  [...models.keys()].sort((a, b) => (models[a]! < models[b]! ? -1 : models[a]! > models[b]! ? 1 : 0)).forEach((m, r) => (modelRank[m] = r));
  const resolved = models.map((m) => book.resolve(m));
  const sinceIdx = o.since ? Math.floor(Date.parse(`${o.since}T00:00:00Z`) / 86_400_000) : -Infinity;
  const untilIdx = o.until ? Math.floor(Date.parse(`${o.until}T00:00:00Z`) / 86_400_000) : Infinity;
  const details = o.details !== false;

  // Rows: (day) → (label, model, class) → token sums.
  const rowAcc = new Map2<Acc>();
  const rowDay: number[] = [];
  const rowList: Acc[] = [];
  const sessionAcc = new Map<number, { project: number; first: number; last: number; acc: Map<number, Acc> }>();
  const missingAcc = new Map<number, Acc>();
  let missingEntries = 0;
  // Entries that count (not dead, not replays), with their price class, for the windows.
  const counted = new Int32Array(ledger.count);
  const cls = new Uint8Array(ledger.count);
  let nCounted = 0;
  let replay = 0;
  let duplicate = 0;
  const tmp: TokenCounts = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
  let lastDay = NaN;
  let lastGid = -1;
  let lastAcc: Acc | undefined;
  const f64 = ledger.f64;
  let lastUtc = NaN;
  let lastOffset = 0;
  for (let i = 0; i < ledger.count; i++) {
    const off = i * W;
    const fw = w[off + W_FLAGS]!;
    const f = fw & 0xff;
    if (f & F_DEAD) continue;
    const copies = fw >>> 8;
    if (f & F_SIDECHAIN && ledger.isReplay(i)) {
      replay += copies;
      continue;
    }
    if (!(f & F_KEYLESS)) duplicate += copies - 1;
    const m = w[off + W_MODEL]!;
    const ts = f64[i * 8 + 2]!;
    const r = resolved[m];
    let k = 0;
    if (r) {
      tmp.input = w[off + W_INPUT]!;
      tmp.output = w[off + W_INPUT + 1]!;
      tmp.cacheWrite5m = w[off + W_INPUT + 2]!;
      tmp.cacheWrite1h = w[off + W_INPUT + 3]!;
      tmp.cacheRead = w[off + W_INPUT + 4]!;
      k = r.periods.length === 1 && !r.periods[0]!.tier && !(f & (F_BATCH | F_US)) ? 0 : book.classify(r, ts, tmp, (f & F_BATCH) !== 0, (f & F_US) !== 0);
    }
    counted[nCounted++] = i;
    cls[i] = k;
    // The local day: the zone's offset is looked up once per UTC hour (when it is the same at both ends of
    // the hour, as DayClock itself assumes), otherwise per entry.
    const utcHour = Math.floor(ts / HOUR);
    if (utcHour !== lastUtc) {
      lastUtc = utcHour;
      const o0 = clock.offset(utcHour * HOUR);
      lastOffset = o0 === clock.offset(utcHour * HOUR + HOUR - 1000) ? o0 : NaN;
    }
    const day = Number.isNaN(lastOffset) ? clock.dayIndex(ts) : Math.floor((ts + lastOffset) / DAY);
    if (day < sinceIdx || day >= untilIdx) continue;
    const project = w[off + W_PROJECT]!;
    const gid = (labelOf[project]! * nModels + m) * CLS + k;
    // Neighbouring entries (same session) usually share the row: skip the lookups then.
    let a = day === lastDay && gid === lastGid ? lastAcc : rowAcc.get(day, gid);
    if (!a) {
      rowAcc.set(day, gid, (a = new Acc(m, k, labelOf[project]!)));
      rowDay.push(day);
      rowList.push(a);
    }
    lastDay = day;
    lastGid = gid;
    lastAcc = a;
    a.addFrom(w, off);
    if (missingFiles && missingFiles[w[off + W_FILE]!] === 1) {
      missingEntries++;
      const mk = m * CLS + k;
      let ma = missingAcc.get(mk);
      if (!ma) missingAcc.set(mk, (ma = new Acc(m, k)));
      ma.addFrom(w, off);
    }
    if (!details) continue;
    const sid = w[off + W_SESSION]!;
    let s = sessionAcc.get(sid);
    if (!s) sessionAcc.set(sid, (s = { project, first: ts, last: ts, acc: new Map() }));
    if (ts < s.first) s.first = ts;
    if (ts > s.last) s.last = ts;
    const sk = m * CLS + k;
    let sa = s.acc.get(sk);
    if (!sa) s.acc.set(sk, (sa = new Acc(m, k)));
    sa.addFrom(w, off);
  }

  // Rows per (day, label, model): price each class once and add.
  const unpriced = new Map<string, TokenCounts>();
  interface Row {
    day: number;
    label: number;
    model: number;
    t: TokenCounts;
    cost: string | null;
    costs?: Decimal;
  }
  const rows = new Map2<Row>();
  const rowOut: Row[] = [];
  let hitRead = 0;
  let hitAll = 0;
  for (let j = 0; j < rowList.length; j++) {
    const a = rowList[j]!;
    const day = rowDay[j]!;
    const label = a.label;
    const base = label * nModels + a.model;
    let r = rows.get(day, base);
    const cost = book.costString(models[a.model]!, a, a.cls);
    if (!r) {
      rows.set(day, base, (r = { day, label, model: a.model, t: { input: a.input, output: a.output, cacheWrite5m: a.cacheWrite5m, cacheWrite1h: a.cacheWrite1h, cacheRead: a.cacheRead }, cost }));
      rowOut.push(r);
    } else {
      r.t.input += a.input;
      r.t.output += a.output;
      r.t.cacheWrite5m += a.cacheWrite5m;
      r.t.cacheWrite1h += a.cacheWrite1h;
      r.t.cacheRead += a.cacheRead;
      r.cost = r.cost === null || cost === null ? null : Decimal.parse(r.cost).add(Decimal.parse(cost)).toString();
    }
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
  rowOut.sort((x, y) => x.day - y.day || x.label - y.label || modelRank[x.model]! - modelRank[y.model]!);
  const days: LocalUsageDay[] = rowOut.map((r) => ({ date: clock.dayName(r.day), project: labels[r.label]!, model: models[r.model]!, ...r.t, costUsd: r.cost }));

  const recent = o.recentSince ?? -Infinity;
  const sessions: LocalSession[] = [];
  for (const [sid, s] of sessionAcc) {
    if (s.last < recent) continue;
    let tokens = 0;
    let cost: Decimal | null = null;
    const ms = new Set<string>();
    for (const a of s.acc.values()) {
      tokens += a.tokens;
      ms.add(models[a.model]!);
      const x = book.costString(models[a.model]!, a, a.cls);
      if (x !== null) cost = (cost ?? Decimal.ZERO).add(Decimal.parse(x));
    }
    sessions.push({
      sessionId: ledger.sessions.values[sid]!,
      project: o.projectLabel(s.project),
      first: new Date(s.first).toISOString(),
      last: new Date(s.last).toISOString(),
      tokens,
      costUsd: cost === null ? null : cost.toString(),
      models: [...ms].sort(),
    });
  }
  sessions.sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));

  let missingCost = Decimal.ZERO;
  let missingTokens = 0;
  let missingUnpriced = 0;
  for (const a of missingAcc.values()) {
    const c = book.costString(models[a.model]!, a, a.cls);
    missingTokens += a.tokens;
    if (c === null) missingUnpriced += a.tokens;
    else missingCost = missingCost.add(Decimal.parse(c));
  }

  const windows = details ? fiveHourWindows(ledger, counted.subarray(0, nCounted), cls, book, o.now.getTime(), recent) : [];
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
    replay,
    duplicate,
    missing: { entries: missingEntries, tokens: missingTokens, costUsd: missingCost.toString(), unpricedTokens: missingUnpriced },
  };
}

/**
 * 5-hour windows (claude-code-logs.md): a window starts at its first entry's time floored to the hour and
 * ends 5 hours later; the next starts at the first entry after that end. Boundaries come from the sorted
 * timestamps; each entry is then placed by binary search, so no per-entry sort of records is needed.
 * `live`: the entries that count; `cls`: their price classes (by entry index). With `since` (epoch ms),
 * only windows ending after it: the chain of windows restarts at any gap of 5 hours without entries, so it
 * is computed from the last such gap before `since - 5 h` and equals the one computed from the beginning.
 */
export function fiveHourWindows(ledger: Ledger, live: Int32Array, cls: Uint8Array, book: PriceBook, now: number, since = -Infinity): LocalWindow[] {
  const w = ledger.words;
  const all = new Float64Array(live.length);
  for (let j = 0; j < live.length; j++) all[j] = ledger.ts(live[j]!);
  all.sort();
  let from = 0;
  if (since > -Infinity) {
    for (let j = all.length - 1; j > 0; j--) {
      if (all[j]! <= since - WINDOW_MS && all[j]! - all[j - 1]! >= WINDOW_MS) {
        from = j;
        break;
      }
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
  // Windows that end after `since` (all of them without it).
  let first = 0;
  while (first < starts.length && starts[first]! + WINDOW_MS <= since) first++;
  const n = starts.length;
  const acc: Map<number, Acc>[] = Array.from({ length: n }, () => new Map());
  const burn: Map<number, Acc>[] = Array.from({ length: n }, () => new Map());
  const tokens = new Float64Array(n);
  const burnTokens = new Float64Array(n);
  const lowest = first < n ? starts[first]! : Infinity;
  for (const i of live) {
    const t = ledger.ts(i);
    if (t < chainStart || t < lowest) continue;
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    const off = i * W;
    const m = w[off + W_MODEL]!;
    const key = m * CLS + cls[i]!;
    let a = acc[lo]!.get(key);
    if (!a) acc[lo]!.set(key, (a = new Acc(m, cls[i]!)));
    a.addFrom(w, off);
    const sum = w[off + W_INPUT]! + w[off + W_INPUT + 1]! + w[off + W_INPUT + 2]! + w[off + W_INPUT + 3]! + w[off + W_INPUT + 4]!;
    tokens[lo] = tokens[lo]! + sum;
    if (t > now - BURN_MS && t <= now) {
      let b = burn[lo]!.get(key);
      if (!b) burn[lo]!.set(key, (b = new Acc(m, cls[i]!)));
      b.addFrom(w, off);
      burnTokens[lo] = burnTokens[lo]! + sum;
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
    const cost = price(acc[k]!);
    const burnUsd = active ? price(burn[k]!).mulInt(HOUR / BURN_MS) : Decimal.ZERO;
    const burnTok = active ? burnTokens[k]! * (HOUR / BURN_MS) : 0;
    const remainingMinutes = active ? Math.max(0, Math.floor((wEnd - now) / 60_000)) : 0;
    const projected = cost.add(burnUsd.mulInt(remainingMinutes).divInt(60, 12));
    out.push({
      start: new Date(start).toISOString(),
      end: new Date(wEnd).toISOString(),
      tokens: tokens[k]!,
      costUsd: cost.toString(),
      burnTokensPerHour: burnTok,
      burnUsdPerHour: burnUsd.toString(),
      projectedCostUsd: projected.toString(),
      active,
    });
  }
  return out;
}
