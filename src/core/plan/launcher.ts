/**
 * The stable launcher Claude Code's `statusLine.command` points at. The extension's folder name contains
 * its version (`claude-usage.claude-usage-0.1.0`), so the settings cannot point into it; instead the
 * extension (re)writes, on every activation, a tiny script in the per-user folder (paths.ts) that knows
 * the current install:
 *   - POSIX `statusline` (sh, mode 755): runs `node` from the PATH, else VS Code's own runtime with
 *     ELECTRON_RUN_AS_NODE=1 (desktop VS Code's Electron, or the remote server's bundled node); when the
 *     recorded install is gone (updated and not yet reactivated) it takes the newest sibling install;
 *     when there is none at all (uninstalled) it runs the previous status line command, if any, so the
 *     user's own status line survives.
 *   - Windows `statusline.cmd`: the same, in cmd.exe terms.
 * Paths with spaces are quoted; the command in settings.json is the launcher's quoted path.
 * No vscode import.
 */
import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import { readTextIfExists, writeFileAtomic } from './files';

export const EXTENSION_FOLDER_PREFIX = 'claude-usage.claude-usage-';

export interface LauncherTarget {
  /** The per-user folder (planDir). */
  dir: string;
  /** The installed extension's folder (context.extensionPath). */
  extensionDir: string;
  /** VS Code's runtime (process.execPath of the extension host). */
  runtime: string;
  /** The chained command, run by the POSIX launcher when the extension is gone. */
  fallbackCommand?: string;
  platform?: NodeJS.Platform;
}

export function launcherPath(dir: string, platform: NodeJS.Platform = process.platform): string {
  return join(dir, platform === 'win32' ? 'statusline.cmd' : 'statusline');
}

/** POSIX shell single quoting: `it's` → `'it'\''s'`. */
export function shQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}

/** The `statusLine.command` Connect writes: the launcher's quoted path. */
export function statusLineCommand(dir: string, platform: NodeJS.Platform = process.platform): string {
  const path = launcherPath(dir, platform);
  return platform === 'win32' ? `"${path}"` : shQuote(path);
}

/** True for a command that runs our launcher (any per-user folder, POSIX or Windows). */
export function isOurCommand(command: unknown): boolean {
  return typeof command === 'string' && /claude-usage["']?[\\/]+statusline(\.cmd)?["']?\s*$/i.test(command.trim());
}

export function renderShLauncher(t: LauncherTarget): string {
  const fallback = t.fallbackCommand ? `exec sh -c ${shQuote(t.fallbackCommand)}` : 'cat >/dev/null 2>&1\nexit 0';
  return `#!/bin/sh
# Claude Usage: the status line launcher Claude Code's settings point at (statusLine.command).
# Rewritten by the Claude Usage VS Code extension each time it starts, so it finds the current install.
# Disconnect with "Claude Usage: Disconnect Claude Code Plan Limits".
ext=${shQuote(t.extensionDir)}
runtime=${shQuote(t.runtime)}
js="$ext/dist/statusline.js"
if [ ! -f "$js" ]; then
  # Updated since the extension last started: the newest install next to the recorded one.
  for f in "\${ext%/*}"/${EXTENSION_FOLDER_PREFIX}*/dist/statusline.js; do
    if [ -f "$f" ]; then js=$f; fi
  done
fi
if [ -f "$js" ]; then
  if command -v node >/dev/null 2>&1; then exec node "$js" "$@"; fi
  if [ -x "$runtime" ]; then ELECTRON_RUN_AS_NODE=1 exec "$runtime" "$js" "$@"; fi
fi
# Claude Usage is not installed here (or no runtime found): keep the previous status line, if any.
${fallback}
`;
}

/** cmd.exe: `%` doubles in a batch file; paths cannot contain `"`. */
const cmdValue = (s: string): string => s.replace(/%/g, '%%');

export function renderCmdLauncher(t: LauncherTarget): string {
  return [
    '@echo off',
    'rem Claude Usage: the status line launcher Claude Code\'s settings point at (statusLine.command).',
    'rem Rewritten by the Claude Usage VS Code extension each time it starts, so it finds the current install.',
    'setlocal',
    `set "EXT=${cmdValue(t.extensionDir)}"`,
    `set "RUNTIME=${cmdValue(t.runtime)}"`,
    'set "JS=%EXT%\\dist\\statusline.js"',
    `if not exist "%JS%" for /d %%D in ("%EXT%\\..\\${EXTENSION_FOLDER_PREFIX}*") do if exist "%%D\\dist\\statusline.js" set "JS=%%D\\dist\\statusline.js"`,
    'if not exist "%JS%" exit /b 0',
    'where node >nul 2>nul',
    'if not errorlevel 1 (',
    '  node "%JS%" %*',
    '  exit /b 0',
    ')',
    'if exist "%RUNTIME%" (',
    '  set "ELECTRON_RUN_AS_NODE=1"',
    '  "%RUNTIME%" "%JS%" %*',
    ')',
    'exit /b 0',
    '',
  ].join('\r\n');
}

/**
 * Writes the platform's launcher when its content changed (so activation does not touch the file every
 * time). Returns the launcher's path.
 */
export function writeLauncher(t: LauncherTarget): string {
  const platform = t.platform ?? process.platform;
  const path = launcherPath(t.dir, platform);
  const text = platform === 'win32' ? renderCmdLauncher(t) : renderShLauncher(t);
  if (readTextIfExists(path) !== text) writeFileAtomic(path, text, 0o755);
  if (platform !== 'win32') {
    try {
      chmodSync(path, 0o755); // umask may have narrowed the mode
    } catch {
      // best effort
    }
  }
  return path;
}
