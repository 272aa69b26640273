// The sample world a launched VS Code runs against: the local Anthropic server (test/server), its sample
// keys, and a HOME holding sample Claude Code transcripts. Each piece is picked up from the repo when it
// exists (other modules provide them), so launchers keep working while those land.
import { cpSync, existsSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { REPO } from './vscode';

const load = createRequire(__filename);

export interface SampleApi {
  /** Base URL of the local Anthropic server, e.g. http://127.0.0.1:41234 */
  url: string;
  close(): Promise<void>;
  /** The MockServer object itself (test/server/server.ts), for tests that script faults or count requests. */
  raw: unknown;
}

export interface SampleKeys {
  apiKey?: string;
  adminKey?: string;
}

function tryLoad(rel: string): Record<string, unknown> | undefined {
  const base = join(REPO, rel);
  if (!['.ts', '.js', '/index.ts'].some((ext) => existsSync(base + ext))) return undefined;
  return load(base) as Record<string, unknown>;
}

/** Starts the local Anthropic server with its sample organization, or returns undefined when it doesn't exist yet. */
export async function startSampleApi(options?: Record<string, unknown>): Promise<SampleApi | undefined> {
  const mod = tryLoad('test/server/server');
  const start = mod?.startMockServer;
  if (typeof start !== 'function') return undefined;
  const server = (await (start as (o?: unknown) => Promise<unknown>)(options)) as Record<string, unknown>;
  const url = typeof server.url === 'string' ? server.url : typeof server.baseUrl === 'string' ? server.baseUrl : undefined;
  if (!url) throw new Error('startMockServer() returned no url');
  const close = server.close;
  return {
    url: url.replace(/\/+$/, ''),
    raw: server,
    close: async () => {
      if (typeof close === 'function') await (close as () => Promise<void>).call(server);
    },
  };
}

/** The local server's sample keys (built at runtime by test/server/keys.ts), or {} before it exists. */
export function loadSampleKeys(): SampleKeys {
  const fn = tryLoad('test/server/keys')?.sampleKeys;
  if (typeof fn !== 'function') return {};
  const k = (fn as () => Record<string, unknown>)();
  const pick = (...names: string[]): string | undefined => {
    for (const n of names) if (typeof k[n] === 'string') return k[n] as string;
    return undefined;
  };
  return { apiKey: pick('apiKey', 'standard', 'api', 'key'), adminKey: pick('adminKey', 'admin') };
}

/**
 * Fills `home` with sample Claude Code transcripts: test/fixtures/makeClaudeHome.ts when it exists, else a
 * copy of test/fixtures/claude-home, else an empty ~/.claude/projects. Returns which source was used.
 */
export async function makeSampleHome(home: string, now = new Date()): Promise<string> {
  mkdirSync(home, { recursive: true });
  const make = tryLoad('test/fixtures/makeClaudeHome')?.makeClaudeHome;
  if (typeof make === 'function') {
    await (make as (dir: string, now: Date) => unknown)(home, now);
    return 'test/fixtures/makeClaudeHome.ts';
  }
  const fixed = join(REPO, 'test', 'fixtures', 'claude-home');
  if (existsSync(fixed)) {
    cpSync(fixed, home, { recursive: true });
    return 'test/fixtures/claude-home';
  }
  mkdirSync(join(home, '.claude', 'projects'), { recursive: true });
  return 'empty ~/.claude/projects (no sample transcripts in the repo yet)';
}

/** Environment a launched VS Code gets so the extension (and host tests) find the sample world. */
export function sampleEnv(api: SampleApi | undefined, keys: SampleKeys, home: string | undefined): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  if (api) env.CLAUDE_USAGE_TEST_API = api.url;
  if (keys.apiKey) env.ANTHROPIC_API_KEY = keys.apiKey;
  if (keys.adminKey) env.ANTHROPIC_ADMIN_API_KEY = keys.adminKey;
  if (home) {
    env.HOME = home;
    env.CLAUDE_USAGE_TEST_HOME = home;
  }
  return env;
}
