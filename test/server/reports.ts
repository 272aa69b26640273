/**
 * Query engines behind the report endpoints, independent of HTTP: bucketed, grouped, filtered views of
 * the organization's rows. Per-hour and per-day aggregates (keyed by the full dimension tuple) are built
 * lazily on first use and cached, so a 31-day 1d page is a few map merges.
 */
import { Decimal } from '../../src/core/decimal';
import {
  DAY_MS,
  HOUR_MS,
  MINUTE_MS,
  TOKEN_FIELDS,
  TOKEN_TYPES,
  WEB_SEARCH_CENTS_PER_REQUEST,
  WEB_SEARCH_DESCRIPTION,
  isoSeconds,
  tokenDescription,
  type CostType,
  type Org,
  type UsageRow,
} from './org';
import { tokenCostCents, type TokenType } from './prices';

export const USAGE_DIMS = [
  'api_key_id',
  'workspace_id',
  'model',
  'service_tier',
  'context_window',
  'inference_geo',
  'account_id',
  'service_account_id',
  'speed',
] as const;
export type UsageDim = (typeof USAGE_DIMS)[number];

/** Filter query names (bracket form) to the dimension they filter. Note `context_window[]` is singular. */
export const USAGE_FILTERS: Record<string, UsageDim> = {
  'api_key_ids[]': 'api_key_id',
  'workspace_ids[]': 'workspace_id',
  'models[]': 'model',
  'service_tiers[]': 'service_tier',
  'context_window[]': 'context_window',
  'inference_geos[]': 'inference_geo',
  'account_ids[]': 'account_id',
  'service_account_ids[]': 'service_account_id',
  'speeds[]': 'speed',
};

const ROW_DIM: Record<UsageDim, (r: UsageRow) => string | null> = {
  api_key_id: (r) => r.apiKeyId,
  workspace_id: (r) => r.workspaceId,
  model: (r) => r.model,
  service_tier: (r) => r.serviceTier,
  context_window: (r) => r.contextWindow,
  inference_geo: (r) => r.inferenceGeo,
  account_id: (r) => r.accountId,
  service_account_id: (r) => r.serviceAccountId,
  speed: (r) => r.speed,
};

/** uncached, 5m write, 1h write, cache read, output, web searches. */
type Tokens = [number, number, number, number, number, number];

interface Agg {
  dims: Array<string | null>;
  tokens: Tokens;
}

export type BucketWidth = '1m' | '1h' | '1d';
export const WIDTH_MS: Record<BucketWidth, number> = { '1m': MINUTE_MS, '1h': HOUR_MS, '1d': DAY_MS };

const SEP = '\u0001';

function keyOf(dims: Array<string | null>): string {
  return dims.map((d) => (d === null ? '\u0000' : d)).join(SEP);
}

export interface UsageResultWire {
  uncached_input_tokens: number;
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
  cache_read_input_tokens: number;
  output_tokens: number;
  server_tool_use: { web_search_requests: number };
  api_key_id: string | null;
  workspace_id: string | null;
  model: string | null;
  service_tier: string | null;
  context_window: string | null;
  inference_geo: string | null;
  account_id: string | null;
  service_account_id: string | null;
  speed: string | null;
  [extra: string]: unknown;
}

export interface CostResultWire {
  currency: 'USD';
  amount: string;
  workspace_id: string | null;
  description: string | null;
  cost_type: CostType | null;
  context_window: string | null;
  model: string | null;
  service_tier: string | null;
  token_type: TokenType | null;
  inference_geo: string | null;
  [extra: string]: unknown;
}

interface CostLine {
  workspaceId: string | null;
  description: string;
  costType: CostType;
  model: string | null;
  tokenType: TokenType | null;
  serviceTier: string | null;
  contextWindow: string | null;
  inferenceGeo: string | null;
  cents: Decimal;
}

export interface UsageQueryParams {
  width: BucketWidth;
  groupBy: UsageDim[];
  filters: Partial<Record<UsageDim, Set<string>>>;
}

export class Reports {
  private readonly hourAgg = new Map<number, Agg[]>();
  private readonly dayAgg = new Map<number, Agg[]>();
  private readonly dayCost = new Map<number, CostLine[]>();
  /** Finished bucket results per (bucket, query) for 1h/1d widths: repeated pages are map lookups. */
  private readonly memo = new Map<string, unknown[]>();

  constructor(readonly org: Org) {}

