/**
 * Connect / Disconnect (connection.ts with jsonc-parser) loaded on first use, not at activation. In the
 * extension bundle esbuild resolves `./connection` below to the separate bundle `dist/planConnect.js`
 * (see `lazyBundles` in esbuild.mjs); under tsx/mocha it is the TS source.
 */
type ConnectionModule = typeof import('./connection');

let loaded: ConnectionModule | undefined;

export function loadConnection(): ConnectionModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./connection') as ConnectionModule;
  return loaded;
}
