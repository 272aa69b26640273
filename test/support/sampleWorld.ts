// The sample world a launched VS Code runs against: the local Anthropic server (test/server), its sample
// keys, and a HOME holding sample Claude Code transcripts (test/fixtures/makeClaudeHome.ts).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { nowDate } from '../../src/core/clock';
import { makeClaudeHome } from '../fixtures/makeClaudeHome';
import { makePlanState } from '../fixtures/makePlanState';
import { sampleKeys } from '../server/keys';
import { startMockServer, type MockServer, type MockServerOptions } from '../server/server';

export interface SampleApi {
  /** Base URL of the local Anthropic server, e.g. http://127.0.0.1:41234 (no trailing slash). */
  url: string;
  close(): Promise<void>;
  /** The MockServer itself, for tests that inject faults, change rate limits or count requests. */
  raw: MockServer;
}

export interface SampleKeys {
  apiKey?: string;
  adminKey?: string;
}

/** Starts the local Anthropic server with its sample organization. */
export async function startSampleApi(options?: MockServerOptions): Promise<SampleApi> {
  const server = await startMockServer(options);
  return { url: server.url.replace(/\/+$/, ''), raw: server, close: () => server.close() };
}

/** The local server's sample keys (built at runtime, never stored in the repo). */
export function loadSampleKeys(): SampleKeys {
  const k = sampleKeys();
  return { apiKey: k.standard, adminKey: k.admin };
}

/** Where plan limits live in a sample HOME (CLAUDE_USAGE_DIR, see src/core/plan/paths.ts). */
export function samplePlanDir(home: string): string {
  return join(home, '.local', 'share', 'claude-usage');
}

/**
 * Fills `home` with sample Claude Code transcripts (~/.claude/projects/...) and, with `plan`, a recorded
 * plan-limits state file (as if Connect had run and Claude Code had reported for a week). Returns where
 * they came from.
 */
export async function makeSampleHome(home: string, now = nowDate(), options: { plan?: boolean } = {}): Promise<string> {
  mkdirSync(home, { recursive: true });
  await Promise.resolve(makeClaudeHome(home, now));
  if (options.plan) {
    makePlanState(samplePlanDir(home), now.getTime());
    return 'test/fixtures/makeClaudeHome.ts, test/fixtures/makePlanState.ts';
  }
  return 'test/fixtures/makeClaudeHome.ts';
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
    // Claude Code's settings and the plan-limits folder inside the sample HOME too, whatever the real
    // environment says (Connect must never touch the real ~/.claude/settings.json from a sample run).
    env.CLAUDE_CONFIG_DIR = join(home, '.claude');
    env.CLAUDE_USAGE_DIR = samplePlanDir(home);
  }
  return env;
}
