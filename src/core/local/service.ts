/**
 * The one API the extension (and the CLI) use for zero-key usage: `createLocalUsage(options).refresh()`
 * scans the transcript roots incrementally (only appended bytes), keeps the persistent index up to date
 * and returns `LocalUsageData` for the store. `runInWorker(options)` does the same in a worker thread so
 * indexing never blocks the extension host; it falls back to in-thread work when the worker bundle is
 * missing (e.g. under tsx tests).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PriceBook, PRICES_AS_OF, type PriceOverrides } from '../pricing';
import type { LocalUsageData } from '../store/snapshot';
import { aggregate, type LocalReport } from './aggregate';
import { discoverRoots, listTranscripts } from './discovery';
import { emptyState, indexFile, loadIndex, saveIndex, type FileState, type IndexState } from './index';
import { HEAD_BYTES, headHash, scanFd } from './reader';
import { DayClock } from './timezone';

export interface LocalUsageOptions {
  /** Exact roots to scan (skips discovery; `--dir`). */
  roots?: string[];
  /** Folders added to the discovered roots (setting `claudeUsage.local.extraFolders`). */
  extraDirs?: string[];
  env?: NodeJS.ProcessEnv;
  home?: string;
  platform?: NodeJS.Platform;
  /** Where the persistent index lives (the extension's global storage; CLI `--index`). None: memory only. */
  indexDir?: string;
  /** IANA zone or `UTC`; default the system's. */
  timezone?: string;
  priceOverrides?: PriceOverrides;
  now?: () => Date;
  /** Files done / total during a scan (for a first-time progress notification). */
  onProgress?: (done: number, total: number) => void;
}

export interface RefreshQuery {
  /** Local days, inclusive. */
  since?: string;
  /** Local days, exclusive. */
  until?: string;
  /** Compute 5-hour windows and sessions (default true). */
  details?: boolean;
}

export interface LocalRefresh {
  data: LocalUsageData;
  report: LocalReport;
  stats: { files: number; filesRead: number; bytesRead: number; entries: number; indexLoaded: string; saved: boolean };
}

export interface LocalUsage {
  refresh(query?: RefreshQuery): Promise<LocalUsageData>;
  close(): void;
}

/** In-thread engine with its state kept warm between refreshes. */
export class LocalUsageEngine {
  private state?: IndexState;
  private file?: string;
  private readonly book: PriceBook;
  private readonly clock: DayClock;
  private loadedFrom = 'none';

  constructor(private readonly o: LocalUsageOptions = {}) {
    this.book = new PriceBook(o.priceOverrides);
    this.clock = new DayClock(o.timezone);
  }

  roots(): string[] {
    if (this.o.roots) return this.o.roots.map((r) => path.resolve(r));
    return discoverRoots({ env: this.o.env, home: this.o.home, platform: this.o.platform, extraDirs: this.o.extraDirs });
  }

