/**
 * Budgets and alerts (issue 14): settings validation, the period rule in several zones, hand-computed
 * projections (an empty start of month, the first hour, a spike, a DST day), plan windows, and the
 * alerter under fake time: each threshold once per period, none after a reload, none from a second and
 * third window with clocks that differ, again after the period boundary (month end in a non-UTC zone),
 * snooze until tomorrow, notifications off, a crashed window's lock.
 */
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Decimal } from '../../src/core/decimal';
import { monthToDate, periodAt, periodToDate, reachesAt } from '../../src/core/model/facts';
import { dayInZone, dayStartInZone } from '../../src/core/model/zones';
import { emptySnapshot, type CostRow, type LocalUsageDay, type StoreSnapshot } from '../../src/core/model/snapshot';
import type { PlanData } from '../../src/core/plan/types';
import {
  BUDGET_SETTING,
  BudgetAlerter,
  DEFAULT_THRESHOLDS,
  MAX_BUDGET_USD,
  THRESHOLD_BOUNDS,
  budgetChartLines,
  budgetEvents,
  budgetRows,
  budgetStatus,
  budgetStatusText,
  budgetTooltipLines,
  DEFAULT_BUDGET_SETTINGS,
  FileAlertBook,
  notificationFor,
  parseBudgetSettings,
  recordName,
  tomorrowStart,
  type BudgetNotification,
  type BudgetSettings,
  type BudgetStatus,
} from '../../src/core/budget';
import { ManualScheduler } from '../support/manualScheduler';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const utc = (iso: string): number => Date.parse(iso);

function cost(date: string, amountUsd: string): CostRow {
  return { date, workspaceId: null, description: 'x', model: 'claude-sonnet-4-6', costType: 'tokens', tokenType: 'output_tokens', serviceTier: 'standard', contextWindow: '0-200k', amountUsd };
}

function localDay(date: string, costUsd: string | null): LocalUsageDay {
  return { date, project: 'app', model: 'claude-sonnet-4-6', input: 10, output: 10, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd };
}

function snapshot(nowMs: number, parts: { rows?: CostRow[]; local?: { zone: string; days: LocalUsageDay[] } } = {}): StoreSnapshot {
  const s = emptySnapshot(new Date(nowMs));
  if (parts.rows) {
    s.keys.admin = 'environment';
    s.costs = { stale: false, loading: false, data: { since: '2026-01-01', until: '2028-01-01', rows: parts.rows } };
  }
  if (parts.local) {
    s.local = { stale: false, loading: false, data: { timezone: parts.local.zone, days: parts.local.days, unpricedModels: [], skippedLines: 0, files: 1, roots: [] } };
  }
  return s;
}

function settings(over: Partial<BudgetSettings> = {}): BudgetSettings {
  return { ...DEFAULT_BUDGET_SETTINGS, localZone: 'UTC', ...over };
}

const only = (r: { budgets: BudgetStatus[] }, id: string): BudgetStatus => {
  const b = r.budgets.find((x) => x.id === id);
  assert.ok(b, `budget ${id} in ${r.budgets.map((x) => x.id).join(', ')}`);
  return b;
};

/** $`perDay` on each day from the 1st of `month` (YYYY-MM) through `lastDay`. */
function daily(month: string, lastDay: number, perDay: string): CostRow[] {
  const out: CostRow[] = [];
  for (let d = 1; d <= lastDay; d++) out.push(cost(`${month}-${String(d).padStart(2, '0')}`, perDay));
  return out;
}

