import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Decimal } from '../../src/core/decimal';
import type { ClaudeCodeRow, CostRow, TokenRow } from '../../src/core/model/snapshot';
import { emptySnapshot } from '../../src/core/model/snapshot';
import { buildDashboard, buildTab, DEFAULT_DASHBOARD_SETTINGS, headerInfo, resolveRange, tabContext } from '../../src/core/dashboard/view';
import { coverageNote, sourceStatus } from '../../src/core/dashboard/status';
import { cacheSavings } from '../../src/core/dashboard/tabs/overview';
import { costSeries } from '../../src/core/dashboard/tabs/cost';
import { cacheHitShare, tokenHourlySeries, tokensTab } from '../../src/core/dashboard/tabs/tokens';
import { claudeCodeView, peopleTable, sortPeople, toolAcceptance } from '../../src/core/dashboard/tabs/claudeCode';
import { rateLimitView } from '../../src/core/dashboard/tabs/rateLimits';
import { localView } from '../../src/core/dashboard/tabs/local';
import { monthToDate } from '../../src/core/model/facts';
import { costGroup } from '../../src/core/model/labels';
import { dayInZone } from '../../src/core/model/zones';
import { sampleSnapshot } from './dashboardFixture';
import { mergeObservation } from '../../src/core/plan/state';
import { emptyPlanData } from '../../src/core/plan/types';

const NOW_DATE = new Date('2026-11-27T12:00:00Z');
const NOW = NOW_DATE.getTime();
const at = (iso: string) => Date.parse(iso);

function cost(date: string, amountUsd: string, extra: Partial<CostRow> = {}): CostRow {
  return { date, workspaceId: null, description: null, model: null, costType: null, tokenType: null, serviceTier: null, contextWindow: null, amountUsd, ...extra };
}

function cc(date: string, actor: string, extra: Partial<ClaudeCodeRow> = {}): ClaudeCodeRow {
  return { date, actor, actorType: 'user_actor', terminalType: 'vscode', customerType: 'api', sessions: 1, linesAdded: 0, linesRemoved: 0, commits: 0, pullRequests: 0, toolActions: {}, models: [], ...extra };
}

describe('dashboard view model: ranges', () => {
  it('resolves 7/30/90 days, month to date and custom ranges in UTC days, inclusive', () => {
    assert.deepEqual(
      [resolveRange({ kind: '7d' }, NOW).since, resolveRange({ kind: '7d' }, NOW).until, resolveRange({ kind: '7d' }, NOW).days.length],
      ['2026-11-21', '2026-11-27', 7],
    );
    assert.equal(resolveRange({ kind: '30d' }, NOW).since, '2026-10-29');
    assert.equal(resolveRange({ kind: '90d' }, NOW).days.length, 90);
    const mtd = resolveRange({ kind: 'mtd' }, NOW);
    assert.deepEqual([mtd.since, mtd.until, mtd.days.length], ['2026-11-01', '2026-11-27', 27]);
    const custom = resolveRange({ kind: 'custom', since: '2026-02-27', until: '2026-03-02' }, NOW);
    assert.deepEqual(custom.days, ['2026-02-27', '2026-02-28', '2026-03-01', '2026-03-02']);
    const swapped = resolveRange({ kind: 'custom', since: '2026-03-02', until: '2026-02-27' }, NOW);
    assert.equal(swapped.days.length, 4, 'a reversed custom range is swapped');
    // Just after midnight UTC the range ends on the new day.
    assert.equal(resolveRange({ kind: '7d' }, at('2026-12-01T00:00:01Z')).until, '2026-12-01');
  });

  it('gives the current day in the transcripts time zone', () => {
    assert.equal(dayInZone(at('2026-11-27T23:30:00Z'), 'UTC'), '2026-11-27');
    assert.equal(dayInZone(at('2026-11-27T23:30:00Z'), 'Europe/Berlin'), '2026-11-28');
    assert.equal(dayInZone(at('2026-11-27T03:30:00Z'), 'America/Los_Angeles'), '2026-11-26');
    assert.equal(dayInZone(at('2026-11-27T03:30:00Z'), 'Not/AZone'), '2026-11-27');
  });
});

