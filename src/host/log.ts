/** The "Claude Usage" log channel; every message passes through `redactSecrets`. */
import * as vscode from 'vscode';
import { redactSecrets } from '../core/anthropic/errors';
import type { RequestLogEntry } from '../core/anthropic/api';
import type { StoreLogger } from '../core/store/store';

export class Log implements StoreLogger, vscode.Disposable {
  readonly channel: vscode.LogOutputChannel;

  constructor() {
    this.channel = vscode.window.createOutputChannel('Claude Usage', { log: true });
  }

  debug(message: string): void {
    this.channel.debug(redactSecrets(message));
  }
  info(message: string): void {
    this.channel.info(redactSecrets(message));
  }
  warn(message: string): void {
    this.channel.warn(redactSecrets(message));
  }
  error(message: string): void {
    this.channel.error(redactSecrets(message));
  }

  /** One line per HTTP attempt: method, path, status, duration, request-id. */
  request(e: RequestLogEntry): void {
    const status = e.status !== undefined ? String(e.status) : (e.error ?? 'failed');
    const line = `${e.method} ${e.path} ${status} ${Math.round(e.durationMs)} ms${e.requestId ? ` request-id=${e.requestId}` : ''}${e.attempt > 1 ? ` attempt=${e.attempt}` : ''}`;
    this.debug(line);
  }

  show(): void {
    this.channel.show(true);
  }

  dispose(): void {
    this.channel.dispose();
  }
}
