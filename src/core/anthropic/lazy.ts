/**
 * The API client (undici + zod, ~1.2 MB of JavaScript) loaded on first use, not at activation or when the
 * CLI starts. In the extension and CLI bundles esbuild resolves `./client` below to the separate bundle
 * `dist/anthropic.js` (see `lazyAnthropicClient` in esbuild.mjs); under tsx/mocha it is the TS source.
 * Everything else imports only types from `./client`, or this function.
 */
type ClientModule = typeof import('./client');

let loaded: ClientModule | undefined;

export function loadAnthropicClient(): ClientModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('./client') as ClientModule;
  return loaded;
}
