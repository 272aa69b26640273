/**
 * Small synchronous file primitives for the status line (a short-lived process that must finish in a few
 * milliseconds) and the extension: atomic replace (temp file + rename in the same folder, so a reader
 * sees the old or the new file, never half of one) and a short exclusive lock file for read-modify-write.
 * No vscode import.
 */
import { closeSync, mkdirSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { monotonicMs } from '../clock';

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `ms` (the status line has nothing else to do meanwhile). */
export function sleepSync(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function code(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException | undefined)?.code;
}

/**
 * Replaces `path` with `text` atomically. Windows refuses to rename over a file another process has
 * open for a moment (EPERM/EBUSY/EACCES): retried for up to about 200 ms.
 */
export function writeFileAtomic(path: string, text: string | Uint8Array, mode?: number): void {
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 10)}.tmp`;
  try {
    writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, text, mode === undefined ? undefined : { mode });
  }
  for (let attempt = 0; ; attempt++) {
    try {
      renameSync(tmp, path);
      return;
    } catch (e) {
      const c = code(e);
      if (attempt < 20 && (c === 'EPERM' || c === 'EBUSY' || c === 'EACCES')) {
        sleepSync(10);
        continue;
      }
      try {
        unlinkSync(tmp);
      } catch {
        // already gone
      }
      throw e;
    }
  }
}

/**
 * Removes the file at `path` if it is there; any error but its absence is thrown. (`fs.rmSync(p, { force: true })`
 * does the same through Node's recursive-removal code, loaded and run on its first call: ~1 ms a process against
 * ~0.08 ms for `unlinkSync`; the transcript index removes its lock after every load and save.)
 */
export function removeIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (e) {
    if (code(e) !== 'ENOENT') throw e;
  }
}

/** The file's text, or undefined when it does not exist or cannot be read. */
export function readTextIfExists(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

export interface LockOptions<T> {
  /** How long to wait for the lock (ms). */
  waitMs?: number;
  /** Runs instead of `fn` when the lock could not be had in time (default: `fn` anyway). */
  fallback?: () => T;
}

/**
 * Runs `fn` holding `<path>.lock` (created with O_EXCL). Holders keep it for about a millisecond. A lock
 * whose holder did not change during the whole wait (a writer that crashed while holding it) is broken.
 * If the lock still cannot be had, `options.fallback` runs instead (the state file writes its observation
 * aside, so nothing is lost), else `fn` anyway: a status line must never hang.
 * Returns `fn`'s result and whether the lock was held.
 */
export function withFileLock<T>(path: string, fn: () => T, options: LockOptions<T> = {}): { value: T; locked: boolean } {
  const lock = `${path}.lock`;
  const token = `${process.pid}:${Math.random().toString(36).slice(2, 10)}`;
  const deadline = monotonicMs() + (options.waitMs ?? 2000);
  let firstHolder: string | undefined;
  let holderChanged = false;
  let delay = 1;
  let locked = false;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx');
      try {
        writeSync(fd, token);
      } finally {
        closeSync(fd);
      }
      locked = true;
      break;
    } catch (e) {
      const c = code(e);
      if (c === 'ENOENT') {
        try {
          mkdirSync(dirname(lock), { recursive: true });
          continue;
        } catch {
          break;
        }
      }
      if (c !== 'EEXIST') break;
    }
    const holder = readTextIfExists(lock);
    if (holder === undefined) continue; // released meanwhile
    if (firstHolder === undefined) firstHolder = holder;
    else if (holder !== firstHolder) holderChanged = true;
    if (monotonicMs() >= deadline) {
      if (!holderChanged && readTextIfExists(lock) === firstHolder) {
        // The same holder for the whole wait: it crashed. Break the lock once and try again.
        try {
          unlinkSync(lock);
        } catch {
          // someone else broke it
        }
        firstHolder = undefined;
        holderChanged = true;
        continue;
      }
      break;
    }
    sleepSync(delay);
    delay = Math.min(delay * 2, 16);
  }
  try {
    return { value: !locked && options.fallback ? options.fallback() : fn(), locked };
  } finally {
    if (locked && readTextIfExists(lock) === token) {
      try {
        unlinkSync(lock);
      } catch {
        // already gone
      }
    }
  }
}
