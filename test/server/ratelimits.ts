/**
 * Token buckets per model class for the local server's POST /v1/messages. Each bucket is continuously
 * replenished at `limit` per minute (not a fixed window); each request drains it. A simulated background
 * load (other clients of the same organization, a smooth deterministic function of time) is subtracted
 * from what is reported, so successive probes see the numbers move even with no other traffic.
 */
import type { RateClass } from './prices';

export interface ClassLimits {
  requests: number;
  inputTokens: number;
  outputTokens: number;
}

export const DEFAULT_LIMITS: Record<RateClass, ClassLimits> = {
  'opus-4': { requests: 4000, inputTokens: 2_000_000, outputTokens: 400_000 },
  'sonnet-4': { requests: 4000, inputTokens: 2_000_000, outputTokens: 400_000 },
  haiku: { requests: 4000, inputTokens: 4_000_000, outputTokens: 800_000 },
  'opus-5': { requests: 2000, inputTokens: 1_000_000, outputTokens: 200_000 },
  'sonnet-5': { requests: 4000, inputTokens: 2_000_000, outputTokens: 400_000 },
  'fable-5': { requests: 1000, inputTokens: 500_000, outputTokens: 100_000 },
};

export interface RateLimitOptions {
  /**
   * When the combined `anthropic-ratelimit-tokens-*` family is sent: 'always', 'never', or 'by-class'
   * (default: only for the sonnet-4 class, so clients see it both present and absent).
   */
  combinedTokens?: 'always' | 'never' | 'by-class';
  /** Model id (or rate class) with a Priority Tier commitment: gets `anthropic-priority-*` headers. */
  priorityModel?: string;
  /** Model id (or rate class) with fast mode: gets `anthropic-fast-input-tokens-*` / `-output-tokens-*`. */
  fastModel?: string;
  /** Send the subscription-plan `anthropic-ratelimit-unified-*` family. */
  unified?: boolean;
  /** Subtract a moving background load from `-remaining` (default true). */
  backgroundLoad?: boolean;
  /** Per-class overrides of the configured limits. */
  limits?: Partial<Record<RateClass, Partial<ClassLimits>>>;
}

class Bucket {
  private level: number;
  private last: number;

  constructor(
    readonly capacity: number,
    now: number,
  ) {
    this.level = capacity;
    this.last = now;
  }

  /** Per millisecond. */
  get rate(): number {
    return this.capacity / 60_000;
  }

  private refill(now: number): void {
    if (now > this.last) {
      this.level = Math.min(this.capacity, this.level + (now - this.last) * this.rate);
      this.last = now;
    }
  }

  available(now: number, background: number): number {
    this.refill(now);
    return Math.max(0, this.level - background);
  }

  take(now: number, n: number): void {
    this.refill(now);
    this.level = Math.max(0, this.level - n);
  }
}

export interface FamilyValues {
  limit: number;
  remaining: number;
  reset: number; // epoch ms
}

export interface ProbeOutcome {
  ok: boolean;
  /** Seconds until the request would fit, when !ok. */
  retryAfterSeconds?: number;
  /** Which limit was hit, when !ok. */
  exceeded?: 'requests' | 'input tokens' | 'output tokens';
  headers: Record<string, string>;
}

