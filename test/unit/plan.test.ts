/**
 * Plan limits, pure parts: the status line payload parser, the state file's merge and compact history,
 * the facts (reset, stale, pace) and what each surface shows, in several time zones.
 * Fixed instants only (no wall clock), so the suite passes at any date and in any TZ.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nextPlanChange, planFacts, sessionPace, weekPace, DEFAULT_PLAN_SETTINGS } from '../../src/core/plan/facts';
import { clockTime, countdown, dateTime, resetClock, span, timeTicks } from '../../src/core/plan/format';
import { parseStatusPayload, resetTime } from '../../src/core/plan/payload';
import { addSample, compactHistory, HISTORY_KEEP_SECONDS, HISTORY_MAX_SAMPLES, mergeObservation, parsePlanData, readPlanData, recordObservation, serializePlanData } from '../../src/core/plan/state';
import { planChartSeries, planGauges, planStatusLevel, planStatusText, planTooltipLines, planTreeNode } from '../../src/core/plan/surfaces';
import { combine, renderSegment } from '../../src/core/plan/statusline';
import { emptyPlanData, type PlanData, type PlanSample, type StatusPayload } from '../../src/core/plan/types';
import { NOW, realPayload, SEC } from './planFixtures';
import { samplePlanData } from '../fixtures/makePlanState';
import { sampleSnapshot } from './dashboardFixture';
import { nextClockChange } from '../../src/core/model/facts';

const MIN = 60_000;

describe('plan: status line payload parser', () => {
  it('reads a real-shaped payload', () => {
    const p = parseStatusPayload(JSON.stringify(realPayload()))!;
    assert.equal(p.sessionId, '3f1c1a52-5b7e-4c1a-9d55-0a1b2c3d4e01');
    assert.equal(p.model, 'Opus 4.8');
    assert.equal(p.modelId, 'claude-opus-4-8');
    assert.equal(p.version, '2.1.214');
    assert.equal(p.contextPercent, 26);
    assert.equal(p.costUsd, 1.37);
    assert.equal(p.cwd, '/home/me/app');
    assert.deepEqual(p.windows, [
      { key: 'five_hour', kind: 'session', usedPercent: 42, resetsAt: (SEC + 7500) * 1000 },
      { key: 'seven_day', kind: 'week', usedPercent: 36, resetsAt: (SEC + 4 * 86400) * 1000 },
    ]);
  });

  it('without rate_limits (API-key users, before the first response, the release without them)', () => {
    const p = parseStatusPayload(JSON.stringify(realPayload({ rate_limits: undefined })))!;
    assert.deepEqual(p.windows, []);
    assert.equal(p.model, 'Opus 4.8');
  });

  it('one window missing, fractional %, per-model weekly, unknown fields', () => {
    const p = parseStatusPayload(
      JSON.stringify(
        realPayload({
          rate_limits: { seven_day: { used_percentage: 61.75, resets_at: SEC + 1000, burst: 3 }, seven_day_opus: { used_percentage: 12.5 }, future_thing: 'x' },
          brand_new_field: { nested: [1, 2, 3] },
        }),
      ),
    )!;
    assert.deepEqual(p.windows, [
      { key: 'seven_day', kind: 'week', usedPercent: 61.75, resetsAt: (SEC + 1000) * 1000 },
      { key: 'seven_day_opus', kind: 'modelWeek', usedPercent: 12.5 },
    ]);
  });

  it('wrong types are dropped field by field, never thrown', () => {
    const p = parseStatusPayload(
      JSON.stringify({ session_id: 42, model: 'claude-sonnet-4-6', context_window: { used_percentage: 'lots' }, cost: { total_cost_usd: -1 }, rate_limits: { five_hour: { used_percentage: null }, seven_day: [] } }),
    )!;
    assert.equal(p.sessionId, '42');
    assert.equal(p.model, 'claude-sonnet-4-6');
    assert.equal(p.contextPercent, undefined);
    assert.equal(p.costUsd, undefined);
    assert.deepEqual(p.windows, []);
  });

  it('garbage, empty, truncated, arrays and BOMs', () => {
    for (const bad of ['', '   \n', 'garbage', '{"model":', JSON.stringify(realPayload()).slice(0, 200), '[1,2]', 'null', '42', '\u0000\u0001']) {
      assert.equal(parseStatusPayload(bad), undefined, JSON.stringify(bad));
    }
    assert.equal(parseStatusPayload(`\ufeff${JSON.stringify(realPayload())}`)?.model, 'Opus 4.8');
  });

  it('reset times: epoch seconds, epoch ms, ISO; garbage ignored; percentages clamped', () => {
    assert.equal(resetTime(1781290000), 1781290000000);
    assert.equal(resetTime(1781290000123), 1781290000123);
    assert.equal(resetTime('2026-06-12T18:06:40Z'), Date.parse('2026-06-12T18:06:40Z'));
    assert.equal(resetTime('soon'), undefined);
    assert.equal(resetTime(-5), undefined);
    const p = parseStatusPayload(JSON.stringify({ rate_limits: { five_hour: { used_percentage: 100.4 }, seven_day: { used_percentage: 5000 } } }))!;
    assert.deepEqual(p.windows, [{ key: 'five_hour', kind: 'session', usedPercent: 100 }]);
  });
});

const payload = (over: Partial<StatusPayload> = {}): StatusPayload => ({
  sessionId: 's1',
  model: 'Opus 4.8',
  contextPercent: 26,
  windows: [
    { key: 'five_hour', kind: 'session', usedPercent: 42, resetsAt: NOW + 2 * 3_600_000 },
    { key: 'seven_day', kind: 'week', usedPercent: 36, resetsAt: NOW + 4 * 86_400_000 },
  ],
  ...over,
});

describe('plan: state file merge and history', () => {
  it('newest observation per window wins, by observation time not write order', () => {
    let d = mergeObservation(emptyPlanData(), payload(), NOW);
    d = mergeObservation(d, payload({ sessionId: 'old', windows: [{ key: 'five_hour', kind: 'session', usedPercent: 10 }] }), NOW - MIN);
    assert.equal(d.windows.five_hour!.usedPercent, 42);
    assert.equal(d.session!.sessionId, 's1');
    d = mergeObservation(d, payload({ sessionId: 's2', windows: [{ key: 'five_hour', kind: 'session', usedPercent: 50 }] }), NOW + MIN);
    assert.equal(d.windows.five_hour!.usedPercent, 50);
    assert.equal(d.windows.five_hour!.sessionId, 's2');
    assert.equal(d.windows.seven_day!.usedPercent, 36, 'a window the newer payload lacks keeps its last observation');
    // The older sample still lands in the history, in time order.
    assert.deepEqual(
      d.history.five_hour!.map((s) => s[0]),
      [SEC - 60, SEC, SEC + 60],
    );
  });

  it('at most one sample per window per minute; equal runs keep their ends', () => {
    let h: PlanSample[] = [];
    for (let i = 0; i < 10; i++) h = addSample(h, [SEC + i * 10, 40 + i, 1], SEC + i * 10);
    assert.equal(h.length, 2, 'one per minute bucket');
    assert.deepEqual(h[h.length - 1], [SEC + 90, 49, 1]);
    let flat: PlanSample[] = [];
    for (let i = 0; i < 30; i++) flat = addSample(flat, [SEC + i * 60, 42, 1], SEC + i * 60);
    assert.deepEqual(flat, [
      [SEC, 42, 1],
      [SEC + 29 * 60, 42, 1],
    ]);
  });

  it('older than the kept range dropped, coarser beyond a day, bounded', () => {
    const list: PlanSample[] = [];
    for (let t = SEC - 20 * 86400; t <= SEC; t += 60) list.push([t, (t / 60) % 100, 1]);
    const c = compactHistory(list, SEC);
    assert.ok(c[0]![0] >= SEC - HISTORY_KEEP_SECONDS);
    assert.ok(c.length <= HISTORY_MAX_SAMPLES);
    const lastDay = c.filter((s) => s[0] >= SEC - 86400);
    const older = c.filter((s) => s[0] < SEC - 86400);
    assert.ok(lastDay.length >= 1440 && lastDay.length <= 1441, `${lastDay.length}`);
    assert.ok(older.every((s, i) => i === 0 || s[0] - older[i - 1]![0] >= 900 - 60));
  });

  it('a torn, garbage or foreign file reads as empty and is replaced', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cu-plan-'));
    try {
      const path = join(dir, 'plan-state.json');
      for (const junk of ['', '{"version":1,"windows":{"five_hour":{"usedPercent":4', 'garbage', '[]', '{"windows":{"x":{"usedPercent":"a"}},"history":{"y":[[1,2]]}}']) {
        writeFileSync(path, junk);
        assert.deepEqual(readPlanData(path).windows, {});
        const d = recordObservation(path, payload(), NOW);
        assert.equal(d.windows.five_hour!.usedPercent, 42);
        assert.deepEqual(JSON.parse(readFileSync(path, 'utf8')).windows.five_hour.usedPercent, 42);
      }
      assert.deepEqual(readPlanData(join(dir, 'missing.json')), emptyPlanData());
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a writer that cannot get the lock in time writes its observation aside; readers see it, the next writer merges it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cu-plan-'));
    try {
      const path = join(dir, 'plan-state.json');
      recordObservation(path, payload(), NOW - 2 * MIN);
      // Another, live writer (a process) holds the lock for the whole wait, its token changing: the fallback runs.
      const lock = `${path}.lock`;
      writeFileSync(lock, 'other:start');
      const holder = spawn(process.execPath, ['-e', `const f=require('fs');let n=0;setInterval(()=>f.writeFileSync(${JSON.stringify(lock)},'other:'+n++),10)`], { stdio: 'ignore' });
      // Wait until the holder runs (its start takes longer on a loaded machine): its token has changed twice.
      for (let i = 0; i < 500 && !/^other:[1-9]/.test(readFileSync(lock, 'utf8')); i++) await new Promise((r) => setTimeout(r, 20));
      const aside = parseStatusPayload(JSON.stringify(realPayload({ session_id: 'late', rate_limits: { five_hour: { used_percentage: 61, resets_at: SEC + 3600 } } })))!;
      let result: PlanData;
      try {
        result = recordObservation(path, aside, NOW, { lockWaitMs: 400 });
      } finally {
        holder.kill();
        await new Promise((r) => holder.once('exit', r));
        rmSync(lock, { force: true });
      }
      assert.equal(readdirSync(dir).filter((f) => f.includes('.pending-')).length, 1, 'written aside');
      assert.equal(result.windows.five_hour!.usedPercent, 61, 'the caller still prints the newest figure');
      assert.equal(readPlanData(path).windows.five_hour!.usedPercent, 61, 'readers see the observation waiting aside');
      writeFileSync(`${path}.pending-test-2.json`, 'garbage');
      assert.equal(JSON.parse(readFileSync(path, 'utf8')).windows.five_hour.usedPercent, 42, 'the state file itself was not written without the lock');
      recordObservation(path, payload(), NOW - MIN);
      const after = JSON.parse(readFileSync(path, 'utf8')) as PlanData;
      assert.equal(after.windows.five_hour!.usedPercent, 61, 'the next writer merged it (and the newest observation still wins)');
      assert.equal(after.history.five_hour!.length, 3, 'every sample is kept');
      assert.deepEqual(readdirSync(dir).filter((f) => f.includes('.pending-')), [], 'pending files, garbage included, are consumed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serializes to JSON that parses back to the same data', () => {
    const d = mergeObservation(mergeObservation(emptyPlanData(), payload(), NOW - 5 * MIN), payload(), NOW);
    assert.deepEqual(parsePlanData(serializePlanData(d)), d);
    assert.deepEqual(parsePlanData(serializePlanData(emptyPlanData())), emptyPlanData());
  });
});

/** Data with a 5-hour history rising `perMin` % a minute for `minutes` up to `used` at NOW. */
function rising(used: number, perMin: number, minutes: number, resetsAt: number, week = 36, weekResets = NOW + 4 * 86_400_000): PlanData {
  let d = emptyPlanData();
  for (let m = minutes; m >= 0; m--) {
    d = mergeObservation(d, payload({ windows: [{ key: 'five_hour', kind: 'session', usedPercent: used - perMin * m, resetsAt }, { key: 'seven_day', kind: 'week', usedPercent: week, resetsAt: weekResets }] }), NOW - m * MIN);
  }
  return d;
}

