/**
 * `claude-usage local`: Claude Code usage from this machine's transcripts (no key, no network).
 * JSON contract: {"days":[{"date","byModel":{"<model>":{"input","output","cacheWrite5m","cacheWrite1h",
 * "cacheRead","costUsd"}}}],"unpricedModels":[...],"skippedLines":n,"skipped":{"corrupt","tooLarge",
 * "synthetic","apiError","replay","duplicate"},"pricesAsOf":"YYYY-MM-DD"} (+ "missing":{"files","entries",
 * "tokens","costUsd"} with --index); `costUsd` is an exact decimal string (null for an unpriced model),
 * `input` is uncached input, fast-mode usage is its own "<model> (fast)" row, `--until` is exclusive.
 */
import * as fs from 'node:fs';
import { Decimal, formatUsd } from '../core/decimal';
import { validateOverrides, type PriceOverrides, type TokenCounts } from '../core/pricing';
import { LocalUsageEngine, type LocalRefresh } from '../core/local/service';
import { monthOf, weekOf } from '../core/model/days';
import { missingText, skippedText } from '../core/model/facts';
import { plural } from '../core/model/format';
import { checkTimeZone, systemTimeZone } from '../core/model/zones';
import { systemClock } from '../core/clock';
import { BUDGET_HELP, budgetLine, budgetPeriod, coverPeriod, daysWithin, localBudget, parseBudgetOption } from './budget';
import type { LocalUsageDay } from '../core/model/snapshot';
import { addLocalTokens } from '../core/reports/tokens';
import { type CliIo, type Command, EXIT_OK, parseDay, UsageError } from './common';
import { noteRunPaths } from './runPaths';

const HELP = `Usage: claude-usage local [--dir PATH]... [--since YYYY-MM-DD] [--until YYYY-MM-DD]
                          [--timezone IANA|UTC] [--index DIR] [--prices FILE.json]
                          [--by day|week|month|model|project|session] [--windows] [--json] [--threads 1|2]
                          [--budget USD [--period day|month]]
Reads Claude Code transcripts (default: $CLAUDE_CONFIG_DIR/projects, ~/.config/claude/projects,
~/.claude/projects). Costs are API-equivalent estimates. --until is exclusive. --index keeps a persistent
index so later runs read only appended bytes and keep history after Claude Code deletes old transcripts;
pointing it at the extension's (<VS Code global storage>/claude-usage.claude-usage/local-index) shares it,
safely while VS Code runs. A first scan of more than 64 MB is split with one helper thread unless --threads 1.
${BUDGET_HELP}; the period is the current day or month in --timezone (an API-equivalent estimate).`;

type By = 'day' | 'week' | 'month' | 'model' | 'project' | 'session';

interface Args {
  dirs: string[];
  since?: string;
  until?: string;
  timezone?: string;
  index?: string;
  prices?: PriceOverrides;
  by: By;
  windows: boolean;
  json: boolean;
  help: boolean;
  threads: number;
  budget?: string;
  period?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { dirs: [], by: 'day', windows: false, json: false, help: false, threads: 2 };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    switch (flag) {
      case '--dir':
        a.dirs.push(value());
        break;
      case '--since':
        a.since = parseDay(value(), '--since');
        break;
      case '--until':
        a.until = parseDay(value(), '--until');
        break;
      case '--timezone':
      case '--tz':
        try {
          a.timezone = checkTimeZone(value());
        } catch (e) {
          throw new UsageError((e as Error).message);
        }
        break;
      case '--index':
        a.index = value();
        break;
      case '--prices': {
        const file = value();
        let parsed: unknown;
        try {
          parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
        } catch (e) {
          throw new UsageError(`--prices ${file}: ${(e as Error).message}`);
        }
        const problems = validateOverrides(parsed as PriceOverrides);
        if (typeof parsed !== 'object' || parsed === null || problems.length) {
          throw new UsageError(`--prices ${file}: ${problems.join('; ') || 'must be an object of model prefix → prices'}`);
        }
        a.prices = parsed as PriceOverrides;
        break;
      }
      case '--by': {
        const v = value();
        if (!['day', 'week', 'month', 'model', 'project', 'session'].includes(v)) throw new UsageError(`--by must be day, week, month, model, project or session, got "${v}".`);
        a.by = v as By;
        break;
      }
      case '--windows':
        a.windows = true;
        break;
      case '--threads': {
        const v = value();
        if (v !== '1' && v !== '2') throw new UsageError(`--threads must be 1 or 2, got "${v}".`);
        a.threads = Number(v);
        break;
      }
      case '--json':
        a.json = true;
        break;
      case '--budget':
        a.budget = value();
        break;
      case '--period':
        a.period = value();
        break;
      case '--help':
      case '-h':
        a.help = true;
        break;
      default:
        throw new UsageError(`unknown option "${flag}" for local.\n${HELP}`);
    }
  }
  if (a.since && a.until && a.until <= a.since) throw new UsageError('--until must be after --since (it is exclusive).');
  return a;
}

