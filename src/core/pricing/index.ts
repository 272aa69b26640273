/**
 * Prices Claude token counts exactly (API-equivalent estimates). Callers accumulate TOKENS per
 * (model, price class) and price each aggregate once: Σ tokens × price / 1e6 in `Decimal`, never floats.
 */
import { Decimal } from '../decimal';
import { BATCH_MULTIPLIER, PRICE_FAMILIES, PRICES_AS_OF, US_INFERENCE_MULTIPLIER, type ModelPrices, type PriceFamily } from './prices';

export { PRICES_AS_OF, PRICE_FAMILIES, type ModelPrices, type PriceFamily, type PriceRow, type FastMode } from './prices';

/** User overrides: model-id prefix → per-million prices (decimal strings or numbers). The longest matching
 *  prefix wins over the built-in table, for every date, with no whole-request tier. Missing cache prices
 *  follow the classic rules (1.25x / 2x / 0.1x input). Fast-mode usage (`<model> (fast)`) of an overridden
 *  model costs the override times the model's built-in fast multiplier; a prefix ending in `(fast)` prices
 *  fast usage directly. */
export type PriceOverrides = Record<
  string,
  { input: string | number; output: string | number; cacheWrite5m?: string | number; cacheWrite1h?: string | number; cacheRead?: string | number }
>;

export interface TokenCounts {
  /** Uncached input. */
  input: number;
  output: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
}

/** Bit flags of how one request is priced (the low 3 bits of a price class; the rest is the row period). */
export const PRICE_CLASS_LONG_CONTEXT = 1;
export const PRICE_CLASS_BATCH = 2;
export const PRICE_CLASS_US = 4;
/** Classes per period: a price class is `period * PRICE_CLASS_PERIOD + flags`. */
export const PRICE_CLASS_PERIOD = 8;

/** The suffix of a fast-mode model row (`claude-opus-4-6 (fast)`). */
export const FAST_SUFFIX = ' (fast)';

export interface DecimalPrices {
  input: Decimal;
  cacheWrite5m: Decimal;
  cacheWrite1h: Decimal;
  cacheRead: Decimal;
  output: Decimal;
}

/** One stretch of time during which a model's prices do not change. */
export interface PricePeriod {
  /** Epoch ms from which it applies (`-Infinity` for the first). */
  start: number;
  /** `null`: no known price in this period (e.g. fast mode after it ended): unpriced. */
  prices: DecimalPrices | null;
  tier?: { above: number; prices: DecimalPrices };
}

export interface ResolvedModel {
  model: string;
  /** Family name, or `override:<prefix>`. */
  family: string;
  fast: boolean;
  /** Oldest first; the first starts at -Infinity. */
  periods: PricePeriod[];
  usInference: boolean;
}

/** Strips provider prefixes (`anthropic/`, `us.anthropic.`), Vertex `@date`, Bedrock `-v1:0`, `[1m]`,
 *  a trailing `-YYYYMMDD` date and our ` (fast)` suffix, and lower-cases. */
export function normalizeModelId(model: string): string {
  let id = model.trim().toLowerCase();
  if (id.endsWith(FAST_SUFFIX)) id = id.slice(0, -FAST_SUFFIX.length).trimEnd();
  id = id.replace(/\[[^\]]*\]$/, '');
  const slash = id.lastIndexOf('/');
  if (slash >= 0) id = id.slice(slash + 1);
  const claude = id.indexOf('claude-');
  if (claude > 0) id = id.slice(claude);
  id = id.replace(/-v\d+(?::\d+)?$/, '');
  id = id.replace(/@\d{8}$/, '');
  id = id.replace(/-\d{8}$/, '');
  id = id.replace(/-latest$/, '');
  return id;
}

function toDecimals(p: ModelPrices): DecimalPrices {
  return {
    input: Decimal.parse(p.input),
    cacheWrite5m: Decimal.parse(p.cacheWrite5m),
    cacheWrite1h: Decimal.parse(p.cacheWrite1h),
    cacheRead: Decimal.parse(p.cacheRead),
    output: Decimal.parse(p.output),
  };
}

function parsePrice(v: string | number, what: string): Decimal {
  const d = typeof v === 'number' ? (Number.isFinite(v) ? Decimal.fromNumber(v) : undefined) : Decimal.tryParse(v);
  if (!d || d.isNegative()) throw new RangeError(`price override ${what} is not a non-negative number`);
  return d;
}

/** Validates overrides up front so a bad setting gives a clear message instead of wrong totals. */
export function validateOverrides(overrides: PriceOverrides | undefined): string[] {
  const problems: string[] = [];
  for (const [prefix, o] of Object.entries(overrides ?? {})) {
    try {
      overrideToDecimals(prefix, o);
    } catch (e) {
      problems.push(`"${prefix}": ${(e as Error).message}`);
    }
  }
  return problems;
}

