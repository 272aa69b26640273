/**
 * Messages between the dashboard webview and the extension host: typed unions both ways, and a validator
 * for each direction that every message goes through on arrival (anything else is dropped and logged).
 * The webview never names a command: it asks for one of a fixed set of actions, which the host maps to its
 * own commands. No message ever carries a key (the snapshot holds none; `sanitizeSnapshot` drops even the
 * partial key hints before posting).
 */
import { ACTION_NAMES, type ActionName } from '../model/commands';
import { isIsoDate } from '../model/days';
import { HISTORY_DAYS } from '../model/settings';
import { SNAPSHOT_VERSION, SOURCE_NAMES, type StoreSnapshot } from '../model/snapshot';
import { EXTEND_HISTORY } from './status';
import { DEFAULT_DASHBOARD_SETTINGS, GROUPINGS, RANGE_KINDS, TAB_IDS, type DashboardSettings, type Grouping, type RangeSpec, type TabId, type ViewState } from './view';

export const EXPORT_FORMATS = ['csv', 'json'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Webview → host. */
export type WebviewMessage =
  | { type: 'ready' }
  /** Milliseconds from the bundle starting to run to the first chart drawn, since navigation start, and
   *  from the first snapshot arriving to that paint (the part that does not wait for the host). */
  | { type: 'painted'; ms: number; sinceNavigationMs: number; renderMs: number }
  | { type: 'runAction'; action: ActionName }
  /** Raise `claudeUsage.history.days` to `days` (an integer within HISTORY_DAYS). */
  | { type: 'runAction'; action: typeof EXTEND_HISTORY; days: number }
  | { type: 'export'; format: ExportFormat; view: ViewState }
  | { type: 'viewChanged'; view: ViewState }
  | { type: 'webviewError'; message: string };

/** Host → webview. */
export type HostMessage =
  | { type: 'snapshot'; snapshot: StoreSnapshot; now: string; settings: DashboardSettings }
  | { type: 'exportResult'; ok: boolean; message: string }
  /** The views' shared tick: re-render relative times from the last snapshot at the host's `now`. */
  | { type: 'tick'; now: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const oneOf = <T extends string>(list: readonly T[], v: unknown): v is T => typeof v === 'string' && (list as readonly string[]).includes(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export function parseRangeSpec(v: unknown): RangeSpec | undefined {
  if (!isObj(v) || !oneOf(RANGE_KINDS, v.kind)) return undefined;
  if (v.kind === 'custom') {
    if (!isIsoDate(v.since) || !isIsoDate(v.until)) return undefined;
    return { kind: 'custom', since: v.since, until: v.until };
  }
  return { kind: v.kind };
}

export function parseViewState(v: unknown): ViewState | undefined {
  if (!isObj(v)) return undefined;
  const range = parseRangeSpec(v.range);
  if (!range || !oneOf<TabId>(TAB_IDS, v.tab) || !oneOf<Grouping>(GROUPINGS, v.grouping)) return undefined;
  return { tab: v.tab, range, grouping: v.grouping };
}

/** Validates a message from the webview; `undefined` for anything not exactly one of the known shapes. */
export function parseWebviewMessage(v: unknown): WebviewMessage | undefined {
  if (!isObj(v) || typeof v.type !== 'string') return undefined;
  switch (v.type) {
    case 'ready':
      return { type: 'ready' };
    case 'painted':
      return [v.ms, v.sinceNavigationMs, v.renderMs].every((x) => finite(x) && x >= 0)
        ? { type: 'painted', ms: v.ms as number, sinceNavigationMs: v.sinceNavigationMs as number, renderMs: v.renderMs as number }
        : undefined;
    case 'runAction':
      if (v.action === EXTEND_HISTORY) {
        const days = v.days;
        return Number.isInteger(days) && (days as number) >= HISTORY_DAYS.min && (days as number) <= HISTORY_DAYS.max
          ? { type: 'runAction', action: EXTEND_HISTORY, days: days as number }
          : undefined;
      }
      return oneOf(ACTION_NAMES, v.action) ? { type: 'runAction', action: v.action } : undefined;
    case 'export': {
      const view = parseViewState(v.view);
      return oneOf(EXPORT_FORMATS, v.format) && view ? { type: 'export', format: v.format, view } : undefined;
    }
    case 'viewChanged': {
      const view = parseViewState(v.view);
      return view ? { type: 'viewChanged', view } : undefined;
    }
    case 'webviewError':
      return typeof v.message === 'string' ? { type: 'webviewError', message: v.message.slice(0, 2000) } : undefined;
    default:
      return undefined;
  }
}

function isSourceState(v: unknown): boolean {
  return isObj(v) && typeof v.stale === 'boolean' && typeof v.loading === 'boolean' && (v.data === undefined || isObj(v.data)) && (v.error === undefined || isObj(v.error));
}

const money = (v: unknown): v is string => typeof v === 'string' && /^\d+(\.\d+)?$/.test(v);
function amounts(v: unknown): { daily?: string; monthly?: string } {
  const o = isObj(v) ? v : {};
  return { ...(money(o.daily) ? { daily: o.daily } : {}), ...(money(o.monthly) ? { monthly: o.monthly } : {}) };
}

/** The settings part of a snapshot message; anything unreadable falls back to the defaults. */
function parseSettings(v: unknown): DashboardSettings {
  const p = isObj(v) && isObj(v.plan) ? v.plan : undefined;
  const plan =
    p && finite(p.warningPercent) && finite(p.errorPercent) && finite(p.staleAfterMs)
      ? { warningPercent: p.warningPercent, errorPercent: p.errorPercent, staleAfterMs: p.staleAfterMs, ...(typeof p.timeZone === 'string' ? { timeZone: p.timeZone } : {}) }
      : DEFAULT_DASHBOARD_SETTINGS.plan;
  const b = isObj(v) && isObj(v.budgets) ? v.budgets : undefined;
  const budgets = b
    ? {
        ...DEFAULT_DASHBOARD_SETTINGS.budgets,
        organization: amounts(b.organization),
        local: amounts(b.local),
        ...(Array.isArray(b.thresholds) && b.thresholds.every(finite) ? { thresholds: b.thresholds as number[] } : {}),
        ...(isObj(b.plan) && finite(b.plan.warningPercent) && finite(b.plan.errorPercent) ? { plan: { warningPercent: b.plan.warningPercent, errorPercent: b.plan.errorPercent } } : {}),
        ...(typeof b.localZone === 'string' ? { localZone: b.localZone } : {}),
      }
    : DEFAULT_DASHBOARD_SETTINGS.budgets;
  return { plan, budgets };
}

/** Validates a message from the host (the webview's side of the contract). */
export function parseHostMessage(v: unknown): HostMessage | undefined {
  if (!isObj(v)) return undefined;
  if (v.type === 'snapshot') {
    const s = v.snapshot;
    if (!isObj(s) || s.version !== SNAPSHOT_VERSION || !isObj(s.keys) || typeof v.now !== 'string' || Number.isNaN(Date.parse(v.now))) return undefined;
    if (!SOURCE_NAMES.every((k) => isSourceState(s[k]))) return undefined;
    const arrays: [string, string][] = [['costs', 'rows'], ['tokens', 'daily'], ['tokens', 'hourly'], ['claudeCode', 'rows'], ['local', 'days']];
    for (const [src, field] of arrays) {
      const data = (s[src] as Obj).data;
      if (isObj(data) && !Array.isArray(data[field])) return undefined;
    }
    return { type: 'snapshot', snapshot: s as unknown as StoreSnapshot, now: v.now, settings: parseSettings(v.settings) };
  }
  if (v.type === 'tick') {
    return typeof v.now === 'string' && !Number.isNaN(Date.parse(v.now)) ? { type: 'tick', now: v.now } : undefined;
  }
  if (v.type === 'exportResult') {
    return typeof v.ok === 'boolean' && typeof v.message === 'string' ? { type: 'exportResult', ok: v.ok, message: v.message } : undefined;
  }
  return undefined;
}

/**
 * The snapshot as posted to the webview: identical except that API-key labels lose their partial key
 * hints (not a secret, but the webview has no use for them, so they never leave the host).
 */
export function sanitizeSnapshot(s: StoreSnapshot): StoreSnapshot {
  const labels = s.labels.data;
  if (!labels) return s;
  return {
    ...s,
    labels: { ...s.labels, data: { ...labels, apiKeys: labels.apiKeys.map(({ id, name, workspaceId }) => ({ id, name, workspaceId })) } },
  };
}
