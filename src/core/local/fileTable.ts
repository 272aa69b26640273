/**
 * The index's per-file states (offset read up to, fingerprint, size, mtime, inode, project, lines skipped,
 * whether the file is gone), kept column by column in typed arrays, the layout the base's header region
 * stores them in (`headerRegion` in transcriptIndex.ts). A warm CLI run loads them as two array copies and
 * one split of the paths, with no object per file: 1,967 file states and their skip counts made as objects
 * were ~0.5 MB of young objects that V8 copied twice (~6 ms of a 0.2 s run, measured by keeping a second set
 * alive). `FileState` objects exist only for the few files a journal batch carries.
 */
import { zeroSkips, type SkipCounts } from './reader';

/** One file's state as a plain object: in journal batches (JSON) and the tests. */
export interface FileState {
  path: string;
  size: number;
  mtimeMs: number;
  ino: number;
  /** Just after the last line consumed. */
  offset: number;
  headLen: number;
  headHash: number;
  /** Usage lines skipped in the consumed part, by reason. */
  skipped: SkipCounts;
  project: number;
  /** Not found on the last refresh (deleted by Claude Code's cleanup); its entries stay. */
  missing: boolean;
}

/** Doubles per file: size, mtimeMs, ino, offset. */
export const FILE_F64 = 4;
/** Int32s per file: headLen, headHash, project, missing (0/1), then the skip counts corrupt, tooLarge, synthetic, apiError. */
export const FILE_I32 = 8;
const SIZE = 0;
const MTIME = 1;
const INO = 2;
const OFFSET = 3;
const HEAD_LEN = 0;
const HEAD_HASH = 1;
const PROJECT = 2;
const MISSING = 3;
const SKIPS = 4;

export class FileTable {
  /** Each file's path, by id (the id is the index). */
  readonly paths: string[];
  /** Path → id. */
  private readonly ids = new Map<string, number>();
  private f64: Float64Array;
  private i32: Int32Array;

  /** A table of `paths` with their numbers (`f64`, `i32`: at least `FILE_F64` / `FILE_I32` per path; copied). */
  constructor(paths: string[] = [], f64?: Float64Array, i32?: Int32Array) {
    this.paths = paths;
    const room = paths.length + 64;
    this.f64 = new Float64Array(room * FILE_F64);
    this.i32 = new Int32Array(room * FILE_I32);
    if (f64) this.f64.set(f64.subarray(0, paths.length * FILE_F64));
    if (i32) this.i32.set(i32.subarray(0, paths.length * FILE_I32));
    for (let i = 0; i < paths.length; i++) this.ids.set(paths[i]!, i);
  }

  get length(): number {
    return this.paths.length;
  }

  /** The id of the file at `path`, if it has one. */
  id(path: string): number | undefined {
    return this.ids.get(path);
  }

  /** A new file (nothing read, never seen on disk): its id. */
  add(path: string, project: number): number {
    const i = this.paths.length;
    this.room(i + 1);
    this.paths.push(path);
    this.ids.set(path, i);
    this.f64.fill(-1, i * FILE_F64, i * FILE_F64 + OFFSET);
    this.f64[i * FILE_F64 + OFFSET] = 0;
    this.i32.fill(0, i * FILE_I32, i * FILE_I32 + FILE_I32);
    this.i32[i * FILE_I32 + PROJECT] = project;
    return i;
  }

  ino(i: number): number {
    return this.f64[i * FILE_F64 + INO]!;
  }
  offset(i: number): number {
    return this.f64[i * FILE_F64 + OFFSET]!;
  }
  headLen(i: number): number {
    return this.i32[i * FILE_I32 + HEAD_LEN]!;
  }
  headHash(i: number): number {
    return this.i32[i * FILE_I32 + HEAD_HASH]!;
  }
  project(i: number): number {
    return this.i32[i * FILE_I32 + PROJECT]!;
  }
  missing(i: number): boolean {
    return this.i32[i * FILE_I32 + MISSING] !== 0;
  }

  /** Whether the file was last seen with this size, mtime and inode (and not gone). */
  unchanged(i: number, size: number, mtimeMs: number, ino: number): boolean {
    const o = i * FILE_F64;
    const f = this.f64;
    return this.i32[i * FILE_I32 + MISSING] === 0 && f[o + SIZE] === size && f[o + MTIME] === mtimeMs && f[o + INO] === ino;
  }

  setStat(i: number, size: number, mtimeMs: number, ino: number): void {
    const o = i * FILE_F64;
    this.f64[o + SIZE] = size;
    this.f64[o + MTIME] = mtimeMs;
    this.f64[o + INO] = ino;
  }
  setOffset(i: number, offset: number): void {
    this.f64[i * FILE_F64 + OFFSET] = offset;
  }
  setHead(i: number, len: number, hash: number): void {
    this.i32[i * FILE_I32 + HEAD_LEN] = len;
    this.i32[i * FILE_I32 + HEAD_HASH] = hash;
  }
  setMissing(i: number, missing: boolean): void {
    this.i32[i * FILE_I32 + MISSING] = missing ? 1 : 0;
  }

