/**
 * The price table as data: USD per million tokens, taken from the API contract
 * (docs/anthropic-api.md section 6) on the date below. Prices change: users override them with
 * `PriceOverrides` (setting `claudeUsage.local.priceOverrides`, CLI `--prices FILE`).
 * Families are matched on a normalised model id (see `normalizeModelId` in ./index.ts).
 */

/** When the table below was taken from the contract. */
export const PRICES_AS_OF = '2026-11-27';

/** Per-million USD prices as exact decimal strings. */
export interface ModelPrices {
  input: string;
  cacheWrite5m: string;
  cacheWrite1h: string;
  cacheRead: string;
  output: string;
}

export interface PriceFamily {
  /** Stable family name shown in reports. */
  family: string;
  /** Tested against the normalised id (no date suffix, no provider prefix). */
  pattern: RegExp;
  prices: ModelPrices;
  /** Sonnet 4 / 4.5: a request whose input (cache reads and writes included) exceeds 200k tokens is
   *  priced entirely at these rates. */
  longContext?: ModelPrices;
  /** US-only inference (1.1x) applies to 4.6 and later. */
  usInferenceMultiplier?: boolean;
}

const p = (input: string, cacheWrite5m: string, cacheWrite1h: string, cacheRead: string, output: string): ModelPrices => ({
  input,
  cacheWrite5m,
  cacheWrite1h,
  cacheRead,
  output,
});

/** Threshold of the whole-request long-context rule (input incl. cache reads and writes). */
export const LONG_CONTEXT_THRESHOLD = 200_000;
export const BATCH_MULTIPLIER = '0.5';
export const US_INFERENCE_MULTIPLIER = '1.1';

/** Order matters: the first matching family wins (specific before general). */
export const PRICE_FAMILIES: readonly PriceFamily[] = [
  { family: 'opus-4.5+', pattern: /^claude-opus-4-[5-9](?=$|-[a-z])/, prices: p('5', '6.25', '10', '0.5', '25'), usInferenceMultiplier: true },
  { family: 'opus-5', pattern: /^claude-opus-5(?=$|-[a-z])/, prices: p('5', '6.25', '10', '0.5', '25'), usInferenceMultiplier: true },
  { family: 'opus-4/4.1', pattern: /^claude-opus-4(?:-[01])?(?=$|-[a-z])/, prices: p('15', '18.75', '30', '1.5', '75') },
  { family: 'opus-3', pattern: /^claude-3-opus(?=$|-[a-z])/, prices: p('15', '18.75', '30', '1.5', '75') },
  {
    family: 'sonnet-4/4.5',
    pattern: /^claude-sonnet-4(?:-[05])?(?=$|-[a-z])/,
    prices: p('3', '3.75', '6', '0.3', '15'),
    longContext: p('6', '7.5', '12', '0.6', '22.5'),
  },
  { family: 'sonnet-4.6+', pattern: /^claude-sonnet-4-[6-9](?=$|-[a-z])/, prices: p('3', '3.75', '6', '0.3', '15'), usInferenceMultiplier: true },
  { family: 'sonnet-3.7', pattern: /^claude-3-7-sonnet(?=$|-[a-z])/, prices: p('3', '3.75', '6', '0.3', '15') },
  { family: 'sonnet-5', pattern: /^claude-sonnet-5(?=$|-[a-z])/, prices: p('2', '2.5', '4', '0.2', '10'), usInferenceMultiplier: true },
  { family: 'haiku-4.5', pattern: /^claude-haiku-4-5(?=$|-[a-z])/, prices: p('1', '1.25', '2', '0.1', '5') },
  { family: 'haiku-3.5', pattern: /^claude-3-5-haiku(?=$|-[a-z])/, prices: p('0.8', '1', '1.6', '0.08', '4') },
  { family: 'haiku-3', pattern: /^claude-3-haiku(?=$|-[a-z])/, prices: p('0.25', '0.3', '0.5', '0.03', '1.25') },
  { family: 'fable-5', pattern: /^claude-fable-5(?=$|-[a-z])/, prices: p('10', '12.5', '20', '1', '50'), usInferenceMultiplier: true },
];