function rfc3339(ms: number): string {
  // Whole seconds, rounded up so "reset" is never before the moment it describes.
  return new Date(Math.ceil(ms / 1000) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function hashString(s: string): number {
  let h = 2166136261;
  for (const c of s) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  return h;
}

export class RateLimiter {
  private readonly buckets = new Map<string, { requests: Bucket; input: Bucket; output: Bucket; limits: ClassLimits }>();

  constructor(
    private options: RateLimitOptions,
    private readonly seed: number,
  ) {}

  setOptions(patch: RateLimitOptions): void {
    this.options = { ...this.options, ...patch };
  }

  get currentOptions(): RateLimitOptions {
    return this.options;
  }

  limitsFor(rateClass: RateClass): ClassLimits {
    return { ...DEFAULT_LIMITS[rateClass], ...(this.options.limits?.[rateClass] ?? {}) };
  }

  private bucketsFor(rateClass: RateClass, now: number) {
    let b = this.buckets.get(rateClass);
    if (!b) {
      const limits = this.limitsFor(rateClass);
      b = {
        limits,
        requests: new Bucket(limits.requests, now),
        input: new Bucket(limits.inputTokens, now),
        output: new Bucket(limits.outputTokens, now),
      };
      this.buckets.set(rateClass, b);
    }
    return b;
  }

  /** Fraction of capacity used by other clients right now: smooth, deterministic, between 0.05 and 0.55. */
  backgroundShare(rateClass: string, family: string, now: number): number {
    if (this.options.backgroundLoad === false) return 0;
    const phase = ((hashString(`${this.seed}:${rateClass}:${family}`) % 1000) / 1000) * 2 * Math.PI;
    const slow = Math.sin((2 * Math.PI * now) / 600_000 + phase); // 10-minute swell
    const fast = Math.sin((2 * Math.PI * now) / 47_000 + 2 * phase); // 47-second ripple
    return 0.3 + 0.18 * slow + 0.07 * fast;
  }

  /** Drains the buckets of `rateClass` for one request (or refuses it) and returns the headers to send. */
  request(model: string, rateClass: RateClass, inputTokens: number, outputTokens: number, now: number): ProbeOutcome {
    const b = this.bucketsFor(rateClass, now);
    const bg = (family: string, cap: number) => cap * this.backgroundShare(rateClass, family, now);
    const reqAvail = b.requests.available(now, bg('requests', b.limits.requests));
    const inAvail = b.input.available(now, bg('input', b.limits.inputTokens));
    const outAvail = b.output.available(now, bg('output', b.limits.outputTokens));
    let exceeded: ProbeOutcome['exceeded'];
    let waitMs = 0;
    if (reqAvail < 1) [exceeded, waitMs] = ['requests', (1 - reqAvail) / b.requests.rate];
    else if (inAvail < inputTokens) [exceeded, waitMs] = ['input tokens', (inputTokens - inAvail) / b.input.rate];
    else if (outAvail < outputTokens) [exceeded, waitMs] = ['output tokens', (outputTokens - outAvail) / b.output.rate];
    if (!exceeded) {
      b.requests.take(now, 1);
      b.input.take(now, inputTokens);
      b.output.take(now, outputTokens);
    }
    const family = (bucket: Bucket, name: string, tokens: boolean): FamilyValues => {
      const avail = bucket.available(now, bg(name, bucket.capacity));
      const remaining = tokens ? Math.round(avail / 1000) * 1000 : Math.floor(avail);
      return { limit: bucket.capacity, remaining, reset: now + (bucket.capacity - avail) / bucket.rate };
    };
    const req = family(b.requests, 'requests', false);
    const inp = family(b.input, 'input', true);
    const out = family(b.output, 'output', true);
    const headers: Record<string, string> = {};
    const put = (prefix: string, v: FamilyValues) => {
      headers[`${prefix}-limit`] = String(v.limit);
      headers[`${prefix}-remaining`] = String(v.remaining);
      headers[`${prefix}-reset`] = rfc3339(v.reset);
    };
    put('anthropic-ratelimit-requests', req);
    put('anthropic-ratelimit-input-tokens', inp);
    put('anthropic-ratelimit-output-tokens', out);
    const combined = this.options.combinedTokens ?? 'by-class';
    if (combined === 'always' || (combined === 'by-class' && rateClass === 'sonnet-4')) {
      // The most restrictive token limit in effect.
      put('anthropic-ratelimit-tokens', inp.remaining / inp.limit <= out.remaining / out.limit ? inp : out);
    }
    const priority = this.options.priorityModel;
    if (priority && (priority === model || priority === rateClass || model.startsWith(`${priority}-`))) {
      const share = (name: string) => 1 - this.backgroundShare(rateClass, name, now) / 2;
      const pLimitIn = Math.round(b.limits.inputTokens / 4);
      const pLimitOut = Math.round(b.limits.outputTokens / 4);
      put('anthropic-priority-input-tokens', { limit: pLimitIn, remaining: Math.round((pLimitIn * share('p-in')) / 1000) * 1000, reset: now + 20_000 });
      put('anthropic-priority-output-tokens', { limit: pLimitOut, remaining: Math.round((pLimitOut * share('p-out')) / 1000) * 1000, reset: now + 20_000 });
    }
    const fast = this.options.fastModel;
    if (fast && (fast === model || fast === rateClass || model.startsWith(`${fast}-`))) {
      const fLimitIn = Math.round(b.limits.inputTokens / 10);
      const fLimitOut = Math.round(b.limits.outputTokens / 10);
      const share = (name: string) => 1 - this.backgroundShare(rateClass, name, now);
      put('anthropic-fast-input-tokens', { limit: fLimitIn, remaining: Math.round((fLimitIn * share('f-in')) / 1000) * 1000, reset: now + 15_000 });
      put('anthropic-fast-output-tokens', { limit: fLimitOut, remaining: Math.round((fLimitOut * share('f-out')) / 1000) * 1000, reset: now + 15_000 });
    }
    if (this.options.unified) {
      const five = 0.2 + this.backgroundShare(rateClass, 'u5', now);
      const seven = 0.35 + this.backgroundShare(rateClass, 'u7', now) / 2;
      const fiveReset = Math.ceil(now / (5 * 3_600_000)) * 5 * 3_600_000;
      const sevenReset = Math.ceil(now / (7 * 86_400_000)) * 7 * 86_400_000;
      headers['anthropic-ratelimit-unified-status'] = five >= 1 ? 'rejected' : five >= 0.8 ? 'allowed_warning' : 'allowed';
      headers['anthropic-ratelimit-unified-5h-utilization'] = five.toFixed(2);
      headers['anthropic-ratelimit-unified-5h-reset'] = String(Math.floor(fiveReset / 1000));
      headers['anthropic-ratelimit-unified-7d-utilization'] = seven.toFixed(2);
      headers['anthropic-ratelimit-unified-7d-reset'] = String(Math.floor(sevenReset / 1000));
      headers['anthropic-ratelimit-unified-representative-claim'] = five >= seven ? 'five_hour' : 'seven_day';
      headers['anthropic-ratelimit-unified-overage-status'] = 'rejected';
      headers['anthropic-ratelimit-unified-overage-disabled-reason'] = 'org_level_disabled';
    }
    if (exceeded) {
      return { ok: false, exceeded, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), headers };
    }
    return { ok: true, headers };
  }
}
