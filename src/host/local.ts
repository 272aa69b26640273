/**
 * Claude Code transcripts on this machine: the indexer (`createLocalUsage`, loaded lazily) keeps its state on
 * this thread and has every big scan read by a helper thread (`sharedThread`); file watchers on the transcript
 * roots, set up at activation (not after the first refresh), tell the store when something changed. Change events are debounced with a maximum wait, so a steady stream of appends (Claude
 * Code at work) still refreshes every few seconds instead of postponing forever; an event that arrives while
 * a refresh runs triggers another one. Shortly after activation one refresh is asked for, so appends made
 * while VS Code was closed or reloading show without waiting for the refresh timer. The first scan (no index
 * yet), and any scan with a lot to read, shows a progress notification.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { monotonicMs, systemClock, type Clock } from '../core/clock';
import { Debouncer } from '../core/local/debounce';
import { discoverRoots } from '../core/local/discovery';
import { indexFile } from '../core/local/transcriptIndex';
import type { LocalUsageData } from '../core/model/snapshot';
import type { LocalUsage, Progress } from '../core/local/service';
import { byteSize, int } from '../core/model/format';
import type { ConfigService, Config } from './config';
import type { Log } from './log';

/** Days of local history put in the snapshot (the index keeps everything)… */
const SNAPSHOT_DAYS = 90;
/** …of which the most recent have per-project rows (the tree shows the last 7 days); older days are per
 *  model only, which keeps the data (and what the store copies and saves per refresh) small. */
const PROJECT_DAYS = 14;
/** A scan with this much to read shows the progress notification also when an index exists (~0.5 s of reading or more). */
const PROGRESS_FROM_BYTES = 256 * 1024 * 1024;
/** After activation: ask for one refresh, and again until one ran (the store may still be starting, or
 *  another window's lease may still be live after a reload). */
const STARTUP_KICKS_MS = [2000, 6000, 15_000, 30_000, 45_000, 60_000, 75_000, 90_000, 120_000];

export class LocalTranscripts implements vscode.Disposable {
  private usage?: LocalUsage;
  private key = '';
  private watchers: vscode.Disposable[] = [];
  private readonly debounce: Debouncer;
  private readonly indexDir: string;
  private onChanged: () => void = () => {};
  /** Transcripts the watchers reported since the last refresh (a hint: the engine stats only these). */
  private changedPaths = new Set<string>();
  private running = false;
  private changedWhileRunning = false;
  private runs = 0;
  private readonly kicks: ReturnType<typeof setTimeout>[] = [];
  private disposed = false;

  constructor(
    storageDir: string,
    private readonly config: ConfigService,
    private readonly log: Log,
    private readonly clock: Clock = systemClock,
  ) {
    this.indexDir = join(storageDir, 'local-index');
    this.debounce = new Debouncer(() => this.changed());
    // Watch from activation on: appends show without waiting for a first refresh.
    this.watch(this.discover());
  }

  private discover(): string[] {
    try {
      return discoverRoots({ extraDirs: this.config.current.local.extraFolders });
    } catch {
      return [];
    }
  }

  private settingsKey(c: Config): string {
    return JSON.stringify([c.local.extraFolders, c.local.timezone, c.priceOverrides]);
  }

  private async engine(): Promise<LocalUsage> {
    const c = this.config.current;
    const key = this.settingsKey(c);
    if (this.usage && key === this.key) return this.usage;
    this.usage?.close();
    const { createLocalUsage } = await import('../core/local/service');
    this.key = key;
    this.usage = createLocalUsage({
      // The engine's state lives here (no second V8 heap, no copy of the day rows between threads); the
      // helper thread does every big read, and a refresh gives the thread back between its phases.
      sharedThread: true,
      extraDirs: c.local.extraFolders,
      indexDir: this.indexDir,
      ...(c.local.timezone ? { timezone: c.local.timezone } : {}),
      priceOverrides: c.priceOverrides,
      onProgress: (done, total, bytes) => this.progress?.(done, total, bytes),
    });
    return this.usage;
  }

  private progress?: Progress;

