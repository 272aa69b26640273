/**
 * Budget settings (`claudeUsage.budgets.*`, plus the plan-limit thresholds `claudeUsage.plan.warningThreshold`
 * / `errorThreshold` they share with the status bar's colours) and their validation. An invalid value gets
 * one clear sentence naming the setting and is ignored (its default applies); nothing here throws.
 * No vscode import: the host hands in the raw values, tests and the CLI build them directly.
 */
import { Decimal } from '../decimal';
import { DEFAULT_PLAN_SETTINGS } from '../plan/facts';
import { checkTimeZone, systemTimeZone } from '../model/zones';

/** Setting names, one place (the manifest test checks them). */
export const BUDGET_SETTING = {
  organizationDaily: 'claudeUsage.budgets.organization.daily',
  organizationMonthly: 'claudeUsage.budgets.organization.monthly',
  localDaily: 'claudeUsage.budgets.local.daily',
  localMonthly: 'claudeUsage.budgets.local.monthly',
  thresholds: 'claudeUsage.budgets.thresholds',
  notifications: 'claudeUsage.budgets.notifications',
  planWarning: 'claudeUsage.plan.warningThreshold',
  planError: 'claudeUsage.plan.errorThreshold',
  timezone: 'claudeUsage.local.timezone',
} as const;

export const DEFAULT_THRESHOLDS: readonly number[] = [75, 90, 100];
/** Threshold percentages allowed (a threshold above 100 warns after the budget is exceeded). */
export const THRESHOLD_BOUNDS = { min: 1, max: 1000 } as const;
/** Largest budget accepted, in USD (anything larger is a typo). */
export const MAX_BUDGET_USD = 1_000_000_000;

/** Budget amounts per period; undefined: no budget. Exact decimal strings in USD. */
export interface BudgetAmounts {
  daily?: string;
  monthly?: string;
}

export interface BudgetSettings {
  /** The organization's cost (Admin key, Cost Report): periods are UTC days and months. */
  organization: BudgetAmounts;
  /** This machine's API-equivalent estimate (transcripts): periods in `localZone`. */
  local: BudgetAmounts;
  /** Percent of a budget at which a notification fires, ascending, unique. */
  thresholds: number[];
  /** Plan windows: notifications at these percentages used (the same settings colour the status bar). */
  plan: { warningPercent: number; errorPercent: number };
  /** Notifications on (colours follow budgets either way). */
  notifications: boolean;
  /** IANA zone of this machine's days and of clock times in messages. */
  localZone: string;
}

export const DEFAULT_BUDGET_SETTINGS: BudgetSettings = {
  organization: {},
  local: {},
  thresholds: [...DEFAULT_THRESHOLDS],
  plan: { warningPercent: DEFAULT_PLAN_SETTINGS.warningPercent, errorPercent: DEFAULT_PLAN_SETTINGS.errorPercent },
  notifications: true,
  localZone: 'UTC',
};

/** The raw values as read from the configuration (anything a user may have typed into settings.json). */
export interface RawBudgetSettings {
  organizationDaily?: unknown;
  organizationMonthly?: unknown;
  localDaily?: unknown;
  localMonthly?: unknown;
  thresholds?: unknown;
  notifications?: unknown;
  planWarning?: unknown;
  planError?: unknown;
  timezone?: unknown;
}

