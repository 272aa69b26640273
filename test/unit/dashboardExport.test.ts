import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { Decimal } from '../../src/core/decimal';
import { COST_COLUMNS, LOCAL_COLUMNS, PEOPLE_COLUMNS, csvField, exportCsv, exportFileName, exportJson, toCsv } from '../../src/core/dashboard/export';
import { dashboardCsp, dashboardHtml } from '../../src/core/dashboard/html';
import { parseHostMessage, parseWebviewMessage, sanitizeSnapshot } from '../../src/core/dashboard/messages';
import type { ViewState } from '../../src/core/dashboard/view';
import { sampleSnapshot } from './dashboardFixture';

const NOW_DATE = new Date('2026-11-27T12:00:00Z');
const NOW = NOW_DATE.getTime();

/** A small RFC 4180 parser, independent of the writer. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let i = 0;
  let quoted = false;
  while (i < text.length) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i += 2;
        continue;
      }
      if (c === '"') quoted = false;
      else field += c;
      i++;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
    i++;
  }
  if (field !== '' || row.length) rows.push([...row, field]);
  return rows;
}

const view = (tab: ViewState['tab'], range: ViewState['range'] = { kind: '7d' }): ViewState => ({ tab, range, grouping: 'model' });

describe('dashboard export: CSV', () => {
  it('quotes fields per RFC 4180 and guards text against formula injection', () => {
    assert.equal(csvField('plain'), 'plain');
    assert.equal(csvField('a,b'), '"a,b"');
    assert.equal(csvField('say "hi"'), '"say ""hi"""');
    assert.equal(csvField('two\nlines'), '"two\nlines"');
    assert.equal(csvField(null), '');
    assert.equal(csvField(12), '12');
    assert.equal(csvField('=HYPERLINK("x")', true), `"'=HYPERLINK(""x"")"`);
    assert.equal(csvField('-0.5'), '-0.5', 'numeric columns keep their sign');
    assert.equal(csvField('@me', true), "'@me");
  });

  it('round-trips any text through an independent parser', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', 'é', '1') }), { minLength: 3, maxLength: 3 }), { maxLength: 8 }), (rows) => {
        const csv = toCsv(['x', 'y', 'z'], rows);
        const parsed = parseCsv(csv);
        assert.deepEqual(parsed[0], ['x', 'y', 'z']);
        assert.deepEqual(parsed.slice(1), rows);
      }),
    );
  });

  it('exports the cost rows of the visible range with exact amounts that sum to the overview', () => {
    const s = sampleSnapshot(NOW_DATE);
    const csv = exportCsv(s, view('cost'), NOW);
    const [header, ...rows] = parseCsv(csv);
    assert.deepEqual(header, [...COST_COLUMNS]);
    const inRange = s.costs.data!.rows.filter((r) => r.date >= '2026-11-21');
    assert.equal(rows.length, inRange.length);
    const total = rows.reduce((acc, r) => acc.add(Decimal.parse(r[9]!)), Decimal.ZERO);
    const expected = inRange.reduce((acc, r) => acc.add(Decimal.parse(r.amountUsd)), Decimal.ZERO);
    assert.ok(total.eq(expected), `${total} vs ${expected}`);
    assert.ok(rows.every((r) => r[0]! >= '2026-11-21' && r[0]! <= '2026-11-27'));
    assert.ok(rows.some((r) => r[2] === 'Production') && rows.some((r) => r[2] === 'Default'), 'workspace names, not only ids');
    assert.ok(csv.endsWith('\r\n'));
  });

  it('exports tokens, rate limits, people and local days for their tabs', () => {
    const s = sampleSnapshot(NOW_DATE);
    const tokens = parseCsv(exportCsv(s, view('tokens'), NOW));
    assert.equal(tokens.length - 1, s.tokens.data!.daily.filter((r) => r.start >= '2026-11-21').length);
    assert.ok(tokens.some((r) => r[5] === 'prod key'), 'API keys by name');
    const rl = parseCsv(exportCsv(s, view('rateLimits'), NOW));
    assert.equal(rl.length - 1, 20 * 3);
    const people = parseCsv(exportCsv(s, view('claudeCode', { kind: '30d' }), NOW));
    assert.deepEqual(people[0], [...PEOPLE_COLUMNS]);
    assert.equal(people.length - 1, 4);
    const local = parseCsv(exportCsv(s, view('local'), NOW));
    assert.deepEqual(local[0], [...LOCAL_COLUMNS]);
    const mystery = local.find((r) => r[2] === 'claude-mystery-9')!;
    assert.equal(mystery[8], '', 'unpriced: empty estimate, never 0');
  });

  it('never contains a key or a partial key hint (CSV and JSON)', () => {
    const s = sampleSnapshot(NOW_DATE);
    for (const tab of ['overview', 'cost', 'tokens', 'rateLimits', 'claudeCode', 'local'] as const) {
      for (const text of [exportCsv(s, view(tab), NOW), exportJson(s, view(tab), NOW)]) {
        assert.ok(!/sk-ant-/.test(text), `${tab} export leaks a key-shaped string`);
      }
    }
  });

  it('exports JSON of the visible range with money as exact strings', () => {
    const s = sampleSnapshot(NOW_DATE);
    const doc = JSON.parse(exportJson(s, view('overview', { kind: 'mtd' }), NOW));
    assert.equal(doc.kind, 'claude-usage-dashboard');
    assert.deepEqual(doc.range, { since: '2026-11-01', until: '2026-11-27' });
    assert.equal(typeof doc.overview.monthToDate, 'string');
    const sum = doc.costRows.reduce((a: Decimal, r: { amountUsd: string }) => a.add(Decimal.parse(r.amountUsd)), Decimal.ZERO);
    assert.equal(sum.toString(), doc.overview.monthToDate);
    assert.equal(exportFileName(view('cost', { kind: 'mtd' }), NOW, 'csv'), 'claude-usage-cost-2026-11-01_2026-11-27.csv');
  });
});

describe('dashboard messages and page', () => {
  const good: ViewState = { tab: 'cost', range: { kind: 'custom', since: '2026-11-01', until: '2026-11-10' }, grouping: 'workspace' };

  it('accepts exactly the known webview messages', () => {
    assert.deepEqual(parseWebviewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseWebviewMessage({ type: 'runAction', action: 'setAdminKey' }), { type: 'runAction', action: 'setAdminKey' });
    assert.deepEqual(parseWebviewMessage({ type: 'export', format: 'csv', view: good }), { type: 'export', format: 'csv', view: good });
    assert.deepEqual(parseWebviewMessage({ type: 'painted', ms: 12.5, sinceNavigationMs: 80, renderMs: 9 }), { type: 'painted', ms: 12.5, sinceNavigationMs: 80, renderMs: 9 });
    for (const bad of [
      null,
      'ready',
      { type: 'runAction', action: 'workbench.action.quit' },
      { type: 'runCommand', command: 'claudeUsage.clearKeys' },
      { type: 'export', format: 'xlsx', view: good },
      { type: 'export', format: 'csv', view: { ...good, range: { kind: 'custom', since: '2026-13-01', until: '2026-11-10' } } },
      { type: 'export', format: 'csv', view: { ...good, tab: 'secrets' } },
      { type: 'painted', ms: -1, sinceNavigationMs: 1, renderMs: 1 },
      { type: 'painted', ms: Number.NaN, sinceNavigationMs: 1, renderMs: 1 },
    ]) {
      assert.equal(parseWebviewMessage(bad), undefined, JSON.stringify(bad));
    }
  });

  it('accepts "Load N days" only as an integer number of days within the history bounds', () => {
    for (const days of [7, 90, 366]) {
      assert.deepEqual(parseWebviewMessage({ type: 'runAction', action: 'extendHistory', days }), { type: 'runAction', action: 'extendHistory', days });
    }
    assert.deepEqual(
      parseWebviewMessage({ type: 'runAction', action: 'extendHistory', days: 30, command: 'workbench.action.quit' }),
      { type: 'runAction', action: 'extendHistory', days: 30 },
      'extra fields are dropped',
    );
    for (const days of [6, 367, 30.5, -30, Number.NaN, Number.POSITIVE_INFINITY, '30', null, undefined, [30], { days: 30 }]) {
      assert.equal(parseWebviewMessage({ type: 'runAction', action: 'extendHistory', days }), undefined, String(days));
    }
  });

  it('validates host messages and strips key hints before posting', () => {
    const s = sampleSnapshot(NOW_DATE);
    const clean = sanitizeSnapshot(s);
    assert.ok(!JSON.stringify(clean).includes('sk-ant-'));
    assert.equal(clean.labels.data!.apiKeys[0]!.name, 'prod key');
    assert.ok(parseHostMessage({ type: 'snapshot', snapshot: clean, now: NOW_DATE.toISOString() }));
    assert.equal(parseHostMessage({ type: 'snapshot', snapshot: { ...clean, version: 2 }, now: NOW_DATE.toISOString() }), undefined);
    assert.equal(parseHostMessage({ type: 'snapshot', snapshot: { ...clean, costs: { stale: false, loading: false, data: { rows: 'x' } } }, now: NOW_DATE.toISOString() }), undefined);
    assert.equal(parseHostMessage({ type: 'snapshot', snapshot: clean, now: 'yesterday' }), undefined);
    assert.deepEqual(parseHostMessage({ type: 'exportResult', ok: true, message: 'done' }), { type: 'exportResult', ok: true, message: 'done' });
    assert.deepEqual(parseHostMessage({ type: 'tick', now: NOW_DATE.toISOString() }), { type: 'tick', now: NOW_DATE.toISOString() });
    assert.equal(parseHostMessage({ type: 'tick', now: 'soon' }), undefined);
    assert.equal(parseHostMessage({ type: 'tick' }), undefined);
  });

  it('serves a page whose CSP allows only the nonce script and the extension origin', () => {
    const html = dashboardHtml({ cspSource: 'https://x.vscode-cdn.net', nonce: 'AAAAAAAAAAAAAAAAAAAAAA==', script: { uri: 'https://x.vscode-cdn.net/main.js' }, style: { uri: 'https://x.vscode-cdn.net/d.css' }, codiconUri: 'https://x.vscode-cdn.net/c.css' });
    const csp = dashboardCsp('https://x.vscode-cdn.net', 'AAAAAAAAAAAAAAAAAAAAAA==');
    assert.equal(csp, "default-src 'none'; script-src 'nonce-AAAAAAAAAAAAAAAAAAAAAA=='; style-src https://x.vscode-cdn.net 'nonce-AAAAAAAAAAAAAAAAAAAAAA=='; img-src https://x.vscode-cdn.net data:; font-src https://x.vscode-cdn.net");
    assert.ok(html.includes(`content="${csp.replace(/'/g, "'")}"`));
    assert.equal((html.match(/<script/g) ?? []).length, 1);
    assert.match(html, /<script nonce="AAAAAAAAAAAAAAAAAAAAAA==" src="https:\/\/x\.vscode-cdn\.net\/main\.js"><\/script>/);
    assert.ok(!/unsafe-(inline|eval)/.test(html));
    assert.match(html, /data-codicon-href="https:\/\/x\.vscode-cdn\.net\/c\.css"/, "the page adds the codicon stylesheet itself");
    assert.throws(() => dashboardHtml({ cspSource: 'x', nonce: 'short', script: { uri: '' }, style: { uri: '' }, codiconUri: '' }));
    const inline = dashboardHtml({ cspSource: 'x', nonce: 'AAAAAAAAAAAAAAAAAAAAAA==', script: { text: 'let s = "</script><b>";' }, style: { text: 'a{}</style>' }, codiconUri: 'c.css' });
    assert.equal(inline.match(/<\/script>/g)?.length, 1, 'the inlined bundle cannot close its script element');
    assert.equal(inline.match(/<\/style>/g)?.length, 1);
    assert.match(inline, /<script nonce="AAAAAAAAAAAAAAAAAAAAAA==">let s = "<\\\/script><b>";<\/script>/);
  });
});
