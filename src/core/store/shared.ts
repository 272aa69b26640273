/**
 * What several VS Code windows share through the extension's global storage folder: the last snapshot
 * (snapshotFiles.ts), a lease naming the one window that polls, and which window (if any) has focus.
 * Both small files are checked when read; one of the wrong shape counts as absent (the lease as free, focus
 * as nobody's) and is logged once with its name.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { systemClock, type Clock } from '../clock';
import { check, count, epochMs, nonEmptyStr, nullable, object, opt, type Shape } from '../model/shape';
import { atomicWrite, InvalidFiles, readJson, type Attachable, type PersistContext } from './files';

export { FileSnapshotPersistence, type SnapshotPersistence } from './snapshotFiles';

/** Only the holder polls the API. */
export interface Lease extends Attachable {
  /** Takes the lease when free or stale, renews it when held; true when this instance holds it. */
  tryAcquire(): Promise<boolean>;
  release(): Promise<void>;
  readonly id: string;
}

/**
 * Whether a record another process keeps renewing is still alive, decided with this process's own clock
 * only. File modification times come from the file system's clock, which can disagree with the process
 * clock (a home folder on a network share, a VM whose clock jumped), so they are never used. Two facts count:
 * - the time written inside the record by its writer. Windows of one machine share one clock; when a writer's
 *   clock is seen to lag ours (a record that changed after our previous look but claims an earlier time),
 *   the lag is added back. A time in our future says nothing (a writer ahead of us) and is ignored;
 * - how long this reader has seen the record unchanged: a record unchanged for longer than `staleMs` of
 *   our own clock is stale whatever its inside time claims.
 * A record is never stale at first sight (it may have just been written): a reader needs two looks at the
 * same content, so a takeover costs one housekeeping tick more, and a writer whose clock is behind ours is
 * not mistaken for a dead one.
 */
export class Liveness {
  private token?: string;
  private seenAt = 0;
  private lastCheck?: number;
  private lag = 0;

  constructor(
    private readonly clock: Clock,
    private readonly staleMs: number,
  ) {}

  /** `token` identifies the record's content; `writtenAt` is the time inside it (undefined when it has none). */
  isStale(token: string, writtenAt: number | undefined): boolean {
    const now = this.clock.now();
    if (token !== this.token) {
      if (this.token !== undefined && this.lastCheck !== undefined && writtenAt !== undefined && writtenAt < this.lastCheck) {
        this.lag = Math.max(this.lag, this.lastCheck - writtenAt);
      }
      this.token = token;
      this.seenAt = now;
      this.lastCheck = now;
      return false; // first sight of this content: it may have just been written
    }
    this.lastCheck = now;
    if (now - this.seenAt > this.staleMs) return true;
    if (writtenAt === undefined) return false;
    const at = writtenAt + this.lag;
    return at <= now && now - at > this.staleMs;
  }
}

interface LeaseFile {
  holder: string;
  /** The holder's clock at its last renewal. */
  heartbeatAt: number;
  /** Incremented on every renewal, so readers see a live holder's lease change. */
  seq: number;
}
const leaseShape: Shape<{ holder: string; heartbeatAt: number; seq?: number }> = object<{ holder: string; heartbeatAt: number; seq?: number }>({ holder: nonEmptyStr, heartbeatAt: epochMs, seq: opt(count) });

export class FileLease implements Lease {
  private readonly holderLiveness: Liveness;
  private readonly lockLiveness: Liveness;
  private readonly invalid = new InvalidFiles();
  private seq = 0;

  constructor(
    private readonly file: string,
    readonly id: string,
    private readonly clock: Clock,
    /** A holder that has not renewed for this long is taken over (> 2 heartbeat intervals). */
    staleMs = 45_000,
    /** A lock file left by a crash is removed once this process has seen it unchanged for this long. */
    lockStaleMs = 10_000,
  ) {
    this.holderLiveness = new Liveness(clock, staleMs);
    this.lockLiveness = new Liveness(clock, lockStaleMs);
  }

  attach(ctx: PersistContext): void {
    this.invalid.attach(ctx.log);
  }

