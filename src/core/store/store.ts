/**
 * The one store that owns all data and schedules (no vscode: everything it needs is injected).
 * Views subscribe with `onDidChange` and render `snapshot`; they never fetch on their own.
 *
 * Scheduling: one timer, armed for the earliest of (next due source, next housekeeping). Housekeeping
 * renews/takes the lease, re-reads the shared snapshot written by other windows and checks focus.
 * Only the lease holder polls. `refresh()` works in any window: a non-holder fetches once itself and
 * writes the shared snapshot, which the holder merges (per source, the later attempt wins).
 */
import type { AnthropicApi, ClientOptions, RequestLogEntry } from '../anthropic/api';
import { ApiError, redactSecrets, type ApiErrorInit } from '../anthropic/errors';
import type { RateLimitSnapshot } from '../anthropic/types';
import { claudeCodeRowsFromRecords, costRowsFromBuckets, tokenRowsFromBuckets } from '../model/rows';
import { fingerprint, MemoryDayCache, type DayCache } from './dayCache';
import { addDays, dayRange, isCompleteDay, monthStart, utcDay } from '../model/days';
import { realScheduler, type Scheduler } from './scheduler';
import { clampDays, DEFAULT_STORE_SETTINGS, HISTORY_DAYS, HOURLY_TOKEN_DAYS, type StoreSettings } from '../model/settings';
import { LocalFocus, type FocusTracker, type Lease, type SnapshotPersistence } from './shared';
import type {
  ClaudeCodeData,
  ClaudeCodeRow,
  CostData,
  CostRow,
  KeyStatus,
  Labels,
  LocalUsageData,
  PlanSource,
  RateLimitData,
  SourceState,
  StoreSnapshot,
  TokenData,
  TokenRow,
} from '../model/snapshot';
import { DAY_CACHE_ROWS } from '../model/shapes';
import type { Shape } from '../model/shape';
import { ADMIN_SOURCES, emptySnapshot, emptySource, SHARED_SOURCES, SOURCE_NAMES, WINDOW_SOURCES, type SourceName } from '../model/snapshot';


export interface Disposable {
  dispose(): void;
}

/** Keys as the host resolved them (SecretStorage, then environment). Never stored in the snapshot. */
export interface ResolvedKeys {
  api?: string;
  admin?: string;
  status: KeyStatus;
}

export interface KeyProvider {
  getKeys(): Promise<ResolvedKeys>;
}

export interface StoreLogger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export interface StoreOptions {
  keys?: KeyProvider;
  clientFactory?: (options: ClientOptions) => AnthropicApi;
  settings?: StoreSettings;
  scheduler?: Scheduler;
  persistence?: SnapshotPersistence;
  dayCache?: DayCache;
  /** Without a lease this store always polls (single window, CLI, tests). */
  lease?: Lease;
  focus?: FocusTracker;
  /** Reads this machine's Claude Code transcripts (usually in a worker). */
  localRunner?: () => Promise<LocalUsageData>;
  /** Reads the plan-limits state file Claude Code's status line writes (every window reads it itself). */
  planRunner?: () => Promise<PlanSource>;
  /** Estimated USD (exact decimal string) for the probe's own tokens; undefined when unpriced. */
  priceProbe?: (model: string, inputTokens: number, outputTokens: number) => string | undefined;
  /** Every HTTP attempt (for the log). */
  onRequest?: (entry: RequestLogEntry) => void;
  /** A fetch failed (called in the window that made the call). */
  onError?: (source: SourceName, error: ApiErrorInit) => void;
  log?: StoreLogger;
  /** Housekeeping period (lease heartbeat, shared snapshot, focus); default 15 s. */
  housekeepingMs?: number;
}

/** Lag after a UTC day's end before the API's numbers for it are final. */
const REPORT_LAG_MS = 60 * 60_000;
const CLAUDE_CODE_LAG_MS = 2 * 60 * 60_000;
const MAX_BACKOFF_MS = 30 * 60_000;
const HISTORY_LIMIT = 240;
/** Plan limits are re-read this often even without a watcher event (remotes without file events). */
const PLAN_REREAD_MS = 60_000;

