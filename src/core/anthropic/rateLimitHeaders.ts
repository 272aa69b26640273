/**
 * Reads every rate-limit header family of a `POST /v1/messages` response (shared/docs/anthropic-api.md §1).
 * Every header is optional; a family with none of its headers is `undefined`, never zeros.
 */
import { systemClock } from '../clock';
import type { RateLimitFamily, RateLimitSnapshot, UnifiedRateLimit } from './types';

type Headers = Record<string, string>;

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^\s*-?\d+\s*$/.test(v)) return undefined;
  const n = Number(v);
  return Number.isSafeInteger(n) ? n : undefined;
}

function num(v: string | undefined): number | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

function family(h: Headers, prefix: string): RateLimitFamily | undefined {
  const limit = int(h[`${prefix}-limit`]);
  const remaining = int(h[`${prefix}-remaining`]);
  const reset = h[`${prefix}-reset`]?.trim() || undefined;
  if (limit === undefined && remaining === undefined && reset === undefined) return undefined;
  return {
    ...(limit !== undefined ? { limit } : {}),
    ...(remaining !== undefined ? { remaining } : {}),
    ...(reset !== undefined ? { reset } : {}),
  };
}

function unified(h: Headers): UnifiedRateLimit | undefined {
  const p = 'anthropic-ratelimit-unified-';
  if (!Object.keys(h).some((k) => k.startsWith(p))) return undefined;
  const overage: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) {
    if (k.startsWith(`${p}overage-`)) overage[k.slice(`${p}overage-`.length)] = v;
  }
  const u: UnifiedRateLimit = {};
  const status = h[`${p}status`];
  if (status !== undefined) u.status = status;
  const f5 = num(h[`${p}5h-utilization`]);
  if (f5 !== undefined) u.fiveHourUtilization = f5;
  const f7 = num(h[`${p}7d-utilization`]);
  if (f7 !== undefined) u.sevenDayUtilization = f7;
  const r5 = num(h[`${p}5h-reset`]);
  if (r5 !== undefined) u.fiveHourReset = r5;
  const r7 = num(h[`${p}7d-reset`]);
  if (r7 !== undefined) u.sevenDayReset = r7;
  const claim = h[`${p}representative-claim`];
  if (claim !== undefined) u.representativeClaim = claim;
  if (Object.keys(overage).length) u.overage = overage;
  return u;
}

/** Builds the snapshot from lower-case response headers and the probe's own usage. */
export function parseRateLimitHeaders(
  model: string,
  h: Headers,
  probeUsage: { inputTokens: number; outputTokens: number },
  takenAt: Date = new Date(systemClock.now()),
): RateLimitSnapshot {
  const s: RateLimitSnapshot = { model, takenAt: takenAt.toISOString(), probeUsage };
  const set = <K extends keyof RateLimitSnapshot>(k: K, v: RateLimitSnapshot[K] | undefined) => {
    if (v !== undefined) s[k] = v;
  };
  set('requestId', h['request-id']);
  set('organizationId', h['anthropic-organization-id']);
  set('workspaceId', h['anthropic-workspace-id']);
  set('requests', family(h, 'anthropic-ratelimit-requests'));
  set('inputTokens', family(h, 'anthropic-ratelimit-input-tokens'));
  set('outputTokens', family(h, 'anthropic-ratelimit-output-tokens'));
  set('tokens', family(h, 'anthropic-ratelimit-tokens'));
  set('priorityInput', family(h, 'anthropic-priority-input-tokens'));
  set('priorityOutput', family(h, 'anthropic-priority-output-tokens'));
  set('fastInput', family(h, 'anthropic-fast-input-tokens'));
  set('fastOutput', family(h, 'anthropic-fast-output-tokens'));
  set('unified', unified(h));
  return s;
}
