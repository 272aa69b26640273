/** API shapes (Decimal, nested) to the plain rows the snapshot holds. */
import type { ClaudeCodeRecord, CostBucket, UsageBucket } from '../anthropic/types';
import { actorLabel } from '../anthropic/types';
import type { ClaudeCodeRow, CostRow, TokenRow } from './snapshot';

export function costRows(buckets: readonly CostBucket[]): CostRow[] {
  const rows: CostRow[] = [];
  for (const b of buckets) {
    const date = b.startingAt.slice(0, 10);
    for (const r of b.results) {
      rows.push({
        date,
        workspaceId: r.workspaceId,
        description: r.description,
        model: r.model,
        costType: r.costType,
        tokenType: r.tokenType,
        serviceTier: r.serviceTier,
        contextWindow: r.contextWindow,
        amountUsd: r.amountUsd.toString(),
      });
    }
  }
  return rows;
}

export function tokenRows(buckets: readonly UsageBucket[], daily: boolean): TokenRow[] {
  const rows: TokenRow[] = [];
  for (const b of buckets) {
    const start = daily ? b.startingAt.slice(0, 10) : new Date(b.startingAt).toISOString();
    for (const r of b.results) {
      rows.push({
        start,
        model: r.model,
        workspaceId: r.workspaceId,
        apiKeyId: r.apiKeyId,
        serviceTier: r.serviceTier,
        uncachedInput: r.uncachedInput,
        cacheWrite5m: r.cacheWrite5m,
        cacheWrite1h: r.cacheWrite1h,
        cacheRead: r.cacheRead,
        output: r.output,
        webSearches: r.webSearches,
      });
    }
  }
  return rows;
}

export function claudeCodeRows(records: readonly ClaudeCodeRecord[]): ClaudeCodeRow[] {
  return records.map((r) => ({
    date: r.date,
    actor: actorLabel(r.actor),
    actorType: r.actor.type,
    terminalType: r.terminalType,
    customerType: r.customerType,
    ...(r.isRemote !== undefined ? { isRemote: r.isRemote } : {}),
    sessions: r.sessions,
    linesAdded: r.linesAdded,
    linesRemoved: r.linesRemoved,
    commits: r.commits,
    pullRequests: r.pullRequests,
    toolActions: r.toolActions,
    models: r.modelBreakdown.map((m) => ({
      model: m.model,
      input: m.tokens.input,
      output: m.tokens.output,
      cacheRead: m.tokens.cacheRead,
      cacheCreation: m.tokens.cacheCreation,
      costUsd: m.estimatedCostUsd.toString(),
    })),
  }));
}
