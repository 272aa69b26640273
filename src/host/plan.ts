/**
 * Plan limits, the VS Code side: the Connect / Disconnect commands (a modal showing the exact change to
 * Claude Code's settings file), the launcher kept pointing at this install, the status line's settings
 * mirrored into statusline.json, today's local estimate published for the status line, and a watcher on
 * the state file that hands fresh PlanData to a listener. Everything on disk is done by src/core/plan.
 *
 * The extension runs where Claude Code runs: under Remote (SSH, containers, WSL) this runs on the remote
 * host, so the settings file, the launcher and the state file are the remote's.
 */
import * as vscode from 'vscode';
import { existsSync, statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock';
import { COMMANDS, CONTEXT_PLAN_CONNECTED } from '../core/model/commands';
import { DayClock } from '../core/model/zones';
import { loadConnection } from '../core/plan/lazy';
import { readConnections, writeStatusLineConfig } from '../core/plan/records';
import { writeFileAtomic } from '../core/plan/files';
import { launcherPath, statusLineCommand, writeLauncher } from '../core/plan/launcher';
import { claudeSettingsPath, planDir, STATE_FILE, TODAY_FILE } from '../core/plan/paths';
import { readPlanData } from '../core/plan/state';
import type { TodaySummary } from '../core/plan/statusline';
import type { PlanData } from '../core/plan/types';
import type { ConfigService, PlanHostSettings } from './config';

export const CONNECT_COMMAND = COMMANDS.connectPlan;
export const DISCONNECT_COMMAND = COMMANDS.disconnectPlan;
/** Context key: true when Claude Code's settings run our status line (viewsWelcome, walkthrough). */
export const CONNECTED_CONTEXT = CONTEXT_PLAN_CONNECTED;

export interface PlanHostLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface PlanHostDeps {
  log: PlanHostLog;
  /** `claudeUsage.plan.*` comes from the one configuration reader. */
  config: Pick<ConfigService, 'current' | 'onDidChange'>;
  clock?: Clock;
  /** Environment the paths come from (default process.env; tests pass a sample HOME). */
  env?: NodeJS.ProcessEnv;
}

export interface PlanHost extends vscode.Disposable {
  /** The per-user folder (launcher, state file). */
  readonly dir: string;
  readonly statePath: string;
  /** Reads and validates the state file (empty until the status line has run): the store's plan source. */
  readState(): PlanData;
  /** Fires (debounced) when the state file changed. */
  readonly onDidChangeState: vscode.Event<void>;
  /** True when some Claude Code settings file runs our status line. */
  connected(): boolean;
  /** Today's local API-equivalent estimate for the status line (undefined removes it). */
  publishToday(costUsd: string | undefined, timeZone?: string): void;
}

const DEBOUNCE_MS = 250;
const POLL_MS = 30_000;

/** Registers the commands and the watcher; call once from activate(). Cheap: file work starts after a tick. */
export function registerPlanCommands(context: vscode.ExtensionContext, deps: PlanHostDeps): PlanHost {
  const env = deps.env ?? process.env;
  const clock = deps.clock ?? systemClock;
  const log = deps.log;
  const dir = planDir(env);
  const statePath = join(dir, STATE_FILE);
  const emitter = new vscode.EventEmitter<void>();
  const settings = (): PlanHostSettings => deps.config.current.plan;
  const reportedDrops = new Set<string>();
  let lastStatusLineConfig = JSON.stringify(statusLineConfig(settings()));
  let lastMtime = -1;
  let watcher: vscode.FileSystemWatcher | undefined;
  let debounce: ReturnType<typeof setTimeout> | undefined;

  const isConnected = (): boolean => Object.keys(readConnections(dir)).length > 0;
  const setContext = (): void => void vscode.commands.executeCommand('setContext', CONNECTED_CONTEXT, isConnected());

  const reload = (force = false): void => {
    let mtime = 0;
    try {
      mtime = statSync(statePath).mtimeMs;
    } catch {
      mtime = 0;
    }
    if (!force && mtime === lastMtime) return;
    lastMtime = mtime;
    emitter.fire();
  };
  const schedule = (): void => {
    if (debounce) clearTimeout(debounce);
    debounce = setTimeout(() => reload(), DEBOUNCE_MS);
  };
  const watch = (): void => {
    if (watcher || !existsSync(dir)) return;
    watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), STATE_FILE));
    context.subscriptions.push(watcher, watcher.onDidChange(schedule), watcher.onDidCreate(schedule), watcher.onDidDelete(schedule));
  };

  /** Keeps the launcher pointing at this install and statusline.json in step with the settings. */
  const syncLauncher = (): void => {
    const connections = Object.values(readConnections(dir));
    if (!connections.length) return;
    writeLauncher({ dir, extensionDir: context.extensionPath, runtime: process.execPath, ...fallbackOf(connections.map((c) => c.previousCommand)) });
    writeStatusLineConfig(dir, statusLineConfig(settings()));
  };

  // Watcher events outside the workspace are not guaranteed everywhere (some remotes): a cheap mtime poll too.
  const poll = setInterval(() => {
    watch();
    reload();
  }, POLL_MS);
  context.subscriptions.push({ dispose: () => clearInterval(poll) });
  setTimeout(() => {
    try {
      watch();
      reload(true);
      syncLauncher();
      setContext();
    } catch (e) {
      log.warn(`plan limits: start-up: ${message(e)}`);
    }
  }, 0);

  context.subscriptions.push(
    emitter,
    { dispose: () => debounce && clearTimeout(debounce) },
    deps.config.onDidChange(() => {
      const next = statusLineConfig(settings());
      if (JSON.stringify(next) === lastStatusLineConfig) return;
      lastStatusLineConfig = JSON.stringify(next);
      try {
        if (isConnected()) writeStatusLineConfig(dir, next);
      } catch (e2) {
        log.warn(`plan limits: could not update the status line settings: ${message(e2)}`);
      }
    }),
    vscode.commands.registerCommand(CONNECT_COMMAND, () => connect()),
    vscode.commands.registerCommand(DISCONNECT_COMMAND, () => disconnect()),
  );

  async function connect(): Promise<void> {
    const { prepareConnect, applyConnect, describeStatusLine, SettingsChangedError } = loadConnection();
    const settingsPath = claudeSettingsPath(env);
    const command = statusLineCommand(dir);
    const prepared = prepareConnect(settingsPath, command);
    const plan = prepared.plan;
    if (plan.kind === 'malformed') {
      const open = await vscode.window.showErrorMessage(`Claude Usage: ${plan.message}`, 'Open settings.json');
      if (open) await vscode.window.showTextDocument(vscode.Uri.file(settingsPath));
      return;
    }
    if (plan.kind === 'alreadyConnected') {
      syncLauncher();
      setContext();
      void vscode.window.showInformationMessage(`Claude Usage: Claude Code's status line already reports plan limits here (${settingsPath}). Nothing changed.`);
      return;
    }
    const detail = [
      `File: ${settingsPath}${plan.before === undefined ? ' (created)' : ''}`,
      '',
      `Before: ${plan.previousRaw !== undefined ? describeStatusLine(plan.previousRaw) : plan.update ? 'an older Claude Usage status line' : '(no statusLine)'}`,
      `After:  ${describeStatusLine(JSON.stringify(plan.value))}`,
      '',
      plan.previousCommand
        ? `Your status line command keeps running: Claude Code shows its output unchanged${settings().appendSegment ? ', followed by the plan limits' : ' (plan limits are recorded, not appended: claudeUsage.plan.statusLine.appendSegment)'}.`
        : 'Claude Code will show model · context · 5-hour and weekly limits · today under the prompt.',
      'Only "statusLine" changes; every other setting and the file\'s formatting stay as they are.',
      plan.before !== undefined ? 'A backup is saved next to the file. Disconnect restores exactly what was there.' : 'Disconnect removes the file again.',
      `The command runs ${launcherPath(dir)}, a launcher this extension keeps pointing at its current version. No credentials are read; nothing leaves this machine.`,
    ].join('\n');
    const choice = await vscode.window.showInformationMessage('Connect Claude Code plan limits?', { modal: true, detail }, 'Connect');
    if (choice !== 'Connect') return;
    try {
      const connections = Object.values(readConnections(dir)).map((c) => c.previousCommand);
      writeLauncher({ dir, extensionDir: context.extensionPath, runtime: process.execPath, ...fallbackOf([...connections, plan.previousCommand]) });
      writeStatusLineConfig(dir, statusLineConfig(settings()));
      const record = applyConnect(prepared, dir, clock);
      log.info(`plan limits: connected ${settingsPath} (statusLine.command = ${command}${record?.backupPath ? `; backup ${record.backupPath}` : ''}${record?.previousCommand ? `; chaining ${record.previousCommand}` : ''})`);
      watch();
      setContext();
      void vscode.window.showInformationMessage('Claude Usage: connected. Claude Code reports plan limits after its next response (start or continue a session); they appear here too.');
    } catch (e) {
      if (e instanceof SettingsChangedError) void vscode.window.showWarningMessage(`Claude Usage: ${e.message}`);
      else void vscode.window.showErrorMessage(`Claude Usage: could not change ${settingsPath}: ${message(e)}`);
      log.error(`plan limits: connect failed: ${message(e)}`);
    }
  }

  async function disconnect(): Promise<void> {
    const { prepareDisconnect, applyDisconnect, describeStatusLine, SettingsChangedError } = loadConnection();
    const settingsPath = claudeSettingsPath(env);
    const prepared = prepareDisconnect(settingsPath, dir);
    const plan = prepared.plan;
    if (plan.kind === 'malformed') {
      const open = await vscode.window.showErrorMessage(`Claude Usage: ${plan.message}`, 'Open settings.json');
      if (open) await vscode.window.showTextDocument(vscode.Uri.file(settingsPath));
      return;
    }
    if (plan.kind === 'notConnected') {
      void vscode.window.showInformationMessage(`Claude Usage: Claude Code's status line (${settingsPath}) does not run Claude Usage. Nothing to disconnect.`);
      forget();
      return;
    }
    if (plan.kind === 'notOurs') {
      applyDisconnect(prepared, dir, clock);
      forget();
      void vscode.window.showInformationMessage(`Claude Usage: the statusLine in ${settingsPath} was changed since Connect and no longer runs Claude Usage; it was left as it is.`);
      return;
    }
    const detail = [
      `File: ${settingsPath}`,
      '',
      plan.restoredWhole
        ? plan.after === undefined
          ? 'The file was created by Connect and is removed again.'
          : 'Nothing else changed since Connect: the file is restored exactly as it was before.'
        : `Before: ${describeStatusLine(JSON.stringify(readStatusLineValue(plan.before)))}\nAfter:  ${plan.restoredRaw !== undefined ? describeStatusLine(plan.restoredRaw) : '(no statusLine)'}`,
      '',
      'A backup is saved next to the file. The plan history stays in the state file.',
    ].join('\n');
    const choice = await vscode.window.showInformationMessage('Disconnect Claude Code plan limits?', { modal: true, detail }, 'Disconnect');
    if (choice !== 'Disconnect') return;
    try {
      const backup = applyDisconnect(prepared, dir, clock);
      log.info(`plan limits: disconnected ${settingsPath}${backup ? ` (backup ${backup})` : ''}`);
      forget();
      void vscode.window.showInformationMessage(`Claude Usage: disconnected. ${plan.restoredRaw !== undefined ? 'Your previous status line is back.' : 'Claude Code no longer runs the Claude Usage status line.'}`);
    } catch (e) {
      if (e instanceof SettingsChangedError) void vscode.window.showWarningMessage(`Claude Usage: ${e.message}`);
      else void vscode.window.showErrorMessage(`Claude Usage: could not change ${settingsPath}: ${message(e)}`);
      log.error(`plan limits: disconnect failed: ${message(e)}`);
    }
  }

  /** After a Disconnect: the launcher goes when no settings file uses it any more. */
  function forget(): void {
    if (!isConnected()) {
      try {
        unlinkSync(launcherPath(dir));
      } catch {
        // not there
      }
    } else syncLauncher();
    setContext();
  }

  let lastToday = '';
  const host: PlanHost = {
    dir,
    statePath,
    readState: () =>
      readPlanData(statePath, (what) => {
        // A damaged state file: say so once per distinct problem (the rest of the file is still used).
        if (reportedDrops.has(what)) return;
        reportedDrops.add(what);
        log.warn(`plan limits: ${statePath}: ignored ${what}`);
      }),
    onDidChangeState: emitter.event,
    connected: isConnected,
    publishToday(costUsd, timeZone) {
      try {
        if (!existsSync(dir)) return; // never connected: leave no trace
        const path = join(dir, TODAY_FILE);
        if (costUsd === undefined) {
          if (lastToday !== '') unlinkSync(path);
          lastToday = '';
          return;
        }
        const day = new DayClock(timeZone || undefined);
        const now = clock.now();
        const idx = day.dayIndex(now);
        const guess = (idx + 1) * 86_400_000 - day.offset(now);
        const nextMidnight = (idx + 1) * 86_400_000 - day.offset(guess); // a DST change overnight
        const summary: TodaySummary = { costUsd, date: day.dayName(idx), timeZone: day.timeZone, validUntil: nextMidnight };
        const text = `${JSON.stringify(summary)}\n`;
        if (text === lastToday) return;
        writeFileAtomic(path, text);
        lastToday = text;
      } catch (e) {
        log.warn(`plan limits: could not write today's estimate for the status line: ${message(e)}`);
      }
    },
    dispose() {
      emitter.dispose();
    },
  };
  return host;
}

function statusLineConfig(s: PlanHostSettings): { append: boolean; timeoutMs: number; warningPercent: number; errorPercent: number } {
  return { append: s.appendSegment, timeoutMs: s.chainTimeoutMs, warningPercent: s.warningPercent, errorPercent: s.errorPercent };
}

/** The POSIX launcher runs the previous command when the extension is gone; only when there is exactly one. */
function fallbackOf(commands: (string | undefined)[]): { fallbackCommand?: string } {
  const distinct = [...new Set(commands.filter((c): c is string => !!c))];
  return distinct.length === 1 ? { fallbackCommand: distinct[0]! } : {};
}

function readStatusLineValue(text: string): unknown {
  try {
    return (JSON.parse(text) as { statusLine?: unknown }).statusLine;
  } catch {
    return undefined;
  }
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
