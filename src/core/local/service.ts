/**
 * The one API the extension (and the CLI) use for zero-key usage: `createLocalUsage(options).refresh()`
 * scans the transcript roots incrementally (only appended bytes), keeps the persistent index up to date
 * and returns `LocalUsageData` for the store. In the extension host (`sharedThread`) the engine's state
 * lives in the host's thread, and every big read (a first index, a rebuild, a long catch-up) is done by a
 * helper thread alone (`dist/indexWorker.js`): the host's thread takes in the lines it found.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { monotonicMs, systemClock } from '../clock';
import { PriceBook, PRICES_AS_OF, type PriceOverrides } from '../pricing';
import type { LocalUsageData } from '../model/snapshot';
import { RecordReadError } from './ledger';
import { Aggregator, type LocalReport, type SavedAggregates } from './aggregate';
import { discoverRoots, listTranscriptPaths, transcriptAt, transcriptOf, type TranscriptFile } from './discovery';
import { fileStat, type FileStat } from './fileStat';
import { emptyLine, type UsageLine } from './extract';
import { emptyState, indexFile, IndexStore, type IndexState, type SaveResult } from './transcriptIndex';
import { HEAD_BYTES, headHash, scanFd, type ScanResult, type SkipCounts } from './reader';
import { DayClock } from '../model/zones';
import { writeFileAtomic } from '../plan/files';
import { COLLECT_AFTER_BYTES, IdleCollector } from './heap';

export interface LocalUsageOptions {
  /** Exact roots to scan (skips discovery; `--dir`). */
  roots?: string[];
  /** Folders added to the discovered roots (setting `claudeUsage.local.extraFolders`). */
  extraDirs?: string[];
  env?: NodeJS.ProcessEnv;
  home?: string;
  platform?: NodeJS.Platform;
  /** Where the persistent index lives (the extension's global storage `local-index/`; CLI `--index`). None: memory only. */
  indexDir?: string;
  /** IANA zone or `UTC`; default the system's. */
  timezone?: string;
  priceOverrides?: PriceOverrides;
  /** The current time (default: the process clock, src/core/clock.ts). */
  now?: () => Date;
  /** Files done / total during a scan, and the bytes it has to read (the extension's progress notification). */
  onProgress?: Progress;
  /** Helper-thread script for big scans (default `indexWorker.js` next to this bundle). */
  scanWorkerFile?: string;
  /** Bytes to read above which `refresh()` shares the scan with a helper thread (default `PARALLEL_THRESHOLD`,
   *  or `SHARED_THREAD_PARALLEL_THRESHOLD` with `sharedThread`). */
  parallelThreshold?: number;
  /**
   * This thread is shared with other work (the extension host): a scan of `parallelThreshold` bytes or more is
   * read by the helper thread alone (this thread takes in its lines and reports its progress), and a refresh
   * gives the thread back between its phases (finding files, reading, saving and aggregating).
   */
  sharedThread?: boolean;
  /** Tests: how often a helper reading alone reports its progress (default 250 ms). */
  helperProgressMs?: number;
  /** Journal size that triggers compaction into a new base (tests; default half the base, ≥ 1 MiB). */
  indexCompactBytes?: number;
  /** Tests: entry records the index journal may hold before it is compacted (default 4,096). */
  indexCompactRecords?: number;
  /**
   * Save the day aggregates next to the index after a refresh and start from them in the next process
   * (the CLI: each run is a new process that would otherwise aggregate every entry again).
   */
  aggregateCache?: boolean;
}

/** Aggregates saved next to an index: the index position they reflect and one set per query. */
interface AggregateCacheFile {
  generation: number;
  journal: number;
  sets: SavedAggregates[];
}

/** A scan's progress: files done, files in all, and the bytes the scan has to read (known from the start). */
export type Progress = (done: number, total: number, bytes: number) => void;

export interface RefreshQuery {
  /** Local days, inclusive. */
  since?: string;
  /** Local days, exclusive. */
  until?: string;
  /** Compute 5-hour windows and sessions (default true). */
  details?: boolean;
  /** Only sessions active and windows ending in the last 7 days (the extension's snapshot; default: all). */
  recent?: boolean;
  /** Day rows per project (default true); false: per (day, model) only, with `project` ''. */
  byProject?: boolean;
  /** Local day from which day rows are per project; earlier ones per (day, model) with `project` ''. */
  projectDetailSince?: string;
  /**
   * Transcripts a file watcher saw change (created, appended, deleted) since the last refresh. A warm engine
   * then stats only these instead of walking every folder and file; it still walks everything when there
   * are many, or when its last full walk is older than `FULL_PLAN_MS` (a missed event costs at most that).
   */
  changed?: string[];
}

/** A warm refresh with watcher hints walks all folders at least this often. */
export const FULL_PLAN_MS = 60_000;
const MAX_HINTS = 256;

export interface LocalRefresh {
  data: LocalUsageData;
  report: LocalReport;
  stats: {
    files: number;
    filesRead: number;
    bytesRead: number;
    entries: number;
    /** Entries whose records are in memory (the others are read from the saved index when needed). */
    entriesInMemory: number;
    indexLoaded: string;
    /** Entry records the last load of the index took from its journal (0: none, or no index loaded). */
    replayed: number;
    saved: boolean;
    /** How the index was written (`journal`: one appended batch; `base`: a full rewrite) and how many bytes. */
    save: SaveResult;
    /** Milliseconds per phase: finding and stat'ing files, reading them, writing the index, aggregating. */
    ms: { plan: number; scan: number; save: number; aggregate: number };
    /** A shared scan: files the helper read, whether it failed (its files were then read here), this thread's scan and its wait for the helper, and the bytes each thread read. */
    helper?: { files: number; failed: boolean; mainMs: number; waitMs: number; mainBytes: number; helperBytes: number };
  };
}

