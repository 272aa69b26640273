/** Small non-cryptographic hashes for de-duplication keys and file-head fingerprints. */

/** FNV-1a over bytes. */
export function fnv1a32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Two independent 32-bit hashes of a string (64 bits in all): collisions among millions of keys are
 *  negligible (~n²/2^65), and the pair costs 8 bytes per key instead of the ~60-character key. */
export function hashKey(s: string): [number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x9e3779b9;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 0x01000193);
    h2 = Math.imul(h2 ^ c, 0x5bd1e995);
    h2 ^= h2 >>> 15;
  }
  h1 ^= h1 >>> 13;
  h1 = Math.imul(h1, 0xc2b2ae35);
  h1 ^= h1 >>> 16;
  h2 = Math.imul(h2 ^ s.length, 0x27d4eb2d);
  h2 ^= h2 >>> 15;
  return [h1 >>> 0, h2 >>> 0];
}
