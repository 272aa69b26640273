/**
 * Complete UTC days cached on disk, one JSON file per source per day, so they are never fetched again.
 * Namespaced by a fingerprint of (base URL, key) so two organizations never share a cache.
 *
 * A day read back is checked like an API response: the envelope `{"v":1,"day":…,"data":[rows]}` and every
 * row against the caller's shape (`DAY_CACHE_ROWS` in model/shapes.ts). A file that does not pass is
 * discarded (logged once with its name) and the day counts as missing, so the store fetches it again and
 * the fresh rows replace the file.
 */
import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { check, literal, object, type Shape } from '../model/shape';
import { atomicWrite, InvalidFiles, readJson, type Attachable, type PersistContext } from './files';

export { atomicWrite } from './files';

export interface DayCache extends Attachable {
  /** The day's value when cached and of `shape`; undefined when missing or invalid (then fetched again). */
  get<T>(namespace: string, day: string, shape: Shape<T>): Promise<T | undefined>;
  put<T>(namespace: string, day: string, value: T): Promise<void>;
}

export function fingerprint(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('hex').slice(0, 16);
}

export class FileDayCache implements DayCache {
  private readonly memory = new Map<string, unknown>();
  private readonly invalid = new InvalidFiles();

  constructor(private readonly dir: string) {}

  attach(ctx: PersistContext): void {
    this.invalid.attach(ctx.log);
  }

  /** The file of one day (exported for tests and the log). */
  file(namespace: string, day: string): string {
    return join(this.dir, namespace.replace(/[^A-Za-z0-9_-]/g, '_'), `${day.replace(/[^0-9-]/g, '_')}.json`);
  }

  async get<T>(namespace: string, day: string, shape: Shape<T>): Promise<T | undefined> {
    const file = this.file(namespace, day);
    if (this.memory.has(file)) return this.memory.get(file) as T;
    const read = await readJson(file);
    if (read.kind === 'missing') return undefined;
    if (read.kind === 'invalid') {
      this.invalid.report(file, read.why);
      return undefined;
    }
    const envelope = object<{ v: 1; day: string; data: NonNullable<unknown> | null }>({ v: literal(1), day: literal(day), data: (v) => shape(v) as NonNullable<unknown> | null });
    const checked = check(envelope, read.value);
    if (!checked.ok) {
      this.invalid.report(file, `not a cached day of this kind (${checked.error.message})`);
      return undefined;
    }
    this.invalid.fine(file);
    const data = checked.value.data as T;
    this.memory.set(file, data);
    return data;
  }

  async put<T>(namespace: string, day: string, value: T): Promise<void> {
    const file = this.file(namespace, day);
    this.memory.set(file, value);
    await mkdir(join(file, '..'), { recursive: true });
    await atomicWrite(file, JSON.stringify({ v: 1, day, data: value }));
    this.invalid.fine(file);
  }
}

/** An in-memory cache (tests, CLI without a folder). */
export class MemoryDayCache implements DayCache {
  readonly map = new Map<string, unknown>();
  async get<T>(namespace: string, day: string, shape: Shape<T>): Promise<T | undefined> {
    const key = `${namespace}/${day}`;
    if (!this.map.has(key)) return undefined;
    const checked = check(shape, this.map.get(key));
    return checked.ok ? checked.value : undefined;
  }
  async put<T>(namespace: string, day: string, value: T): Promise<void> {
    this.map.set(`${namespace}/${day}`, value);
  }
}
