/**
 * The one store that owns all data and schedules (no vscode: everything it needs is injected).
 * Views subscribe with `onDidChange` and render `snapshot`; they never fetch on their own.
 */
import type { AnthropicApi, ClientOptions } from '../anthropic/api';
import type { LocalUsageData, StoreSnapshot } from './snapshot';
import { emptySnapshot } from './snapshot';

export type SourceName = 'rateLimits' | 'costs' | 'tokens' | 'claudeCode' | 'labels' | 'local';
export const SOURCE_NAMES: readonly SourceName[] = ['rateLimits', 'costs', 'tokens', 'claudeCode', 'labels', 'local'];

export interface Disposable {
  dispose(): void;
}

export interface StoreOptions {
  /** Filled in by the next commit; the public surface below is stable. */
  initial?: StoreSnapshot;
  clientFactory?: (options: ClientOptions) => AnthropicApi;
  localRunner?: () => Promise<LocalUsageData>;
}

export class Store implements Disposable {
  private current: StoreSnapshot;
  private readonly listeners = new Set<(s: StoreSnapshot) => void>();

  constructor(private readonly options: StoreOptions = {}) {
    this.current = options.initial ?? emptySnapshot();
  }

  /** The latest state; plain JSON, never contains a key. */
  get snapshot(): StoreSnapshot {
    return this.current;
  }

  /** Called after every change (fetch started, finished, failed, keys changed, snapshot loaded). */
  onDidChange(listener: (s: StoreSnapshot) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  /** Fetches the named sources now (all when omitted), ignoring schedules and back-off. */
  async refresh(_sources?: SourceName[]): Promise<void> {
    void this.options;
  }

  protected emit(): void {
    for (const l of [...this.listeners]) l(this.current);
  }

  dispose(): void {
    this.listeners.clear();
  }
}
