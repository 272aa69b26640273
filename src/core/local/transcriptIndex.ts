/**
 * The persistent index: per-file byte offsets and fingerprints plus the de-duplicated ledger, so a refresh
 * reads only appended bytes and history survives Claude Code deleting old transcripts.
 *
 * Two files per set of roots, written so that writes are proportional to change:
 * - `local-index-<id>.bin`, the base: a header (a small JSON part with the roots and strings; the per-file and
 *   per-folder states as numbers in binary and their paths in one string, `headerRegion`) and the ledger's
 *   64-byte entry records exactly as they sit in memory (no decoding per entry: a base that must be checked is
 *   read into the ledger's buffer at once; a trusted one stays open and its records are read a page at a time
 *   when needed, ledger.ts);
 * - `local-index-<id>.journal`, append-only batches since the base: each refresh appends the strings, file
 *   states and entry records it changed and the table slots it wrote (a few hundred bytes per appended
 *   transcript line), framed with a length and a checksum so a torn write (a crash mid-append) is ignored.
 *   A load copies a batch's records in blocks and puts its slots back as they were, instead of finding each
 *   entry's place in the tables again (which compared keys of records still in the file). When the journal
 *   grows past half the base (at least 1 MiB) the two are compacted into a new base.
 * A short-lived lock file (`.lock`) serialises readers and writers across processes: the extension host,
 * another VS Code window, and `claude-usage local --index <dir>` can share one index. A process that finds
 * batches it did not write applies them (or reloads when it has unsaved changes of its own).
 * An index of another version, a corrupt one or one for other roots is ignored and rebuilt: never fatal.
 * `.verified` holds the identity of the base as written or last fully checked (see `IndexStore.verified`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fnv1a32 } from './hash';
import { readTextIfExists, removeIfExists, sleepSync, writeFileAtomic } from '../plan/files';
import type { DirCache } from './discovery';
import { smi } from './fileStat';
import { FILE_F64, FILE_I32, FileTable, type FileState } from './fileTable';
import { isTableLength, Ledger, RECORD_BYTES, W } from './ledger';

/** Bump on any change of the file layout or of what the reader extracts. */
export const INDEX_VERSION = 5;
/** The first bytes of an index base; its format version (UInt32LE) follows. */
export const BASE_MAGIC = Buffer.from('CUIDXv2\n');
const JOURNAL_MAGIC = Buffer.from('CUJRNv2\n');
const BATCH_MAGIC = 0x4843_5442; // "BTCH"
const JOURNAL_HEADER = 16;
/** Bytes per entry of a journal batch: its index (UInt32LE) and its record (indexes first, then records). */
const JOURNAL_ENTRY_BYTES = 4 + RECORD_BYTES;
/**
 * Entry records the journal holds at most before it is compacted into a new base: replaying them costs every
 * later process ~2.5 µs each (~10 ms at this bound; 1 MB of appended transcript is ~800 records), while a
 * journal of small batches, the extension's usual one to a few lines each, reaches its byte bound first.
 */
const COMPACT_RECORDS = 4096;

export interface IndexState {
  roots: string[];
  /** Every file's state, by id (file ids are the ledger's). */
  files: FileTable;
  /** Project id → first `cwd` seen ('' when none). */
  projectLabels: string[];
  ledger: Ledger;
  /** Files whose state changed since the last save. */
  dirtyFiles: Set<number>;
  /** String table sizes at the last save (new strings are journaled). */
  savedStrings: { models: number; projects: number; sessions: number; labels: number };
  /** Project labels set since the last save. */
  dirtyLabels: Set<number>;
  /** Folder listings (so a warm run, also in a new process, lists only folders that changed). */
  dirs: DirCache;
  /** Folders listed (or gone) since the last save. */
  dirtyDirs: Set<string>;
}

/** A folder's saved state: [path, mtimeMs, ino, listedAt]; its listing is rebuilt from the file states. */
export type SavedDir = [string, number, number, number];

/** The JSON part of a base's header region (`headerRegion`). */
export interface Header {
  version: number;
  generation: number;
  roots: string[];
  /** File states and folders in the region's binary part: how many, and the bytes of their paths. */
  files: number;
  dirs: number;
  pathBytes: number;
  models: string[];
  projects: string[];
  projectLabels: string[];
  sessions: string[];
  count: number;
  /** Lengths (32-bit slots) of the key and message-id tables stored after the records, and their entries. */
  keysLen: number;
  idsLen: number;
  keysSize: number;
  idsSize: number;
}

