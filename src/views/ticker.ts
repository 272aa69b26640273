/**
 * One shared ticker for every relative time on screen ("3 min ago", "resets in 12s", "2 h left"): views
 * re-render from the snapshot on each tick, so ages advance and agree across the status bar, tooltip and
 * trees without a timer per item. Ticks every 15 s (the finest unit shown past a minute is a minute).
 */
import * as vscode from 'vscode';

export const TICK_MS = 15_000;

export class Ticker implements vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onTick = this.emitter.event;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(periodMs = TICK_MS) {
    this.timer = setInterval(() => this.emitter.fire(), periodMs);
    this.timer.unref?.();
  }

  dispose(): void {
    clearInterval(this.timer);
    this.emitter.dispose();
  }
}
