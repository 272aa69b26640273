/**
 * What deserves a notification, and its words. An *alert event* is a fact that is true now and fires at
 * most once per period: "threshold T % of budget B reached in period P" and "at the current pace budget B
 * is reached before P ends" (projected exhaustion). Events carry a key (budget, period, amount, what) that
 * the shared record (record.ts) claims once for all windows and reloads; a new period, or a changed budget
 * amount, makes new keys, so they fire again.
 *
 * Every text says when a number is an estimate: this machine's cost is an API-equivalent estimate, and
 * every projection ("at this rate", "at this pace") is an estimate. Pure; no vscode import.
 */
import { dayLabel, monthLabel } from '../model/days';
import { usd, usdEstimate } from '../model/format';
import { dayInZone } from '../model/zones';
import { ago, clockTime, pct, resetClock, span } from '../plan/format';
import type { BudgetReport, BudgetStatus } from './status';

export type AlertSeverity = 'warning' | 'error';

export interface AlertEvent {
  /** Unique per budget, period, amount and what fired: the shared record's key. */
  key: string;
  /** Keys of the same event under the period's aliases (a record under any of them means it fired). */
  aliases: string[];
  budgetId: string;
  kind: 'threshold' | 'projected';
  /** The threshold in percent (threshold events). */
  threshold?: number;
  /** Higher is more important: thresholds by value, a projection below every threshold. */
  rank: number;
  severity: AlertSeverity;
  /** Epoch ms the period ends (old records are pruned some time after it). */
  periodEnd: number;
}

/** The actions every budget notification offers, in order. */
export const BUDGET_ACTIONS = ['openDashboard', 'snooze', 'settings'] as const;
export type BudgetAction = (typeof BUDGET_ACTIONS)[number];
export const BUDGET_ACTION_TITLES: Readonly<Record<BudgetAction, string>> = {
  openDashboard: 'Open Dashboard',
  snooze: 'Snooze Until Tomorrow',
  settings: 'Budget Settings',
};

export interface BudgetNotification {
  /** The key of the event shown (others claimed with it are folded in). */
  key: string;
  budgetId: string;
  severity: AlertSeverity;
  /** The whole text, starting "Claude Usage: ". */
  message: string;
  actions: readonly BudgetAction[];
  /** What "Budget Settings" searches for in the Settings editor. */
  settingsQuery: string;
}

/** `plan.five_hour|r1765000000000|t90`, `org.month|2026-12|500|t75`, `local.day|2026-12-05|20|projected`. */
function eventKey(b: BudgetStatus, what: string, periodKey = b.periodKey): string {
  return [b.id, periodKey, ...(b.unit === 'usd' ? [b.amount] : []), what].join('|');
}

function event(b: BudgetStatus, what: string, e: Omit<AlertEvent, 'key' | 'aliases' | 'budgetId' | 'periodEnd'>): AlertEvent {
  return { key: eventKey(b, what), aliases: (b.periodAliases ?? []).map((p) => eventKey(b, what, p)), budgetId: b.id, periodEnd: b.periodEnd, ...e };
}

/** Severity of a threshold: money budgets turn to error at 100 %, plan windows at their error threshold. */
function thresholdSeverity(b: BudgetStatus, t: number, planErrorPercent: number): AlertSeverity {
  return (b.kind === 'plan' ? t >= planErrorPercent : t >= 100) ? 'error' : 'warning';
}

/** Every event true now for one budget, most important first. */
export function budgetEvents(b: BudgetStatus, planErrorPercent: number): AlertEvent[] {
  const out: AlertEvent[] = [];
  for (const t of [...b.crossed].sort((x, y) => y - x)) {
    out.push(event(b, `t${t}`, { kind: 'threshold', threshold: t, rank: t, severity: thresholdSeverity(b, t, planErrorPercent) }));
  }
  if (b.projectedAt !== null && b.percent < 100) out.push(event(b, 'projected', { kind: 'projected', rank: -1, severity: 'warning' }));
  return out;
}

