/**
 * `createAnthropicClient`: the undici implementation of `AnthropicApi` (api.ts) over `HttpTransport`
 * (http.ts) and the zod schemas (schemas.ts). No vscode import.
 */
import type { z } from 'zod';
import type { AnthropicApi, ClientOptions } from './api';
import { ApiError } from './errors';
import { HttpTransport, type CallContext, type HttpRequest } from './http';
import { parseRateLimitHeaders } from './rateLimitHeaders';
import {
  apiKeySchema,
  claudeCodePageSchema,
  costPageSchema,
  listSchema,
  messagesBodySchema,
  organizationSchema,
  toClaudeCodeRecords,
  toCostBuckets,
  toUsageBuckets,
  usagePageSchema,
  userSchema,
  validate,
  workspaceSchema,
} from './schemas';
import type { ClaudeCodeRecord, CostBucket, CostQuery, UsageBucket, UsageQuery } from './types';

export const ENDPOINTS = {
  messages: '/v1/messages',
  usage: '/v1/organizations/usage_report/messages',
  cost: '/v1/organizations/cost_report',
  claudeCode: '/v1/organizations/usage_report/claude_code',
  me: '/v1/organizations/me',
  workspaces: '/v1/organizations/workspaces',
  apiKeys: '/v1/organizations/api_keys',
  users: '/v1/organizations/users',
} as const;

/** Largest page the label list endpoints allow. */
const LABEL_PAGE = 1000;
/** Largest Claude Code page. */
const CLAUDE_CODE_PAGE = 1000;

type Query = Array<[string, string]>;

/** `YYYY-MM-DD` → `YYYY-MM-DDT00:00:00Z`; RFC 3339 passes through. */
export function toRfc3339(value: string): string {
  return /^\d{4}-\d{2}-\d{2}$/.test(value) ? `${value}T00:00:00Z` : value;
}

