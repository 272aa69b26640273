/** Draws the "This machine" tab from its model. */
import type { LocalTab } from '../../src/core/dashboard/tabs/local';
import { ago, int, until, usd } from '../../src/core/model/format';
import { drawChart } from '../charts';
import { h, replace, table } from '../dom';
import { chartPart, layout, moneyAxis, seriesTable, showBanner, stackedData, tile, type TabDom } from '../parts';
import type { RenderEnv } from './env';

export function renderLocal(dom: TabDom, l: LocalTab, env: RenderEnv): void {
  showBanner(dom, l.status);
  dom.body.hidden = !l.available;
  if (!l.available) return;
  const label = env.range.label;
  layout(dom, 'local', () => [h('p', { class: 'estimate-label', id: 'local-label' }), h('div', { class: 'tiles', id: 'local-tiles' }), h('div', { id: 'local-chart' }), h('div', { id: 'local-table' }), h('div', { id: 'local-notes' })]);
  dom.body.querySelector('#local-label')!.textContent = `API-equivalent estimate from this machine's Claude Code transcripts (what these tokens would cost at API prices; days in ${l.timezone ?? 'local time'}).`;
  const w = l.window;
  const now = env.nowMs;
  replace(
    dom.body.querySelector('#local-tiles')!,
    tile('Today (estimate)', usd(l.todayCostUsd), undefined, 'local-today'),
    tile(`${label} (estimate)`, usd(l.totalCostUsd), undefined, 'local-range'),
    w && w.active
      ? tile('Current 5-hour window', usd(w.costUsd), `${int(w.tokens)} tokens; ends ${until(w.end, now)}; burn ${usd(w.burnUsdPerHour)}/h (${int(w.burnTokensPerHour)} tokens/h); projected ${usd(w.projectedCostUsd)} by its end`, 'local-window')
      : tile('Current 5-hour window', 'none active', w ? `last ended ${ago(w.end, now)}` : undefined, 'local-window'),
  );
  const c = chartPart('local-cost', 'Estimated cost per day by model', `API-equivalent estimated cost per day by model, ${label}, total ${usd(l.totalCostUsd)}`);
  if (!c.el.isConnected) replace(dom.body.querySelector('#local-chart')!, c.el);
  drawChart('local-cost', c.canvas, 'bar', stackedData(l.costByModel), (t) => moneyAxis(t));
  c.setTable(seriesTable('Estimated cost per day', l.costByModel, usd));
  replace(
    dom.body.querySelector('#local-table')!,
    table(
      `Tokens by model, ${label}`,
      [
        { title: 'Model', cell: (m: LocalTab['tokensByModel'][number]) => m.model },
        { title: 'Input', cell: (m) => int(m.input), numeric: true },
        { title: 'Cache write 5m', cell: (m) => int(m.cacheWrite5m), numeric: true },
        { title: 'Cache write 1h', cell: (m) => int(m.cacheWrite1h), numeric: true },
        { title: 'Cache read', cell: (m) => int(m.cacheRead), numeric: true },
        { title: 'Output', cell: (m) => int(m.output), numeric: true },
        { title: 'Estimate', cell: (m) => (m.costUsd === null ? 'unpriced' : usd(m.costUsd)), numeric: true },
      ],
      l.tokensByModel,
    ),
  );
  replace(
    dom.body.querySelector('#local-notes')!,
    l.unpricedModels.length ? h('p', { class: 'warning' }, `Unpriced models (tokens counted, cost not estimated): ${l.unpricedModels.join(', ')}. Add a price with the price-override setting.`) : null,
    h('p', { class: 'muted' }, `${int(l.files)} transcript files in ${l.roots.join(', ') || 'no folders'}; ${int(l.skippedLines)} unreadable lines skipped.`),
  );
}
