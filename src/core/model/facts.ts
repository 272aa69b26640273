/**
 * The facts every surface shows, each computed here and nowhere else: a day's cost, month to date and the
 * month-end projection, this machine's estimate for a day, rate-limit headroom and the tightest families,
 * and what an error means and which action fixes it. The status bar, its tooltip, the trees, the dashboard
 * and the CLI call these, so one fact has one value everywhere.
 */
import { needsUser, type ApiErrorInit } from '../anthropic/errors';
import type { RateLimitSnapshot } from '../anthropic/types';
import { Decimal } from '../decimal';
import type { ActionName } from './commands';
import { addDays, DAY_MS, dayStartMs, daysInMonth, HOUR_MS, monthOf, monthStart, utcDay } from './days';
import { plural, usdEstimate } from './format';
import { RATE_FAMILIES, type RateFamilyKey } from './labels';
import type { CostRow, LocalUsageData, LocalUsageDay, SourceName, StoreSnapshot } from './snapshot';
import { nextPlanChange, type PlanSettings } from '../plan/facts';
import { dayInZone, dayStartInZone, tomorrowStart } from './zones';

// ---------------------------------------------------------------------------------------------------
// Organization cost (Cost Report; UTC days)

function amount(s: string): Decimal {
  return Decimal.tryParse(s) ?? Decimal.ZERO;
}

/** Exact sum of cost rows. */
export function sumRows(rows: readonly CostRow[]): Decimal {
  let acc = Decimal.ZERO;
  for (const r of rows) acc = acc.add(amount(r.amountUsd));
  return acc;
}

/** Exact cost of the UTC days `since` through `until` (inclusive). */
export function costBetween(rows: readonly CostRow[], since: string, until: string): Decimal {
  let acc = Decimal.ZERO;
  for (const r of rows) if (r.date >= since && r.date <= until) acc = acc.add(amount(r.amountUsd));
  return acc;
}

/** Exact cost of one UTC day. */
export function costOfDay(rows: readonly CostRow[], day: string): Decimal {
  return costBetween(rows, day, day);
}

export interface MonthToDate {
  /** `YYYY-MM` (UTC). */
  month: string;
  /** Exact month-to-date cost. */
  total: Decimal;
  /** Month-end projection (an estimate; see PROJECTION_METHOD), rounded to 1e-6 USD. */
  projected: Decimal;
  /** Time elapsed in the month, in days (at least 1). */
  elapsedDays: number;
  daysInMonth: number;
}

/** How the month-end projection is made, said the same way wherever the projection is shown. */
export const PROJECTION_METHOD =
  'Month-end projection (estimate) = month-to-date cost ÷ time elapsed in the month (UTC, counted as at least one day) × days in the month.';
export const PROJECTION_LABEL = 'month-end projection (estimate)';
/** The same rule for any period (budgets): a day's first hour counts as a whole hour. */
export const PERIOD_PROJECTION_METHOD =
  'Projection (estimate) = spent so far ÷ time elapsed in the period (counted as at least one day for a month, one hour for a day) × the length of the period; at that pace a budget is reached when the line crosses it.';

// ---------------------------------------------------------------------------------------------------
// Periods: a calendar day or month in a time zone (UTC for the organization's cost, whose days are UTC;
// the configured local zone for this machine's estimate), and the one linear projection over them.

export type PeriodKind = 'day' | 'month';

export interface Period {
  kind: PeriodKind;
  /** IANA zone the period's days are counted in (`UTC` for the Cost Report). */
  zone: string;
  /** `YYYY-MM-DD` for a day, `YYYY-MM` for a month: names the period (alert records key on it). */
  key: string;
  /** First and last day of the period, inclusive (`YYYY-MM-DD` in `zone`). */
  first: string;
  last: string;
  /** The day `now` falls on (`first`..`last`). */
  today: string;
  /** Epoch ms of the period's first instant and of the next period's first instant (DST-aware). */
  startMs: number;
  endMs: number;
}

