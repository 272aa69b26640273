/**
 * CSV and JSON export of what the dashboard shows for the visible range. Pure (the host writes the file).
 * Money is exported as exact decimal USD strings (no rounding, no binary floats); no key, partial key hint
 * or other secret is ever included (the snapshot holds none, and API keys appear only by name and id).
 *
 * CSV (RFC 4180: comma-separated, CRLF line ends, a header row, a field is quoted with `"` when it holds a
 * comma, quote, CR or LF, and quotes inside are doubled). Text fields that a spreadsheet would treat as a
 * formula (starting with `=`, `+`, `-`, `@`, tab or CR) get a leading `'`; numeric columns never do.
 * Which rows depends on the tab shown:
 * - overview, cost: one row per cost-report row in the range:
 *   `date,workspace_id,workspace,description,model,cost_type,token_type,service_tier,context_window,amount_usd`
 * - tokens: one row per daily usage-report row in the range:
 *   `date,model,workspace_id,workspace,api_key_id,api_key,service_tier,uncached_input,cache_write_5m,cache_write_1h,cache_read,output,web_searches`
 * - rateLimits: one row per family per probe snapshot: `taken_at,model,family,limit,remaining,reset`
 * - claudeCode: one row per person:
 *   `actor,actor_type,sessions,lines_added,lines_removed,commits,pull_requests,accepted,rejected,acceptance_rate,cost_usd`
 *   (`acceptance_rate` = accepted / (accepted + rejected), empty with no decisions; `cost_usd` is Anthropic's estimate)
 * - local: one row per day, project and model from this machine's transcripts:
 *   `date,project,model,input,output,cache_write_5m,cache_write_1h,cache_read,cost_usd_estimate`
 *   (`cost_usd_estimate` is the API-equivalent estimate, empty for an unpriced model)
 *
 * JSON: `{ kind: "claude-usage-dashboard", version: 1, generatedAt, tab, range: {since, until},
 * grouping, overview, cost, tokens, rateLimits, claudeCode, local, costRows }`, i.e. the dashboard's view
 * model for the range (money as decimal strings) plus the raw cost rows it was computed from.
 */
import { familyRows } from '../model/facts';
import { workspaceName } from '../model/labels';
import type { CostRow, StoreSnapshot } from '../model/snapshot';
import { buildDashboard, buildTab, resolveRange, tabContext, type DashboardSettings, type DateRange, type ViewState } from './view';

export type Cell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;

