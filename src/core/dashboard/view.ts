/**
 * The dashboard's view state (tab, range, grouping) and its model: `buildTab` derives one tab's model from a
 * `StoreSnapshot`, the view state and the clock; `buildDashboard` all of them (exports, tests). Pure: no
 * vscode, no DOM, so the same code runs in the webview bundle, in the host (export) and under mocha.
 * The webview's renderers (webview/tabs/*) draw what a tab's model gives them and compute nothing.
 *
 * Money stays exact: amounts are decimal strings, turned into numbers only for chart geometry.
 * Days are UTC days like the Admin API's buckets, except on the local tab (the transcripts' time zone).
 */
import { addDays, daysThrough, isIsoDate, monthStart, utcDay } from '../model/days';
import { ago } from '../model/format';
import { dayInZone } from '../model/zones';
import { COST_GROUPINGS, type CostGrouping } from '../model/settings';
import { KEY_SOURCE_LABEL, SOURCE_TITLES } from '../model/labels';
import type { SourceName, StoreSnapshot } from '../model/snapshot';
import { DEFAULT_PLAN_SETTINGS, type PlanSettings } from '../plan/facts';
import { DEFAULT_BUDGET_SETTINGS, type BudgetSettings } from '../budget/settings';
import { claudeCodeTab, type ClaudeCodeTab } from './tabs/claudeCode';
import { costTab, type CostTab } from './tabs/cost';
import { localTab, type LocalTab } from './tabs/local';
import { overviewTab, type OverviewTab } from './tabs/overview';
import { rateLimitsTab, type RateLimitsTab } from './tabs/rateLimits';
import { tokensTab, type TokensTab } from './tabs/tokens';

export const TAB_IDS = ['overview', 'cost', 'tokens', 'rateLimits', 'claudeCode', 'local'] as const;
export type TabId = (typeof TAB_IDS)[number];
export const TAB_TITLES: Record<TabId, string> = {
  overview: 'Overview',
  cost: 'Cost',
  tokens: 'Tokens',
  rateLimits: 'Rate limits',
  claudeCode: 'Claude Code',
  local: 'This machine',
};

export const GROUPINGS = COST_GROUPINGS;
export type Grouping = CostGrouping;

export const RANGE_KINDS = ['7d', '30d', '90d', 'mtd', 'custom'] as const;
export type RangeKind = (typeof RANGE_KINDS)[number];
export type RangeSpec = { kind: Exclude<RangeKind, 'custom'> } | { kind: 'custom'; since: string; until: string };
export const RANGE_TITLES: Record<RangeKind, string> = { '7d': 'Last 7 days', '30d': 'Last 30 days', '90d': 'Last 90 days', mtd: 'Month to date', custom: 'Custom…' };

export interface ViewState {
  tab: TabId;
  range: RangeSpec;
  grouping: Grouping;
}

export const DEFAULT_VIEW_STATE: ViewState = { tab: 'overview', range: { kind: '30d' }, grouping: 'model' };

/** The inclusive list of UTC days a range covers. */
export interface DateRange {
  kind: RangeKind;
  since: string;
  /** Inclusive. */
  until: string;
  days: string[];
  label: string;
}

/** The most days a custom range may span (about ten years), so a typo cannot allocate millions of days. */
export const MAX_RANGE_DAYS = 3660;

/** The range's days ending today: today in UTC (the organization's reports), or in `zone` (this machine's transcripts). */
export function resolveRange(spec: RangeSpec, nowMs: number, zone?: string): DateRange {
  const today = zone ? dayInZone(nowMs, zone) : utcDay(nowMs);
  switch (spec.kind) {
    case '7d':
    case '30d':
    case '90d': {
      const n = spec.kind === '7d' ? 7 : spec.kind === '30d' ? 30 : 90;
      const since = addDays(today, -(n - 1));
      return { kind: spec.kind, since, until: today, days: daysThrough(since, today), label: RANGE_TITLES[spec.kind] };
    }
    case 'mtd': {
      const since = monthStart(today);
      return { kind: 'mtd', since, until: today, days: daysThrough(since, today), label: RANGE_TITLES.mtd };
    }
    case 'custom': {
      let since = isIsoDate(spec.since) ? spec.since : today;
      let until = isIsoDate(spec.until) ? spec.until : today;
      if (since > until) [since, until] = [until, since];
      const days = daysThrough(since, until, MAX_RANGE_DAYS);
      return { kind: 'custom', since, until: days[days.length - 1] ?? since, days, label: `${since} to ${until}` };
    }
  }
}

