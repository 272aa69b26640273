/**
 * Turns the de-duplicated ledger into reports: rows per (local day, project, model), 5-hour windows with
 * burn rate and projection, sessions, the tally of usage lines not counted (replays and duplicates; the
 * reader's reasons come from the files), and the history kept from transcripts no longer on disk. Tokens are
 * summed per (group, model, price class) and each sum is priced once, exactly (Decimal); the price class
 * holds the table period in force at each entry's own timestamp. An unknown model stays unpriced
 * (`costUsd: null`), never $0.
 */
import { Decimal } from '../decimal';
import { PriceBook, type TokenCounts } from '../pricing';
import { addLocalTokens } from '../reports/tokens';
import type { LocalSession, LocalUsageDay, LocalWindow } from '../store/snapshot';
import { F_BATCH, F_DEAD, F_KEYLESS, F_US, W, W_FILE, W_INPUT, W_MODEL, W_PROJECT, W_SESSION, type Ledger } from './ledger';
import type { DayClock } from './timezone';

export const WINDOW_MS = 5 * 3_600_000;
export const BURN_MS = 30 * 60_000;
const HOUR = 3_600_000;
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
  /** Whether the file an entry was read from is gone (deleted by Claude Code's cleanup). */
  fileMissing?: (fileId: number) => boolean;
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

interface Acc extends TokenCounts {
  model: number;
  cls: number;
}

