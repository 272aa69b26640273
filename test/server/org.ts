/**
 * A deterministic, seeded organization for the local Anthropic server: workspaces, API keys, users, 120 days
 * of minute-resolution Messages usage, the costs that follow from it, and Claude Code productivity records.
 * Everything is a pure function of (seed, now): the same pair always yields the same organization.
 *
 * Consistency rules (what tests may rely on):
 * - Usage rows are at minute resolution, `t` = the minute's start (UTC ms); every row ends at or before `now`.
 * - A row's workspace is its API key's workspace; Workbench rows have `apiKeyId: null`, an `accountId`
 *   (a user id) and the Default workspace (`null`).
 * - Token costs are derived exactly from the rows and `prices.ts` (batch 0.5x, US-only 4.6+ 1.1x).
 *   Web-search costs follow from `webSearches` (1 cent each); code-execution and session costs are
 *   separate non-token cost items per day and workspace.
 * - Claude Code: user actors are Team-plan seats (not in the Messages usage); the api actor is the key
 *   `claude-code-ci`, whose model_breakdown tokens per hour equal that key's usage rows in that hour.
 *   Records are built from hourly pieces; a record shows only pieces whose hour ended at least 1 hour
 *   before `now` (the analytics lag).
 */
import { Decimal } from '../../src/core/decimal';
import { FAMILY_PRICES, modelInfo, tokenCostCents, TOKEN_TYPES, WEB_SEARCH_CENTS_PER_REQUEST, type TokenType } from './prices';
import { partialKeyHint, type SampleKeys } from './keys';
import { mulberry32 } from '../support/prng';
import { systemClock } from '../../src/core/clock';

export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;
export const MINUTE_MS = 60_000;
export const HISTORY_DAYS = 120;

export interface WorkspaceRecord {
  id: string;
  type: 'workspace';
  name: string;
  display_color: string;
  created_at: string;
  archived_at: string | null;
  /** Newer field; present so clients prove they ignore fields they do not know. */
  data_residency: { workspace_geo: string; default_inference_geo: string; allowed_inference_geos: string[] | 'unrestricted' };
}

export interface ApiKeyRecord {
  id: string;
  type: 'api_key';
  name: string;
  partial_key_hint: string;
  status: 'active' | 'inactive' | 'archived';
  workspace_id: string | null;
  created_at: string;
  created_by: { id: string; type: 'user' };
}

export interface UserRecord {
  id: string;
  type: 'user';
  email: string;
  name: string;
  role: 'user' | 'developer' | 'billing' | 'admin' | 'claude_code_user';
  added_at: string;
}

export interface UsageRow {
  /** Start of the minute, UTC ms. */
  t: number;
  apiKeyId: string | null;
  workspaceId: string | null;
  model: string;
  serviceTier: 'standard' | 'batch';
  contextWindow: '0-200k' | '200k-1M';
  inferenceGeo: 'global' | 'us';
  accountId: string | null;
  serviceAccountId: string | null;
  speed: 'standard';
  uncachedInput: number;
  cacheWrite5m: number;
  cacheWrite1h: number;
  cacheRead: number;
  output: number;
  webSearches: number;
}

export type CostType = 'tokens' | 'web_search' | 'code_execution' | 'session_usage';

/** A non-token cost item (code execution, sessions) for one UTC day and workspace. */
export interface NonTokenCost {
  dayStart: number;
  workspaceId: string | null;
  costType: 'code_execution' | 'session_usage';
  description: string;
  cents: Decimal;
}

export type ClaudeCodeActor = { type: 'user_actor'; email_address: string } | { type: 'api_actor'; api_key_name: string };

export const CLAUDE_CODE_TOOLS = ['edit_tool', 'multi_edit_tool', 'write_tool', 'notebook_edit_tool'] as const;

export interface ClaudeCodePiece {
  hourStart: number;
  sessions: number;
  linesAdded: number;
  linesRemoved: number;
  commits: number;
  pullRequests: number;
  tools: Record<string, { accepted: number; rejected: number }>;
  models: Record<string, { input: number; output: number; cacheRead: number; cacheCreation: number; cents: Decimal }>;
}

