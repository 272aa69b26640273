/** `claude-usage tokens --since D [--until D] [--bucket 1d|1h|1m] [--group-by model,workspace,...]` (ANTHROPIC_ADMIN_API_KEY). */
import type { BucketWidth, UsageGroupBy } from '../core/anthropic/types';
import { tokenRowsFromBuckets } from '../core/model/rows';
import { tokensReport, type TokensGroupBy, type TokensReport } from '../core/reports/tokens';
import { EXIT_OK, UsageError, type Command } from './common';
import { formatInt, parseReportCommand, printJson, requireKey, table, withClient } from './output';

const HELP = `Usage: claude-usage tokens --since YYYY-MM-DD [--until YYYY-MM-DD] [--bucket 1d|1h|1m] [--group-by model,workspace,api_key,service_tier] [--json]
Exact tokens from the usage report, by model (needs ANTHROPIC_ADMIN_API_KEY). --until is exclusive (default: tomorrow, UTC).`;

/** CLI group-by names → API group_by[] values. `model` is always requested (byModel is always printed). */
const GROUP_BY: Record<TokensGroupBy, UsageGroupBy> = {
  model: 'model',
  workspace: 'workspace_id',
  api_key: 'api_key_id',
  service_tier: 'service_tier',
};

/** Largest page per bucket width (the API answers 400 beyond it). */
const MAX_LIMIT: Record<BucketWidth, number> = { '1d': 31, '1h': 168, '1m': 1440 };

const tokens: Command = async (argv, io) => {
  const parsed = parseReportCommand(argv, io, HELP, {
    bucket: { type: 'string' },
    'group-by': { type: 'string' },
  });
  if (!parsed) return EXIT_OK;
  const { values, common, range } = parsed;
  const bucket = (values.bucket ?? '1d') as BucketWidth;
  if (!(bucket in MAX_LIMIT)) throw new UsageError(`--bucket must be 1d, 1h or 1m, got "${values.bucket}".`);
  const groups: TokensGroupBy[] = [];
  for (const g of (values['group-by'] ?? 'model').split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!(g in GROUP_BY)) {
      throw new UsageError(`--group-by takes a comma list of ${Object.keys(GROUP_BY).join(', ')}; got "${g}".`);
    }
    if (!groups.includes(g as TokensGroupBy)) groups.push(g as TokensGroupBy);
  }
  const apiGroupBy: UsageGroupBy[] = ['model', ...groups.filter((g) => g !== 'model').map((g) => GROUP_BY[g])];
  const key = requireKey(io, 'ANTHROPIC_ADMIN_API_KEY');
  const buckets = await withClient(key, common, io, (api) =>
    api.usageReport({
      startingAt: range.since,
      endingAt: range.until,
      bucketWidth: bucket,
      groupBy: apiGroupBy,
      limit: MAX_LIMIT[bucket],
    }),
  );
  const report = tokensReport(tokenRowsFromBuckets(buckets, bucket === '1d'), { groupBy: groups });
  if (common.json) printJson(io, report);
  else io.out(renderTokens(report, range));
  return EXIT_OK;
};

export function renderTokens(report: TokensReport, range: { since: string; until: string }): string {
  if (!report.days.length) return `No token usage from ${range.since} to ${range.until} (exclusive).`;
  const rows: string[][] = [];
  for (const d of report.days) {
    for (const [model, c] of Object.entries(d.byModel)) {
      rows.push([d.date, model, ...[c.uncachedInput, c.cacheWrite5m, c.cacheWrite1h, c.cacheRead, c.output, c.webSearches].map(formatInt)]);
    }
  }
  return table(['Date', 'Model', 'Input', 'Cache write 5m', 'Cache write 1h', 'Cache read', 'Output', 'Web searches'], rows, 2);
}

export default tokens;
