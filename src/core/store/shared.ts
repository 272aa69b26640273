/**
 * What several VS Code windows share through the extension's global storage folder: the last snapshot
 * (atomic writes), a lease naming the one window that polls, and which window (if any) has focus.
 */
import { mkdir, open, readFile, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { atomicWrite } from './dayCache';
import type { Scheduler } from './scheduler';
import { SNAPSHOT_VERSION, type StoreSnapshot } from './snapshot';

export interface SnapshotPersistence {
  load(): Promise<StoreSnapshot | undefined>;
  save(snapshot: StoreSnapshot): Promise<void>;
  /** Changes whenever the stored snapshot changes (cheap: a stat). */
  stamp(): Promise<string | undefined>;
}

export class FileSnapshotPersistence implements SnapshotPersistence {
  constructor(readonly file: string) {}

  async load(): Promise<StoreSnapshot | undefined> {
    try {
      const parsed = JSON.parse(await readFile(this.file, 'utf8')) as Partial<StoreSnapshot>;
      if (!isSnapshot(parsed)) return undefined;
      return parsed;
    } catch {
      return undefined; // missing or corrupt: start empty
    }
  }

  async save(snapshot: StoreSnapshot): Promise<void> {
    await mkdir(dirname(this.file), { recursive: true });
    await atomicWrite(this.file, JSON.stringify(snapshot));
  }

  async stamp(): Promise<string | undefined> {
    try {
      const s = await stat(this.file);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return undefined;
    }
  }
}

function isSnapshot(v: Partial<StoreSnapshot>): v is StoreSnapshot {
  return (
    typeof v === 'object' &&
    v !== null &&
    v.version === SNAPSHOT_VERSION &&
    ['rateLimits', 'costs', 'tokens', 'claudeCode', 'labels', 'local'].every(
      (k) => typeof (v as Record<string, unknown>)[k] === 'object',
    )
  );
}

/** Only the holder polls the API. */
export interface Lease {
  /** Takes the lease when free or stale, renews it when held; true when this instance holds it. */
  tryAcquire(): Promise<boolean>;
  release(): Promise<void>;
  readonly id: string;
}

interface LeaseFile {
  holder: string;
  heartbeatAt: number;
}

export class FileLease implements Lease {
  constructor(
    private readonly file: string,
    readonly id: string,
    private readonly scheduler: Scheduler,
    /** A holder that has not renewed for this long is taken over (> 2 heartbeat intervals). */
    private readonly staleMs = 45_000,
  ) {}

  private async read(): Promise<LeaseFile | undefined> {
    try {
      const v = JSON.parse(await readFile(this.file, 'utf8')) as LeaseFile;
      return typeof v.holder === 'string' && typeof v.heartbeatAt === 'number' ? v : undefined;
    } catch {
      return undefined;
    }
  }

  async tryAcquire(): Promise<boolean> {
    await mkdir(dirname(this.file), { recursive: true });
    // Read, decide and write under a short exclusive lock, so two windows taking over a stale lease at
    // the same moment (or a paused holder renewing while another takes over) cannot both end up polling.
    const unlock = await this.lock();
    if (!unlock) return false; // another window is deciding right now; ask again next housekeeping tick
    try {
      const now = this.scheduler.now();
      const cur = await this.read();
      if (cur && cur.holder !== this.id && now - cur.heartbeatAt <= this.staleMs) return false;
      await atomicWrite(this.file, JSON.stringify({ holder: this.id, heartbeatAt: now } satisfies LeaseFile));
      return true;
    } finally {
      await unlock();
    }
  }

  /** `lease.json.lock`, created exclusively; one left behind by a crash is removed after 10 s. */
  private async lock(): Promise<(() => Promise<void>) | undefined> {
    const lockFile = `${this.file}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const handle = await open(lockFile, 'wx');
        await handle.close();
        return () => rm(lockFile, { force: true });
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const age = await stat(lockFile).then(
          (st) => Date.now() - st.mtimeMs,
          () => Infinity,
        );
        if (age < 10_000) return undefined;
        await rm(lockFile, { force: true });
      }
    }
    return undefined;
  }

  async release(): Promise<void> {
    const cur = await this.read();
    if (cur?.holder === this.id) await rm(this.file, { force: true });
  }
}

/** Whether any window is focused (rate-limit probes run only then). */
export interface FocusTracker {
  setFocused(focused: boolean): Promise<void>;
  anyFocused(): Promise<boolean>;
  /** Called on every housekeeping tick: a focused window re-asserts its focus (a heartbeat). */
  renew?(): Promise<void>;
}

export class LocalFocus implements FocusTracker {
  constructor(private focused = true) {}
  async setFocused(focused: boolean): Promise<void> {
    this.focused = focused;
  }
  async anyFocused(): Promise<boolean> {
    return this.focused;
  }
}

/**
 * `focus.json` names the focused window and when it last said so; a window clears it on blur only if it
 * still names itself. The focused window renews it on every housekeeping tick, so the entry of a window
 * that crashed while focused expires after `ttlMs` instead of keeping the probes going forever.
 */
export class FileFocus implements FocusTracker {
  private focusedHere = false;
  private readonly now: () => number;
  private readonly ttlMs: number;

  constructor(
    private readonly file: string,
    private readonly id: string,
    options: { now?: () => number; ttlMs?: number } = {},
  ) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? 45_000;
  }

  private async read(): Promise<{ window: string | null; at?: number }> {
    try {
      const v = JSON.parse(await readFile(this.file, 'utf8')) as { window?: unknown; at?: unknown };
      return { window: typeof v.window === 'string' ? v.window : null, at: typeof v.at === 'number' ? v.at : undefined };
    } catch {
      return { window: null };
    }
  }

  private write(window: string | null): Promise<void> {
    return atomicWrite(this.file, JSON.stringify({ window, at: this.now() }));
  }

  async setFocused(focused: boolean): Promise<void> {
    this.focusedHere = focused;
    await mkdir(dirname(this.file), { recursive: true });
    if (focused) await this.write(this.id);
    else if ((await this.read()).window === this.id) await this.write(null);
  }

  async renew(): Promise<void> {
    if (this.focusedHere) await this.write(this.id);
  }

  async anyFocused(): Promise<boolean> {
    if (this.focusedHere) return true;
    const { window, at } = await this.read();
    return window !== null && (at === undefined || this.now() - at <= this.ttlMs);
  }
}
