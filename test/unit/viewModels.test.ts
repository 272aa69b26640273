/** The pure view models: status bar text/background/tooltip and the sidebar trees. */
import assert from 'node:assert/strict';
import type { RateLimitSnapshot } from '../../src/core/anthropic/types';
import { Decimal } from '../../src/core/decimal';
import { emptySnapshot, type ClaudeCodeRow, type CostRow, type StoreSnapshot } from '../../src/core/model/snapshot';
import { monthToDate } from '../../src/core/model/facts';
import { compact } from '../../src/core/model/format';
import { mdEscape } from '../../src/core/viewModels/markdown';
import { buildStatusBar, DEFAULT_STATUS_SETTINGS, headroomText, TOOLTIP_COMMANDS } from '../../src/core/viewModels/statusBar';
import { activityBy } from '../../src/core/reports/claudeCode';
import { acceptanceText, claudeCodeTree, costsTree, localTree, rateLimitsTree, type TreeNode } from '../../src/core/viewModels/tree';

const NOW = Date.UTC(2026, 10, 27, 12, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

function probe(over: Partial<RateLimitSnapshot> = {}): RateLimitSnapshot {
  return {
    model: 'claude-haiku-4-5',
    takenAt: iso(NOW - 5000),
    requests: { limit: 1000, remaining: 812, reset: iso(NOW + 12_000) },
    inputTokens: { limit: 2_000_000, remaining: 1_900_000, reset: iso(NOW + 1000) },
    outputTokens: { limit: 400_000, remaining: 91_000, reset: iso(NOW + 30_000) },
    probeUsage: { inputTokens: 8, outputTokens: 1 },
    ...over,
  };
}

/** An empty snapshot whose keys the store has resolved (no key set). */
function emptyReady(): StoreSnapshot {
  return { ...emptySnapshot(new Date(NOW)), ready: true };
}

function withRateLimits(p: RateLimitSnapshot, snap = emptyReady()): StoreSnapshot {
  return {
    ...snap,
    keys: { ...snap.keys, api: 'secretStorage' },
    rateLimits: {
      stale: false,
      loading: false,
      fetchedAt: p.takenAt,
      data: { current: p, history: [p], probeSpendToday: { date: '2026-11-27', probes: 3, inputTokens: 24, outputTokens: 3, costUsd: '0.000039' } },
    },
  };
}

function row(date: string, model: string, amountUsd: string, tokenType = 'output_tokens', workspaceId: string | null = null): CostRow {
  return { date, workspaceId, description: `${model} Usage`, model, costType: 'tokens', tokenType, serviceTier: 'standard', contextWindow: '0-200k', amountUsd };
}

function find(nodes: readonly TreeNode[], pred: (n: TreeNode) => boolean): TreeNode | undefined {
  for (const n of nodes) {
    if (pred(n)) return n;
    const c = find(n.children ?? [], pred);
    if (c) return c;
  }
  return undefined;
}

describe('status bar view model', () => {
  it('shows the two tightest families in canonical order', () => {
    assert.equal(headroomText(probe()), 'RPM 812/1k · OTPM 91k/400k');
    assert.equal(compact(1_500_000), '1.5M');
    assert.equal(compact(4000), '4k');
  });

  it('text, background thresholds and accessibility label follow the headers', () => {
    const ok = buildStatusBar(withRateLimits(probe()), DEFAULT_STATUS_SETTINGS, NOW);
    assert.equal(ok.text, '$(pulse) RPM 812/1k · OTPM 91k/400k');
    assert.equal(ok.background, 'warning', '91k/400k is under 25%');
    assert.match(ok.accessibilityLabel, /RPM 812\/1k , OTPM|RPM 812\/1k, OTPM|RPM 812\/1k ,/);
    const calm = buildStatusBar(withRateLimits(probe({ outputTokens: { limit: 400_000, remaining: 300_000 } })), DEFAULT_STATUS_SETTINGS, NOW);
    assert.equal(calm.background, undefined);
    const low = buildStatusBar(withRateLimits(probe({ requests: { limit: 1000, remaining: 20 } })), DEFAULT_STATUS_SETTINGS, NOW);
    assert.equal(low.background, 'error', '2% is under the 5% error threshold');
    const custom = buildStatusBar(withRateLimits(probe()), { ...DEFAULT_STATUS_SETTINGS, warningPercent: 10 }, NOW);
    assert.equal(custom.background, undefined, 'thresholds are settings');
  });

  it('rate limited: error background with the old numbers still shown, marked stale', () => {
    const s = withRateLimits(probe({ outputTokens: { limit: 400_000, remaining: 300_000 } }));
    const limited = { ...s, rateLimits: { ...s.rateLimits, stale: true, error: { kind: 'rateLimited' as const, message: 'Anthropic rate-limited this request (429).' } } };
    const m = buildStatusBar(limited, DEFAULT_STATUS_SETTINGS, NOW);
    assert.equal(m.background, 'error');
    assert.equal(m.text, '$(warning) $(pulse) RPM 812/1k · OTPM 300k/400k');
  });

  it('a spend cap or a rejected key says so in words and colour instead of the old numbers', () => {
    const s = withRateLimits(probe({ outputTokens: { limit: 400_000, remaining: 300_000 } }));
    const capped = buildStatusBar({ ...s, rateLimits: { ...s.rateLimits, stale: true, error: { kind: 'spendCap' as const, message: 'Spend cap reached; access returns on 2026-12-01.' } } }, DEFAULT_STATUS_SETTINGS, NOW);
    assert.equal(capped.background, 'error');
    assert.equal(capped.text, '$(error) spend cap reached');
    assert.match(capped.tooltip, /Spend cap reached; access returns on 2026\\-12\\-01\\\./);
    const rejected = buildStatusBar({ ...s, rateLimits: { ...s.rateLimits, stale: true, error: { kind: 'auth' as const, message: 'The API key was rejected (401).', status: 401 } } }, DEFAULT_STATUS_SETTINGS, NOW);
    assert.equal(rejected.text, '$(error) key rejected');
    assert.equal(rejected.background, 'warning');
    assert.doesNotMatch(rejected.text, /RPM|ITPM|OTPM/, 'the old headroom is not shown as if it were live');
  });

  it('shows nothing about keys until the store has resolved them (no "Set Claude API key" flash at start-up)', () => {
    assert.equal(buildStatusBar(emptySnapshot(new Date(NOW)), DEFAULT_STATUS_SETTINGS, NOW).text, '$(sync~spin) Claude');
  });

  it('tooltip: every family with limit, remaining, %, reset; costs; keys; probe spend; only our command links', () => {
    const s = withRateLimits(probe());
    const snap: StoreSnapshot = {
      ...s,
      keys: { api: 'environment', admin: 'secretStorage' },
      costs: { stale: false, loading: false, fetchedAt: iso(NOW - 60_000), data: { since: '2026-11-01', until: '2026-11-28', rows: [row('2026-11-27', 'claude-sonnet-4-6', '1.25'), row('2026-11-02', 'claude-sonnet-4-6', '10.005')] } },
    };
    const m = buildStatusBar(snap, DEFAULT_STATUS_SETTINGS, NOW);
    assert.equal(m.text, '$(pulse) RPM 812/1k · OTPM 91k/400k · $1.25 today');
    assert.match(m.tooltip, /\*\*Requests per minute\*\*: 812 of 1,000 left \(81%\), full in 12s/);
    assert.match(m.tooltip, /\*\*Output tokens per minute\*\*: 91,000 of 400,000 left \(23%\), full in 30s/);
    assert.match(m.tooltip, /month to date: \*\*\$11\.26\*\*/);
    assert.match(m.tooltip, /API key environment variable · Admin key SecretStorage/);
    assert.match(m.tooltip, /Probe spend today: 3 probes/);
    const links = [...m.tooltip.matchAll(/\(command:([\w.]+)\)/g)].map((x) => x[1]);
    assert.ok(links.length >= 4);
    for (const l of links) assert.ok((TOOLTIP_COMMANDS as readonly string[]).includes(l!), `${l} is trusted`);
  });

  it('no keys: local transcripts (estimate + 5-hour window), or a prompt to set a key', () => {
    const none = buildStatusBar(emptyReady(), DEFAULT_STATUS_SETTINGS, NOW);
    assert.equal(none.text, '$(key) Set Claude API key');
    assert.equal(none.command, 'claudeUsage.setApiKey');
    const snap: StoreSnapshot = {
      ...emptyReady(),
      local: {
        stale: false,
        loading: false,
        fetchedAt: iso(NOW),
        data: {
          timezone: 'UTC',
          days: [
            { date: '2026-11-27', project: 'app', model: 'claude-sonnet-4-6', input: 10, output: 20, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 100, costUsd: '4.2' },
            { date: '2026-11-27', project: 'app', model: 'mystery-1', input: 10, output: 20, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd: null },
          ],
          currentWindow: { start: iso(NOW - 3_600_000), end: iso(NOW + 4 * 3_600_000), tokens: 160, costUsd: '4.2', burnTokensPerHour: 100, burnUsdPerHour: '1.5', projectedCostUsd: '10.2', active: true },
          unpricedModels: ['mystery-1'],
          skippedLines: 0,
          files: 2,
          roots: ['/home/u/.claude/projects'],
        },
      },
    };
    const m = buildStatusBar(snap, DEFAULT_STATUS_SETTINGS, NOW);
    assert.equal(m.text, '$(graph) ≈$4.20+ today · 5h ≈$4.20 · 4 h left · $1.50/h');
    assert.match(m.tooltip, /API-equivalent estimate/);
    const never = buildStatusBar(snap, { ...DEFAULT_STATUS_SETTINGS, localMode: 'never' }, NOW);
    assert.equal(never.text, '$(key) Set Claude API key');
    const fmt = buildStatusBar(snap, { ...DEFAULT_STATUS_SETTINGS, format: '{window}' }, NOW);
    assert.equal(fmt.text, '$(graph) 5h ≈$4.20 · 4 h left · $1.50/h');
  });

  it('escapes API text in Markdown', () => {
    assert.equal(mdEscape('a|b [x](command:evil)'), 'a\\|b \\[x\\]\\(command:evil\\)');
  });
});

describe('tree view models', () => {
  const snap: StoreSnapshot = {
    ...emptySnapshot(new Date(NOW)),
    keys: { api: 'none', admin: 'secretStorage' },
    costs: {
      stale: false,
      loading: false,
      fetchedAt: iso(NOW),
      data: {
        since: '2026-11-01',
        until: '2026-11-28',
        rows: [
          row('2026-11-27', 'claude-sonnet-4-6', '1.50', 'output_tokens', 'wrkspc_a'),
          row('2026-11-27', 'claude-sonnet-4-6', '0.25', 'uncached_input_tokens', 'wrkspc_a'),
          row('2026-11-27', 'claude-haiku-4-5', '0.10', 'output_tokens', null),
          row('2026-11-26', 'claude-haiku-4-5', '2.00', 'output_tokens', null),
        ],
      },
    },
    tokens: {
      stale: false,
      loading: false,
      data: {
        since: '2026-11-14',
        until: '2026-11-28',
        daily: [{ start: '2026-11-27', model: 'claude-sonnet-4-6', workspaceId: 'wrkspc_a', apiKeyId: null, serviceTier: 'standard', uncachedInput: 83_333, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, output: 100_000, webSearches: 0 }],
        hourly: [],
      },
    },
    labels: { stale: false, loading: false, data: { workspaces: [{ id: 'wrkspc_a', name: 'Research', archived: false }], apiKeys: [], users: [] } },
  };

  it('costs: month-to-date on top, each day with its exact total, groups, token types with exact tokens', () => {
    const nodes = costsTree(snap, 'model', 14, NOW);
    assert.equal(nodes[0]!.label, 'Month to date');
    assert.match(nodes[0]!.description!, /^\$3\.85 · projected/);
    const days = nodes.filter((n) => n.id.startsWith('costs/2026'));
    assert.equal(days.length, 14);
    assert.equal(days[0]!.description, '$1.85');
    assert.equal(days[1]!.description, '$2.00');
    assert.equal(days[2]!.description, '$0.00');
    const sonnet = days[0]!.children!.find((c) => c.label === 'claude-sonnet-4-6')!;
    assert.equal(sonnet.description, '$1.75');
    const out = sonnet.children!.find((c) => c.label === 'Output')!;
    assert.equal(out.description, '$1.50 · 100,000 tokens');
    const byWs = costsTree(snap, 'workspace', 14, NOW);
    const ws = find(byWs, (n) => n.label === 'Research');
    assert.equal(ws?.description, '$1.75');
    assert.ok(find(byWs, (n) => n.label === 'Default'), 'null workspace is Default');
  });

  it('month-end projection is linear over elapsed time', () => {
    const m = monthToDate([row('2026-11-01', 'x', '26')], NOW);
    // 26.5 days elapsed (636 h) of 30.
    assert.ok(m.projected.eq(Decimal.parse('26').mulInt(720).divInt(636, 6).normalize()));
  });

  it('an error shows as an item with an action and the old data stays', () => {
    const failed: StoreSnapshot = { ...snap, costs: { ...snap.costs, stale: true, error: { kind: 'auth', status: 401, message: 'invalid x-api-key', requestId: 'req_1' } } };
    const nodes = costsTree(failed, 'model', 14, NOW);
    assert.equal(nodes[0]!.contextValue, 'error');
    assert.equal(nodes[0]!.command?.command, 'claudeUsage.setAdminKey');
    assert.match(nodes[0]!.label, /invalid x-api-key/);
    assert.ok(nodes.some((n) => n.label === 'Month to date'));
    assert.ok(nodes.some((n) => n.description === 'stale'));
    const transient: StoreSnapshot = { ...snap, costs: { ...snap.costs, stale: true, error: { kind: 'overloaded', status: 529, message: 'Overloaded' } } };
    assert.equal(costsTree(transient, 'model', 14, NOW)[0]!.command?.command, 'claudeUsage.refresh');
    assert.deepEqual(costsTree({ ...snap, keys: { api: 'none', admin: 'none' } }, 'model', 14, NOW), [], 'welcome view instead');
  });

  it('claude code: acceptance rate is Σaccepted / Σ(accepted + rejected) per person', () => {
    const base = { actorType: 'user_actor' as const, terminalType: 'vscode', customerType: 'api', sessions: 1, linesAdded: 10, linesRemoved: 2, commits: 1, pullRequests: 0, models: [] };
    const rows: ClaudeCodeRow[] = [
      { ...base, date: '2026-11-27', actor: 'a@x.io', toolActions: { edit_tool: { accepted: 9, rejected: 1 } } },
      { ...base, date: '2026-11-27', actor: 'a@x.io', toolActions: { write_tool: { accepted: 1, rejected: 9 } } },
    ];
    const t = activityBy(rows, (r) => r.actor).get('a@x.io')!;
    assert.equal(acceptanceText(t), '50.0%', '10 of 20 tool actions accepted (rates to one decimal on every surface)');
    assert.equal(t.sessions, 2);
    const rows2: ClaudeCodeRow[] = [
      { ...base, date: '2026-11-27', actor: 'b@x.io', toolActions: { edit_tool: { accepted: 1, rejected: 0 } } },
      { ...base, date: '2026-11-27', actor: 'b@x.io', toolActions: { edit_tool: { accepted: 1, rejected: 3 } } },
    ];
    assert.equal(acceptanceText(activityBy(rows2, (r) => r.actor).get('b@x.io')!), '40.0%', '2/5, not mean(100%, 25%) = 62.5%');
    const nodes = claudeCodeTree({ ...snap, claudeCode: { stale: false, loading: false, data: { since: '2026-11-21', until: '2026-11-28', rows: [...rows, ...rows2] } } }, NOW);
    assert.equal(nodes.length, 7);
    const older = claudeCodeTree({ ...snap, claudeCode: { stale: false, loading: false, data: { since: '2026-10-29', until: '2026-11-28', rows: [...rows, { ...rows[0]!, date: '2026-11-10' }] } } }, NOW);
    assert.equal(older.length, 7, 'a longer history stays on the dashboard; the sidebar lists the last 7 days');
    const person = find(nodes, (n) => n.label === 'b@x.io')!;
    assert.match(person.description!, /2 sessions · \+20\/−4 · 2 commits · 0 PRs · 40\.0% accepted/);
  });

  it('rate limits and local trees', () => {
    const rl = rateLimitsTree(withRateLimits(probe()), NOW);
    assert.ok(rl.some((n) => n.label === 'Requests per minute' && n.description!.startsWith('812 / 1,000 (81%)')));
    assert.ok(rl.some((n) => n.label === 'Probe spend today'));
    const local = localTree({ ...emptySnapshot(new Date(NOW)) }, NOW);
    assert.equal(local[0]!.label, 'No Claude Code transcripts found on this machine');
  });
});

describe('words, numbers and times that stay true (issue 13)', () => {
  it('a reset that has passed is "now", never "… ago"; rate-limit families read one per line', () => {
    const p = probe({ requests: { limit: 1000, remaining: 812, reset: iso(NOW - 21_000) } });
    const m = buildStatusBar(withRateLimits(p), DEFAULT_STATUS_SETTINGS, NOW);
    assert.match(m.tooltip, /\*\*Requests per minute\*\*: 812 of 1,000 left \(81%\), full now/);
    assert.doesNotMatch(m.tooltip, /full [^,\n]*ago/);
  });

  it('one probe, one session: singular words', () => {
    const s = withRateLimits(probe());
    s.rateLimits.data!.probeSpendToday = { date: '2026-11-27', probes: 1, inputTokens: 8, outputTokens: 1, costUsd: '0.000013' };
    const m = buildStatusBar(s, DEFAULT_STATUS_SETTINGS, NOW);
    assert.match(m.tooltip, /Probe spend today: 1 probe,/);
    assert.match(m.tooltip, /≈\$0\.000013/, 'a sub-cent amount keeps its digits instead of reading $0.00');
  });

  it('an idle local 5-hour window shows no "$0.00/h" rate', () => {
    const s: StoreSnapshot = {
      ...emptyReady(),
      local: {
        stale: false,
        loading: false,
        fetchedAt: iso(NOW),
        data: { timezone: 'UTC', days: [{ date: '2026-11-27', project: 'app', model: 'claude-sonnet-4-6', input: 1, output: 1, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd: '0.39' }], currentWindow: { start: iso(NOW - 3_600_000), end: iso(NOW + 4 * 3_600_000), tokens: 2, costUsd: '0.39', burnTokensPerHour: 0, burnUsdPerHour: '0', projectedCostUsd: '0.39', active: true }, unpricedModels: [], skippedLines: 0, files: 1, roots: ['/r'] },
      },
    };
    const m = buildStatusBar(s, DEFAULT_STATUS_SETTINGS, NOW);
    assert.equal(m.text, '$(graph) ≈$0.39 today · 5h ≈$0.39 · 4 h left');
    assert.match(m.tooltip, /no activity in the last 30 min/);
    assert.doesNotMatch(m.tooltip, /\$0\.00\/h/);
  });
});
