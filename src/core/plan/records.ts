/**
 * The small JSON files Connect keeps in the per-user folder (paths.ts): connections.json (what each
 * Connect changed, for Disconnect) and statusline.json (the status line's settings and chained commands).
 * Light (no jsonc-parser), so the extension can keep them in step at start-up. No vscode import.
 */
import { join } from 'node:path';
import { readTextIfExists, withFileLock, writeFileAtomic } from './files';
import { CONNECTIONS_FILE, STATUSLINE_CONFIG_FILE } from './paths';
import type { ConnectionRecord } from './settingsFile';
import type { StatusLineConfig } from './statusline';

function readJsonObject(path: string): Record<string, unknown> {
  try {
    const v: unknown = JSON.parse(readTextIfExists(path) ?? '{}');
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Updates a small JSON file in the per-user folder under its lock. */
export function updateJson<T extends object>(path: string, fn: (current: T) => T): T {
  return withFileLock(path, () => {
    const next = fn(readJsonObject(path) as T);
    writeFileAtomic(path, `${JSON.stringify(next, null, 2)}\n`);
    return next;
  }).value;
}

export function readConnections(dir: string): Record<string, ConnectionRecord> {
  return readJsonObject(join(dir, CONNECTIONS_FILE)) as Record<string, ConnectionRecord>;
}

/** Writes the extension's status line settings, keeping the chained commands. */
export function writeStatusLineConfig(dir: string, settings: Omit<StatusLineConfig, 'previous' | 'version'>): void {
  const path = join(dir, STATUSLINE_CONFIG_FILE);
  const current = readJsonObject(path) as StatusLineConfig;
  const next: StatusLineConfig = { version: 1, ...settings, previous: current.previous ?? {} };
  if (JSON.stringify(current) === JSON.stringify(next)) return;
  updateJson<StatusLineConfig>(path, (c) => ({ version: 1, ...settings, previous: c.previous ?? {} }));
}

export function setChained(dir: string, settingsPath: string, command: string | undefined): void {
  updateJson<StatusLineConfig>(join(dir, STATUSLINE_CONFIG_FILE), (c) => {
    const previous = { ...(c.previous ?? {}) };
    if (command) previous[settingsPath] = command;
    else delete previous[settingsPath];
    return { ...c, version: 1, previous };
  });
}

