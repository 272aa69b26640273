/**
 * Tree view models for the sidebar, built from the snapshot only. The host's TreeDataProvider maps
 * `TreeNode` one-to-one onto TreeItems (ids stable across refreshes so expansion state survives).
 */
import type { ApiErrorInit } from '../anthropic/errors';
import { workspaceLabel } from '../anthropic/types';
import { Decimal } from '../decimal';
import { acceptanceRate, activityBy, type ClaudeCodeActivity } from '../reports/claudeCode';
import type { CostRow, Labels, SourceState, StoreSnapshot, TokenRow } from '../store/snapshot';
import { monthToDate, sumRows } from './costs';
import { age, compact, dayLabel, grouped, percent, relative, usd } from './format';
import { familyRows } from './statusBar';

export type CostGrouping = 'model' | 'workspace' | 'description';

export interface TreeNode {
  id: string;
  label: string;
  description?: string;
  tooltip?: string;
  /** A codicon id (`error`, `calendar`, ...). */
  icon?: string;
  /** Drives item menus: `value` items get "Copy value"; `error` items get their action inline. */
  contextValue?: 'value' | 'error' | 'group';
  /** What "Copy value" copies. */
  copyValue?: string;
  command?: { command: string; title: string; arguments?: unknown[] };
  children?: TreeNode[];
  expanded?: boolean;
}

const TOKEN_TYPES: { key: keyof TokenRow & string; apiName: string; label: string }[] = [
  { key: 'uncachedInput', apiName: 'uncached_input_tokens', label: 'Input' },
  { key: 'cacheWrite5m', apiName: 'cache_creation.ephemeral_5m_input_tokens', label: 'Cache write (5 min)' },
  { key: 'cacheWrite1h', apiName: 'cache_creation.ephemeral_1h_input_tokens', label: 'Cache write (1 h)' },
  { key: 'cacheRead', apiName: 'cache_read_input_tokens', label: 'Cache read' },
  { key: 'output', apiName: 'output_tokens', label: 'Output' },
];

function errorNode(id: string, what: string, e: ApiErrorInit, stale: boolean): TreeNode {
  const needsAdmin = e.kind === 'needsAdminKey' || (e.kind === 'auth' && what !== 'Rate limits');
  const action = needsAdmin
    ? { command: 'claudeUsage.setAdminKey', title: 'Set Admin API Key' }
    : e.kind === 'auth'
      ? { command: 'claudeUsage.setApiKey', title: 'Set API Key' }
      : { command: 'claudeUsage.refresh', title: 'Retry' };
  return {
    id: `${id}/error`,
    label: `${what}: ${e.message}`,
    description: `${stale ? 'showing older data · ' : ''}${action.title}`,
    tooltip: `${e.message}${e.status ? `\nHTTP ${e.status}` : ''}${e.requestId ? `\nrequest-id ${e.requestId}` : ''}\n\nClick: ${action.title}`,
    icon: 'error',
    contextValue: 'error',
    copyValue: e.requestId ? `${e.message} (request-id ${e.requestId})` : e.message,
    command: action,
  };
}

function header(id: string, what: string, st: SourceState<unknown>, nowMs: number): TreeNode[] {
  const out: TreeNode[] = [];
  if (st.error) out.push(errorNode(id, what, st.error, st.data !== undefined));
  if (st.loading && st.data === undefined) out.push({ id: `${id}/loading`, label: 'Loading…', icon: 'sync~spin' });
  if (st.data !== undefined && st.fetchedAt && (st.stale || st.error)) {
    out.push({ id: `${id}/age`, label: `Data from ${age(st.fetchedAt, nowMs)}`, description: 'stale', icon: 'history' });
  }
  return out;
}

function modelName(model: string | null): string {
  return model ?? 'Other';
}

function groupKey(r: CostRow, by: CostGrouping, labels?: Labels): string {
  if (by === 'workspace') return workspaceLabel(r.workspaceId, labels?.workspaces.map((w) => ({ id: w.id, name: w.name })));
  if (by === 'description') return r.description ?? r.costType ?? 'Other';
  return r.model ?? (r.costType && r.costType !== 'tokens' ? r.costType.replace(/_/g, ' ') : 'Other');
}

function tokensOf(rows: readonly TokenRow[], key: keyof TokenRow): number {
  let n = 0;
  for (const r of rows) n += r[key] as number;
  return n;
}