function overrideToDecimals(prefix: string, o: PriceOverrides[string]): DecimalPrices {
  if (!o || typeof o !== 'object') throw new RangeError(`price override for ${prefix} must be an object`);
  const input = parsePrice(o.input, 'input');
  return {
    input,
    output: parsePrice(o.output, 'output'),
    cacheWrite5m: o.cacheWrite5m !== undefined ? parsePrice(o.cacheWrite5m, 'cacheWrite5m') : input.mul(Decimal.parse('1.25')),
    cacheWrite1h: o.cacheWrite1h !== undefined ? parsePrice(o.cacheWrite1h, 'cacheWrite1h') : input.mulInt(2),
    cacheRead: o.cacheRead !== undefined ? parsePrice(o.cacheRead, 'cacheRead') : input.mul(Decimal.parse('0.1')),
  };
}

const BATCH = Decimal.parse(BATCH_MULTIPLIER);
const US = Decimal.parse(US_INFERENCE_MULTIPLIER);
const ONE = Decimal.parse('1');
const DAY = 86_400_000;

/** Epoch ms of a UTC day's midnight. */
const dayStart = (d: string): number => Date.parse(`${d}T00:00:00Z`);

function scale(p: DecimalPrices, m: Decimal): DecimalPrices {
  if (m.eq(ONE)) return p;
  return { input: p.input.mul(m), cacheWrite5m: p.cacheWrite5m.mul(m), cacheWrite1h: p.cacheWrite1h.mul(m), cacheRead: p.cacheRead.mul(m), output: p.output.mul(m) };
}

/** Instants at which anything about a family's price changes (row starts, fast mode's start and end). */
function boundaries(f: PriceFamily): number[] {
  const b = new Set<number>();
  for (const r of f.rows) if (r.from) b.add(dayStart(r.from));
  for (const x of f.fast ?? []) {
    if (x.from) b.add(dayStart(x.from));
    if (x.until) b.add(dayStart(x.until) + DAY);
  }
  return [...b].sort((a, c) => a - c);
}

function rowAt(f: PriceFamily, at: number): PriceFamily['rows'][number] {
  let row = f.rows[0]!;
  for (const r of f.rows) if (!r.from || dayStart(r.from) <= at) row = r;
  return row;
}

function fastAt(f: PriceFamily, at: number): Decimal | null {
  for (const x of f.fast ?? []) {
    if ((!x.from || dayStart(x.from) <= at) && (!x.until || at < dayStart(x.until) + DAY)) return Decimal.parse(x.multiplier);
  }
  return null;
}

/** Per-million rates as integers at one scale: rate = r / 10^scale (order: input, output, 5m, 1h, read). */
export interface IntegerRates {
  scale: number;
  r: number[];
  max: number;
}

function toInteger(p: DecimalPrices): IntegerRates {
  const list = [p.input, p.output, p.cacheWrite5m, p.cacheWrite1h, p.cacheRead].map((d) => d.normalize());
  const scale = Math.max(...list.map((d) => d.scale));
  const r = list.map((d) => Number(d.mantissa * 10n ** BigInt(scale - d.scale)));
  return { scale, r, max: Math.max(...r) };
}

/** Σ tokens × rate / 10^(scale + 6), exactly, as `Decimal#toString` prints it. */
export function integerCost(x: IntegerRates, t: TokenCounts): string {
  const tokens = t.input + t.output + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead;
  const scale = x.scale + 6;
  if (tokens * x.max < Number.MAX_SAFE_INTEGER) {
    const v = t.input * x.r[0]! + t.output * x.r[1]! + t.cacheWrite5m * x.r[2]! + t.cacheWrite1h * x.r[3]! + t.cacheRead * x.r[4]!;
    return formatScaled(String(v), scale);
  }
  const v = BigInt(t.input) * BigInt(x.r[0]!) + BigInt(t.output) * BigInt(x.r[1]!) + BigInt(t.cacheWrite5m) * BigInt(x.r[2]!) + BigInt(t.cacheWrite1h) * BigInt(x.r[3]!) + BigInt(t.cacheRead) * BigInt(x.r[4]!);
  return formatScaled(v.toString(), scale);
}

/** A non-negative integer's digits divided by 10^scale, trailing fractional zeros removed. */
function formatScaled(digits: string, scale: number): string {
  if (digits === '0') return '0';
  let d = digits.padStart(scale + 1, '0');
  let end = d.length;
  const point = d.length - scale;
  while (end > point && d.charCodeAt(end - 1) === 48) end--;
  d = end > point ? `${d.slice(0, point)}.${d.slice(point, end)}` : d.slice(0, point);
  return d;
}

/** Resolves model ids to dated prices once per id (cached) and prices token totals exactly. */
export class PriceBook {
  private readonly cache = new Map<string, ResolvedModel | null>();
  private readonly overrides: [string, DecimalPrices][];
  readonly asOf = PRICES_AS_OF;

  constructor(overrides?: PriceOverrides) {
    this.overrides = Object.entries(overrides ?? {})
      .map(([prefix, o]): [string, DecimalPrices] => [prefix.trim().toLowerCase(), overrideToDecimals(prefix, o)])
      .sort((a, b) => b[0].length - a[0].length);
  }

  /** `null` when the model is unknown (unpriced, never $0). `model` may carry the ` (fast)` suffix. */
  resolve(model: string): ResolvedModel | null {
    let r = this.cache.get(model);
    if (r === undefined) {
      r = this.lookup(model);
      this.cache.set(model, r);
    }
    return r;
  }

