/** Draws the Tokens tab from its model. */
import type { TokensTab } from '../../src/core/dashboard/tabs/tokens';
import { shortDate } from '../../src/core/model/days';
import { int } from '../../src/core/model/format';
import { destroyChart, drawChart } from '../charts';
import { h, replace } from '../dom';
import { chartPart, coverage, dropPart, layout, seriesTable, showBanner, stackedData, tokenAxis, type TabDom } from '../parts';
import type { RenderEnv } from './env';

export function renderTokens(dom: TabDom, m: TokensTab, env: RenderEnv): void {
  showBanner(dom, m.status);
  dom.body.hidden = !m.available;
  if (!m.available) return;
  const label = env.range.label;
  layout(dom, 'tokens', () => [h('p', { class: 'muted coverage' }), h('div', { id: 'tokens-daily' }), h('div', { id: 'tokens-hourly' })]);
  coverage(dom.body.querySelector('.coverage'), m.coverage);
  const daily = chartPart('tokens-daily', 'Tokens per day by type', `Tokens per day by type, ${label}`);
  if (!daily.el.isConnected) replace(dom.body.querySelector('#tokens-daily')!, daily.el);
  drawChart('tokens-daily', daily.canvas, 'bar', stackedData(m.daily), (t) => tokenAxis(t));
  daily.setTable(seriesTable('Tokens per day', m.daily, (v) => int(Number(v))));
  const hourlyBox = dom.body.querySelector('#tokens-hourly')!;
  if (m.hourly) {
    const hourly = chartPart('tokens-hourly', 'Tokens per hour by type (UTC)', `Tokens per hour by type, ${label}`);
    if (!hourly.el.isConnected) replace(hourlyBox, hourly.el);
    drawChart('tokens-hourly', hourly.canvas, 'bar', stackedData(m.hourly), (t) => tokenAxis(t));
    hourly.setTable(seriesTable('Tokens per hour', m.hourly, (v) => int(Number(v)), shortDate));
  } else {
    destroyChart('tokens-hourly');
    dropPart('tokens-hourly');
    replace(hourlyBox, h('p', { class: 'muted' }, 'Hourly resolution is shown for ranges of 7 days or less.'));
  }
}
