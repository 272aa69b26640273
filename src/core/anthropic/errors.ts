/**
 * Every way a call to Anthropic can fail, as one typed value the UI can explain in one sentence.
 * Never carries a key: messages are built from status codes and the API's own error text, which is
 * passed through `redactSecrets` before it is stored.
 */
export type ApiErrorKind =
  | 'auth' // 401, or 403 that is not about key kind
  | 'needsAdminKey' // a standard key (or a rejected one) used on an admin endpoint
  | 'permission' // 403 permission_error
  | 'rateLimited' // 429 with retry-after
  | 'spendCap' // 429 without retry-after / enforced_spend_limit_reached
  | 'orgSpendLimit' // 400 "You have reached your specified ... API usage limits"
  | 'overloaded' // 529
  | 'server' // 5xx
  | 'badRequest' // other 4xx (400, 404, 413, ...)
  | 'timeout' // per-request timeout or overall deadline
  | 'network' // DNS, refused, reset, TLS, proxy
  | 'invalidResponse' // malformed JSON or schema mismatch; `path` names the JSON path
  | 'paginationLoop' // a cursor seen twice
  | 'cancelled'; // the caller aborted

/** Faults that asking the user to do something would fix (a key, a spend cap, permissions): they are not
 *  retried soon, and they are the only ones that raise a notification. */
export const NEEDS_USER_KINDS: readonly ApiErrorKind[] = ['auth', 'needsAdminKey', 'permission', 'spendCap', 'orgSpendLimit'];

export function needsUser(e: { kind: ApiErrorKind }): boolean {
  return NEEDS_USER_KINDS.includes(e.kind);
}

export interface ApiErrorInit {
  kind: ApiErrorKind;
  message: string;
  status?: number;
  requestId?: string;
  /** Seconds to wait, from retry-after / retry-after-ms. */
  retryAfterSeconds?: number;
  /** For invalidResponse: the JSON path that failed, e.g. `data[3].results[0].amount`. */
  path?: string;
  /** The endpoint path, e.g. `/v1/organizations/cost_report` (never the query, never a key). */
  endpoint?: string;
  /** API `error.type` when the body had one. */
  apiErrorType?: string;
}

/**
 * The API client is its own lazily loaded bundle (`dist/anthropic.js`) with its own copy of this class,
 * so `instanceof ApiError` checks a brand shared by every copy instead of the prototype chain.
 */
const API_ERROR_BRAND = Symbol.for('claude-usage.ApiError');

export class ApiError extends Error {
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== ApiError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [API_ERROR_BRAND]?: unknown })[API_ERROR_BRAND] === true;
  }

  readonly kind: ApiErrorKind;
  readonly status?: number;
  readonly requestId?: string;
  readonly retryAfterSeconds?: number;
  readonly path?: string;
  readonly endpoint?: string;
  readonly apiErrorType?: string;

  constructor(init: ApiErrorInit) {
    super(redactSecrets(init.message));
    Object.defineProperty(this, API_ERROR_BRAND, { value: true });
    this.name = 'ApiError';
    this.kind = init.kind;
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryAfterSeconds = init.retryAfterSeconds;
    this.path = init.path;
    this.endpoint = init.endpoint;
    this.apiErrorType = init.apiErrorType;
  }

  /** A plain JSON form safe to persist or post to a webview. */
  toJSON(): ApiErrorInit {
    return {
      kind: this.kind,
      message: this.message,
      status: this.status,
      requestId: this.requestId,
      retryAfterSeconds: this.retryAfterSeconds,
      path: this.path,
      endpoint: this.endpoint,
      apiErrorType: this.apiErrorType,
    };
  }
}

/** Replaces anything shaped like an Anthropic key (or a bearer token) with a mask. */
export function redactSecrets(text: string): string {
  return text
    // 8+ characters after the prefix: masks any key while keeping hints like "sk-ant-admin…" readable.
    .replace(/sk-ant-[A-Za-z0-9_-]{8,}/g, 'sk-ant-***')
    .replace(/(x-api-key|authorization)(["']?\s*[:=]\s*["']?)(Bearer\s+)?[^\s"',}]+/gi, '$1$2$3***');
}
