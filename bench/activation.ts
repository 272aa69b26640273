/**
 * Start-up cost of the BUILT bundles, each sample a fresh plain-Node process (bench/activation-child.js,
 * a minimal fake `vscode` module; no tsx hooks):
 *   - cold `require('dist/extension.js')` and cold `activate()` (goal < 20 ms), median of N processes;
 *   - which bundles are loaded when activate() returns (dist/anthropic.js, the API client, must not be);
 *   - `node dist/cli.js local --dir test/fixtures/claude-home/.claude/projects --json`, whole process
 *     (goal for a warm re-run < 250 ms), median of 10, next to a bare `node -e 0` for scale.
 * Run: npm run bench:activation            (builds, then measures dist/)
 *      npx tsx bench/activation.ts [runs] [--compare OTHER_DIST]
 * --compare measures a second dist/ folder (e.g. a copy of an older build) interleaved with this one.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';

const REPO = resolve(__dirname, '..');
const CHILD = join(__dirname, 'activation-child.js');
const PROJECTS = join(REPO, 'test', 'fixtures', 'claude-home', '.claude', 'projects');
const CLI_RUNS = 10;

const args = process.argv.slice(2);
const compareAt = args.indexOf('--compare');
const compare = compareAt >= 0 ? args.splice(compareAt, 2)[1] : undefined;
if (compareAt >= 0 && !compare) throw new Error('--compare needs a dist folder');
const runs = Number(args[0] ?? 15);
if (!(runs >= 1)) throw new Error(`runs must be a positive number, got ${args[0]}`);

interface Target {
  label: string;
  dist: string;
  load: number[];
  activate: number[];
  cli: number[];
  modules: Set<string>;
}
const targets: Target[] = [{ label: 'dist', dist: join(REPO, 'dist') }, ...(compare ? [{ label: compare, dist: resolve(compare) }] : [])].map(
  (t) => ({ ...t, load: [], activate: [], cli: [], modules: new Set<string>() }),
);
for (const t of targets) {
  for (const f of ['extension.js', 'cli.js']) {
    if (!existsSync(join(t.dist, f))) throw new Error(`${join(t.dist, f)} is missing: run \`npm run build\` first`);
  }
}

function run(argv: string[]): { ms: number; stdout: string } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, argv, { cwd: REPO, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${argv.join(' ')} exited ${r.status ?? r.signal}: ${r.stderr}`);
  return { ms, stdout: r.stdout };
}

const storage = mkdtempSync(join(tmpdir(), 'cu-activate-'));
try {
  // Activation: N fresh processes per target, interleaved so that load on the machine hits both alike.
  for (let i = 0; i < runs; i++) {
    for (const t of targets) {
      const out = run([CHILD, join(t.dist, 'extension.js'), join(storage, `${targets.indexOf(t)}-${i}`), REPO]).stdout;
      const r = JSON.parse(out) as { load: number; activate: number; modules: string[] };
      t.load.push(r.load);
      t.activate.push(r.activate);
      for (const m of r.modules) t.modules.add(m.startsWith(t.dist) ? `dist/${m.slice(t.dist.length + 1)}` : basename(m));
    }
  }
  // The CLI's `local` command, whole process, after one warm-up run each.
  const base: number[] = [];
  for (const t of targets) run([join(t.dist, 'cli.js'), 'local', '--dir', PROJECTS, '--json']);
  for (let i = 0; i < CLI_RUNS; i++) {
    base.push(run(['-e', '0']).ms);
    for (const t of targets) t.cli.push(run([join(t.dist, 'cli.js'), 'local', '--dir', PROJECTS, '--json']).ms);
  }

  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const ms = (xs: number[]): string => `${median(xs).toFixed(1).padStart(6)} ms  (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)})`;
  const kb = (f: string): string => (existsSync(f) ? `${(statSync(f).size / 1024).toFixed(0)} KB` : 'absent');
  for (const t of targets) {
    console.log(`\n${t.label}: extension.js ${kb(join(t.dist, 'extension.js'))}, cli.js ${kb(join(t.dist, 'cli.js'))}, anthropic.js ${kb(join(t.dist, 'anthropic.js'))}`);
    console.log(`  require(extension.js), cold, median of ${runs} processes: ${ms(t.load)}`);
    console.log(`  activate(), cold, median of ${runs} processes:            ${ms(t.activate)}   (goal < 20 ms)`);
    console.log(`  require + activate, median:                               ${median(t.load.map((l, i) => l + t.activate[i]!)).toFixed(1).padStart(6)} ms`);
    console.log(`  files loaded when activate() returns: ${[...t.modules].join(', ')}`);
    console.log(`  cli.js local --json, whole process, median of ${CLI_RUNS}:      ${ms(t.cli)}   (goal < 250 ms)`);
  }
  console.log(`\nnode -e 0, whole process, median of ${CLI_RUNS}:                  ${ms(base)}`);
} finally {
  rmSync(storage, { recursive: true, force: true });
}
