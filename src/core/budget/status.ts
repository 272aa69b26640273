/**
 * Where every budget stands: spent, percent, the period-end projection and when the budget is reached at
 * the current pace. Money budgets go through the one period rule of `model/facts` (`periodAt`,
 * `periodToDate`, `reachesAt`) with exact decimals; plan windows reuse the plan facts (`planFacts`, whose
 * pace is the projection). Pure and synchronous: the status bar, tooltip, trees, dashboard, notifications
 * and the CLI all read these values. No vscode import; no wall clock (callers pass `nowMs`).
 */
import { Decimal } from '../decimal';
import { costBetween, localTotals, periodAt, periodToDate, reachesAt, type Period, type PeriodKind } from '../model/facts';
import type { StoreSnapshot } from '../model/snapshot';
import { planFacts, type WindowFact } from '../plan/facts';
import type { PlanData } from '../plan/types';
import type { BudgetSettings } from './settings';

export type BudgetKind = 'org' | 'local' | 'plan';
/** A money budget's calendar period, or a plan window. */
export type BudgetPeriod = PeriodKind | 'fiveHour' | 'week';
export type BudgetLevel = 'ok' | 'warning' | 'error';

export interface BudgetStatus {
  /** `org.day`, `org.month`, `local.day`, `local.month`, `plan.five_hour`, `plan.seven_day`, `plan.seven_day_opus`… */
  id: string;
  /** "Organization, monthly budget", "This machine, daily budget", "5-hour session". */
  label: string;
  kind: BudgetKind;
  period: BudgetPeriod;
  /**
   * Names this period: `2026-12` (month), `2026-12-05` (day) in `zone`; for a plan window its reset time
   * (epoch ms rounded to 10 minutes, `r<ms>`). Alert records key on it, so a new period alerts again.
   */
  periodKey: string;
  /** Other keys naming the same period (a plan window's neighbouring reset buckets); an alert fired under one counts for all. */
  periodAliases?: string[];
  /** IANA zone of the period (UTC for the organization). */
  zone: string;
  /** Epoch ms: the period's first instant and the next period's first instant (a plan window: start and reset). */
  periodStart: number;
  periodEnd: number;
  /** `usd` for money budgets; `percent` for plan windows (amount 100). */
  unit: 'usd' | 'percent';
  /** Exact decimal string: the budget in USD, or `100` for a plan window. */
  amount: string;
  /** Exact decimal string: spent this period (USD), or the window's used percent. */
  spent: string;
  /** spent ÷ amount × 100 (may exceed 100). */
  percent: number;
  /** At the period's end at the current pace (an estimate): USD to 1e-6, or percent (capped at 100) for a plan window. */
  projected: string;
  /** Epoch ms when the budget is reached at the current pace (an estimate), or null (not within this period, already reached, or no pace). */
  projectedAt: number | null;
  level: BudgetLevel;
  /** True when `spent` is itself an estimate (this machine's API-equivalent cost). Projections are always estimates. */
  estimate: boolean;
  /** This machine: some tokens had no price, so `spent` leaves them out. */
  unpriced?: boolean;
  /** The figures are old: the source's last refresh failed or is overdue, or the plan observation is stale. */
  stale?: boolean;
  /** Thresholds (percent, ascending) this period has reached. */
  crossed: number[];
  /** Plan windows: the pace sentence from the plan facts ("at this pace the 5-hour window runs out at 15:40, …"). */
  paceSentence?: string;
  /** Plan windows: epoch ms of the observation (Claude Code's figures are observations with an age). */
  observedAt?: number;
}

/** A configured budget without figures yet (no Admin key, nothing read yet). */
export interface BudgetWaiting {
  id: string;
  label: string;
  kind: BudgetKind;
  period: BudgetPeriod;
  amount: string;
  /** "needs an Admin key", "waiting for the first cost report", "reading this machine's transcripts". */
  reason: string;
}

export interface BudgetReport {
  budgets: BudgetStatus[];
  waiting: BudgetWaiting[];
  /** Worst level over the money budgets (plan windows colour through the plan's own facts). */
  level: BudgetLevel;
  /** Worst level over everything, plan windows included. */
  levelWithPlan: BudgetLevel;
}

const LEVEL_RANK: Record<BudgetLevel, number> = { ok: 0, warning: 1, error: 2 };
export const worseLevel = (a: BudgetLevel, b: BudgetLevel): BudgetLevel => (LEVEL_RANK[a] >= LEVEL_RANK[b] ? a : b);

