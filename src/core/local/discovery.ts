/**
 * Where Claude Code transcripts live (claude-code-logs.md, "Where"): `$CLAUDE_CONFIG_DIR/projects` for each
 * comma-separated entry when set, else `~/.config/claude/projects` and `~/.claude/projects`; plus folders
 * the user adds; on Windows also `%USERPROFILE%` and WSL distributions' homes (`\\wsl$\<distro>\home\*`).
 * Env, home and platform are injectable for tests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileStat, type FileStat } from './fileStat';

export interface DiscoveryOptions {
  env?: NodeJS.ProcessEnv;
  home?: string;
  platform?: NodeJS.Platform;
  /** Extra folders (a setting / `--dir`): scanned as given; `<dir>/projects` is used when it exists. */
  extraDirs?: string[];
  /** Root of WSL shares (default `\\wsl$`); injectable for tests. */
  wslRoot?: string;
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/** Candidate transcript roots (existing folders only, de-duplicated, in a stable order). */
export function discoverRoots(o: DiscoveryOptions = {}): string[] {
  const env = o.env ?? process.env;
  const platform = o.platform ?? process.platform;
  const p = path; // the host's own path rules (win32 on Windows), `platform` only selects candidates
  const homes = new Set<string>();
  homes.add(o.home ?? os.homedir());
  if (platform === 'win32' && env.USERPROFILE) homes.add(env.USERPROFILE);
  const candidates: string[] = [];
  const configDir = env.CLAUDE_CONFIG_DIR?.trim();
  if (configDir) {
    for (const d of configDir.split(',')) {
      const t = d.trim();
      if (t) candidates.push(p.join(t, 'projects'));
    }
  } else {
    for (const h of homes) {
      candidates.push(p.join(h, '.config', 'claude', 'projects'), p.join(h, '.claude', 'projects'));
    }
    if (platform === 'win32') candidates.push(...wslRoots(o.wslRoot ?? '\\\\wsl$', p));
  }
  for (const d of o.extraDirs ?? []) {
    const projects = p.join(d, 'projects');
    candidates.push(isDir(projects) ? projects : d);
  }
  const seen = new Set<string>();
  const out: string[] = [];
  for (const c of candidates) {
    const r = p.resolve(c);
    if (seen.has(r) || !isDir(r)) continue;
    seen.add(r);
    out.push(r);
  }
  return out;
}

function wslRoots(root: string, p: path.PlatformPath): string[] {
  const out: string[] = [];
  let distros: string[];
  try {
    distros = fs.readdirSync(root);
  } catch {
    return out;
  }
  for (const distro of distros) {
    const home = p.join(root, distro, 'home');
    let users: string[];
    try {
      users = fs.readdirSync(home);
    } catch {
      continue;
    }
    for (const u of users) out.push(p.join(home, u, '.config', 'claude', 'projects'), p.join(home, u, '.claude', 'projects'));
  }
  return out;
}

export interface TranscriptFile {
  path: string;
  /** First folder under the root: Claude Code's encoded working directory. */
  project: string;
  /** Fallback session id: the file name without `.jsonl`, or for sub-agent files the session folder. */
  session: string;
}

/** Folder listings kept between refreshes: a folder whose mtime has not changed since it was listed (and
 *  was already old then, so an entry added in the same clock tick is not missed) is not read again. A listing
 *  holds whole paths (folder + path.sep + name), so a warm walk hands on the strings it has, as the index's
 *  file states hold them, instead of joining and hashing every path anew. */
export type DirCache = Map<string, { mtimeMs: number; ino: number; listedAt: number; dirs: string[]; files: string[] }>;

const same = (a: string[], b: string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Folder mtimes closer than this to the time they were listed are not trusted (coarse file-system clocks). */
const DIR_SETTLE_MS = 2000;

/** All `*.jsonl` files under `root`, recursively (sub-agent transcripts live deeper), sorted by path. With
 *  `cache`, unchanged folders are not listed again (one `stat` instead of a `readdir`). */
export function listTranscripts(root: string, cache?: DirCache, now = 0, onListed?: (dir: string) => void): TranscriptFile[] {
  return listTranscriptPaths(root, cache, now, onListed).map((p) => transcriptAt(root, p));
}

/**
 * `listTranscripts`' paths alone: a warm refresh needs a transcript's project and session only for the few files
 * it reads (`transcriptAt`), and at 1 GiB a warm CLI run made 1,967 objects for them that it never used.
 */
export function listTranscriptPaths(root: string, cache?: DirCache, now = 0, onListed?: (dir: string) => void): string[] {
  const out: string[] = [];
  const sep = path.sep;
  const scratch: FileStat = { size: 0, mtimeMs: 0, ino: 0, dir: false };
  const walk = (dir: string, depth: number) => {
    let dirs: string[];
    let files: string[];
    const c = cache?.get(dir);
    const st = cache ? fileStat(dir, scratch) : undefined;
    if (cache && !st) {
      if (cache.delete(dir)) onListed?.(dir);
      return;
    }
    if (c && st && c.mtimeMs === st.mtimeMs && c.ino === st.ino && st.mtimeMs < c.listedAt - DIR_SETTLE_MS) {
      dirs = c.dirs;
      files = c.files;
    } else {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        return;
      }
      dirs = [];
      files = [];
      for (const e of entries) {
        if (e.isDirectory()) dirs.push(dir + sep + e.name);
        else if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.jsonl')) files.push(dir + sep + e.name);
      }
      if (cache && st) {
        cache.set(dir, { mtimeMs: st.mtimeMs, ino: st.ino, listedAt: now, dirs, files });
        // Worth saving only when the listing changed (a later listing time alone is not).
        if (!c || c.mtimeMs !== st.mtimeMs || c.ino !== st.ino || !same(c.dirs, dirs) || !same(c.files, files)) onListed?.(dir);
      }
    }
    // (Indexed loops: a warm CLI run walks here before V8 has compiled this, where `for … of` allocates.)
    for (let i = 0; i < files.length; i++) out.push(files[i]!);
    if (depth < 12) for (let i = 0; i < dirs.length; i++) walk(dirs[i]!, depth + 1);
  };
  walk(root, 0);
  out.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return out;
}

/** The transcript at `p`, a path `listTranscriptPaths(root)` gave: its project is the first folder under the
 *  root ('(root)' for a file right in it), its session the second folder or else the file's name. */
export function transcriptAt(root: string, p: string): TranscriptFile {
  const sep = path.sep;
  const from = root.length + sep.length;
  const a = p.indexOf(sep, from);
  if (a < 0) return { path: p, project: '(root)', session: p.slice(from, -6) };
  const b = p.indexOf(sep, a + sep.length);
  return { path: p, project: p.slice(from, a), session: b < 0 ? p.slice(a + sep.length, -6) : p.slice(a + sep.length, b) };
}

/** The transcript a path names, with its project and session as `listTranscripts` gives them; undefined
 *  when it is not a `.jsonl` file under one of `roots`. */
export function transcriptOf(roots: string[], file: string): TranscriptFile | undefined {
  if (!file.endsWith('.jsonl')) return undefined;
  for (const root of roots) {
    const rel = path.relative(root, file);
    if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) continue;
    if (rel.split(path.sep).length > 13) return undefined;
    return transcriptAt(root, root + path.sep + rel);
  }
  return undefined;
}
