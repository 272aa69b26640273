/**
 * Small non-cryptographic hashes for de-duplication keys and file-head fingerprints.
 *
 * De-duplication keys (`message.id`, and `message.id` + `requestId`) are hashed over their UTF-8 bytes straight
 * from the read buffer (no string is made) into two independent 32-bit halves: 64 bits in all, so among
 * n keys the chance of any two colliding is about n²/2^65 (3e-8 at a million keys). Hashing a JS string
 * (the `JSON.parse` fallback path and tests) encodes it to UTF-8 first and gives the same value.
 */

import { fnv1a32InWasm } from './extractWasm';

/**
 * From this many bytes `fnv1a32` runs in WebAssembly (loading the module if no line has yet): a journal
 * batch of ~70 KB took 1.75 ms in a fresh process, where this loop runs interpreted, and 0.2 ms there.
 * Below it the JavaScript loop costs less than the module's load (~1.5 ms).
 */
export const WASM_HASH_FROM = 16 * 1024;

/** Where `fnv1a32` turns its signed 32-bit state into the unsigned result. */
const U32 = new Uint32Array(1);

/** FNV-1a over bytes (unsigned 32-bit): in WebAssembly from `WASM_HASH_FROM` bytes where it runs, else `fnv1a32Js`. */
export function fnv1a32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  if (bytes.length >= WASM_HASH_FROM) {
    const w = fnv1a32InWasm(bytes, seed);
    if (w !== undefined) return w;
  }
  return fnv1a32Js(bytes, seed);
}

/**
 * `fnv1a32` in JavaScript (the tests compare it with the module's). The result is read back through a
 * `Uint32Array` instead of `h >>> 0`: optimised on feedback that had seen only results below 2^31, `>>> 0`
 * deoptimised ("lost precision") on the first one above, and when that code was the loop's on-stack-replacement
 * code, V8 entered it again on every call: in 4 of 31 cold scans here, 413-550 deoptimisations, one per file head
 * hashed (`--trace-deopt`). An element of a `Uint32Array` is any unsigned 32-bit number to the optimiser, with
 * nothing to check.
 */
export function fnv1a32Js(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed | 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  U32[0] = h;
  return U32[0]!;
}

/** Running state of the two halves; `KeyHasher` feeds bytes, `finish` mixes in the length. */
export class KeyHasher {
  h1 = 0x811c9dc5;
  h2 = 0x9e3779b9;
  len = 0;

  reset(): this {
    this.h1 = 0x811c9dc5;
    this.h2 = 0x9e3779b9;
    this.len = 0;
    return this;
  }

  bytes(b: Uint8Array, from: number, to: number): this {
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = from; i < to; i++) {
      const c = b[i]!;
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.len += to - from;
    return this;
  }

  /** Feeds a string's UTF-8 bytes (ASCII straight from its char codes, anything else encoded first). */
  string(s: string): this {
    for (let i = 0; i < s.length; i++) {
      if (s.charCodeAt(i) >= 0x80) {
        const b = Buffer.from(s, 'utf8');
        return this.bytes(b, 0, b.length);
      }
    }
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < s.length; i++) {
      const c = s.charCodeAt(i);
      h1 = Math.imul(h1 ^ c, 0x01000193);
      h2 = Math.imul(h2 ^ c, 0x5bd1e995);
      h2 ^= h2 >>> 15;
    }
    this.h1 = h1;
    this.h2 = h2;
    this.len += s.length;
    return this;
  }

  byte(c: number): this {
    this.h1 = Math.imul(this.h1 ^ c, 0x01000193);
    let h2 = Math.imul(this.h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
    this.h2 = h2;
    this.len++;
    return this;
  }

  /** The 64-bit value of what was fed so far, as two unsigned halves (the state is left as is). */
  finish1(): number {
    let h1 = this.h1 ^ (this.h1 >>> 13);
    h1 = Math.imul(h1, 0xc2b2ae35);
    h1 ^= h1 >>> 16;
    return h1 >>> 0;
  }

  finish2(): number {
    let h2 = Math.imul(this.h2 ^ this.len, 0x27d4eb2d);
    h2 ^= h2 >>> 15;
    return h2 >>> 0;
  }
}

/** Separator fed between `message.id` and `requestId` (a byte no JSON string's UTF-8 holds raw). */
export const KEY_SEPARATOR = 0x00;

const stringHasher = new KeyHasher();

/** Hashes of `message.id` alone and of `message.id` + `requestId` (the dedup key), from strings. */
export function hashIds(id: string, requestId: string | undefined): { i1: number; i2: number; k1: number; k2: number } {
  const h = stringHasher.reset().string(id);
  const i1 = h.finish1();
  const i2 = h.finish2();
  if (requestId === undefined) return { i1, i2, k1: i1, k2: i2 };
  h.byte(KEY_SEPARATOR).string(requestId);
  return { i1, i2, k1: h.finish1(), k2: h.finish2() };
}
