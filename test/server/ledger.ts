/**
 * The ground truth of the local Anthropic server, computed straight from the organization's raw rows
 * (never through HTTP), in exactly the JSON shapes of the `claude-usage` CLI (issue 2, item 4), so a
 * test can `assert.deepStrictEqual(cliJson, server.ledger.expectedX(...))`.
 *
 * Rules the CLI must match:
 * - Arguments `since`/`until` are UTC days `YYYY-MM-DD`; `until` is EXCLUSIVE; an omitted `until` means
 *   "through today" (the day containing the server's `now`).
 * - Days are UTC `YYYY-MM-DD`, ascending. A day with no data is OMITTED (no zero entries) in all three.
 * - Money is a JSON string in US DOLLARS: the exact sum of the API's cent amounts divided by 100,
 *   printed with `Decimal#toString()` from src/core/decimal.ts: every digit, no exponent, no trailing
 *   fractional zeros, no trailing dot ("12.5", "0.000123", "3", "0"). Never rounded.
 * - costs: `byModel` keys are the cost report's `model` (the id exactly as the API sends it) for token
 *   costs, and the single key "(non-token)" for every line whose `model` is null (web search, code
 *   execution, session usage). Each day's `totalUsd` is the sum of its byModel values; the top-level
 *   `totalUsd` the sum of the days. With groupBy 'workspace' each day also has
 *   `byWorkspace: {"<workspace id>" | "(default)": usd}` (Default workspace = null id = "(default)");
 *   with groupBy 'description' each day also has `byDescription: {"<description>": usd}`.
 *   Without groupBy neither key is present.
 * - tokens: `byModel` maps model id to integer counts: uncachedInput = uncached_input_tokens,
 *   cacheWrite5m/cacheWrite1h = cache_creation.ephemeral_5m/1h_input_tokens, cacheRead =
 *   cache_read_input_tokens, output = output_tokens, webSearches = server_tool_use.web_search_requests;
 *   summed over every other dimension (keys, workspaces, tiers, Workbench rows included).
 * - claude-code: per day, sums over every record of that day (an actor may have several records a day):
 *   sessions = core_metrics.num_sessions, linesAdded/linesRemoved = lines_of_code.added/removed,
 *   commits = commits_by_claude_code, pullRequests = pull_requests_by_claude_code,
 *   toolAccepted/toolRejected = sums of accepted/rejected over EVERY tool in tool_actions,
 *   costUsd = sum of model_breakdown[].estimated_cost.amount (cents, a JSON number, read exactly via its
 *   shortest decimal form, i.e. `Decimal.fromNumber`) / 100 as a dollar string.
 *   `actors` has the same fields summed over the whole range, `actor` = email_address for user_actor and
 *   api_key_name for api_actor; sorted by costUsd DESCENDING (numerically), ties by actor ascending
 *   (JS string comparison). Only records the API would return now (hours older than 1 hour) count.
 * - Object keys inside byModel/byWorkspace/byDescription carry no order guarantee (deepStrictEqual
 *   ignores key order); arrays are ordered as stated.
 */
import { Decimal } from '../../src/core/decimal';
import {
  DAY_MS,
  claudeCodeRecordsForDay,
  dayStartOf,
  dayString,
  tokenDescription,
  WEB_SEARCH_CENTS_PER_REQUEST,
  WEB_SEARCH_DESCRIPTION,
  HOUR_MS,
  type Org,
} from './org';
import { TOKEN_TYPES, tokenCostCents } from './prices';

export interface ExpectedCostDay {
  date: string;
  totalUsd: string;
  byModel: Record<string, string>;
  byWorkspace?: Record<string, string>;
  byDescription?: Record<string, string>;
}
export interface ExpectedCosts {
  currency: 'USD';
  totalUsd: string;
  days: ExpectedCostDay[];
}

export interface TokenCountsJson {
  uncachedInput: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  output: number;
  webSearches: number;
}
export interface ExpectedTokens {
  days: Array<{ date: string; byModel: Record<string, TokenCountsJson> }>;
}

export interface ClaudeCodeTotals {
  sessions: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  toolAccepted: number;
  toolRejected: number;
  costUsd: string;
}
export interface ExpectedClaudeCode {
  days: Array<{ date: string } & ClaudeCodeTotals>;
  actors: Array<{ actor: string } & ClaudeCodeTotals>;
}

