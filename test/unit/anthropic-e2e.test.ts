/**
 * The client end to end over real HTTP against the local Anthropic server (test/server), on 127.0.0.1:
 * every endpoint, pagination to exhaustion, retry-after / x-should-retry, and the fault matrix
 * (every fault kind x every client method -> ApiError kind and attempts counted at the server).
 * `FAULT_MATRIX=path.md npx mocha test/unit/anthropic-e2e.test.ts` also writes the matrix as markdown.
 */
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import type { AnthropicApi, ClientOptions, RequestLogEntry } from '../../src/core/anthropic/api';
import { createAnthropicClient } from '../../src/core/anthropic/client';
import { ApiError } from '../../src/core/anthropic/errors';
import { FAULT_KINDS, startMockServer, type FaultKind, type MockServer } from '../server/server';
import { systemClock } from '../../src/core/clock';
import { claudeCodeDayWith } from '../server/org';

const DAY = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

interface Method {
  name: string;
  path: string;
  standardKey?: boolean;
  call: (api: AnthropicApi, today: string) => Promise<unknown>;
}

export const METHODS: Method[] = [
  { name: 'probeRateLimits', path: '/v1/messages', standardKey: true, call: (api) => api.probeRateLimits('claude-haiku-4-5') },
  {
    name: 'usageReport',
    path: '/v1/organizations/usage_report/messages',
    call: (api, today) => api.usageReport({ startingAt: dayOf(Date.parse(today) - 6 * DAY), bucketWidth: '1d', groupBy: ['model'], limit: 3 }),
  },
  {
    name: 'costReport',
    path: '/v1/organizations/cost_report',
    call: (api, today) => api.costReport({ startingAt: dayOf(Date.parse(today) - 6 * DAY), groupBy: ['description'], limit: 3 }),
  },
  { name: 'claudeCodeDay', path: '/v1/organizations/usage_report/claude_code', call: (api, today) => api.claudeCodeDay(dayOf(Date.parse(today) - DAY)) },
  { name: 'me', path: '/v1/organizations/me', call: (api) => api.me() },
  { name: 'workspaces', path: '/v1/organizations/workspaces', call: (api) => api.workspaces() },
  { name: 'apiKeys', path: '/v1/organizations/api_keys', call: (api) => api.apiKeys() },
  { name: 'users', path: '/v1/organizations/users', call: (api) => api.users() },
];

/** What every fault must end in (persistent fault, 3 attempts max). `repeat_cursor` on an unpaginated endpoint is harmless. */
const EXPECTED: Record<FaultKind, { kind: string; attempts: number }> = {
  rate_limited: { kind: 'rateLimited', attempts: 3 },
  spend_cap: { kind: 'spendCap', attempts: 1 },
  org_spend_limit: { kind: 'orgSpendLimit', attempts: 1 },
  overloaded: { kind: 'overloaded', attempts: 3 },
  server_error: { kind: 'server', attempts: 3 },
  gateway_timeout: { kind: 'server', attempts: 3 },
  unauthorized: { kind: 'auth', attempts: 1 },
  forbidden: { kind: 'permission', attempts: 1 },
  slow: { kind: 'timeout', attempts: 3 },
  reset: { kind: 'network', attempts: 3 },
  truncated_json: { kind: 'invalidResponse', attempts: 1 },
  invalid_json: { kind: 'invalidResponse', attempts: 1 },
  schema_drift: { kind: 'invalidResponse', attempts: 1 },
  repeat_cursor: { kind: 'paginationLoop', attempts: 2 },
};

const UNPAGINATED = new Set(['/v1/messages', '/v1/organizations/me']);

function expectedFor(fault: FaultKind, m: Method): { kind: string; attempts: number } {
  if (fault === 'repeat_cursor' && UNPAGINATED.has(m.path)) return { kind: 'ok', attempts: 1 };
  return EXPECTED[fault];
}

