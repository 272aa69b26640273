// fnv1a32 (issue 15): the index's checksums, its file name and the file-head fingerprints. Its result is read
// back through a Uint32Array (no deoptimisation loop in V8): the values must stay those of FNV-1a, or every
// saved index would look corrupt and every file replaced.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { setWasmEnabled, wasmExtractor } from '../../src/core/local/extractWasm';
import { fnv1a32, fnv1a32Js, WASM_HASH_FROM } from '../../src/core/local/hash';

/** FNV-1a as written before: `>>> 0` on a state kept unsigned. */
function reference(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const c of bytes) h = Math.imul(h ^ c, 0x01000193) >>> 0;
  return h;
}

describe('local fnv1a32', () => {
  it('gives the published FNV-1a 32-bit values', () => {
    assert.equal(fnv1a32(Buffer.from('')), 0x811c9dc5);
    assert.equal(fnv1a32(Buffer.from('a')), 0xe40c292c);
    assert.equal(fnv1a32(Buffer.from('foobar')), 0xbf9cf968);
  });

  it('equals the unsigned reference on any bytes and seed, above and below 2^31, in one process over many calls', () => {
    let high = 0;
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.option(fc.integer({ min: 0, max: 0xffffffff }), { nil: undefined }), (bytes, seed) => {
        const got = fnv1a32(bytes, seed);
        assert.equal(got, reference(bytes, seed));
        assert.ok(Number.isInteger(got) && got >= 0 && got <= 0xffffffff);
        if (got >= 2 ** 31) high++;
      }),
      { numRuns: 2000 },
    );
    // Both halves of the range came through (the case the optimiser used to get wrong first).
    assert.ok(high > 500 && high < 1500, String(high));
  });

  it('gives the same values in WebAssembly as in JavaScript: inputs across the module windows of 64 KiB, any seed', () => {
    assert.ok(wasmExtractor(), 'the WebAssembly module loads here (npm run build makes dist/extract.wasm)');
    const bytes = new Uint8Array(200_000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
    const lengths = [WASM_HASH_FROM - 1, WASM_HASH_FROM, 65_535, 65_536, 65_537, 131_072, 200_000];
    for (const n of lengths) {
      for (const seed of [undefined, 0, 1, 0x7fffffff, 0x80000000, 0xffffffff]) {
        const view = bytes.subarray(bytes.length - n);
        const want = reference(view, seed);
        assert.equal(fnv1a32(view, seed), want, `${n} bytes, seed ${seed}`);
        assert.equal(fnv1a32Js(view, seed), want, `${n} bytes, seed ${seed} (JavaScript)`);
      }
    }
    fc.assert(
      fc.property(fc.uint8Array({ minLength: WASM_HASH_FROM, maxLength: 70_000 }), fc.integer({ min: 0, max: 0xffffffff }), (b, seed) => {
        assert.equal(fnv1a32(b, seed), reference(b, seed));
      }),
      { numRuns: 40 },
    );
  });

  it('falls back to JavaScript where the module cannot run, with the same values', () => {
    const bytes = new Uint8Array(100_000).map((_, i) => i % 251);
    const want = reference(bytes);
    setWasmEnabled(false);
    try {
      assert.equal(fnv1a32(bytes), want);
    } finally {
      setWasmEnabled(true);
    }
    assert.equal(fnv1a32(bytes), want);
  });
});
