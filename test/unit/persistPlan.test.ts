/**
 * The plan-limits state file read back like an API response (issue 13, item 1): whatever JSON is in
 * plan-state.json, `readPlanData` gives data every surface can show (times a Date can hold, percentages
 * 0-100, no `__proto__` trick, bounded history), keeps every valid entry, and says what it dropped.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { planFacts } from '../../src/core/plan/facts';
import { HISTORY_MAX_SAMPLES, parsePlanData, readPlanData, sanitizePlanData, serializePlanData } from '../../src/core/plan/state';
import { planChartSeries, planGauges, planStatusText, planTooltipLines, planTreeNode } from '../../src/core/plan/surfaces';
import type { PlanData } from '../../src/core/plan/types';
import { samplePlanData } from '../fixtures/makePlanState';
import { NOW } from './planFixtures';

const MAX_DATE = 8.64e15;

/** Everything the surfaces need of the data holds. */
function assertShowable(d: PlanData, what: string): void {
  assert.equal(d.version, 1, what);
  assert.ok(Number.isFinite(d.updatedAt) && d.updatedAt >= 0 && d.updatedAt <= MAX_DATE, `${what}: updatedAt ${d.updatedAt}`);
  assert.equal(Object.getPrototypeOf(d.windows), Object.prototype, `${what}: windows is a plain object`);
  assert.equal(Object.getPrototypeOf(d.history), Object.prototype, `${what}: history is a plain object`);
  for (const [k, w] of Object.entries(d.windows)) {
    assert.equal(w.key, k, what);
    assert.ok(w.usedPercent >= 0 && w.usedPercent <= 100, `${what}: ${k} used ${w.usedPercent}`);
    for (const t of [w.observedAt, w.resetsAt]) {
      if (t === undefined) continue;
      assert.ok(Number.isFinite(t) && t >= 0 && t <= MAX_DATE, `${what}: ${k} time ${t}`);
      new Date(t).toISOString();
    }
  }
  for (const [k, list] of Object.entries(d.history)) {
    assert.ok(list.length <= HISTORY_MAX_SAMPLES, `${what}: ${k} history length`);
    let last = -Infinity;
    for (const s of list) {
      assert.ok(Array.isArray(s) && s.length === 3, what);
      const [t, used, reset] = s;
      assert.ok(t >= last, `${what}: ${k} history sorted`);
      last = t;
      assert.ok(t >= 0 && t * 1000 <= MAX_DATE && reset >= 0 && reset * 1000 <= MAX_DATE, `${what}: ${k} sample times ${t}, ${reset}`);
      assert.ok(used >= 0 && used <= 100, `${what}: ${k} sample used ${used}`);
    }
  }
  if (d.session) {
    assert.ok(d.session.observedAt >= 0 && d.session.observedAt <= MAX_DATE, `${what}: session time`);
    if (d.session.contextPercent !== undefined) assert.ok(d.session.contextPercent >= 0 && d.session.contextPercent <= 100, `${what}: context %`);
    if (d.session.costUsd !== undefined) assert.ok(Number.isFinite(d.session.costUsd) && d.session.costUsd >= 0, `${what}: session cost`);
  }
}

