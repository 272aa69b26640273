/**
 * What the store holds and every view renders: plain JSON (money as exact decimal strings in USD),
 * so it can be persisted to disk, shared between windows and posted to the webview unchanged.
 * Never contains a key. Views derive everything else (groupings, totals, projections) from it.
 */
import type { ApiErrorInit } from '../anthropic/errors';
import type { RateLimitSnapshot, TokenCounts } from '../anthropic/types';
import type { TokenCounts as LocalTokenCounts } from '../pricing';
import type { PlanData } from '../plan/types';

export const SNAPSHOT_VERSION = 1;

/** The sources the store fetches; each has its own `SourceState` in the snapshot. */
export const SOURCE_NAMES = ['rateLimits', 'costs', 'tokens', 'claudeCode', 'labels', 'local', 'plan'] as const;
export type SourceName = (typeof SOURCE_NAMES)[number];
/** Sources every window reads for itself from a file the whole machine shares (never through the lease,
 *  never persisted in the shared snapshot): plan limits from Claude Code's status line. */
export const WINDOW_SOURCES: readonly SourceName[] = ['plan'];
/** The sources kept in the shared snapshot on disk. */
export const SHARED_SOURCES: readonly SourceName[] = SOURCE_NAMES.filter((s) => !WINDOW_SOURCES.includes(s));
/** The sources that need an Admin key. */
export const ADMIN_SOURCES: readonly SourceName[] = ['costs', 'tokens', 'claudeCode', 'labels'];

/** Where a key came from; the UI says which source is in use. */
export type KeySource = 'secretStorage' | 'environment' | 'none';

export interface KeyStatus {
  api: KeySource;
  admin: KeySource;
}

/** One source's state: the last good data is kept when a refresh fails. */
export interface SourceState<T> {
  data?: T;
  /** ISO time of the last successful fetch (age shown in the UI). */
  fetchedAt?: string;
  /** ISO time of the last attempt, successful or not. */
  attemptedAt?: string;
  /** The last failure; cleared by the next success. */
  error?: ApiErrorInit;
  /** True when `data` is older than the source's refresh interval or the last attempt failed. */
  stale: boolean;
  loading: boolean;
  /** ISO time of the next scheduled attempt (after back-off, if any). */
  nextAttemptAt?: string;
}

/** One cost-report result, fetched with group_by[]=workspace_id&group_by[]=description so that by-model,
 *  by-workspace and by-description views all derive from one request. */
export interface CostRow {
  /** UTC day `YYYY-MM-DD`. */
  date: string;
  workspaceId: string | null;
  description: string | null;
  model: string | null;
  costType: string | null;
  tokenType: string | null;
  serviceTier: string | null;
  contextWindow: string | null;
  /** Exact USD as a decimal string. */
  amountUsd: string;
}

/** One usage-report result (exact tokens). */
export interface TokenRow extends TokenCounts {
  /** Bucket start: `YYYY-MM-DD` for daily rows, full ISO time for hourly rows. */
  start: string;
  model: string | null;
  workspaceId: string | null;
  apiKeyId: string | null;
  serviceTier: string | null;
}

export interface CostData {
  /** Days covered, inclusive start, exclusive end (`YYYY-MM-DD`). */
  since: string;
  until: string;
  rows: CostRow[];
}

export interface TokenData {
  since: string;
  until: string;
  /** 1d buckets grouped by model, workspace_id, api_key_id, service_tier. */
  daily: TokenRow[];
  /** 1h buckets grouped by model for the last 7 days. */
  hourly: TokenRow[];
}

/** Claude Code analytics, one entry per record (several per actor per day are normal). */
export interface ClaudeCodeRow {
  date: string;
  actor: string;
  actorType: 'user_actor' | 'api_actor';
  terminalType: string;
  customerType: string;
  isRemote?: boolean;
  sessions: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  toolActions: Record<string, { accepted: number; rejected: number }>;
  models: { model: string; input: number; output: number; cacheRead: number; cacheCreation: number; costUsd: string }[];
}

export interface ClaudeCodeData {
  since: string;
  until: string;
  rows: ClaudeCodeRow[];
}

export interface Labels {
  organization?: { id: string; name: string };
  workspaces: { id: string; name: string; archived: boolean }[];
  apiKeys: { id: string; name: string; workspaceId: string | null; hint?: string }[];
  users: { id: string; email: string; name: string }[];
}

