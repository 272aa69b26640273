/**
 * The one HTTP path to Anthropic: headers, per-attempt timeout, overall deadline, retries with backoff,
 * proxy selection and the mapping of every failure to a typed `ApiError`. No vscode import.
 *
 * Retry policy (shared/docs/anthropic-api.md): only 429 with retry-after (capped), 529, 5xx, timeouts and
 * connection resets are retried, at most `maxAttempts` (3) attempts, exponential backoff with jitter,
 * honouring `retry-after-ms`, `retry-after` and `x-should-retry`. 400/401/403 and the spend cap never are.
 * A wait that would pass the deadline is not taken: the last error is thrown instead.
 */
import { Agent, EnvHttpProxyAgent, ProxyAgent, request, type Dispatcher } from 'undici';
import { version } from '../../../package.json';
import {
  DEFAULT_BASE_URL,
  DEFAULT_DEADLINE_MS,
  DEFAULT_MAX_ATTEMPTS,
  DEFAULT_TIMEOUT_MS,
  keyKind,
  type ClientOptions,
  type KeyKind,
  type RequestLogEntry,
} from './api';
import { ApiError, redactSecrets, type ApiErrorInit, type ApiErrorKind } from './errors';
import { monotonicMs, systemClock, type Clock } from '../clock';

export const ANTHROPIC_VERSION = '2023-06-01';
/** The longest server-requested wait we honour; beyond it the call fails as rate limited. */
export const MAX_RETRY_AFTER_MS = 60_000;
const BACKOFF_BASE_MS = 500;
const BACKOFF_MAX_MS = 8_000;
export const USER_AGENT = `claude-usage/${version}`;

export interface HttpRequest {
  method: 'GET' | 'POST';
  /** e.g. `/v1/organizations/cost_report`; never carries the query. */
  path: string;
  /** Query pairs in order; array params already in bracket form (`group_by[]`). */
  query?: ReadonlyArray<readonly [string, string]>;
  body?: unknown;
  /** True for `/v1/organizations/*` (needs an Admin key). */
  admin: boolean;
}

export interface HttpResponse {
  status: number;
  /** Lower-case header names, first value. */
  headers: Record<string, string>;
  json: unknown;
  requestId?: string;
}

/** One logical call (all its retries and pages) shares a deadline and a caller signal. */
export interface CallContext {
  /** Epoch ms after which no new attempt starts and any attempt in flight is aborted. */
  deadline: number;
  signal?: AbortSignal;
}

/** Proxy/TLS choice, exported for tests and for the host's diagnostics (never logs proxy credentials). */
export function createDispatcher(options: Pick<ClientOptions, 'proxyUrl' | 'strictSSL' | 'proxyEnv'>): Dispatcher {
  const tls = options.strictSSL === false ? { rejectUnauthorized: false } : undefined;
  if (options.proxyUrl) {
    return new ProxyAgent({ uri: options.proxyUrl, ...(tls ? { requestTls: tls, proxyTls: tls } : {}) });
  }
  const env = options.proxyEnv ?? process.env;
  const httpsProxy = env.HTTPS_PROXY ?? env.https_proxy;
  const httpProxy = env.HTTP_PROXY ?? env.http_proxy;
  if (httpsProxy || httpProxy) {
    return new EnvHttpProxyAgent({
      httpProxy: httpProxy || undefined,
      httpsProxy: httpsProxy || httpProxy || undefined,
      noProxy: env.NO_PROXY ?? env.no_proxy ?? '',
      ...(tls ? { requestTls: tls, proxyTls: tls } : {}),
    });
  }
  return new Agent(tls ? { connect: tls } : {});
}

export const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Failure of one attempt, before deciding whether to retry. */
interface AttemptFailure {
  error: ApiError;
  retryable: boolean;
  /** Server-requested wait, already capped. */
  retryAfterMs?: number;
}

export class HttpTransport {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly deadlineMs: number;
  readonly maxAttempts: number;
  private readonly key: string;
  private readonly kind: KeyKind;
  private readonly dispatcher: Dispatcher;
  private readonly onRequest?: (entry: RequestLogEntry) => void;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  readonly clock: Clock;