describe('anthropic client end to end (local Anthropic server)', function () {
  this.timeout(60_000);
  let server: MockServer;
  let today: string;
  const sleeps: number[] = [];
  const clientFor = (m: Pick<Method, 'standardKey'>, extra: Partial<ClientOptions> = {}) =>
    createAnthropicClient({
      apiKey: m.standardKey ? server.keys.standard : server.keys.admin,
      baseUrl: server.url,
      timeoutMs: 300,
      deadlineMs: 3000,
      proxyEnv: {},
      sleep: async (ms) => void sleeps.push(ms),
      ...extra,
    });

  before(async () => {
    server = await startMockServer({ port: 0, seed: 42 });
    today = dayOf(systemClock.now());
  });
  after(async () => server.close());
  beforeEach(() => {
    server.clearFaults();
    server.resetRequests();
    sleeps.length = 0;
  });

  it('reads every endpoint', async () => {
    const admin = clientFor({});
    const probe = await clientFor({ standardKey: true }).probeRateLimits('claude-haiku-4-5');
    assert.ok(probe.requests?.limit && probe.requests.remaining !== undefined && probe.requests.reset);
    assert.ok(probe.inputTokens?.limit && probe.outputTokens?.limit);
    assert.ok(probe.probeUsage.inputTokens > 0 && probe.probeUsage.outputTokens === 1);
    assert.equal(probe.requestId, server.requests.at(-1)!.requestId);
    const since = dayOf(Date.parse(today) - 29 * DAY);
    const usage = await admin.usageReport({ startingAt: since, bucketWidth: '1d', groupBy: ['model', 'workspace_id'], limit: 31 });
    assert.equal(usage.length, 30);
    assert.ok(usage.some((b) => b.results.some((r) => r.workspaceId === null)), 'Default workspace appears as null');
    const cost = await admin.costReport({ startingAt: since, groupBy: ['description'], limit: 31 });
    assert.ok(cost.flatMap((b) => b.results).some((r) => r.model === null && r.description), 'non-token costs');
    const cc = await admin.claudeCodeDay(dayOf(Date.parse(today) - DAY));
    assert.ok(cc.length > 0 && cc.every((r) => r.date === dayOf(Date.parse(today) - DAY)));
    const org = await admin.me();
    assert.deepEqual(org, { id: server.org.id, name: server.org.name });
    assert.deepEqual((await admin.workspaces()).map((w) => w.id).sort(), server.org.workspaces.map((w) => w.id).sort());
    assert.equal((await admin.apiKeys()).length, server.org.apiKeys.length);
    assert.equal((await admin.users()).length, server.org.users.length);
    await admin.close();
  });

  it('follows pagination to exhaustion with small pages and gets the same data', async () => {
    const api = clientFor({}, { labelPageSize: 2, claudeCodePageSize: 2 });
    const since = dayOf(Date.parse(today) - 29 * DAY);
    const big = await api.costReport({ startingAt: since, groupBy: ['description'], limit: 31 });
    server.resetRequests();
    const small = await api.costReport({ startingAt: since, groupBy: ['description'], limit: 3 });
    assert.equal(server.requests.length, 10);
    assert.deepEqual(small, big);
    server.resetRequests();
    const hourly = await api.usageReport({ startingAt: dayOf(Date.parse(today) - 3 * DAY), endingAt: today, bucketWidth: '1h', groupBy: ['model'], limit: 24 });
    assert.equal(hourly.length, 72);
    assert.equal(server.requests.length, 3);
    server.resetRequests();
    // A day with enough records for several pages of 2, asked of the sample organization (not "two days
    // ago", which is quiet on weekends).
    const day = claudeCodeDayWith(server.org, 5, systemClock.now());
    assert.ok(day, 'the sample organization has a busy Claude Code day');
    const records = await api.claudeCodeDay(day);
    assert.ok(records.length >= 5, `${day}: ${records.length} records`);
    assert.equal(server.requests.length, Math.ceil(records.length / 2), 'one request per page of 2');
    const bigRecords = await clientFor({}).claudeCodeDay(day);
    assert.deepEqual(records, bigRecords);
    server.resetRequests();
    const users = await api.users();
    assert.equal(users.length, server.org.users.length);
    assert.ok(server.requests.length >= Math.ceil(users.length / 2));
    await api.close();
  });

  it('fetches a range of Claude Code days with at most 4 in flight, skipping cached days', async () => {
    const api = clientFor({});
    const since = dayOf(Date.parse(today) - 9 * DAY);
    const skip = new Set([since, dayOf(Date.parse(since) + DAY)]);
    const result = await api.claudeCodeRange(since, today, { skipDays: skip });
    await api.close();
    assert.deepEqual([...result.keys()], Array.from({ length: 7 }, (_, i) => dayOf(Date.parse(since) + (i + 2) * DAY)));
    assert.equal(server.requests.length, 7);
    assert.ok(!server.requests.some((r) => skip.has(new URLSearchParams(r.query).get('starting_at') ?? '')));
    // With 100 ms per answer, 8 days at 4 in flight take two rounds: the 5th request starts after the 1st ends.
    const slow = await startMockServer({ port: 0, seed: 42, latencyMs: 100 });
    const slowApi = createAnthropicClient({ apiKey: slow.keys.admin, baseUrl: slow.url, proxyEnv: {} });
    await slowApi.claudeCodeRange(since, dayOf(Date.parse(since) + 8 * DAY));
    const arrivals = slow.requests.map((r) => r.at).sort((a, b) => a - b);
    await slowApi.close();
    await slow.close();
    assert.equal(arrivals.length, 8);
    assert.ok(arrivals[4]! - arrivals[0]! >= 90, `5th request started ${arrivals[4]! - arrivals[0]!} ms after the 1st`);
    assert.ok(arrivals[3]! - arrivals[0]! < 90, 'the first 4 start together');
  });

  it('honours retry-after from the server and stops when x-should-retry is false', async () => {
    const api = clientFor({});
    server.injectFault({ kind: 'rate_limited', path: '/v1/organizations/me', retryAfterSeconds: 2 });
    await api.me();
    assert.deepEqual(sleeps, [2000]);
    assert.equal(server.requests.length, 2);
    sleeps.length = 0;
    server.injectFault({ kind: 'overloaded', path: '/v1/organizations/me', retryAfterMs: 40, times: 1 });
    await api.me();
    assert.deepEqual(sleeps, [40]);
    server.resetRequests();
    server.injectFault({ kind: 'overloaded', path: '/v1/organizations/me', shouldRetry: false, times: 5 });
    const e = await api.me().then(
      () => assert.fail('expected overloaded'),
      (x: unknown) => x as ApiError,
    );
    assert.equal(e.kind, 'overloaded');
    assert.equal(server.requests.length, 1);
    assert.ok(e.requestId?.startsWith('req_'));
    await api.close();
  });

  it('says an Admin key is needed when the standard key reads an admin endpoint', async () => {
    const api = clientFor({ standardKey: true });
    const e = await api.costReport({ startingAt: today }).then(
      () => assert.fail('expected needsAdminKey'),
      (x: unknown) => x as ApiError,
    );
    assert.equal(e.kind, 'needsAdminKey');
    assert.equal(e.status, 403);
    assert.equal(server.requests.length, 1);
    await api.close();
  });

  describe('fault matrix: every fault kind x every client method', () => {
    const rows: string[] = [];
    after(() => {
      const header = `| fault | ${METHODS.map((m) => m.name).join(' | ')} |\n|---|${METHODS.map(() => '---').join('|')}|`;
      const md = `${header}\n${rows.join('\n')}\n`;
      if (process.env.FAULT_MATRIX) writeFileSync(process.env.FAULT_MATRIX, md);
    });
    for (const fault of FAULT_KINDS) {
      it(`${fault}`, async () => {
        const cells: string[] = [];
        for (const m of METHODS) {
          server.clearFaults();
          server.resetRequests();
          const log: RequestLogEntry[] = [];
          const api = clientFor(m, { onRequest: (e) => log.push(e) });
          server.injectFault({ kind: fault, path: m.path, times: Infinity, delayMs: 1000, retryAfterSeconds: 1 });
          const started = performance.now();
          let kind = 'ok';
          let err: ApiError | undefined;
          try {
            await m.call(api, today);
          } catch (e) {
            assert.ok(e instanceof ApiError, `${fault} on ${m.name} threw ${String(e)}`);
            err = e;
            kind = e.kind;
          }
          const took = performance.now() - started;
          await api.close();
          const attempts = server.requests.filter((r) => r.path === m.path).length;
          const want = expectedFor(fault, m);
          assert.equal(kind, want.kind, `${fault} on ${m.name}`);
          assert.equal(attempts, want.attempts, `${fault} on ${m.name}: attempts`);
          assert.equal(log.length, attempts, `${fault} on ${m.name}: one log entry per attempt`);
          assert.ok(took < 3000 + 900, `${fault} on ${m.name} took ${took} ms (deadline 3000; slack for a loaded machine)`);
          if (err) {
            assert.equal(err.endpoint, m.path);
            if (!['timeout', 'network'].includes(err.kind)) assert.ok(err.requestId?.startsWith('req_'), `${fault} on ${m.name}: request-id`);
            if (err.kind === 'invalidResponse' && fault === 'schema_drift') assert.ok(err.path, 'names the JSON path');
            assert.ok(err.message.length > 20 && !/undefined|NaN|\[object/.test(err.message), err.message);
          }
          cells.push(`${kind} (${attempts})`);
        }
        rows.push(`| ${fault} | ${cells.join(' | ')} |`);
      });
    }
  });
});
