import { strict as assert } from 'node:assert';
import { ApiError } from '../../src/core/anthropic/errors';
import { parseRateLimitHeaders } from '../../src/core/anthropic/rateLimitHeaders';
import {
  claudeCodePageSchema,
  costPageSchema,
  formatPath,
  toClaudeCodeRecords,
  toCostBuckets,
  toUsageBuckets,
  usagePageSchema,
  validate,
} from '../../src/core/anthropic/schemas';

const ctx = { endpoint: '/v1/organizations/cost_report', requestId: 'req_1', status: 200 };

function costPage(amounts: unknown[]) {
  return {
    data: [
      {
        starting_at: '2025-08-01T00:00:00Z',
        ending_at: '2025-08-02T00:00:00Z',
        results: amounts.map((amount) => ({ amount, currency: 'USD', model: 'claude-x', extra_future_field: 1 })),
      },
    ],
    has_more: false,
    next_page: null,
  };
}

function invalid(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    assert.equal(e.kind, 'invalidResponse');
    return e;
  }
  assert.fail('expected invalidResponse');
}

describe('anthropic schemas', () => {
  it('converts cent strings to exact dollars and ignores unknown fields', () => {
    const b = toCostBuckets(validate(costPageSchema, costPage(['123.45', '0.000001', '1e2']), ctx));
    assert.deepEqual(
      b[0]!.results.map((r) => [r.amountUsd.toString(), r.amountCentsRaw]),
      [
        ['1.2345', '123.45'],
        ['0.00000001', '0.000001'],
        ['1', '1e2'],
      ],
    );
    assert.equal(b[0]!.results[0]!.workspaceId, null);
    assert.equal(b[0]!.results[0]!.description, null);
    assert.ok(!('extra_future_field' in b[0]!.results[0]!));
  });

  it('names the JSON path of a non-decimal or mistyped amount', () => {
    const e1 = invalid(() => validate(costPageSchema, costPage(['1.00', 'ten']), ctx));
    assert.equal(e1.path, 'data[0].results[1].amount');
    assert.equal(e1.requestId, 'req_1');
    assert.match(e1.message, /data\[0\]\.results\[1\]\.amount/);
    const e2 = invalid(() => validate(costPageSchema, costPage([12.5]), ctx));
    assert.equal(e2.path, 'data[0].results[0].amount');
  });

  it('checks required fields and integer tokens in the usage report', () => {
    const good = {
      data: [
        {
          starting_at: '2025-08-01T00:00:00Z',
          ending_at: '2025-08-02T00:00:00Z',
          results: [
            {
              uncached_input_tokens: 10,
              cache_creation: { ephemeral_5m_input_tokens: 1, ephemeral_1h_input_tokens: 2 },
              cache_read_input_tokens: 3,
              output_tokens: 4,
              server_tool_use: { web_search_requests: 5 },
              model: 'claude-sonnet-4-5',
              workspace_id: null,
            },
          ],
        },
        { starting_at: '2025-08-02T00:00:00Z', ending_at: '2025-08-03T00:00:00Z', results: [] },
      ],
      has_more: false,
      next_page: null,
    };
    const buckets = toUsageBuckets(validate(usagePageSchema, good, ctx));
    assert.deepEqual(buckets[0]!.results[0], {
      uncachedInput: 10,
      cacheWrite5m: 1,
      cacheWrite1h: 2,
      cacheRead: 3,
      output: 4,
      webSearches: 5,
      model: 'claude-sonnet-4-5',
      apiKeyId: null,
      workspaceId: null,
      serviceTier: null,
      contextWindow: null,
      inferenceGeo: null,
      accountId: null,
      serviceAccountId: null,
      speed: null,
    });
    assert.equal(buckets[1]!.results.length, 0);
    const frac = structuredClone(good);
    frac.data[0]!.results[0]!.output_tokens = 4.5;
    assert.equal(invalid(() => validate(usagePageSchema, frac, ctx)).path, 'data[0].results[0].output_tokens');
    const missing = structuredClone(good) as { data: Array<{ results: Array<Record<string, unknown>> }> };
    delete missing.data[0]!.results[0]!.uncached_input_tokens;
    assert.equal(invalid(() => validate(usagePageSchema, missing, ctx)).path, 'data[0].results[0].uncached_input_tokens');
    assert.equal(invalid(() => validate(usagePageSchema, { has_more: false }, ctx)).path, 'data');
  });

  it('reads both Claude Code date forms, the nested record and cents as a number', () => {
    const rec = (date: string) => ({
      date,
      actor: { type: 'user_actor', email_address: 'a@example.com' },
      organization_id: 'org',
      customer_type: 'api',
      subscription_type: null,
      terminal_type: 'vscode',
      core_metrics: {
        num_sessions: 2,
        lines_of_code: { added: 10, removed: 3 },
        commits_by_claude_code: 1,
        pull_requests_by_claude_code: 0,
      },
      tool_actions: { edit_tool: { accepted: 4, rejected: 1 }, future_tool: { accepted: 1, rejected: 0 } },
      model_breakdown: [
        {
          model: 'claude-sonnet-4-5',
          tokens: { input: 1, output: 2, cache_read: 3, cache_creation: 4 },
          estimated_cost: { currency: 'USD', amount: 18.7 },
        },
      ],
    });
    const page = { data: [rec('2025-08-08T00:00:00Z'), rec('2025-08-08')], has_more: false, next_page: null };
    const [a, b] = toClaudeCodeRecords(validate(claudeCodePageSchema, page, ctx));
    assert.equal(a!.date, '2025-08-08');
    assert.equal(b!.date, '2025-08-08');
    assert.deepEqual(a!.actor, { type: 'user_actor', emailAddress: 'a@example.com' });
    assert.equal(a!.modelBreakdown[0]!.estimatedCostUsd.toString(), '0.187');
    assert.deepEqual(a!.toolActions.future_tool, { accepted: 1, rejected: 0 });
    const bad = structuredClone(page);
    bad.data[1]!.date = '08/08/2025';
    assert.equal(invalid(() => validate(claudeCodePageSchema, bad, ctx)).path, 'data[1].date');
    const badActor = structuredClone(page) as { data: Array<{ actor: unknown }> };
    badActor.data[0]!.actor = { type: 'user_actor' };
    assert.equal(invalid(() => validate(claudeCodePageSchema, badActor, ctx)).path, 'data[0].actor.email_address');
  });

  it('formats zod paths', () => {
    assert.equal(formatPath(['data', 3, 'results', 0, 'amount']), 'data[3].results[0].amount');
    assert.equal(formatPath([]), '(root)');
  });
});

