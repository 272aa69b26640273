// Extension-host test entry: VS Code loads dist/test/host/index.js as `extensionTestsPath` and calls run()
// inside the extension host, where `require('vscode')` is the real API. The suites in test/host/suite/ are
// bundled into this file by esbuild (the glob require below); mocha stays external and resolves from the
// repo's node_modules. Results go to a JSON file (env CLAUDE_USAGE_HOST_RESULTS, else results.json next to
// this file) that the launchers (runServer.ts, runElectron.ts) print and turn into an exit code.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Mocha from 'mocha';
import type { HostResults, HostTestResult } from './results';

/** The folder holding the suites' sources; dist/test/host/index.js sits three levels under the repo. */
function suiteNames(): string[] {
  const dir = resolve(__dirname, '..', '..', '..', 'test', 'host', 'suite');
  return readdirSync(dir)
    .filter((f) => f.endsWith('.test.ts'))
    .sort()
    .map((f) => f.slice(0, -'.test.ts'.length));
}

export function resultsPath(): string {
  return process.env.CLAUDE_USAGE_HOST_RESULTS || join(__dirname, 'results.json');
}

function write(results: HostResults): void {
  const file = resultsPath();
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(results, null, 2));
}

export function run(): Promise<void> {
  const started = performance.now();
  const tests: HostTestResult[] = [];
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 30_000, reporter: 'spec' });
  if (process.env.CLAUDE_USAGE_HOST_GREP) mocha.grep(process.env.CLAUDE_USAGE_HOST_GREP);
  return new Promise<void>((res, rej) => {
    try {
      // Give the suites mocha's globals (describe/it/...) and load them, as `mocha.addFile` would.
      mocha.suite.emit('pre-require', globalThis, 'host-suite', mocha);
      for (const name of suiteNames()) {
        // esbuild turns this template into a map of every test/host/suite/*.test.ts, bundled here.
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        mocha.suite.emit('require', require(`./suite/${name}.test.ts`), name, mocha);
      }
      mocha.suite.emit('post-require', globalThis, 'host-suite', mocha);
      const runner = mocha.run((failures) => {
        const passed = tests.filter((t) => t.state === 'passed').length;
        const failed = tests.filter((t) => t.state === 'failed').length;
        const pending = tests.filter((t) => t.state === 'pending').length;
        write({ done: true, passed, failed, pending, durationMs: performance.now() - started, tests });
        if (failures > 0) rej(new Error(`${failures} host test(s) failed`));
        else res();
      });
      runner.on('pass', (t) => tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration ?? 0 }));
      runner.on('pending', (t) => tests.push({ title: t.fullTitle(), state: 'pending', durationMs: 0 }));
      runner.on('fail', (t, err: Error) =>
        tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration ?? 0, error: err?.message ?? String(err), stack: err?.stack }),
      );
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      write({
        done: true,
        passed: 0,
        failed: 1,
        pending: 0,
        durationMs: performance.now() - started,
        tests: [{ title: 'loading the host test suites', state: 'failed', durationMs: 0, error: err.message, stack: err.stack }],
      });
      rej(err);
    }
  });
}
