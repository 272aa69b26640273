/**
 * The status line command Claude Code runs on every prompt refresh (`dist/statusline.js`, through the
 * launcher Connect writes). It:
 *   1. reads the JSON on stdin (parseStatusPayload; garbage is fine),
 *   2. starts the user's previous status line command, if Connect chained one, with the same stdin,
 *   3. records the observation in the state file (locked, atomic, newest per window wins),
 *   4. prints the previous command's output unchanged (cut off after a timeout) and/or our segment:
 *        Opus 4.8 · ctx 26% · 5h 42% ↻2h13m · wk 36% · ~$12.34 today
 *   5. exits 0, whatever happened: a status line must never break Claude Code's prompt.
 * Kept small: its bundle must not load the extension's or the CLI's code, undici or zod.
 * No vscode import.
 */
import type { ChildProcess } from 'node:child_process';
import { fstatSync, readFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from '../clock';
import { planFacts, DEFAULT_PLAN_SETTINGS, type PlanFacts, type PlanLevel, type WindowFact } from './facts';
import { readTextIfExists } from './files';
import { parseStatusPayload } from './payload';
import { claudeSettingsPath, planDir, STATE_FILE, STATUSLINE_CONFIG_FILE, TODAY_FILE, type Env } from './paths';
import { pct } from './format';
import { mergeObservation, readPlanData, recordObservation } from './state';
import type { PlanData, StatusPayload } from './types';

/** statusline.json: written by the extension (its settings, the chained commands per settings file). */
export interface StatusLineConfig {
  version?: 1;
  /** Append our segment after a chained command's output (default true). */
  append?: boolean;
  /** How long a chained command may run (ms, default 2000). */
  timeoutMs?: number;
  warningPercent?: number;
  errorPercent?: number;
  /** The previous `statusLine.command` per Claude Code settings file (absolute path). */
  previous?: Record<string, string>;
}

/** today.json: the extension's local API-equivalent estimate for today, shown until `validUntil`. */
export interface TodaySummary {
  /** Decimal string in USD. */
  costUsd: string;
  /** Local day `YYYY-MM-DD` and its zone (for humans; the status line only checks validUntil). */
  date?: string;
  timeZone?: string;
  /** Epoch ms: the end of that local day. */
  validUntil: number;
}

export const DEFAULT_CHAIN_TIMEOUT_MS = 2000;

function readJson<T>(path: string): T | undefined {
  const text = readTextIfExists(path);
  if (!text) return undefined;
  try {
    const v: unknown = JSON.parse(text);
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as T) : undefined;
  } catch {
    return undefined;
  }
}

export function readStatusLineConfig(dir: string): StatusLineConfig {
  return readJson<StatusLineConfig>(join(dir, STATUSLINE_CONFIG_FILE)) ?? {};
}

/** The command chained for the settings file that (by the environment) started us. */
export function chainedCommand(config: StatusLineConfig, env: Env): string | undefined {
  const prev = config.previous && typeof config.previous === 'object' ? config.previous : {};
  const own = prev[claudeSettingsPath(env)];
  if (typeof own === 'string') return own.trim() ? own : undefined;
  const all = Object.values(prev).filter((c): c is string => typeof c === 'string' && c.trim() !== '');
  return all.length === 1 ? all[0] : undefined;
}

// ANSI colours (Claude Code renders them); NO_COLOR turns them off.
interface Paint {
  dim(s: string): string;
  level(s: string, l: PlanLevel): string;
  model(s: string): string;
}

function paint(env: Env): Paint {
  if (env.NO_COLOR) return { dim: (s) => s, level: (s) => s, model: (s) => s };
  const c = (code: string) => (s: string) => `\x1b[${code}m${s}\x1b[0m`;
  const green = c('32');
  const yellow = c('33');
  const red = c('31');
  return { dim: c('2'), model: c('36'), level: (s, l) => (l === 'error' ? red(s) : l === 'warning' ? yellow(s) : green(s)) };
}

function windowSegment(w: WindowFact, p: Paint): string {
  if (w.state === 'reset') return p.dim(`${w.short} reset`);
  const used = p.level(pct(w.usedPercent), w.level);
  const reset = w.kind === 'session' && w.resetCountdown ? p.dim(` ↻${w.resetCountdown}`) : '';
  const stale = w.state === 'stale' ? p.dim(` (${w.age})`) : '';
  return `${w.short} ${used}${reset}${stale}`;
}

/** Our segment: model · context · 5h · week (· per-model week from the warning level) · today's estimate. */
export function renderSegment(payload: StatusPayload | undefined, facts: PlanFacts, today: TodaySummary | undefined, nowMs: number, env: Env): string {
  const p = paint(env);
  const parts: string[] = [];
  if (payload?.model) parts.push(p.model(payload.model));
  if (payload?.contextPercent !== undefined) parts.push(`ctx ${pct(payload.contextPercent)}`);
  for (const w of facts.windows) {
    if (w.kind === 'session' || w.kind === 'week' || w.level !== 'normal') parts.push(windowSegment(w, p));
  }
  if (today && typeof today.costUsd === 'string' && /^\d+(\.\d+)?$/.test(today.costUsd) && typeof today.validUntil === 'number' && nowMs < today.validUntil) {
    parts.push(p.dim(`~$${Number(today.costUsd).toFixed(2)} today`));
  }
  if (!parts.length) return p.dim('Claude Usage');
  return parts.join(p.dim(' · '));
}

