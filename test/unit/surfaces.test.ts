/**
 * One set of facts: for many generated snapshots (any day of the month and hour, several time zones,
 * partial data, errors), every fact shown by the status bar, its tooltip, the trees, the dashboard and
 * the CLI is the same value, formatted the same way.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { renderCosts } from '../../src/cli/costs';
import { buildTab, tabContext } from '../../src/core/dashboard/view';
import { Decimal } from '../../src/core/decimal';
import { addDays, utcDay } from '../../src/core/model/days';
import { usd } from '../../src/core/model/format';
import type { CostRow, LocalUsageDay, StoreSnapshot } from '../../src/core/model/snapshot';
import { emptySnapshot } from '../../src/core/model/snapshot';
import { dayInZone } from '../../src/core/model/zones';
import { costsReport } from '../../src/core/reports/costs';
import { buildStatusBar, DEFAULT_STATUS_SETTINGS } from '../../src/core/viewModels/statusBar';
import { costsTree, localTree, rateLimitsTree, type TreeNode } from '../../src/core/viewModels/tree';

const ZONES = ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles', 'Europe/Berlin', 'Asia/Kolkata', 'Australia/Lord_Howe', 'America/St_Johns'];
const MODELS = ['claude-opus-4-5', 'claude-sonnet-4-6', 'claude-haiku-4-5'];

/** An exact dollar string from micro-dollars (up to 6 decimals, like cent strings shifted by two). */
const money = fc.bigInt({ min: 0n, max: 50_000_000_000n }).map((micro) => Decimal.fromBigInt(micro, 8).toString());

interface World {
  now: number;
  zone: string;
  snap: StoreSnapshot;
}

const world: fc.Arbitrary<World> = fc
  .record({
    // 2026-01-01 .. 2028-12-31, any minute: month ends, year ends and DST days included.
    now: fc.integer({ min: Date.UTC(2026, 0, 1), max: Date.UTC(2028, 11, 31, 23, 59) }).map((t) => Math.floor(t / 60_000) * 60_000),
    zone: fc.constantFrom(...ZONES),
    admin: fc.boolean(),
    costs: fc.array(fc.record({ back: fc.integer({ min: 0, max: 45 }), model: fc.constantFrom(...MODELS, null), amount: money }), { maxLength: 40 }),
    costsError: fc.constantFrom(undefined, 'network', 'server'),
    local: fc.option(fc.array(fc.record({ back: fc.integer({ min: -1, max: 12 }), model: fc.constantFrom(...MODELS, 'mystery-1'), tokens: fc.nat(2_000_000), cost: money }), { maxLength: 25 }), { nil: undefined }),
    api: fc.option(fc.record({ limit: fc.integer({ min: 1, max: 5000 }), remaining: fc.nat(5000), olimit: fc.integer({ min: 1000, max: 800_000 }), oremaining: fc.nat(800_000) }), { nil: undefined }),
  })
  .map(({ now, zone, admin, costs, costsError, local, api }) => {
    const today = utcDay(now);
    const snap: StoreSnapshot = { ...emptySnapshot(new Date(now)), ready: true, keys: { api: api ? 'secretStorage' : 'none', admin: admin ? 'secretStorage' : 'none' } };
    if (admin) {
      const rows: CostRow[] = costs.map((c) => ({ date: addDays(today, -c.back), workspaceId: null, description: c.model ? `${c.model} usage` : 'Web search', model: c.model, costType: c.model ? 'tokens' : 'web_search', tokenType: c.model ? 'output_tokens' : null, serviceTier: null, contextWindow: null, amountUsd: c.amount }));
      snap.costs = {
        stale: !!costsError,
        loading: false,
        fetchedAt: new Date(now - 120_000).toISOString(),
        data: { since: addDays(today, -45), until: addDays(today, 1), rows },
        ...(costsError ? { error: { kind: costsError as 'network', message: 'The network is down.' } } : {}),
      };
    }
    if (local) {
      const localToday = dayInZone(now, zone);
      const days: LocalUsageDay[] = local.map((l) => ({ date: addDays(localToday, -l.back), project: '/p', model: l.model, input: l.tokens, output: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd: l.model === 'mystery-1' ? null : l.cost }));
      snap.local = { stale: false, loading: false, fetchedAt: new Date(now).toISOString(), data: { timezone: zone, days, unpricedModels: [], skippedLines: 0, files: 1, roots: ['/r'] } };
    }
    if (api) {
      const iso = new Date(now).toISOString();
      const current = { model: 'claude-haiku-4-5', takenAt: iso, requests: { limit: api.limit, remaining: Math.min(api.remaining, api.limit) }, outputTokens: { limit: api.olimit, remaining: Math.min(api.oremaining, api.olimit) }, probeUsage: { inputTokens: 8, outputTokens: 1 } };
      snap.rateLimits = { stale: false, loading: false, fetchedAt: iso, data: { current, history: [current], probeSpendToday: { date: today, probes: 1, inputTokens: 8, outputTokens: 1, costUsd: '0.000013' } } };
    }
    return { now, zone, snap };
  });