export interface LocalUsage {
  refresh(query?: RefreshQuery): Promise<LocalUsageData>;
  close(): void;
}

/** In-thread engine with its state kept warm between refreshes. */
export class LocalUsageEngine {
  private state?: IndexState;
  private store?: IndexStore;
  private rootsKey = '';
  private readonly book: PriceBook;
  private readonly clock: DayClock;
  private loadedFrom = 'none';
  private lastFullPlan = -Infinity;
  /** Day rows kept between refreshes (only what changed is added and taken away). */
  private readonly aggregator = new Aggregator();
  /** A project's label for the aggregation: one function for the engine's life (a new closure per refresh
   *  was a new call target each time, and the optimized code calling it was thrown away). */
  private readonly projectLabel = (id: number): string => this.state!.projectLabels[id] || this.state!.ledger.projects.values[id]!;

  /** `sharedThread`: this thread is shared with other work (see the option). */
  private readonly shared: boolean;

  constructor(private readonly o: LocalUsageOptions = {}) {
    this.shared = o.sharedThread === true;
    this.book = new PriceBook(o.priceOverrides);
    this.clock = new DayClock(o.timezone);
  }

  private nowMs(): number {
    return this.o.now ? this.o.now().getTime() : systemClock.now();
  }

  roots(): string[] {
    if (this.o.roots) return this.o.roots.map((r) => path.resolve(r));
    return discoverRoots({ env: this.o.env, home: this.o.home, platform: this.o.platform, extraDirs: this.o.extraDirs });
  }

  /** Bytes this engine wrote to its index so far (benchmarks). */
  get indexBytesWritten(): number {
    return this.store?.bytesWritten ?? 0;
  }

  private ensureState(roots: string[]): IndexState {
    const key = JSON.stringify(roots);
    if (!this.state || key !== this.rootsKey) {
      this.rootsKey = key;
      this.dropState();
      if (this.o.indexDir) {
        this.store = new IndexStore(this.o.indexDir, roots, () => this.nowMs(), this.o.indexCompactBytes, this.o.indexCompactRecords);
        this.load(roots, '');
      }
      this.state ??= emptyState(roots);
    } else if (this.store && this.store.sync(this.state) === 'reload') {
      // Another process (a window, the CLI) rewrote the index, or wrote on top of our unsaved changes.
      this.load(roots, ' (reloaded)');
    }
    return this.state;
  }

  /**
   * Loads the base this refresh just wrote (the same entries, in the same order), its records on demand
   * (ledger.ts): after a first index or a rebuild every record is in memory, and most are never needed
   * again. The aggregates carry over; the next refresh finds the recent entries again (reading them in).
   */
  private readBack(): void {
    const wrote = this.store!.position();
    const r = this.store!.load();
    if (!r.state) return;
    this.state?.ledger.release();
    this.state = r.state;
    // Exactly what was written (no other process's batch since): nothing for the aggregates to take in.
    const read = this.store!.position();
    if (wrote && read && read.generation === wrote.generation && read.journal === wrote.journal) r.state.ledger.takeAggChanges();
  }

  /** Forgets the state in memory (the next refresh loads the index again), closing what it holds open. */
  private dropState(): void {
    this.state?.ledger.release();
    this.state = undefined;
  }

  private load(roots: string[], note: string): void {
    this.dropState();
    const cache = this.o.aggregateCache ? this.readAggregateCache() : undefined;
    const r = this.store!.load(cache);
    this.state = r.state ?? emptyState(roots);
    this.loadedFrom = r.state ? `index${note}` : `rebuilt (${r.reason})`;
    this.replayed = r.state ? this.store!.journalRecords() : 0;
    this.savedAggregates = r.state && r.resumed ? cache?.sets : undefined;
  }

  /** Entry records the last load of the index took from its journal. */
  private replayed = 0;

  /** Aggregates a previous process saved (see `aggregateCache`). */
  private savedAggregates?: SavedAggregates[];

  private aggregateCachePath(): string {
    return `${this.store!.base}.agg.json`;
  }

  /** The aggregate cache as last read or written by this engine (text and file identity), to skip reading it again. */
  private aggregateFile?: { text: string; parsed: AggregateCacheFile | undefined; mtimeMs: number; size: number; ino: number };

  private readAggregateCache(): AggregateCacheFile | undefined {
    const file = this.aggregateCachePath();
    try {
      const st = fs.statSync(file);
      const known = this.aggregateFile;
      if (known && known.mtimeMs === st.mtimeMs && known.size === st.size && known.ino === st.ino) return known.parsed;
      const text = fs.readFileSync(file, 'utf8');
      const c = JSON.parse(text) as AggregateCacheFile;
      const parsed = Number.isInteger(c.generation) && Number.isInteger(c.journal) && Array.isArray(c.sets) ? c : undefined;
      this.aggregateFile = { text, parsed, mtimeMs: st.mtimeMs, size: st.size, ino: st.ino };
      return parsed;
    } catch {
      return undefined;
    }
  }

