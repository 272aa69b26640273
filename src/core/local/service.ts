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
import type { LocalUsageData } from '../model/snapshot';
import { aggregate, type LocalReport } from './aggregate';
import { discoverRoots, listTranscripts, type TranscriptFile } from './discovery';
import { hashKey } from './hash';
import { emptyState, indexFile, loadIndex, saveIndex, type FileState, type IndexState } from './index';
import { HEAD_BYTES, headHash, scanFd, type ScanResult, type UsageLine } from './reader';
import { DayClock } from '../model/zones';
import { systemClock } from '../clock';

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
  /** Helper-thread script for big scans (default `indexWorker.js` next to this bundle). */
  scanWorkerFile?: string;
  /** Bytes to read above which `refresh()` splits the scan with a helper thread. */
  parallelThreshold?: number;
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

  private ensureState(roots: string[]): IndexState {
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
    return this.state;
  }

  /** Stats every transcript and lists what must be read (new files, appended bytes, replaced files). */
  private plan(roots: string[]): Plan {
    const s = this.ensureState(roots);
    const ledger = s.ledger;
    const files = roots.flatMap((r) => listTranscripts(r));
    const present = new Set<number>();
    const jobs: Job[] = [];
    let statesChanged = false;
    for (const f of files) {
      let st: fs.Stats;
      try {
        st = fs.statSync(f.path);
      } catch {
        continue;
      }
      let fileId = s.fileIds.get(f.path);
      if (fileId === undefined) {
        fileId = s.files.length;
        s.files.push({ path: f.path, size: -1, mtimeMs: -1, ino: -1, offset: 0, headLen: 0, headHash: 0, corrupt: 0, project: ledger.projects.id(f.project) });
        s.fileIds.set(f.path, fileId);
        statesChanged = true;
      }
      present.add(fileId);
      const fsx = s.files[fileId]!;
      if (!fsx.missing && st.size === fsx.size && st.mtimeMs === fsx.mtimeMs && st.ino === fsx.ino) continue;
      if (fsx.offset > 0) {
        let replaced = st.ino !== fsx.ino || st.size < fsx.offset;
        if (!replaced) {
          try {
            const fd = fs.openSync(f.path, 'r');
            try {
              replaced = headHash(fd, fsx.headLen) !== fsx.headHash;
            } finally {
              fs.closeSync(fd);
            }
          } catch {
            continue;
          }
        }
        if (replaced) {
          // Replaced or rewritten: read again from the start; keyed entries de-duplicate against what we
          // have, key-less entries of the old content are dropped so they are not counted twice.
          ledger.dropKeyless(fileId);
          fsx.offset = 0;
          fsx.corrupt = 0;
          fsx.headLen = 0;
        }
      }
      jobs.push({ f, fileId, st, from: fsx.offset });
    }
    s.files.forEach((f: FileState, i) => {
      if (!present.has(i) && !f.missing) {
        f.missing = true;
        statesChanged = true;
      }
    });
    return { roots, files, jobs, statesChanged };
  }

  private scanJobSync(job: Job, firstCwd: Map<number, string>): ScanResult | undefined {
    const s = this.state!;
    const project = s.files[job.fileId]!.project;
    let fd: number;
    try {
      fd = fs.openSync(job.f.path, 'r');
    } catch {
      return undefined;
    }
    try {
      return scanFd(fd, job.from, (l) => {
        if (l.cwd && !firstCwd.has(job.fileId)) firstCwd.set(job.fileId, l.cwd);
        s.ledger.add(l, project, job.fileId, job.f.session);
      });
    } finally {
      fs.closeSync(fd);
    }
  }

  private record(job: Job, res: ScanResult | undefined): void {
    if (!res) return;
    const fsx = this.state!.files[job.fileId]!;
    fsx.offset = res.offset;
    fsx.corrupt += res.corrupt;
    const want = Math.min(HEAD_BYTES, fsx.offset);
    if (fsx.headLen < want) {
      try {
        const fd = fs.openSync(job.f.path, 'r');
        try {
          fsx.headHash = headHash(fd, want);
          fsx.headLen = want;
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        // Gone meanwhile: the next refresh re-checks it.
      }
    }
    fsx.size = job.st.size;
    fsx.mtimeMs = job.st.mtimeMs;
    fsx.ino = job.st.ino;
    delete fsx.missing;
  }

  private finish(p: Plan, query: RefreshQuery, firstCwd: Map<number, string>, filesRead: number, bytesRead: number): LocalRefresh {
    const s = this.state!;
    const ledger = s.ledger;
    // Project labels: the first `cwd` in file order (deterministic however files were scanned).
    for (const job of p.jobs) {
      const cwd = firstCwd.get(job.fileId);
      const project = s.files[job.fileId]!.project;
      if (cwd && !s.projectLabels[project]) s.projectLabels[project] = cwd;
    }
    for (let i = 0; i < ledger.projects.values.length; i++) s.projectLabels[i] ??= '';
    let saved = false;
    if (this.file && (p.statesChanged || p.jobs.length > 0 || ledger.dirty)) {
      try {
        saveIndex(this.file, s);
        ledger.dirty = false;
        saved = true;
      } catch {
        // An unwritable index only costs speed next time; the data is still right.
      }
    }
    const now = this.o.now ? this.o.now() : new Date(systemClock.now());
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
      roots: p.roots,
    };
    return {
      data,
      report,
      stats: { files: p.files.length, filesRead, bytesRead, entries: ledger.count, indexLoaded: this.loadedFrom, saved },
    };
  }

  /** Scans in this thread only. */
  refreshSync(query: RefreshQuery = {}): LocalRefresh {
    return this.refreshSyncFromPlan(this.plan(this.roots()), query);
  }

  /**
   * Like `refreshSync`, but a big scan (a first run over a large history) is split by bytes between this
   * thread and one helper worker thread (`scanWorkerFile`), when that file exists.
   */
  async refresh(query: RefreshQuery = {}): Promise<LocalRefresh> {
    const workerFile = this.o.scanWorkerFile ?? path.join(__dirname, 'indexWorker.js');
    const p = this.plan(this.roots());
    const pending = p.jobs.reduce((a, j) => a + (j.st.size - j.from), 0);
    if (p.jobs.length < 2 || pending < (this.o.parallelThreshold ?? PARALLEL_THRESHOLD) || !fs.existsSync(workerFile)) {
      return this.refreshSyncFromPlan(p, query);
    }
    // Balance by bytes: biggest first, each to the lighter side.
    const order = [...p.jobs].sort((a, b) => b.st.size - b.from - (a.st.size - a.from));
    const mine: Job[] = [];
    const theirs: Job[] = [];
    let m = 0;
    let t = 0;
    for (const j of order) {
      const size = j.st.size - j.from;
      if (m <= t) {
        mine.push(j);
        m += size;
      } else {
        theirs.push(j);
        t += size;
      }
    }
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    const worker = new Worker(workerFile, {
      workerData: { mode: 'scan', jobs: theirs.map((j) => ({ path: j.f.path, from: j.from, session: j.f.session })) } satisfies ScanRequest,
    });
    const reply = new Promise<ScanReply>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
      worker.once('exit', (code) => reject(new Error(`scan worker exited (${code})`)));
    });
    const firstCwd = new Map<number, string>();
    const onProgress = this.o.onProgress;
    // The helper's files are about as far along as ours: report both halves' estimated progress.
    let { filesRead, bytesRead } = this.scanJobs(
      mine,
      firstCwd,
      onProgress && ((done) => done % 16 === 0 && onProgress(Math.round((done / mine.length) * (p.jobs.length - 1)), p.jobs.length)),
    );
    let r: ScanReply;
    try {
      r = await reply;
    } finally {
      void worker.terminate();
    }
    const s = this.state!;
    const line: UsageLine = { ts: 0, model: '', sidechain: false, input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, batch: false, usInference: false };
    const hash: [number, number] = [0, 0];
    const pk = r.packed;
    for (let i = 0; i < pk.ts.length; i++) {
      const job = theirs[pk.job[i]!]!;
      const f = pk.flags[i]!;
      line.key = f & P_KEYED ? '' : undefined;
      line.ts = pk.ts[i]!;
      line.model = r.models[pk.model[i]!]!;
      line.sessionId = r.sessions[pk.session[i]!]!;
      line.sidechain = (f & P_SIDECHAIN) !== 0;
      line.batch = (f & P_BATCH) !== 0;
      line.usInference = (f & P_US) !== 0;
      line.input = pk.tokens[i * 5]!;
      line.output = pk.tokens[i * 5 + 1]!;
      line.cacheWrite5m = pk.tokens[i * 5 + 2]!;
      line.cacheWrite1h = pk.tokens[i * 5 + 3]!;
      line.cacheRead = pk.tokens[i * 5 + 4]!;
      hash[0] = pk.h1[i]!;
      hash[1] = pk.h2[i]!;
      s.ledger.add(line, s.files[job.fileId]!.project, job.fileId, job.f.session, hash);
    }
    r.results.forEach((res, k) => {
      const job = theirs[k]!;
      if (res.cwd && !firstCwd.has(job.fileId)) firstCwd.set(job.fileId, res.cwd);
      this.record(job, res.ok ? res : undefined);
      if (res.ok) {
        filesRead++;
        bytesRead += res.bytesRead;
      }
    });
    this.o.onProgress?.(p.jobs.length, p.jobs.length);
    return this.finish(p, query, firstCwd, filesRead, bytesRead);
  }

  private refreshSyncFromPlan(p: Plan, query: RefreshQuery): LocalRefresh {
    const firstCwd = new Map<number, string>();
    const onProgress = this.o.onProgress;
    const { filesRead, bytesRead } = this.scanJobs(
      p.jobs,
      firstCwd,
      onProgress && ((done) => (done % 16 === 0 || done === p.jobs.length) && onProgress(done, p.jobs.length)),
    );
    return this.finish(p, query, firstCwd, filesRead, bytesRead);
  }

  /** Scans `jobs` in this thread and records each; `progress` is told after every file. */
  private scanJobs(jobs: readonly Job[], firstCwd: Map<number, string>, progress?: (done: number) => unknown): { filesRead: number; bytesRead: number } {
    let filesRead = 0;
    let bytesRead = 0;
    let done = 0;
    for (const job of jobs) {
      const res = this.scanJobSync(job, firstCwd);
      this.record(job, res);
      if (res) {
        filesRead++;
        bytesRead += res.bytesRead;
      }
      progress?.(++done);
    }
    return { filesRead, bytesRead };
  }
}

