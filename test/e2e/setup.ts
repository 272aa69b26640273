// Mocha global fixtures for `npm run test:e2e`: make sure VS Code is installed, package the .vsix and install
// it once before any test file boots a workbench; remove the temp files at the end.
import { mkdirSync } from 'node:fs';
import { ensureVsCode } from '../support/vscode';
import { RESULTS_DIR } from './harness';
import { cleanupPackage, prepareExtension } from './package';

process.env.TEST_SUITE_LABEL ??= 'e2e tests';

export async function mochaGlobalSetup(): Promise<void> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  ensureVsCode();
  await prepareExtension();
}

export function mochaGlobalTeardown(): void {
  cleanupPackage();
}
