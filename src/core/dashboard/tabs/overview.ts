/** The Overview tab: today, 7 and 30 days, month to date and its projection, caching, this machine. */
import type { TokenCounts } from '../../anthropic/types';
import { Decimal } from '../../decimal';
import { addDays } from '../../model/days';
import { costBetween, localToday, monthToDate, PROJECTION_METHOD } from '../../model/facts';
import type { CostRow, RateLimitData } from '../../model/snapshot';
import { amount, type SeriesSet } from '../series';
import { sourceStatus, type SourceStatus } from '../status';
import type { TabContext } from '../view';
import { costSeries } from './cost';
import { cacheHitShare, sumTokens, tokenRowsIn } from './tokens';
import { localCostSeries } from './local';
import { budgetStatus } from '../../budget/status';
import { budgetChartLines, budgetRows, type BudgetChartLine, type BudgetRow } from '../../budget/surfaces';

export interface OverviewTab {
  status: SourceStatus[];
  hasCosts: boolean;
  hasTokens: boolean;
  hasLocal: boolean;
  today: string;
  costToday: string;
  costLast7: string;
  costLast30: string;
  monthToDate: string;
  monthEndProjection: string;
  projectionMethod: string;
  /** The first day the cost data covers, so a total over a longer window can say it is partial. */
  costDataSince?: string;
  /** "partial: data from …" notes for the 7- and 30-day tiles, when the data starts later. */
  partial7?: string;
  partial30?: string;
  /** The selected range's cost; shown as its own tile only when the range is not already a tile (7 or 30 days). */
  rangeCost: string;
  showRangeTile: boolean;
  tokens: TokenCounts;
  cacheHitShare: number | null;
  cacheSavingsUsd: string | null;
  cacheSavingsMethod: string;
  probeSpend?: RateLimitData['probeSpendToday'];
  /** This machine's estimate for today (its own time zone), when local data exists. */
  localTodayUsd?: string;
  /** Totals per day: the organization's cost, or this machine's estimate without an Admin key, with budget lines. */
  chart: { kind: 'cost' | 'local'; totals: SeriesSet; budgetLines: BudgetChartLine[] } | null;
  /** Every budget: spent of budget, projection, when it is reached (plan windows included). */
  budgets: BudgetRow[];
}

/**
 * What prompt caching saved, estimated from the billed cache amounts: a cache read bills 0.1× the input
 * price, so the same tokens uncached would have cost 10× (saving 9× the read cost); a 5-minute write bills
 * 1.25× (premium 0.25/1.25 of its cost) and a 1-hour write 2× (premium 1/2). Net = 9·reads − 0.2·writes5m
 * − 0.5·writes1h. Needs cost rows grouped by description (token_type set); `null` when none are.
 */
export function cacheSavings(rows: readonly CostRow[]): Decimal | null {
  let reads = Decimal.ZERO;
  let w5 = Decimal.ZERO;
  let w1h = Decimal.ZERO;
  let any = false;
  for (const r of rows) {
    if (!r.tokenType) continue;
    any = true;
    if (r.tokenType === 'cache_read_input_tokens') reads = reads.add(amount(r.amountUsd));
    else if (r.tokenType === 'cache_creation.ephemeral_5m_input_tokens') w5 = w5.add(amount(r.amountUsd));
    else if (r.tokenType === 'cache_creation.ephemeral_1h_input_tokens') w1h = w1h.add(amount(r.amountUsd));
  }
  if (!any) return null;
  return reads.mulInt(9).sub(w5.mulInt(2).shift(1)).sub(w1h.mulInt(5).shift(1));
}

export const CACHE_SAVINGS_METHOD =
  'Estimate: cache reads bill 0.1× the input price, so uncached they would have cost 10×; minus the write premiums (5-minute writes 1.25×, 1-hour writes 2× the input price). Computed from billed amounts.';

export function overviewTab(c: TabContext): OverviewTab {
  const { snapshot, range, today, nowMs } = c;
  const rows = snapshot.costs.data?.rows ?? [];
  const inRange = rows.filter((r) => r.date >= range.since && r.date <= range.until);
  const mtd = monthToDate(rows, nowMs);
  const tokens = sumTokens(tokenRowsIn(snapshot.tokens.data?.daily ?? [], range));
  const savings = cacheSavings(inRange);
  const since = snapshot.costs.data?.since;
  const partial = (days: number) => (since && since > addDays(today, -(days - 1)) ? `partial: data from ${since} (setting claudeUsage.history.days)` : undefined);
  const hasCosts = snapshot.costs.data !== undefined;
  const hasLocal = snapshot.local.data !== undefined;
  const local = snapshot.local.data;
  const series = hasCosts ? costSeries(inRange, range, 'model', snapshot.labels.data) : hasLocal ? localCostSeries(local!, range) : undefined;
  return {
    status: [sourceStatus(snapshot, 'costs', nowMs), ...(snapshot.keys.admin !== 'none' ? [sourceStatus(snapshot, 'tokens', nowMs)] : [])],
    hasCosts,
    hasTokens: snapshot.tokens.data !== undefined,
    hasLocal,
    today,
    costToday: costBetween(rows, today, today).toString(),
    costLast7: costBetween(rows, addDays(today, -6), today).toString(),
    costLast30: costBetween(rows, addDays(today, -29), today).toString(),
    monthToDate: mtd.total.toString(),
    monthEndProjection: mtd.projected.toString(),
    projectionMethod: PROJECTION_METHOD,
    ...(since ? { costDataSince: since } : {}),
    ...(partial(7) ? { partial7: partial(7) } : {}),
    ...(partial(30) ? { partial30: partial(30) } : {}),
    rangeCost: costBetween(rows, range.since, range.until).toString(),
    showRangeTile: range.kind !== '7d' && range.kind !== '30d',
    tokens,
    cacheHitShare: cacheHitShare(tokens),
    cacheSavingsUsd: savings === null ? null : savings.toString(),
    cacheSavingsMethod: CACHE_SAVINGS_METHOD,
    ...(snapshot.rateLimits.data ? { probeSpend: snapshot.rateLimits.data.probeSpendToday } : {}),
    ...(local ? { localTodayUsd: localToday(local, nowMs).total.toString() } : {}),
    chart: series ? { kind: hasCosts ? 'cost' : 'local', totals: { ...series, series: [] }, budgetLines: budgetChartLines(c.settings.budgets, nowMs, hasCosts ? 'org' : 'local') } : null,
    budgets: budgetRows(budgetStatus(snapshot, snapshot.plan.data, c.settings.budgets, nowMs, { planStaleAfterMs: c.settings.plan.staleAfterMs }), nowMs),
  };
}
