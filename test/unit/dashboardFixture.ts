/**
 * A deterministic StoreSnapshot for the dashboard's unit and browser tests: 45 days of cost rows for
 * three models in two workspaces (plus a web-search row), daily and hourly token rows, Claude Code
 * records, rate-limit history and local transcript days. Amounts are generated as exact cent strings.
 */
import { SNAPSHOT_VERSION, type ClaudeCodeRow, type CostRow, type LocalUsageDay, type StoreSnapshot, type TokenRow } from '../../src/core/model/snapshot';
import type { RateLimitSnapshot } from '../../src/core/anthropic/types';
import { samplePlanData } from '../fixtures/makePlanState';

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const DAY = 86_400_000;
const day = (now: Date, back: number) => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - back * DAY).toISOString().slice(0, 10);

export const MODELS = ['claude-sonnet-4-5-20250929', 'claude-opus-4-5', 'claude-haiku-4-5'];
export const WORKSPACES = [null, 'wrkspc_01prod'];
const TOKEN_TYPES = ['uncached_input_tokens', 'output_tokens', 'cache_read_input_tokens', 'cache_creation.ephemeral_5m_input_tokens', 'cache_creation.ephemeral_1h_input_tokens'];

/** A cent string with up to 6 fractional digits, as dollars: `"12.345678"` cents → `"0.12345678"` USD. */
function usdFromRandom(r: () => number, maxCents: number): string {
  const micro = Math.floor(r() * maxCents * 1e6); // micro-cents, an integer
  const cents = `${Math.floor(micro / 1e6)}.${String(micro % 1e6).padStart(6, '0')}`;
  // cents → USD exactly: shift the decimal point two places.
  const [i, f] = cents.split('.') as [string, string];
  const all = (i + f).padStart(9, '0');
  return `${all.slice(0, -8).replace(/^0+(?=\d)/, '')}.${all.slice(-8)}`;
}

