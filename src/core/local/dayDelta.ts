/**
 * Day rows sent by what changed, between the engine worker and the extension host (`runInWorker`).
 *
 * A refresh after an append changes today's rows and nothing before them, yet `LocalUsageData.days` holds
 * ~2,000 rows (90 days, 14 of them per project) at a GiB of transcripts: ~0.4 MB cloned out of the worker,
 * into the host, and kept there until the next refresh, where it became old-generation garbage that V8's
 * major GCs then marked with the host's whole heap. The worker now sends only the rows after the longest
 * run of leading rows equal to the reply the host says it still holds (`keepDays`), and the host puts the
 * kept rows back in front: those rows stay the same objects from refresh to refresh (which the snapshot
 * writer also uses to skip re-encoding unchanged days, see snapshotFiles.ts).
 *
 * Rows are sorted by date first (the engine's report), so an append today keeps every earlier day; when
 * the 90-day range moves on at midnight nothing is kept and the whole list is sent, as before.
 */
import type { LocalUsageData, LocalUsageDay } from '../model/snapshot';

/** Whether two flat rows have the same keys with the same values. */
function sameRow(a: LocalUsageDay, b: LocalUsageDay): boolean {
  if (a === b) return true;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if ((a as unknown as Record<string, unknown>)[k] !== (b as unknown as Record<string, unknown>)[k]) return false;
  return true;
}

/** How many leading rows of `next` equal those of `prev`. */
export function keptDays(prev: readonly LocalUsageDay[], next: readonly LocalUsageDay[]): number {
  const n = Math.min(prev.length, next.length);
  let i = 0;
  while (i < n && sameRow(prev[i]!, next[i]!)) i++;
  return i;
}

/** The reply's data as sent: without its first `keep` day rows (the receiver has them). */
export function withoutKeptDays(data: LocalUsageData, keep: number): LocalUsageData {
  return keep > 0 ? { ...data, days: data.days.slice(keep) } : data;
}

/** The data as computed: the first `keep` rows of what the receiver held, then the rows sent. */
export function withKeptDays(held: readonly LocalUsageDay[], keep: number, sent: LocalUsageData): LocalUsageData {
  if (keep <= 0) return sent;
  if (keep > held.length) throw new Error(`the transcript indexer kept ${keep} day rows of ${held.length}`);
  return { ...sent, days: held.slice(0, keep).concat(sent.days) };
}
