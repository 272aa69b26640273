/**
 * Keys live only in SecretStorage (`claudeUsage.apiKey`, `claudeUsage.adminKey`), with the environment
 * (`ANTHROPIC_API_KEY`, `ANTHROPIC_ADMIN_API_KEY`) as a fallback behind `claudeUsage.useEnvironmentKeys`.
 * A key never leaves this module except to the API client.
 */
import * as vscode from 'vscode';
import { keyKind, type AnthropicApi } from '../core/anthropic/api';
import { ApiError } from '../core/anthropic/errors';
import type { KeyProvider, ResolvedKeys } from '../core/store/store';
import type { KeySource } from '../core/model/snapshot';

export type KeyName = 'api' | 'admin';
export const SECRET_NAMES: Record<KeyName, string> = { api: 'claudeUsage.apiKey', admin: 'claudeUsage.adminKey' };
const ENV_NAMES: Record<KeyName, string> = { api: 'ANTHROPIC_API_KEY', admin: 'ANTHROPIC_ADMIN_API_KEY' };

export class KeyService implements KeyProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  /** Fires in every window when a key is stored or deleted anywhere. */
  readonly onDidChange = this.emitter.event;
  private readonly sub: vscode.Disposable;

  constructor(
    private readonly secrets: vscode.SecretStorage,
    private useEnv: () => boolean,
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {
    this.sub = secrets.onDidChange((e) => {
      if (e.key === SECRET_NAMES.api || e.key === SECRET_NAMES.admin) this.emitter.fire();
    });
  }

  private async resolve(name: KeyName): Promise<{ key?: string; source: KeySource }> {
    const stored = (await this.secrets.get(SECRET_NAMES[name]))?.trim();
    if (stored) return { key: stored, source: 'secretStorage' };
    if (this.useEnv()) {
      const fromEnv = this.env[ENV_NAMES[name]]?.trim();
      // ANTHROPIC_API_KEY holding an Admin key (or the reverse) is not used for the wrong purpose.
      const kind = fromEnv ? keyKind(fromEnv) : 'unknown';
      if (fromEnv && (name === 'admin' ? kind === 'admin' : kind !== 'admin')) return { key: fromEnv, source: 'environment' };
    }
    return { source: 'none' };
  }

  async getKeys(): Promise<ResolvedKeys> {
    const [api, admin] = await Promise.all([this.resolve('api'), this.resolve('admin')]);
    return {
      ...(api.key ? { api: api.key } : {}),
      ...(admin.key ? { admin: admin.key } : {}),
      status: { api: api.source, admin: admin.source },
    };
  }

  store(name: KeyName, key: string): Thenable<void> {
    return this.secrets.store(SECRET_NAMES[name], key);
  }

  async clear(): Promise<void> {
    await this.secrets.delete(SECRET_NAMES.api);
    await this.secrets.delete(SECRET_NAMES.admin);
  }

  dispose(): void {
    this.sub.dispose();
    this.emitter.dispose();
  }
}

/** What prefix validation says about a pasted value, or undefined when it is acceptable. */
export function validateKeyInput(name: KeyName, value: string): string | undefined {
  const v = value.trim();
  if (!v) return 'Paste a key, or press Escape to cancel.';
  if (/\s/.test(v)) return 'A key has no spaces or line breaks.';
  const kind = keyKind(v);
  if (name === 'api' && kind === 'admin') return 'This is an Admin API key (sk-ant-admin…). Use "Claude Usage: Set Admin API Key" for it.';
  if (name === 'admin' && kind === 'standard') return 'This is a standard API key (sk-ant-api…). Admin keys start with sk-ant-admin; use "Claude Usage: Set API Key" for this one.';
  if (kind === 'unknown') return name === 'api' ? 'API keys start with sk-ant-api.' : 'Admin API keys start with sk-ant-admin.';
  return undefined;
}

export type CheckResult = 'valid' | 'wrongKind' | 'rejected' | 'offline' | 'other';

/** One live call: a rate-limit probe for a standard key, `me()` for an Admin key. */
export async function checkKey(
  name: KeyName,
  client: AnthropicApi,
  model: string,
): Promise<{ result: CheckResult; message: string }> {
  try {
    if (name === 'api') await client.probeRateLimits(model);
    else await client.me();
    return { result: 'valid', message: name === 'api' ? 'API key saved and working.' : 'Admin API key saved and working.' };
  } catch (e) {
    const err = e instanceof ApiError ? e : undefined;
    const kind = err?.kind;
    if (kind === 'needsAdminKey' || (name === 'admin' && kind === 'permission'))
      return { result: 'wrongKind', message: `The API accepted this key but not for ${name === 'admin' ? 'the Admin API' : 'Messages'}: ${err?.message}` };
    if (kind === 'auth' || kind === 'permission') return { result: 'rejected', message: `The API rejected this key (${err?.status ?? kind}): ${err?.message}` };
    if (kind === 'network' || kind === 'timeout' || kind === 'overloaded' || kind === 'server')
      return { result: 'offline', message: `Could not reach the API to check the key (${err?.message}). Saved anyway.` };
    if (kind === 'rateLimited' || kind === 'spendCap' || kind === 'orgSpendLimit')
      return { result: 'valid', message: `Key saved and accepted, but: ${err?.message}` };
    return { result: 'other', message: `Key saved; the check failed: ${err?.message ?? String(e)}` };
  } finally {
    void client.close().catch(() => {});
  }
}
