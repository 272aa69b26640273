/** Shared plumbing for CLI subcommands: exit codes, usage errors, output. No vscode import. */
import { writeSync } from 'node:fs';
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

/**
 * Writes straight to file descriptor 1 or 2. Touching `process.stdout` loads Node's stream modules (about
 * 12 ms, a twentieth of a warm `local` run); a descriptor the parent made non-blocking (EAGAIN) gets the
 * rest through the stream.
 */
const streamed = { 1: false, 2: false };
function writeFd(fd: 1 | 2, text: string): void {
  const buf = Buffer.from(text.endsWith('\n') ? text : `${text}\n`);
  const stream = () => (fd === 1 ? process.stdout : process.stderr);
  if (streamed[fd]) {
    stream().write(buf);
    return;
  }
  let off = 0;
  try {
    while (off < buf.length) off += writeSync(fd, buf, off);
  } catch {
    // From now on through the stream, so later output cannot overtake what it still holds.
    streamed[fd] = true;
    stream().write(buf.subarray(off));
  }
}

export const processIo: CliIo = {
  out: (t) => writeFd(1, t),
  err: (t) => writeFd(2, t),
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