describe('budgets: settings', () => {
  it('the manifest declares every budget setting with its bounds and a description', () => {
    const root = join(__dirname, '..', '..');
    const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
      contributes: { configuration: { properties: Record<string, { type: string; default?: unknown; minimum?: number; maximum?: number; items?: { minimum?: number; maximum?: number }; markdownDescription?: string }> } };
    };
    const nls = JSON.parse(readFileSync(join(root, 'package.nls.json'), 'utf8')) as Record<string, string>;
    const p = manifest.contributes.configuration.properties;
    for (const name of Object.values(BUDGET_SETTING)) {
      const prop = p[name];
      assert.ok(prop, `${name} in package.json`);
      const key = /^%(.+)%$/.exec(prop.markdownDescription ?? '')?.[1];
      assert.ok(key && nls[key], `${name} has a markdownDescription in package.nls.json`);
    }
    for (const name of [BUDGET_SETTING.organizationDaily, BUDGET_SETTING.organizationMonthly, BUDGET_SETTING.localDaily, BUDGET_SETTING.localMonthly]) {
      assert.deepEqual([p[name]!.type, p[name]!.default, p[name]!.minimum, p[name]!.maximum], ['number', 0, 0, MAX_BUDGET_USD]);
    }
    const t = p[BUDGET_SETTING.thresholds]!;
    assert.deepEqual([t.default, t.items?.minimum, t.items?.maximum], [DEFAULT_THRESHOLDS, THRESHOLD_BOUNDS.min, THRESHOLD_BOUNDS.max]);
    assert.equal(p[BUDGET_SETTING.notifications]!.default, true);
    assert.deepEqual([p[BUDGET_SETTING.planWarning]!.default, p[BUDGET_SETTING.planError]!.default], [75, 90]);
  });

  it('defaults: no budget, thresholds 75/90/100, plan 75/90, notifications on, the system zone', () => {
    const { settings: s, problems } = parseBudgetSettings({}, 'Europe/Berlin');
    assert.deepEqual(problems, []);
    assert.deepEqual(s, { organization: {}, local: {}, thresholds: [75, 90, 100], plan: { warningPercent: 75, errorPercent: 90 }, notifications: true, localZone: 'Europe/Berlin' });
  });

  it('amounts: numbers and decimal strings, exact; 0 or empty is no budget', () => {
    const { settings: s, problems } = parseBudgetSettings({ organizationDaily: 20, organizationMonthly: '500.50', localDaily: 0, localMonthly: ' $12.345 ' }, 'UTC');
    assert.deepEqual(problems, []);
    assert.deepEqual(s.organization, { daily: '20', monthly: '500.5' });
    assert.deepEqual(s.local, { monthly: '12.345' });
    assert.equal(parseBudgetSettings({ organizationMonthly: 0.1 }, 'UTC').settings.organization.monthly, '0.1', 'no binary float digits');
  });

  it('invalid values get one clear sentence each and are ignored, never a crash', () => {
    const { settings: s, problems } = parseBudgetSettings(
      {
        organizationDaily: -5,
        organizationMonthly: 'lots',
        localDaily: 0.001,
        localMonthly: { usd: 3 },
        thresholds: [50, 'x', 0, 2000, '80%', 50],
        planWarning: 95,
        planError: 90,
        notifications: 'yes',
        timezone: 'Mars/Olympus',
      },
      'UTC',
    );
    assert.deepEqual(s.organization, {});
    assert.deepEqual(s.local, {});
    assert.deepEqual(s.thresholds, [50, 80]);
    assert.deepEqual(s.plan, { warningPercent: 75, errorPercent: 90 });
    assert.equal(s.notifications, true);
    assert.equal(s.localZone, 'UTC');
    assert.equal(problems.length, 8, problems.join('\n'));
    assert.match(problems[0]!, /^claudeUsage\.budgets\.organization\.daily must be an amount in US dollars between 0\.01 and 1,000,000,000 \(0 for no budget\), not -5; it is ignored\.$/);
    assert.match(problems[1]!, /organization\.monthly .* not "lots"; it is ignored\./);
    assert.match(problems.join('\n'), /claudeUsage\.budgets\.thresholds: "x", 0, 2000 are not percentages between 1 and 1000; ignored\./);
    assert.match(problems.join('\n'), /claudeUsage\.plan\.warningThreshold \(95\) is above claudeUsage\.plan\.errorThreshold \(90\)/);
    assert.match(problems.join('\n'), /claudeUsage\.budgets\.notifications must be true or false, not "yes"/);
    assert.match(problems.join('\n'), /claudeUsage\.local\.timezone: unknown time zone "Mars\/Olympus"/);
    const notList = parseBudgetSettings({ thresholds: 75 }, 'UTC');
    assert.deepEqual(notList.settings.thresholds, [75, 90, 100]);
    assert.match(notList.problems[0]!, /must be a list of percentages such as \[75, 90, 100\], not 75; the defaults apply\./);
    assert.deepEqual(parseBudgetSettings({ thresholds: [] }, 'UTC').settings.thresholds, [], 'an empty list: no threshold notifications');
  });
});

