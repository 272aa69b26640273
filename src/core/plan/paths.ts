/**
 * Where plan-limit files live. One stable per-user folder, independent of VS Code and of the extension's
 * version, because Claude Code's settings point at a launcher in it and the status line (a plain Node
 * process started by Claude Code) writes the state file there:
 *
 *   $CLAUDE_USAGE_DIR                                  when set (tests, unusual setups)
 *   Linux    ${XDG_DATA_HOME:-~/.local/share}/claude-usage
 *   macOS    ~/Library/Application Support/claude-usage
 *   Windows  %LOCALAPPDATA%\claude-usage
 *
 * Files in it: plan-state.json (observations), statusline.json (the status line's settings and the chained
 * command), connections.json (what Connect changed, for Disconnect), today.json (the extension's local
 * estimate for the status line), statusline / statusline.cmd (the launchers).
 * No vscode import; small, so the status line bundle can use it.
 */
import { join } from 'node:path';

export type Env = Record<string, string | undefined>;

function home(env: Env): string {
  // node:os only when the environment has no home (it costs the status line a few milliseconds to load).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return env.HOME || env.USERPROFILE || (require('node:os') as typeof import('node:os')).homedir();
}

export function planDir(env: Env = process.env, platform: NodeJS.Platform = process.platform): string {
  if (env.CLAUDE_USAGE_DIR) return env.CLAUDE_USAGE_DIR;
  if (platform === 'win32') return join(env.LOCALAPPDATA || join(home(env), 'AppData', 'Local'), 'claude-usage');
  if (platform === 'darwin') return join(home(env), 'Library', 'Application Support', 'claude-usage');
  return join(env.XDG_DATA_HOME || join(home(env), '.local', 'share'), 'claude-usage');
}

export const STATE_FILE = 'plan-state.json';
export const STATUSLINE_CONFIG_FILE = 'statusline.json';
export const CONNECTIONS_FILE = 'connections.json';
export const TODAY_FILE = 'today.json';

export const statePath = (env?: Env, platform?: NodeJS.Platform): string => join(planDir(env, platform), STATE_FILE);

/** Claude Code's user settings file: `$CLAUDE_CONFIG_DIR/settings.json`, else `~/.claude/settings.json`. */
export function claudeSettingsPath(env: Env = process.env): string {
  return join(env.CLAUDE_CONFIG_DIR || join(home(env), '.claude'), 'settings.json');
}