/** Every UTC day in [since, until), as `YYYY-MM-DD`. */
export function daysInRange(since: string, until: string): string[] {
  const out: string[] = [];
  const end = Date.parse(`${until.slice(0, 10)}T00:00:00Z`);
  for (let t = Date.parse(`${since.slice(0, 10)}T00:00:00Z`); t < end; t += 86_400_000) {
    out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

function arrayParam(q: Query, name: string, values: readonly string[] | undefined): void {
  for (const v of values ?? []) q.push([`${name}[]`, v]);
}

export function usageQueryParams(query: UsageQuery): Query {
  const q: Query = [['starting_at', toRfc3339(query.startingAt)]];
  if (query.endingAt) q.push(['ending_at', toRfc3339(query.endingAt)]);
  if (query.bucketWidth) q.push(['bucket_width', query.bucketWidth]);
  if (query.limit !== undefined) q.push(['limit', String(query.limit)]);
  arrayParam(q, 'group_by', query.groupBy);
  arrayParam(q, 'api_key_ids', query.apiKeyIds);
  arrayParam(q, 'workspace_ids', query.workspaceIds);
  arrayParam(q, 'models', query.models);
  arrayParam(q, 'service_tiers', query.serviceTiers);
  arrayParam(q, 'context_window', query.contextWindow);
  arrayParam(q, 'inference_geos', query.inferenceGeos);
  arrayParam(q, 'account_ids', query.accountIds);
  arrayParam(q, 'service_account_ids', query.serviceAccountIds);
  arrayParam(q, 'speeds', query.speeds);
  return q;
}

export function costQueryParams(query: CostQuery): Query {
  const q: Query = [['starting_at', toRfc3339(query.startingAt)]];
  if (query.endingAt) q.push(['ending_at', toRfc3339(query.endingAt)]);
  q.push(['bucket_width', '1d']);
  if (query.limit !== undefined) q.push(['limit', String(query.limit)]);
  arrayParam(q, 'group_by', query.groupBy);
  return q;
}

function paginationLoop(endpoint: string, requestId: string | undefined): ApiError {
  return new ApiError({
    kind: 'paginationLoop',
    message: `Anthropic returned the same page cursor twice (${endpoint}); stopped to avoid an endless loop. Try again later.`,
    endpoint,
    requestId,
  });
}

class AnthropicClient implements AnthropicApi {
  private readonly http: HttpTransport;
  private readonly labelPage: number;
  private readonly claudeCodePage: number;

  constructor(options: ClientOptions) {
    this.http = new HttpTransport(options);
    this.labelPage = options.labelPageSize ?? LABEL_PAGE;
    this.claudeCodePage = options.claudeCodePageSize ?? CLAUDE_CODE_PAGE;
  }

  async probeRateLimits(model: string, signal?: AbortSignal) {
    const ctx = this.http.newCall(signal);
    const req: HttpRequest = {
      method: 'POST',
      path: ENDPOINTS.messages,
      admin: false,
      body: { model, max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] },
    };
    const res = await this.http.send(req, ctx);
    const body = validate(messagesBodySchema, res.json, { endpoint: req.path, requestId: res.requestId, status: res.status });
    return parseRateLimitHeaders(model, res.headers, {
      inputTokens: body.usage.input_tokens,
      outputTokens: body.usage.output_tokens,
    }, new Date(this.http.clock.now()));
  }

  /** Follows `next_page` to the end; a cursor seen twice is a `paginationLoop`. */
  private async allPages<S extends z.ZodTypeAny, T>(
    path: string,
    query: Query,
    schema: S,
    convert: (page: z.output<S>) => T[],
    ctx: CallContext,
  ): Promise<T[]> {
    const out: T[] = [];
    const seen = new Set<string>();
    let cursor: string | null = null;
    for (;;) {
      const q: Query = cursor === null ? query : [...query, ['page', cursor]];
      const res = await this.http.send({ method: 'GET', path, query: q, admin: true }, ctx);
      const page = validate(schema, res.json, { endpoint: path, requestId: res.requestId, status: res.status }) as z.output<S> & {
        has_more: boolean;
        next_page: string | null;
      };
      out.push(...convert(page));
      if (!page.has_more || !page.next_page) return out;
      if (seen.has(page.next_page)) throw paginationLoop(path, res.requestId);
      seen.add(page.next_page);
      cursor = page.next_page;
    }
  }

  usageReport(query: UsageQuery, signal?: AbortSignal): Promise<UsageBucket[]> {
    return this.allPages(ENDPOINTS.usage, usageQueryParams(query), usagePageSchema, toUsageBuckets, this.http.newCall(signal));
  }

  costReport(query: CostQuery, signal?: AbortSignal): Promise<CostBucket[]> {
    return this.allPages(ENDPOINTS.cost, costQueryParams(query), costPageSchema, toCostBuckets, this.http.newCall(signal));
  }

  claudeCodeDay(day: string, signal?: AbortSignal): Promise<ClaudeCodeRecord[]> {
    const q: Query = [
      ['starting_at', day.slice(0, 10)],
      ['limit', String(this.claudeCodePage)],
    ];
    return this.allPages(ENDPOINTS.claudeCode, q, claudeCodePageSchema, toClaudeCodeRecords, this.http.newCall(signal));
  }

  async claudeCodeRange(
    since: string,
    until: string,
    options: { signal?: AbortSignal; concurrency?: number; skipDays?: ReadonlySet<string> } = {},
  ): Promise<Map<string, ClaudeCodeRecord[]>> {
    const days = daysInRange(since, until).filter((d) => !options.skipDays?.has(d));
    const concurrency = Math.max(1, Math.min(4, options.concurrency ?? 4));
    const result = new Map<string, ClaudeCodeRecord[]>();
    // One failure stops the rest: in-flight days are aborted, no new day starts.
    const stop = new AbortController();
    const onAbort = () => stop.abort(options.signal?.reason);
    options.signal?.addEventListener('abort', onAbort, { once: true });
    let next = 0;
    let failure: unknown;
    const worker = async () => {
      while (next < days.length && failure === undefined) {
        const day = days[next++]!;
        try {
          result.set(day, await this.claudeCodeDay(day, stop.signal));
        } catch (e) {
          if (failure === undefined) failure = e;
          stop.abort(e);
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, days.length) }, worker));
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
    if (failure !== undefined) throw failure;
    return new Map(days.filter((d) => result.has(d)).map((d) => [d, result.get(d)!]));
  }

  /** Cursor pagination of the admin list endpoints (`after_id` = `last_id` while `has_more`). */
  private async list<S extends z.ZodTypeAny>(
    path: string,
    item: S,
    signal?: AbortSignal,
    extraQuery: Query = [],
  ): Promise<z.output<S>[]> {
    const ctx = this.http.newCall(signal);
    const schema = listSchema(item);
    const out: z.output<S>[] = [];
    const seen = new Set<string>();
    let after: string | undefined;
    for (;;) {
      const q: Query = [['limit', String(this.labelPage)], ...extraQuery];
      if (after !== undefined) q.push(['after_id', after]);
      const res = await this.http.send({ method: 'GET', path, query: q, admin: true }, ctx);
      const page = validate(schema, res.json, { endpoint: path, requestId: res.requestId, status: res.status });
      out.push(...(page.data as z.output<S>[]));
      const last = page.last_id ?? undefined;
      if (!page.has_more || !last) return out;
      if (seen.has(last)) throw paginationLoop(path, res.requestId);
      seen.add(last);
      after = last;
    }
  }

  async me(signal?: AbortSignal) {
    const ctx = this.http.newCall(signal);
    const res = await this.http.send({ method: 'GET', path: ENDPOINTS.me, admin: true }, ctx);
    return validate(organizationSchema, res.json, { endpoint: ENDPOINTS.me, requestId: res.requestId, status: res.status });
  }

  /** Archived workspaces included: past costs still name them. */
  workspaces(signal?: AbortSignal) {
    return this.list(ENDPOINTS.workspaces, workspaceSchema, signal, [['include_archived', 'true']]);
  }

  apiKeys(signal?: AbortSignal) {
    return this.list(ENDPOINTS.apiKeys, apiKeySchema, signal);
  }

  users(signal?: AbortSignal) {
    return this.list(ENDPOINTS.users, userSchema, signal);
  }

  close(): Promise<void> {
    return this.http.close();
  }
}

export function createAnthropicClient(options: ClientOptions): AnthropicApi {
  return new AnthropicClient(options);
}