/** Per file in the header region: the file table's columns (`FILE_F64` doubles, `FILE_I32` int32s, fileTable.ts);
 *  per folder DIR_F64 doubles (mtimeMs, ino, listedAt). */
const DIR_F64 = 3;
/** Between paths in the header region: the one character no path holds. */
const PATH_SEP = '\0';

/**
 * A base's header region: [JSON length, UInt32LE][the JSON `Header`][zeros to 8 bytes][the files' then the
 * folders' doubles, Float64LE][the files' int32s, Int32LE][the files' then the folders' paths, UTF-8, NUL
 * between them]. The numbers load as typed arrays over the bytes read and the paths as one string split, with
 * no `JSON.parse` of 1,967 paths and 23,604 numbers at 1 GiB. A warm CLI run spends most of its time in code V8
 * has not compiled yet, where each number read from a Float64Array is a new heap object: the small integers
 * are int32s, which are not.
 */
export function headerRegion(h: Omit<Header, 'files' | 'dirs' | 'pathBytes'>, files: FileTable, dirs: SavedDir[]): Buffer {
  const nf = files.length;
  const paths = Buffer.from([...files.paths, ...dirs.map((d) => d[0])].join(PATH_SEP));
  const json = Buffer.from(JSON.stringify({ ...h, files: nf, dirs: dirs.length, pathBytes: paths.length } satisfies Header));
  const f64At = align8(4 + json.length);
  const i32At = f64At + (nf * FILE_F64 + dirs.length * DIR_F64) * 8;
  const pathsAt = i32At + nf * FILE_I32 * 4;
  const region = Buffer.alloc(pathsAt + paths.length);
  region.writeUInt32LE(json.length, 0);
  json.copy(region, 4);
  const { f64, i32 } = files.columns();
  let d = f64At;
  for (let i = 0; i < f64.length; i++) d = region.writeDoubleLE(f64[i]!, d);
  for (const x of dirs) for (const v of [x[1], x[2], x[3]]) d = region.writeDoubleLE(v, d);
  let i = i32At;
  for (let k = 0; k < i32.length; k++) i = region.writeInt32LE(i32[k]!, i);
  paths.copy(region, pathsAt);
  return region;
}

/** The header region read back: its JSON part, file states and folders; undefined when it does not add up. */
export function readHeaderRegion(region: Uint8Array): { h: Header; files: FileTable; dirs: SavedDir[] } | undefined {
  if (region.length < 4 || region.byteOffset % 8 !== 0) return undefined;
  const b = Buffer.from(region.buffer, region.byteOffset, region.length);
  const jlen = b.readUInt32LE(0);
  if (4 + jlen > b.length) return undefined;
  const h = JSON.parse(b.toString('utf8', 4, 4 + jlen)) as Header;
  const nf = h.files;
  const nd = h.dirs;
  if (!Number.isSafeInteger(nf) || !Number.isSafeInteger(nd) || !Number.isSafeInteger(h.pathBytes) || nf < 0 || nd < 0 || h.pathBytes < 0) return undefined;
  const f64At = align8(4 + jlen);
  const i32At = f64At + (nf * FILE_F64 + nd * DIR_F64) * 8;
  const pathsAt = i32At + nf * FILE_I32 * 4;
  if (pathsAt + h.pathBytes !== b.length) return undefined;
  const d = new Float64Array(b.buffer, b.byteOffset + f64At, nf * FILE_F64 + nd * DIR_F64);
  const n = new Int32Array(b.buffer, b.byteOffset + i32At, nf * FILE_I32);
  const paths = nf + nd > 0 ? b.toString('utf8', pathsAt).split(PATH_SEP) : [];
  if (paths.length !== nf + nd) return undefined;
  const dirs: SavedDir[] = [];
  for (let j = 0, o = nf * FILE_F64; j < nd; j++, o += DIR_F64) dirs.push([paths[nf + j]!, d[o]!, smi(d[o + 1]!), d[o + 2]!]);
  paths.length = nf;
  return { h, files: new FileTable(paths, d, n), dirs };
}

function savedDirs(s: IndexState, only?: Set<string>): SavedDir[] {
  const out: SavedDir[] = [];
  for (const d of only ?? s.dirs.keys()) {
    const c = s.dirs.get(d);
    out.push(c ? [d, c.mtimeMs, c.ino, c.listedAt] : [d, 0, 0, -1]);
  }
  return out;
}

