/**
 * Requests per hour against the local Anthropic server, with fake time: one window, and three windows
 * sharing one lease folder (what VS Code windows share through global storage). After a warm-up hour
 * (first fetch fills the day cache), the next simulated hour is counted by endpoint.
 * Run: npx tsx bench/requests-per-hour.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnthropicClient } from '../src/core/anthropic/client';
import { FileDayCache } from '../src/core/store/dayCache';
import { ManualScheduler } from '../test/support/manualScheduler';
import { DEFAULT_STORE_SETTINGS } from '../src/core/model/settings';
import { FileFocus, FileLease, FileSnapshotPersistence } from '../src/core/store/shared';
import { Store } from '../src/core/store/store';
import { startMockServer } from '../test/server/server';

const HOUR = 3_600_000;

async function scenario(windows: number): Promise<{ warm: Map<string, number>; steady: Map<string, number> }> {
  const sched = new ManualScheduler(Date.UTC(2026, 10, 27, 10, 0, 0));
  const server = await startMockServer({ now: () => new Date(sched.now()), seed: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'cu-rph-'));
  const stores: Store[] = [];
  for (let i = 0; i < windows; i++) {
    const id = `window-${i}`;
    const focus = new FileFocus(join(dir, 'focus.json'), id);
    stores.push(
      new Store({
        keys: { getKeys: async () => ({ api: server.keys.standard, admin: server.keys.admin, status: { api: 'secretStorage', admin: 'secretStorage' } }) },
        clientFactory: (o) => createAnthropicClient({ ...o, sleep: async () => {} }),
        settings: { ...DEFAULT_STORE_SETTINGS, baseUrl: server.url },
        scheduler: sched,
        persistence: new FileSnapshotPersistence(join(dir, 'snapshot.json')),
        dayCache: new FileDayCache(join(dir, 'days')),
        lease: new FileLease(join(dir, 'lease.json'), id, sched),
        focus,
      }),
    );
  }
  const settle = async (): Promise<void> => void (await Promise.all(stores.map((s) => s.whenIdle())));
  for (const s of stores) await s.start();
  // One window focused at a time: the user moves between them.
  await stores[0]!.setFocused(true);
  await sched.advance(HOUR, settle);
  const count = (): Map<string, number> => {
    const m = new Map<string, number>();
    for (const r of server.requests) m.set(r.path, (m.get(r.path) ?? 0) + 1);
    return m;
  };
  const warm = count();
  server.resetRequests();
  for (let q = 0; q < 4; q++) {
    await stores[q % windows]!.setFocused(true);
    await sched.advance(HOUR / 4, settle);
  }
  const steady = count();
  for (const s of stores) s.dispose();
  await settle();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  return { warm, steady };
}

async function main(): Promise<void> {
  const one = await scenario(1);
  const three = await scenario(3);
  const paths = [...new Set([...one.warm.keys(), ...one.steady.keys(), ...three.warm.keys(), ...three.steady.keys()])].sort();
  const pad = (s: string | number, n: number): string => String(s).padStart(n);
  console.log(`Requests per simulated hour by endpoint (first hour includes the cold fill of ${DEFAULT_STORE_SETTINGS.historyDays} days, claudeUsage.history.days)`);
  console.log(`${'endpoint'.padEnd(46)}${pad('1 win, 1st h', 14)}${pad('1 win, steady', 15)}${pad('3 win, 1st h', 14)}${pad('3 win, steady', 15)}`);
  let t = [0, 0, 0, 0];
  for (const p of paths) {
    const v = [one.warm.get(p) ?? 0, one.steady.get(p) ?? 0, three.warm.get(p) ?? 0, three.steady.get(p) ?? 0];
    t = t.map((x, i) => x + v[i]!);
    console.log(`${p.padEnd(46)}${pad(v[0]!, 14)}${pad(v[1]!, 15)}${pad(v[2]!, 14)}${pad(v[3]!, 15)}`);
  }
  console.log(`${'total'.padEnd(46)}${pad(t[0]!, 14)}${pad(t[1]!, 15)}${pad(t[2]!, 14)}${pad(t[3]!, 15)}`);
}

void main();