describe('dashboard view model: costs', () => {
  const rows = [
    cost('2026-11-26', '1.10', { model: 'claude-opus-4-5', workspaceId: 'wrkspc_a', description: 'Opus input' }),
    cost('2026-11-27', '0.000001', { model: 'claude-opus-4-5', workspaceId: null, description: 'Opus output' }),
    cost('2026-11-27', '2.2', { model: 'claude-haiku-4-5', workspaceId: 'wrkspc_a', description: 'Haiku input' }),
    cost('2026-11-27', '0.05', { costType: 'web_search', description: 'Web search' }),
    cost('2026-10-01', '100', { model: 'claude-opus-4-5' }), // outside the 7-day range
  ];
  const labels = { workspaces: [{ id: 'wrkspc_a', name: 'Alpha', archived: false }], apiKeys: [], users: [] };

  it('stacks cost per day by model, workspace (null = Default, names from labels) and description, exactly', () => {
    const range = resolveRange({ kind: '7d' }, NOW);
    const byModel = costSeries(rows.filter((r) => r.date >= range.since), range, 'model', labels);
    assert.deepEqual(byModel.series.map((s) => [s.name, s.total]), [
      ['claude-haiku-4-5', '2.2'],
      ['claude-opus-4-5', '1.100001'],
      ['Web search', '0.05'],
    ]);
    assert.equal(byModel.total, '3.350001');
    assert.equal(byModel.totals[6], '2.250001');
    assert.equal(byModel.totals[5], '1.1');
    assert.equal(byModel.labels.length, 7);
    const byWs = costSeries(rows.filter((r) => r.date >= range.since), range, 'workspace', labels);
    assert.deepEqual(byWs.series.map((s) => [s.name, s.total]), [
      ['Alpha', '3.3'],
      ['Default', '0.050001'],
    ]);
    const byDesc = costSeries(rows.filter((r) => r.date >= range.since), range, 'description', labels);
    assert.deepEqual(byDesc.series.map((s) => s.name).sort(), ['Haiku input', 'Opus input', 'Opus output', 'Web search']);
    assert.equal(costGroup(cost('x', '1'), 'model'), 'Not attributed to a model');
    assert.equal(costGroup(cost('x', '1'), 'description'), 'No description');
    assert.equal(costGroup(cost('x', '1', { workspaceId: 'wrkspc_unknown' }), 'workspace', labels), 'wrkspc_unknown');
  });

  it('sums any cent-derived amounts exactly (no float drift) per day and in total', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.bigInt({ min: 0n, max: 10n ** 12n }), fc.integer({ min: 0, max: 8 })), { maxLength: 60 }), (entries) => {
        const range = resolveRange({ kind: '7d' }, NOW);
        const rs = entries.map(([d, m, scale]) => cost(range.days[d]!, Decimal.fromBigInt(m, scale).toString(), { model: `m${d % 3}` }));
        const set = costSeries(rs, range, 'model');
        const expected = rs.reduce((acc, r) => acc.add(Decimal.parse(r.amountUsd)), Decimal.ZERO);
        assert.ok(Decimal.parse(set.total).eq(expected));
        const perDay = set.totals.reduce((acc, t) => acc.add(Decimal.parse(t)), Decimal.ZERO);
        assert.ok(perDay.eq(expected));
        const perSeries = set.series.reduce((acc, s) => acc.add(Decimal.parse(s.total)), Decimal.ZERO);
        assert.ok(perSeries.eq(expected));
      }),
    );
  });

  it('projects month end as MTD / time elapsed in the month (at least a day) x days in month', () => {
    const mtd = (amount: string, iso: string, day = iso.slice(0, 8) + '01') => monthToDate([cost(day, amount)], at(iso)).projected.toString();
    assert.equal(mtd('100', '2026-11-27T12:00:00Z'), '113.207547'); // 26.5 of 30 days elapsed
    assert.equal(mtd('10', '2026-02-01T05:00:00Z'), '280'); // the first hours count as one day
    assert.equal(mtd('1', '2026-12-03T00:00:00Z'), '15.5'); // 2 of 31 days
    assert.equal(mtd('0', '2026-11-27T12:00:00Z'), '0');
  });

  it('estimates what caching saved from billed cache amounts', () => {
    const saved = cacheSavings([
      cost('d', '1', { tokenType: 'cache_read_input_tokens' }),
      cost('d', '1.25', { tokenType: 'cache_creation.ephemeral_5m_input_tokens' }),
      cost('d', '2', { tokenType: 'cache_creation.ephemeral_1h_input_tokens' }),
      cost('d', '5', { tokenType: 'uncached_input_tokens' }),
    ]);
    // 9 x 1 - 0.2 x 1.25 - 0.5 x 2 = 9 - 0.25 - 1
    assert.equal(saved!.toString(), '7.75');
    assert.equal(cacheSavings([cost('d', '3')]), null, 'no token types: cannot say');
  });
});