interface Runtime {
  due: number;
  failures: number;
  inflight?: Promise<void>;
  /** Asked for again while a fetch was in flight (a transcript appended meanwhile): fetch again right after. */
  again?: boolean;
}

const noopLog: StoreLogger = { debug() {}, info() {}, warn() {}, error() {} };

export class Store implements Disposable {
  private current: StoreSnapshot;
  private readonly listeners = new Set<(s: StoreSnapshot) => void>();
  private readonly rt = new Map<SourceName, Runtime>();
  private settings: StoreSettings;
  private readonly scheduler: Scheduler;
  private readonly dayCache: DayCache;
  private readonly focus: FocusTracker;
  private readonly log: StoreLogger;
  private readonly housekeepingMs: number;
  private keys: ResolvedKeys = { status: { api: 'none', admin: 'none' } };
  private apiClient?: AnthropicApi;
  private adminClient?: AnthropicApi;
  private timer: unknown;
  private timerAt = Infinity;
  private nextHousekeeping = 0;
  private holder: boolean;
  private anyFocused = true;
  private sharedStamp?: string;
  private started = false;
  private disposed = false;
  private readonly ops = new Set<Promise<unknown>>();
  private savePending?: Promise<void>;

  constructor(private readonly options: StoreOptions = {}) {
    this.settings = options.settings ?? DEFAULT_STORE_SETTINGS;
    this.scheduler = options.scheduler ?? realScheduler;
    this.dayCache = options.dayCache ?? new MemoryDayCache();
    this.focus = options.focus ?? new LocalFocus(true);
    this.log = options.log ?? noopLog;
    this.housekeepingMs = options.housekeepingMs ?? 15_000;
    this.holder = !options.lease;
    this.current = emptySnapshot(new Date(this.scheduler.now()));
    for (const s of SOURCE_NAMES) this.rt.set(s, { due: 0, failures: 0 });
    // Files found invalid are reported in this store's log; the files judge times with this store's clock.
    const ctx = { log: this.log, clock: this.scheduler };
    for (const a of [options.persistence, this.dayCache, options.lease, this.focus]) a?.attach?.(ctx);
  }

  /** The latest state; plain JSON, never contains a key. */
  get snapshot(): StoreSnapshot {
    return this.current;
  }

  /** True while this instance holds the lease (and so polls the API). */
  get isPolling(): boolean {
    return this.holder;
  }

