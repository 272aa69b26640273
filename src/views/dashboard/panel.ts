/**
 * The "Show Claude Usage" WebviewPanel: one panel (revealed if open), restored after a reload by a
 * serializer, fed from the one Store. The webview renders; this side only posts the (key-free) snapshot,
 * maps a fixed set of action names to our own commands, and writes exports the user asked for.
 */
import * as vscode from 'vscode';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Store } from '../../core/store/store';
import type { StoreSnapshot } from '../../core/model/snapshot';
import { dashboardHtml } from '../../core/dashboard/html';
import { parseWebviewMessage, sanitizeSnapshot, type HostMessage, type WebviewMessage } from '../../core/dashboard/messages';
import { exportCsv, exportFileName, exportJson } from '../../core/dashboard/export';
import { EXTEND_HISTORY } from '../../core/dashboard/status';
import type { DashboardSettings } from '../../core/dashboard/view';
import { ACTION_COMMANDS, DASHBOARD_VIEW_TYPE } from '../../core/model/commands';
import { redactSecrets } from '../../core/anthropic/errors';
import { monotonicMs, systemClock, type Clock } from '../../core/clock';
import type { Ticker } from '../ticker';

/** What the panel needs from the store (the real `Store` satisfies it). */
export type DashboardStore = Pick<Store, 'snapshot' | 'onDidChange'>;

/** A `vscode.LogOutputChannel` or the host's redacting `Log`. */
export interface DashboardLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface DashboardDeps {
  store: DashboardStore;
  log: DashboardLog;
  /** Raises `claudeUsage.history.days` to at least `days` (the host's configuration service). */
  raiseHistoryDays(days: number): Promise<void>;
  /** The clock used for "today" and export file names. */
  clock?: Clock;
  /** The views' shared ticker: the page re-renders on its ticks, with the status bar and the trees. */
  ticker?: Pick<Ticker, 'onTick'>;
  /** The settings the dashboard's facts depend on (plan thresholds, zones), from the configuration. */
  settings(): DashboardSettings;
}

export interface DashboardPanel extends vscode.Disposable {
  show(): void;
  /** The last paint timing the webview reported (ms from script start to first chart), for tests/logs. */
  readonly lastPaintMs: number | undefined;
  /** Milliseconds from Show Claude Usage (a new panel) to its first chart painted. */
  readonly lastOpenToPaintMs: number | undefined;
}

