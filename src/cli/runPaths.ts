/**
 * What a CLI run did, as bits, for its code cache (codeCache.ts): a run that took a path the cache was not
 * made on (a warm run loading the index after a cold scan made the cache, say) compiled functions the cache
 * lacks, and saves it again with them. The command (in the bundle, dist/cliMain.js) notes the bits; the entry
 * (dist/cli.js), a separate bundle, reads them at exit: they meet on a global, by a registered symbol.
 */
const KEY = Symbol.for('claude-usage.cli.runPaths');

type Holder = { [KEY]?: number };

/** Adds `bits` to this run's paths. */
export function noteRunPaths(bits: number): void {
  const g = globalThis as Holder;
  g[KEY] = (g[KEY] ?? 0) | bits;
}

/** This run's paths so far. */
export function runPaths(): number {
  return (globalThis as Holder)[KEY] ?? 0;
}
