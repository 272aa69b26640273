/**
 * Claude Code transcripts on this machine: the indexer runs in a worker (`runInWorker`), loaded lazily;
 * a debounced file watcher on the transcript roots tells the store when something changed. The first
 * scan (no index yet) shows a progress notification.
 */
import * as vscode from 'vscode';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalUsageData } from '../core/model/snapshot';
import type { LocalUsage } from '../core/local/service';
import type { ConfigService, Config } from './config';
import type { Log } from './log';
import { systemClock } from '../core/clock';

/** Days of local history put in the snapshot (the index keeps everything). */
const SNAPSHOT_DAYS = 90;
const DEBOUNCE_MS = 2000;

export class LocalTranscripts implements vscode.Disposable {
  private usage?: LocalUsage;
  private key = '';
  private watchers: vscode.Disposable[] = [];
  private debounce?: ReturnType<typeof setTimeout>;
  private readonly indexDir: string;
  private onChanged: () => void = () => {};

  constructor(
    storageDir: string,
    private readonly config: ConfigService,
    private readonly log: Log,
  ) {
    this.indexDir = join(storageDir, 'local-index');
  }

  private settingsKey(c: Config): string {
    return JSON.stringify([c.local.extraFolders, c.local.timezone, c.priceOverrides]);
  }

  private async engine(): Promise<LocalUsage> {
    const c = this.config.current;
    const key = this.settingsKey(c);
    if (this.usage && key === this.key) return this.usage;
    this.usage?.close();
    const { runInWorker } = await import('../core/local/service');
    this.key = key;
    this.usage = runInWorker({
      extraDirs: c.local.extraFolders,
      indexDir: this.indexDir,
      ...(c.local.timezone ? { timezone: c.local.timezone } : {}),
      priceOverrides: c.priceOverrides,
      onProgress: (done, total) => this.progress?.(done, total),
    });
    return this.usage;
  }

  private progress?: (done: number, total: number) => void;

  /** The store's `localRunner`. */
  readonly run = async (): Promise<LocalUsageData> => {
    const engine = await this.engine();
    const since = new Date(systemClock.now() - SNAPSHOT_DAYS * 86_400_000).toISOString().slice(0, 10);
    const firstTime = !existsSync(this.indexDir);
    const started = performance.now();
    const data = firstTime
      ? await vscode.window.withProgress(
          { location: vscode.ProgressLocation.Notification, title: 'Claude Usage: indexing Claude Code transcripts' },
          async (p) => {
            let last = 0;
            this.progress = (done, total) => {
              const pct = total ? (done / total) * 100 : 0;
              p.report({ message: `${done} / ${total} files`, increment: pct - last });
              last = pct;
            };
            try {
              return await engine.refresh({ since });
            } finally {
              this.progress = undefined;
            }
          },
        )
      : await engine.refresh({ since });
    this.log.debug(`local transcripts: ${data.files} files, ${data.days.length} day rows, ${data.skippedLines} skipped lines in ${Math.round(performance.now() - started)} ms`);
    this.watch(data.roots);
    return data;
  };

  /** Called (debounced) when a transcript changes. */
  setListener(fn: () => void): void {
    this.onChanged = fn;
  }

  private watchedRoots = '';
  private watch(roots: string[]): void {
    const key = roots.join('\n');
    if (key === this.watchedRoots) return;
    this.watchedRoots = key;
    for (const w of this.watchers) w.dispose();
    this.watchers = [];
    const fire = (): void => {
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.onChanged(), DEBOUNCE_MS);
    };
    for (const root of roots) {
      const w = vscode.workspace.createFileSystemWatcher(new vscode.RelativePattern(vscode.Uri.file(root), '**/*.jsonl'));
      this.watchers.push(w, w.onDidChange(fire), w.onDidCreate(fire), w.onDidDelete(fire));
    }
  }

  dispose(): void {
    if (this.debounce) clearTimeout(this.debounce);
    for (const w of this.watchers) w.dispose();
    this.usage?.close();
  }
}