  private lookup(model: string): ResolvedModel | null {
    const raw = model.trim().toLowerCase();
    const fast = raw.endsWith(FAST_SUFFIX);
    const id = normalizeModelId(model);
    const override = this.overrides.find(([prefix]) => raw.startsWith(prefix) || id.startsWith(prefix));
    const family = PRICE_FAMILIES.find((f) => f.pattern.test(id));
    if (!override && !family) return null;
    // An override whose prefix names fast mode prices fast usage as is; otherwise fast multiplies the row.
    const explicitFast = fast && override !== undefined && override[0].includes('(fast');
    const starts = [-Infinity, ...(family ? boundaries(family) : [])];
    const periods: PricePeriod[] = starts.map((start) => {
      const row = family ? rowAt(family, start) : undefined;
      const base = override ? override[1] : toDecimals(row!.prices);
      const mult = !fast || explicitFast ? ONE : family ? fastAt(family, start) : null;
      if (mult === null) return { start, prices: null };
      const tier = !override && row?.tier ? { above: row.tier.above, prices: scale(toDecimals(row.tier.prices), mult) } : undefined;
      return { start, prices: scale(base, mult), ...(tier ? { tier } : {}) };
    });
    if (periods.every((x) => x.prices === null)) return null;
    return { model, family: override ? `override:${override[0]}` : family!.family, fast, periods, usInference: family?.usInference === true };
  }

  /**
   * The price class of one request at epoch ms `ts`: the table period in force then, plus the whole-request
   * tier, batch and US-only inference flags. Token totals are summed per (model, class) and priced once.
   */
  classify(r: ResolvedModel | null, ts: number, t: TokenCounts, batch: boolean, usInference: boolean): number {
    if (!r) return 0;
    let period = r.periods.length - 1;
    while (period > 0 && r.periods[period]!.start > ts) period--;
    let cls = period * PRICE_CLASS_PERIOD;
    const tier = r.periods[period]!.tier;
    if (tier && t.input + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead > tier.above) cls |= PRICE_CLASS_LONG_CONTEXT;
    // Batch and fast mode do not combine: a fast request is priced as fast.
    if (batch && !r.fast) cls |= PRICE_CLASS_BATCH;
    if (usInference && r.usInference) cls |= PRICE_CLASS_US;
    return cls;
  }

  /** Per-million prices of one model and class (after tier, fast, batch and US rules); `null`: unpriced. */
  rates(model: string, priceClass?: number): DecimalPrices | null {
    const r = this.resolve(model);
    if (!r) return null;
    const cls = priceClass ?? (r.periods.length - 1) * PRICE_CLASS_PERIOD;
    const period = r.periods[Math.min(Math.floor(cls / PRICE_CLASS_PERIOD), r.periods.length - 1)]!;
    if (!period.prices) return null;
    let p = cls & PRICE_CLASS_LONG_CONTEXT && period.tier ? period.tier.prices : period.prices;
    if (cls & PRICE_CLASS_BATCH) p = scale(p, BATCH);
    if (cls & PRICE_CLASS_US && r.usInference) p = scale(p, US);
    return p;
  }

  /** Exact USD for token totals of one model and price class (default: today's row, no flags); `null`
   *  when unpriced. */
  cost(model: string, t: TokenCounts, priceClass?: number): Decimal | null {
    const p = this.rates(model, priceClass);
    if (!p) return null;
    return p.input
      .mulInt(t.input)
      .add(p.output.mulInt(t.output))
      .add(p.cacheWrite5m.mulInt(t.cacheWrite5m))
      .add(p.cacheWrite1h.mulInt(t.cacheWrite1h))
      .add(p.cacheRead.mulInt(t.cacheRead))
      .shift(6)
      .normalize();
  }

  private readonly integerRates = new Map<string, (IntegerRates | null)[]>();

  /** The rates of one model and class as integers at one decimal scale, for `costString` (cached). */
  integer(model: string, priceClass: number): IntegerRates | null {
    let byCls = this.integerRates.get(model);
    if (!byCls) this.integerRates.set(model, (byCls = []));
    let r = byCls[priceClass];
    if (r === undefined) {
      const p = this.rates(model, priceClass);
      r = p ? toInteger(p) : null;
      byCls[priceClass] = r;
    }
    return r;
  }

  /** Exact USD as a decimal string (what `cost(...).toString()` gives), fast: integer arithmetic in
   *  doubles while it is exact, BigInt otherwise; `null` when unpriced. */
  costString(model: string, t: TokenCounts, priceClass: number): string | null {
    const r = this.integer(model, priceClass);
    return r ? integerCost(r, t) : null;
  }

  /** Exact USD for one request at epoch ms `ts` (classify + cost). */
  costAt(model: string, t: TokenCounts, ts: number, o: { batch?: boolean; usInference?: boolean } = {}): Decimal | null {
    return this.cost(model, t, this.classify(this.resolve(model), ts, t, o.batch === true, o.usInference === true));
  }
}
