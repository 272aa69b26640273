/**
 * The local server's OWN price table (USD per million tokens, decimal strings), copied from section 6 of
 * shared/docs/anthropic-api.md. Deliberately independent of src/core/pricing so that a bug there shows up
 * as a mismatch against the server's ledger instead of being reproduced by it.
 *
 * Rules applied by `tokenCostCents`: batch halves every price; US-only inference (`inference_geo: "us"`)
 * on 4.6+ models is 1.1x. The long-context premium of Sonnet 4/4.5 is not exercised: the generated
 * organization only produces `context_window: "200k-1M"` rows for claude-sonnet-4-6, which has none.
 */
import { Decimal } from '../../src/core/decimal';

export const PRICES_TAKEN_AT = '2026-11-01';

export type TokenType =
  | 'uncached_input_tokens'
  | 'cache_creation.ephemeral_5m_input_tokens'
  | 'cache_creation.ephemeral_1h_input_tokens'
  | 'cache_read_input_tokens'
  | 'output_tokens';

export const TOKEN_TYPES: readonly TokenType[] = [
  'uncached_input_tokens',
  'cache_creation.ephemeral_5m_input_tokens',
  'cache_creation.ephemeral_1h_input_tokens',
  'cache_read_input_tokens',
  'output_tokens',
];

/** Price per million tokens, USD, per token type. */
export type FamilyPrice = Record<TokenType, string>;

function p(input: string, w5: string, w1: string, read: string, output: string): FamilyPrice {
  return {
    uncached_input_tokens: input,
    'cache_creation.ephemeral_5m_input_tokens': w5,
    'cache_creation.ephemeral_1h_input_tokens': w1,
    cache_read_input_tokens: read,
    output_tokens: output,
  };
}

export const FAMILY_PRICES = {
  'opus-4.5+': p('5', '6.25', '10', '0.50', '25'),
  'opus-4': p('15', '18.75', '30', '1.50', '75'),
  'sonnet-4': p('3', '3.75', '6', '0.30', '15'),
  'sonnet-5': p('2', '2.50', '4', '0.20', '10'),
  'haiku-4.5': p('1', '1.25', '2', '0.10', '5'),
  'haiku-3.5': p('0.80', '1', '1.60', '0.08', '4'),
  'haiku-3': p('0.25', '0.30', '0.50', '0.03', '1.25'),
  'fable-5': p('10', '12.50', '20', '1', '50'),
} as const satisfies Record<string, FamilyPrice>;

export type Family = keyof typeof FAMILY_PRICES;
/** Rate-limit bucket class: models of one class share one token bucket. */
export type RateClass = 'opus-4' | 'sonnet-4' | 'haiku' | 'opus-5' | 'sonnet-5' | 'fable-5';

export interface ModelInfo {
  family: Family;
  rateClass: RateClass;
  /** Marketing name used in cost-report descriptions. */
  displayName: string;
  /** 4.6 and later: US-only inference costs 1.1x. */
  usGeoPremium: boolean;
}

/**
 * Resolves any dated or undated model id the server accepts. Returns undefined for an unknown model
 * (the Messages endpoint answers 404 not_found_error, as the real API does).
 */
export function modelInfo(model: string): ModelInfo | undefined {
  const id = model.replace(/-\d{8}$/, '').replace(/-latest$/, '');
  const m =
    /^claude-(opus|sonnet|haiku|fable)-(\d+)(?:-(\d+))?$/.exec(id) ?? // claude-sonnet-4-5
    /^claude-(\d+)(?:-(\d+))?-(opus|sonnet|haiku)$/.exec(id)?.slice(0, 4); // claude-3-5-haiku
  if (!m) return undefined;
  let name: string;
  let major: number;
  let minor: number;
  if (/^\d/.test(m[1] ?? '')) {
    name = m[3] ?? '';
    major = Number(m[1]);
    minor = Number(m[2] ?? 0);
  } else {
    name = m[1] ?? '';
    major = Number(m[2]);
    minor = Number(m[3] ?? 0);
  }
  const version = major + minor / 10;
  const cap = name.charAt(0).toUpperCase() + name.slice(1);
  const displayName = `Claude ${cap} ${minor ? `${major}.${minor}` : major}`;
  const usGeoPremium = version >= 4.6;
  let family: Family | undefined;
  let rateClass: RateClass | undefined;
  if (name === 'opus') {
    if (major === 5) [family, rateClass] = ['opus-4.5+', 'opus-5'];
    else if (major === 4 && minor >= 5 && minor <= 8) [family, rateClass] = ['opus-4.5+', 'opus-4'];
    else if ((major === 4 && minor <= 1) || major === 3) [family, rateClass] = ['opus-4', 'opus-4'];
  } else if (name === 'sonnet') {
    if (major === 5 && minor === 0) [family, rateClass] = ['sonnet-5', 'sonnet-5'];
    else if ((major === 3 && minor === 7) || (major === 4 && minor <= 6)) [family, rateClass] = ['sonnet-4', 'sonnet-4'];
  } else if (name === 'haiku') {
    if (major === 4 && minor === 5) family = 'haiku-4.5';
    else if (major === 3 && minor === 5) family = 'haiku-3.5';
    else if (major === 3 && minor === 0) family = 'haiku-3';
    rateClass = 'haiku';
  } else if (name === 'fable' && major === 5 && minor === 0) {
    [family, rateClass] = ['fable-5', 'fable-5'];
  }
  if (!family || !rateClass) return undefined;
  return { family, rateClass, displayName, usGeoPremium };
}

const MILLION_SHIFT = 6;

/**
 * Exact cost in CENTS of `tokens` tokens of one type: tokens x USD-per-million / 10^6 x 100, batch 0.5x,
 * US-only inference 1.1x on 4.6+ models. Throws for an unknown model (the generator only uses known ones).
 */
export function tokenCostCents(
  model: string,
  tokenType: TokenType,
  tokens: number,
  serviceTier: string,
  inferenceGeo: string,
): Decimal {
  const info = modelInfo(model);
  if (!info) throw new Error(`mock server: no price for ${model}`);
  let price = Decimal.parse(FAMILY_PRICES[info.family][tokenType]);
  if (serviceTier === 'batch') price = price.mul(Decimal.parse('0.5'));
  if (inferenceGeo === 'us' && info.usGeoPremium) price = price.mul(Decimal.parse('1.1'));
  // USD = tokens * price / 1e6; cents = USD * 100.
  return price.mulInt(tokens).shift(MILLION_SHIFT - 2).normalize();
}

/** Non-token prices, in cents. */
export const WEB_SEARCH_CENTS_PER_REQUEST = Decimal.parse('1'); // $10 per 1,000 searches
