/**
 * The shared record of alerts fired, in a folder every VS Code window of this user sees (the extension's
 * global storage): `budget-alerts/`.
 *
 *   fired/<key>.json   one file per alert event fired (budget, period, amount, threshold or projection),
 *                      created with an exclusive create (`wx`): it exists once, so the event never fires
 *                      again, in any window, after any reload. Content: key, when, by which window, and the
 *                      period's end (for pruning).
 *   snooze.json        `{until}`: no notification before this instant (epoch ms), replaced atomically.
 *   lock               held for the few milliseconds a window reads the record, claims and decides, so two
 *                      windows evaluating the same figures at once never split one period's alerts between
 *                      them (one window decides, the others find everything claimed and stay quiet).
 *
 * Staleness is judged with the process clock only, never file times (see `Liveness`): a lock left by a crash
 * is removed once this process has seen the same lock content for `lockStaleMs` of its own clock. Pruning
 * compares the period end written inside a record with this process's clock.
 * No vscode import.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock';
import { atomicWrite } from '../store/dayCache';
import { Liveness } from '../store/shared';
import type { AlertEvent } from './alerts';

export interface FiredRecord {
  key: string;
  /** The claimer's clock when it fired. */
  at: number;
  by: string;
  /** Epoch ms the event's period ends. */
  periodEnd: number;
}

/** What the alerter needs from the shared record (tests may substitute one). */
export interface AlertBook {
  /** Takes the short decision lock; undefined when another window holds it (ask again shortly). */
  lock(): Promise<(() => Promise<void>) | undefined>;
  has(key: string): Promise<boolean>;
  /** Exclusive create: true for exactly one caller per key, ever (until pruned). */
  claim(event: AlertEvent): Promise<boolean>;
  snoozedUntil(): Promise<number | undefined>;
  snooze(untilMs: number): Promise<void>;
  /** Removes records whose period ended more than `keepMs` ago (by the time written inside them). */
  prune(keepMs?: number): Promise<number>;
}

/** A file name for a key: readable, safe on every file system, unique (a hash of the exact key). */
export function recordName(key: string): string {
  const readable = key.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80);
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return `${readable}.${hash}.json`;
}

/** Records are kept this long after their period ended (a reload a month later must still stay quiet). */
export const KEEP_AFTER_PERIOD_MS = 40 * 86_400_000;

export class FileAlertBook implements AlertBook {
  private readonly firedDir: string;
  private readonly lockFile: string;
  private readonly snoozeFile: string;
  private readonly lockLiveness: Liveness;

  constructor(
    readonly dir: string,
    readonly id: string,
    private readonly clock: Clock,
    /** A lock left by a crash is removed once this process has seen it unchanged this long. */
    lockStaleMs = 10_000,
  ) {
    this.firedDir = join(dir, 'fired');
    this.lockFile = join(dir, 'lock');
    this.snoozeFile = join(dir, 'snooze.json');
    this.lockLiveness = new Liveness(clock, lockStaleMs);
  }

  async lock(): Promise<(() => Promise<void>) | undefined> {
    await mkdir(this.dir, { recursive: true });
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = `${this.id}:${randomBytes(8).toString('hex')}`;
      try {
        const handle = await open(this.lockFile, 'wx');
        try {
          await handle.writeFile(JSON.stringify({ token, at: this.clock.now() }));
        } finally {
          await handle.close();
        }
        return async () => {
          // Only our own lock: a window recovering from a crash may have replaced it.
          if ((await readFile(this.lockFile, 'utf8').catch(() => '')).includes(token)) await rm(this.lockFile, { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const seen = await readFile(this.lockFile, 'utf8').catch(() => undefined);
        if (seen === undefined) continue; // released meanwhile: try again
        if (!this.lockLiveness.isStale(seen, undefined)) return undefined;
        await rm(this.lockFile, { force: true });
      }
    }
    return undefined;
  }

  async has(key: string): Promise<boolean> {
    try {
      await readFile(join(this.firedDir, recordName(key)));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return false;
      throw e;
    }
  }

  async claim(event: AlertEvent): Promise<boolean> {
    await mkdir(this.firedDir, { recursive: true });
    let handle;
    try {
      handle = await open(join(this.firedDir, recordName(event.key)), 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw e;
    }
    try {
      const record: FiredRecord = { key: event.key, at: this.clock.now(), by: this.id, periodEnd: event.periodEnd };
      await handle.writeFile(JSON.stringify(record));
    } finally {
      await handle.close();
    }
    return true;
  }

  async snoozedUntil(): Promise<number | undefined> {
    try {
      const v = JSON.parse(await readFile(this.snoozeFile, 'utf8')) as { until?: unknown };
      return typeof v.until === 'number' && Number.isFinite(v.until) ? v.until : undefined;
    } catch {
      return undefined; // none, or torn: not snoozed
    }
  }

  async snooze(untilMs: number): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    await atomicWrite(this.snoozeFile, JSON.stringify({ until: untilMs, by: this.id, at: this.clock.now() }));
  }

  async prune(keepMs = KEEP_AFTER_PERIOD_MS): Promise<number> {
    let names: string[];
    try {
      names = await readdir(this.firedDir);
    } catch {
      return 0;
    }
    const now = this.clock.now();
    let removed = 0;
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const file = join(this.firedDir, name);
      let periodEnd: unknown;
      try {
        periodEnd = (JSON.parse(await readFile(file, 'utf8')) as Partial<FiredRecord>).periodEnd;
      } catch {
        continue; // being written, or torn: it still counts as fired; never judged by its file time
      }
      if (typeof periodEnd === 'number' && periodEnd + keepMs < now) {
        await rm(file, { force: true });
        removed++;
      }
    }
    return removed;
  }
}
