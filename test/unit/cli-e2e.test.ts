/**
 * The CLI in-process (`main(argv, io)`) against the local Anthropic server: each command's JSON equals
 * the server's ledger exactly for a 30-day and a 120-day range; `ratelimits` prints the headers the server
 * sent (captured by a recording proxy the CLI reaches through HTTP_PROXY); errors map to exit codes.
 */
import { strict as assert } from 'node:assert';
import { main } from '../../src/cli';
import type { CliIo } from '../../src/cli/common';
import { startMockServer, type FaultKind, type MockServer } from '../server/server';
import { startTestProxy } from '../support/proxy';
import { systemClock } from '../../src/core/clock';

const DAY = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

export function capture(env: NodeJS.ProcessEnv): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    env,
    out: (t: string) => void (io.stdout += t.endsWith('\n') ? t : `${t}\n`),
    err: (t: string) => void (io.stderr += t.endsWith('\n') ? t : `${t}\n`),
  };
  return io;
}

describe('cli end to end (local Anthropic server)', function () {
  this.timeout(60_000);
  let server: MockServer;
  let env: NodeJS.ProcessEnv;
  let today: string;
  let tomorrow: string;

  before(async () => {
    server = await startMockServer({ port: 0, seed: 7 });
    env = { ANTHROPIC_API_KEY: server.keys.standard, ANTHROPIC_ADMIN_API_KEY: server.keys.admin, ANTHROPIC_BASE_URL: server.url };
    today = dayOf(systemClock.now());
    tomorrow = dayOf(systemClock.now() + DAY);
  });
  after(async () => server.close());
  beforeEach(() => {
    server.clearFaults();
    server.resetRequests();
  });

  async function runJson(argv: string[]): Promise<unknown> {
    const io = capture(env);
    const code = await main([...argv, '--json'], io);
    assert.equal(code, 0, io.stderr);
    assert.equal(io.stderr, '');
    return JSON.parse(io.stdout);
  }

  for (const days of [30, 120]) {
    it(`costs, tokens and claude-code equal the ledger over ${days} days`, async () => {
      const since = dayOf(Date.parse(today) - (days - 1) * DAY);
      const costs = await runJson(['costs', '--since', since, '--until', tomorrow]);
      assert.deepStrictEqual(costs, server.ledger.expectedCosts(since, tomorrow));
      assert.equal(server.requests.length, Math.ceil(days / 31), 'one cost request per 31 days');
      assert.ok((costs as { days: unknown[] }).days.length >= days - 2, 'nearly every day has costs');
      const tokens = await runJson(['tokens', '--since', since, '--until', tomorrow]);
      assert.deepStrictEqual(tokens, server.ledger.expectedTokens(since, tomorrow));
      server.resetRequests();
      const cc = await runJson(['claude-code', '--since', since, '--until', tomorrow]);
      assert.deepStrictEqual(cc, server.ledger.expectedClaudeCode(since, tomorrow));
      assert.equal(server.requests.length, days, 'one Claude Code request per day');
    });
  }

  it('costs grouped by workspace and by description equal the ledger', async () => {
    const since = dayOf(Date.parse(today) - 29 * DAY);
    const until = dayOf(Date.parse(today) - 2 * DAY);
    for (const g of ['workspace', 'description'] as const) {
      assert.deepStrictEqual(await runJson(['costs', '--since', since, '--until', until, '--group-by', g]), server.ledger.expectedCosts(since, until, g));
    }
  });

  it('defaults --until to tomorrow so that today is included', async () => {
    const since = dayOf(Date.parse(today) - 6 * DAY);
    assert.deepStrictEqual(await runJson(['costs', '--since', since]), server.ledger.expectedCosts(since));
    assert.deepStrictEqual(await runJson(['tokens', '--since', since]), server.ledger.expectedTokens(since));
    assert.deepStrictEqual(await runJson(['claude-code', '--since', since]), server.ledger.expectedClaudeCode(since));
  });

  it('prints readable tables', async () => {
    const since = dayOf(Date.parse(today) - 2 * DAY);
    const io = capture(env);
    assert.equal(await main(['costs', '--since', since, '--until', today], io), 0);
    const expected = server.ledger.expectedCosts(since, today);
    assert.match(io.stdout, /^Date +Total/);
    assert.ok(io.stdout.includes(since));
    const total = expected.totalUsd.split('.');
    const dollars = Number(total[0]).toLocaleString('en-US');
    assert.ok(io.stdout.includes(`$${dollars}.`), `${dollars} in\n${io.stdout}`);
    for (const cmd of [['tokens'], ['claude-code'], ['ratelimits']]) {
      const o = capture(env);
      assert.equal(await main([...cmd, ...(cmd[0] === 'ratelimits' ? [] : ['--since', since])], o), 0, o.stderr);
      assert.ok(o.stdout.split('\n').length > 3);
      assert.ok(!/undefined|NaN|\[object/.test(o.stdout), o.stdout);
    }
  });

  it('ratelimits prints exactly the headers the server sent', async () => {
    server.setRateLimitOptions({ unified: true, priorityModel: 'claude-haiku-4-5', combinedTokens: 'always' });
    const proxy = await startTestProxy();
    try {
      const io = capture({ ...env, HTTP_PROXY: proxy.url, NO_PROXY: '' });
      assert.equal(await main(['ratelimits', '--model', 'claude-haiku-4-5', '--json'], io), 0, io.stderr);
      const got = JSON.parse(io.stdout) as Record<string, unknown>;
      assert.equal(proxy.heads.length, 1, 'the probe went through the proxy');
      const h = proxy.heads[0]!;
      const fam = (p: string) =>
        h[`${p}-limit`] === undefined && h[`${p}-remaining`] === undefined && h[`${p}-reset`] === undefined
          ? null
          : { limit: Number(h[`${p}-limit`]), remaining: Number(h[`${p}-remaining`]), reset: h[`${p}-reset`] };
      const unified: Record<string, unknown> = {};
      const u = 'anthropic-ratelimit-unified-';
      if (h[`${u}status`]) unified.status = h[`${u}status`];
      if (h[`${u}5h-utilization`]) unified.fiveHourUtilization = Number(h[`${u}5h-utilization`]);
      if (h[`${u}7d-utilization`]) unified.sevenDayUtilization = Number(h[`${u}7d-utilization`]);
      if (h[`${u}5h-reset`]) unified.fiveHourReset = Number(h[`${u}5h-reset`]);
      if (h[`${u}7d-reset`]) unified.sevenDayReset = Number(h[`${u}7d-reset`]);
      if (h[`${u}representative-claim`]) unified.representativeClaim = h[`${u}representative-claim`];
      const overage = Object.fromEntries(Object.entries(h).filter(([k]) => k.startsWith(`${u}overage-`)).map(([k, v]) => [k.slice(`${u}overage-`.length), v]));
      if (Object.keys(overage).length) unified.overage = overage;
      assert.deepStrictEqual(got, {
        model: 'claude-haiku-4-5',
        requestId: h['request-id'],
        requests: fam('anthropic-ratelimit-requests'),
        inputTokens: fam('anthropic-ratelimit-input-tokens'),
        outputTokens: fam('anthropic-ratelimit-output-tokens'),
        tokens: fam('anthropic-ratelimit-tokens'),
        priority: { input: fam('anthropic-priority-input-tokens'), output: fam('anthropic-priority-output-tokens') },
        fast: fam('anthropic-fast-input-tokens') || fam('anthropic-fast-output-tokens') ? { input: fam('anthropic-fast-input-tokens'), output: fam('anthropic-fast-output-tokens') } : null,
        unified,
      });
      assert.ok((got.requests as { limit: number }).limit > 0 && (got.tokens as object) && got.priority && Object.keys(unified).length > 3);
    } finally {
      await proxy.close();
      server.setRateLimitOptions({ unified: false, priorityModel: undefined, combinedTokens: 'never' });
    }
    const io = capture(env);
    assert.equal(await main(['ratelimits', '--json'], io), 0, io.stderr);
    const plain = JSON.parse(io.stdout) as Record<string, unknown>;
    assert.equal(plain.model, 'claude-haiku-4-5');
    assert.equal(plain.tokens, null);
    assert.equal(plain.priority, null);
    assert.equal(plain.unified, null);
  });

  it('maps API failures to exit codes 3 and 4 with one plain sentence and the request-id', async () => {
    const cases: Array<[FaultKind, string[], number, RegExp]> = [
      ['unauthorized', ['costs', '--since', today], 3, /The API key was rejected \(401\)/],
      ['forbidden', ['tokens', '--since', today], 3, /not allowed/],
      ['spend_cap', ['claude-code', '--since', today], 4, /Spend cap reached \(429\): .*Access will return on/],
      ['org_spend_limit', ['ratelimits'], 4, /specified workspace API usage limits/],
      ['schema_drift', ['costs', '--since', dayOf(Date.parse(today) - 3 * DAY)], 4, /cannot read \(\/v1\/organizations\/cost_report, at data\[\d+\]\.results\[0\]\.amount/],
    ];
    for (const [kind, argv, code, msg] of cases) {
      server.clearFaults();
      server.injectFault({ kind, times: Infinity });
      const io = capture(env);
      assert.equal(await main(argv, io), code, `${kind}: ${io.stderr}`);
      assert.match(io.stderr, msg);
      assert.match(io.stderr, /\(request-id req_[A-Za-z0-9]+\)\n$/);
      assert.ok(io.stderr.split('\n').length <= 3);
      assert.equal(io.stdout, '');
    }
    server.clearFaults();
    const io = capture({ ...env, ANTHROPIC_ADMIN_API_KEY: server.keys.standard });
    assert.equal(await main(['costs', '--since', today], io), 3);
    assert.match(io.stderr, /This needs an Admin key \(sk-ant-admin…\); the key in use is a standard API key\./);
    const net = capture({ ...env, ANTHROPIC_BASE_URL: 'http://127.0.0.1:9' });
    assert.equal(await main(['ratelimits', '--timeout', '1'], net), 4);
    assert.match(net.stderr, /Could not reach Anthropic at 127\.0\.0\.1:9/);
  });
});

