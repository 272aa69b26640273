/** CLI argument handling and exit codes that need no server (in-process `main(argv, io)`). */
import { strict as assert } from 'node:assert';
import { main } from '../../src/cli';
import type { CliIo } from '../../src/cli/common';
import { byDayAndModel } from '../../src/cli/local';
import { dayRange, table } from '../../src/cli/output';
import { Decimal } from '../../src/core/decimal';
import type { LocalUsageDay } from '../../src/core/model/snapshot';
import { sampleKeys } from '../server/keys';

function capture(env: NodeJS.ProcessEnv = {}): CliIo & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    env,
    out: (t: string) => void (io.stdout += `${t}\n`),
    err: (t: string) => void (io.stderr += `${t}\n`),
  };
  return io;
}

const keys = sampleKeys();

describe('cli: usage and exit codes (no server)', () => {
  const usageCases: Array<[string[], RegExp]> = [
    [['costs'], /--since is required/],
    [['costs', '--since', '2025-13-01'], /--since must be a date/],
    [['costs', '--since', '2025-08-02', '--until', '2025-08-01'], /must be after --since/],
    [['costs', '--since', '2025-08-01', '--group-by', 'model'], /--group-by must be "workspace" or "description"/],
    [['costs', '--since', '2025-08-01', '--bogus'], /Unknown option '--bogus'/],
    [['tokens', '--since', '2025-08-01', '--bucket', '5m'], /--bucket must be 1d, 1h or 1m/],
    [['tokens', '--since', '2025-08-01', '--group-by', 'model,planet'], /--group-by takes a comma list/],
    [['claude-code', '--since', '2025-08-01', '--timeout', 'soon'], /--timeout must be a positive number/],
    [['ratelimits', '--base-url', 'ftp://x'], /--base-url must be an http\(s\) URL/],
    [['ratelimits', '--model', 'two words'], /--model must be a model id/],
    [['nope'], /unknown command "nope"/],
  ];
  for (const [argv, msg] of usageCases) {
    it(`exits 2 for: ${argv.join(' ')}`, async () => {
      const io = capture({ ANTHROPIC_ADMIN_API_KEY: keys.admin, ANTHROPIC_API_KEY: keys.standard });
      assert.equal(await main(argv, io), 2);
      assert.match(io.stderr, msg);
      assert.equal(io.stdout, '');
    });
  }

  it('exits 3 naming the variable when the key is missing', async () => {
    for (const [argv, variable] of [
      [['costs', '--since', '2025-08-01'], 'ANTHROPIC_ADMIN_API_KEY'],
      [['tokens', '--since', '2025-08-01'], 'ANTHROPIC_ADMIN_API_KEY'],
      [['claude-code', '--since', '2025-08-01'], 'ANTHROPIC_ADMIN_API_KEY'],
      [['ratelimits'], 'ANTHROPIC_API_KEY'],
    ] as const) {
      const io = capture({ ANTHROPIC_API_KEY: argv[0] === 'ratelimits' ? '' : keys.standard });
      assert.equal(await main([...argv], io), 3);
      assert.match(io.stderr, new RegExp(`^${variable} is not set`));
    }
  });

  it('prints per-command help with exit 0', async () => {
    for (const name of ['ratelimits', 'costs', 'tokens', 'claude-code']) {
      const io = capture();
      assert.equal(await main([name, '--help'], io), 0);
      assert.match(io.stdout, new RegExp(`^Usage: claude-usage ${name}`));
    }
  });

  it('defaults --until to tomorrow (UTC) so that today is included', () => {
    assert.deepEqual(dayRange('2026-11-01', undefined, new Date('2026-11-27T23:59:00Z')), { since: '2026-11-01', until: '2026-11-28' });
    assert.deepEqual(dayRange('2026-12-01', undefined, new Date('2026-12-31T00:00:00Z')), { since: '2026-12-01', until: '2027-01-01' });
  });

  it('aligns tables', () => {
    assert.equal(table(['Date', 'Total'], [['2025-08-01', '$1.00'], ['Total', '$12.50']]), 'Date         Total\n----------  ------\n2025-08-01   $1.00\nTotal       $12.50');
  });

  it('local --json groups rows by day and model with exact sums; a group of one row keeps its cost text', () => {
    const row = (date: string, project: string, model: string, costUsd: string | null, n: number): LocalUsageDay => ({ date, project, model, input: n, output: 2 * n, cacheWrite5m: 3 * n, cacheWrite1h: 0, cacheRead: 5 * n, costUsd });
    const rows = [
      row('2026-12-02', 'a', 'claude-opus-4-5', '0.1', 1),
      row('2026-12-02', 'b', 'claude-opus-4-5', '0.2', 2), // 0.1 + 0.2 exactly
      row('2026-12-02', 'a', 'claude-haiku-4-5', '12.000375', 3),
      row('2026-12-01', 'a', 'claude-unknown', null, 4),
      row('2026-12-01', 'b', 'claude-sonnet-4-5', '7', 5),
      row('2026-12-01', 'c', 'claude-sonnet-4-5', null, 6), // one unpriced row makes the group unpriced
    ];
    const got = byDayAndModel(rows);
    assert.deepStrictEqual(got.map((d) => d.date), ['2026-12-01', '2026-12-02']);
    assert.deepStrictEqual(Object.keys(got[1]!.byModel), ['claude-haiku-4-5', 'claude-opus-4-5']);
    assert.equal(got[1]!.byModel['claude-opus-4-5']!.costUsd, '0.3');
    assert.equal(got[1]!.byModel['claude-opus-4-5']!.input, 3);
    assert.equal(got[1]!.byModel['claude-haiku-4-5']!.costUsd, '12.000375');
    assert.equal(got[0]!.byModel['claude-unknown']!.costUsd, null);
    assert.equal(got[0]!.byModel['claude-sonnet-4-5']!.costUsd, null);
    assert.equal(got[0]!.byModel['claude-sonnet-4-5']!.cacheRead, 55);
    // The text kept for one row is what a sum would print (the engine prints canonical decimals).
    for (const text of ['0', '7', '0.1', '12.000375', '1234567.000001']) assert.equal(Decimal.ZERO.add(Decimal.parse(text)).toString(), text);
  });
});
