/**
 * Activation: register commands, views and the status bar item, then return. Secret reads, the
 * persisted snapshot, the lease and the first refresh start after activate() returns (setTimeout 0).
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import type { AnthropicApi, ClientOptions } from './core/anthropic/api';
import { needsUser } from './core/anthropic/errors';
import { loadAnthropicClient } from './core/anthropic/lazy';
import { CLOCK_ENV, monotonicMs, systemClock } from './core/clock';
import { ACTION_COMMANDS, ACTION_TITLES, COMMANDS, CONTEXT_HAS_ADMIN_KEY, VIEWS, type TreeName } from './core/model/commands';
import { errorAction, localToday, nextClockChange } from './core/model/facts';
import { COST_GROUPINGS } from './core/model/settings';
import { FileDayCache } from './core/store/dayCache';
import { realScheduler } from './core/store/scheduler';
import { FileFocus, FileLease, FileSnapshotPersistence } from './core/store/shared';
import type { SourceName, StoreSnapshot } from './core/model/snapshot';
import { Store } from './core/store/store';
import { claudeCodeTree, costsTree, localTree, rateLimitsTree, type TreeNode } from './core/viewModels/tree';
import { budgetsOf } from './core/viewModels/statusBar';
import { ConfigService } from './host/config';
import { LocalTranscripts } from './host/local';
import { Log } from './host/log';
import { checkKey, KeyService, validateKeyInput, type KeyName } from './host/secrets';
import { registerPlanCommands, type PlanHost } from './host/plan';
import { registerBudgets, type BudgetHost } from './host/budgets';
import { StatusBar } from './views/statusBar';
import { SnapshotTree } from './views/tree/provider';
import { Ticker } from './views/ticker';
import { registerDashboardPanel } from './views/dashboard/panel';

/** What the running extension exposes (host tests use it through `extension.exports`). */
export interface ClaudeUsageApi {
  store: Store;
  statusBar: StatusBar;
  trees: Record<TreeName, SnapshotTree>;
  /** Plan limits from Claude Code's status line (src/host/plan.ts). */
  plan: PlanHost;
  /** Budgets and alerts (issue 14, src/host/budgets.ts). */
  budgets: BudgetHost;
  /** Resolves once the deferred start-up (keys, snapshot, lease) has run. */
  ready: Promise<void>;
  activationMs: number;
}

type ClientFactory = (options: ClientOptions) => AnthropicApi;

/** Released by `deactivate()` (awaited, so the next window takes over the polling at once). */
let releaseOnDeactivate: (() => Promise<void>) | undefined;