/** Settings the dashboard's facts depend on (the host sends them with each snapshot; never a key). */
export interface DashboardSettings {
  /** Plan-limit thresholds, staleness and the zone of reset times (the status bar's). */
  plan: PlanSettings;
  /** Budgets: progress, projections and the budget lines on the cost charts. */
  budgets: BudgetSettings;
}

export const DEFAULT_DASHBOARD_SETTINGS: DashboardSettings = { plan: DEFAULT_PLAN_SETTINGS, budgets: DEFAULT_BUDGET_SETTINGS };

/** What every tab model is built from. */
export interface TabContext {
  snapshot: StoreSnapshot;
  settings: DashboardSettings;
  /** The range in UTC days (the organization's reports are by UTC day). */
  range: DateRange;
  /** The same range in days of this machine's zone (the transcripts' days), so "Last 30 days" ends on the machine's today. */
  localRange: DateRange;
  grouping: Grouping;
  nowMs: number;
  /** Today, UTC. */
  today: string;
}

export interface TabModels {
  overview: OverviewTab;
  cost: CostTab;
  tokens: TokensTab;
  rateLimits: RateLimitsTab;
  claudeCode: ClaudeCodeTab;
  local: LocalTab;
}

const BUILDERS: { [K in TabId]: (c: TabContext) => TabModels[K] } = {
  overview: overviewTab,
  cost: costTab,
  tokens: tokensTab,
  rateLimits: rateLimitsTab,
  claudeCode: claudeCodeTab,
  local: localTab,
};

export function tabContext(snapshot: StoreSnapshot, view: Pick<ViewState, 'range' | 'grouping'>, nowMs: number, settings: DashboardSettings = DEFAULT_DASHBOARD_SETTINGS): TabContext {
  const range = resolveRange(view.range, nowMs);
  const zone = snapshot.local.data?.timezone;
  const localRange = zone && view.range.kind !== 'custom' ? resolveRange(view.range, nowMs, zone) : range;
  return { snapshot, settings, range, localRange, grouping: view.grouping, nowMs, today: utcDay(nowMs) };
}

/** One tab's model (the webview builds only the tab it shows). */
export function buildTab<K extends TabId>(tab: K, ctx: TabContext): TabModels[K] {
  return BUILDERS[tab](ctx);
}

/** The source whose age the header states for each tab (the same age its banner and the tooltip give). */
const TAB_SOURCE: Record<TabId, SourceName> = { overview: 'costs', cost: 'costs', tokens: 'tokens', rateLimits: 'rateLimits', claudeCode: 'claudeCode', local: 'local' };

/** The header line: the range, how old the shown tab's data is, and which keys are in use. */
export function headerInfo(ctx: TabContext, tab: TabId): { range: string; age: string } {
  const { snapshot } = ctx;
  const local = tab === 'local' && ctx.localRange !== ctx.range;
  const range = local ? ctx.localRange : ctx.range;
  const source = TAB_SOURCE[tab] === 'costs' && !snapshot.costs.data && snapshot.local.data ? 'local' : TAB_SOURCE[tab];
  const fetchedAt = snapshot[source].fetchedAt;
  const age = fetchedAt ? `${SOURCE_TITLES[source]} updated ${ago(fetchedAt, ctx.nowMs)}. ` : '';
  return {
    range: `${range.label}: ${range.since} to ${range.until} (${local ? `days in ${snapshot.local.data!.timezone}` : 'UTC'})`,
    age: `${age}Keys: API key ${KEY_SOURCE_LABEL[snapshot.keys.api]}, Admin key ${KEY_SOURCE_LABEL[snapshot.keys.admin]}.`,
  };
}

export interface DashboardView extends TabModels {
  now: string;
  range: DateRange;
  grouping: Grouping;
}

/** Every tab's model (exports and tests). */
export function buildDashboard(snapshot: StoreSnapshot, view: Pick<ViewState, 'range' | 'grouping'>, nowMs: number, settings?: DashboardSettings): DashboardView {
  const ctx = tabContext(snapshot, view, nowMs, settings);
  const tabs = Object.fromEntries(TAB_IDS.map((t) => [t, buildTab(t, ctx)])) as unknown as TabModels;
  return { now: new Date(nowMs).toISOString(), range: ctx.range, grouping: ctx.grouping, ...tabs };
}
