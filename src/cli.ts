/**
 * `claude-usage`: the headless face of src/core for terminals, scripts and benchmarks.
 * The command list and JSON shapes are a documented contract (README, "CLI").
 */
import { type Command, EXIT_USAGE, processIo, reportFailure, type CliIo } from './cli/common';

/* eslint-disable @typescript-eslint/no-require-imports */
// Each command module is loaded only when used, so `local` never pays for the HTTP client and back.
// One line per command; the module's default export is a `Command`.
const commands: Record<string, () => Command> = {
  local: () => require('./cli/local').default,
  ratelimits: () => require('./cli/ratelimits').default,
  costs: () => require('./cli/costs').default,
  tokens: () => require('./cli/tokens').default,
  'claude-code': () => require('./cli/claudeCode').default,
  plan: () => require('./cli/plan').default,
  statusline: () => require('./cli/statusline').default,
};
/* eslint-enable @typescript-eslint/no-require-imports */

export const USAGE = `Usage: claude-usage <command> [options]

Commands:
  ratelimits   [--model M]                                   live rate-limit headroom (ANTHROPIC_API_KEY)
  costs        --since YYYY-MM-DD [--until D] [--group-by workspace|description]   (ANTHROPIC_ADMIN_API_KEY)
               [--budget USD [--period day|month]]           the current UTC day's or month's budget (--since defaults to its start)
  tokens       --since D [--until D] [--bucket 1d|1h|1m] [--group-by model,workspace,...]
  claude-code  --since D [--until D]                          Claude Code productivity per day and person
  local        [--dir PATH]... [--since D] [--until D] [--timezone IANA|UTC] [--index DIR]
               [--budget USD [--period day|month]]           Claude Code usage from local transcripts (no key)
  plan         [--json] [--timezone IANA|UTC] [--state FILE]  Claude Pro/Max plan limits from Claude Code's status line
  statusline                                                 the status line command (Claude Code's JSON on stdin)

Common options: --base-url URL  --timeout SECONDS  --json
--until is exclusive. Exit codes: 0 ok, 2 usage error, 3 authentication/permission error, 4 other API or network error,
5 over budget (--budget: the current period's spend has reached it).`;

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(USAGE);
    return name ? 0 : EXIT_USAGE;
  }
  const load = commands[name];
  if (!load) {
    io.err(`Usage error: unknown command "${name}".\n${USAGE}`);
    return EXIT_USAGE;
  }
  try {
    const command = load();
    return await command(rest, io);
  } catch (e) {
    return reportFailure(e, io);
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.exitCode = reportFailure(e, processIo);
    },
  );
}
