/**
 * The local Anthropic server: a faithful test double of the endpoints in shared/docs/anthropic-api.md,
 * over node:http, serving a deterministic seeded organization (org.ts) with fault injection.
 *
 * Auth rules (documented choice):
 * - `POST /v1/messages` needs the standard key in `x-api-key`. No key: 401 authentication_error
 *   "x-api-key header is required"; an unknown key or the Admin key: 401 authentication_error
 *   "invalid x-api-key".
 * - `/v1/organizations/*` needs the Admin key in `x-api-key` or as `Authorization: Bearer <admin key>`.
 *   The valid STANDARD key gets 403 permission_error (it is a real key, just not allowed here); an unknown
 *   key gets 401 authentication_error; no key 401.
 * - Every `/v1` request must send `anthropic-version` (400 invalid_request_error otherwise).
 * - Unknown model on /v1/messages: 404 not_found_error "model: <id>" (what the real API answers).
 *
 * Everything answers with a `request-id` header; error bodies are
 * `{"type":"error","error":{"type","message"},"request_id"}`. `/__control/*` needs no auth (see main.ts).
 * Probe requests drain the rate-limit buckets but are NOT added to the usage history (the ledger stays
 * a pure function of seed and now).
 */
import * as http from 'node:http';
import { randomBytes } from 'node:crypto';
import type { AddressInfo, Socket } from 'node:net';
import { sampleKeys, type SampleKeys } from './keys';
import { DAY_MS, HOUR_MS, claudeCodeRecordsForDay, dayStartOf, generateOrg, isoSeconds, type Org } from './org';
import { Ledger } from './ledger';
import { modelInfo } from './prices';
import { RateLimiter, type RateLimitOptions } from './ratelimits';
import { Reports, USAGE_DIMS, USAGE_FILTERS, WIDTH_MS, type BucketWidth, type UsageDim } from './reports';
import { systemClock } from '../../src/core/clock';

export interface MockServerOptions {
  port?: number;
  host?: string;
  seed?: number;
  now?: () => Date;
  keys?: { standard: string; admin: string };
  /** Added before every /v1 response. */
  latencyMs?: number;
  /** Rate-limit header behaviour (combined tokens, priority model, unified family, background load). */
  rateLimits?: RateLimitOptions;
  /** Faults queued at start (same as calling injectFault for each). */
  faults?: FaultSpec[];
}

export type FaultKind =
  | 'rate_limited'
  | 'spend_cap'
  | 'org_spend_limit'
  | 'overloaded'
  | 'server_error'
  | 'gateway_timeout'
  | 'unauthorized'
  | 'forbidden'
  | 'slow'
  | 'reset'
  | 'truncated_json'
  | 'invalid_json'
  | 'schema_drift'
  | 'repeat_cursor';

export const FAULT_KINDS: readonly FaultKind[] = [
  'rate_limited',
  'spend_cap',
  'org_spend_limit',
  'overloaded',
  'server_error',
  'gateway_timeout',
  'unauthorized',
  'forbidden',
  'slow',
  'reset',
  'truncated_json',
  'invalid_json',
  'schema_drift',
  'repeat_cursor',
];

export interface FaultSpec {
  kind: FaultKind;
  /** Endpoint path prefix, e.g. `/v1/organizations/cost_report`; default: any /v1 path. */
  path?: string;
  /** Default 1; `Infinity` (or, over JSON, `null`, `-1` or `"Infinity"`) = until cleared. */
  times?: number;
  /** `slow`: delay before answering normally (default 30 000 ms). */
  delayMs?: number;
  /** `retry-after` seconds: `rate_limited` (default 1), and `overloaded`/`server_error`/`gateway_timeout` when given. */
  retryAfterSeconds?: number;
  /** Adds `retry-after-ms`. */
  retryAfterMs?: number;
  /** Adds `x-should-retry: true|false`. */
  shouldRetry?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  /** 0 when the client went away before an answer (or the socket was reset on purpose). */
  status: number;
  keyKind: 'standard' | 'admin' | 'none' | 'invalid';
  at: number;
  requestId: string;
}

export interface MockServer {
  url: string;
  port: number;
  keys: { standard: string; admin: string };
  org: Org;
  ledger: Ledger;
  injectFault(f: FaultSpec): void;
  clearFaults(): void;
  /** Changes rate-limit header behaviour at runtime. */
  setRateLimitOptions(patch: RateLimitOptions): void;
  readonly requests: RecordedRequest[];
  resetRequests(): void;
  close(): Promise<void>;
}

// ---------- helpers ----------