/** Quotes one CSV field. `text` fields are guarded against spreadsheet formula injection. */
export function csvField(value: Cell, text = false): string {
  if (value === null || value === undefined) return '';
  let s = typeof value === 'number' ? (Number.isFinite(value) ? String(value) : '') : value;
  if (text && FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Builds a CSV document; `textColumns` lists the header names whose values are free text. */
export function toCsv(header: readonly string[], rows: readonly (readonly Cell[])[], textColumns: readonly string[] = []): string {
  const isText = header.map((h) => textColumns.includes(h));
  const lines = [header.map((h) => csvField(h)).join(',')];
  for (const r of rows) lines.push(header.map((_, i) => csvField(r[i], isText[i])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}

export const COST_COLUMNS = ['date', 'workspace_id', 'workspace', 'description', 'model', 'cost_type', 'token_type', 'service_tier', 'context_window', 'amount_usd'] as const;
export const TOKEN_COLUMNS = ['date', 'model', 'workspace_id', 'workspace', 'api_key_id', 'api_key', 'service_tier', 'uncached_input', 'cache_write_5m', 'cache_write_1h', 'cache_read', 'output', 'web_searches'] as const;
export const RATE_COLUMNS = ['taken_at', 'model', 'family', 'limit', 'remaining', 'reset'] as const;
export const PEOPLE_COLUMNS = ['actor', 'actor_type', 'sessions', 'lines_added', 'lines_removed', 'commits', 'pull_requests', 'accepted', 'rejected', 'acceptance_rate', 'cost_usd'] as const;
export const LOCAL_COLUMNS = ['date', 'project', 'model', 'input', 'output', 'cache_write_5m', 'cache_write_1h', 'cache_read', 'cost_usd_estimate'] as const;

const TEXT = ['workspace', 'description', 'model', 'api_key', 'actor', 'project', 'family'];

function costsInRange(rows: readonly CostRow[], range: DateRange): CostRow[] {
  return rows.filter((r) => r.date >= range.since && r.date <= range.until);
}

export function exportCsv(snapshot: StoreSnapshot, view: ViewState, nowMs: number): string {
  const ctx = tabContext(snapshot, view, nowMs);
  const range = ctx.range;
  const labels = snapshot.labels.data;
  switch (view.tab) {
    case 'overview':
    case 'cost': {
      const rows = costsInRange(snapshot.costs.data?.rows ?? [], range).sort((a, b) => a.date.localeCompare(b.date));
      return toCsv(
        COST_COLUMNS,
        rows.map((r) => [r.date, r.workspaceId, workspaceName(r.workspaceId, labels), r.description, r.model, r.costType, r.tokenType, r.serviceTier, r.contextWindow, r.amountUsd]),
        TEXT,
      );
    }
    case 'tokens': {
      const rows = (snapshot.tokens.data?.daily ?? []).filter((r) => r.start.slice(0, 10) >= range.since && r.start.slice(0, 10) <= range.until);
      rows.sort((a, b) => a.start.localeCompare(b.start));
      return toCsv(
        TOKEN_COLUMNS,
        rows.map((r) => [
          r.start.slice(0, 10),
          r.model,
          r.workspaceId,
          workspaceName(r.workspaceId, labels),
          r.apiKeyId,
          r.apiKeyId === null ? null : (labels?.apiKeys.find((k) => k.id === r.apiKeyId)?.name ?? null),
          r.serviceTier,
          r.uncachedInput,
          r.cacheWrite5m,
          r.cacheWrite1h,
          r.cacheRead,
          r.output,
          r.webSearches,
        ]),
        TEXT,
      );
    }
    case 'rateLimits': {
      const data = snapshot.rateLimits.data;
      const snaps = data ? (data.history.length ? data.history : [data.current]) : [];
      const rows: Cell[][] = [];
      for (const s of snaps) for (const f of familyRows(s)) rows.push([s.takenAt, s.model, f.label, f.limit, f.remaining, f.reset]);
      return toCsv(RATE_COLUMNS, rows, TEXT);
    }
    case 'claudeCode':
      return toCsv(
        PEOPLE_COLUMNS,
        buildTab('claudeCode', ctx).people.map((p) => [p.actor, p.actorType, p.sessions, p.linesAdded, p.linesRemoved, p.commits, p.pullRequests, p.accepted, p.rejected, p.acceptanceRate, p.costUsd]),
        TEXT,
      );
    case 'local': {
      const rows = (snapshot.local.data?.days ?? []).filter((r) => r.date >= ctx.localRange.since && r.date <= ctx.localRange.until);
      rows.sort((a, b) => a.date.localeCompare(b.date) || a.project.localeCompare(b.project) || a.model.localeCompare(b.model));
      return toCsv(
        LOCAL_COLUMNS,
        rows.map((r) => [r.date, r.project, r.model, r.input, r.output, r.cacheWrite5m, r.cacheWrite1h, r.cacheRead, r.costUsd]),
        TEXT,
      );
    }
  }
}

export function exportJson(snapshot: StoreSnapshot, view: ViewState, nowMs: number, settings?: DashboardSettings): string {
  const d = buildDashboard(snapshot, view, nowMs, settings);
  const doc = {
    kind: 'claude-usage-dashboard',
    version: 1,
    generatedAt: new Date(nowMs).toISOString(),
    tab: view.tab,
    range: { since: d.range.since, until: d.range.until },
    grouping: d.grouping,
    overview: d.overview,
    cost: d.cost,
    tokens: d.tokens,
    rateLimits: d.rateLimits,
    claudeCode: d.claudeCode,
    local: d.local,
    costRows: costsInRange(snapshot.costs.data?.rows ?? [], d.range),
  };
  return `${JSON.stringify(doc, null, 2)}\n`;
}

/** A default file name such as `claude-usage-cost-2026-11-01_2026-11-27.csv`. */
export function exportFileName(view: ViewState, nowMs: number, format: 'csv' | 'json'): string {
  const r = resolveRange(view.range, nowMs);
  return `claude-usage-${view.tab}-${r.since}_${r.until}.${format}`;
}
