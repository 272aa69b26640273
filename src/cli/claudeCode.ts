/** `claude-usage claude-code --since D [--until D]` (ANTHROPIC_ADMIN_API_KEY): Claude Code productivity per day and person. */
import { usd } from '../core/model/format';
import { claudeCodeRowsFromRecords } from '../core/model/rows';
import { acceptanceRate, claudeCodeReport, type ClaudeCodeReport, type ClaudeCodeTotals } from '../core/reports/claudeCode';
import { EXIT_OK, type Command } from './common';
import { formatInt, parseReportCommand, printJson, requireKey, table, withClient } from './output';

const HELP = `Usage: claude-usage claude-code --since YYYY-MM-DD [--until YYYY-MM-DD] [--json]
Claude Code sessions, lines, commits, pull requests, tool acceptance and estimated cost per day and person
(needs ANTHROPIC_ADMIN_API_KEY). One request per UTC day, at most 4 in flight. --until is exclusive (default: tomorrow, UTC).`;

const claudeCode: Command = async (argv, io) => {
  const parsed = parseReportCommand(argv, io, HELP, {});
  if (!parsed) return EXIT_OK;
  const { common, range } = parsed;
  const key = requireKey(io, 'ANTHROPIC_ADMIN_API_KEY');
  const byDay = await withClient(key, common, io, (api) => api.claudeCodeRange(range.since, range.until, { concurrency: 4 }));
  const report = claudeCodeReport(claudeCodeRowsFromRecords([...byDay.values()].flat()), range);
  if (common.json) printJson(io, report);
  else io.out(renderClaudeCode(report, range));
  return EXIT_OK;
};

function cells(t: ClaudeCodeTotals): string[] {
  const rate = acceptanceRate(t.toolAccepted, t.toolRejected);
  return [
    formatInt(t.sessions),
    `+${formatInt(t.linesAdded)}`,
    `-${formatInt(t.linesRemoved)}`,
    formatInt(t.commits),
    formatInt(t.pullRequests),
    rate === undefined ? '-' : `${(rate * 100).toFixed(1)}%`,
    usd(t.costUsd),
  ];
}

export function renderClaudeCode(report: ClaudeCodeReport, range: { since: string; until: string }): string {
  if (!report.days.length) return `No Claude Code activity from ${range.since} to ${range.until} (exclusive).`;
  const head = ['Sessions', 'Lines added', 'Lines removed', 'Commits', 'PRs', 'Accepted', 'Est. cost'];
  return [
    table(['Date', ...head], report.days.map((d) => [d.date, ...cells(d)])),
    '',
    table(['Person', ...head], report.actors.map((a) => [a.actor, ...cells(a)])),
    '',
    'Costs are Anthropic estimates; Accepted = tool actions accepted / (accepted + rejected).',
  ].join('\n');
}

export default claudeCode;