/** Rebuilds folder listings: the base's folders updated by the journal's (`listedAt` < 0: gone); sub-folders
 *  from the folders, files from the file states on disk. (Indexed loops: this runs once per process, before V8
 *  has compiled it, where a `for … of` allocates an iterator result per element.) */
function dirsFrom(base: SavedDir[], journal: SavedDir[], files: FileTable): DirCache {
  const cache: DirCache = new Map();
  for (let i = 0; i < base.length; i++) {
    const x = base[i]!;
    if (x[3] >= 0) cache.set(x[0], { mtimeMs: x[1], ino: x[2], listedAt: x[3], dirs: [], files: [] });
  }
  for (let i = 0; i < journal.length; i++) {
    const x = journal[i]!;
    if (x[3] < 0) cache.delete(x[0]);
    else cache.set(x[0], { mtimeMs: x[1], ino: x[2], listedAt: x[3], dirs: [], files: [] });
  }
  // Paths are as listTranscripts made them (folder + path.sep + name): the parent is up to the last separator
  // (path.dirname costs several times more, run ~2,500 times per load). Listings hold the paths themselves.
  const sep = path.sep;
  cache.forEach((_, d) => {
    const at = d.lastIndexOf(sep);
    const parent = at > 0 ? cache.get(d.slice(0, at)) : undefined;
    if (parent) parent.dirs.push(d);
  });
  for (let i = 0; i < files.length; i++) {
    if (files.missing(i)) continue;
    const p = files.paths[i]!;
    const at = p.lastIndexOf(sep);
    const c = at > 0 ? cache.get(p.slice(0, at)) : undefined;
    if (c) c.files.push(p);
  }
  return cache;
}

interface Batch {
  /** Folders listed since the last batch (listedAt < 0: gone). */
  dirs?: SavedDir[];
  m0: number;
  models: string[];
  p0: number;
  projects: string[];
  s0: number;
  sessions: string[];
  labels: [number, string][];
  files: [number, FileState][];
}

export function emptyState(roots: string[]): IndexState {
  return {
    roots,
    files: new FileTable(),
    projectLabels: [],
    ledger: new Ledger(),
    dirtyFiles: new Set(),
    savedStrings: { models: 0, projects: 0, sessions: 0, labels: 0 },
    dirtyLabels: new Set(),
    dirs: new Map(),
    dirtyDirs: new Set(),
  };
}

/** Whether anything changed since the last save. */
export function isDirty(s: IndexState): boolean {
  const l = s.ledger;
  return (
    l.changed.length > 0 ||
    s.dirtyFiles.size > 0 ||
    s.dirtyLabels.size > 0 ||
    s.dirtyDirs.size > 0 ||
    l.models.values.length !== s.savedStrings.models ||
    l.projects.values.length !== s.savedStrings.projects ||
    l.sessions.values.length !== s.savedStrings.sessions
  );
}

function markSaved(s: IndexState): void {
  s.ledger.saved();
  s.dirtyFiles.clear();
  s.dirtyLabels.clear();
  s.dirtyDirs.clear();
  s.savedStrings = { models: s.ledger.models.values.length, projects: s.ledger.projects.values.length, sessions: s.ledger.sessions.values.length, labels: s.projectLabels.length };
}

/** The base file for a set of roots (different roots never share history); the journal and lock sit next to it. */
export function indexFile(dir: string, roots: string[]): string {
  const id = fnv1a32(Buffer.from([...roots].sort().join('\n'))).toString(16).padStart(8, '0');
  return path.join(dir, `local-index-${id}.bin`);
}

const align8 = (n: number) => (n + 7) & ~7;
const sameRoots = (a: string[], b: string[]) => JSON.stringify([...a].sort()) === JSON.stringify([...b].sort());

export type LoadReason = 'missing' | 'version' | 'corrupt' | 'roots' | 'locked';

interface DiskMark {
  generation: number;
  baseIno: number;
  baseSize: number;
  baseMtimeMs: number;
  /** Valid journal bytes applied so far. */
  journal: number;
  /** Slots of the base's key and message-id tables. */
  tableSlots: number;
  /** Entry records in the journal's batches applied so far (each is put into the ledger again on every load). */
  records: number;
}

export interface SaveResult {
  mode: 'journal' | 'base' | 'unchanged' | 'locked' | 'conflict' | 'failed';
  bytes: number;
}

function statOrNull(p: string): fs.Stats | null {
  try {
    return fs.statSync(p);
  } catch {
    return null;
  }
}

