/**
 * The status bar item as data: text, background, accessibility label and the tooltip's Markdown.
 * Pure: the host turns this into a StatusBarItem + MarkdownString. Every number comes from model/facts
 * (or plan/facts for plan limits), so it equals what the trees and the dashboard show.
 */
import type { RateLimitSnapshot } from '../anthropic/types';
import { needsUser, type ApiErrorInit } from '../anthropic/errors';
import { COMMANDS } from '../model/commands';
import { utcDay } from '../model/days';
import { errorSentence, familyRows, localToday, localWindowNow, minRemainingShare, monthToDate, orgToday, PROJECTION_LABEL, tightestFamilies, type LocalTotals } from '../model/facts';
import { ago, compact, duration, int, plural, sharePct, until, usd, usdEstimate } from '../model/format';
import { ERROR_SHORT, KEY_SOURCE_LABEL, SOURCE_TITLES } from '../model/labels';
import type { LocalWindow, SourceName, SourceState, StoreSnapshot } from '../model/snapshot';
import { DEFAULT_PLAN_SETTINGS, planFacts, type PlanFacts, type PlanSettings } from '../plan/facts';
import { PLAN_TOOLTIP_COMMANDS, planStatusLevel, planStatusText, planTooltipLines } from '../plan/surfaces';
import { DEFAULT_BUDGET_SETTINGS, type BudgetSettings } from '../budget/settings';
import { budgetStatus, type BudgetReport } from '../budget/status';
import { budgetBackground, budgetStatusText, budgetTooltipLines } from '../budget/surfaces';
import { mdEscape } from './markdown';

export interface StatusBarSettings {
  /** Template with `{plan}`, `{headroom}`, `{todayCost}`, `{window}`; empty parts and their separators vanish. */
  format: string;
  /** Remaining share (percent) below which the background turns warning / error. */
  warningPercent: number;
  errorPercent: number;
  /** When local transcripts appear: `auto` only without keys, `always`, or `never`. */
  localMode: 'auto' | 'always' | 'never';
  /** Time zone of local days (`''` = system). */
  localTimezone?: string;
  /** Plan-limit thresholds, staleness and the zone of reset times. */
  plan?: PlanSettings;
  /** Budgets (their colours and the `{budget}` part). */
  budgets?: BudgetSettings;
}

export const DEFAULT_STATUS_FORMAT = '{plan} · {headroom} · {todayCost} · {budget} · {window}';

export const DEFAULT_STATUS_SETTINGS: StatusBarSettings = {
  format: DEFAULT_STATUS_FORMAT,
  warningPercent: 25,
  errorPercent: 5,
  localMode: 'auto',
};

/** Commands the tooltip links to (and so the only ones its MarkdownString trusts). */
export const TOOLTIP_COMMANDS = [COMMANDS.refresh, COMMANDS.showUsage, COMMANDS.setApiKey, COMMANDS.setAdminKey, ...PLAN_TOOLTIP_COMMANDS] as const;

export interface StatusBarModel {
  text: string;
  background?: 'warning' | 'error';
  accessibilityLabel: string;
  tooltip: string;
  command: typeof COMMANDS.showUsage | typeof COMMANDS.setApiKey;
}

/** The two tightest families, shown in canonical order: `RPM 812/1k · OTPM 91k/400k`. */
export function headroomText(snap: RateLimitSnapshot | undefined): string {
  const tight = tightestFamilies(snap, 2);
  if (tight.length > 0) return tight.map((r) => `${r.short} ${compact(r.remaining!)}/${compact(r.limit!)}`).join(' · ');
  const u = snap?.unified;
  if (u && u.fiveHourUtilization !== undefined) {
    const parts = [`5h ${sharePct(u.fiveHourUtilization)}`];
    if (u.sevenDayUtilization !== undefined) parts.push(`7d ${sharePct(u.sevenDayUtilization)}`);
    return parts.join(' · ');
  }
  return '';
}

/** Errors that stop requests (the numbers beside them are the last seen, and nothing gets through). */
const BLOCKING: ApiErrorInit['kind'][] = ['rateLimited', 'spendCap', 'orgSpendLimit'];

