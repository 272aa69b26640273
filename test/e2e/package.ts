// Packages the extension the way it ships (`vsce package` → .vsix, which runs the production build through
// `vscode:prepublish`) and installs it once into a template extensions folder that every workbench copies.
// Runs once per mocha process (global setup in setup.ts; memoized here for direct harness use).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EXTENSION_ID, REPO, ensureVsCode, installVsix, removeDir, tempDir } from '../support/vscode';

let prepared: Promise<string> | undefined;
let tmpRoot: string | undefined;

export interface Packaged {
  vsix: string;
  extensionsDir: string;
  seconds: number;
}

/** The folder of an installed extension inside an extensions dir, if any. */
export function installedFolder(extensionsDir: string): string | undefined {
  if (!existsSync(extensionsDir)) return undefined;
  const name = readdirSync(extensionsDir).find((d) => d.toLowerCase().startsWith(`${EXTENSION_ID}-`));
  return name ? join(extensionsDir, name) : undefined;
}

function packageAndInstall(): Packaged {
  const t0 = performance.now();
  ensureVsCode();
  tmpRoot = tempDir('e2e-vsix');
  process.once('exit', cleanupPackage); // also when mocha exits without running global teardown
  const vsix = join(tmpRoot, 'claude-usage.vsix');
  const r = spawnSync(process.execPath, [join(REPO, 'scripts', 'package.mjs'), '-o', vsix], {
    cwd: REPO,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
  if (r.status !== 0 || !existsSync(vsix)) {
    cleanupPackage();
    throw new Error(`vsce package failed (exit ${r.status ?? r.signal}):\n${r.stdout}${r.stderr}`);
  }
  const warnings = `${r.stdout}${r.stderr}`.split('\n').filter((l) => /WARNING/i.test(l));
  if (warnings.length) console.warn(`      [e2e] vsce warnings:\n${warnings.join('\n')}`);

  const extensionsDir = join(tmpRoot, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  const installed = installVsix(vsix, extensionsDir, join(tmpRoot, 'install-user-data'));
  if (!installed.ok || !installedFolder(extensionsDir)) {
    // Fallback from the recipe: a .vsix is a zip whose extension/ folder is the installed extension.
    console.warn(`      [e2e] code-server --install-extension failed, unzipping instead:\n${installed.output}`);
    const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
    const unz = join(tmpRoot, 'unzipped');
    const u = spawnSync('unzip', ['-q', '-o', vsix, 'extension/*', '-d', unz], { encoding: 'utf8' });
    if (u.status !== 0) throw new Error(`unzip failed: ${u.stderr}`);
    spawnSync('mv', [join(unz, 'extension'), join(extensionsDir, `${EXTENSION_ID}-${version}`)]);
  }
  const folder = installedFolder(extensionsDir);
  if (!folder || !existsSync(join(folder, 'dist', 'extension.js'))) throw new Error(`the packaged extension has no dist/extension.js (in ${folder ?? extensionsDir})`);
  const seconds = (performance.now() - t0) / 1000;
  console.log(`      [e2e] packaged ${(statSync(vsix).size / 1024).toFixed(0)} KB .vsix and installed it in ${seconds.toFixed(1)} s`);
  return { vsix, extensionsDir, seconds };
}

/** Returns a template extensions dir holding the installed .vsix (packaging it on first call). */
export function prepareExtension(): Promise<string> {
  const fromEnv = process.env.CLAUDE_USAGE_E2E_EXTENSIONS;
  if (fromEnv && installedFolder(fromEnv)) return Promise.resolve(fromEnv);
  prepared ??= Promise.resolve().then(() => {
    const p = packageAndInstall();
    process.env.CLAUDE_USAGE_E2E_EXTENSIONS = p.extensionsDir;
    process.env.CLAUDE_USAGE_E2E_VSIX = p.vsix;
    return p.extensionsDir;
  });
  return prepared;
}

export function cleanupPackage(): void {
  if (tmpRoot && !process.env.KEEP_TMP) removeDir(tmpRoot);
  tmpRoot = undefined;
  prepared = undefined;
}
