/** Shared plumbing for CLI subcommands: exit codes, usage errors, output. No vscode import. */
import { ApiError } from '../core/anthropic/errors';

export const EXIT_OK = 0;
export const EXIT_USAGE = 2;
export const EXIT_AUTH = 3;
export const EXIT_API = 4;
/** `costs` / `local` with `--budget`: the budget of the current period is used up (src/cli/budget.ts). */
export const EXIT_OVER_BUDGET = 5;

export class UsageError extends Error {}

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
  env: NodeJS.ProcessEnv;
}

export const processIo: CliIo = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  env: process.env,
};

/** A subcommand: receives its own argv (after the command name) and returns an exit code. */
export type Command = (argv: string[], io: CliIo) => Promise<number>;

/** Checks a `YYYY-MM-DD` argument. */
export function parseDay(value: string | undefined, flag: string): string | undefined {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new UsageError(`${flag} must be a date like 2026-11-01, got "${value}".`);
  }
  return value;
}

/** Maps any thrown value to stderr text and an exit code. Never prints a key. */
export function reportFailure(e: unknown, io: CliIo): number {
  if (e instanceof UsageError) {
    io.err(`Usage error: ${e.message}`);
    return EXIT_USAGE;
  }
  if (e instanceof ApiError) {
    const rid = e.requestId ? ` (request-id ${e.requestId})` : '';
    io.err(`${e.message}${rid}`);
    return e.kind === 'auth' || e.kind === 'needsAdminKey' || e.kind === 'permission' ? EXIT_AUTH : EXIT_API;
  }
  const msg = e instanceof Error ? e.message : String(e);
  io.err(`Unexpected error: ${msg}`);
  return EXIT_API;
}