function find(nodes: readonly TreeNode[], id: string): TreeNode | undefined {
  for (const n of nodes) {
    if (n.id === id) return n;
    const c = find(n.children ?? [], id);
    if (c) return c;
  }
  return undefined;
}

/** The first capture of `re` in `text`, or undefined. */
function grab(text: string, re: RegExp): string | undefined {
  return re.exec(text)?.[1];
}

describe('one set of facts on every surface', () => {
  it("today's cost, month to date, the projection, this machine's day and the headroom agree everywhere", () => {
    fc.assert(
      fc.property(world, ({ now, zone, snap }) => {
        const settings = { ...DEFAULT_STATUS_SETTINGS, localMode: 'always' as const, localTimezone: zone };
        const bar = buildStatusBar(snap, settings, now);
        const ctx = tabContext(snap, { range: { kind: '30d' }, grouping: 'model' }, now);
        const overview = buildTab('overview', ctx);
        const localTab = buildTab('local', ctx);
        const today = utcDay(now);

        if (snap.costs.data) {
          const rows = snap.costs.data.rows;
          // Today's organization cost.
          const shown = [
            grab(bar.text, /(\$[\d,.]+) today/),
            grab(bar.tooltip, /Cost today \(UTC\): \*\*(\$[\d,.]+)\*\*/),
            find(costsTree(snap, 'model', 14, now), `costs/${today}`)?.description,
            usd(overview.costToday),
            usd(costsReport(rows, { since: today, until: addDays(today, 1) }).days[0]?.totalUsd ?? '0'),
          ];
          assert.equal(new Set(shown).size, 1, `today's cost: ${shown.join(' | ')}`);
          const cli = renderCosts(costsReport(rows, { since: today, until: addDays(today, 1) }), { since: today, until: addDays(today, 1) });
          if (!cli.startsWith('No costs')) assert.ok(cli.includes(`${today}  ${shown[0]}`) || cli.split('\n').some((l) => l.startsWith(today) && l.includes(shown[0]!)), `CLI row: ${cli}`);
          // Month to date and the month-end projection.
          const mtd = [grab(bar.tooltip, /month to date: \*\*(\$[\d,.]+)\*\*/), grab(find(costsTree(snap, 'model', 14, now), 'costs/mtd')?.description ?? '', /^(\$[\d,.]+) ·/), usd(overview.monthToDate)];
          assert.equal(new Set(mtd).size, 1, `month to date: ${mtd.join(' | ')}`);
          const proj = [grab(bar.tooltip, /month-end projection \(estimate\): (\$[\d,.]+)/), grab(find(costsTree(snap, 'model', 14, now), 'costs/mtd')?.description ?? '', /projected (\$[\d,.]+) \(estimate\)/), usd(overview.monthEndProjection)];
          assert.equal(new Set(proj).size, 1, `projection: ${proj.join(' | ')}`);
        }

        if (snap.local.data) {
          const day = dayInZone(now, zone);
          const rows = snap.local.data.days.filter((d) => d.date === day);
          const tokens = rows.reduce((a, d) => a + d.input + d.output, 0);
          const shown = [
            grab(bar.tooltip, /on this machine today: ≈(\$[\d,.]+)/),
            usd(localTab.todayCostUsd),
            usd(overview.localTodayUsd ?? '0'),
            ...(rows.length ? [grab(find(localTree(snap, now), `local/${day}`)?.description ?? '', /^≈(\$[\d,.]+)/)] : []),
            ...(!snap.costs.data && (tokens > 0 || snap.local.data.days.length > 0) ? [grab(bar.text, /≈(\$[\d,.]+)\+? today/)] : []),
          ];
          assert.equal(new Set(shown).size, 1, `this machine today (${day} ${zone}): ${shown.join(' | ')}`);
        }

        if (snap.rateLimits.data) {
          const gauges = buildTab('rateLimits', ctx).gauges;
          const tree = rateLimitsTree(snap, now);
          for (const g of gauges) {
            const pctTooltip = grab(bar.tooltip, new RegExp(`\\*\\*${g.label}\\*\\*: [\\d,]+ of [\\d,]+ left \\((\\d+%)\\)`));
            const pctTree = grab(find(tree, `rateLimits/${g.key}`)?.description ?? '', /\((\d+%)\)/);
            assert.equal(pctTooltip, pctTree, `${g.label}: tooltip ${pctTooltip} vs tree ${pctTree}`);
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