/** A copy at offset 0 when `b` does not start on a 4-byte boundary (Uint32Array views need it). */
function aligned(b: Buffer): Buffer {
  if (b.byteOffset % 4 === 0) return b;
  const c = new Uint8Array(b.length);
  c.set(b);
  return Buffer.from(c.buffer, 0, c.length);
}

/** Reads and writes one index (base + journal) with a cross-process lock. */
export class IndexStore {
  readonly base: string;
  readonly journal: string;
  readonly lock: string;
  /**
   * The identity (inode, size, mtime, ctime) of the base file as last written or fully checked: a base that
   * still has it holds the same bytes (a write changes the ctime, which no process can set back), so its
   * header checksum and record and table checks are not repeated on every load (~10 ms of a warm run).
   */
  readonly verified: string;
  private mark?: DiskMark;
  /** Bytes written to the index since this store was made (for benchmarks). */
  bytesWritten = 0;

  constructor(
    dir: string,
    private readonly roots: string[],
    private readonly now: () => number,
    /** Journal size above which it is compacted into a new base (default: half the base, at least 1 MiB). */
    private readonly compactBytes?: number,
    /** Entry records the journal may hold before it is compacted (default `COMPACT_RECORDS`). */
    private readonly compactRecords = COMPACT_RECORDS,
  ) {
    this.base = indexFile(dir, roots);
    this.journal = this.base.replace(/\.bin$/, '.journal');
    this.lock = this.base.replace(/\.bin$/, '.lock');
    this.verified = this.base.replace(/\.bin$/, '.verified');
  }

