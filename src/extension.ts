import * as vscode from 'vscode';

export function activate(context: vscode.ExtensionContext): void {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Claude Usage', { log: true });
  context.subscriptions.push(log);
  log.debug(`activate() took ${(performance.now() - started).toFixed(1)} ms`);
}

export function deactivate(): void {}
