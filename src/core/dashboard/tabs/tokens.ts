/** The Tokens tab: exact tokens per day (and per hour for short ranges) by token type. */
import type { TokenCounts } from '../../anthropic/types';
import { Decimal } from '../../decimal';
import { DAY_MS, dayStartMs } from '../../model/days';
import { TOKEN_TYPES } from '../../model/labels';
import type { TokenRow } from '../../model/snapshot';
import { addTokens, zeroTokens } from '../../reports/tokens';
import { buildSeries, type SeriesSet } from '../series';
import { coverageNote, sourceStatus, type CoverageNote, type SourceStatus } from '../status';
import type { DateRange, TabContext } from '../view';

export interface TokensTab {
  status: SourceStatus[];
  available: boolean;
  coverage: CoverageNote | null;
  daily: SeriesSet;
  /** Per hour, only for ranges of at most 7 days. */
  hourly: SeriesSet | null;
  totals: TokenCounts;
}

export function sumTokens(rows: Iterable<TokenRow>): TokenCounts {
  const t = zeroTokens();
  for (const r of rows) addTokens(t, r);
  return t;
}

/** Share of input tokens served from the cache: reads / (uncached + writes + reads); `null` with no input. */
export function cacheHitShare(t: Pick<TokenCounts, 'uncachedInput' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead'>): number | null {
  const input = t.uncachedInput + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
  return input === 0 ? null : t.cacheRead / input;
}

/** Daily token rows whose day is in the range. */
export function tokenRowsIn(rows: readonly TokenRow[], range: Pick<DateRange, 'since' | 'until'>): TokenRow[] {
  return rows.filter((r) => r.start.slice(0, 10) >= range.since && r.start.slice(0, 10) <= range.until);
}

function tokenSeriesFrom(labels: string[], rows: Iterable<{ label: string; row: TokenRow }>): SeriesSet {
  const entries: { label: string; group: string; amount: Decimal }[] = [];
  for (const { label, row } of rows) {
    for (const t of TOKEN_TYPES) entries.push({ label, group: t.label, amount: Decimal.fromBigInt(BigInt(row[t.key])) });
  }
  const set = buildSeries(labels, entries);
  // Keep the token types in their natural order rather than by size.
  const order: string[] = TOKEN_TYPES.map((t) => t.label);
  set.series.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  return set;
}

/** Hour label `YYYY-MM-DDTHH:00Z` (UTC) of an hourly bucket start. */
export function hourLabel(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 13)}:00Z`;
}

/** Hourly series over the range, up to now. */
export function tokenHourlySeries(rows: readonly TokenRow[], range: DateRange, nowMs: number): SeriesSet {
  const labels: string[] = [];
  const end = Math.min(dayStartMs(range.until) + DAY_MS, nowMs);
  for (let t = dayStartMs(range.since); t < end && labels.length < 24 * 8; t += 3_600_000) labels.push(hourLabel(new Date(t).toISOString()));
  return tokenSeriesFrom(labels, rows.map((row) => ({ label: hourLabel(row.start), row })));
}

export function tokensTab(c: TabContext): TokensTab {
  const { snapshot, range } = c;
  const rows = tokenRowsIn(snapshot.tokens.data?.daily ?? [], range);
  return {
    status: [sourceStatus(snapshot, 'tokens', c.nowMs)],
    available: snapshot.tokens.data !== undefined,
    coverage: coverageNote('tokens', snapshot.tokens.data?.since, range, c.today),
    daily: tokenSeriesFrom(range.days, rows.map((row) => ({ label: row.start.slice(0, 10), row }))),
    hourly: range.days.length <= 7 && snapshot.tokens.data ? tokenHourlySeries(snapshot.tokens.data.hourly, range, c.nowMs) : null,
    totals: sumTokens(rows),
  };
}