  private acquire(): boolean {
    fs.mkdirSync(path.dirname(this.lock), { recursive: true });
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        const fd = fs.openSync(this.lock, 'wx');
        fs.writeSync(fd, `${process.pid}\n`);
        fs.closeSync(fd);
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
      }
      // A lock left by a crashed process (older than 30 s, or its process is gone) is removed.
      try {
        const st = fs.statSync(this.lock);
        const pid = Number(fs.readFileSync(this.lock, 'utf8').trim());
        let dead = false;
        if (Number.isInteger(pid) && pid > 0 && pid !== process.pid) {
          try {
            process.kill(pid, 0);
          } catch (e) {
            dead = (e as NodeJS.ErrnoException).code === 'ESRCH';
          }
        }
        if (dead || this.now() - st.mtimeMs > 30_000) {
          removeIfExists(this.lock);
          continue;
        }
      } catch {
        continue; // removed meanwhile
      }
      sleepSync(5);
    }
    return false;
  }

  private release(): void {
    removeIfExists(this.lock);
  }

  /**
   * Loads base + journal (under the lock). With `resumeAt` (a generation and journal position saved
   * aggregates reflect), the ledger's change log is started there, so those aggregates can be brought up to
   * date with only what came after; `resumed` says whether that position was found.
   */
  load(resumeAt?: { generation: number; journal: number }): { state: IndexState; resumed: boolean } | { state: undefined; reason: LoadReason } {
    if (!fs.existsSync(this.base)) return { state: undefined, reason: 'missing' };
    if (!this.acquire()) return { state: undefined, reason: 'locked' };
    try {
      return this.loadLocked(resumeAt);
    } finally {
      this.release();
    }
  }

  /** Entry records applied from the journal since the base (by loads, other processes' batches and own saves). */
  journalRecords(): number {
    return this.mark?.records ?? 0;
  }

  /** The generation and journal position of what this store last loaded or wrote. */
  position(): { generation: number; journal: number } | undefined {
    return this.mark ? { generation: this.mark.generation, journal: this.mark.journal } : undefined;
  }

  private loadLocked(resumeAt?: { generation: number; journal: number }): { state: IndexState; resumed: boolean } | { state: undefined; reason: LoadReason } {
    let fd: number;
    try {
      fd = fs.openSync(this.base, 'r');
    } catch {
      return { state: undefined, reason: 'missing' };
    }
    // The ledger that reads its records from `fd` (and closes it), once made; whether the state was returned.
    let keep: Ledger | undefined;
    let kept = false;
    try {
      const st = fs.fstatSync(fd);
      const identity = baseIdentity(st);
      const trusted = readTextIfExists(this.verified) === identity;
      const head = Buffer.alloc(24);
      if (fs.readSync(fd, head, 0, 24, 0) < 24 || !head.subarray(0, 8).equals(BASE_MAGIC)) return { state: undefined, reason: 'corrupt' };
      const version = head.readUInt32LE(8);
      if (version !== INDEX_VERSION) return { state: undefined, reason: 'version' };
      const hlen = head.readUInt32LE(12);
      const count = head.readUInt32LE(16);
      const checksum = head.readUInt32LE(20);
      const off = align8(24 + hlen);
      if (off + count * RECORD_BYTES > st.size) return { state: undefined, reason: 'corrupt' };
      // (Its own buffer, at offset 0: the numbers are read through a Float64Array over it.)
      const hbuf = new Uint8Array(hlen);
      if (fs.readSync(fd, hbuf, 0, hlen, 24) !== hlen || (!trusted && fnv1a32(hbuf) !== checksum)) return { state: undefined, reason: 'corrupt' };
      const region = readHeaderRegion(hbuf);
      if (!region) return { state: undefined, reason: 'corrupt' };
      const { h, files } = region;
      if (h.version !== INDEX_VERSION || h.count !== count) return { state: undefined, reason: 'corrupt' };
      if (!sameRoots(h.roots, this.roots)) return { state: undefined, reason: 'roots' };
      if (!isTableLength(h.keysLen) || !isTableLength(h.idsLen) || off + count * RECORD_BYTES + (h.keysLen + h.idsLen) * 4 !== st.size) return { state: undefined, reason: 'corrupt' };
      // Tables are read straight into the ledger's own memory: no decoding, no copy. Records too when the base
      // is to be checked; otherwise they stay in the file, which the ledger keeps open and reads a page at a
      // time when a record is needed (ledger.ts).
      const journalSize = statOrNull(this.journal)?.size ?? 0;
      // (Not on Windows, where a file held open may keep another process from replacing it with a new base.)
      const source = trusted && process.platform !== 'win32' ? { fd, at: off } : undefined;
      const ledger = new Ledger({
        count,
        // At most one record per journal entry's bytes (batches also hold strings and file states).
        more: Math.floor(journalSize / JOURNAL_ENTRY_BYTES),
        models: h.models,
        projects: h.projects,
        sessions: h.sessions,
        tables: { keysLen: h.keysLen, idsLen: h.idsLen, keysSize: h.keysSize, idsSize: h.idsSize },
        fill: (records, keys, ids) => {
          let at = off;
          if (!records) at += count * RECORD_BYTES;
          for (const v of [records, new Uint8Array(keys.buffer), new Uint8Array(ids.buffer)]) {
            if (!v) continue;
            if (v.length > 0 && fs.readSync(fd, v, 0, v.length, at) !== v.length) return false;
            at += v.length;
          }
          return true;
        },
        ...(source ? { source } : {}),
      });
      // From here the ledger owns the file when it reads records from it (released on any failure below).
      if (source && count > 0) keep = ledger;
      if (!ledger.filled || (!trusted && (!checkRecords(ledger, 0, files.length) || !ledger.checkTables()))) return { state: undefined, reason: 'corrupt' };
      if (!trusted) this.noteVerified(identity);
      const state: IndexState = {
        roots: h.roots,
        files,
        projectLabels: h.projectLabels,
        ledger,
        dirtyFiles: new Set(),
        savedStrings: { models: 0, projects: 0, sessions: 0, labels: 0 },
        dirtyLabels: new Set(),
        dirs: new Map(),
        dirtyDirs: new Set(),
      };
      this.mark = { generation: h.generation, baseIno: st.ino, baseSize: st.size, baseMtimeMs: st.mtimeMs, journal: JOURNAL_HEADER, tableSlots: h.keysLen + h.idsLen, records: 0 };
      const journalDirs: SavedDir[] = [];
      const resume = resumeAt && resumeAt.generation === h.generation ? resumeAt.journal : undefined;
      const resumed = { at: false };
      this.applyJournal(state, journalDirs, resume, resumed);
      // Folder listings: the base's, updated by the journal's, then rebuilt against the current file states.
      state.dirs = dirsFrom(region.dirs, journalDirs, state.files);
      markSaved(state);
      kept = true;
      return { state, resumed: resumed.at };
    } catch {
      return { state: undefined, reason: 'corrupt' };
    } finally {
      if (keep && !kept) keep.release();
      else if (!keep) fs.closeSync(fd);
    }
  }

  /** Applies journal batches after `mark.journal`; false when the journal does not belong to the base. */
  private applyJournal(state: IndexState, dirs?: SavedDir[], resume?: number, resumed?: { at: boolean }): boolean {
    const m = this.mark!;
    let buf: Buffer;
    try {
      buf = aligned(fs.readFileSync(this.journal));
    } catch {
      return true;
    }
    if (buf.length < JOURNAL_HEADER || !buf.subarray(0, 8).equals(JOURNAL_MAGIC) || buf.readUInt32LE(8) !== INDEX_VERSION || buf.readUInt32LE(12) !== m.generation) return false;
    let at = Math.max(m.journal, JOURNAL_HEADER);
    const resumeHere = () => {
      if (resume === at && resumed) {
        state.ledger.takeAggChanges();
        resumed.at = true;
      }
    };
    resumeHere();
    while (at + 12 <= buf.length) {
      if (buf.readUInt32LE(at) !== BATCH_MAGIC) break;
      const len = buf.readUInt32LE(at + 4);
      const sum = buf.readUInt32LE(at + 8);
      if (at + 12 + len > buf.length) break;
      const payload = buf.subarray(at + 12, at + 12 + len);
      if (fnv1a32(payload) !== sum) break;
      const n = applyBatch(state, payload, dirs);
      if (n < 0) break;
      m.records += n;
      at += 12 + len;
      resumeHere();
    }
    m.journal = at;
    return true;
  }

  /**
   * Brings a warm state up to date with what other processes wrote since it was loaded or saved: new
   * journal batches are applied; a new base, or batches on top of unsaved changes of ours, need a reload.
   */
  sync(state: IndexState): 'current' | 'applied' | 'reload' {
    const m = this.mark;
    if (!m) return fs.existsSync(this.base) ? 'reload' : 'current';
    let bst: fs.Stats;
    let jsize: number;
    try {
      bst = fs.statSync(this.base);
      jsize = fs.statSync(this.journal).size;
    } catch {
      return 'reload';
    }
    if (bst.ino !== m.baseIno || bst.size !== m.baseSize || bst.mtimeMs !== m.baseMtimeMs || jsize < m.journal) return 'reload';
    if (jsize === m.journal) return 'current';
    if (isDirty(state)) return 'reload';
    if (!this.acquire()) return 'current';
    try {
      if (!this.applyJournal(state)) return 'reload';
      markSaved(state);
      return 'applied';
    } finally {
      this.release();
    }
  }

  /** Saves what changed: one journal batch, or a new base when there is none yet or the journal is long. */
  save(state: IndexState): SaveResult {
    if (this.mark && !isDirty(state)) return { mode: 'unchanged', bytes: 0 };
    if (!this.acquire()) return { mode: 'locked', bytes: 0 };
    try {
      const m = this.mark;
      if (!m) return this.writeBase(state);
      const bst = statOrNull(this.base);
      const jst = statOrNull(this.journal);
      // Another process wrote a new base (or our view is otherwise stale): do not write on top; the
      // caller reloads and re-reads from the offsets on disk.
      if (!bst || bst.ino !== m.baseIno || bst.size !== m.baseSize || bst.mtimeMs !== m.baseMtimeMs || (jst && jst.size < m.journal)) return this.conflict();
      if (!jst) return this.writeBase(state);
      if (jst.size > m.journal) {
        // Valid batches we have not applied were written by another process; anything else is a torn write.
        if (this.validEnd(m.journal) > m.journal) return this.conflict();
        fs.truncateSync(this.journal, m.journal);
      }
      // Compacted when the journal is long, when it holds many records, and when the tables outgrew the
      // base's: every process that loads the index replays the journal, putting each record into the ledger
      // and its tables again (~2.5 µs a record in a new process, before V8 has optimised that code), and grows
      // the tables again (a rehash of every entry, ~23 ms at 1 GiB) until the journal was long.
      const l = state.ledger;
      if (
        m.journal - JOURNAL_HEADER < (this.compactBytes ?? Math.max(1 << 20, m.baseSize / 2)) &&
        m.records + l.changed.length <= this.compactRecords &&
        l.tableSlots() <= m.tableSlots
      )
        return this.appendBatch(state);
      return this.writeBase(state);
    } catch {
      this.mark = undefined;
      return { mode: 'failed', bytes: 0 };
    } finally {
      this.release();
    }
  }

  private conflict(): SaveResult {
    this.mark = undefined;
    return { mode: 'conflict', bytes: 0 };
  }

  /** End of the valid batches that start at `from` in the journal. */
  private validEnd(from: number): number {
    let buf: Buffer;
    try {
      buf = fs.readFileSync(this.journal);
    } catch {
      return from;
    }
    let at = from;
    while (at + 12 <= buf.length && buf.readUInt32LE(at) === BATCH_MAGIC) {
      const len = buf.readUInt32LE(at + 4);
      if (at + 12 + len > buf.length || fnv1a32(buf.subarray(at + 12, at + 12 + len)) !== buf.readUInt32LE(at + 8)) break;
      at += 12 + len;
    }
    return at;
  }

  private appendBatch(state: IndexState): SaveResult {
    const m = this.mark!;
    const l = state.ledger;
    const sv = state.savedStrings;
    const batch: Batch = {
      ...(state.dirtyDirs.size ? { dirs: savedDirs(state, state.dirtyDirs) } : {}),
      m0: sv.models,
      models: l.models.values.slice(sv.models),
      p0: sv.projects,
      projects: l.projects.values.slice(sv.projects),
      s0: sv.sessions,
      sessions: l.sessions.values.slice(sv.sessions),
      labels: [...state.dirtyLabels].map((i) => [i, state.projectLabels[i] ?? '']),
      files: [...state.dirtyFiles].map((i) => [i, state.files.get(i)]),
    };
    const json = Buffer.from(JSON.stringify(batch));
    const n = l.changed.length;
    const jlen = (json.length + 3) & ~3;
    // (No slots when a table has grown; then a base is written instead, `save`.)
    const tables = l.slotWrites() ?? { keysLen: 0, idsLen: 0, slots: new Uint32Array(0) };
    const payload = Buffer.alloc(4 + jlen + 4 + n * JOURNAL_ENTRY_BYTES + 12 + tables.slots.length * 4);
    payload.writeUInt32LE(json.length, 0);
    json.copy(payload, 4);
    let at = 4 + jlen;
    payload.writeUInt32LE(n, at);
    at += 4;
    const words = new Uint32Array(payload.buffer, payload.byteOffset, payload.length / 4);
    // The entries' indexes, then their records in the same order (a run of new entries is one block).
    words.set(l.changed, at / 4);
    let r = at / 4 + n;
    for (const i of l.changed) {
      words.set(l.words.subarray(i * W, i * W + W), r);
      r += W;
    }
    at += n * JOURNAL_ENTRY_BYTES;
    words.set([tables.keysLen, tables.idsLen, tables.slots.length / 2], at / 4);
    words.set(tables.slots, at / 4 + 3);
    const frame = Buffer.alloc(12);
    frame.writeUInt32LE(BATCH_MAGIC, 0);
    frame.writeUInt32LE(payload.length, 4);
    frame.writeUInt32LE(fnv1a32(payload), 8);
    const fd = fs.openSync(this.journal, 'a');
    try {
      fs.writeSync(fd, Buffer.concat([frame, payload]));
    } finally {
      fs.closeSync(fd);
    }
    const bytes = 12 + payload.length;
    m.journal += bytes;
    m.records += n;
    this.bytesWritten += bytes;
    markSaved(state);
    return { mode: 'journal', bytes };
  }

  /** Records the base's identity as checked (a failed write only costs the next load a check). */
  private noteVerified(identity: string): void {
    try {
      writeFileAtomic(this.verified, identity);
    } catch {
      // read-only folder: every load checks
    }
  }

  private writeBase(state: IndexState): SaveResult {
    const l = state.ledger;
    const generation = (Math.floor(Math.random() * 0xffffffff) >>> 0) || 1;
    const tables = l.tables();
    const hjson = headerRegion(
      {
        version: INDEX_VERSION,
        generation,
        roots: state.roots,
        models: l.models.values,
        projects: l.projects.values,
        projectLabels: state.projectLabels,
        sessions: l.sessions.values,
        count: l.count,
        keysLen: tables.keys.length,
        idsLen: tables.ids.length,
        keysSize: tables.keysSize,
        idsSize: tables.idsSize,
      },
      state.files,
      savedDirs(state),
    );
    const head = Buffer.alloc(24);
    BASE_MAGIC.copy(head, 0);
    head.writeUInt32LE(INDEX_VERSION, 8);
    head.writeUInt32LE(hjson.length, 12);
    head.writeUInt32LE(l.count, 16);
    head.writeUInt32LE(fnv1a32(hjson), 20);
    const pad = align8(24 + hjson.length) - (24 + hjson.length);
    const stamp = `${process.pid}.${Math.floor(this.now())}`;
    const tmpBase = `${this.base}.${stamp}.tmp`;
    const tmpJournal = `${this.journal}.${stamp}.tmp`;
    const fd = fs.openSync(tmpBase, 'w');
    let bytes = 0;
    try {
      for (const p of [head, hjson, new Uint8Array(pad)]) bytes += fs.writeSync(fd, p);
      l.eachBytes((b) => (bytes += fs.writeSync(fd, b)));
      for (const p of [bytesOf(tables.keys), bytesOf(tables.ids)]) bytes += fs.writeSync(fd, p);
    } finally {
      fs.closeSync(fd);
    }
    const jhead = Buffer.alloc(JOURNAL_HEADER);
    JOURNAL_MAGIC.copy(jhead, 0);
    jhead.writeUInt32LE(INDEX_VERSION, 8);
    jhead.writeUInt32LE(generation, 12);
    fs.writeFileSync(tmpJournal, jhead);
    bytes += JOURNAL_HEADER;
    // The journal first: a reader that sees the new journal with the old base ignores the journal
    // (generation mismatch) and reads a complete, older state; readers hold the lock anyway.
    fs.renameSync(tmpJournal, this.journal);
    fs.renameSync(tmpBase, this.base);
    const st = fs.statSync(this.base);
    this.noteVerified(baseIdentity(st));
    this.mark = { generation, baseIno: st.ino, baseSize: st.size, baseMtimeMs: st.mtimeMs, journal: JOURNAL_HEADER, tableSlots: l.tableSlots(), records: 0 };
    this.bytesWritten += bytes;
    markSaved(state);
    return { mode: 'base', bytes };
  }
}

