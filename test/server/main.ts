/**
 * Runs the local Anthropic server on its own:
 *   npm run mock-api -- --port 0 [--host 127.0.0.1] [--seed 42] [--now ISO] [--faults '<FaultSpec JSON or array>']
 *                       [--latency MS] [--unified] [--priority-model M] [--fast-model M]
 *                       [--combined-tokens always|never|by-class]
 *                       [--print-keys]
 * Prints its URL and stays up until SIGINT/SIGTERM. The sample keys are fake and only unlock this server;
 * `--print-keys` prints them as shell exports. Control endpoints (no auth): POST/DELETE/GET /__control/faults,
 * GET/DELETE /__control/requests, GET /__control/ledger?kind=costs|tokens|claude-code&since=&until=[&groupBy=],
 * POST /__control/ratelimits, GET /__control/org.
 */
import { startMockServer, type FaultSpec, type MockServerOptions } from './server';
import type { RateLimitOptions } from './ratelimits';
import { clockFromEnv, CLOCK_ENV } from '../../src/core/clock';

function parseArgs(argv: string[]): { options: MockServerOptions; printKeys: boolean } {
  const options: MockServerOptions = {};
  const rateLimits: RateLimitOptions = {};
  let printKeys = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    switch (arg) {
      case '--port':
        options.port = Number(value());
        break;
      case '--host':
        options.host = value();
        break;
      case '--seed':
        options.seed = Number(value());
        break;
      case '--now': {
        // The clock starts at this instant and runs on from there (history ends here; buckets refill).
        const raw = value();
        if (Number.isNaN(Date.parse(raw))) throw new Error(`--now needs an ISO time, got ${raw}`);
        const clock = clockFromEnv({ [CLOCK_ENV]: raw });
        options.now = () => new Date(clock.now());
        break;
      }
      case '--latency':
        options.latencyMs = Number(value());
        break;
      case '--faults': {
        const parsed = JSON.parse(value()) as FaultSpec | FaultSpec[];
        options.faults = Array.isArray(parsed) ? parsed : [parsed];
        break;
      }
      case '--unified':
        rateLimits.unified = true;
        break;
      case '--priority-model':
        rateLimits.priorityModel = value();
        break;
      case '--fast-model':
        rateLimits.fastModel = value();
        break;
      case '--combined-tokens':
        rateLimits.combinedTokens = value() as RateLimitOptions['combinedTokens'];
        break;
      case '--print-keys':
        printKeys = true;
        break;
      case '--help':
      case '-h':
        process.stdout.write(
          'Usage: npm run mock-api -- [--port N] [--host H] [--seed N] [--now ISO] [--faults JSON] [--latency MS] [--unified] [--priority-model M] [--fast-model M] [--combined-tokens always|never|by-class] [--print-keys]\n',
        );
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}`);
    }
  }
  options.rateLimits = rateLimits;
  return { options, printKeys };
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`mock-api: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  }
  const server = await startMockServer(parsed.options);
  const out = process.stdout;
  out.write(`Anthropic mock API listening on ${server.url}\n`);
  out.write(`export ANTHROPIC_BASE_URL=${server.url}\n`);
  out.write(`Organization "${server.org.name}" (seed ${server.org.seed}), ${server.org.rows.length} usage rows, history from ${new Date(server.org.firstDayStart).toISOString().slice(0, 10)}.\n`);
  if (parsed.printKeys) {
    out.write(`export ANTHROPIC_API_KEY=${server.keys.standard}\n`);
    out.write(`export ANTHROPIC_ADMIN_API_KEY=${server.keys.admin}\n`);
  } else {
    out.write('Sample keys (fake, only valid here): run with --print-keys, or call sampleKeys() from test/server/keys.ts.\n');
  }
  const stop = () => {
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

void main();
