/**
 * The local Anthropic server over real HTTP (loopback only): auth rules, query validation, pagination,
 * empty buckets, group_by nulling, every fault kind, determinism, token buckets, and the ledger against
 * a sum over raw responses.
 */
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fc from 'fast-check';
import { Decimal } from '../../src/core/decimal';
import { startMockServer, FAULT_KINDS, type FaultKind, type MockServer } from '../server/server';
import { sampleKeys } from '../server/keys';
import { generateOrg } from '../server/org';
import { modelInfo, tokenCostCents } from '../server/prices';

const NOW = Date.parse('2026-11-26T15:37:00Z'); // a Thursday afternoon
const VERSION = { 'anthropic-version': '2023-06-01' };
const DAY = 86_400_000;

interface ErrorBody {
  type: string;
  error: { type: string; message: string; details?: { error_code?: string } };
  request_id: string;
}

interface Bucket<R> {
  starting_at: string;
  ending_at: string;
  results: R[];
}
interface Page<T> {
  data: T[];
  has_more: boolean;
  next_page: string | null;
}
interface UsageResult {
  uncached_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  cache_read_input_tokens: number;
  output_tokens: number;
  server_tool_use: { web_search_requests: number };
  model: string | null;
  workspace_id: string | null;
  api_key_id: string | null;
  service_tier: string | null;
  context_window: string | null;
  inference_geo: string | null;
  account_id: string | null;
}
interface CostResult {
  amount: string;
  currency: string;
  model: string | null;
  description: string | null;
  workspace_id: string | null;
  cost_type: string | null;
  token_type: string | null;
}
interface CcRecord {
  date: string;
  actor: { type: 'user_actor'; email_address: string } | { type: 'api_actor'; api_key_name: string };
  is_remote?: boolean;
  core_metrics: {
    num_sessions: number;
    lines_of_code: { added: number; removed: number };
    commits_by_claude_code: number;
    pull_requests_by_claude_code: number;
  };
  tool_actions: Record<string, { accepted: number; rejected: number }>;
  model_breakdown: Array<{ model: string; tokens: Record<string, number>; estimated_cost: { currency: string; amount: number } }>;
}

