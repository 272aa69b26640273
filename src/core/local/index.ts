/**
 * The persistent index: per-file byte offsets and fingerprints plus the de-duplicated ledger, in one
 * versioned binary file (JSON header + typed-array columns), written atomically (tmp + rename). A refresh
 * reads only appended bytes; history survives Claude Code deleting old transcripts. An index of another
 * version, a corrupt one or one for other roots is ignored and rebuilt: never fatal.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fnv1a32 } from './hash';
import { allocColumns, Ledger, type LedgerColumns } from './ledger';

/** Bump on any change of the file layout or of what the reader extracts. */
export const INDEX_VERSION = 1;
let tmpSeq = 0;
const MAGIC = Buffer.from('CUSGIDX\n');

export interface FileState {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  /** Just after the last complete line consumed. */
  offset: number;
  headLen: number;
  headHash: number;
  /** Corrupt usage lines seen in the consumed part. */
  corrupt: number;
  project: number;
  /** Not found on the last refresh (deleted by Claude Code's cleanup); its entries stay. */
  missing?: boolean;
}

export interface IndexState {
  roots: string[];
  files: FileState[];
  fileIds: Map<string, number>;
  /** Project id → first `cwd` seen ('' when none). */
  projectLabels: string[];
  ledger: Ledger;
}

interface Header {
  version: number;
  roots: string[];
  files: FileState[];
  models: string[];
  projects: string[];
  projectLabels: string[];
  sessions: string[];
  count: number;
}

export function emptyState(roots: string[]): IndexState {
  return { roots, files: [], fileIds: new Map(), projectLabels: [], ledger: new Ledger() };
}

/** The index file for a set of roots (different roots never share history). */
export function indexFile(dir: string, roots: string[]): string {
  const id = fnv1a32(Buffer.from([...roots].sort().join('\n'))).toString(16).padStart(8, '0');
  return path.join(dir, `local-index-${id}.bin`);
}

const COLS: [keyof LedgerColumns, 1 | 4 | 8, number][] = [
  ['ts', 8, 1],
  ['tokens', 8, 5],
  ['h1', 4, 1],
  ['h2', 4, 1],
  ['model', 4, 1],
  ['project', 4, 1],
  ['session', 4, 1],
  ['file', 4, 1],
  ['flags', 1, 1],
];

const align8 = (n: number) => (n + 7) & ~7;

export type LoadResult = { state: IndexState } | { state: undefined; reason: 'missing' | 'version' | 'corrupt' | 'roots' };

export function loadIndex(file: string, roots: string[]): LoadResult {
  let buf: Buffer;
  try {
    buf = fs.readFileSync(file);
  } catch {
    return { state: undefined, reason: 'missing' };
  }
  try {
    if (buf.length < 12 || !buf.subarray(0, 8).equals(MAGIC)) return { state: undefined, reason: 'corrupt' };
    const hlen = buf.readUInt32LE(8);
    const h = JSON.parse(buf.toString('utf8', 12, 12 + hlen)) as Header;
    if (h.version !== INDEX_VERSION) return { state: undefined, reason: 'version' };
    if (JSON.stringify([...h.roots].sort()) !== JSON.stringify([...roots].sort())) return { state: undefined, reason: 'roots' };
    const n = h.count;
    if (!Number.isSafeInteger(n) || n < 0) return { state: undefined, reason: 'corrupt' };
    const cols = allocColumns(Math.max(n, 1));
    let off = align8(12 + hlen);
    for (const [name, width, per] of COLS) {
      const bytes = n * width * per;
      if (off + bytes > buf.length) return { state: undefined, reason: 'corrupt' };
      const src = new Uint8Array(buf.buffer, buf.byteOffset + off, bytes);
      new Uint8Array(cols[name].buffer, 0, bytes).set(src);
      off = align8(off + bytes);
    }
    if (off !== buf.length) return { state: undefined, reason: 'corrupt' };
    const nFiles = h.files.length;
    for (let i = 0; i < n; i++) {
      if (cols.model[i]! >= h.models.length || cols.project[i]! >= h.projects.length || cols.session[i]! >= h.sessions.length || cols.file[i]! >= nFiles) {
        return { state: undefined, reason: 'corrupt' };
      }
    }
    const ledger = new Ledger({ cols, count: n, models: h.models, projects: h.projects, sessions: h.sessions });
    ledger.dirty = false;
    const fileIds = new Map<string, number>();
    h.files.forEach((f, i) => fileIds.set(f.path, i));
    return { state: { roots: h.roots, files: h.files, fileIds, projectLabels: h.projectLabels, ledger } };
  } catch {
    return { state: undefined, reason: 'corrupt' };
  }
}

export function saveIndex(file: string, s: IndexState): void {
  const { cols, count } = s.ledger.compact();
  const header: Header = {
    version: INDEX_VERSION,
    roots: s.roots,
    files: s.files,
    models: s.ledger.models.values,
    projects: s.ledger.projects.values,
    projectLabels: s.projectLabels,
    sessions: s.ledger.sessions.values,
    count,
  };
  const hjson = Buffer.from(JSON.stringify(header));
  const parts: Uint8Array[] = [];
  const head = Buffer.alloc(12);
  MAGIC.copy(head, 0);
  head.writeUInt32LE(hjson.length, 8);
  parts.push(head, hjson);
  let size = 12 + hjson.length;
  const pad = () => {
    const p = align8(size) - size;
    if (p) parts.push(new Uint8Array(p));
    size += p;
  };
  pad();
  for (const [name, width, per] of COLS) {
    const bytes = count * width * per;
    parts.push(new Uint8Array(cols[name].buffer, 0, bytes));
    size += bytes;
    pad();
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${++tmpSeq}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const p of parts) fs.writeSync(fd, p);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}
