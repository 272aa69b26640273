/** One generic TreeDataProvider per sidebar view, rendering the pure `TreeNode` models. */
import * as vscode from 'vscode';
import type { StoreSnapshot } from '../../core/model/snapshot';
import type { Store } from '../../core/store/store';
import type { TreeNode } from '../../core/viewModels/tree';
import { redactSecrets } from '../../core/anthropic/errors';
import { systemClock } from '../../core/clock';
import { ACTION_TITLES, COMMANDS } from '../../core/model/commands';
import type { Ticker } from '../ticker';

export interface TreeLog {
  error(message: string): void;
}

export class SnapshotTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: TreeNode[] = [];
  private rendered = '';
  private readonly parents = new Map<string, TreeNode>();
  private readonly subs: vscode.Disposable[] = [];
  private pending = false;
  /** The view is on screen (true until `attach` says otherwise). A hidden view is rebuilt when it shows. */
  private visible = true;
  /** Something changed while hidden. */
  private stale = false;

  constructor(
    private readonly store: Store,
    private readonly build: (s: StoreSnapshot, now: number) => TreeNode[],
    ticker: Ticker,
    private readonly log?: TreeLog,
  ) {
    this.rebuild();
    this.subs.push(
      store.onDidChange(() => this.schedule()),
      // Ages and countdowns ("Data from 3 min ago", "ends in 2 h") advance; unchanged trees are not repainted.
      ticker.onTick(() => this.schedule()),
    );
  }

  /** Follows the view's visibility: while it is hidden (a collapsed section, another sidebar), store changes
   *  and ticks only mark it stale, so a refresh every few seconds costs nothing for views nobody looks at. */
  attach(view: vscode.TreeView<TreeNode>): vscode.Disposable {
    this.visible = view.visible;
    return view.onDidChangeVisibility((e) => {
      this.visible = e.visible;
      if (e.visible && this.stale) this.schedule();
    });
  }

  /** Coalesces bursts of store changes into one repaint. */
  schedule(): void {
    if (!this.visible) {
      this.stale = true;
      return;
    }
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      if (this.rebuild()) this.emitter.fire(undefined);
    }, 50);
  }

  /** Rebuilds the nodes; true when they differ from what is shown. A model that throws shows as an error item. */
  private rebuild(): boolean {
    this.stale = false;
    let roots: TreeNode[];
    try {
      roots = this.build(this.store.snapshot, systemClock.now());
    } catch (e) {
      const message = redactSecrets(e instanceof Error ? e.message : String(e));
      this.log?.error(`tree: could not show this view: ${message}`);
      roots = [
        {
          id: 'view/error',
          label: `Could not show this view: ${message}`,
          description: ACTION_TITLES.refresh,
          tooltip: 'Something in the saved or fetched data could not be shown. Refresh fetches it again; Show Log has the details.',
          icon: 'error',
          contextValue: 'error',
          command: { command: COMMANDS.refresh, title: ACTION_TITLES.refresh },
        },
      ];
    }
    // Compared by their JSON; nodes a model reuses (the local tree's day nodes between refreshes) are
    // serialized once.
    const rendered = roots.map((n) => this.json(n)).join('\n');
    if (rendered === this.rendered) return false;
    this.rendered = rendered;
    this.roots = roots;
    this.parents.clear();
    const walk = (n: TreeNode): void => {
      for (const c of n.children ?? []) {
        this.parents.set(c.id, n);
        walk(c);
      }
    };
    this.roots.forEach(walk);
    return true;
  }

  private readonly jsonOf = new WeakMap<TreeNode, string>();
  private json(n: TreeNode): string {
    let j = this.jsonOf.get(n);
    if (j === undefined) this.jsonOf.set(n, (j = JSON.stringify(n)));
    return j;
  }

  /** Roots as currently built (host tests read these). */
  get nodes(): readonly TreeNode[] {
    if (this.stale) this.rebuild();
    return this.roots;
  }

  getTreeItem(n: TreeNode): vscode.TreeItem {
    const state = n.children?.length
      ? n.expanded
        ? vscode.TreeItemCollapsibleState.Expanded
        : vscode.TreeItemCollapsibleState.Collapsed
      : vscode.TreeItemCollapsibleState.None;
    const item = new vscode.TreeItem(n.label, state);
    item.id = n.id;
    if (n.description) item.description = n.description;
    if (n.tooltip) item.tooltip = n.tooltip;
    if (n.icon) {
      const color = n.icon === 'error' ? 'errorForeground' : n.icon === 'warning' ? 'editorWarning.foreground' : undefined;
      item.iconPath = new vscode.ThemeIcon(n.icon, color ? new vscode.ThemeColor(color) : undefined);
    }
    if (n.contextValue) item.contextValue = n.contextValue;
    if (n.command) item.command = { command: n.command.command, title: n.command.title, arguments: n.command.arguments ?? [] };
    item.accessibilityInformation = { label: n.description ? `${n.label}, ${n.description}` : n.label };
    return item;
  }

  getChildren(n?: TreeNode): TreeNode[] {
    if (!n && this.stale) this.rebuild();
    return n ? (n.children ?? []) : this.roots;
  }

  getParent(n: TreeNode): TreeNode | undefined {
    return this.parents.get(n.id);
  }

  dispose(): void {
    for (const s of this.subs) s.dispose();
    this.emitter.dispose();
  }
}
