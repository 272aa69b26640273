import type { Scheduler } from '../../src/core/store/scheduler';

interface Pending {
  id: number;
  at: number;
  fn: () => void;
}

/**
 * Fake time: timers fire only inside `advance`, in time order. After each firing `settle` is awaited
 * (typically "every store is idle"), so real I/O started by a timer finishes before time moves on.
 */
export class ManualScheduler implements Scheduler {
  private t: number;
  private seq = 0;
  private pending: Pending[] = [];

  constructor(start: number | Date = Date.UTC(2026, 10, 27, 12, 0, 0)) {
    this.t = typeof start === 'number' ? start : start.getTime();
  }

  now(): number {
    return this.t;
  }

  setTimeout(fn: () => void, ms: number): unknown {
    const p = { id: ++this.seq, at: this.t + Math.max(0, ms), fn };
    this.pending.push(p);
    return p.id;
  }

  clearTimeout(handle: unknown): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  get timerCount(): number {
    return this.pending.length;
  }

  /** Moves time forward by `ms`, firing due timers in order and awaiting `settle` after each. */
  async advance(ms: number, settle: () => Promise<void> = async () => {}): Promise<void> {
    const end = this.t + ms;
    await settle();
    for (;;) {
      this.pending.sort((a, b) => a.at - b.at || a.id - b.id);
      const next = this.pending[0];
      if (!next || next.at > end) break;
      this.pending.shift();
      this.t = Math.max(this.t, next.at);
      next.fn();
      await settle();
    }
    this.t = end;
  }
}