  /** Index of the first row with `t >= ms`. */
  private lowerBound(ms: number): number {
    const rows = this.org.rows;
    let lo = 0;
    let hi = rows.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((rows[mid] as UsageRow).t < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Rows with start <= t < end. */
  rowsBetween(start: number, end: number): UsageRow[] {
    return this.org.rows.slice(this.lowerBound(start), this.lowerBound(end));
  }

  private aggregateRows(rows: Iterable<UsageRow>): Agg[] {
    const map = new Map<string, Agg>();
    for (const r of rows) {
      const dims = USAGE_DIMS.map((d) => ROW_DIM[d](r));
      const k = keyOf(dims);
      let a = map.get(k);
      if (!a) map.set(k, (a = { dims, tokens: [0, 0, 0, 0, 0, 0] }));
      const t = a.tokens;
      t[0] += r.uncachedInput;
      t[1] += r.cacheWrite5m;
      t[2] += r.cacheWrite1h;
      t[3] += r.cacheRead;
      t[4] += r.output;
      t[5] += r.webSearches;
    }
    return [...map.values()];
  }

  private merge(parts: Agg[][]): Agg[] {
    const map = new Map<string, Agg>();
    for (const list of parts) {
      for (const a of list) {
        const k = keyOf(a.dims);
        const m = map.get(k);
        if (!m) map.set(k, { dims: a.dims, tokens: [...a.tokens] as Tokens });
        else for (let i = 0; i < 6; i++) m.tokens[i] = (m.tokens[i] as number) + (a.tokens[i] as number);
      }
    }
    return [...map.values()];
  }

  private hour(start: number): Agg[] {
    let a = this.hourAgg.get(start);
    if (!a) this.hourAgg.set(start, (a = this.aggregateRows(this.rowsBetween(start, start + HOUR_MS))));
    return a;
  }

  private day(start: number): Agg[] {
    let a = this.dayAgg.get(start);
    if (!a) this.dayAgg.set(start, (a = this.aggregateRows(this.rowsBetween(start, start + DAY_MS))));
    return a;
  }

  private bucketAggs(start: number, width: BucketWidth): Agg[] {
    if (width === '1d') return this.day(start);
    if (width === '1h') return this.hour(start);
    return this.aggregateRows(this.rowsBetween(start, start + MINUTE_MS));
  }

  /** The results of one usage bucket. */
  usageBucket(start: number, q: UsageQueryParams): UsageResultWire[] {
    if (q.width === '1m') return this.usageBucketUncached(start, q);
    const key = `u|${start}|${q.width}|${[...q.groupBy].sort().join(',')}|${Object.entries(q.filters)
      .map(([d, set]) => `${d}=${[...set].sort().join(',')}`)
      .sort()
      .join('&')}`;
    let r = this.memo.get(key) as UsageResultWire[] | undefined;
    if (!r) this.memo.set(key, (r = this.usageBucketUncached(start, q)));
    return r;
  }

  private usageBucketUncached(start: number, q: UsageQueryParams): UsageResultWire[] {
    const idx = q.groupBy.map((d) => USAGE_DIMS.indexOf(d));
    const filters = Object.entries(q.filters).map(([d, set]) => [USAGE_DIMS.indexOf(d as UsageDim), set] as const);
    const grouped = new Map<string, Agg>();
    for (const a of this.bucketAggs(start, q.width)) {
      if (filters.some(([i, set]) => !set.has(a.dims[i] as string))) continue;
      const dims = USAGE_DIMS.map((_, i) => (idx.includes(i) ? (a.dims[i] ?? null) : null));
      const k = keyOf(dims);
      const g = grouped.get(k);
      if (!g) grouped.set(k, { dims, tokens: [...a.tokens] as Tokens });
      else for (let i = 0; i < 6; i++) g.tokens[i] = (g.tokens[i] as number) + (a.tokens[i] as number);
    }
    return [...grouped.entries()]
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .map(([, g]) => {
        const [u, w5, w1, cr, out, web] = g.tokens;
        const res: UsageResultWire = {
          uncached_input_tokens: u,
          cache_creation: { ephemeral_1h_input_tokens: w1, ephemeral_5m_input_tokens: w5 },
          cache_read_input_tokens: cr,
          output_tokens: out,
          server_tool_use: { web_search_requests: web },
          api_key_id: null,
          workspace_id: null,
          model: null,
          service_tier: null,
          context_window: null,
          inference_geo: null,
          account_id: null,
          service_account_id: null,
          speed: null,
        };
        USAGE_DIMS.forEach((d, i) => {
          res[d] = g.dims[i] ?? null;
        });
        return res;
      });
  }

  private costLines(dayStart: number): CostLine[] {
    let lines = this.dayCost.get(dayStart);
    if (lines) return lines;
    lines = [];
    const aggs = this.day(dayStart);
    const iWs = USAGE_DIMS.indexOf('workspace_id');
    const iModel = USAGE_DIMS.indexOf('model');
    const iTier = USAGE_DIMS.indexOf('service_tier');
    const iCw = USAGE_DIMS.indexOf('context_window');
    const iGeo = USAGE_DIMS.indexOf('inference_geo');
    const webByWs = new Map<string | null, number>();
    for (const a of aggs) {
      const model = a.dims[iModel] as string;
      const tier = a.dims[iTier] as string;
      const geo = a.dims[iGeo] as string;
      const ws = a.dims[iWs] ?? null;
      TOKEN_TYPES.forEach((tt, i) => {
        const n = a.tokens[i] as number;
        if (n === 0) return;
        lines.push({
          workspaceId: ws,
          description: tokenDescription(model, tt, tier),
          costType: 'tokens',
          model,
          tokenType: tt,
          serviceTier: tier,
          contextWindow: a.dims[iCw] ?? null,
          inferenceGeo: geo,
          cents: tokenCostCents(model, tt, n, tier, geo),
        });
      });
      if (a.tokens[5] > 0) webByWs.set(ws, (webByWs.get(ws) ?? 0) + a.tokens[5]);
    }
    for (const [ws, n] of webByWs) {
      lines.push({
        workspaceId: ws,
        description: WEB_SEARCH_DESCRIPTION,
        costType: 'web_search',
        model: null,
        tokenType: null,
        serviceTier: null,
        contextWindow: null,
        inferenceGeo: null,
        cents: WEB_SEARCH_CENTS_PER_REQUEST.mulInt(n),
      });
    }
    for (const c of this.org.nonTokenCosts) {
      if (c.dayStart !== dayStart) continue;
      lines.push({
        workspaceId: c.workspaceId,
        description: c.description,
        costType: c.costType,
        model: null,
        tokenType: null,
        serviceTier: null,
        contextWindow: null,
        inferenceGeo: null,
        cents: c.cents,
      });
    }
    this.dayCost.set(dayStart, lines);
    return lines;
  }

  /** The results of one 1d cost bucket, grouped by `workspace_id` and/or `description`. */
  costBucket(dayStart: number, groupBy: ReadonlyArray<'workspace_id' | 'description'>): CostResultWire[] {
    const key = `c|${dayStart}|${groupBy.includes('description')}|${groupBy.includes('workspace_id')}`;
    let r = this.memo.get(key) as CostResultWire[] | undefined;
    if (!r) this.memo.set(key, (r = this.costBucketUncached(dayStart, groupBy)));
    return r;
  }

  private costBucketUncached(dayStart: number, groupBy: ReadonlyArray<'workspace_id' | 'description'>): CostResultWire[] {
    const byDesc = groupBy.includes('description');
    const byWs = groupBy.includes('workspace_id');
    const grouped = new Map<string, { line: CostResultWire; cents: Decimal }>();
    for (const l of this.costLines(dayStart)) {
      const line: CostResultWire = {
        currency: 'USD',
        amount: '',
        workspace_id: byWs ? l.workspaceId : null,
        description: byDesc ? l.description : null,
        cost_type: byDesc ? l.costType : null,
        context_window: byDesc ? l.contextWindow : null,
        model: byDesc ? l.model : null,
        service_tier: byDesc ? l.serviceTier : null,
        token_type: byDesc ? l.tokenType : null,
        inference_geo: byDesc ? l.inferenceGeo : null,
      };
      const k = keyOf([line.workspace_id, line.description, line.cost_type, line.context_window, line.model, line.service_tier, line.token_type, line.inference_geo]);
      const g = grouped.get(k);
      if (!g) grouped.set(k, { line, cents: l.cents });
      else g.cents = g.cents.add(l.cents);
    }
    return [...grouped.entries()]
      .sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0))
      .map(([, g]) => ({ ...g.line, amount: g.cents.toString() }));
  }
}

export { isoSeconds, TOKEN_FIELDS };
