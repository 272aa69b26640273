/** The Rate limits tab: one gauge per limit family, subscription windows, and the probes' history. */
import { familyRows, type FamilyRow } from '../../model/facts';
import { RATE_FAMILIES } from '../../model/labels';
import type { RateLimitData } from '../../model/snapshot';
import { emptySet, type Series, type SeriesSet } from '../series';
import { sourceStatus, type SourceStatus } from '../status';
import type { TabContext } from '../view';

export type Gauge = FamilyRow;

export interface RateLimitsTab {
  status: SourceStatus[];
  available: boolean;
  model?: string;
  takenAt?: string;
  gauges: Gauge[];
  unified: { label: string; utilization: number; reset?: string }[];
  unifiedStatus?: string;
  /** Remaining share (%) per family at each probe; labels are the probes' ISO times. */
  history: SeriesSet;
  probeSpend?: RateLimitData['probeSpendToday'];
}

export function rateLimitView(data: RateLimitData | undefined): Omit<RateLimitsTab, 'status' | 'available'> {
  if (!data) return { gauges: [], unified: [], history: emptySet([]) };
  const cur = data.current;
  const unified: RateLimitsTab['unified'] = [];
  const epoch = (s?: number) => (s ? new Date(s * 1000).toISOString() : undefined);
  if (cur.unified?.fiveHourUtilization !== undefined) unified.push({ label: '5-hour window', utilization: cur.unified.fiveHourUtilization, reset: epoch(cur.unified.fiveHourReset) });
  if (cur.unified?.sevenDayUtilization !== undefined) unified.push({ label: '7-day window', utilization: cur.unified.sevenDayUtilization, reset: epoch(cur.unified.sevenDayReset) });
  const history = data.history.length ? data.history : [cur];
  const labels = history.map((h) => h.takenAt);
  const shares = history.map((h) => new Map(familyRows(h).map((r) => [r.key, r.share])));
  const series: Series[] = [];
  for (const f of RATE_FAMILIES) {
    const values = shares.map((m) => {
      const s = m.get(f.key);
      return s === undefined ? '' : (Math.round(s * 10000) / 100).toString();
    });
    if (values.some((v) => v !== '')) series.push({ name: f.label, values, total: '' });
  }
  return {
    model: cur.model,
    takenAt: cur.takenAt,
    gauges: familyRows(cur),
    unified,
    ...(cur.unified?.status ? { unifiedStatus: cur.unified.status } : {}),
    history: { labels, series, totals: labels.map(() => ''), total: '' },
    probeSpend: data.probeSpendToday,
  };
}

export function rateLimitsTab(c: TabContext): RateLimitsTab {
  const data = c.snapshot.rateLimits.data;
  return { status: [sourceStatus(c.snapshot, 'rateLimits', c.nowMs)], available: data !== undefined, ...rateLimitView(data) };
}
