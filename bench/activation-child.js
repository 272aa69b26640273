// One cold start for bench/activation.ts, in a fresh plain-Node process (no tsx hooks, which would
// transform the bundle and triple its load time): install a minimal fake `vscode` module, time
// `require(bundle)` and `activate()`, print {"load":ms,"activate":ms,"modules":[...]} and exit.
// Usage: node bench/activation-child.js <dist/extension.js> <globalStorageDir> <extensionRoot>
'use strict';
const Module = require('node:module');
const { join } = require('node:path');

const [bundle, storage, root] = process.argv.slice(2);
const noop = () => {};
const disposable = { dispose: noop };
const event = () => disposable;

class EventEmitter {
  constructor() {
    this.listeners = [];
    this.event = (l) => {
      this.listeners.push(l);
      return disposable;
    };
  }
  fire(v) {
    for (const l of this.listeners) l(v);
  }
  dispose() {}
}

const item = () => ({ show: noop, hide: noop, dispose: noop });
const config = { get: (_k, d) => d, update: async () => {} };
const vscode = {
  EventEmitter,
  ThemeColor: class {},
  ThemeIcon: class {},
  MarkdownString: class {
    constructor(value = '') {
      this.value = value;
    }
  },
  TreeItem: class {},
  Uri: {
    file: (p) => ({ fsPath: p, path: p }),
    joinPath: (u, ...parts) => ({ fsPath: join(u.fsPath, ...parts), path: join(u.fsPath, ...parts) }),
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

const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (request === 'vscode') return 'vscode';
  return original.call(this, request, ...rest);
};
Module._cache.vscode = { id: 'vscode', filename: 'vscode', loaded: true, exports: vscode };

const t0 = performance.now();
const ext = require(bundle);
const t1 = performance.now();
ext.activate({
  subscriptions: [],
  secrets: { get: async () => undefined, store: async () => {}, delete: async () => {}, onDidChange: event },
  globalStorageUri: { fsPath: storage },
  extensionUri: { fsPath: root, path: root },
});
const t2 = performance.now();
// Which of our files were loaded by the end of activate() (the lazy API bundle must not be among them).
const modules = Object.keys(Module._cache).filter((f) => f !== 'vscode' && f !== __filename);
process.stdout.write(JSON.stringify({ load: t1 - t0, activate: t2 - t1, modules }) + '\n');
process.exit(0);