interface ModelTotals extends TokenCounts {
  costUsd: string | null;
}

/**
 * Collapses (day, project, model) rows to the CLI contract's per-day, per-model shape. A group of one row (every
 * group when rows are not split by project, as with --json) keeps the row's cost text, an exact decimal the
 * engine printed: parsing and printing it again cost ~1.3 ms of a 0.2 s warm run.
 */
export function byDayAndModel(rows: LocalUsageDay[]): { date: string; byModel: Record<string, ModelTotals> }[] {
  const days = new Map<string, Map<string, { t: ModelTotals; cost: Decimal | string | null }>>();
  for (const r of rows) {
    let d = days.get(r.date);
    if (!d) days.set(r.date, (d = new Map()));
    const m = d.get(r.model);
    if (!m) {
      const t = { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd: null };
      addLocalTokens(t, r);
      d.set(r.model, { t, cost: r.costUsd });
      continue;
    }
    addLocalTokens(m.t, r);
    m.cost = r.costUsd === null || m.cost === null ? null : (typeof m.cost === 'string' ? Decimal.parse(m.cost) : m.cost).add(Decimal.parse(r.costUsd));
  }
  return [...days.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([date, models]) => ({
      date,
      byModel: Object.fromEntries(
        [...models.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([model, { t, cost }]) => [model, { ...t, costUsd: cost === null ? null : cost.toString() }]),
      ),
    }));
}

/** The paths a run took through the engine and the output, as bits for the code cache (runPaths.ts). */
function runPathsOf(stats: LocalRefresh['stats'], json: boolean): number {
  return (
    (stats.indexLoaded.startsWith('index') ? 1 : 0) |
    (stats.replayed > 0 ? 2 : 0) |
    (stats.filesRead > 0 ? 4 : 0) |
    (stats.helper ? 8 : 0) |
    (stats.save.mode === 'journal' ? 16 : 0) |
    (stats.save.mode === 'base' ? 32 : 0) |
    (json ? 64 : 128)
  );
}

const int = (n: number) => n.toLocaleString('en-US');

