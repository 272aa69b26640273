/**
 * The `claude-code` report (CLI JSON, README "CLI"; views reuse it):
 * `{"days":[{"date","sessions","linesAdded","linesRemoved","commits","pullRequests","toolAccepted","toolRejected","costUsd"}],
 *   "actors":[{"actor", ...the same counters}]}`.
 * Several records per actor and day are normal (terminals, remote): everything is summed. Tool counts
 * are summed over every tool; `costUsd` is the exact sum of the model breakdown's estimated cost.
 * Days ascending, days without records omitted; actors by costUsd descending, then name.
 */
import { Decimal } from '../decimal';
import type { ClaudeCodeRow } from '../store/snapshot';

export interface ClaudeCodeTotals {
  sessions: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  toolAccepted: number;
  toolRejected: number;
  costUsd: string;
}

export interface ClaudeCodeReport {
  days: Array<{ date: string } & ClaudeCodeTotals>;
  actors: Array<{ actor: string } & ClaudeCodeTotals>;
}

interface Acc {
  sessions: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  toolAccepted: number;
  toolRejected: number;
  cost: Decimal;
}

const newAcc = (): Acc => ({
  sessions: 0,
  linesAdded: 0,
  linesRemoved: 0,
  commits: 0,
  pullRequests: 0,
  toolAccepted: 0,
  toolRejected: 0,
  cost: Decimal.ZERO,
});

function add(a: Acc, r: ClaudeCodeRow): void {
  a.sessions += r.sessions;
  a.linesAdded += r.linesAdded;
  a.linesRemoved += r.linesRemoved;
  a.commits += r.commits;
  a.pullRequests += r.pullRequests;
  for (const t of Object.values(r.toolActions)) {
    a.toolAccepted += t.accepted;
    a.toolRejected += t.rejected;
  }
  for (const m of r.models) a.cost = a.cost.add(Decimal.parse(m.costUsd));
}

function totals(a: Acc): ClaudeCodeTotals {
  return {
    sessions: a.sessions,
    linesAdded: a.linesAdded,
    linesRemoved: a.linesRemoved,
    commits: a.commits,
    pullRequests: a.pullRequests,
    toolAccepted: a.toolAccepted,
    toolRejected: a.toolRejected,
    costUsd: a.cost.toString(),
  };
}

/** Accepted / (accepted + rejected), summed over actions; `undefined` when there were none. */
export function acceptanceRate(t: Pick<ClaudeCodeTotals, 'toolAccepted' | 'toolRejected'>): number | undefined {
  const n = t.toolAccepted + t.toolRejected;
  return n === 0 ? undefined : t.toolAccepted / n;
}

export function claudeCodeReport(rows: readonly ClaudeCodeRow[], options: { since?: string; until?: string } = {}): ClaudeCodeReport {
  const days = new Map<string, Acc>();
  const actors = new Map<string, Acc>();
  for (const r of rows) {
    if (options.since && r.date < options.since) continue;
    if (options.until && r.date >= options.until) continue;
    let d = days.get(r.date);
    if (!d) days.set(r.date, (d = newAcc()));
    add(d, r);
    let a = actors.get(r.actor);
    if (!a) actors.set(r.actor, (a = newAcc()));
    add(a, r);
  }
  return {
    days: [...days.keys()].sort().map((date) => ({ date, ...totals(days.get(date)!) })),
    actors: [...actors.entries()]
      .sort(([an, a], [bn, b]) => b.cost.cmp(a.cost) || (an < bn ? -1 : an > bn ? 1 : 0))
      .map(([actor, a]) => ({ actor, ...totals(a) })),
  };
}
