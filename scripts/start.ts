// `npm start`: see the extension working in a real VS Code on sample data.
//   builds dist/, starts the local Anthropic server (sample organization), writes sample Claude Code
//   transcripts into a temporary HOME, installs the extension (unpacked, linked to this repo's dist/) into a
//   fresh extensions folder and starts code-server with settings and environment pointing at all of it.
// Options: --real (your keys from the environment, the real API, your HOME), --desktop (desktop `code` with
// --extensionDevelopmentPath), --port N, --no-open, --smoke (exit 0 once it answers and the extension is
// active; for CI). Ctrl-C stops everything.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadSampleKeys, makeSampleHome, sampleEnv, startSampleApi, type SampleApi } from '../test/support/sampleWorld';
import {
  EXTENSION_ID,
  REPO,
  STATUS_BAR_SELECTOR,
  CHROMIUM,
  build,
  ensureVsCode,
  freePort,
  launchChromium,
  removeDir,
  startCodeServer,
  startProcess,
  tempDir,
  waitForHttp200,
  writeUserSettings,
  type Proc,
} from '../test/support/vscode';

interface Options {
  real: boolean;
  desktop: boolean;
  open: boolean;
  smoke: boolean;
  port?: number;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { real: false, desktop: false, open: true, smoke: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--real') o.real = true;
    else if (a === '--desktop') o.desktop = true;
    else if (a === '--no-open') o.open = false;
    else if (a === '--smoke') o.smoke = true;
    else if (a === '--port' || a?.startsWith('--port=')) {
      const v = a === '--port' ? argv[++i] : a.slice('--port='.length);
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`--port needs a port number, got "${v ?? ''}"`);
      o.port = n;
    } else if (a === '--help' || a === '-h') {
      console.log('npm start [-- --real] [--desktop] [--port N] [--no-open] [--smoke]');
      process.exit(0);
    } else throw new Error(`unknown option "${a}" (try --help)`);
  }
  return o;
}

const say = (s: string): void => console.log(`[start] ${s}`);

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' }).status === 0;
}

function openBrowser(url: string): void {
  const cmd = process.env.BROWSER || (onPath('xdg-open') ? 'xdg-open' : process.platform === 'darwin' ? 'open' : undefined);
  if (!cmd) return say('no browser launcher found ($BROWSER, xdg-open): open the URL yourself');
  try {
    const c = spawn(cmd, [url], { detached: true, stdio: 'ignore' });
    c.on('error', () => say(`could not run ${cmd}: open the URL yourself`));
    c.unref();
  } catch {
    say(`could not run ${cmd}: open the URL yourself`);
  }
}

/**
 * The extension installed as an unpacked folder (what a .vsix unpacks to): copies, not symlinks, because
 * VS Code maps a module to its extension by real path, and a symlinked dist/ leaves the extension without
 * an identity (its status bar item id becomes "nullExtensionDescription...").
 */
function installUnpacked(extensionsDir: string): string {
  const version = (JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string }).version;
  const dir = join(extensionsDir, `${EXTENSION_ID}-${version}`);
  mkdirSync(dir, { recursive: true });
  for (const f of ['package.json', 'package.nls.json', 'dist', 'media', 'README.md', 'CHANGELOG.md', 'LICENSE']) {
    if (existsSync(join(REPO, f))) cpSync(join(REPO, f), join(dir, f), { recursive: true, filter: (src) => !src.endsWith('.map') && !src.includes('/dist/test') });
  }
  return dir;
}

