import { strict as assert } from 'node:assert';
import {
  normalizeModelId,
  PRICE_CLASS_BATCH,
  PRICE_CLASS_LONG_CONTEXT,
  PRICE_CLASS_PERIOD,
  PRICE_CLASS_US,
  PRICE_FAMILIES,
  PriceBook,
  PRICES_AS_OF,
  validateOverrides,
} from '../../src/core/pricing';

const t = (input: number, output: number, cacheWrite5m = 0, cacheWrite1h = 0, cacheRead = 0) => ({ input, output, cacheWrite5m, cacheWrite1h, cacheRead });
const at = (iso: string) => Date.parse(iso);
/** One request used for every table row: 1,000 input, 100 output, 200 5m writes, 300 1h writes, 4,000 reads. */
const T = t(1000, 100, 200, 300, 4000);
const NOV = at('2026-11-20T12:00:00Z');

describe('pricing: one test per row of the dated table (docs/anthropic-api.md section 6)', () => {
  const book = new PriceBook();
  // id, family, expected cost of T, the hand computation (per-million prices × tokens, summed, / 1e6)
  const rows: [string[], string, string, string][] = [
    [['claude-fable-5-2'], 'fable-5.2', '0.0196', '8×1000 + 10×200 + 16×300 + 0.2×4000 + 40×100 = 19600'],
    [['claude-fable-5-1', 'claude-mythos-5-1'], 'fable-5.1', '0.0245', '10×1000 + 12.5×200 + 20×300 + 0.25×4000 + 50×100 = 24500'],
    [['claude-fable-5', 'claude-mythos-5-20260901'], 'fable-5', '0.0275', '10×1000 + 12.5×200 + 20×300 + 1×4000 + 50×100 = 27500'],
    [['claude-opus-5-5'], 'opus-5.5', '0.0102', '4×1000 + 5×200 + 8×300 + 0.2×4000 + 20×100 = 10200'],
    [['claude-opus-5'], 'opus-5', '0.01375', '5×1000 + 6.25×200 + 10×300 + 0.5×4000 + 25×100 = 13750'],
    [['claude-opus-4-8'], 'opus-4.8', '0.01375', 'as Opus 5'],
    [['claude-opus-4-7'], 'opus-4.7', '0.01375', 'as Opus 5'],
    [['claude-opus-4-6'], 'opus-4.6', '0.01375', 'as Opus 5'],
    [['claude-opus-4-5-20251101'], 'opus-4.5', '0.01375', 'as Opus 5'],
    [['claude-opus-4-1', 'claude-opus-4-20250514'], 'opus-4/4.1', '0.04125', '15×1000 + 18.75×200 + 30×300 + 1.5×4000 + 75×100 = 41250'],
    [['claude-3-opus-20240229'], 'opus-3', '0.04125', 'as Opus 4'],
    [['claude-sonnet-5'], 'sonnet-5', '0.0055', '2×1000 + 2.5×200 + 4×300 + 0.2×4000 + 10×100 = 5500'],
    [['claude-sonnet-4-6'], 'sonnet-4.6', '0.00825', '3×1000 + 3.75×200 + 6×300 + 0.3×4000 + 15×100 = 8250'],
    [['claude-sonnet-4-5-20250929', 'claude-sonnet-4-20250514'], 'sonnet-4/4.5', '0.00825', 'as Sonnet 4.6 (under 200k input)'],
    [['claude-3-7-sonnet-20250219'], 'sonnet-3.7', '0.00825', 'as Sonnet 4.6'],
    [['claude-haiku-5-5'], 'haiku-5.5', '0.000275', '0.1×1000 + 0.125×200 + 0.2×300 + 0.01×4000 + 0.5×100 = 275'],
    [['claude-haiku-4-5-20251001'], 'haiku-4.5', '0.00275', '1×1000 + 1.25×200 + 2×300 + 0.1×4000 + 5×100 = 2750'],
    [['claude-3-5-haiku-20241022'], 'haiku-3.5', '0.0022', '0.8×1000 + 1×200 + 1.6×300 + 0.08×4000 + 4×100 = 2200'],
    [['claude-3-haiku-20240307'], 'haiku-3', '0.000705', '0.25×1000 + 0.3×200 + 0.5×300 + 0.03×4000 + 1.25×100 = 705'],
  ];
  for (const [ids, family, cost, how] of rows) {
    it(`${family}: ${how}`, () => {
      for (const id of ids) {
        assert.equal(book.resolve(id)?.family, family, id);
        assert.equal(book.costAt(id, T, NOV)?.toString(), cost, id);
      }
    });
  }

  it('Sonnet 5.5: a line before 2026-10-07 and one from that day price differently (cache reads 0.20 → 0.10)', () => {
    // 2×1000 + 2.5×200 + 4×300 + 0.2×4000 + 10×100 = 5500; with reads at 0.1: 5100.
    assert.equal(book.costAt('claude-sonnet-5-5', T, at('2026-10-06T23:59:59.999Z'))?.toString(), '0.0055');
    assert.equal(book.costAt('claude-sonnet-5-5', T, at('2026-10-07T00:00:00.000Z'))?.toString(), '0.0051');
    assert.equal(book.costAt('claude-sonnet-5-5', T, at('2026-03-01T00:00:00Z'))?.toString(), '0.0055');
    const r = book.resolve('claude-sonnet-5-5')!;
    assert.notEqual(book.classify(r, at('2026-10-06T12:00:00Z'), T, false, false), book.classify(r, at('2026-10-07T12:00:00Z'), T, false, false));
    // Without a class: today's row (what the probe cost in the status bar uses).
    assert.equal(book.cost('claude-sonnet-5-5', T)?.toString(), '0.0051');
  });

  it('every family has a row without a start date first and rows in date order', () => {
    for (const f of PRICE_FAMILIES) {
      assert.equal(f.rows[0]!.from, undefined, f.family);
      const froms = f.rows.slice(1).map((r) => r.from!);
      assert.deepEqual([...froms].sort(), froms, f.family);
    }
    assert.match(PRICES_AS_OF, /^\d{4}-\d{2}-\d{2}$/);
  });
});

