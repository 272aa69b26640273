/**
 * Budgets rendered for each surface, from `budgetStatus` (status.ts). Pure data the views turn into a
 * status bar colour, tooltip Markdown, tree items, dashboard progress bars and budget lines on the cost
 * charts. Every estimate is labelled: this machine's figures, and every projection.
 * No vscode import.
 */
import { Decimal } from '../decimal';
import { usd } from '../model/format';
import { periodAt } from '../model/facts';
import { percentText, periodText, planWhen, reachText, spentText } from './alerts';
import type { BudgetSettings } from './settings';
import type { BudgetLevel, BudgetReport, BudgetStatus } from './status';

/**
 * The status bar background budgets ask for: `error` when a money budget is used up, `warning` from the
 * lowest threshold. Combine with the item's other reasons by taking the worse (`worseLevel`).
 * Plan windows are left out: the plan facts colour the bar already (`planStatusLevel`), at the same thresholds.
 */
export function budgetBackground(report: BudgetReport): 'warning' | 'error' | undefined {
  return report.level === 'ok' ? undefined : report.level;
}

/** A compact status bar part for the most-used money budget once it needs attention: `$(warning) mo 92%`; '' otherwise. */
export function budgetStatusText(report: BudgetReport): string {
  const money = report.budgets.filter((b) => b.kind !== 'plan' && b.level !== 'ok');
  if (!money.length) return '';
  const top = money.reduce((a, b) => (b.percent > a.percent ? b : a));
  return `$(${top.level === 'error' ? 'error' : 'warning'}) ${top.period === 'month' ? 'mo' : 'day'} ${percentText(top.percent)}${top.estimate ? ' (est.)' : ''}`;
}

/** One budget as every surface shows it. */
export interface BudgetRow {
  id: string;
  kind: BudgetStatus['kind'];
  /** "Organization, monthly budget". */
  label: string;
  /** "$460.12 of $500.00 (92%)"; this machine: "≈$18.40 of $20.00 (92%)"; plan: "91% used". */
  summary: string;
  /** "$460.12", "≈$18.40", "91%". */
  spent: string;
  /** "$500.00", "100%". */
  amount: string;
  /** For a progress bar: spent ÷ amount, 0..1 (clamped; `percent` keeps the real value). */
  fraction: number;
  percent: number;
  /** "Dec 2026, UTC", "today", "resets 16:05". */
  period: string;
  /** "projected $620.00 at month end (estimate)"; plan: the pace sentence; '' without a pace. */
  projection: string;
  /** "reaches the budget on Mon 21 Dec (estimate)", "runs out at 15:40 (estimate)", or ''. */
  reach: string;
  level: BudgetLevel;
  /** True when `spent` is an estimate (this machine). */
  estimate: boolean;
  /** "API-equivalent estimate", "stale", "unpriced models left out"… ('' when nothing to say). */
  note: string;
}

export function budgetRow(b: BudgetStatus, nowMs: number): BudgetRow {
  const fraction = Math.max(0, Math.min(1, b.percent / 100));
  const notes: string[] = [];
  if (b.estimate) notes.push('API-equivalent estimate');
  if (b.unpriced) notes.push('unpriced models left out');
  if (b.stale) notes.push('stale');
  if (b.kind === 'plan') {
    const reach = b.projectedAt !== null ? `runs out ${planWhen(b, b.projectedAt, nowMs)} (estimate)` : '';
    return {
      id: b.id,
      kind: b.kind,
      label: b.label,
      summary: `${percentText(b.percent)} used`,
      spent: percentText(b.percent),
      amount: '100%',
      fraction,
      percent: b.percent,
      period: `resets ${planWhen(b, b.periodEnd, nowMs).replace(/^at /, '')}`,
      projection: b.paceSentence ? `${b.paceSentence} (estimate)` : '',
      reach,
      level: b.level,
      estimate: false,
      note: notes.join(', '),
    };
  }
  const end = b.period === 'month' ? 'month end' : 'day end';
  return {
    id: b.id,
    kind: b.kind,
    label: b.label,
    summary: `${spentText(b)} of ${usd(b.amount)} (${percentText(b.percent)})`,
    spent: spentText(b),
    amount: usd(b.amount),
    fraction,
    percent: b.percent,
    period: periodText(b, nowMs),
    projection: `projected ${usd(b.projected)} at ${end} (estimate)`,
    reach: b.projectedAt !== null ? `reaches the budget ${reachText(b, b.projectedAt)} (estimate)` : b.percent >= 100 ? 'budget used up' : '',
    level: b.level,
    estimate: b.estimate,
    note: notes.join(', '),
  };
}

