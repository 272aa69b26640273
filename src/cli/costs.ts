/** `claude-usage costs --since D [--until D] [--group-by workspace|description] [--budget USD [--period day|month]]` (ANTHROPIC_ADMIN_API_KEY). */
import type { CostGroupBy } from '../core/anthropic/types';
import { Decimal } from '../core/decimal';
import { usd as formatMoney } from '../core/model/format';
import { costRowsFromBuckets } from '../core/model/rows';
import { costsReport, type CostsGroupBy, type CostsReport } from '../core/reports/costs';
import { systemClock } from '../core/clock';
import { costBetween } from '../core/model/facts';
import { BUDGET_HELP, BUDGET_OPTIONS, budgetLine, budgetPeriod, cliBudget, coverPeriod, parseBudgetOption } from './budget';
import { EXIT_OK, UsageError, type Command } from './common';
import { parseReportCommand, printJson, requireKey, table, withClient } from './output';

const HELP = `Usage: claude-usage costs --since YYYY-MM-DD [--until YYYY-MM-DD] [--group-by workspace|description]
                          [--budget USD [--period day|month]] [--json]
Exact daily costs from the cost report, by model (needs ANTHROPIC_ADMIN_API_KEY). --until is exclusive (default: tomorrow, UTC).
${BUDGET_HELP}; the period is the current UTC day or month, and --since defaults to its first day.`;

const costs: Command = async (argv, io) => {
  const now = systemClock.now();
  const parsed = parseReportCommand(argv, io, HELP, { 'group-by': { type: 'string' }, ...BUDGET_OPTIONS }, (v) => {
    const req = parseBudgetOption(v.budget as string | undefined, v.period as string | undefined);
    return req ? budgetPeriod(req, now).first : undefined;
  });
  if (!parsed) return EXIT_OK;
  const { values, common, range } = parsed;
  const groupBy = values['group-by'] as string | undefined;
  if (groupBy !== undefined && groupBy !== 'workspace' && groupBy !== 'description') {
    throw new UsageError(`--group-by must be "workspace" or "description", got "${groupBy}".`);
  }
  const budget = parseBudgetOption(values.budget as string | undefined, values.period as string | undefined);
  const period = budget ? budgetPeriod(budget, now) : undefined;
  // With --budget the fetch also covers the budget's whole period; the report still shows --since..--until.
  const fetch = period ? { ...range, ...coverPeriod(range, period) } : range;
  const key = requireKey(io, 'ANTHROPIC_ADMIN_API_KEY');
  // group_by description is what makes the API fill `model`; workspace_id is added when asked for.
  const apiGroupBy: CostGroupBy[] = groupBy === 'workspace' ? ['workspace_id', 'description'] : ['description'];
  const buckets = await withClient(key, common, io, (api) =>
    api.costReport({ startingAt: fetch.since, endingAt: fetch.until, groupBy: apiGroupBy, limit: 31 }),
  );
  const rows = costRowsFromBuckets(buckets);
  const report = costsReport(rows, { groupBy: groupBy as CostsGroupBy | undefined, ...range });
  const b = budget && period ? cliBudget('org', budget, period, costBetween(rows, period.first, period.today), now) : undefined;
  if (common.json) printJson(io, b ? { ...report, budget: b.json } : report);
  else io.out(renderCosts(report, range) + (b ? `\n\n${budgetLine(b)}` : ''));
  return b?.exitCode ?? EXIT_OK;
};

export function renderCosts(report: CostsReport, range: { since: string; until: string }): string {
  if (!report.days.length) return `No costs from ${range.since} to ${range.until} (exclusive).`;
  const usd = (s: string | undefined) => (s === undefined ? '' : formatMoney(s));
  const models = [...new Set(report.days.flatMap((d) => Object.keys(d.byModel)))].sort();
  const extraKey = report.days[0]?.byWorkspace ? 'byWorkspace' : report.days[0]?.byDescription ? 'byDescription' : undefined;
  const out = [
    table(
      ['Date', 'Total', ...models],
      [
        ...report.days.map((d) => [d.date, usd(d.totalUsd), ...models.map((m) => usd(d.byModel[m]))]),
        ['Total', usd(report.totalUsd), ...models.map((m) => usd(sumKey(report, 'byModel', m)))],
      ],
    ),
  ];
  if (extraKey) {
    const keys = [...new Set(report.days.flatMap((d) => Object.keys(d[extraKey] ?? {})))];
    const totals = keys.map((k) => [k, sumKey(report, extraKey, k)] as const).sort((a, b) => Decimal.parse(b[1]).cmp(Decimal.parse(a[1])));
    out.push('', table([extraKey === 'byWorkspace' ? 'Workspace' : 'Description', 'Total'], totals.map(([k, v]) => [k, usd(v)])));
  }
  return out.join('\n');
}

function sumKey(report: CostsReport, field: 'byModel' | 'byWorkspace' | 'byDescription', key: string): string {
  return Decimal.sum(report.days.map((d) => Decimal.parse(d[field]?.[key] ?? '0'))).toString();
}

export default costs;
