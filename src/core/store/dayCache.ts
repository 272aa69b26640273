/**
 * Complete UTC days cached on disk, one JSON file per source per day, so they are never fetched again.
 * Namespaced by a fingerprint of (base URL, key) so two organisations never share a cache.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile, rm } from 'node:fs/promises';
import { join } from 'node:path';

export interface DayCache {
  get<T>(namespace: string, day: string): Promise<T | undefined>;
  put<T>(namespace: string, day: string, value: T): Promise<void>;
}

export function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

export class FileDayCache implements DayCache {
  private readonly memory = new Map<string, unknown>();

  constructor(private readonly dir: string) {}

  private file(namespace: string, day: string): string {
    return join(this.dir, namespace.replace(/[^A-Za-z0-9_-]/g, '_'), `${day}.json`);
  }

  async get<T>(namespace: string, day: string): Promise<T | undefined> {
    const file = this.file(namespace, day);
    if (this.memory.has(file)) return this.memory.get(file) as T;
    try {
      const value = JSON.parse(await readFile(file, 'utf8')) as { v: 1; day: string; data: T };
      if (value.v !== 1 || value.day !== day) return undefined;
      this.memory.set(file, value.data);
      return value.data;
    } catch {
      return undefined; // missing or corrupt: fetched again
    }
  }

  async put<T>(namespace: string, day: string, value: T): Promise<void> {
    const file = this.file(namespace, day);
    this.memory.set(file, value);
    await mkdir(join(file, '..'), { recursive: true });
    await atomicWrite(file, JSON.stringify({ v: 1, day, data: value }));
  }
}

/** An in-memory cache (tests, CLI without a folder). */
export class MemoryDayCache implements DayCache {
  readonly map = new Map<string, unknown>();
  async get<T>(namespace: string, day: string): Promise<T | undefined> {
    return this.map.get(`${namespace}/${day}`) as T | undefined;
  }
  async put<T>(namespace: string, day: string, value: T): Promise<void> {
    this.map.set(`${namespace}/${day}`, value);
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