/** One Claude Code record (actor, day, terminal) as hourly pieces. */
export interface ClaudeCodeSeed {
  dayStart: number;
  actor: ClaudeCodeActor;
  customerType: 'api' | 'subscription';
  subscriptionType: 'enterprise' | 'team' | null;
  terminalType: string;
  /** Absent on older days (the field is newer). */
  isRemote?: boolean;
  /** `date` wire form: most days RFC 3339 midnight, some the older `YYYY-MM-DD`. */
  dateForm: 'rfc3339' | 'day';
  /** Carries an unknown extra field (clients must ignore it). */
  extraField: boolean;
  pieces: ClaudeCodePiece[];
}

export interface Org {
  seed: number;
  /** The `now` the history ends at (UTC ms). */
  generatedAt: number;
  /** UTC midnight of the first history day. */
  firstDayStart: number;
  id: string;
  name: string;
  workspaces: WorkspaceRecord[];
  apiKeys: ApiKeyRecord[];
  users: UserRecord[];
  /** Model ids that appear in the usage. */
  models: string[];
  /** The sample standard key's API key record (its workspace is sent as `anthropic-workspace-id`). */
  sampleKeyId: string;
  /** Sorted by `t` ascending. */
  rows: UsageRow[];
  nonTokenCosts: NonTokenCost[];
  claudeCode: ClaudeCodeSeed[];
}

// ---------- PRNG ----------

class Rng {
  readonly next: () => number;
  constructor(seed: number) {
    this.next = mulberry32(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }
  poisson(lambda: number): number {
    if (lambda <= 0) return 0;
    const l = Math.exp(-lambda);
    let k = 0;
    let p = 1;
    do {
      k++;
      p *= this.next();
    } while (p > l && k < 50);
    return k - 1;
  }
  /** A positive multiplier around 1 with a long right tail. */
  spread(sigma = 0.6): number {
    const u = Math.max(this.next(), 1e-9);
    const v = this.next();
    const g = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return Math.exp(sigma * g - (sigma * sigma) / 2);
  }
  hex(n: number): string {
    let s = '';
    for (let i = 0; i < n; i++) s += Math.floor(this.next() * 16).toString(16);
    return s;
  }
  base62(n: number): string {
    const a = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < n; i++) s += a[Math.floor(this.next() * 62)];
    return s;
  }
}

// ---------- time helpers ----------

