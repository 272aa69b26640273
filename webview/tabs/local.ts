/** Draws the "This machine" tab from its model. */
import type { LocalTab } from '../../src/core/dashboard/tabs/local';
import type { PlanPanel } from '../../src/core/dashboard/tabs/local';
import { ago, int, pct, until, usd, usdEstimate } from '../../src/core/model/format';
import { dateTime } from '../../src/core/plan/format';
import { axisOptions, bySlice, drawChart } from '../charts';
import { h, replace, table } from '../dom';
import { post } from '../host';
import { budgetDatasets, budgetList, button, chartPart, layout, moneyAxis, partIds, removePart, seriesTable, showBanner, stackedData, tile, type TabDom } from '../parts';
import type { RenderEnv } from './env';

export function renderLocal(dom: TabDom, l: LocalTab, env: RenderEnv): void {
  showBanner(dom, l.status);
  dom.body.hidden = !l.available;
  if (!l.available) return;
  const label = env.range.label;
  layout(dom, 'local', () => [h('section', { id: 'plan-panel', 'aria-label': 'Plan limits' }), h('p', { class: 'estimate-label', id: 'local-label' }), h('div', { class: 'tiles', id: 'local-tiles' }), h('div', { id: 'local-budgets' }), h('div', { id: 'local-chart' }), h('div', { id: 'local-table' }), h('div', { id: 'local-notes' })]);
  replace(dom.body.querySelector('#local-budgets')!, budgetList(l.budgets, 'local-budget-list'));
  renderPlan(dom.body.querySelector('#plan-panel')!, l.plan);
  dom.body.querySelector('#local-label')!.textContent = `API-equivalent estimate from this machine's Claude Code transcripts (what these tokens would cost at API prices; days in ${l.timezone ?? 'local time'}).`;
  const w = l.window;
  const now = env.nowMs;
  replace(
    dom.body.querySelector('#local-tiles')!,
    tile('Today (estimate)', usd(l.todayCostUsd), undefined, 'local-today'),
    tile(`${label} (estimate)`, usd(l.totalCostUsd), undefined, 'local-range'),
    w && w.active
      ? tile(
          'Current 5-hour window (estimate)',
          usdEstimate(w.costUsd),
          `${int(w.tokens)} tokens; ends ${until(w.end, now)}; ${w.burnTokensPerHour > 0 ? `burn ${usd(w.burnUsdPerHour)}/h (${int(w.burnTokensPerHour)} tokens/h); projected ${usd(w.projectedCostUsd)} by its end` : 'no activity in the last 30 min'}. From transcripts, not the plan's own figure.`,
          'local-window',
        )
      : tile('Current 5-hour window (estimate)', 'none active', w ? `last ended ${ago(w.end, now)}` : undefined, 'local-window'),
  );
  const c = chartPart('local-cost', 'Estimated cost per day by model', `API-equivalent estimated cost per day by model, ${label}, total ${usd(l.totalCostUsd)}`);
  if (!c.el.isConnected) replace(dom.body.querySelector('#local-chart')!, c.el);
  const data = stackedData(l.costByModel);
  drawChart('local-cost', c.canvas, 'bar', { ...data, datasets: [...data.datasets, ...budgetDatasets(l.budgetLines, data.labels.length)] } as never, (t) => moneyAxis(t));
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
    l.unpricedModels.length ? h('p', { class: 'warning' }, `Unpriced models (tokens counted, cost not estimated): ${l.unpricedModels.join(', ')}. Add a price with the setting claudeUsage.local.priceOverrides.`) : null,
    l.missingText ? h('p', { class: 'muted', id: 'local-missing' }, l.missingText) : null,
    h('p', { class: 'muted' }, `${int(l.files)} transcript files in ${l.roots.join(', ') || 'no folders'}. ${l.skippedText}${l.pricesAsOf ? ` Prices as of ${l.pricesAsOf}.` : ''}`),
  );
}

const LEVEL_COLOUR = { normal: 2, warning: 5, error: 4 } as const;