const JSON_TYPE = 'application/json';
/** A long-running server (npm start) keeps only the most recent requests. */
const MAX_RECORDED = 20_000;

interface Reply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Pagination info for repeat_cursor. */
  paging?: { kind: 'page'; requested?: string; firstCursor: string } | { kind: 'after'; requested?: string };
}

class HttpFailure {
  constructor(
    readonly status: number,
    readonly type: string,
    readonly message: string,
    readonly extraError: Record<string, unknown> = {},
    readonly headers: Record<string, string> = {},
  ) {}
}

const bad = (message: string) => new HttpFailure(400, 'invalid_request_error', message);

const ERROR_TYPE_BY_STATUS: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  409: 'conflict_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function errorBody(type: string, message: string, requestId: string, extra: Record<string, unknown> = {}) {
  return { type: 'error', error: { type, message, ...extra }, request_id: requestId };
}

function encodeCursor(obj: Record<string, unknown>): string {
  return `page_${Buffer.from(JSON.stringify(obj)).toString('base64url')}`;
}

function decodeCursor(cursor: string, kind: string): Record<string, unknown> {
  try {
    if (!cursor.startsWith('page_')) throw new Error('prefix');
    const obj = JSON.parse(Buffer.from(cursor.slice(5), 'base64url').toString('utf8')) as unknown;
    if (!obj || typeof obj !== 'object' || (obj as { k?: unknown }).k !== kind) throw new Error('kind');
    return obj as Record<string, unknown>;
  } catch {
    throw bad('page: invalid page token');
  }
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|z|[+-]\d{2}:\d{2})$/;

function parseTime(value: string | null, name: string): number | undefined {
  if (value === null) return undefined;
  const ms = Date.parse(value);
  if (!RFC3339.test(value) || Number.isNaN(ms)) {
    throw bad(`${name}: Input should be a valid RFC 3339 datetime, got ${JSON.stringify(value.slice(0, 40))}`);
  }
  return ms;
}

function parseLimit(q: URLSearchParams, def: number, max: number, min = 1): number {
  const raw = q.get('limit');
  if (raw === null) return def;
  if (!/^\d+$/.test(raw)) throw bad('limit: Input should be a valid integer');
  const n = Number(raw);
  if (n < min) throw bad(`limit: Input should be greater than or equal to ${min}`);
  if (n > max) throw bad(`limit: Input should be less than or equal to ${max}`);
  return n;
}

/** Rejects the un-bracketed form of array params (`group_by=model`), a common client bug. */
function rejectUnbracketed(q: URLSearchParams, names: string[]): void {
  for (const n of names) {
    if (q.has(n)) throw bad(`${n}: array parameters use the bracket form, e.g. ${n}[]=value`);
  }
}

