/**
 * Activation cost of the BUILT bundle (dist/extension.js) with a minimal fake `vscode` module:
 * time to load the bundle, and time inside activate() (goal < 20 ms), median of N fresh loads.
 * Run: npm run build && npx tsx bench/activation.ts [runs]
 */
import Module from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

type Fn = (...args: unknown[]) => unknown;
const noop = (): void => {};
const disposable = { dispose: noop };
const event = (): { dispose: Fn } => disposable;

class EventEmitter {
  private listeners: Fn[] = [];
  event = (l: Fn): { dispose: Fn } => {
    this.listeners.push(l);
    return disposable;
  };
  fire(v?: unknown): void {
    for (const l of this.listeners) l(v);
  }
  dispose(): void {}
}

function fakeVscode(): Record<string, unknown> {
  const item = (): Record<string, unknown> => ({ show: noop, hide: noop, dispose: noop });
  const config = { get: (_k: string, d?: unknown) => d, update: async () => {} };
  return {
    EventEmitter,
    ThemeColor: class {},
    ThemeIcon: class {},
    MarkdownString: class {
      constructor(public value = '') {}
    },
    TreeItem: class {},
    Uri: {
      file: (p: string) => ({ fsPath: p, path: p }),
      joinPath: (u: { fsPath: string }, ...parts: string[]) => ({ fsPath: join(u.fsPath, ...parts), path: join(u.fsPath, ...parts) }),
    },
    ViewColumn: { Active: -1, One: 1 },
    RelativePattern: class {},
    StatusBarAlignment: { Left: 1, Right: 2 },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    ProgressLocation: { Notification: 15 },
    ConfigurationTarget: { Global: 1 },
    env: { sessionId: 'bench', clipboard: { writeText: async () => {} } },
    window: {
      state: { focused: true },
      createOutputChannel: () => ({ debug: noop, info: noop, warn: noop, error: noop, trace: noop, show: noop, dispose: noop }),
      createStatusBarItem: item,
      createTreeView: item,
      onDidChangeWindowState: event,
      showWarningMessage: async () => undefined,
      registerWebviewPanelSerializer: () => disposable,
      createWebviewPanel: () => ({ webview: {}, onDidDispose: event, dispose: noop }),
    },
    workspace: {
      getConfiguration: () => config,
      onDidChangeConfiguration: event,
      createFileSystemWatcher: () => ({ onDidChange: event, onDidCreate: event, dispose: noop }),
    },
    commands: { registerCommand: () => disposable, executeCommand: async () => undefined },
  };
}

const bundle = resolve(__dirname, '..', 'dist', 'extension.js');
const fake = fakeVscode();
const M = Module as unknown as { _resolveFilename: Fn; _cache: Record<string, unknown> };
const original = M._resolveFilename;
M._resolveFilename = function (this: unknown, request: unknown, ...rest: unknown[]) {
  if (request === 'vscode') return 'vscode';
  return original.call(this, request, ...rest);
};
M._cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: fake };

const runs = Number(process.argv[2] ?? 15);
const load: number[] = [];
const act: number[] = [];
const dir = mkdtempSync(join(tmpdir(), 'cu-activate-'));
for (let i = 0; i < runs; i++) {
  delete M._cache[bundle];
  const t0 = performance.now();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const ext = require(bundle) as { activate: (c: unknown) => { store: { dispose(): void } }; deactivate(): void };
  const t1 = performance.now();
  const subs: { dispose(): void }[] = [];
  const api = ext.activate({
    subscriptions: subs,
    secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: event },
    globalStorageUri: { fsPath: join(dir, String(i)) },
    extensionUri: { fsPath: resolve(__dirname, '..'), path: resolve(__dirname, '..') },
  });
  const t2 = performance.now();
  load.push(t1 - t0);
  act.push(t2 - t1);
  api.store.dispose();
  for (const s of subs.reverse()) s.dispose();
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
console.log(`bundle: ${bundle}`);
console.log(`runs: ${runs}`);
console.log(`first load (require, cold):  ${load[0]!.toFixed(2)} ms`);
console.log(`first activate() (cold):     ${act[0]!.toFixed(2)} ms`);
console.log(`median activate():           ${median(act).toFixed(2)} ms   (goal < 20 ms)`);
console.log(`max activate():              ${Math.max(...act).toFixed(2)} ms`);
setTimeout(() => {
  rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}, 50);