const show = (v: unknown): string => {
  const s = typeof v === 'string' ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}…` : s;
};

/**
 * A budget amount in USD: a number or a decimal string (`"12.50"`), 0 or empty for none, at least one cent.
 * Returns the exact decimal string, undefined for "no budget", or a problem sentence.
 */
export function parseAmount(v: unknown, name: string): { amount?: string; problem?: string } {
  if (v === undefined || v === null || v === '' || v === 0 || v === '0') return {};
  let d: Decimal | undefined;
  if (typeof v === 'number' && Number.isFinite(v)) d = Decimal.fromNumber(v);
  else if (typeof v === 'string' && /^\s*\$?\s*\d+(\.\d+)?\s*$/.test(v)) d = Decimal.tryParse(v.replace(/[\s$]/g, ''));
  const tooSmall = d !== undefined && !d.isZero() && d.cmp(Decimal.parse('0.01')) < 0;
  if (!d || d.isNegative() || tooSmall || d.cmp(Decimal.fromNumber(MAX_BUDGET_USD)) > 0) {
    return { problem: `${name} must be an amount in US dollars between 0.01 and ${MAX_BUDGET_USD.toLocaleString('en-US')} (0 for no budget), not ${show(v)}; it is ignored.` };
  }
  return d.isZero() ? {} : { amount: d.normalize().toString() };
}

/** Threshold percentages: an array of numbers in THRESHOLD_BOUNDS; bad entries are dropped with a sentence. */
export function parseThresholds(v: unknown, name: string = BUDGET_SETTING.thresholds): { thresholds: number[]; problems: string[] } {
  if (v === undefined || v === null) return { thresholds: [...DEFAULT_THRESHOLDS], problems: [] };
  if (!Array.isArray(v)) {
    return { thresholds: [...DEFAULT_THRESHOLDS], problems: [`${name} must be a list of percentages such as [75, 90, 100], not ${show(v)}; the defaults apply.`] };
  }
  const ok: number[] = [];
  const bad: unknown[] = [];
  for (const x of v) {
    const n = typeof x === 'string' && /^\s*\d+(\.\d+)?\s*%?\s*$/.test(x) ? Number(x.replace(/[\s%]/g, '')) : x;
    if (typeof n === 'number' && Number.isFinite(n) && n >= THRESHOLD_BOUNDS.min && n <= THRESHOLD_BOUNDS.max) ok.push(n);
    else bad.push(x);
  }
  const problems = bad.length
    ? [`${name}: ${bad.map(show).join(', ')} ${bad.length === 1 ? 'is not a percentage' : 'are not percentages'} between ${THRESHOLD_BOUNDS.min} and ${THRESHOLD_BOUNDS.max}; ignored.`]
    : [];
  return { thresholds: [...new Set(ok)].sort((a, b) => a - b), problems };
}

function percent(v: unknown, name: string, fallback: number, problems: string[]): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= 100) return v;
  problems.push(`${name} must be a percentage from 0 to 100, not ${show(v)}; ${fallback} applies.`);
  return fallback;
}

/** Validates everything; `problems` lists one sentence per ignored value. */
export function parseBudgetSettings(raw: RawBudgetSettings, systemZone: string = systemTimeZone()): { settings: BudgetSettings; problems: string[] } {
  const problems: string[] = [];
  const amounts = (daily: unknown, monthly: unknown, dailyName: string, monthlyName: string): BudgetAmounts => {
    const out: BudgetAmounts = {};
    const d = parseAmount(daily, dailyName);
    const m = parseAmount(monthly, monthlyName);
    if (d.problem) problems.push(d.problem);
    if (m.problem) problems.push(m.problem);
    if (d.amount) out.daily = d.amount;
    if (m.amount) out.monthly = m.amount;
    return out;
  };
  const organization = amounts(raw.organizationDaily, raw.organizationMonthly, BUDGET_SETTING.organizationDaily, BUDGET_SETTING.organizationMonthly);
  const local = amounts(raw.localDaily, raw.localMonthly, BUDGET_SETTING.localDaily, BUDGET_SETTING.localMonthly);
  const t = parseThresholds(raw.thresholds);
  problems.push(...t.problems);
  let warningPercent = percent(raw.planWarning, BUDGET_SETTING.planWarning, DEFAULT_PLAN_SETTINGS.warningPercent, problems);
  let errorPercent = percent(raw.planError, BUDGET_SETTING.planError, DEFAULT_PLAN_SETTINGS.errorPercent, problems);
  if (warningPercent > errorPercent) {
    problems.push(`${BUDGET_SETTING.planWarning} (${warningPercent}) is above ${BUDGET_SETTING.planError} (${errorPercent}); the defaults ${DEFAULT_PLAN_SETTINGS.warningPercent} and ${DEFAULT_PLAN_SETTINGS.errorPercent} apply.`);
    warningPercent = DEFAULT_PLAN_SETTINGS.warningPercent;
    errorPercent = DEFAULT_PLAN_SETTINGS.errorPercent;
  }
  let notifications = true;
  if (raw.notifications !== undefined && raw.notifications !== null) {
    if (typeof raw.notifications === 'boolean') notifications = raw.notifications;
    else problems.push(`${BUDGET_SETTING.notifications} must be true or false, not ${show(raw.notifications)}; notifications stay on.`);
  }
  let localZone = systemZone;
  const tz = typeof raw.timezone === 'string' ? raw.timezone.trim() : '';
  if (tz) {
    try {
      localZone = checkTimeZone(tz);
    } catch (e) {
      problems.push(`${BUDGET_SETTING.timezone}: ${(e as Error).message}; budgets of this machine use the system's zone (${systemZone}).`);
    }
  } else if (raw.timezone !== undefined && raw.timezone !== null && typeof raw.timezone !== 'string') {
    problems.push(`${BUDGET_SETTING.timezone} must be an IANA zone name such as Europe/Berlin, not ${show(raw.timezone)}; the system's zone applies.`);
  }
  return { settings: { organization, local, thresholds: t.thresholds, plan: { warningPercent, errorPercent }, notifications, localZone }, problems };
}

/** True when any money budget is set (views show a budget section only then). */
export function hasMoneyBudget(s: Pick<BudgetSettings, 'organization' | 'local'>): boolean {
  return !!(s.organization.daily || s.organization.monthly || s.local.daily || s.local.monthly);
}