export const NON_TOKEN_KEY = '(non-token)';
export const DEFAULT_WORKSPACE_KEY = '(default)';

function parseDay(day: string, name: string): number {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new RangeError(`${name} must be YYYY-MM-DD`);
  return Date.parse(`${day}T00:00:00Z`);
}

function addTo(map: Map<string, Decimal>, key: string, v: Decimal): void {
  map.set(key, (map.get(key) ?? Decimal.ZERO).add(v));
}

function usdRecord(map: Map<string, Decimal>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...map.keys()].sort()) out[k] = (map.get(k) as Decimal).shift(2).toString();
  return out;
}

export class Ledger {
  constructor(
    readonly org: Org,
    private readonly now: () => number,
  ) {}

  private range(since: string, until?: string): [number, number] {
    const a = parseDay(since, 'since');
    const b = until === undefined ? dayStartOf(this.org.generatedAt) + DAY_MS : parseDay(until, 'until');
    return [a, b];
  }

  expectedCosts(since: string, until?: string, groupBy?: 'workspace' | 'description'): ExpectedCosts {
    const [a, b] = this.range(since, until);
    interface DayAcc {
      total: Decimal;
      byModel: Map<string, Decimal>;
      byWorkspace: Map<string, Decimal>;
      byDescription: Map<string, Decimal>;
    }
    const days = new Map<number, DayAcc>();
    const dayAcc = (d: number): DayAcc => {
      let acc = days.get(d);
      if (!acc) days.set(d, (acc = { total: Decimal.ZERO, byModel: new Map(), byWorkspace: new Map(), byDescription: new Map() }));
      return acc;
    };
    const book = (d: number, model: string | null, ws: string | null, description: string, cents: Decimal): void => {
      const acc = dayAcc(d);
      acc.total = acc.total.add(cents);
      addTo(acc.byModel, model ?? NON_TOKEN_KEY, cents);
      addTo(acc.byWorkspace, ws ?? DEFAULT_WORKSPACE_KEY, cents);
      addTo(acc.byDescription, description, cents);
    };
    // Sum integer tokens per (day, model, tier, geo, workspace) first, then price: exact either way.
    const sums = new Map<string, { d: number; model: string; tier: string; geo: string; ws: string | null; t: number[] }>();
    for (const r of this.org.rows) {
      if (r.t < a || r.t >= b) continue;
      const d = dayStartOf(r.t);
      const k = `${d}|${r.model}|${r.serviceTier}|${r.inferenceGeo}|${r.workspaceId ?? ''}`;
      let s = sums.get(k);
      if (!s) sums.set(k, (s = { d, model: r.model, tier: r.serviceTier, geo: r.inferenceGeo, ws: r.workspaceId, t: [0, 0, 0, 0, 0, 0] }));
      const t = s.t as [number, number, number, number, number, number];
      t[0] += r.uncachedInput;
      t[1] += r.cacheWrite5m;
      t[2] += r.cacheWrite1h;
      t[3] += r.cacheRead;
      t[4] += r.output;
      t[5] += r.webSearches;
    }
    for (const s of sums.values()) {
      TOKEN_TYPES.forEach((tt, i) => {
        const n = s.t[i] as number;
        if (n > 0) book(s.d, s.model, s.ws, tokenDescription(s.model, tt, s.tier), tokenCostCents(s.model, tt, n, s.tier, s.geo));
      });
      const web = s.t[5] as number;
      if (web > 0) book(s.d, null, s.ws, WEB_SEARCH_DESCRIPTION, WEB_SEARCH_CENTS_PER_REQUEST.mulInt(web));
    }
    for (const c of this.org.nonTokenCosts) {
      if (c.dayStart < a || c.dayStart >= b) continue;
      book(c.dayStart, null, c.workspaceId, c.description, c.cents);
    }
    let total = Decimal.ZERO;
    const out: ExpectedCostDay[] = [];
    for (const d of [...days.keys()].sort((x, y) => x - y)) {
      const acc = days.get(d) as DayAcc;
      total = total.add(acc.total);
      const day: ExpectedCostDay = { date: dayString(d), totalUsd: acc.total.shift(2).toString(), byModel: usdRecord(acc.byModel) };
      if (groupBy === 'workspace') day.byWorkspace = usdRecord(acc.byWorkspace);
      if (groupBy === 'description') day.byDescription = usdRecord(acc.byDescription);
      out.push(day);
    }
    return { currency: 'USD', totalUsd: total.shift(2).toString(), days: out };
  }

