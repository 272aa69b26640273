/**
 * The one source of "what time is it". Nothing else in the project reads the wall clock (a lint rule
 * forbids `Date.now()` and `new Date()` without arguments everywhere but here): the store, the lease, the
 * transcript scan, the view models, the CLI, the local Anthropic server, the e2e harness and `npm start` all
 * take a `Clock`, defaulting to `systemClock`.
 *
 * `CLAUDE_USAGE_NOW=2026-12-31T23:30:00Z` pins a whole run: the clock starts at that instant and runs on
 * from there. The first process that reads it records the real instant it was pinned at
 * (`…Z@<real epoch ms>`) back into its environment, so every process it starts afterwards (the local
 * server, the CLI, VS Code's extension host) shares one timeline instead of each starting its own.
 *
 * Durations (how long something took) use `monotonicMs()`, a monotonic timer, not this clock.
 */

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
}

export const CLOCK_ENV = 'CLAUDE_USAGE_NOW';

/**
 * Milliseconds on a monotonic timer, for durations and deadlines only (not a time of day). `process.hrtime`
 * rather than `performance.now()`: Node 20 loads `perf_hooks` on the first use of the global `performance`,
 * ~1.4 ms of a 0.2 s warm `claude-usage local` run.
 */
export function monotonicMs(): number {
  const t = process.hrtime();
  return t[0] * 1e3 + t[1] / 1e6;
}

/** The wall clock, the only place it is read. */
function wallNow(): number {
  return Date.now();
}

/**
 * Parses `ISO` or `ISO@anchorMs` (the real epoch ms at which the pinned instant applied).
 * Returns undefined when unset; throws on a value that is not a time, so a typo never silently means "now".
 */
export function parsePinnedTime(value: string | undefined): { pinned: number; anchor?: number } | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const [iso, anchorText] = value.trim().split('@');
  const pinned = Date.parse(iso!);
  if (Number.isNaN(pinned)) throw new RangeError(`${CLOCK_ENV} must be an ISO 8601 time such as 2026-12-31T23:30:00Z, got "${value}"`);
  if (anchorText === undefined) return { pinned };
  const anchor = Number(anchorText);
  if (!Number.isFinite(anchor)) throw new RangeError(`${CLOCK_ENV} has an invalid anchor in "${value}"`);
  return { pinned, anchor };
}

/**
 * The clock a process uses: the wall clock, or the pinned timeline of `CLAUDE_USAGE_NOW`. With `record`
 * (the default for `systemClock`), a freshly pinned time is written back as `ISO@anchor` so child
 * processes follow the same timeline.
 */
export function clockFromEnv(env: NodeJS.ProcessEnv | Record<string, string | undefined>, record = false): Clock {
  const p = parsePinnedTime(env[CLOCK_ENV]);
  if (!p) return { now: wallNow };
  const anchor = p.anchor ?? wallNow();
  if (record && p.anchor === undefined) env[CLOCK_ENV] = `${new Date(p.pinned).toISOString()}@${anchor}`;
  const offset = p.pinned - anchor;
  return { now: () => wallNow() + offset };
}

/**
 * The process's clock, resolved from the environment when this module loads (so a pinned time is recorded
 * for child processes before any is started). The webview, which has no environment, gets the wall clock.
 */
const resolved: Clock = clockFromEnv(typeof process !== 'undefined' && process.env ? process.env : {}, true);
export const systemClock: Clock = { now: () => resolved.now() };

/** A clock that moves only when told (tests, benchmarks, the CLI's fixed reports). */
export class ManualClock implements Clock {
  constructor(private t: number) {}
  now(): number {
    return this.t;
  }
  set(ms: number): void {
    this.t = ms;
  }
  advance(ms: number): void {
    this.t += ms;
  }
}

/** `new Date(clock.now())`, for callers that want a Date. */
export function nowDate(clock: Clock = systemClock): Date {
  return new Date(clock.now());
}
