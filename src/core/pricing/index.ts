/**
 * Prices Claude token counts exactly (API-equivalent estimates). Callers accumulate TOKENS per
 * (model, price class) and price each aggregate once: Σ tokens × price / 1e6 in `Decimal`, never floats.
 */
import { Decimal } from '../decimal';
import {
  BATCH_MULTIPLIER,
  LONG_CONTEXT_THRESHOLD,
  PRICE_FAMILIES,
  PRICES_AS_OF,
  US_INFERENCE_MULTIPLIER,
  type ModelPrices,
} from './prices';

export { PRICES_AS_OF, LONG_CONTEXT_THRESHOLD, type ModelPrices } from './prices';

/** User overrides: model-id prefix → per-million prices (decimal strings or numbers). The longest matching
 *  prefix wins over the built-in table. Missing cache prices follow the rules (1.25x / 2x / 0.1x input). */
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

/** Bit flags of how one request is priced. */
export const PRICE_CLASS_LONG_CONTEXT = 1;
export const PRICE_CLASS_BATCH = 2;
export const PRICE_CLASS_US = 4;

interface DecimalPrices {
  input: Decimal;
  cacheWrite5m: Decimal;
  cacheWrite1h: Decimal;
  cacheRead: Decimal;
  output: Decimal;
}

export interface ResolvedModel {
  model: string;
  /** Family name, or `override:<prefix>`. */
  family: string;
  prices: DecimalPrices;
  longContext?: DecimalPrices;
  usInference: boolean;
}

/** Strips provider prefixes (`anthropic/`, `us.anthropic.`), Vertex `@date`, Bedrock `-v1:0`, `[1m]`,
 *  and a trailing `-YYYYMMDD` date, and lower-cases. */
export function normalizeModelId(model: string): string {
  let id = model.trim().toLowerCase();
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

/** Resolves model ids to prices once per id (cached). */
export class PriceBook {
  private readonly cache = new Map<string, ResolvedModel | null>();
  private readonly overrides: [string, DecimalPrices][];
  readonly asOf = PRICES_AS_OF;

  constructor(overrides?: PriceOverrides) {
    this.overrides = Object.entries(overrides ?? {})
      .map(([prefix, o]): [string, DecimalPrices] => [prefix.toLowerCase(), overrideToDecimals(prefix, o)])
      .sort((a, b) => b[0].length - a[0].length);
  }

  /** `null` when the model is unknown (unpriced, never $0). */
  resolve(model: string): ResolvedModel | null {
    let r = this.cache.get(model);
    if (r === undefined) {
      r = this.lookup(model);
      this.cache.set(model, r);
    }
    return r;
  }

  private lookup(model: string): ResolvedModel | null {
    const raw = model.toLowerCase();
    const id = normalizeModelId(model);
    for (const [prefix, prices] of this.overrides) {
      if (raw.startsWith(prefix) || id.startsWith(prefix)) return { model, family: `override:${prefix}`, prices, usInference: false };
    }
    for (const f of PRICE_FAMILIES) {
      if (f.pattern.test(id)) {
        return {
          model,
          family: f.family,
          prices: toDecimals(f.prices),
          ...(f.longContext ? { longContext: toDecimals(f.longContext) } : {}),
          usInference: f.usInferenceMultiplier === true,
        };
      }
    }
    return null;
  }

  /** The price class of one request: long context (whole request), batch, US-only inference. */
  classify(r: ResolvedModel | null, t: TokenCounts, batch: boolean, usInference: boolean): number {
    let cls = 0;
    if (r?.longContext && t.input + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead > LONG_CONTEXT_THRESHOLD) cls |= PRICE_CLASS_LONG_CONTEXT;
    if (batch) cls |= PRICE_CLASS_BATCH;
    if (usInference && r?.usInference) cls |= PRICE_CLASS_US;
    return cls;
  }

  /** Exact USD for token totals of one model and price class; `null` when unpriced. */
  cost(model: string, t: TokenCounts, priceClass = 0): Decimal | null {
    const r = this.resolve(model);
    if (!r) return null;
    const p = priceClass & PRICE_CLASS_LONG_CONTEXT && r.longContext ? r.longContext : r.prices;
    let c = p.input
      .mulInt(t.input)
      .add(p.output.mulInt(t.output))
      .add(p.cacheWrite5m.mulInt(t.cacheWrite5m))
      .add(p.cacheWrite1h.mulInt(t.cacheWrite1h))
      .add(p.cacheRead.mulInt(t.cacheRead))
      .shift(6);
    if (priceClass & PRICE_CLASS_BATCH) c = c.mul(BATCH);
    if (priceClass & PRICE_CLASS_US && r.usInference) c = c.mul(US);
    return c.normalize();
  }
}