/** The day or month (in `zone`, default UTC) holding `nowMs`. */
export function periodAt(kind: PeriodKind, nowMs: number, zone = 'UTC'): Period {
  const today = dayInZone(nowMs, zone);
  const first = kind === 'day' ? today : monthStart(today);
  const last = kind === 'day' ? today : addDays(first, daysInMonth(today) - 1);
  const next = addDays(last, 1);
  const utc = zone === 'UTC';
  return {
    kind,
    zone,
    key: kind === 'day' ? today : monthOf(today),
    first,
    last,
    today,
    startMs: utc ? dayStartMs(first) : dayStartInZone(first, zone),
    endMs: utc ? dayStartMs(next) : dayStartInZone(next, zone),
  };
}

export interface PeriodToDate {
  period: Period;
  /** Exact cost so far. */
  total: Decimal;
  /** Period-end projection (estimate), to 1e-6 USD. */
  projected: Decimal;
  /** Time elapsed in the period in days, at least the period's minimum (one day for a month, one hour for a day). */
  elapsedDays: number;
  /** The period's length in days (23/24 or 25/24 for a local day with a DST change). */
  lengthDays: number;
}

/** The minimum elapsed time a projection assumes, so a period's first moments are not extrapolated wildly. */
function minElapsedMs(kind: PeriodKind): number {
  return kind === 'month' ? DAY_MS : HOUR_MS;
}

/** `total` spent in `period` by `nowMs`, and its linear projection to the period's end. */
export function periodToDate(total: Decimal, period: Period, nowMs: number): PeriodToDate {
  const elapsed = Math.min(period.endMs - period.startMs, Math.max(minElapsedMs(period.kind), nowMs - period.startMs)) / DAY_MS;
  const length = (period.endMs - period.startMs) / DAY_MS;
  return { period, total, projected: projectLinear(total, elapsed, length), elapsedDays: elapsed, lengthDays: length };
}

/**
 * When `amount` is reached at the pace of `ptd` (the same straight line as the projection), as epoch ms
 * rounded down to the minute; `null` when nothing was spent yet, when the amount is already reached, or
 * when the line stays under it until the period ends.
 */
export function reachesAt(ptd: PeriodToDate, amount: Decimal, nowMs: number): number | null {
  if (!(ptd.total.cmp(Decimal.ZERO) > 0) || ptd.total.cmp(amount) >= 0) return null;
  const elapsedMs = ptd.elapsedDays * DAY_MS;
  // spent / elapsed = (amount - spent) / (t - now): time is not money, so a float ratio is fine here.
  const t = nowMs + (amount.sub(ptd.total).toNumber() * elapsedMs) / ptd.total.toNumber();
  if (!(t < ptd.period.endMs)) return null;
  return Math.floor(t / 60_000) * 60_000;
}

/**
 * Month to date (UTC) and its month-end projection: a straight line through the average spend per elapsed
 * day, where the elapsed time is measured to the minute and counted as at least one day.
 */
export function monthToDate(rows: readonly CostRow[], nowMs: number): MonthToDate {
  const p = periodAt('month', nowMs, 'UTC');
  const ptd = periodToDate(costBetween(rows, p.first, p.today), p, nowMs);
  return { month: p.key, total: ptd.total, projected: ptd.projected, elapsedDays: ptd.elapsedDays, daysInMonth: ptd.lengthDays };
}

/** `spent` after `elapsed` days, extrapolated to `length` days, exactly to 1e-6 (minute resolution). */
export function projectLinear(spent: Decimal, elapsed: number, length: number): Decimal {
  const minutes = Math.max(1, Math.round(elapsed * 1440));
  return spent.mulInt(Math.round(length * 1440)).divInt(minutes, 6).normalize();
}

/** Today's organization cost (UTC day), or undefined without cost data. */
export function orgToday(rows: readonly CostRow[] | undefined, nowMs: number): { day: string; total: Decimal } | undefined {
  if (!rows) return undefined;
  const day = utcDay(nowMs);
  return { day, total: costOfDay(rows, day) };
}

// ---------------------------------------------------------------------------------------------------
// This machine (local transcripts; days in the reader's time zone)