const ZONES = ['UTC', 'Pacific/Kiritimati', 'America/Los_Angeles', 'Europe/Berlin'];

describe('plan: facts', () => {
  it('a window whose reset time has passed shows as reset, not as its last percentage', () => {
    const d = mergeObservation(emptyPlanData(), payload(), NOW);
    const later = planFacts(d, NOW + 2 * 3_600_000 + 1000);
    const w = later.windows[0]!;
    assert.equal(w.state, 'reset');
    assert.equal(w.usedPercent, 0);
    assert.equal(w.observedPercent, 42);
    assert.equal(later.windows[1]!.state, 'stale');
    assert.match(planStatusText(later), /^5h reset · wk 36% · 2 h ago$/);
  });

  it('the next change by the clock alone: an observation turning stale, then each reset, then none', () => {
    const d = mergeObservation(emptyPlanData(), payload(), NOW);
    const stale = NOW + DEFAULT_PLAN_SETTINGS.staleAfterMs + 1;
    assert.equal(nextPlanChange(d, NOW), stale);
    // The instant it names is the first at which planFacts shows the change, and the instant before is not.
    assert.equal(planFacts(d, stale - 1).windows[0]!.state, 'current');
    assert.equal(planFacts(d, stale).windows[0]!.state, 'stale');
    const reset = NOW + 2 * 3_600_000;
    assert.equal(nextPlanChange(d, stale), reset);
    assert.equal(planFacts(d, reset - 1).windows[0]!.state, 'stale');
    assert.equal(planFacts(d, reset).windows[0]!.state, 'reset');
    assert.equal(nextPlanChange(d, reset), NOW + 4 * 86_400_000);
    assert.equal(nextPlanChange(d, NOW + 4 * 86_400_000), undefined);
    assert.equal(nextPlanChange(d, NOW, { staleAfterMs: 3 * 3_600_000 }), reset, 'a longer stale time: the reset comes first');
    assert.equal(nextPlanChange(undefined, NOW), undefined);
    assert.equal(nextPlanChange(emptyPlanData(), NOW), undefined);
  });

  it("the views' next wake: the plan's next change, the end of this machine's 5-hour window, or a new day", () => {
    const at = (iso: string) => Date.parse(iso);
    const now = at('2026-11-27T12:00:00Z');
    const snap = sampleSnapshot(new Date(now));
    const end = Date.parse(snap.local.data!.currentWindow!.end);
    const plan = nextPlanChange(snap.plan.data, now)!;
    assert.equal(nextClockChange(snap, now, undefined, 'UTC'), Math.min(plan, end, at('2026-11-28T00:00:00Z')));
    snap.plan = { stale: false, loading: false };
    assert.equal(nextClockChange(snap, now, undefined, 'UTC'), end, 'no plan data: the local window (3 h away) before midnight');
    snap.local = { stale: false, loading: false };
    // Nothing else pending: the next midnight, in UTC (the organization's days) or in this machine's zone.
    assert.equal(nextClockChange(snap, at('2026-12-31T23:30:00Z'), undefined, 'UTC'), at('2027-01-01T00:00:00Z'));
    assert.equal(nextClockChange(snap, at('2027-01-01T09:00:00Z'), undefined, 'Pacific/Kiritimati'), at('2027-01-01T10:00:00Z'), 'UTC+14: 23:00 there');
    assert.equal(nextClockChange(snap, at('2026-11-01T06:00:00Z'), undefined, 'America/Los_Angeles'), at('2026-11-01T07:00:00Z'), 'the night the clocks go back');
    assert.equal(nextClockChange(snap, at('2027-01-01T00:00:00Z'), undefined, 'UTC'), at('2027-01-02T00:00:00Z'), 'at midnight itself: the next one');
  });

  it('old observations are stale with their age; fresh ones current', () => {
    const d = mergeObservation(emptyPlanData(), payload(), NOW);
    assert.equal(planFacts(d, NOW + MIN).windows[0]!.state, 'current');
    const f = planFacts(d, NOW + 20 * MIN);
    assert.equal(f.windows[0]!.state, 'stale');
    assert.equal(f.windows[0]!.age, '20 min ago');
    assert.equal(f.stale, true);
    assert.equal(planFacts(d, NOW + 20 * MIN, { staleAfterMs: 30 * MIN }).stale, false);
  });

  it('levels at the thresholds (defaults 75 / 90)', () => {
    const at = (u: number) => planFacts(mergeObservation(emptyPlanData(), payload({ windows: [{ key: 'five_hour', kind: 'session', usedPercent: u, resetsAt: NOW + 3_600_000 }] }), NOW), NOW);
    assert.equal(at(74.9).level, 'normal');
    assert.equal(at(75).level, 'warning');
    assert.equal(at(90).level, 'error');
    assert.equal(DEFAULT_PLAN_SETTINGS.warningPercent, 75);
    assert.equal(planFacts(at(80).windows.length ? mergeObservation(emptyPlanData(), payload({ windows: [{ key: 'five_hour', kind: 'session', usedPercent: 80 }] }), NOW) : undefined, NOW, { warningPercent: 85 }).level, 'normal');
  });

  for (const tz of ZONES) {
    it(`5-hour pace runs out before the reset, clock times in ${tz}`, () => {
      const resetsAt = NOW + 65 * MIN;
      const d = rising(50, 1, 40, resetsAt); // 1 %/min: 50 left → 50 min, 15 min before the reset
      const f = planFacts(d, NOW, { timeZone: tz });
      const pace = f.windows[0]!.pace!;
      assert.equal(pace.kind, 'runsOut');
      const at = NOW + 50 * MIN;
      assert.equal(pace.kind === 'runsOut' && pace.at, at);
      assert.equal(pace.sentence, `at this pace the 5-hour window runs out at ${clockTime(at, tz)}, 15 min before it resets`);
      assert.equal(f.windows[0]!.resetClock, clockTime(resetsAt, tz));
      assert.equal(planStatusText(f), `5h 50% ↻${clockTime(resetsAt, tz)} · wk 36%`);
    });

    it(`week pace and day names in ${tz}`, () => {
      const resetsAt = NOW + 3.64 * 86_400_000; // 48 % of the week gone
      const d = mergeObservation(emptyPlanData(), payload({ windows: [{ key: 'seven_day', kind: 'week', usedPercent: 62, resetsAt }] }), NOW);
      const f = planFacts(d, NOW, { timeZone: tz });
      const w = f.windows[0]!;
      assert.match(w.pace!.sentence, /^used 62% with 48% of the week gone; at this pace it runs out \w{3} \d\d:\d\d, 37 h 56 min before it resets$/);
      assert.equal(w.resetClock, resetClock(resetsAt, NOW, tz));
      assert.match(w.resetClock!, /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d:\d\d$/);
    });
  }

  it('without a time zone, clock times follow the process zone (TZ)', () => {
    const d = new Date(NOW + 125 * MIN);
    assert.equal(clockTime(NOW + 125 * MIN), `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`);
  });

  it('pace that lasts until the reset, idle, used up, and too little history', () => {
    const lasting = planFacts(rising(20, 0.1, 30, NOW + 60 * MIN), NOW, { timeZone: 'UTC' }).windows[0]!.pace!;
    assert.equal(lasting.kind, 'lasts');
    assert.equal(lasting.sentence, 'at this pace it lasts until the reset at 14:00 (about 26% used by then)');
    assert.equal(planFacts(rising(20, 0, 30, NOW + 60 * MIN), NOW).windows[0]!.pace, undefined, 'no use: no pace');
    assert.equal(planFacts(rising(20, 1, 2, NOW + 60 * MIN), NOW).windows[0]!.pace, undefined, 'two minutes of history are not a pace');
    const w = { key: 'five_hour', kind: 'session' as const, usedPercent: 100, resetsAt: NOW + 30 * MIN, observedAt: NOW };
    assert.equal(sessionPace(w, [], { ...DEFAULT_PLAN_SETTINGS, timeZone: 'UTC' })!.sentence, 'the 5-hour window is used up; it resets at 13:30');
    assert.equal(weekPace({ key: 'seven_day', kind: 'week', usedPercent: 10, observedAt: NOW }, NOW, DEFAULT_PLAN_SETTINGS), undefined);
    const behind = weekPace({ key: 'seven_day', kind: 'week', usedPercent: 10, observedAt: NOW, resetsAt: NOW + 3.5 * 86_400_000 }, NOW, DEFAULT_PLAN_SETTINGS)!;
    assert.equal(behind.sentence, 'used 10% with 50% of the week gone');
  });

  it('only samples of the current window count for the pace (a reset in between starts afresh)', () => {
    let d = rising(90, 2, 30, NOW - 31 * MIN); // a window that reset 31 min ago
    d = mergeObservation(d, payload({ windows: [{ key: 'five_hour', kind: 'session', usedPercent: 5, resetsAt: NOW + 269 * MIN }] }), NOW);
    assert.equal(planFacts(d, NOW).windows[0]!.pace, undefined);
  });

  it('formats spans and countdowns', () => {
    assert.equal(span(25 * MIN), '25 min');
    assert.equal(span(133 * MIN), '2 h 13 min');
    assert.equal(span(3 * 86_400_000 + 4 * 3_600_000), '3 d 4 h');
    assert.equal(countdown(133 * MIN), '2h13m');
    assert.equal(countdown(59 * MIN + 1), '1h');
    assert.equal(countdown(76 * 3_600_000), '3d4h');
  });
});

