/**
 * Connect / Disconnect on disk: read Claude Code's settings file, plan the change (settingsFile.ts), and
 * after the user agreed, back the file up, write it atomically (through a symlink to its target, keeping
 * its mode), and record what was there (connections.json) and which command to chain (statusline.json).
 * The VS Code side (src/host/plan.ts) only asks. Its own bundle, dist/planConnect.js (jsonc-parser with
 * it), loaded on the first Connect or Disconnect through lazy.ts. No vscode import.
 */
import { copyFileSync, existsSync, realpathSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock';
import { readTextIfExists, writeFileAtomic } from './files';
import { CONNECTIONS_FILE } from './paths';
import { readConnections, setChained, updateJson } from './records';
import { planConnect, planDisconnect, type ConnectionRecord, type ConnectPlan, type DisconnectPlan } from './settingsFile';

export { describeStatusLine } from './settingsFile';

export class SettingsChangedError extends Error {}

/** The file that is really written: a symlinked settings.json (dotfiles) keeps its link. */
function target(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

function stamp(clock: Clock): string {
  return new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
}

function writeSettings(path: string, text: string): void {
  const real = target(path);
  let mode: number | undefined;
  try {
    mode = statSync(real).mode & 0o777;
  } catch {
    mode = undefined;
  }
  writeFileAtomic(real, text, mode);
}

function backup(path: string, clock: Clock): string | undefined {
  if (!existsSync(path)) return undefined;
  const to = `${path}.${stamp(clock)}.claude-usage.bak`;
  copyFileSync(target(path), to);
  return to;
}

export interface PreparedConnect {
  settingsPath: string;
  command: string;
  plan: ConnectPlan;
}

export function prepareConnect(settingsPath: string, command: string): PreparedConnect {
  return { settingsPath, command, plan: planConnect(readTextIfExists(settingsPath), command, settingsPath) };
}

/**
 * Applies a planned Connect: refuses when the file changed since it was planned (the user saw another
 * change), backs the file up, writes it, records how to undo it and which command to chain.
 */
export function applyConnect(p: PreparedConnect, dir: string, clock: Clock): ConnectionRecord | undefined {
  if (p.plan.kind !== 'change') return undefined;
  const plan = p.plan;
  if (readTextIfExists(p.settingsPath) !== plan.before) throw new SettingsChangedError(`${p.settingsPath} changed while you were deciding; run Connect again to see the new change.`);
  const backupPath = backup(p.settingsPath, clock);
  writeSettings(p.settingsPath, plan.after);
  let record: ConnectionRecord | undefined;
  updateJson<Record<string, ConnectionRecord>>(join(dir, CONNECTIONS_FILE), (all) => {
    const old = all[p.settingsPath];
    // Moving our own command (another launcher path) keeps what was there before the first Connect.
    const keep = plan.update && old;
    record = {
      settingsPath: p.settingsPath,
      command: p.command,
      originalText: keep ? old.originalText : (plan.before ?? null),
      previousRaw: keep ? old.previousRaw : (plan.previousRaw ?? null),
      ...(keep ? (old.previousCommand ? { previousCommand: old.previousCommand } : {}) : plan.previousCommand ? { previousCommand: plan.previousCommand } : {}),
      writtenText: plan.after,
      connectedAt: new Date(clock.now()).toISOString(),
      ...(backupPath ? { backupPath } : {}),
    };
    return { ...all, [p.settingsPath]: record };
  });
  setChained(dir, p.settingsPath, record!.previousCommand);
  return record;
}

export interface PreparedDisconnect {
  settingsPath: string;
  record?: ConnectionRecord;
  plan: DisconnectPlan;
}

export function prepareDisconnect(settingsPath: string, dir: string): PreparedDisconnect {
  const record = readConnections(dir)[settingsPath];
  return { settingsPath, ...(record ? { record } : {}), plan: planDisconnect(readTextIfExists(settingsPath), record, settingsPath) };
}

/** Applies a planned Disconnect (backup first), then forgets the connection. Returns the backup's path. */
export function applyDisconnect(p: PreparedDisconnect, dir: string, clock: Clock): string | undefined {
  let backupPath: string | undefined;
  if (p.plan.kind === 'change') {
    const plan = p.plan;
    if (readTextIfExists(p.settingsPath) !== plan.before) throw new SettingsChangedError(`${p.settingsPath} changed while you were deciding; run Disconnect again to see the new change.`);
    backupPath = backup(p.settingsPath, clock);
    if (plan.after === undefined) unlinkSync(target(p.settingsPath));
    else writeSettings(p.settingsPath, plan.after);
  }
  if (p.plan.kind !== 'malformed') {
    updateJson<Record<string, ConnectionRecord>>(join(dir, CONNECTIONS_FILE), (all) => {
      const next = { ...all };
      delete next[p.settingsPath];
      return next;
    });
    setChained(dir, p.settingsPath, undefined);
  }
  return backupPath;
}
