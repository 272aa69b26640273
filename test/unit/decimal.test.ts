import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Decimal, centsToUsd, formatUsd } from '../../src/core/decimal';

describe('Decimal', () => {
  it('parses and prints every digit', () => {
    assert.equal(Decimal.parse('123.45').toString(), '123.45');
    assert.equal(Decimal.parse('-0.500').toString(), '-0.5');
    assert.equal(Decimal.parse('1e-7').toString(), '0.0000001');
    assert.equal(Decimal.parse('2.5E3').toString(), '2500');
    assert.equal(Decimal.parse('.5').toString(), '0.5');
    assert.equal(Decimal.fromNumber(0.1).add(Decimal.fromNumber(0.2)).toString(), '0.3');
  });

  it('rejects non-numbers', () => {
    for (const bad of ['', 'abc', '1.2.3', 'NaN', '--1', '.', '1e']) {
      assert.throws(() => Decimal.parse(bad), RangeError, bad);
    }
    assert.equal(Decimal.tryParse('x'), undefined);
  });

  it('converts cents to dollars exactly', () => {
    assert.equal(centsToUsd(Decimal.parse('123.45')).toString(), '1.2345');
    assert.equal(formatUsd(centsToUsd(Decimal.parse('123456789.5'))), '$1,234,567.90');
  });

  it('rounds half-even for display', () => {
    assert.equal(Decimal.parse('0.125').toFixed(2), '0.12');
    assert.equal(Decimal.parse('0.135').toFixed(2), '0.14');
    assert.equal(Decimal.parse('-0.135').toFixed(2), '-0.14');
    assert.equal(Decimal.parse('-0.001').toFixed(2), '0.00');
  });

  it('sums exactly regardless of order (property)', () => {
    const cents = fc.tuple(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), fc.integer({ min: 0, max: 12 }));
    fc.assert(
      fc.property(fc.array(cents, { maxLength: 60 }), (items) => {
        const values = items.map(([m, s]) => Decimal.fromBigInt(m, s));
        const forward = Decimal.sum(values);
        const backward = Decimal.sum([...values].reverse());
        // Reference: everything scaled to 12 digits as BigInt.
        const ref = items.reduce((acc, [m, s]) => acc + m * 10n ** BigInt(12 - s), 0n);
        assert.ok(forward.eq(backward));
        assert.ok(forward.eq(Decimal.fromBigInt(ref, 12)));
        assert.ok(Decimal.parse(forward.toString()).eq(forward));
      }),
    );
  });

  it('divides by integers exactly when the result terminates', () => {
    assert.equal(Decimal.parse('1').divInt(4).toString(), '0.25');
    assert.equal(Decimal.parse('1').divInt(3, 4).toString(), '0.3333');
  });
});
