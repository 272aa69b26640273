/**
 * Settings the core shares: their bounds and defaults (the manifest, the host's configuration reader, the
 * dashboard's "Load N days" and the store all use these), and the part of the configuration the store needs.
 */

/** `claudeUsage.history.days`: days of costs, daily tokens and Claude Code analytics loaded (today included). */
export const HISTORY_DAYS = { min: 7, max: 366, default: 30 } as const;

/** `claudeUsage.costs.days`: days the Costs tree shows (today included). */
export const COSTS_DAYS = { min: 1, max: 90, default: 14 } as const;

/** Days of hourly tokens kept (the dashboard shows hours for ranges up to 7 days). */
export const HOURLY_TOKEN_DAYS = 7;

/** How costs are grouped (`claudeUsage.costs.groupBy`, the tree's title actions, the dashboard's select). */
export const COST_GROUPINGS = ['model', 'workspace', 'description'] as const;
export type CostGrouping = (typeof COST_GROUPINGS)[number];

/** A whole number of days within `bounds`; anything else (NaN, strings) gives the default. */
export function clampDays(n: unknown, bounds: { min: number; max: number; default: number }): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.min(bounds.max, Math.max(bounds.min, Math.round(n))) : bounds.default;
}

/** The part of the configuration the store needs (the host builds it from `claudeUsage.*`). */
export interface StoreSettings {
  baseUrl?: string;
  proxyUrl?: string;
  strictSSL: boolean;
  rateLimits: { enabled: boolean; intervalSeconds: number; model: string };
  /** Costs and tokens refresh interval. */
  costsMinutes: number;
  claudeCodeMinutes: number;
  labelsHours: number;
  localMinutes: number;
  /** Days the Costs tree shows (today included); the store fetches at least this many. */
  costsDays: number;
  /**
   * Days of costs, daily tokens and Claude Code analytics the store fetches (today included;
   * `claudeUsage.history.days`, HISTORY_DAYS). Complete days are cached, so only a
   * longer history or the open days cost requests.
   */
  historyDays: number;
  local: { enabled: boolean };
}

export const DEFAULT_STORE_SETTINGS: StoreSettings = {
  strictSSL: true,
  rateLimits: { enabled: true, intervalSeconds: 60, model: 'claude-haiku-4-5' },
  costsMinutes: 15,
  claudeCodeMinutes: 60,
  labelsHours: 24,
  localMinutes: 5,
  costsDays: COSTS_DAYS.default,
  historyDays: HISTORY_DAYS.default,
  local: { enabled: true },
};
