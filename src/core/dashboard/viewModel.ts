/**
 * Pure view models of the "Show Claude Usage" dashboard: everything the webview draws is derived here
 * from one `StoreSnapshot`, a `ViewState` (range, tab, grouping) and a clock. No vscode, no DOM, so the
 * same functions run in the webview bundle, in the host (export) and under mocha.
 *
 * Money stays exact: every amount is summed with `Decimal` and carried as a decimal string; the webview
 * turns it into a number only for chart geometry (`Number(value)`), and prints the string.
 * Days are UTC days (`YYYY-MM-DD`) like the Admin API's buckets, except the local tab, whose days are in
 * the time zone the transcript reader used (`LocalUsageData.timezone`).
 */
import { Decimal } from '../decimal';
import { acceptanceRate, addActivity, emptyActivity, type ClaudeCodeActivity } from '../reports/claudeCode';
import { addLocalTokens, addTokens, zeroTokens } from '../reports/tokens';
import { HISTORY_DAYS_MAX, HISTORY_DAYS_MIN } from '../store/settings';
import type {
  ClaudeCodeRow,
  CostRow,
  Labels,
  LocalUsageData,
  RateLimitData,
  SourceState,
  StoreSnapshot,
  TokenRow,
} from '../store/snapshot';
import type { RateLimitFamily, RateLimitSnapshot, TokenCounts } from '../anthropic/types';
import type { ApiErrorInit } from '../anthropic/errors';

// ---------------------------------------------------------------------------------------------------
// View state

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

export const GROUPINGS = ['model', 'workspace', 'description'] as const;
export type Grouping = (typeof GROUPINGS)[number];

export const RANGE_KINDS = ['7d', '30d', '90d', 'mtd', 'custom'] as const;
export type RangeKind = (typeof RANGE_KINDS)[number];
export type RangeSpec = { kind: Exclude<RangeKind, 'custom'> } | { kind: 'custom'; since: string; until: string };

export interface ViewState {
  tab: TabId;
  range: RangeSpec;
  grouping: Grouping;
}

export const DEFAULT_VIEW_STATE: ViewState = { tab: 'overview', range: { kind: '30d' }, grouping: 'model' };

/** The inclusive list of UTC days a range covers. */
export interface DateRange {
  since: string;
  /** Inclusive. */
  until: string;
  days: string[];
  label: string;
}

const DAY_MS = 86_400_000;
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

export function isIsoDate(s: unknown): s is string {
  return typeof s === 'string' && DATE_RE.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s);
}

export function utcDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

export function addDays(day: string, n: number): string {
  return utcDay(new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS));
}

export function daysBetween(since: string, until: string): string[] {
  const out: string[] = [];
  for (let d = since; d <= until && out.length < 3700; d = addDays(d, 1)) out.push(d);
  return out;
}

export function daysInMonth(year: number, month0: number): number {
  return new Date(Date.UTC(year, month0 + 1, 0)).getUTCDate();
}

/** The most days a custom range may span (about ten years), so a typo cannot allocate millions of days. */
export const MAX_RANGE_DAYS = 3660;