  private writeAggregateCache(): void {
    const at = this.store?.position();
    if (!at) return;
    const mine = this.aggregator.save(this.state!.ledger);
    const old = this.readAggregateCache();
    const others = old && old.generation === at.generation && old.journal === at.journal ? old.sets.filter((x) => x.sig !== mine.sig).slice(0, 2) : [];
    const file: AggregateCacheFile = { generation: at.generation, journal: at.journal, sets: [mine, ...others] };
    const text = JSON.stringify(file);
    // Nothing changed (a warm run with no new lines): the file already says this.
    if (this.aggregateFile?.text === text && fs.existsSync(this.aggregateCachePath())) return;
    try {
      writeFileAtomic(this.aggregateCachePath(), text);
      const st = fs.statSync(this.aggregateCachePath());
      this.aggregateFile = { text, parsed: file, mtimeMs: st.mtimeMs, size: st.size, ino: st.ino };
    } catch {
      // Only speed is lost.
    }
  }

  /** Stats every transcript and lists what must be read (new files, appended bytes, replaced files). */
  private plan(roots: string[], changed?: string[], big?: { bytes: number; reached: () => void }): Plan {
    const started = monotonicMs();
    const warm = this.state !== undefined && JSON.stringify(roots) === this.rootsKey;
    const s = this.ensureState(roots);
    const ledger = s.ledger;
    const nowMs = this.nowMs();
    // With watcher hints a warm engine looks only at the files named (new, appended or deleted ones).
    const targeted = warm && changed !== undefined && changed.length <= MAX_HINTS && nowMs - this.lastFullPlan < FULL_PLAN_MS;
    // The transcripts to look at, and each one's project and session (made only for the files read or new).
    let files: string[];
    let transcript: (k: number) => TranscriptFile;
    if (targeted) {
      const hinted: TranscriptFile[] = [];
      for (const c of new Set(changed)) {
        const f = transcriptOf(roots, c);
        if (!f) continue;
        if (fs.existsSync(f.path)) hinted.push(f);
        else {
          const id = s.files.id(f.path);
          if (id !== undefined && !s.files.missing(id)) {
            s.files.setMissing(id, true);
            s.dirtyFiles.add(id);
          }
        }
      }
      files = hinted.map((f) => f.path);
      transcript = (k) => hinted[k]!;
    } else {
      const listed = roots.map((r) => listTranscriptPaths(r, s.dirs, nowMs, (d) => s.dirtyDirs.add(d)));
      files = listed.length === 1 ? listed[0]! : listed.flat();
      transcript = (k) => {
        let r = 0;
        for (; k >= listed[r]!.length; r++) k -= listed[r]!.length;
        return transcriptAt(roots[r]!, listed[r]![k]!);
      };
      this.lastFullPlan = nowMs;
    }
    // Per file id, 1 when listed now (a typed array: no entry allocated per file, as a Set would).
    const t = s.files;
    const present = new Uint8Array(t.length + files.length);
    const jobs: Job[] = [];
    let pending = 0;
    const scratch: FileStat = { size: 0, mtimeMs: 0, ino: 0, dir: false };
    for (let i = 0; i < files.length; i++) {
      const file = files[i]!;
      const st = fileStat(file, scratch);
      if (!st) continue;
      let fileId = t.id(file);
      if (fileId === undefined) {
        fileId = t.add(file, ledger.projects.id(transcript(i).project));
        s.dirtyFiles.add(fileId);
      }
      present[fileId] = 1;
      if (t.unchanged(fileId, st.size, st.mtimeMs, st.ino)) continue;
      const offset = t.offset(fileId);
      if (offset > 0) {
        let replaced = st.ino !== t.ino(fileId) || st.size < offset;
        if (!replaced) {
          try {
            const fd = fs.openSync(file, 'r');
            try {
              replaced = headHash(fd, t.headLen(fileId)) !== t.headHash(fileId);
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
          t.restart(fileId);
          s.dirtyFiles.add(fileId);
        }
      }
      const from = t.offset(fileId);
      jobs.push({ f: transcript(i), fileId, st: { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, dir: st.dir }, from });
      pending += st.size - from;
      if (big && pending >= big.bytes) {
        big.reached();
        big = undefined;
      }
    }
    if (!targeted) t.markGone(present, (i) => s.dirtyFiles.add(i));
    // A big read (a first scan) sizes the ledger once for the entries it will likely add.
    if (pending >= RESERVE_FROM) ledger.reserve(Math.ceil(pending / BYTES_PER_ENTRY));
    const now = monotonicMs();
    return { roots, files: files.length, jobs, bytes: pending, ms: { plan: now - started, scanStart: now } };
  }

  /** Whether a scan of this file still needs a `cwd` (for its project's label). */
  private needsCwd(job: Job, firstCwd: Map<number, string>): boolean {
    const s = this.state!;
    return !firstCwd.has(job.fileId) && !s.projectLabels[s.files.project(job.fileId)];
  }

  private scanJobSync(job: Job, firstCwd: Map<number, string>, small: boolean): ScanResult | undefined {
    const s = this.state!;
    const project = s.files.project(job.fileId);
    let fd: number;
    try {
      fd = fs.openSync(job.f.path, 'r');
    } catch {
      return undefined;
    }
    let want = this.needsCwd(job, firstCwd);
    try {
      const res: ScanResult & { head?: Head } = scanFd(
        fd,
        job.from,
        (l) => {
          if (want && l.cwd) {
            firstCwd.set(job.fileId, l.cwd);
            want = false;
          }
          s.ledger.add(l, project, job.fileId, job.f.session);
        },
        { wantCwd: () => want, small },
      );
      const len = Math.min(HEAD_BYTES, res.offset);
      if (s.files.headLen(job.fileId) < len) res.head = { len, hash: headHash(fd, len) };
      return res;
    } finally {
      fs.closeSync(fd);
    }
  }

  private record(job: Job, res: { offset: number; skipped: SkipCounts; head?: Head } | undefined): void {
    if (!res) return;
    const s = this.state!;
    const t = s.files;
    const i = job.fileId;
    t.setOffset(i, res.offset);
    t.addSkipped(i, res.skipped);
    const want = Math.min(HEAD_BYTES, res.offset);
    if (res.head && res.head.len === want) t.setHead(i, want, res.head.hash);
    else if (t.headLen(i) < want) {
      try {
        const fd = fs.openSync(job.f.path, 'r');
        try {
          t.setHead(i, want, headHash(fd, want));
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        // Gone meanwhile: the next refresh re-checks it.
      }
    }
    t.setStat(i, job.st.size, job.st.mtimeMs, job.st.ino);
    t.setMissing(i, false);
    s.dirtyFiles.add(i);
  }

  private finish(p: Plan, query: RefreshQuery, scanned: Scanned): LocalRefresh {
    const { firstCwd, filesRead, bytesRead } = scanned;
    const t1 = monotonicMs();
    const s = this.state!;
    const ledger = s.ledger;
    // Project labels: the first `cwd` in file order (deterministic however files were scanned).
    for (let j = 0; j < p.jobs.length; j++) {
      const job = p.jobs[j]!;
      const cwd = firstCwd.get(job.fileId);
      const project = s.files.project(job.fileId);
      if (cwd && !s.projectLabels[project]) {
        s.projectLabels[project] = cwd;
        s.dirtyLabels.add(project);
      }
    }
    for (let i = 0; i < ledger.projects.values.length; i++) s.projectLabels[i] ??= '';
    let save: SaveResult = { mode: 'unchanged', bytes: 0 };
    if (this.store) {
      save = this.store.save(s);
      // Another process wrote meanwhile: the next refresh reloads its index and reads from its offsets.
    }
    const t2 = monotonicMs();
    const nowMs = this.nowMs();
    const now = new Date(nowMs);
    // Every key always present (absent ones undefined), and the same `projectLabel` function: the options have
    // one shape on every refresh. Built with spreads and a new closure, V8 threw the aggregation's optimized
    // code away after refreshes ("wrong map", "wrong call target" under --trace-deopt) and compiled it again
    // on its compiler threads, the engine's main CPU cost while Claude Code appends (bench/local/live.ts).
    const report = this.aggregator.update(ledger, {
      clock: this.clock,
      book: this.book,
      now,
      since: query.since || undefined,
      until: query.until || undefined,
      details: query.details === false ? false : undefined,
      recentSince: query.recent ? nowMs - 7 * 86_400_000 : undefined,
      byProject: query.byProject === false ? false : undefined,
      projectDetailSince: query.projectDetailSince || undefined,
      projectLabel: this.projectLabel,
      missingFiles: s.files.missingFlags(),
    }, ledger.takeAggChanges(), this.savedAggregates);
    this.savedAggregates = undefined;
    if (this.o.aggregateCache && (save.mode === 'journal' || save.mode === 'base' || save.mode === 'unchanged')) this.writeAggregateCache();
    // (Only where the engine lives on, in the extension host: a CLI run ends here.)
    if (this.shared && save.mode === 'base' && ledger.count >= RELOAD_AFTER_BASE && ledger.resident().records === ledger.count) this.readBack();
    const { skipped: skips, missing: missingFiles } = s.files.totals();
    const weekAgo = nowMs - 7 * 86_400_000;
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
      skippedLines: skips.corrupt + skips.tooLarge,
      skipped: { ...skips, replay: report.replay, duplicate: report.duplicate },
      missing: { files: missingFiles, entries: report.missing.entries, tokens: report.missing.tokens, costUsd: report.missing.costUsd },
      files: s.files.length - missingFiles,
      roots: p.roots,
      ...(query.projectDetailSince ? { projectDetailSince: query.projectDetailSince } : {}),
      ...(this.o.indexDir ? { indexDir: path.resolve(this.o.indexDir) } : {}),
      computedAt: now.toISOString(),
    };
    const ms = { plan: p.ms.plan, scan: t1 - p.ms.scanStart, save: t2 - t1, aggregate: monotonicMs() - t2 };
    return {
      data,
      report,
      stats: { files: p.files, filesRead, bytesRead, entries: ledger.count, entriesInMemory: ledger.resident().records, indexLoaded: this.loadedFrom, replayed: this.replayed, saved: save.mode === 'journal' || save.mode === 'base', save, ms },
    };
  }

  /** Scans in this thread only. */
  refreshSync(query: RefreshQuery = {}): LocalRefresh {
    try {
      return this.refreshSyncFromPlan(this.plan(this.roots(), query.changed), query);
    } catch (e) {
      throw this.failed(e);
    }
  }

  /**
   * A refresh that could not read a record back from the saved index stopped part-way: its state in memory
   * is dropped (the next refresh loads what was saved, or rebuilds when that is damaged) and the error says so.
   */
  private failed(e: unknown): unknown {
    if (!(e instanceof RecordReadError)) return e;
    this.dropState();
    return new Error(`the saved transcript index could not be read (${e.message}); the next refresh loads it again or rebuilds it`);
  }

  /**
   * Like `refreshSync`, but a big scan (a first run over a large history) is shared with one helper worker
   * thread (`scanWorkerFile`), when that file exists. Both threads claim files from one list, biggest first,
   * through a shared counter, so they finish close together however the machine's load falls. The helper is
   * started while the files are still being listed, once those found hold enough bytes to read.
   */
  async refresh(query: RefreshQuery = {}): Promise<LocalRefresh> {
    this.running++;
    try {
      return await this.refreshShared(query);
    } catch (e) {
      throw this.failed(e);
    } finally {
      // Closed meanwhile: what the state holds open is let go once the refresh no longer uses it.
      if (--this.running === 0 && this.closed) this.dropState();
    }
  }

  /** Refreshes under way (`refresh` yields between its phases). */
  private running = 0;

  private async refreshShared(query: RefreshQuery): Promise<LocalRefresh> {
    const workerFile = this.o.scanWorkerFile ?? path.join(__dirname, 'indexWorker.js');
    // Started as soon as the files found so far hold enough to read: its start-up overlaps the rest of `plan`.
    // (The worker file is looked for only then: a warm refresh never gets there; `--threads 1` sets Infinity.)
    let helper: ScanHelper | undefined;
    const shared = this.shared;
    const big = {
      bytes: this.o.parallelThreshold ?? (shared ? SHARED_THREAD_PARALLEL_THRESHOLD : PARALLEL_THRESHOLD),
      reached: () => {
        if (fs.existsSync(workerFile)) helper = new ScanHelper(workerFile);
      },
    };
    const roots = this.roots();
    // A first scan (no index in memory or on disk) likely needs the helper: it starts before the folders are
    // listed, so its start-up (~0.1 s of CPU) ends before the plan does, not after (stopped unused if the
    // scan turns out small).
    if (this.state === undefined && (!this.o.indexDir || !fs.existsSync(indexFile(this.o.indexDir, roots))) && big.bytes < Infinity) {
      big.reached();
      big.reached = () => {};
    }
    let p: Plan;
    try {
      p = this.plan(roots, query.changed, big);
    } catch (e) {
      helper?.stop();
      throw e;
    }
    if (!helper || (p.jobs.length < 2 && !shared) || p.bytes < big.bytes) {
      helper?.stop();
      if (!shared) return this.refreshSyncFromPlan(p, query);
      // On a shared thread, reading and aggregating each take a turn of their own.
      await yieldThread();
      const scanned = this.scanJobs(p);
      await yieldThread();
      return this.finish(p, query, scanned);
    }
    return this.sharedScan(p, query, helper);
  }

  /** The helper thread of a shared scan under way (stopped by `close`). */
  private activeHelper?: ScanHelper;
  private closed = false;

  /** Stops a shared scan under way (its refresh fails instead of reading the helper's files here). */
  close(): void {
    this.closed = true;
    this.activeHelper?.stop();
    if (this.running === 0) this.dropState();
  }

  private async sharedScan(p: Plan, query: RefreshQuery, helper: ScanHelper): Promise<LocalRefresh> {
    // Biggest first: the last files claimed are the smallest, so neither thread waits long for the other.
    const order = [...p.jobs].sort((a, b) => b.st.size - b.from - (a.st.size - a.from));
    const firstCwd = new Map<number, string>();
    const next = new Int32Array(new SharedArrayBuffer(4));
    helper.start({
      jobs: order.map((j) => ({ path: j.f.path, from: j.from, needCwd: this.needsCwd(j, firstCwd) })),
      next: next.buffer as SharedArrayBuffer,
      lines: Math.min(MAX_RESERVED_LINES, Math.ceil(p.bytes / BYTES_PER_LINE)),
    });
    const done = new Uint8Array(order.length);
    const read = { filesRead: 0, bytesRead: 0 };
    const scanHere = (k: number) => {
      this.scanInto(order[k]!, firstCwd, false, read);
      done[k] = 1;
    };
    const onProgress = this.o.onProgress;
    const total = order.length;
    const shared = this.shared;
    const started = monotonicMs();
    for (let k = shared ? total : Atomics.add(next, 0, 1); k < total; k = Atomics.add(next, 0, 1)) {
      scanHere(k);
      // Claims of both threads: files done or under way.
      if (onProgress && k % 16 === 0) onProgress(k, total, p.bytes);
    }
    const mineMs = monotonicMs() - started;
    // The helper reading alone: its claims, read from the counter it shares, are the progress.
    const ticker = shared && onProgress ? setInterval(() => onProgress(Math.min(Atomics.load(next, 0), total), total, p.bytes), this.o.helperProgressMs ?? HELPER_PROGRESS_MS) : undefined;
    let r: ScanReply | undefined;
    let failure: unknown;
    this.activeHelper = helper;
    try {
      r = await helper.result();
    } catch (e) {
      // The helper failed: what it claimed is read below, in this thread (not on a shared one).
      failure = e;
    } finally {
      clearInterval(ticker);
      this.activeHelper = undefined;
      helper.stop();
    }
    if (this.closed) throw new Error('local usage was closed');
    if (!r && shared) {
      // Reading gigabytes here would freeze every extension for seconds: nothing was taken in, the last
      // figures stay, and the next refresh starts a new helper.
      throw new Error(`the transcript reader thread failed (${failure instanceof Error ? failure.message : String(failure)}); nothing was read, the next refresh tries again`);
    }
    const waitMs = monotonicMs() - started - mineMs;
    const mainBytes = read.bytesRead;
    if (r) {
      const merged = this.mergeHelper(order, r, firstCwd, done);
      read.filesRead += merged.filesRead;
      read.bytesRead += merged.bytesRead;
    }
    for (let k = 0; k < total; k++) if (!done[k]) scanHere(k);
    onProgress?.(total, total, p.bytes);
    if (shared) await yieldThread();
    const out = this.finish(p, query, { firstCwd, ...read });
    out.stats.helper = { files: r ? r.results.length : 0, failed: !r, mainMs: mineMs, waitMs, mainBytes, helperBytes: read.bytesRead - mainBytes };
    return out;
  }

  /** Adds the helper's packed lines to the ledger and records its files (job numbers index `order`); returns what it read. */
  private mergeHelper(order: readonly Job[], r: ScanReply, firstCwd: Map<number, string>, done: Uint8Array): { filesRead: number; bytesRead: number } {
    const s = this.state!;
    const line: UsageLine = emptyLine();
    const pk = r.packed;
    const ledger = s.ledger;
    // The helper's strings interned once each, not once per line.
    const models = r.models.map((m) => ledger.models.id(m));
    const sessions = r.sessions.map((x) => ledger.sessions.id(x));
    const fileSession = new Int32Array(order.length).fill(-1);
    for (let i = 0; i < pk.ts.length; i++) {
      const job = order[pk.job[i]!]!;
      const f = pk.flags[i]!;
      line.keyed = (f & P_KEYED) !== 0;
      line.k1 = pk.h[i * 4]!;
      line.k2 = pk.h[i * 4 + 1]!;
      line.i1 = pk.h[i * 4 + 2]!;
      line.i2 = pk.h[i * 4 + 3]!;
      line.ts = pk.ts[i]!;
      const sess = pk.session[i]!;
      let sessionId: number;
      if (sess !== NO_SESSION) sessionId = sessions[sess]!;
      else {
        sessionId = fileSession[pk.job[i]!]!;
        if (sessionId < 0) sessionId = fileSession[pk.job[i]!] = ledger.sessions.id(job.f.session);
      }
      line.sidechain = (f & P_SIDECHAIN) !== 0;
      line.batch = (f & P_BATCH) !== 0;
      line.usInference = (f & P_US) !== 0;
      line.nested = (f & P_NESTED) !== 0;
      line.input = pk.tokens[i * 5]!;
      line.output = pk.tokens[i * 5 + 1]!;
      line.cacheWrite5m = pk.tokens[i * 5 + 2]!;
      line.cacheWrite1h = pk.tokens[i * 5 + 3]!;
      line.cacheRead = pk.tokens[i * 5 + 4]!;
      ledger.addInterned(line, models[pk.model[i]!]!, s.files.project(job.fileId), sessionId, job.fileId);
    }
    let filesRead = 0;
    let bytesRead = 0;
    for (const res of r.results) {
      const job = order[res.job]!;
      if (res.cwd && !firstCwd.has(job.fileId)) firstCwd.set(job.fileId, res.cwd);
      this.record(job, res.ok ? res : undefined);
      done[res.job] = 1;
      if (res.ok) {
        filesRead++;
        bytesRead += res.bytesRead;
      }
    }
    return { filesRead, bytesRead };
  }

  private refreshSyncFromPlan(p: Plan, query: RefreshQuery): LocalRefresh {
    return this.finish(p, query, this.scanJobs(p));
  }

  /** Scans the plan's jobs in this thread and records each; progress is told every 16 files and after the last. */
  private scanJobs(p: Plan): Scanned {
    const firstCwd = new Map<number, string>();
    const read = { filesRead: 0, bytesRead: 0 };
    const onProgress = this.o.onProgress;
    const total = p.jobs.length;
    let done = 0;
    const small = p.bytes <= SMALL_READ;
    for (const job of p.jobs) {
      this.scanInto(job, firstCwd, small, read);
      done++;
      if (onProgress && (done % 16 === 0 || done === total)) onProgress(done, total, p.bytes);
    }
    return { firstCwd, ...read };
  }

  /** Reads one file in this thread and records its new state; a file read counts in `read`. */
  private scanInto(job: Job, firstCwd: Map<number, string>, small: boolean, read: { filesRead: number; bytesRead: number }): void {
    const res = this.scanJobSync(job, firstCwd, small);
    this.record(job, res);
    if (res) {
      read.filesRead++;
      read.bytesRead += res.bytesRead;
    }
  }
}

/**
 * Bytes to read up to which usage lines are read with `JSON.parse` first (`ScanOptions.small`): in a new
 * process (the CLI's warm run) the byte-level extractor runs interpreted until V8 has compiled it, and 1 MB
 * of assistant lines took 70-110 ms of CPU that way against 35-50 ms through the native parser (2 loaded
 * vCPUs); once compiled it is ~3x faster than `JSON.parse`, so big reads keep it.
 */
export const SMALL_READ = 4 * 1024 * 1024;

/**
 * Transcript bytes per distinct usage entry, to size the ledger before a big read: ~25 KB in the realistic
 * benchmark corpus (1 GiB, 42,737 entries). Transcripts with more entries per byte only make the tables grow
 * later, as they did before; fewer would cost ~96 bytes per entry reserved and not read (a 64-byte record and
 * two table slots of 12 bytes at a load of three quarters).
 */
const BYTES_PER_ENTRY = 24 * 1024;
/** Reads smaller than this (refreshes after appends) leave the ledger to grow as it does. */
const RESERVE_FROM = 16 * 1024 * 1024;

/**
 * Transcript bytes per usage line (copies included) that a helper makes room for: the realistic benchmark corpus
 * has one per ~14 KB. Fewer bytes per line make the helper's columns grow as before.
 */
const BYTES_PER_LINE = 8 * 1024;
/** At most this many lines reserved at once (~57 MB of address space, written only as lines come). */
const MAX_RESERVED_LINES = 1 << 20;

/** Bytes to read above which a scan is split with a helper thread. */
export const PARALLEL_THRESHOLD = 64 * 1024 * 1024;
/**
 * With `sharedThread`: bytes to read from which the helper thread reads them all. Below it a refresh reads in
 * this thread (~20 ms for 8 MiB at ~400 MB/s of usage lines): an append, or a few minutes of Claude Code's
 * work missed while VS Code was closed.
 */
export const SHARED_THREAD_PARALLEL_THRESHOLD = 8 * 1024 * 1024;

/**
 * Entries from which a ledger holding all of them is read back from the base a refresh just wrote (`readBack`):
 * 1 MiB of records. Below, the records cost less than loading the index again.
 */
export const RELOAD_AFTER_BASE = 16_384;
/** While a helper thread reads everything: how often its progress (files claimed) is reported. */
const HELPER_PROGRESS_MS = 250;

/** Gives the thread back to other work (its pending I/O and timers) before going on. */
const yieldThread = (): Promise<void> => new Promise((r) => setImmediate(r));

/** What a scan read: the first `cwd` seen per file id (project labels), files and bytes read. */
interface Scanned {
  firstCwd: Map<number, string>;
  filesRead: number;
  bytesRead: number;
}

/** Hash of a file's first `len` bytes. */
interface Head {
  len: number;
  hash: number;
}

interface Job {
  f: TranscriptFile;
  fileId: number;
  st: FileStat;
  from: number;
}

interface Plan {
  roots: string[];
  /** Transcripts looked at. */
  files: number;
  jobs: Job[];
  /** Bytes the jobs read. */
  bytes: number;
  ms: { plan: number; scanStart: number };
}

export const P_KEYED = 1;
export const P_SIDECHAIN = 2;
export const P_BATCH = 4;
export const P_US = 8;
export const P_NESTED = 16;
const NO_SESSION = 0xffffffff;

/** The whole list of a shared scan; each thread claims the next file with `Atomics.add(next, 0, 1)`. */
export interface ScanJobs {
  jobs: { path: string; from: number; needCwd: boolean }[];
  next: SharedArrayBuffer;
  /** Usage lines the helper makes room for at once (more make its columns grow). */
  lines: number;
}

/** Lines scanned by the helper thread, packed in transferable typed arrays (keys as 64-bit hashes). */
export interface ScanReply {
  /** One per file the helper claimed; `job` indexes `ScanJobs.jobs`. */
  results: (({ job: number; ok: true; cwd?: string; head?: Head } & ScanResult) | { job: number; ok: false; cwd?: string })[];
  models: string[];
  sessions: string[];
  packed: { job: Uint32Array; h: Uint32Array; ts: Float64Array; tokens: Uint32Array; flags: Uint8Array; model: Uint32Array; session: Uint32Array };
}

/**
 * Growable typed-array column, sized at once for the lines a scan likely finds: memory the scan never writes
 * costs nothing (the system maps its pages on first write), while growing by copies, and a copy of the used part
 * to hand over, wrote every byte two or three times (on the 2-vCPU build machine a first write to a page costs
 * ~11 µs: the helper of a cold 1 GiB scan spent ~1,300 page faults on them).
 */
class Column<T extends Uint32Array | Float64Array | Uint8Array> {
  n = 0;
  constructor(public a: T) {}
  push(v: number): void {
    if (this.n === this.a.length) {
      const b = new (this.a.constructor as new (n: number) => T)(this.a.length * 2);
      b.set(this.a);
      this.a = b;
    }
    this.a[this.n++] = v;
  }
  /** The values pushed: a view of the column's buffer, which is handed over whole (not copied). */
  done(): T {
    return this.a.subarray(0, this.n) as T;
  }
}

/** The helper thread's side of a shared scan: claims files until none is left. */
export function scanForReply(req: ScanJobs): { reply: ScanReply; transfer: ArrayBuffer[] } {
  const models = new Map<string, number>();
  const sessions = new Map<string, number>();
  const intern = (m: Map<string, number>, v: string) => {
    let i = m.get(v);
    if (i === undefined) m.set(v, (i = m.size));
    return i;
  };
  const n = Math.max(4096, req.lines);
  const job = new Column(new Uint32Array(n));
  const h = new Column(new Uint32Array(n * 4));
  const ts = new Column(new Float64Array(n));
  const tokens = new Column(new Uint32Array(n * 5));
  const flags = new Column(new Uint8Array(n));
  const model = new Column(new Uint32Array(n));
  const session = new Column(new Uint32Array(n));
  const next = new Int32Array(req.next);
  const results: ScanReply['results'] = [];
  const scan = (k: number): ScanReply['results'][number] => {
    const j = req.jobs[k]!;
    let cwd: string | undefined;
    let want = j.needCwd;
    try {
      const fd = fs.openSync(j.path, 'r');
      try {
        const res = scanFd(
          fd,
          j.from,
          (l) => {
            if (want && l.cwd) {
              cwd = l.cwd;
              want = false;
            }
            job.push(k);
            h.push(l.k1);
            h.push(l.k2);
            h.push(l.i1);
            h.push(l.i2);
            ts.push(l.ts);
            tokens.push(l.input);
            tokens.push(l.output);
            tokens.push(l.cacheWrite5m);
            tokens.push(l.cacheWrite1h);
            tokens.push(l.cacheRead);
            flags.push((l.keyed ? P_KEYED : 0) | (l.sidechain ? P_SIDECHAIN : 0) | (l.batch ? P_BATCH : 0) | (l.usInference ? P_US : 0) | (l.nested ? P_NESTED : 0));
            model.push(intern(models, l.model));
            session.push(l.sessionId === undefined ? NO_SESSION : intern(sessions, l.sessionId));
          },
          { wantCwd: () => want },
        );
        const len = Math.min(HEAD_BYTES, res.offset);
        const head = j.from < HEAD_BYTES && len > 0 ? { head: { len, hash: headHash(fd, len) } } : {};
        return { job: k, ok: true as const, ...res, ...head, ...(cwd !== undefined ? { cwd } : {}) };
      } finally {
        fs.closeSync(fd);
      }
    } catch {
      return { job: k, ok: false as const };
    }
  };
  for (let k = Atomics.add(next, 0, 1); k < req.jobs.length; k = Atomics.add(next, 0, 1)) results.push(scan(k));
  const packed = { job: job.done(), h: h.done(), ts: ts.done(), tokens: tokens.done(), flags: flags.done(), model: model.done(), session: session.done() };
  return {
    reply: { results, models: [...models.keys()], sessions: [...sessions.keys()], packed },
    transfer: Object.values(packed).map((a) => a.buffer as ArrayBuffer),
  };
}

/** A one-shot helper thread for a shared scan: started, given its jobs (possibly later), asked for its lines. */
class ScanHelper {
  private readonly worker: import('node:worker_threads').Worker;
  private readonly reply: Promise<ScanReply>;

  constructor(file: string) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Worker } = require('node:worker_threads') as typeof import('node:worker_threads');
    this.worker = new Worker(file, { resourceLimits: WORKER_LIMITS });
    this.reply = new Promise<ScanReply>((resolve, reject) => {
      this.worker.once('message', resolve);
      this.worker.once('error', reject);
      this.worker.once('exit', (code) => reject(new Error(`scan worker exited (${code})`)));
    });
    // A helper stopped unused (a small scan after all) rejects with nobody waiting: not an error.
    this.reply.catch(() => undefined);
  }

