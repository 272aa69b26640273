/** Draws the Claude Code tab from its model. */
import { sortPeople, type ClaudeCodeTab, type PersonRow, type PersonSortKey } from '../../src/core/dashboard/tabs/claudeCode';
import { shortDate } from '../../src/core/model/days';
import { compact, int, ratePct, usd } from '../../src/core/model/format';
import { axisOptions, bySlice, drawChart } from '../charts';
import { h, replace, table, type Column } from '../dom';
import { chartPart, coverage, layout, showBanner, tile, type TabDom } from '../parts';
import type { RenderEnv } from './env';

export function renderClaudeCode(dom: TabDom, cc: ClaudeCodeTab, env: RenderEnv, sort: SortState): void {
  showBanner(dom, cc.status);
  dom.body.hidden = !cc.available;
  if (!cc.available) return;
  const label = env.range.label;
  layout(dom, 'claudeCode', () => [h('p', { class: 'muted coverage' }), h('div', { class: 'tiles', id: 'cc-tiles' }), h('div', { class: 'grid2', id: 'cc-charts' }), h('div', { id: 'cc-people' }), h('div', { class: 'grid2', id: 'cc-tables' })]);
  coverage(dom.body.querySelector('.coverage'), cc.coverage);
  replace(
    dom.body.querySelector('#cc-tiles')!,
    tile('Sessions', int(cc.totals.sessions)),
    tile('Lines added / removed', `+${int(cc.totals.linesAdded)} / −${int(cc.totals.linesRemoved)}`),
    tile('Commits', int(cc.totals.commits)),
    tile('Pull requests', int(cc.totals.pullRequests)),
    tile('Acceptance rate', ratePct(cc.overallAcceptance.rate), `${int(cc.overallAcceptance.accepted)} accepted, ${int(cc.overallAcceptance.rejected)} rejected (summed)`, 'cc-acceptance'),
    tile('Estimated cost', usd(cc.totalCostUsd), "Anthropic's estimate in the Claude Code report"),
  );
  const charts = dom.body.querySelector('#cc-charts')!;
  const act = chartPart('cc-activity', 'Activity per day', `Claude Code sessions, commits and pull requests per day, ${label}`);
  const lines = chartPart('cc-lines', 'Lines of code per day', `Lines added and removed per day, ${label}`);
  const tools = chartPart('cc-tools', 'Acceptance rate per tool', `Acceptance rate per tool: ${cc.tools.map((t) => `${t.tool} ${ratePct(t.rate)}`).join(', ')}`);
  const terms = chartPart('cc-terminals', 'Sessions by terminal', `Sessions by terminal: ${cc.terminals.map((t) => `${t.terminal} ${t.sessions}`).join(', ')}`);
  if (!act.el.isConnected) replace(charts, act.el, lines.el, tools.el, terms.el);
  const labels = cc.days.map(shortDate);
  const perDay = (name: string, values: number[]) => ({ label: name, data: values });
  drawChart('cc-activity', act.canvas, 'bar', { labels, datasets: [perDay('Sessions', cc.perDay.sessions), perDay('Commits', cc.perDay.commits), perDay('Pull requests', cc.perDay.pullRequests)] }, (t) => axisOptions(t, {}));
  drawChart('cc-lines', lines.canvas, 'bar', { labels, datasets: [perDay('Added', cc.perDay.linesAdded), perDay('Removed', cc.perDay.linesRemoved)] }, (t) => axisOptions(t, { tickFormat: compact }), (data, t) => {
    data.datasets.forEach((ds, i) => ((ds as { backgroundColor?: string }).backgroundColor = i === 0 ? t.palette[2]! : t.palette[4]!));
  });
  drawChart(
    'cc-tools',
    tools.canvas,
    'bar',
    { labels: cc.tools.map((t) => t.tool), datasets: [{ label: 'Acceptance rate (%)', data: cc.tools.map((t) => (t.rate === null ? null : Math.round(t.rate * 1000) / 10)) }] },
    (t) => axisOptions(t, { indexAxis: 'y', yMax: 100, legend: false, tickFormat: (v) => `${v}%`, tooltipLabel: (v) => `${v}%` }),
  );
  drawChart('cc-terminals', terms.canvas, 'doughnut', { labels: cc.terminals.map((t) => t.terminal), datasets: [{ data: cc.terminals.map((t) => t.sessions) }] }, (t) => ({ plugins: { legend: { position: 'right', labels: { color: t.foreground } } } }), bySlice());
  const dayIdx = cc.days.map((_, i) => i);
  act.setTable(table('Activity per day', [{ title: 'Date', cell: (i: number) => cc.days[i]! }, { title: 'Sessions', cell: (i) => int(cc.perDay.sessions[i]), numeric: true }, { title: 'Commits', cell: (i) => int(cc.perDay.commits[i]), numeric: true }, { title: 'Pull requests', cell: (i) => int(cc.perDay.pullRequests[i]), numeric: true }], dayIdx));
  lines.setTable(table('Lines per day', [{ title: 'Date', cell: (i: number) => cc.days[i]! }, { title: 'Added', cell: (i) => int(cc.perDay.linesAdded[i]), numeric: true }, { title: 'Removed', cell: (i) => int(cc.perDay.linesRemoved[i]), numeric: true }], dayIdx));
  const toolTable = table(
    'Acceptance per tool (accepted ÷ (accepted + rejected), summed over the range)',
    [
      { title: 'Tool', cell: (t: ClaudeCodeTab['tools'][number]) => t.tool },
      { title: 'Accepted', cell: (t) => int(t.accepted), numeric: true },
      { title: 'Rejected', cell: (t) => int(t.rejected), numeric: true },
      { title: 'Rate', cell: (t) => ratePct(t.rate), numeric: true },
    ],
    cc.tools,
    { footer: ['All tools', int(cc.overallAcceptance.accepted), int(cc.overallAcceptance.rejected), ratePct(cc.overallAcceptance.rate)] },
  );
  tools.setTable(toolTable.cloneNode(true) as HTMLElement);
  const termTable = table('Terminals', [{ title: 'Terminal', cell: (t: ClaudeCodeTab['terminals'][number]) => t.terminal }, { title: 'Sessions', cell: (t) => int(t.sessions), numeric: true }, { title: 'Records', cell: (t) => int(t.records), numeric: true }], cc.terminals);
  terms.setTable(termTable);
  renderPeople(dom, cc.people, sort);
  replace(
    dom.body.querySelector('#cc-tables')!,
    toolTable,
    table(
      'Cost per model (estimate)',
      [
        { title: 'Model', cell: (m: ClaudeCodeTab['models'][number]) => m.model },
        { title: 'Input', cell: (m) => int(m.input), numeric: true },
        { title: 'Output', cell: (m) => int(m.output), numeric: true },
        { title: 'Cache read', cell: (m) => int(m.cacheRead), numeric: true },
        { title: 'Cache write', cell: (m) => int(m.cacheCreation), numeric: true },
        { title: 'Cost', cell: (m) => usd(m.costUsd), numeric: true },
      ],
      cc.models,
      { footer: ['Total', '', '', '', '', usd(cc.totalCostUsd)] },
    ),
  );
}

