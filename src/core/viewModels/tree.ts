/**
 * Tree view models for the sidebar, built from the snapshot only. The host's TreeDataProvider maps
 * `TreeNode` one-to-one onto TreeItems (ids stable across refreshes so expansion state survives).
 */
import type { ApiErrorInit } from '../anthropic/errors';
import type { Decimal } from '../decimal';
import { acceptanceRate, activityBy, type ClaudeCodeActivity } from '../reports/claudeCode';
import { ACTION_COMMANDS, ACTION_TITLES, COMMANDS, PRICE_OVERRIDES_SETTING } from '../model/commands';
import { addDays, dayLabel, utcDay } from '../model/days';
import { errorAction, familyRows, localTotals, localWindowNow, missingLabel, skippedText, monthToDate, PROJECTION_METHOD, sumRows, type LocalTotals } from '../model/facts';
import { ago, compact, int, plural, ratePct, sharePct, until, usd, usdEstimate, usdExact } from '../model/format';
import { costGroup, costTypeLabel, TOKEN_TYPES, workspaceName } from '../model/labels';
import type { CostGrouping } from '../model/settings';
import type { CostRow, Labels, LocalUsageData, LocalUsageDay, SourceName, SourceState, StoreSnapshot, TokenRow } from '../model/snapshot';
import { DEFAULT_PLAN_SETTINGS, planFacts, type PlanSettings } from '../plan/facts';
import { planTreeNode, type PlanTreeNode } from '../plan/surfaces';
import type { BudgetReport } from '../budget/status';
import { budgetRows } from '../budget/surfaces';

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

function errorNode(source: SourceName, what: string, e: ApiErrorInit, stale: boolean): TreeNode {
  const id = source;
  const name = errorAction(source, e);
  const action = { command: ACTION_COMMANDS[name], title: name === 'refresh' ? 'Retry' : ACTION_TITLES[name] };
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

function header(id: SourceName, what: string, st: SourceState<unknown>, nowMs: number): TreeNode[] {
  const out: TreeNode[] = [];
  if (st.error) out.push(errorNode(id, what, st.error, st.data !== undefined));
  if (st.loading && st.data === undefined) out.push({ id: `${id}/loading`, label: 'Loading…', icon: 'sync~spin' });
  if (st.data !== undefined && st.fetchedAt && (st.stale || st.error)) {
    out.push({ id: `${id}/age`, label: `Data from ${ago(st.fetchedAt, nowMs)}`, description: 'stale', icon: 'history' });
  }
  return out;
}

function tokensOf(rows: readonly TokenRow[], key: keyof TokenRow): number {
  let n = 0;
  for (const r of rows) n += r[key] as number;
  return n;
}

/** Budgets of one kind as tree items (budget/surfaces' rows): spent of budget, projection, when it is reached. */
function budgetNodes(report: BudgetReport | undefined, kind: 'org' | 'local', nowMs: number): TreeNode[] {
  if (!report) return [];
  return budgetRows(report, nowMs)
    .filter((r) => r.kind === kind)
    .map((r) => ({
      id: `${kind === 'org' ? 'costs' : 'local'}/budget/${r.id}`,
      label: r.label,
      description: [r.summary, r.reach].filter(Boolean).join(' · '),
      tooltip: [`${r.label}: ${r.summary}`, r.period, r.projection, r.reach, r.note].filter(Boolean).join('\n'),
      icon: r.level === 'error' ? 'error' : r.level === 'warning' ? 'warning' : 'target',
      contextValue: 'value' as const,
      copyValue: `${r.label}: ${r.summary}`,
    }));
}

/** Costs: month-to-date and projection, budgets, then days (newest first) → groups → token types. */
export function costsTree(snap: StoreSnapshot, by: CostGrouping, days: number, nowMs: number, budgets?: BudgetReport): TreeNode[] {
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
    tooltip: `Exact month-to-date cost for ${mtd.month} (UTC) from the cost report: ${usdExact(mtd.total)}. ${PROJECTION_METHOD}`,
    icon: 'graph-line',
    contextValue: 'value',
    copyValue: mtd.total.toString(),
  });
  out.push(...budgetNodes(budgets, 'org', nowMs));
  const byDay = new Map<string, CostRow[]>();
  for (const r of data.rows) byDay.set(r.date, [...(byDay.get(r.date) ?? []), r]);
  const today = utcDay(nowMs);
  const dayList: string[] = [];
  for (let i = 0; i < days; i++) dayList.push(addDays(today, -i));
  for (const day of dayList) {
    const rows = byDay.get(day) ?? [];
    const total = sumRows(rows);
    const groups = new Map<string, CostRow[]>();
    for (const r of rows) {
      const k = costGroup(r, by, labels);
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
      tooltip: `${day} (UTC): ${usdExact(total)} exact`,
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
      label: costTypeLabel(type),
      description: `${usd(cost)}${tokens !== undefined ? ` · ${int(tokens)} tokens` : ''}`,
      contextValue: 'value',
      copyValue: tokens !== undefined ? `${cost.toString()} USD, ${tokens} tokens` : cost.toString(),
    });
  }
  const label = name;
  const wsNames = by !== 'workspace' ? [...new Set(rows.map((r) => workspaceName(r.workspaceId, labels)))] : [];
  return {
    id,
    label,
    description: usd(sum),
    tooltip: `${label}: ${usdExact(sum)}${wsNames.length ? `\nWorkspaces: ${wsNames.join(', ')}` : ''}`,
    icon: by === 'workspace' ? 'folder' : by === 'model' ? 'hubot' : 'note',
    contextValue: 'value',
    copyValue: sum.toString(),
    children: by === 'description' && children.length === 1 ? undefined : children,
  };
}

