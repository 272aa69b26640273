/**
 * The `costs` report (CLI JSON, README "CLI"; views reuse it):
 * `{"currency":"USD","totalUsd","days":[{"date","totalUsd","byModel":{"<model or (non-token)>":"<usd>"}}]}`.
 * Days ascending; a day with no cost rows is omitted. Amounts are exact decimal strings in USD.
 * With `groupBy: 'workspace'` each day also has `byWorkspace` (key: workspace id, `(default)` for null);
 * with `groupBy: 'description'` each day also has `byDescription` (key: the API's description).
 * `byModel` needs rows fetched with `group_by[]=description` (the API nulls `model` otherwise).
 */
import { Decimal } from '../decimal';
import type { CostRow } from '../model/snapshot';

export const NON_TOKEN_MODEL = '(non-token)';
/** The Default workspace (`workspace_id: null`) in report keys; views show it as "Default" (workspaceLabel). */
export const DEFAULT_WORKSPACE = '(default)';

export type CostsGroupBy = 'workspace' | 'description';

export interface CostsDay {
  date: string;
  totalUsd: string;
  byModel: Record<string, string>;
  byWorkspace?: Record<string, string>;
  byDescription?: Record<string, string>;
}

export interface CostsReport {
  currency: 'USD';
  totalUsd: string;
  days: CostsDay[];
}

function addTo(map: Map<string, Decimal>, key: string, v: Decimal): void {
  map.set(key, (map.get(key) ?? Decimal.ZERO).add(v));
}

function toRecord(map: Map<string, Decimal>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of [...map.keys()].sort()) out[k] = map.get(k)!.toString();
  return out;
}

/** Rows in [since, until) when given (days `YYYY-MM-DD`, `until` exclusive). */
export function costsReport(
  rows: readonly CostRow[],
  options: { groupBy?: CostsGroupBy; since?: string; until?: string } = {},
): CostsReport {
  const days = new Map<string, { total: Decimal; model: Map<string, Decimal>; ws: Map<string, Decimal>; desc: Map<string, Decimal> }>();
  let total = Decimal.ZERO;
  for (const r of rows) {
    if (options.since && r.date < options.since) continue;
    if (options.until && r.date >= options.until) continue;
    const v = Decimal.parse(r.amountUsd);
    let d = days.get(r.date);
    if (!d) {
      d = { total: Decimal.ZERO, model: new Map(), ws: new Map(), desc: new Map() };
      days.set(r.date, d);
    }
    d.total = d.total.add(v);
    total = total.add(v);
    addTo(d.model, r.model ?? NON_TOKEN_MODEL, v);
    addTo(d.ws, r.workspaceId ?? DEFAULT_WORKSPACE, v);
    addTo(d.desc, r.description ?? '(none)', v);
  }
  return {
    currency: 'USD',
    totalUsd: total.toString(),
    days: [...days.keys()].sort().map((date) => {
      const d = days.get(date)!;
      const day: CostsDay = { date, totalUsd: d.total.toString(), byModel: toRecord(d.model) };
      if (options.groupBy === 'workspace') day.byWorkspace = toRecord(d.ws);
      if (options.groupBy === 'description') day.byDescription = toRecord(d.desc);
      return day;
    }),
  };
}