export function registerDashboardPanel(context: vscode.ExtensionContext, deps: DashboardDeps): DashboardPanel {
  const { store, log } = deps;
  const clock = deps.clock ?? systemClock;
  const webviewRoot = vscode.Uri.joinPath(context.extensionUri, 'dist', 'webview');
  const mediaRoot = vscode.Uri.joinPath(context.extensionUri, 'media');
  const options: vscode.WebviewOptions & vscode.WebviewPanelOptions = {
    enableScripts: true,
    retainContextWhenHidden: false,
    localResourceRoots: [webviewRoot, mediaRoot],
  };

  let current: { panel: vscode.WebviewPanel; dispose(): void } | undefined;
  let lastPaintMs: number | undefined;
  let lastOpenToPaintMs: number | undefined;
  let assets: { script: string; style: string } | undefined;
  /** The webview bundle and stylesheet, read once (on the first open, not at activation). */
  const pageAssets = (): { script: string; style: string } =>
    (assets ??= {
      script: readFileSync(vscode.Uri.joinPath(webviewRoot, 'main.js').fsPath, 'utf8'),
      style: readFileSync(vscode.Uri.joinPath(mediaRoot, 'dashboard.css').fsPath, 'utf8'),
    });

  function attach(panel: vscode.WebviewPanel, openedAt?: number): void {
    const subs: vscode.Disposable[] = [];
    let ready = false;
    let pending: ReturnType<typeof setTimeout> | undefined;
    const post = (msg: HostMessage) => void panel.webview.postMessage(msg);
    const postSnapshot = (s: StoreSnapshot = store.snapshot) => post({ type: 'snapshot', snapshot: sanitizeSnapshot(s), now: new Date(clock.now()).toISOString(), settings: deps.settings() });

    panel.webview.options = options;
    panel.iconPath = vscode.Uri.joinPath(mediaRoot, 'icon.png');
    const render = () => {
      ready = false;
      const nonce = randomBytes(16).toString('base64');
      // The bundle and the stylesheet go inline (allowed by the nonce): no resource fetch through the
      // webview's loader stands between Show Claude Usage and the first chart.
      panel.webview.html = dashboardHtml({
        cspSource: panel.webview.cspSource,
        nonce,
        script: { text: pageAssets().script },
        style: { text: pageAssets().style },
        codiconUri: panel.webview.asWebviewUri(vscode.Uri.joinPath(webviewRoot, 'codicon.css')).toString(),
      });
    };
    render();
    // The first snapshot goes out with the page: VS Code holds messages until the page has loaded, and the
    // page listens from its first line, so the first paint does not wait for a 'ready' round trip. The
    // page still says 'ready' (also after a reload of its content), and is answered with the latest data.
    postSnapshot();

    subs.push(
      panel.webview.onDidReceiveMessage((raw: unknown) => {
        const msg = parseWebviewMessage(raw);
        if (!msg) {
          log.warn(`Dashboard: ignored a malformed message from the webview (${describe(raw)}).`);
          return;
        }
        void handle(msg).catch((e: unknown) => log.error(`Dashboard: ${msg.type} failed: ${redactSecrets(String(e))}`));
      }),
      // Only the latest snapshot matters: coalesce bursts (loading → loaded) into one post.
      store.onDidChange(() => {
        if (!ready || pending) return;
        pending = setTimeout(() => {
          pending = undefined;
          if (ready) postSnapshot();
        }, 50);
      }),
      // Relative times ("resets in 12s", "3 min ago") and a window that has reset change on the host's
      // ticks, so the page moves with the status bar and the trees instead of on a timer of its own.
      ...(deps.ticker ? [deps.ticker.onTick(() => {
        if (ready && panel.visible) post({ type: 'tick', now: new Date(clock.now()).toISOString() });
      })] : []),
      panel.onDidChangeViewState(() => {
        // Without retainContextWhenHidden the page is discarded when hidden and reloads (sending `ready`).
        if (!panel.visible) ready = false;
      }),
    );

    async function handle(msg: WebviewMessage): Promise<void> {
      switch (msg.type) {
        case 'ready':
          ready = true;
          postSnapshot();
          return;
        case 'painted': {
          lastPaintMs = msg.ms;
          // Command to paint, as a user perceives it: from Show Claude Usage to the first chart drawn.
          const open = openedAt !== undefined ? monotonicMs() - openedAt : undefined;
          if (open !== undefined) lastOpenToPaintMs = open;
          openedAt = undefined;
          log.info(
            `Dashboard painted${open !== undefined ? ` ${open.toFixed(0)} ms after Show Claude Usage;` : ''} ${msg.ms.toFixed(1)} ms after the script started (${msg.sinceNavigationMs.toFixed(1)} ms after navigation; ${msg.renderMs.toFixed(1)} ms from the snapshot arriving).`,
          );
          return;
        }
        case 'runAction':
          if (msg.action === EXTEND_HISTORY) {
            // Only ever lengthens the history; the configuration change makes the store fetch the older days.
            log.info(`Dashboard: load ${msg.days} days of history requested from the webview.`);
            await deps.raiseHistoryDays(msg.days);
            return;
          }
          log.info(`Dashboard: ${msg.action} requested from the webview.`);
          await vscode.commands.executeCommand(ACTION_COMMANDS[msg.action]);
          return;
        case 'export':
          await exportView(msg.format, msg.view);
          return;
        case 'webviewError':
          log.warn(`Dashboard webview: ${redactSecrets(msg.message)}`);
          return;
      }
    }

    async function exportView(format: 'csv' | 'json', view: Parameters<typeof exportCsv>[1]): Promise<void> {
      const at = clock.now();
      const name = exportFileName(view, at, format);
      const base = vscode.workspace.workspaceFolders?.[0]?.uri;
      const target = await vscode.window.showSaveDialog({
        defaultUri: base ? vscode.Uri.joinPath(base, name) : vscode.Uri.file(name),
        filters: format === 'csv' ? { 'CSV': ['csv'] } : { 'JSON': ['json'] },
        saveLabel: 'Export',
        title: `Export Claude Usage (${format.toUpperCase()})`,
      });
      if (!target) {
        post({ type: 'exportResult', ok: false, message: 'Export cancelled.' });
        return;
      }
      try {
        const text = format === 'csv' ? exportCsv(store.snapshot, view, at) : exportJson(store.snapshot, view, at, deps.settings());
        await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(text));
        log.info(`Dashboard: exported ${view.tab} (${format}) to ${target.toString(true)}.`);
        post({ type: 'exportResult', ok: true, message: `Exported to ${target.fsPath || target.toString(true)}` });
      } catch (e) {
        const message = redactSecrets(e instanceof Error ? e.message : String(e));
        log.error(`Dashboard: export failed: ${message}`);
        post({ type: 'exportResult', ok: false, message: `Export failed: ${message}` });
      }
    }

    const entry = {
      panel,
      dispose: () => {
        if (pending) clearTimeout(pending);
        for (const s of subs.reverse()) s.dispose();
        subs.length = 0;
      },
    };
    panel.onDidDispose(() => {
      entry.dispose();
      if (current === entry) current = undefined;
    });
    current = entry;
  }

  const serializer = vscode.window.registerWebviewPanelSerializer(DASHBOARD_VIEW_TYPE, {
    deserializeWebviewPanel(panel: vscode.WebviewPanel, _state: unknown): Thenable<void> {
      // The webview restores its own range/tab/grouping through getState(); we re-render and feed it.
      if (current) current.panel.dispose();
      attach(panel);
      return Promise.resolve();
    },
  });

  return {
    show() {
      const openedAt = monotonicMs();
      if (current) {
        current.panel.reveal(undefined, false);
        return;
      }
      const panel = vscode.window.createWebviewPanel(DASHBOARD_VIEW_TYPE, 'Claude Usage', { viewColumn: vscode.ViewColumn.Active, preserveFocus: false }, options);
      attach(panel, openedAt);
    },
    get lastPaintMs() {
      return lastPaintMs;
    },
    get lastOpenToPaintMs() {
      return lastOpenToPaintMs;
    },
    dispose() {
      serializer.dispose();
      current?.panel.dispose();
      current = undefined;
    },
  };
}

function describe(raw: unknown): string {
  if (typeof raw !== 'object' || raw === null) return typeof raw;
  const t = (raw as { type?: unknown }).type;
  return typeof t === 'string' ? `type ${JSON.stringify(t.slice(0, 40))}` : 'no type';
}