function readBody(req: http.IncomingMessage, limit = 4_000_000): Promise<string> {
  return new Promise((resolve, reject) => {
    let size = 0;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new HttpFailure(413, 'request_too_large', 'Request exceeds the maximum allowed number of bytes.'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function base62(n: number): string {
  const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += a[b % 62];
  return s;
}

function normalizeTimes(t: unknown): number {
  if (t === undefined) return 1;
  if (t === null || t === -1 || t === 'Infinity' || t === Infinity) return Infinity;
  const n = Number(t);
  return Number.isFinite(n) && n > 0 ? Math.floor(n) : 1;
}

function sleep(ms: number, res: http.ServerResponse): Promise<boolean> {
  return new Promise((resolve) => {
    if (ms <= 0) return resolve(true);
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(true);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(false);
    };
    res.once('close', onClose);
  });
}

// ---------- the server ----------

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const keys: SampleKeys = options.keys ?? sampleKeys();
  const nowDate = options.now ?? (() => new Date(systemClock.now()));
  const now = () => nowDate().getTime();
  const seed = options.seed ?? 42;
  const org = generateOrg({ seed, now: now(), keys });
  const reports = new Reports(org);
  const ledger = new Ledger(org, now);
  const limiter = new RateLimiter(options.rateLimits ?? {}, seed);
  const requests: RecordedRequest[] = [];
  let faults: Array<{ spec: FaultSpec; remaining: number }> = [];
  const stickyCursors = new Set<string>();
  const stickyAfterIds = new Set<string>();
  const sockets = new Set<Socket>();
  const sampleKey = org.apiKeys.find((k) => k.id === org.sampleKeyId);

  const injectFault = (f: FaultSpec) => {
    if (!FAULT_KINDS.includes(f.kind)) throw new Error(`unknown fault kind ${String(f.kind)}`);
    faults.push({ spec: f, remaining: normalizeTimes(f.times) });
  };
  const clearFaults = () => {
    faults = [];
    stickyCursors.clear();
    stickyAfterIds.clear();
  };
  for (const f of options.faults ?? []) injectFault(f);

  const takeFault = (path: string): FaultSpec | undefined => {
    const i = faults.findIndex((f) => f.spec.path === undefined || path.startsWith(f.spec.path));
    if (i < 0) return undefined;
    const f = faults[i] as { spec: FaultSpec; remaining: number };
    f.remaining -= 1;
    if (f.remaining <= 0) faults.splice(i, 1);
    return f.spec;
  };

  const classify = (req: http.IncomingMessage): { kind: RecordedRequest['keyKind']; via?: 'x-api-key' | 'bearer' } => {
    const x = req.headers['x-api-key'];
    const auth = req.headers.authorization;
    const key = typeof x === 'string' && x !== '' ? x : undefined;
    const bearer = typeof auth === 'string' && /^Bearer\s+/i.test(auth) ? auth.replace(/^Bearer\s+/i, '').trim() : undefined;
    const value = key ?? bearer;
    if (value === undefined) return { kind: 'none' };
    const via = key !== undefined ? 'x-api-key' : 'bearer';
    if (value === keys.standard) return { kind: 'standard', via };
    if (value === keys.admin) return { kind: 'admin', via };
    return { kind: 'invalid', via };
  };

  // ----- endpoint handlers -----

  const requireAdmin = (auth: ReturnType<typeof classify>) => {
    if (auth.kind === 'admin') return;
    if (auth.kind === 'none') throw new HttpFailure(401, 'authentication_error', 'x-api-key header is required');
    if (auth.kind === 'standard') {
      throw new HttpFailure(403, 'permission_error', 'This endpoint requires an Admin API key; standard API keys cannot access the Admin API.');
    }
    throw new HttpFailure(401, 'authentication_error', 'invalid x-api-key');
  };

  const usageReport = (q: URLSearchParams): Reply => {
    rejectUnbracketed(q, ['group_by', ...Object.keys(USAGE_FILTERS).map((k) => k.slice(0, -2))]);
    const width = (q.get('bucket_width') ?? '1d') as BucketWidth;
    if (!(width in WIDTH_MS)) throw bad(`bucket_width: Input should be '1m', '1h' or '1d'`);
    const startRaw = q.get('starting_at');
    if (startRaw === null) throw bad('starting_at: Field required');
    const starting = parseTime(startRaw, 'starting_at') as number;
    const ending = parseTime(q.get('ending_at'), 'ending_at');
    if (ending !== undefined && ending <= starting) throw bad('ending_at: must be after starting_at');
    const limits = { '1d': [7, 31], '1h': [24, 168], '1m': [60, 1440] } as const;
    const [def, max] = limits[width];
    const limit = parseLimit(q, def, max);
    const groupBy = q.getAll('group_by[]');
    for (const g of groupBy) {
      if (!(USAGE_DIMS as readonly string[]).includes(g)) throw bad(`group_by[]: Input should be one of ${USAGE_DIMS.map((d) => `'${d}'`).join(', ')}, got '${g}'`);
    }
    const filters: Partial<Record<UsageDim, Set<string>>> = {};
    for (const [param, dim] of Object.entries(USAGE_FILTERS)) {
      const values = q.getAll(param);
      if (values.length > 0) filters[dim] = new Set(values);
    }
    return bucketPage(q, 'usage', width, starting, ending, limit, (start) =>
      reports.usageBucket(start, { width, groupBy: [...new Set(groupBy)] as UsageDim[], filters }),
    );
  };

  const costReport = (q: URLSearchParams): Reply => {
    rejectUnbracketed(q, ['group_by']);
    const width = q.get('bucket_width') ?? '1d';
    if (width !== '1d') throw bad(`bucket_width: Input should be '1d'`);
    const startRaw = q.get('starting_at');
    if (startRaw === null) throw bad('starting_at: Field required');
    const starting = parseTime(startRaw, 'starting_at') as number;
    const ending = parseTime(q.get('ending_at'), 'ending_at');
    if (ending !== undefined && ending <= starting) throw bad('ending_at: must be after starting_at');
    const limit = parseLimit(q, 7, 31);
    const groupBy = q.getAll('group_by[]');
    for (const g of groupBy) {
      if (g !== 'workspace_id' && g !== 'description') throw bad(`group_by[]: Input should be 'workspace_id' or 'description', got '${g}'`);
    }
    return bucketPage(q, 'cost', '1d', starting, ending, limit, (start) => {
      const results = reports.costBucket(start, groupBy as Array<'workspace_id' | 'description'>);
      // Occasionally an extra field clients must ignore.
      if (Math.floor(start / DAY_MS) % 10 === 7) return results.map((r) => ({ ...r, pricing_unit: r.cost_type === 'tokens' ? 'tokens' : 'request' }));
      return results;
    });
  };

  /** Buckets oldest first, including empty ones; `starting_at` snaps down, `ending_at` rounds up to the width. */
  const bucketPage = (
    q: URLSearchParams,
    kind: string,
    width: BucketWidth,
    starting: number,
    ending: number | undefined,
    limit: number,
    results: (start: number) => unknown[],
  ): Reply => {
    const w = WIDTH_MS[width];
    const first = Math.floor(starting / w) * w;
    const nowCeil = Math.ceil((now() + 1) / w) * w; // end of the bucket containing now
    const end = Math.min(ending === undefined ? nowCeil : Math.ceil(ending / w) * w, nowCeil);
    let start = first;
    const page = q.get('page');
    if (page !== null) {
      const c = decodeCursor(page, kind);
      const s = Number(c.s);
      if (!Number.isFinite(s) || s < first || s % w !== 0) throw bad('page: invalid page token');
      start = s;
    }
    const data: Array<{ starting_at: string; ending_at: string; results: unknown[] }> = [];
    let s = start;
    while (s < end && data.length < limit) {
      let res = results(s);
      if (kind === 'usage' && Math.floor(s / DAY_MS) % 10 === 3) {
        res = res.map((r) => {
          const u = r as { server_tool_use: Record<string, number> };
          return { ...u, server_tool_use: { ...u.server_tool_use, web_fetch_requests: 0 } };
        });
      }
      data.push({ starting_at: isoSeconds(s), ending_at: isoSeconds(s + w), results: res });
      s += w;
    }
    const hasMore = s < end;
    return {
      status: 200,
      body: { data, has_more: hasMore, next_page: hasMore ? encodeCursor({ k: kind, s }) : null },
      paging: { kind: 'page', requested: page ?? undefined, firstCursor: encodeCursor({ k: kind, s: start }) },
    };
  };

  const claudeCode = (q: URLSearchParams): Reply => {
    const day = q.get('starting_at');
    if (day === null) throw bad('starting_at: Field required');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(day) || Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
      throw bad(`starting_at: Input should be a UTC date in YYYY-MM-DD format, got ${JSON.stringify(day.slice(0, 40))}`);
    }
    const limit = parseLimit(q, 20, 1000);
    const dayStart = Date.parse(`${day}T00:00:00Z`);
    let offset = 0;
    const page = q.get('page');
    if (page !== null) {
      const c = decodeCursor(page, 'cc');
      if (c.d !== day || !Number.isInteger(c.o) || (c.o as number) < 0) throw bad('page: invalid page token');
      offset = c.o as number;
    }
    const all = claudeCodeRecordsForDay(org, dayStart, now() - HOUR_MS);
    const data = all.slice(offset, offset + limit);
    const next = offset + data.length;
    const hasMore = next < all.length;
    return {
      status: 200,
      body: { data, has_more: hasMore, next_page: hasMore ? encodeCursor({ k: 'cc', d: day, o: next }) : null },
      paging: { kind: 'page', requested: page ?? undefined, firstCursor: encodeCursor({ k: 'cc', d: day, o: offset }) },
    };
  };

  const list = <T extends { id: string }>(q: URLSearchParams, items: T[]): Reply => {
    const limit = parseLimit(q, 20, 1000);
    const after = q.get('after_id');
    const before = q.get('before_id');
    if (after !== null && before !== null) throw bad('Only one of after_id and before_id may be given');
    let slice: T[];
    let hasMore: boolean;
    if (before !== null) {
      const i = items.findIndex((x) => x.id === before);
      if (i < 0) throw bad(`before_id: no object with id ${JSON.stringify(before.slice(0, 60))}`);
      const from = Math.max(0, i - limit);
      slice = items.slice(from, i);
      hasMore = from > 0;
    } else {
      let from = 0;
      if (after !== null) {
        const i = items.findIndex((x) => x.id === after);
        if (i < 0) throw bad(`after_id: no object with id ${JSON.stringify(after.slice(0, 60))}`);
        from = i + 1;
      }
      slice = items.slice(from, from + limit);
      hasMore = from + limit < items.length;
    }
    return {
      status: 200,
      body: { data: slice, has_more: hasMore, first_id: slice[0]?.id ?? null, last_id: slice[slice.length - 1]?.id ?? null },
      paging: { kind: 'after', requested: after ?? undefined },
    };
  };

  const rateLimitsList = (q: URLSearchParams): Reply => {
    const groups = [
      { id: 'rl_opus', classKey: 'opus-4' as const, models: ['claude-opus-4-5-20251101', 'claude-opus-4-5', 'claude-opus-4-1', 'claude-opus-4-1-20250805'] },
      { id: 'rl_sonnet', classKey: 'sonnet-4' as const, models: ['claude-sonnet-4-5-20250929', 'claude-sonnet-4-5', 'claude-sonnet-4-6'] },
      { id: 'rl_haiku', classKey: 'haiku' as const, models: ['claude-haiku-4-5', 'claude-haiku-4-5-20251001', 'claude-3-5-haiku-20241022', 'claude-3-5-haiku-latest'] },
    ];
    const items = groups.map((g) => {
      const l = limiter.limitsFor(g.classKey);
      return {
        id: g.id,
        type: 'rate_limit',
        group_type: 'model_group',
        models: g.models,
        limits: [
          { type: 'requests_per_minute', value: l.requests },
          { type: 'input_tokens_per_minute', value: l.inputTokens },
          { type: 'output_tokens_per_minute', value: l.outputTokens },
        ],
      };
    });
    const model = q.get('model');
    if (model !== null) {
      const found = items.filter((i) => i.models.includes(model));
      if (found.length === 0) throw new HttpFailure(404, 'not_found_error', `model: ${model.slice(0, 80)}`);
      return { status: 200, body: { data: found, has_more: false, next_page: null, first_id: found[0]?.id ?? null, last_id: found[0]?.id ?? null } };
    }
    const reply = list(q.has('limit') ? q : new URLSearchParams([...q, ['limit', '1000']]), items);
    const body = reply.body as { has_more: boolean; last_id: string | null };
    return { ...reply, body: { ...body, next_page: body.has_more ? body.last_id : null } };
  };

  const messages = async (req: http.IncomingMessage): Promise<Reply> => {
    const text = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw bad('There was an issue with your request body: it is not valid JSON.');
    }
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw bad('The request body must be a JSON object.');
    const b = body as { model?: unknown; max_tokens?: unknown; messages?: unknown; system?: unknown };
    if (typeof b.model !== 'string' || b.model === '') throw bad('model: Field required');
    if (b.max_tokens === undefined) throw bad('max_tokens: Field required');
    if (typeof b.max_tokens !== 'number' || !Number.isInteger(b.max_tokens) || b.max_tokens < 1) {
      throw bad('max_tokens: Input should be a positive integer');
    }
    if (!Array.isArray(b.messages) || b.messages.length === 0) throw bad('messages: at least one message is required');
    const info = modelInfo(b.model);
    if (!info) throw new HttpFailure(404, 'not_found_error', `model: ${b.model.slice(0, 100)}`);
    let chars = typeof b.system === 'string' ? b.system.length : 0;
    for (const m of b.messages as unknown[]) {
      const content = (m as { content?: unknown } | null)?.content;
      if (typeof content === 'string') chars += content.length;
      else if (Array.isArray(content)) {
        for (const c of content) {
          const t = (c as { text?: unknown } | null)?.text;
          if (typeof t === 'string') chars += t.length;
        }
      }
    }
    const inputTokens = 7 + Math.ceil(chars / 4);
    const outputTokens = Math.min(b.max_tokens, b.max_tokens === 1 ? 1 : 6);
    const outcome = limiter.request(b.model, info.rateClass, inputTokens, outputTokens, now());
    const headers: Record<string, string> = {
      ...outcome.headers,
      'anthropic-organization-id': org.id,
      ...(sampleKey?.workspace_id ? { 'anthropic-workspace-id': sampleKey.workspace_id } : {}),
    };
    if (!outcome.ok) {
      const l = limiter.limitsFor(info.rateClass);
      const per =
        outcome.exceeded === 'requests' ? `${l.requests} requests` : outcome.exceeded === 'input tokens' ? `${l.inputTokens} input tokens` : `${l.outputTokens} output tokens`;
      throw new HttpFailure(
        429,
        'rate_limit_error',
        `This request would exceed the rate limit for your organization (${org.id}) of ${per} per minute. For details, refer to: https://docs.claude.com/en/api/rate-limits.`,
        {},
        { ...headers, 'retry-after': String(outcome.retryAfterSeconds ?? 1) },
      );
    }
    const words = ['Hello', '!', ' How', ' can', ' I', ' help'];
    return {
      status: 200,
      headers,
      body: {
        id: `msg_01${base62(22)}`,
        type: 'message',
        role: 'assistant',
        model: b.model,
        content: [{ type: 'text', text: words.slice(0, outputTokens).join('') }],
        stop_reason: outputTokens >= b.max_tokens ? 'max_tokens' : 'end_turn',
        stop_sequence: null,
        usage: {
          input_tokens: inputTokens,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
          output_tokens: outputTokens,
          service_tier: 'standard',
        },
      },
    };
  };

  const route = async (req: http.IncomingMessage, path: string, q: URLSearchParams, auth: ReturnType<typeof classify>): Promise<Reply> => {
    const method = req.method ?? 'GET';
    if (!req.headers['anthropic-version']) throw bad('anthropic-version: header is required');
    if (path === '/v1/messages') {
      if (method !== 'POST') throw new HttpFailure(405, 'invalid_request_error', `Method ${method} not allowed`);
      if (auth.kind === 'none') throw new HttpFailure(401, 'authentication_error', 'x-api-key header is required');
      if (auth.kind !== 'standard' || auth.via !== 'x-api-key') throw new HttpFailure(401, 'authentication_error', 'invalid x-api-key');
      return messages(req);
    }
    if (!path.startsWith('/v1/organizations/')) throw new HttpFailure(404, 'not_found_error', 'Not found');
    if (method !== 'GET') throw new HttpFailure(405, 'invalid_request_error', `Method ${method} not allowed`);
    requireAdmin(auth);
    switch (path) {
      case '/v1/organizations/usage_report/messages':
        return usageReport(q);
      case '/v1/organizations/cost_report':
        return costReport(q);
      case '/v1/organizations/usage_report/claude_code':
        return claudeCode(q);
      case '/v1/organizations/me':
        return { status: 200, body: { id: org.id, type: 'organization', name: org.name } };
      case '/v1/organizations/workspaces': {
        const all = q.get('include_archived') === 'true';
        return list(q, org.workspaces.filter((w) => all || w.archived_at === null));
      }
      case '/v1/organizations/api_keys': {
        const status = q.get('status');
        const ws = q.get('workspace_id');
        return list(q, org.apiKeys.filter((k) => (status === null || k.status === status) && (ws === null || k.workspace_id === ws)));
      }
      case '/v1/organizations/users': {
        const email = q.get('email');
        return list(q, org.users.filter((u) => email === null || u.email === email));
      }
      case '/v1/organizations/rate_limits':
        return rateLimitsList(q);
      default: {
        const m = /^\/v1\/organizations\/(workspaces|api_keys|users)\/([^/]+)$/.exec(path);
        if (m) {
          const coll = m[1] === 'workspaces' ? org.workspaces : m[1] === 'api_keys' ? org.apiKeys : org.users;
          const item = (coll as Array<{ id: string }>).find((x) => x.id === m[2]);
          if (item) return { status: 200, body: item };
        }
        throw new HttpFailure(404, 'not_found_error', 'Not found');
      }
    }
  };

  // ----- fault shaping -----

  const driftBody = (path: string, body: unknown): unknown => {
    const b = JSON.parse(JSON.stringify(body)) as Record<string, unknown>;
    if (path === '/v1/organizations/cost_report') {
      const r = (b.data as Array<{ results: Array<Record<string, unknown>> }>).flatMap((x) => x.results)[0];
      if (r) {
        r.amount = { value: r.amount, currency: 'USD' };
        return b;
      }
    } else if (path === '/v1/organizations/usage_report/messages') {
      const r = (b.data as Array<{ results: Array<Record<string, unknown>> }>).flatMap((x) => x.results)[0];
      if (r) {
        r.uncached_input_tokens = String(r.uncached_input_tokens);
        return b;
      }
    } else if (path === '/v1/organizations/usage_report/claude_code') {
      const r = (b.data as Array<Record<string, unknown>>)[0];
      if (r) {
        r.coreMetrics = r.core_metrics;
        delete r.core_metrics;
        return b;
      }
    } else if (path === '/v1/messages') {
      delete b.usage;
      return b;
    } else if (path === '/v1/organizations/me') {
      b.id = 12345;
      return b;
    }
    if ('data' in b) {
      b.items = b.data;
      delete b.data;
    }
    return b;
  };

  const applyRepeat = (reply: Reply): Reply => {
    const body = { ...(reply.body as Record<string, unknown>) };
    if (reply.paging?.kind === 'page') {
      const c = reply.paging.requested ?? reply.paging.firstCursor;
      stickyCursors.add(c);
      body.next_page = c;
      body.has_more = true;
    } else if (reply.paging?.kind === 'after') {
      const a = reply.paging.requested ?? (body.last_id as string | null) ?? (body.first_id as string | null);
      if (a) {
        stickyAfterIds.add(a);
        body.last_id = a;
        body.has_more = true;
        if ('next_page' in body) body.next_page = a;
      }
    }
    return { ...reply, body };
  };

  // ----- request handling -----

  let counter = 0;
  const handle = async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://mock.invalid');
    const path = url.pathname;
    if (path.startsWith('/__control/')) return control(req, res, path, url.searchParams);

    counter++;
    const requestId = `req_011CMock${counter.toString(36).padStart(5, '0')}${base62(12)}`;
    const auth = classify(req);
    const record: RecordedRequest = { method: req.method ?? 'GET', path, query: url.search.replace(/^\?/, ''), status: 0, keyKind: auth.kind, at: now(), requestId };
    requests.push(record);
    if (requests.length > MAX_RECORDED) requests.splice(0, requests.length - MAX_RECORDED);
    const baseHeaders: Record<string, string> = { 'request-id': requestId };

    const send = (status: number, payload: string, headers: Record<string, string> = {}, type = JSON_TYPE) => {
      if (res.destroyed || res.headersSent) return;
      record.status = status;
      res.writeHead(status, { ...baseHeaders, 'content-type': type, 'content-length': String(Buffer.byteLength(payload)), ...headers });
      res.end(payload);
    };
    const sendError = (status: number, type: string, message: string, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}) =>
      send(status, JSON.stringify(errorBody(type, message, requestId, extra)), headers);

    if (options.latencyMs && !(await sleep(options.latencyMs, res))) return;

    const fault = takeFault(path);
    const retryHeaders: Record<string, string> = {};
    if (fault?.shouldRetry !== undefined) retryHeaders['x-should-retry'] = String(fault.shouldRetry);
    if (fault?.retryAfterMs !== undefined) retryHeaders['retry-after-ms'] = String(fault.retryAfterMs);
    // An explicit retry-after also rides on the retryable server-side faults (never on spend_cap).
    if (fault?.retryAfterSeconds !== undefined && ['overloaded', 'server_error', 'gateway_timeout'].includes(fault.kind)) {
      retryHeaders['retry-after'] = String(fault.retryAfterSeconds);
    }
    const resumeAt = isoSeconds(dayStartOf(now()) + 5 * DAY_MS);
    switch (fault?.kind) {
      case 'rate_limited':
        return sendError(429, 'rate_limit_error', 'Number of requests has exceeded your rate limit. Please try again later.', {}, {
          'retry-after': String(fault.retryAfterSeconds ?? 1),
          ...retryHeaders,
        });
      case 'spend_cap':
        return sendError(
          429,
          'rate_limit_error',
          `Your organization has reached its monthly usage limit for its current usage tier. Access will return on ${resumeAt} (UTC), or raise the limit by moving to a higher tier.`,
          { details: { error_code: 'enforced_spend_limit_reached' } },
          retryHeaders,
        );
      case 'org_spend_limit':
        return sendError(
          400,
          'invalid_request_error',
          `You have reached your specified workspace API usage limits. You will regain access on ${resumeAt.slice(0, 10)} at 00:00 UTC.`,
          {},
          retryHeaders,
        );
      case 'overloaded':
        return sendError(529, 'overloaded_error', 'Overloaded', {}, retryHeaders);
      case 'server_error':
        return sendError(500, 'api_error', 'Internal server error', {}, retryHeaders);
      case 'gateway_timeout':
        return sendError(504, 'timeout_error', 'Request timed out', {}, retryHeaders);
      case 'unauthorized':
        return sendError(401, 'authentication_error', 'invalid x-api-key', {}, retryHeaders);
      case 'forbidden':
        return sendError(403, 'permission_error', 'Your API key does not have permission to use the specified resource.', {}, retryHeaders);
      case 'invalid_json':
        return send(200, '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>', retryHeaders, 'text/html');
      case 'slow':
        if (!(await sleep(fault.delayMs ?? 30_000, res))) return;
        break;
      default:
        break;
    }

    let reply: Reply;
    try {
      reply = await route(req, path, url.searchParams, auth);
    } catch (e) {
      if (e instanceof HttpFailure) return sendError(e.status, e.type, e.message, e.extraError, { ...e.headers, ...retryHeaders });
      const msg = e instanceof Error ? e.message : String(e);
      process.stderr.write(`mock server: internal error on ${path}: ${msg}\n`);
      return sendError(500, 'api_error', 'Internal server error');
    }

    // Sticky repeat cursors from an earlier repeat_cursor fault.
    const requestedPage = url.searchParams.get('page');
    const requestedAfter = url.searchParams.get('after_id');
    if ((requestedPage !== null && stickyCursors.has(requestedPage)) || (requestedAfter !== null && stickyAfterIds.has(requestedAfter))) {
      reply = applyRepeat(reply);
    }

    const headers = { ...(reply.headers ?? {}), ...retryHeaders };
    if (reply.status !== 200 || !fault) return send(reply.status, JSON.stringify(reply.body), headers);
    switch (fault.kind) {
      case 'schema_drift':
        return send(200, JSON.stringify(driftBody(path, reply.body)), headers);
      case 'repeat_cursor':
        return send(200, JSON.stringify(applyRepeat(reply).body), headers);
      case 'truncated_json': {
        const full = JSON.stringify(reply.body);
        return send(200, full.slice(0, Math.max(1, Math.floor(full.length * 0.6))), headers);
      }
      case 'reset': {
        const full = Buffer.from(JSON.stringify(reply.body));
        record.status = 0;
        res.writeHead(200, { ...baseHeaders, 'content-type': JSON_TYPE, 'content-length': String(full.length), ...headers });
        res.write(full.subarray(0, Math.max(1, Math.floor(full.length / 2))), () => {
          setTimeout(() => res.socket?.destroy(), 5);
        });
        return;
      }
      default:
        return send(reply.status, JSON.stringify(reply.body), headers);
    }
  };

  // ----- control endpoints -----

  const control = async (req: http.IncomingMessage, res: http.ServerResponse, path: string, q: URLSearchParams): Promise<void> => {
    const json = (status: number, body: unknown) => {
      const payload = JSON.stringify(body);
      res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': String(Buffer.byteLength(payload)) });
      res.end(payload);
    };
    try {
      const method = req.method ?? 'GET';
      if (path === '/__control/faults') {
        if (method === 'POST') {
          const parsed = JSON.parse(await readBody(req)) as FaultSpec | FaultSpec[];
          const list = Array.isArray(parsed) ? parsed : [parsed];
          for (const f of list) injectFault(f);
          return json(200, { queued: list.length, pending: faults.length });
        }
        if (method === 'DELETE') {
          clearFaults();
          return json(200, { pending: 0 });
        }
        if (method === 'GET') return json(200, faults.map((f) => ({ ...f.spec, remaining: Number.isFinite(f.remaining) ? f.remaining : null })));
      }
      if (path === '/__control/requests') {
        if (method === 'GET') return json(200, requests);
        if (method === 'DELETE') {
          requests.length = 0;
          return json(200, { cleared: true });
        }
      }
      if (path === '/__control/ratelimits' && method === 'POST') {
        limiter.setOptions(JSON.parse(await readBody(req)) as RateLimitOptions);
        return json(200, limiter.currentOptions);
      }
      if (path === '/__control/ledger' && method === 'GET') {
        const kind = q.get('kind');
        const since = q.get('since') ?? isoSeconds(org.firstDayStart).slice(0, 10);
        const until = q.get('until') ?? undefined;
        if (kind === 'costs') {
          const g = q.get('groupBy') ?? q.get('group_by') ?? undefined;
          if (g !== undefined && g !== 'workspace' && g !== 'description') return json(400, { error: 'groupBy must be workspace or description' });
          return json(200, ledger.expectedCosts(since, until, g));
        }
        if (kind === 'tokens') return json(200, ledger.expectedTokens(since, until));
        if (kind === 'claude-code') return json(200, ledger.expectedClaudeCode(since, until));
        return json(400, { error: 'kind must be costs, tokens or claude-code' });
      }
      if (path === '/__control/org' && method === 'GET') {
        return json(200, {
          id: org.id,
          name: org.name,
          generatedAt: isoSeconds(org.generatedAt),
          firstDay: isoSeconds(org.firstDayStart).slice(0, 10),
          workspaces: org.workspaces,
          apiKeys: org.apiKeys,
          users: org.users,
          models: org.models,
          usageRows: org.rows.length,
        });
      }
      return json(404, { error: `no control endpoint ${method} ${path}` });
    } catch (e) {
      return json(400, { error: e instanceof Error ? e.message : String(e) });
    }
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      process.stderr.write(`mock server: ${e instanceof Error ? e.message : String(e)}\n`);
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': JSON_TYPE });
        res.end(JSON.stringify(errorBody('api_error', 'Internal server error', 'req_unknown')));
      } else {
        res.destroy();
      }
    });
  });
  server.keepAliveTimeout = 5_000;
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${port}`,
    port,
    keys: { standard: keys.standard, admin: keys.admin },
    org,
    ledger,
    injectFault,
    clearFaults,
    setRateLimitOptions: (patch) => limiter.setOptions(patch),
    requests,
    resetRequests: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

export { ERROR_TYPE_BY_STATUS };