  /**
   * Runs a refresh with a progress notification: from the start for a first index (no index file yet), or
   * from the scan's first report when it has `PROGRESS_FROM_BYTES` or more to read (an index rebuilt after
   * an update changed its format or found it damaged, a long catch-up), which would otherwise pass in silence.
   */
  private async withProgress<T>(firstTime: boolean, refresh: () => Promise<T>): Promise<T> {
    let report: Progress | undefined;
    let end = () => {};
    const ended = new Promise<void>((r) => (end = r));
    const show = () =>
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: 'Claude Usage: indexing transcripts' }, async (p) => {
        let last = 0;
        report = (done, total, bytes) => {
          const pct = total ? (done / total) * 100 : 0;
          p.report({ message: `${int(done)} of ${int(total)} files (${byteSize(bytes)})`, increment: pct - last });
          last = pct;
        };
        await ended;
      });
    let shown = firstTime;
    if (firstTime) void show();
    this.progress = (done, total, bytes) => {
      if (!shown && bytes >= PROGRESS_FROM_BYTES && done < total) {
        shown = true;
        void show();
      }
      report?.(done, total, bytes);
    };
    try {
      return await refresh();
    } finally {
      this.progress = undefined;
      end();
    }
  }

  /** The store's `localRunner`. */
  readonly run = async (): Promise<LocalUsageData> => {
    this.running = true;
    this.changedWhileRunning = false;
    this.runs++;
    try {
      const roots = this.discover();
      this.watch(roots);
      const engine = await this.engine();
      const since = new Date(this.clock.now() - SNAPSHOT_DAYS * 86_400_000).toISOString().slice(0, 10);
      const projectDetailSince = new Date(this.clock.now() - PROJECT_DAYS * 86_400_000).toISOString().slice(0, 10);
      const changed = this.changedPaths.size ? [...this.changedPaths] : undefined;
      this.changedPaths = new Set();
      const query = { since, recent: true, projectDetailSince, ...(changed ? { changed } : {}) };
      const firstTime = roots.length > 0 && !existsSync(indexFile(this.indexDir, roots));
      const started = monotonicMs();
      const data = await this.withProgress(firstTime, () => engine.refresh(query));
      const sk = data.skipped;
      const skipped = sk ? `skipped: ${sk.duplicate} duplicate, ${sk.replay} replay, ${sk.synthetic} synthetic, ${sk.apiError} API-error, ${sk.corrupt} corrupt, ${sk.tooLarge} too large` : `${data.skippedLines} skipped lines`;
      this.log.debug(`local transcripts: ${data.files} files, ${data.days.length} day rows; ${skipped}; in ${Math.round(monotonicMs() - started)} ms`);
      this.watch(data.roots);
      return data;
    } finally {
      this.running = false;
      // A change seen while this refresh ran may have been read too late for it: refresh again.
      if (this.changedWhileRunning && !this.disposed) this.debounce.poke();
    }
  };

  /** Called (debounced) when a transcript changes. */
  setListener(fn: () => void): void {
    this.onChanged = fn;
    for (const ms of STARTUP_KICKS_MS) {
      this.kicks.push(
        setTimeout(() => {
          if (this.runs === 0 && !this.disposed) this.onChanged();
        }, ms),
      );
    }
  }

  private changed(): void {
    if (this.running) this.changedWhileRunning = true;
    else this.onChanged();
  }

  private watchedRoots = '';
  private watch(roots: string[]): void {
    const key = roots.join('\n');
    if (key === this.watchedRoots) return;
    this.watchedRoots = key;
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const fire = (uri: vscode.Uri): void => {
      if (this.changedPaths.size <= 256) this.changedPaths.add(uri.fsPath);
      this.debounce.poke();
    };
    for (const root of roots) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '**/*.jsonl'));
      this.watchers.push(w, w.onDidChange(fire), w.onDidCreate(fire), w.onDidDelete(fire));
    }
  }

  dispose(): void {
    this.disposed = true;
    this.debounce.dispose();
    for (const k of this.kicks) clearTimeout(k);
    for (const w of this.watchers) w.dispose();
    this.usage?.close();
  }
}
