/**
 * `stat` for a refresh's plan, which asks it of every transcript and folder (about 2,600 calls at 1 GiB,
 * 7,000 at 3 GiB) and needs only the size, mtime and inode.
 *
 * `fs.statSync` builds a whole `fs.Stats` object per call: about 8 µs here, two thirds of it spent on the
 * object. Node's own `fs` binding, which `statSync` calls, fills one shared `Float64Array` instead (about
 * 3.5 µs). A warm `claude-usage local` at 1 GiB spends 35-40 ms of its ~80 ms of work in `stat`; with the
 * binding, 15-18 ms (`bench/local/README.md`).
 *
 * The binding is Node's internal interface, so it is used only when it is known to behave as `statSync`:
 * - `statSync`'s own source must call it exactly as written here (`binding.stat(path, bigint, undefined,
 *   throwIfNoEntry)`, Node 20.x to 24.x); any other calling convention (older or newer Node, Electron
 *   builds that differ) falls back to `fs.statSync`;
 * - the first call is checked against `fs.statSync` on the same path (size, mtime, inode, folder or not);
 *   any difference, or an exception other than the path's own error, switches to `fs.statSync` for good.
 * `CLAUDE_USAGE_FAST_STAT=0` also turns it off (for measuring), and so does `--pending-deprecation`, under which
 * Node warns about `process.binding` (DEP0111; with `--throw-deprecation` it throws, which the check catches).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface FileStat {
  size: number;
  mtimeMs: number;
  ino: number;
  /** A folder (after following links, as `stat` does). */
  dir: boolean;
}

type StatBinding = { stat(p: string, bigint: boolean, req: undefined, throwIfNoEntry: boolean): Float64Array | undefined };

// Node's layout of a stat result (src/node_file.h, FsStatsOffset): dev, mode, nlink, uid, gid, rdev,
// blksize, ino, size, blocks, then seconds and nanoseconds of atime, mtime, ctime, birthtime.
const MODE = 1;
const INO = 7;
const SIZE = 8;
const MTIME_S = 12;
const MTIME_NS = 13;
const S_IFMT = 0o170000;
const S_IFDIR = 0o040000;

/** `statSync`'s source as Node 20-24 write it, without white space. */
const EXPECTED_CALL = 'binding.stat(pathModule.toNamespacedPath(path),options.bigint,undefined,options.throwIfNoEntry,);';

/**
 * A double as a small integer where it is one. Sizes and inodes are kept so: V8 gives objects of one shape one
 * representation per field, and a single double stored where small integers were (`fs.Stats` holds doubles)
 * turns the field to doubles for every object of that shape, moving each one on its next use. A warm CLI run
 * at 1 GiB moved all 1,967 file states that way (`--trace-migration`: size and ino), ~250 KB of copies.
 */
export const smi = (v: number): number => ((v | 0) === v ? v | 0 : v);

function slow(p: string): FileStat | undefined {
  const st = fs.statSync(p, { throwIfNoEntry: false });
  return st && { size: smi(st.size), mtimeMs: st.mtimeMs, ino: smi(st.ino), dir: st.isDirectory() };
}

let binding: StatBinding | undefined;
/** undefined: not tried yet; then whether the binding is in use. */
let fast: boolean | undefined;

function tryBinding(): StatBinding | undefined {
  if (process.env.CLAUDE_USAGE_FAST_STAT === '0') return undefined;
  // Under --pending-deprecation process.binding prints a warning (DEP0111): not worth one on the user's screen.
  if (process.env.NODE_PENDING_DEPRECATION === '1' || [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => a.includes('--pending-deprecation'))) return undefined;
  try {
    if (!fs.statSync.toString().replace(/\s+/g, '').includes(EXPECTED_CALL)) return undefined;
    const b = (process as unknown as { binding(name: string): unknown }).binding('fs') as Partial<StatBinding> | undefined;
    return typeof b?.stat === 'function' ? (b as StatBinding) : undefined;
  } catch {
    return undefined;
  }
}

const WINDOWS = process.platform === 'win32';

function viaBinding(b: StatBinding, p: string, into?: FileStat): FileStat | undefined {
  const a = b.stat(WINDOWS ? path.toNamespacedPath(p) : p, false, undefined, false);
  if (a === undefined) return undefined;
  // As Node computes Stats.mtimeMs (msFromTimeSpec), so the two agree to the last bit.
  const size = smi(a[SIZE]!);
  const mtimeMs = a[MTIME_S]! * 1e3 + a[MTIME_NS]! / 1e6;
  const ino = smi(a[INO]!);
  const dir = (a[MODE]! & S_IFMT) === S_IFDIR;
  if (!into) return { size, mtimeMs, ino, dir };
  into.size = size;
  into.mtimeMs = mtimeMs;
  into.ino = ino;
  into.dir = dir;
  return into;
}

/**
 * The size, mtime and inode of `p`, or undefined when it does not exist. Throws as `fs.statSync` does on other
 * errors. With `into`, the answer is written there (a loop over every transcript reuses one object: copy what
 * you keep).
 */
export function fileStat(p: string, into?: FileStat): FileStat | undefined {
  if (fast) return viaBinding(binding!, p, into);
  if (fast === false) return slow(p);
  // The first call that finds something decides.
  const expected = slow(p);
  if (expected === undefined) return undefined;
  fast = false;
  binding = tryBinding();
  if (binding) {
    try {
      const got = viaBinding(binding, p);
      fast = got !== undefined && got.size === expected.size && got.mtimeMs === expected.mtimeMs && got.ino === expected.ino && got.dir === expected.dir;
    } catch {
      fast = false;
    }
  }
  return expected;
}

/** Whether `fileStat` uses Node's binding (undefined before its first call); for tests and benchmarks. */
export function fileStatMode(): 'binding' | 'fs' | undefined {
  return fast === undefined ? undefined : fast ? 'binding' : 'fs';
}

/** Forgets the decision (tests). */
export function resetFileStat(): void {
  fast = undefined;
  binding = undefined;
}
