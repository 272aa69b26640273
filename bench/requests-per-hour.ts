/**
 * Requests and bytes written per hour against the local Anthropic server, with fake time: one window, and
 * three windows sharing one lease folder (what VS Code windows share through global storage). After a
 * warm-up hour (first fetch fills the day cache), the next simulated hour is counted by endpoint, and every
 * byte the stores write into their folder is counted by file (snapshot, day cache, lease, focus).
 * Run: npx tsx bench/requests-per-hour.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAnthropicClient } from '../src/core/anthropic/client';
import { FileDayCache } from '../src/core/store/dayCache';
import { ManualScheduler } from '../test/support/manualScheduler';
import { DEFAULT_STORE_SETTINGS } from '../src/core/model/settings';
import { FileFocus, FileLease, FileSnapshotPersistence } from '../src/core/store/shared';
import { Store } from '../src/core/store/store';
import { startMockServer } from '../test/server/server';
import { makeClaudeHome } from '../test/fixtures/makeClaudeHome';
import { samplePlanData } from '../test/fixtures/makePlanState';
import { createLocalUsage } from '../src/core/local/service';

const HOUR = 3_600_000;

/**
 * Bytes handed to the file system under the benchmark's folders, by kind of file. Counted where node's
 * fs/promises API receives them (writeFile, appendFile, FileHandle writes), so any layout is measured alike.
 */
const written = new Map<string, number>();
let watchedDirs: string[] = [];
function kindOf(path: string): string {
  const dir = watchedDirs.find((d) => path.startsWith(d));
  if (!dir) return '';
  const rel = path.slice(dir.length + 1).replace(/\\/g, '/');
  if (rel.startsWith('days/')) return 'day cache';
  if (rel.startsWith('lease.json')) return 'lease';
  if (rel.startsWith('focus.json')) return 'focus';
  return 'snapshot';
}
function countWrite(path: unknown, data: unknown): void {
  const kind = typeof path === 'string' ? kindOf(path) : '';
  if (!kind) return;
  const n = typeof data === 'string' ? Buffer.byteLength(data) : data instanceof Uint8Array ? data.byteLength : 0;
  written.set(kind, (written.get(kind) ?? 0) + n);
}
{
  // The module object itself (what every `import { writeFile } from 'node:fs/promises'` reads at call time).
  const fsp = createRequire(__filename)('node:fs/promises') as Record<string, unknown>;
  const mod = fsp as Record<string, (...a: unknown[]) => Promise<unknown>>;
  for (const name of ['writeFile', 'appendFile']) {
    const orig = mod[name]!;
    Object.defineProperty(fsp, name, { value: (...a: unknown[]) => (countWrite(a[0], a[1]), orig(...a)), writable: true, configurable: true });
  }
  const origOpen = mod.open!;
  Object.defineProperty(fsp, 'open', {
    configurable: true,
    writable: true,
    value: async (...a: unknown[]) => {
      const h = (await origOpen(...a)) as Record<string, (...b: unknown[]) => Promise<unknown>>;
      for (const name of ['writeFile', 'appendFile', 'write']) {
        const orig = h[name]!.bind(h);
        h[name] = (...b: unknown[]) => (countWrite(a[0], b[0]), orig(...b));
      }
      return h;
    },
  });
}

interface Result {
  warm: Map<string, number>;
  steady: Map<string, number>;
  /** Bytes written in the steady hour, by kind of file. */
  bytes: Map<string, number>;
}

async function scenario(windows: number): Promise<Result> {
  const sched = new ManualScheduler(Date.UTC(2026, 10, 27, 10, 0, 0));
  const server = await startMockServer({ now: () => new Date(sched.now()), seed: 3 });
  const dir = mkdtempSync(join(tmpdir(), 'cu-rph-'));
  watchedDirs = [join(dir, 'storage')];
  // What every real window also has: plan limits read from Claude Code's status line state (every window
  // reads it for itself every 60 s) and this machine's transcripts (the polling window, every 5 minutes).
  const home = join(dir, 'home');
  makeClaudeHome(home, new Date(sched.now()));
  const plan = samplePlanData(sched.now());
  const local = createLocalUsage({ roots: [join(home, '.claude', 'projects')], now: () => new Date(sched.now()), timezone: 'UTC' });
  const storage = join(dir, 'storage');
  const stores: Store[] = [];
  for (let i = 0; i < windows; i++) {
    const id = `window-${i}`;
    const focus = new FileFocus(join(storage, 'focus.json'), id);
    stores.push(
      new Store({
        keys: { getKeys: async () => ({ api: server.keys.standard, admin: server.keys.admin, status: { api: 'secretStorage', admin: 'secretStorage' } }) },
        clientFactory: (o) => createAnthropicClient({ ...o, sleep: async () => {} }),
        settings: { ...DEFAULT_STORE_SETTINGS, baseUrl: server.url },
        scheduler: sched,
        persistence: new FileSnapshotPersistence(join(storage, 'snapshot.json')),
        dayCache: new FileDayCache(join(storage, 'days')),
        lease: new FileLease(join(storage, 'lease.json'), id, sched),
        focus,
        planRunner: async () => ({ ...plan, connected: true }),
        localRunner: () => local.refresh({ since: new Date(sched.now() - 90 * 86_400_000).toISOString().slice(0, 10) }),
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
  written.clear();
  for (let q = 0; q < 4; q++) {
    await stores[q % windows]!.setFocused(true);
    await sched.advance(HOUR / 4, settle);
  }
  const steady = count();
  const bytes = new Map(written);
  for (const s of stores) s.dispose();
  await settle();
  local.close();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
  return { warm, steady, bytes };
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
  console.log('');
  console.log('Bytes written per steady hour by file (the probe runs every 60 s while a window is focused)');
  console.log(`${'file'.padEnd(46)}${pad('1 window', 14)}${pad('3 windows', 15)}`);
  const kinds = [...new Set([...one.bytes.keys(), ...three.bytes.keys()])].sort();
  const kb = (n: number): string => `${(n / 1024).toFixed(1)} KB`;
  let b1 = 0;
  let b3 = 0;
  for (const k of kinds) {
    b1 += one.bytes.get(k) ?? 0;
    b3 += three.bytes.get(k) ?? 0;
    console.log(`${k.padEnd(46)}${pad(kb(one.bytes.get(k) ?? 0), 14)}${pad(kb(three.bytes.get(k) ?? 0), 15)}`);
  }
  console.log(`${'total'.padEnd(46)}${pad(kb(b1), 14)}${pad(kb(b3), 15)}`);
}

void main();
