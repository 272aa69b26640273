/** Change notifications for the transcript watcher (no vscode import, so it is unit-tested). */
import { monotonicMs } from '../clock';

/** Quiet time after a change before refreshing… */
export const DEBOUNCE_MS = 1000;
/** …but never longer than this after the first change of a burst (appends every second still show). */
export const MAX_WAIT_MS = 3000;

/** The timer functions a Debouncer uses (injectable for tests). */
export interface Timers {
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimers: Timers = {
  now: monotonicMs,
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** Debounce with a maximum wait: `fire` runs `quietMs` after the last `poke`, or `maxMs` after the first. */
export class Debouncer {
  private timer: unknown;
  private first = 0;

  constructor(
    private readonly fire: () => void,
    private readonly quietMs = DEBOUNCE_MS,
    private readonly maxMs = MAX_WAIT_MS,
    private readonly timers: Timers = realTimers,
  ) {}

  poke(): void {
    const t = this.timers.now();
    if (this.timer === undefined) this.first = t;
    else this.timers.clear(this.timer);
    const wait = Math.max(0, Math.min(this.quietMs, this.first + this.maxMs - t));
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.fire();
    }, wait);
  }

  get pending(): boolean {
    return this.timer !== undefined;
  }

  dispose(): void {
    if (this.timer !== undefined) this.timers.clear(this.timer);
    this.timer = undefined;
  }
}
