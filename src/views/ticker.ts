/**
 * One shared ticker for every relative time on screen ("3 min ago", "resets in 12s", "2 h left"): views
 * re-render from the snapshot on each tick, so ages advance and agree across the status bar, tooltip,
 * trees and dashboard without a timer per item. Ticks every 15 s (the finest unit shown past a minute is a
 * minute), and once more at an instant something shown changes by the clock alone (`wakeAt`: a plan
 * window's reset), so that change shows on every surface at once and on time, not up to a period late.
 */
import * as vscode from 'vscode';
import { systemClock, type Clock } from '../core/clock';

export const TICK_MS = 15_000;
/** A wake fires this much after its instant, so the clock the views read is past it, never a hair before. */
const WAKE_SLACK_MS = 25;
/** setTimeout's longest delay (a longer one fires at once); a later instant is re-asked for by then. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export class Ticker implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onTick = this.emitter.event;
  private readonly timer: ReturnType<typeof setInterval>;
  private wake: ReturnType<typeof setTimeout> | undefined;
  private wakeTime: number | undefined;

  constructor(
    periodMs = TICK_MS,
    private readonly clock: Clock = systemClock,
  ) {
    this.timer = setInterval(() => this.emitter.fire(), periodMs);
    this.timer.unref?.();
  }

  /** Ticks once more at `at` (epoch ms), replacing the instant asked for before; undefined asks for none. */
  wakeAt(at: number | undefined): void {
    if (at === this.wakeTime) return;
    clearTimeout(this.wake);
    this.wake = undefined;
    this.wakeTime = at;
    if (at === undefined) return;
    const delay = Math.min(Math.max(0, at - this.clock.now()) + WAKE_SLACK_MS, MAX_DELAY_MS);
    this.wake = setTimeout(() => {
      this.wake = undefined;
      this.wakeTime = undefined;
      this.emitter.fire();
    }, delay);
    this.wake.unref?.();
  }

  dispose(): void {
    clearInterval(this.timer);
    clearTimeout(this.wake);
    this.emitter.dispose();
  }
}