export function resolveRange(spec: RangeSpec, now: Date): DateRange {
  const today = utcDay(now);
  switch (spec.kind) {
    case '7d':
    case '30d':
    case '90d': {
      const n = spec.kind === '7d' ? 7 : spec.kind === '30d' ? 30 : 90;
      const since = addDays(today, -(n - 1));
      return { since, until: today, days: daysBetween(since, today), label: `Last ${n} days` };
    }
    case 'mtd': {
      const since = `${today.slice(0, 8)}01`;
      return { since, until: today, days: daysBetween(since, today), label: 'Month to date' };
    }
    case 'custom': {
      let since = isIsoDate(spec.since) ? spec.since : today;
      let until = isIsoDate(spec.until) ? spec.until : today;
      if (since > until) [since, until] = [until, since];
      const days = daysBetween(since, until).slice(0, MAX_RANGE_DAYS);
      return { since, until: days[days.length - 1] ?? since, days, label: `${since} to ${until}` };
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Source status: what each tab says when it has nothing (or old) data to show

export type ActionName = 'setApiKey' | 'setAdminKey' | 'refresh' | 'openSettings' | 'showLog';
export const ACTION_NAMES: readonly ActionName[] = ['setApiKey', 'setAdminKey', 'refresh', 'openSettings', 'showLog'];
export const ACTION_TITLES: Record<ActionName, string> = {
  setApiKey: 'Set API Key',
  setAdminKey: 'Set Admin API Key',
  refresh: 'Refresh Now',
  openSettings: 'Open Settings',
  showLog: 'Show Log',
};

export type SourceStatusKind = 'ok' | 'loading' | 'empty' | 'needsKey' | 'error' | 'stale';

export interface SourceStatus {
  kind: SourceStatusKind;
  /** One sentence for the banner (empty for `ok`). */
  message: string;
  actions: ActionName[];
  fetchedAt?: string;
  requestId?: string;
}

type SourceKey = 'costs' | 'tokens' | 'claudeCode' | 'rateLimits' | 'local';

/** The one action that carries a value: raise `claudeUsage.history.days` to `days` (validated on arrival). */
export const EXTEND_HISTORY = 'extendHistory';

/** A source's data starts after the selected range does: what the tab says, and how far back to load. */
export interface CoverageNote {
  message: string;
  /** Days of history that reach back to the range start (HISTORY_DAYS_MIN..HISTORY_DAYS_MAX); absent when no longer history would help. */
  loadDays?: number;
}

type HistorySource = 'costs' | 'tokens' | 'claudeCode';
const HISTORY_WHAT: Record<HistorySource, string> = { costs: 'Cost data', tokens: 'Token data', claudeCode: 'Claude Code analytics' };

/** `null` when the data (from `since`) covers the range; otherwise the note, with a "Load N days" offer when one helps. */
export function coverageNote(source: HistorySource, since: string | undefined, range: Pick<DateRange, 'since'>, today: string): CoverageNote | null {
  if (!since || since <= range.since) return null;
  const what = `${HISTORY_WHAT[source]} starts on ${since}`;
  const wanted = Math.min(HISTORY_DAYS_MAX, Math.max(HISTORY_DAYS_MIN, daysBetween(range.since, today).length));
  const loaded = since <= today ? daysBetween(since, today).length : 0;
  if (wanted > loaded) return { message: `${what}; load ${wanted} days of history to cover the range (setting claudeUsage.history.days).`, loadDays: wanted };
  return { message: `${what}; the history reaches back at most ${HISTORY_DAYS_MAX} days.` };
}

const NEEDS: Record<SourceKey, { key: 'admin' | 'api' | 'none'; what: string }> = {
  costs: { key: 'admin', what: 'organization costs' },
  tokens: { key: 'admin', what: 'exact token usage' },
  claudeCode: { key: 'admin', what: 'Claude Code analytics' },
  rateLimits: { key: 'api', what: 'live rate-limit headroom' },
  local: { key: 'none', what: 'Claude Code usage from this machine' },
};

function errorSentence(e: ApiErrorInit): string {
  const req = e.requestId ? ` (request ${e.requestId})` : '';
  switch (e.kind) {
    case 'auth':
      return `The key was rejected: ${e.message}${req}`;
    case 'needsAdminKey':
      return `This needs an Admin API key (sk-ant-admin…); the key set is not one${req}.`;
    case 'permission':
      return `The key lacks permission: ${e.message}${req}`;
    case 'rateLimited':
      return `Rate limited${e.retryAfterSeconds !== undefined ? `; retrying in ${e.retryAfterSeconds} s` : ''}${req}.`;
    case 'spendCap':
      return `Spend cap reached: ${e.message}${req}`;
    case 'orgSpendLimit':
      return `Your organization's spend limit was reached: ${e.message}${req}`;
    case 'network':
      return `Network error: ${e.message}`;
    case 'timeout':
      return `The request timed out: ${e.message}`;
    case 'invalidResponse':
      return `Unexpected response${e.path ? ` at ${e.path}` : ''}: ${e.message}${req}`;
    default:
      return `${e.message}${req}`;
  }
}

function errorActions(e: ApiErrorInit, need: 'admin' | 'api' | 'none'): ActionName[] {
  if (e.kind === 'auth' || e.kind === 'needsAdminKey' || e.kind === 'permission') {
    return need === 'admin' ? ['setAdminKey', 'showLog'] : need === 'api' ? ['setApiKey', 'showLog'] : ['showLog'];
  }
  return ['refresh', 'showLog'];
}

export function sourceStatus(snapshot: StoreSnapshot, source: SourceKey, hasData: (s: SourceState<unknown>) => boolean = (s) => s.data !== undefined): SourceStatus {
  const state = snapshot[source] as SourceState<unknown>;
  const need = NEEDS[source];
  const keySet = need.key === 'none' || (need.key === 'admin' ? snapshot.keys.admin !== 'none' : snapshot.keys.api !== 'none');
  const base = { fetchedAt: state.fetchedAt, requestId: state.error?.requestId };
  if (hasData(state)) {
    if (state.error) return { ...base, kind: 'stale', message: `Showing the last good data${state.fetchedAt ? ` from ${state.fetchedAt}` : ''}. ${errorSentence(state.error)}`, actions: errorActions(state.error, need.key) };
    if (state.stale) return { ...base, kind: 'stale', message: `This data is out of date${state.fetchedAt ? ` (fetched ${state.fetchedAt})` : ''}.`, actions: ['refresh'] };
    return { ...base, kind: 'ok', message: '', actions: [] };
  }
  if (state.error) return { ...base, kind: 'error', message: errorSentence(state.error), actions: errorActions(state.error, need.key) };
  if (!keySet) {
    const keyName = need.key === 'admin' ? 'an Admin API key' : 'an API key';
    const extra = need.key === 'admin' ? ' (Admin keys exist only for organizations; without one, the "This machine" tab shows your local Claude Code usage)' : '';
    return { ...base, kind: 'needsKey', message: `Set ${keyName} to see ${need.what}${extra}.`, actions: [need.key === 'admin' ? 'setAdminKey' : 'setApiKey'] };
  }
  if (state.loading) return { ...base, kind: 'loading', message: `Loading ${need.what}…`, actions: [] };
  if (source === 'local') {
    return { ...base, kind: 'empty', message: 'No Claude Code transcripts found on this machine. Add folders with the setting claudeUsage.local.extraFolders, or enable claudeUsage.local.enabled.', actions: ['openSettings', 'refresh'] };
  }
  if (source === 'rateLimits') {
    return { ...base, kind: 'empty', message: 'No rate-limit probe yet. Probes run while a window is focused (setting claudeUsage.rateLimits.enabled).', actions: ['refresh', 'openSettings'] };
  }
  return { ...base, kind: 'empty', message: `No ${need.what} yet.`, actions: ['refresh'] };
}

// ---------------------------------------------------------------------------------------------------
// Series

/** A chart's data: `values` are exact decimal strings (money) or integer strings (counts). */
export interface Series {
  name: string;
  values: string[];
  total: string;
}

export interface SeriesSet {
  labels: string[];
  series: Series[];
  /** Per label, the sum over series. */
  totals: string[];
  total: string;
}

function emptySet(labels: string[]): SeriesSet {
  return { labels, series: [], totals: labels.map(() => '0'), total: '0' };
}

/** Builds a series set from (label, group, amount) triples. Series are sorted by total, largest first. */
export function buildSeries(labels: string[], entries: Iterable<{ label: string; group: string; amount: Decimal }>): SeriesSet {
  const index = new Map(labels.map((l, i) => [l, i]));
  const groups = new Map<string, Decimal[]>();
  for (const e of entries) {
    const i = index.get(e.label);
    if (i === undefined) continue;
    let arr = groups.get(e.group);
    if (!arr) {
      arr = labels.map(() => Decimal.ZERO);
      groups.set(e.group, arr);
    }
    arr[i] = arr[i]!.add(e.amount);
  }
  if (groups.size === 0) return emptySet(labels);
  const totals = labels.map(() => Decimal.ZERO);
  const series: { name: string; values: Decimal[]; total: Decimal }[] = [];
  for (const [name, values] of groups) {
    values.forEach((v, i) => (totals[i] = totals[i]!.add(v)));
    series.push({ name, values, total: Decimal.sum(values) });
  }
  series.sort((a, b) => b.total.cmp(a.total) || a.name.localeCompare(b.name));
  return {
    labels,
    series: series.map((s) => ({ name: s.name, values: s.values.map(String), total: s.total.toString() })),
    totals: totals.map(String),
    total: Decimal.sum(totals).toString(),
  };
}

const COST_TYPE_LABEL: Record<string, string> = {
  web_search: 'Web search',
  code_execution: 'Code execution',
  session_usage: 'Session usage',
  tokens: 'Tokens (model not reported)',
};

export function workspaceName(id: string | null, labels: Labels | undefined): string {
  if (id === null) return 'Default';
  return labels?.workspaces.find((w) => w.id === id)?.name ?? id;
}

/** The group a cost row belongs to under `grouping`. */
export function costGroup(row: CostRow, grouping: Grouping, labels?: Labels): string {
  switch (grouping) {
    case 'model':
      return row.model ?? (row.costType ? (COST_TYPE_LABEL[row.costType] ?? row.costType) : 'Not attributed to a model');
    case 'workspace':
      return workspaceName(row.workspaceId, labels);
    case 'description':
      return row.description ?? 'No description';
  }
}

function amount(s: string): Decimal {
  return Decimal.tryParse(s) ?? Decimal.ZERO;
}

export function costsInRange(rows: readonly CostRow[], range: { since: string; until: string }): CostRow[] {
  return rows.filter((r) => r.date >= range.since && r.date <= range.until);
}

/** Cost per day, stacked by model, workspace or description. */
export function costSeries(rows: readonly CostRow[], range: DateRange, grouping: Grouping, labels?: Labels): SeriesSet {
  return buildSeries(
    range.days,
    rows.map((r) => ({ label: r.date, group: costGroup(r, grouping, labels), amount: amount(r.amountUsd) })),
  );
}

export function sumCosts(rows: readonly CostRow[], since: string, until: string): Decimal {
  let acc = Decimal.ZERO;
  for (const r of rows) if (r.date >= since && r.date <= until) acc = acc.add(amount(r.amountUsd));
  return acc;
}

/**
 * Month-end projection: month-to-date cost divided by the UTC days elapsed (today counted as a whole day)
 * times the days in the month. A straight-line extrapolation of the average daily spend so far; exact
 * decimal, rounded half-even to 1e-6 USD when the division does not terminate.
 */
export function projectMonthEnd(monthToDate: Decimal, now: Date): Decimal {
  const elapsed = now.getUTCDate();
  const total = daysInMonth(now.getUTCFullYear(), now.getUTCMonth());
  return monthToDate.mulInt(total).divInt(elapsed, 6);
}

export const PROJECTION_METHOD =
  'Month-end projection = month-to-date cost ÷ UTC days elapsed (today counts as a whole day) × days in the month.';

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

// ---------------------------------------------------------------------------------------------------
// Tokens

export const TOKEN_TYPES = ['uncachedInput', 'cacheWrite5m', 'cacheWrite1h', 'cacheRead', 'output'] as const;
export type TokenType = (typeof TOKEN_TYPES)[number];
export const TOKEN_TYPE_LABEL: Record<TokenType, string> = {
  uncachedInput: 'Uncached input',
  cacheWrite5m: 'Cache write (5m)',
  cacheWrite1h: 'Cache write (1h)',
  cacheRead: 'Cache read',
  output: 'Output',
};

export type TokenTotals = TokenCounts;

export function sumTokens(rows: Iterable<TokenRow>): TokenTotals {
  const t = zeroTokens();
  for (const r of rows) addTokens(t, r);
  return t;
}

/** Share of input tokens served from the cache: reads / (uncached + writes + reads); `null` with no input. */
export function cacheHitShare(t: Pick<TokenTotals, 'uncachedInput' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead'>): number | null {
  const input = t.uncachedInput + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
  return input === 0 ? null : t.cacheRead / input;
}

function tokenSeriesFrom(labels: string[], rows: Iterable<{ label: string; row: TokenRow }>): SeriesSet {
  const entries: { label: string; group: string; amount: Decimal }[] = [];
  for (const { label, row } of rows) {
    for (const t of TOKEN_TYPES) entries.push({ label, group: TOKEN_TYPE_LABEL[t], amount: Decimal.fromBigInt(BigInt(row[t])) });
  }
  const set = buildSeries(labels, entries);
  // Keep the token types in their natural order rather than by size.
  const order = TOKEN_TYPES.map((t) => TOKEN_TYPE_LABEL[t]);
  set.series.sort((a, b) => order.indexOf(a.name) - order.indexOf(b.name));
  return set;
}

export function tokenDailySeries(rows: readonly TokenRow[], range: DateRange): SeriesSet {
  return tokenSeriesFrom(range.days, rows.map((row) => ({ label: row.start.slice(0, 10), row })));
}

/** Hour label `YYYY-MM-DDTHH:00Z` (UTC) of an hourly bucket start. */
export function hourLabel(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(0, 13)}:00Z`;
}

/** Hourly series over the range (only offered for ranges of at most 7 days). */
export function tokenHourlySeries(rows: readonly TokenRow[], range: DateRange, now: Date): SeriesSet {
  const labels: string[] = [];
  const end = Math.min(Date.parse(`${range.until}T00:00:00Z`) + DAY_MS, now.getTime());
  for (let t = Date.parse(`${range.since}T00:00:00Z`); t < end && labels.length < 24 * 8; t += 3_600_000) {
    labels.push(`${new Date(t).toISOString().slice(0, 13)}:00Z`);
  }
  return tokenSeriesFrom(labels, rows.map((row) => ({ label: hourLabel(row.start), row })));
}

// ---------------------------------------------------------------------------------------------------
// Rate limits

export const RATE_FAMILIES = [
  ['requests', 'Requests'],
  ['inputTokens', 'Input tokens'],
  ['outputTokens', 'Output tokens'],
  ['tokens', 'Tokens (combined)'],
  ['priorityInput', 'Priority input tokens'],
  ['priorityOutput', 'Priority output tokens'],
  ['fastInput', 'Fast input tokens'],
  ['fastOutput', 'Fast output tokens'],
] as const satisfies readonly (readonly [keyof RateLimitSnapshot, string])[];

export interface Gauge {
  key: string;
  label: string;
  limit?: number;
  remaining?: number;
  /** remaining / limit in 0..1, when both are known. */
  share?: number;
  reset?: string;
}

export interface RateLimitView {
  model?: string;
  takenAt?: string;
  gauges: Gauge[];
  unified: { label: string; utilization: number; reset?: string }[];
  unifiedStatus?: string;
  history: SeriesSet;
  probeSpend?: RateLimitData['probeSpendToday'];
}

function gaugeOf(key: string, label: string, f: RateLimitFamily | undefined): Gauge | undefined {
  if (!f || (f.limit === undefined && f.remaining === undefined)) return undefined;
  const share = f.limit !== undefined && f.remaining !== undefined && f.limit > 0 ? Math.max(0, Math.min(1, f.remaining / f.limit)) : undefined;
  return { key, label, limit: f.limit, remaining: f.remaining, share, reset: f.reset };
}

export function rateLimitView(data: RateLimitData | undefined): RateLimitView {
  if (!data) return { gauges: [], unified: [], history: emptySet([]) };
  const cur = data.current;
  const gauges = RATE_FAMILIES.map(([k, l]) => gaugeOf(k, l, cur[k] as RateLimitFamily | undefined)).filter((g): g is Gauge => !!g);
  const unified: RateLimitView['unified'] = [];
  if (cur.unified?.fiveHourUtilization !== undefined) {
    unified.push({ label: '5-hour window', utilization: cur.unified.fiveHourUtilization, reset: cur.unified.fiveHourReset ? new Date(cur.unified.fiveHourReset * 1000).toISOString() : undefined });
  }
  if (cur.unified?.sevenDayUtilization !== undefined) {
    unified.push({ label: '7-day window', utilization: cur.unified.sevenDayUtilization, reset: cur.unified.sevenDayReset ? new Date(cur.unified.sevenDayReset * 1000).toISOString() : undefined });
  }
  // History: remaining share (%) per family at each probe.
  const history = data.history.length ? data.history : [cur];
  const labels = history.map((h) => h.takenAt);
  const series: Series[] = [];
  for (const [k, l] of RATE_FAMILIES) {
    const values = history.map((h) => {
      const g = gaugeOf(k, l, h[k] as RateLimitFamily | undefined);
      return g?.share === undefined ? '' : (Math.round(g.share * 10000) / 100).toString();
    });
    if (values.some((v) => v !== '')) series.push({ name: l, values, total: '' });
  }
  return {
    model: cur.model,
    takenAt: cur.takenAt,
    gauges,
    unified,
    unifiedStatus: cur.unified?.status,
    history: { labels, series, totals: labels.map(() => ''), total: '' },
    probeSpend: data.probeSpendToday,
  };
}

// ---------------------------------------------------------------------------------------------------
// Claude Code

export interface ToolAcceptance {
  tool: string;
  accepted: number;
  rejected: number;
  /** Σaccepted / Σ(accepted + rejected); `null` when there were no decisions. */
  rate: number | null;
}

export interface PersonRow {
  actor: string;
  actorType: 'user_actor' | 'api_actor';
  sessions: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  accepted: number;
  rejected: number;
  acceptanceRate: number | null;
  costUsd: string;
  /** Model to exact USD. */
  costByModel: Record<string, string>;
}

export interface ClaudeCodeView {
  days: string[];
  perDay: { sessions: number[]; linesAdded: number[]; linesRemoved: number[]; commits: number[]; pullRequests: number[] };
  tools: ToolAcceptance[];
  overallAcceptance: ToolAcceptance;
  people: PersonRow[];
  models: { model: string; costUsd: string; input: number; output: number; cacheRead: number; cacheCreation: number }[];
  terminals: { terminal: string; sessions: number; records: number }[];
  totalCostUsd: string;
  totals: { sessions: number; linesAdded: number; linesRemoved: number; commits: number; pullRequests: number };
}

/** Σaccepted / Σ(accepted + rejected); `null` (kept in JSON) when nothing was decided. */
function rateOrNull(accepted: number, rejected: number): number | null {
  return acceptanceRate(accepted, rejected) ?? null;
}

/** Acceptance per tool, summed over all records (never an average of per-day ratios), sorted by tool name. */
export function toolAcceptance(rows: readonly ClaudeCodeRow[]): { tools: ToolAcceptance[]; overall: ToolAcceptance } {
  const m = new Map<string, { accepted: number; rejected: number }>();
  for (const r of rows) {
    for (const [tool, a] of Object.entries(r.toolActions)) {
      const cur = m.get(tool) ?? { accepted: 0, rejected: 0 };
      cur.accepted += a.accepted;
      cur.rejected += a.rejected;
      m.set(tool, cur);
    }
  }
  let acc = 0;
  let rej = 0;
  const tools = [...m.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tool, v]) => {
      acc += v.accepted;
      rej += v.rejected;
      return { tool, ...v, rate: rateOrNull(v.accepted, v.rejected) };
    });
  return { tools, overall: { tool: 'All tools', accepted: acc, rejected: rej, rate: rateOrNull(acc, rej) } };
}

export function peopleTable(rows: readonly ClaudeCodeRow[]): PersonRow[] {
  const m = new Map<string, { actor: string; actorType: PersonRow['actorType']; counts: ClaudeCodeActivity; cost: Decimal; byModel: Map<string, Decimal> }>();
  for (const r of rows) {
    const key = `${r.actorType}\u0000${r.actor}`;
    let p = m.get(key);
    if (!p) m.set(key, (p = { actor: r.actor, actorType: r.actorType, counts: emptyActivity(), cost: Decimal.ZERO, byModel: new Map() }));
    addActivity(p.counts, r);
    for (const mb of r.models) {
      const c = amount(mb.costUsd);
      p.cost = p.cost.add(c);
      p.byModel.set(mb.model, (p.byModel.get(mb.model) ?? Decimal.ZERO).add(c));
    }
  }
  return [...m.values()]
    .map(({ actor, actorType, counts: t, cost, byModel }) => ({
      actor,
      actorType,
      sessions: t.sessions,
      linesAdded: t.linesAdded,
      linesRemoved: t.linesRemoved,
      commits: t.commits,
      pullRequests: t.pullRequests,
      accepted: t.toolAccepted,
      rejected: t.toolRejected,
      acceptanceRate: rateOrNull(t.toolAccepted, t.toolRejected),
      costUsd: cost.toString(),
      costByModel: Object.fromEntries([...byModel.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.toString()])),
    }))
    .sort((a, b) => amount(b.costUsd).cmp(amount(a.costUsd)) || a.actor.localeCompare(b.actor));
}

export type PersonSortKey = Exclude<keyof PersonRow, 'costByModel' | 'actorType'>;

/** Sorts the per-person table by a column; money compared exactly, `null` rates last. */
export function sortPeople(rows: readonly PersonRow[], key: PersonSortKey, descending: boolean): PersonRow[] {
  const dir = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    let c: number;
    if (key === 'actor') c = a.actor.localeCompare(b.actor);
    else if (key === 'costUsd') c = amount(a.costUsd).cmp(amount(b.costUsd));
    else if (key === 'acceptanceRate') {
      if (a.acceptanceRate === null || b.acceptanceRate === null) {
        if (a.acceptanceRate === b.acceptanceRate) return a.actor.localeCompare(b.actor);
        return a.acceptanceRate === null ? 1 : -1;
      }
      c = a.acceptanceRate - b.acceptanceRate;
    } else c = (a[key] as number) - (b[key] as number);
    return c * dir || a.actor.localeCompare(b.actor);
  });
}

export function claudeCodeView(rowsAll: readonly ClaudeCodeRow[], range: DateRange): ClaudeCodeView {
  const rows = rowsAll.filter((r) => r.date >= range.since && r.date <= range.until);
  const idx = new Map(range.days.map((d, i) => [d, i]));
  const zero = () => range.days.map(() => 0);
  const perDay = { sessions: zero(), linesAdded: zero(), linesRemoved: zero(), commits: zero(), pullRequests: zero() };
  const terminals = new Map<string, { sessions: number; records: number }>();
  const models = new Map<string, { cost: Decimal; input: number; output: number; cacheRead: number; cacheCreation: number }>();
  for (const r of rows) {
    const i = idx.get(r.date);
    if (i !== undefined) {
      perDay.sessions[i]! += r.sessions;
      perDay.linesAdded[i]! += r.linesAdded;
      perDay.linesRemoved[i]! += r.linesRemoved;
      perDay.commits[i]! += r.commits;
      perDay.pullRequests[i]! += r.pullRequests;
    }
    const t = terminals.get(r.terminalType) ?? { sessions: 0, records: 0 };
    t.sessions += r.sessions;
    t.records += 1;
    terminals.set(r.terminalType, t);
    for (const mb of r.models) {
      const cur = models.get(mb.model) ?? { cost: Decimal.ZERO, input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };
      cur.cost = cur.cost.add(amount(mb.costUsd));
      cur.input += mb.input;
      cur.output += mb.output;
      cur.cacheRead += mb.cacheRead;
      cur.cacheCreation += mb.cacheCreation;
      models.set(mb.model, cur);
    }
  }
  const { tools, overall } = toolAcceptance(rows);
  const modelRows = [...models.entries()]
    .map(([model, v]) => ({ model, costUsd: v.cost.toString(), input: v.input, output: v.output, cacheRead: v.cacheRead, cacheCreation: v.cacheCreation }))
    .sort((a, b) => amount(b.costUsd).cmp(amount(a.costUsd)) || a.model.localeCompare(b.model));
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  return {
    days: range.days,
    perDay,
    tools,
    overallAcceptance: overall,
    people: peopleTable(rows),
    models: modelRows,
    terminals: [...terminals.entries()].map(([terminal, v]) => ({ terminal, ...v })).sort((a, b) => b.sessions - a.sessions || a.terminal.localeCompare(b.terminal)),
    totalCostUsd: Decimal.sum(modelRows.map((m) => amount(m.costUsd))).toString(),
    totals: {
      sessions: sum(perDay.sessions),
      linesAdded: sum(perDay.linesAdded),
      linesRemoved: sum(perDay.linesRemoved),
      commits: sum(perDay.commits),
      pullRequests: sum(perDay.pullRequests),
    },
  };
}

// ---------------------------------------------------------------------------------------------------
// This machine (local transcripts)

export interface LocalView {
  timezone?: string;
  /** Estimated USD per day by model; unpriced models are left out here and listed in `unpricedModels`. */
  costByModel: SeriesSet;
  tokensByModel: { model: string; input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number; costUsd: string | null }[];
  totalCostUsd: string;
  todayCostUsd: string;
  window?: LocalUsageData['currentWindow'];
  unpricedModels: string[];
  skippedLines: number;
  files: number;
  roots: string[];
}

/** `YYYY-MM-DD` of `now` in an IANA time zone (`UTC` and unknown zones fall back to UTC). */
export function dayInZone(now: Date, timeZone: string | undefined): string {
  if (!timeZone || timeZone === 'UTC') return utcDay(now);
  try {
    const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).formatToParts(now);
    const get = (t: string) => parts.find((p) => p.type === t)?.value ?? '';
    return `${get('year')}-${get('month')}-${get('day')}`;
  } catch {
    return utcDay(now);
  }
}

/** The local tab: `today` is the current day in the transcripts' time zone. */
export function localView(data: LocalUsageData | undefined, range: DateRange, today: string): LocalView {
  if (!data) return { costByModel: emptySet(range.days), tokensByModel: [], totalCostUsd: '0', todayCostUsd: '0', unpricedModels: [], skippedLines: 0, files: 0, roots: [] };
  const days = data.days.filter((d) => d.date >= range.since && d.date <= range.until);
  const costByModel = buildSeries(
    range.days,
    days.filter((d) => d.costUsd !== null).map((d) => ({ label: d.date, group: d.model, amount: amount(d.costUsd!) })),
  );
  const tok = new Map<string, LocalView['tokensByModel'][number] & { cost: Decimal | null }>();
  for (const d of days) {
    const t = tok.get(d.model) ?? { model: d.model, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd: null, cost: Decimal.ZERO };
    addLocalTokens(t, d);
    t.cost = d.costUsd === null || t.cost === null ? null : t.cost.add(amount(d.costUsd));
    tok.set(d.model, t);
  }
  const todayCost = Decimal.sum(data.days.filter((d) => d.date === today && d.costUsd !== null).map((d) => amount(d.costUsd!)));
  return {
    timezone: data.timezone,
    costByModel,
    tokensByModel: [...tok.values()]
      .map(({ cost, ...t }) => ({ ...t, costUsd: cost === null ? null : cost.toString() }))
      .sort((a, b) => (b.input + b.output + b.cacheRead) - (a.input + a.output + a.cacheRead) || a.model.localeCompare(b.model)),
    totalCostUsd: costByModel.total,
    todayCostUsd: todayCost.toString(),
    window: data.currentWindow,
    unpricedModels: data.unpricedModels,
    skippedLines: data.skippedLines,
    files: data.files,
    roots: data.roots,
  };
}

// ---------------------------------------------------------------------------------------------------
// The whole dashboard

export interface OverviewView {
  today: string;
  costToday: string;
  costLast7: string;
  costLast30: string;
  monthToDate: string;
  monthEndProjection: string;
  projectionMethod: string;
  /** The first day the cost data covers, so a total over a longer window can say it is partial. */
  costDataSince?: string;
  rangeCost: string;
  tokens: TokenTotals;
  cacheHitShare: number | null;
  cacheSavingsUsd: string | null;
  cacheSavingsMethod: string;
  probeSpend?: RateLimitData['probeSpendToday'];
}

export interface DashboardView {
  now: string;
  range: DateRange;
  grouping: Grouping;
  status: Record<SourceKey, SourceStatus>;
  /** Per source, a note when its data starts after the range does. */
  coverage: Record<HistorySource, CoverageNote | null>;
  overview: OverviewView;
  cost: { series: SeriesSet; table: { group: string; total: string; share: number }[] };
  tokens: { daily: SeriesSet; hourly: SeriesSet | null; totals: TokenTotals };
  rateLimits: RateLimitView;
  claudeCode: ClaudeCodeView;
  local: LocalView;
}

export function buildDashboard(snapshot: StoreSnapshot, view: Pick<ViewState, 'range' | 'grouping'>, now: Date): DashboardView {
  const range = resolveRange(view.range, now);
  const today = utcDay(now);
  const allCosts = snapshot.costs.data?.rows ?? [];
  const labels = snapshot.labels.data;
  const inRange = costsInRange(allCosts, range);
  const series = costSeries(inRange, range, view.grouping, labels);
  const monthStart = `${today.slice(0, 8)}01`;
  const mtd = sumCosts(allCosts, monthStart, today);
  const tokenRows = (snapshot.tokens.data?.daily ?? []).filter((r) => r.start.slice(0, 10) >= range.since && r.start.slice(0, 10) <= range.until);
  const tokenTotals = sumTokens(tokenRows);
  const savings = cacheSavings(inRange);
  const totalCost = amount(series.total);
  const hourly = range.days.length <= 7 && snapshot.tokens.data ? tokenHourlySeries(snapshot.tokens.data.hourly, range, now) : null;
  return {
    now: now.toISOString(),
    range,
    grouping: view.grouping,
    status: {
      costs: sourceStatus(snapshot, 'costs'),
      tokens: sourceStatus(snapshot, 'tokens'),
      claudeCode: sourceStatus(snapshot, 'claudeCode'),
      rateLimits: sourceStatus(snapshot, 'rateLimits'),
      local: sourceStatus(snapshot, 'local'),
    },
    coverage: {
      costs: coverageNote('costs', snapshot.costs.data?.since, range, today),
      tokens: coverageNote('tokens', snapshot.tokens.data?.since, range, today),
      claudeCode: coverageNote('claudeCode', snapshot.claudeCode.data?.since, range, today),
    },
    overview: {
      today,
      costToday: sumCosts(allCosts, today, today).toString(),
      costLast7: sumCosts(allCosts, addDays(today, -6), today).toString(),
      costLast30: sumCosts(allCosts, addDays(today, -29), today).toString(),
      monthToDate: mtd.toString(),
      monthEndProjection: projectMonthEnd(mtd, now).toString(),
      projectionMethod: PROJECTION_METHOD,
      costDataSince: snapshot.costs.data?.since,
      rangeCost: series.total,
      tokens: tokenTotals,
      cacheHitShare: cacheHitShare(tokenTotals),
      cacheSavingsUsd: savings === null ? null : savings.toString(),
      cacheSavingsMethod: CACHE_SAVINGS_METHOD,
      probeSpend: snapshot.rateLimits.data?.probeSpendToday,
    },
    cost: {
      series,
      table: series.series.map((s) => ({
        group: s.name,
        total: s.total,
        share: totalCost.isZero() ? 0 : amount(s.total).toNumber() / totalCost.toNumber(),
      })),
    },
    tokens: { daily: tokenDailySeries(tokenRows, range), hourly, totals: tokenTotals },
    rateLimits: rateLimitView(snapshot.rateLimits.data),
    claudeCode: claudeCodeView(snapshot.claudeCode.data?.rows ?? [], range),
    local: localView(snapshot.local.data, range, dayInZone(now, snapshot.local.data?.timezone)),
  };
}