function fillTemplate(format: string, parts: Record<string, string>): string {
  const filled = format.replace(/\{(\w+)\}/g, (_m, name: string) => parts[name] ?? '');
  return filled
    .split(' · ')
    .map((p) => p.replace(/\s+/g, ' ').trim())
    .filter((p) => p.length > 0)
    .join(' · ');
}

/** Every budget now (the status bar, tooltip, trees and dashboard render this one report). */
export function budgetsOf(snap: StoreSnapshot, nowMs: number, budgets?: BudgetSettings, plan?: PlanSettings): BudgetReport {
  return budgetStatus(snap, snap.plan.data, budgets ?? DEFAULT_BUDGET_SETTINGS, nowMs, { planStaleAfterMs: (plan ?? DEFAULT_PLAN_SETTINGS).staleAfterMs });
}

/** The plan facts the status bar, tooltip, tree and dashboard all use (one call per render). */
export function planFactsOf(snap: StoreSnapshot, nowMs: number, settings?: PlanSettings): PlanFacts | undefined {
  const data = snap.plan.data;
  return data ? planFacts(data, nowMs, settings ?? DEFAULT_PLAN_SETTINGS) : undefined;
}

/** "5h ≈$4.20 · 4 h left · $1.50/h": this machine's 5-hour window, an estimate (≈), idle windows without a rate. */
function localWindowText(w: LocalWindow, nowMs: number): string {
  const rate = Number(w.burnTokensPerHour) > 0 ? ` · ${usd(w.burnUsdPerHour)}/h` : '';
  return `5h ${usdEstimate(w.costUsd)} · ${duration(Date.parse(w.end) - nowMs)} left${rate}`;
}

/** A source failing for a reason the user must fix, as a short phrase ("API key rejected"). */
function failingText(st: SourceState<unknown>): string | undefined {
  return st.error && needsUser(st.error) ? ERROR_SHORT[st.error.kind] : undefined;
}

export function buildStatusBar(snap: StoreSnapshot, settings: StatusBarSettings, nowMs: number): StatusBarModel {
  const rl = snap.rateLimits;
  const probe = rl.data?.current;
  const hasApi = snap.keys.api !== 'none';
  const hasAdmin = snap.keys.admin !== 'none';
  const local = snap.local.data;
  const showLocal = settings.localMode === 'always' || (settings.localMode === 'auto' && !hasApi && !hasAdmin);
  const plan = planFactsOf(snap, nowMs, settings.plan);

  const budgets = budgetsOf(snap, nowMs, settings.budgets, settings.plan);
  const parts: Record<string, string> = { plan: '', headroom: '', todayCost: '', budget: budgetStatusText(budgets), window: '' };
  const planText = plan ? planStatusText(plan) : '';
  if (planText) parts.plan = planText;
  // A source failing because of something the user must fix says so in words, not with its old numbers.
  const rlFailing = hasApi ? failingText(rl) : undefined;
  const head = hasApi ? headroomText(probe) : '';
  if (rlFailing) parts.headroom = `$(error) ${rlFailing}`;
  else if (head) parts.headroom = `$(pulse) ${head}`;
  const costsFailing = hasAdmin ? failingText(snap.costs) : undefined;
  const orgDay = hasAdmin ? orgToday(snap.costs.data?.rows, nowMs) : undefined;
  if (costsFailing) parts.todayCost = `$(error) ${costsFailing}`;
  else if (orgDay) parts.todayCost = `${usd(orgDay.total)} today`;
  let localDay: LocalTotals | undefined;
  if (showLocal && local && settings.localMode !== 'never') {
    localDay = localToday(local, nowMs, settings.localTimezone);
    if (!parts.todayCost && (localDay.tokens > 0 || local.days.length > 0)) {
      parts.todayCost = `${usdEstimate(localDay.total, localDay.unpriced)} today`;
    }
    // The local 5-hour window is an estimate: it never stands in for the plan's own figure.
    const w = localWindowNow(local, nowMs);
    if (w?.active && !planText) parts.window = localWindowText(w, nowMs);
  }

  let text = fillTemplate(settings.format || DEFAULT_STATUS_FORMAT, parts);
  const anyData = text.length > 0;
  // Every state carries an icon, so the item is recognisable without its headroom part.
  if (anyData && !text.startsWith('$(')) text = `$(${planText ? 'pulse' : 'graph'}) ${text}`;
  const errors = (['rateLimits', 'costs', 'local'] as const).map((s) => snap[s] as SourceState<unknown>).filter((s) => s.error);
  const loading = !snap.ready || rl.loading || snap.costs.loading || snap.local.loading;
  let command: StatusBarModel['command'] = COMMANDS.showUsage;
  if (!anyData) {
    if (!snap.ready) text = '$(sync~spin) Claude';
    else if (!hasApi && !hasAdmin && !(showLocal && local)) {
      text = loading ? '$(sync~spin) Claude' : '$(key) Set Claude API key';
      if (!loading) command = COMMANDS.setApiKey;
    } else {
      text = loading ? '$(sync~spin) Claude' : errors.length ? '$(warning) Claude' : '$(pulse) Claude';
    }
  } else if (errors.some((e) => e.stale && !needsUser(e.error!))) {
    text = `$(warning) ${text}`;
  }

  // Background: error when blocked or under the error threshold, warning under the warning threshold or
  // when a source needs the user (a rejected key).
  let background: StatusBarModel['background'];
  const share = hasApi && !rlFailing ? minRemainingShare(probe) : undefined;
  const blocked =
    (rl.error && BLOCKING.includes(rl.error.kind)) ||
    (snap.costs.error && ['spendCap', 'orgSpendLimit'].includes(snap.costs.error.kind)) ||
    probe?.unified?.status === 'rejected';
  const planLevel = plan ? planStatusLevel(plan) : 'normal';
  const budgetLevel = budgetBackground(budgets);
  if (blocked || planLevel === 'error' || budgetLevel === 'error' || (share !== undefined && share * 100 < settings.errorPercent)) background = 'error';
  else if (rlFailing || costsFailing || planLevel === 'warning' || budgetLevel === 'warning' || (share !== undefined && share * 100 < settings.warningPercent)) background = 'warning';

  const tooltip = buildTooltip(snap, nowMs, { localDay, showLocal, localZone: settings.localTimezone, plan, budgets });
  const accessibilityLabel =
    `Claude Usage: ${text.replace(/\$\([^)]+\)\s*/g, '').replace(/·/g, ',').replace(/↻/g, 'resets ')}` +
    (background === 'error' ? ' (limit reached or nearly reached)' : background === 'warning' ? ' (running low or needs attention)' : '');
  return { text, ...(background ? { background } : {}), accessibilityLabel, tooltip, command };
}

