/** Tiny DOM helpers. Text always goes in through `textContent`, never as HTML. */
export type Child = Node | string | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | undefined> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, ...children);
  return el;
}

/** For custom elements (`vscode-button`, ...). */
export function hx(tag: string, attrs: Record<string, string | number | boolean | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, ...children);
  return el;
}

function setAttrs(el: Element, attrs: Record<string, string | number | boolean | undefined>): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === false) continue;
    if (k === 'class') el.className = String(v);
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

export function append(el: Element, ...children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' ? document.createTextNode(c) : c);
  }
}

export function clear(el: Element): void {
  while (el.firstChild) el.removeChild(el.firstChild);
}

export function replace(el: Element, ...children: Child[]): void {
  clear(el);
  append(el, ...children);
}

export interface Column<R> {
  title: string;
  cell: (row: R) => string;
  numeric?: boolean;
  /** When set the header is a sort button. */
  sortKey?: string;
}

/** A semantic <table> (screen readers get full table navigation); optional sortable headers with aria-sort. */
export function table<R>(
  caption: string,
  columns: Column<R>[],
  rows: readonly R[],
  opts: { footer?: string[]; sort?: { key: string; descending: boolean }; onSort?: (key: string) => void; className?: string } = {},
): HTMLTableElement {
  const t = h('table', { class: `data ${opts.className ?? ''}`.trim() });
  t.append(h('caption', {}, caption));
  const headRow = h('tr');
  for (const c of columns) {
    const th = h('th', { scope: 'col', class: c.numeric ? 'num' : undefined });
    if (c.sortKey && opts.onSort) {
      const active = opts.sort?.key === c.sortKey;
      th.setAttribute('aria-sort', active ? (opts.sort!.descending ? 'descending' : 'ascending') : 'none');
      const b = h('button', { type: 'button', class: 'sort' }, c.title, active ? (opts.sort!.descending ? ' ▼' : ' ▲') : '');
      const key = c.sortKey;
      b.addEventListener('click', () => opts.onSort!(key));
      th.append(b);
    } else th.textContent = c.title;
    headRow.append(th);
  }
  t.append(h('thead', {}, headRow));
  const body = h('tbody');
  for (const r of rows) {
    const tr = h('tr');
    columns.forEach((c, i) => tr.append(h(i === 0 ? 'th' : 'td', { class: c.numeric ? 'num' : undefined, scope: i === 0 ? 'row' : undefined }, c.cell(r))));
    body.append(tr);
  }
  if (rows.length === 0) body.append(h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, 'No rows in this range.')));
  t.append(body);
  if (opts.footer) {
    const tr = h('tr');
    opts.footer.forEach((f, i) => tr.append(h(i === 0 ? 'th' : 'td', { class: columns[i]?.numeric ? 'num' : undefined, scope: i === 0 ? 'row' : undefined }, f)));
    t.append(h('tfoot', {}, tr));
  }
  return t;
}