export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function dayString(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function dayStartOf(ms: number): number {
  return Math.floor(ms / DAY_MS) * DAY_MS;
}

/** 1 on weekdays, low on weekends. */
function weekFactor(ms: number): number {
  const dow = new Date(ms).getUTCDay();
  return dow === 0 ? 0.12 : dow === 6 ? 0.2 : 1;
}

/** Working hours in UTC peak around 14:00. */
function hourFactor(hour: number): number {
  return 0.06 + 0.94 * Math.exp(-((hour - 14) ** 2) / (2 * 3.2 ** 2));
}

// ---------- generation ----------

interface Stream {
  key: string | null; // key name; null for Workbench
  account?: number; // user index for Workbench rows
  model: string;
  /** Expected rows per peak hour. */
  rate: number;
  /** Token size scale. */
  size: number;
  batchShare?: number;
  longContextShare?: number;
  usGeoShare?: number;
  webPerRow?: number;
  /** Batch-style: runs 1-5 UTC every day instead of following office hours. */
  nightly?: boolean;
  /** Only active in [fromDay, toDay) of the history (0-based). */
  fromDay?: number;
  toDay?: number;
}

/** Scales every stream's row rate (a few rows per hour per active key and model at peak). */
const RATE_SCALE = 2.5;
/** Scales every stream's token sizes. */
const SIZE_SCALE = 4;

const MODELS = [
  'claude-opus-4-5-20251101',
  'claude-opus-4-1',
  'claude-sonnet-4-5-20250929',
  'claude-sonnet-4-6',
  'claude-haiku-4-5',
  'claude-3-5-haiku-20241022',
] as const;

const STREAMS: Stream[] = [
  { key: 'probe-dev', model: 'claude-haiku-4-5', rate: 0.6, size: 0.05 },
  { key: 'backend-prod', model: 'claude-sonnet-4-5-20250929', rate: 3, size: 1, batchShare: 0.1 },
  { key: 'backend-prod', model: 'claude-haiku-4-5', rate: 2.5, size: 0.4 },
  { key: 'claude-code-ci', model: 'claude-sonnet-4-5-20250929', rate: 1.5, size: 1.6 },
  { key: 'claude-code-ci', model: 'claude-haiku-4-5', rate: 1, size: 0.3 },
  { key: 'research-agents', model: 'claude-opus-4-5-20251101', rate: 1.2, size: 1.2 },
  { key: 'research-agents', model: 'claude-opus-4-1', rate: 0.4, size: 0.8, toDay: 90 },
  { key: 'research-agents', model: 'claude-sonnet-4-6', rate: 1.5, size: 1.5, longContextShare: 0.15, usGeoShare: 0.3 },
  { key: 'eval-batch', model: 'claude-sonnet-4-6', rate: 2, size: 1, batchShare: 1, nightly: true },
  { key: 'eval-batch', model: 'claude-3-5-haiku-20241022', rate: 1.5, size: 0.5, batchShare: 0.7, nightly: true },
  { key: 'marketing-copy', model: 'claude-haiku-4-5', rate: 1.2, size: 0.4, webPerRow: 1.5 },
  { key: 'marketing-copy', model: 'claude-3-5-haiku-20241022', rate: 0.8, size: 0.4 },
  { key: 'legacy-default', model: 'claude-3-5-haiku-20241022', rate: 0.7, size: 0.6 },
  { key: 'legacy-default', model: 'claude-sonnet-4-5-20250929', rate: 0.4, size: 0.7 },
  { key: 'old-marketing', model: 'claude-3-5-haiku-20241022', rate: 0.8, size: 0.5, toDay: 40 },
  { key: null, account: 0, model: 'claude-sonnet-4-5-20250929', rate: 0.3, size: 0.5 },
  { key: null, account: 2, model: 'claude-opus-4-5-20251101', rate: 0.2, size: 0.6 },
];

const WORKSPACES: Array<[string, string]> = [
  ['Engineering', '#3b82f6'],
  ['Research', '#a855f7'],
  ['Marketing', '#f59e0b'],
  ['Sandbox (archived)', '#6b7280'],
];

const KEYS: Array<{ name: string; ws: number | null; status: ApiKeyRecord['status']; creator: number }> = [
  { name: 'probe-dev', ws: 0, status: 'active', creator: 0 },
  { name: 'backend-prod', ws: 0, status: 'active', creator: 0 },
  { name: 'claude-code-ci', ws: 0, status: 'active', creator: 1 },
  { name: 'research-agents', ws: 1, status: 'active', creator: 2 },
  { name: 'eval-batch', ws: 1, status: 'active', creator: 2 },
  { name: 'marketing-copy', ws: 2, status: 'active', creator: 3 },
  { name: 'legacy-default', ws: null, status: 'active', creator: 0 },
  { name: 'old-marketing', ws: 2, status: 'inactive', creator: 3 },
  { name: 'sandbox-test', ws: 3, status: 'archived', creator: 1 },
];

const USERS: Array<[string, string, UserRecord['role']]> = [
  ['Ada Lovelace', 'ada@acme.example', 'admin'],
  ['Grace Hopper', 'grace@acme.example', 'developer'],
  ['Alan Turing', 'alan@acme.example', 'developer'],
  ['Katherine Johnson', 'katherine@acme.example', 'claude_code_user'],
  ['Edsger Dijkstra', 'edsger@acme.example', 'developer'],
  ['Barbara Liskov', 'barbara@acme.example', 'billing'],
  ['Linus Pauling', 'linus@acme.example', 'user'],
];

/** Users with Claude Code seats: index, main terminal, intensity. */
const CLAUDE_CODE_USERS: Array<{ user: number; terminal: string; alt: string; intensity: number }> = [
  { user: 0, terminal: 'vscode', alt: 'iTerm.app', intensity: 1 },
  { user: 1, terminal: 'iTerm.app', alt: 'tmux', intensity: 1.4 },
  { user: 2, terminal: 'vscode', alt: 'ssh-session', intensity: 0.8 },
  { user: 3, terminal: 'cursor', alt: 'vscode', intensity: 1.1 },
  { user: 4, terminal: 'tmux', alt: 'Apple_Terminal', intensity: 0.6 },
];

/** An independent PRNG stream per (seed, purpose, absolute UTC day): past days never depend on `now`. */
function dayRng(seed: number, purpose: string, dayStart: number): Rng {
  let h = (seed ^ 0x5bd1e995) >>> 0;
  for (const c of `${purpose}:${Math.floor(dayStart / DAY_MS)}`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
  return new Rng(h);
}

function uuid(rng: Rng): string {
  const h = rng.hex(32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface GenerateOptions {
  seed?: number;
  now?: number;
  keys: SampleKeys;
}

export function generateOrg(options: GenerateOptions): Org {
  const seed = options.seed ?? 42;
  const now = Math.floor((options.now ?? systemClock.now()) / 1000) * 1000;
  const rng = new Rng(seed);
  const todayStart = dayStartOf(now);
  const firstDayStart = todayStart - (HISTORY_DAYS - 1) * DAY_MS;

  const orgId = uuid(rng);
  const users: UserRecord[] = USERS.map(([name, email, role], i) => ({
    id: `user_01${rng.base62(22)}`,
    type: 'user',
    email,
    name,
    role,
    added_at: isoSeconds(firstDayStart - (300 - i * 20) * DAY_MS),
  }));
  const workspaces: WorkspaceRecord[] = WORKSPACES.map(([name, color], i) => ({
    id: `wrkspc_01${rng.base62(22)}`,
    type: 'workspace',
    name,
    display_color: color,
    created_at: isoSeconds(firstDayStart - (250 - i * 10) * DAY_MS),
    archived_at: i === 3 ? isoSeconds(firstDayStart - 30 * DAY_MS) : null,
    data_residency: { workspace_geo: 'us', default_inference_geo: 'global', allowed_inference_geos: i === 1 ? ['global', 'us'] : 'unrestricted' },
  }));
  const apiKeys: ApiKeyRecord[] = KEYS.map((k, i) => {
    const id = `apikey_01${rng.base62(22)}`;
    // The first key is the sample standard key the server accepts, so its hint matches it.
    const secretLike = i === 0 ? options.keys.standard : ['sk', 'ant', 'api03', `${rng.base62(93)}AA`].join('-');
    return {
      id,
      type: 'api_key',
      name: k.name,
      partial_key_hint: partialKeyHint(secretLike),
      status: k.status,
      workspace_id: k.ws === null ? null : (workspaces[k.ws]?.id ?? null),
      created_at: isoSeconds(firstDayStart - (180 - i * 7) * DAY_MS),
      created_by: { id: users[k.creator]?.id ?? '', type: 'user' },
    };
  });
  const keyByName = new Map(apiKeys.map((k) => [k.name, k]));

  // ---- usage rows ----
  const rows: UsageRow[] = [];
  const lastMinuteStart = Math.floor(now / MINUTE_MS) * MINUTE_MS - MINUTE_MS; // rows end at or before now
  for (let day = 0; day < HISTORY_DAYS; day++) {
    const dayStart = firstDayStart + day * DAY_MS;
    const wf = weekFactor(dayStart);
    const rng = dayRng(seed, 'usage', dayStart);
    const dayMood = 0.7 + 0.6 * rng.next(); // some days are busier
    for (let hour = 0; hour < 24; hour++) {
      const hourStart = dayStart + hour * HOUR_MS;
      if (hourStart > lastMinuteStart) break;
      for (const s of STREAMS) {
        if (s.fromDay !== undefined && day < s.fromDay) continue;
        if (s.toDay !== undefined && day >= s.toDay) continue;
        const factor = s.nightly ? (hour >= 1 && hour <= 5 ? 1 : 0.02) : wf * hourFactor(hour) * dayMood;
        const n = rng.poisson(RATE_SCALE * s.rate * factor);
        if (n === 0) continue;
        const key = s.key === null ? undefined : keyByName.get(s.key);
        const minutes = new Set<number>();
        for (let i = 0; i < n; i++) minutes.add(rng.int(0, 59));
        for (const minute of minutes) {
          const t = hourStart + minute * MINUTE_MS;
          const sz = s.size * SIZE_SCALE;
          const long = s.longContextShare !== undefined && rng.chance(s.longContextShare);
          const row: UsageRow = {
            t,
            apiKeyId: key?.id ?? null,
            workspaceId: key ? key.workspace_id : null,
            model: s.model,
            serviceTier: s.batchShare !== undefined && rng.chance(s.batchShare) ? 'batch' : 'standard',
            contextWindow: long ? '200k-1M' : '0-200k',
            inferenceGeo: s.usGeoShare !== undefined && rng.chance(s.usGeoShare) ? 'us' : 'global',
            accountId: s.account !== undefined ? (users[s.account]?.id ?? null) : null,
            serviceAccountId: null,
            speed: 'standard',
            uncachedInput: Math.max(1, Math.round(sz * 2400 * rng.spread())),
            cacheWrite5m: rng.chance(0.5) ? Math.round(sz * 3000 * rng.spread()) : 0,
            cacheWrite1h: rng.chance(0.12) ? Math.round(sz * 5000 * rng.spread()) : 0,
            cacheRead: long ? 200_000 + rng.int(1, 400_000) : rng.chance(0.7) ? Math.round(sz * 16000 * rng.spread()) : 0,
            output: Math.max(1, Math.round(sz * 700 * rng.spread())),
            webSearches: s.webPerRow !== undefined ? rng.poisson(s.webPerRow) : 0,
          };
          if (t <= lastMinuteStart) rows.push(row); // drawn anyway, so earlier rows never depend on now
        }
      }
    }
  }
  rows.sort((a, b) => a.t - b.t);

  // ---- non-token costs (per day and workspace) ----
  const nonTokenCosts: NonTokenCost[] = [];
  for (let day = 0; day < HISTORY_DAYS; day++) {
    const dayStart = firstDayStart + day * DAY_MS;
    const wf = weekFactor(dayStart);
    const rng = dayRng(seed, 'non-token', dayStart);
    // Items are booked at 18:00 UTC, so today has none before then (nothing in the future).
    if (dayStart + 18 * HOUR_MS > now) continue;
    // Code execution in Research: container time, $0.05 per hour = 5 cents per hour, billed per second.
    if (rng.chance(0.8 * wf + 0.05)) {
      const seconds = rng.int(300, 20_000);
      nonTokenCosts.push({
        dayStart,
        workspaceId: workspaces[1]?.id ?? null,
        costType: 'code_execution',
        description: 'Code Execution Usage',
        cents: Decimal.fromBigInt(BigInt(seconds) * 5n * 10_000n / 3600n, 4), // truncated to 1/10000 cent
      });
    }
    if (rng.chance(0.5 * wf)) {
      const sessionHours = rng.int(1, 4000); // hundredths of an hour, $0.08 per session-hour
      nonTokenCosts.push({
        dayStart,
        workspaceId: workspaces[0]?.id ?? null,
        costType: 'session_usage',
        description: 'Session Usage',
        cents: Decimal.fromBigInt(BigInt(sessionHours) * 8n, 2),
      });
    }
  }

  // ---- Claude Code ----
  const claudeCode: ClaudeCodeSeed[] = [];
  // Only hours that ended at least an hour before `now` exist, so a clock that runs on after start never
  // reveals new records (the API's 1-hour lag is then re-applied at query time against the live clock).
  const ccCutoffHour = now - HOUR_MS;
  const ciKey = keyByName.get('claude-code-ci');
  const ciByHour = new Map<number, UsageRow[]>();
  for (const r of rows) {
    if (r.apiKeyId !== ciKey?.id) continue;
    const h = Math.floor(r.t / HOUR_MS) * HOUR_MS;
    let list = ciByHour.get(h);
    if (!list) ciByHour.set(h, (list = []));
    list.push(r);
  }
  for (let day = 0; day < HISTORY_DAYS; day++) {
    const dayStart = firstDayStart + day * DAY_MS;
    const wf = weekFactor(dayStart);
    const dateForm = day % 9 === 4 ? 'day' : 'rfc3339';
    const newer = day >= 50; // is_remote appears in the second part of the history
    const rng = dayRng(seed, 'claude-code', dayStart);
    for (const u of CLAUDE_CODE_USERS) {
      if (!rng.chance(wf === 1 ? 0.88 : 0.15)) continue;
      const user = users[u.user];
      if (!user) continue;
      const records = rng.chance(0.3) ? 2 : 1;
      for (let r = 0; r < records; r++) {
        const pieces: ClaudeCodePiece[] = [];
        const hours = rng.int(1, r === 0 ? 7 : 3);
        const startHour = rng.int(7, 19 - hours);
        for (let h = 0; h < hours; h++) {
          const hourStart = dayStart + (startHour + h) * HOUR_MS;
          const piece = userPiece(rng, hourStart, u.intensity);
          if (hourStart + HOUR_MS <= ccCutoffHour) pieces.push(piece);
        }
        if (pieces.length === 0) continue;
        claudeCode.push({
          dayStart,
          actor: { type: 'user_actor', email_address: user.email },
          customerType: 'subscription',
          subscriptionType: 'team',
          terminalType: r === 0 ? u.terminal : u.alt,
          ...(newer ? { isRemote: r === 1 && u.alt === 'ssh-session' } : {}),
          dateForm,
          extraField: day % 13 === 6,
          pieces,
        });
      }
    }
    // The CI key's Claude Code sessions mirror its usage rows hour by hour.
    if (ciKey) {
      const pieces: ClaudeCodePiece[] = [];
      const ciRng = dayRng(seed, 'claude-code-ci', dayStart);
      for (let h = 0; h < 24; h++) {
        const hourStart = dayStart + h * HOUR_MS;
        const list = ciByHour.get(hourStart);
        if (!list || hourStart + HOUR_MS > ccCutoffHour) continue;
        pieces.push(ciPiece(ciRng, hourStart, list));
      }
      if (pieces.length > 0) {
        claudeCode.push({
          dayStart,
          actor: { type: 'api_actor', api_key_name: ciKey.name },
          customerType: 'api',
          subscriptionType: null,
          terminalType: 'non-interactive',
          ...(newer ? { isRemote: true } : {}),
          dateForm,
          extraField: false,
          pieces,
        });
      }
    }
  }

  return {
    seed,
    generatedAt: now,
    firstDayStart,
    id: orgId,
    name: 'Acme Robotics (sample data)',
    workspaces,
    apiKeys,
    users,
    models: [...MODELS],
    sampleKeyId: apiKeys[0]?.id ?? '',
    rows,
    nonTokenCosts,
    claudeCode,
  };
}

function estimateCents(model: string, t: { input: number; output: number; cacheRead: number; cacheCreation5m: number; cacheCreation1h: number }): Decimal {
  return tokenCostCents(model, 'uncached_input_tokens', t.input, 'standard', 'global')
    .add(tokenCostCents(model, 'output_tokens', t.output, 'standard', 'global'))
    .add(tokenCostCents(model, 'cache_read_input_tokens', t.cacheRead, 'standard', 'global'))
    .add(tokenCostCents(model, 'cache_creation.ephemeral_5m_input_tokens', t.cacheCreation5m, 'standard', 'global'))
    .add(tokenCostCents(model, 'cache_creation.ephemeral_1h_input_tokens', t.cacheCreation1h, 'standard', 'global'));
}

function toolActions(rng: Rng, scale: number): ClaudeCodePiece['tools'] {
  const tools: ClaudeCodePiece['tools'] = {};
  tools.edit_tool = { accepted: rng.poisson(8 * scale), rejected: rng.poisson(1 * scale) };
  if (rng.chance(0.6)) tools.multi_edit_tool = { accepted: rng.poisson(3 * scale), rejected: rng.poisson(0.5 * scale) };
  if (rng.chance(0.7)) tools.write_tool = { accepted: rng.poisson(2 * scale), rejected: rng.poisson(0.4 * scale) };
  if (rng.chance(0.1)) tools.notebook_edit_tool = { accepted: rng.poisson(1), rejected: rng.poisson(0.3) };
  return tools;
}

function userPiece(rng: Rng, hourStart: number, intensity: number): ClaudeCodePiece {
  const models: ClaudeCodePiece['models'] = {};
  const used = ['claude-sonnet-4-5-20250929'];
  if (rng.chance(0.35)) used.push('claude-opus-4-5-20251101');
  if (rng.chance(0.5)) used.push('claude-haiku-4-5');
  for (const model of used) {
    const k = model.includes('haiku') ? 0.2 : 1;
    const input = Math.round(intensity * k * 9000 * rng.spread());
    const output = Math.round(intensity * k * 3500 * rng.spread());
    const cacheRead = Math.round(intensity * k * 260_000 * rng.spread());
    const cacheCreation = Math.round(intensity * k * 24_000 * rng.spread());
    models[model] = {
      input,
      output,
      cacheRead,
      cacheCreation,
      cents: estimateCents(model, { input, output, cacheRead, cacheCreation5m: cacheCreation, cacheCreation1h: 0 }),
    };
  }
  const linesAdded = rng.poisson(70 * intensity);
  return {
    hourStart,
    sessions: 1 + rng.poisson(0.5),
    linesAdded,
    linesRemoved: rng.poisson(25 * intensity),
    commits: rng.poisson(0.6 * intensity),
    pullRequests: rng.chance(0.12) ? 1 : 0,
    tools: toolActions(rng, intensity),
    models,
  };
}

function ciPiece(rng: Rng, hourStart: number, list: UsageRow[]): ClaudeCodePiece {
  const sums = new Map<string, { input: number; output: number; cacheRead: number; c5: number; c1: number }>();
  for (const r of list) {
    let s = sums.get(r.model);
    if (!s) sums.set(r.model, (s = { input: 0, output: 0, cacheRead: 0, c5: 0, c1: 0 }));
    s.input += r.uncachedInput;
    s.output += r.output;
    s.cacheRead += r.cacheRead;
    s.c5 += r.cacheWrite5m;
    s.c1 += r.cacheWrite1h;
  }
  const models: ClaudeCodePiece['models'] = {};
  for (const [model, s] of [...sums].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    models[model] = {
      input: s.input,
      output: s.output,
      cacheRead: s.cacheRead,
      cacheCreation: s.c5 + s.c1,
      cents: estimateCents(model, { input: s.input, output: s.output, cacheRead: s.cacheRead, cacheCreation5m: s.c5, cacheCreation1h: s.c1 }),
    };
  }
  return {
    hourStart,
    sessions: list.length,
    linesAdded: rng.poisson(40 * list.length),
    linesRemoved: rng.poisson(15 * list.length),
    commits: rng.poisson(0.5 * list.length),
    pullRequests: rng.chance(0.2) ? 1 : 0,
    tools: toolActions(rng, 0.5 * list.length),
    models,
  };
}

// ---------- Claude Code record view ----------

export interface ClaudeCodeWireRecord {
  date: string;
  actor: ClaudeCodeActor;
  organization_id: string;
  customer_type: string;
  subscription_type: string | null;
  terminal_type: string;
  is_remote?: boolean;
  core_metrics: {
    num_sessions: number;
    lines_of_code: { added: number; removed: number };
    commits_by_claude_code: number;
    pull_requests_by_claude_code: number;
  };
  tool_actions: Record<string, { accepted: number; rejected: number }>;
  model_breakdown: Array<{
    model: string;
    tokens: { input: number; output: number; cache_read: number; cache_creation: number };
    estimated_cost: { currency: 'USD'; amount: number };
  }>;
  [extra: string]: unknown;
}

/**
 * The record as the API returns it when only hours that ended at or before `cutoff` are visible
 * (cutoff = now - 1 hour). `undefined` when nothing is visible yet. `estimated_cost.amount` is the exact
 * cent cost of the visible tokens rounded half-even to 2 decimals of a cent, as a JSON number.
 */
export function claudeCodeRecordAt(org: Org, seed: ClaudeCodeSeed, cutoff: number): ClaudeCodeWireRecord | undefined {
  const visible = seed.pieces.filter((p) => p.hourStart + HOUR_MS <= cutoff);
  if (visible.length === 0) return undefined;
  let sessions = 0;
  let added = 0;
  let removed = 0;
  let commits = 0;
  let prs = 0;
  const tools: Record<string, { accepted: number; rejected: number }> = {};
  const models = new Map<string, { input: number; output: number; cacheRead: number; cacheCreation: number; cents: Decimal }>();
  for (const p of visible) {
    sessions += p.sessions;
    added += p.linesAdded;
    removed += p.linesRemoved;
    commits += p.commits;
    prs += p.pullRequests;
    for (const [name, t] of Object.entries(p.tools)) {
      const acc = (tools[name] ??= { accepted: 0, rejected: 0 });
      acc.accepted += t.accepted;
      acc.rejected += t.rejected;
    }
    for (const [model, m] of Object.entries(p.models)) {
      const acc = models.get(model) ?? { input: 0, output: 0, cacheRead: 0, cacheCreation: 0, cents: Decimal.ZERO };
      models.set(model, {
        input: acc.input + m.input,
        output: acc.output + m.output,
        cacheRead: acc.cacheRead + m.cacheRead,
        cacheCreation: acc.cacheCreation + m.cacheCreation,
        cents: acc.cents.add(m.cents),
      });
    }
  }
  const day = dayString(seed.dayStart);
  const record: ClaudeCodeWireRecord = {
    date: seed.dateForm === 'day' ? day : `${day}T00:00:00Z`,
    actor: seed.actor,
    organization_id: org.id,
    customer_type: seed.customerType,
    subscription_type: seed.subscriptionType,
    terminal_type: seed.terminalType,
    ...(seed.isRemote !== undefined ? { is_remote: seed.isRemote } : {}),
    core_metrics: {
      num_sessions: sessions,
      lines_of_code: { added, removed },
      commits_by_claude_code: commits,
      pull_requests_by_claude_code: prs,
    },
    tool_actions: tools,
    model_breakdown: [...models]
      .sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([model, m]) => ({
        model,
        tokens: { input: m.input, output: m.output, cache_read: m.cacheRead, cache_creation: m.cacheCreation },
        estimated_cost: { currency: 'USD' as const, amount: Number(m.cents.toFixed(2)) },
      })),
  };
  if (seed.extraField) record.web_fetch_count = 0; // an unknown field clients must ignore
  return record;
}

/** Every visible record of one UTC day in a stable order (actor, then terminal). */
export function claudeCodeRecordsForDay(org: Org, dayStart: number, cutoff: number): ClaudeCodeWireRecord[] {
  const out: ClaudeCodeWireRecord[] = [];
  for (const seed of org.claudeCode) {
    if (seed.dayStart !== dayStart) continue;
    const rec = claudeCodeRecordAt(org, seed, cutoff);
    if (rec) out.push(rec);
  }
  return out;
}

// ---------- cost derivation shared by the report and the ledger ----------

/**
 * For tests that need a busy day instead of hoping "two days ago" is one: the most recent complete UTC day
 * (before `cutoff`) with at least `minRecords` Claude Code records, or undefined when the history has none.
 */
export function claudeCodeDayWith(org: Org, minRecords: number, cutoff: number): string | undefined {
  const todayStart = dayStartOf(cutoff);
  for (let d = todayStart - DAY_MS; d >= todayStart - HISTORY_DAYS * DAY_MS; d -= DAY_MS) {
    if (claudeCodeRecordsForDay(org, d, cutoff).length >= minRecords) return dayString(d);
  }
  return undefined;
}

export const TOKEN_FIELDS: Record<TokenType, keyof Pick<UsageRow, 'uncachedInput' | 'cacheWrite5m' | 'cacheWrite1h' | 'cacheRead' | 'output'>> = {
  uncached_input_tokens: 'uncachedInput',
  'cache_creation.ephemeral_5m_input_tokens': 'cacheWrite5m',
  'cache_creation.ephemeral_1h_input_tokens': 'cacheWrite1h',
  cache_read_input_tokens: 'cacheRead',
  output_tokens: 'output',
};

const TOKEN_TYPE_LABEL: Record<TokenType, string> = {
  uncached_input_tokens: 'Input Tokens',
  'cache_creation.ephemeral_5m_input_tokens': 'Cache Write (5m) Tokens',
  'cache_creation.ephemeral_1h_input_tokens': 'Cache Write (1h) Tokens',
  cache_read_input_tokens: 'Cache Read Tokens',
  output_tokens: 'Output Tokens',
};

/** Cost-report description of a token cost line, e.g. "Claude Sonnet 4.5 Batch Usage - Input Tokens". */
export function tokenDescription(model: string, tokenType: TokenType, serviceTier: string): string {
  const name = modelInfo(model)?.displayName ?? model;
  return `${name}${serviceTier === 'batch' ? ' Batch' : ''} Usage - ${TOKEN_TYPE_LABEL[tokenType]}`;
}

export const WEB_SEARCH_DESCRIPTION = 'Web Search Usage';

export { FAMILY_PRICES, TOKEN_TYPES, WEB_SEARCH_CENTS_PER_REQUEST };
