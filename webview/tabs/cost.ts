/** Draws the Cost tab from its model. */
import type { CostTab } from '../../src/core/dashboard/tabs/cost';
import { pct, usd } from '../../src/core/model/format';
import { GROUPING_TITLES } from '../../src/core/model/labels';
import { drawChart } from '../charts';
import { h, replace, table } from '../dom';
import { budgetDatasets, chartPart, coverage, layout, moneyAxis, seriesTable, showBanner, stackedData, type TabDom } from '../parts';
import type { RenderEnv } from './env';

export function renderCost(dom: TabDom, m: CostTab, env: RenderEnv): void {
  showBanner(dom, m.status);
  dom.body.hidden = !m.available;
  if (!m.available) return;
  const label = env.range.label;
  const by = GROUPING_TITLES[m.grouping].toLowerCase();
  layout(dom, 'cost', () => [h('p', { class: 'muted', id: 'cost-coverage' }), h('div', { class: 'side', id: 'cost-side' })]);
  coverage(dom.body.querySelector('#cost-coverage'), m.coverage);
  const side = dom.body.querySelector('#cost-side')!;
  const c = chartPart('cost', 'Cost per day', '');
  c.canvas.setAttribute('aria-label', `Stacked cost per day by ${by}, ${label}, total ${usd(m.series.total)}`);
  c.el.querySelector('figcaption')!.textContent = `Cost per day by ${by}`;
  const sideTable = table(
    `Cost by ${by}, ${label}`,
    [
      { title: GROUPING_TITLES[m.grouping], cell: (r: CostTab['table'][number]) => r.group },
      { title: 'Cost', cell: (r) => usd(r.total), numeric: true },
      { title: 'Share', cell: (r) => pct(r.share), numeric: true },
    ],
    m.table,
    { footer: ['Total', usd(m.series.total), m.table.length ? '100.0%' : '—'], className: 'cost-table' },
  );
  if (!side.contains(c.el)) replace(side, c.el, h('div', { id: 'cost-table-box' }));
  replace(side.querySelector('#cost-table-box')!, sideTable);
  const data = stackedData(m.series);
  drawChart('cost', c.canvas, 'bar', { ...data, datasets: [...data.datasets, ...budgetDatasets(m.budgetLines, data.labels.length)] } as never, (t) => moneyAxis(t));
  c.setTable(seriesTable('Cost per day', m.series, usd));
}
