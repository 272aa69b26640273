/**
 * bench/api-requests: how many HTTP requests a 30-day dashboard load makes against the local Anthropic
 * server, cold (nothing cached) and warm (past complete days cached, only today's open day re-fetched),
 * loaded the way the store does it:
 *   - costs: 1 cost_report request, group_by[] workspace_id + description, limit 31 (30 days fit one page)
 *   - tokens: 1 usage_report request, 1d buckets, group_by[] model/workspace_id/api_key_id/service_tier, limit 31
 *   - Claude Code: one request per UTC day, at most 4 in flight (claudeCodeRange, skipDays = cached days)
 *   - labels: me + workspaces + api_keys + users (cold only; refreshed daily, not per load)
 * Goal (issue 2): cold <= 1 cost + 1 usage + 30 analytics + labels; warm <= one request per source.
 * Run: npm run bench:api
 */
import { createAnthropicClient } from '../src/core/anthropic/client';
import type { ClaudeCodeRecord, CostBucket, UsageBucket } from '../src/core/anthropic/types';
import { startMockServer } from '../test/server/server';
import { systemClock } from '../src/core/clock';

const DAY = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

interface DayCaches {
  costs: Map<string, CostBucket>;
  usage: Map<string, UsageBucket>;
  claudeCode: Map<string, ClaudeCodeRecord[]>;
  labels: boolean;
}

async function main(): Promise<void> {
  const server = await startMockServer({ port: 0, seed: 42 });
  const api = createAnthropicClient({ apiKey: server.keys.admin, baseUrl: server.url, proxyEnv: {} });
  const now = systemClock.now();
  const today = dayOf(now);
  const tomorrow = dayOf(now + DAY);
  const since = dayOf(now - 29 * DAY);
  const cache: DayCaches = { costs: new Map(), usage: new Map(), claudeCode: new Map(), labels: false };

  /** Earliest day not cached as complete; everything from there to tomorrow is fetched. */
  const firstMissing = (cached: Map<string, unknown>): string => {
    for (let t = Date.parse(since); t < Date.parse(tomorrow); t += DAY) {
      const d = dayOf(t);
      if (!cached.has(d)) return d;
    }
    return tomorrow;
  };

  async function load(): Promise<number> {
    const t0 = performance.now();
    const costFrom = firstMissing(cache.costs);
    const usageFrom = firstMissing(cache.usage);
    const skip = new Set(cache.claudeCode.keys());
    await Promise.all([
      costFrom < tomorrow
        ? api.costReport({ startingAt: costFrom, endingAt: tomorrow, groupBy: ['workspace_id', 'description'], limit: 31 }).then((bs) => {
            for (const b of bs) if (b.startingAt.slice(0, 10) !== today) cache.costs.set(b.startingAt.slice(0, 10), b);
          })
        : undefined,
      usageFrom < tomorrow
        ? api
            .usageReport({ startingAt: usageFrom, endingAt: tomorrow, bucketWidth: '1d', groupBy: ['model', 'workspace_id', 'api_key_id', 'service_tier'], limit: 31 })
            .then((bs) => {
              for (const b of bs) if (b.startingAt.slice(0, 10) !== today) cache.usage.set(b.startingAt.slice(0, 10), b);
            })
        : undefined,
      api.claudeCodeRange(since, tomorrow, { concurrency: 4, skipDays: skip }).then((m) => {
        for (const [d, r] of m) if (d !== today) cache.claudeCode.set(d, r);
      }),
      cache.labels ? undefined : Promise.all([api.me(), api.workspaces(), api.apiKeys(), api.users()]).then(() => void (cache.labels = true)),
    ]);
    return performance.now() - t0;
  }

  const count = () => {
    const by = (suffix: string) => server.requests.filter((r) => r.path.endsWith(suffix)).length;
    const labels = ['/me', '/workspaces', '/api_keys', '/users'].reduce((n, s) => n + by(s), 0);
    return { cost: by('/cost_report'), usage: by('/usage_report/messages'), claudeCode: by('/usage_report/claude_code'), labels, total: server.requests.length };
  };

  const rows: Array<[string, ReturnType<typeof count>, number]> = [];
  server.resetRequests();
  const coldMs = await load();
  rows.push(['cold', count(), coldMs]);
  server.resetRequests();
  const warmMs = await load();
  rows.push(['warm', count(), warmMs]);
  await api.close();
  await server.close();

  const head = ['load (30 days)', 'cost', 'usage', 'claude_code', 'labels', 'total', 'ms'];
  const body = rows.map(([name, c, ms]) => [name, c.cost, c.usage, c.claudeCode, c.labels, c.total, ms.toFixed(0)].map(String));
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(`bench/api-requests: 30-day dashboard load against the local Anthropic server (${since} .. ${today})`);
  console.log(line(head));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of body) console.log(line(r));
  const [cold, warm] = [rows[0]![1], rows[1]![1]];
  const coldOk = cold.cost <= 1 && cold.usage <= 1 && cold.claudeCode <= 30;
  const warmOk = warm.cost <= 1 && warm.usage <= 1 && warm.claudeCode <= 1 && warm.labels === 0;
  console.log(`goal cold <= 1 cost + 1 usage + 30 claude_code + labels: ${coldOk ? 'met' : 'NOT met'}; warm <= 1 per source: ${warmOk ? 'met' : 'NOT met'}`);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exitCode = 1;
});