export function activate(context: vscode.ExtensionContext): ClaudeUsageApi {
  const started = monotonicMs();
  const log = new Log();
  const config = new ConfigService();
  const keys = new KeyService(context.secrets, () => config.current.useEnvironmentKeys);
  const dir = context.globalStorageUri.fsPath;
  const windowId = `${vscode.env.sessionId}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;

  // The API client (undici + zod, its own bundle dist/anthropic.js) loads on the first API call, so a
  // window without keys never parses it; the price table loads after activation.
  const clientFactory: ClientFactory = (o) => loadAnthropicClient().createAnthropicClient(o);
  let priceProbe: ((model: string, input: number, output: number) => string | undefined) | undefined;

  const local = new LocalTranscripts(dir, config, log);
  // Plan limits (Claude Pro/Max): Connect/Disconnect, the launcher, the state file Claude Code's status line writes.
  const plan = registerPlanCommands(context, { log, config });
  const lease = new FileLease(join(dir, 'lease.json'), windowId, systemClock);
  releaseOnDeactivate = () => lease.release();
  const notified = new Map<SourceName, string>();
  const store = new Store({
    keys,
    settings: config.current.store,
    scheduler: realScheduler,
    clientFactory,
    persistence: new FileSnapshotPersistence(join(dir, 'snapshot.json')),
    dayCache: new FileDayCache(join(dir, 'days')),
    lease,
    focus: new FileFocus(join(dir, 'focus.json'), windowId, { clock: systemClock }),
    priceProbe: (m, i, o) => priceProbe?.(m, i, o),
    localRunner: local.run,
    planRunner: async () => ({ ...plan.readState(), connected: plan.connected() }),
    onRequest: (e) => log.request(e),
    onError: (source, error) => {
      // A warning only for what the user must fix, once per distinct error (not every poll).
      if (!needsUser(error)) return;
      const id = `${error.kind}:${error.message}`;
      if (notified.get(source) === id) return;
      notified.set(source, id);
      const actions = [...new Set([errorAction(source, error), 'showLog' as const])];
      void vscode.window.showWarningMessage(`Claude Usage: ${error.message}`, ...actions.map((a) => ACTION_TITLES[a])).then((choice) => {
        const picked = actions.find((a) => ACTION_TITLES[a] === choice);
        if (picked) void vscode.commands.executeCommand(ACTION_COMMANDS[picked]);
      });
    },
    log,
  });

  // The status line shows today's local estimate too: the same fact as the status bar's.
  const publishToday = (s: StoreSnapshot): void => {
    const l = s.local.data;
    const today = l ? localToday(l, systemClock.now(), config.current.local.timezone) : undefined;
    plan.publishToday(today && today.tokens > 0 ? today.total.toString() : undefined, config.current.local.timezone || l?.timezone);
  };
  context.subscriptions.push(plan, plan.onDidChangeState(() => store.planChanged()), store.onDidChange(publishToday));

  // Budgets and alerts: notifications once per threshold and period across windows and reloads.
  const budgets = registerBudgets(context, { store, config, log, dir, windowId });

  const ticker = new Ticker();
  // A plan window's reset, the end of this machine's 5-hour window or a new day shows on every surface at that instant.
  const wake = (): void => ticker.wakeAt(nextClockChange(store.snapshot, systemClock.now(), config.current.plan, config.current.local.timezone || store.snapshot.local.data?.timezone));
  context.subscriptions.push(store.onDidChange(wake), ticker.onTick(wake));
  const statusBar = new StatusBar(store, config, ticker);
  const trees = {
    costs: new SnapshotTree(store, (s, now) => costsTree(s, config.current.costs.groupBy, config.current.costs.days, now, budgetsOf(s, now, config.current.budgets, config.current.plan)), ticker, log),
    claudeCode: new SnapshotTree(store, claudeCodeTree, ticker, log),
    rateLimits: new SnapshotTree(store, rateLimitsTree, ticker, log),
    local: new SnapshotTree(store, (s, now) => localTree(s, now, config.current.plan, budgetsOf(s, now, config.current.budgets, config.current.plan)), ticker, log),
  };
  local.setListener(() => store.localChanged());
  context.subscriptions.push(log, config, keys, store, local, ticker, statusBar, ...Object.values(trees));
  for (const name of Object.keys(trees) as TreeName[]) {
    const view = vscode.window.createTreeView(VIEWS[name], { treeDataProvider: trees[name], showCollapseAll: name !== 'rateLimits' });
    context.subscriptions.push(view, trees[name].attach(view));
  }

  let lastHasAdmin: boolean | undefined;
  const syncContext = (): void => {
    const hasAdmin = store.snapshot.keys.admin !== 'none';
    if (hasAdmin !== lastHasAdmin) {
      lastHasAdmin = hasAdmin;
      void vscode.commands.executeCommand('setContext', CONTEXT_HAS_ADMIN_KEY, hasAdmin);
    }
    for (const s of notified.keys()) if (!store.snapshot[s].error) notified.delete(s);
  };
  context.subscriptions.push(store.onDidChange(syncContext));

  const dashboard = registerDashboardPanel(context, {
    store,
    log,
    raiseHistoryDays: (days) => config.raiseHistoryDays(days),
    clock: systemClock,
    ticker,
    settings: () => ({ plan: config.current.plan, budgets: config.current.budgets }),
  });
  context.subscriptions.push(dashboard);

  const setKey = async (name: KeyName): Promise<void> => {
    const label = name === 'api' ? 'API key' : 'Admin API key';
    const value = await vscode.window.showInputBox({
      title: name === 'api' ? 'Claude Usage: Set API Key' : 'Claude Usage: Set Admin API Key',
      prompt:
        name === 'api'
          ? 'A standard key (sk-ant-api…) for rate-limit headroom. Stored in VS Code SecretStorage (OS keychain).'
          : 'An Admin key (sk-ant-admin…) for organization costs, tokens and Claude Code analytics. Stored in VS Code SecretStorage.',
      placeHolder: name === 'api' ? 'sk-ant-api03-…' : 'sk-ant-admin01-…',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => validateKeyInput(name, v),
    });
    if (value === undefined) return;
    const key = value.trim();
    const check = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Claude Usage: checking the ${label}…` },
      async () => checkKey(name, clientFactory({ apiKey: key, ...clientSettings(config) }), config.current.store.rateLimits.model),
    );
    if (check.result === 'wrongKind') {
      void vscode.window.showErrorMessage(`Claude Usage: ${check.message} The key was not saved.`);
      return;
    }
    if (check.result === 'rejected') {
      const choice = await vscode.window.showErrorMessage(`Claude Usage: ${check.message}`, 'Save Anyway', 'Cancel');
      if (choice !== 'Save Anyway') return;
    }
    await keys.store(name, key);
    log.info(`${label} stored in SecretStorage (check: ${check.result}).`);
    if (check.result === 'valid') void vscode.window.showInformationMessage(`Claude Usage: ${check.message}`);
    else if (check.result !== 'rejected') void vscode.window.showWarningMessage(`Claude Usage: ${check.message}`);
  };

  const copyValue = async (node?: TreeNode): Promise<void> => {
    const text = node?.copyValue ?? (node ? `${node.label}${node.description ? ` ${node.description}` : ''}` : undefined);
    if (text) await vscode.env.clipboard.writeText(text);
    else void vscode.window.showInformationMessage('Claude Usage: right-click a value in the Claude Usage sidebar and choose Copy Value.');
  };

  const register = (id: (typeof COMMANDS)[keyof typeof COMMANDS], fn: (...args: never[]) => unknown): void => {
    context.subscriptions.push(vscode.commands.registerCommand(id, fn));
  };
  register(COMMANDS.showUsage, () => dashboard.show());
  register(COMMANDS.setApiKey, () => setKey('api'));
  register(COMMANDS.setAdminKey, () => setKey('admin'));
  register(COMMANDS.clearKeys, async () => {
    const choice = await vscode.window.showWarningMessage(
      'Delete the API key and the Admin API key from VS Code SecretStorage? Environment variables are not affected.',
      { modal: true },
      'Clear Keys',
    );
    if (choice !== 'Clear Keys') return;
    await keys.clear();
    log.info('Keys cleared from SecretStorage.');
  });
  register(COMMANDS.refresh, async () => {
    await vscode.window.withProgress({ location: { viewId: VIEWS.costs } }, () => store.refresh());
  });
  register(COMMANDS.showLog, () => log.show());
  // A setting id (e.g. the price overrides, from the tree) opens that setting; otherwise all of ours.
  register(COMMANDS.openSettings, (query?: unknown) =>
    vscode.commands.executeCommand('workbench.action.openSettings', typeof query === 'string' && /^claudeUsage\.[\w.]+$/.test(query) ? query : `@ext:${context.extension.id}`),
  );
  register(COMMANDS.copyValue, (node: TreeNode) => copyValue(node));
  const groupCommands = { model: COMMANDS.groupCostsByModel, workspace: COMMANDS.groupCostsByWorkspace, description: COMMANDS.groupCostsByDescription } as const;
  for (const g of COST_GROUPINGS) register(groupCommands[g], () => config.setCostGrouping(g));

  context.subscriptions.push(
    config.onDidChange((c) => {
      store.updateSettings(c.store);
      void store.keysChanged(); // the environment fallback may have been switched
      for (const t of Object.values(trees)) t.schedule();
    }),
    keys.onDidChange(() => void store.keysChanged()),
    vscode.window.onDidChangeWindowState((s) => void store.setFocused(s.focused)),
  );

  // Everything else after activate() returns.
  const ready = new Promise<void>((resolve) => {
    setTimeout(() => {
      void (async () => {
        try {
          const { PriceBook } = await import('./core/pricing');
          const book = new PriceBook(config.current.priceOverrides);
          priceProbe = (m, i, o) => book.cost(m, { input: i, output: o, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 })?.toString();
          await store.start();
          await store.setFocused(vscode.window.state.focused);
          syncContext();
          watchShared(context, dir, store);
        } catch (e) {
          log.error(`start-up failed: ${e instanceof Error ? e.message : String(e)}`);
        } finally {
          resolve();
        }
      })();
    }, 0);
  });

  const activationMs = monotonicMs() - started;
  log.debug(`activate() took ${activationMs.toFixed(1)} ms`);
  if (process.env[CLOCK_ENV]) log.info(`The clock is pinned by ${CLOCK_ENV}: now is ${new Date(systemClock.now()).toISOString()}.`);
  return { store, statusBar, trees, plan, budgets, ready, activationMs };
}

function clientSettings(config: ConfigService): Omit<ClientOptions, 'apiKey'> {
  const s = config.current.store;
  return { ...(s.baseUrl ? { baseUrl: s.baseUrl } : {}), ...(s.proxyUrl ? { proxyUrl: s.proxyUrl } : {}), strictSSL: s.strictSSL };
}

/** Another window's snapshot write shows here at once (the store also checks every 15 s). */
function watchShared(context: vscode.ExtensionContext, dir: string, store: Store): void {
  const watcher = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(dir), 'snapshot.json'));
  const changed = (): void => void store.sharedChanged();
  context.subscriptions.push(watcher, watcher.onDidChange(changed), watcher.onDidCreate(changed));
}

/** Gives up the polling lease (awaited by VS Code) so another window takes over without waiting for it to go stale. */
export async function deactivate(): Promise<void> {
  await releaseOnDeactivate?.().catch(() => undefined);
  releaseOnDeactivate = undefined;
}