  constructor(options: ClientOptions) {
    this.baseUrl = (options.baseUrl || DEFAULT_BASE_URL).replace(/\/+$/, '');
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.deadlineMs = options.deadlineMs ?? DEFAULT_DEADLINE_MS;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS);
    this.key = options.apiKey;
    this.kind = keyKind(options.apiKey);
    this.dispatcher = options.dispatcher ?? createDispatcher(options);
    this.onRequest = options.onRequest;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.clock = options.clock ?? systemClock;
  }

  get keyKind(): KeyKind {
    return this.kind;
  }

  /** Starts a logical call: its deadline covers every retry and page. */
  newCall(signal?: AbortSignal): CallContext {
    return { deadline: monotonicMs() + this.deadlineMs, signal };
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }

  /** Sends one request with retries; resolves with a 2xx response whose body parsed as JSON. */
  async send(req: HttpRequest, ctx: CallContext): Promise<HttpResponse> {
    let last: AttemptFailure | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      this.throwIfCancelled(ctx, req);
      const remaining = ctx.deadline - monotonicMs();
      if (remaining <= 0) throw last?.error ?? this.deadlineError(req, attempt - 1);
      const outcome = await this.attempt(req, ctx, attempt, remaining);
      if ('response' in outcome) return outcome.response;
      last = outcome;
      if (!outcome.retryable || attempt === this.maxAttempts) break;
      const wait = outcome.retryAfterMs ?? this.backoff(attempt);
      if (monotonicMs() + wait >= ctx.deadline) break;
      try {
        await this.sleep(wait, ctx.signal);
      } catch {
        this.throwIfCancelled(ctx, req);
      }
    }
    throw last!.error;
  }

  /** Exponential backoff with full jitter in [50%, 100%] of the step. */
  private backoff(attempt: number): number {
    const step = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (attempt - 1));
    return Math.round(step * (0.5 + this.random() * 0.5));
  }

  private throwIfCancelled(ctx: CallContext, req: HttpRequest): void {
    if (ctx.signal?.aborted) {
      throw new ApiError({ kind: 'cancelled', message: 'The request was cancelled.', endpoint: req.path });
    }
  }

  private deadlineError(req: HttpRequest, attempts: number): ApiError {
    return new ApiError({
      kind: 'timeout',
      message: `Anthropic did not answer within the overall deadline of ${seconds(this.deadlineMs)} s${attempts ? ` (${attempts} attempt${attempts > 1 ? 's' : ''})` : ''}; check the connection or try again later.`,
      endpoint: req.path,
    });
  }

  private url(req: HttpRequest): string {
    const qs = (req.query ?? []).map(([k, v]) => `${encodeURIComponent(k).replace(/%5B%5D$/, '[]')}=${encodeURIComponent(v)}`).join('&');
    return `${this.baseUrl}${req.path}${qs ? `?${qs}` : ''}`;
  }

  private async attempt(
    req: HttpRequest,
    ctx: CallContext,
    attempt: number,
    remaining: number,
  ): Promise<{ response: HttpResponse } | AttemptFailure> {
    const started = monotonicMs();
    const limitedByDeadline = remaining < this.timeoutMs;
    const budget = Math.min(this.timeoutMs, remaining);
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error('timeout'));
    }, budget);
    const onCallerAbort = () => controller.abort(new Error('cancelled'));
    ctx.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const log = (status: number | undefined, requestId: string | undefined, error?: string) =>
      this.onRequest?.({
        method: req.method,
        path: req.path,
        status,
        durationMs: Math.round(monotonicMs() - started),
        requestId,
        attempt,
        ...(error ? { error } : {}),
      });
    let status: number | undefined;
    let requestId: string | undefined;
    try {
      const headers: Record<string, string> = {
        'x-api-key': this.key,
        'anthropic-version': ANTHROPIC_VERSION,
        'user-agent': USER_AGENT,
        accept: 'application/json',
      };
      if (req.body !== undefined) headers['content-type'] = 'application/json';
      const res = await request(this.url(req), {
        method: req.method,
        headers,
        body: req.body === undefined ? undefined : JSON.stringify(req.body),
        signal: controller.signal,
        dispatcher: this.dispatcher,
        headersTimeout: null,
        bodyTimeout: null,
      });
      status = res.statusCode;
      const h = flattenHeaders(res.headers);
      requestId = h['request-id'];
      const text = await res.body.text();
      log(status, requestId);
      if (status >= 200 && status < 300) {
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          return {
            error: new ApiError({
              kind: 'invalidResponse',
              message: `Anthropic sent a response that is not valid JSON (${req.path}); try again, and report it if it persists.`,
              status,
              requestId,
              endpoint: req.path,
            }),
            retryable: false,
          };
        }
        return { response: { status, headers: h, json, requestId } };
      }
      return this.mapStatus(req, status, h, text, attempt);
    } catch (e) {
      if (ctx.signal?.aborted) {
        log(status, requestId, 'cancelled');
        throw new ApiError({ kind: 'cancelled', message: 'The request was cancelled.', endpoint: req.path, requestId });
      }
      if (timedOut) {
        log(status, requestId, 'timeout');
        const message = limitedByDeadline
          ? `Anthropic did not answer within the overall deadline of ${seconds(this.deadlineMs)} s (${attempt} attempt${attempt > 1 ? 's' : ''}); check the connection or try again later.`
          : `Anthropic did not answer within ${seconds(this.timeoutMs)} s (${attempt} attempt${attempt > 1 ? 's' : ''}); check the connection or raise the timeout.`;
        return { error: new ApiError({ kind: 'timeout', message, status, requestId, endpoint: req.path }), retryable: true };
      }
      const code = errorCode(e);
      log(status, requestId, code);
      const where = safeHost(this.baseUrl);
      const during = status !== undefined ? ' (the connection broke while the response was arriving)' : '';
      return {
        error: new ApiError({
          kind: 'network',
          message: `Could not reach Anthropic at ${where} (${code})${during}; check the network, proxy settings and base URL.`,
          status,
          requestId,
          endpoint: req.path,
        }),
        retryable: true,
      };
    } finally {
      clearTimeout(timer);
      ctx.signal?.removeEventListener('abort', onCallerAbort);
    }
  }

  /** Maps a non-2xx response to a typed error and a retry decision. */
  private mapStatus(req: HttpRequest, status: number, h: Record<string, string>, text: string, attempt: number): AttemptFailure {
    const body = parseErrorBody(text);
    const requestId = h['request-id'] ?? body.requestId;
    const apiMessage = body.message ? redactSecrets(body.message).trim() : '';
    const withApi = (s: string) => (apiMessage ? `${s}: ${stripDot(apiMessage)}` : s);
    const retryAfterMs = parseRetryAfter(h, this.clock.now());
    const shouldRetry = h['x-should-retry'];
    const base: Omit<ApiErrorInit, 'kind' | 'message'> = {
      status,
      requestId,
      endpoint: req.path,
      apiErrorType: body.type,
    };
    const tries = `${attempt} attempt${attempt > 1 ? 's' : ''}`;
    const make = (kind: ApiErrorKind, message: string, extra: Partial<ApiErrorInit> = {}) =>
      new ApiError({ ...base, ...extra, kind, message });

    const nonRetryable = (error: ApiError): AttemptFailure => ({ error, retryable: false });
    const retryable = (error: ApiError): AttemptFailure => {
      if (shouldRetry === 'false') return { error, retryable: false };
      const capped = retryAfterMs !== undefined ? Math.min(retryAfterMs, MAX_RETRY_AFTER_MS) : undefined;
      return {
        error,
        retryable: retryAfterMs === undefined || retryAfterMs <= MAX_RETRY_AFTER_MS,
        retryAfterMs: capped,
      };
    };

    if (req.admin && this.kind === 'standard' && (status === 401 || status === 403)) {
      return nonRetryable(
        make(
          'needsAdminKey',
          'This needs an Admin key (sk-ant-admin…); the key in use is a standard API key. Create an Admin key in the Console (Settings, Admin keys) and set it with "Claude Usage: Set Admin API Key" (or ANTHROPIC_ADMIN_API_KEY for the CLI).',
        ),
      );
    }
    if (status === 401) {
      return nonRetryable(
        make('auth', `The API key was rejected (401); check that it is correct and not revoked, then set it again.`),
      );
    }
    if (status === 403) {
      return nonRetryable(
        make('permission', `${withApi('The key is not allowed to do this (403)')}. Ask an organization admin for access.`),
      );
    }
    if (status === 429) {
      const spendCap = body.errorCode === 'enforced_spend_limit_reached' || retryAfterMs === undefined;
      if (spendCap) {
        // The API's own message says when access returns; keep it whole.
        return nonRetryable(
          make(
            'spendCap',
            apiMessage
              ? `Spend cap reached (429): ${stripDot(apiMessage)}.`
              : 'The organization has reached its spend cap (429); raise the limit in the Console or wait until access returns.',
          ),
        );
      }
      const secs = Math.ceil(retryAfterMs / 1000);
      return retryable(
        make('rateLimited', `Anthropic rate-limited this request (429) after ${tries}; it asks to retry after ${secs} s.`, {
          retryAfterSeconds: retryAfterMs / 1000,
        }),
      );
    }
    if (status === 400 && /specified .*usage limits/i.test(body.message ?? '')) {
      return nonRetryable(
        make(
          'orgSpendLimit',
          apiMessage
            ? `${stripDot(apiMessage)} (400).`
            : 'The organization has reached the API usage limit it set (400); raise it in the Console (Settings, Limits).',
        ),
      );
    }
    if (status === 529) {
      return retryable(make('overloaded', `Anthropic is overloaded (529) after ${tries}; try again in a few minutes.`));
    }
    if (status >= 500) {
      return retryable(make('server', `Anthropic returned a server error (${status}) after ${tries}; try again later.`));
    }
    const error = make('badRequest', `${withApi(`Anthropic rejected the request (${status})`)}.`);
    // x-should-retry: true may make an otherwise final 4xx retryable (408/409), never 400/401/403/spend cap.
    if (shouldRetry === 'true' && (status === 408 || status === 409)) return retryable(error);
    return nonRetryable(error);
  }
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return Number.isInteger(s) ? String(s) : s.toFixed(1);
}

