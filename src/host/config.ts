/**
 * One typed snapshot of `claudeUsage.*` (plus `http.proxy*`), rebuilt when the configuration changes.
 * Nothing else reads configuration directly.
 */
import * as vscode from 'vscode';
import type { PriceOverrides } from '../core/pricing';
import { DEFAULT_PLAN_SETTINGS, type PlanSettings } from '../core/plan/facts';
import { parseBudgetSettings, type BudgetSettings } from '../core/budget/settings';
import { clampDays, COST_GROUPINGS, COSTS_DAYS, HISTORY_DAYS, type CostGrouping, type StoreSettings } from '../core/model/settings';
import type { StatusBarSettings } from '../core/viewModels/statusBar';
import { DEFAULT_STATUS_FORMAT } from '../core/viewModels/statusBar';

/** `claudeUsage.plan.*` (with the local time zone for reset clock times), typed. */
export interface PlanHostSettings extends PlanSettings {
  appendSegment: boolean;
  chainTimeoutMs: number;
}

export interface Config {
  store: StoreSettings;
  statusBar: StatusBarSettings & { alignment: 'left' | 'right' };
  costs: { days: number; groupBy: CostGrouping };
  useEnvironmentKeys: boolean;
  local: { enabled: boolean; extraFolders: string[]; timezone: string; showInStatusBar: 'auto' | 'always' | 'never' };
  priceOverrides: PriceOverrides;
  plan: PlanHostSettings;
  /** `claudeUsage.budgets.*` validated; `problems` names each value that was ignored. */
  budgets: BudgetSettings;
  budgetProblems: string[];
}

function clamp(n: unknown, min: number, max: number, fallback: number): number {
  return typeof n === 'number' && Number.isFinite(n) ? Math.min(max, Math.max(min, n)) : fallback;
}

function oneOf<T extends string>(v: unknown, values: readonly T[], fallback: T): T {
  return values.includes(v as T) ? (v as T) : fallback;
}

/** The budget settings (with the plan thresholds and the local zone they share), validated. */
function budgets(c: vscode.WorkspaceConfiguration): { budgets: BudgetSettings; budgetProblems: string[] } {
  const parsed = parseBudgetSettings({
    organizationDaily: c.get('budgets.organization.daily'),
    organizationMonthly: c.get('budgets.organization.monthly'),
    localDaily: c.get('budgets.local.daily'),
    localMonthly: c.get('budgets.local.monthly'),
    thresholds: c.get('budgets.thresholds'),
    notifications: c.get('budgets.notifications'),
    planWarning: c.get('plan.warningThreshold'),
    planError: c.get('plan.errorThreshold'),
    timezone: c.get('local.timezone'),
  });
  return { budgets: parsed.settings, budgetProblems: parsed.problems };
}