export interface LocalTotals {
  /** Exact estimate of the priced models. */
  total: Decimal;
  /** True when some tokens had no price (the total then leaves them out). */
  unpriced: boolean;
  tokens: number;
}

export function localTokens(d: Pick<LocalUsageDay, 'input' | 'output' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead'>): number {
  return d.input + d.output + d.cacheWrite5m + d.cacheWrite1h + d.cacheRead;
}

/** The estimate of some day rows (one day, one project, one model…). */
export function localTotals(rows: Iterable<LocalUsageDay>): LocalTotals {
  let total = Decimal.ZERO;
  let unpriced = false;
  let tokens = 0;
  for (const d of rows) {
    tokens += localTokens(d);
    if (d.costUsd === null) unpriced = true;
    else total = total.add(amount(d.costUsd));
  }
  return { total, unpriced, tokens };
}

/** The local day "now" falls on: in `zone` when set, else the zone the transcripts were read in. */
export function localDayOf(local: Pick<LocalUsageData, 'timezone'>, nowMs: number, zone?: string): string {
  return dayInZone(nowMs, zone || local.timezone);
}

/** The local 5-hour window as of now: `active` only while its end is still ahead (the data may be older). */
export function localWindowNow(local: Pick<LocalUsageData, 'currentWindow'> | undefined, nowMs: number): LocalUsageData['currentWindow'] {
  const w = local?.currentWindow;
  if (!w) return undefined;
  return w.active && Date.parse(w.end) <= nowMs ? { ...w, active: false } : w;
}

/**
 * The next instant after `nowMs` at which something the views show changes by the clock alone: a plan
 * window's reset or staleness (`nextPlanChange`), the end of this machine's current 5-hour window, or a new
 * day (UTC midnight for the organization's figures; midnight in `localZone`, the zone of this machine's
 * days, for its "today" and its budgets). The views' ticker wakes then, so the change shows on every
 * surface at once and on time.
 */
export function nextClockChange(snap: Pick<StoreSnapshot, 'plan' | 'local'>, nowMs: number, plan?: Partial<PlanSettings>, localZone?: string): number | undefined {
  const w = localWindowNow(snap.local.data, nowMs);
  const times = [
    nextPlanChange(snap.plan.data, nowMs, plan),
    w?.active ? Date.parse(w.end) : undefined,
    tomorrowStart(nowMs, 'UTC'),
    tomorrowStart(nowMs, localZone),
  ].filter((t): t is number => t !== undefined && t > nowMs);
  return times.length ? Math.min(...times) : undefined;
}

/** Why lines were not counted, by reason (so a user comparing totals with another tool can see why). */
export function skippedText(data: Pick<LocalUsageData, 'skipped' | 'skippedLines'>): string {
  const sk = data.skipped;
  if (!sk) return data.skippedLines ? `${plural(data.skippedLines, 'unreadable line')} skipped.` : 'Every usage line was counted.';
  const parts = [
    sk.duplicate && plural(sk.duplicate, 'duplicate copy', 'duplicate copies'),
    sk.replay && plural(sk.replay, '/btw replay'),
    sk.synthetic && plural(sk.synthetic, 'synthetic line'),
    sk.apiError && plural(sk.apiError, 'API error line'),
    sk.corrupt && plural(sk.corrupt, 'unreadable line'),
    sk.tooLarge && plural(sk.tooLarge, 'line', 'lines') + ' too large',
  ].filter(Boolean);
  return parts.length ? `Not counted: ${parts.join(', ')}. Duplicates are copies of counted messages (streamed blocks, resumed sessions, sub-agent copies).` : 'Every usage line was counted.';
}

/** "Includes 3 transcripts no longer on disk" — usage the index keeps after Claude Code deleted its transcripts; undefined when there is none. */
export function missingLabel(data: Pick<LocalUsageData, 'missing'>): string | undefined {
  const m = data.missing;
  return m && m.files > 0 ? `Includes ${plural(m.files, 'transcript')} no longer on disk` : undefined;
}