/** Every budget, money first (organization, this machine), then plan windows. */
export function budgetRows(report: BudgetReport, nowMs: number): BudgetRow[] {
  return report.budgets.map((b) => budgetRow(b, nowMs));
}

/**
 * Tooltip Markdown, one budget per line, then the ones waiting for figures:
 *   **Organization, monthly budget** $460.12 of $500.00 (92%) · Dec 2026, UTC · projected $620.00 at month end (estimate) · reaches the budget on Mon 21 Dec (estimate)
 * Plan windows are left out (the plan lines show them); pass `{ includePlan: true }` to list them too.
 */
export function budgetTooltipLines(report: BudgetReport, nowMs: number, options: { includePlan?: boolean } = {}): string[] {
  const lines: string[] = [];
  for (const b of report.budgets) {
    if (b.kind === 'plan' && !options.includePlan) continue;
    const r = budgetRow(b, nowMs);
    const icon = r.level === 'error' ? '$(error) ' : r.level === 'warning' ? '$(warning) ' : '';
    const parts = [`${icon}**${r.label}** ${r.summary}`, r.period, r.projection, r.reach, r.note && r.note !== 'API-equivalent estimate' ? r.note : ''];
    lines.push(parts.filter(Boolean).join(' · ') + (r.estimate ? ' · _API-equivalent estimate_' : ''));
  }
  for (const w of report.waiting) lines.push(`**${w.label}** ${usd(w.amount)}: ${w.reason}`);
  return lines;
}

/** A budget drawn on a cost chart: a horizontal line at `perDay` on daily bars, or at `amount` on a cumulative month. */
export interface BudgetChartLine {
  kind: 'org' | 'local';
  period: 'day' | 'month';
  /** Exact USD. */
  amount: string;
  /** The daily bars' line: the daily budget, or the monthly budget spread evenly over the current month's days (to 1e-6). */
  perDay: string;
  /** "Daily budget $20.00", "Monthly budget $500.00 (≈ $16.13 a day)", "… (estimate)" for this machine's chart. */
  label: string;
  estimate: boolean;
}

/** The lines to draw on the organization's cost charts (`org`) and this machine's (`local`). */
export function budgetChartLines(settings: Pick<BudgetSettings, 'organization' | 'local' | 'localZone'>, nowMs: number, kind?: 'org' | 'local'): BudgetChartLine[] {
  const out: BudgetChartLine[] = [];
  for (const k of ['org', 'local'] as const) {
    if (kind && k !== kind) continue;
    const amounts = k === 'org' ? settings.organization : settings.local;
    const zone = k === 'org' ? 'UTC' : settings.localZone;
    const est = k === 'local' ? ' (API-equivalent estimate)' : '';
    if (amounts.daily) out.push({ kind: k, period: 'day', amount: amounts.daily, perDay: amounts.daily, label: `Daily budget ${usd(amounts.daily)}${est}`, estimate: k === 'local' });
    if (amounts.monthly) {
      const p = periodAt('month', nowMs, zone);
      const days = Math.round((p.endMs - p.startMs) / 86_400_000);
      const perDay = Decimal.parse(amounts.monthly).divInt(days, 6).toString();
      out.push({ kind: k, period: 'month', amount: amounts.monthly, perDay, label: `Monthly budget ${usd(amounts.monthly)} (≈ ${usd(perDay)} a day)${est}`, estimate: k === 'local' });
    }
  }
  return out;
}
