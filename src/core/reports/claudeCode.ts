/**
 * The `claude-code` report (CLI JSON, README "CLI"; views reuse it):
 * `{"days":[{"date","sessions","linesAdded","linesRemoved","commits","pullRequests","toolAccepted","toolRejected","costUsd"}],
 *   "actors":[{"actor", ...the same counters}]}`.
 * Several records per actor and day are normal (terminals, remote): everything is summed. Tool counts
 * are summed over every tool; `costUsd` is the exact sum of the model breakdown's estimated cost.
 * Days ascending, days without records omitted; actors by costUsd descending, then name.
 */
import { Decimal } from '../decimal';
import type { ClaudeCodeRow } from '../model/snapshot';

export interface ClaudeCodeTotals extends ClaudeCodeActivity {
  costUsd: string;
}

export interface ClaudeCodeReport {
  days: Array<{ date: string } & ClaudeCodeTotals>;
  actors: Array<{ actor: string } & ClaudeCodeTotals>;
}

/** Activity counters of Claude Code rows, summed over records (never an average of ratios). */
export interface ClaudeCodeActivity {
  sessions: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  /** Tool actions accepted / rejected, summed over every tool. */
  toolAccepted: number;
  toolRejected: number;
}

export const emptyActivity = (): ClaudeCodeActivity => ({
  sessions: 0,
  linesAdded: 0,
  linesRemoved: 0,
  commits: 0,
  pullRequests: 0,
  toolAccepted: 0,
  toolRejected: 0,
});

/** Adds one row's counters to `t` (in place). */
export function addActivity(t: ClaudeCodeActivity, r: ClaudeCodeRow): void {
  t.sessions += r.sessions;
  t.linesAdded += r.linesAdded;
  t.linesRemoved += r.linesRemoved;
  t.commits += r.commits;
  t.pullRequests += r.pullRequests;
  for (const a of Object.values(r.toolActions)) {
    t.toolAccepted += a.accepted;
    t.toolRejected += a.rejected;
  }
}

/** Counters per key (an actor, a day), keys in first-seen order. */
export function activityBy(rows: Iterable<ClaudeCodeRow>, key: (r: ClaudeCodeRow) => string): Map<string, ClaudeCodeActivity> {
  const out = new Map<string, ClaudeCodeActivity>();
  for (const r of rows) {
    const k = key(r);
    let t = out.get(k);
    if (!t) out.set(k, (t = emptyActivity()));
    addActivity(t, r);
  }
  return out;
}

/** Acceptance rate Σaccepted / Σ(accepted + rejected) over actions; `undefined` when there were none. */
export function acceptanceRate(accepted: number, rejected: number): number | undefined {
  const n = accepted + rejected;
  return n === 0 ? undefined : accepted / n;
}

interface Acc extends ClaudeCodeActivity {
  cost: Decimal;
}

const newAcc = (): Acc => ({ ...emptyActivity(), cost: Decimal.ZERO });

function add(a: Acc, r: ClaudeCodeRow): void {
  addActivity(a, r);
  for (const m of r.models) a.cost = a.cost.add(Decimal.parse(m.costUsd));
}

function totals(a: Acc): ClaudeCodeTotals {
  const { cost, ...counts } = a;
  return { ...counts, costUsd: cost.toString() };
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
