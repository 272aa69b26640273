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
import { parseHostMessage, parseViewState } from '../src/core/dashboard/messages';
import type { PersonSortKey } from '../src/core/dashboard/tabs/claudeCode';
import {
  DEFAULT_VIEW_STATE,
  GROUPINGS,
  RANGE_TITLES,
  TAB_IDS,
  TAB_TITLES,
  buildTab,
  headerInfo,
  tabContext,
  type DashboardSettings,
  type Grouping,
  type RangeKind,
  type TabContext,
  type TabId,
  type TabModels,
  type ViewState,
} from '../src/core/dashboard/view';
import { addDays, isIsoDate, utcDay } from '../src/core/model/days';
import { GROUPING_TITLES } from '../src/core/model/labels';
import type { StoreSnapshot } from '../src/core/model/snapshot';
import { watchTheme } from './charts';
import { h, hx, replace } from './dom';
import { post, vscode } from './host';
import { button, type TabDom } from './parts';
import { renderClaudeCode, type SortState } from './tabs/claudeCode';
import { renderCost } from './tabs/cost';
import type { RenderEnv } from './tabs/env';
import { renderLocal } from './tabs/local';
import { renderOverview } from './tabs/overview';
import { renderRateLimits } from './tabs/rateLimits';
import { renderTokens } from './tabs/tokens';

const T0 = performance.now();

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
let ctx: TabContext | undefined;
let settings: DashboardSettings | undefined;
const dirty = new Set<TabId>(TAB_IDS);
let painted = false;
let firstSnapshotAt: number | undefined;

function saveState(): void {
  vscode.setState(ui);
}

const sortState: SortState = {
  get: () => ui.sort,
  set: (s) => {
    ui.sort = s;
    saveState();
  },
};

// ------------------------------------------------------------------------------------------------
// Page skeleton (built once)

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
app.removeAttribute('aria-busy');


function select(label: string, id: string, options: [string, string][], value: string, onChange: (v: string) => void): HTMLElement {
  const sel = hx('vscode-single-select', { id, 'aria-label': label });
  for (const [v, t] of options) sel.append(hx('vscode-option', { value: v, selected: v === value }, t));
  sel.addEventListener('change', () => onChange((sel as unknown as { value: string }).value));
  return h('label', { class: 'field' }, h('span', {}, label), sel);
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
      const today = utcDay(Date.parse(nowIso));
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
  GROUPINGS.map((g) => [g, GROUPING_TITLES[g]]),
  ui.view.grouping,
  (v) => setView({ grouping: v as Grouping }),
);
const rangeInfo = h('span', { class: 'muted', id: 'range-info' });
const ageInfo = h('span', { class: 'muted', id: 'data-age' });
const exportStatus = h('span', { class: 'muted', id: 'export-status', role: 'status', 'aria-live': 'polite' });
let exportStatusTimer: ReturnType<typeof setTimeout> | undefined;

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

/** The host's clock, run on locally between its snapshots and ticks (a rebuild between them reads it too). */
let hostNowMs = 0;
let receivedAt = 0;
function nowMs(): number {
  return hostNowMs + (performance.now() - receivedAt);
}

function recompute(): void {
  if (!snapshot) return;
  nowIso = new Date(nowMs()).toISOString();
  ctx = tabContext(snapshot, ui.view, nowMs(), settings);
  for (const t of TAB_IDS) dirty.add(t);
  renderTab(ui.view.tab);
}

/** Builds only the shown tab's model and draws it (other tabs are built when first shown). */
function renderTab<K extends TabId>(tab: K): void {
  if (!ctx || !dirty.has(tab)) return;
  dirty.delete(tab);
  const info = headerInfo(ctx, tab);
  rangeInfo.textContent = info.range;
  ageInfo.textContent = info.age;
  const dom = tabDom[tab];
  try {
    const env: RenderEnv = { range: ctx.range, nowMs: ctx.nowMs };
    (RENDERERS[tab] as (dom: TabDom, m: TabModels[K], env: RenderEnv) => void)(dom, buildTab(tab, ctx), env);
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
      // The same instant on the browser's wall clock, comparable across frames (bench/dashboard-open.ts).
      document.body.dataset.paintAt = String(r(performance.timeOrigin + now));
      post({ type: 'painted', ms: r(now - T0), sinceNavigationMs: r(now), renderMs: r(now - (firstSnapshotAt ?? T0)) });
    });
  }
}

const RENDERERS: { [K in TabId]: (dom: TabDom, m: TabModels[K], env: RenderEnv) => void } = {
  overview: renderOverview,
  cost: renderCost,
  tokens: renderTokens,
  rateLimits: renderRateLimits,
  claudeCode: (dom, m, env) => renderClaudeCode(dom, m, env, sortState),
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
    hostNowMs = Date.parse(msg.now);
    receivedAt = performance.now();
    settings = msg.settings;
    firstSnapshotAt ??= performance.now();
    loading.remove();
    recompute();
  } else if (msg.type === 'tick') {
    // The host's tick (TICK_MS, and the instant a plan window resets): the same moment the status bar and
    // the trees re-render, with the host's clock.
    hostNowMs = Date.parse(msg.now);
    receivedAt = performance.now();
    if (snapshot && !document.hidden) recompute();
  } else {
    // A short-lived note on one line (the full path in its title); it never pushes the tabs down.
    exportStatus.textContent = msg.message;
    exportStatus.title = msg.message;
    exportStatus.className = msg.ok ? 'muted' : 'error';
    clearTimeout(exportStatusTimer);
    exportStatusTimer = setTimeout(() => {
      exportStatus.textContent = '';
      exportStatus.title = '';
    }, msg.ok ? 8000 : 15_000);
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