  /** Called after every change (fetch started, finished, failed, keys changed, snapshot loaded). */
  onDidChange(listener: (s: StoreSnapshot) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Loads the persisted snapshot and keys, takes the lease if free, then schedules. Idempotent. */
  start(): Promise<void> {
    if (this.started) return Promise.resolve();
    this.started = true;
    return this.track(this.doStart());
  }

  private async doStart(): Promise<void> {
    const saved = await this.options.persistence?.load();
    if (saved) {
      this.sharedStamp = await this.options.persistence?.stamp();
      this.current = this.restored(saved);
    }
    await this.loadKeys(false);
    this.anyFocused = await this.focus.anyFocused();
    await this.housekeeping();
    this.emit();
    this.arm();
  }

  /** Fetches the named sources now (all eligible ones when omitted), ignoring schedules and back-off. */
  async refresh(sources?: SourceName[]): Promise<void> {
    if (!this.started) await this.start();
    await this.whenIdle();
    const wanted = (sources ?? SOURCE_NAMES).filter((s) => this.eligible(s, true));
    await Promise.all(wanted.map((s) => this.run(s)));
    this.arm();
  }

  /** Re-reads keys (SecretStorage changed in any window, or the env setting changed). */
  keysChanged(): Promise<void> {
    return this.track(
      (async () => {
        const cleared = await this.loadKeys(true);
        this.emit();
        this.arm();
        // The shared snapshot must not keep another key's numbers either (a restart would show them).
        if (cleared) await this.save();
      })(),
    );
  }

  /** New settings (configuration changed): rebuilds clients and reschedules what the change affects. */
  updateSettings(next: StoreSettings): void {
    const prev = this.settings;
    this.settings = next;
    const now = this.scheduler.now();
    if (prev.baseUrl !== next.baseUrl || prev.proxyUrl !== next.proxyUrl || prev.strictSSL !== next.strictSSL) {
      this.closeClients();
      for (const s of SOURCE_NAMES) if (s !== 'local' && s !== 'plan') this.dueNow(s, now);
    }
    if (prev.rateLimits.model !== next.rateLimits.model) this.dueNow('rateLimits', now);
    if (historyDays(prev) !== historyDays(next)) {
      this.dueNow('costs', now);
      this.dueNow('tokens', now);
    }
    if (prev.historyDays !== next.historyDays) this.dueNow('claudeCode', now);
    if (prev.local.enabled !== next.local.enabled) this.dueNow('local', now);
    // A shorter interval takes effect at once; a longer one from the last attempt.
    for (const s of SOURCE_NAMES) {
      const r = this.runtime(s);
      const at = this.current[s].attemptedAt;
      if (r.failures === 0 && at) r.due = Math.min(r.due, Date.parse(at) + this.intervalMs(s));
    }
    this.arm();
  }

  /** This window gained or lost focus. */
  setFocused(focused: boolean): Promise<void> {
    return this.track(
      (async () => {
        await this.focus.setFocused(focused);
        this.anyFocused = focused || (await this.focus.anyFocused());
        this.arm();
      })(),
    );
  }

  /** Transcript files changed (the host debounces its watcher). */
  /** The plan-limits state file changed (the host's watcher): every window re-reads it. */
  planChanged(): void {
    this.dueNow('plan', this.scheduler.now());
    this.arm();
  }

  localChanged(): void {
    if (!this.holder) return;
    this.dueNow('local', this.scheduler.now());
    this.arm();
  }

  /** Another window wrote the shared snapshot (the host's file watcher); also checked periodically. */
  sharedChanged(): Promise<void> {
    return this.track(this.loadShared());
  }

  /** Resolves when nothing is in flight (for tests, benchmarks and shutdown). */
  async whenIdle(): Promise<void> {
    while (this.ops.size > 0 || this.savePending) {
      await Promise.allSettled([...this.ops, this.savePending]);
    }
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.listeners.clear();
    void this.track(this.focus.setFocused(false));
    if (this.holder && this.options.lease) void this.track(this.options.lease.release());
    this.closeClients();
  }

  // ---------------------------------------------------------------- scheduling

  private runtime(s: SourceName): Runtime {
    return this.rt.get(s)!;
  }

  private dueNow(s: SourceName, now: number): void {
    const r = this.runtime(s);
    r.due = now;
    r.failures = 0;
    if (r.inflight) r.again = true;
  }

  private intervalMs(s: SourceName): number {
    const st = this.settings;
    switch (s) {
      case 'rateLimits':
        return Math.max(15, st.rateLimits.intervalSeconds) * 1000;
      case 'costs':
      case 'tokens':
        return Math.max(1, st.costsMinutes) * 60_000;
      case 'claudeCode':
        return Math.max(5, st.claudeCodeMinutes) * 60_000;
      case 'labels':
        return Math.max(1, st.labelsHours) * 3_600_000;
      case 'local':
        return Math.max(1, st.localMinutes) * 60_000;
      case 'plan':
        return PLAN_REREAD_MS;
    }
  }

  private eligible(s: SourceName, manual = false): boolean {
    switch (s) {
      case 'rateLimits':
        return this.settings.rateLimits.enabled && !!this.keys.api && (manual || this.anyFocused);
      case 'local':
        return this.settings.local.enabled && !!this.options.localRunner;
      case 'plan':
        return !!this.options.planRunner;
      default:
        return !!this.keys.admin;
    }
  }

  private arm(): void {
    if (this.disposed || !this.started) return;
    let at = this.options.lease ? this.nextHousekeeping : Infinity;
    for (const s of this.polledHere()) {
      const r = this.runtime(s);
      if (!r.inflight && this.eligible(s)) at = Math.min(at, r.due);
    }
    if (at === this.timerAt && this.timer !== undefined) return;
    if (this.timer !== undefined) this.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = at;
    if (at === Infinity) return;
    this.timer = this.scheduler.setTimeout(() => this.tick(), Math.max(0, at - this.scheduler.now()));
  }

  /** The sources this window fetches on its schedule: all of them while it holds the lease, else only its own. */
  private polledHere(): readonly SourceName[] {
    return this.holder ? SOURCE_NAMES : WINDOW_SOURCES;
  }

  private tick(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    if (this.disposed) return;
    void this.track(
      (async () => {
        const now = this.scheduler.now();
        if (this.options.lease && now >= this.nextHousekeeping) await this.housekeeping();
        this.markAged();
        for (const s of this.polledHere()) {
          const r = this.runtime(s);
          if (!r.inflight && this.eligible(s) && r.due <= now) void this.run(s);
        }
        this.arm();
      })(),
    );
  }

  private async housekeeping(): Promise<void> {
    this.nextHousekeeping = this.scheduler.now() + this.housekeepingMs;
    const lease = this.options.lease;
    if (lease) {
      let holds = false;
      try {
        holds = await lease.tryAcquire();
      } catch (e) {
        this.log.warn(`lease: ${errorText(e)}`);
      }
      if (holds !== this.holder) {
        this.log.info(holds ? 'This window now polls the API (lease taken).' : 'Another window polls the API; following its snapshot.');
        this.holder = holds;
        if (holds) {
          await this.loadShared();
          this.scheduleFromSnapshot();
        }
      }
      // Followers take the holder's data; the holder takes what a follower's Refresh Now fetched.
      await this.loadShared();
      try {
        await this.focus.renew?.();
      } catch (e) {
        this.log.warn(`focus: ${errorText(e)}`);
      }
      this.anyFocused = await this.focus.anyFocused();
    } else {
      this.scheduleFromSnapshot();
    }
  }

  /** Due times from the data's age, so a restart or a lease takeover does not refetch fresh data. */
  private scheduleFromSnapshot(): void {
    const now = this.scheduler.now();
    for (const s of SOURCE_NAMES) {
      const r = this.runtime(s);
      if (r.failures > 0) continue;
      const at = this.current[s].fetchedAt;
      const fetched = at ? Date.parse(at) : NaN;
      // Data from the future (a clock that jumped back) is of unknown age: fetched now, not in hours.
      r.due = Number.isFinite(fetched) && fetched <= now ? fetched + this.intervalMs(s) : 0;
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    const tracked = p.catch((e: unknown) => {
      this.log.error(`store: ${errorText(e)}`);
    });
    this.ops.add(tracked);
    void tracked.finally(() => this.ops.delete(tracked));
    return p;
  }

  // ---------------------------------------------------------------- fetching

  private run(s: SourceName): Promise<void> {
    const r = this.runtime(s);
    if (r.inflight) return r.inflight;
    const p = this.fetchOne(s).finally(() => {
      r.inflight = undefined;
      this.arm();
    });
    r.inflight = p;
    this.track(p);
    return p;
  }

  private async fetchOne(s: SourceName): Promise<void> {
    const r = this.runtime(s);
    const startedAt = this.scheduler.now();
    this.setSource(s, { ...this.current[s], loading: true });
    try {
      const data = await this.fetchData(s);
      const now = this.scheduler.now();
      r.failures = 0;
      // A change that arrived during this fetch is not lost: the next fetch is due at once.
      r.due = r.again ? now : now + this.intervalMs(s);
      r.again = false;
      this.setSource(s, {
        data,
        fetchedAt: iso(now),
        attemptedAt: iso(now),
        stale: false,
        loading: false,
        nextAttemptAt: iso(r.due),
      } as SourceState<never>);
      this.log.debug(`${s}: refreshed in ${now - startedAt} ms`);
    } catch (e) {
      const error = toErrorInit(e);
      const now = this.scheduler.now();
      r.failures += 1;
      r.due = now + this.backoffMs(s, r.failures, error);
      const prev = this.current[s];
      this.setSource(s, {
        ...prev,
        error,
        attemptedAt: iso(now),
        stale: true,
        loading: false,
        nextAttemptAt: iso(r.due),
      });
      this.log.warn(`${s}: ${error.kind}${error.status ? ` ${error.status}` : ''}: ${error.message}; next attempt ${iso(r.due)}`);
      this.options.onError?.(s, error);
    }
    await this.save();
  }

  private backoffMs(s: SourceName, failures: number, error: ApiErrorInit): number {
    const retryAfter = (error.retryAfterSeconds ?? 0) * 1000;
    if (['auth', 'needsAdminKey', 'permission', 'spendCap', 'orgSpendLimit'].includes(error.kind)) {
      // Needs the user: a new key or setting reschedules at once; until then, rarely.
      return Math.max(retryAfter, MAX_BACKOFF_MS);
    }
    const base = Math.min(this.intervalMs(s), 60_000);
    return Math.max(retryAfter, Math.min(MAX_BACKOFF_MS, base * 2 ** (failures - 1)));
  }

  private setSource<K extends SourceName>(s: K, state: StoreSnapshot[K]): void {
    this.current = { ...this.current, [s]: state, producedAt: iso(this.scheduler.now()) };
    this.emit();
  }

  private async fetchData(s: SourceName): Promise<unknown> {
    switch (s) {
      case 'rateLimits':
        return this.fetchRateLimits();
      case 'costs':
        return this.fetchCosts();
      case 'tokens':
        return this.fetchTokens();
      case 'claudeCode':
        return this.fetchClaudeCode();
      case 'labels':
        return this.fetchLabels();
      case 'plan': {
        const runner = this.options.planRunner;
        if (!runner) throw new Error('Plan limits are not available.');
        return runner();
      }
      case 'local': {
        const runner = this.options.localRunner;
        if (!runner) throw new Error('Local transcripts are not available.');
        return runner();
      }
    }
  }

  private client(kind: 'api' | 'admin'): AnthropicApi {
    const key = kind === 'api' ? this.keys.api : this.keys.admin;
    if (!key) {
      throw new ApiError({
        kind: kind === 'admin' ? 'needsAdminKey' : 'auth',
        message: kind === 'admin' ? 'No Admin API key is set.' : 'No API key is set.',
      });
    }
    const existing = kind === 'api' ? this.apiClient : this.adminClient;
    if (existing) return existing;
    const factory = this.options.clientFactory;
    if (!factory) throw new Error('No API client factory.');
    const st = this.settings;
    const client = factory({
      apiKey: key,
      ...(st.baseUrl ? { baseUrl: st.baseUrl } : {}),
      ...(st.proxyUrl ? { proxyUrl: st.proxyUrl } : {}),
      strictSSL: st.strictSSL,
      // The store's clock: a probe's time and the source's fetchedAt are read from one timeline.
      clock: this.scheduler,
      ...(this.options.onRequest ? { onRequest: this.options.onRequest } : {}),
    });
    if (kind === 'api') this.apiClient = client;
    else this.adminClient = client;
    return client;
  }

  private closeClients(): void {
    void this.apiClient?.close().catch(() => {});
    void this.adminClient?.close().catch(() => {});
    this.apiClient = undefined;
    this.adminClient = undefined;
  }

  private cacheNamespace(source: string): string {
    return `${source}-${fingerprint(this.settings.baseUrl ?? 'https://api.anthropic.com', this.keys.admin ?? '')}`;
  }

  private async fetchRateLimits(): Promise<RateLimitData> {
    const model = this.settings.rateLimits.model;
    const snap: RateLimitSnapshot = await this.client('api').probeRateLimits(model);
    const prev = this.current.rateLimits.data;
    const today = utcDay(this.scheduler.now());
    const spend = prev && prev.probeSpendToday.date === today ? prev.probeSpendToday : { date: today, probes: 0, inputTokens: 0, outputTokens: 0, costUsd: '0' };
    const inputTokens = spend.inputTokens + snap.probeUsage.inputTokens;
    const outputTokens = spend.outputTokens + snap.probeUsage.outputTokens;
    const cost = this.options.priceProbe?.(model, inputTokens, outputTokens);
    const history = [...(prev?.history ?? []), snap].slice(-HISTORY_LIMIT);
    return {
      current: snap,
      history,
      probeSpendToday: { date: today, probes: spend.probes + 1, inputTokens, outputTokens, costUsd: cost ?? spend.costUsd },
    };
  }

  /**
   * Days in the window come from the day cache when complete; the rest (the open days, and any day never
   * fetched) are fetched in one range request per run of consecutive missing days, so a longer history
   * fetches only the days before the cached ones (plus the open days).
   */
  private async byDay<N extends keyof typeof DAY_CACHE_ROWS, T extends DayCacheRow<N>>(
    namespace: N,
    days: string[],
    lagMs: number,
    fetchRange: (since: string, until: string) => Promise<Map<string, T[]>>,
  ): Promise<T[]> {
    const now = this.scheduler.now();
    const ns = this.cacheNamespace(namespace);
    const have = new Map<string, T[]>();
    for (const d of days) {
      if (!isCompleteDay(d, now, lagMs)) continue;
      // Checked like an API response: a day of the wrong shape counts as missing and is fetched again.
      const cached = await this.dayCache.get(ns, d, DAY_CACHE_ROWS[namespace](d) as Shape<T[]>);
      if (cached) have.set(d, cached);
    }
    for (const [since, until] of missingRuns(days, have)) {
      const fetched = await fetchRange(since, until);
      for (const d of dayRange(since, until)) {
        const rows = fetched.get(d) ?? [];
        have.set(d, rows);
        if (isCompleteDay(d, now, lagMs)) await this.dayCache.put(ns, d, rows);
      }
    }
    return days.flatMap((d) => have.get(d) ?? []);
  }

  private windowDays(n: number): string[] {
    const today = utcDay(this.scheduler.now());
    return dayRange(addDays(today, -(n - 1)), addDays(today, 1));
  }

  private async fetchCosts(): Promise<CostData> {
    // From the earlier of the window start and the 1st of the month, so month-to-date is complete.
    const window = this.windowDays(historyDays(this.settings));
    const first = monthStart(utcDay(this.scheduler.now()));
    const days = first < window[0]! ? dayRange(first, addDays(window[window.length - 1]!, 1)) : window;
    const client = this.client('admin');
    const rows = await this.byDay<'costs', CostRow>('costs', days, REPORT_LAG_MS, async (since, until) => {
      const buckets = await client.costReport({
        startingAt: `${since}T00:00:00Z`,
        endingAt: `${until}T00:00:00Z`,
        groupBy: ['workspace_id', 'description'],
        limit: 31,
      });
      return groupBy(costRowsFromBuckets(buckets), (r) => r.date);
    });
    return { since: days[0]!, until: addDays(days[days.length - 1]!, 1), rows };
  }

  private async fetchTokens(): Promise<TokenData> {
    const days = this.windowDays(historyDays(this.settings));
    const hourDays = this.windowDays(HOURLY_TOKEN_DAYS);
    const client = this.client('admin');
    const [daily, hourly] = await Promise.all([
      this.byDay<'tokens1d', TokenRow>('tokens1d', days, REPORT_LAG_MS, async (since, until) => {
        const buckets = await client.usageReport({
          startingAt: `${since}T00:00:00Z`,
          endingAt: `${until}T00:00:00Z`,
          bucketWidth: '1d',
          groupBy: ['model', 'workspace_id', 'api_key_id', 'service_tier'],
          limit: 31,
        });
        return groupBy(tokenRowsFromBuckets(buckets, true), (r) => r.start.slice(0, 10));
      }),
      this.byDay<'tokens1h', TokenRow>('tokens1h', hourDays, REPORT_LAG_MS, async (since, until) => {
        const buckets = await client.usageReport({
          startingAt: `${since}T00:00:00Z`,
          endingAt: `${until}T00:00:00Z`,
          bucketWidth: '1h',
          groupBy: ['model'],
          limit: 168,
        });
        return groupBy(tokenRowsFromBuckets(buckets, false), (r) => r.start.slice(0, 10));
      }),
    ]);
    return { since: days[0]!, until: addDays(days[days.length - 1]!, 1), daily, hourly };
  }

  private async fetchClaudeCode(): Promise<ClaudeCodeData> {
    const days = this.windowDays(clampDays(this.settings.historyDays, HISTORY_DAYS));
    const client = this.client('admin');
    const rows = await this.byDay<'claudeCode', ClaudeCodeRow>('claudeCode', days, CLAUDE_CODE_LAG_MS, async (since, until) => {
      const byDay = await client.claudeCodeRange(since, until, { concurrency: 4 });
      const out = new Map<string, ClaudeCodeRow[]>();
      for (const [d, records] of byDay) out.set(d, claudeCodeRowsFromRecords(records));
      return out;
    });
    return { since: days[0]!, until: addDays(days[days.length - 1]!, 1), rows };
  }

  private async fetchLabels(): Promise<Labels> {
    const client = this.client('admin');
    const [org, workspaces, apiKeys, users] = await Promise.all([client.me(), client.workspaces(), client.apiKeys(), client.users()]);
    return {
      organization: { id: org.id, name: org.name },
      workspaces: workspaces.map((w) => ({ id: w.id, name: w.name, archived: !!w.archivedAt })),
      apiKeys: apiKeys.map((k) => ({
        id: k.id,
        name: k.name,
        workspaceId: k.workspaceId ?? null,
        ...(k.partialKeyHint ? { hint: k.partialKeyHint } : {}),
      })),
      users: users.map((u) => ({ id: u.id, email: u.email, name: u.name })),
    };
  }

  // ---------------------------------------------------------------- keys, persistence, sharing

  /** Reads the keys; with `changed`, empties what a key change invalidates. True when something was emptied. */
  private async loadKeys(changed: boolean): Promise<boolean> {
    const next = (await this.options.keys?.getKeys()) ?? { status: { api: 'none', admin: 'none' } };
    const prev = this.keys;
    this.keys = next;
    this.current = { ...this.current, ready: true, keys: { ...next.status } };
    const now = this.scheduler.now();
    // Emptied at this time: as an attempt, so the empty state wins over the old data in the shared snapshot.
    const cleared = (): SourceState<never> => ({ ...emptySource(), attemptedAt: iso(now) });
    let emptied = false;
    if (prev.api !== next.api) {
      void this.apiClient?.close().catch(() => {});
      this.apiClient = undefined;
      if (changed) {
        if (!next.api) {
          this.current = { ...this.current, rateLimits: cleared() };
          emptied = true;
        }
        this.dueNow('rateLimits', now);
      }
    }
    if (prev.admin !== next.admin) {
      void this.adminClient?.close().catch(() => {});
      this.adminClient = undefined;
      if (changed) {
        for (const s of ADMIN_SOURCES) {
          // Another key may be another organization: its numbers must not stay on screen.
          this.current = { ...this.current, [s]: cleared() };
          this.dueNow(s, now);
        }
        emptied = true;
      }
    }
    return emptied;
  }

  private restored(saved: StoreSnapshot): StoreSnapshot {
    const out: StoreSnapshot = { ...saved, ready: this.current.ready, keys: this.current.keys };
    for (const s of WINDOW_SOURCES) (out as unknown as Record<string, SourceState<unknown>>)[s] = this.current[s];
    const now = this.scheduler.now();
    for (const s of SHARED_SOURCES) {
      const st = saved[s] as SourceState<unknown>;
      (out as unknown as Record<string, SourceState<unknown>>)[s] = { ...st, loading: false, stale: this.isStale(s, st, now) };
    }
    return out;
  }

  /**
   * Stale means stale: data whose last fetch failed, or older than twice its refresh interval (the next
   * fetch is overdue: no window polled, the window was not focused, the machine slept), or of unknown age.
   */
  private isStale(s: SourceName, st: SourceState<unknown>, now: number): boolean {
    if (st.data === undefined) return st.stale;
    if (st.stale) return true;
    const fetched = st.fetchedAt ? Date.parse(st.fetchedAt) : NaN;
    return !Number.isFinite(fetched) || now - fetched > 2 * this.intervalMs(s);
  }

  /** Marks data that aged past its staleness limit without a new attempt (checked on every tick). */
  private markAged(): void {
    const now = this.scheduler.now();
    let next = this.current;
    for (const s of SOURCE_NAMES) {
      const st = this.current[s] as SourceState<unknown>;
      if (st.stale || st.loading || st.data === undefined || !this.isStale(s, st, now)) continue;
      next = { ...next, [s]: { ...st, stale: true } };
    }
    if (next !== this.current) {
      this.current = { ...next, producedAt: iso(now) };
      this.emit();
    }
  }

  private async save(): Promise<void> {
    const p = this.options.persistence;
    if (!p) return;
    const doSave = async (): Promise<void> => {
      try {
        const result = await p.save(sharedPart(this.current));
        // Only a file that holds exactly our shared sources is "seen"; otherwise the next look loads what
        // another window wrote (kept by the save because it was newer than ours).
        if (result === undefined || result === 'written') this.sharedStamp = await p.stamp();
      } catch (e) {
        this.log.warn(`could not save the snapshot: ${errorText(e)}`);
      }
    };
    const chained = (this.savePending ?? Promise.resolve()).then(doSave);
    this.savePending = chained;
    await chained;
    if (this.savePending === chained) this.savePending = undefined;
  }

  /** Merges the shared snapshot: per source, the later attempt wins. */
  private async loadShared(): Promise<void> {
    const p = this.options.persistence;
    if (!p) return;
    const stamp = await p.stamp();
    if (stamp === undefined || stamp === this.sharedStamp) return;
    const other = await p.load();
    this.sharedStamp = stamp;
    if (!other) return;
    let changed = false;
    const merged: StoreSnapshot = { ...this.current };
    const now = this.scheduler.now();
    for (const s of SHARED_SOURCES) {
      const mine = this.current[s] as SourceState<unknown>;
      const theirs = other[s] as SourceState<unknown>;
      if (this.runtime(s).inflight) continue;
      if (later(theirs.attemptedAt, mine.attemptedAt)) {
        (merged as unknown as Record<string, SourceState<unknown>>)[s] = { ...theirs, loading: false, stale: this.isStale(s, theirs, now) };
        changed = true;
      }
    }
    if (changed) {
      this.current = { ...merged, producedAt: iso(this.scheduler.now()) };
      if (this.holder) this.scheduleFromSnapshot();
      this.emit();
    }
  }

  private emit(): void {
    for (const l of [...this.listeners]) {
      try {
        l(this.current);
      } catch (e) {
        this.log.error(`listener: ${errorText(e)}`);
      }
    }
  }
}

/** The snapshot without the sources each window reads for itself (they are not shared). */
function sharedPart(s: StoreSnapshot): StoreSnapshot {
  const out = { ...s } as Partial<StoreSnapshot>;
  for (const w of WINDOW_SOURCES) delete out[w];
  return out as StoreSnapshot;
}

function later(a: string | undefined, b: string | undefined): boolean {
  if (!a) return false;
  if (!b) return true;
  return Date.parse(a) > Date.parse(b);
}

/** The row type a day-cache namespace holds. */
type DayCacheRow<N extends keyof typeof DAY_CACHE_ROWS> = ReturnType<(typeof DAY_CACHE_ROWS)[N]> extends Shape<(infer R)[]> ? R : never;

/** Consecutive days of `days` (ascending) missing from `have`, as [since, until) pairs. */
function missingRuns(days: readonly string[], have: ReadonlyMap<string, unknown>): [string, string][] {
  const runs: [string, string][] = [];
  for (const d of days) {
    if (have.has(d)) continue;
    const last = runs[runs.length - 1];
    if (last && last[1] === d) last[1] = addDays(d, 1);
    else runs.push([d, addDays(d, 1)]);
  }
  return runs;
}

/** Days of costs and daily tokens fetched: the history, and at least what the Costs tree shows. */
function historyDays(st: StoreSettings): number {
  return Math.max(clampDays(st.historyDays, HISTORY_DAYS), st.costsDays);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function groupBy<T>(rows: T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) {
    const k = key(r);
    const list = out.get(k);
    if (list) list.push(r);
    else out.set(k, [r]);
  }
  return out;
}

function errorText(e: unknown): string {
  return redactSecrets(e instanceof Error ? e.message : String(e));
}

/** Any failure as the plain, key-free shape the snapshot stores. */
export function toErrorInit(e: unknown): ApiErrorInit {
  if (e instanceof ApiError) return e.toJSON();
  if (e && typeof e === 'object' && 'kind' in e && 'message' in e) {
    const o = e as ApiErrorInit;
    return { ...o, message: redactSecrets(String(o.message)) };
  }
  return { kind: 'invalidResponse', message: `Unexpected error: ${errorText(e)}` };
}