describe('dashboard view model: tokens', () => {
  const tr = (start: string, n: number, model = 'm'): TokenRow => ({ start, model, workspaceId: null, apiKeyId: null, serviceTier: null, uncachedInput: n, cacheWrite5m: 2 * n, cacheWrite1h: 3 * n, cacheRead: 4 * n, output: 5 * n, webSearches: 0 });

  it('gives per-day series by token type in natural order, and the cache hit share', () => {
    const range = resolveRange({ kind: '7d' }, NOW);
    const snap = { ...emptySnapshot(NOW_DATE), tokens: { stale: false, loading: false, data: { since: '2026-11-01', until: '2026-11-28', daily: [tr('2026-11-27', 10), tr('2026-11-27', 1, 'x'), tr('2026-11-21', 100)], hourly: [] } } };
    const set = tokensTab({ snapshot: snap, settings: DEFAULT_DASHBOARD_SETTINGS, range, localRange: range, grouping: 'model', nowMs: NOW, today: '2026-11-27' }).daily;
    assert.deepEqual(set.series.map((s) => s.name), ['Uncached input', 'Cache write (5 min)', 'Cache write (1 h)', 'Cache read', 'Output']);
    assert.equal(set.series[3]!.values[6], '44');
    assert.equal(set.series[0]!.values[0], '100');
    assert.equal(set.total, String(15 * 111));
    assert.equal(cacheHitShare({ uncachedInput: 1, cacheWrite5m: 2, cacheWrite1h: 3, cacheRead: 4 }), 0.4);
    assert.equal(cacheHitShare({ uncachedInput: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0 }), null);
  });

  it('builds hourly series up to now for short ranges', () => {
    const range = resolveRange({ kind: '7d' }, NOW);
    const set = tokenHourlySeries([tr('2026-11-27T11:00:00Z', 7), tr('2026-11-21T00:00:00.000Z', 1)], range, NOW);
    assert.equal(set.labels[0], '2026-11-21T00:00Z');
    assert.equal(set.labels[set.labels.length - 1], '2026-11-27T11:00Z');
    assert.equal(set.labels.length, 6 * 24 + 12);
    assert.equal(set.series[0]!.values[set.labels.length - 1], '7');
    assert.equal(set.series[0]!.values[0], '1');
    const d = buildDashboard(sampleSnapshot(NOW_DATE), { range: { kind: '30d' }, grouping: 'model' }, NOW);
    assert.equal(d.tokens.hourly, null, 'no hourly view for 30 days');
  });
});

