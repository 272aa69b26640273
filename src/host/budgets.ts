/**
 * Budgets and alerts, the VS Code side: takes `claudeUsage.budgets.*` (and the plan thresholds it shares
 * with the status bar's colours) from the configuration service without a reload, evaluates on every store change, plan-figure change,
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
import { realScheduler, type Scheduler } from '../core/store/scheduler';
import type { Store } from '../core/store/store';
import {
  BUDGET_ACTION_TITLES,
  BudgetAlerter,
  FileAlertBook,
  type BudgetAction,
  type BudgetNotification,
  type BudgetReport,
  type BudgetSettings,
} from '../core/budget';
import type { ConfigService } from './config';
import { clockTime } from '../core/plan/format';

export interface BudgetHostLog {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
}

export interface BudgetHostDeps {
  store: Store;
  /** Budget settings (validated) and the plan's staleness come from the one configuration reader. */
  config: Pick<ConfigService, 'current' | 'onDidChange'>;
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
  const settings = (): BudgetSettings => deps.config.current.budgets;
  let reported = '';

  const load = (): void => {
    const problems = deps.config.current.budgetProblems;
    const text = problems.join('\n');
    if (text && text !== reported) {
      for (const p of problems) log.warn(`settings: ${p}`);
      const first = problems[0]!;
      const more = problems.length > 1 ? ` (and ${problems.length - 1} more in the log)` : '';
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
      ...(deps.store.snapshot.plan.data ? { plan: deps.store.snapshot.plan.data } : {}),
      planStaleAfterMs: deps.config.current.plan.staleAfterMs,
      settings: settings(),
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
        `Claude Usage: budget and plan-limit notifications are snoozed until ${clockTime(until, settings().localZone)} tomorrow; colours and the dashboard still show every budget.`,
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
    deps.config.onDidChange(() => {
      load();
      poke();
    }),
  ];
  alerter.schedule();

  const host: BudgetHost = {
    report: () => alerter.report(),
    get settings() {
      return settings();
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