function stripDot(s: string): string {
  return s.replace(/[.\s]+$/, '');
}

function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) {
    if (v === undefined) continue;
    out[k.toLowerCase()] = Array.isArray(v) ? (v[0] ?? '') : v;
  }
  return out;
}

/** `retry-after-ms` wins over `retry-after` (seconds or an HTTP date). Undefined when absent or unreadable. */
export function parseRetryAfter(h: Record<string, string>, now = systemClock.now()): number | undefined {
  const ms = h['retry-after-ms'];
  if (ms !== undefined && /^\s*\d+(\.\d+)?\s*$/.test(ms)) return Math.max(0, Number(ms));
  const ra = h['retry-after'];
  if (ra === undefined) return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(ra)) return Math.max(0, Number(ra) * 1000);
  const date = Date.parse(ra);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

interface ErrorBody {
  type?: string;
  message?: string;
  errorCode?: string;
  requestId?: string;
}

function parseErrorBody(text: string): ErrorBody {
  try {
    const j = JSON.parse(text) as unknown;
    if (!j || typeof j !== 'object') return {};
    const o = j as Record<string, unknown>;
    const err = (o.error && typeof o.error === 'object' ? o.error : {}) as Record<string, unknown>;
    const details = (err.details && typeof err.details === 'object' ? err.details : {}) as Record<string, unknown>;
    return {
      type: typeof err.type === 'string' ? err.type : undefined,
      message: typeof err.message === 'string' ? err.message.slice(0, 500) : undefined,
      errorCode: typeof details.error_code === 'string' ? details.error_code : undefined,
      requestId: typeof o.request_id === 'string' ? o.request_id : undefined,
    };
  } catch {
    return {};
  }
}

function errorCode(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur && typeof cur === 'object'; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === 'string' && c) return c === 'UND_ERR_SOCKET' ? 'connection reset' : c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return e instanceof Error && e.name ? e.name : 'connection failed';
}

/** Host (and port) only: never userinfo, path or query. */
function safeHost(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return 'the configured base URL';
  }
}
