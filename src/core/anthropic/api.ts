/**
 * The one interface every consumer (store, CLI, benchmarks) uses to read Anthropic. Implemented over
 * undici in `client.ts` (`createAnthropicClient`). A second implementation (e.g. the beta
 * /v1/organizations/analytics endpoints) can be added behind the same interface.
 */
import type {
  ApiKeyInfo,
  ClaudeCodeRecord,
  CostBucket,
  CostQuery,
  Organization,
  OrgUser,
  RateLimitSnapshot,
  UsageBucket,
  UsageQuery,
  Workspace,
} from './types';

/** One line per HTTP attempt, for the log. Never contains a key. */
export interface RequestLogEntry {
  method: string;
  /** Path without the query string, e.g. `/v1/organizations/cost_report`. */
  path: string;
  status?: number;
  durationMs: number;
  requestId?: string;
  attempt: number;
  /** Set when the attempt failed before a status (timeout, network). */
  error?: string;
}

/** Defaults of `ClientOptions`; here (not in `http.ts`) so the CLI and host read them without loading undici. */
export const DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const DEFAULT_TIMEOUT_MS = 20_000;
export const DEFAULT_DEADLINE_MS = 60_000;
export const DEFAULT_MAX_ATTEMPTS = 3;

export interface ClientOptions {
  /** Default `https://api.anthropic.com`. */
  baseUrl?: string;
  /** A standard (`sk-ant-api...`) or Admin (`sk-ant-admin...`) key. Never logged or echoed. */
  apiKey: string;
  /** Per-request timeout, default 20 000 ms. */
  timeoutMs?: number;
  /** Overall deadline for one logical call including retries and pagination, default 60 000 ms. */
  deadlineMs?: number;
  /** At most this many attempts per HTTP request (default 3). */
  maxAttempts?: number;
  /** Explicit proxy URL (VS Code's `http.proxy`); otherwise HTTPS_PROXY/HTTP_PROXY/NO_PROXY. */
  proxyUrl?: string;
  /** VS Code's `http.proxyStrictSSL` (default true). */
  strictSSL?: boolean;
  /** Called once per HTTP attempt. */
  onRequest?: (entry: RequestLogEntry) => void;
  /** For tests: replaces the backoff sleep. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Where HTTPS_PROXY/HTTP_PROXY/NO_PROXY are read from (default `process.env`); the CLI passes its io env. */
  proxyEnv?: Record<string, string | undefined>;
  /** The time probes are stamped with and HTTP-date `retry-after` is measured against (default `systemClock`). */
  clock?: import('../clock').Clock;
  /** For tests: a ready undici dispatcher instead of the proxy/TLS choice above. */
  dispatcher?: import('undici').Dispatcher;
  /** For tests: the jitter source (default `Math.random`). */
  random?: () => number;
  /** Page size of the label list endpoints (default and maximum 1000); tests force small pages. */
  labelPageSize?: number;
  /** Page size of the Claude Code endpoint (default and maximum 1000). */
  claudeCodePageSize?: number;
}

export interface AnthropicApi {
  /** POST /v1/messages with max_tokens 1; needs a standard key. */
  probeRateLimits(model: string, signal?: AbortSignal): Promise<RateLimitSnapshot>;
  /** GET usage_report/messages, following next_page to the end. */
  usageReport(query: UsageQuery, signal?: AbortSignal): Promise<UsageBucket[]>;
  /** GET cost_report (1d buckets), following next_page to the end. */
  costReport(query: CostQuery, signal?: AbortSignal): Promise<CostBucket[]>;
  /** GET usage_report/claude_code for one UTC day (`YYYY-MM-DD`), all pages. */
  claudeCodeDay(day: string, signal?: AbortSignal): Promise<ClaudeCodeRecord[]>;
  /** Every UTC day in [since, until) with at most `concurrency` (default 4) days in flight. */
  claudeCodeRange(
    since: string,
    until: string,
    options?: { signal?: AbortSignal; concurrency?: number; skipDays?: ReadonlySet<string> },
  ): Promise<Map<string, ClaudeCodeRecord[]>>;
  me(signal?: AbortSignal): Promise<Organization>;
  workspaces(signal?: AbortSignal): Promise<Workspace[]>;
  apiKeys(signal?: AbortSignal): Promise<ApiKeyInfo[]>;
  users(signal?: AbortSignal): Promise<OrgUser[]>;
  /** Releases sockets (the undici dispatcher). */
  close(): Promise<void>;
}

export type KeyKind = 'standard' | 'admin' | 'unknown';

/** Classifies a key by its prefix only; never returns or logs the key. */
export function keyKind(key: string): KeyKind {
  if (key.startsWith('sk-ant-admin')) return 'admin';
  if (key.startsWith('sk-ant-api')) return 'standard';
  return 'unknown';
}
