import { strict as assert } from 'node:assert';
import { normalizeModelId, PriceBook, PRICE_CLASS_BATCH, PRICE_CLASS_LONG_CONTEXT, PRICE_CLASS_US, PRICES_AS_OF, validateOverrides } from '../../src/core/pricing';

const t = (input: number, output: number, cacheWrite5m = 0, cacheWrite1h = 0, cacheRead = 0) => ({ input, output, cacheWrite5m, cacheWrite1h, cacheRead });

describe('pricing', () => {
  const book = new PriceBook();

  it('has a dated table', () => {
    assert.match(PRICES_AS_OF, /^\d{4}-\d{2}-\d{2}$/);
  });

  it('normalises dated, undated and provider-prefixed ids', () => {
    assert.equal(normalizeModelId('claude-sonnet-4-5-20250929'), 'claude-sonnet-4-5');
    assert.equal(normalizeModelId('claude-sonnet-4-6'), 'claude-sonnet-4-6');
    assert.equal(normalizeModelId('us.anthropic.claude-sonnet-4-5-20250929-v1:0'), 'claude-sonnet-4-5');
    assert.equal(normalizeModelId('claude-opus-4-1@20250805'), 'claude-opus-4-1');
    assert.equal(normalizeModelId('anthropic/claude-3-5-haiku-20241022'), 'claude-3-5-haiku');
    assert.equal(normalizeModelId('claude-sonnet-4-5[1m]'), 'claude-sonnet-4-5');
  });

  it('maps every family of the contract table', () => {
    const cases: [string, string, string][] = [
      // id, family, cost of 1M input + 1M output
      ['claude-opus-4-5-20251101', 'opus-4.5+', '30'],
      ['claude-opus-4-6', 'opus-4.5+', '30'],
      ['claude-opus-4-8', 'opus-4.5+', '30'],
      ['claude-opus-5', 'opus-5', '30'],
      ['claude-opus-4-20250514', 'opus-4/4.1', '90'],
      ['claude-opus-4-1', 'opus-4/4.1', '90'],
      ['claude-3-opus-20240229', 'opus-3', '90'],
      ['claude-sonnet-4-20250514', 'sonnet-4/4.5', '18'],
      ['claude-sonnet-4-5-20250929', 'sonnet-4/4.5', '18'],
      ['claude-sonnet-4-6', 'sonnet-4.6+', '18'],
      ['claude-3-7-sonnet-20250219', 'sonnet-3.7', '18'],
      ['claude-sonnet-5', 'sonnet-5', '12'],
      ['claude-haiku-4-5-20251001', 'haiku-4.5', '6'],
      ['claude-3-5-haiku-20241022', 'haiku-3.5', '4.8'],
      ['claude-3-haiku-20240307', 'haiku-3', '1.5'],
      ['claude-fable-5', 'fable-5', '60'],
    ];
    for (const [id, family, cost] of cases) {
      assert.equal(book.resolve(id)?.family, family, id);
      assert.equal(book.cost(id, t(1_000_000, 1_000_000))?.toString(), cost, id);
    }
  });

  it('prices cache writes (5m 1.25x, 1h 2x) and reads (0.1x) exactly', () => {
    // Sonnet 4.6: 3 in, 3.75 5m, 6 1h, 0.3 read, 15 out.
    assert.equal(book.cost('claude-sonnet-4-6', t(1, 1, 1, 1, 1))?.toString(), '0.00002805');
    assert.equal(book.cost('claude-3-haiku-20240307', t(3, 0, 0, 0, 7))?.toString(), '0.00000096');
  });

  it('applies the whole-request long-context rule to Sonnet 4/4.5 only, above 200k input', () => {
    const r = book.resolve('claude-sonnet-4-5-20250929');
    const at = t(1, 10, 0, 0, 200_000 - 1); // exactly 200k input: not above
    assert.equal(book.classify(r, at, false, false), 0);
    const over = t(1, 10, 1, 0, 200_000 - 1);
    assert.equal(book.classify(r, over, false, false), PRICE_CLASS_LONG_CONTEXT);
    // all tokens at $6 / $22.50 / 7.5 / 12 / 0.6
    assert.equal(book.cost('claude-sonnet-4-5', t(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000), PRICE_CLASS_LONG_CONTEXT)?.toString(), '48.6');
    assert.equal(book.classify(book.resolve('claude-sonnet-4-6'), over, false, false), 0);
  });

  it('halves batch prices and applies US-only inference 1.1x on 4.6+ only', () => {
    assert.equal(book.cost('claude-sonnet-4-6', t(1_000_000, 0), PRICE_CLASS_BATCH)?.toString(), '1.5');
    const us = book.classify(book.resolve('claude-opus-4-6'), t(1, 1), false, true);
    assert.equal(us, PRICE_CLASS_US);
    assert.equal(book.cost('claude-opus-4-6', t(1_000_000, 0), us)?.toString(), '5.5');
    assert.equal(book.classify(book.resolve('claude-sonnet-4-5'), t(1, 1), false, true), 0);
    assert.equal(book.cost('claude-opus-4-6', t(1_000_000, 0), PRICE_CLASS_BATCH | PRICE_CLASS_US)?.toString(), '2.75');
  });

  it('reports an unknown model as unpriced, never $0', () => {
    assert.equal(book.resolve('claude-mystery-9'), null);
    assert.equal(book.cost('claude-mystery-9', t(10, 10)), null);
    assert.equal(book.cost('gpt-4o', t(0, 0)), null);
  });

  it('lets user overrides win by longest prefix, with rule-derived cache prices', () => {
    const b = new PriceBook({ 'claude-mystery': { input: '2', output: 8 }, 'claude-sonnet-4-6': { input: '1', output: '1', cacheRead: '0' } });
    assert.equal(b.cost('claude-mystery-9', t(1_000_000, 1_000_000, 1_000_000, 1_000_000, 1_000_000))?.toString(), '16.7'); // 2+8+2.5+4+0.2
    assert.equal(b.cost('claude-sonnet-4-6', t(1_000_000, 1_000_000, 0, 0, 1_000_000))?.toString(), '2');
    assert.equal(b.resolve('claude-opus-4-6')?.family, 'opus-4.5+');
    assert.deepEqual(validateOverrides({ x: { input: 'abc', output: 1 } }).length, 1);
    assert.deepEqual(validateOverrides({ x: { input: -1, output: 1 } }).length, 1);
    assert.deepEqual(validateOverrides({ x: { input: 1, output: 1 } }), []);
  });
});