  expectedTokens(since: string, until?: string): ExpectedTokens {
    const [a, b] = this.range(since, until);
    const days = new Map<number, Map<string, TokenCountsJson>>();
    for (const r of this.org.rows) {
      if (r.t < a || r.t >= b) continue;
      const d = dayStartOf(r.t);
      let byModel = days.get(d);
      if (!byModel) days.set(d, (byModel = new Map()));
      let c = byModel.get(r.model);
      if (!c) byModel.set(r.model, (c = { uncachedInput: 0, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 0, webSearches: 0 }));
      c.uncachedInput += r.uncachedInput;
      c.cacheWrite5m += r.cacheWrite5m;
      c.cacheWrite1h += r.cacheWrite1h;
      c.cacheRead += r.cacheRead;
      c.output += r.output;
      c.webSearches += r.webSearches;
    }
    return {
      days: [...days.keys()]
        .sort((x, y) => x - y)
        .map((d) => {
          const byModel = days.get(d) as Map<string, TokenCountsJson>;
          const rec: Record<string, TokenCountsJson> = {};
          for (const m of [...byModel.keys()].sort()) rec[m] = byModel.get(m) as TokenCountsJson;
          return { date: dayString(d), byModel: rec };
        }),
    };
  }

  expectedClaudeCode(since: string, until?: string): ExpectedClaudeCode {
    const [a, b] = this.range(since, until);
    const cutoff = this.now() - HOUR_MS;
    interface Acc {
      sessions: number;
      linesAdded: number;
      linesRemoved: number;
      commits: number;
      pullRequests: number;
      toolAccepted: number;
      toolRejected: number;
      cents: Decimal;
    }
    const zero = (): Acc => ({ sessions: 0, linesAdded: 0, linesRemoved: 0, commits: 0, pullRequests: 0, toolAccepted: 0, toolRejected: 0, cents: Decimal.ZERO });
    const totals = (acc: Acc): ClaudeCodeTotals => ({
      sessions: acc.sessions,
      linesAdded: acc.linesAdded,
      linesRemoved: acc.linesRemoved,
      commits: acc.commits,
      pullRequests: acc.pullRequests,
      toolAccepted: acc.toolAccepted,
      toolRejected: acc.toolRejected,
      costUsd: acc.cents.shift(2).toString(),
    });
    const days: ExpectedClaudeCode['days'] = [];
    const actors = new Map<string, Acc>();
    for (let d = a; d < b; d += DAY_MS) {
      const records = claudeCodeRecordsForDay(this.org, d, cutoff);
      if (records.length === 0) continue;
      const day = zero();
      for (const r of records) {
        const name = r.actor.type === 'user_actor' ? r.actor.email_address : r.actor.api_key_name;
        let actor = actors.get(name);
        if (!actor) actors.set(name, (actor = zero()));
        for (const acc of [day, actor]) {
          acc.sessions += r.core_metrics.num_sessions;
          acc.linesAdded += r.core_metrics.lines_of_code.added;
          acc.linesRemoved += r.core_metrics.lines_of_code.removed;
          acc.commits += r.core_metrics.commits_by_claude_code;
          acc.pullRequests += r.core_metrics.pull_requests_by_claude_code;
          for (const t of Object.values(r.tool_actions)) {
            acc.toolAccepted += t.accepted;
            acc.toolRejected += t.rejected;
          }
          for (const m of r.model_breakdown) acc.cents = acc.cents.add(Decimal.fromNumber(m.estimated_cost.amount));
        }
      }
      days.push({ date: dayString(d), ...totals(day) });
    }
    const actorList = [...actors.entries()]
      .sort((x, y) => {
        const c = y[1].cents.cmp(x[1].cents);
        return c !== 0 ? c : x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0;
      })
      .map(([actor, acc]) => ({ actor, ...totals(acc) }));
    return { days, actors: actorList };
  }
}