const baseIdentity = (st: fs.Stats): string => `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;

const bytesOf = (a: Uint32Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** Every record's string and file ids are in range (a corrupt index must not crash the reader). */
function checkRecords(l: Ledger, from: number, nFiles: number): boolean {
  const w = l.words;
  const nm = l.models.values.length;
  const np = l.projects.values.length;
  const ns = l.sessions.values.length;
  for (let i = from; i < l.count; i++) {
    const o = i * W;
    if (w[o + 11]! >= nm || w[o + 12]! >= np || w[o + 13]! >= ns || w[o + 14]! >= nFiles) return false;
  }
  return true;
}

/** Applies one journal batch: the number of entry records it held, or -1 when it does not fit the state. */
function applyBatch(state: IndexState, payload: Buffer, dirs?: SavedDir[]): number {
  const jsonLen = payload.readUInt32LE(0);
  const b = JSON.parse(payload.toString('utf8', 4, 4 + jsonLen)) as Batch;
  if (b.dirs) {
    if (dirs) dirs.push(...b.dirs);
    else {
      // A warm state: its own listings stay; folders another process listed are listed again next time.
      for (const [d] of b.dirs) state.dirs.delete(d);
    }
  }
  const l = state.ledger;
  if (b.m0 !== l.models.values.length || b.p0 !== l.projects.values.length || b.s0 !== l.sessions.values.length) return -1;
  for (const x of b.models) l.models.id(x);
  for (const x of b.projects) l.projects.id(x);
  for (const x of b.sessions) l.sessions.id(x);
  for (const [i, label] of b.labels) state.projectLabels[i] = label;
  // (By id: a file new in this batch follows the ones before it.)
  for (const [i, f] of b.files.sort((x, y) => x[0] - y[0])) if (!state.files.set(i, f)) return -1;
  let at = 4 + ((jsonLen + 3) & ~3);
  const n = payload.readUInt32LE(at);
  at += 4;
  const from = l.count;
  const words = new Uint32Array(payload.buffer, payload.byteOffset, payload.length / 4);
  if (at + n * JOURNAL_ENTRY_BYTES + 12 > payload.length) return -1;
  const ids = words.subarray(at / 4, at / 4 + n);
  if (!l.putRecords(ids, words.subarray(at / 4 + n, at / 4 + n + n * W))) return -1;
  at += n * JOURNAL_ENTRY_BYTES;
  // The batch's table slots as its writer left them; where they cannot be put back (the tables are not of the
  // lengths they were written in), each entry finds its place again.
  const m = words[at / 4 + 2]!;
  if (at + 12 + m * 8 !== payload.length) return -1;
  if (!l.putSlots(words[at / 4]!, words[at / 4 + 1]!, words.subarray(at / 4 + 3, at / 4 + 3 + m * 2))) {
    for (let k = 0; k < n; k++) l.indexEntry(ids[k]!);
  }
  return checkRecords(l, Math.min(from, l.count), state.files.length) ? n : -1;
}
