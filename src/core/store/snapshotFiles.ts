/**
 * The shared snapshot on disk, written by what changed (issue 13, item 2) and checked on the way back in
 * like an API response (item 1).
 *
 * Layout, in the extension's global storage:
 *   snapshot.json          the root, a few hundred bytes: per shared source, the hash of its head and its
 *                          last attempt: {"layout":2,"producedAt":…,"sources":{"costs":{"head":"…","attemptedAt":"…"},…}}
 *                          Rewritten only when a shared source changed. The host watches this file.
 *   snapshot/<hash>.json   immutable, named by the SHA-256 of their text:
 *                          - a head: the source's state, each large array replaced by {"$chunks":[hash,…]};
 *                          - a chunk: a run of rows of one day (costs, tokens, Claude Code analytics, local
 *                            days) or ten minutes of rate-limit probes.
 * A refresh that changes today's rows writes today's chunk, the head and the root; past days are already
 * there under the same names. A probe writes one small chunk, the head and the root.
 *
 * Reading: the root, then only the heads whose hash changed, then only chunks not already in memory. Every
 * file's text must hash to its name (so even a well-formed edit is caught), and the reassembled source is
 * checked with its shape (model/shapes.ts). A source whose files are missing, altered or of the wrong
 * shape is left out (logged once with the file name): the store fetches it again. The previous layout (one
 * snapshot.json holding everything, `"version":1`) is still read, with the same checks.
 *
 * Several windows write: per source the later attempt wins, also when writing, so a window never replaces
 * another's newer data with its older copy (and a window whose shared sources did not change writes
 * nothing). Unreferenced files are removed an hour after they stopped being referenced; a writer refreshes
 * the modification time of what it references at least every 15 minutes, so a file it is about to
 * reference is never that old.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { systemClock, type Clock } from '../clock';
import { array, check, isoTime, isPlainObject, literal, matching, object, opt, record, type Shape } from '../model/shape';
import { SHARED_SOURCE_SHAPES } from '../model/shapes';
import { emptySnapshot, SHARED_SOURCES, SNAPSHOT_VERSION, type SourceState, type StoreSnapshot } from '../model/snapshot';
import { atomicWrite, InvalidFiles, readJson, type Attachable, type PersistContext, type PersistLog } from './files';

/**
 * What a save did: `written` (the file now holds this snapshot's shared sources), `merged` (written, but
 * keeping another window's newer sources, which the saver should load), `unchanged` (nothing to write; the
 * file may hold another window's newer sources).
 */
export type SaveResult = 'written' | 'merged' | 'unchanged';

export interface SnapshotPersistence extends Attachable {
  load(): Promise<StoreSnapshot | undefined>;
  save(snapshot: StoreSnapshot): Promise<SaveResult | void>;
  /** Changes whenever the stored snapshot changes (cheap: a stat). */
  stamp(): Promise<string | undefined>;
}

export const SNAPSHOT_LAYOUT = 2;

type SharedName = keyof typeof SHARED_SOURCE_SHAPES;
type AnyState = SourceState<unknown>;

/** Large arrays kept in chunks, per source: the field path and the key of a row's chunk (consecutive rows with one key form one chunk). */
interface Split {
  field: string;
  key: (row: never) => string;
}
const SPLITS: Record<SharedName, Split[]> = {
  rateLimits: [{ field: 'history', key: (r: { takenAt: string }) => r.takenAt.slice(0, 15) }], // ten minutes: 2026-11-27T12:1
  costs: [{ field: 'rows', key: (r: { date: string }) => r.date }],
  tokens: [
    { field: 'daily', key: (r: { start: string }) => r.start.slice(0, 10) },
    { field: 'hourly', key: (r: { start: string }) => r.start.slice(0, 10) },
  ],
  claudeCode: [{ field: 'rows', key: (r: { date: string }) => r.date }],
  labels: [],
  local: [
    { field: 'days', key: (r: { date: string }) => r.date },
    { field: 'sessions', key: (r: { last: string }) => String(r.last).slice(0, 10) },
    { field: 'windows', key: (r: { start: string }) => String(r.start).slice(0, 10) },
  ],
};