describe('dashboard view model: Claude Code', () => {
  it('computes acceptance as summed accepted / (accepted + rejected), not an average of ratios', () => {
    const rows = [
      cc('2026-11-26', 'a', { toolActions: { edit_tool: { accepted: 1, rejected: 0 } } }), // 100% on a small day
      cc('2026-11-27', 'a', { toolActions: { edit_tool: { accepted: 1, rejected: 9 }, write_tool: { accepted: 0, rejected: 0 } } }), // 10%
    ];
    const { tools, overall } = toolAcceptance(rows);
    assert.deepEqual(tools.map((t) => [t.tool, t.accepted, t.rejected, t.rate]), [
      ['edit_tool', 2, 9, 2 / 11],
      ['write_tool', 0, 0, null],
    ]);
    assert.equal(overall.rate, 2 / 11); // an average of daily ratios would be 0.55
    assert.equal(toolAcceptance([]).overall.rate, null, 'no decisions: no rate');
  });

  it('aggregates several records per person per day into one row with cost per person and per model', () => {
    const rows = [
      cc('2026-11-27', 'ada@x', { terminalType: 'vscode', sessions: 2, commits: 1, models: [{ model: 'opus', input: 1, output: 1, cacheRead: 0, cacheCreation: 0, costUsd: '0.10' }] }),
      cc('2026-11-27', 'ada@x', { terminalType: 'tmux', sessions: 1, linesAdded: 5, models: [{ model: 'haiku', input: 1, output: 1, cacheRead: 0, cacheCreation: 0, costUsd: '0.2' }, { model: 'opus', input: 1, output: 1, cacheRead: 0, cacheCreation: 0, costUsd: '0.000001' }] }),
      cc('2026-11-26', 'bob@x', { sessions: 4, toolActions: { edit_tool: { accepted: 3, rejected: 1 } } }),
      cc('2026-11-27', 'bot', { actorType: 'api_actor', sessions: 1 }),
    ];
    const people = peopleTable(rows);
    assert.deepEqual(people.map((p) => [p.actor, p.sessions, p.costUsd]), [
      ['ada@x', 3, '0.300001'],
      ['bob@x', 4, '0'],
      ['bot', 1, '0'],
    ]);
    assert.deepEqual(people[0]!.costByModel, { haiku: '0.2', opus: '0.100001' });
    assert.equal(people[1]!.acceptanceRate, 0.75);
    assert.deepEqual(sortPeople(people, 'sessions', true).map((p) => p.actor), ['bob@x', 'ada@x', 'bot']);
    assert.deepEqual(sortPeople(people, 'actor', false).map((p) => p.actor), ['ada@x', 'bob@x', 'bot']);
    assert.deepEqual(sortPeople(people, 'acceptanceRate', true).map((p) => p.actor), ['bob@x', 'ada@x', 'bot'], 'no-decision rates sort last');
    assert.deepEqual(sortPeople(people, 'costUsd', false).map((p) => p.actor), ['bob@x', 'bot', 'ada@x']);

    const view = claudeCodeView(rows, resolveRange({ kind: '7d' }, NOW));
    assert.deepEqual(view.perDay.sessions.slice(-2), [4, 4]);
    assert.equal(view.totals.sessions, 8);
    assert.deepEqual(view.terminals, [
      { terminal: 'vscode', sessions: 7, records: 3 },
      { terminal: 'tmux', sessions: 1, records: 1 },
    ]);
    assert.deepEqual(view.models.map((m) => [m.model, m.costUsd]), [
      ['haiku', '0.2'],
      ['opus', '0.100001'],
    ]);
    assert.equal(view.totalCostUsd, '0.300001');
  });
});

