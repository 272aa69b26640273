/** Chart data as exact strings: money stays decimal until the webview turns it into chart geometry. */
import { Decimal } from '../decimal';

/** One series of a chart: `values` are exact decimal strings (money) or integer strings (counts); '' is a gap. */
export interface Series {
  name: string;
  values: string[];
  total: string;
}

export interface SeriesSet {
  labels: string[];
  series: Series[];
  /** Per label, the sum over series. */
  totals: string[];
  total: string;
}

export function emptySet(labels: string[]): SeriesSet {
  return { labels, series: [], totals: labels.map(() => '0'), total: '0' };
}

/** Builds a series set from (label, group, amount) triples. Series are sorted by total, largest first. */
export function buildSeries(labels: string[], entries: Iterable<{ label: string; group: string; amount: Decimal }>): SeriesSet {
  const index = new Map(labels.map((l, i) => [l, i]));
  const groups = new Map<string, Decimal[]>();
  for (const e of entries) {
    const i = index.get(e.label);
    if (i === undefined) continue;
    let arr = groups.get(e.group);
    if (!arr) {
      arr = labels.map(() => Decimal.ZERO);
      groups.set(e.group, arr);
    }
    arr[i] = arr[i]!.add(e.amount);
  }
  if (groups.size === 0) return emptySet(labels);
  const totals = labels.map(() => Decimal.ZERO);
  const series: { name: string; values: Decimal[]; total: Decimal }[] = [];
  for (const [name, values] of groups) {
    values.forEach((v, i) => (totals[i] = totals[i]!.add(v)));
    series.push({ name, values, total: Decimal.sum(values) });
  }
  series.sort((a, b) => b.total.cmp(a.total) || a.name.localeCompare(b.name));
  return {
    labels,
    series: series.map((s) => ({ name: s.name, values: s.values.map(String), total: s.total.toString() })),
    totals: totals.map(String),
    total: Decimal.sum(totals).toString(),
  };
}

/** An exact decimal string as a Decimal (zero when unreadable). */
export function amount(s: string): Decimal {
  return Decimal.tryParse(s) ?? Decimal.ZERO;
}
