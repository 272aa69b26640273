/**
 * Keys never leak: every CLI command, normally and under every fault kind, and every client method under
 * every fault, with every stdout/stderr line, thrown error (message, stack, JSON, inspect) and request-log
 * entry searched for the key, its tail, a chunk of its body and any `sk-ant-` key shape. Also a server that
 * echoes the key back in its error message.
 */
import { strict as assert } from 'node:assert';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import type { RequestLogEntry } from '../../src/core/anthropic/api';
import { createAnthropicClient } from '../../src/core/anthropic/client';
import { main } from '../../src/cli';
import type { CliIo } from '../../src/cli/common';
import { FAULT_KINDS, startMockServer, type MockServer } from '../server/server';
import { METHODS } from './anthropic-e2e.test';
import { systemClock } from '../../src/core/clock';

const DAY = 86_400_000;
const dayOf = (t: number) => new Date(t).toISOString().slice(0, 10);

function needles(key: string): Array<string | RegExp> {
  return [key, key.slice(-12), key.slice(14, 40), `sk-ant-${key.slice(-8)}`, /sk-ant-[a-z]+\d+-[A-Za-z0-9_-]{4,}/];
}

function assertClean(haystack: string, keys: string[], where: string): void {
  for (const key of keys) {
    for (const n of needles(key)) {
      const found = typeof n === 'string' ? haystack.includes(n) : n.test(haystack);
      assert.ok(!found, `${where}: found ${typeof n === 'string' ? `a piece of the key (${n.length} chars)` : n}`);
    }
  }
}

function dumpError(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return [e.message, e.stack, JSON.stringify(e), inspect(e, { depth: 5, showHidden: true }), String(e)].join('\n');
}

describe('no key leaks', function () {
  this.timeout(120_000);
  let server: MockServer;
  let keys: string[];
  let env: NodeJS.ProcessEnv;
  let since: string;
  let until: string;

  before(async () => {
    server = await startMockServer({ port: 0, seed: 3 });
    keys = [server.keys.standard, server.keys.admin];
    env = { ANTHROPIC_API_KEY: server.keys.standard, ANTHROPIC_ADMIN_API_KEY: server.keys.admin, ANTHROPIC_BASE_URL: server.url };
    since = dayOf(systemClock.now() - 2 * DAY);
    until = dayOf(systemClock.now() + DAY);
  });
  after(async () => server.close());
  afterEach(() => server.clearFaults());

  const commands = (): string[][] => [
    ['ratelimits'],
    ['costs', '--since', since, '--until', until],
    ['costs', '--since', since, '--group-by', 'workspace'],
    ['tokens', '--since', since, '--group-by', 'model,workspace,api_key'],
    ['claude-code', '--since', since, '--until', until],
  ];

  async function run(argv: string[], runEnv = env): Promise<{ code: number; text: string }> {
    const io: CliIo & { text: string } = {
      text: '',
      env: runEnv,
      out: (t) => void (io.text += `${t}\n`),
      err: (t) => void (io.text += `${t}\n`),
    };
    const code = await main(argv, io);
    return { code, text: io.text };
  }

  it('every CLI command, as a table and as JSON', async () => {
    for (const argv of commands()) {
      for (const json of [false, true]) {
        const { code, text } = await run(json ? [...argv, '--json'] : argv);
        assert.equal(code, 0, text);
        assertClean(text, keys, argv.join(' '));
      }
    }
  });

  for (const fault of FAULT_KINDS) {
    it(`every CLI command under ${fault}`, async () => {
      server.injectFault({ kind: fault, times: Infinity, retryAfterSeconds: 0, delayMs: 1000 });
      const results = await Promise.all(commands().map((argv) => run([...argv, '--timeout', '0.3'])));
      for (const [i, r] of results.entries()) {
        const argv = commands()[i]!;
        assertClean(r.text, keys, `${argv.join(' ')} under ${fault}`);
        if (fault !== 'repeat_cursor' || argv[0] !== 'ratelimits') assert.notEqual(r.code, 0, `${argv.join(' ')} under ${fault}`);
      }
    });
  }

  it('wrong, swapped and unknown keys', async () => {
    const swapped = { ...env, ANTHROPIC_API_KEY: server.keys.admin, ANTHROPIC_ADMIN_API_KEY: server.keys.standard };
    const bogusKey = `sk-ant-admin01-${'Zq9'.repeat(30)}`;
    const bogus = { ...env, ANTHROPIC_API_KEY: bogusKey, ANTHROPIC_ADMIN_API_KEY: bogusKey };
    for (const e of [swapped, bogus]) {
      for (const argv of commands()) {
        const { code, text } = await run(argv, e);
        assert.equal(code, 3, text);
        assertClean(text, [...keys, bogusKey], `${argv.join(' ')} with a wrong key`);
      }
    }
  });

  it('every client method under every fault: errors and log entries', async () => {
    const today = dayOf(systemClock.now());
    for (const fault of FAULT_KINDS) {
      for (const m of METHODS) {
        server.clearFaults();
        server.injectFault({ kind: fault, path: m.path, times: Infinity, retryAfterSeconds: 0, delayMs: 1000 });
        const log: RequestLogEntry[] = [];
        const api = createAnthropicClient({
          apiKey: m.standardKey ? server.keys.standard : server.keys.admin,
          baseUrl: server.url,
          timeoutMs: 300,
          deadlineMs: 3000,
          proxyEnv: {},
          sleep: async () => {},
          onRequest: (e) => log.push(e),
        });
        let dump = '';
        try {
          dump = inspect(await m.call(api, today), { depth: 8 });
        } catch (e) {
          dump = dumpError(e);
        }
        await api.close();
        assertClean(`${dump}\n${JSON.stringify(log)}`, keys, `${m.name} under ${fault}`);
      }
    }
  });

  it('redacts a key the server echoes back in an error message', async () => {
    const key = server.keys.admin;
    const echo = http.createServer((req, res) => {
      res
        .writeHead(401, { 'content-type': 'application/json', 'request-id': 'req_echo' })
        .end(JSON.stringify({ type: 'error', error: { type: 'authentication_error', message: `invalid x-api-key: ${req.headers['x-api-key']}` } }));
    });
    await new Promise<void>((r) => echo.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
    try {
      const { code, text } = await run(['costs', '--since', since], { ANTHROPIC_ADMIN_API_KEY: key, ANTHROPIC_BASE_URL: url });
      assert.equal(code, 3);
      assertClean(text, [key], 'echoing server');
      const forbidden = http.createServer((req, res) => {
        res.writeHead(403).end(JSON.stringify({ type: 'error', error: { type: 'permission_error', message: `key ${req.headers['x-api-key']} lacks scope` } }));
      });
      await new Promise<void>((r) => forbidden.listen(0, '127.0.0.1', r));
      const api = createAnthropicClient({ apiKey: key, baseUrl: `http://127.0.0.1:${(forbidden.address() as AddressInfo).port}`, proxyEnv: {} });
      const e = await api.workspaces().then(
        () => assert.fail('expected permission'),
        (x: unknown) => x,
      );
      await api.close();
      forbidden.close();
      assert.match(dumpError(e), /sk-ant-\*\*\* lacks scope/);
      assertClean(dumpError(e), [key], 'echoed 403');
    } finally {
      echo.close();
    }
  });
});