  start(jobs: ScanJobs): void {
    this.worker.postMessage(jobs);
  }

  result(): Promise<ScanReply> {
    return this.reply;
  }

  stop(): void {
    void this.worker.terminate();
  }
}

/**
 * The engine behind one refresh at a time. The first refresh (the index built or loaded) and any that read
 * `COLLECT_AFTER_BYTES` or more leave tens of MB of garbage in this thread's heap: one full collection once
 * the thread falls idle after them gives it back (heap.ts; in the extension host, V8 would otherwise keep it
 * for the session).
 */
export function createLocalUsage(options: LocalUsageOptions & { collector?: IdleCollector } = {}): LocalUsage {
  const { collector = new IdleCollector(), ...engineOptions } = options;
  let engine: LocalUsageEngine | undefined = new LocalUsageEngine(engineOptions);
  let queue: Promise<unknown> = Promise.resolve();
  let first = true;
  return {
    // One refresh at a time: a second call waits for the first (offsets and the ledger are shared).
    refresh: (query) => {
      const next = queue.then(async () => {
        if (!engine) throw new Error('local usage was closed');
        collector.start();
        let big = first;
        first = false;
        try {
          const r = await engine.refresh(query);
          big ||= r.stats.bytesRead >= COLLECT_AFTER_BYTES;
          return r.data;
        } finally {
          collector.end(big);
        }
      });
      queue = next.catch(() => undefined);
      return next;
    },
    close: () => {
      engine?.close();
      engine = undefined;
    },
  };
}

/**
 * V8 limits of the scan helper: a young generation of 4 MiB instead of V8's default (tens of MiB). A scan
 * allocates little per byte read, so collections stay cheap, and the process's peak RSS while it runs is
 * lower (bench/local/live.ts at 1 GiB, when the engine itself ran in a worker with these limits: 50 → 32 MiB
 * above the process without it; refresh time and cold index time unchanged).
 */
export const WORKER_LIMITS = { maxYoungGenerationSizeMb: 4 } as const;