/** The same with its estimate: "Includes 3 transcripts no longer on disk: ≈$0.24". */
export function missingText(data: Pick<LocalUsageData, 'missing'>): string | undefined {
  const label = missingLabel(data);
  return label && `${label}: ${usdEstimate(data.missing!.costUsd)}`;
}

/** This machine's estimate for today. */
export function localToday(local: LocalUsageData, nowMs: number, zone?: string): LocalTotals & { day: string } {
  const day = localDayOf(local, nowMs, zone);
  return { day, ...localTotals(local.days.filter((d) => d.date === day)) };
}

// ---------------------------------------------------------------------------------------------------
// Rate-limit headroom (standard key probe)

export interface FamilyRow {
  key: RateFamilyKey;
  label: string;
  short: string;
  limit?: number;
  remaining?: number;
  /** Remaining share 0..1, when both numbers are known. */
  share?: number;
  reset?: string;
}

/** Every limit family present in a probe's headers, in canonical order. */
export function familyRows(snap: RateLimitSnapshot | undefined): FamilyRow[] {
  if (!snap) return [];
  const rows: FamilyRow[] = [];
  for (const f of RATE_FAMILIES) {
    const fam = snap[f.key];
    if (!fam || (fam.limit === undefined && fam.remaining === undefined)) continue;
    const share = fam.limit !== undefined && fam.limit > 0 && fam.remaining !== undefined ? Math.min(1, Math.max(0, fam.remaining) / fam.limit) : undefined;
    rows.push({ key: f.key, label: f.label, short: f.short, limit: fam.limit, remaining: fam.remaining, share, reset: fam.reset });
  }
  return rows;
}

/** The `n` families with the least remaining share, in canonical order. */
export function tightestFamilies(snap: RateLimitSnapshot | undefined, n = 2): FamilyRow[] {
  const rows = familyRows(snap).filter((r) => r.share !== undefined);
  const tight = new Set([...rows].sort((a, b) => a.share! - b.share!).slice(0, n));
  return rows.filter((r) => tight.has(r));
}

/** Lowest remaining share over every family (a subscription window counts as 1 − utilisation). */
export function minRemainingShare(snap: RateLimitSnapshot | undefined): number | undefined {
  const shares = familyRows(snap)
    .map((r) => r.share)
    .filter((s): s is number => s !== undefined);
  const u = snap?.unified;
  for (const x of [u?.fiveHourUtilization, u?.sevenDayUtilization]) if (x !== undefined) shares.push(Math.max(0, 1 - x));
  return shares.length ? Math.min(...shares) : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Errors: what happened and what the user can do

/** The one action that addresses an error of `source` (a key to set, or a retry). */
export function errorAction(source: SourceName, e: Pick<ApiErrorInit, 'kind'>): ActionName {
  const admin = source !== 'rateLimits' && source !== 'local';
  switch (e.kind) {
    case 'needsAdminKey':
      return 'setAdminKey';
    case 'auth':
    case 'permission':
      return source === 'rateLimits' ? 'setApiKey' : admin ? 'setAdminKey' : 'showLog';
    case 'spendCap':
    case 'orgSpendLimit':
      return 'showLog';
    default:
      return 'refresh';
  }
}

/** The actions offered next to an error: the fixing action, then the log. */
export function errorActions(source: SourceName, e: Pick<ApiErrorInit, 'kind'>): ActionName[] {
  const a = errorAction(source, e);
  return a === 'showLog' ? ['showLog'] : [a, 'showLog'];
}

/** One sentence for the user: the error's own message (a complete sentence) and its request id. */
export function errorSentence(e: Pick<ApiErrorInit, 'message' | 'requestId'>): string {
  return `${e.message}${e.requestId ? ` (request-id ${e.requestId})` : ''}`;
}

export { needsUser };

/** Errors whose cause the user must fix make the numbers beside them unreliable, not just old. */
export function blocksData(e: Pick<ApiErrorInit, 'kind'> | undefined): boolean {
  return !!e && needsUser(e);
}
