/**
 * The "Show Claude Usage" dashboard (browser side). Receives the store snapshot from the host, derives
 * everything with the pure view models in `src/core/dashboard/viewModel.ts`, and patches charts in place
 * on later updates. Talks to the host only through the validated message unions in `messages.ts`.
 */
import { scriptNonce } from './nonce';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import {
  ACTION_TITLES,
  EXTEND_HISTORY,
  DEFAULT_VIEW_STATE,
  GROUPINGS,
  TAB_IDS,
  TAB_TITLES,
  TOKEN_TYPES,
  TOKEN_TYPE_LABEL,
  buildDashboard,
  isIsoDate,
  sortPeople,
  utcDay,
  addDays,
  type ActionName,
  type CoverageNote,
  type DashboardView,
  type Grouping,
  type PersonRow,
  type PersonSortKey,
  type RangeKind,
  type SeriesSet,
  type SourceStatus,
  type TabId,
  type ViewState,
} from '../src/core/dashboard/viewModel';
import { parseHostMessage, parseViewState, type WebviewMessage } from '../src/core/dashboard/messages';
import type { StoreSnapshot } from '../src/core/store/snapshot';
import { axisOptions, bySlice, chartBlock, drawChart, destroyChart, watchTheme, type Theme } from './charts';
import { h, hx, replace, table, type Column } from './dom';
import { ago, compact, int, pct, shortDate, until, usd } from './format';

const T0 = performance.now();

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
const vscode = acquireVsCodeApi();

function post(msg: WebviewMessage): void {
  vscode.postMessage(msg);
}

// ------------------------------------------------------------------------------------------------
// Persisted UI state (getState/setState survives hiding the panel and window reloads)

interface UiState {
  view: ViewState;
  sort: { key: PersonSortKey; descending: boolean };
}

function loadState(): UiState {
  const raw = vscode.getState() as { view?: unknown; sort?: { key?: unknown; descending?: unknown } } | undefined;
  const view = parseViewState(raw?.view) ?? DEFAULT_VIEW_STATE;
  const sortKeys: PersonSortKey[] = ['actor', 'sessions', 'linesAdded', 'linesRemoved', 'commits', 'pullRequests', 'accepted', 'rejected', 'acceptanceRate', 'costUsd'];
  const key = sortKeys.find((k) => k === raw?.sort?.key) ?? 'costUsd';
  return { view, sort: { key, descending: raw?.sort?.descending !== false } };
}

const ui = loadState();
let snapshot: StoreSnapshot | undefined;
// The host's clock comes with every snapshot (src/core/clock.ts); nothing is drawn before the first one.
let nowIso = '1970-01-01T00:00:00.000Z';
let dash: DashboardView | undefined;
const dirty = new Set<TabId>(TAB_IDS);
let painted = false;
let firstSnapshotAt: number | undefined;

function saveState(): void {
  vscode.setState(ui);
}

// ------------------------------------------------------------------------------------------------
// Page skeleton (built once)

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
app.removeAttribute('aria-busy');

const RANGE_TITLES: Record<RangeKind, string> = { '7d': 'Last 7 days', '30d': 'Last 30 days', '90d': 'Last 90 days', mtd: 'Month to date', custom: 'Custom…' };
const GROUP_TITLES: Record<Grouping, string> = { model: 'Model', workspace: 'Workspace', description: 'Cost description' };

