// Running a real VS Code (code-server 4.100.3 = VS Code 1.100.3) on this machine: paths into the cached
// install, free ports, child processes with readiness detection, headless Chromium and settings files.
// Shared by `npm start` (scripts/start.ts), the host-test launcher (test/host/runServer.ts) and the e2e
// harness (test/e2e/harness.ts). See /work/shared/docs/e2e-recipe.md for why each step is the way it is.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Browser } from 'playwright-core';

export const REPO = resolve(__dirname, '..', '..');
export const VSCODE_CACHE = join(REPO, '.cache', 'vscode');
export const CODE_SERVER_VERSION = '4.100.3';
export const CODE_SERVER_DIR = join(VSCODE_CACHE, 'node_modules', 'code-server');
export const CODE_SERVER_BIN = join(VSCODE_CACHE, 'node_modules', '.bin', 'code-server');
export const SERVER_MAIN = join(CODE_SERVER_DIR, 'lib', 'vscode', 'out', 'server-main.js');
export const EXTENSION_ID = 'claude-usage.claude-usage';
export const STATUS_BAR_SELECTOR = '[id="claude-usage.claude-usage.claudeUsage.status"]';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Installs code-server into .cache/vscode unless already there (instant when it is). */
export function ensureVsCode(): void {
  if (existsSync(join(VSCODE_CACHE, `.installed-${CODE_SERVER_VERSION}`)) && existsSync(CHROMIUM)) return;
  const r = spawnSync('bash', [join(REPO, 'scripts', 'setup-vscode.sh')], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`scripts/setup-vscode.sh failed (exit ${r.status ?? r.signal})`);
}

/** Builds dist/ with esbuild (fast: well under a few seconds). */
export function build(): void {
  const r = spawnSync(process.execPath, [join(REPO, 'esbuild.mjs')], { cwd: REPO, stdio: 'inherit' });
  if (r.status !== 0) throw new Error(`build failed (exit ${r.status ?? r.signal})`);
}

export function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `claude-usage-${prefix}-`));
}

export function removeDir(dir: string): void {
  try {
    rmSync(dir, { recursive: true, force: true, maxRetries: 3 });
  } catch {
    // best effort: a still-running child may hold files open
  }
}

export interface Proc {
  child: ChildProcess;
  /** Everything the process printed so far (stdout and stderr interleaved). */
  output(): string;
  /** Resolves when the output matches `pattern`; rejects on exit or timeout with the output tail. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<void>;
  /** Kills the whole process group (the server spawns extension hosts and pty hosts). */
  stop(): Promise<void>;
}

/** Starts a process in its own process group, logs its output to `logFile`, lets callers wait for a line. */
export function startProcess(
  cmd: string,
  args: string[],
  opts: { env?: NodeJS.ProcessEnv; cwd?: string; logFile?: string; echo?: boolean },
): Proc {
  const child = spawn(cmd, args, {
    cwd: opts.cwd ?? REPO,
    env: opts.env ?? process.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const waiters = new Set<() => void>();
  const log = opts.logFile ? (mkdirSync(dirname(opts.logFile), { recursive: true }), createWriteStream(opts.logFile)) : undefined;
  const onData = (d: Buffer): void => {
    const s = d.toString();
    out += s;
    if (out.length > 2_000_000) out = out.slice(-1_000_000);
    log?.write(s);
    if (opts.echo) process.stdout.write(s);
    for (const w of waiters) w();
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  let exited = false;
  const exitPromise = new Promise<void>((res) =>
    child.once('exit', () => {
      exited = true;
      log?.end();
      for (const w of waiters) w();
      res();
    }),
  );
  return {
    child,
    output: () => out,
    waitFor(pattern, timeoutMs) {
      return new Promise((res, rej) => {
        const check = (): void => {
          if (pattern.test(out)) return done(undefined);
          if (exited) return done(new Error(`${cmd} exited (code ${child.exitCode}) before printing ${pattern}:\n${out.slice(-3000)}`));
        };
        const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern} from ${cmd}:\n${out.slice(-3000)}`)), timeoutMs);
        const done = (err: Error | undefined): void => {
          clearTimeout(timer);
          waiters.delete(check);
          if (err) rej(err);
          else res();
        };
        waiters.add(check);
        check();
      });
    },
    async stop() {
      if (exited || child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const t = setTimeout(() => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 3000);
      await exitPromise;
      clearTimeout(t);
    },
  };
}

/** Settings that keep a fresh workbench quiet and deterministic (no welcome page, trust prompt, tips). */
export const QUIET_SETTINGS: Record<string, unknown> = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.welcomePage.walkthroughs.openOnInstall': false,
  'security.workspace.trust.enabled': false,
  'telemetry.telemetryLevel': 'off',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'update.mode': 'none',
  'workbench.enableExperiments': false,
  'chat.commandCenter.enabled': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
};

/**
 * Writes VS Code user settings where code-server and the VS Code server read them: `<user-data-dir>/User`
 * (user settings) and `<user-data-dir>/Machine` (the server's "remote" settings, which is where the VS Code
 * server's web workbench looks for machine-scoped values).
 */
export function writeUserSettings(userDataDir: string, settings: Record<string, unknown>): void {
  const text = JSON.stringify({ ...QUIET_SETTINGS, ...settings }, null, 2);
  for (const sub of ['User', 'Machine']) {
    mkdirSync(join(userDataDir, sub), { recursive: true });
    writeFileSync(join(userDataDir, sub, 'settings.json'), text);
  }
}

/** Headless Chromium from Debian (Playwright never downloads a browser here). */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: process.env.HEADED ? false : true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'],
  });
}

/** Polls an HTTP URL until it answers 200 (or the timeout passes). */
export async function waitForHttp200(url: string, timeoutMs: number): Promise<void> {
  const end = performance.now() + timeoutMs;
  let last = '';
  while (performance.now() < end) {
    try {
      const r = await fetch(url, { redirect: 'manual' });
      if (r.status === 200) return;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = String(e);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs} ms (last: ${last})`);
}

export interface CodeServerOptions {
  port: number;
  userDataDir: string;
  extensionsDir: string;
  folder?: string;
  env?: NodeJS.ProcessEnv;
  logFile?: string;
  echo?: boolean;
}

/** code-server with `--auth none` on 127.0.0.1 (the e2e tests and `npm start`). Ready when it listens. */
export async function startCodeServer(o: CodeServerOptions): Promise<Proc> {
  const args = [
    '--auth', 'none',
    '--bind-addr', `127.0.0.1:${o.port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir', o.userDataDir,
    '--extensions-dir', o.extensionsDir,
  ];
  if (o.folder) args.push(o.folder);
  const p = startProcess(process.execPath, [join(CODE_SERVER_DIR, 'out', 'node', 'entry.js'), ...args], {
    env: o.env,
    logFile: o.logFile,
    echo: o.echo,
  });
  await p.waitFor(/HTTP server listening/, 60_000);
  return p;
}

/** Installs a .vsix into an extensions dir with code-server's CLI. Returns false (with output) on failure. */
export function installVsix(vsix: string, extensionsDir: string, userDataDir: string): { ok: boolean; output: string } {
  const r = spawnSync(
    process.execPath,
    [join(CODE_SERVER_DIR, 'out', 'node', 'entry.js'), '--extensions-dir', extensionsDir, '--user-data-dir', userDataDir, '--install-extension', vsix],
    { encoding: 'utf8', timeout: 120_000 },
  );
  const output = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  return { ok: r.status === 0 && /was successfully installed/i.test(output), output };
}
