/** Draws the Overview tab from its model. */
import type { OverviewTab } from '../../src/core/dashboard/tabs/overview';
import { TOKEN_TYPES } from '../../src/core/model/labels';
import { shortDate } from '../../src/core/model/days';
import { int, pct, plural, usd } from '../../src/core/model/format';
import { drawChart } from '../charts';
import { h, replace, table } from '../dom';
import { budgetDatasets, budgetList, chartPart, layout, moneyAxis, seriesTable, showBanner, tile, type TabDom } from '../parts';
import type { RenderEnv } from './env';

export function renderOverview(dom: TabDom, o: OverviewTab, env: RenderEnv): void {
  const label = env.range.label;
  showBanner(dom, o.status);
  layout(dom, 'overview', () => [h('div', { class: 'tiles', id: 'overview-tiles' }), h('div', { id: 'overview-budgets' }), h('div', { class: 'grid2', id: 'overview-grid' }), h('div', { class: 'footnotes muted', id: 'overview-notes' })]);
  replace(dom.body.querySelector('#overview-budgets')!, budgetList(o.budgets, 'ov-budgets'));
  replace(
    dom.body.querySelector('#overview-notes')!,
    o.hasCosts ? h('p', {}, `¹ ${o.projectionMethod}`) : null,
    o.cacheSavingsUsd !== null ? h('p', {}, `² ${o.cacheSavingsMethod}`) : null,
  );
  replace(
    dom.body.querySelector('#overview-tiles')!,
    ...(o.hasCosts
      ? [
          tile('Today (UTC)', usd(o.costToday), undefined, 'ov-today'),
          tile('Last 7 days', usd(o.costLast7), o.partial7, 'ov-7d'),
          tile('Last 30 days', usd(o.costLast30), o.partial30, 'ov-30d'),
          tile('Month to date', usd(o.monthToDate), undefined, 'ov-mtd'),
          tile('Month-end projection', usd(o.monthEndProjection), 'straight-line estimate¹', 'ov-projection'),
          o.showRangeTile ? tile(label, usd(o.rangeCost), 'selected range', 'ov-range') : null,
        ]
      : []),
    o.hasTokens ? tile('Cache hit share', pct(o.cacheHitShare), 'cache reads ÷ all input tokens', 'ov-cache-share') : null,
    o.cacheSavingsUsd !== null ? tile('Caching saved (estimate)', usd(o.cacheSavingsUsd), `${label.toLowerCase()}²`, 'ov-cache-saved') : null,
    o.probeSpend ? tile('Probe spend today', usd(o.probeSpend.costUsd), `${plural(o.probeSpend.probes, 'probe')}, ${int(o.probeSpend.inputTokens + o.probeSpend.outputTokens)} tokens (estimate)`, 'ov-probe') : null,
    o.localTodayUsd !== undefined ? tile('This machine today', usd(o.localTodayUsd), 'API-equivalent estimate from local transcripts', 'ov-local-today') : null,
  );
  const grid = dom.body.querySelector('#overview-grid')!;
  const c = o.chart;
  const chart = c
    ? c.kind === 'cost'
      ? chartPart('ov-cost', 'Cost per day', `Cost per day, ${label}: total ${usd(c.totals.total)}`)
      : chartPart('ov-local', 'This machine: API-equivalent estimate per day', `Estimated cost per day from local transcripts: ${usd(c.totals.total)}`)
    : undefined;
  const tokenTable = o.hasTokens
    ? table(
        `Tokens by type, ${label} (exact, from the usage report)`,
        [
          { title: 'Type', cell: (r: [string, number]) => r[0] },
          { title: 'Tokens', cell: (r) => int(r[1]), numeric: true },
        ],
        [...TOKEN_TYPES.map((t) => [t.label, o.tokens[t.key]] as [string, number]), ['Web searches (requests)', o.tokens.webSearches]],
        { className: 'tokens-by-type' },
      )
    : null;
  replace(grid, chart?.el, tokenTable);
  if (chart && c) {
    const totals = { labels: c.totals.labels.map(shortDate), datasets: [{ label: c.kind === 'cost' ? 'Cost' : 'Estimate', data: c.totals.totals.map(Number) }, ...budgetDatasets(c.budgetLines, c.totals.labels.length)] };
    drawChart(c.kind === 'cost' ? 'ov-cost' : 'ov-local', chart.canvas, 'bar', totals as never, (t) => ({ ...moneyAxis(t, false), plugins: { legend: { display: c.budgetLines.length > 0, labels: { color: t.foreground } } } }));
    chart.setTable(seriesTable('Cost per day', c.totals, usd));
  }
}
