/** `claude-usage costs --since D [--until D] [--group-by workspace|description]` (ANTHROPIC_ADMIN_API_KEY). */
import type { CostGroupBy } from '../core/anthropic/types';
import { Decimal } from '../core/decimal';
import { usd as formatMoney } from '../core/model/format';
import { costRowsFromBuckets } from '../core/model/rows';
import { costsReport, type CostsGroupBy, type CostsReport } from '../core/reports/costs';
import { EXIT_OK, UsageError, type Command } from './common';
import { parseReportCommand, printJson, requireKey, table, withClient } from './output';

const HELP = `Usage: claude-usage costs --since YYYY-MM-DD [--until YYYY-MM-DD] [--group-by workspace|description] [--json]
Exact daily costs from the cost report, by model (needs ANTHROPIC_ADMIN_API_KEY). --until is exclusive (default: tomorrow, UTC).`;

const costs: Command = async (argv, io) => {
  const parsed = parseReportCommand(argv, io, HELP, {
    'group-by': { type: 'string' },
  });
  if (!parsed) return EXIT_OK;
  const { values, common, range } = parsed;
  const groupBy = values['group-by'] as string | undefined;
  if (groupBy !== undefined && groupBy !== 'workspace' && groupBy !== 'description') {
    throw new UsageError(`--group-by must be "workspace" or "description", got "${groupBy}".`);
  }
  const key = requireKey(io, 'ANTHROPIC_ADMIN_API_KEY');
  // group_by description is what makes the API fill `model`; workspace_id is added when asked for.
  const apiGroupBy: CostGroupBy[] = groupBy === 'workspace' ? ['workspace_id', 'description'] : ['description'];
  const buckets = await withClient(key, common, io, (api) =>
    api.costReport({ startingAt: range.since, endingAt: range.until, groupBy: apiGroupBy, limit: 31 }),
  );
  const report = costsReport(costRowsFromBuckets(buckets), { groupBy: groupBy as CostsGroupBy | undefined, ...range });
  if (common.json) printJson(io, report);
  else io.out(renderCosts(report, range));
  return EXIT_OK;
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