describe('plan: time axis ticks', () => {
  const at = (iso: string) => Date.parse(iso);
  const labels = (t: { label: string }[]) => t.map((x) => x.label);

  it('an hour: round quarters, the date on the first tick only', () => {
    const t = timeTicks(at('2027-03-01T12:20:30Z'), at('2027-03-01T13:20:30Z'), 'UTC');
    assert.deepEqual(labels(t), ['Mon 1 Mar 12:30', '12:45', '13:00', '13:15']);
    assert.equal(t[0]!.at, at('2027-03-01T12:30:00Z'));
    assert.equal(dateTime(t[0]!.at, 'UTC'), 'Mon 1 Mar 12:30');
  });

  it('never more than asked for, always on a round wall-clock time, also in zones off the hour', () => {
    for (const tz of ['UTC', 'Asia/Kathmandu', 'Asia/Kolkata', 'America/St_Johns', 'Pacific/Chatham']) {
      for (const minutes of [3, 45, 60, 61, 5 * 60, 24 * 60, 14 * 24 * 60]) {
        const from = at('2027-02-28T21:17:00Z');
        const t = timeTicks(from, from + minutes * MIN, tz);
        assert.ok(t.length >= 2 && t.length <= 6, `${tz} ${minutes} min: ${t.length} ticks`);
        const step = t[1]!.at - t[0]!.at;
        for (const k of t) {
          assert.ok(k.at >= from && k.at <= from + minutes * MIN);
          const w = clockTime(k.at, tz).split(':').map(Number);
          assert.equal((w[0]! * 60 + w[1]!) % Math.min(step / MIN, 1440), 0, `${tz} ${minutes} min: ${k.label} is round`);
        }
      }
    }
  });

  it('the date again where the day changes (year end), dates alone at steps of days, midnights across a DST change', () => {
    assert.deepEqual(labels(timeTicks(at('2026-12-31T20:30:00Z'), at('2027-01-01T01:30:00Z'), 'UTC')), ['Thu 31 Dec 21:00', '22:00', '23:00', 'Fri 1 Jan 00:00', '01:00']);
    // US daylight saving ends on 1 Nov 2026: every tick is still a Los Angeles midnight.
    const la = timeTicks(at('2026-10-29T12:00:00Z'), at('2026-11-03T12:00:00Z'), 'America/Los_Angeles');
    assert.deepEqual(labels(la), ['Fri 30 Oct', 'Sat 31 Oct', 'Sun 1 Nov', 'Mon 2 Nov', 'Tue 3 Nov']);
    for (const k of la) assert.equal(clockTime(k.at, 'America/Los_Angeles'), '00:00');
    assert.equal(la[3]!.at - la[2]!.at, 25 * 3_600_000, 'the day the clocks go back has 25 hours');
  });

  it('nothing for an empty or reversed span', () => {
    assert.deepEqual(timeTicks(NOW, NOW), []);
    assert.deepEqual(timeTicks(NOW, NOW - MIN), []);
  });
});

