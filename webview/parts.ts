/**
 * The pieces every tab renderer draws with: banners, tiles, chart blocks whose data table is replaced in
 * place, series tables and chart datasets. They format values (model/format) and lay them out; they compute
 * no facts.
 */
import { ACTION_TITLES, type ActionName } from '../src/core/model/commands';
import { shortDate } from '../src/core/model/days';
import { compact, int } from '../src/core/model/format';
import type { SeriesSet } from '../src/core/dashboard/series';
import type { BudgetChartLine, BudgetRow } from '../src/core/budget/surfaces';
import { EXTEND_HISTORY, type CoverageNote, type SourceStatus } from '../src/core/dashboard/status';
import { axisOptions, chartBlock, destroyChart, type Theme } from './charts';
import { h, hx, replace, table, type Column } from './dom';
import { post } from './host';

export interface TabDom {
  banner: HTMLElement;
  body: HTMLElement;
}

export function button(text: string, onClick: () => void, attrs: Record<string, string | boolean> = {}): HTMLElement {
  const b = hx('vscode-button', attrs, text);
  b.addEventListener('click', onClick);
  return b;
}

const ICON: Record<SourceStatus['kind'], string> = { ok: 'check', loading: 'loading', empty: 'info', needsKey: 'key', error: 'error', stale: 'warning' };

/** One notice per source that is not ok, each with the buttons of its actions. */
export function showBanner(dom: TabDom, statuses: readonly SourceStatus[]): void {
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

/** Forgets a chart part (its element is removed by the caller). */
export function dropPart(id: string): void {
  parts.delete(id);
}

/** Removes a chart part entirely: its chart, its element and its entry. */
export function removePart(id: string): void {
  destroyChart(id);
  parts.get(id)?.el.remove();
  parts.delete(id);
}

/** Ids of the chart parts that exist, for renderers that add and remove parts (gauges). */
export function partIds(): string[] {
  return [...parts.keys()];
}

/** A chart block whose data table (inside <details>) is replaced on each render. */
export function chartPart(id: string, title: string, aria: string, height?: number): { el: HTMLElement; canvas: HTMLCanvasElement; setTable(t: HTMLElement): void } {
  const p = part(id, () => chartBlock(title, aria, h('div'), { height }));
  const setTable = (t: HTMLElement) => {
    const details = p.alt!;
    while (details.childNodes.length > 1) details.removeChild(details.lastChild!);
    details.append(t);
  };
  p.canvas!.setAttribute('aria-label', aria);
  return { el: p.el, canvas: p.canvas!, setTable };
}

/** Builds a tab body's skeleton once per layout key. */
export function layout(dom: TabDom, key: string, build: () => HTMLElement[]): void {
  if (dom.body.dataset.built === key) return;
  replace(dom.body, ...build());
  dom.body.dataset.built = key;
}

/** Says when a source's data starts after the selected range does (so totals are partial), with "Load N days". */
export function coverage(el: Element | null, note: CoverageNote | null): void {
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

export function tile(label: string, value: string, note?: string, id?: string): HTMLElement {
  return h('div', { class: 'tile', id }, h('div', { class: 'tile-label' }, label), h('div', { class: 'tile-value' }, value), note ? h('div', { class: 'tile-note' }, note) : null);
}

export function seriesTable(title: string, set: SeriesSet, fmt: (v: string) => string, labelFmt: (l: string) => string = (l) => l): HTMLTableElement {
  const cols: Column<number>[] = [{ title: 'Date', cell: (i) => labelFmt(set.labels[i]!) }];
  for (const s of set.series) cols.push({ title: s.name, cell: (i) => fmt(s.values[i] ?? '0'), numeric: true });
  cols.push({ title: 'Total', cell: (i) => fmt(set.totals[i] ?? '0'), numeric: true });
  return table(title, cols, set.labels.map((_, i) => i), { footer: ['Total', ...set.series.map((s) => fmt(s.total)), fmt(set.total)] });
}

export function stackedData(set: SeriesSet, labelFmt: (l: string) => string = shortDate) {
  return { labels: set.labels.map(labelFmt), datasets: set.series.map((s) => ({ label: s.name, data: s.values.map((v) => (v === '' ? null : Number(v))) })) };
}

/** Money on an axis: "$1.2k" for large amounts, "$0.05" under a dollar (never a row of "$0"). */
function moneyTick(v: number): string {
  return Math.abs(v) >= 10 ? `$${compact(v)}` : `$${v.toFixed(Math.abs(v) >= 1 || v === 0 ? (Number.isInteger(v) ? 0 : 1) : 2)}`;
}

export const moneyAxis = (t: Theme, stacked = true) => axisOptions(t, { stacked, tickFormat: moneyTick, tooltipLabel: (v, l) => `${l}: $${v.toFixed(4)}` });
export const tokenAxis = (t: Theme, stacked = true) => axisOptions(t, { stacked, tickFormat: compact, tooltipLabel: (v, l) => `${l}: ${int(v)}` });

/** Budgets as a list: label, spent of budget with a progress bar, period, projection and when it is reached. */
export function budgetList(rows: readonly BudgetRow[], id: string): HTMLElement | null {
  if (!rows.length) return null;
  return h(
    'section',
    { class: 'budgets', id, 'aria-label': 'Budgets' },
    h('h3', {}, 'Budgets'),
    ...rows.map((r) => {
      const bar = h('progress', { max: 100, value: Math.round(r.fraction * 1000) / 10, 'aria-label': `${r.label}: ${r.summary}` });
      return h(
        'div',
        { class: `budget ${r.level}`, 'data-budget': r.id, 'data-level': r.level },
        h('div', { class: 'budget-head' }, h('span', { class: 'budget-label' }, r.label), h('span', { class: 'budget-summary' }, r.summary)),
        bar,
        h('div', { class: 'budget-notes muted' }, [r.period, r.projection, r.reach, r.note].filter(Boolean).join(' · ')),
      );
    }),
  );
}

/** Budget lines for a daily bar chart: one dashed line per budget at its amount per day (not stacked). */
export function budgetDatasets(lines: readonly BudgetChartLine[], labels: number): { type: 'line'; label: string; data: number[]; stack: string; pointRadius: number; borderDash: number[]; borderWidth: number; fill: boolean; order: number }[] {
  return lines.map((l, i) => ({
    type: 'line' as const,
    label: l.label,
    data: Array.from({ length: labels }, () => Number(l.perDay)),
    stack: `budget-${i}`,
    pointRadius: 0,
    borderDash: [6, 4],
    borderWidth: 2,
    fill: false,
    order: -1,
  }));
}