describe('budgets: periods in a zone', () => {
  it('a local day starts at local midnight, also on DST days (23 and 25 hours)', () => {
    assert.equal(dayStartInZone('2027-03-14', 'America/Los_Angeles'), utc('2027-03-14T08:00:00Z'));
    assert.equal(dayStartInZone('2027-03-15', 'America/Los_Angeles'), utc('2027-03-15T07:00:00Z'));
    assert.equal(dayStartInZone('2026-11-01', 'America/Los_Angeles'), utc('2026-11-01T07:00:00Z'));
    assert.equal(dayStartInZone('2026-11-02', 'America/Los_Angeles'), utc('2026-11-02T08:00:00Z'));
    assert.equal(dayStartInZone('2027-01-01', 'Pacific/Kiritimati'), utc('2026-12-31T10:00:00Z'));
    assert.equal(dayStartInZone('2026-12-05', 'UTC'), utc('2026-12-05T00:00:00Z'));
    const p = periodAt('day', utc('2027-03-14T18:00:00Z'), 'America/Los_Angeles');
    assert.equal((p.endMs - p.startMs) / HOUR, 23);
  });

  it('a zone whose clocks skip midnight: the day starts at the first instant of that date', () => {
    // Chile moves its clocks from 24:00 to 01:00 at the start of DST (first Sunday of September).
    for (const day of ['2026-09-06', '2027-09-05']) {
      const t = dayStartInZone(day, 'America/Santiago');
      assert.equal(dayInZone(t, 'America/Santiago'), day);
      assert.notEqual(dayInZone(t - 1, 'America/Santiago'), day);
    }
  });

  it('every day start of a year is the first instant of its date, in several zones', () => {
    for (const zone of ['America/Los_Angeles', 'Europe/Berlin', 'Pacific/Kiritimati', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/St_Johns']) {
      for (let t = utc('2026-01-01T00:00:00Z'); t < utc('2027-01-01T00:00:00Z'); t += 7 * DAY + 3 * HOUR) {
        const day = dayInZone(t, zone);
        const start = dayStartInZone(day, zone);
        assert.equal(dayInZone(start, zone), day, `${zone} ${day}`);
        assert.notEqual(dayInZone(start - 1, zone), day, `${zone} ${day}`);
      }
    }
  });

  it('month to date still equals the one rule (UTC month)', () => {
    const m = monthToDate([cost('2026-11-01', '26')], utc('2026-11-27T12:00:00Z'));
    assert.ok(m.projected.eq(Decimal.parse('26').mulInt(720).divInt(636, 6).normalize()));
    assert.equal(m.daysInMonth, 30);
    assert.equal(m.month, '2026-11');
  });
});

describe('budgets: projections, hand-computed', () => {
  it('a steady month: $10 a day reaches $200 on 21 Dec', () => {
    const now = utc('2026-12-11T00:00:00Z'); // 10 days elapsed
    const r = budgetStatus(snapshot(now, { rows: daily('2026-12', 10, '10') }), undefined, settings({ organization: { monthly: '200' } }), now);
    const b = only(r, 'org.month');
    assert.equal(b.spent, '100');
    assert.equal(b.percent, 50);
    assert.equal(b.projected, '310'); // 100 / 10 days × 31 days
    assert.equal(b.projectedAt, utc('2026-12-21T00:00:00Z'));
    assert.equal(b.level, 'ok');
    assert.deepEqual(b.crossed, []);
    assert.equal(b.periodKey, '2026-12');
    assert.equal(b.zone, 'UTC');
    assert.equal(b.estimate, false);
  });

  it('an empty start of month: nothing spent, nothing projected, no date', () => {
    const now = utc('2026-12-01T00:10:00Z');
    const b = only(budgetStatus(snapshot(now, { rows: daily('2026-11', 30, '50') }), undefined, settings({ organization: { monthly: '200' } }), now), 'org.month');
    assert.deepEqual([b.spent, b.percent, b.projected, b.projectedAt, b.level], ['0', 0, '0', null, 'ok']);
  });

  it('the first hour counts as a whole day: $5 by 01:00 on the 1st projects $155 and reaches $100 on the 20th', () => {
    const now = utc('2026-12-01T01:00:00Z');
    const b = only(budgetStatus(snapshot(now, { rows: [cost('2026-12-01', '5')] }), undefined, settings({ organization: { monthly: '100' } }), now), 'org.month');
    assert.equal(b.projected, '155');
    assert.equal(b.projectedAt, utc('2026-12-20T01:00:00Z')); // (100 − 5) ÷ $5 a day = 19 days
  });

  it('a spike: $1 a day for nine days, then $100 on the 10th', () => {
    const now = utc('2026-12-10T12:00:00Z'); // 9.5 days elapsed
    const rows = [...daily('2026-12', 9, '1'), cost('2026-12-10', '100')];
    const r = budgetStatus(snapshot(now, { rows }), undefined, settings({ organization: { monthly: '300', daily: '120' } }), now);
    const m = only(r, 'org.month');
    assert.equal(m.spent, '109');
    assert.equal(m.projected, '355.684211'); // 109 × 44640 min ÷ 13680 min, to 1e-6 (half-even)
    // (300 − 109) × 9.5 days ÷ 109 = 16.6468 days = 16 d 15 h 31.4 min, rounded down to the minute
    assert.equal(m.projectedAt, utc('2026-12-27T03:31:00Z'));
    assert.equal(m.percent, 36.33);
    const d = only(r, 'org.day');
    assert.equal(d.spent, '100');
    assert.equal(d.percent, 83.33);
    assert.deepEqual(d.crossed, [75]);
    assert.equal(d.level, 'warning');
    assert.equal(d.projected, '200'); // $100 in 12 of 24 hours
    assert.equal(d.projectedAt, utc('2026-12-10T14:24:00Z')); // 20 more dollars at $100 per 12 h
  });

  it('a daily budget on a 23-hour DST day in Los Angeles (this machine, an estimate)', () => {
    const now = utc('2027-03-14T18:00:00Z'); // 11:00 PDT; the day began 08:00Z: 10 h elapsed
    const days = [localDay('2027-03-14', '6'), localDay('2027-03-14', '4'), localDay('2027-03-13', '99')];
    const b = only(budgetStatus(snapshot(now, { local: { zone: 'America/Los_Angeles', days } }), undefined, settings({ local: { daily: '20' } }), now), 'local.day');
    assert.equal(b.spent, '10');
    assert.equal(b.projected, '23'); // $10 in 10 of 23 hours
    assert.equal(b.projectedAt, utc('2027-03-15T04:00:00Z')); // $10 more at $1 an hour
    assert.equal(b.periodKey, '2027-03-14');
    assert.equal(b.zone, 'America/Los_Angeles');
    assert.equal(b.estimate, true);
  });

  it("a day's first minutes count as an hour; already over: no date; unpriced models flagged", () => {
    const now = utc('2026-12-05T00:30:00Z');
    const r = budgetStatus(snapshot(now, { local: { zone: 'UTC', days: [localDay('2026-12-05', '2'), localDay('2026-12-05', null)] } }), undefined, settings({ local: { daily: '10', monthly: '1' } }), now);
    const d = only(r, 'local.day');
    assert.equal(d.projected, '48');
    assert.equal(d.projectedAt, utc('2026-12-05T04:30:00Z'));
    assert.equal(d.unpriced, true);
    const m = only(r, 'local.month');
    assert.equal(m.projectedAt, null);
    assert.equal(m.level, 'error');
    assert.deepEqual(m.crossed, [75, 90, 100]);
    assert.equal(r.level, 'error');
  });

  it('the pace never reaches the budget within the period: no date', () => {
    const now = utc('2026-12-20T00:00:00Z');
    const b = only(budgetStatus(snapshot(now, { rows: daily('2026-12', 19, '1') }), undefined, settings({ organization: { monthly: '100' } }), now), 'org.month');
    assert.equal(b.projectedAt, null);
    const ptd = periodToDate(Decimal.parse('19'), periodAt('month', now), now);
    assert.equal(reachesAt(ptd, Decimal.parse('31'), now), null, 'reached exactly at the end is not within');
  });

  it('budgets without figures wait, with the reason', () => {
    const now = utc('2026-12-05T12:00:00Z');
    const s = emptySnapshot(new Date(now));
    const r = budgetStatus(s, undefined, settings({ organization: { monthly: '100' }, local: { daily: '5' } }), now);
    assert.deepEqual(r.budgets, []);
    assert.deepEqual(r.waiting.map((w) => [w.id, w.reason]), [
      ['org.month', 'needs an Admin key (sk-ant-admin…)'],
      ['local.day', "reading this machine's Claude Code transcripts"],
    ]);
  });
});

describe('budgets: plan windows', () => {
  const NOW = utc('2026-12-31T13:00:00Z');
  const sec = (ms: number): number => Math.floor(ms / 1000);
  function plan(used: number, resetsAt: number, perMin = 0): PlanData {
    const history: [number, number, number][] = [];
    for (let m = 40; m >= 0; m--) history.push([sec(NOW - m * MIN), used - perMin * m, sec(resetsAt)]);
    return {
      version: 1,
      updatedAt: NOW,
      windows: {
        five_hour: { key: 'five_hour', kind: 'session', usedPercent: used, resetsAt, observedAt: NOW },
        seven_day: { key: 'seven_day', kind: 'week', usedPercent: 20, resetsAt: NOW + 4 * DAY, observedAt: NOW },
      },
      history: { five_hour: history },
    };
  }

  it('a 5-hour window at 91 %: error level, 75 and 90 crossed, no pace without history', () => {
    const r = budgetStatus(emptySnapshot(new Date(NOW)), plan(91, NOW + HOUR), settings(), NOW);
    const b = only(r, 'plan.five_hour');
    assert.deepEqual([b.kind, b.period, b.unit, b.amount, b.spent, b.percent, b.level, b.projectedAt], ['plan', 'fiveHour', 'percent', '100', '91', 91, 'error', null]);
    assert.deepEqual(b.crossed, [75, 90]);
    assert.equal(b.periodEnd, NOW + HOUR);
    assert.equal(r.level, 'ok', 'plan windows colour through the plan facts');
    assert.equal(r.levelWithPlan, 'error');
    assert.equal(only(r, 'plan.seven_day').level, 'ok');
  });

  it("the plan facts' pace is the projection: runs out at 13:50, 15 min before the reset at 14:05", () => {
    const r = budgetStatus(emptySnapshot(new Date(NOW)), plan(50, NOW + 65 * MIN, 1), settings(), NOW);
    const b = only(r, 'plan.five_hour');
    assert.equal(b.projectedAt, NOW + 50 * MIN);
    const ev = budgetEvents(b, 90);
    assert.deepEqual(ev.map((e) => e.kind), ['projected']);
    const n = text(b, NOW);
    assert.equal(n, "Claude Usage: At this pace the 5-hour window runs out at 13:50, before it resets at 14:05 (estimate from Claude Code's figures; 50% used now).");
  });

  it('a weekly window ahead of the week: the week pace is the projection, day names in the texts', () => {
    const data: PlanData = {
      version: 1,
      updatedAt: NOW,
      windows: { seven_day: { key: 'seven_day', kind: 'week', usedPercent: 80, resetsAt: NOW + 3.5 * DAY, observedAt: NOW } },
      history: {},
    };
    const b = only(budgetStatus(emptySnapshot(new Date(NOW)), data, settings(), NOW), 'plan.seven_day');
    // 80 % used with half the week gone: at that pace 100 % after 4.375 of 7 days, 2 d 15 h before the reset.
    assert.equal(b.projectedAt, utc('2027-01-01T10:00:00Z'));
    assert.deepEqual([b.period, b.level, b.crossed], ['week', 'warning', [75]]);
    assert.equal(text(b, NOW), 'Claude Usage: Your weekly limit is 80% used (from Claude Code, just now); it resets Mon 01:00. At this pace it runs out Fri 10:00, 2 d 15 h before it resets (estimate).');
  });

  it('a window whose reset has passed is no budget (it shows as reset)', () => {
    const r = budgetStatus(emptySnapshot(new Date(NOW)), plan(95, NOW - MIN), settings(), NOW);
    assert.equal(r.budgets.find((b) => b.id === 'plan.five_hour'), undefined);
  });
});

/** The text the alerter would show for everything true now. */
const text = (b: BudgetStatus, now: number): string => notificationFor(b, budgetEvents(b, 90), now).message;

describe('budgets: notification texts say what is an estimate', () => {
  it('organization threshold with the projection; this machine says estimate; used up is an error', () => {
    const now = utc('2026-12-11T00:00:00Z');
    const org = only(budgetStatus(snapshot(now, { rows: daily('2026-12', 10, '10') }), undefined, settings({ organization: { monthly: '130' } }), now), 'org.month');
    assert.equal(text(org, now), 'Claude Usage: The organization has used 76% of its monthly budget: $100.00 of $130.00 (Dec 2026, UTC). At this rate it reaches the budget on Mon 14 Dec (estimate).');
    const loc = only(
      budgetStatus(snapshot(now, { local: { zone: 'Europe/Berlin', days: [localDay('2026-12-11', '18.4')] } }), undefined, settings({ local: { daily: '20' } }), utc('2026-12-11T10:00:00Z')),
      'local.day',
    );
    // 11:00 in Berlin, 11 h into the day: $1.60 more at $18.40 per 11 h is 57.4 min → 11:57 (rounded down).
    assert.equal(text(loc, utc('2026-12-11T10:00:00Z')), 'Claude Usage: Claude Code on this machine has used 92% of its daily budget: ≈$18.40 of $20.00 (today; API-equivalent estimate). At this rate it reaches the budget at 11:57 (estimate).');
    const over = only(budgetStatus(snapshot(now, { rows: daily('2026-12', 10, '10') }), undefined, settings({ organization: { monthly: '90' } }), now), 'org.month');
    const ev = budgetEvents(over, 90);
    assert.equal(ev[0]!.severity, 'error');
    assert.equal(text(over, now), 'Claude Usage: The organization has used up its monthly budget: $100.00 of $90.00 (111%, Dec 2026, UTC).');
  });

  it('projected exhaustion alone says it is an estimate', () => {
    const now = utc('2026-12-11T00:00:00Z');
    const b = only(budgetStatus(snapshot(now, { rows: daily('2026-12', 10, '10') }), undefined, settings({ organization: { monthly: '200' } }), now), 'org.month');
    assert.equal(text(b, now), 'Claude Usage: At this rate the organization reaches its monthly budget of $200.00 on Mon 21 Dec (estimate; $100.00 so far, 50%, Dec 2026, UTC).');
  });
});

// ---------------------------------------------------------------------------------------------------
// The alerter under fake time

interface World {
  sched: ManualScheduler;
  dir: string;
  snap: StoreSnapshot;
  plan?: PlanData;
  s: BudgetSettings;
  shown: { window: string; n: BudgetNotification }[];
  windows: BudgetAlerter[];
  open(name: string, clockOffsetMs?: number): BudgetAlerter;
  settle(): Promise<void>;
  /** Every window evaluates (after a change), then time moves on. */
  tick(ms?: number): Promise<void>;
}

async function world(start: number, s: BudgetSettings): Promise<World> {
  const sched = new ManualScheduler(start);
  const dir = await mkdtemp(join(tmpdir(), 'cu-budget-'));
  const w: World = {
    sched,
    dir,
    snap: emptySnapshot(new Date(start)),
    s,
    shown: [],
    windows: [],
    open(name, offset = 0) {
      const clock = { now: () => sched.now() + offset };
      const a = new BudgetAlerter({
        book: new FileAlertBook(join(dir, 'budget-alerts'), name, clock),
        clock,
        scheduler: sched,
        inputs: () => ({ snapshot: w.snap, ...(w.plan ? { plan: w.plan } : {}), settings: w.s }),
        notify: (n) => w.shown.push({ window: name, n }),
      });
      w.windows.push(a);
      return a;
    },
    async settle() {
      await Promise.all(w.windows.map((a) => a.whenIdle()));
    },
    async tick(ms = 5_000) {
      for (const a of w.windows) a.schedule();
      await sched.advance(ms, () => w.settle());
    },
  };
  return w;
}

describe('budgets: alerts under fake time', () => {
  let w: World;
  afterEach(async () => {
    for (const a of w?.windows ?? []) a.dispose();
    if (w) await rm(w.dir, { recursive: true, force: true });
  });

  const orgMonth = (monthly: string): BudgetSettings => settings({ organization: { monthly } });

  it('each threshold fires exactly once per period, none after a reload, again next month', async () => {
    const start = utc('2026-12-20T12:00:00Z');
    w = await world(start, orgMonth('1000'));
    w.open('A');
    const spend = async (total: string) => {
      w.snap = snapshot(w.sched.now(), { rows: [cost('2026-12-01', total)] });
      await w.tick();
    };
    await spend('500'); // 50 %, and the pace stays under the budget
    assert.equal(w.shown.length, 0);
    await spend('760'); // 76 %: 75 crossed; pace 760 / 19.5 days × 31 > 1000 → folded into the same toast
    assert.equal(w.shown.length, 1);
    assert.match(w.shown[0]!.n.message, /has used 76% of its monthly budget: \$760\.00 of \$1,000\.00 \(Dec 2026, UTC\)\. At this rate it reaches the budget on \w{3} \d+ Dec \(estimate\)\./);
    assert.equal(w.shown[0]!.n.severity, 'warning');
    assert.deepEqual(w.shown[0]!.n.actions, ['openDashboard', 'snooze', 'settings']);
    await spend('800');
    await w.tick(60 * MIN);
    assert.equal(w.shown.length, 1, 'still 75-90 %: nothing new');
    // A reload: a new instance on the same folder.
    w.windows[0]!.dispose();
    w.windows.length = 0;
    w.open('A-reloaded');
    await w.tick();
    assert.equal(w.shown.length, 1, 'no repeat after a reload');
    await spend('920');
    assert.equal(w.shown.length, 2);
    assert.match(w.shown[1]!.n.message, /has used 92% of its monthly budget/);
    await spend('1000.01');
    assert.equal(w.shown.length, 3);
    assert.equal(w.shown[2]!.n.severity, 'error');
    assert.match(w.shown[2]!.n.message, /has used up its monthly budget: \$1,000\.01 of \$1,000\.00 \(100%, Dec 2026, UTC\)\./);
    await spend('1500');
    assert.equal(w.shown.length, 3, 'each threshold once');
    // January: a new period, the same thresholds fire again.
    await w.sched.advance(utc('2027-01-25T00:00:00Z') - w.sched.now(), () => w.settle());
    w.snap = snapshot(w.sched.now(), { rows: [cost('2026-12-01', '1500'), cost('2027-01-02', '800')] });
    await w.tick();
    assert.equal(w.shown.length, 4);
    assert.match(w.shown[3]!.n.message, /has used 80% of its monthly budget: \$800\.00 of \$1,000\.00 \(Jan 2027, UTC\)/);
  });

  it('crossing 75 and 90 at once says 90 once (one toast), and each budget has its own', async () => {
    const now = utc('2026-12-11T00:00:00Z');
    w = await world(now, settings({ organization: { monthly: '105', daily: '10' } }));
    w.open('A');
    w.snap = snapshot(now, { rows: daily('2026-12', 10, '10') }); // month 95 %, yesterday's day $10 but today $0
    await w.tick();
    assert.equal(w.shown.length, 1);
    assert.match(w.shown[0]!.n.message, /has used 95% of its monthly budget/);
    const fired = await readdir(join(w.dir, 'budget-alerts', 'fired'));
    assert.equal(fired.length, 3, `75, 90 and the projection claimed: ${fired.join(', ')}`);
  });

  it('three windows with clocks that differ: one notification in total, then none on any reload', async () => {
    const now = utc('2026-12-15T12:00:00Z');
    w = await world(now, orgMonth('100'));
    const [a, b, c] = [w.open('A'), w.open('B', 90_000), w.open('C', -120_000)];
    w.snap = snapshot(now, { rows: [cost('2026-12-01', '80')] });
    // All at the very same moment, and then again and again.
    await Promise.all([a.evaluate(), b.evaluate(), c.evaluate()]);
    await w.tick();
    await w.tick(HOUR);
    assert.equal(w.shown.length, 1, w.shown.map((x) => `${x.window}: ${x.n.message}`).join('\n'));
    w.snap = snapshot(now, { rows: [cost('2026-12-01', '95')] });
    await Promise.all([c.evaluate(), b.evaluate(), a.evaluate()]);
    await w.tick();
    assert.equal(w.shown.length, 2);
    assert.match(w.shown[1]!.n.message, /95%/);
    for (const x of w.windows) x.dispose();
    w.windows.length = 0;
    w.open('A2', 30_000);
    w.open('B2');
    w.open('C2', -5_000);
    await w.tick();
    assert.equal(w.shown.length, 2);
  });

  it('many rounds of three windows racing never show a threshold twice', async () => {
    const now = utc('2026-12-15T12:00:00Z');
    w = await world(now, settings({ organization: { monthly: '100', daily: '50' }, thresholds: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] }));
    const ws = [w.open('A'), w.open('B', 1000), w.open('C', -1000)];
    for (let total = 5; total <= 120; total += 7) {
      w.snap = snapshot(now, { rows: [cost('2026-12-01', String(total)), cost('2026-12-15', String(total / 4))] });
      await Promise.all(ws.map((x) => x.evaluate()));
    }
    const keys = w.shown.map((x) => x.n.key);
    assert.equal(new Set(keys).size, keys.length, keys.join('\n'));
    const fired = await readdir(join(w.dir, 'budget-alerts', 'fired'));
    assert.ok(fired.length >= 10);
  });

  it('month end in Los Angeles: the local month turns at local midnight, not at UTC midnight', async () => {
    const zone = 'America/Los_Angeles';
    const start = utc('2026-12-01T01:00:00Z'); // 30 Nov 17:00 PST: UTC is in December already
    w = await world(start, settings({ local: { monthly: '100' }, localZone: zone }));
    w.open('A');
    const days = (list: [string, string][]) => list.map(([d, c]) => localDay(d, c));
    w.snap = snapshot(start, { local: { zone, days: days([['2026-11-30', '80']]) } });
    await w.tick();
    assert.equal(w.shown.length, 1);
    assert.match(w.shown[0]!.n.message, /Claude Code on this machine has used 80% of its monthly budget: ≈\$80\.00 of \$100\.00 \(Nov 2026; API-equivalent estimate\)\./);
    // 23:55 PST, still November there: nothing new.
    await w.sched.advance(utc('2026-12-01T07:55:00Z') - w.sched.now(), () => w.settle());
    await w.tick();
    assert.equal(w.shown.length, 1);
    // 00:30 PST on 1 December: a new period; 80 % again fires again.
    await w.sched.advance(utc('2026-12-01T08:30:00Z') - w.sched.now(), () => w.settle());
    w.snap = snapshot(w.sched.now(), { local: { zone, days: days([['2026-11-30', '80'], ['2026-12-01', '78']]) } });
    await w.tick();
    assert.equal(w.shown.length, 2);
    assert.match(w.shown[1]!.n.message, /78% of its monthly budget: ≈\$78\.00 of \$100\.00 \(Dec 2026; API-equivalent estimate\)/);
  });

  it('snooze until tomorrow (local midnight, shared by every window); what is still true fires after it', async () => {
    const zone = 'Europe/Berlin';
    const now = utc('2026-12-15T12:00:00Z');
    w = await world(now, settings({ organization: { monthly: '100' }, localZone: zone }));
    const a = w.open('A');
    w.open('B', 60_000);
    const until = await a.snoozeUntilTomorrow();
    assert.equal(until, utc('2026-12-15T23:00:00Z'), 'midnight in Berlin');
    assert.equal(tomorrowStart(now, 'UTC'), utc('2026-12-16T00:00:00Z'));
    w.snap = snapshot(now, { rows: [cost('2026-12-01', '91')] });
    await w.tick(HOUR);
    assert.equal(w.shown.length, 0, 'snoozed in both windows');
    await w.sched.advance(until - w.sched.now() + MIN, () => w.settle());
    await w.tick();
    assert.equal(w.shown.length, 1);
    assert.match(w.shown[0]!.n.message, /91%/);
  });

  it('notifications off: nothing fires and nothing is claimed; on again: the current state once', async () => {
    const now = utc('2026-12-15T12:00:00Z');
    w = await world(now, settings({ organization: { monthly: '100' }, notifications: false }));
    w.open('A');
    w.snap = snapshot(now, { rows: [cost('2026-12-01', '95')] });
    await w.tick();
    assert.equal(w.shown.length, 0);
    assert.deepEqual(await readdir(join(w.dir)).catch(() => []), []);
    w.s = { ...w.s, notifications: true };
    await w.tick();
    assert.equal(w.shown.length, 1);
  });

  it('a lock left by a crashed window is taken over after 10 s of this process clock, never by its file time', async () => {
    const now = utc('2026-12-15T12:00:00Z');
    w = await world(now, orgMonth('100'));
    w.open('A');
    const alerts = join(w.dir, 'budget-alerts');
    await rm(alerts, { recursive: true, force: true });
    await import('node:fs/promises').then((fs) => fs.mkdir(alerts, { recursive: true }));
    await writeFile(join(alerts, 'lock'), JSON.stringify({ token: 'crashed:1', at: now - 10 * DAY }));
    w.snap = snapshot(now, { rows: [cost('2026-12-01', '80')] });
    await w.tick(1_000);
    assert.equal(w.shown.length, 0, 'first sight of the lock: it may have just been taken');
    await w.sched.advance(12_000, () => w.settle());
    await w.tick(3_000);
    assert.equal(w.shown.length, 1);
  });

  it('debounced: a burst of changes is one evaluation', async () => {
    const now = utc('2026-12-15T12:00:00Z');
    w = await world(now, orgMonth('100'));
    const a = w.open('A');
    let evaluations = 0;
    const orig = a.evaluate.bind(a);
    a.evaluate = () => {
      evaluations++;
      return orig();
    };
    for (let i = 0; i < 20; i++) {
      a.schedule();
      await w.sched.advance(100, () => w.settle());
    }
    await w.sched.advance(5_000, () => w.settle());
    assert.equal(evaluations, 1);
  });

  it('plan windows: 75 then 90 once per window, again after the reset', async () => {
    const NOW = utc('2026-12-31T13:00:00Z');
    w = await world(NOW, settings());
    w.open('A');
    const obs = (used: number, resetsAt: number, at: number): PlanData => ({
      version: 1,
      updatedAt: at,
      windows: { five_hour: { key: 'five_hour', kind: 'session', usedPercent: used, resetsAt: resetsAt + 7_000, observedAt: at } },
      history: {},
    });
    const reset1 = NOW + 2 * HOUR;
    w.plan = obs(76, reset1, NOW);
    await w.tick();
    assert.equal(w.shown.length, 1);
    assert.match(w.shown[0]!.n.message, /^Claude Usage: Your 5-hour window is 76% used \(from Claude Code, just now\); it resets at 15:00\.$/);
    assert.equal(w.shown[0]!.n.settingsQuery, 'claudeUsage.plan');
    w.plan = obs(80, reset1 - 3_000, w.sched.now()); // the reset time jitters by seconds
    await w.tick();
    assert.equal(w.shown.length, 1);
    w.plan = obs(93, reset1, w.sched.now());
    await w.tick();
    assert.equal(w.shown.length, 2);
    assert.equal(w.shown[1]!.n.severity, 'error');
    // A window resetting on a rounding boundary (hh:05), its reset time jittering across it: the same window.
    const odd = reset1 + 65 * MIN - 7_000; // obs() adds 7 s: exactly 16:05:00, then 16:04:58 and 16:05:02
    for (const jitter of [0, -2_000, 2_000]) {
      w.plan = { ...obs(80, odd + jitter, w.sched.now()) };
      await w.tick();
    }
    assert.equal(w.shown.length, 3, w.shown.map((x) => x.n.message).join('\n'));
    assert.match(w.shown[2]!.n.message, /resets at 16:05/);
    w.plan = obs(93, reset1, w.sched.now());
    await w.sched.advance(2 * HOUR, () => w.settle());
    w.plan = obs(77, reset1 + 5 * HOUR, w.sched.now());
    await w.tick();
    assert.equal(w.shown.length, 4, 'the next window alerts again');
  });

  it('old records are pruned by the period end written inside them', async () => {
    const now = utc('2026-12-15T12:00:00Z');
    w = await world(now, orgMonth('100'));
    const book = new FileAlertBook(join(w.dir, 'b'), 'X', { now: () => w.sched.now() });
    assert.equal(await book.claim({ key: 'k1', aliases: [], budgetId: 'org.month', kind: 'threshold', threshold: 75, rank: 75, severity: 'warning', periodEnd: now - 50 * DAY }), true);
    assert.equal(await book.claim({ key: 'k2', aliases: [], budgetId: 'org.month', kind: 'threshold', threshold: 75, rank: 75, severity: 'warning', periodEnd: now }), true);
    assert.equal(await book.claim({ key: 'k2', aliases: [], budgetId: 'org.month', kind: 'threshold', threshold: 75, rank: 75, severity: 'warning', periodEnd: now }), false);
    assert.equal(await book.prune(), 1);
    assert.equal(await book.has('k1'), false);
    assert.equal(await book.has('k2'), true);
    assert.match(recordName('org.month|2026-12|500|t75'), /^org\.month_2026-12_500_t75\.[0-9a-f]{12}\.json$/);
  });
});