describe('plan: surfaces', () => {
  const data = rising(80, 1, 40, NOW + 65 * MIN, 36);
  const withModel = mergeObservation(data, payload({ windows: [{ key: 'seven_day_opus', kind: 'modelWeek', usedPercent: 91, resetsAt: NOW + 86_400_000 }] }), NOW);

  it('status bar text and colour', () => {
    const f = planFacts(withModel, NOW, { timeZone: 'UTC' });
    assert.equal(planStatusText(f), '5h 80% ↻14:05 · wk 36% · Opus wk 91%');
    assert.equal(planStatusLevel(f), 'error');
    assert.equal(planStatusText(planFacts(emptyPlanData(), NOW)), '');
    assert.equal(planStatusLevel(planFacts(withModel, NOW + 3 * 86_400_000)), 'normal', 'stale and reset windows never colour the item');
  });

  it('tooltip: every window with its reset, source and age, the pace, the latest session', () => {
    const lines = planTooltipLines(planFacts(withModel, NOW + MIN, { timeZone: 'UTC' }));
    assert.equal(lines[0], '**5-hour session** 80% · resets 14:05 (in 1 h 4 min) · from Claude Code, 1 min ago');
    assert.match(lines[1]!, /^_At this pace the 5-hour window runs out at 13:20, 45 min before it resets\._$/);
    assert.ok(lines.some((l) => l.startsWith('**Weekly** 36% · resets Mon 13:00 (in 3 d 24 h)') || l.startsWith('**Weekly** 36% · resets Mon 13:00')), lines.join('\n'));
    assert.ok(lines.some((l) => l.startsWith('**Weekly (Opus)** 91%')));
    assert.equal(lines[lines.length - 1], 'Latest session: Opus 4.8 · context 26% · 1 min ago');
  });

  it('tree node and gauges', () => {
    const f = planFacts(withModel, NOW, { timeZone: 'UTC' });
    const node = planTreeNode(f)!;
    assert.equal(node.label, 'Plan limits');
    assert.equal(node.description, 'from Claude Code, just now');
    assert.deepEqual(
      node.children!.map((c) => [c.label, c.description]),
      [
        ['5-hour session', '80% · resets 14:05 (in 1 h 5 min)'],
        ['Weekly', '36% · resets Mon 13:00 (in 4 d)'],
        ['Weekly (Opus)', '91% · resets Fri 13:00 (in 24 h)'],
      ],
    );
    assert.equal(planTreeNode(planFacts(emptyPlanData(), NOW)), undefined);
    assert.equal(planTreeNode(planFacts(emptyPlanData(), NOW), { connected: false })!.command, 'claudeUsage.connectPlan');
    assert.match(planTreeNode(planFacts(emptyPlanData(), NOW), { connected: true })!.description!, /waiting/);
    assert.deepEqual(planTooltipLines(planFacts(emptyPlanData(), NOW), { connected: false }), ['On a Claude Pro/Max plan? [Connect Claude Code plan limits](command:claudeUsage.connectPlan)']);
    const gauges = planGauges(f);
    assert.deepEqual(gauges.map((g) => [g.key, g.usedPercent, g.level]), [
      ['five_hour', 80, 'warning'],
      ['seven_day', 36, 'normal'],
      ['seven_day_opus', 91, 'error'],
    ]);
  });

  it('chart series drop to 0 at a reset', () => {
    let d = rising(30, 1, 10, NOW - 5 * MIN, 36); // window reset 5 min ago
    d = mergeObservation(d, payload({ windows: [{ key: 'five_hour', kind: 'session', usedPercent: 3, resetsAt: NOW + 295 * MIN }] }), NOW);
    const s = planChartSeries(d, NOW - 3_600_000, NOW).find((x) => x.key === 'five_hour')!;
    const i = s.points.findIndex((p) => p.used === 0);
    assert.ok(i > 0);
    assert.equal(s.points[i]!.t, NOW - 5 * MIN);
    assert.equal(s.points[i - 1]!.t, NOW - 5 * MIN);
    assert.equal(s.points[s.points.length - 1]!.used, 3);
  });

  it('status line segment, and chaining output combined', () => {
    const f = planFacts(withModel, NOW);
    const seg = renderSegment({ model: 'Opus 4.8', contextPercent: 26, windows: [] }, f, { costUsd: '12.345', validUntil: NOW + 1000 }, NOW, { NO_COLOR: '1' });
    assert.equal(seg, 'Opus 4.8 · ctx 26% · 5h 80% ↻1h05m · wk 36% · Opus wk 91% · ~$12.35 today');
    assert.equal(renderSegment(undefined, planFacts(emptyPlanData(), NOW), { costUsd: '1', validUntil: NOW - 1 }, NOW, { NO_COLOR: '1' }), 'Claude Usage');
    assert.equal(combine(Buffer.from('theirs\nsecond\n'), undefined).toString(), 'theirs\nsecond\n');
    assert.equal(combine(Buffer.from('theirs\nsecond\n'), 'ours').toString(), 'theirs\x1b[0m  ours\nsecond\n');
    assert.equal(combine(Buffer.from(''), 'ours').toString(), 'ours\n');
    assert.equal(combine(undefined, 'ours').toString(), 'ours\n');
  });
});

describe('plan: the sample HOME (npm start)', () => {
  it('has a week of recorded observations that show every surface', () => {
    const f = planFacts(samplePlanData(NOW), NOW, { timeZone: 'UTC' });
    assert.equal(planStatusText(f), '5h 42% ↻15:13 · wk 18%');
    assert.equal(f.windows[0]!.pace?.kind, 'runsOut');
    assert.deepEqual(f.windows.map((w) => w.key), ['five_hour', 'seven_day', 'seven_day_opus']);
    const series = planChartSeries(samplePlanData(NOW), NOW - 7 * 86_400_000, NOW);
    assert.ok(series.find((s) => s.key === 'five_hour')!.points.filter((p) => p.used === 0).length >= 3, 'earlier windows reset');
  });
});
