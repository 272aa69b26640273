/**
 * The WebAssembly build of the extractor's structural walk (src/core/local/wasm/extract.ts, AssemblyScript,
 * compiled by esbuild.mjs to `dist/extract.wasm`): loaded once per thread, on the first line read. The reader
 * reads straight into its linear memory (`readBuffer`), so a line is walked where it was read, without a copy.
 * Without the file (a build without it, or `CLAUDE_USAGE_WASM=0`) or where WebAssembly SIMD is missing, the
 * JavaScript walk in extract.ts reads every line, with the same results (the differential tests run both).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Answers of the module's `extract` (src/core/local/wasm/extract.ts: `R_*`). */
export const W_IGNORE = 0;
export const W_TOP = 1;
export const W_INNER = 2;
export const W_FALLBACK = 5;

/** Byte offsets in linear memory of the two field records the module fills (its `TOP`, `INNER`). */
export const WASM_TOP = 1024;
export const WASM_INNER = 1280;
/** Within a field record: where its six token counts start (f64 each; its `TOK`). */
export const WASM_TOKENS = 160;
/** Where it leaves what it computed of the entry it answers with (its `DONE`: flags, key hashes, then at
 *  `WASM_DONE_TS` bytes further the timestamp, f64). */
export const WASM_DONE = 1536;
export const WASM_DONE_TS = 24;
/** Where the reader's read buffer sits in linear memory (up to `COPY_AT`), and where lines are copied in (tests). */
const READ_AT = 65536;
const COPY_AT = 2 * 1024 * 1024;
const MEMORY_BYTES = 4 * 1024 * 1024;

export interface WasmExtractor {
  /** Walks the line [ls, le) of linear memory (absolute offsets): `W_*`. */
  extract(ls: number, le: number): number;
  /** FNV-1a of [at, at + len) of linear memory from the state `h` (signed: the caller reads it unsigned). */
  fnv1a(at: number, len: number, h: number): number;
  /** Linear memory, whole: offsets in the field records index it directly. */
  mem: Buffer;
  i32: Int32Array;
  f64: Float64Array;
}

let loaded: WasmExtractor | null | undefined;
let enabled = true;

/** Tests: the JavaScript walk only (`false`, as where the module cannot load), or the module again (`true`). */
export function setWasmEnabled(on: boolean): void {
  enabled = on;
}

/** The file next to the bundle (dist/), or, running from source (tests under tsx), the build's dist/. */
function wasmFile(): string | undefined {
  for (const f of [path.join(__dirname, 'extract.wasm'), path.join(__dirname, '..', '..', '..', 'dist', 'extract.wasm')]) {
    if (fs.existsSync(f)) return f;
  }
  return undefined;
}

/** The module, instantiated on first use; undefined when it is not there or cannot run here. */
export function wasmExtractor(): WasmExtractor | undefined {
  if (!enabled) return undefined;
  if (loaded !== undefined) return loaded ?? undefined;
  loaded = null;
  if (process.env.CLAUDE_USAGE_WASM === '0') return undefined;
  const file = wasmFile();
  if (!file) return undefined;
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(file)), {});
    const exports = instance.exports as { extract(ls: number, le: number): number; fnv1a(at: number, len: number, h: number): number; dataEnd(): number; memory: WebAssembly.Memory };
    const buffer = exports.memory.buffer;
    // The layout the module was built with: static data after the field records, memory that never grows.
    if (buffer.byteLength !== MEMORY_BYTES || exports.dataEnd() > READ_AT) return undefined;
    loaded = { extract: exports.extract, fnv1a: exports.fnv1a, mem: Buffer.from(buffer), i32: new Int32Array(buffer), f64: new Float64Array(buffer) };
  } catch {
    loaded = null; // no WebAssembly SIMD here: the JavaScript walk reads every line
  }
  return loaded ?? undefined;
}

/** A read buffer of `size` bytes in the module's memory (the reader's), or undefined without the module. */
export function readBuffer(size: number): Buffer | undefined {
  const w = wasmExtractor();
  return w && READ_AT + size <= COPY_AT ? w.mem.subarray(READ_AT, READ_AT + size) : undefined;
}

/** How much of an input `fnv1a32InWasm` copies into the module's memory at a time (at `COPY_AT`). */
const HASH_WINDOW = 64 * 1024;

/**
 * FNV-1a of `bytes` from the state `seed`, computed in the module (unsigned), or undefined without it. The
 * bytes go through the module's memory `HASH_WINDOW` at a time, at `COPY_AT` (not the read buffer: a hash
 * never overwrites lines a scan has yet to walk).
 */
export function fnv1a32InWasm(bytes: Uint8Array, seed: number): number | undefined {
  const w = wasmExtractor();
  if (!w) return undefined;
  let h = seed | 0;
  for (let at = 0; at < bytes.length; at += HASH_WINDOW) {
    const n = Math.min(HASH_WINDOW, bytes.length - at);
    w.mem.set(bytes.subarray(at, at + n), COPY_AT);
    h = w.fnv1a(COPY_AT, n, h);
  }
  return h >>> 0;
}

/** `bytes` copied into the module's memory (tests: the same line walked in WebAssembly), or undefined. */
export function copyIntoWasm(bytes: Uint8Array): Buffer | undefined {
  const w = wasmExtractor();
  if (!w || COPY_AT + bytes.length + 16 > MEMORY_BYTES) return undefined;
  w.mem.set(bytes, COPY_AT);
  return w.mem.subarray(COPY_AT, COPY_AT + bytes.length);
}
