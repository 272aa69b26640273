/**
 * Parsed API values → the plain-JSON rows the store keeps (`StoreSnapshot` in store/snapshot.ts).
 * The CLI and the views both aggregate from these rows (reports/*.ts), so both show the same numbers.
 */
import type { ClaudeCodeRecord, CostBucket, UsageBucket } from '../anthropic/types';
import { actorLabel } from '../anthropic/types';
import type { ClaudeCodeRow, CostRow, TokenRow } from './snapshot';

/** The UTC day of an RFC 3339 bucket start. */
export function bucketDay(startingAt: string): string {
  if (/^\d{4}-\d{2}-\d{2}$/.test(startingAt)) return startingAt;
  const t = Date.parse(startingAt);
  return Number.isNaN(t) ? startingAt.slice(0, 10) : new Date(t).toISOString().slice(0, 10);
}

/** Bucket start in canonical UTC form: `YYYY-MM-DD` for daily buckets, `YYYY-MM-DDTHH:MM:SSZ` otherwise. */
export function bucketStart(startingAt: string, daily: boolean): string {
  if (daily) return bucketDay(startingAt);
  const t = Date.parse(startingAt);
  return Number.isNaN(t) ? startingAt : new Date(t).toISOString().replace('.000Z', 'Z');
}

export function costRowsFromBuckets(buckets: readonly CostBucket[]): CostRow[] {
  const rows: CostRow[] = [];
  for (const b of buckets) {
    const date = bucketDay(b.startingAt);
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

export function tokenRowsFromBuckets(buckets: readonly UsageBucket[], daily = true): TokenRow[] {
  const rows: TokenRow[] = [];
  for (const b of buckets) {
    const start = bucketStart(b.startingAt, daily);
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

export function claudeCodeRowsFromRecords(records: Iterable<ClaudeCodeRecord>): ClaudeCodeRow[] {
  const rows: ClaudeCodeRow[] = [];
  for (const r of records) {
    rows.push({
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
    });
  }
  return rows;
}
