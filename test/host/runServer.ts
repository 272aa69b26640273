// `npm run test:host`: runs the extension-host suites (test/host/suite) inside a real VS Code 1.100 on this
// machine: the VS Code server from the cached code-server install plus headless Chromium opening the web
// workbench with our repo as extensionDevelopmentPath and dist/test/host as extensionTestsPath.
//
// The launcher starts the local Anthropic server (test/server) and a sample HOME (test/fixtures) and hands
// them to the extension host through the environment of the server process (which spawns the host):
//   CLAUDE_USAGE_TEST_API     base URL of the local Anthropic server (also written as claudeUsage.baseUrl)
//   ANTHROPIC_API_KEY / ANTHROPIC_ADMIN_API_KEY   the server's sample keys (the documented env fallback)
//   HOME, CLAUDE_USAGE_TEST_HOME                  the sample transcripts home
//   CLAUDE_USAGE_HOST_RESULTS                     where index.ts writes the results JSON
// Options (env): CLAUDE_USAGE_HOST_TIMEOUT (ms, default 240000), CLAUDE_USAGE_HOST_GREP, KEEP_TMP=1.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSampleKeys, makeSampleHome, sampleEnv, startSampleApi, type SampleApi } from '../support/sampleWorld';
import {
  REPO,
  SERVER_MAIN,
  build,
  ensureVsCode,
  freePort,
  launchChromium,
  removeDir,
  startProcess,
  tempDir,
  writeUserSettings,
  type Proc,
} from '../support/vscode';
import { report, type HostResults } from './results';

const OUT = join(REPO, 'test-results', 'host');
const TIMEOUT = Number(process.env.CLAUDE_USAGE_HOST_TIMEOUT ?? 240_000);

async function main(): Promise<number> {
  const t0 = performance.now();
  ensureVsCode();
  build();
  const testsPath = join(REPO, 'dist', 'test', 'host');
  if (!existsSync(join(testsPath, 'index.js'))) throw new Error('dist/test/host/index.js missing after the build');

  mkdirSync(OUT, { recursive: true });
  const tmp = tempDir('host');
  const userData = join(tmp, 'user-data');
  const extensions = join(tmp, 'extensions');
  const workspace = join(tmp, 'workspace');
  const home = join(tmp, 'home');
  const resultsFile = join(OUT, 'results.json');
  rmSync(resultsFile, { force: true });
  mkdirSync(extensions, { recursive: true });
  mkdirSync(workspace, { recursive: true });

  let api: SampleApi | undefined;
  let server: Proc | undefined;
  let browser: Awaited<ReturnType<typeof launchChromium>> | undefined;
  try {
    api = await startSampleApi();
    const homeSource = await makeSampleHome(home);
    console.log(`[host] local Anthropic server: ${api.url}; HOME from ${homeSource}`);
    writeUserSettings(userData, { 'claudeUsage.baseUrl': api.url });

    const port = await freePort();
    const env: NodeJS.ProcessEnv = { ...process.env, ...sampleEnv(api, loadSampleKeys(), home), CLAUDE_USAGE_HOST_RESULTS: resultsFile };
    server = startProcess(
      process.execPath,
      [
        SERVER_MAIN,
        '--host', '127.0.0.1',
        '--port', String(port),
        '--without-connection-token',
        '--accept-server-license-terms',
        '--disable-telemetry',
        '--user-data-dir', userData,
        '--extensions-dir', extensions,
      ],
      { env, logFile: join(OUT, 'server.log') },
    );
    await server.waitFor(/Extension host agent started/, 60_000);

    const remote = (p: string): string => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(REPO)],
      ['extensionTestsPath', remote(testsPath)],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    browser = await launchChromium();
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const consoleLines: string[] = [];
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    console.log(`[host] VS Code server on port ${port} ready after ${((performance.now() - t0) / 1000).toFixed(1)} s; opening the workbench`);
    await page.goto(url);

    const deadline = performance.now() + TIMEOUT;
    let results: HostResults | undefined;
    while (performance.now() < deadline) {
      if (existsSync(resultsFile)) {
        try {
          results = JSON.parse(readFileSync(resultsFile, 'utf8')) as HostResults;
          if (results.done) break;
        } catch {
          // partially written: read again
        }
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    await page.screenshot({ path: join(OUT, 'workbench.png') }).catch(() => undefined);
    writeFileSync(join(OUT, 'browser-console.log'), consoleLines.join('\n'));
    if (!results?.done) {
      console.error(`[host] no results after ${TIMEOUT} ms (did the workbench load the tests?). Logs: test-results/host/`);
      console.error(server.output().slice(-3000));
      console.log(`\n${process.env.TEST_SUITE_LABEL || 'host tests'}: 0 passed, 1 failed (timeout)`);
      return 1;
    }
    const code = report(results);
    console.log(`[host] wall time ${((performance.now() - t0) / 1000).toFixed(1)} s (tests ${(results.durationMs / 1000).toFixed(1)} s)`);
    return code;
  } finally {
    await browser?.close().catch(() => undefined);
    await server?.stop();
    await api?.close().catch(() => undefined);
    if (!process.env.KEEP_TMP) removeDir(tmp);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[host] ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    console.log(`\n${process.env.TEST_SUITE_LABEL || 'host tests'}: 0 passed, 1 failed (launcher error)`);
    process.exit(1);
  },
);
