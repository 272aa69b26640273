/** One generic TreeDataProvider per sidebar view, rendering the pure `TreeNode` models. */
import * as vscode from 'vscode';
import type { StoreSnapshot } from '../../core/model/snapshot';
import type { Store } from '../../core/store/store';
import type { TreeNode } from '../../core/viewModels/tree';
import { systemClock } from '../../core/clock';

export class SnapshotTree implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  private roots: TreeNode[] = [];
  private readonly parents = new Map<string, TreeNode>();
  private readonly sub: vscode.Disposable;
  private pending = false;

  constructor(
    private readonly store: Store,
    private readonly build: (s: StoreSnapshot, now: number) => TreeNode[],
  ) {
    this.rebuild();
    this.sub = store.onDidChange(() => this.schedule());
  }

  /** Coalesces bursts of store changes into one repaint. */
  schedule(): void {
    if (this.pending) return;
    this.pending = true;
    setTimeout(() => {
      this.pending = false;
      this.rebuild();
      this.emitter.fire(undefined);
    }, 50);
  }

  private rebuild(): void {
    this.roots = this.build(this.store.snapshot, systemClock.now());
    this.parents.clear();
    const walk = (n: TreeNode): void => {
      for (const c of n.children ?? []) {
        this.parents.set(c.id, n);
        walk(c);
      }
    };
    this.roots.forEach(walk);
  }

  /** Roots as currently built (host tests read these). */
  get nodes(): readonly TreeNode[] {
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
    if (n.icon) item.iconPath = new vscode.ThemeIcon(n.icon, n.icon === 'error' ? new vscode.ThemeColor('errorForeground') : undefined);
    if (n.contextValue) item.contextValue = n.contextValue;
    if (n.command) item.command = { command: n.command.command, title: n.command.title, arguments: n.command.arguments ?? [] };
    item.accessibilityInformation = { label: n.description ? `${n.label}, ${n.description}` : n.label };
    return item;
  }

  getChildren(n?: TreeNode): TreeNode[] {
    return n ? (n.children ?? []) : this.roots;
  }

  getParent(n: TreeNode): TreeNode | undefined {
    return this.parents.get(n.id);
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}