describe('dashboard view model: rate limits, local, status', () => {
  it('turns headers into gauges and a history of remaining shares', () => {
    const s = sampleSnapshot(NOW_DATE);
    const v = rateLimitView(s.rateLimits.data);
    assert.deepEqual(v.gauges.map((g) => g.key), ['requests', 'inputTokens', 'outputTokens']);
    const cur = s.rateLimits.data!.current;
    assert.equal(v.gauges[0]!.share, cur.requests!.remaining! / 1000);
    assert.equal(v.history.labels.length, 20);
    assert.equal(v.history.series[0]!.values[19], String(Math.round((cur.requests!.remaining! / 1000) * 10000) / 100));
    const unified = rateLimitView({ ...s.rateLimits.data!, current: { model: 'x', takenAt: NOW_DATE.toISOString(), unified: { status: 'allowed_warning', fiveHourUtilization: 0.8, fiveHourReset: 1_800_000_000 }, probeUsage: { inputTokens: 1, outputTokens: 1 } }, history: [] });
    assert.deepEqual(unified.unified, [{ label: '5-hour window', utilization: 0.8, reset: new Date(1_800_000_000_000).toISOString() }]);
    assert.equal(unified.gauges.length, 0);
    assert.deepEqual(rateLimitView(undefined).gauges, []);
  });

  it('keeps unpriced local models out of the estimate and lists them', () => {
    const s = sampleSnapshot(NOW_DATE);
    const v = localView(s.local.data, resolveRange({ kind: '7d' }, NOW), NOW);
    assert.ok(!v.costByModel.series.some((x) => x.name === 'claude-mystery-9'));
    assert.equal(v.tokensByModel.find((m) => m.model === 'claude-mystery-9')!.costUsd, null);
    const expectedToday = s.local.data!.days.filter((d) => d.date === '2026-11-27' && d.costUsd).reduce((a, d) => a.add(Decimal.parse(d.costUsd!)), Decimal.ZERO);
    assert.equal(v.todayCostUsd, expectedToday.toString());
    assert.deepEqual(v.unpricedModels, ['claude-mystery-9']);
  });

  it("this machine's range ends on the machine's today: in Kiritimati at 23:20 UTC on 28 Feb, \"Last 30 days\" includes 1 March", () => {
    const now = Date.parse('2027-02-28T23:20:00Z');
    const s = sampleSnapshot(new Date(now));
    s.local = { ...s.local, data: { ...s.local.data!, timezone: 'Pacific/Kiritimati', days: [...s.local.data!.days, { date: '2027-03-01', project: '/p', model: 'claude-opus-4-5', input: 1, output: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd: '5' }] } };
    const ctx = tabContext(s, { range: { kind: '30d' }, grouping: 'model' }, now);
    assert.equal(ctx.range.until, '2027-02-28');
    assert.equal(ctx.localRange.until, '2027-03-01');
    assert.equal(ctx.localRange.days.length, 30);
    const tab = buildTab('local', ctx);
    assert.equal(tab.todayCostUsd, '5');
    assert.ok(Decimal.parse(tab.totalCostUsd).cmp(Decimal.parse(tab.todayCostUsd)) >= 0, `last 30 days ${tab.totalCostUsd} ≥ today ${tab.todayCostUsd}`);
    assert.equal(headerInfo(ctx, 'local').range, 'Last 30 days: 2027-01-31 to 2027-03-01 (days in Pacific/Kiritimati)');
    assert.equal(headerInfo(ctx, 'cost').range, 'Last 30 days: 2027-01-30 to 2027-02-28 (UTC)');
  });

  it("the plan chart right after Connect spans the last hour, with round ticks in the plan's zone", () => {
    const now = Date.parse('2027-02-28T23:20:40Z');
    const s = sampleSnapshot(new Date(now));
    const at = now - 20_000;
    const first = mergeObservation(emptyPlanData(), { windows: [{ key: 'five_hour', kind: 'session', usedPercent: 42, resetsAt: now + 2 * 3_600_000 }] }, at);
    s.plan = { ...s.plan, data: { ...first, connected: true } };
    const settings = { ...DEFAULT_DASHBOARD_SETTINGS, plan: { ...DEFAULT_DASHBOARD_SETTINGS.plan, timeZone: 'Asia/Kathmandu' } };
    const p = buildTab('local', tabContext(s, { range: { kind: '30d' }, grouping: 'model' }, now, settings)).plan!;
    assert.equal(p.to, now);
    assert.equal(p.from, now - 3_600_000, 'an hour, not the 20 s the samples span');
    assert.equal(p.timeZone, 'Asia/Kathmandu');
    // Kathmandu is UTC+5:45: 23:20:40 UTC is 05:05:40 on 1 March there.
    assert.deepEqual(p.ticks.map((t) => t.label), ['Mon 1 Mar 04:15', '04:30', '04:45', '05:00']);
    assert.deepEqual(p.series[0]!.points, [{ t: Math.floor(at / 1000) * 1000, used: 42 }]);
    // With days of samples the chart starts at the first one (within the range), as before.
    const older = mergeObservation(first, { windows: [{ key: 'five_hour', kind: 'session', usedPercent: 10, resetsAt: now - 86_400_000 }] }, now - 2 * 86_400_000);
    s.plan = { ...s.plan, data: { ...older, connected: true } };
    const q = buildTab('local', tabContext(s, { range: { kind: '30d' }, grouping: 'model' }, now)).plan!;
    assert.equal(q.from, Math.floor((now - 2 * 86_400_000) / 1000) * 1000);
    assert.ok(q.ticks.length >= 2 && q.ticks.length <= 6);
  });

  it('says which key or setting fills an empty source, and keeps stale data with the error', () => {
    const empty = emptySnapshot(NOW_DATE);
    const st = sourceStatus(empty, 'costs', NOW);
    assert.equal(st.kind, 'needsKey');
    assert.match(st.message, /^Set an Admin API key to see organization costs/);
    assert.deepEqual(st.actions, ['setAdminKey']);
    assert.deepEqual(sourceStatus(empty, 'rateLimits', NOW).actions, ['setApiKey']);
    assert.equal(sourceStatus(empty, 'local', NOW).kind, 'empty');
    assert.match(sourceStatus(empty, 'local', NOW).message, /claudeUsage\.local\.extraFolders/);
    const loading = { ...empty, keys: { api: 'none' as const, admin: 'environment' as const }, costs: { stale: false, loading: true } };
    assert.equal(sourceStatus(loading, 'costs', NOW).kind, 'loading');
    const s = sampleSnapshot(NOW_DATE);
    s.costs = { ...s.costs, stale: true, error: { kind: 'auth', message: 'invalid x-api-key', status: 401, requestId: 'req_9' } };
    const stale = sourceStatus(s, 'costs', NOW);
    assert.equal(stale.kind, 'stale');
    assert.match(stale.message, /last good data from 2 min ago/, 'a relative age, never a raw timestamp');
    assert.match(stale.message, /req_9/);
    s.costs = { ...s.costs, nextAttemptAt: new Date(NOW + 120_000).toISOString() };
    assert.match(sourceStatus(s, 'costs', NOW).message, /Next attempt in 2 min\./, 'the real next attempt');
    assert.deepEqual(stale.actions, ['setAdminKey', 'showLog']);
    s.costs = { stale: false, loading: false, error: { kind: 'network', message: 'ECONNREFUSED' } };
    assert.equal(sourceStatus(s, 'costs', NOW).kind, 'error');
    assert.deepEqual(sourceStatus(s, 'costs', NOW).actions, ['refresh', 'showLog']);
  });

  it('builds the whole dashboard from the sample snapshot with overview totals equal to the rows', () => {
    const s = sampleSnapshot(NOW_DATE);
    const d = buildDashboard(s, { range: { kind: 'mtd' }, grouping: 'model' }, NOW);
    const rows = s.costs.data!.rows;
    const sum = (since: string, until: string) => rows.filter((r) => r.date >= since && r.date <= until).reduce((a, r) => a.add(Decimal.parse(r.amountUsd)), Decimal.ZERO).toString();
    assert.equal(d.overview.costToday, sum('2026-11-27', '2026-11-27'));
    assert.equal(d.overview.costLast7, sum('2026-11-21', '2026-11-27'));
    assert.equal(d.overview.costLast30, sum('2026-10-29', '2026-11-27'));
    assert.equal(d.overview.monthToDate, sum('2026-11-01', '2026-11-27'));
    assert.equal(d.overview.rangeCost, d.overview.monthToDate);
    assert.equal(d.overview.showRangeTile, true, 'month to date is not one of the fixed tiles');
    assert.equal(buildDashboard(s, { range: { kind: '30d' }, grouping: 'model' }, NOW).overview.showRangeTile, false, '"Last 30 days" is shown once');
    assert.equal(d.overview.monthEndProjection, Decimal.parse(d.overview.monthToDate).mulInt(30 * 1440).divInt(26.5 * 1440, 6).toString());
    assert.equal(d.cost.table.reduce((a, r) => a + r.share, 0).toFixed(6), '1.000000');
    assert.ok(d.overview.cacheHitShare! > 0 && d.overview.cacheHitShare! < 1);
    assert.equal(d.overview.status[0]!.kind, 'ok');
  });
});

