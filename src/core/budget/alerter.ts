/**
 * Decides which budget notifications to show, under an injected clock and scheduler (fake time in tests).
 * The host calls `schedule()` whenever something changed (the store's snapshot, plan figures, settings)
 * and on a slow tick (period boundaries, a snooze running out); evaluations are debounced and serialized.
 *
 * One evaluation:
 *   1. notifications off, or nothing crossed: nothing to do (colours are the views' business);
 *   2. take the shared record's short lock (busy: try again in a moment);
 *   3. snoozed (shared by every window): stop, claim nothing (what is still true fires after the snooze);
 *   4. per budget, claim every event that is true now and not yet in the record;
 *   5. per budget with a fresh claim, one notification: the most important event claimed (the highest
 *      threshold, else the projection); the lower ones are folded in silently (crossing 75 % and 90 % at
 *      once says "90 %" once, never two toasts).
 * So each threshold fires at most once per period, across reloads and across windows (exclusive creates
 * under one lock: one window decides, the others find everything claimed), and again in the next period.
 * No vscode import.
 */
import type { Clock } from '../clock';
import type { StoreSnapshot } from '../model/snapshot';
import { tomorrowStart } from '../model/zones';
import type { PlanData } from '../plan/types';
import type { Scheduler } from '../store/scheduler';
import { alertEvents, notificationFor, type AlertEvent, type BudgetNotification } from './alerts';
import type { AlertBook } from './record';
import type { BudgetSettings } from './settings';
import { budgetStatus, type BudgetReport } from './status';

export interface BudgetInputs {
  snapshot: StoreSnapshot;
  plan?: PlanData;
  settings: BudgetSettings;
  /** `claudeUsage.plan.staleMinutes` in ms. */
  planStaleAfterMs?: number;
}

export interface AlerterLog {
  warn(message: string): void;
  debug?(message: string): void;
}

export interface AlerterOptions {
  book: AlertBook;
  clock: Clock;
  scheduler: Scheduler;
  inputs: () => BudgetInputs;
  notify: (n: BudgetNotification) => void;
  log?: AlerterLog;
  /** Quiet time before an evaluation after the last change (default 1 s). */
  debounceMs?: number;
  /** When another window holds the lock, ask again after this long (default 2 s). */
  retryMs?: number;
}

/** "Snooze Until Tomorrow" lasts until the first instant of tomorrow in the local zone. */
export { tomorrowStart } from '../model/zones';

const PRUNE_EVERY_MS = 86_400_000;

export class BudgetAlerter {
  private timer: unknown;
  private running: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private lastPrune = -Infinity;
  /** Keys known to be in the record (they stay until pruned, long after their period): no lock, no file read. */
  private readonly known = new Set<string>();

  constructor(private readonly o: AlerterOptions) {}

  /** Evaluates after the debounce (a later call moves it). */
  schedule(delayMs = this.o.debounceMs ?? 1000): void {
    if (this.disposed) return;
    if (this.timer !== undefined) this.o.scheduler.clearTimeout(this.timer);
    this.timer = this.o.scheduler.setTimeout(() => {
      this.timer = undefined;
      void this.evaluate();
    }, delayMs);
  }

  /** Resolves once the evaluations started so far have finished (tests). */
  async whenIdle(): Promise<void> {
    for (;;) {
      const r = this.running;
      await r.catch(() => undefined);
      if (r === this.running) return;
    }
  }

  /** One evaluation now (serialized with any running one); returns the notifications it showed. */
  evaluate(): Promise<BudgetNotification[]> {
    const run = this.running.catch(() => undefined).then(() => this.evaluateOnce());
    this.running = run;
    return run.catch((e: unknown) => {
      this.o.log?.warn(`budget alerts: ${e instanceof Error ? e.message : String(e)}`);
      return [];
    });
  }

  /** The report the last inputs give now (for callers that render it). */
  report(): BudgetReport {
    const i = this.o.inputs();
    return budgetStatus(i.snapshot, i.plan, i.settings, this.o.clock.now(), { ...(i.planStaleAfterMs ? { planStaleAfterMs: i.planStaleAfterMs } : {}) });
  }

  /** Snooze every budget notification, in every window, until the start of tomorrow (local zone). */
  async snoozeUntilTomorrow(): Promise<number> {
    const until = tomorrowStart(this.o.clock.now(), this.o.inputs().settings.localZone);
    await this.o.book.snooze(until);
    return until;
  }

  private async evaluateOnce(): Promise<BudgetNotification[]> {
    if (this.disposed) return [];
    const inputs = this.o.inputs();
    if (!inputs.settings.notifications) return [];
    const now = this.o.clock.now();
    if (now - this.lastPrune > PRUNE_EVERY_MS) {
      this.lastPrune = now;
      await this.o.book.prune().catch(() => 0);
    }
    const report = this.report();
    const events = alertEvents(report, inputs.settings.plan.errorPercent);
    const knownFired = (e: AlertEvent): boolean => [e.key, ...e.aliases].some((k) => this.known.has(k));
    if (![...events.values()].some((list) => list.some((e) => !knownFired(e)))) return [];
    const unlock = await this.o.book.lock();
    if (!unlock) {
      this.schedule(this.o.retryMs ?? 2000); // another window is deciding right now
      return [];
    }
    const won = new Map<string, AlertEvent[]>();
    try {
      const until = await this.o.book.snoozedUntil();
      if (until !== undefined && until > now) {
        this.o.log?.debug?.(`budget alerts snoozed until ${new Date(until).toISOString()}`);
        return [];
      }
      for (const [id, list] of events) {
        // A threshold under one already fired this period (thresholds edited meanwhile) is claimed silently.
        let firedThreshold = -Infinity;
        const fresh: AlertEvent[] = [];
        for (const e of list) {
          if (knownFired(e) || (await this.firedBefore(e))) {
            if (e.kind === 'threshold') firedThreshold = Math.max(firedThreshold, e.rank);
          } else if (await this.o.book.claim(e)) fresh.push(e);
          this.known.add(e.key); // fired now, before, or by another window a moment ago
        }
        const shown = fresh.filter((e) => e.kind === 'projected' || e.rank > firedThreshold);
        if (shown.length) won.set(id, shown);
      }
    } finally {
      await unlock();
    }
    const shown: BudgetNotification[] = [];
    for (const b of report.budgets) {
      const list = won.get(b.id);
      if (!list?.length) continue;
      const n = notificationFor(b, list, now);
      shown.push(n);
      this.o.notify(n);
    }
    return shown;
  }

  /** Fired already, under its key or an alias of its period. */
  private async firedBefore(e: AlertEvent): Promise<boolean> {
    for (const k of [e.key, ...e.aliases]) if (await this.o.book.has(k)) return true;
    return false;
  }

  dispose(): void {
    this.disposed = true;
    if (this.timer !== undefined) this.o.scheduler.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
