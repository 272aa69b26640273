/** `claude-usage plan [--json]`: the documented JSON shape, the readable table, no data, bad options. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli';
import type { CliIo } from '../../src/cli/common';
import { systemClock } from '../../src/core/clock';
import { parseStatusPayload } from '../../src/core/plan/payload';
import { recordObservation } from '../../src/core/plan/state';
import { realPayload } from './planFixtures';

describe('plan: claude-usage plan', () => {
  let dir: string;
  let out: string[];
  let err: string[];
  let io: CliIo;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'cu-plan-cli-'));
    out = [];
    err = [];
    io = { out: (t) => out.push(t), err: (t) => err.push(t), env: { CLAUDE_USAGE_DIR: dir } };
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('prints the documented JSON', async () => {
    const now = systemClock.now();
    const sec = Math.floor(now / 1000);
    for (let m = 30; m >= 0; m -= 5) {
      const p = parseStatusPayload(realPayload({ rate_limits: { five_hour: { used_percentage: 70 - m, resets_at: sec + 3000 }, seven_day: { used_percentage: 40, resets_at: sec + 86400 } } }, sec))!;
      recordObservation(join(dir, 'plan-state.json'), p, now - m * 60_000);
    }
    assert.equal(await main(['plan', '--json', '--timezone', 'UTC'], io), 0);
    const j = JSON.parse(out.join('\n'));
    assert.deepEqual(Object.keys(j), ['stateFile', 'observedAt', 'stale', 'windows', 'session']);
    assert.equal(j.stateFile, join(dir, 'plan-state.json'));
    assert.equal(j.stale, false);
    assert.deepEqual(Object.keys(j.windows[0]), ['key', 'kind', 'label', 'usedPercent', 'observedPercent', 'state', 'level', 'resetsAt', 'observedAt', 'pace']);
    assert.deepEqual(
      j.windows.map((w: { key: string; usedPercent: number; state: string }) => [w.key, w.usedPercent, w.state]),
      [
        ['five_hour', 70, 'current'],
        ['seven_day', 40, 'current'],
      ],
    );
    assert.equal(j.windows[0].resetsAt, new Date((sec + 3000) * 1000).toISOString());
    assert.equal(j.windows[0].pace.kind, 'runsOut');
    assert.match(j.windows[0].pace.sentence, /^at this pace the 5-hour window runs out at (?:\w{3} )?\d\d:\d\d, \d+ min before it resets$/);
    assert.deepEqual(Object.keys(j.windows[0].pace), ['kind', 'sentence', 'runsOutAt', 'projectedPercent', 'elapsedPercent']);
    assert.deepEqual(Object.keys(j.session), ['sessionId', 'model', 'version', 'contextPercent', 'costUsd', 'observedAt']);
    assert.equal(j.session.model, 'Opus 4.8');

    out = [];
    assert.equal(await main(['plan'], io), 0);
    assert.match(out.join('\n'), /^Plan limits from Claude Code, just now\n/);
    assert.match(out.join('\n'), /5-hour session {2}\s*70% {2}resets (?:\w{3} )?\d\d:\d\d \(in 50 min\) {2}from Claude Code, just now/);
  });

  it('no data yet, and usage errors', async () => {
    assert.equal(await main(['plan'], io), 0);
    assert.match(out.join('\n'), /^No plan limits recorded yet/);
    out = [];
    assert.equal(await main(['plan', '--json'], io), 0);
    assert.deepEqual(JSON.parse(out.join('\n')), { stateFile: join(dir, 'plan-state.json'), observedAt: null, stale: false, windows: [], session: null });
    assert.equal(await main(['plan', '--bogus'], io), 2);
    assert.equal(await main(['plan', '--timezone', 'Mars/Base'], io), 2);
  });
});