const HASH_LEN = 24;
const hashName: Shape<string> = matching(new RegExp(`^[0-9a-f]{${HASH_LEN}}$`), 'a content hash');

interface RootEntry {
  head: string;
  attemptedAt?: string;
}
interface Root {
  layout: 2;
  producedAt: string;
  sources: Record<string, RootEntry>;
}
const rootShape: Shape<Root> = object<Root>({
  layout: literal(SNAPSHOT_LAYOUT),
  producedAt: isoTime,
  sources: record(object<RootEntry>({ head: hashName, attemptedAt: opt(isoTime) }), 64),
});
const chunkRef = object<{ $chunks: string[] }>({ $chunks: array(hashName, 100_000) });

/** A time this far past the reader's clock is not believable (a corrupt file, a clock that jumped back). */
const FUTURE_SLACK_MS = 5 * 60_000;
/** Unreferenced files are removed once they are this much older than the root. */
const GC_AGE_MS = 60 * 60_000;
const GC_EVERY_MS = 10 * 60_000;
/** A writer checks the files it references this often (well inside GC_AGE_MS). */
const TOUCH_EVERY_MS = 15 * 60_000;

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, HASH_LEN);
}

function later(a: string | undefined, b: string | undefined): boolean {
  if (!a) return false;
  if (!b) return true;
  return Date.parse(a) > Date.parse(b);
}

/** A source as stored: what changes with every attempt, without the transient `loading`. */
function persistable(st: AnyState): AnyState {
  return st.loading ? { ...st, loading: false } : st;
}

export class FileSnapshotPersistence implements SnapshotPersistence {
  /** Folder of the heads and chunks, next to the root. */
  readonly dir: string;
  private clock: Clock = systemClock;
  private readonly invalid = new InvalidFiles();
  private log?: PersistLog;
  /** Sources as last loaded, by head hash: unchanged heads are not read or checked again. */
  private readonly loaded = new Map<SharedName, { head: string; state: AnyState; files: string[] }>();
  /** Chunk contents (hash-verified, unchecked) by hash, for the chunks the loaded heads reference. */
  private chunks = new Map<string, unknown[]>();
  /** Heads this writer built, by the state object they came from (the store replaces a source's object when it changes). */
  private readonly built = new WeakMap<object, string>();
  /** Files known to exist, with when (our clock) they were last written or seen. */
  private readonly present = new Map<string, number>();
  /** The files each known head references (itself first). */
  private readonly filesByHead = new Map<string, string[]>();
  /** The head this writer last wrote per source. */
  private readonly lastHead = new Map<SharedName, string>();
  /** The root as this instance last wrote or read it, and the file's stamp then. */
  private root?: { root: Root; stamp: string | undefined };
  private lastGc = 0;

  constructor(
    /** The root, `snapshot.json` in the extension's global storage (what the host watches). */
    readonly file: string,
    options: { clock?: Clock; log?: PersistLog } = {},
  ) {
    this.dir = join(dirname(file), basename(file).replace(/\.json$/, ''));
    if (options.clock) this.clock = options.clock;
    if (options.log) this.attach({ log: options.log, clock: this.clock });
  }

  attach(ctx: PersistContext): void {
    this.log = ctx.log;
    this.clock = ctx.clock;
    this.invalid.attach(ctx.log);
  }

  async stamp(): Promise<string | undefined> {
    try {
      const s = await stat(this.file);
      return `${s.mtimeMs}:${s.size}:${s.ino}`;
    } catch {
      return undefined;
    }
  }

  private path(hash: string): string {
    return join(this.dir, `${hash}.json`);
  }

  // ---------------------------------------------------------------- reading