describe('pricing: rules', () => {
  const book = new PriceBook();

  it('normalises dated, undated, provider-prefixed and fast ids', () => {
    assert.equal(normalizeModelId('claude-sonnet-4-5-20250929'), 'claude-sonnet-4-5');
    assert.equal(normalizeModelId('claude-sonnet-4-6'), 'claude-sonnet-4-6');
    assert.equal(normalizeModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0'), 'claude-sonnet-4-5');
    assert.equal(normalizeModelId('claude-opus-4-1@20250805'), 'claude-opus-4-1');
    assert.equal(normalizeModelId('anthropic/claude-3-5-haiku-20241022'), 'claude-3-5-haiku');
    assert.equal(normalizeModelId('claude-sonnet-4-5[1m]'), 'claude-sonnet-4-5');
    assert.equal(normalizeModelId('claude-opus-4-6 (fast)'), 'claude-opus-4-6');
  });

  it('Sonnet 4/4.5 long context: above 200k input the whole request costs 6 / 7.50 / 12 / 0.60 / 22.50', () => {
    // Exactly 200,000 input tokens is not above: 0.3×200000 + 15×10 = 60150.
    assert.equal(book.costAt('claude-sonnet-4-5', t(0, 10, 0, 0, 200_000), NOV)?.toString(), '0.06015');
    // 200,001: 6×1 + 0.6×200000 + 22.5×10 = 120231.
    assert.equal(book.costAt('claude-sonnet-4-5', t(1, 10, 0, 0, 200_000), NOV)?.toString(), '0.120231');
    // Writes count as input: 7.5×100000 + 12×100001 + 22.5×1 = 1950034.5.
    assert.equal(book.costAt('claude-sonnet-4-20250514', t(0, 1, 100_000, 100_001, 0), NOV)?.toString(), '1.9500345');
    const r = book.resolve('claude-sonnet-4-5')!;
    assert.equal(book.classify(r, NOV, t(1, 10, 0, 0, 200_000), false, false) & PRICE_CLASS_LONG_CONTEXT, PRICE_CLASS_LONG_CONTEXT);
    // 4.6 has its full context at the standard price: 3×1 + 0.3×200000 + 15×10 = 60153.
    assert.equal(book.costAt('claude-sonnet-4-6', t(1, 10, 0, 0, 200_000), NOV)?.toString(), '0.060153');
  });

  it('Haiku 5.5 above 100k input: the whole request costs 0.50 / 0.625 / 1.00 / 0.05 / 2.50', () => {
    // Exactly 100,000: 0.01×100000 + 0.5×1000 = 1500.
    assert.equal(book.costAt('claude-haiku-5-5', t(0, 1000, 0, 0, 100_000), NOV)?.toString(), '0.0015');
    // 100,001: 0.5×1 + 0.05×100000 + 2.5×1000 = 7500.5.
    assert.equal(book.costAt('claude-haiku-5-5', t(1, 1000, 0, 0, 100_000), NOV)?.toString(), '0.0075005');
    // Writes: 0.625×50000 + 1×50001 = 81251.
    assert.equal(book.costAt('claude-haiku-5-5', t(0, 0, 50_000, 50_001, 0), NOV)?.toString(), '0.081251');
  });

  it('fast mode: Opus 4.6 6x (the real line: $0.0602 normal, $0.3612 fast), Opus 4.8/5/5.5 and Fable 5.2 2x', () => {
    const line = t(40, 2000, 0, 0, 20_000); // 5×40 + 25×2000 + 0.5×20000 = 60200
    assert.equal(book.costAt('claude-opus-4-6', line, NOV)?.toString(), '0.0602');
    assert.equal(book.costAt('claude-opus-4-6 (fast)', line, NOV)?.toString(), '0.3612');
    assert.equal(book.resolve('claude-opus-4-6 (fast)')?.family, 'opus-4.6');
    assert.equal(book.costAt('claude-opus-4-8 (fast)', T, NOV)?.toString(), '0.0275'); // 2 × 13750
    assert.equal(book.costAt('claude-opus-5 (fast)', T, NOV)?.toString(), '0.0275');
    assert.equal(book.costAt('claude-opus-5-5 (fast)', T, NOV)?.toString(), '0.0204'); // 8/10/16/0.4/40: 2 × 10200
    assert.equal(book.costAt('claude-fable-5-2 (fast)', T, NOV)?.toString(), '0.0392'); // 16/…/80: 2 × 19600
    // No fast price for other models: unpriced, never the normal price.
    assert.equal(book.resolve('claude-sonnet-4-6 (fast)'), null);
    assert.equal(book.costAt('claude-opus-4-5 (fast)', T, NOV), null);
  });

  it('fast mode on Opus 4.8 ends with 2026-11-30: lines before stay billed at 2x, later ones are unpriced', () => {
    assert.equal(book.costAt('claude-opus-4-8 (fast)', T, at('2026-11-30T23:59:59.999Z'))?.toString(), '0.0275');
    assert.equal(book.costAt('claude-opus-4-8 (fast)', T, at('2026-12-01T00:00:00Z')), null);
    assert.equal(book.costAt('claude-opus-4-8', T, at('2026-12-01T00:00:00Z'))?.toString(), '0.01375');
  });

  it('batch halves every price, not with fast mode; US-only inference 1.1x on 4.6 and later, on top', () => {
    assert.equal(book.costAt('claude-sonnet-4-6', T, NOV, { batch: true })?.toString(), '0.004125'); // 8250 / 2
    assert.equal(book.costAt('claude-opus-4-6', T, NOV, { usInference: true })?.toString(), '0.015125'); // 13750 × 1.1
    assert.equal(book.costAt('claude-opus-4-6', T, NOV, { batch: true, usInference: true })?.toString(), '0.0075625'); // × 0.5 × 1.1
    assert.equal(book.costAt('claude-opus-4-6 (fast)', T, NOV, { batch: true })?.toString(), '0.0825'); // 6 × 13750, batch ignored
    assert.equal(book.costAt('claude-opus-4-6 (fast)', T, NOV, { usInference: true })?.toString(), '0.09075'); // 82500 × 1.1
    assert.equal(book.costAt('claude-haiku-5-5', T, NOV, { usInference: true })?.toString(), '0.0003025'); // 275 × 1.1
    assert.equal(book.costAt('claude-sonnet-4-5', T, NOV, { usInference: true })?.toString(), '0.00825'); // before 4.6: no change
    assert.equal(book.costAt('claude-haiku-4-5', T, NOV, { usInference: true })?.toString(), '0.00275');
    const r = book.resolve('claude-opus-4-6')!;
    assert.equal(book.classify(r, NOV, T, true, true), PRICE_CLASS_BATCH | PRICE_CLASS_US);
    assert.equal(book.classify(book.resolve('claude-sonnet-5-5'), at('2026-10-08T00:00:00Z'), T, false, false), PRICE_CLASS_PERIOD);
  });

  it('reports unknown models and ids outside the table as unpriced, never $0', () => {
    for (const id of ['claude-mystery-9', 'gpt-4o', 'claude-opus-4-9', 'claude-3-5-sonnet-20241022', 'claude-fable-5-3', 'claude-sonnet-5-6']) {
      assert.equal(book.resolve(id), null, id);
      assert.equal(book.costAt(id, t(10, 10), NOV), null, id);
    }
  });

  it('lets user overrides win by longest prefix on every date, with rule-derived cache prices; fast multiplies them', () => {
    const b = new PriceBook({
      'claude-mystery': { input: '2', output: 8 },
      'claude-sonnet-4-6': { input: '1', output: '1', cacheRead: '0' },
      'claude-opus-4-6': { input: '1', output: '2' },
      'claude-opus-4-8 (fast)': { input: '7', output: '7' },
      'claude-sonnet-4-5': { input: '1', output: '1' },
    });
    assert.equal(b.costAt('claude-mystery-9', t(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000), NOV)?.toString(), '16.7'); // 2+8+2.5+4+0.2
    assert.equal(b.costAt('claude-sonnet-4-6', t(1_000_000, 1_000_000, 0, 0, 1_000_000), NOV)?.toString(), '2');
    assert.equal(b.resolve('claude-opus-4-5')?.family, 'opus-4.5');
    // Fast usage of an overridden model: the override times the built-in multiplier (6 × (1 + 2)).
    assert.equal(b.costAt('claude-opus-4-6 (fast)', t(1_000_000, 1_000_000), NOV)?.toString(), '18');
    // A fast-mode override is used as is, also after the built-in fast price ended.
    assert.equal(b.costAt('claude-opus-4-8 (fast)', t(1_000_000, 1_000_000), at('2026-12-05T00:00:00Z'))?.toString(), '14');
    // An override has no long-context tier: 1×1 + 0.1×300000 + 1×10 (cache read derived: 0.1x).
    assert.equal(b.costAt('claude-sonnet-4-5', t(1, 10, 0, 0, 300_000), NOV)?.toString(), '0.030011');
    assert.deepEqual(validateOverrides({ x: { input: 'abc', output: 1 } }).length, 1);
    assert.deepEqual(validateOverrides({ x: { input: -1, output: 1 } }).length, 1);
    assert.deepEqual(validateOverrides({ x: { input: 1, output: 1 } }), []);
  });
});

describe('pricing: the fast exact cost', () => {
  it('costString equals Decimal cost for every family, class and token mix (property)', async () => {
    const fc = (await import('fast-check')).default;
    const book = new PriceBook({ 'claude-odd': { input: '0.0123', output: '7.77' } });
    const models = ['claude-haiku-5-5', 'claude-opus-4-6 (fast)', 'claude-sonnet-4-5', 'claude-sonnet-5-5', 'claude-3-haiku', 'claude-fable-5-1', 'claude-odd-1', 'claude-opus-4-8 (fast)'];
    fc.assert(
      fc.property(
        fc.constantFrom(...models),
        fc.nat(15),
        fc.tuple(fc.oneof(fc.nat(1000), fc.nat(4294967295)), fc.nat(4294967295), fc.nat(1_000_000), fc.oneof(fc.nat(10), fc.maxSafeNat()), fc.nat(4294967295)),
        (model, cls, [input, output, cacheWrite5m, cacheWrite1h, cacheRead]) => {
          const t = { input, output, cacheWrite5m, cacheWrite1h, cacheRead };
          const r = book.resolve(model)!;
          const c = Math.min(cls, r.periods.length * PRICE_CLASS_PERIOD - 1);
          assert.equal(book.costString(model, t, c), book.cost(model, t, c)?.toString() ?? null);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
