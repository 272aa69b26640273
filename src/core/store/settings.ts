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
  /** Days of costs and daily tokens kept (today included). */
  costsDays: number;
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
  local: { enabled: true },
};

/** Days of Claude Code analytics and hourly tokens kept. */
export const CLAUDE_CODE_DAYS = 7;
export const HOURLY_TOKEN_DAYS = 7;