  refreshSync(query: RefreshQuery = {}): LocalRefresh {
    const roots = this.roots();
    if (!this.state || JSON.stringify(this.state.roots) !== JSON.stringify(roots)) {
      this.state = undefined;
      if (this.o.indexDir) {
        this.file = indexFile(this.o.indexDir, roots);
        const r = loadIndex(this.file, roots);
        this.state = r.state;
        this.loadedFrom = r.state ? 'index' : `rebuilt (${r.reason})`;
      }
      this.state ??= emptyState(roots);
    }
    const s = this.state;
    const ledger = s.ledger;
    const files = roots.flatMap((r) => listTranscripts(r));
    const present = new Set<number>();
    let filesRead = 0;
    let bytesRead = 0;
    let statesChanged = false;
    let done = 0;
    const total = files.length;
    for (const f of files) {
      done++;
      let fileId = s.fileIds.get(f.path);
      let st: fs.Stats;
      try {
        st = fs.statSync(f.path);
      } catch {
        continue;
      }
      if (fileId === undefined) {
        fileId = s.files.length;
        const project = ledger.projects.id(f.project);
        s.files.push({ path: f.path, size: -1, mtimeMs: -1, ino: -1, offset: 0, headLen: 0, headHash: 0, corrupt: 0, project });
        s.fileIds.set(f.path, fileId);
        statesChanged = true;
      }
      present.add(fileId);
      const fsx = s.files[fileId]!;
      if (!fsx.missing && st.size === fsx.size && st.mtimeMs === fsx.mtimeMs && st.ino === fsx.ino) continue;
      let fd: number;
      try {
        fd = fs.openSync(f.path, 'r');
      } catch {
        continue;
      }
      try {
        if (fsx.offset > 0 && (st.ino !== fsx.ino || st.size < fsx.offset || headHash(fd, fsx.headLen) !== fsx.headHash)) {
          // Replaced or rewritten: read again from the start; keyed entries de-duplicate against what we
          // have, key-less entries of the old content are dropped so they are not counted twice.
          ledger.dropKeyless(fileId);
          fsx.offset = 0;
          fsx.corrupt = 0;
          fsx.headLen = 0;
        }
        const project = fsx.project;
        const fileIdx = fileId;
        const res = scanFd(fd, fsx.offset, (l) => {
          if (l.cwd && !s.projectLabels[project]) s.projectLabels[project] = l.cwd;
          ledger.add(l, project, fileIdx, f.session);
        });
        filesRead++;
        bytesRead += res.bytesRead;
        fsx.offset = res.offset;
        fsx.corrupt += res.corrupt;
        const want = Math.min(HEAD_BYTES, fsx.offset);
        if (fsx.headLen < want) {
          fsx.headLen = want;
          fsx.headHash = headHash(fd, want);
        }
        fsx.size = st.size;
        fsx.mtimeMs = st.mtimeMs;
        fsx.ino = st.ino;
        delete fsx.missing;
        statesChanged = true;
      } finally {
        fs.closeSync(fd);
      }
      if (this.o.onProgress && (done % 16 === 0 || done === total)) this.o.onProgress(done, total);
    }
    s.files.forEach((f: FileState, i) => {
      if (!present.has(i) && !f.missing) {
        f.missing = true;
        statesChanged = true;
      }
    });
    for (let p = 0; p < ledger.projects.values.length; p++) s.projectLabels[p] ??= '';
    let saved = false;
    if (this.file && (statesChanged || ledger.dirty)) {
      try {
        saveIndex(this.file, s);
        ledger.dirty = false;
        saved = true;
      } catch {
        // An unwritable index only costs speed next time; the data is still right.
      }
    }
    const now = (this.o.now ?? (() => new Date()))();
    const report = aggregate(ledger, {
      clock: this.clock,
      book: this.book,
      now,
      ...(query.since ? { since: query.since } : {}),
      ...(query.until ? { until: query.until } : {}),
      ...(query.details === false ? { details: false } : {}),
      projectLabel: (id) => s.projectLabels[id] || ledger.projects.values[id]!,
    });
    const skippedLines = s.files.reduce((a, f) => a + f.corrupt, 0);
    const weekAgo = now.getTime() - 7 * 86_400_000;
    const data: LocalUsageData = {
      timezone: report.timezone,
      days: report.days,
      ...(report.currentWindow ? { currentWindow: report.currentWindow } : {}),
      windows: report.windows.filter((w) => Date.parse(w.end) > weekAgo),
      sessions: report.sessions,
      cacheHitShare: report.cacheHitShare,
      pricesAsOf: PRICES_AS_OF,
      unpricedModels: report.unpricedModels,
      unpricedTokens: report.unpricedTokens,
      skippedLines,
      files: s.files.filter((f) => !f.missing).length,
      roots,
    };
    return {
      data,
      report,
      stats: { files: files.length, filesRead, bytesRead, entries: ledger.count, indexLoaded: this.loadedFrom, saved },
    };
  }
}

export function createLocalUsage(options: LocalUsageOptions = {}): LocalUsage {
  let engine: LocalUsageEngine | undefined = new LocalUsageEngine(options);
  return {
    refresh: async (query) => {
      if (!engine) throw new Error('local usage was closed');
      return engine.refreshSync(query).data;
    },
    close: () => {
      engine = undefined;
    },
  };
}

/** Worker-safe options: everything but functions (the worker uses the real clock). */
export type WorkerOptions = Omit<LocalUsageOptions, 'now' | 'onProgress'>;

export interface WorkerRequest {
  id: number;
  query?: RefreshQuery;
}
export type WorkerReply =
  | { id: number; kind: 'progress'; done: number; total: number }
  | { id: number; kind: 'result'; data: LocalUsageData }
  | { id: number; kind: 'error'; message: string };

/**
 * Runs the engine in a `worker_threads` worker (`dist/indexWorker.js`, next to the bundle), kept warm
 * between refreshes. Falls back to in-thread when the worker file is missing.
 */
export function runInWorker(
  options: WorkerOptions & { onProgress?: (done: number, total: number) => void; workerFile?: string },
): LocalUsage {
  const { onProgress, workerFile, ...rest } = options;
  const file = workerFile ?? path.join(__dirname, 'indexWorker.js');
  if (!fs.existsSync(file)) return createLocalUsage({ ...rest, ...(onProgress ? { onProgress } : {}) });
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
  let worker: import('node:worker_threads').Worker | undefined;
  let seq = 0;
  const pending = new Map<number, { resolve: (d: LocalUsageData) => void; reject: (e: Error) => void }>();
  const failAll = (e: Error) => {
    for (const p of pending.values()) p.reject(e);
    pending.clear();
    worker = undefined;
  };
  const start = () => {
    const w = new Worker(file, { workerData: rest });
    w.on('message', (m: WorkerReply) => {
      if (m.kind === 'progress') {
        onProgress?.(m.done, m.total);
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.kind === 'result') p.resolve(m.data);
      else p.reject(new Error(m.message));
    });
    w.on('error', (e) => failAll(e instanceof Error ? e : new Error(String(e))));
    w.on('exit', (code) => {
      if (worker === w) failAll(new Error(`transcript indexer stopped (exit code ${code})`));
    });
    w.unref();
    return w;
  };
  return {
    refresh: (query) =>
      new Promise<LocalUsageData>((resolve, reject) => {
        worker ??= start();
        const id = ++seq;
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, ...(query ? { query } : {}) } satisfies WorkerRequest);
      }),
    close: () => {
      const w = worker;
      worker = undefined;
      void w?.terminate();
      failAll(new Error('local usage was closed'));
    },
  };
}
