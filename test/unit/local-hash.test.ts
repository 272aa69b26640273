// fnv1a32 (issue 15): the index's checksums, its file name and the file-head fingerprints. Its result is read
// back through a Uint32Array (no deoptimisation loop in V8): the values must stay those of FNV-1a, or every
// saved index would look corrupt and every file replaced.
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { fnv1a32 } from '../../src/core/local/hash';

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
});