function select(label: string, id: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLElement {
  const sel = hx('vscode-single-select', { id, 'aria-label': label });
  for (const [v, t] of options) sel.append(hx('vscode-option', { value: v, selected: v === value }, t));
  sel.addEventListener('change', () => onChange((sel as unknown as { value: string }).value));
  return h('label', { class: 'field' }, h('span', {}, label), sel);
}

function button(text: string, onClick: () => void, attrs: Record<string, string | boolean> = {}): HTMLElement {
  const b = hx('vscode-button', attrs, text);
  b.addEventListener('click', onClick);
  return b;
}

const customSince = h('input', { type: 'date', 'aria-label': 'From (UTC)', id: 'range-since' });
const customUntil = h('input', { type: 'date', 'aria-label': 'To (UTC, inclusive)', id: 'range-until' });
const customBox = h('span', { class: 'custom-range' }, h('label', { class: 'field' }, h('span', {}, 'From'), customSince), h('label', { class: 'field' }, h('span', {}, 'To'), customUntil));
if (ui.view.range.kind === 'custom') {
  customSince.value = ui.view.range.since;
  customUntil.value = ui.view.range.until;
}
customBox.hidden = ui.view.range.kind !== 'custom';
const onCustom = () => {
  if (isIsoDate(customSince.value) && isIsoDate(customUntil.value)) setView({ range: { kind: 'custom', since: customSince.value, until: customUntil.value } });
};
customSince.addEventListener('change', onCustom);
customUntil.addEventListener('change', onCustom);

const rangeSelect = select(
  'Range',
  'range',
  (Object.keys(RANGE_TITLES) as RangeKind[]).map((k) => [k, RANGE_TITLES[k]]),
  ui.view.range.kind,
  (v) => {
    if (v === 'custom') {
      const today = utcDay(new Date(nowIso));
      if (!isIsoDate(customSince.value)) customSince.value = addDays(today, -13);
      if (!isIsoDate(customUntil.value)) customUntil.value = today;
      customBox.hidden = false;
      onCustom();
    } else {
      customBox.hidden = true;
      setView({ range: { kind: v as Exclude<RangeKind, 'custom'> } });
    }
  },
);
const groupSelect = select(
  'Group costs by',
  'grouping',
  GROUPINGS.map((g) => [g, GROUP_TITLES[g]]),
  ui.view.grouping,
  (v) => setView({ grouping: v as Grouping }),
);
const rangeInfo = h('span', { class: 'muted', id: 'range-info' });
const ageInfo = h('span', { class: 'muted', id: 'data-age' });
const exportStatus = h('span', { class: 'muted', id: 'export-status', role: 'status', 'aria-live': 'polite' });

const toolbar = h(
  'div',
  { class: 'toolbar', role: 'toolbar', 'aria-label': 'Dashboard controls' },
  rangeSelect,
  customBox,
  groupSelect,
  h('span', { class: 'spacer' }),
  button('Refresh', () => post({ type: 'runAction', action: 'refresh' }), { secondary: true, icon: 'refresh', id: 'refresh' }),
  button('Export CSV', () => post({ type: 'export', format: 'csv', view: ui.view }), { secondary: true, icon: 'export', id: 'export-csv' }),
  button('Export JSON', () => post({ type: 'export', format: 'json', view: ui.view }), { secondary: true, icon: 'json', id: 'export-json' }),
);
const infoLine = h('div', { class: 'info' }, rangeInfo, ageInfo, exportStatus);

interface TabDom {
  banner: HTMLElement;
  body: HTMLElement;
}
const tabsEl = hx('vscode-tabs', { 'selected-index': TAB_IDS.indexOf(ui.view.tab) });
const tabDom = {} as Record<TabId, TabDom>;
for (const id of TAB_IDS) {
  // vscode-tabs assigns its own ids to headers and panels (for aria-controls), so ours live on data-* and an inner section.
  tabsEl.append(hx('vscode-tab-header', { slot: 'header', 'data-tab': id }, TAB_TITLES[id]));
  const banner = h('div', { class: 'banner', role: 'status', 'aria-live': 'polite' });
  const body = h('div', { class: 'tab-body' });
  tabsEl.append(hx('vscode-tab-panel', { 'data-panel': id }, h('section', { id: `panel-${id}`, 'aria-label': TAB_TITLES[id] }, banner, body)));
  tabDom[id] = { banner, body };
}
tabsEl.addEventListener('vsc-tabs-select', (e) => {
  const idx = (e as CustomEvent<{ selectedIndex: number }>).detail.selectedIndex;
  const tab = TAB_IDS[idx];
  if (!tab || tab === ui.view.tab) return;
  ui.view = { ...ui.view, tab };
  saveState();
  groupSelect.hidden = tab !== 'cost';
  renderTab(tab);
});
groupSelect.hidden = ui.view.tab !== 'cost';

const loading = h('p', { class: 'muted', id: 'waiting' }, 'Waiting for data from the extension…');
replace(app, h('header', {}, toolbar, infoLine), loading, tabsEl);

function setView(patch: Partial<ViewState>): void {
  ui.view = { ...ui.view, ...patch };
  saveState();
  recompute();
}

// ------------------------------------------------------------------------------------------------
// Rendering

function recompute(): void {
  if (!snapshot) return;
  dash = buildDashboard(snapshot, ui.view, new Date(nowIso));
  for (const t of TAB_IDS) dirty.add(t);
  rangeInfo.textContent = `${dash.range.label}: ${dash.range.since} to ${dash.range.until} (UTC)`;
  ageInfo.textContent = `Snapshot ${ago(snapshot.producedAt, Date.parse(nowIso))}. Keys: API ${keyText(snapshot.keys.api)}, Admin ${keyText(snapshot.keys.admin)}.`;
  renderTab(ui.view.tab);
}

function keyText(k: string): string {
  return k === 'secretStorage' ? 'set' : k === 'environment' ? 'from environment' : 'not set';
}

function renderTab(tab: TabId): void {
  if (!dash || !snapshot || !dirty.has(tab)) return;
  dirty.delete(tab);
  const dom = tabDom[tab];
  try {
    RENDERERS[tab](dom, dash);
  } catch (err) {
    replace(dom.banner, h('p', { class: 'error' }, `Could not render this tab: ${String(err)}`));
    post({ type: 'webviewError', message: `render ${tab}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}` });
  }
  if (!painted) {
    painted = true;
    requestAnimationFrame(() => {
      const now = performance.now();
      const r = (x: number) => Math.round(x * 10) / 10;
      document.body.dataset.paintMs = String(r(now - T0));
      post({ type: 'painted', ms: r(now - T0), sinceNavigationMs: r(now), renderMs: r(now - (firstSnapshotAt ?? T0)) });
    });
  }
}

function showBanner(dom: TabDom, statuses: SourceStatus[]): void {
  const items = statuses.filter((s) => s.kind !== 'ok');
  replace(
    dom.banner,
    ...items.map((s) =>
      h(
        'div',
        { class: `notice ${s.kind}`, 'data-kind': s.kind },
        h('span', { class: `codicon codicon-${ICON[s.kind]}`, 'aria-hidden': 'true' }),
        h('span', { class: 'msg' }, s.message),
        ...s.actions.map((a: ActionName) => button(ACTION_TITLES[a], () => post({ type: 'runAction', action: a }), { secondary: a !== 'setAdminKey' && a !== 'setApiKey', 'data-action': a })),
      ),
    ),
  );
}
const ICON: Record<SourceStatus['kind'], string> = { ok: 'check', loading: 'loading', empty: 'info', needsKey: 'key', error: 'error', stale: 'warning' };

/** Persistent pieces of a tab body, created once per tab, so later renders patch instead of rebuild. */
const parts = new Map<string, { el: HTMLElement; canvas?: HTMLCanvasElement; alt?: HTMLElement }>();

function part(id: string, make: () => { el: HTMLElement; canvas?: HTMLCanvasElement }): { el: HTMLElement; canvas?: HTMLCanvasElement; alt?: HTMLElement } {
  let p = parts.get(id);
  if (!p) {
    const made = make();
    p = { ...made, alt: made.el.querySelector('details') ?? undefined };
    parts.set(id, p);
  }
  return p;
}

/** A chart block whose data table (inside <details>) is replaced on each render. */
function chartPart(id: string, title: string, aria: string, height?: number) {
  const p = part(id, () => chartBlock(title, aria, h('div'), { height }));
  const setTable = (t: HTMLElement) => {
    const details = p.alt!;
    while (details.childNodes.length > 1) details.removeChild(details.lastChild!);
    details.append(t);
  };
  p.canvas!.setAttribute('aria-label', aria);
  return { el: p.el, canvas: p.canvas!, setTable };
}

function layout(dom: TabDom, key: string, build: () => HTMLElement[]): void {
  if (dom.body.dataset.built === key) return;
  replace(dom.body, ...build());
  dom.body.dataset.built = key;
}

/** Says when a source's data starts after the selected range does (so totals are partial), with "Load N days". */
function coverage(el: Element | null, note: CoverageNote | null): void {
  if (!el) return;
  if (!note) {
    replace(el);
    return;
  }
  const days = note.loadDays;
  replace(
    el,
    h('span', {}, `${note.message} `),
    days !== undefined
      ? button(`Load ${days} days`, () => post({ type: 'runAction', action: EXTEND_HISTORY, days }), { secondary: true, 'data-action': EXTEND_HISTORY, class: 'load-history' })
      : null,
  );
}

function tile(label: string, value: string, note?: string, id?: string): HTMLElement {
  return h('div', { class: 'tile', id }, h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value' }, value), note ? h('div', { class: 'tile-note' }, note) : null);
}

function seriesTable(title: string, set: SeriesSet, fmt: (v: string) => string, labelFmt: (l: string) => string = (l) => l): HTMLTableElement {
  const cols: Column<number>[] = [{ title: 'Date', cell: (i) => labelFmt(set.labels[i]!) }];
  for (const s of set.series) cols.push({ title: s.name, cell: (i) => fmt(s.values[i] ?? '0'), numeric: true });
  cols.push({ title: 'Total', cell: (i) => fmt(set.totals[i] ?? '0'), numeric: true });
  return table(title, cols, set.labels.map((_, i) => i), { footer: ['Total', ...set.series.map((s) => fmt(s.total)), fmt(set.total)] });
}

function stackedData(set: SeriesSet, labelFmt: (l: string) => string = shortDate) {
  return { labels: set.labels.map(labelFmt), datasets: set.series.map((s) => ({ label: s.name, data: s.values.map((v) => (v === '' ? null : Number(v))) })) };
}

const moneyAxis = (t: Theme, stacked = true) => axisOptions(t, { stacked, tickFormat: (v) => `$${compact(v)}`, tooltipLabel: (v, l) => `${l}: $${v.toFixed(4)}` });
const tokenAxis = (t: Theme, stacked = true) => axisOptions(t, { stacked, tickFormat: compact, tooltipLabel: (v, l) => `${l}: ${int(v)}` });

// ---------------------------------------- Overview

function renderOverview(dom: TabDom, d: DashboardView): void {
  const o = d.overview;
  const hasCosts = snapshot!.costs.data !== undefined;
  const hasLocal = snapshot!.local.data !== undefined;
  showBanner(dom, [d.status.costs, ...(snapshot!.keys.admin !== 'none' ? [d.status.tokens] : [])]);
  layout(dom, 'overview', () => [h('div', { class: 'tiles', id: 'overview-tiles' }), h('div', { class: 'grid2', id: 'overview-grid' }), h('div', { class: 'footnotes muted', id: 'overview-notes' })]);
  replace(
    dom.body.querySelector('#overview-notes')!,
    hasCosts ? h('p', {}, `¹ ${o.projectionMethod}`) : null,
    o.cacheSavingsUsd !== null ? h('p', {}, `² ${o.cacheSavingsMethod}`) : null,
  );
  const tiles = dom.body.querySelector('#overview-tiles')!;
  const partial = (days: number) => (o.costDataSince && o.costDataSince > addDays(o.today, -(days - 1)) ? `partial: data from ${o.costDataSince} (setting claudeUsage.history.days)` : undefined);
  replace(
    tiles,
    ...(hasCosts
      ? [
          tile('Today (UTC)', usd(o.costToday), undefined, 'ov-today'),
          tile('Last 7 days', usd(o.costLast7), partial(7), 'ov-7d'),
          tile('Last 30 days', usd(o.costLast30), partial(30), 'ov-30d'),
          tile('Month to date', usd(o.monthToDate), undefined, 'ov-mtd'),
          tile('Month-end projection', usd(o.monthEndProjection), 'straight-line estimate¹', 'ov-projection'),
          tile(d.range.label, usd(o.rangeCost), 'selected range', 'ov-range'),
        ]
      : []),
    snapshot!.tokens.data ? tile('Cache hit share', pct(o.cacheHitShare), 'cache reads ÷ all input tokens', 'ov-cache-share') : null,
    o.cacheSavingsUsd !== null ? tile('Caching saved (estimate)', usd(o.cacheSavingsUsd), `${d.range.label.toLowerCase()}²`, 'ov-cache-saved') : null,
    o.probeSpend ? tile('Probe spend today', usd(o.probeSpend.costUsd), `${int(o.probeSpend.probes)} probes, ${int(o.probeSpend.inputTokens + o.probeSpend.outputTokens)} tokens (estimate)`, 'ov-probe') : null,
    hasLocal ? tile('This machine today', usd(d.local.todayCostUsd), 'API-equivalent estimate from local transcripts', 'ov-local-today') : null,
  );
  const grid = dom.body.querySelector('#overview-grid')!;
  const chart = hasCosts
    ? chartPart('ov-cost', 'Cost per day', `Cost per day, ${d.range.label}: total ${usd(o.rangeCost)}`)
    : hasLocal
      ? chartPart('ov-local', 'This machine: API-equivalent estimate per day', `Estimated cost per day from local transcripts: ${usd(d.local.totalCostUsd)}`)
      : undefined;
  const tokenTable = snapshot!.tokens.data
    ? table(
        `Tokens by type, ${d.range.label} (exact, from the usage report)`,
        [
          { title: 'Type', cell: (r: [string, number]) => r[0] },
          { title: 'Tokens', cell: (r) => int(r[1]), numeric: true },
        ],
        [...TOKEN_TYPES.map((t) => [TOKEN_TYPE_LABEL[t], o.tokens[t]] as [string, number]), ['Web searches (requests)', o.tokens.webSearches]],
        { className: 'tokens-by-type' },
      )
    : null;
  replace(grid, chart?.el, tokenTable);
  if (chart) {
    const set = hasCosts ? d.cost.series : d.local.costByModel;
    const totals = { labels: set.labels.map(shortDate), datasets: [{ label: hasCosts ? 'Cost' : 'Estimate', data: set.totals.map(Number) }] };
    drawChart(hasCosts ? 'ov-cost' : 'ov-local', chart.canvas, 'bar', totals, (t) => ({ ...moneyAxis(t, false), plugins: { legend: { display: false } } }));
    chart.setTable(seriesTable('Cost per day', { ...set, series: [] }, usd));
  }
}

// ---------------------------------------- Cost

function renderCost(dom: TabDom, d: DashboardView): void {
  showBanner(dom, [d.status.costs]);
  const has = snapshot!.costs.data !== undefined;
  dom.body.hidden = !has;
  if (!has) return;
  layout(dom, 'cost', () => [h('p', { class: 'muted', id: 'cost-coverage' }), h('div', { class: 'side', id: 'cost-side' })]);
  coverage(dom.body.querySelector('#cost-coverage'), d.coverage.costs);
  const side = dom.body.querySelector('#cost-side')!;
  const c = chartPart('cost', 'Cost per day', '');
  c.canvas.setAttribute('aria-label', `Stacked cost per day by ${GROUP_TITLES[d.grouping].toLowerCase()}, ${d.range.label}, total ${usd(d.cost.series.total)}`);
  c.el.querySelector('figcaption')!.textContent = `Cost per day by ${GROUP_TITLES[d.grouping].toLowerCase()}`;
  const sideTable = table(
    `Cost by ${GROUP_TITLES[d.grouping].toLowerCase()}, ${d.range.label}`,
    [
      { title: GROUP_TITLES[d.grouping], cell: (r: DashboardView['cost']['table'][number]) => r.group },
      { title: 'Cost', cell: (r) => usd(r.total), numeric: true },
      { title: 'Share', cell: (r) => pct(r.share), numeric: true },
    ],
    d.cost.table,
    { footer: ['Total', usd(d.cost.series.total), d.cost.table.length ? '100.0%' : '—'], className: 'cost-table' },
  );
  if (!side.contains(c.el)) replace(side, c.el, h('div', { id: 'cost-table-box' }));
  replace(side.querySelector('#cost-table-box')!, sideTable);
  drawChart('cost', c.canvas, 'bar', stackedData(d.cost.series), (t) => moneyAxis(t));
  c.setTable(seriesTable('Cost per day', d.cost.series, usd));
}

// ---------------------------------------- Tokens

function renderTokens(dom: TabDom, d: DashboardView): void {
  showBanner(dom, [d.status.tokens]);
  const has = snapshot!.tokens.data !== undefined;
  dom.body.hidden = !has;
  if (!has) return;
  layout(dom, 'tokens', () => [h('p', { class: 'muted coverage' }), h('div', { id: 'tokens-daily' }), h('div', { id: 'tokens-hourly' })]);
  coverage(dom.body.querySelector('.coverage'), d.coverage.tokens);
  const daily = chartPart('tokens-daily', 'Tokens per day by type', `Tokens per day by type, ${d.range.label}`);
  if (!daily.el.isConnected) replace(dom.body.querySelector('#tokens-daily')!, daily.el);
  drawChart('tokens-daily', daily.canvas, 'bar', stackedData(d.tokens.daily), (t) => tokenAxis(t));
  daily.setTable(seriesTable('Tokens per day', d.tokens.daily, (v) => int(Number(v))));
  const hourlyBox = dom.body.querySelector('#tokens-hourly')!;
  if (d.tokens.hourly) {
    const hourly = chartPart('tokens-hourly', 'Tokens per hour by type (UTC)', `Tokens per hour by type, ${d.range.label}`);
    if (!hourly.el.isConnected) replace(hourlyBox, hourly.el);
    drawChart('tokens-hourly', hourly.canvas, 'bar', stackedData(d.tokens.hourly), (t) => tokenAxis(t));
    hourly.setTable(seriesTable('Tokens per hour', d.tokens.hourly, (v) => int(Number(v)), shortDate));
  } else {
    destroyChart('tokens-hourly');
    parts.delete('tokens-hourly');
    replace(hourlyBox, h('p', { class: 'muted' }, 'Hourly resolution is shown for ranges of 7 days or less.'));
  }
}

// ---------------------------------------- Rate limits

function renderRateLimits(dom: TabDom, d: DashboardView): void {
  showBanner(dom, [d.status.rateLimits]);
  const r = d.rateLimits;
  const has = snapshot!.rateLimits.data !== undefined;
  dom.body.hidden = !has;
  if (!has) return;
  layout(dom, 'rateLimits', () => [h('p', { id: 'rl-info', class: 'muted' }), h('div', { class: 'gauges', id: 'rl-gauges' }), h('div', { id: 'rl-unified' }), h('div', { id: 'rl-history' }), h('div', { id: 'rl-probe' })]);
  const now = Date.parse(nowIso);
  dom.body.querySelector('#rl-info')!.textContent = `Model ${r.model ?? '?'} · probed ${ago(r.takenAt, now)}. Remaining capacity per limit family; buckets refill continuously.`;
  const gaugesEl = dom.body.querySelector('#rl-gauges')!;
  const wanted = new Set(r.gauges.map((g) => `gauge-${g.key}`));
  for (const [id] of parts) if (id.startsWith('gauge-') && !wanted.has(id)) {
    destroyChart(id);
    parts.get(id)!.el.remove();
    parts.delete(id);
  }
  for (const g of r.gauges) {
    const id = `gauge-${g.key}`;
    const text = `${int(g.remaining)} of ${int(g.limit)} remaining${g.share !== undefined ? ` (${pct(g.share, 0)})` : ''}${g.reset ? `, full ${until(g.reset, now)}` : ''}`;
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
    c.setTable(table(g.label, [{ title: 'Measure', cell: (x: [string, string]) => x[0] }, { title: 'Value', cell: (x) => x[1] }], [['Limit', int(g.limit)], ['Remaining', int(g.remaining)], ['Remaining share', pct(g.share)], ['Reset', g.reset ?? '—']]));
  }
  const unifiedBox = dom.body.querySelector('#rl-unified')!;
  replace(
    unifiedBox,
    r.unified.length
      ? table(
          `Subscription windows${r.unifiedStatus ? ` (status: ${r.unifiedStatus})` : ''}`,
          [
            { title: 'Window', cell: (u: DashboardView['rateLimits']['unified'][number]) => u.label },
            { title: 'Used', cell: (u) => pct(u.utilization), numeric: true },
            { title: 'Resets', cell: (u) => (u.reset ? until(u.reset, now) : '—') },
          ],
          r.unified,
        )
      : null,
  );
  const hist = chartPart('rl-history', 'Remaining share per probe (%)', `History of remaining capacity over ${r.history.labels.length} probes since start-up`);
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
  replace(dom.body.querySelector('#rl-probe')!, p ? h('p', { class: 'muted' }, `Probe spend today (${p.date}): ${int(p.probes)} probes, ${int(p.inputTokens)} input + ${int(p.outputTokens)} output tokens, ${usd(p.costUsd)} (estimate).`) : null);
}

// ---------------------------------------- Claude Code

function renderClaudeCode(dom: TabDom, d: DashboardView): void {
  showBanner(dom, [d.status.claudeCode]);
  const has = snapshot!.claudeCode.data !== undefined;
  dom.body.hidden = !has;
  if (!has) return;
  const cc = d.claudeCode;
  layout(dom, 'claudeCode', () => [h('p', { class: 'muted coverage' }), h('div', { class: 'tiles', id: 'cc-tiles' }), h('div', { class: 'grid2', id: 'cc-charts' }), h('div', { id: 'cc-people' }), h('div', { class: 'grid2', id: 'cc-tables' })]);
  coverage(dom.body.querySelector('.coverage'), d.coverage.claudeCode);
  replace(
    dom.body.querySelector('#cc-tiles')!,
    tile('Sessions', int(cc.totals.sessions)),
    tile('Lines added / removed', `+${int(cc.totals.linesAdded)} / −${int(cc.totals.linesRemoved)}`),
    tile('Commits', int(cc.totals.commits)),
    tile('Pull requests', int(cc.totals.pullRequests)),
    tile('Acceptance rate', pct(cc.overallAcceptance.rate), `${int(cc.overallAcceptance.accepted)} accepted, ${int(cc.overallAcceptance.rejected)} rejected (summed)`, 'cc-acceptance'),
    tile('Estimated cost', usd(cc.totalCostUsd), "Anthropic's estimate in the Claude Code report"),
  );
  const charts = dom.body.querySelector('#cc-charts')!;
  const act = chartPart('cc-activity', 'Activity per day', `Claude Code sessions, commits and pull requests per day, ${d.range.label}`);
  const lines = chartPart('cc-lines', 'Lines of code per day', `Lines added and removed per day, ${d.range.label}`);
  const tools = chartPart('cc-tools', 'Acceptance rate per tool', `Acceptance rate per tool: ${cc.tools.map((t) => `${t.tool} ${pct(t.rate)}`).join(', ')}`);
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
      { title: 'Tool', cell: (t: DashboardView['claudeCode']['tools'][number]) => t.tool },
      { title: 'Accepted', cell: (t) => int(t.accepted), numeric: true },
      { title: 'Rejected', cell: (t) => int(t.rejected), numeric: true },
      { title: 'Rate', cell: (t) => pct(t.rate), numeric: true },
    ],
    cc.tools,
    { footer: ['All tools', int(cc.overallAcceptance.accepted), int(cc.overallAcceptance.rejected), pct(cc.overallAcceptance.rate)] },
  );
  tools.setTable(toolTable.cloneNode(true) as HTMLElement);
  const termTable = table('Terminals', [{ title: 'Terminal', cell: (t: DashboardView['claudeCode']['terminals'][number]) => t.terminal }, { title: 'Sessions', cell: (t) => int(t.sessions), numeric: true }, { title: 'Records', cell: (t) => int(t.records), numeric: true }], cc.terminals);
  terms.setTable(termTable);
  renderPeople(dom, cc.people);
  replace(
    dom.body.querySelector('#cc-tables')!,
    toolTable,
    table(
      'Cost per model (estimate)',
      [
        { title: 'Model', cell: (m: DashboardView['claudeCode']['models'][number]) => m.model },
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

function renderPeople(dom: TabDom, people: PersonRow[]): void {
  const sorted = sortPeople(people, ui.sort.key, ui.sort.descending);
  const onSort = (key: string) => {
    const k = key as PersonSortKey;
    ui.sort = { key: k, descending: ui.sort.key === k ? !ui.sort.descending : k !== 'actor' };
    saveState();
    renderPeople(dom, people);
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
        col('Acceptance', 'acceptanceRate', (p) => pct(p.acceptanceRate)),
        col('Cost', 'costUsd', (p) => usd(p.costUsd)),
        { title: 'Cost by model', cell: (p) => Object.entries(p.costByModel).map(([m, c]) => `${m}: ${usd(c)}`).join('; ') },
      ],
      sorted,
      { sort: ui.sort, onSort, className: 'people' },
    ),
  );
}

// ---------------------------------------- This machine

function renderLocal(dom: TabDom, d: DashboardView): void {
  showBanner(dom, [d.status.local]);
  const has = snapshot!.local.data !== undefined;
  dom.body.hidden = !has;
  if (!has) return;
  const l = d.local;
  layout(dom, 'local', () => [h('p', { class: 'estimate-label', id: 'local-label' }), h('div', { class: 'tiles', id: 'local-tiles' }), h('div', { id: 'local-chart' }), h('div', { id: 'local-table' }), h('div', { id: 'local-notes' })]);
  dom.body.querySelector('#local-label')!.textContent = `API-equivalent estimate from this machine's Claude Code transcripts (what these tokens would cost at API prices; days in ${l.timezone ?? 'local time'}).`;
  const w = l.window;
  const now = Date.parse(nowIso);
  replace(
    dom.body.querySelector('#local-tiles')!,
    tile('Today (estimate)', usd(l.todayCostUsd), undefined, 'local-today'),
    tile(`${d.range.label} (estimate)`, usd(l.totalCostUsd), undefined, 'local-range'),
    w && w.active
      ? tile('Current 5-hour window', usd(w.costUsd), `${int(w.tokens)} tokens; ends ${until(w.end, now)}; burn ${usd(w.burnUsdPerHour)}/h (${int(w.burnTokensPerHour)} tokens/h); projected ${usd(w.projectedCostUsd)} by its end`, 'local-window')
      : tile('Current 5-hour window', 'none active', w ? `last ended ${ago(w.end, now)}` : undefined, 'local-window'),
  );
  const c = chartPart('local-cost', 'Estimated cost per day by model', `API-equivalent estimated cost per day by model, ${d.range.label}, total ${usd(l.totalCostUsd)}`);
  if (!c.el.isConnected) replace(dom.body.querySelector('#local-chart')!, c.el);
  drawChart('local-cost', c.canvas, 'bar', stackedData(l.costByModel), (t) => moneyAxis(t));
  c.setTable(seriesTable('Estimated cost per day', l.costByModel, usd));
  replace(
    dom.body.querySelector('#local-table')!,
    table(
      `Tokens by model, ${d.range.label}`,
      [
        { title: 'Model', cell: (m: DashboardView['local']['tokensByModel'][number]) => m.model },
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

const RENDERERS: Record<TabId, (dom: TabDom, d: DashboardView) => void> = {
  overview: renderOverview,
  cost: renderCost,
  tokens: renderTokens,
  rateLimits: renderRateLimits,
  claudeCode: renderClaudeCode,
  local: renderLocal,
};

// ------------------------------------------------------------------------------------------------
// Messages, theme, errors

window.addEventListener('message', (e: MessageEvent) => {
  const msg = parseHostMessage(e.data);
  if (!msg) {
    const t = typeof e.data === 'object' && e.data !== null ? String((e.data as { type?: unknown }).type).slice(0, 40) : typeof e.data;
    post({ type: 'webviewError', message: `ignored a malformed message from the host (${t})` });
    return;
  }
  if (msg.type === 'snapshot') {
    snapshot = msg.snapshot;
    nowIso = msg.now;
    firstSnapshotAt ??= performance.now();
    loading.remove();
    recompute();
  } else {
    exportStatus.textContent = msg.message;
    exportStatus.className = msg.ok ? 'muted' : 'error';
  }
});

watchTheme(() => {
  /* charts recoloured in place by retheme(); tables follow CSS variables */
});

window.addEventListener('error', (e) => post({ type: 'webviewError', message: `${e.message} at ${e.filename}:${e.lineno}` }));
window.addEventListener('unhandledrejection', (e) => post({ type: 'webviewError', message: `unhandled rejection: ${String(e.reason)}` }));
document.addEventListener('securitypolicyviolation', (e) => post({ type: 'webviewError', message: `CSP blocked ${e.blockedURI || 'inline'} (${e.violatedDirective})` }));

if (!scriptNonce) post({ type: 'webviewError', message: 'script nonce missing' });
post({ type: 'ready' });