/** Percent of `amount` that `spent` is (display and levels; exact comparisons use `reached`). */
function percentOf(spent: Decimal, amount: Decimal): number {
  if (amount.isZero()) return 0;
  return Math.round(((spent.toNumber() * 100) / amount.toNumber()) * 100) / 100;
}

/** Exactly: spent ≥ amount × threshold / 100. */
export function reached(spent: Decimal, amount: Decimal, thresholdPercent: number): boolean {
  return spent.mulInt(100).cmp(amount.mul(Decimal.fromNumber(thresholdPercent))) >= 0;
}

/**
 * Colours of a money budget: error once the budget is reached (100 %), warning from the lowest threshold
 * below 100 % (75 % by default).
 */
export function moneyLevel(spent: Decimal, amount: Decimal, thresholds: readonly number[]): BudgetLevel {
  if (reached(spent, amount, 100)) return 'error';
  const warn = thresholds.find((t) => t < 100);
  return warn !== undefined && reached(spent, amount, warn) ? 'warning' : 'ok';
}

const PERIOD_WORD: Record<PeriodKind, string> = { day: 'daily', month: 'monthly' };

export function moneyBudgetLabel(kind: 'org' | 'local', period: PeriodKind): string {
  return `${kind === 'org' ? 'Organization' : 'This machine'}, ${PERIOD_WORD[period]} budget`;
}

/** One money budget from a period's exact total. Shared by the extension and the CLI. */
export function moneyBudget(
  kind: 'org' | 'local',
  period: Period,
  total: Decimal,
  amountText: string,
  nowMs: number,
  thresholds: readonly number[],
  extra: { unpriced?: boolean; stale?: boolean } = {},
): BudgetStatus {
  const amount = Decimal.parse(amountText);
  const ptd = periodToDate(total, period, nowMs);
  const status: BudgetStatus = {
    id: `${kind}.${period.kind}`,
    label: moneyBudgetLabel(kind, period.kind),
    kind,
    period: period.kind,
    periodKey: period.key,
    zone: period.zone,
    periodStart: period.startMs,
    periodEnd: period.endMs,
    unit: 'usd',
    amount: amount.toString(),
    spent: total.toString(),
    percent: percentOf(total, amount),
    projected: ptd.projected.toString(),
    projectedAt: reachesAt(ptd, amount, nowMs),
    level: moneyLevel(total, amount, thresholds),
    estimate: kind === 'local',
    crossed: thresholds.filter((t) => reached(total, amount, t)),
  };
  if (extra.unpriced) status.unpriced = true;
  if (extra.stale) status.stale = true;
  return status;
}

/**
 * Plan windows get an alert period per reset time, named by the reset time rounded to 10 minutes. Reset times
 * jitter by seconds between observations, so a jitter across a rounding boundary must still name the same
 * window: the neighbouring buckets are aliases (two windows of one kind are hours apart).
 */
const PLAN_KEY_ROUND_MS = 10 * 60_000;
export function planPeriodKey(resetsAt: number): string {
  return `r${Math.round(resetsAt / PLAN_KEY_ROUND_MS) * PLAN_KEY_ROUND_MS}`;
}
export function planPeriodAliases(resetsAt: number): string[] {
  const b = Math.round(resetsAt / PLAN_KEY_ROUND_MS);
  return [b - 1, b + 1].map((x) => `r${x * PLAN_KEY_ROUND_MS}`);
}

const WINDOW_MS: Partial<Record<WindowFact['kind'], number>> = { session: 5 * 3_600_000, week: 7 * 86_400_000, modelWeek: 7 * 86_400_000 };

