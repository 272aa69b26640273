/**
 * `claude-usage plan [--json] [--timezone IANA] [--state FILE]`: the Claude Pro/Max plan limits Claude
 * Code last reported to the status line (the state file), with reset times, ages and pace. No key, no
 * network. JSON contract (README, "CLI"):
 *   {"stateFile","observedAt":ISO|null,"stale",
 *    "windows":[{"key","kind","label","usedPercent","observedPercent","state","level","resetsAt":ISO|null,
 *                "observedAt","pace":{"kind","sentence","runsOutAt":ISO|null,"projectedPercent":n|null,
 *                "elapsedPercent":n|null}|null}],
 *    "session":{"sessionId","model","version","contextPercent","costUsd","observedAt"}|null}
 * (`claude-usage statusline` is the status line command itself, reading Claude Code's JSON on stdin.)
 */
import { systemClock } from '../core/clock';
import { checkTimeZone } from '../core/model/zones';
import { planFacts, type PaceFact } from '../core/plan/facts';
import { pct } from '../core/plan/format';
import { statePath } from '../core/plan/paths';
import { readPlanData } from '../core/plan/state';
import { resetText, sourceText } from '../core/plan/surfaces';
import { type CliIo, type Command, EXIT_OK, UsageError } from './common';

const HELP = `Usage: claude-usage plan [--json] [--timezone IANA|UTC] [--state FILE]
The Claude Pro/Max plan limits (5-hour session, weekly, per-model weekly) that Claude Code last reported to
its status line, with reset times, how old each figure is, and the pace. Needs "Claude Usage: Connect Claude
Code Plan Limits" once (VS Code). Default state file: $CLAUDE_USAGE_DIR, else the per-user data folder.
Clock times are in --timezone (default: the system's).`;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

function paceJson(p: PaceFact | undefined): Record<string, unknown> | null {
  if (!p) return null;
  return {
    kind: p.kind,
    sentence: p.sentence,
    runsOutAt: p.kind === 'runsOut' ? iso(p.at) : p.kind === 'week' ? iso(p.runsOutAt) : null,
    projectedPercent: p.kind === 'lasts' ? Math.round(p.projectedPercent * 100) / 100 : null,
    elapsedPercent: p.kind === 'week' ? Math.round(p.elapsedPercent * 100) / 100 : null,
  };
}

function parse(argv: string[]): { json: boolean; timezone?: string; state?: string; help: boolean } {
  const a: { json: boolean; timezone?: string; state?: string; help: boolean } = { json: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new UsageError(`${flag} needs a value.`);
      return v;
    };
    if (flag === '--json') a.json = true;
    else if (flag === '--help' || flag === '-h') a.help = true;
    else if (flag === '--state') a.state = value();
    else if (flag === '--timezone' || flag === '--tz') {
      try {
        a.timezone = checkTimeZone(value());
      } catch (e) {
        throw new UsageError((e as Error).message);
      }
    } else throw new UsageError(`unknown option "${flag}" for plan.\n${HELP}`);
  }
  return a;
}

const command: Command = async (argv: string[], io: CliIo) => {
  const a = parse(argv);
  if (a.help) {
    io.out(HELP);
    return EXIT_OK;
  }
  const file = a.state ?? statePath(io.env);
  const now = systemClock.now();
  const data = readPlanData(file);
  const facts = planFacts(data, now, a.timezone ? { timeZone: a.timezone } : {});
  if (a.json) {
    const s = data.session;
    io.out(
      JSON.stringify(
        {
          stateFile: file,
          observedAt: iso(facts.observedAt),
          stale: facts.stale,
          windows: facts.windows.map((w) => ({
            key: w.key,
            kind: w.kind,
            label: w.label,
            usedPercent: w.usedPercent,
            observedPercent: w.observedPercent,
            state: w.state,
            level: w.level,
            resetsAt: iso(w.resetsAt),
            observedAt: iso(w.observedAt),
            pace: paceJson(w.pace),
          })),
          session: s
            ? {
                sessionId: s.sessionId ?? null,
                model: s.model ?? null,
                version: s.version ?? null,
                contextPercent: s.contextPercent ?? null,
                costUsd: s.costUsd ?? null,
                observedAt: iso(s.observedAt),
              }
            : null,
        },
        null,
        2,
      ),
    );
    return EXIT_OK;
  }
  if (!facts.windows.length) {
    io.out(
      `No plan limits recorded yet (${file}).\nIn VS Code run "Claude Usage: Connect Claude Code Plan Limits", then use Claude Code: the figures arrive with its next response (Claude Pro/Max plans only).`,
    );
    return EXIT_OK;
  }
  io.out(`Plan limits from Claude Code, ${facts.age}${facts.stale ? ' (stale)' : ''}\n`);
  const width = Math.max(...facts.windows.map((w) => w.label.length));
  for (const w of facts.windows) {
    const used = (w.state === 'reset' ? 'reset' : pct(w.usedPercent)).padStart(5);
    io.out([`${w.label.padEnd(width)}  ${used}`, resetText(w), sourceText(w)].filter(Boolean).join('  '));
  }
  const paces = facts.windows.filter((w) => w.pace).map((w) => `${w.label}: ${w.pace!.sentence}.`);
  if (paces.length) io.out(`\n${paces.join('\n')}`);
  return EXIT_OK;
};

export default command;
