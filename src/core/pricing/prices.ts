/**
 * The price table as dated data: USD per million tokens, from the API contract (docs/anthropic-api.md
 * section 6) as of `PRICES_AS_OF`. Every row says from which UTC day it applies; a usage line is priced with
 * the row in force at its own timestamp (a September line keeps September's price after a cut). Every token
 * type has its own price in every row: nothing is derived from the input price (several models no longer
 * follow the 1.25x / 2x / 0.1x pattern). Users override prices with `PriceOverrides` (setting
 * `claudeUsage.local.priceOverrides`, CLI `--prices FILE`). Families are matched on a normalised model id
 * (see `normalizeModelId` in ./index.ts); an id no family matches is unpriced, never $0.
 */

/** The date the table below was taken from the contract (shown next to every estimate). */
export const PRICES_AS_OF = '2026-11-30';

/** Per-million USD prices as exact decimal strings. */
export interface ModelPrices {
  input: string;
  cacheWrite5m: string;
  cacheWrite1h: string;
  cacheRead: string;
  output: string;
}

/** One row of the table: prices in force from `from` (a UTC day, inclusive) until the next row's `from`. */
export interface PriceRow {
  /** `YYYY-MM-DD`, UTC; absent on a model's first row (in force since the model existed). */
  from?: string;
  prices: ModelPrices;
  /**
   * Whole-request tier: when one request's input (uncached + cache writes + cache reads) is above `above`
   * tokens, every token of that request (output included) is priced at `prices`.
   */
  tier?: { above: number; prices: ModelPrices };
}

/** Fast mode (`usage.speed: "fast"`): every token type of the request costs `multiplier` times the row. */
export interface FastMode {
  multiplier: string;
  /** First UTC day fast mode is billed at this multiplier (absent: since it existed). */
  from?: string;
  /** Last UTC day it is offered (inclusive); a "fast" line after it has no known price (unpriced). */
  until?: string;
}

export interface PriceFamily {
  /** Stable family name shown in reports and tests. */
  family: string;
  /** Tested against the normalised id (no date suffix, no provider prefix, no `(fast)`). */
  pattern: RegExp;
  /** Oldest first. */
  rows: PriceRow[];
  /** Fast-mode multipliers; none: fast usage of this model is unpriced. */
  fast?: FastMode[];
  /** US-only inference (`inference_geo: "us"`) costs 1.1x: models 4.6 and later. */
  usInference?: boolean;
  /** Documentation only: rows published by price trackers, not yet on Anthropic's page (note (b)). */
  tracked?: boolean;
}

const p = (input: string, cacheWrite5m: string, cacheWrite1h: string, cacheRead: string, output: string): ModelPrices => ({
  input,
  cacheWrite5m,
  cacheWrite1h,
  cacheRead,
  output,
});

export const BATCH_MULTIPLIER = '0.5';
export const US_INFERENCE_MULTIPLIER = '1.1';

const OPUS_45 = p('5', '6.25', '10', '0.5', '25');
const OPUS_4 = p('15', '18.75', '30', '1.5', '75');
const SONNET_4 = p('3', '3.75', '6', '0.3', '15');
const SONNET_4_LONG = { above: 200_000, prices: p('6', '7.5', '12', '0.6', '22.5') };
const end = '(?=$|-[a-z])';
const id = (s: string) => new RegExp(`^claude-${s}${end}`);

/** Order matters: the first matching family wins (specific before general). */
export const PRICE_FAMILIES: readonly PriceFamily[] = [
  { family: 'fable-5.2', pattern: id('fable-5-2'), rows: [{ prices: p('8', '10', '16', '0.2', '40') }], fast: [{ multiplier: '2' }], usInference: true, tracked: true },
  { family: 'fable-5.1', pattern: id('(?:fable|mythos)-5-1'), rows: [{ prices: p('10', '12.5', '20', '0.25', '50') }], usInference: true },
  { family: 'fable-5', pattern: id('(?:fable|mythos)-5'), rows: [{ prices: p('10', '12.5', '20', '1', '50') }], usInference: true },
  { family: 'opus-5.5', pattern: id('opus-5-5'), rows: [{ prices: p('4', '5', '8', '0.2', '20') }], fast: [{ multiplier: '2' }], usInference: true },
  { family: 'opus-5', pattern: id('opus-5'), rows: [{ prices: OPUS_45 }], fast: [{ multiplier: '2' }], usInference: true },
  { family: 'opus-4.8', pattern: id('opus-4-8'), rows: [{ prices: OPUS_45 }], fast: [{ multiplier: '2', until: '2026-11-30' }], usInference: true },
  { family: 'opus-4.7', pattern: id('opus-4-7'), rows: [{ prices: OPUS_45 }], usInference: true },
  { family: 'opus-4.6', pattern: id('opus-4-6'), rows: [{ prices: OPUS_45 }], fast: [{ multiplier: '6' }], usInference: true },
  { family: 'opus-4.5', pattern: id('opus-4-5'), rows: [{ prices: OPUS_45 }] },
  { family: 'opus-4/4.1', pattern: id('opus-4(?:-[01])?'), rows: [{ prices: OPUS_4 }] },
  { family: 'opus-3', pattern: id('3-opus'), rows: [{ prices: OPUS_4 }] },
  {
    family: 'sonnet-5.5',
    pattern: id('sonnet-5-5'),
    rows: [{ prices: p('2', '2.5', '4', '0.2', '10') }, { from: '2026-10-07', prices: p('2', '2.5', '4', '0.1', '10') }],
    usInference: true,
    tracked: true,
  },
  { family: 'sonnet-5', pattern: id('sonnet-5'), rows: [{ prices: p('2', '2.5', '4', '0.2', '10') }], usInference: true },
  { family: 'sonnet-4.6', pattern: id('sonnet-4-6'), rows: [{ prices: SONNET_4 }], usInference: true },
  { family: 'sonnet-4/4.5', pattern: id('sonnet-4(?:-[05])?'), rows: [{ prices: SONNET_4, tier: SONNET_4_LONG }] },
  { family: 'sonnet-3.7', pattern: id('3-7-sonnet'), rows: [{ prices: SONNET_4 }] },
  {
    family: 'haiku-5.5',
    pattern: id('haiku-5-5'),
    rows: [{ prices: p('0.1', '0.125', '0.2', '0.01', '0.5'), tier: { above: 100_000, prices: p('0.5', '0.625', '1', '0.05', '2.5') } }],
    usInference: true,
    tracked: true,
  },
  { family: 'haiku-4.5', pattern: id('haiku-4-5'), rows: [{ prices: p('1', '1.25', '2', '0.1', '5') }] },
  { family: 'haiku-3.5', pattern: id('3-5-haiku'), rows: [{ prices: p('0.8', '1', '1.6', '0.08', '4') }] },
  { family: 'haiku-3', pattern: id('3-haiku'), rows: [{ prices: p('0.25', '0.3', '0.5', '0.03', '1.25') }] },
];
