/** The Cost tab: cost per day stacked by model, workspace or description, and each group's share. */
import { costGroup } from '../../model/labels';
import { budgetChartLines, type BudgetChartLine } from '../../budget/surfaces';
import type { CostRow, Labels } from '../../model/snapshot';
import { amount, buildSeries, type SeriesSet } from '../series';
import { coverageNote, sourceStatus, type CoverageNote, type SourceStatus } from '../status';
import type { DateRange, Grouping, TabContext } from '../view';

export interface CostTab {
  status: SourceStatus[];
  available: boolean;
  coverage: CoverageNote | null;
  grouping: Grouping;
  series: SeriesSet;
  table: { group: string; total: string; share: number }[];
  /** The organization's budgets as lines on the daily bars. */
  budgetLines: BudgetChartLine[];
}

/** Cost per day, stacked by model, workspace or description. */
export function costSeries(rows: readonly CostRow[], range: DateRange, grouping: Grouping, labels?: Labels): SeriesSet {
  return buildSeries(
    range.days,
    rows.map((r) => ({ label: r.date, group: costGroup(r, grouping, labels), amount: amount(r.amountUsd) })),
  );
}

export function costTab(c: TabContext): CostTab {
  const { snapshot, range } = c;
  const rows = (snapshot.costs.data?.rows ?? []).filter((r) => r.date >= range.since && r.date <= range.until);
  const series = costSeries(rows, range, c.grouping, snapshot.labels.data);
  const total = amount(series.total);
  return {
    status: [sourceStatus(snapshot, 'costs', c.nowMs)],
    available: snapshot.costs.data !== undefined,
    coverage: coverageNote('costs', snapshot.costs.data?.since, range, c.today),
    grouping: c.grouping,
    series,
    budgetLines: budgetChartLines(c.settings.budgets, c.nowMs, 'org'),
    table: series.series.map((s) => ({
      group: s.name,
      total: s.total,
      share: total.isZero() ? 0 : amount(s.total).toNumber() / total.toNumber(),
    })),
  };
}
