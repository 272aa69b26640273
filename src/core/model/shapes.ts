/**
 * The shapes of everything the store persists (the shared snapshot's sources and the day cache's rows),
 * checked when read back from disk with the rigour of the API schemas: a row the views get satisfies its
 * type (a `CostRow.date` is a real `YYYY-MM-DD` day, `amountUsd` an exact decimal string, tokens are
 * non-negative integers), and each source's rows lie inside its `[since, until)` range.
 * `Fields<T>` makes every key of a persisted type need a check here, so the types and the checks cannot drift.
 */
import type { ApiErrorInit, ApiErrorKind } from '../anthropic/errors';
import type { RateLimitFamily, RateLimitSnapshot, UnifiedRateLimit } from '../anthropic/types';
import {
  array,
  between,
  bool,
  count,
  decimal,
  int,
  isoDay,
  isoTime,
  literal,
  nonEmptyStr,
  nullable,
  num,
  object,
  oneOf,
  opt,
  record,
  refine,
  str,
  type Fields,
  type Shape,
} from './shape';
import type {
  ClaudeCodeData,
  ClaudeCodeRow,
  CostData,
  CostRow,
  Labels,
  LocalSession,
  LocalUsageData,
  LocalUsageDay,
  LocalWindow,
  RateLimitData,
  SourceName,
  SourceState,
  TokenData,
  TokenRow,
} from './snapshot';

const API_ERROR_KINDS = [
  'auth',
  'needsAdminKey',
  'permission',
  'rateLimited',
  'spendCap',
  'orgSpendLimit',
  'overloaded',
  'server',
  'badRequest',
  'timeout',
  'network',
  'invalidResponse',
  'paginationLoop',
  'cancelled',
] as const satisfies readonly ApiErrorKind[];
// Every kind is listed (a new kind fails the type check here until it is).
const everyKind: Exclude<ApiErrorKind, (typeof API_ERROR_KINDS)[number]> extends never ? true : never = true;
void everyKind;

export const apiErrorInit: Shape<ApiErrorInit> = object<ApiErrorInit>({
  kind: oneOf(API_ERROR_KINDS),
  message: str,
  status: opt(between(100, 999)),
  requestId: opt(str),
  retryAfterSeconds: opt(between(0, 1e9)),
  path: opt(str),
  endpoint: opt(str),
  apiErrorType: opt(str),
});

const nstr = nullable(str);

// ---------------------------------------------------------------- rows (also the day cache's content)

export const costRow: Shape<CostRow> = object<CostRow>({
  date: isoDay,
  workspaceId: nstr,
  description: nstr,
  model: nstr,
  costType: nstr,
  tokenType: nstr,
  serviceTier: nstr,
  contextWindow: nstr,
  amountUsd: decimal,
});

/** An hourly bucket's start as the store writes it: `YYYY-MM-DDTHH:MM:SSZ`. */
const hourStart: Shape<string> = refine(isoTime, (s) => (/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(s) ? undefined : 'a bucket start YYYY-MM-DDTHH:MM:SSZ'));

function tokenRowWith(start: Shape<string>): Shape<TokenRow> {
  return object<TokenRow>({
    start,
    model: nstr,
    workspaceId: nstr,
    apiKeyId: nstr,
    serviceTier: nstr,
    uncachedInput: count,
    cacheWrite5m: count,
    cacheWrite1h: count,
    cacheRead: count,
    output: count,
    webSearches: count,
  });
}
export const dailyTokenRow = tokenRowWith(isoDay);
export const hourlyTokenRow = tokenRowWith(hourStart);

export const claudeCodeRow: Shape<ClaudeCodeRow> = object<ClaudeCodeRow>({
  date: isoDay,
  actor: str,
  actorType: oneOf(['user_actor', 'api_actor']),
  terminalType: str,
  customerType: str,
  isRemote: opt(bool),
  sessions: count,
  linesAdded: count,
  linesRemoved: count,
  commits: count,
  pullRequests: count,
  toolActions: record(object({ accepted: count, rejected: count })),
  models: array(
    object({ model: str, input: count, output: count, cacheRead: count, cacheCreation: count, costUsd: decimal }),
  ),
});

/** The rows of one cached day: each row of that day (`key` reads a row's day). */
export function dayRows<T>(row: Shape<T>, day: string, key: (r: T) => string): Shape<T[]> {
  return refine(array(row), (rows) => {
    const i = rows.findIndex((r) => key(r) !== day);
    return i < 0 ? undefined : `rows of ${day} only (row ${i} is of ${key(rows[i]!)})`;
  });
}

/** What each day-cache namespace holds, as a check of one day's rows. */
export const DAY_CACHE_ROWS = {
  costs: (day: string) => dayRows(costRow, day, (r) => r.date),
  tokens1d: (day: string) => dayRows(dailyTokenRow, day, (r) => r.start),
  tokens1h: (day: string) => dayRows(hourlyTokenRow, day, (r) => r.start.slice(0, 10)),
  claudeCode: (day: string) => dayRows(claudeCodeRow, day, (r) => r.date),
} as const;

// ---------------------------------------------------------------- sources

function inRange<T extends { since: string; until: string }>(shape: Shape<T>, rows: (v: T) => Iterable<string>): Shape<T> {
  return refine(shape, (v) => {
    if (v.since > v.until) return `since (${v.since}) before until (${v.until})`;
    for (const d of rows(v)) if (d < v.since || d >= v.until) return `rows inside [${v.since}, ${v.until}) (one is of ${d})`;
    return undefined;
  });
}

