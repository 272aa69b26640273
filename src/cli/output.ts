/**
 * Shared plumbing of the API commands (ratelimits, costs, tokens, claude-code): the common options
 * (`--base-url`, `--timeout`, `--json`), the key from the environment, the client, and aligned tables.
 * No vscode import. Keys are read from `io.env` and handed to the client only.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { DEFAULT_BASE_URL, DEFAULT_DEADLINE_MS, type AnthropicApi } from '../core/anthropic/api';
import { ApiError } from '../core/anthropic/errors';
import { loadAnthropicClient } from '../core/anthropic/lazy';
import { parseDay, UsageError, type CliIo } from './common';
import { systemClock } from '../core/clock';

export const COMMON_OPTIONS = {
  'base-url': { type: 'string' },
  timeout: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options'];

export interface CommonOptions {
  baseUrl: string;
  timeoutMs?: number;
  json: boolean;
}

/** `parseArgs` in strict mode; any parse problem is a `UsageError` (exit 2). */
export function parseCommandArgs<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O) {
  try {
    return parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...options }, strict: true, allowPositionals: false });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split('\n')[0]! : String(e));
  }
}

const RANGE_OPTIONS = {
  since: { type: 'string' },
  until: { type: 'string' },
} as const satisfies ParseArgsConfig['options'];

/**
 * The start every report command shares (costs, tokens, claude-code): its own options plus `--since`/`--until`
 * and the common ones, `--help` printed (then `undefined`), the common options and the day range checked.
 */
export function parseReportCommand<O extends NonNullable<ParseArgsConfig['options']>>(
  argv: string[],
  io: CliIo,
  help: string,
  options: O,
  /** A `--since` to use when none is given (e.g. the start of a `--budget` period); else `--since` is required. */
  defaultSince?: (values: Record<string, unknown>) => string | undefined,
) {
  const { values } = parseCommandArgs(argv, { ...RANGE_OPTIONS, ...options });
  const shared = values as { help?: boolean; since?: string; until?: string; 'base-url'?: string; timeout?: string; json?: boolean };
  if (shared.help) {
    io.out(help);
    return undefined;
  }
  const common = commonOptions(shared, io);
  const range = dayRange(parseDay(shared.since, '--since') ?? defaultSince?.(values as Record<string, unknown>), parseDay(shared.until, '--until'));
  return { values, common, range };
}

export function commonOptions(values: { 'base-url'?: string; timeout?: string; json?: boolean }, io: CliIo): CommonOptions {
  const baseUrl = values['base-url'] ?? (io.env.ANTHROPIC_BASE_URL || DEFAULT_BASE_URL);
  try {
    const u = new URL(baseUrl);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('protocol');
  } catch {
    throw new UsageError(`--base-url must be an http(s) URL, got "${baseUrl.slice(0, 80)}".`);
  }
  let timeoutMs: number | undefined;
  if (values.timeout !== undefined) {
    const s = Number(values.timeout);
    if (!/^\d+(\.\d+)?$/.test(values.timeout) || !(s > 0)) {
      throw new UsageError(`--timeout must be a positive number of seconds, got "${values.timeout}".`);
    }
    timeoutMs = Math.round(s * 1000);
  }
  return { baseUrl, timeoutMs, json: values.json ?? false };
}

export type KeyVariable = 'ANTHROPIC_API_KEY' | 'ANTHROPIC_ADMIN_API_KEY';

/** The key from the environment, or an `auth` error (exit 3) naming the variable. */
export function requireKey(io: CliIo, variable: KeyVariable): string {
  const key = io.env[variable]?.trim();
  if (!key) {
    const what = variable === 'ANTHROPIC_ADMIN_API_KEY' ? 'an Admin key (sk-ant-admin…)' : 'a standard API key (sk-ant-api…)';
    throw new ApiError({ kind: 'auth', message: `${variable} is not set; export ${what} in it and run the command again.` });
  }
  return key;
}

export function createCliClient(key: string, common: CommonOptions, io: CliIo): AnthropicApi {
  const timeoutMs = common.timeoutMs;
  return loadAnthropicClient().createAnthropicClient({
    apiKey: key,
    baseUrl: common.baseUrl,
    timeoutMs,
    // A longer --timeout stretches the overall deadline so every attempt can use it.
    deadlineMs: timeoutMs !== undefined ? Math.max(DEFAULT_DEADLINE_MS, timeoutMs * 3) : undefined,
    proxyEnv: io.env,
  });
}

/** Runs `fn` with a client and always releases its sockets. */
export async function withClient<T>(key: string, common: CommonOptions, io: CliIo, fn: (api: AnthropicApi) => Promise<T>): Promise<T> {
  const api = createCliClient(key, common, io);
  try {
    return await fn(api);
  } finally {
    await api.close();
  }
}

/** UTC `YYYY-MM-DD` of `now` plus `days`. */
export function utcDay(now: Date, days = 0): string {
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + days)).toISOString().slice(0, 10);
}

/** Checks since < until; `until` defaults to tomorrow (UTC) so that today is included. */
export function dayRange(since: string | undefined, until: string | undefined, now = new Date(systemClock.now())): { since: string; until: string } {
  if (!since) throw new UsageError('--since is required (a UTC day like 2026-11-01).');
  const end = until ?? utcDay(now, 1);
  if (end <= since) throw new UsageError(`--until (${end}) must be after --since (${since}); --until is exclusive.`);
  return { since, until: end };
}

export function printJson(io: CliIo, value: unknown): void {
  io.out(JSON.stringify(value, null, 2));
}

export const formatInt = (n: number): string => n.toLocaleString('en-US');

/** Aligned text table: the first `leftColumns` columns left-aligned, the others right-aligned. */
export function table(headers: readonly string[], rows: ReadonlyArray<readonly string[]>, leftColumns = 1): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i < leftColumns ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}