describe('rate-limit headers', () => {
  it('reads every family and leaves absent ones undefined', () => {
    const h = {
      'request-id': 'req_9',
      'anthropic-organization-id': 'org_1',
      'anthropic-ratelimit-requests-limit': '50',
      'anthropic-ratelimit-requests-remaining': '49',
      'anthropic-ratelimit-requests-reset': '2026-01-01T00:00:01Z',
      'anthropic-ratelimit-input-tokens-limit': '30000',
      'anthropic-ratelimit-input-tokens-remaining': '29000',
      'anthropic-ratelimit-output-tokens-remaining': 'n/a',
      'anthropic-priority-input-tokens-limit': '1000',
      'anthropic-fast-output-tokens-remaining': '7',
      'anthropic-ratelimit-unified-status': 'allowed_warning',
      'anthropic-ratelimit-unified-5h-utilization': '0.42',
      'anthropic-ratelimit-unified-7d-utilization': '1.05',
      'anthropic-ratelimit-unified-5h-reset': '1767225600',
      'anthropic-ratelimit-unified-overage-status': 'rejected',
    };
    const s = parseRateLimitHeaders('claude-haiku-4-5', h, { inputTokens: 8, outputTokens: 1 }, new Date(0));
    assert.deepEqual(s, {
      model: 'claude-haiku-4-5',
      takenAt: '1970-01-01T00:00:00.000Z',
      probeUsage: { inputTokens: 8, outputTokens: 1 },
      requestId: 'req_9',
      organizationId: 'org_1',
      requests: { limit: 50, remaining: 49, reset: '2026-01-01T00:00:01Z' },
      inputTokens: { limit: 30000, remaining: 29000 },
      priorityInput: { limit: 1000 },
      fastOutput: { remaining: 7 },
      unified: {
        status: 'allowed_warning',
        fiveHourUtilization: 0.42,
        sevenDayUtilization: 1.05,
        fiveHourReset: 1767225600,
        overage: { status: 'rejected' },
      },
    });
    assert.deepEqual(parseRateLimitHeaders('m', {}, { inputTokens: 0, outputTokens: 0 }, new Date(0)), {
      model: 'm',
      takenAt: '1970-01-01T00:00:00.000Z',
      probeUsage: { inputTokens: 0, outputTokens: 0 },
    });
  });
});