export const costData: Shape<CostData> = inRange(
  object<CostData>({ since: isoDay, until: isoDay, rows: array(costRow) }),
  (v) => v.rows.map((r) => r.date),
);

export const tokenData: Shape<TokenData> = inRange(
  object<TokenData>({ since: isoDay, until: isoDay, daily: array(dailyTokenRow), hourly: array(hourlyTokenRow) }),
  (v) => v.daily.map((r) => r.start),
);

export const claudeCodeData: Shape<ClaudeCodeData> = inRange(
  object<ClaudeCodeData>({ since: isoDay, until: isoDay, rows: array(claudeCodeRow) }),
  (v) => v.rows.map((r) => r.date),
);

export const labels: Shape<Labels> = object<Labels>({
  organization: opt(object({ id: str, name: str })),
  workspaces: array(object({ id: str, name: str, archived: bool })),
  apiKeys: array(object<Labels['apiKeys'][number]>({ id: str, name: str, workspaceId: nstr, hint: opt(str) })),
  users: array(object({ id: str, email: str, name: str })),
});

const family: Shape<RateLimitFamily> = object<RateLimitFamily>({ limit: opt(int), remaining: opt(int), reset: opt(nonEmptyStr) });

const unified: Shape<UnifiedRateLimit> = object<UnifiedRateLimit>({
  status: opt(str),
  fiveHourUtilization: opt(num),
  sevenDayUtilization: opt(num),
  fiveHourReset: opt(num),
  sevenDayReset: opt(num),
  representativeClaim: opt(str),
  overage: opt(record(str, 1000)),
});

export const rateLimitSnapshot: Shape<RateLimitSnapshot> = object<RateLimitSnapshot>({
  model: nonEmptyStr,
  takenAt: isoTime,
  requestId: opt(str),
  organizationId: opt(str),
  workspaceId: opt(str),
  requests: opt(family),
  inputTokens: opt(family),
  outputTokens: opt(family),
  tokens: opt(family),
  priorityInput: opt(family),
  priorityOutput: opt(family),
  fastInput: opt(family),
  fastOutput: opt(family),
  unified: opt(unified),
  probeUsage: object({ inputTokens: count, outputTokens: count }),
});

export const rateLimitData: Shape<RateLimitData> = object<RateLimitData>({
  current: rateLimitSnapshot,
  history: array(rateLimitSnapshot, 100_000),
  probeSpendToday: object({ date: isoDay, probes: count, inputTokens: count, outputTokens: count, costUsd: decimal }),
});

const localWindow: Shape<LocalWindow> = object<LocalWindow>({
  start: isoTime,
  end: isoTime,
  tokens: count,
  costUsd: decimal,
  burnTokensPerHour: between(0, Number.MAX_VALUE),
  burnUsdPerHour: decimal,
  projectedCostUsd: decimal,
  active: bool,
});

const localDay: Shape<LocalUsageDay> = object<LocalUsageDay>({
  date: isoDay,
  project: str,
  model: str,
  costUsd: nullable(decimal),
  input: count,
  output: count,
  cacheWrite5m: count,
  cacheWrite1h: count,
  cacheRead: count,
});

const localSession: Shape<LocalSession> = object<LocalSession>({
  sessionId: str,
  project: str,
  first: isoTime,
  last: isoTime,
  tokens: count,
  costUsd: nullable(decimal),
  models: array(str),
});

export const localUsageData: Shape<LocalUsageData> = object<LocalUsageData>({
  timezone: nonEmptyStr,
  days: array(localDay),
  currentWindow: opt(localWindow),
  unpricedModels: array(str),
  skippedLines: count,
  files: count,
  roots: array(str),
  windows: opt(array(localWindow)),
  sessions: opt(array(localSession)),
  cacheHitShare: opt(between(0, 1)),
  pricesAsOf: opt(str),
  unpricedTokens: opt(record(object({ input: count, output: count, cacheWrite5m: count, cacheWrite1h: count, cacheRead: count }))),
  skipped: opt(object({ corrupt: count, tooLarge: count, synthetic: count, apiError: count, replay: count, duplicate: count })),
  missing: opt(object({ files: count, entries: count, tokens: count, costUsd: decimal })),
  projectDetailSince: opt(isoDay),
  indexDir: opt(str),
  computedAt: opt(isoTime),
});

export function sourceState<T>(data: Shape<T>): Shape<SourceState<T>> {
  return object<SourceState<T>>({
    data: opt(data) as Fields<SourceState<T>>['data'],
    fetchedAt: opt(isoTime),
    attemptedAt: opt(isoTime),
    error: opt(apiErrorInit),
    stale: bool,
    loading: bool,
    nextAttemptAt: opt(isoTime),
  });
}

/** The check of each source kept in the shared snapshot. */
export const SHARED_SOURCE_SHAPES = {
  rateLimits: sourceState(rateLimitData),
  costs: sourceState(costData),
  tokens: sourceState(tokenData),
  claudeCode: sourceState(claudeCodeData),
  labels: sourceState(labels),
  local: sourceState(localUsageData),
} as const satisfies Record<Exclude<SourceName, 'plan'>, Shape<SourceState<unknown>>>; // every source but the window-only plan

export const snapshotVersion = literal(1);