  async load(): Promise<StoreSnapshot | undefined> {
    const stampBefore = await this.stamp();
    const read = await readJson(this.file);
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'invalid') {
      this.invalid.report(this.file, read.why, 'the store starts without it and fetches every source');
      return undefined;
    }
    const out = emptySnapshot(new Date(this.clock.now()));
    const v = read.value;
    if (isPlainObject(v) && v.layout === undefined && v.version === SNAPSHOT_VERSION) return this.loadLegacy(v, out);
    const root = check(rootShape, v);
    if (!root.ok) {
      this.invalid.report(this.file, `not a saved snapshot (${root.error.message})`, 'the store starts without it and fetches every source');
      return undefined;
    }
    this.invalid.fine(this.file);
    this.root = { root: { ...root.value, sources: { ...root.value.sources } }, stamp: stampBefore };
    out.producedAt = root.value.producedAt;
    const chunksInUse = new Map<string, unknown[]>();
    for (const s of SHARED_SOURCES as SharedName[]) {
      const entry = root.value.sources[s];
      if (!entry) {
        this.loaded.delete(s);
        continue;
      }
      const state = await this.loadSource(s, entry.head, chunksInUse);
      if (state) (out as unknown as Record<string, AnyState>)[s] = state;
      // A source that could not be read is not kept by the next write: the refetched one replaces it.
      else delete this.root.root.sources[s];
    }
    this.chunks = chunksInUse;
    this.forget(this.root.root);
    return out;
  }

  /** Keeps what this instance remembers about files to what the root and its own latest heads reference. */
  private forget(root: Root): void {
    const heads = new Set([...Object.values(root.sources).map((e) => e.head), ...this.lastHead.values()]);
    for (const h of [...this.filesByHead.keys()]) if (!heads.has(h)) this.filesByHead.delete(h);
    const files = new Set<string>();
    for (const list of this.filesByHead.values()) for (const f of list) files.add(f);
    for (const f of [...this.present.keys()]) if (!files.has(f)) this.present.delete(f);
  }

  /** One source from its head; undefined (reported) when any of its files is missing, altered or of the wrong shape. */
  private async loadSource(s: SharedName, head: string, chunksInUse: Map<string, unknown[]>): Promise<AnyState | undefined> {
    const cached = this.loaded.get(s);
    if (cached?.head === head) {
      for (const f of cached.files) {
        const c = this.chunks.get(f);
        if (c) chunksInUse.set(f, c);
      }
      return cached.state;
    }
    const headFile = this.path(head);
    const headJson = await this.readVerified(head);
    if (headJson.kind !== 'ok') {
      this.invalid.report(headFile, `the saved ${s} ${headJson.why}`, `${s} is fetched again`);
      return undefined;
    }
    const files = [head];
    const value = headJson.value;
    if (isPlainObject(value) && isPlainObject(value.data)) {
      const data: Record<string, unknown> = { ...value.data };
      for (const { field } of SPLITS[s]) {
        if (data[field] === undefined) continue;
        const ref = check(chunkRef, data[field]);
        if (!ref.ok) {
          this.invalid.report(headFile, `the saved ${s}: data.${field}: ${ref.error.message}`, `${s} is fetched again`);
          return undefined;
        }
        const rows: unknown[] = [];
        for (const h of ref.value.$chunks) {
          let chunk = this.chunks.get(h) ?? chunksInUse.get(h);
          if (!chunk) {
            const c = await this.readVerified(h);
            if (c.kind !== 'ok' || !Array.isArray(c.value)) {
              this.invalid.report(this.path(h), `a chunk of the saved ${s} ${c.kind === 'ok' ? 'is not a list of rows' : c.why}`, `${s} is fetched again`);
              return undefined;
            }
            chunk = c.value;
          }
          chunksInUse.set(h, chunk);
          files.push(h);
          for (const r of chunk) rows.push(r);
        }
        data[field] = rows;
      }
      value.data = data;
    }
    const state = this.checkSource(s, value, headFile);
    if (!state) return undefined;
    for (const f of files) this.present.set(f, this.clock.now());
    this.filesByHead.set(head, files);
    this.loaded.set(s, { head, state, files });
    return state;
  }

  /** A content-addressed file whose text hashes to its name. */
  private async readVerified(hash: string): Promise<{ kind: 'ok'; value: unknown } | { kind: 'bad'; why: string }> {
    const read = await readJson(this.path(hash));
    if (read.kind === 'missing') return { kind: 'bad', why: 'is missing' };
    if (read.kind === 'invalid') return { kind: 'bad', why: read.why };
    if (sha(read.text) !== hash) return { kind: 'bad', why: 'was altered (its content does not match its name)' };
    return { kind: 'ok', value: read.value };
  }

  /** The source's shape, and no time in the future (a clock that jumped back, a corrupt file). */
  private checkSource(s: SharedName, value: unknown, file: string, key = file): AnyState | undefined {
    const checked = check(SHARED_SOURCE_SHAPES[s] as Shape<AnyState>, value);
    if (!checked.ok) {
      this.invalid.report(file, `the saved ${s}: ${checked.error.message}`, `${s} is fetched again`, key);
      return undefined;
    }
    const st = checked.value;
    const limit = this.clock.now() + FUTURE_SLACK_MS;
    for (const k of ['fetchedAt', 'attemptedAt'] as const) {
      const at = st[k];
      if (at && Date.parse(at) > limit) {
        this.invalid.report(file, `the saved ${s}: ${k} ${at} is in the future`, `${s} is fetched again`, key);
        return undefined;
      }
    }
    this.invalid.fine(key);
    return { ...st, loading: false };
  }

  /** The previous layout: one snapshot.json with every shared source in it. */
  private loadLegacy(v: Record<string, unknown>, out: StoreSnapshot): StoreSnapshot {
    const produced = check(isoTime, v.producedAt);
    if (produced.ok) out.producedAt = produced.value;
    for (const s of SHARED_SOURCES as SharedName[]) {
      if (v[s] === undefined) continue;
      const state = this.checkSource(s, v[s], this.file, `${this.file}#${s}`);
      if (state) (out as unknown as Record<string, AnyState>)[s] = state;
    }
    this.root = undefined;
    return out;
  }

  // ---------------------------------------------------------------- writing

  async save(snapshot: StoreSnapshot): Promise<SaveResult> {
    await mkdir(this.dir, { recursive: true });
    const now = this.clock.now();
    const disk = await this.currentRoot();
    const sources: Record<string, RootEntry> = {};
    const mine: { s: SharedName; st: AnyState; head: string }[] = [];
    let foreign = false;
    for (const s of SHARED_SOURCES as SharedName[]) {
      const st = snapshot[s] as AnyState;
      const theirs = disk?.root.sources[s];
      if (theirs && !later(st.attemptedAt, theirs.attemptedAt)) {
        sources[s] = theirs; // as new as ours or newer: kept
        if (theirs.head !== this.lastHead.get(s) && theirs.head !== this.loaded.get(s)?.head) foreign = true;
        continue;
      }
      if (!st.attemptedAt && st.data === undefined && !st.error) continue; // nothing to keep
      const head = await this.writeSource(persistable(st), s);
      sources[s] = { head, ...(st.attemptedAt ? { attemptedAt: st.attemptedAt } : {}) };
      mine.push({ s, st, head });
    }
    if (disk && JSON.stringify(disk.root.sources) === JSON.stringify(sources)) return 'unchanged';
    await this.verify(mine, disk, now);
    const root: Root = { layout: SNAPSHOT_LAYOUT, producedAt: snapshot.producedAt, sources };
    await atomicWrite(this.file, JSON.stringify(root));
    this.root = { root, stamp: await this.stamp() };
    for (const { s, head } of mine) this.lastHead.set(s, head);
    this.release(mine);
    this.invalid.fine(this.file);
    if (now - this.lastGc >= GC_EVERY_MS) {
      this.lastGc = now;
      await this.collect(root).catch((e: unknown) => this.log?.debug?.(`snapshot: clean-up skipped (${e instanceof Error ? e.message : String(e)})`));
    }
    return foreign ? 'merged' : 'written';
  }

  /**
   * Forgets what was loaded of the sources this writer has just replaced on disk, and the chunks only they used:
   * the store holds newer data for them, and the loaded copy (after a restart, the whole restored local history:
   * 90 days of day rows, 6,471 at 3 GiB of transcripts, bench/local/README.md) would otherwise stay for the
   * session. Only a cache: a head that shows up again is read from disk.
   */
  private release(written: readonly { s: SharedName; head: string }[]): void {
    let dropped = false;
    for (const { s, head } of written) {
      const l = this.loaded.get(s);
      if (l && l.head !== head) {
        this.loaded.delete(s);
        dropped = true;
      }
    }
    if (!dropped) return;
    const used = new Set<string>();
    for (const l of this.loaded.values()) for (const f of l.files) used.add(f);
    for (const f of [...this.chunks.keys()]) if (!used.has(f)) this.chunks.delete(f);
  }

  /** The root on disk now (read again only when another writer replaced it) and its modification time, or undefined. */
  private async currentRoot(): Promise<{ root: Root; mtimeMs: number } | undefined> {
    let st;
    try {
      st = await stat(this.file);
    } catch {
      return undefined;
    }
    const stamp = `${st.mtimeMs}:${st.size}:${st.ino}`;
    if (this.root && this.root.stamp === stamp) return { root: this.root.root, mtimeMs: st.mtimeMs };
    const read = await readJson(this.file);
    const root = read.kind === 'ok' ? check(rootShape, read.value) : undefined;
    if (!root?.ok) return undefined; // the previous layout, or garbage: replaced by this write
    // A time in the future would win every merge: not believed.
    const limit = this.clock.now() + FUTURE_SLACK_MS;
    const sources = Object.fromEntries(Object.entries(root.value.sources).filter(([, e]) => !e.attemptedAt || Date.parse(e.attemptedAt) <= limit));
    const value: Root = { ...root.value, sources };
    this.root = { root: value, stamp };
    return { root: value, mtimeMs: st.mtimeMs };
  }

  /** Writes a source's chunks and head (each file only if not known to be there); returns the head's hash. */
  private async writeSource(st: AnyState, s: SharedName, force?: ReadonlySet<string>): Promise<string> {
    const known = this.built.get(st);
    if (known && !force && this.filesByHead.has(known)) return known;
    const { head, files } = buildSource(s, st);
    for (const [h, text] of files) {
      if (this.present.has(h) && !force?.has(h)) continue;
      await atomicWrite(this.path(h), text);
      this.present.set(h, this.clock.now());
    }
    this.filesByHead.set(head, [...files.keys()]);
    this.built.set(st, head);
    return head;
  }

  /**
   * Before the root names them: the files of our sources that the root being replaced did not reference
   * (a clean-up may be about to take an old one) and, every TOUCH_EVERY_MS, all of them, are checked; a
   * missing one is written again, one close to the clean-up age is rewritten (same bytes, a new time).
   */
  private async verify(mine: { s: SharedName; st: AnyState; head: string }[], disk: { root: Root; mtimeMs: number } | undefined, now: number): Promise<void> {
    const onDisk = new Set<string>();
    if (disk) for (const e of Object.values(disk.root.sources)) for (const f of (await this.filesOf(e.head)) ?? []) onDisk.add(f);
    for (const { s, st, head } of mine) {
      const redo = new Set<string>();
      for (const f of this.filesByHead.get(head) ?? []) {
        const checkedAt = this.present.get(f);
        const fresh = checkedAt !== undefined && now - checkedAt < TOUCH_EVERY_MS;
        if (onDisk.has(f) && fresh) continue;
        try {
          const m = (await stat(this.path(f))).mtimeMs;
          if (!onDisk.has(f) && disk && m < disk.mtimeMs - GC_AGE_MS / 2) redo.add(f);
          else this.present.set(f, now);
        } catch {
          redo.add(f);
        }
      }
      if (redo.size) await this.writeSource(st, s, redo);
    }
  }

  /** Removes files no root references any more, once they are GC_AGE_MS older than the root. */
  private async collect(root: Root): Promise<void> {
    const keep = new Set<string>();
    for (const e of Object.values(root.sources)) {
      const files = await this.filesOf(e.head);
      if (!files) return; // cannot tell what a head references: keep everything this time
      for (const f of files) keep.add(f);
    }
    this.forget(root);
    const rootTime = (await stat(this.file)).mtimeMs;
    for (const name of await readdir(this.dir)) {
      const m = /^([0-9a-f]+)\.json$/.exec(name);
      if (m && keep.has(m[1]!)) continue;
      const full = join(this.dir, name);
      try {
        if ((await stat(full)).mtimeMs < rootTime - GC_AGE_MS) {
          await rm(full, { force: true });
          if (m) this.present.delete(m[1]!);
        }
      } catch {
        // gone already
      }
    }
  }

  /** The files a head references (the head itself and its chunks): known from writing or loading it, else read. */
  private async filesOf(head: string): Promise<string[] | undefined> {
    const known = this.filesByHead.get(head);
    if (known) return known;
    const read = await this.readVerified(head);
    if (read.kind !== 'ok') return undefined;
    const files = [head];
    const v = read.value;
    if (isPlainObject(v) && isPlainObject(v.data)) {
      for (const x of Object.values(v.data)) {
        const ref = check(chunkRef, x);
        if (ref.ok) files.push(...ref.value.$chunks);
      }
    }
    this.filesByHead.set(head, files);
    return files;
  }
}