function emptyAcc(model: number, cls: number): Acc {
  return { model, cls, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
}

const sumTokens = (t: TokenCounts) => t.input + t.output + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;

export function aggregate(ledger: Ledger, o: AggregateOptions): LocalReport {
  const { clock, book } = o;
  const w = ledger.words;
  const models = ledger.models.values;
  const nModels = Math.max(models.length, 1);
  // Rows group by the project's label (its cwd): two folders with one label make one row, whatever order
  // they were found in.
  const labels: string[] = [];
  const labelIds = new Map<string, number>();
  const labelOf = ledger.projects.values.map((_, id) => {
    const l = o.projectLabel(id);
    let k = labelIds.get(l);
    if (k === undefined) {
      labelIds.set(l, (k = labels.length));
      labels.push(l);
    }
    return k;
  });
  const nProjects = Math.max(labels.length, 1);
  const resolved = models.map((m) => book.resolve(m));
  const sinceIdx = o.since ? Math.floor(Date.parse(`${o.since}T00:00:00Z`) / 86_400_000) : -Infinity;
  const untilIdx = o.until ? Math.floor(Date.parse(`${o.until}T00:00:00Z`) / 86_400_000) : Infinity;

  const rowAcc = new Map<number, Acc>();
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
  const details = o.details !== false;
  let lastKey = -1;
  let lastAcc: Acc | undefined;
  for (let i = 0; i < ledger.count; i++) {
    const off = i * W;
    const f = ledger.flags(i);
    if (f & F_DEAD) continue;
    const copies = ledger.copies(i);
    if (ledger.isReplay(i)) {
      replay += copies;
      continue;
    }
    if (!(f & F_KEYLESS)) duplicate += copies - 1;
    readTokens(w, off, tmp);
    const m = w[off + W_MODEL]!;
    const ts = ledger.ts(i);
    const k = book.classify(resolved[m] ?? null, ts, tmp, (f & F_BATCH) !== 0, (f & F_US) !== 0);
    counted[nCounted++] = i;
    cls[i] = k;
    const day = clock.dayIndex(ts);
    if (day < sinceIdx || day >= untilIdx) continue;
    const project = w[off + W_PROJECT]!;
    const key = ((day * nProjects + labelOf[project]!) * nModels + m) * CLS + k;
    // Neighbouring entries (same session) usually share the row: skip the Map lookup then.
    let a = key === lastKey ? lastAcc : rowAcc.get(key);
    if (!a) rowAcc.set(key, (a = emptyAcc(m, k)));
    lastKey = key;
    lastAcc = a;
    addLocalTokens(a, tmp);
    if (o.fileMissing?.(w[off + W_FILE]!)) {
      missingEntries++;
      const mk = m * CLS + k;
      let ma = missingAcc.get(mk);
      if (!ma) missingAcc.set(mk, (ma = emptyAcc(m, k)));
      addLocalTokens(ma, tmp);
    }
    if (!details) continue;
    const sid = w[off + W_SESSION]!;
    let s = sessionAcc.get(sid);
    if (!s) sessionAcc.set(sid, (s = { project, first: ts, last: ts, acc: new Map() }));
    if (ts < s.first) s.first = ts;
    if (ts > s.last) s.last = ts;
    const sk = m * CLS + k;
    let sa = s.acc.get(sk);
    if (!sa) s.acc.set(sk, (sa = emptyAcc(m, k)));
    addLocalTokens(sa, tmp);
  }

  // Rows per (day, project, model): price each class once and add.
  const unpriced = new Map<string, TokenCounts>();
  const rows = new Map<number, { day: number; project: number; model: number; t: TokenCounts; cost: Decimal | null }>();
  let hitRead = 0;
  let hitAll = 0;
  for (const [key, a] of rowAcc) {
    const base = Math.floor(key / CLS);
    const model = base % nModels;
    const rest = Math.floor(base / nModels);
    const project = rest % nProjects;
    const day = Math.floor(rest / nProjects);
    let r = rows.get(base);
    if (!r) rows.set(base, (r = { day, project, model, t: { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }, cost: Decimal.ZERO }));
    addLocalTokens(r.t, a);
    const cost = book.cost(models[model]!, a, a.cls);
    if (cost === null) {
      r.cost = null;
      const u = unpriced.get(models[model]!) ?? { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
      addLocalTokens(u, a);
      unpriced.set(models[model]!, u);
    } else if (r.cost !== null) r.cost = r.cost.add(cost);
    hitRead += a.cacheRead;
    hitAll += a.input + a.cacheWrite5m + a.cacheWrite1h + a.cacheRead;
  }
  const days: LocalUsageDay[] = [...rows.values()]
    .map((r) => ({
      date: clock.dayName(r.day),
      project: labels[r.project]!,
      model: models[r.model]!,
      ...r.t,
      costUsd: r.cost === null ? null : r.cost.toString(),
    }))
    .sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : a.project < b.project ? -1 : a.project > b.project ? 1 : a.model < b.model ? -1 : a.model > b.model ? 1 : 0));

  const sessions: LocalSession[] = [...sessionAcc.entries()]
    .map(([sid, s]) => {
      let tokens = 0;
      let cost: Decimal | null = null;
      const ms = new Set<string>();
      for (const a of s.acc.values()) {
        tokens += sumTokens(a);
        ms.add(models[a.model]!);
        const x = book.cost(models[a.model]!, a, a.cls);
        if (x !== null) cost = (cost ?? Decimal.ZERO).add(x);
      }
      return {
        sessionId: ledger.sessions.values[sid]!,
        project: o.projectLabel(s.project),
        first: new Date(s.first).toISOString(),
        last: new Date(s.last).toISOString(),
        tokens,
        costUsd: cost === null ? null : cost.toString(),
        models: [...ms].sort(),
      };
    })
    .sort((a, b) => (a.first < b.first ? -1 : a.first > b.first ? 1 : a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0));

  let missingCost = Decimal.ZERO;
  let missingTokens = 0;
  let missingUnpriced = 0;
  for (const a of missingAcc.values()) {
    const c = book.cost(models[a.model]!, a, a.cls);
    missingTokens += sumTokens(a);
    if (c === null) missingUnpriced += sumTokens(a);
    else missingCost = missingCost.add(c);
  }

  const windows = details ? fiveHourWindows(ledger, counted.subarray(0, nCounted), cls, book, o.now.getTime()) : [];
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

/** Entry tokens (five consecutive words of a record) into `out`, reused across entries. */
function readTokens(w: Uint32Array, off: number, out: TokenCounts): void {
  const t = off + W_INPUT;
  out.input = w[t]!;
  out.output = w[t + 1]!;
  out.cacheWrite5m = w[t + 2]!;
  out.cacheWrite1h = w[t + 3]!;
  out.cacheRead = w[t + 4]!;
}

/**
 * 5-hour windows (claude-code-logs.md): a window starts at its first entry's time floored to the hour and
 * ends 5 hours later; the next starts at the first entry after that end. Boundaries come from the sorted
 * timestamps; each entry is then placed by binary search, so no per-entry sort of records is needed.
 * `live`: the entries that count; `cls`: their price classes (by entry index).
 */
export function fiveHourWindows(ledger: Ledger, live: Int32Array, cls: Uint8Array, book: PriceBook, now: number): LocalWindow[] {
  const w = ledger.words;
  const ts = new Float64Array(live.length);
  for (let j = 0; j < live.length; j++) ts[j] = ledger.ts(live[j]!);
  ts.sort();
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
  const n = starts.length;
  const acc: Map<number, Acc>[] = Array.from({ length: n }, () => new Map());
  const burn: Map<number, Acc>[] = Array.from({ length: n }, () => new Map());
  const tokens = new Float64Array(n);
  const burnTokens = new Float64Array(n);
  const tmp: TokenCounts = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 };
  for (const i of live) {
    const t = ledger.ts(i);
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= t) lo = mid;
      else hi = mid - 1;
    }
    const off = i * W;
    readTokens(w, off, tmp);
    const m = w[off + W_MODEL]!;
    const key = m * CLS + cls[i]!;
    let a = acc[lo]!.get(key);
    if (!a) acc[lo]!.set(key, (a = emptyAcc(m, cls[i]!)));
    addLocalTokens(a, tmp);
    tokens[lo] = tokens[lo]! + sumTokens(tmp);
    if (t > now - BURN_MS && t <= now) {
      let b = burn[lo]!.get(key);
      if (!b) burn[lo]!.set(key, (b = emptyAcc(m, cls[i]!)));
      addLocalTokens(b, tmp);
      burnTokens[lo] = burnTokens[lo]! + sumTokens(tmp);
    }
  }
  const models = ledger.models.values;
  const price = (m: Map<number, Acc>) => {
    let d = Decimal.ZERO;
    for (const a of m.values()) d = d.add(book.cost(models[a.model]!, a, a.cls) ?? Decimal.ZERO);
    return d;
  };
  const out: LocalWindow[] = [];
  for (let k = 0; k < n; k++) {
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
