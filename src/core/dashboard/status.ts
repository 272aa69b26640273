/**
 * What a tab says when its source has nothing, old or failing data: one banner per source with the
 * actions that fix it, and a note when the loaded history starts after the selected range.
 */
import { errorActions, errorSentence } from '../model/facts';
import type { ActionName } from '../model/commands';
import { daysThrough } from '../model/days';
import { ago, until } from '../model/format';
import { HISTORY_DAYS } from '../model/settings';
import type { SourceState, StoreSnapshot } from '../model/snapshot';
import type { DateRange } from './view';

export type SourceStatusKind = 'ok' | 'loading' | 'empty' | 'needsKey' | 'error' | 'stale';

export interface SourceStatus {
  kind: SourceStatusKind;
  /** One sentence for the banner (empty for `ok`). */
  message: string;
  actions: ActionName[];
  fetchedAt?: string;
  requestId?: string;
}

export type StatusSource = 'costs' | 'tokens' | 'claudeCode' | 'rateLimits' | 'local';

/** The one action that carries a value: raise `claudeUsage.history.days` to `days` (validated on arrival). */
export const EXTEND_HISTORY = 'extendHistory';

/** A source's data starts after the selected range does: what the tab says, and how far back to load. */
export interface CoverageNote {
  message: string;
  /** Days of history that reach back to the range start (within HISTORY_DAYS); absent when no longer history would help. */
  loadDays?: number;
}

export type HistorySource = 'costs' | 'tokens' | 'claudeCode';
const HISTORY_WHAT: Record<HistorySource, string> = { costs: 'Cost data', tokens: 'Token data', claudeCode: 'Claude Code analytics' };

/** `null` when the data (from `since`) covers the range; otherwise the note, with a "Load N days" offer when one helps. */
export function coverageNote(source: HistorySource, since: string | undefined, range: Pick<DateRange, 'since'>, today: string): CoverageNote | null {
  if (!since || since <= range.since) return null;
  const what = `${HISTORY_WHAT[source]} starts on ${since}`;
  const wanted = Math.min(HISTORY_DAYS.max, Math.max(HISTORY_DAYS.min, daysThrough(range.since, today).length));
  const loaded = since <= today ? daysThrough(since, today).length : 0;
  if (wanted > loaded) return { message: `${what}; load ${wanted} days of history to cover the range (setting claudeUsage.history.days).`, loadDays: wanted };
  return { message: `${what}; the history reaches back at most ${HISTORY_DAYS.max} days.` };
}

const NEEDS: Record<StatusSource, { key: 'admin' | 'api' | 'none'; what: string }> = {
  costs: { key: 'admin', what: 'organization costs' },
  tokens: { key: 'admin', what: 'exact token usage' },
  claudeCode: { key: 'admin', what: 'Claude Code analytics' },
  rateLimits: { key: 'api', what: 'live rate-limit headroom' },
  local: { key: 'none', what: 'Claude Code usage from this machine' },
};

export function sourceStatus(snapshot: StoreSnapshot, source: StatusSource, nowMs: number): SourceStatus {
  const state = snapshot[source] as SourceState<unknown>;
  const need = NEEDS[source];
  const keySet = need.key === 'none' || (need.key === 'admin' ? snapshot.keys.admin !== 'none' : snapshot.keys.api !== 'none');
  const base = { fetchedAt: state.fetchedAt, requestId: state.error?.requestId };
  const age = state.fetchedAt ? ` from ${ago(state.fetchedAt, nowMs)}` : '';
  const next = state.nextAttemptAt && Date.parse(state.nextAttemptAt) > nowMs ? ` Next attempt ${until(state.nextAttemptAt, nowMs)}.` : '';
  if (state.data !== undefined) {
    if (state.error) return { ...base, kind: 'stale', message: `Showing the last good data${age}. ${errorSentence(state.error)}${next}`, actions: errorActions(source, state.error) };
    if (state.stale) return { ...base, kind: 'stale', message: `This data is out of date (fetched ${ago(state.fetchedAt, nowMs)}).`, actions: ['refresh'] };
    return { ...base, kind: 'ok', message: '', actions: [] };
  }
  if (state.error) return { ...base, kind: 'error', message: `${errorSentence(state.error)}${next}`, actions: errorActions(source, state.error) };
  if (!keySet) {
    const keyName = need.key === 'admin' ? 'an Admin API key' : 'an API key';
    const extra = need.key === 'admin' ? ' (Admin keys exist only for organizations; without one, the "This machine" tab shows your local Claude Code usage)' : '';
    return { ...base, kind: 'needsKey', message: `Set ${keyName} to see ${need.what}${extra}.`, actions: [need.key === 'admin' ? 'setAdminKey' : 'setApiKey'] };
  }
  if (state.loading) return { ...base, kind: 'loading', message: `Loading ${need.what}…`, actions: [] };
  if (source === 'local') {
    return { ...base, kind: 'empty', message: 'No Claude Code transcripts found on this machine. Add folders with the setting claudeUsage.local.extraFolders, or enable claudeUsage.local.enabled.', actions: ['openSettings', 'refresh'] };
  }
  if (source === 'rateLimits') {
    return { ...base, kind: 'empty', message: 'No rate-limit probe yet. Probes run while a window is focused (setting claudeUsage.rateLimits.enabled).', actions: ['refresh', 'openSettings'] };
  }
  return { ...base, kind: 'empty', message: `No ${need.what} yet.`, actions: ['refresh'] };
}
