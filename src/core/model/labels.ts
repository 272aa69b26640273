/**
 * The names things go by on every surface: token types, rate-limit families, cost groups, workspaces,
 * key sources and data sources. One label per concept; the status bar, trees, dashboard and exports use these.
 */
import type { ApiErrorKind } from '../anthropic/errors';
import type { RateLimitFamily, RateLimitSnapshot } from '../anthropic/types';
import type { CostGrouping } from './settings';
import type { CostRow, KeySource, Labels, SourceName, TokenRow } from './snapshot';

/** Token types of the usage report, with the cost report's `token_type` for each. */
export const TOKEN_TYPES = [
  { key: 'uncachedInput', apiName: 'uncached_input_tokens', label: 'Uncached input' },
  { key: 'cacheWrite5m', apiName: 'cache_creation.ephemeral_5m_input_tokens', label: 'Cache write (5 min)' },
  { key: 'cacheWrite1h', apiName: 'cache_creation.ephemeral_1h_input_tokens', label: 'Cache write (1 h)' },
  { key: 'cacheRead', apiName: 'cache_read_input_tokens', label: 'Cache read' },
  { key: 'output', apiName: 'output_tokens', label: 'Output' },
] as const satisfies readonly { key: keyof TokenRow; apiName: string; label: string }[];
export type TokenType = (typeof TOKEN_TYPES)[number]['key'];
export const TOKEN_TYPE_KEYS: readonly TokenType[] = TOKEN_TYPES.map((t) => t.key);
export const TOKEN_TYPE_LABEL: Readonly<Record<TokenType, string>> = Object.fromEntries(TOKEN_TYPES.map((t) => [t.key, t.label])) as Record<TokenType, string>;

/** The label of a cost report `token_type` (or of a non-token cost type). */
export function costTypeLabel(tokenTypeOrCostType: string): string {
  return TOKEN_TYPES.find((t) => t.apiName === tokenTypeOrCostType)?.label ?? COST_TYPE_LABEL[tokenTypeOrCostType] ?? tokenTypeOrCostType.replace(/_/g, ' ');
}

/** Rate-limit families of the probe's headers, in canonical order. */
export const RATE_FAMILIES = [
  { key: 'requests', label: 'Requests per minute', short: 'RPM' },
  { key: 'inputTokens', label: 'Input tokens per minute', short: 'ITPM' },
  { key: 'outputTokens', label: 'Output tokens per minute', short: 'OTPM' },
  { key: 'tokens', label: 'Tokens per minute (combined)', short: 'TPM' },
  { key: 'priorityInput', label: 'Priority input tokens per minute', short: 'P-ITPM' },
  { key: 'priorityOutput', label: 'Priority output tokens per minute', short: 'P-OTPM' },
  { key: 'fastInput', label: 'Fast-mode input tokens per minute', short: 'F-ITPM' },
  { key: 'fastOutput', label: 'Fast-mode output tokens per minute', short: 'F-OTPM' },
] as const satisfies readonly { key: keyof RateLimitSnapshot; label: string; short: string }[];
export type RateFamilyKey = (typeof RATE_FAMILIES)[number]['key'];

/** A family's numbers from a probe, `undefined` when the headers had none. */
export function familyOf(snap: RateLimitSnapshot, key: RateFamilyKey): RateLimitFamily | undefined {
  return snap[key];
}

const COST_TYPE_LABEL: Readonly<Record<string, string>> = {
  web_search: 'Web search',
  code_execution: 'Code execution',
  session_usage: 'Session usage',
  tokens: 'Tokens (model not reported)',
};

export const GROUPING_TITLES: Readonly<Record<CostGrouping, string>> = { model: 'Model', workspace: 'Workspace', description: 'Cost description' };

/** The Default workspace (`workspace_id: null`) is "Default"; an unknown id shows as itself. */
export function workspaceName(id: string | null, labels?: Pick<Labels, 'workspaces'>): string {
  if (id === null) return 'Default';
  return labels?.workspaces.find((w) => w.id === id)?.name ?? id;
}

/** The group a cost row belongs to under `grouping` (the tree, the dashboard and exports agree). */
export function costGroup(row: CostRow, grouping: CostGrouping, labels?: Pick<Labels, 'workspaces'>): string {
  switch (grouping) {
    case 'model':
      return row.model ?? (row.costType ? (COST_TYPE_LABEL[row.costType] ?? row.costType) : 'Not attributed to a model');
    case 'workspace':
      return workspaceName(row.workspaceId, labels);
    case 'description':
      return row.description ?? 'No description';
  }
}

export const KEY_SOURCE_LABEL: Readonly<Record<KeySource, string>> = {
  secretStorage: 'SecretStorage',
  environment: 'environment variable',
  none: 'not set',
};

/** How a source is named in sentences ("Costs: …", "Updated: costs 3 min ago"). */
export const SOURCE_TITLES: Readonly<Record<SourceName, string>> = {
  rateLimits: 'Rate limits',
  costs: 'Costs',
  tokens: 'Tokens',
  claudeCode: 'Claude Code analytics',
  labels: 'Organization names',
  local: 'Local transcripts',
  plan: 'Plan limits',
};

/** An error as a few words for tight spaces (the status bar): what is wrong, not the whole sentence. */
export const ERROR_SHORT: Readonly<Record<ApiErrorKind, string>> = {
  auth: 'key rejected',
  needsAdminKey: 'Admin key needed',
  permission: 'no permission',
  rateLimited: 'rate limited',
  spendCap: 'spend cap reached',
  orgSpendLimit: 'spend limit reached',
  overloaded: 'overloaded',
  server: 'server error',
  badRequest: 'request rejected',
  timeout: 'timed out',
  network: 'offline',
  invalidResponse: 'unexpected response',
  paginationLoop: 'unexpected response',
  cancelled: 'cancelled',
};
