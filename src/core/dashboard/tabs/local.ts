/** The "This machine" tab: API-equivalent estimates from this machine's transcripts (days in their time zone). */
import { Decimal } from '../../decimal';
import { DAY_MS, dayStartMs, HOUR_MS } from '../../model/days';
import { localToday, localWindowNow, missingText, skippedText } from '../../model/facts';
import { planFacts } from '../../plan/facts';
import { timeTicks, type TimeTick } from '../../plan/format';
import { planChartSeries, planGauges, type PlanGauge, type PlanSeries } from '../../plan/surfaces';
import { budgetStatus } from '../../budget/status';
import { budgetChartLines, budgetRows, type BudgetChartLine, type BudgetRow } from '../../budget/surfaces';
import type { LocalUsageData } from '../../model/snapshot';
import { addLocalTokens } from '../../reports/tokens';
import { amount, buildSeries, emptySet, type SeriesSet } from '../series';
import { sourceStatus, type SourceStatus } from '../status';
import type { DateRange, TabContext } from '../view';

/** Plan limits (Claude Pro/Max) as Claude Code reported them: gauges, pace and used % over the range. */
export interface PlanPanel {
  connected: boolean;
  gauges: PlanGauge[];
  series: PlanSeries[];
  /** The chart's span, epoch ms, and its time axis (round times in the plan's zone, see `timeTicks`). */
  from: number;
  to: number;
  ticks: TimeTick[];
  /** The zone of the chart's and its table's times: the gauges' (`claudeUsage.local.timezone`, else local). */
  timeZone?: string;
  /** "Opus 4.8 · context 26 % · Claude Code 2.1.214 · 3 min ago" */
  session?: string;
}

export interface LocalTab {
  status: SourceStatus[];
  available: boolean;
  plan?: PlanPanel;
  /** This machine's budgets (estimates) and their lines on the cost chart. */
  budgets: BudgetRow[];
  budgetLines: BudgetChartLine[];
  timezone?: string;
  /** Estimated USD per day by model; unpriced models are left out here and listed in `unpricedModels`. */
  costByModel: SeriesSet;
  tokensByModel: { model: string; input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number; costUsd: string | null }[];
  totalCostUsd: string;
  todayCostUsd: string;
  window?: LocalUsageData['currentWindow'];
  unpricedModels: string[];
  skippedLines: number;
  /** Why usage lines were not counted, by reason ("Not counted: 12 duplicate copies, 1 /btw replay."). */
  skippedText: string;
  /** "Includes 3 transcripts no longer on disk: ≈$0.24" (the index keeps deleted transcripts' usage). */
  missingText?: string;
  pricesAsOf?: string;
  files: number;
  roots: string[];
}

/** Estimated cost per local day by model (priced models only). */
export function localCostSeries(data: LocalUsageData, range: DateRange): SeriesSet {
  return buildSeries(
    range.days,
    data.days.filter((d) => d.costUsd !== null && d.date >= range.since && d.date <= range.until).map((d) => ({ label: d.date, group: d.model, amount: amount(d.costUsd!) })),
  );
}

export function localView(data: LocalUsageData | undefined, range: DateRange, nowMs: number): Omit<LocalTab, 'status' | 'available' | 'budgets' | 'budgetLines'> {
  if (!data) return { costByModel: emptySet(range.days), tokensByModel: [], totalCostUsd: '0', todayCostUsd: '0', unpricedModels: [], skippedLines: 0, skippedText: '', files: 0, roots: [] };
  const days = data.days.filter((d) => d.date >= range.since && d.date <= range.until);
  const costByModel = localCostSeries(data, range);
  const missing = missingText(data);
  const tok = new Map<string, LocalTab['tokensByModel'][number] & { cost: Decimal | null }>();
  for (const d of days) {
    const t = tok.get(d.model) ?? { model: d.model, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd: null, cost: Decimal.ZERO };
    addLocalTokens(t, d);
    t.cost = d.costUsd === null || t.cost === null ? null : t.cost.add(amount(d.costUsd));
    tok.set(d.model, t);
  }
  return {
    timezone: data.timezone,
    costByModel,
    tokensByModel: [...tok.values()]
      .map(({ cost, ...t }) => ({ ...t, costUsd: cost === null ? null : cost.toString() }))
      .sort((a, b) => b.input + b.output + b.cacheRead - (a.input + a.output + a.cacheRead) || a.model.localeCompare(b.model)),
    totalCostUsd: costByModel.total,
    todayCostUsd: localToday(data, nowMs).total.toString(),
    ...(data.currentWindow ? { window: localWindowNow(data, nowMs) } : {}),
    unpricedModels: data.unpricedModels,
    skippedLines: data.skippedLines,
    skippedText: skippedText(data),
    ...(missing ? { missingText: `${missing} (the index keeps their usage after Claude Code deletes them).` } : {}),
    ...(data.pricesAsOf ? { pricesAsOf: data.pricesAsOf } : {}),
    files: data.files,
    roots: data.roots,
  };
}

export function planPanel(c: TabContext): PlanPanel | undefined {
  const data = c.snapshot.plan.data;
  if (!data) return undefined;
  const facts = planFacts(data, c.nowMs, c.settings.plan);
  // From the range's start or the first recorded sample, whichever is later (history is kept for two weeks),
  // but at least the last hour: right after Connect the samples span seconds, not a readable axis.
  const first = Math.min(...Object.values(data.history).flatMap((h) => (h.length ? [h[0]![0] * 1000] : [])), Infinity);
  const to = Math.min(c.nowMs, dayStartMs(c.range.until) + DAY_MS);
  const from = Math.max(dayStartMs(c.range.since), Math.min(Number.isFinite(first) ? first : 0, to - HOUR_MS));
  const timeZone = c.settings.plan.timeZone;
  const s = facts.session;
  const details = s ? [s.model, s.contextPercent !== undefined ? `context ${Math.round(s.contextPercent)}%` : undefined, s.version ? `Claude Code ${s.version}` : undefined].filter(Boolean) : [];
  const session = s && details.length ? [...details, s.age].join(' · ') : undefined;
  return { connected: data.connected, gauges: planGauges(facts), series: planChartSeries(data, from, to, c.settings.plan), from, to, ticks: timeTicks(from, to, timeZone), ...(timeZone ? { timeZone } : {}), ...(session ? { session } : {}) };
}

export function localTab(c: TabContext): LocalTab {
  const data = c.snapshot.local.data;
  const plan = planPanel(c);
  const report = budgetStatus(c.snapshot, c.snapshot.plan.data, c.settings.budgets, c.nowMs, { planStaleAfterMs: c.settings.plan.staleAfterMs });
  return {
    status: [sourceStatus(c.snapshot, 'local', c.nowMs)],
    available: data !== undefined || !!plan?.gauges.length,
    ...(plan ? { plan } : {}),
    budgets: budgetRows(report, c.nowMs).filter((r) => r.kind === 'local'),
    budgetLines: budgetChartLines(c.settings.budgets, c.nowMs, 'local'),
    ...localView(data, c.localRange, c.nowMs),
  };
}
