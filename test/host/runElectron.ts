// `npm run test:host:electron`: the same extension-host suites (test/host/suite) under desktop VS Code via
// @vscode/test-electron, for machines that can download VS Code from Microsoft (this one cannot: use
// `npm run test:host`). On a headless Linux box run it under `xvfb-run -a`.
// Env: VSCODE_VERSION (default 1.100.3, our engines minimum), VSCODE_EXECUTABLE (use an installed VS Code).
import { mkdirSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { loadSampleKeys, makeSampleHome, sampleEnv, startSampleApi, type SampleApi } from '../support/sampleWorld';
import { REPO, build, removeDir, tempDir, writeUserSettings } from '../support/vscode';
import { report, type HostResults } from './results';

async function main(): Promise<number> {
  build();
  const out = join(REPO, 'test-results', 'host-electron');
  const resultsFile = join(out, 'results.json');
  mkdirSync(out, { recursive: true });
  rmSync(resultsFile, { force: true });
  const tmp = tempDir('host-electron');
  const userData = join(tmp, 'user-data');
  const workspace = join(tmp, 'workspace');
  const home = join(tmp, 'home');
  mkdirSync(workspace, { recursive: true });
  let api: SampleApi | undefined;
  try {
    api = await startSampleApi();
    await makeSampleHome(home);
    writeUserSettings(userData, api ? { 'claudeUsage.baseUrl': api.url } : {});
    const env = { ...sampleEnv(api, loadSampleKeys(), home), CLAUDE_USAGE_HOST_RESULTS: resultsFile };
    let runError: unknown;
    try {
      await runTests({
        ...(process.env.VSCODE_EXECUTABLE ? { vscodeExecutablePath: process.env.VSCODE_EXECUTABLE } : { version: process.env.VSCODE_VERSION ?? '1.100.3' }),
        extensionDevelopmentPath: REPO,
        extensionTestsPath: join(REPO, 'dist', 'test', 'host', 'index.js'),
        extensionTestsEnv: env,
        launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--user-data-dir', userData, '--extensions-dir', join(tmp, 'extensions')],
      });
    } catch (e) {
      runError = e;
    }
    if (existsSync(resultsFile)) return report(JSON.parse(readFileSync(resultsFile, 'utf8')) as HostResults, process.env.TEST_SUITE_LABEL || 'host tests (electron)');
    throw runError ?? new Error('VS Code exited without writing test results');
  } finally {
    await api?.close().catch(() => undefined);
    if (!process.env.KEEP_TMP) removeDir(tmp);
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(`[host:electron] ${e instanceof Error ? e.message : String(e)}`);
    console.error('[host:electron] this launcher downloads VS Code; where that is impossible use `npm run test:host`.');
    console.log(`\n${process.env.TEST_SUITE_LABEL || 'host tests (electron)'}: 0 passed, 1 failed (launcher error)`);
    process.exit(1);
  },
);