/** Runs `command` in a shell with `input` on stdin; resolves with its stdout, cut off after `timeoutMs`. */
export function runChained(command: string, input: Buffer, timeoutMs: number, env: Env): Promise<{ stdout: Buffer; timedOut: boolean }> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let done = false;
    const finish = (timedOut: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      resolve({ stdout: Buffer.concat(chunks), timedOut });
    };
    let child: ChildProcess;
    try {
      // Loaded only when a command is chained: most runs never start a process.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { spawn } = require('node:child_process') as typeof import('node:child_process');
      // A process group of its own (POSIX), so a timeout kills the shell and whatever it started.
      child = spawn(command, { shell: true, stdio: ['pipe', 'pipe', 'inherit'], env: env as NodeJS.ProcessEnv, detached: process.platform !== 'win32', windowsHide: true });
    } catch {
      resolve({ stdout: Buffer.alloc(0), timedOut: false });
      return;
    }
    const timer = setTimeout(() => {
      try {
        if (process.platform !== 'win32' && child.pid) process.kill(-child.pid, 'SIGKILL');
        else child.kill('SIGKILL');
      } catch {
        // already gone
      }
      finish(true);
    }, timeoutMs);
    child.stdout?.on('data', (b: Buffer) => chunks.push(b));
    child.on('error', () => finish(false));
    child.on('close', () => finish(false));
    child.stdin?.on('error', () => undefined); // a command that does not read stdin closes it early
    child.stdin?.end(input);
  });
}

/** Joins the chained output and our segment: our segment goes at the end of its first line. */
export function combine(chained: Buffer | undefined, segment: string | undefined): Buffer {
  if (!chained) return Buffer.from(`${segment ?? ''}\n`);
  if (segment === undefined) return chained;
  const text = chained.toString('utf8');
  const nl = text.indexOf('\n');
  const first = (nl < 0 ? text : text.slice(0, nl)).replace(/\r$/, '');
  const rest = nl < 0 ? '' : text.slice(nl + 1);
  const joined = first.trim() ? `${first}\x1b[0m  ${segment}` : segment;
  return Buffer.from(`${joined}\n${rest}`);
}

export interface StatusLineRun {
  input: Buffer;
  env: Env;
  nowMs?: number;
  /** Writes the final output (default: fd 1, synchronously). */
  write?: (b: Buffer) => void;
}

/** Everything but process plumbing; never throws. Resolves with what was written. */
export async function runStatusLine(run: StatusLineRun): Promise<Buffer> {
  const env = run.env;
  const write = run.write ?? writeStdout;
  let out: Buffer;
  try {
    const nowMs = run.nowMs ?? systemClock.now();
    const dir = planDir(env);
    const config = readStatusLineConfig(dir);
    const previous = chainedCommand(config, env);
    const chained = previous ? runChained(previous, run.input, clampTimeout(config.timeoutMs), env) : undefined;
    const payload = parseStatusPayload(run.input.toString('utf8'));
    let data: PlanData;
    try {
      data = payload ? recordObservation(join(dir, STATE_FILE), payload, nowMs) : readPlanData(join(dir, STATE_FILE));
    } catch {
      // Read-only or full disk: show this observation all the same.
      const known = readPlanData(join(dir, STATE_FILE));
      data = payload ? mergeObservation(known, payload, nowMs) : known;
    }
    const facts = planFacts(data, nowMs, {
      warningPercent: num(config.warningPercent, DEFAULT_PLAN_SETTINGS.warningPercent),
      errorPercent: num(config.errorPercent, DEFAULT_PLAN_SETTINGS.errorPercent),
    });
    const segment = renderSegment(payload, facts, readJson<TodaySummary>(join(dir, TODAY_FILE)), nowMs, env);
    if (chained) {
      const { stdout } = await chained;
      out = combine(stdout, config.append === false ? undefined : segment);
    } else out = combine(undefined, segment);
  } catch {
    out = Buffer.from('Claude Usage\n');
  }
  try {
    write(out);
  } catch {
    // nowhere to write: nothing else to do
  }
  return out;
}

const num = (v: unknown, fallback: number): number => (typeof v === 'number' && Number.isFinite(v) ? v : fallback);
const clampTimeout = (v: unknown): number => Math.min(10_000, Math.max(50, num(v, DEFAULT_CHAIN_TIMEOUT_MS)));

function writeStdout(b: Buffer): void {
  let off = 0;
  for (let tries = 0; off < b.length && tries < 1000; tries++) {
    try {
      off += writeSync(1, b, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

/**
 * Reads all of stdin synchronously: Claude Code writes one JSON object to a pipe and closes it. A terminal
 * (someone trying the command by hand) or /dev/null gives empty input. Synchronous on purpose: setting up
 * `process.stdin` as a stream costs several milliseconds of a run that should take few more than Node's
 * own start-up (bench/statusline.ts).
 */
export function readStdin(): Buffer {
  try {
    if (fstatSync(0).isCharacterDevice()) return Buffer.alloc(0);
    return readFileSync(0);
  } catch {
    return Buffer.alloc(0); // closed or unreadable stdin
  }
}

/** The process entry (dist/statusline.js, `claude-usage statusline`): always exits 0. */
export async function statusLineMain(): Promise<void> {
  const fail = (): void => {
    try {
      writeSync(1, 'Claude Usage\n');
    } catch {
      // ignore
    }
    process.exit(0);
  };
  process.on('uncaughtException', fail);
  try {
    const input = readStdin();
    await runStatusLine({ input, env: process.env });
  } catch {
    fail();
  }
  process.exit(0);
}
