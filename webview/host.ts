/** The webview's side of the host connection: the VS Code API (acquired once) and typed posting. */
import type { WebviewMessage } from '../src/core/dashboard/messages';

interface VsCodeApi {
  postMessage(msg: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;
export const vscode = acquireVsCodeApi();

export function post(msg: WebviewMessage): void {
  vscode.postMessage(msg);
}
