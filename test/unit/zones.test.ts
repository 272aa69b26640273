import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { zoneOfLocaltimeLink } from '../../src/core/model/zones';

const ZONES = path.resolve(__dirname, '../../src/core/model/zones.ts');

/** `systemTimeZone()` and `Intl`'s default zone, in a fresh Node process with `TZ` set (or removed). */
function inProcess(tz: string | undefined): { ours: string; intl: string } {
  const env = { ...process.env };
  if (tz === undefined) delete env.TZ;
  else env.TZ = tz;
  const script = `const z = require(${JSON.stringify(ZONES)}); process.stdout.write(JSON.stringify({ ours: z.systemTimeZone(), intl: Intl.DateTimeFormat().resolvedOptions().timeZone }))`;
  return JSON.parse(execFileSync(process.execPath, ['--require', 'tsx/cjs', '-e', script], { env, encoding: 'utf8' })) as { ours: string; intl: string };
}

describe('systemTimeZone', () => {
  // The UTC shortcut (no `Intl` start-up) must name the zone exactly as `Intl` does; other values go to `Intl`.
  for (const tz of ['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT', 'America/Los_Angeles', 'Pacific/Kiritimati', 'Europe/Berlin', undefined]) {
    it(`TZ=${tz ?? '(unset)'}: the same zone as Intl's default`, () => {
      const r = inProcess(tz);
      assert.equal(r.ours, r.intl || 'UTC');
    });
  }
});

describe('zoneOfLocaltimeLink', () => {
  // When TZ is unset, ICU names the zone after "zoneinfo/" in the /etc/localtime link; only UTC names skip Intl.
  const cases: [string | undefined, string | undefined][] = [
    ['/usr/share/zoneinfo/Etc/UTC', 'Etc/UTC'],
    ['../usr/share/zoneinfo/Europe/Berlin', 'Europe/Berlin'],
    ['/var/db/timezone/zoneinfo/America/Los_Angeles', 'America/Los_Angeles'],
    ['/etc/some-local-copy', undefined],
    [undefined, undefined],
  ];
  for (const [target, zone] of cases) {
    it(`${target ?? '(no link)'} → ${zone ?? '(ask Intl)'}`, () => assert.equal(zoneOfLocaltimeLink(target), zone));
  }
});