/** Plan limits from Claude Code: one gauge per window with its reset, source and pace, and used % over time. */
function renderPlan(el: Element, p: PlanPanel | undefined): void {
  if (!p || !p.gauges.length) {
    for (const id of partIds()) if (id.startsWith('plan-')) removePart(id);
    replace(
      el,
      p?.connected
        ? h('p', { class: 'muted', id: 'plan-waiting' }, "Plan limits: connected; waiting for Claude Code's next response (Pro/Max plans only).")
        : h('p', { class: 'muted', id: 'plan-offer' }, 'On a Claude Pro or Max plan? Claude Code can report your 5-hour and weekly limits here. ', button('Connect Claude Code Plan Limits', () => post({ type: 'runAction', action: 'connectPlan' }), { secondary: true, 'data-action': 'connectPlan' })),
    );
    return;
  }
  if (!el.querySelector('#plan-gauges')) replace(el, h('h3', {}, 'Plan limits (from Claude Code)'), h('div', { class: 'gauges', id: 'plan-gauges' }), h('div', { id: 'plan-history' }), h('p', { class: 'muted', id: 'plan-session' }));
  const gaugesEl = el.querySelector('#plan-gauges')!;
  const wanted = new Set(p.gauges.map((g) => `plan-gauge-${g.key}`));
  for (const id of partIds()) if (id.startsWith('plan-gauge-') && !wanted.has(id)) removePart(id);
  for (const g of p.gauges) {
    const id = `plan-gauge-${g.key}`;
    const used = g.state === 'reset' ? 'reset' : `${pct(g.usedPercent / 100, 0)} used`;
    const text = [used, g.reset, g.source].filter(Boolean).join(' · ');
    const c = chartPart(id, g.label, `${g.label}: ${text}`, 150);
    if (!c.el.isConnected) {
      c.el.classList.add('gauge');
      c.el.querySelector('.chart-box')!.after(h('p', { class: 'gauge-text' }), h('p', { class: 'gauge-pace muted' }));
      gaugesEl.append(c.el);
    }
    c.el.dataset.level = g.level;
    c.el.querySelector('.gauge-text')!.textContent = text;
    c.el.querySelector('.gauge-pace')!.textContent = g.pace ?? '';
    const usedPart = Math.min(100, Math.max(0, g.usedPercent));
    drawChart(
      id,
      c.canvas,
      'doughnut',
      { labels: ['Used', 'Left'], datasets: [{ data: [usedPart, 100 - usedPart] }] },
      () => ({ cutout: '70%', rotation: -90, circumference: 180, plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `${ctx.label}: ${Number(ctx.raw).toFixed(0)}%` } } } }),
      bySlice((t) => [t.palette[LEVEL_COLOUR[g.level]]!, t.lines]),
    );
    c.setTable(table(g.label, [{ title: 'Measure', cell: (x: [string, string]) => x[0] }, { title: 'Value', cell: (x) => x[1] }], [['Used', used], ['Reset', g.reset || '—'], ['Source', g.source], ['Pace', g.pace ?? '—']]));
  }
  const hist = chartPart('plan-history-chart', 'Plan limits: used % over time', `Used share of each plan window over time, ${p.series.map((s) => s.label).join(', ')}`);
  if (!hist.el.isConnected) replace(el.querySelector('#plan-history')!, hist.el);
  drawChart(
    'plan-history-chart',
    hist.canvas,
    'line',
    { datasets: p.series.map((s) => ({ label: s.label, data: s.points.map((pt) => ({ x: pt.t, y: pt.used })), pointRadius: s.points.length < 3 ? 3 : 0, stepped: false, spanGaps: true })) },
    (t) => {
      const o = axisOptions(t, { yMax: 100, tickFormat: (v) => `${v}%` }) as Record<string, unknown> & { scales: Record<string, Record<string, unknown>>; plugins: Record<string, unknown> };
      // Points are {x, y}: the tooltip says the sample's time in the plan's zone and its used share.
      o.plugins.tooltip = {
        callbacks: {
          title: (items: { parsed: { x: number } }[]) => (items[0] ? dateTime(items[0].parsed.x, p.timeZone) : ''),
          label: (ctx: { parsed: { y: number }; dataset: { label?: string } }) => `${ctx.dataset.label ?? ''}: ${pct(ctx.parsed.y / 100, 0)}`,
        },
      };
      // The model's ticks (round times in the plan's zone), not chart.js's round numbers of milliseconds.
      const labels = new Map(p.ticks.map((k) => [k.at, k.label]));
      o.scales.x = {
        type: 'linear',
        min: p.from,
        max: p.to,
        afterBuildTicks: (axis: { ticks: { value: number }[] }) => {
          axis.ticks = p.ticks.map((k) => ({ value: k.at }));
        },
        ticks: { color: t.foreground, callback: (v: number | string) => labels.get(Number(v)) ?? '' },
        grid: { display: false },
      };
      o.interaction = { mode: 'nearest', intersect: false };
      return o as never;
    },
  );
  hist.setTable(
    table(
      'Plan limits samples',
      [
        { title: 'Window', cell: (r: [string, number, number]) => r[0] },
        { title: 'Time', cell: (r) => dateTime(r[1], p.timeZone) },
        { title: 'Used', cell: (r) => pct(r[2] / 100, 0), numeric: true },
      ],
      p.series.flatMap((s) => s.points.map((pt) => [s.label, pt.t, pt.used] as [string, number, number])).slice(-200),
    ),
  );
  el.querySelector('#plan-session')!.textContent = p.session ? `Latest session: ${p.session}.` : '';
}
