/**
 * The `tokens` report (CLI JSON, README "CLI"; views reuse it):
 * `{"days":[{"date","byModel":{"<model>":{"uncachedInput","cacheWrite5m","cacheWrite1h","cacheRead","output","webSearches"}}}]}`.
 * Exact integers from the usage report. Buckets ascending; a bucket with no results is omitted.
 * `date` is the UTC day for 1d buckets and the bucket start (`2026-11-01T13:00:00Z`) for 1h/1m.
 * A null model (rows not grouped by model) is keyed `(all models)`. With extra group-by dimensions each
 * day also has `byWorkspace` (`(default)` for null), `byApiKey` (`(console)` for null) or `byServiceTier`.
 */
import type { TokenCounts } from '../anthropic/types';
import type { TokenCounts as LocalTokenCounts } from '../pricing';
import type { TokenRow } from '../model/snapshot';
import { DEFAULT_WORKSPACE } from './costs';

export const ALL_MODELS = '(all models)';

export type TokensGroupBy = 'model' | 'workspace' | 'api_key' | 'service_tier';

export interface TokensDay {
  date: string;
  byModel: Record<string, TokenCounts>;
  byWorkspace?: Record<string, TokenCounts>;
  byApiKey?: Record<string, TokenCounts>;
  byServiceTier?: Record<string, TokenCounts>;
}

export interface TokensReport {
  days: TokensDay[];
}

/** All six token counts at zero. */
export function zeroTokens(): TokenCounts {
  return { uncachedInput: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0, webSearches: 0 };
}

/** Adds `r`'s six token counts to `into` (in place); the one token sum the reports and views share. */
export function addTokens(into: TokenCounts, r: TokenCounts): void {
  into.uncachedInput += r.uncachedInput;
  into.cacheWrite5m += r.cacheWrite5m;
  into.cacheWrite1h += r.cacheWrite1h;
  into.cacheRead += r.cacheRead;
  into.output += r.output;
  into.webSearches += r.webSearches;
}

/** Adds a local estimate's five token counts (transcripts have no web searches) to `into` (in place). */
export function addLocalTokens(into: LocalTokenCounts, t: LocalTokenCounts): void {
  into.input += t.input;
  into.output += t.output;
  into.cacheWrite5m += t.cacheWrite5m;
  into.cacheWrite1h += t.cacheWrite1h;
  into.cacheRead += t.cacheRead;
}

function addKeyed(map: Map<string, TokenCounts>, key: string, r: TokenCounts): void {
  let c = map.get(key);
  if (!c) map.set(key, (c = zeroTokens()));
  addTokens(c, r);
}

function toRecord(map: Map<string, TokenCounts>): Record<string, TokenCounts> {
  const out: Record<string, TokenCounts> = {};
  for (const k of [...map.keys()].sort()) out[k] = map.get(k)!;
  return out;
}

export function tokensReport(rows: readonly TokenRow[], options: { groupBy?: readonly TokensGroupBy[] } = {}): TokensReport {
  const extra = new Set(options.groupBy ?? []);
  const days = new Map<string, { model: Map<string, TokenCounts>; ws: Map<string, TokenCounts>; key: Map<string, TokenCounts>; tier: Map<string, TokenCounts> }>();
  for (const r of rows) {
    let d = days.get(r.start);
    if (!d) days.set(r.start, (d = { model: new Map(), ws: new Map(), key: new Map(), tier: new Map() }));
    addKeyed(d.model, r.model ?? ALL_MODELS, r);
    addKeyed(d.ws, r.workspaceId ?? DEFAULT_WORKSPACE, r);
    addKeyed(d.key, r.apiKeyId ?? '(console)', r);
    addKeyed(d.tier, r.serviceTier ?? '(none)', r);
  }
  return {
    days: [...days.keys()].sort().map((date) => {
      const d = days.get(date)!;
      const day: TokensDay = { date, byModel: toRecord(d.model) };
      if (extra.has('workspace')) day.byWorkspace = toRecord(d.ws);
      if (extra.has('api_key')) day.byApiKey = toRecord(d.key);
      if (extra.has('service_tier')) day.byServiceTier = toRecord(d.tier);
      return day;
    }),
  };
}
