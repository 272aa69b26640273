/**
 * Plan limits of a Claude Pro/Max subscription (the rolling 5-hour session window, the weekly window and
 * any per-model weekly window), as Claude Code hands them to its status line command. Plain JSON: the
 * state file, the extension's store, the CLI and the webview all carry these types unchanged.
 * No vscode import.
 */

/** What a window is: the 5-hour session, the weekly window, a per-model weekly window, or something newer. */
export type PlanWindowKind = 'session' | 'week' | 'modelWeek' | 'other';

/** One window as last observed. */
export interface PlanWindow {
  /** The key Claude Code used under `rate_limits` (`five_hour`, `seven_day`, `seven_day_opus`, …). */
  key: string;
  kind: PlanWindowKind;
  /** 0-100, may be fractional. */
  usedPercent: number;
  /** Epoch ms when the window resets; absent when Claude Code did not say. */
  resetsAt?: number;
  /** Epoch ms when the status line saw it. */
  observedAt: number;
  /** The session that reported it (several sessions report the same account-wide window). */
  sessionId?: string;
}

/** The latest Claude Code session that ran the status line (the newest observation wins). */
export interface PlanSession {
  sessionId?: string;
  /** Model display name (`Opus 4.8`), else its id. */
  model?: string;
  modelId?: string;
  /** Claude Code version (`2.1.214`). */
  version?: string;
  /** Context window fill, 0-100, as Claude Code computed it. */
  contextPercent?: number;
  /** Claude Code's own estimate of the session's cost in USD (not a bill). */
  costUsd?: number;
  cwd?: string;
  observedAt: number;
}

/**
 * Compact history of one window: `[epoch seconds, used %, resets-at epoch seconds or 0]`, oldest first.
 * At most one sample per minute (one per 15 minutes beyond the last day), runs of equal values kept as
 * their first and last sample, nothing older than the kept range.
 */
export type PlanSample = [t: number, usedPercent: number, resetsAt: number];

/** Everything the extension's store holds about plan limits: the state file's content. */
export interface PlanData {
  version: 1;
  /** Epoch ms of the last write. */
  updatedAt: number;
  /** Latest observation per window key. */
  windows: Record<string, PlanWindow>;
  session?: PlanSession;
  history: Record<string, PlanSample[]>;
}

export const PLAN_DATA_VERSION = 1;

export function emptyPlanData(): PlanData {
  return { version: PLAN_DATA_VERSION, updatedAt: 0, windows: {}, history: {} };
}

/** One parsed status line payload (every field optional; `windows` empty without `rate_limits`). */
export interface StatusPayload {
  sessionId?: string;
  model?: string;
  modelId?: string;
  version?: string;
  cwd?: string;
  contextPercent?: number;
  costUsd?: number;
  /** Windows with a usable `used_percentage` (reset times in epoch ms). */
  windows: { key: string; kind: PlanWindowKind; usedPercent: number; resetsAt?: number }[];
}
