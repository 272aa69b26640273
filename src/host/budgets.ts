/**
 * Budgets and alerts, the VS Code side: reads `claudeUsage.budgets.*` (and the plan thresholds it shares
 * with the status bar's colours) without a reload, evaluates on every store change, plan-figure change,
 * settings change and once a minute (period boundaries, a snooze running out), debounced, and shows the
 * notifications `src/core/budget` decides on, with "Open Dashboard", "Snooze Until Tomorrow" and
 * "Budget Settings". `claudeUsage.budgets.notifications: false` turns the notifications off; the views keep
 * their colours (they render `report()` through src/core/budget/surfaces.ts).
 *
 * The record of alerts fired is `budget-alerts/` in the extension's global storage, shared by every window
 * (src/core/budget/record.ts): one window decides, the others stay quiet, nothing repeats after a reload.
 */
import * as vscode from 'vscode';
import { join } from 'node:path';
import { systemClock, type Clock } from '../core/clock';
import { COMMANDS } from '../core/model/commands';
import type { PlanData } from '../core/plan/types';
import { realScheduler, type Scheduler } from '../core/store/scheduler';
import type { Store } from '../core/store/store';
import {
  BUDGET_ACTION_TITLES,
  BudgetAlerter,
  FileAlertBook,
  parseBudgetSettings,
  type BudgetAction,
  type BudgetNotification,
  type BudgetReport,
  type BudgetSettings,
  type RawBudgetSettings,
} from '../core/budget';
import { clockTime } from '../core/plan/format';

/** Reads the raw values; `parseBudgetSettings` validates them. */
export function readRawBudgetSettings(): RawBudgetSettings {
  const c = vscode.workspace.getConfiguration('claudeUsage');
  return {
    organizationDaily: c.get('budgets.organization.daily'),
    organizationMonthly: c.get('budgets.organization.monthly'),
    localDaily: c.get('budgets.local.daily'),
    localMonthly: c.get('budgets.local.monthly'),
    thresholds: c.get('budgets.thresholds'),
    notifications: c.get('budgets.notifications'),
    planWarning: c.get('plan.warningThreshold'),
    planError: c.get('plan.errorThreshold'),
    timezone: c.get('local.timezone'),
  };
}

export interface BudgetHostLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

/** What the plan host offers (src/host/plan.ts's PlanHost satisfies it). */
export interface PlanSource {
  readonly data: PlanData;
  readonly settings: { staleAfterMs: number };
  readonly onDidChange: vscode.Event<PlanData>;
}

export interface BudgetHostDeps {
  store: Store;
  plan?: PlanSource;
  log: BudgetHostLog;
  /** The extension's global storage folder (shared by every window). */
  dir: string;
  /** This window's id (written into the records it claims). */
  windowId: string;
  clock?: Clock;
  scheduler?: Scheduler;
}

export interface BudgetHost extends vscode.Disposable {
  /** Every budget now: the views render it (status bar colour, tooltip, trees, dashboard). */
  report(): BudgetReport;
  readonly settings: BudgetSettings;
  /** Fires when budgets may read differently: a store change, new plan figures, a settings change. */
  readonly onDidChange: vscode.Event<void>;
  /** Evaluates now (tests); returns the notifications shown. */
  evaluate(): Promise<BudgetNotification[]>;
}

const TICK_MS = 60_000;

export function registerBudgets(context: vscode.ExtensionContext, deps: BudgetHostDeps): BudgetHost {
  const clock = deps.clock ?? systemClock;
  const log = deps.log;
  const changed = new vscode.EventEmitter<void>();
  let settings: BudgetSettings;
  let reported = '';

  const load = (): void => {
    const parsed = parseBudgetSettings(readRawBudgetSettings());
    settings = parsed.settings;
    const text = parsed.problems.join('\n');
    if (text && text !== reported) {
      for (const p of parsed.problems) log.warn(`settings: ${p}`);
      const first = parsed.problems[0]!;
      const more = parsed.problems.length > 1 ? ` (and ${parsed.problems.length - 1} more in the log)` : '';
      void vscode.window.showWarningMessage(`Claude Usage: ${first}${more}`, BUDGET_ACTION_TITLES.settings).then((choice) => {
        if (choice) void vscode.commands.executeCommand('workbench.action.openSettings', 'claudeUsage.budgets');
      });
    }
    reported = text;
  };
  load();

  const alerter = new BudgetAlerter({
    book: new FileAlertBook(join(deps.dir, 'budget-alerts'), deps.windowId, clock),
    clock,
    scheduler: deps.scheduler ?? realScheduler,
    inputs: () => ({
      snapshot: deps.store.snapshot,
      ...(deps.plan ? { plan: deps.plan.data, planStaleAfterMs: deps.plan.settings.staleAfterMs } : {}),
      settings,
    }),
    log,
    notify: (n) => {
      log.info(`budget notification: ${n.message}`);
      const titles = n.actions.map((a) => BUDGET_ACTION_TITLES[a]);
      const shown = n.severity === 'error' ? vscode.window.showErrorMessage(n.message, ...titles) : vscode.window.showWarningMessage(n.message, ...titles);
      void shown.then((choice) => {
        const action = n.actions.find((a) => BUDGET_ACTION_TITLES[a] === choice);
        if (action) act(action, n).catch((e: unknown) => log.warn(`budget action ${action}: ${e instanceof Error ? e.message : String(e)}`));
      });
    },
  });

  const act = async (action: BudgetAction, n: BudgetNotification): Promise<void> => {
    if (action === 'openDashboard') await vscode.commands.executeCommand(COMMANDS.showUsage);
    else if (action === 'settings') await vscode.commands.executeCommand('workbench.action.openSettings', n.settingsQuery);
    else {
      const until = await alerter.snoozeUntilTomorrow();
      log.info(`budget notifications snoozed until ${new Date(until).toISOString()} in every window`);
      void vscode.window.showInformationMessage(
        `Claude Usage: budget and plan-limit notifications are snoozed until ${clockTime(until, settings.localZone)} tomorrow; colours and the dashboard still show every budget.`,
      );
    }
  };

  const poke = (): void => {
    changed.fire();
    alerter.schedule();
  };
  const tick = setInterval(() => alerter.schedule(), TICK_MS);
  tick.unref?.();
  const subs: vscode.Disposable[] = [
    deps.store.onDidChange(poke),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('claudeUsage.budgets') || e.affectsConfiguration('claudeUsage.plan') || e.affectsConfiguration('claudeUsage.local.timezone')) {
        load();
        poke();
      }
    }),
  ];
  if (deps.plan) subs.push(deps.plan.onDidChange(poke));
  alerter.schedule();

  const host: BudgetHost = {
    report: () => alerter.report(),
    get settings() {
      return settings;
    },
    onDidChange: changed.event,
    evaluate: () => alerter.evaluate(),
    dispose: () => {
      clearInterval(tick);
      alerter.dispose();
      for (const s of subs) s.dispose();
      changed.dispose();
    },
  };
  context.subscriptions.push(host);
  return host;
}