function table(io: CliIo, header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  io.out([line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n'));
}

const command: Command = async (argv, io) => {
  const a = parseArgs(argv);
  if (a.help) {
    io.out(HELP);
    return EXIT_OK;
  }
  const engine = new LocalUsageEngine({
    ...(a.dirs.length ? { roots: a.dirs } : {}),
    env: io.env,
    ...(a.index ? { indexDir: a.index, aggregateCache: true } : {}),
    ...(a.timezone ? { timezone: a.timezone } : {}),
    ...(a.prices ? { priceOverrides: a.prices } : {}),
    ...(a.threads === 1 ? { parallelThreshold: Infinity } : {}),
  });
  for (const d of a.dirs) {
    if (!fs.existsSync(d)) throw new UsageError(`--dir ${d} does not exist.`);
  }
  const roots = engine.roots();
  if (roots.length === 0 && !a.json) {
    io.err('No Claude Code transcript folder found ($CLAUDE_CONFIG_DIR/projects, ~/.config/claude/projects, ~/.claude/projects). Use --dir PATH.');
  }
  // --budget: the read also covers the budget's whole period; the report still shows --since..--until.
  const budget = parseBudgetOption(a.budget, a.period);
  const now = systemClock.now();
  const period = budget ? budgetPeriod(budget, now, a.timezone ?? systemTimeZone()) : undefined;
  const query = period ? coverPeriod(a, period) : a;
  const { data: read, report, stats } = await engine.refresh({
    ...(query.since ? { since: query.since } : {}),
    ...(query.until ? { until: query.until } : {}),
    // Windows and sessions cost time on big histories: only when asked for (or shown in the table view).
    details: a.windows || a.by === 'session' || !a.json,
    // Per-project rows only where they are shown.
    byProject: !a.json && a.by === 'project',
  });
  noteRunPaths(runPathsOf(stats, a.json));
  const data = period ? { ...read, days: daysWithin(read.days, a.since, a.until) } : read;
  const b = budget && period ? localBudget(budget, period, read.days, now) : undefined;
  if (a.json) {
    const out: Record<string, unknown> = {
      days: byDayAndModel(data.days),
      unpricedModels: data.unpricedModels,
      skippedLines: data.skippedLines,
      skipped: data.skipped,
      pricesAsOf: data.pricesAsOf,
    };
    if (a.index) out.missing = data.missing;
    if (a.windows) out.windows = report.windows;
    if (b) out.budget = b.json;
    io.out(JSON.stringify(out, null, 2));
    return b?.exitCode ?? EXIT_OK;
  }
  io.out(`Claude Code usage from ${plural(data.files, 'transcript file')} in ${roots.join(', ') || '(none)'}; time zone ${data.timezone}.`);
  io.out(`Costs are an API-equivalent estimate (prices as of ${data.pricesAsOf}); subscription plans do not pay them.\n`);
  const groups = new Map<string, { t: ModelTotals; cost: Decimal; unpriced: boolean }>();
  const keyOf = (r: LocalUsageDay): string =>
    a.by === 'day' ? r.date : a.by === 'week' ? weekOf(r.date) : a.by === 'month' ? monthOf(r.date) : a.by === 'model' ? r.model : r.project;
  if (a.by === 'session') {
    table(
      io,
      ['session', 'project', 'first', 'last', 'tokens', 'cost (estimate)'],
      report.sessions.map((s) => [s.sessionId, s.project, s.first.slice(0, 16), s.last.slice(0, 16), int(s.tokens), s.costUsd === null ? 'unpriced' : formatUsd(Decimal.parse(s.costUsd))]),
    );
  } else {
    for (const r of data.days) {
      const k = keyOf(r);
      let g = groups.get(k);
      if (!g) groups.set(k, (g = { t: { input: 0, output: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd: null }, cost: Decimal.ZERO, unpriced: false }));
      addLocalTokens(g.t, r);
      if (r.costUsd === null) g.unpriced = true;
      else g.cost = g.cost.add(Decimal.parse(r.costUsd));
    }
    let total = Decimal.ZERO;
    const rows = [...groups.entries()]
      .sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))
      .map(([k, g]) => {
        total = total.add(g.cost);
        return [k, int(g.t.input), int(g.t.output), int(g.t.cacheWrite5m), int(g.t.cacheWrite1h), int(g.t.cacheRead), formatUsd(g.cost) + (g.unpriced ? ' +unpriced' : '')];
      });
    rows.push(['total', '', '', '', '', '', formatUsd(total)]);
    table(io, [a.by, 'input', 'output', 'cache write 5m', 'cache write 1h', 'cache read', 'cost (API-equivalent estimate)'], rows);
  }
  if (data.unpricedModels.length) {
    io.out(`\nUnpriced models (not in the price table; add them with --prices): ${data.unpricedModels.map((m) => {
      const t = data.unpricedTokens?.[m];
      return t ? `${m} (${int(t.input + t.output + t.cacheWrite5m + t.cacheWrite1h + t.cacheRead)} tokens)` : m;
    }).join(', ')}`);
  }
  if (a.windows || report.currentWindow?.active) {
    const w = report.currentWindow;
    if (w?.active) {
      io.out(`\nCurrent 5-hour window (local estimate): ${w.start} → ${w.end}, ${int(w.tokens)} tokens, ${formatUsd(Decimal.parse(w.costUsd))}; burn ${int(Math.round(w.burnTokensPerHour))} tokens/h, ${formatUsd(Decimal.parse(w.burnUsdPerHour))}/h; projected ${formatUsd(Decimal.parse(w.projectedCostUsd))}.`);
    }
    if (a.windows) {
      table(io, ['window start', 'end', 'tokens', 'cost (estimate)'], report.windows.map((x) => [x.start.slice(0, 16), x.end.slice(0, 16), int(x.tokens), formatUsd(Decimal.parse(x.costUsd))]));
    }
  }
  const sk = data.skipped;
  if (sk && Object.values(sk).some((n) => n > 0)) io.out(`\n${skippedText(data)}`);
  const missing = missingText(data);
  if (missing) io.out(`${missing} (${int(data.missing!.tokens)} tokens in this report; the index keeps their usage after Claude Code deletes them).`);
  if (b) io.out(`\n${budgetLine(b)}`);
  return b?.exitCode ?? EXIT_OK;
};

export default command;
