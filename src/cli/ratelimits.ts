/** `claude-usage ratelimits [--model M]` (ANTHROPIC_API_KEY): live rate-limit headroom from one max_tokens:1 probe. */
import type { RateLimitFamily, RateLimitSnapshot, UnifiedRateLimit } from '../core/anthropic/types';
import { EXIT_OK, UsageError, type Command } from './common';
import { commonOptions, formatInt, parseCommandArgs, printJson, requireKey, table, withClient } from './output';

export const DEFAULT_PROBE_MODEL = 'claude-haiku-4-5';

const HELP = `Usage: claude-usage ratelimits [--model M] [--json]
Sends one Messages request with max_tokens 1 (about 9 tokens) and prints the rate-limit headers of the
model's class (needs ANTHROPIC_API_KEY). Default model: ${DEFAULT_PROBE_MODEL}.`;

export interface FamilyJson {
  limit: number | null;
  remaining: number | null;
  reset: string | null;
}

/** The documented `ratelimits` JSON; a family the response lacks is `null`. */
export interface RateLimitsJson {
  model: string;
  requestId: string | null;
  requests: FamilyJson | null;
  inputTokens: FamilyJson | null;
  outputTokens: FamilyJson | null;
  tokens: FamilyJson | null;
  priority: { input: FamilyJson | null; output: FamilyJson | null } | null;
  fast: { input: FamilyJson | null; output: FamilyJson | null } | null;
  unified: UnifiedRateLimit | null;
}

function fam(f: RateLimitFamily | undefined): FamilyJson | null {
  return f ? { limit: f.limit ?? null, remaining: f.remaining ?? null, reset: f.reset ?? null } : null;
}

function pair(input: RateLimitFamily | undefined, output: RateLimitFamily | undefined) {
  return input || output ? { input: fam(input), output: fam(output) } : null;
}

export function rateLimitsJson(s: RateLimitSnapshot): RateLimitsJson {
  return {
    model: s.model,
    requestId: s.requestId ?? null,
    requests: fam(s.requests),
    inputTokens: fam(s.inputTokens),
    outputTokens: fam(s.outputTokens),
    tokens: fam(s.tokens),
    priority: pair(s.priorityInput, s.priorityOutput),
    fast: pair(s.fastInput, s.fastOutput),
    unified: s.unified ?? null,
  };
}

const ratelimits: Command = async (argv, io) => {
  const { values } = parseCommandArgs(argv, { model: { type: 'string' } });
  if (values.help) {
    io.out(HELP);
    return EXIT_OK;
  }
  const common = commonOptions(values, io);
  const model = values.model ?? DEFAULT_PROBE_MODEL;
  if (!/^[A-Za-z0-9._:@/-]{1,100}$/.test(model)) throw new UsageError(`--model must be a model id like ${DEFAULT_PROBE_MODEL}.`);
  const key = requireKey(io, 'ANTHROPIC_API_KEY');
  const snapshot = await withClient(key, common, io, (api) => api.probeRateLimits(model));
  const json = rateLimitsJson(snapshot);
  if (common.json) printJson(io, json);
  else io.out(renderRateLimits(json, snapshot));
  return EXIT_OK;
};

export function renderRateLimits(j: RateLimitsJson, s: RateLimitSnapshot): string {
  const rows: string[][] = [];
  const add = (name: string, f: FamilyJson | null | undefined) => {
    if (!f) return;
    const pct = f.limit && f.remaining !== null ? `${((f.remaining / f.limit) * 100).toFixed(0)}%` : '';
    rows.push([name, f.limit === null ? '' : formatInt(f.limit), f.remaining === null ? '' : formatInt(f.remaining), pct, f.reset ?? '']);
  };
  add('Requests', j.requests);
  add('Input tokens', j.inputTokens);
  add('Output tokens', j.outputTokens);
  add('Tokens (combined)', j.tokens);
  add('Priority input', j.priority?.input);
  add('Priority output', j.priority?.output);
  add('Fast input', j.fast?.input);
  add('Fast output', j.fast?.output);
  const lines = [`Model ${j.model}${j.requestId ? ` (request-id ${j.requestId})` : ''}`, ''];
  lines.push(rows.length ? table(['Family', 'Limit', 'Remaining', 'Left', 'Reset'], rows, 1) : 'The response carried no rate-limit headers.');
  if (j.unified) {
    const u = j.unified;
    const pct = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);
    const when = (x: number | undefined) => (x === undefined ? '-' : new Date(x * 1000).toISOString());
    lines.push('', `Subscription (unified): ${u.status ?? '-'}; 5h ${pct(u.fiveHourUtilization)} (resets ${when(u.fiveHourReset)}), 7d ${pct(u.sevenDayUtilization)} (resets ${when(u.sevenDayReset)})`);
  }
  lines.push('', `The probe itself used ${s.probeUsage.inputTokens} input + ${s.probeUsage.outputTokens} output tokens.`);
  return lines.join('\n');
}

export default ratelimits;