export function sampleSnapshot(now = new Date('2026-11-27T12:00:00Z'), days = 45): StoreSnapshot {
  const r = rng(42);
  const costs: CostRow[] = [];
  const daily: TokenRow[] = [];
  const hourly: TokenRow[] = [];
  for (let b = days - 1; b >= 0; b--) {
    const date = day(now, b);
    for (const ws of WORKSPACES) {
      for (const model of MODELS) {
        for (const tt of TOKEN_TYPES) {
          costs.push({
            date,
            workspaceId: ws,
            description: `${model} Usage - ${tt}`,
            model,
            costType: 'tokens',
            tokenType: tt,
            serviceTier: 'standard',
            contextWindow: '0-200k',
            amountUsd: usdFromRandom(r, model.includes('opus') ? 900 : 300),
          });
        }
        daily.push({
          start: date,
          model,
          workspaceId: ws,
          apiKeyId: ws ? 'apikey_01prod' : null,
          serviceTier: 'standard',
          uncachedInput: Math.floor(r() * 200_000),
          cacheWrite5m: Math.floor(r() * 50_000),
          cacheWrite1h: Math.floor(r() * 20_000),
          cacheRead: Math.floor(r() * 900_000),
          output: Math.floor(r() * 80_000),
          webSearches: Math.floor(r() * 3),
        });
      }
    }
    costs.push({ date, workspaceId: null, description: 'Web search', model: null, costType: 'web_search', tokenType: null, serviceTier: null, contextWindow: null, amountUsd: usdFromRandom(r, 50) });
  }
  const hourEnd = Math.floor(now.getTime() / 3_600_000) * 3_600_000;
  for (let t = hourEnd - 7 * 24 * 3_600_000; t <= hourEnd; t += 3_600_000) {
    for (const model of MODELS) {
      hourly.push({ start: new Date(t).toISOString(), model, workspaceId: null, apiKeyId: null, serviceTier: null, uncachedInput: Math.floor(r() * 9000), cacheWrite5m: Math.floor(r() * 2000), cacheWrite1h: Math.floor(r() * 900), cacheRead: Math.floor(r() * 40000), output: Math.floor(r() * 3000), webSearches: 0 });
    }
  }
  const people = ['ada@example.com', 'grace@example.com', 'linus@example.com'];
  const cc: ClaudeCodeRow[] = [];
  for (let b = 29; b >= 1; b--) {
    const date = day(now, b);
    for (const actor of people) {
      for (const terminalType of actor.startsWith('ada') ? ['vscode', 'iTerm.app'] : ['vscode']) {
        cc.push({
          date,
          actor,
          actorType: 'user_actor',
          terminalType,
          customerType: 'api',
          sessions: 1 + Math.floor(r() * 5),
          linesAdded: Math.floor(r() * 800),
          linesRemoved: Math.floor(r() * 300),
          commits: Math.floor(r() * 4),
          pullRequests: Math.floor(r() * 2),
          toolActions: { edit_tool: { accepted: Math.floor(r() * 30), rejected: Math.floor(r() * 5) }, write_tool: { accepted: Math.floor(r() * 8), rejected: Math.floor(r() * 3) } },
          models: [{ model: MODELS[0]!, input: 1000, output: 2000, cacheRead: 30000, cacheCreation: 4000, costUsd: usdFromRandom(r, 500) }],
        });
      }
    }
  }
  cc.push({ date: day(now, 2), actor: 'ci-bot', actorType: 'api_actor', terminalType: 'tmux', customerType: 'api', sessions: 3, linesAdded: 10, linesRemoved: 2, commits: 1, pullRequests: 1, toolActions: {}, models: [{ model: MODELS[2]!, input: 10, output: 20, cacheRead: 0, cacheCreation: 0, costUsd: '0.0123' }] });
  const history: RateLimitSnapshot[] = [];
  for (let i = 0; i < 20; i++) {
    const takenAt = new Date(now.getTime() - (20 - i) * 60_000).toISOString();
    history.push({
      model: 'claude-haiku-4-5',
      takenAt,
      requests: { limit: 1000, remaining: 1000 - Math.floor(r() * 400), reset: new Date(now.getTime() + 60_000).toISOString() },
      inputTokens: { limit: 400_000, remaining: 400_000 - Math.floor(r() * 300) * 1000, reset: new Date(now.getTime() + 30_000).toISOString() },
      outputTokens: { limit: 80_000, remaining: 80_000 - Math.floor(r() * 75) * 1000, reset: new Date(now.getTime() + 20_000).toISOString() },
      probeUsage: { inputTokens: 8, outputTokens: 1 },
    });
  }
  const local: LocalUsageDay[] = [];
  for (let b = 20; b >= 0; b--) {
    for (const model of ['claude-sonnet-4-5-20250929', 'claude-opus-4-5']) {
      local.push({ date: day(now, b), project: '/home/dev/app', model, input: Math.floor(r() * 5000), output: Math.floor(r() * 90000), cacheWrite5m: Math.floor(r() * 200000), cacheWrite1h: 0, cacheRead: Math.floor(r() * 3_000_000), costUsd: usdFromRandom(r, 2000) });
    }
  }
  local.push({ date: day(now, 0), project: '/home/dev/app', model: 'claude-mystery-9', input: 10, output: 10, cacheWrite5m: 0, cacheWrite1h: 0, cacheRead: 0, costUsd: null });
  const fetchedAt = new Date(now.getTime() - 120_000).toISOString();
  const ok = { stale: false, loading: false, fetchedAt, attemptedAt: fetchedAt };
  return {
    version: SNAPSHOT_VERSION,
    producedAt: now.toISOString(),
    ready: true,
    keys: { api: 'secretStorage', admin: 'secretStorage' },
    rateLimits: { ...ok, data: { current: history[history.length - 1]!, history, probeSpendToday: { date: day(now, 0), probes: 20, inputTokens: 160, outputTokens: 20, costUsd: '0.00026' } } },
    costs: { ...ok, data: { since: day(now, days - 1), until: day(now, -1), rows: costs } },
    tokens: { ...ok, data: { since: day(now, days - 1), until: day(now, -1), daily, hourly } },
    claudeCode: { ...ok, data: { since: day(now, 29), until: day(now, 0), rows: cc } },
    labels: { ...ok, data: { organization: { id: 'org_1', name: 'Example Org' }, workspaces: [{ id: 'wrkspc_01prod', name: 'Production', archived: false }], apiKeys: [{ id: 'apikey_01prod', name: 'prod key', workspaceId: 'wrkspc_01prod', hint: 'sk-ant-api03-AbC...xyZ' }], users: [] } },
    plan: { ...ok, data: { ...samplePlanData(now.getTime() - 60_000), connected: true } },
    local: { ...ok, data: { timezone: 'UTC', days: local, currentWindow: { start: new Date(now.getTime() - 2 * 3_600_000).toISOString(), end: new Date(now.getTime() + 3 * 3_600_000).toISOString(), tokens: 1_234_567, costUsd: '4.5678', burnTokensPerHour: 250_000, burnUsdPerHour: '1.25', projectedCostUsd: '8.3178', active: true }, unpricedModels: ['claude-mystery-9'], skippedLines: 2, files: 14, roots: ['/home/dev/.claude/projects'] } },
  };
}
