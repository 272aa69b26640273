/** The Claude Code tab: sessions, lines, commits and PRs per day, acceptance per tool, people, models, terminals. */
import { Decimal } from '../../decimal';
import type { ClaudeCodeRow } from '../../model/snapshot';
import { acceptanceRate, addActivity, emptyActivity, type ClaudeCodeActivity } from '../../reports/claudeCode';
import { amount } from '../series';
import { coverageNote, sourceStatus, type CoverageNote, type SourceStatus } from '../status';
import type { DateRange, TabContext } from '../view';

export interface ToolAcceptance {
  tool: string;
  accepted: number;
  rejected: number;
  /** Σaccepted / Σ(accepted + rejected); `null` when there were no decisions. */
  rate: number | null;
}

export interface PersonRow {
  actor: string;
  actorType: 'user_actor' | 'api_actor';
  sessions: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  accepted: number;
  rejected: number;
  acceptanceRate: number | null;
  costUsd: string;
  /** Model to exact USD. */
  costByModel: Record<string, string>;
}

export interface ClaudeCodeView {
  days: string[];
  perDay: { sessions: number[]; linesAdded: number[]; linesRemoved: number[]; commits: number[]; pullRequests: number[] };
  tools: ToolAcceptance[];
  overallAcceptance: ToolAcceptance;
  people: PersonRow[];
  models: { model: string; costUsd: string; input: number; output: number; cacheRead: number; cacheCreation: number }[];
  terminals: { terminal: string; sessions: number; records: number }[];
  totalCostUsd: string;
  totals: { sessions: number; linesAdded: number; linesRemoved: number; commits: number; pullRequests: number };
}

/** Σaccepted / Σ(accepted + rejected); `null` (kept in JSON) when nothing was decided. */
function rateOrNull(accepted: number, rejected: number): number | null {
  return acceptanceRate(accepted, rejected) ?? null;
}

/** Acceptance per tool, summed over all records (never an average of per-day ratios), sorted by tool name. */
export function toolAcceptance(rows: readonly ClaudeCodeRow[]): { tools: ToolAcceptance[]; overall: ToolAcceptance } {
  const m = new Map<string, { accepted: number; rejected: number }>();
  for (const r of rows) {
    for (const [tool, a] of Object.entries(r.toolActions)) {
      const cur = m.get(tool) ?? { accepted: 0, rejected: 0 };
      cur.accepted += a.accepted;
      cur.rejected += a.rejected;
      m.set(tool, cur);
    }
  }
  let acc = 0;
  let rej = 0;
  const tools = [...m.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([tool, v]) => {
      acc += v.accepted;
      rej += v.rejected;
      return { tool, ...v, rate: rateOrNull(v.accepted, v.rejected) };
    });
  return { tools, overall: { tool: 'All tools', accepted: acc, rejected: rej, rate: rateOrNull(acc, rej) } };
}

export function peopleTable(rows: readonly ClaudeCodeRow[]): PersonRow[] {
  const m = new Map<string, { actor: string; actorType: PersonRow['actorType']; counts: ClaudeCodeActivity; cost: Decimal; byModel: Map<string, Decimal> }>();
  for (const r of rows) {
    const key = `${r.actorType}\u0000${r.actor}`;
    let p = m.get(key);
    if (!p) m.set(key, (p = { actor: r.actor, actorType: r.actorType, counts: emptyActivity(), cost: Decimal.ZERO, byModel: new Map() }));
    addActivity(p.counts, r);
    for (const mb of r.models) {
      const c = amount(mb.costUsd);
      p.cost = p.cost.add(c);
      p.byModel.set(mb.model, (p.byModel.get(mb.model) ?? Decimal.ZERO).add(c));
    }
  }
  return [...m.values()]
    .map(({ actor, actorType, counts: t, cost, byModel }) => ({
      actor,
      actorType,
      sessions: t.sessions,
      linesAdded: t.linesAdded,
      linesRemoved: t.linesRemoved,
      commits: t.commits,
      pullRequests: t.pullRequests,
      accepted: t.toolAccepted,
      rejected: t.toolRejected,
      acceptanceRate: rateOrNull(t.toolAccepted, t.toolRejected),
      costUsd: cost.toString(),
      costByModel: Object.fromEntries([...byModel.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, v.toString()])),
    }))
    .sort((a, b) => amount(b.costUsd).cmp(amount(a.costUsd)) || a.actor.localeCompare(b.actor));
}

