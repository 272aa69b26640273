/**
 * Where Claude Code transcripts live (claude-code-logs.md, "Where"): `$CLAUDE_CONFIG_DIR/projects` for each
 * comma-separated entry when set, else `~/.config/claude/projects` and `~/.claude/projects`; plus folders
 * the user adds; on Windows also `%USERPROFILE%` and WSL distributions' homes (`\\wsl$\<distro>\home\*`).
 * Env, home and platform are injectable for tests.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

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

/** All `*.jsonl` files under `root`, recursively (sub-agent transcripts live deeper). */
export function listTranscripts(root: string): TranscriptFile[] {
  const out: TranscriptFile[] = [];
  const walk = (dir: string, project: string | undefined, sessionDir: string | undefined, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (depth < 12) walk(full, project ?? e.name, project === undefined ? undefined : (sessionDir ?? e.name), depth + 1);
      } else if ((e.isFile() || e.isSymbolicLink()) && e.name.endsWith('.jsonl')) {
        out.push({ path: full, project: project ?? '(root)', session: sessionDir ?? e.name.slice(0, -6) });
      }
    }
  };
  walk(root, undefined, undefined, 0);
  out.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return out;
}