describe('dashboard view model: history coverage', () => {
  const today = '2026-11-27';

  it('says nothing when the data reaches the range start', () => {
    assert.equal(coverageNote('costs', '2026-10-29', resolveRange({ kind: '30d' }, NOW), today), null);
    assert.equal(coverageNote('costs', '2026-10-01', resolveRange({ kind: '30d' }, NOW), today), null);
    assert.equal(coverageNote('claudeCode', undefined, resolveRange({ kind: '90d' }, NOW), today), null, 'no data: the status banner speaks instead');
  });

  it('offers to load exactly the days from the range start to today', () => {
    const n90 = coverageNote('claudeCode', '2026-10-29', resolveRange({ kind: '90d' }, NOW), today)!;
    assert.equal(n90.loadDays, 90);
    assert.match(n90.message, /^Claude Code analytics starts on 2026-10-29; load 90 days/);
    assert.match(n90.message, /claudeUsage\.history\.days/);
    const custom = coverageNote('tokens', '2026-10-29', resolveRange({ kind: 'custom', since: '2026-10-01', until: '2026-10-15' }, NOW), today)!;
    assert.equal(custom.loadDays, 58, '2026-10-01 to 2026-11-27 inclusive');
  });

  it('caps the offer at 366 days and drops it once the history is that long', () => {
    const far = resolveRange({ kind: 'custom', since: '2024-01-01', until: '2024-02-01' }, NOW);
    assert.equal(coverageNote('costs', '2026-10-29', far, today)!.loadDays, 366);
    const maxed = coverageNote('costs', '2025-11-27', far, today)!;
    assert.equal(maxed.loadDays, undefined);
    assert.match(maxed.message, /at most 366 days/);
  });

  it('buildDashboard gives each history source its note for the chosen range', () => {
    const s = sampleSnapshot(NOW_DATE);
    const d = buildDashboard(s, { range: { kind: 'custom', since: '2000-01-01', until: '2000-01-31' }, grouping: 'model' }, NOW);
    for (const k of ['costs', 'tokens', 'claudeCode'] as const) {
      const since = s[k].data!.since;
      const note = { costs: d.cost.coverage, tokens: d.tokens.coverage, claudeCode: d.claudeCode.coverage }[k];
      assert.equal(note?.loadDays, 366, k);
      assert.ok(note!.message.includes(since), k);
    }
    const d7 = buildDashboard(s, { range: { kind: '7d' }, grouping: 'model' }, NOW);
    assert.deepEqual([d7.cost.coverage, d7.tokens.coverage, d7.claudeCode.coverage], [null, null, null]);
  });
});
