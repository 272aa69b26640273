/**
 * `--budget USD [--period day|month]` for `costs` and `local`: the budget status of the current period
 * (the UTC day or month for `costs`, like the Cost Report; the day or month in `--timezone` for `local`),
 * computed with the extension's own rule (src/core/budget), reported as
 *   "budget": {"amount","spent","percent","projectedAt","period","periodStart","periodEnd","timezone","projected","over","estimate"}
 * and exit code 5 (EXIT_OVER_BUDGET) once the budget is used up (spent ≥ budget), so scripts and CI jobs
 * can stop on it. Money is exact decimal strings; `projectedAt` is RFC 3339 or null.
 * No vscode import.
 */
import type { ParseArgsConfig } from 'node:util';
import { moneyBudget, reached, type BudgetStatus } from '../core/budget/status';
import { parseAmount } from '../core/budget/settings';
import { percentText, reachText, spentText } from '../core/budget/alerts';
import { Decimal } from '../core/decimal';
import { addDays } from '../core/model/days';
import { localTotals, periodAt, type Period, type PeriodKind } from '../core/model/facts';
import type { LocalUsageDay } from '../core/model/snapshot';
import { usd } from '../core/model/format';
import { EXIT_OK, EXIT_OVER_BUDGET, UsageError } from './common';

/** For `parseArgs`-based commands. */
export const BUDGET_OPTIONS = {
  budget: { type: 'string' },
  period: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

export const BUDGET_HELP = `--budget USD [--period day|month]  the budget of the current day or month (default month): a "budget" block
                                   (JSON) or line (table); exit code 5 once it is used up`;

export interface BudgetRequest {
  /** Exact decimal USD. */
  amount: string;
  period: PeriodKind;
}

/** Validates `--budget` and `--period`; undefined without `--budget`. */
export function parseBudgetOption(budget: string | undefined, period: string | undefined): BudgetRequest | undefined {
  if (budget === undefined) {
    if (period !== undefined) throw new UsageError('--period goes with --budget USD.');
    return undefined;
  }
  const p = period ?? 'month';
  if (p !== 'day' && p !== 'month') throw new UsageError(`--period must be "day" or "month", got "${p}".`);
  const a = parseAmount(budget, '--budget');
  if (!a.amount) throw new UsageError(`--budget must be an amount in US dollars from 0.01, such as 500 or 12.50, got "${budget}".`);
  return { amount: a.amount, period: p };
}

/** The current period of a budget: UTC for the organization (`costs`), the reading zone for `local`. */
export function budgetPeriod(req: BudgetRequest, nowMs: number, zone = 'UTC'): Period {
  return periodAt(req.period, nowMs, zone);
}

/**
 * A `[since, until)` day range (either end open) widened so it holds the whole current period up to today,
 * so the budget sees every day of it whatever range the report shows.
 */
export function coverPeriod(range: { since?: string; until?: string }, period: Period): { since?: string; until?: string } {
  const out: { since?: string; until?: string } = {};
  const since = range.since === undefined ? undefined : range.since > period.first ? period.first : range.since;
  const tomorrow = addDays(period.today, 1);
  const until = range.until === undefined ? undefined : range.until < tomorrow ? tomorrow : range.until;
  if (since !== undefined) out.since = since;
  if (until !== undefined) out.until = until;
  return out;
}

export interface CliBudgetJson {
  amount: string;
  spent: string;
  /** spent ÷ amount × 100, two decimals. */
  percent: number;
  /** When the budget is reached at the current pace (an estimate), RFC 3339; null when not within the period. */
  projectedAt: string | null;
  period: PeriodKind;
  /** First and last day of the period (inclusive). */
  periodStart: string;
  periodEnd: string;
  timezone: string;
  /** Period-end projection (an estimate), USD to 1e-6. */
  projected: string;
  /** spent ≥ amount: the command exits with 5. */
  over: boolean;
  /** True for `local` (an API-equivalent estimate). */
  estimate: boolean;
}

export interface CliBudget {
  status: BudgetStatus;
  json: CliBudgetJson;
  exitCode: number;
}

/** The budget of `period` from its exact `total`. */
export function cliBudget(kind: 'org' | 'local', req: BudgetRequest, period: Period, total: Decimal, nowMs: number, extra: { unpriced?: boolean } = {}): CliBudget {
  const status = moneyBudget(kind, period, total, req.amount, nowMs, [100], extra);
  const over = reached(total, Decimal.parse(req.amount), 100);
  return {
    status,
    json: {
      amount: status.amount,
      spent: status.spent,
      percent: status.percent,
      projectedAt: status.projectedAt === null ? null : new Date(status.projectedAt).toISOString(),
      period: req.period,
      periodStart: period.first,
      periodEnd: period.last,
      timezone: period.zone,
      projected: status.projected,
      over,
      estimate: status.estimate,
    },
    exitCode: over ? EXIT_OVER_BUDGET : EXIT_OK,
  };
}

/**
 * The table output's line:
 *   Budget (month 2026-12, UTC): $460.12 of $500.00 (92%) · projected $620.00 at month end (estimate) · at this rate reached on Mon 21 Dec (estimate)
 *   Budget (day 2026-12-05, Europe/Berlin): ≈$21.30 of $20.00 (106%), API-equivalent estimate · OVER BUDGET (exit code 5)
 */
export function budgetLine(b: CliBudget): string {
  const s = b.status;
  const parts = [`Budget (${s.period} ${s.periodKey}, ${s.zone}): ${spentText(s)} of ${usd(s.amount)} (${percentText(s.percent)})${s.estimate ? ', API-equivalent estimate' : ''}`];
  if (b.json.over) parts.push(`OVER BUDGET (exit code ${EXIT_OVER_BUDGET})`);
  else {
    parts.push(`projected ${usd(s.projected)} at ${s.period === 'month' ? 'month' : 'day'} end (estimate)`);
    if (s.projectedAt !== null) parts.push(`at this rate reached ${reachText(s, s.projectedAt)} (estimate)`);
  }
  return parts.join(' · ');
}

/** Only the days of `[since, until)` (either end open): the report's own range after a widened read. */
export function daysWithin<D extends { date: string }>(days: D[], since?: string, until?: string): D[] {
  return since === undefined && until === undefined ? days : days.filter((d) => (since === undefined || d.date >= since) && (until === undefined || d.date < until));
}

/** This machine's budget from local day rows (an API-equivalent estimate; unpriced models left out, flagged). */
export function localBudget(req: BudgetRequest, period: Period, days: readonly LocalUsageDay[], nowMs: number): CliBudget {
  const totals = localTotals(days.filter((d) => d.date >= period.first && d.date <= period.today));
  return cliBudget('local', req, period, totals.total, nowMs, totals.unpriced ? { unpriced: true } : {});
}