  private async read(): Promise<LeaseFile | undefined> {
    const read = await readJson(this.file);
    if (read.kind === 'missing') return undefined;
    const v = read.kind === 'ok' ? check(leaseShape, read.value) : undefined;
    if (!v?.ok) {
      this.invalid.report(this.file, read.kind === 'invalid' ? read.why : `not a lease (${v!.error.message})`, 'the lease counts as free');
      return undefined;
    }
    this.invalid.fine(this.file);
    return { holder: v.value.holder, heartbeatAt: v.value.heartbeatAt, seq: v.value.seq ?? 0 };
  }

  async tryAcquire(): Promise<boolean> {
    await mkdir(dirname(this.file), { recursive: true });
    // Read, decide and write under a short exclusive lock, so two windows taking over a stale lease at
    // the same moment (or a paused holder renewing while another takes over) cannot both end up polling.
    const unlock = await this.lock();
    if (!unlock) return false; // another window is deciding right now; ask again next housekeeping tick
    try {
      const cur = await this.read();
      if (cur && cur.holder !== this.id && !this.holderLiveness.isStale(`${cur.holder}#${cur.seq}#${cur.heartbeatAt}`, cur.heartbeatAt)) return false;
      this.seq = Math.max(this.seq, cur?.seq ?? 0) + 1;
      await atomicWrite(this.file, JSON.stringify({ holder: this.id, heartbeatAt: this.clock.now(), seq: this.seq } satisfies LeaseFile));
      this.invalid.fine(this.file);
      return true;
    } finally {
      await unlock();
    }
  }

  /** `lease.json.lock`, created exclusively with a random token inside; one left behind by a crash is removed
   *  once this process has seen the same token for `lockStaleMs` of its own clock (never by file times). */
  private async lock(): Promise<(() => Promise<void>) | undefined> {
    const lockFile = `${this.file}.lock`;
    for (let attempt = 0; attempt < 2; attempt++) {
      const token = `${this.id}:${randomBytes(8).toString('hex')}`;
      try {
        const handle = await open(lockFile, 'wx');
        try {
          await handle.writeFile(JSON.stringify({ token, at: this.clock.now() }));
        } finally {
          await handle.close();
        }
        return async () => {
          // Remove only our own lock (a crash-recovering window may have replaced it).
          if ((await readFile(lockFile, 'utf8').catch(() => '')).includes(token)) await rm(lockFile, { force: true });
        };
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
        const seen = await readFile(lockFile, 'utf8').catch(() => undefined);
        if (seen === undefined) continue; // removed meanwhile: try again
        if (!this.lockLiveness.isStale(seen, undefined)) return undefined;
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
export interface FocusTracker extends Attachable {
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
 * that crashed while focused expires after `ttlMs` (judged by `Liveness`) instead of keeping the probes
 * going forever.
 */
const focusShape: Shape<{ window: string | null; at?: number }> = object<{ window: string | null; at?: number }>({ window: nullable(nonEmptyStr), at: opt(epochMs) });

export class FileFocus implements FocusTracker {
  private readonly invalid = new InvalidFiles();
  private focusedHere = false;
  private readonly clock: Clock;
  private readonly liveness: Liveness;

  constructor(
    private readonly file: string,
    private readonly id: string,
    options: { clock?: Clock; ttlMs?: number } = {},
  ) {
    this.clock = options.clock ?? systemClock;
    this.liveness = new Liveness(this.clock, options.ttlMs ?? 45_000);
  }

  attach(ctx: PersistContext): void {
    this.invalid.attach(ctx.log);
  }

  private async read(): Promise<{ window: string | null; at?: number }> {
    const read = await readJson(this.file);
    if (read.kind === 'missing') return { window: null };
    const v = read.kind === 'ok' ? check(focusShape, read.value) : undefined;
    if (!v?.ok) {
      this.invalid.report(this.file, read.kind === 'invalid' ? read.why : `not a focus record (${v!.error.message})`, 'no window counts as focused until one says so');
      return { window: null };
    }
    this.invalid.fine(this.file);
    return { window: v.value.window, ...(v.value.at !== undefined ? { at: v.value.at } : {}) };
  }

  private async write(window: string | null): Promise<void> {
    await atomicWrite(this.file, JSON.stringify({ window, at: this.clock.now() }));
    this.invalid.fine(this.file);
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
    return window !== null && !this.liveness.isStale(`${window}#${at}`, at);
  }
}