function planBudget(w: WindowFact, s: BudgetSettings): BudgetStatus | undefined {
  const length = WINDOW_MS[w.kind];
  if (length === undefined || w.resetsAt === undefined || w.state === 'reset') return undefined;
  const thresholds = [s.plan.warningPercent, s.plan.errorPercent];
  let projectedAt: number | null = null;
  let projected = w.usedPercent;
  const pace = w.pace;
  if (pace?.kind === 'runsOut') {
    projectedAt = pace.at < w.resetsAt ? Math.floor(pace.at / 60_000) * 60_000 : null;
    projected = 100;
  } else if (pace?.kind === 'lasts') projected = pace.projectedPercent;
  else if (pace?.kind === 'usedUp') projected = 100;
  else if (pace?.kind === 'week') {
    if (pace.runsOutAt !== undefined) {
      projectedAt = Math.floor(pace.runsOutAt / 60_000) * 60_000;
      projected = 100;
    } else if (pace.elapsedPercent > 0) projected = Math.min(100, (pace.usedPercent * 100) / pace.elapsedPercent);
  }
  const level: BudgetLevel = w.level === 'normal' ? 'ok' : w.level;
  const status: BudgetStatus = {
    id: `plan.${w.key}`,
    label: w.label,
    kind: 'plan',
    period: w.kind === 'session' ? 'fiveHour' : 'week',
    periodKey: planPeriodKey(w.resetsAt),
    periodAliases: planPeriodAliases(w.resetsAt),
    zone: s.localZone,
    periodStart: w.resetsAt - length,
    periodEnd: w.resetsAt,
    unit: 'percent',
    amount: '100',
    spent: Decimal.fromNumber(w.usedPercent).toString(),
    percent: Math.round(w.usedPercent * 100) / 100,
    projected: Decimal.fromNumber(Math.round(projected * 100) / 100).toString(),
    projectedAt,
    level,
    estimate: false,
    crossed: thresholds.filter((t) => w.usedPercent >= t),
  };
  if (w.state === 'stale') status.stale = true;
  if (pace) status.paceSentence = pace.sentence;
  status.observedAt = w.observedAt;
  return status;
}

/**
 * Every budget's status at `nowMs`: organization (UTC periods, exact Cost Report figures), this machine
 * (periods in the zone its transcripts were counted in, which is `claudeUsage.local.timezone` or the
 * system's; API-equivalent estimate) and the plan's 5-hour and weekly windows.
 */
export function budgetStatus(snapshot: StoreSnapshot, plan: PlanData | undefined, settings: BudgetSettings, nowMs: number, options: { planStaleAfterMs?: number } = {}): BudgetReport {
  const budgets: BudgetStatus[] = [];
  const waiting: BudgetWaiting[] = [];
  const t = settings.thresholds;

  const org = settings.organization;
  const costs = snapshot.costs;
  for (const kind of ['month', 'day'] as const) {
    const amount = kind === 'month' ? org.monthly : org.daily;
    if (!amount) continue;
    const base = { id: `org.${kind}`, label: moneyBudgetLabel('org', kind), kind: 'org' as const, period: kind, amount };
    if (snapshot.keys.admin === 'none') waiting.push({ ...base, reason: 'needs an Admin key (sk-ant-admin…)' });
    else if (!costs.data) waiting.push({ ...base, reason: costs.error ? `no cost report yet: ${costs.error.message}` : 'waiting for the first cost report' });
    else {
      const p = periodAt(kind, nowMs, 'UTC');
      budgets.push(moneyBudget('org', p, costBetween(costs.data.rows, p.first, p.today), amount, nowMs, t, { stale: costs.stale }));
    }
  }

  const loc = settings.local;
  const local = snapshot.local;
  for (const kind of ['month', 'day'] as const) {
    const amount = kind === 'month' ? loc.monthly : loc.daily;
    if (!amount) continue;
    const base = { id: `local.${kind}`, label: moneyBudgetLabel('local', kind), kind: 'local' as const, period: kind, amount };
    if (!local.data) waiting.push({ ...base, reason: local.error ? `no transcripts read: ${local.error.message}` : "reading this machine's Claude Code transcripts" });
    else {
      // The days were counted in the data's zone (the configured one, or the system's): periods use it too.
      const p = periodAt(kind, nowMs, local.data.timezone || settings.localZone);
      const totals = localTotals(local.data.days.filter((d) => d.date >= p.first && d.date <= p.today));
      budgets.push(moneyBudget('local', p, totals.total, amount, nowMs, t, { unpriced: totals.unpriced, stale: local.stale }));
    }
  }

  if (plan) {
    const facts = planFacts(plan, nowMs, {
      warningPercent: settings.plan.warningPercent,
      errorPercent: settings.plan.errorPercent,
      timeZone: settings.localZone,
      ...(options.planStaleAfterMs ? { staleAfterMs: options.planStaleAfterMs } : {}),
    });
    for (const w of facts.windows) {
      const b = planBudget(w, settings);
      if (b) budgets.push(b);
    }
  }

  let level: BudgetLevel = 'ok';
  let levelWithPlan: BudgetLevel = 'ok';
  for (const b of budgets) {
    // Stale plan figures never colour (as in the plan's own status level); stale money figures still do.
    if (b.kind === 'plan') {
      if (!b.stale) levelWithPlan = worseLevel(levelWithPlan, b.level);
    } else {
      level = worseLevel(level, b.level);
      levelWithPlan = worseLevel(levelWithPlan, b.level);
    }
  }
  return { budgets, waiting, level, levelWithPlan };
}
