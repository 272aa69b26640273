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
   * `claudeUsage.history.days`, HISTORY_DAYS_MIN..HISTORY_DAYS_MAX). Complete days are cached, so only a
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
  costsDays: 14,
  historyDays: 30,
  local: { enabled: true },
};

/** Bounds of `claudeUsage.history.days` (the setting, the dashboard's "Load N days" and the store agree). */
export const HISTORY_DAYS_MIN = 7;
export const HISTORY_DAYS_MAX = 366;

/** Days of hourly tokens kept (the dashboard shows hours for ranges up to 7 days). */
export const HOURLY_TOKEN_DAYS = 7;