export interface RateLimitData {
  current: RateLimitSnapshot;
  /** Probe snapshots since start-up, oldest first (bounded). */
  history: RateLimitSnapshot[];
  /** Tokens the probes themselves spent today (UTC) and their estimated cost. */
  probeSpendToday: { date: string; probes: number; inputTokens: number; outputTokens: number; costUsd: string };
}

/** Claude Code usage read from this machine's transcripts (API-equivalent estimate). */
export interface LocalUsageDay extends LocalTokenCounts {
  /** Day in the chosen time zone. */
  date: string;
  project: string;
  model: string;
  /** Estimated USD; `null` when the model is unpriced. */
  costUsd: string | null;
}

export interface LocalWindow {
  start: string;
  end: string;
  tokens: number;
  costUsd: string;
  /** Over the last 30 minutes. */
  burnTokensPerHour: number;
  burnUsdPerHour: string;
  projectedCostUsd: string;
  active: boolean;
}

export interface LocalUsageData {
  timezone: string;
  days: LocalUsageDay[];
  currentWindow?: LocalWindow;
  unpricedModels: string[];
  skippedLines: number;
  files: number;
  /** Folders scanned. */
  roots: string[];
  /** 5-hour windows that ended in the last 7 days, oldest first. */
  windows?: LocalWindow[];
  sessions?: LocalSession[];
  /** cacheRead / (input + cacheWrite + cacheRead), 0..1. */
  cacheHitShare?: number;
  /** Date the built-in price table was taken. */
  pricesAsOf?: string;
  /** Tokens of unpriced models (reported, never priced at $0). */
  unpricedTokens?: Record<string, { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number }>;
  /**
   * Usage lines read but not counted, by reason: `corrupt` (unparseable or impossible values) and `tooLarge`
   * (over 16 MiB; both also in `skippedLines`), `synthetic` (`<synthetic>` model), `apiError`
   * (`isApiErrorMessage`), `replay` (a `/btw` sidechain copy of a parent's message), `duplicate` (further
   * copies of a counted entry: streamed content blocks, resumed sessions, sub-agent copies).
   */
  skipped?: { corrupt: number; tooLarge: number; synthetic: number; apiError: number; replay: number; duplicate: number };
  /** Usage within `days` that the index keeps from transcripts no longer on disk (Claude Code deletes old
   *  ones); `files`: transcripts the index knows that are gone. Counted in `days` like everything else. */
  missing?: { files: number; entries: number; tokens: number; costUsd: string };
  /** When set, `days` rows before this local day are per (day, model) with `project` '' (the per-project
   *  rows the tree shows cover the days from it on); the extension keeps 14 days of project detail. */
  projectDetailSince?: string;
  /** The persistent index folder (`claude-usage local --index <dir>` reads the same index). */
  indexDir?: string;
  /** ISO instant these figures were computed (a window's `active` is as of then; `end` is absolute). */
  computedAt?: string;
}

export interface LocalSession {
  sessionId: string;
  project: string;
  /** ISO times of the first and last entry. */
  first: string;
  last: string;
  tokens: number;
  /** Priced models only; `null` when nothing in the session is priced. */
  costUsd: string | null;
  models: string[];
}

/** The plan-limits state file's content, and whether Claude Code's status line runs ours (Connect). */
export interface PlanSource extends PlanData {
  connected: boolean;
}

export interface StoreSnapshot {
  version: typeof SNAPSHOT_VERSION;
  /** ISO time this snapshot was produced. */
  producedAt: string;
  /** False until the store has resolved the keys at start-up (views show "loading", never "no key", before). */
  ready: boolean;
  keys: KeyStatus;
  rateLimits: SourceState<RateLimitData>;
  costs: SourceState<CostData>;
  tokens: SourceState<TokenData>;
  claudeCode: SourceState<ClaudeCodeData>;
  labels: SourceState<Labels>;
  local: SourceState<LocalUsageData>;
  /** Plan limits (Claude Pro/Max) as Claude Code's status line recorded them. */
  plan: SourceState<PlanSource>;
}

export function emptySource<T>(): SourceState<T> {
  return { stale: false, loading: false };
}

export function emptySnapshot(now: Date): StoreSnapshot {
  return {
    version: SNAPSHOT_VERSION,
    producedAt: now.toISOString(),
    ready: false,
    keys: { api: 'none', admin: 'none' },
    rateLimits: emptySource(),
    costs: emptySource(),
    tokens: emptySource(),
    claudeCode: emptySource(),
    labels: emptySource(),
    local: emptySource(),
    plan: emptySource(),
  };
}