function errorLine(name: string, e: ApiErrorInit): string {
  return `- **${name}**: ${mdEscape(errorSentence(e))}`;
}

/** One line per rate-limit family: "**Requests per minute**: 812 of 1,000 left (81%), full in 12s". */
function familyLine(r: ReturnType<typeof familyRows>[number], nowMs: number): string {
  const amounts = r.remaining !== undefined && r.limit !== undefined ? `${int(r.remaining)} of ${int(r.limit)} left (${sharePct(r.share)})` : r.remaining !== undefined ? `${int(r.remaining)} left` : `limit ${int(r.limit)}`;
  return `- **${r.label}**: ${amounts}${r.reset ? `, full ${until(r.reset, nowMs)}` : ''}`;
}

export interface TooltipOptions {
  localDay?: LocalTotals;
  showLocal?: boolean;
  localZone?: string;
  plan?: PlanFacts;
  budgets?: BudgetReport;
}

export function buildTooltip(snap: StoreSnapshot, nowMs: number, o: TooltipOptions = {}): string {
  const lines: string[] = ['**Claude Usage**', ''];
  const plan = o.plan;
  const planLines = plan ? planTooltipLines(plan, { connected: snap.plan.data?.connected }) : [];
  if (planLines.length) lines.push('**Plan limits** (Claude Pro/Max, from Claude Code)', '', ...planLines.map((l) => `${l}  `), '');

  const rl = snap.rateLimits;
  const probe = rl.data?.current;
  const rows = familyRows(probe);
  if (rows.length) {
    lines.push(`**Rate limits** for \`${probe!.model.replace(/`/g, '')}\` (probed ${ago(probe!.takenAt, nowMs)})`, '', ...rows.map((r) => familyLine(r, nowMs)), '');
  }
  const u = probe?.unified;
  if (u && (u.fiveHourUtilization !== undefined || u.sevenDayUtilization !== undefined)) {
    const fmt = (x?: number, reset?: number): string => (x === undefined ? '–' : `${sharePct(x)} used${reset ? `, resets ${until(reset * 1000, nowMs)}` : ''}`);
    lines.push(`Subscription limits (${mdEscape(u.status ?? 'unknown')}): 5-hour ${fmt(u.fiveHourUtilization, u.fiveHourReset)} · 7-day ${fmt(u.sevenDayUtilization, u.sevenDayReset)}`, '');
  }
  if (snap.keys.api !== 'none' && !probe && !rl.error) lines.push('Rate limits: not probed yet.', '');

  const today = utcDay(nowMs);
  const org = orgToday(snap.costs.data?.rows, nowMs);
  if (org && snap.costs.data) {
    const mtd = monthToDate(snap.costs.data.rows, nowMs);
    lines.push(`Cost today (UTC): **${usd(org.total)}** · month to date: **${usd(mtd.total)}** · ${PROJECTION_LABEL}: ${usd(mtd.projected)}`, '');
  }
  if ((o.showLocal ?? true) && snap.local.data) {
    const l = o.localDay ?? localToday(snap.local.data, nowMs, o.localZone);
    lines.push(`Claude Code on this machine today: ${usdEstimate(l.total)}${l.unpriced ? ' + unpriced models' : ''} (API-equivalent estimate), ${int(l.tokens)} tokens`);
    const w = localWindowNow(snap.local.data, nowMs);
    if (w?.active) {
      const rate = Number(w.burnTokensPerHour) > 0 ? `, burn ${usd(w.burnUsdPerHour)}/h, projected ${usd(w.projectedCostUsd)} by its end` : ', no activity in the last 30 min';
      lines.push('', `Local 5-hour window (an estimate from transcripts, not the plan's figure): ${usdEstimate(w.costUsd)} (${int(w.tokens)} tokens), ends ${until(w.end, nowMs)}${rate}`);
    }
    if (snap.local.data.pricesAsOf) lines.push('', `Prices as of ${snap.local.data.pricesAsOf}.`);
    lines.push('');
  }

  const budgetLines = o.budgets ? budgetTooltipLines(o.budgets, nowMs) : [];
  if (budgetLines.length) lines.push('**Budgets**', '', ...budgetLines.map((l) => `${l}  `), '');

  const ages: string[] = [];
  for (const s of ['rateLimits', 'costs', 'local'] as const) {
    const st = snap[s] as SourceState<unknown>;
    if (st.fetchedAt) ages.push(`${SOURCE_TITLES[s].toLowerCase()} ${ago(st.fetchedAt, nowMs)}${st.stale ? ' (stale)' : ''}`);
  }
  if (ages.length) lines.push(`Updated: ${ages.join(' · ')}`, '');
  lines.push(`Keys: API key ${KEY_SOURCE_LABEL[snap.keys.api]} · Admin key ${KEY_SOURCE_LABEL[snap.keys.admin]}`, '');
  const spend = rl.data?.probeSpendToday;
  if (spend && spend.date === today && spend.probes > 0) {
    lines.push(`Probe spend today: ${plural(spend.probes, 'probe')}, ${int(spend.inputTokens)} input + ${int(spend.outputTokens)} output tokens, ${usdEstimate(spend.costUsd)}`, '');
  }
  const errs: string[] = [];
  for (const s of ['rateLimits', 'costs', 'tokens', 'claudeCode', 'local', 'plan'] as const satisfies readonly SourceName[]) {
    const st = snap[s] as SourceState<unknown>;
    if (st.error) errs.push(`${errorLine(SOURCE_TITLES[s], st.error)}${st.nextAttemptAt ? ` Next attempt ${until(st.nextAttemptAt, nowMs)}.` : ''}`);
  }
  if (errs.length) lines.push('Last error:', '', ...errs, '');
  lines.push(
    `[$(refresh) Refresh](command:${COMMANDS.refresh}) · [$(graph) Show Claude Usage](command:${COMMANDS.showUsage}) · [$(key) Set API Key](command:${COMMANDS.setApiKey}) · [$(key) Set Admin API Key](command:${COMMANDS.setAdminKey})`,
  );
  return lines.join('\n');
}
