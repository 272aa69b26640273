/** Exact cost sums derived from the snapshot's cost rows (Decimal all the way). */
import { Decimal } from '../decimal';
import type { CostRow, LocalUsageData } from '../store/snapshot';

export function sumRows(rows: readonly CostRow[]): Decimal {
  return Decimal.sum(rows.map((r) => Decimal.parse(r.amountUsd)));
}

export function costOfDay(rows: readonly CostRow[], day: string): Decimal {
  return sumRows(rows.filter((r) => r.date === day));
}

export interface MonthToDate {
  month: string;
  total: Decimal;
  /** Linear projection to the month's end (an estimate): total / elapsed days × days in month. */
  projected: Decimal;
  elapsedDays: number;
  daysInMonth: number;
}

export function monthToDate(rows: readonly CostRow[], nowMs: number): MonthToDate {
  const now = new Date(nowMs);
  const month = now.toISOString().slice(0, 7);
  const total = sumRows(rows.filter((r) => r.date.startsWith(month)));
  const daysInMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 0)).getUTCDate();
  const startMs = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1);
  // Elapsed time in whole hours (at least one) so early-month projections are not absurd.
  const elapsedHours = Math.max(1, Math.floor((nowMs - startMs) / 3_600_000));
  const projected = total.mulInt(daysInMonth * 24).divInt(elapsedHours, 6).normalize();
  return { month, total, projected, elapsedDays: elapsedHours / 24, daysInMonth };
}

/** Local (API-equivalent estimate) cost of one day; `unpriced` when some tokens had no price. */
export function localCostOfDay(local: LocalUsageData, day: string): { total: Decimal; unpriced: boolean; tokens: number } {
  let total = Decimal.ZERO;
  let unpriced = false;
  let tokens = 0;
  for (const d of local.days) {
    if (d.date !== day) continue;
    tokens += d.input + d.output + d.cacheWrite5m + d.cacheWrite1h + d.cacheRead;
    if (d.costUsd === null) unpriced = true;
    else total = total.add(Decimal.parse(d.costUsd));
  }
  return { total, unpriced, tokens };
}

/** Today in the given IANA zone (`UTC` allowed), as `YYYY-MM-DD`. */
export function dayInZone(nowMs: number, timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(nowMs));
  } catch {
    return new Date(nowMs).toISOString().slice(0, 10);
  }
}
