/**
 * Command ids (typed, one place; a unit test checks them against the manifest's `contributes.commands`),
 * and the fixed set of actions a view may ask for: a tree item, a tooltip link, a notification button or
 * the dashboard names an action, never a command string it made up.
 */
export const COMMANDS = {
  showUsage: 'claudeUsage.showUsage',
  setApiKey: 'claudeUsage.setApiKey',
  setAdminKey: 'claudeUsage.setAdminKey',
  clearKeys: 'claudeUsage.clearKeys',
  refresh: 'claudeUsage.refresh',
  showLog: 'claudeUsage.showLog',
  openSettings: 'claudeUsage.openSettings',
  copyValue: 'claudeUsage.copyValue',
  groupCostsByModel: 'claudeUsage.groupCostsBy.model',
  groupCostsByWorkspace: 'claudeUsage.groupCostsBy.workspace',
  groupCostsByDescription: 'claudeUsage.groupCostsBy.description',
  connectPlan: 'claudeUsage.connectPlan',
  disconnectPlan: 'claudeUsage.disconnectPlan',
} as const;

export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Actions the UI offers next to a message (banners, error items, notifications). */
export const ACTION_NAMES = ['setApiKey', 'setAdminKey', 'refresh', 'openSettings', 'showLog', 'connectPlan'] as const;
export type ActionName = (typeof ACTION_NAMES)[number];

export const ACTION_TITLES: Readonly<Record<ActionName, string>> = {
  setApiKey: 'Set API Key',
  setAdminKey: 'Set Admin API Key',
  refresh: 'Refresh Now',
  openSettings: 'Open Settings',
  showLog: 'Show Log',
  connectPlan: 'Connect Claude Code Plan Limits',
};

/** The only commands an action can run. */
export const ACTION_COMMANDS: Readonly<Record<ActionName, CommandId>> = {
  setApiKey: COMMANDS.setApiKey,
  setAdminKey: COMMANDS.setAdminKey,
  refresh: COMMANDS.refresh,
  openSettings: COMMANDS.openSettings,
  showLog: COMMANDS.showLog,
  connectPlan: COMMANDS.connectPlan,
};

/** The setting "add a price" opens (Open Settings takes a setting id as its argument). */
export const PRICE_OVERRIDES_SETTING = 'claudeUsage.local.priceOverrides';

/** The view and status-bar ids the manifest declares. */
export const VIEWS = {
  container: 'claudeUsage',
  local: 'claudeUsage.local',
  costs: 'claudeUsage.costs',
  claudeCode: 'claudeUsage.claudeCode',
  rateLimits: 'claudeUsage.rateLimits',
} as const;
export type TreeName = Exclude<keyof typeof VIEWS, 'container'>;

export const STATUS_BAR_ID = 'claudeUsage.status';
export const DASHBOARD_VIEW_TYPE = 'claudeUsage.dashboard';
/** Context key set while an Admin key is available (drives `viewsWelcome`). */
export const CONTEXT_HAS_ADMIN_KEY = 'claudeUsage.hasAdminKey';
/** Context key set while Claude Code's status line points at ours (drives the Connect/Disconnect menus). */
export const CONTEXT_PLAN_CONNECTED = 'claudeUsage.planConnected';