async function main(): Promise<void> {
  let o: Options;
  try {
    o = parseArgs(process.argv.slice(2));
  } catch (e) {
    console.error(`[start] ${e instanceof Error ? e.message : String(e)}`);
    process.exit(2);
  }
  if (o.desktop && !onPath('code')) {
    console.error('[start] --desktop needs a desktop VS Code `code` on the PATH (without it, plain `npm start` runs VS Code in the browser)');
    process.exit(1);
  }
  const cleanups: Array<() => Promise<void> | void> = [];
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (!stopping) {
      stopping = true;
      for (const c of cleanups.reverse()) await Promise.resolve(c()).catch(() => undefined);
    }
    process.exit(code);
  };
  process.on('SIGINT', () => void (say('stopping'), stop(0)));
  process.on('SIGTERM', () => void stop(0));

  try {
    if (!o.desktop) ensureVsCode();
    say('building');
    build();

    const tmp = tempDir('start');
    cleanups.push(() => removeDir(tmp));
    let api: SampleApi | undefined;
    let home: string | undefined;
    let keys = {};
    if (o.real) {
      if (!process.env.ANTHROPIC_API_KEY && !process.env.ANTHROPIC_ADMIN_API_KEY) {
        say('--real: neither ANTHROPIC_API_KEY nor ANTHROPIC_ADMIN_API_KEY is set; set a key in VS Code with "Claude Usage: Set API Key"');
      }
      say(`--real: the real Anthropic API, your keys from the environment, your HOME (${process.env.HOME ?? '?'})`);
    } else {
      api = await startSampleApi();
      if (api) cleanups.push(() => api?.close());
      home = join(tmp, 'home');
      const source = await makeSampleHome(home, undefined, { plan: true });
      keys = loadSampleKeys();
      say(api ? `local Anthropic server (sample organization): ${api.url}` : 'the local Anthropic server is not in the repo yet (test/server/server.ts): no API data');
      say(`sample Claude Code transcripts in ${home} (from ${source})`);
    }
    const env: NodeJS.ProcessEnv = { ...process.env, ...sampleEnv(api, keys, home) };
    const userDataDir = join(tmp, 'user-data');
    const extensionsDir = join(tmp, 'extensions');
    writeUserSettings(userDataDir, api ? { 'claudeUsage.baseUrl': api.url } : {});

    if (o.desktop) {
      const args = ['--new-window', `--extensionDevelopmentPath=${REPO}`];
      if (!o.real) args.push('--user-data-dir', userDataDir, '--extensions-dir', extensionsDir);
      const desk = startProcess('code', [...args, '--wait'], { env, echo: true });
      cleanups.push(() => desk.stop());
      say('desktop VS Code opened with the extension under development; Ctrl-C (or closing the window) stops');
      desk.child.on('exit', () => void stop(0));
      return;
    }

    const installed = installUnpacked(extensionsDir);
    const workspace = join(tmp, 'workspace');
    mkdirSync(workspace, { recursive: true });
    const port = o.port ?? (await freePort());
    say(`starting VS Code (code-server) on 127.0.0.1:${port}`);
    const logFile = join(tmp, 'code-server.log');
    let cs: Proc;
    try {
      cs = await startCodeServer({ port, userDataDir, extensionsDir, folder: workspace, env, logFile });
    } catch (e) {
      throw new Error(`code-server did not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    cleanups.push(() => cs.stop());
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`;

    if (o.smoke) {
      await waitForHttp200(url, 30_000);
      say(`workbench answers HTTP 200 at ${url}`);
      const list = spawnSync(process.execPath, [join(REPO, '.cache/vscode/node_modules/code-server/out/node/entry.js'), '--extensions-dir', extensionsDir, '--list-extensions'], {
        encoding: 'utf8',
        env,
      });
      if (!list.stdout.toLowerCase().includes(EXTENSION_ID)) throw new Error(`the extension is not installed in ${extensionsDir}: ${list.stdout}${list.stderr}`);
      say(`extension installed: ${installed}`);
      if (existsSync(CHROMIUM)) {
        const browser = await launchChromium();
        cleanups.push(() => browser.close());
        const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
        await page.goto(url);
        const item = page.locator(STATUS_BAR_SELECTOR);
        await item.waitFor({ state: 'visible', timeout: 90_000 }).catch(async (e: unknown) => {
          mkdirSync(join(REPO, 'test-results'), { recursive: true });
          await page.screenshot({ path: join(REPO, 'test-results', 'start-smoke.png') }).catch(() => undefined);
          throw new Error(`the extension did not activate in the browser (no status bar item; test-results/start-smoke.png): ${String(e)}`);
        });
        mkdirSync(join(REPO, 'test-results'), { recursive: true });
        await page.screenshot({ path: join(REPO, 'test-results', 'start-smoke.png') });
        say(`extension active in the browser: status bar shows "${(await item.innerText()).trim()}" (test-results/start-smoke.png)`);
      }
      console.log('\nnpm start smoke: 1 passed, 0 failed');
      return stop(0);
    }

    console.log(`\n  Claude Usage in VS Code:  ${url}\n`);
    say(`code-server log: ${logFile}. Ctrl-C stops everything.`);
    if (o.open) openBrowser(url);
    cs.child.on('exit', (code) => {
      if (stopping) return;
      say(`code-server exited (${code ?? 'signal'}); log tail:\n${cs.output().slice(-2000)}`);
      void stop(1);
    });
  } catch (e) {
    console.error(`[start] ${e instanceof Error ? e.message : String(e)}`);
    if (o.smoke) console.log('\nnpm start smoke: 0 passed, 1 failed');
    await stop(1);
  }
}

void main();
