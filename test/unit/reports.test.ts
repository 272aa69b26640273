import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Decimal } from '../../src/core/decimal';
import type { ClaudeCodeRecord, CostBucket } from '../../src/core/anthropic/types';
import { claudeCodeReport, acceptanceRate } from '../../src/core/reports/claudeCode';
import { costsReport } from '../../src/core/reports/costs';
import { claudeCodeRowsFromRecords, costRowsFromBuckets, tokenRowsFromBuckets } from '../../src/core/model/rows';
import { tokensReport } from '../../src/core/reports/tokens';
import type { CostRow } from '../../src/core/model/snapshot';

function costBucket(day: string, results: Array<{ cents: string; model?: string | null; ws?: string | null; desc?: string }>): CostBucket {
  return {
    startingAt: `${day}T00:00:00Z`,
    endingAt: `${day}T23:59:59Z`,
    results: results.map((r) => ({
      amountUsd: Decimal.parse(r.cents).shift(2),
      amountCentsRaw: r.cents,
      currency: 'USD',
      costType: null,
      description: r.desc ?? null,
      model: r.model ?? null,
      tokenType: null,
      serviceTier: null,
      contextWindow: null,
      inferenceGeo: null,
      workspaceId: r.ws ?? null,
    })),
  };
}

describe('reports', () => {
  it('costs: by model with (non-token), exact sums, empty days omitted, optional groupings', () => {
    const buckets = [
      costBucket('2025-08-02', [
        { cents: '0.1', model: 'claude-a', ws: 'wrkspc_1', desc: 'A in' },
        { cents: '0.2', model: 'claude-a', desc: 'A out' },
        { cents: '1000', model: null, ws: 'wrkspc_1', desc: 'Web search' },
      ]),
      costBucket('2025-08-01', []),
      costBucket('2025-08-03', [{ cents: '33.333', model: 'claude-b', desc: 'B in' }]),
    ];
    const rows = costRowsFromBuckets(buckets);
    assert.deepStrictEqual(costsReport(rows), {
      currency: 'USD',
      totalUsd: '10.33633',
      days: [
        { date: '2025-08-02', totalUsd: '10.003', byModel: { 'claude-a': '0.003', '(non-token)': '10' } },
        { date: '2025-08-03', totalUsd: '0.33333', byModel: { 'claude-b': '0.33333' } },
      ],
    });
    const ws = costsReport(rows, { groupBy: 'workspace' });
    assert.deepStrictEqual(ws.days[0]!.byWorkspace, { wrkspc_1: '10.001', '(default)': '0.002' });
    const desc = costsReport(rows, { groupBy: 'description', since: '2025-08-03' });
    assert.deepStrictEqual(desc.days, [{ date: '2025-08-03', totalUsd: '0.33333', byModel: { 'claude-b': '0.33333' }, byDescription: { 'B in': '0.33333' } }]);
  });

  it('tokens: sums every other dimension per model and day, hourly buckets keep their time', () => {
    const r = (model: string, n: number, ws: string | null = null) => ({
      uncachedInput: n,
      cacheWrite5m: 1,
      cacheWrite1h: 2,
      cacheRead: 3,
      output: 4,
      webSearches: 0,
      model,
      apiKeyId: null,
      workspaceId: ws,
      serviceTier: 'standard',
      contextWindow: null,
      inferenceGeo: null,
      accountId: null,
      serviceAccountId: null,
      speed: null,
    });
    const buckets = [
      { startingAt: '2025-08-01T00:00:00Z', endingAt: '2025-08-02T00:00:00Z', results: [r('m1', 10, 'w'), r('m1', 5), r('m2', 1)] },
      { startingAt: '2025-08-02T00:00:00Z', endingAt: '2025-08-03T00:00:00Z', results: [] },
    ];
    const report = tokensReport(tokenRowsFromBuckets(buckets), { groupBy: ['workspace'] });
    assert.deepStrictEqual(report.days, [
      {
        date: '2025-08-01',
        byModel: {
          m1: { uncachedInput: 15, cacheWrite5m: 2, cacheWrite1h: 4, cacheRead: 6, output: 8, webSearches: 0 },
          m2: { uncachedInput: 1, cacheWrite5m: 1, cacheWrite1h: 2, cacheRead: 3, output: 4, webSearches: 0 },
        },
        byWorkspace: {
          w: { uncachedInput: 10, cacheWrite5m: 1, cacheWrite1h: 2, cacheRead: 3, output: 4, webSearches: 0 },
          '(default)': { uncachedInput: 6, cacheWrite5m: 2, cacheWrite1h: 4, cacheRead: 6, output: 8, webSearches: 0 },
        },
      },
    ]);
    const hourly = tokensReport(tokenRowsFromBuckets([{ ...buckets[0]!, startingAt: '2025-08-01T13:00:00.000Z' }], false));
    assert.equal(hourly.days[0]!.date, '2025-08-01T13:00:00Z');
  });

  it('claude-code: sums several records per actor and day, every tool, exact cost; actors by cost then name', () => {
    const rec = (date: string, who: string, cents: number, accepted: number, api = false): ClaudeCodeRecord => ({
      date,
      actor: api ? { type: 'api_actor', apiKeyName: who } : { type: 'user_actor', emailAddress: who },
      organizationId: 'org',
      customerType: 'api',
      subscriptionType: null,
      terminalType: 'vscode',
      sessions: 1,
      linesAdded: 10,
      linesRemoved: 2,
      commits: 1,
      pullRequests: 0,
      toolActions: { edit_tool: { accepted, rejected: 1 }, write_tool: { accepted: 1, rejected: 0 } },
      modelBreakdown: [
        { model: 'm', tokens: { input: 1, output: 1, cacheRead: 0, cacheCreation: 0 }, estimatedCostUsd: Decimal.fromNumber(cents).shift(2) },
      ],
    });
    const rows = claudeCodeRowsFromRecords([
      rec('2025-08-02', 'b@x', 0.1, 2),
      rec('2025-08-01', 'b@x', 0.2, 3),
      rec('2025-08-01', 'a@x', 0.3, 0),
      rec('2025-08-01', 'ci-key', 0.3, 0, true),
    ]);
    const report = claudeCodeReport(rows);
    assert.deepStrictEqual(report.days.map((d) => [d.date, d.sessions, d.toolAccepted, d.toolRejected, d.costUsd]), [
      ['2025-08-01', 3, 6, 3, '0.008'],
      ['2025-08-02', 1, 3, 1, '0.001'],
    ]);
    assert.deepStrictEqual(report.actors.map((a) => [a.actor, a.costUsd]), [
      ['a@x', '0.003'],
      ['b@x', '0.003'],
      ['ci-key', '0.003'],
    ]);
    assert.equal(acceptanceRate(3, 1), 0.75);
    assert.equal(acceptanceRate(0, 0), undefined);
  });

  it('summing cent strings gives the same total in any order or grouping (property)', () => {
    const cent = fc
      .tuple(fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 9 }), fc.constantFrom('2025-08-01', '2025-08-02', '2025-08-03'))
      .map(([m, s, date]) => ({ cents: Decimal.fromBigInt(m, s).toString(), date }));
    fc.assert(
      fc.property(fc.array(cent, { maxLength: 40 }), fc.integer(), fc.constantFrom(undefined, 'workspace' as const, 'description' as const), (items, seed, groupBy) => {
        const rows: CostRow[] = items.map((it, i) => ({
          date: it.date,
          workspaceId: i % 3 ? `w${i % 2}` : null,
          description: `d${i % 4}`,
          model: i % 5 ? `m${i % 3}` : null,
          costType: null,
          tokenType: null,
          serviceTier: null,
          contextWindow: null,
          amountUsd: Decimal.parse(it.cents).shift(2).toString(),
        }));
        const shuffled = [...rows].sort((a, b) => ((a.amountUsd.length * 31 + seed) % 7) - ((b.amountUsd.length * 17 + seed) % 7));
        const a = costsReport(rows, { groupBy });
        const b = costsReport(shuffled, { groupBy });
        assert.deepStrictEqual(b, a);
        const direct = Decimal.sum(items.map((it) => Decimal.parse(it.cents))).shift(2);
        assert.equal(a.totalUsd, direct.toString());
        const byDays = Decimal.sum(a.days.map((d) => Decimal.parse(d.totalUsd)));
        const byModels = Decimal.sum(a.days.flatMap((d) => Object.values(d.byModel).map((v) => Decimal.parse(v))));
        assert.ok(byDays.eq(direct) && byModels.eq(direct));
      }),
      { numRuns: 300 },
    );
  });
});
