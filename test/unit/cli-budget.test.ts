/**
 * `costs` and `local` with `--budget USD [--period day|month]` in-process (`main(argv, io)`): the budget
 * block in JSON equals the local Anthropic server's ledger (and the local report's own days), the table
 * gets a line, exit code 5 once the budget is used up, usage errors are exit code 2.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli';
import { systemClock } from '../../src/core/clock';
import { Decimal } from '../../src/core/decimal';
import { addDays, daysInMonth, monthStart, utcDay } from '../../src/core/model/days';
import { makeClaudeHome } from '../fixtures/makeClaudeHome';
import { startMockServer, type MockServer } from '../server/server';
import type { CliBudgetJson } from '../../src/cli/budget';
import type { CliIo } from '../../src/cli/common';

type BudgetJson = CliBudgetJson;

function capture(env: NodeJS.ProcessEnv): CliIo & { stdout: string; stderr: string } {
  const io = { stdout: '', stderr: '', env, out: (t: string) => void (io.stdout += `${t}\n`), err: (t: string) => void (io.stderr += `${t}\n`) };
  return io;
}

describe('cli --budget (local Anthropic server)', function () {
  this.timeout(60_000);
  let server: MockServer;
  let env: NodeJS.ProcessEnv;
  let today: string;

  before(async () => {
    server = await startMockServer({ port: 0, seed: 7 });
    env = { ANTHROPIC_ADMIN_API_KEY: server.keys.admin, ANTHROPIC_BASE_URL: server.url };
    today = utcDay(systemClock.now());
  });
  after(async () => server.close());

  async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const io = capture(env);
    const code = await main(argv, io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  }

  it('costs --budget: the current UTC month from the ledger, --since defaults to its first day', async () => {
    const first = monthStart(today);
    const mtd = Decimal.parse(server.ledger.expectedCosts(first).totalUsd);
    // Twice the month so far, at least $1 (minutes into a month the ledger may hold nothing yet).
    const twice = mtd.mulInt(2);
    const amount = twice.cmp(Decimal.parse('1')) < 0 ? '1.00' : twice.toFixed(2);
    const r = await run(['costs', '--budget', amount, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { totalUsd: string; days: { date: string }[]; budget: BudgetJson };
    assert.deepEqual({ ...out, budget: undefined }, { ...server.ledger.expectedCosts(first), budget: undefined }, 'the report is the month so far');
    const b = out.budget;
    assert.equal(b.spent, mtd.toString());
    assert.equal(b.amount, Decimal.parse(amount).toString());
    assert.equal(b.percent, Math.round(((mtd.toNumber() * 100) / Number(amount)) * 100) / 100);
    assert.deepEqual([b.period, b.periodStart, b.periodEnd, b.timezone, b.over, b.estimate], ['month', first, addDays(first, daysInMonth(first) - 1), 'UTC', false, false]);
    assert.ok(b.projectedAt === null || (b.projectedAt > new Date(systemClock.now()).toISOString() && b.projectedAt.slice(0, 7) === first.slice(0, 7)), String(b.projectedAt));
    assert.ok(Decimal.parse(b.projected).cmp(mtd) >= 0);
  });

  it('costs --budget with a later --since: the budget still counts the whole month, the report only its range', async () => {
    const first = monthStart(today);
    const r = await run(['costs', '--since', today, '--budget', '1000000', '--json']);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { days: { date: string }[]; budget: BudgetJson };
    assert.ok(out.days.every((d) => d.date >= today));
    assert.equal(out.budget.spent, Decimal.parse(server.ledger.expectedCosts(first).totalUsd).toString());
  });

  it('exit code 5 once the budget is used up, with the JSON still printed; a day budget; the table line', async () => {
    // Early in a month (or a day) the ledger may hold less than a cent: then even $0.01 is not used up. A real
    // run on 2026-12-01 at 00:10 UTC met that case ($0.0048 so far); the pinned calendar runs cover both.
    const cent = Decimal.parse('0.01');
    const spentMonth = Decimal.parse(server.ledger.expectedCosts(monthStart(today)).totalUsd);
    const monthUsed = spentMonth.cmp(cent) >= 0;
    const over = await run(['costs', '--budget', '0.01', '--json']);
    assert.equal(over.code, monthUsed ? 5 : 0, over.stderr);
    const b = (JSON.parse(over.stdout) as { budget: BudgetJson }).budget;
    assert.equal(b.spent, spentMonth.toString());
    assert.equal(b.over, monthUsed);
    assert.equal(b.percent >= 100, monthUsed);
    if (monthUsed) assert.equal(b.projectedAt, null);
    const day = await run(['costs', '--budget', '0.01', '--period', 'day']);
    const dayUsed = Decimal.parse(server.ledger.expectedCosts(today).totalUsd).cmp(cent) >= 0;
    assert.equal(day.code, dayUsed ? 5 : 0);
    assert.match(day.stdout, new RegExp(`\\nBudget \\(day ${today}, UTC\\): \\$[\\d,.]+ of \\$0\\.01 \\(<?\\d[\\d,]*%\\)${dayUsed ? ' · OVER BUDGET \\(exit code 5\\)' : ''}`));
    const fine = await run(['costs', '--since', today, '--budget', '100000']);
    assert.equal(fine.code, 0);
    assert.match(fine.stdout, /\nBudget \(month \d{4}-\d{2}, UTC\): \$[\d,.]+ of \$100,000\.00 \(<?\d+%\) · projected \$[\d,.]+ at month end \(estimate\)/);
  });

  it('usage errors are exit code 2', async () => {
    for (const [argv, msg] of [
      [['costs', '--budget', 'lots'], /--budget must be an amount in US dollars from 0\.01, such as 500 or 12\.50, got "lots"/],
      [['costs', '--budget=-3'], /--budget must be an amount/],
      [['costs', '--budget', '10', '--period', 'week'], /--period must be "day" or "month", got "week"/],
      [['costs', '--since', today, '--period', 'day'], /--period goes with --budget USD/],
      [['local', '--budget', '0'], /--budget must be an amount/],
      [['local', '--period', 'month'], /--period goes with --budget USD/],
    ] as const) {
      const r = await run([...argv]);
      assert.equal(r.code, 2, `${argv.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, msg);
    }
  });

  describe('local --budget', () => {
    let home: string;
    let dir: string;
    before(() => {
      home = mkdtempSync(join(tmpdir(), 'cu-cli-budget-'));
      makeClaudeHome(home, new Date(systemClock.now()));
      dir = join(home, '.claude', 'projects');
    });
    after(() => rmSync(home, { recursive: true, force: true }));

    /** The month's estimate from the plain report's own days (priced models). */
    async function monthFromReport(zone: string, since?: string): Promise<Decimal> {
      const r = await run(['local', '--dir', dir, '--timezone', zone, '--json', ...(since ? ['--since', since] : [])]);
      const out = JSON.parse(r.stdout) as { days: { date: string; byModel: Record<string, { costUsd: string | null }> }[] };
      const first = monthStart(utcDay(systemClock.now()));
      let sum = Decimal.ZERO;
      for (const d of out.days) if (d.date >= first) for (const m of Object.values(d.byModel)) if (m.costUsd !== null) sum = sum.add(Decimal.parse(m.costUsd));
      return sum;
    }

    it('the month in --timezone, an estimate; exit code 5 when used up; a later --since keeps the whole month', async () => {
      const expected = await monthFromReport('UTC');
      assert.ok(!expected.isZero(), 'the sample home has spend this month');
      const r = await run(['local', '--dir', dir, '--timezone', 'UTC', '--budget', '1000000', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const b = (JSON.parse(r.stdout) as { budget: BudgetJson }).budget;
      assert.equal(b.spent, expected.toString());
      assert.deepEqual([b.period, b.timezone, b.estimate, b.over], ['month', 'UTC', true, false]);
      const over = await run(['local', '--dir', dir, '--timezone', 'UTC', '--budget', '0.01', '--json']);
      assert.equal(over.code, 5);
      assert.equal((JSON.parse(over.stdout) as { budget: BudgetJson }).budget.over, true);
      const later = await run(['local', '--dir', dir, '--timezone', 'UTC', '--since', today, '--budget', '1000000', '--json']);
      const out = JSON.parse(later.stdout) as { days: { date: string }[]; budget: BudgetJson };
      assert.ok(out.days.every((d) => d.date >= today), 'the report keeps its range');
      assert.equal(out.budget.spent, expected.toString());
      const table = await run(['local', '--dir', dir, '--timezone', 'UTC', '--budget', '0.01', '--period', 'day']);
      assert.match(table.stdout, new RegExp(`\\nBudget \\(day ${today}, UTC\\): ≈\\$[\\d,.]+\\+? of \\$0\\.01 .*, API-equivalent estimate`));
    });
  });
});
