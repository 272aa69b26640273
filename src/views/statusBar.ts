/** The status bar item: renders `buildStatusBar(store.snapshot)`; click opens Show Claude Usage. */
import * as vscode from 'vscode';
import type { Store } from '../core/store/store';
import { buildStatusBar, TOOLTIP_COMMANDS, type StatusBarModel } from '../core/viewModels/statusBar';
import type { ConfigService } from '../host/config';
import { systemClock } from '../core/clock';
import { STATUS_BAR_ID } from '../core/model/commands';
import type { Ticker } from './ticker';


export class StatusBar implements vscode.Disposable {
  private item: vscode.StatusBarItem;
  private alignment: 'left' | 'right';
  private readonly subs: vscode.Disposable[] = [];
  /** The last model rendered (host tests read it). */
  last?: StatusBarModel;

  constructor(
    private readonly store: Store,
    private readonly config: ConfigService,
    ticker: Ticker,
  ) {
    this.alignment = config.current.statusBar.alignment;
    this.item = this.create();
    this.subs.push(
      store.onDidChange(() => this.render()),
      config.onDidChange((c) => {
        if (c.statusBar.alignment !== this.alignment) {
          this.alignment = c.statusBar.alignment;
          this.item.dispose();
          this.item = this.create();
        }
        this.render();
      }),
    );
    // Relative times ("resets in 12s", "2 h left") age even when no data arrives.
    this.subs.push(ticker.onTick(() => this.render()));
    this.render();
  }

  private create(): vscode.StatusBarItem {
    const item = vscode.window.createStatusBarItem(
      STATUS_BAR_ID,
      this.alignment === 'left' ? vscode.StatusBarAlignment.Left : vscode.StatusBarAlignment.Right,
      this.alignment === 'left' ? 0 : 100,
    );
    item.name = 'Claude Usage';
    return item;
  }

  render(): void {
    const model = buildStatusBar(this.store.snapshot, this.config.current.statusBar, systemClock.now());
    this.last = model;
    const item = this.item;
    item.text = model.text;
    item.command = model.command;
    item.accessibilityInformation = { label: model.accessibilityLabel, role: 'button' };
    item.backgroundColor =
      model.background === 'error'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : model.background === 'warning'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
    const md = new vscode.MarkdownString(model.tooltip, true);
    md.isTrusted = { enabledCommands: [...TOOLTIP_COMMANDS] };
    md.supportHtml = false;
    item.tooltip = md;
    item.show();
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.item.dispose();
  }
}