/** Bytes to read above which a scan is split with a helper thread. */
export const PARALLEL_THRESHOLD = 128 * 1024 * 1024;

interface Job {
  f: TranscriptFile;
  fileId: number;
  st: fs.Stats;
  from: number;
}

interface Plan {
  roots: string[];
  files: TranscriptFile[];
  jobs: Job[];
  statesChanged: boolean;
}

export const P_KEYED = 1;
export const P_SIDECHAIN = 2;
export const P_BATCH = 4;
export const P_US = 8;

export interface ScanRequest {
  mode: 'scan';
  jobs: { path: string; from: number; session: string }[];
}

/** Lines scanned by the helper thread, packed in transferable typed arrays (keys as 64-bit hashes). */
export interface ScanReply {
  results: ({ ok: true; cwd?: string } & ScanResult | { ok: false; cwd?: string })[];
  models: string[];
  sessions: string[];
  packed: { job: Uint32Array; h1: Uint32Array; h2: Uint32Array; ts: Float64Array; tokens: Float64Array; flags: Uint8Array; model: Uint32Array; session: Uint32Array };
}

/** The helper thread's side of a split scan. */
export function scanForReply(req: ScanRequest): { reply: ScanReply; transfer: ArrayBuffer[] } {
  const models = new Map<string, number>();
  const sessions = new Map<string, number>();
  const intern = (m: Map<string, number>, v: string) => {
    let i = m.get(v);
    if (i === undefined) m.set(v, (i = m.size));
    return i;
  };
  const job: number[] = [];
  const h1: number[] = [];
  const h2: number[] = [];
  const ts: number[] = [];
  const tokens: number[] = [];
  const flags: number[] = [];
  const model: number[] = [];
  const session: number[] = [];
  const results: ScanReply['results'] = req.jobs.map((j, k) => {
    let cwd: string | undefined;
    try {
      const fd = fs.openSync(j.path, 'r');
      try {
        const res = scanFd(fd, j.from, (l) => {
          if (l.cwd && cwd === undefined) cwd = l.cwd;
          job.push(k);
          if (l.key !== undefined) {
            const [a, b] = hashKey(l.key);
            h1.push(a);
            h2.push(b);
          } else {
            h1.push(0);
            h2.push(0);
          }
          ts.push(l.ts);
          tokens.push(l.input, l.output, l.cacheWrite5m, l.cacheWrite1h, l.cacheRead);
          flags.push((l.key !== undefined ? P_KEYED : 0) | (l.sidechain ? P_SIDECHAIN : 0) | (l.batch ? P_BATCH : 0) | (l.usInference ? P_US : 0));
          model.push(intern(models, l.model));
          session.push(intern(sessions, l.sessionId ?? j.session));
        });
        return { ok: true as const, ...res, ...(cwd !== undefined ? { cwd } : {}) };
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return { ok: false as const };
    }
  });
  const packed = {
    job: Uint32Array.from(job),
    h1: Uint32Array.from(h1),
    h2: Uint32Array.from(h2),
    ts: Float64Array.from(ts),
    tokens: Float64Array.from(tokens),
    flags: Uint8Array.from(flags),
    model: Uint32Array.from(model),
    session: Uint32Array.from(session),
  };
  return {
    reply: { results, models: [...models.keys()], sessions: [...sessions.keys()], packed },
    transfer: Object.values(packed).map((a) => a.buffer as ArrayBuffer),
  };
}

export function createLocalUsage(options: LocalUsageOptions = {}): LocalUsage {
  let engine: LocalUsageEngine | undefined = new LocalUsageEngine(options);
  let queue: Promise<unknown> = Promise.resolve();
  return {
    // One refresh at a time: a second call waits for the first (offsets and the ledger are shared).
    refresh: (query) => {
      const next = queue.then(async () => {
        if (!engine) throw new Error('local usage was closed');
        return (await engine.refresh(query)).data;
      });
      queue = next.catch(() => undefined);
      return next;
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