/** Acceptance rate Σaccepted / Σ(accepted + rejected) as a whole percent, never an average of ratios. */
export function acceptanceText(t: Pick<ClaudeCodeActivity, 'toolAccepted' | 'toolRejected'>): string {
  const rate = acceptanceRate(t.toolAccepted, t.toolRejected);
  return rate === undefined ? '–' : ratePct(rate);
}

function actorDescription(t: ClaudeCodeActivity): string {
  return `${plural(t.sessions, 'session')} · +${int(t.linesAdded)}/−${int(t.linesRemoved)} · ${plural(t.commits, 'commit')} · ${plural(t.pullRequests, 'PR')} · ${acceptanceText(t)} accepted`;
}

export function claudeCodeTree(snap: StoreSnapshot, nowMs: number): TreeNode[] {
  if (snap.keys.admin === 'none') return [];
  const st = snap.claudeCode;
  const out = header('claudeCode', 'Claude Code', st, nowMs);
  if (!st.data) return out;
  const days = [...new Set(st.data.rows.map((r) => r.date))].sort().reverse();
  const today = utcDay(nowMs);
  const all: string[] = [];
  for (let i = 0; i < 7; i++) all.push(addDays(today, -i));
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
    return [{ id: 'rateLimits/nokey', label: 'Set an API key to see rate-limit headroom', icon: 'key', command: { command: COMMANDS.setApiKey, title: ACTION_TITLES.setApiKey } }];
  }
  const out = header('rateLimits', 'Rate limits', st, nowMs);
  const probe = st.data?.current;
  if (!probe) return out;
  out.push({ id: 'rateLimits/model', label: 'Model', description: `${probe.model} · probed ${ago(probe.takenAt, nowMs)}`, icon: 'hubot', contextValue: 'value', copyValue: probe.model });
  for (const r of familyRows(probe)) {
    const value = `${r.remaining !== undefined ? int(r.remaining) : '?'} / ${r.limit !== undefined ? int(r.limit) : '?'}`;
    out.push({
      id: `rateLimits/${r.key}`,
      label: r.label,
      description: `${value}${r.share !== undefined ? ` (${sharePct(r.share)})` : ''}${r.reset ? ` · full ${until(r.reset, nowMs)}` : ''}`,
      icon: r.share !== undefined && r.share < 0.25 ? 'warning' : 'dashboard',
      contextValue: 'value',
      copyValue: value,
    });
  }
  const u = probe.unified;
  if (u?.fiveHourUtilization !== undefined)
    out.push({ id: 'rateLimits/u5h', label: '5-hour utilisation', description: `${sharePct(u.fiveHourUtilization)}`, contextValue: 'value', copyValue: String(u.fiveHourUtilization) });
  if (u?.sevenDayUtilization !== undefined)
    out.push({ id: 'rateLimits/u7d', label: '7-day utilisation', description: `${sharePct(u.sevenDayUtilization)}`, contextValue: 'value', copyValue: String(u.sevenDayUtilization) });
  const spend = st.data?.probeSpendToday;
  if (spend) {
    out.push({
      id: 'rateLimits/spend',
      label: 'Probe spend today',
      description: `${plural(spend.probes, 'probe')} · ${compact(spend.inputTokens + spend.outputTokens)} tokens · ${usdEstimate(spend.costUsd)}`,
      icon: 'credit-card',
      contextValue: 'value',
      copyValue: spend.costUsd,
    });
  }
  return out;
}

