/**
 * Starts the CLI's bundle with a V8 code cache: Node 20 compiles every function a run calls anew in each
 * process (`module.enableCompileCache` came in Node 22), 15-35 ms of a 0.2 s warm `claude-usage local`.
 * The first run of a command saves V8's code for every function it compiled (at exit, so lazily compiled
 * functions are in it); later runs of that command load it instead of compiling. A later run that took a path
 * the cache was not made on (runPaths.ts: the command notes them) saves it again, with what it compiled besides:
 * a cache made by a cold scan lacked what a warm run needs (loading the index, its journal), which every warm
 * run then compiled anew (~6 ms of a 0.2 s run after a 1 MB append). A few saves per bundle at most.
 *
 * - One cache file per command, named by the Node version, architecture and the bundle's size and mtime,
 *   in the user's own cache folder (mode 0700: code is only read from a folder nobody else can write);
 *   those of the last `CODE_CACHE_BUNDLES` bundles run are kept, older ones removed.
 * - V8 checks the cache against the source and its flags and rejects a stale or damaged one
 *   (`cachedDataRejected`); the run then compiles as without a cache and saves a new one. Any failure to
 *   read or write the cache is ignored: it only ever costs the time it was meant to save.
 * - `CLAUDE_USAGE_CODE_CACHE=0` turns it off (for measuring, or a read-only home).
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { removeIfExists, writeFileAtomic } from '../core/plan/files';
import { runPaths } from './runPaths';

/** The folder for code caches: the platform's per-user cache folder, or undefined when there is none. */
export function codeCacheDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform, home: string = os.homedir()): string | undefined {
  if (env.CLAUDE_USAGE_CODE_CACHE === '0') return undefined;
  const base =
    platform === 'win32'
      ? env.LOCALAPPDATA
      : platform === 'darwin'
        ? home && path.join(home, 'Library', 'Caches')
        : env.XDG_CACHE_HOME && path.isAbsolute(env.XDG_CACHE_HOME)
          ? env.XDG_CACHE_HOME
          : home && path.join(home, '.cache');
  return base ? path.join(base, 'claude-usage', 'code-cache') : undefined;
}

/** The cache file's name for a command and a bundle: anything that changes V8's code changes the name. */
export function codeCacheName(command: string | undefined, bundle: fs.Stats): string {
  const cmd = command && /^[a-z][a-z-]{0,30}$/.test(command) ? command : 'other';
  return `${cmd}-${process.version}-${process.arch}-${bundle.size}-${Math.floor(bundle.mtimeMs)}.bin`;
}

/**
 * Runs `bundle` (a CommonJS file) as the body of `mod` with its `require` (the entry module's: then
 * `require.main === module` holds inside it), with the code cache of `command`.
 */
export function runWithCodeCache(bundle: string, mod: NodeJS.Module, req: NodeJS.Require, command: string | undefined, dir = codeCacheDir()): void {
  const source = fs.readFileSync(bundle, 'utf8');
  let file: string | undefined;
  let cached: { paths: number; data: Buffer } | undefined;
  if (dir) {
    try {
      file = path.join(dir, codeCacheName(command, fs.statSync(bundle)));
      if (privateDir(dir)) cached = readCache(fs.readFileSync(file));
    } catch {
      cached = undefined;
    }
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, ...(cached ? { cachedData: cached.data } : {}) });
  // The paths of the runs the loaded cache was saved by (undefined: there is no usable cache).
  const had = cached && !script.cachedDataRejected ? cached.paths : undefined;
  if (file) {
    process.once('exit', () => {
      const paths = (had ?? 0) | runPaths();
      if (paths !== had) saveCodeCache(file!, script, paths);
    });
  }
  const run = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: NodeJS.Module, filename: string, dirname: string) => void;
  run.call(mod.exports, mod.exports, req, mod, bundle, path.dirname(bundle));
}

/** A cache file: `CACHE_MAGIC`, the paths of the runs that saved it (UInt32LE, runPaths.ts), then V8's data. */
const CACHE_MAGIC = Buffer.from('CUcc');
const CACHE_HEADER = 8;

function readCache(b: Buffer): { paths: number; data: Buffer } | undefined {
  if (b.length <= CACHE_HEADER || !b.subarray(0, 4).equals(CACHE_MAGIC)) return undefined;
  return { paths: b.readUInt32LE(4), data: b.subarray(CACHE_HEADER) };
}

/** Whether only this user can write to `dir` (where it exists; POSIX only, Windows' profile folders are per user). */
function privateDir(dir: string): boolean {
  const st = fs.statSync(dir);
  return process.platform === 'win32' || ((st.mode & 0o022) === 0 && (typeof process.getuid !== 'function' || st.uid === process.getuid()));
}

/**
 * Bundles (or Node versions) whose caches are kept side by side: this one and the two written last before it.
 * Two copies of the CLI in use on one machine (say a global install and a project's) each keep their cache
 * instead of removing the other's on every run, which left both compiling anew each time (~50 ms of a warm
 * run); the caches of older builds go once three newer ones have been run.
 */
export const CODE_CACHE_BUNDLES = 3;

/** The bundle a cache file belongs to: its name from the Node version on (`-v20.20.2-x64-<size>-<mtime>.bin`). */
const bundleOf = (name: string): string => (name.includes('-v') ? name.slice(name.indexOf('-v')) : name);

/** Writes the cache (whole or not at all: `writeFileAtomic`) with the runs' `paths`, removing those of all but the last few bundles. */
function saveCodeCache(file: string, script: vm.Script, paths: number): void {
  try {
    const dir = path.dirname(file);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const current = bundleOf(path.basename(file));
    // The other bundles' cache files, and each bundle by the time its caches were last written.
    const others = fs.readdirSync(dir).filter((name) => bundleOf(name) !== current);
    const written = new Map<string, number>();
    for (const name of others) {
      const b = bundleOf(name);
      const t = fs.statSync(path.join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0;
      written.set(b, Math.max(written.get(b) ?? 0, t));
    }
    const keep = new Set([...written].sort((a, b) => b[1] - a[1]).slice(0, CODE_CACHE_BUNDLES - 1).map(([b]) => b));
    for (const name of others) if (!keep.has(bundleOf(name))) removeIfExists(path.join(dir, name));
    const head = Buffer.alloc(CACHE_HEADER);
    CACHE_MAGIC.copy(head, 0);
    head.writeUInt32LE(paths >>> 0, 4);
    writeFileAtomic(file, Buffer.concat([head, script.createCachedData()]), 0o600);
  } catch {
    // A cache is an optimisation: a read-only or full disk costs only the time it would have saved.
  }
}
