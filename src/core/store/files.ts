/**
 * What every file the store keeps in the extension's global storage shares: atomic writes, reads that
 * tell a missing file from one that is not JSON, and a report of each file found invalid, logged once with
 * its name (a file read again and again, like the lease every 15 s, does not fill the log).
 */
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { Clock } from '../clock';

/** Where problems found in saved files go (the store's log). */
export interface PersistLog {
  warn(message: string): void;
  debug?(message: string): void;
}

/** What the store hands the file-backed objects it is given: its log and its clock. */
export interface PersistContext {
  log: PersistLog;
  clock: Clock;
}

/** Implemented by the file-backed snapshot, day cache, lease and focus; the store calls it on construction. */
export interface Attachable {
  attach?(ctx: PersistContext): void;
}

/** Logs each invalid file once (until it is read or written fine again, after which a new problem is news). */
export class InvalidFiles {
  private readonly reported = new Set<string>();
  private log?: PersistLog;

  attach(log: PersistLog): void {
    this.log = log;
  }

  /** `file` was discarded because of `why`; `then` says what happens instead. `key` tells apart several problems of one file. */
  report(file: string, why: string, then = 'it is fetched again', key = file): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    this.log?.warn(`Discarded ${file}: ${why}; ${then}.`);
  }

  fine(key: string): void {
    this.reported.delete(key);
  }
}

export type JsonRead = { kind: 'missing' } | { kind: 'invalid'; why: string } | { kind: 'ok'; value: unknown; text: string };

/** Reads and parses a JSON file; a missing file and one that is not JSON are told apart. Never throws. */
export async function readJson(file: string): Promise<JsonRead> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return { kind: 'missing' };
    return { kind: 'invalid', why: `cannot be read (${code ?? String(e)})` };
  }
  try {
    return { kind: 'ok', value: JSON.parse(text) as unknown, text };
  } catch {
    return { kind: 'invalid', why: text.length === 0 ? 'the file is empty' : 'not JSON' };
  }
}

let tmpSeq = 0;
/** Write to a temporary file next to the target, then rename over it (atomic on one file system). */
export async function atomicWrite(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.${++tmpSeq}.tmp`;
  try {
    await writeFile(tmp, text, 'utf8');
    await rename(tmp, file);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}
