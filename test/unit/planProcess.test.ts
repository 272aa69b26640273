/**
 * The status line as Claude Code runs it: real processes of the bundled dist/statusline.js (built here
 * into a temporary folder with the production options), fed payloads on stdin. Garbage never fails;
 * many processes writing at once lose nothing; a chained command gets the same stdin and its output
 * passes through unchanged; a hanging one is cut off; the launcher finds the install or falls back.
 * Time is pinned with CLAUDE_USAGE_NOW, so the suite passes at any date and in any TZ.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildSync } from 'esbuild';
import { statusLineCommand, writeLauncher } from '../../src/core/plan/launcher';
import { readPlanData } from '../../src/core/plan/state';
import { realPayload as payloadAt } from './planFixtures';

const REPO = resolve(__dirname, '..', '..');
const NOW = Date.UTC(2026, 2, 8, 10, 0, 0); // a DST change day in the US
const SEC = NOW / 1000;
const iso = (ms: number): string => new Date(ms).toISOString();
const realPayload = (over: Record<string, unknown> = {}): Record<string, unknown> => payloadAt(over, SEC);

interface Run {
  stdout: string;
  stderr: string;
  code: number | null;
  ms: number;
}

describe('plan: the status line process', function () {
  this.timeout(60_000);
  let root: string;
  let script: string;
  let dir: string;

  before(() => {
    root = mkdtempSync(join(tmpdir(), 'cu-statusline-'));
    script = join(root, 'ext', 'claude-usage.claude-usage-0.1.0', 'dist', 'statusline.js');
    buildSync({ entryPoints: [join(REPO, 'src', 'statusline.ts')], bundle: true, platform: 'node', format: 'cjs', target: 'node14', minify: true, outfile: script, logLevel: 'warning' });
  });
  after(() => rmSync(root, { recursive: true, force: true }));
  let n = 0;
  beforeEach(() => {
    dir = join(root, `state-${++n}`);
  });

  const env = (over: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ ...process.env, CLAUDE_USAGE_DIR: dir, CLAUDE_USAGE_NOW: iso(NOW), NO_COLOR: '1', HOME: join(root, 'home'), ...over });

  function run(input: string, over: NodeJS.ProcessEnv = {}, argv: string[] = [script]): Promise<Run> {
    return new Promise((res, rej) => {
      const t0 = performance.now();
      const child = spawn(process.execPath, argv, { env: env(over), stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
      child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
      child.on('error', rej);
      child.on('close', (code) => res({ stdout, stderr, code, ms: performance.now() - t0 }));
      child.stdin.on('error', () => undefined);
      child.stdin.end(input);
    });
  }

  it('prints the compact line and records the observation at the pinned time', async () => {
    const r = await run(JSON.stringify(realPayload({ rate_limits: { five_hour: { used_percentage: 42, resets_at: SEC + 2 * 3600 + 13 * 60 }, seven_day: { used_percentage: 18.4, resets_at: SEC + 86400 } } })));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, 'Opus 4.8 · ctx 26% · 5h 42% ↻2h13m · wk 18%\n');
    const d = readPlanData(join(dir, 'plan-state.json'));
    assert.ok(d.windows.five_hour!.observedAt - NOW < 5000, 'the pinned clock runs on from CLAUDE_USAGE_NOW');
    assert.equal(d.session!.version, '2.1.214');
  });

  it('the countdown is the same in every time zone', async () => {
    const input = JSON.stringify(realPayload({ rate_limits: { five_hour: { used_percentage: 42, resets_at: SEC + 3600 } } }));
    for (const TZ of ['Pacific/Kiritimati', 'America/Los_Angeles', 'UTC']) {
      const r = await run(input, { TZ });
      assert.equal(r.stdout, 'Opus 4.8 · ctx 26% · 5h 42% ↻1h\n', TZ);
    }
  });

  it('garbage, empty or truncated stdin still prints something sensible and exits 0', async () => {
    for (const input of ['', 'garbage', '{"model":', '\u0000\u00ff', JSON.stringify(realPayload()).slice(0, 300)]) {
      const r = await run(input);
      assert.equal(r.code, 0);
      assert.equal(r.stdout, 'Claude Usage\n', JSON.stringify(input));
    }
    // With earlier observations it shows them, aged.
    await run(JSON.stringify(realPayload()));
    const r = await run('garbage', { CLAUDE_USAGE_NOW: iso(NOW + 20 * 60_000) });
    assert.equal(r.stdout, '5h 42% ↻1h45m (20 min ago) · wk 36% (20 min ago)\n');
    // Without rate_limits: model and context only; a torn state file is replaced.
    writeFileSync(join(dir, 'plan-state.json'), '{"version":1,"windows":{"five_hour":');
    const api = await run(JSON.stringify(realPayload({ rate_limits: undefined })));
    assert.equal(api.stdout, 'Opus 4.8 · ctx 26%\n');
    assert.equal(readPlanData(join(dir, 'plan-state.json')).session?.model, 'Opus 4.8');
    // An unwritable state folder does not break the line either.
    const blocked = await run(JSON.stringify(realPayload()), { CLAUDE_USAGE_DIR: join(script, 'not-a-dir') });
    assert.equal(blocked.code, 0);
    assert.equal(blocked.stdout, 'Opus 4.8 · ctx 26% · 5h 42% ↻2h05m · wk 36%\n');
  });

  it('many processes writing at once lose nothing; the newest observation per window wins', async () => {
    const N = 24;
    const runs = Array.from({ length: N }, (_, i) => {
      const t = NOW + i * 60_000;
      const rate = { five_hour: { used_percentage: 10 + i, resets_at: SEC + 5 * 3600 }, [`seven_day_m${i}`]: { used_percentage: i } };
      // Started in scrambled order, so write order is not time order.
      return { t, input: JSON.stringify(realPayload({ session_id: `s${i}`, rate_limits: rate })), order: (i * 7) % N };
    });
    runs.sort((a, b) => a.order - b.order);
    const results = await Promise.all(runs.map((r) => run(r.input, { CLAUDE_USAGE_NOW: iso(r.t) })));
    assert.ok(results.every((r) => r.code === 0 && r.stdout.includes('5h ')));
    const text = readFileSync(join(dir, 'plan-state.json'), 'utf8');
    const d = readPlanData(join(dir, 'plan-state.json'));
    assert.deepEqual(JSON.parse(text).version, 1);
    assert.equal(d.windows.five_hour!.usedPercent, 10 + N - 1, 'newest wins');
    assert.equal(d.windows.five_hour!.sessionId, `s${N - 1}`);
    assert.equal(d.session!.sessionId, `s${N - 1}`);
    assert.equal(d.history.five_hour!.length, N, 'every writer\'s sample is there');
    for (let i = 0; i < N; i++) assert.equal(d.windows[`seven_day_m${i}`]?.usedPercent, i, `window of writer ${i}`);
    assert.ok(!existsSync(join(dir, 'plan-state.json.lock')), 'lock released');
  });

  function chain(command: string, extra: Record<string, unknown> = {}): void {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'statusline.json'), JSON.stringify({ version: 1, append: true, previous: { [join(root, 'home', '.claude', 'settings.json')]: command }, ...extra }));
  }

  it('chains the previous command: same stdin, output unchanged, our segment appended (a setting)', async () => {
    const input = JSON.stringify(realPayload());
    chain('cat; printf "\\nsecond line\\n"', { append: false });
    const plain = await run(input);
    assert.equal(plain.stdout, `${input}\nsecond line\n`, 'byte for byte, and it got the same stdin');
    chain("printf '\\033[1mtheirs\\033[0m\\nsecond\\n'");
    const appended = await run(input);
    assert.equal(appended.stdout, '\x1b[1mtheirs\x1b[0m\x1b[0m  Opus 4.8 · ctx 26% · 5h 42% ↻2h05m · wk 36%\nsecond\n');
    chain('exit 3');
    assert.equal((await run(input)).stdout, 'Opus 4.8 · ctx 26% · 5h 42% ↻2h05m · wk 36%\n', 'a failing command with no output');
  });

  it('a hanging previous command is cut off after the timeout', async () => {
    chain('printf partial; sleep 30', { timeoutMs: 300 });
    const r = await run(JSON.stringify(realPayload()));
    assert.equal(r.code, 0);
    assert.ok(r.ms < 5000, `took ${r.ms} ms`);
    assert.equal(r.stdout, 'partial\x1b[0m  Opus 4.8 · ctx 26% · 5h 42% ↻2h05m · wk 36%\n');
  });

  it('the launcher runs the current install, finds a newer sibling, or falls back to the previous command', async function () {
    if (process.platform === 'win32') this.skip();
    const ext = join(root, 'ext', 'claude-usage.claude-usage-0.1.0');
    const command = statusLineCommand(dir);
    const viaShell = (input: string, over: NodeJS.ProcessEnv = {}): Promise<Run> => run(input, over, ['-e', `require('child_process').spawn(process.argv[1], { shell: true, stdio: 'inherit' }).on('close', (c) => process.exit(c))`, command]);
    writeLauncher({ dir, extensionDir: ext, runtime: process.execPath, fallbackCommand: 'cat >/dev/null; echo previous' });
    const input = JSON.stringify(realPayload());
    assert.equal((await viaShell(input)).stdout, 'Opus 4.8 · ctx 26% · 5h 42% ↻2h05m · wk 36%\n');
    // No node on the PATH: VS Code's runtime with ELECTRON_RUN_AS_NODE.
    assert.equal((await viaShell(input, { PATH: '/usr/bin/nonexistent' })).stdout, 'Opus 4.8 · ctx 26% · 5h 42% ↻2h05m · wk 36%\n');
    // Updated: the recorded folder is gone, a newer one sits next to it.
    const newer = join(root, 'ext', 'claude-usage.claude-usage-0.2.0', 'dist');
    mkdirSync(newer, { recursive: true });
    copyFileSync(script, join(newer, 'statusline.js'));
    writeLauncher({ dir, extensionDir: join(root, 'ext', 'claude-usage.claude-usage-0.0.9'), runtime: process.execPath, fallbackCommand: 'cat >/dev/null; echo previous' });
    assert.equal((await viaShell(input)).stdout, 'Opus 4.8 · ctx 26% · 5h 42% ↻2h05m · wk 36%\n');
    // Uninstalled: the previous status line keeps working.
    writeLauncher({ dir, extensionDir: join(root, 'gone', 'claude-usage.claude-usage-0.1.0'), runtime: '/nonexistent/code', fallbackCommand: 'cat >/dev/null; echo previous' });
    assert.equal((await viaShell(input)).stdout, 'previous\n');
    // In a folder with spaces.
    const spaced = join(root, 'with space', "o'neil");
    const spacedCommand = statusLineCommand(spaced);
    writeLauncher({ dir: spaced, extensionDir: ext, runtime: process.execPath });
    const r = spawnSync('sh', ['-c', spacedCommand], { input, env: env(), encoding: 'utf8' });
    assert.equal(r.stdout, 'Opus 4.8 · ctx 26% · 5h 42% ↻2h05m · wk 36%\n', r.stderr);
  });
});
