/**
 * Giving back the heap a big refresh leaves behind, in the thread that runs the engine (the extension host's).
 *
 * A first index (or the saved index loaded, or a long catch-up) allocates tens of MB that die as soon as the
 * refresh ends: lines, strings, the parsed header, the scan helper's columns. V8 sizes the next major
 * collection from the heap it reached, and a thread that then only handles an appended line every few seconds
 * allocates too little to reach it: the dead pages stay resident for the rest of the session. At 3 GiB of
 * transcripts that was ~20 MiB of the extension host's RSS (bench/local/live.ts: steady 161-164 MiB → 141-146 MiB
 * with one collection after the first index; bench/local/README.md). One full collection when the thread
 * falls idle after such a refresh gives it back; it costs tens of ms of CPU once, not on every refresh.
 */
import { realTimers, type Timers } from './debounce';

/** A refresh that read this much is worth a collection afterwards. */
export const COLLECT_AFTER_BYTES = 16 * 1024 * 1024;
/** Quiet time after such a refresh before collecting (a burst of refreshes collects once, after it). */
export const COLLECT_IDLE_MS = 1000;

let collector: (() => void) | null | undefined;

/**
 * Runs a full garbage collection of this thread's heap; false when the runtime offers none. V8 lends `gc` only
 * to contexts made while `--expose-gc` is set: the flag is set for the one context made here and cleared at
 * once (V8's flags are process-wide), so no other code sees a `gc` it did not ask for.
 */
export function collectGarbage(): boolean {
  if (collector === undefined) {
    const own = (globalThis as { gc?: unknown }).gc;
    if (typeof own === 'function') collector = own as () => void;
    else {
      collector = null;
      // Loaded here, on the first collection: loading node:v8 took ~4.5 ms of every `claude-usage local` run,
      // which never collects (its process ends with the refresh).
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const v8 = require('node:v8') as typeof import('node:v8');
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const vm = require('node:vm') as typeof import('node:vm');
      try {
        v8.setFlagsFromString('--expose-gc');
        const gc: unknown = vm.runInNewContext('gc');
        if (typeof gc === 'function') collector = gc as () => void;
      } catch {
        // no collector: the heap is left to V8
      } finally {
        v8.setFlagsFromString('--no-expose-gc');
      }
    }
  }
  if (!collector) return false;
  collector();
  return true;
}

/** Collects once the thread has been idle for `idleMs` after a refresh that left much behind. */
export class IdleCollector {
  private timer: unknown;
  private due = false;
  private running = 0;

  constructor(
    private readonly collect: () => unknown = collectGarbage,
    private readonly idleMs = COLLECT_IDLE_MS,
    private readonly timers: Timers = realTimers,
  ) {}

  /** A refresh starts: a pending collection waits until every refresh has ended. */
  start(): void {
    this.running++;
    this.timers.clear(this.timer);
    this.timer = undefined;
  }

  /** A refresh ended; `big`: it read `COLLECT_AFTER_BYTES` or more, or it was the engine's first. */
  end(big: boolean): void {
    this.running = Math.max(0, this.running - 1);
    this.due ||= big;
    if (!this.due || this.running > 0) return;
    this.timers.clear(this.timer);
    this.timer = this.timers.set(() => {
      this.timer = undefined;
      this.due = false;
      this.collect();
    }, this.idleMs);
    // A pending collection never keeps a process (the CLI, a test run) alive.
    (this.timer as { unref?: () => void } | undefined)?.unref?.();
  }
}
