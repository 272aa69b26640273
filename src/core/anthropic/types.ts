/**
 * Parsed, validated shapes of the four Anthropic sources (see shared/docs/anthropic-api.md).
 * Money is always `Decimal` in USD (cent strings are converted exactly on arrival); tokens are integers.
 */
import type { Decimal } from '../decimal';

// ---------- Rate limits (POST /v1/messages headers) ----------

export interface RateLimitFamily {
  limit?: number;
  remaining?: number;
  /** RFC 3339 reset time as sent. */
  reset?: string;
}

export interface UnifiedRateLimit {
  status?: 'allowed' | 'allowed_warning' | 'rejected' | string;
  fiveHourUtilization?: number;
  sevenDayUtilization?: number;
  /** Epoch seconds. */
  fiveHourReset?: number;
  sevenDayReset?: number;
  representativeClaim?: string;
  /** Every `anthropic-ratelimit-unified-overage-*` header, suffix to raw value. */
  overage?: Record<string, string>;
}

export interface RateLimitSnapshot {
  model: string;
  /** ISO time the probe response arrived. */
  takenAt: string;
  requestId?: string;
  organizationId?: string;
  workspaceId?: string;
  requests?: RateLimitFamily;
  inputTokens?: RateLimitFamily;
  outputTokens?: RateLimitFamily;
  tokens?: RateLimitFamily;
  priorityInput?: RateLimitFamily;
  priorityOutput?: RateLimitFamily;
  fastInput?: RateLimitFamily;
  fastOutput?: RateLimitFamily;
  unified?: UnifiedRateLimit;
  /** What the probe itself spent. */
  probeUsage: { inputTokens: number; outputTokens: number };
}

// ---------- Usage report ----------

export type BucketWidth = '1m' | '1h' | '1d';

export type UsageGroupBy =
  | 'api_key_id'
  | 'workspace_id'
  | 'model'
  | 'service_tier'
  | 'context_window'
  | 'inference_geo'
  | 'account_id'
  | 'service_account_id'
  | 'speed';

export interface UsageQuery {
  /** RFC 3339 or YYYY-MM-DD (treated as UTC midnight). */
  startingAt: string;
  endingAt?: string;
  bucketWidth?: BucketWidth;
  groupBy?: UsageGroupBy[];
  limit?: number;
  apiKeyIds?: string[];
  workspaceIds?: string[];
  models?: string[];
  serviceTiers?: string[];
  contextWindow?: string[];
  inferenceGeos?: string[];
  accountIds?: string[];
  serviceAccountIds?: string[];
  speeds?: string[];
}

export interface TokenCounts {
  uncachedInput: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  output: number;
  webSearches: number;
}

export interface UsageResult extends TokenCounts {
  model: string | null;
  apiKeyId: string | null;
  workspaceId: string | null;
  serviceTier: string | null;
  contextWindow: string | null;
  inferenceGeo: string | null;
  accountId: string | null;
  serviceAccountId: string | null;
  speed: string | null;
}

export interface UsageBucket {
  startingAt: string;
  endingAt: string;
  results: UsageResult[];
}

// ---------- Cost report ----------

export type CostGroupBy = 'workspace_id' | 'description';

export interface CostQuery {
  startingAt: string;
  endingAt?: string;
  groupBy?: CostGroupBy[];
  limit?: number;
}

export interface CostResult {
  /** Exact USD (the API's cent string divided by 100 exactly). */
  amountUsd: Decimal;
  /** The cent string exactly as the API sent it. */
  amountCentsRaw: string;
  currency: string;
  costType: string | null;
  description: string | null;
  model: string | null;
  tokenType: string | null;
  serviceTier: string | null;
  contextWindow: string | null;
  inferenceGeo: string | null;
  workspaceId: string | null;
}

export interface CostBucket {
  startingAt: string;
  endingAt: string;
  results: CostResult[];
}

// ---------- Claude Code analytics ----------

export type ClaudeCodeActor =
  | { type: 'user_actor'; emailAddress: string }
  | { type: 'api_actor'; apiKeyName: string };

export interface ClaudeCodeModelBreakdown {
  model: string;
  tokens: { input: number; output: number; cacheRead: number; cacheCreation: number };
  /** Exact USD from `estimated_cost.amount` (cents). */
  estimatedCostUsd: Decimal;
}

export interface ClaudeCodeRecord {
  /** UTC day `YYYY-MM-DD` (both wire forms normalised). */
  date: string;
  actor: ClaudeCodeActor;
  organizationId: string;
  customerType: string;
  subscriptionType: string | null;
  terminalType: string;
  isRemote?: boolean;
  sessions: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  toolActions: Record<string, { accepted: number; rejected: number }>;
  modelBreakdown: ClaudeCodeModelBreakdown[];
}

// ---------- Labels ----------

export interface Organization {
  id: string;
  name: string;
}
export interface Workspace {
  id: string;
  name: string;
  displayColor?: string;
  archivedAt?: string | null;
}
export interface ApiKeyInfo {
  id: string;
  name: string;
  partialKeyHint?: string;
  status?: string;
  workspaceId?: string | null;
}
export interface OrgUser {
  id: string;
  email: string;
  name: string;
  role?: string;
}

/** Display label for a workspace id; `null` is the Default workspace. */
export function workspaceLabel(id: string | null, workspaces: readonly Workspace[] = []): string {
  if (id === null) return 'Default';
  return workspaces.find((w) => w.id === id)?.name ?? id;
}

export function actorLabel(actor: ClaudeCodeActor): string {
  return actor.type === 'user_actor' ? actor.emailAddress : actor.apiKeyName;
}