/** Every event true now, per budget. */
export function alertEvents(report: BudgetReport, planErrorPercent: number): Map<string, AlertEvent[]> {
  const out = new Map<string, AlertEvent[]>();
  for (const b of report.budgets) {
    const ev = budgetEvents(b, planErrorPercent);
    if (ev.length) out.set(b.id, ev);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Texts

const PERIOD_WORD = { day: 'daily', month: 'monthly' } as const;

/** "Dec 2026, UTC" / "today, UTC" / "Nov 2026" / "today". */
export function periodText(b: BudgetStatus, nowMs: number): string {
  const utc = b.zone === 'UTC';
  if (b.period === 'month') return `${monthLabel(b.periodKey)}${utc ? ', UTC' : ''}`;
  if (b.period === 'day') return b.periodKey === dayInZone(nowMs, b.zone) ? `today${utc ? ', UTC' : ''}` : `${dayLabel(b.periodKey)}${utc ? ', UTC' : ''}`;
  return '';
}

/** When a money budget is reached: "on Mon 21 Dec" (month) or "at 15:40" / "at 15:40 UTC" (day). */
export function reachText(b: BudgetStatus, at: number): string {
  if (b.period === 'month') return `on ${dayLabel(dayInZone(at, b.zone))}`;
  return `at ${clockTime(at, b.zone)}${b.zone === 'UTC' ? ' UTC' : ''}`;
}

/** "$460.12" for the organization, "≈$18.40 (API-equivalent estimate)" for this machine. */
export function spentText(b: BudgetStatus): string {
  return b.estimate ? usdEstimate(b.spent, b.unpriced) : usd(b.spent);
}

/** Whole percent, rounded down below 100 so "100%" never shows before the budget is reached: "92%", "<1%". */
export function percentText(p: number): string {
  if (p > 0 && p < 1) return '<1%';
  return p < 100 ? `${Math.floor(p)}%` : pct(p);
}

function subject(b: BudgetStatus): { name: string; its: string } {
  return b.kind === 'org' ? { name: 'the organization', its: 'its' } : { name: 'Claude Code on this machine', its: 'its' };
}

const cap = (s: string): string => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

/** The sentence for a money budget's threshold, projection appended when the pace reaches it. */
export function moneyThresholdText(b: BudgetStatus, threshold: number, nowMs: number): string {
  const { name, its } = subject(b);
  const period = PERIOD_WORD[b.period as 'day' | 'month'];
  const where = periodText(b, nowMs);
  const est = b.estimate ? `; API-equivalent estimate${b.unpriced ? ', unpriced models left out' : ''}` : '';
  const figures = `${spentText(b)} of ${usd(b.amount)}`;
  let text: string;
  if (threshold < 100) text = `${cap(name)} has used ${percentText(b.percent)} of ${its} ${period} budget: ${figures} (${where}${est}).`;
  else if (threshold === 100) text = `${cap(name)} has used up ${its} ${period} budget: ${figures} (${percentText(b.percent)}, ${where}${est}).`;
  else text = `${cap(name)} is at ${percentText(b.percent)} of ${its} ${period} budget: ${figures} (${where}${est}).`;
  if (b.projectedAt !== null && b.percent < 100) text += ` At this rate it reaches the budget ${reachText(b, b.projectedAt)} (estimate).`;
  return text;
}

/** The sentence for a money budget's projected exhaustion. */
export function moneyProjectedText(b: BudgetStatus, nowMs: number): string {
  const { name, its } = subject(b);
  const period = PERIOD_WORD[b.period as 'day' | 'month'];
  const est = b.estimate ? ', an API-equivalent estimate' : '';
  return `At this rate ${name} reaches ${its} ${period} budget of ${usd(b.amount)} ${reachText(b, b.projectedAt!)} (estimate; ${spentText(b)} so far, ${percentText(b.percent)}, ${periodText(b, nowMs)}${est}).`;
}

/** "the 5-hour window", "the weekly limit", "the weekly limit (Opus)". */
function windowName(b: BudgetStatus): string {
  if (b.period === 'fiveHour') return 'the 5-hour window';
  const m = /\(([^)]+)\)/.exec(b.label);
  return m ? `the weekly limit (${m[1]})` : 'the weekly limit';
}

/** "Your 5-hour window is 91% used (from Claude Code, 2 min ago); it resets at 16:05." (+ the pace, an estimate). */
export function planThresholdText(b: BudgetStatus, nowMs: number): string {
  const age = b.observedAt !== undefined ? `, ${ago(Math.max(0, nowMs - b.observedAt))}` : '';
  let text = `${cap(windowName(b).replace(/^the /, 'your '))} is ${percentText(b.percent)} used (from Claude Code${age}); it resets ${planWhen(b, b.periodEnd, nowMs)}.`;
  if (b.projectedAt !== null) text += ` At this pace it runs out ${planWhen(b, b.projectedAt, nowMs)}, ${span(b.periodEnd - b.projectedAt)} before it resets (estimate).`;
  return text;
}

/** A plan time in the user's zone: "at 15:40" today, "Thu 09:00" on another day (the plan facts' format). */
export function planWhen(b: BudgetStatus, at: number, nowMs: number): string {
  const c = resetClock(at, nowMs, b.zone);
  return /^\d/.test(c) ? `at ${c}` : c;
}

/** "At this pace the 5-hour window runs out at 15:40, before it resets at 16:05 (estimate; 62% used now)." */
export function planProjectedText(b: BudgetStatus, nowMs: number): string {
  return `At this pace ${windowName(b)} runs out ${planWhen(b, b.projectedAt!, nowMs)}, before it resets ${planWhen(b, b.periodEnd, nowMs)} (estimate from Claude Code's figures; ${percentText(b.percent)} used now).`;
}

/** The notification for the most important of the events just claimed for one budget. */
export function notificationFor(b: BudgetStatus, won: readonly AlertEvent[], nowMs: number): BudgetNotification {
  const best = [...won].sort((x, y) => y.rank - x.rank)[0]!;
  let body: string;
  if (best.kind === 'threshold') body = b.kind === 'plan' ? planThresholdText(b, nowMs) : moneyThresholdText(b, best.threshold!, nowMs);
  else body = b.kind === 'plan' ? planProjectedText(b, nowMs) : moneyProjectedText(b, nowMs);
  return {
    key: best.key,
    budgetId: b.id,
    severity: best.severity,
    message: `Claude Usage: ${body}`,
    actions: BUDGET_ACTIONS,
    settingsQuery: b.kind === 'plan' ? 'claudeUsage.plan' : 'claudeUsage.budgets',
  };
}