  /** Adds a read's skipped lines to the file's. */
  addSkipped(i: number, k: SkipCounts): void {
    const o = i * FILE_I32 + SKIPS;
    const n = this.i32;
    n[o] = n[o]! + k.corrupt;
    n[o + 1] = n[o + 1]! + k.tooLarge;
    n[o + 2] = n[o + 2]! + k.synthetic;
    n[o + 3] = n[o + 3]! + k.apiError;
  }

  /** Read again from the start (the file was replaced): no offset, fingerprint or skipped lines. */
  restart(i: number): void {
    this.f64[i * FILE_F64 + OFFSET] = 0;
    this.i32[i * FILE_I32 + HEAD_LEN] = 0;
    this.i32.fill(0, i * FILE_I32 + SKIPS, i * FILE_I32 + FILE_I32);
  }

  /** Lines skipped in all files, and the number of files gone. */
  totals(): { skipped: SkipCounts; missing: number } {
    const skipped = zeroSkips();
    let missing = 0;
    const n = this.i32;
    for (let i = 0, o = 0; i < this.paths.length; i++, o += FILE_I32) {
      skipped.corrupt += n[o + SKIPS]!;
      skipped.tooLarge += n[o + SKIPS + 1]!;
      skipped.synthetic += n[o + SKIPS + 2]!;
      skipped.apiError += n[o + SKIPS + 3]!;
      missing += n[o + MISSING]!;
    }
    return { skipped, missing };
  }

  /** Per file id, 1 when the file is gone (`AggregateOptions.missingFiles`). */
  missingFlags(): Uint8Array {
    const out = new Uint8Array(this.paths.length);
    const n = this.i32;
    for (let i = 0; i < out.length; i++) out[i] = n[i * FILE_I32 + MISSING]!;
    return out;
  }

  /** Marks gone every file not flagged in `present` (by id); calls `changed` for each one that was not gone before. */
  markGone(present: Uint8Array, changed: (i: number) => void): void {
    const n = this.i32;
    for (let i = 0; i < this.paths.length; i++) {
      if (!present[i] && n[i * FILE_I32 + MISSING] === 0) {
        n[i * FILE_I32 + MISSING] = 1;
        changed(i);
      }
    }
  }

  /** File `i` as an object (a journal batch's). */
  get(i: number): FileState {
    const o = i * FILE_F64;
    const p = i * FILE_I32;
    const f = this.f64;
    const n = this.i32;
    return {
      path: this.paths[i]!,
      size: f[o + SIZE]!,
      mtimeMs: f[o + MTIME]!,
      ino: f[o + INO]!,
      offset: f[o + OFFSET]!,
      headLen: n[p + HEAD_LEN]!,
      headHash: n[p + HEAD_HASH]!,
      skipped: { corrupt: n[p + SKIPS]!, tooLarge: n[p + SKIPS + 1]!, synthetic: n[p + SKIPS + 2]!, apiError: n[p + SKIPS + 3]! },
      project: n[p + PROJECT]!,
      missing: n[p + MISSING] !== 0,
    };
  }

  /** Sets file `i` (an existing id, or the next one) from an object (a journal batch's); false when `i` is neither. */
  set(i: number, s: FileState): boolean {
    if (i > this.paths.length || i < 0 || !Number.isInteger(i)) return false;
    if (i === this.paths.length) {
      this.room(i + 1);
      this.paths.push(s.path);
    } else if (this.paths[i] !== s.path) {
      if (this.ids.get(this.paths[i]!) === i) this.ids.delete(this.paths[i]!);
      this.paths[i] = s.path;
    }
    this.ids.set(s.path, i);
    const o = i * FILE_F64;
    const p = i * FILE_I32;
    const k = s.skipped ?? zeroSkips();
    this.f64[o + SIZE] = s.size;
    this.f64[o + MTIME] = s.mtimeMs;
    this.f64[o + INO] = s.ino;
    this.f64[o + OFFSET] = s.offset;
    this.i32[p + HEAD_LEN] = s.headLen;
    this.i32[p + HEAD_HASH] = s.headHash;
    this.i32[p + PROJECT] = s.project;
    this.i32[p + MISSING] = s.missing === true ? 1 : 0;
    this.i32[p + SKIPS] = k.corrupt ?? 0;
    this.i32[p + SKIPS + 1] = k.tooLarge ?? 0;
    this.i32[p + SKIPS + 2] = k.synthetic ?? 0;
    this.i32[p + SKIPS + 3] = k.apiError ?? 0;
    return true;
  }

  /** The numbers of all files, in the header region's layout (views of exactly `length` files). */
  columns(): { f64: Float64Array; i32: Int32Array } {
    return { f64: this.f64.subarray(0, this.paths.length * FILE_F64), i32: this.i32.subarray(0, this.paths.length * FILE_I32) };
  }

  /** Room for `n` files (doubling). */
  private room(n: number): void {
    if (n * FILE_F64 <= this.f64.length) return;
    const cap = Math.max(n, this.f64.length / FILE_F64 * 2);
    const f = new Float64Array(cap * FILE_F64);
    f.set(this.f64);
    this.f64 = f;
    const k = new Int32Array(cap * FILE_I32);
    k.set(this.i32);
    this.i32 = k;
  }
}