describe('budgets: surfaces', () => {
  it('rows, tooltip lines, the status text and chart lines', () => {
    const now = utc('2026-12-11T00:00:00Z');
    const r = budgetStatus(
      snapshot(now, { rows: daily('2026-12', 10, '10'), local: { zone: 'UTC', days: [localDay('2026-12-10', '30')] } }),
      undefined,
      settings({ organization: { monthly: '130' }, local: { daily: '20', monthly: '31' } }),
      now,
    );
    const rows = budgetRows(r, now);
    assert.deepEqual(
      rows.map((x) => [x.id, x.summary, x.period, x.level, x.estimate]),
      [
        ['org.month', '$100.00 of $130.00 (76%)', 'Dec 2026, UTC', 'warning', false],
        ['local.month', '≈$30.00 of $31.00 (96%)', 'Dec 2026, UTC', 'warning', true],
        ['local.day', '≈$0.00 of $20.00 (0%)', 'today, UTC', 'ok', true],
      ],
    );
    assert.equal(rows[0]!.projection, 'projected $310.00 at month end (estimate)');
    assert.equal(rows[0]!.reach, 'reaches the budget on Mon 14 Dec (estimate)');
    assert.equal(rows[0]!.fraction, 0.7692);
    const lines = budgetTooltipLines(r, now);
    assert.equal(lines[0], '$(warning) **Organization, monthly budget** $100.00 of $130.00 (76%) · Dec 2026, UTC · projected $310.00 at month end (estimate) · reaches the budget on Mon 14 Dec (estimate)');
    assert.match(lines[1]!, /^\$\(warning\) \*\*This machine, monthly budget\*\* ≈\$30\.00 of \$31\.00 \(96%\) .* · _API-equivalent estimate_$/);
    assert.equal(budgetStatusText(r), '$(warning) mo 96% (est.)');
    const chart = budgetChartLines(settings({ organization: { monthly: '310', daily: '12' } }), now, 'org');
    assert.deepEqual(chart.map((c) => [c.period, c.amount, c.perDay, c.label]), [
      ['day', '12', '12', 'Daily budget $12.00'],
      ['month', '310', '10', 'Monthly budget $310.00 (≈ $10.00 a day)'],
    ]);
  });
});
