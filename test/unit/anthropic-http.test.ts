/**
 * The transport against a scripted loopback server (node:http): headers, retry policy, deadline, error
 * mapping, cancellation and proxies. End-to-end tests against the mock Anthropic server are in
 * anthropic-e2e.test.ts.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { RequestLogEntry } from '../../src/core/anthropic/api';
import { createAnthropicClient } from '../../src/core/anthropic/client';
import { ApiError } from '../../src/core/anthropic/errors';
import { parseRetryAfter } from '../../src/core/anthropic/http';
import { sampleKeys } from '../server/keys';
import { startTestProxy, type TestProxy } from '../support/proxy';

type Handler = (req: http.IncomingMessage, res: http.ServerResponse, body: string) => void;

interface Scripted {
  url: string;
  seen: Array<{ method: string; url: string; headers: http.IncomingHttpHeaders; body: string }>;
  script: Handler[];
  close(): Promise<void>;
}

const COST_OK = JSON.stringify({
  data: [{ starting_at: '2025-08-01T00:00:00Z', ending_at: '2025-08-02T00:00:00Z', results: [{ amount: '250', currency: 'USD' }] }],
  has_more: false,
  next_page: null,
});

const ok: Handler = (_q, res) => {
  res.writeHead(200, { 'content-type': 'application/json', 'request-id': 'req_ok' }).end(COST_OK);
};

function error(status: number, type: string, message: string, headers: Record<string, string> = {}, details?: object): Handler {
  return (_q, res) => {
    res
      .writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${status}`, ...headers })
      .end(JSON.stringify({ type: 'error', error: { type, message, ...(details ? { details } : {}) }, request_id: `req_${status}` }));
  };
}

async function scripted(...script: Handler[]): Promise<Scripted> {
  const seen: Scripted['seen'] = [];
  const s: Scripted = { url: '', seen, script, close: async () => {} };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      seen.push({ method: req.method!, url: req.url!, headers: req.headers, body });
      const h = s.script.shift() ?? ok;
      h(req, res, body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  s.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  s.close = () =>
    new Promise((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return s;
}

const keys = sampleKeys();
const sleeps: number[] = [];
const fakeSleep = async (ms: number) => {
  sleeps.push(ms);
};

function client(url: string, extra: Partial<Parameters<typeof createAnthropicClient>[0]> = {}) {
  return createAnthropicClient({ apiKey: keys.admin, baseUrl: url, timeoutMs: 300, deadlineMs: 3000, sleep: fakeSleep, proxyEnv: {}, ...extra });
}

async function failure(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ApiError, `expected ApiError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a failure');
}

describe('anthropic transport (scripted loopback server)', () => {
  let srv: Scripted;
  afterEach(async () => {
    sleeps.length = 0;
    await srv?.close();
  });

  it('sends the key, version and user agent, and bracket-form arrays', async () => {
    srv = await scripted(ok);
    const api = client(srv.url);
    const buckets = await api.costReport({ startingAt: '2025-08-01', endingAt: '2025-08-03', groupBy: ['workspace_id', 'description'], limit: 31 });
    await api.close();
    assert.equal(buckets[0]!.results[0]!.amountUsd.toString(), '2.5');
    const r = srv.seen[0]!;
    assert.equal(r.headers['x-api-key'], keys.admin);
    assert.equal(r.headers['anthropic-version'], '2023-06-01');
    assert.match(String(r.headers['user-agent']), /^claude-usage\/\d+\.\d+\.\d+/);
    assert.equal(
      r.url,
      '/v1/organizations/cost_report?starting_at=2025-08-01T00%3A00%3A00Z&ending_at=2025-08-03T00%3A00%3A00Z&bucket_width=1d&limit=31&group_by[]=workspace_id&group_by[]=description',
    );
  });

  it('probes with max_tokens 1 and reads the headers and usage', async () => {
    srv = await scripted((_q, res) =>
      res
        .writeHead(200, {
          'content-type': 'application/json',
          'request-id': 'req_p',
          'anthropic-ratelimit-requests-limit': '50',
          'anthropic-ratelimit-requests-remaining': '49',
          'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:00Z',
        })
        .end(JSON.stringify({ id: 'msg', usage: { input_tokens: 8, output_tokens: 1 } })),
    );
    const api = client(srv.url, { apiKey: keys.standard });
    const s = await api.probeRateLimits('claude-haiku-4-5');
    await api.close();
    assert.deepEqual(JSON.parse(srv.seen[0]!.body), { model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'hi' }] });
    assert.equal(srv.seen[0]!.method, 'POST');
    assert.deepEqual(s.requests, { limit: 50, remaining: 49, reset: '2026-01-01T00:00:00Z' });
    assert.deepEqual(s.probeUsage, { inputTokens: 8, outputTokens: 1 });
    assert.equal(s.requestId, 'req_p');
    assert.equal(s.inputTokens, undefined);
  });

  it('honours retry-after on 429 and succeeds on the retry', async () => {
    srv = await scripted(error(429, 'rate_limit_error', 'Rate limited', { 'retry-after': '2' }));
    const api = client(srv.url);
    await api.costReport({ startingAt: '2025-08-01' });
    await api.close();
    assert.equal(srv.seen.length, 2);
    assert.deepEqual(sleeps, [2000]);
  });

  it('prefers retry-after-ms over retry-after', async () => {
    srv = await scripted(error(529, 'overloaded_error', 'Overloaded', { 'retry-after': '9', 'retry-after-ms': '150' }));
    const api = client(srv.url);
    await api.costReport({ startingAt: '2025-08-01' });
    await api.close();
    assert.deepEqual(sleeps, [150]);
    const NOW = Date.UTC(2026, 11, 31, 23, 59, 58);
    assert.ok((parseRetryAfter({ 'retry-after': new Date(NOW + 5000).toUTCString() }, NOW) ?? 0) > 3000);
  });

  it('fails as rateLimited without waiting when retry-after passes the deadline or the cap', async () => {
    srv = await scripted(error(429, 'rate_limit_error', 'Rate limited', { 'retry-after': '30' }));
    let api = client(srv.url);
    let e = await failure(api.costReport({ startingAt: '2025-08-01' }));
    await api.close();
    assert.equal(e.kind, 'rateLimited');
    assert.equal(e.retryAfterSeconds, 30);
    assert.equal(e.requestId, 'req_429');
    assert.equal(srv.seen.length, 1);
    assert.deepEqual(sleeps, []);
    srv.script.push(error(429, 'rate_limit_error', 'Rate limited', { 'retry-after': '600' }));
    api = client(srv.url, { deadlineMs: 3_600_000 });
    e = await failure(api.costReport({ startingAt: '2025-08-01' }));
    await api.close();
    assert.equal(e.kind, 'rateLimited');
    assert.equal(srv.seen.length, 2);
    assert.deepEqual(sleeps, []);
  });

  it('never retries the spend cap, the org spend limit, 400, 401 or 403', async () => {
    const cases: Array<[Handler, string, RegExp]> = [
      [error(429, 'rate_limit_error', 'Spend cap reached; access returns on 2026-12-01.'), 'spendCap', /2026-12-01/],
      [
        error(429, 'rate_limit_error', 'Limit reached until Dec 1.', { 'retry-after': '1' }, { error_code: 'enforced_spend_limit_reached' }),
        'spendCap',
        /Dec 1/,
      ],
      [error(400, 'invalid_request_error', 'You have reached your specified workspace API usage limits. You will regain access on 2026-12-01.'), 'orgSpendLimit', /regain access on 2026-12-01/],
      [error(400, 'invalid_request_error', 'starting_at: bad date'), 'badRequest', /starting_at: bad date/],
      [error(401, 'authentication_error', 'invalid x-api-key'), 'auth', /rejected \(401\)/],
      [error(403, 'permission_error', 'not allowed'), 'permission', /not allowed/],
      [error(404, 'not_found_error', 'nope'), 'badRequest', /404/],
    ];
    srv = await scripted();
    for (const [h, kind, msg] of cases) {
      srv.seen.length = 0;
      srv.script.push(h, ok);
      const api = client(srv.url);
      const e = await failure(api.costReport({ startingAt: '2025-08-01' }));
      await api.close();
      assert.equal(e.kind, kind);
      assert.match(e.message, msg);
      assert.equal(srv.seen.length, 1, kind);
      srv.script.length = 0;
    }
    assert.deepEqual(sleeps, []);
  });

  it('says an Admin key is needed when a standard key meets an admin endpoint', async () => {
    srv = await scripted(error(401, 'authentication_error', 'invalid x-api-key'), error(403, 'permission_error', 'admin only'));
    for (let i = 0; i < 2; i++) {
      const api = client(srv.url, { apiKey: keys.standard });
      const e = await failure(api.workspaces());
      await api.close();
      assert.equal(e.kind, 'needsAdminKey');
      assert.match(e.message, /This needs an Admin key \(sk-ant-admin…\); the key in use is a standard API key\./);
    }
  });

  it('retries 529 and 5xx at most 3 times with growing jittered backoff; x-should-retry false stops', async () => {
    srv = await scripted(error(529, 'overloaded_error', 'Overloaded'), error(529, 'overloaded_error', 'Overloaded'), error(529, 'overloaded_error', 'Overloaded'), ok);
    let api = client(srv.url, { random: () => 1 });
    let e = await failure(api.costReport({ startingAt: '2025-08-01' }));
    await api.close();
    assert.equal(e.kind, 'overloaded');
    assert.equal(srv.seen.length, 3);
    assert.deepEqual(sleeps, [500, 1000]);
    srv.script.length = 0;
    srv.script.push(error(500, 'api_error', 'boom', { 'x-should-retry': 'false' }));
    api = client(srv.url);
    e = await failure(api.costReport({ startingAt: '2025-08-01' }));
    await api.close();
    assert.equal(e.kind, 'server');
    assert.equal(srv.seen.length, 4);
    srv.script.push(error(502, 'api_error', 'bad gateway'));
    api = client(srv.url);
    await api.costReport({ startingAt: '2025-08-01' });
    await api.close();
    assert.equal(srv.seen.length, 6);
  });

  it('times out a slow response, retries, and stays within the deadline', async () => {
    const slow: Handler = (_q, res) => setTimeout(() => ok(_q, res, ''), 2000).unref();
    srv = await scripted(slow, slow, slow, slow, slow);
    const api = client(srv.url, { sleep: undefined, deadlineMs: 1000, timeoutMs: 300 });
    const started = performance.now();
    const e = await failure(api.costReport({ startingAt: '2025-08-01' }));
    const took = performance.now() - started;
    await api.close();
    assert.equal(e.kind, 'timeout');
    assert.ok(took < 1000 + 750, `took ${took} ms (deadline 1000 ms; slack for a loaded machine, still under the 2 s response)`);
    assert.ok(srv.seen.length >= 2 && srv.seen.length <= 3);
  });

  it('maps a connection reset mid-body to network and retries it; refused connections too', async () => {
    const reset: Handler = (_q, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"data":[');
      setTimeout(() => res.socket?.destroy(), 10);
    };
    srv = await scripted(reset, reset, reset);
    let api = client(srv.url);
    const e = await failure(api.costReport({ startingAt: '2025-08-01' }));
    await api.close();
    assert.equal(e.kind, 'network');
    assert.equal(srv.seen.length, 3);
    const port = await freePort();
    api = client(`http://127.0.0.1:${port}`);
    const e2 = await failure(api.me());
    await api.close();
    assert.equal(e2.kind, 'network');
    assert.match(e2.message, /ECONNREFUSED/);
  });

  it('maps truncated and invalid JSON to invalidResponse without retrying', async () => {
    srv = await scripted((_q, res) => res.writeHead(200, { 'request-id': 'req_t' }).end(COST_OK.slice(0, 40)));
    const api = client(srv.url);
    const e = await failure(api.costReport({ startingAt: '2025-08-01' }));
    await api.close();
    assert.equal(e.kind, 'invalidResponse');
    assert.equal(e.requestId, 'req_t');
    assert.equal(srv.seen.length, 1);
  });

  it('follows next_page and detects a repeated cursor', async () => {
    const page = (next: string | null): Handler => (_q, res) =>
      res.writeHead(200, { 'request-id': 'req_pg' }).end(JSON.stringify({ ...JSON.parse(COST_OK), has_more: next !== null, next_page: next }));
    srv = await scripted(page('c1'), page('c2'), page(null));
    let api = client(srv.url);
    const buckets = await api.costReport({ startingAt: '2025-08-01' });
    assert.equal(buckets.length, 3);
    assert.deepEqual(srv.seen.map((s) => new URL(s.url, 'http://x').searchParams.get('page')), [null, 'c1', 'c2']);
    srv.script.push(page('c1'), page('c2'), page('c1'));
    api = client(srv.url);
    const e = await failure(api.costReport({ startingAt: '2025-08-01' }));
    await api.close();
    assert.equal(e.kind, 'paginationLoop');
    assert.equal(e.requestId, 'req_pg');
  });

  it('pages the label lists with after_id', async () => {
    const list = (ids: string[], more: boolean): Handler => (_q, res) =>
      res.writeHead(200).end(JSON.stringify({ data: ids.map((id) => ({ id, name: `n${id}` })), has_more: more, first_id: ids[0], last_id: ids.at(-1) }));
    srv = await scripted(list(['w1', 'w2'], true), list(['w3'], false));
    const api = client(srv.url, { labelPageSize: 2 });
    const ws = await api.workspaces();
    await api.close();
    assert.deepEqual(ws.map((w) => w.id), ['w1', 'w2', 'w3']);
    assert.deepEqual(srv.seen.map((s) => s.url), ['/v1/organizations/workspaces?limit=2&include_archived=true', '/v1/organizations/workspaces?limit=2&include_archived=true&after_id=w2']);
  });

  it('is cancelled by the caller signal', async () => {
    srv = await scripted((_q, res) => setTimeout(() => ok(_q, res, ''), 1000).unref());
    const api = client(srv.url, { timeoutMs: 5000 });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 50);
    const e = await failure(api.costReport({ startingAt: '2025-08-01' }, ac.signal));
    await api.close();
    assert.equal(e.kind, 'cancelled');
    assert.equal(srv.seen.length, 1);
  });

  it('logs one entry per attempt: path without query, status, request-id, never the key', async () => {
    srv = await scripted(error(500, 'api_error', 'boom'));
    const log: RequestLogEntry[] = [];
    const api = client(srv.url, { onRequest: (e) => log.push(e) });
    await api.costReport({ startingAt: '2025-08-01' });
    await api.close();
    assert.deepEqual(
      log.map(({ durationMs: _d, ...rest }) => rest),
      [
        { method: 'GET', path: '/v1/organizations/cost_report', status: 500, requestId: 'req_500', attempt: 1 },
        { method: 'GET', path: '/v1/organizations/cost_report', status: 200, requestId: 'req_ok', attempt: 2 },
      ],
    );
    assert.ok(!JSON.stringify(log).includes(keys.admin.slice(-12)));
  });
});

describe('anthropic transport through a proxy', () => {
  let srv: Scripted;
  let proxy: TestProxy;
  afterEach(async () => {
    await srv?.close();
    await proxy?.close();
  });

  it('sends requests through an explicit proxyUrl', async () => {
    srv = await scripted(ok);
    proxy = await startTestProxy();
    const api = client(srv.url, { proxyUrl: proxy.url });
    await api.costReport({ startingAt: '2025-08-01' });
    await api.close();
    assert.equal(srv.seen.length, 1);
    assert.equal(proxy.targets.length, 1);
    assert.equal(proxy.targets[0], new URL(srv.url).host);
  });

  it('uses HTTP_PROXY from the environment and honours NO_PROXY', async () => {
    srv = await scripted(ok, ok);
    proxy = await startTestProxy();
    let api = client(srv.url, { proxyEnv: { HTTP_PROXY: proxy.url } });
    await api.costReport({ startingAt: '2025-08-01' });
    await api.close();
    assert.equal(proxy.targets.length, 1);
    api = client(srv.url, { proxyEnv: { HTTP_PROXY: proxy.url, NO_PROXY: '127.0.0.1' } });
    await api.costReport({ startingAt: '2025-08-01' });
    await api.close();
    assert.equal(proxy.targets.length, 1);
    assert.equal(srv.seen.length, 2);
  });
});

async function freePort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}