export type PersonSortKey = Exclude<keyof PersonRow, 'costByModel' | 'actorType'>;

/** Sorts the per-person table by a column; money compared exactly, `null` rates last. */
export function sortPeople(rows: readonly PersonRow[], key: PersonSortKey, descending: boolean): PersonRow[] {
  const dir = descending ? -1 : 1;
  return [...rows].sort((a, b) => {
    let c: number;
    if (key === 'actor') c = a.actor.localeCompare(b.actor);
    else if (key === 'costUsd') c = amount(a.costUsd).cmp(amount(b.costUsd));
    else if (key === 'acceptanceRate') {
      if (a.acceptanceRate === null || b.acceptanceRate === null) {
        if (a.acceptanceRate === b.acceptanceRate) return a.actor.localeCompare(b.actor);
        return a.acceptanceRate === null ? 1 : -1;
      }
      c = a.acceptanceRate - b.acceptanceRate;
    } else c = (a[key] as number) - (b[key] as number);
    return c * dir || a.actor.localeCompare(b.actor);
  });
}

export function claudeCodeView(rowsAll: readonly ClaudeCodeRow[], range: DateRange): ClaudeCodeView {
  const rows = rowsAll.filter((r) => r.date >= range.since && r.date <= range.until);
  const idx = new Map(range.days.map((d, i) => [d, i]));
  const zero = () => range.days.map(() => 0);
  const perDay = { sessions: zero(), linesAdded: zero(), linesRemoved: zero(), commits: zero(), pullRequests: zero() };
  const terminals = new Map<string, { sessions: number; records: number }>();
  const models = new Map<string, { cost: Decimal; input: number; output: number; cacheRead: number; cacheCreation: number }>();
  for (const r of rows) {
    const i = idx.get(r.date);
    if (i !== undefined) {
      perDay.sessions[i]! += r.sessions;
      perDay.linesAdded[i]! += r.linesAdded;
      perDay.linesRemoved[i]! += r.linesRemoved;
      perDay.commits[i]! += r.commits;
      perDay.pullRequests[i]! += r.pullRequests;
    }
    const t = terminals.get(r.terminalType) ?? { sessions: 0, records: 0 };
    t.sessions += r.sessions;
    t.records += 1;
    terminals.set(r.terminalType, t);
    for (const mb of r.models) {
      const cur = models.get(mb.model) ?? { cost: Decimal.ZERO, input: 0, output: 0, cacheRead: 0, cacheCreation: 0 };
      cur.cost = cur.cost.add(amount(mb.costUsd));
      cur.input += mb.input;
      cur.output += mb.output;
      cur.cacheRead += mb.cacheRead;
      cur.cacheCreation += mb.cacheCreation;
      models.set(mb.model, cur);
    }
  }
  const { tools, overall } = toolAcceptance(rows);
  const modelRows = [...models.entries()]
    .map(([model, v]) => ({ model, costUsd: v.cost.toString(), input: v.input, output: v.output, cacheRead: v.cacheRead, cacheCreation: v.cacheCreation }))
    .sort((a, b) => amount(b.costUsd).cmp(amount(a.costUsd)) || a.model.localeCompare(b.model));
  const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
  return {
    days: range.days,
    perDay,
    tools,
    overallAcceptance: overall,
    people: peopleTable(rows),
    models: modelRows,
    terminals: [...terminals.entries()].map(([terminal, v]) => ({ terminal, ...v })).sort((a, b) => b.sessions - a.sessions || a.terminal.localeCompare(b.terminal)),
    totalCostUsd: Decimal.sum(modelRows.map((m) => amount(m.costUsd))).toString(),
    totals: {
      sessions: sum(perDay.sessions),
      linesAdded: sum(perDay.linesAdded),
      linesRemoved: sum(perDay.linesRemoved),
      commits: sum(perDay.commits),
      pullRequests: sum(perDay.pullRequests),
    },
  };
}

export interface ClaudeCodeTab extends ClaudeCodeView {
  status: SourceStatus[];
  available: boolean;
  coverage: CoverageNote | null;
}

export function claudeCodeTab(c: TabContext): ClaudeCodeTab {
  const data = c.snapshot.claudeCode.data;
  return {
    status: [sourceStatus(c.snapshot, 'claudeCode', c.nowMs)],
    available: data !== undefined,
    coverage: coverageNote('claudeCode', data?.since, c.range, c.today),
    ...claudeCodeView(data?.rows ?? [], c.range),
  };
}