/**
 * Chunks encoded before, by their first row: a run of the very same row objects is the same chunk. The store
 * never changes a row in place (a refresh brings new rows), and the local transcripts' unchanged days come
 * back as the same objects (the engine's aggregator keeps them, local/aggregate.ts), so a refresh that changed
 * today re-encodes and hashes today's chunk only, not ~90 days of them.
 */
const chunkMemo = new WeakMap<object, { rows: readonly unknown[]; hash: string; text: string }>();

function encodedChunk(run: readonly unknown[]): { hash: string; text: string } {
  const first = run[0];
  const key = typeof first === 'object' && first !== null ? first : undefined;
  const known = key && chunkMemo.get(key);
  if (known && known.rows.length === run.length && known.rows.every((r, i) => r === run[i])) return known;
  const text = JSON.stringify(run);
  const out = { rows: run, hash: sha(text), text };
  if (key) chunkMemo.set(key, out);
  return out;
}

/** A source's files: its head (first) and chunks, by hash, with their text. */
function buildSource(s: SharedName, st: AnyState): { head: string; files: Map<string, string> } {
  const files = new Map<string, string>();
  let head: unknown = st;
  if (isPlainObject(st.data) && SPLITS[s].length) {
    const data: Record<string, unknown> = { ...st.data };
    for (const { field, key } of SPLITS[s]) {
      const rows = data[field];
      if (!Array.isArray(rows)) continue;
      const hashes: string[] = [];
      for (const run of runs(rows, key as (r: unknown) => string)) {
        const { hash: h, text } = encodedChunk(run);
        files.set(h, text);
        hashes.push(h);
      }
      data[field] = { $chunks: hashes };
    }
    head = { ...st, data };
  }
  const text = JSON.stringify(head);
  const h = sha(text);
  return { head: h, files: new Map([[h, text], ...files]) };
}

/** Consecutive rows with the same key, in order (a key seen again later starts a new run). */
function runs(rows: unknown[], key: (r: unknown) => string): unknown[][] {
  const out: unknown[][] = [];
  let last: string | undefined;
  for (const r of rows) {
    const k = key(r);
    if (out.length === 0 || k !== last) out.push([]);
    out[out.length - 1]!.push(r);
    last = k;
  }
  return out;
}