/** The "Plan limits" node (plan/surfaces) as a tree node: windows with their reset and pace. */
function planNode(snap: StoreSnapshot, nowMs: number, settings?: PlanSettings): TreeNode | undefined {
  const data = snap.plan.data;
  const facts = planFacts(data, nowMs, settings ?? DEFAULT_PLAN_SETTINGS);
  const node = planTreeNode(facts, data ? { connected: data.connected } : {});
  if (!node) return undefined;
  const icon = (level?: string, fallback = 'dashboard') => (level === 'error' ? 'error' : level === 'warning' ? 'warning' : fallback);
  const convert = (n: PlanTreeNode, depth: number): TreeNode => ({
    id: `local/${n.id}`,
    label: n.label,
    ...(n.description ? { description: n.description } : {}),
    ...(n.tooltip ? { tooltip: n.tooltip } : {}),
    icon: n.command ? 'plug' : icon(n.level, depth === 0 ? 'pulse' : depth === 1 ? 'dashboard' : 'info'),
    ...(n.command ? { command: { command: n.command, title: n.label } } : {}),
    ...(n.children?.length ? { children: n.children.map((c) => convert(c, depth + 1)), expanded: depth === 0 } : {}),
    ...(n.description && !n.command ? { contextValue: 'value' as const, copyValue: `${n.label}: ${n.description}` } : {}),
  });
  return convert(node, 0);
}

/**
 * The per-day nodes of the local tree (day → project → model). They depend on the data alone, not on the
 * time, so they are built once per `LocalUsageData` (a refresh hands over a new object; the 15 s ticker's
 * rebuilds reuse them), with the rows grouped by day and project in one pass.
 */
const dayNodesOf = new WeakMap<LocalUsageData, TreeNode[]>();
function localDayNodes(data: LocalUsageData): TreeNode[] {
  const cached = dayNodesOf.get(data);
  if (cached) return cached;
  const byDay = new Map<string, { rows: LocalUsageDay[]; projects: Map<string, LocalUsageDay[]> }>();
  for (const r of data.days) {
    let day = byDay.get(r.date);
    if (!day) byDay.set(r.date, (day = { rows: [], projects: new Map() }));
    day.rows.push(r);
    const rows = day.projects.get(r.project);
    if (rows) rows.push(r);
    else day.projects.set(r.project, [r]);
  }
  const desc = (s: LocalTotals): string => `${usdEstimate(s.total)}${s.unpriced ? ' + unpriced' : ''} · ${compact(s.tokens)} tokens`;
  const nodes: TreeNode[] = [];
  for (const day of [...byDay.keys()].sort().reverse()) {
    const { rows, projects } = byDay.get(day)!;
    const total = localTotals(rows);
    const children: TreeNode[] = [];
    for (const p of [...projects.keys()].sort()) {
      const prow = projects.get(p)!;
      const ps = localTotals(prow);
      children.push({
        id: `local/${day}/${p}`,
        label: p,
        description: desc(ps),
        icon: 'folder',
        contextValue: 'value' as const,
        copyValue: ps.total.toString(),
        children: prow.map((r) => ({
          id: `local/${day}/${p}/${r.model}`,
          label: r.model,
          description: `${r.costUsd === null ? 'unpriced' : usdEstimate(r.costUsd)} · in ${int(r.input)} · out ${int(r.output)} · cache w ${int(r.cacheWrite5m + r.cacheWrite1h)} · cache r ${int(r.cacheRead)}`,
          icon: 'hubot',
          contextValue: 'value' as const,
          copyValue: r.costUsd ?? 'unpriced',
        })),
      });
    }
    nodes.push({
      id: `local/${day}`,
      label: dayLabel(day),
      description: desc(total),
      tooltip: `${day} (${data.timezone}): API-equivalent estimate ${usdExact(total.total)}`,
      icon: 'calendar',
      contextValue: 'value',
      copyValue: total.total.toString(),
      children,
    });
  }
  dayNodesOf.set(data, nodes);
  return nodes;
}