/** The per-person table's sort, kept by the page (getState) and changed by clicking a column. */
export interface SortState {
  get(): { key: PersonSortKey; descending: boolean };
  set(s: { key: PersonSortKey; descending: boolean }): void;
}

function renderPeople(dom: TabDom, people: PersonRow[], sort: SortState): void {
  const cur = sort.get();
  const sorted = sortPeople(people, cur.key, cur.descending);
  const onSort = (key: string) => {
    const k = key as PersonSortKey;
    const was = sort.get();
    sort.set({ key: k, descending: was.key === k ? !was.descending : k !== 'actor' });
    renderPeople(dom, people, sort);
  };
  const col = (title: string, key: PersonSortKey, cell: (p: PersonRow) => string, numeric = true): Column<PersonRow> => ({ title, sortKey: key, cell, numeric });
  replace(
    dom.body.querySelector('#cc-people')!,
    table(
      'People (click a column to sort)',
      [
        col('Person', 'actor', (p) => p.actor, false),
        col('Sessions', 'sessions', (p) => int(p.sessions)),
        col('Lines +', 'linesAdded', (p) => int(p.linesAdded)),
        col('Lines −', 'linesRemoved', (p) => int(p.linesRemoved)),
        col('Commits', 'commits', (p) => int(p.commits)),
        col('PRs', 'pullRequests', (p) => int(p.pullRequests)),
        col('Acceptance', 'acceptanceRate', (p) => ratePct(p.acceptanceRate)),
        col('Cost', 'costUsd', (p) => usd(p.costUsd)),
        { title: 'Cost by model', cell: (p) => Object.entries(p.costByModel).map(([m, c]) => `${m}: ${usd(c)}`).join('; ') },
      ],
      sorted,
      { sort: cur, onSort, className: 'people' },
    ),
  );
}
