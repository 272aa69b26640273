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
 *
 * V8's young generation is the other half. Such a refresh (and the extension host's own start) grows it to its
 * largest (2 x 16 MiB committed), and V8 shrinks it only at a young-generation collection that finds the thread's
 * allocation rate over the last 5 s low. A thread that then handles a line every few seconds takes minutes to
 * fill 16 MiB, so no such collection comes and the 32 MiB stay (bench/local/vscode.ts --spaces: the first
 * session's young generation at 31.5 MiB through 100 s of appends, the host's RSS 158 MiB; 123-128 MiB once V8
 * shrank it). A full collection does not shrink it; a young-generation collection in a quiet stretch does (a
 * plain Node process: 32 → 1 MiB, at 0.5 ms; 1, 3 or 5 s after the burst: not yet). So after the full collection, one
 * every `SHRINK_YOUNG_EVERY_MS` while the young generation is still large, at most `SHRINK_YOUNG_TRIES` times:
 * in the extension host VS Code's own start-up and the store's work can keep the rate up for a while (a reloaded
 * window's host: 8 tries over 64 s were not enough; V8 shrank it on its own ~90 s in).
 */
import { realTimers, type Timers } from './debounce';

/** A refresh that read this much is worth a collection afterwards. */
export const COLLECT_AFTER_BYTES = 16 * 1024 * 1024;
/** Quiet time after such a refresh before collecting (a burst of refreshes collects once, after it). */
export const COLLECT_IDLE_MS = 1000;
/** After the full collection, a young-generation collection this often (past V8's 5 s window) ... */
export const SHRINK_YOUNG_EVERY_MS = 8000;
/** ... at most this many times (3 minutes; each is a scavenge of ~1 ms), ... */
export const SHRINK_YOUNG_TRIES = 24;
/** ... while V8's young generation has more than this committed (its smallest is 1 MiB). */
export const YOUNG_LARGE_BYTES = 8 * 1024 * 1024;

/** A full collection, or one of the young generation alone. */
export type Collection = 'full' | 'young';

let collector: ((options?: { type: 'minor' }) => void) | null | undefined;

/**
 * Runs a garbage collection of this thread's heap (`young`: its young generation alone); false when the runtime
 * offers none. V8 lends `gc` only to contexts made while `--expose-gc` is set: the flag is set for the one
 * context made here and cleared at once (V8's flags are process-wide), so no other code sees a `gc` it did not
 * ask for.
 */
export function collectGarbage(kind: Collection = 'full'): boolean {
  if (collector === undefined) {
    const own = (globalThis as { gc?: unknown }).gc;
    if (typeof own === 'function') collector = own as NonNullable<typeof collector>;
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
        if (typeof gc === 'function') collector = gc as NonNullable<typeof collector>;
      } catch {
        // no collector: the heap is left to V8
      } finally {
        v8.setFlagsFromString('--no-expose-gc');
      }
    }
  }
  if (!collector) return false;
  if (kind === 'young') collector({ type: 'minor' });
  else collector();
  return true;
}

/** Bytes V8 has committed for this thread's young generation. */
export function youngGenerationBytes(): number {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const v8 = require('node:v8') as typeof import('node:v8');
  let bytes = 0;
  for (const s of v8.getHeapSpaceStatistics()) {
    if (s.space_name === 'new_space' || s.space_name === 'new_large_object_space') bytes += s.space_size;
  }
  return bytes;
}

/**
 * Collects once the thread has been idle for `idleMs` after a refresh that left much behind, then its young
 * generation every `shrinkMs` while that is large (`young()` over `YOUNG_LARGE_BYTES`), so V8 can shrink it.
 */
export class IdleCollector {
  private timer: unknown;
  private shrink: unknown;
  private due = false;
  private running = 0;

  constructor(
    private readonly collect: (kind: Collection) => unknown = collectGarbage,
    private readonly idleMs = COLLECT_IDLE_MS,
    private readonly timers: Timers = realTimers,
    private readonly young: () => number = youngGenerationBytes,
    private readonly shrinkMs = SHRINK_YOUNG_EVERY_MS,
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
    this.timers.clear(this.shrink);
    this.shrink = undefined;
    this.timer = this.later(() => {
      this.timer = undefined;
      this.due = false;
      this.collect('full');
      this.shrinkYoung(SHRINK_YOUNG_TRIES);
    }, this.idleMs);
  }

  /** Appended lines' refreshes allocate too little to matter: they do not postpone it. */
  private shrinkYoung(tries: number): void {
    this.shrink = this.later(() => {
      this.shrink = undefined;
      if (this.young() <= YOUNG_LARGE_BYTES) return;
      this.collect('young');
      if (tries > 1 && this.young() > YOUNG_LARGE_BYTES) this.shrinkYoung(tries - 1);
    }, this.shrinkMs);
  }

  private later(fn: () => void, ms: number): unknown {
    const timer = this.timers.set(fn, ms);
    // A pending collection never keeps a process (the CLI, a test run) alive.
    (timer as { unref?: () => void } | undefined)?.unref?.();
    return timer;
  }
}