/** Claude Code on this machine: plan limits, then days (newest first) → projects → models; costs are estimates. */
export function localTree(snap: StoreSnapshot, nowMs: number, planSettings?: PlanSettings, budgets?: BudgetReport): TreeNode[] {
  const st = snap.local;
  const plan = planNode(snap, nowMs, planSettings);
  const out = [...(plan ? [plan] : []), ...header('local', 'Local transcripts', st, nowMs), ...budgetNodes(budgets, 'local', nowMs)];
  const data = st.data;
  if (!data) {
    if (!st.loading && !st.error) out.push({ id: 'local/none', label: 'No Claude Code transcripts found on this machine', icon: 'info' });
    return out;
  }
  const w = localWindowNow(data, nowMs);
  if (w?.active) {
    const rate = Number(w.burnTokensPerHour) > 0 ? ` · ${usd(w.burnUsdPerHour)}/h` : ' · idle';
    out.push({
      id: 'local/window',
      label: 'Current 5-hour window (estimate)',
      description: `${usdEstimate(w.costUsd)} · ${compact(w.tokens)} tokens · ends ${until(w.end, nowMs)}${rate}`,
      tooltip: `An API-equivalent estimate from this machine's transcripts (a window starts with the first message, floored to the hour), not the plan's own 5-hour figure. Projected to the window's end: ${usd(w.projectedCostUsd)}.`,
      icon: 'watch',
      contextValue: 'value',
      copyValue: w.costUsd,
    });
  }
  if (data.unpricedModels.length)
    out.push({
      id: 'local/unpriced',
      label: 'Unpriced models',
      description: `${data.unpricedModels.join(', ')} · add a price`,
      icon: 'warning',
      tooltip: `Tokens of these models are counted but have no price (prices as of ${data.pricesAsOf ?? '?'}). Click to add one in claudeUsage.local.priceOverrides.`,
      command: { command: COMMANDS.openSettings, title: 'Add a price', arguments: [PRICE_OVERRIDES_SETTING] },
    });
  const m = data.missing;
  if (m && m.files > 0)
    out.push({
      id: 'local/missing',
      label: missingLabel(data)!,
      description: `${usdEstimate(m.costUsd)} · ${compact(m.tokens)} tokens`,
      icon: 'history',
      tooltip: `Claude Code deletes transcripts after cleanupPeriodDays (default 30); the index keeps their usage, so this history outlives them. \`claude-usage local --index ${data.indexDir ?? '<the extension\'s local-index folder>'}\` reads the same index.`,
      contextValue: 'value',
      copyValue: m.costUsd,
    });
  const days = localDayNodes(data);
  out.push(...days);
  if (days.length) {
    const sk = data.skipped;
    const notCounted = sk ? sk.corrupt + sk.tooLarge + sk.synthetic + sk.apiError + sk.replay : data.skippedLines;
    out.push({
      id: 'local/note',
      label: 'Costs are API-equivalent estimates',
      description: `prices as of ${data.pricesAsOf ?? '?'}${notCounted ? ` · ${plural(notCounted, 'line')} not counted` : ''}`,
      tooltip: skippedText(data),
      icon: 'info',
    });
  }
  return out;
}
