import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { shortDate } from '../../src/core/model/days';
import { byteSize, compact, int, pct, usd } from '../../src/core/model/format';

describe('dashboard display formats', () => {
  it('prints money to the cent, and sub-cent amounts with their digits', () => {
    assert.deepEqual(
      ['1234.565', '0.01', '0.000013', '0.0003', '0.0050', '0', '-0.0001', '', 'x', null].map((s) => usd(s)),
      ['$1,234.56', '$0.01', '$0.000013', '$0.0003', '$0.005', '$0.00', '-$0.0001', '—', '—', '—'],
    );
  });
  it('prints byte sizes in decimal units with three significant digits at most', () => {
    assert.equal(byteSize(0), '0 B');
    assert.equal(byteSize(999), '999 B');
    assert.equal(byteSize(999.6), '1.0 KB');
    assert.equal(byteSize(4_849_664), '4.8 MB');
    assert.equal(byteSize(9_960_000), '10 MB');
    assert.equal(byteSize(268_435_456), '268 MB');
    assert.equal(byteSize(3 * 1024 ** 3), '3.2 GB');
    assert.equal(byteSize(2e15), '2000 TB');
  });

  it('prints shares, compact axis numbers and short dates', () => {
    assert.equal(pct(0.8567), '85.7%');
    assert.equal(pct(null), '—');
    assert.deepEqual([compact(999), compact(1500), compact(2_500_000)], ['999', '1.5k', '2.5M']);
    assert.equal(shortDate('2026-11-05'), 'Nov 5');
    assert.equal(shortDate('2026-11-05T13:00Z'), 'Nov 5 13:00');
  });
  it('prints whole numbers with thousands separators exactly as toLocaleString("en-US") does (property)', () => {
    assert.deepEqual([int(0), int(-0.4), int(999), int(1000), int(-1234567.5), int(2 ** 53 - 1), int(1e21), int(null), int(Number.NaN)], ['0', '-0', '999', '1,000', '-1,234,567', '9,007,199,254,740,991', '1,000,000,000,000,000,000,000', '—', '—']);
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.maxSafeInteger()), (n) => int(n) === Math.round(n).toLocaleString('en-US')),
      { numRuns: 5000 },
    );
  });
});