export function readConfig(): Config {
  const c = vscode.workspace.getConfiguration('claudeUsage');
  const http = vscode.workspace.getConfiguration('http');
  const baseUrl = String(c.get('baseUrl') ?? '').trim();
  const proxy = String(http.get('proxy') ?? '').trim();
  const local = {
    enabled: c.get<boolean>('local.enabled', true) !== false,
    extraFolders: [...(c.get<unknown[]>('local.extraFolders') ?? [])].filter((x): x is string => typeof x === 'string' && x.length > 0),
    timezone: String(c.get('local.timezone') ?? ''),
    showInStatusBar: oneOf(c.get('local.showInStatusBar'), ['auto', 'always', 'never'] as const, 'auto'),
  };
  const costsDays = clampDays(c.get('costs.days'), COSTS_DAYS);
  const budgetSettings = budgets(c);
  const plan: PlanHostSettings = {
    warningPercent: clamp(c.get('plan.warningThreshold'), 0, 100, DEFAULT_PLAN_SETTINGS.warningPercent),
    errorPercent: clamp(c.get('plan.errorThreshold'), 0, 100, DEFAULT_PLAN_SETTINGS.errorPercent),
    staleAfterMs: clamp(c.get('plan.staleMinutes'), 1, 1440, DEFAULT_PLAN_SETTINGS.staleAfterMs / 60_000) * 60_000,
    appendSegment: c.get<boolean>('plan.statusLine.appendSegment', true) !== false,
    chainTimeoutMs: clamp(c.get('plan.statusLine.chainTimeoutMs'), 100, 10_000, 2000),
    ...(local.timezone ? { timeZone: local.timezone } : {}),
  };
  return {
    store: {
      ...(baseUrl ? { baseUrl: baseUrl.replace(/\/+$/, '') } : {}),
      ...(proxy ? { proxyUrl: proxy } : {}),
      strictSSL: http.get<boolean>('proxyStrictSSL', true) !== false,
      rateLimits: {
        enabled: c.get<boolean>('rateLimits.enabled', true) !== false,
        intervalSeconds: clamp(c.get('rateLimits.intervalSeconds'), 15, 3600, 60),
        model: String(c.get('rateLimits.model') || 'claude-haiku-4-5'),
      },
      costsMinutes: clamp(c.get('refresh.costsMinutes'), 5, 1440, 15),
      claudeCodeMinutes: clamp(c.get('refresh.claudeCodeMinutes'), 15, 1440, 60),
      labelsHours: clamp(c.get('refresh.labelsHours'), 1, 168, 24),
      localMinutes: clamp(c.get('refresh.localMinutes'), 1, 120, 5),
      costsDays,
      historyDays: clampDays(c.get('history.days'), HISTORY_DAYS),
      local: { enabled: local.enabled },
    },
    statusBar: {
      alignment: oneOf(c.get('statusBar.alignment'), ['left', 'right'] as const, 'right'),
      format: String(c.get('statusBar.format') || DEFAULT_STATUS_FORMAT),
      warningPercent: clamp(c.get('statusBar.warningThreshold'), 0, 100, 25),
      errorPercent: clamp(c.get('statusBar.errorThreshold'), 0, 100, 5),
      localMode: local.showInStatusBar,
      ...(local.timezone ? { localTimezone: local.timezone } : {}),
      plan,
      budgets: budgetSettings.budgets,
    },
    costs: { days: costsDays, groupBy: oneOf(c.get('costs.groupBy'), COST_GROUPINGS, 'model') },
    useEnvironmentKeys: c.get<boolean>('useEnvironmentKeys', true) !== false,
    local,
    plan,
    ...budgetSettings,
    // Plain copies of the read-only proxies VS Code returns: the engine keeps and compares plain data.
    priceOverrides: JSON.parse(JSON.stringify(c.get<PriceOverrides>('local.priceOverrides') ?? {})) as PriceOverrides,
  };
}

/** Holds the current Config and tells listeners when a `claudeUsage.*` or proxy setting changed. */
export class ConfigService implements vscode.Disposable {
  private value: Config = readConfig();
  private readonly emitter = new vscode.EventEmitter<Config>();
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;

  constructor() {
    this.sub = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('claudeUsage') || e.affectsConfiguration('http.proxy') || e.affectsConfiguration('http.proxyStrictSSL')) {
        this.value = readConfig();
        this.emitter.fire(this.value);
      }
    });
  }

  get current(): Config {
    return this.value;
  }

  /** Raises `claudeUsage.history.days` (user settings) to `days` when that is longer; never shortens it. */
  async raiseHistoryDays(days: number): Promise<void> {
    const next = clampDays(days, HISTORY_DAYS);
    if (next > this.value.store.historyDays) {
      await vscode.workspace.getConfiguration('claudeUsage').update('history.days', next, vscode.ConfigurationTarget.Global);
    }
  }

  /** Sets `claudeUsage.costs.groupBy` (user settings). */
  async setCostGrouping(by: CostGrouping): Promise<void> {
    await vscode.workspace.getConfiguration('claudeUsage').update('costs.groupBy', by, vscode.ConfigurationTarget.Global);
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