function showAll(d: PlanData): void {
  const facts = planFacts(d, NOW);
  planStatusText(facts);
  planTooltipLines(facts, { connected: true });
  planTreeNode(facts, { connected: true });
  planGauges(facts);
  planChartSeries(d, NOW - 7 * 86_400_000, NOW);
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** A valid state file's JSON with one value anywhere inside replaced (often by one of another type). */
function mutated(valid: Json): fc.Arbitrary<unknown> {
  const paths: (string | number)[][] = [];
  const walk = (x: Json, p: (string | number)[]): void => {
    paths.push(p);
    if (Array.isArray(x)) x.forEach((y, i) => walk(y, [...p, i]));
    else if (x && typeof x === 'object') for (const [k, y] of Object.entries(x)) walk(y, [...p, k]);
  };
  walk(valid, []);
  const odd = fc.oneof(
    fc.jsonValue({ maxDepth: 2 }),
    fc.constantFrom(1e300, -1e300, -5, 1e16, 101, -0.5, 'garbage', '', null, [], {}, '__proto__', 8.64e15 + 1),
  );
  return fc.tuple(fc.constantFrom(...paths), odd, fc.boolean()).map(([p, x, asProto]) => {
    const copy = structuredClone(valid) as Record<string | number, Json>;
    if (p.length === 0) return x;
    let parent = copy;
    for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
    const key = p[p.length - 1]!;
    if (asProto && typeof key === 'string' && !Array.isArray(parent)) {
      // The same entry again under the key `__proto__` (JSON.parse makes it an own property).
      return JSON.parse(JSON.stringify(copy).replace(`"${key}":`, '"__proto__":')) as unknown;
    }
    parent[key] = x as Json;
    return copy;
  });
}

describe('plan-state.json of the wrong shape (property, issue 13)', () => {
  const valid = JSON.parse(serializePlanData(samplePlanData(NOW))) as Json;

  it('the sample state reads back unchanged', () => {
    assert.deepEqual(parsePlanData(serializePlanData(samplePlanData(NOW))), samplePlanData(NOW));
  });

  it('any value anywhere: data every surface shows, and what is kept reads back the same', () => {
    fc.assert(
      fc.property(mutated(valid), (raw) => {
        const dropped: string[] = [];
        const d = sanitizePlanData(raw, (why) => dropped.push(why));
        assertShowable(d, JSON.stringify(raw).slice(0, 200));
        showAll(d);
        assert.deepEqual(sanitizePlanData(JSON.parse(serializePlanData(d))), d, 'what is kept reads back the same');
      }),
      { numRuns: 400, seed: 13 },
    );
  });

  it('times a Date cannot hold, percentages out of range, a __proto__ window and huge histories', () => {
    const raw = {
      version: 1,
      updatedAt: 1e300,
      windows: {
        five_hour: { usedPercent: 40, observedAt: 1e300, resetsAt: NOW },
        seven_day: { usedPercent: 250, observedAt: NOW, resetsAt: -1e20 },
        ['__proto__']: { usedPercent: 10, observedAt: NOW },
      },
      session: { observedAt: NOW, contextPercent: 1e9, costUsd: -4, model: 7 },
      history: { five_hour: Array.from({ length: HISTORY_MAX_SAMPLES + 50 }, (_, i) => [NOW / 1000 - i * 60, 500, 1e300]), ['__proto__']: [[1, 2, 3]] },
    };
    const text = JSON.stringify(raw).replace('"__proto__":{"usedPercent"', '"__proto__":{"usedPercent"');
    const dropped: string[] = [];
    const d = sanitizePlanData(JSON.parse(text) as unknown, (why) => dropped.push(why));
    assertShowable(d, 'hand-made');
    showAll(d);
    assert.equal(d.windows.five_hour, undefined, 'a window seen at a time no Date holds is dropped');
    assert.equal(d.windows.seven_day?.usedPercent, 100, 'percentages are clamped');
    assert.equal(d.windows.seven_day?.resetsAt, undefined, 'an impossible reset time is dropped, the window kept');
    assert.equal(Object.getPrototypeOf(d.windows), Object.prototype);
    assert.ok(dropped.some((w) => w.includes('five_hour')), dropped.join('; '));
  });

  it('readPlanData reports a file that is not JSON, and reads a missing one as empty without a report', () => {
    const dir = mkdtempSync(join(tmpdir(), 'cu-plan-'));
    try {
      const file = join(dir, 'plan-state.json');
      const dropped: string[] = [];
      assert.deepEqual(readPlanData(file, (w) => dropped.push(w)).windows, {});
      assert.equal(dropped.length, 0);
      writeFileSync(file, '{"version":1,"windows":');
      readPlanData(file, (w) => dropped.push(w));
      assert.equal(dropped.length, 1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
