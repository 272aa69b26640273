/** Draws the Rate limits tab from its model. */
import type { RateLimitsTab } from '../../src/core/dashboard/tabs/rateLimits';
import { ago, int, plural, sharePct, until, usd } from '../../src/core/model/format';
import { axisOptions, bySlice, drawChart } from '../charts';
import { h, replace, table } from '../dom';
import { chartPart, layout, partIds, removePart, seriesTable, showBanner, type TabDom } from '../parts';
import type { RenderEnv } from './env';

export function renderRateLimits(dom: TabDom, r: RateLimitsTab, env: RenderEnv): void {
  showBanner(dom, r.status);
  dom.body.hidden = !r.available;
  if (!r.available) return;
  layout(dom, 'rateLimits', () => [h('p', { id: 'rl-info', class: 'muted' }), h('div', { class: 'gauges', id: 'rl-gauges' }), h('div', { id: 'rl-unified' }), h('div', { id: 'rl-history' }), h('div', { id: 'rl-probe' })]);
  const now = env.nowMs;
  dom.body.querySelector('#rl-info')!.textContent = `Model ${r.model ?? '?'} · probed ${ago(r.takenAt, now)}. Remaining capacity per limit family; buckets refill continuously.`;
  const gaugesEl = dom.body.querySelector('#rl-gauges')!;
  const wanted = new Set(r.gauges.map((g) => `gauge-${g.key}`));
  for (const id of partIds()) if (id.startsWith('gauge-') && !wanted.has(id)) removePart(id);
  for (const g of r.gauges) {
    const id = `gauge-${g.key}`;
    const text = `${int(g.remaining)} of ${int(g.limit)} remaining${g.share !== undefined ? ` (${sharePct(g.share)})` : ''}${g.reset ? `, full ${until(g.reset, now)}` : ''}`;
    const c = chartPart(id, g.label, `${g.label}: ${text}`, 150);
    if (!c.el.isConnected) {
      c.el.classList.add('gauge');
      c.el.querySelector('.chart-box')!.after(h('p', { class: 'gauge-text' }));
      gaugesEl.append(c.el);
    }
    c.el.querySelector('.gauge-text')!.textContent = text;
    const used = g.limit !== undefined && g.remaining !== undefined ? Math.max(0, g.limit - g.remaining) : 0;
    const share = g.share ?? 0;
    drawChart(
      id,
      c.canvas,
      'doughnut',
      { labels: ['Remaining', 'Used'], datasets: [{ data: [g.remaining ?? 0, used] }] },
      () => ({ cutout: '70%', rotation: -90, circumference: 180, plugins: { legend: { display: false }, tooltip: { callbacks: { label: (ctx) => `${ctx.label}: ${int(Number(ctx.raw))}` } } } }),
      bySlice((t) => [share < 0.05 ? t.palette[4]! : share < 0.25 ? t.palette[5]! : t.palette[2]!, t.lines]),
    );
    c.setTable(table(g.label, [{ title: 'Measure', cell: (x: [string, string]) => x[0] }, { title: 'Value', cell: (x) => x[1] }], [['Limit', int(g.limit)], ['Remaining', int(g.remaining)], ['Remaining share', sharePct(g.share)], ['Reset', g.reset ? until(g.reset, now) : '—']]));
  }
  replace(
    dom.body.querySelector('#rl-unified')!,
    r.unified.length
      ? table(
          `Subscription windows${r.unifiedStatus ? ` (status: ${r.unifiedStatus})` : ''}`,
          [
            { title: 'Window', cell: (u: RateLimitsTab['unified'][number]) => u.label },
            { title: 'Used', cell: (u) => sharePct(u.utilization), numeric: true },
            { title: 'Resets', cell: (u) => (u.reset ? until(u.reset, now) : '—') },
          ],
          r.unified,
        )
      : null,
  );
  const hist = chartPart('rl-history', 'Remaining share per probe (%)', `History of remaining capacity over ${plural(r.history.labels.length, 'probe')} since start-up`);
  if (!hist.el.isConnected) replace(dom.body.querySelector('#rl-history')!, hist.el);
  const timeLabel = (l: string) => (Number.isNaN(Date.parse(l)) ? l : new Date(l).toISOString().slice(11, 19));
  drawChart(
    'rl-history',
    hist.canvas,
    'line',
    { labels: r.history.labels.map(timeLabel), datasets: r.history.series.map((s) => ({ label: s.name, data: s.values.map((v) => (v === '' ? null : Number(v))), pointRadius: 2, spanGaps: true })) },
    (t) => axisOptions(t, { yMax: 100, tickFormat: (v) => `${v}%`, tooltipLabel: (v, l) => `${l}: ${v}%` }),
  );
  hist.setTable(seriesTable('Remaining share per probe (%), times UTC', r.history, (v) => (v === '' ? '—' : `${v}%`), timeLabel));
  const p = r.probeSpend;
  replace(dom.body.querySelector('#rl-probe')!, p ? h('p', { class: 'muted' }, `Probe spend today (${p.date}): ${plural(p.probes, 'probe')}, ${int(p.inputTokens)} input + ${int(p.outputTokens)} output tokens, ${usd(p.costUsd)} (estimate).`) : null);
}