describe('local Anthropic server', function () {
  let server: MockServer;
  let clock = NOW;

  const get = (path: string, key: string | null | undefined = server.keys.admin, headers: Record<string, string> = {}) =>
    fetch(`${server.url}${path}`, { headers: { ...VERSION, ...(key ? { 'x-api-key': key } : {}), ...headers } });

  const getJson = async <T>(path: string, key?: string | null): Promise<T> => {
    const res = await get(path, key);
    const text = await res.text();
    assert.equal(res.status, 200, `${path} answered ${res.status}: ${text.slice(0, 300)}`);
    return JSON.parse(text) as T;
  };

  const probe = (body: unknown = { model: 'claude-sonnet-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'Hi' }] }, key = server.keys.standard) =>
    fetch(`${server.url}/v1/messages`, {
      method: 'POST',
      headers: { ...VERSION, 'x-api-key': key, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  const expectError = async (res: Response, status: number, type: string): Promise<ErrorBody> => {
    const text = await res.text();
    assert.equal(res.status, status, text.slice(0, 300));
    const body = JSON.parse(text) as ErrorBody;
    assert.equal(body.type, 'error');
    assert.equal(body.error.type, type);
    assert.ok(body.error.message.length > 0);
    assert.match(body.request_id, /^req_/);
    assert.equal(res.headers.get('request-id'), body.request_id);
    return body;
  };

  /** Follows next_page to the end. */
  const allPages = async <T>(path: string): Promise<{ items: T[]; pages: number }> => {
    const items: T[] = [];
    let page: string | null = null;
    let pages = 0;
    do {
      const sep = path.includes('?') ? '&' : '?';
      const body: Page<T> = await getJson<Page<T>>(page ? `${path}${sep}page=${encodeURIComponent(page)}` : path);
      items.push(...body.data);
      pages++;
      assert.equal(body.has_more, body.next_page !== null);
      page = body.next_page;
      assert.ok(pages < 500, 'pagination does not end');
    } while (page);
    return { items, pages };
  };

  before(async function () {
    server = await startMockServer({ seed: 7, now: () => new Date(clock), rateLimits: { backgroundLoad: false } });
  });
  after(async function () {
    await server.close();
  });
  afterEach(function () {
    server.clearFaults();
    clock = NOW;
  });

  describe('keys', function () {
    it('are fake-but-shaped, deterministic, and built at runtime', function () {
      const a = sampleKeys();
      assert.deepEqual(a, sampleKeys());
      assert.match(a.standard, /^sk-ant-api03-[A-Za-z0-9_-]{90,}AA$/);
      assert.match(a.admin, /^sk-ant-admin01-[A-Za-z0-9_-]{90,}AA$/);
      assert.equal(server.keys.standard, a.standard);
    });
  });

  describe('auth', function () {
    it('admin endpoints: no key 401, unknown key 401, standard key 403, admin key 200, Bearer admin 200', async function () {
      const path = '/v1/organizations/me';
      const none = await expectError(await get(path, null), 401, 'authentication_error');
      assert.match(none.error.message, /x-api-key/);
      await expectError(await get(path, 'sk-ant-admin01-not-a-real-one'), 401, 'authentication_error');
      const std = await expectError(await get(path, server.keys.standard), 403, 'permission_error');
      assert.match(std.error.message, /Admin API key/);
      const me = await getJson<{ id: string; type: string; name: string }>(path);
      assert.deepEqual(me, { id: server.org.id, type: 'organization', name: server.org.name });
      const bearer = await fetch(`${server.url}${path}`, { headers: { ...VERSION, authorization: `Bearer ${server.keys.admin}` } });
      assert.equal(bearer.status, 200);
    });

    it('messages: standard key only; the admin key and unknown keys get 401', async function () {
      assert.equal((await probe()).status, 200);
      await expectError(await probe(undefined, server.keys.admin), 401, 'authentication_error');
      await expectError(await probe(undefined, 'sk-ant-api03-nope'), 401, 'authentication_error');
    });

    it('requires anthropic-version', async function () {
      const res = await fetch(`${server.url}/v1/organizations/me`, { headers: { 'x-api-key': server.keys.admin } });
      await expectError(res, 400, 'invalid_request_error');
    });

    it('records every request with its key kind and never the key', async function () {
      server.resetRequests();
      await get('/v1/organizations/users', server.keys.standard);
      await get('/v1/organizations/users?limit=2');
      assert.deepEqual(
        server.requests.map((r) => [r.path, r.query, r.status, r.keyKind]),
        [
          ['/v1/organizations/users', '', 403, 'standard'],
          ['/v1/organizations/users', 'limit=2', 200, 'admin'],
        ],
      );
      assert.ok(!JSON.stringify(server.requests).includes(server.keys.admin));
    });
  });

  describe('query validation', function () {
    const usage = '/v1/organizations/usage_report/messages?starting_at=2026-10-01T00:00:00Z';
    const cases: Array<[string, string]> = [
      ['missing starting_at', '/v1/organizations/usage_report/messages?bucket_width=1d'],
      ['date-only starting_at', '/v1/organizations/usage_report/messages?starting_at=2026-10-01'],
      ['ending_at before starting_at', `${usage}&ending_at=2026-09-01T00:00:00Z`],
      ['bad bucket_width', `${usage}&bucket_width=1w`],
      ['1d limit 32', `${usage}&limit=32`],
      ['1h limit 169', `${usage}&bucket_width=1h&limit=169`],
      ['1m limit 1441', `${usage}&bucket_width=1m&limit=1441`],
      ['limit 0', `${usage}&limit=0`],
      ['limit not a number', `${usage}&limit=abc`],
      ['unknown group_by', `${usage}&group_by[]=colour`],
      ['un-bracketed group_by', `${usage}&group_by=model`],
      ['opaque page that is not ours', `${usage}&page=page_bm9wZQ`],
      ['cost limit 32', '/v1/organizations/cost_report?starting_at=2026-10-01T00:00:00Z&limit=32'],
      ['cost bucket 1h', '/v1/organizations/cost_report?starting_at=2026-10-01T00:00:00Z&bucket_width=1h'],
      ['cost group_by model', '/v1/organizations/cost_report?starting_at=2026-10-01T00:00:00Z&group_by[]=model'],
      ['claude_code limit 1001', '/v1/organizations/usage_report/claude_code?starting_at=2026-11-20&limit=1001'],
      ['claude_code RFC 3339 day', '/v1/organizations/usage_report/claude_code?starting_at=2026-11-20T00:00:00Z'],
      ['claude_code missing day', '/v1/organizations/usage_report/claude_code'],
      ['list limit 0', '/v1/organizations/users?limit=0'],
      ['list limit 1001', '/v1/organizations/users?limit=1001'],
      ['list unknown after_id', '/v1/organizations/users?after_id=user_nope'],
    ];
    for (const [name, path] of cases) {
      it(`400 invalid_request_error: ${name}`, async function () {
        await expectError(await get(path), 400, 'invalid_request_error');
      });
    }

    it('accepts the maxima: 1d 31, 1h 168, 1m 1440, cost 31, claude_code 1000, lists 1000', async function () {
      const ok: Array<[string, number]> = [
        [`${usage}&limit=31`, 31],
        ['/v1/organizations/usage_report/messages?starting_at=2026-11-01T00:00:00Z&bucket_width=1h&limit=168', 168],
        ['/v1/organizations/usage_report/messages?starting_at=2026-11-25T00:00:00Z&bucket_width=1m&limit=1440', 1440],
        ['/v1/organizations/cost_report?starting_at=2026-10-01T00:00:00Z&limit=31', 31],
      ];
      for (const [path, n] of ok) {
        const body = await getJson<Page<Bucket<unknown>>>(path);
        assert.equal(body.data.length, n, path);
      }
      assert.equal((await get('/v1/organizations/usage_report/claude_code?starting_at=2026-11-20&limit=1000')).status, 200);
      assert.equal((await get('/v1/organizations/users?limit=1000')).status, 200);
    });

    it('per-width default limits: 1d 7, 1h 24, 1m 60, cost 7', async function () {
      const base = '/v1/organizations/usage_report/messages?starting_at=2026-10-01T00:00:00Z';
      assert.equal((await getJson<Page<unknown>>(base)).data.length, 7);
      assert.equal((await getJson<Page<unknown>>(`${base}&bucket_width=1h`)).data.length, 24);
      assert.equal((await getJson<Page<unknown>>(`${base}&bucket_width=1m`)).data.length, 60);
      assert.equal((await getJson<Page<unknown>>('/v1/organizations/cost_report?starting_at=2026-10-01T00:00:00Z')).data.length, 7);
    });

    it('messages: validates the body and answers 404 for an unknown model', async function () {
      await expectError(await probe({ max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }), 400, 'invalid_request_error');
      await expectError(await probe({ model: 'claude-haiku-4-5', messages: [{ role: 'user', content: 'x' }] }), 400, 'invalid_request_error');
      await expectError(await probe({ model: 'claude-haiku-4-5', max_tokens: 1, messages: [] }), 400, 'invalid_request_error');
      const nf = await expectError(await probe({ model: 'claude-nonexistent-9', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }), 404, 'not_found_error');
      assert.match(nf.error.message, /claude-nonexistent-9/);
    });
  });

  describe('usage report', function () {
    it('snaps starting_at to the bucket, ending_at is exclusive, buckets are contiguous oldest first', async function () {
      const body = await getJson<Page<Bucket<unknown>>>(
        '/v1/organizations/usage_report/messages?starting_at=2026-11-20T10:30:00Z&ending_at=2026-11-20T14:00:00Z&bucket_width=1h',
      );
      assert.deepEqual(
        body.data.map((b) => [b.starting_at, b.ending_at]),
        [
          ['2026-11-20T10:00:00Z', '2026-11-20T11:00:00Z'],
          ['2026-11-20T11:00:00Z', '2026-11-20T12:00:00Z'],
          ['2026-11-20T12:00:00Z', '2026-11-20T13:00:00Z'],
          ['2026-11-20T13:00:00Z', '2026-11-20T14:00:00Z'],
        ],
      );
      assert.equal(body.has_more, false);
      assert.equal(body.next_page, null);
    });

    it('returns empty buckets with results: [] (before the history, and for a filter that matches nothing)', async function () {
      const before = await getJson<Page<Bucket<unknown>>>('/v1/organizations/usage_report/messages?starting_at=2026-01-01T00:00:00Z&limit=3');
      assert.equal(before.data.length, 3);
      for (const b of before.data) assert.deepEqual(b.results, []);
      const none = await getJson<Page<Bucket<unknown>>>('/v1/organizations/usage_report/messages?starting_at=2026-11-20T00:00:00Z&models[]=claude-opus-4-1&limit=3');
      assert.equal(none.data.length, 3);
      for (const b of none.data) assert.deepEqual(b.results, []);
    });

    it('never answers buckets after now, and today is partial', async function () {
      const body = await getJson<Page<Bucket<UsageResult>>>('/v1/organizations/usage_report/messages?starting_at=2026-11-26T12:00:00Z&ending_at=2026-11-28T00:00:00Z&bucket_width=1h&limit=100');
      assert.equal(body.data.at(-1)?.starting_at, '2026-11-26T15:00:00Z');
      const minutes = await getJson<Page<Bucket<UsageResult>>>('/v1/organizations/usage_report/messages?starting_at=2026-11-26T15:00:00Z&bucket_width=1m&limit=120');
      assert.equal(minutes.data.length, 38, "15:00..15:37, the minute containing now included");
    });

    it('group_by nulls every other dimension; the Default workspace is null', async function () {
      const body = await getJson<Page<Bucket<UsageResult>>>('/v1/organizations/usage_report/messages?starting_at=2026-11-16T00:00:00Z&ending_at=2026-11-21T00:00:00Z&group_by[]=workspace_id');
      const results = body.data.flatMap((b) => b.results);
      assert.ok(results.length > 0);
      for (const r of results) {
        assert.equal(r.model, null);
        assert.equal(r.api_key_id, null);
        assert.equal(r.service_tier, null);
        assert.equal(r.context_window, null);
      }
      const ids = new Set(results.map((r) => r.workspace_id));
      assert.ok(ids.has(null), 'Default workspace appears as null');
      assert.ok([...ids].some((i) => typeof i === 'string' && i.startsWith('wrkspc_')));

      const ungrouped = await getJson<Page<Bucket<UsageResult>>>('/v1/organizations/usage_report/messages?starting_at=2026-11-16T00:00:00Z&ending_at=2026-11-21T00:00:00Z');
      for (const b of ungrouped.data) assert.equal(b.results.length, 1);
      const sum = (rs: UsageResult[]) => rs.reduce((a, r) => a + r.output_tokens, 0);
      assert.equal(sum(ungrouped.data.flatMap((b) => b.results)), sum(results));
    });

    it('filters and multi-dimension grouping agree with the raw rows', async function () {
      const model = 'claude-sonnet-4-6';
      const q = `starting_at=2026-11-10T00:00:00Z&ending_at=2026-11-17T00:00:00Z&models[]=${model}&group_by[]=service_tier&group_by[]=context_window&group_by[]=inference_geo`;
      const body = await getJson<Page<Bucket<UsageResult>>>(`/v1/organizations/usage_report/messages?${q}`);
      const got = new Map<string, number>();
      for (const r of body.data.flatMap((b) => b.results)) {
        assert.equal(r.model, null);
        const k = `${r.service_tier}|${r.context_window}|${r.inference_geo}`;
        got.set(k, (got.get(k) ?? 0) + r.cache_read_input_tokens);
      }
      const want = new Map<string, number>();
      const a = Date.parse('2026-11-10T00:00:00Z');
      const b = Date.parse('2026-11-17T00:00:00Z');
      for (const r of server.org.rows) {
        if (r.model !== model || r.t < a || r.t >= b) continue;
        const k = `${r.serviceTier}|${r.contextWindow}|${r.inferenceGeo}`;
        want.set(k, (want.get(k) ?? 0) + r.cacheRead);
      }
      assert.deepEqual(got, want);
      assert.ok([...want.keys()].some((k) => k.includes('200k-1M')), 'long-context rows exist');
      assert.ok([...want.keys()].some((k) => k.startsWith('batch')), 'batch rows exist');
    });

    it('pagination to exhaustion equals one big page (1h, limit 5 vs 168)', async function () {
      const base = '/v1/organizations/usage_report/messages?starting_at=2026-11-20T00:00:00Z&ending_at=2026-11-23T00:00:00Z&bucket_width=1h&group_by[]=model';
      const paged = await allPages<Bucket<UsageResult>>(`${base}&limit=5`);
      const one = await getJson<Page<Bucket<UsageResult>>>(`${base}&limit=168`);
      assert.equal(paged.pages, Math.ceil(72 / 5));
      assert.equal(one.has_more, false);
      assert.deepEqual(paged.items, one.data);
      assert.equal(one.data.length, 72);
    });
  });

  describe('properties (random queries over HTTP)', function () {
    const DIMS = ['api_key_id', 'workspace_id', 'model', 'service_tier', 'context_window', 'inference_geo', 'account_id', 'speed'] as const;
    const WIDTH = { '1d': DAY, '1h': 3_600_000, '1m': 60_000 } as const;
    const MAX = { '1d': 31, '1h': 168, '1m': 1440 } as const;
    const total = (bs: Array<Bucket<UsageResult>>) =>
      bs.map((b) => b.results.reduce((a, r) => a + r.output_tokens + r.cache_read_input_tokens + r.server_tool_use.web_search_requests, 0));

    it('usage: paging with any limit equals one page, and any group_by sums to the ungrouped totals', async function () {
      this.timeout(60_000);
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom('1d', '1h', '1m'),
          fc.integer({ min: 0, max: 2000 }),
          fc.integer({ min: 1, max: 20 }),
          fc.subarray([...DIMS]),
          fc.integer({ min: 1, max: 7 }),
          async (width, back, span, groupBy, limit) => {
            const w = WIDTH[width];
            const end = Math.floor(NOW / w) * w - (back % (width === '1d' ? 125 : 2000)) * w;
            const start = end - span * w;
            const iso = (ms: number) => new Date(ms).toISOString();
            const q = `starting_at=${iso(start)}&ending_at=${iso(end)}&bucket_width=${width}${groupBy.map((g) => `&group_by[]=${g}`).join('')}`;
            const base = `/v1/organizations/usage_report/messages?${q}`;
            const paged = await allPages<Bucket<UsageResult>>(`${base}&limit=${limit}`);
            const one = await getJson<Page<Bucket<UsageResult>>>(`${base}&limit=${MAX[width]}`);
            assert.deepEqual(paged.items, one.data);
            assert.equal(one.data.length, span);
            assert.equal(paged.pages, Math.ceil(span / limit));
            const plain = await getJson<Page<Bucket<UsageResult>>>(`/v1/organizations/usage_report/messages?starting_at=${iso(start)}&ending_at=${iso(end)}&bucket_width=${width}&limit=${MAX[width]}`);
            assert.deepEqual(total(one.data), total(plain.data));
            for (const r of one.data.flatMap((b) => b.results)) {
              for (const d of DIMS) if (!groupBy.includes(d)) assert.equal((r as unknown as Record<string, unknown>)[d], null, d);
            }
          },
        ),
        { numRuns: 25 },
      );
    });

    it('usage: one day is the same total at 1d, 1h and 1m', async function () {
      const day = '2026-11-18T00:00:00Z';
      const end = '2026-11-19T00:00:00Z';
      const d = await getJson<Page<Bucket<UsageResult>>>(`/v1/organizations/usage_report/messages?starting_at=${day}&ending_at=${end}&bucket_width=1d`);
      const h = await getJson<Page<Bucket<UsageResult>>>(`/v1/organizations/usage_report/messages?starting_at=${day}&ending_at=${end}&bucket_width=1h&limit=168`);
      const m = await getJson<Page<Bucket<UsageResult>>>(`/v1/organizations/usage_report/messages?starting_at=${day}&ending_at=${end}&bucket_width=1m&limit=1440`);
      const sum = (bs: Array<Bucket<UsageResult>>) => total(bs).reduce((a, b) => a + b, 0);
      assert.ok(sum(d.data) > 0);
      assert.equal(sum(h.data), sum(d.data));
      assert.equal(sum(m.data), sum(d.data));
      assert.equal(h.data.length, 24);
      assert.equal(m.data.length, 1440);
    });

    it('cost: every group_by choice gives the same exact day totals', async function () {
      this.timeout(60_000);
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 1, max: 118 }), fc.integer({ min: 1, max: 10 }), async (back, span) => {
          const start = Math.floor(NOW / DAY) * DAY - back * DAY;
          const q = `/v1/organizations/cost_report?starting_at=${new Date(start).toISOString()}&ending_at=${new Date(start + span * DAY).toISOString()}&limit=31`;
          const totals: string[][] = [];
          for (const g of ['', '&group_by[]=workspace_id', '&group_by[]=description', '&group_by[]=workspace_id&group_by[]=description']) {
            const body = await getJson<Page<Bucket<CostResult>>>(`${q}${g}`);
            totals.push(body.data.map((b) => Decimal.sum(b.results.map((r) => Decimal.parse(r.amount))).toString()));
          }
          for (const t of totals.slice(1)) assert.deepEqual(t, totals[0]);
        }),
        { numRuns: 15 },
      );
    });
  });

  describe('cost report', function () {
    it('amounts are cent strings derived exactly from tokens and the price table', async function () {
      const body = await getJson<Page<Bucket<CostResult>>>('/v1/organizations/cost_report?starting_at=2026-11-18T00:00:00Z&ending_at=2026-11-19T00:00:00Z&group_by[]=description');
      const results = body.data[0]?.results ?? [];
      const tokenLines = results.filter((r) => r.cost_type === 'tokens');
      assert.ok(tokenLines.length > 10);
      assert.ok(results.some((r) => r.cost_type === 'web_search' && r.model === null));
      for (const r of results) {
        assert.equal(typeof r.amount, 'string');
        assert.match(r.amount, /^\d+(\.\d+)?$/);
        assert.equal(r.currency, 'USD');
      }
      // Check one line by hand from the raw rows.
      const line = tokenLines.find((r) => r.token_type === 'output_tokens' && r.model === 'claude-sonnet-4-5-20250929' && r.description?.includes(' Usage') && !r.description.includes('Batch'));
      assert.ok(line);
      const a = Date.parse('2026-11-18T00:00:00Z');
      let tokens = 0;
      for (const row of server.org.rows) {
        if (row.t >= a && row.t < a + DAY && row.model === 'claude-sonnet-4-5-20250929' && row.serviceTier === 'standard') tokens += row.output;
      }
      assert.equal(line.amount, Decimal.parse('15').mulInt(tokens).shift(4).toString());
    });

    it('ungrouped: one line per day with every dimension null', async function () {
      const body = await getJson<Page<Bucket<CostResult>>>('/v1/organizations/cost_report?starting_at=2026-11-18T00:00:00Z&limit=3');
      for (const b of body.data) {
        assert.equal(b.results.length, 1);
        const r = b.results[0] as CostResult;
        assert.equal(r.description, null);
        assert.equal(r.model, null);
        assert.equal(r.workspace_id, null);
        assert.equal(r.cost_type, null);
      }
    });

    it('pagination to exhaustion equals one big page (limit 4 vs 31)', async function () {
      const base = '/v1/organizations/cost_report?starting_at=2026-10-20T00:00:00Z&ending_at=2026-11-20T00:00:00Z&group_by[]=workspace_id&group_by[]=description';
      const paged = await allPages<Bucket<CostResult>>(`${base}&limit=4`);
      const one = await getJson<Page<Bucket<CostResult>>>(`${base}&limit=31`);
      assert.equal(paged.pages, 8);
      assert.deepEqual(paged.items, one.data);
    });
  });

  describe('claude_code report', function () {
    it('pagination to exhaustion equals one big page; both date forms occur over the history', async function () {
      const day = '2026-11-24';
      const paged = await allPages<CcRecord>(`/v1/organizations/usage_report/claude_code?starting_at=${day}&limit=2`);
      const one = await getJson<Page<CcRecord>>(`/v1/organizations/usage_report/claude_code?starting_at=${day}&limit=1000`);
      assert.ok(one.data.length >= 3);
      assert.deepEqual(paged.items, one.data);
      assert.ok(paged.items.some((r) => r.actor.type === 'api_actor'));
      const forms = new Set<string>();
      for (let d = Date.parse('2026-11-01T00:00:00Z'); d < NOW - DAY; d += DAY) {
        const date = new Date(d).toISOString().slice(0, 10);
        const body = await getJson<Page<CcRecord>>(`/v1/organizations/usage_report/claude_code?starting_at=${date}&limit=1000`);
        for (const r of body.data) forms.add(r.date === date ? 'day' : r.date === `${date}T00:00:00Z` ? 'rfc3339' : `bad:${r.date}`);
      }
      assert.deepEqual([...forms].sort(), ['day', 'rfc3339']);
    });

    it('only shows data older than one hour; a future day is empty', async function () {
      const future = await getJson<Page<CcRecord>>('/v1/organizations/usage_report/claude_code?starting_at=2026-11-28');
      assert.deepEqual(future, { data: [], has_more: false, next_page: null });
      const today = await getJson<Page<CcRecord>>('/v1/organizations/usage_report/claude_code?starting_at=2026-11-26&limit=1000');
      const sessionsNow = today.data.reduce((a, r) => a + r.core_metrics.num_sessions, 0);
      clock = NOW - 3 * 3_600_000; // three hours earlier: less is visible
      const earlier = await getJson<Page<CcRecord>>('/v1/organizations/usage_report/claude_code?starting_at=2026-11-26&limit=1000');
      const sessionsEarlier = earlier.data.reduce((a, r) => a + r.core_metrics.num_sessions, 0);
      assert.ok(sessionsEarlier < sessionsNow, `${sessionsEarlier} < ${sessionsNow}`);
    });

    it("the api actor's tokens equal its key's usage rows for the day's complete hours", async function () {
      const day = '2026-11-19';
      const body = await getJson<Page<CcRecord>>(`/v1/organizations/usage_report/claude_code?starting_at=${day}&limit=1000`);
      const ci = body.data.find((r) => r.actor.type === 'api_actor');
      assert.ok(ci);
      const key = server.org.apiKeys.find((k) => k.name === 'claude-code-ci');
      const a = Date.parse(`${day}T00:00:00Z`);
      const want: Record<string, number> = {};
      for (const r of server.org.rows) if (r.apiKeyId === key?.id && r.t >= a && r.t < a + DAY) want[r.model] = (want[r.model] ?? 0) + r.output;
      const got = Object.fromEntries(ci.model_breakdown.map((m) => [m.model, m.tokens.output]));
      assert.deepEqual(got, want);
    });
  });

  describe('list endpoints', function () {
    for (const name of ['workspaces', 'api_keys', 'users'] as const) {
      it(`${name}: after_id pages to exhaustion equal one page; before_id walks back`, async function () {
        const one = await getJson<{ data: Array<{ id: string }>; has_more: boolean; first_id: string; last_id: string }>(`/v1/organizations/${name}?limit=1000`);
        assert.equal(one.has_more, false);
        assert.ok(one.data.length >= 3);
        const items: Array<{ id: string }> = [];
        let after: string | null = null;
        for (;;) {
          const page: { data: Array<{ id: string }>; has_more: boolean; first_id: string | null; last_id: string | null } = await getJson(
            `/v1/organizations/${name}?limit=2${after ? `&after_id=${after}` : ''}`,
          );
          items.push(...page.data);
          assert.equal(page.first_id, page.data[0]?.id ?? null);
          assert.equal(page.last_id, page.data.at(-1)?.id ?? null);
          if (!page.has_more) break;
          after = page.last_id;
        }
        assert.deepEqual(items, one.data);
        const lastId = one.data.at(-1)?.id as string;
        const back = await getJson<{ data: Array<{ id: string }>; has_more: boolean }>(`/v1/organizations/${name}?limit=2&before_id=${lastId}`);
        assert.deepEqual(back.data, one.data.slice(-3, -1));
      });
    }

    it('the org has >= 3 workspaces, >= 6 keys (some in Default), >= 5 users, >= 6 models', function () {
      assert.ok(server.org.workspaces.filter((w) => w.archived_at === null).length >= 3);
      assert.ok(server.org.apiKeys.length >= 6);
      assert.ok(server.org.apiKeys.some((k) => k.workspace_id === null));
      assert.ok(server.org.users.length >= 5);
      const models = new Set(server.org.rows.map((r) => r.model));
      assert.ok(models.size >= 6);
      for (const m of models) assert.ok(modelInfo(m), `${m} is priced`);
    });

    it('rate_limits lists the configured limits per model group', async function () {
      const body = await getJson<{ data: Array<{ group_type: string; models: string[]; limits: Array<{ type: string; value: number }> }> }>('/v1/organizations/rate_limits');
      assert.ok(body.data.length >= 3);
      const sonnet = body.data.find((g) => g.models.includes('claude-sonnet-4-6'));
      assert.deepEqual(sonnet?.limits.find((l) => l.type === 'requests_per_minute')?.value, 4000);
    });
  });

  describe('rate-limit headers', function () {
    it('a probe drains the requests bucket and time refills it continuously', async function () {
      const rem = (res: Response, h: string) => Number(res.headers.get(`anthropic-ratelimit-${h}-remaining`));
      const model = 'claude-opus-4-5-20251101';
      const body = { model, max_tokens: 1, messages: [{ role: 'user', content: 'Hi' }] };
      const r1 = await probe(body);
      const limit = Number(r1.headers.get('anthropic-ratelimit-requests-limit'));
      const first = rem(r1, 'requests');
      const r2 = await probe(body);
      assert.equal(rem(r2, 'requests'), first - 1);
      // A large prompt drains input tokens (reported rounded to the nearest thousand).
      const inBefore = rem(r2, 'input-tokens');
      const big = await probe({ ...body, messages: [{ role: 'user', content: 'x'.repeat(400_000) }] });
      const m = (await big.json()) as { usage: { input_tokens: number; output_tokens: number } };
      assert.equal(m.usage.input_tokens, 100_007);
      assert.equal(rem(big, 'input-tokens'), inBefore - 100_000);
      assert.equal(rem(big, 'input-tokens') % 1000, 0);
      // Half a minute later, half the capacity has flowed back in (capped at the limit).
      clock += 30_000;
      const r3 = await probe(body);
      assert.equal(rem(r3, 'requests'), limit - 1);
      assert.equal(rem(r3, 'input-tokens'), Number(r3.headers.get('anthropic-ratelimit-input-tokens-limit')));
      assert.match(r3.headers.get('anthropic-ratelimit-requests-reset') ?? '', /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    });

    it('an exhausted bucket answers 429 with retry-after', async function () {
      const s = await startMockServer({ seed: 7, now: () => new Date(NOW), rateLimits: { backgroundLoad: false, limits: { haiku: { requests: 2 } } } });
      try {
        const send = () =>
          fetch(`${s.url}/v1/messages`, {
            method: 'POST',
            headers: { ...VERSION, 'x-api-key': s.keys.standard, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'Hi' }] }),
          });
        assert.equal((await send()).status, 200);
        assert.equal((await send()).status, 200);
        const third = await send();
        await expectError(third, 429, 'rate_limit_error');
        assert.ok(Number(third.headers.get('retry-after')) >= 1);
        assert.equal(third.headers.get('anthropic-ratelimit-requests-remaining'), '0');
      } finally {
        await s.close();
      }
    });

    it('families: combined tokens by class, priority for the configured model, unified on request', async function () {
      const haiku = await probe({ model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'Hi' }] });
      assert.equal(haiku.headers.get('anthropic-ratelimit-tokens-limit'), null);
      assert.equal(haiku.headers.get('anthropic-ratelimit-unified-status'), null);
      assert.ok(haiku.headers.get('anthropic-organization-id'));
      assert.ok(haiku.headers.get('request-id'));
      const sonnet = await probe();
      assert.ok(Number(sonnet.headers.get('anthropic-ratelimit-tokens-limit')) > 0);
      assert.equal(sonnet.headers.get('anthropic-priority-input-tokens-limit'), null);
      assert.equal(sonnet.headers.get('anthropic-fast-input-tokens-limit'), null);
      server.setRateLimitOptions({ priorityModel: 'claude-sonnet-4-5', unified: true, fastModel: 'sonnet-4' });
      try {
        const both = await probe();
        assert.ok(Number(both.headers.get('anthropic-priority-input-tokens-limit')) > 0);
        assert.ok(Number(both.headers.get('anthropic-priority-output-tokens-remaining')) >= 0);
        assert.match(both.headers.get('anthropic-ratelimit-unified-status') ?? '', /^(allowed|allowed_warning|rejected)$/);
        assert.match(both.headers.get('anthropic-ratelimit-unified-5h-reset') ?? '', /^\d{10}$/);
        assert.ok(Number(both.headers.get('anthropic-ratelimit-unified-7d-utilization')) > 0);
        assert.ok(Number(both.headers.get('anthropic-fast-output-tokens-limit')) > 0);
        assert.match(both.headers.get('anthropic-fast-input-tokens-reset') ?? '', /Z$/);
      } finally {
        server.setRateLimitOptions({ priorityModel: undefined, unified: false, fastModel: undefined });
      }
    });

    it('background load makes the numbers move over time', async function () {
      const s = await startMockServer({ seed: 7, now: () => new Date(clock) });
      try {
        const seen = new Set<string>();
        for (let i = 0; i < 5; i++) {
          clock += 90_000;
          const res = await fetch(`${s.url}/v1/messages`, {
            method: 'POST',
            headers: { ...VERSION, 'x-api-key': s.keys.standard, 'content-type': 'application/json' },
            body: JSON.stringify({ model: 'claude-haiku-4-5', max_tokens: 1, messages: [{ role: 'user', content: 'Hi' }] }),
          });
          seen.add(res.headers.get('anthropic-ratelimit-output-tokens-remaining') ?? '');
        }
        assert.ok(seen.size >= 3, [...seen].join(','));
      } finally {
        await s.close();
      }
    });
  });

  describe('faults', function () {
    const costPath = '/v1/organizations/cost_report?starting_at=2026-11-20T00:00:00Z';
    const simple: Array<[FaultKind, number, string]> = [
      ['rate_limited', 429, 'rate_limit_error'],
      ['spend_cap', 429, 'rate_limit_error'],
      ['org_spend_limit', 400, 'invalid_request_error'],
      ['overloaded', 529, 'overloaded_error'],
      ['server_error', 500, 'api_error'],
      ['gateway_timeout', 504, 'timeout_error'],
      ['unauthorized', 401, 'authentication_error'],
      ['forbidden', 403, 'permission_error'],
    ];
    for (const [kind, status, type] of simple) {
      it(`${kind}: ${status} ${type}, once, then normal`, async function () {
        server.injectFault({ kind, path: '/v1/organizations/cost_report' });
        const plain = await get(costPath);
        assert.equal(plain.status, status);
        assert.equal(plain.headers.get('retry-after'), kind === 'rate_limited' ? '1' : null, 'default retry-after only for rate_limited');
        await plain.text();
        server.injectFault({ kind, path: '/v1/organizations/cost_report', retryAfterSeconds: 7 });
        const res = await get(costPath);
        const body = await expectError(res, status, type);
        const withRetryAfter = ['rate_limited', 'overloaded', 'server_error', 'gateway_timeout'];
        assert.equal(res.headers.get('retry-after'), withRetryAfter.includes(kind) ? '7' : null);
        if (kind === 'spend_cap') {
          assert.equal(body.error.details?.error_code, 'enforced_spend_limit_reached');
          assert.match(body.error.message, /\d{4}-\d{2}-\d{2}/);
        }
        if (kind === 'org_spend_limit') assert.match(body.error.message, /^You have reached your specified .* API usage limits/);
        assert.equal((await get(costPath)).status, 200);
      });
    }

    it('covers every fault kind in this file', function () {
      const tested = new Set([...simple.map((s) => s[0]), 'slow', 'reset', 'truncated_json', 'invalid_json', 'schema_drift', 'repeat_cursor']);
      assert.deepEqual([...FAULT_KINDS].filter((k) => !tested.has(k)), []);
    });

    it('retry-after-ms and x-should-retry are sent when asked; faults match by path prefix, FIFO, times', async function () {
      server.injectFault({ kind: 'overloaded', path: '/v1/messages', retryAfterMs: 1500, shouldRetry: false, times: 2 });
      server.injectFault({ kind: 'server_error', path: '/v1/messages' });
      assert.equal((await get(costPath)).status, 200, 'other paths unaffected');
      for (let i = 0; i < 2; i++) {
        const r = await probe();
        await expectError(r, 529, 'overloaded_error');
        assert.equal(r.headers.get('retry-after-ms'), '1500');
        assert.equal(r.headers.get('x-should-retry'), 'false');
      }
      await expectError(await probe(), 500, 'api_error');
      assert.equal((await probe()).status, 200);
      server.injectFault({ kind: 'server_error', times: Infinity });
      for (let i = 0; i < 3; i++) assert.equal((await get(costPath)).status, 500);
      server.clearFaults();
      assert.equal((await get(costPath)).status, 200);
    });

    it('slow: answers normally after the delay, and survives a client that gives up', async function () {
      server.injectFault({ kind: 'slow', delayMs: 150 });
      const t0 = performance.now();
      const res = await get('/v1/organizations/me');
      assert.equal(res.status, 200);
      assert.ok(performance.now() - t0 >= 140);
      server.resetRequests();
      server.injectFault({ kind: 'slow', delayMs: 5_000 });
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      await assert.rejects(fetch(`${server.url}/v1/organizations/me`, { headers: { ...VERSION, 'x-api-key': server.keys.admin }, signal: controller.signal }));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(server.requests[0]?.status, 0, 'recorded as unanswered');
      assert.equal((await get('/v1/organizations/me')).status, 200);
    });

    it('reset: headers then half a body, then the socket dies', async function () {
      server.injectFault({ kind: 'reset' });
      const res = await get(costPath);
      assert.equal(res.status, 200);
      await assert.rejects(res.text());
    });

    it('truncated_json: 200 with a body that is cut off', async function () {
      server.injectFault({ kind: 'truncated_json' });
      const res = await get(costPath);
      assert.equal(res.status, 200);
      const text = await res.text();
      assert.ok(text.startsWith('{"data":'));
      assert.throws(() => JSON.parse(text), SyntaxError);
    });

    it('invalid_json: 200 with an HTML page', async function () {
      server.injectFault({ kind: 'invalid_json' });
      const res = await get(costPath);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /text\/html/);
      assert.match(await res.text(), /^<html>/);
    });

    it('schema_drift: a required field renamed or mistyped, per endpoint', async function () {
      server.injectFault({ kind: 'schema_drift' });
      const cost = (await (await get(costPath)).json()) as Page<Bucket<{ amount: unknown }>>;
      assert.equal(typeof cost.data[0]?.results[0]?.amount, 'object');
      server.injectFault({ kind: 'schema_drift' });
      const usage = (await (await get('/v1/organizations/usage_report/messages?starting_at=2026-11-20T00:00:00Z')).json()) as Page<Bucket<{ uncached_input_tokens: unknown }>>;
      assert.equal(typeof usage.data[0]?.results[0]?.uncached_input_tokens, 'string');
      server.injectFault({ kind: 'schema_drift' });
      const users = (await (await get('/v1/organizations/users')).json()) as Record<string, unknown>;
      assert.equal(users.data, undefined);
      server.injectFault({ kind: 'schema_drift' });
      const cc = (await (await get('/v1/organizations/usage_report/claude_code?starting_at=2026-11-20')).json()) as Page<Record<string, unknown>>;
      assert.equal(cc.data[0]?.core_metrics, undefined);
      server.injectFault({ kind: 'schema_drift' });
      const msg = (await (await probe()).json()) as Record<string, unknown>;
      assert.equal(msg.usage, undefined);
    });

    it('repeat_cursor: next_page comes back as the cursor it was asked with', async function () {
      const base = '/v1/organizations/usage_report/messages?starting_at=2026-11-01T00:00:00Z&limit=2';
      server.injectFault({ kind: 'repeat_cursor' });
      const first = await getJson<Page<unknown>>(base);
      assert.equal(first.has_more, true);
      const cursor = first.next_page as string;
      const second = await getJson<Page<unknown>>(`${base}&page=${encodeURIComponent(cursor)}`);
      assert.equal(second.next_page, cursor);
      // Lists: last_id repeats the after_id.
      server.injectFault({ kind: 'repeat_cursor' });
      const p1 = await getJson<{ has_more: boolean; last_id: string }>('/v1/organizations/users?limit=2');
      const p2 = await getJson<{ has_more: boolean; last_id: string }>(`/v1/organizations/users?limit=2&after_id=${p1.last_id}`);
      assert.equal(p2.has_more, true);
      assert.equal(p2.last_id, p1.last_id);
    });

    it('control endpoints: faults over HTTP, request log, ledger', async function () {
      const post = await fetch(`${server.url}/__control/faults`, {
        method: 'POST',
        body: JSON.stringify([{ kind: 'overloaded', path: '/v1/organizations/me' }, { kind: 'rate_limited', path: '/v1/organizations/me', retryAfterSeconds: 3, times: null }]),
      });
      assert.equal(post.status, 200);
      assert.equal((await get('/v1/organizations/me')).status, 529);
      assert.equal((await get('/v1/organizations/me')).status, 429);
      assert.equal((await get('/v1/organizations/me')).status, 429);
      assert.equal((await fetch(`${server.url}/__control/faults`, { method: 'DELETE' })).status, 200);
      assert.equal((await get('/v1/organizations/me')).status, 200);
      const log = (await (await fetch(`${server.url}/__control/requests`)).json()) as Array<{ status: number; requestId: string }>;
      assert.ok(log.length > 0 && log.every((r) => /^req_/.test(r.requestId)));
      await fetch(`${server.url}/__control/requests`, { method: 'DELETE' });
      assert.equal(server.requests.length, 0);
      const ledger = await (await fetch(`${server.url}/__control/ledger?kind=costs&since=2026-11-01&until=2026-11-08&groupBy=workspace`)).json();
      assert.deepEqual(ledger, server.ledger.expectedCosts('2026-11-01', '2026-11-08', 'workspace'));
    });
  });

  describe('standalone (npm run mock-api)', function () {
    it('prints its URL and the exports, serves, and exits on SIGTERM', async function () {
      this.timeout(30_000);
      const child = spawn(process.execPath, ['--import', 'tsx', 'test/server/main.ts', '--port', '0', '--seed', '3', '--print-keys', '--latency', '5'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      try {
        let out = '';
        child.stdout.setEncoding('utf8');
        await new Promise<void>((resolve, reject) => {
          child.stdout.on('data', (d: string) => {
            out += d;
            if (out.includes('ANTHROPIC_ADMIN_API_KEY=')) resolve();
          });
          child.once('exit', (code) => reject(new Error(`exited early (${code}): ${out}`)));
        });
        const url = /^Anthropic mock API listening on (http:\/\/127\.0\.0\.1:\d+)$/m.exec(out)?.[1];
        assert.ok(url, out);
        assert.ok(out.includes(`export ANTHROPIC_BASE_URL=${url}\n`));
        assert.ok(out.includes(`export ANTHROPIC_ADMIN_API_KEY=${sampleKeys().admin}\n`));
        const res = await fetch(`${url}/v1/organizations/me`, { headers: { ...VERSION, 'x-api-key': sampleKeys().admin } });
        assert.equal(res.status, 200);
        const exited = once(child, 'exit');
        child.kill('SIGTERM');
        const [code] = (await exited) as [number | null];
        assert.equal(code, 0);
      } finally {
        if (child.exitCode === null) child.kill('SIGKILL');
      }
    });
  });

  describe('ledger', function () {
    it('is deterministic for the same seed and now, different for another seed, and past days do not depend on now', function () {
      const keys = sampleKeys();
      const a = generateOrg({ seed: 7, now: NOW, keys });
      const b = generateOrg({ seed: 7, now: NOW, keys });
      assert.deepEqual(a, b);
      assert.deepEqual(server.ledger.expectedCosts('2026-11-01', '2026-11-20'), server.ledger.expectedCosts('2026-11-01', '2026-11-20'));
      const c = generateOrg({ seed: 8, now: NOW, keys });
      assert.notDeepEqual(c.rows.slice(0, 50), a.rows.slice(0, 50));
      const later = generateOrg({ seed: 7, now: NOW + 5 * 3_600_000, keys });
      const cut = Date.parse('2026-11-26T00:00:00Z');
      const first = Date.parse('2026-08-01T00:00:00Z');
      const past = (o: typeof a) => o.rows.filter((r) => r.t >= first && r.t < cut);
      assert.deepEqual(past(later), past(a));
      assert.ok(later.rows.length > a.rows.length);
      assert.ok(a.rows.every((r) => r.t + 60_000 <= NOW), 'nothing in the future');
    });

    it('has a weekly rhythm: weekends are quieter than weekdays', function () {
      const perDow = new Array<number>(7).fill(0);
      for (const r of server.org.rows) {
        const dow = new Date(r.t).getUTCDay();
        perDow[dow] = (perDow[dow] ?? 0) + r.output;
      }
      const weekday = (perDow[2] as number) + (perDow[3] as number);
      const weekend = (perDow[0] as number) + (perDow[6] as number);
      assert.ok(weekend < weekday / 2, `${weekend} vs ${weekday}`);
    });

    it('costs equal an exact sum over raw cost_report responses (31 days, by description)', async function () {
      const body = await getJson<Page<Bucket<CostResult>>>('/v1/organizations/cost_report?starting_at=2026-10-26T00:00:00Z&ending_at=2026-11-26T00:00:00Z&limit=31&group_by[]=description');
      const days = body.data
        .map((b) => {
          const byModel = new Map<string, Decimal>();
          let total = Decimal.ZERO;
          for (const r of b.results) {
            const usd = Decimal.parse(r.amount).shift(2);
            total = total.add(usd);
            const k = r.model ?? '(non-token)';
            byModel.set(k, (byModel.get(k) ?? Decimal.ZERO).add(usd));
          }
          return { date: b.starting_at.slice(0, 10), totalUsd: total, byModel };
        })
        .filter((d) => d.byModel.size > 0);
      const grand = Decimal.sum(days.map((d) => d.totalUsd));
      const json = {
        currency: 'USD',
        totalUsd: grand.toString(),
        days: days.map((d) => ({
          date: d.date,
          totalUsd: d.totalUsd.toString(),
          byModel: Object.fromEntries([...d.byModel].map(([k, v]) => [k, v.toString()])),
        })),
      };
      const expected = server.ledger.expectedCosts('2026-10-26', '2026-11-26');
      assert.deepStrictEqual(json, expected);
      assert.equal(expected.days.length, 31);
      assert.ok(Decimal.parse(expected.totalUsd).cmp(Decimal.parse('100')) > 0, `a month costs more than $100: ${expected.totalUsd}`);
    });

    it('tokens equal a sum over raw usage_report responses (1d, by model, paged)', async function () {
      const { items } = await allPages<Bucket<UsageResult>>('/v1/organizations/usage_report/messages?starting_at=2026-11-01T00:00:00Z&group_by[]=model');
      const days = items
        .filter((b) => b.results.length > 0)
        .map((b) => ({
          date: b.starting_at.slice(0, 10),
          byModel: Object.fromEntries(
            b.results.map((r) => [
              r.model as string,
              {
                uncachedInput: r.uncached_input_tokens,
                cacheWrite5m: r.cache_creation.ephemeral_5m_input_tokens,
                cacheWrite1h: r.cache_creation.ephemeral_1h_input_tokens,
                cacheRead: r.cache_read_input_tokens,
                output: r.output_tokens,
                webSearches: r.server_tool_use.web_search_requests,
              },
            ]),
          ),
        }));
      assert.deepStrictEqual({ days }, server.ledger.expectedTokens('2026-11-01'));
      assert.equal(days.at(-1)?.date, '2026-11-26', 'today (partial) is included');
    });

    it('claude-code equals a sum over raw per-day responses', async function () {
      const days: Array<Record<string, unknown>> = [];
      const actors = new Map<string, { sessions: number; linesAdded: number; linesRemoved: number; commits: number; pullRequests: number; toolAccepted: number; toolRejected: number; cost: Decimal }>();
      for (let d = Date.parse('2026-11-15T00:00:00Z'); d <= NOW; d += DAY) {
        const date = new Date(d).toISOString().slice(0, 10);
        const { items } = await allPages<CcRecord>(`/v1/organizations/usage_report/claude_code?starting_at=${date}&limit=3`);
        if (items.length === 0) continue;
        const day = { sessions: 0, linesAdded: 0, linesRemoved: 0, commits: 0, pullRequests: 0, toolAccepted: 0, toolRejected: 0, cost: Decimal.ZERO };
        for (const r of items) {
          const name = r.actor.type === 'user_actor' ? r.actor.email_address : r.actor.api_key_name;
          const actor = actors.get(name) ?? { sessions: 0, linesAdded: 0, linesRemoved: 0, commits: 0, pullRequests: 0, toolAccepted: 0, toolRejected: 0, cost: Decimal.ZERO };
          actors.set(name, actor);
          for (const acc of [day, actor]) {
            acc.sessions += r.core_metrics.num_sessions;
            acc.linesAdded += r.core_metrics.lines_of_code.added;
            acc.linesRemoved += r.core_metrics.lines_of_code.removed;
            acc.commits += r.core_metrics.commits_by_claude_code;
            acc.pullRequests += r.core_metrics.pull_requests_by_claude_code;
            for (const t of Object.values(r.tool_actions)) {
              acc.toolAccepted += t.accepted;
              acc.toolRejected += t.rejected;
            }
            for (const m of r.model_breakdown) acc.cost = acc.cost.add(Decimal.fromNumber(m.estimated_cost.amount));
          }
        }
        const { cost, ...rest } = day;
        days.push({ date, ...rest, costUsd: cost.shift(2).toString() });
      }
      const actorList = [...actors]
        .sort((x, y) => y[1].cost.cmp(x[1].cost) || (x[0] < y[0] ? -1 : 1))
        .map(([actor, { cost, ...rest }]) => ({ actor, ...rest, costUsd: cost.shift(2).toString() }));
      assert.deepStrictEqual({ days, actors: actorList }, server.ledger.expectedClaudeCode('2026-11-15'));
      assert.ok(actorList.length >= 5);
    });

    it('with groupBy adds byWorkspace / byDescription that sum to the day total', function () {
      for (const g of ['workspace', 'description'] as const) {
        const e = server.ledger.expectedCosts('2026-11-10', '2026-11-13', g);
        for (const d of e.days) {
          const map = g === 'workspace' ? d.byWorkspace : d.byDescription;
          assert.ok(map);
          assert.equal(Decimal.sum(Object.values(map).map((v) => Decimal.parse(v))).toString(), d.totalUsd);
          assert.equal(Decimal.sum(Object.values(d.byModel).map((v) => Decimal.parse(v))).toString(), d.totalUsd);
        }
      }
      assert.ok('(default)' in (server.ledger.expectedCosts('2026-11-10', '2026-11-11', 'workspace').days[0]?.byWorkspace ?? {}));
    });

    it('prices: batch halves, US-only 4.6+ is 1.1x, older models have no geo premium', function () {
      assert.equal(tokenCostCents('claude-sonnet-4-6', 'output_tokens', 1_000_000, 'standard', 'global').toString(), '1500');
      assert.equal(tokenCostCents('claude-sonnet-4-6', 'output_tokens', 1_000_000, 'batch', 'us').toString(), '825');
      assert.equal(tokenCostCents('claude-sonnet-4-5-20250929', 'output_tokens', 1_000_000, 'standard', 'us').toString(), '1500');
      assert.equal(tokenCostCents('claude-3-5-haiku-20241022', 'cache_read_input_tokens', 1, 'standard', 'global').toString(), '0.000008');
      assert.equal(tokenCostCents('claude-opus-4-1', 'cache_creation.ephemeral_1h_input_tokens', 1_000_000, 'standard', 'global').toString(), '3000');
    });
  });
});