/** Costs: month-to-date and projection, then days (newest first) → groups → token types. */
export function costsTree(snap: StoreSnapshot, by: CostGrouping, days: number, nowMs: number): TreeNode[] {
  if (snap.keys.admin === 'none') return [];
  const st = snap.costs;
  const out = header('costs', 'Costs', st, nowMs);
  const data = st.data;
  if (!data) return out;
  const labels = snap.labels.data;
  const tokenDaily = snap.tokens.data?.daily ?? [];
  const mtd = monthToDate(data.rows, nowMs);
  out.push({
    id: 'costs/mtd',
    label: 'Month to date',
    description: `${usd(mtd.total)} · projected ${usd(mtd.projected)} (estimate)`,
    tooltip: `Exact month-to-date cost for ${mtd.month} from the cost report. The month-end projection is a linear estimate over ${mtd.daysInMonth} days.`,
    icon: 'graph-line',
    contextValue: 'value',
    copyValue: mtd.total.toString(),
  });
  const byDay = new Map<string, CostRow[]>();
  for (const r of data.rows) byDay.set(r.date, [...(byDay.get(r.date) ?? []), r]);
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const dayList: string[] = [];
  for (let i = 0; i < days; i++) dayList.push(new Date(Date.parse(`${today}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10));
  for (const day of dayList) {
    const rows = byDay.get(day) ?? [];
    const total = sumRows(rows);
    const groups = new Map<string, CostRow[]>();
    for (const r of rows) {
      const k = groupKey(r, by, labels);
      groups.set(k, [...(groups.get(k) ?? []), r]);
    }
    const dayTokens = tokenDaily.filter((t) => t.start.slice(0, 10) === day);
    const children = [...groups.entries()]
      .map(([name, grows]) => ({ name, grows, sum: sumRows(grows) }))
      .sort((a, b) => b.sum.cmp(a.sum) || a.name.localeCompare(b.name))
      .map(({ name, grows, sum }) => groupNode(`costs/${day}/${by}/${name}`, name, grows, sum, by, dayTokens, labels));
    out.push({
      id: `costs/${day}`,
      label: day === today ? `${dayLabel(day)} (today, UTC)` : dayLabel(day),
      description: usd(total),
      tooltip: `${day} (UTC): ${usd(total, 4)} exact`,
      icon: 'calendar',
      contextValue: 'value',
      copyValue: total.toString(),
      children: children.length ? children : [{ id: `costs/${day}/none`, label: 'No usage' }],
    });
  }
  return out;
}

function groupNode(
  id: string,
  name: string,
  rows: CostRow[],
  sum: Decimal,
  by: CostGrouping,
  dayTokens: readonly TokenRow[],
  labels: Labels | undefined,
): TreeNode {
  // Token rows matching this group, for exact token counts next to each token type's cost.
  const matchTokens = (r: CostRow): TokenRow[] =>
    dayTokens.filter((t) => (r.model === null || t.model === r.model) && (by !== 'workspace' || t.workspaceId === r.workspaceId));
  const byType = new Map<string, CostRow[]>();
  for (const r of rows) {
    const k = r.tokenType ?? r.costType ?? 'other';
    byType.set(k, [...(byType.get(k) ?? []), r]);
  }
  const children: TreeNode[] = [];
  for (const [type, trows] of byType) {
    const tt = TOKEN_TYPES.find((t) => t.apiName === type);
    const cost = sumRows(trows);
    let tokens: number | undefined;
    if (tt) {
      const seen = new Set<TokenRow>();
      for (const r of trows) for (const t of matchTokens(r)) seen.add(t);
      tokens = seen.size ? tokensOf([...seen], tt.key) : undefined;
    }
    children.push({
      id: `${id}/${type}`,
      label: tt?.label ?? type.replace(/_/g, ' '),
      description: `${usd(cost)}${tokens !== undefined ? ` · ${grouped(tokens)} tokens` : ''}`,
      contextValue: 'value',
      copyValue: tokens !== undefined ? `${cost.toString()} USD, ${tokens} tokens` : cost.toString(),
    });
  }
  const label = by === 'model' ? modelName(name === 'Other' ? null : name) : name;
  const wsNames = by !== 'workspace' ? [...new Set(rows.map((r) => workspaceLabel(r.workspaceId, labels?.workspaces)))] : [];
  return {
    id,
    label,
    description: usd(sum),
    tooltip: `${label}: ${usd(sum, 4)}${wsNames.length ? `\nWorkspaces: ${wsNames.join(', ')}` : ''}`,
    icon: by === 'workspace' ? 'folder' : by === 'model' ? 'hubot' : 'note',
    contextValue: 'value',
    copyValue: sum.toString(),
    children: by === 'description' && children.length === 1 ? undefined : children,
  };
}

/** Acceptance rate Σaccepted / Σ(accepted + rejected) as a whole percent, never an average of ratios. */
export function acceptanceText(t: Pick<ClaudeCodeActivity, 'toolAccepted' | 'toolRejected'>): string {
  const rate = acceptanceRate(t.toolAccepted, t.toolRejected);
  return rate === undefined ? '–' : percent(t.toolAccepted, t.toolAccepted + t.toolRejected);
}

function actorDescription(t: ClaudeCodeActivity): string {
  return `${t.sessions} sessions · +${grouped(t.linesAdded)}/−${grouped(t.linesRemoved)} · ${t.commits} commits · ${t.pullRequests} PRs · ${acceptanceText(t)} accepted`;
}

export function claudeCodeTree(snap: StoreSnapshot, nowMs: number): TreeNode[] {
  if (snap.keys.admin === 'none') return [];
  const st = snap.claudeCode;
  const out = header('claudeCode', 'Claude Code', st, nowMs);
  if (!st.data) return out;
  const days = [...new Set(st.data.rows.map((r) => r.date))].sort().reverse();
  const today = new Date(nowMs).toISOString().slice(0, 10);
  const all: string[] = [];
  for (let i = 0; i < 7; i++) all.push(new Date(Date.parse(`${today}T00:00:00Z`) - i * 86_400_000).toISOString().slice(0, 10));
  // The sidebar shows the last 7 days; the longer history (claudeUsage.history.days) is the dashboard's.
  for (const d of days) if (!all.includes(d) && d > all[all.length - 1]!) all.push(d);
  for (const day of all) {
    const rows = st.data.rows.filter((r) => r.date === day);
    const actors = activityBy(rows, (r) => r.actor);
    const totals = activityBy(rows, () => '*').get('*');
    out.push({
      id: `claudeCode/${day}`,
      label: dayLabel(day),
      description: totals ? actorDescription(totals) : 'no activity',
      icon: 'calendar',
      children: [...actors.entries()]
        .sort((a, b) => b[1].sessions - a[1].sessions || a[0].localeCompare(b[0]))
        .map(([actor, t]) => ({
          id: `claudeCode/${day}/${actor}`,
          label: actor,
          description: actorDescription(t),
          icon: 'person',
          contextValue: 'value' as const,
          copyValue: `${actor}: ${actorDescription(t)}`,
        })),
    });
  }
  return out;
}

export function rateLimitsTree(snap: StoreSnapshot, nowMs: number): TreeNode[] {
  const st = snap.rateLimits;
  if (snap.keys.api === 'none' && !st.data) {
    return [{ id: 'rateLimits/nokey', label: 'Set an API key to see rate-limit headroom', icon: 'key', command: { command: 'claudeUsage.setApiKey', title: 'Set API Key' } }];
  }
  const out = header('rateLimits', 'Rate limits', st, nowMs);
  const probe = st.data?.current;
  if (!probe) return out;
  out.push({ id: 'rateLimits/model', label: 'Model', description: `${probe.model} · probed ${age(probe.takenAt, nowMs)}`, icon: 'hubot', contextValue: 'value', copyValue: probe.model });
  for (const r of familyRows(probe)) {
    const value = `${r.remaining !== undefined ? grouped(r.remaining) : '?'} / ${r.limit !== undefined ? grouped(r.limit) : '?'}`;
    out.push({
      id: `rateLimits/${r.key}`,
      label: r.label,
      description: `${value}${r.share !== undefined ? ` (${Math.round(r.share * 100)}%)` : ''}${r.reset ? ` · resets ${relative(Date.parse(r.reset), nowMs)}` : ''}`,
      icon: r.share !== undefined && r.share < 0.25 ? 'warning' : 'dashboard',
      contextValue: 'value',
      copyValue: value,
    });
  }
  const u = probe.unified;
  if (u?.fiveHourUtilization !== undefined)
    out.push({ id: 'rateLimits/u5h', label: '5-hour utilisation', description: `${Math.round(u.fiveHourUtilization * 100)}%`, contextValue: 'value', copyValue: String(u.fiveHourUtilization) });
  if (u?.sevenDayUtilization !== undefined)
    out.push({ id: 'rateLimits/u7d', label: '7-day utilisation', description: `${Math.round(u.sevenDayUtilization * 100)}%`, contextValue: 'value', copyValue: String(u.sevenDayUtilization) });
  const spend = st.data?.probeSpendToday;
  if (spend) {
    out.push({
      id: 'rateLimits/spend',
      label: 'Probe spend today',
      description: `${spend.probes} probes · ${compact(spend.inputTokens + spend.outputTokens)} tokens · ≈${usd(spend.costUsd, 6)}`,
      icon: 'credit-card',
      contextValue: 'value',
      copyValue: spend.costUsd,
    });
  }
  return out;
}

/** Claude Code on this machine: days (newest first) → projects → models; costs are estimates. */
export function localTree(snap: StoreSnapshot, nowMs: number): TreeNode[] {
  const st = snap.local;
  const out = header('local', 'Local transcripts', st, nowMs);
  const data = st.data;
  if (!data) {
    if (!st.loading && !st.error) out.push({ id: 'local/none', label: 'No Claude Code transcripts found on this machine', icon: 'info' });
    return out;
  }
  const w = data.currentWindow;
  if (w?.active) {
    out.push({
      id: 'local/window',
      label: 'Current 5-hour window',
      description: `≈${usd(w.costUsd)} · ${compact(w.tokens)} tokens · ends ${relative(Date.parse(w.end), nowMs)} · ${usd(w.burnUsdPerHour)}/h`,
      tooltip: `API-equivalent estimate. Projected to the window's end: ${usd(w.projectedCostUsd)}.`,
      icon: 'watch',
      contextValue: 'value',
      copyValue: w.costUsd,
    });
  }
  if (data.unpricedModels.length)
    out.push({ id: 'local/unpriced', label: 'Unpriced models', description: data.unpricedModels.join(', '), icon: 'warning', tooltip: 'Tokens of these models are counted but have no price; set claudeUsage.local.priceOverrides to price them.' });
  const days = [...new Set(data.days.map((d) => d.date))].sort().reverse();
  for (const day of days) {
    const rows = data.days.filter((d) => d.date === day);
    const sum = (rs: typeof rows): { cost: Decimal; unpriced: boolean; tokens: number } => {
      let cost = Decimal.ZERO;
      let unpriced = false;
      let tokens = 0;
      for (const r of rs) {
        tokens += r.input + r.output + r.cacheWrite5m + r.cacheWrite1h + r.cacheRead;
        if (r.costUsd === null) unpriced = true;
        else cost = cost.add(Decimal.parse(r.costUsd));
      }
      return { cost, unpriced, tokens };
    };
    const desc = (s: ReturnType<typeof sum>): string => `≈${usd(s.cost)}${s.unpriced ? ' + unpriced' : ''} · ${compact(s.tokens)} tokens`;
    const projects = [...new Set(rows.map((r) => r.project))].sort();
    const total = sum(rows);
    out.push({
      id: `local/${day}`,
      label: dayLabel(day),
      description: desc(total),
      tooltip: `${day} (${data.timezone}): API-equivalent estimate ${usd(total.cost, 4)}`,
      icon: 'calendar',
      contextValue: 'value',
      copyValue: total.cost.toString(),
      children: projects.map((p) => {
        const prow = rows.filter((r) => r.project === p);
        const ps = sum(prow);
        return {
          id: `local/${day}/${p}`,
          label: p,
          description: desc(ps),
          icon: 'folder',
          contextValue: 'value' as const,
          copyValue: ps.cost.toString(),
          children: prow.map((r) => ({
            id: `local/${day}/${p}/${r.model}`,
            label: r.model,
            description: `${r.costUsd === null ? 'unpriced' : `≈${usd(r.costUsd)}`} · in ${grouped(r.input)} · out ${grouped(r.output)} · cache w ${grouped(r.cacheWrite5m + r.cacheWrite1h)} · cache r ${grouped(r.cacheRead)}`,
            icon: 'hubot',
            contextValue: 'value' as const,
            copyValue: r.costUsd ?? 'unpriced',
          })),
        };
      }),
    });
  }
  if (days.length) out.push({ id: 'local/note', label: 'Costs are API-equivalent estimates', icon: 'info' });
  return out;
}
