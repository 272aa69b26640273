import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { codeCacheDir } from '../../src/cli/codeCache';

const REPO = path.resolve(__dirname, '../..');
const CODE_CACHE = path.join(REPO, 'src/cli/codeCache.ts');

describe('CLI code cache (src/cli/codeCache.ts)', function () {
  this.timeout(60_000);
  let tmp: string;
  let bundle: string;
  let entry: string;
  let dir: string;

  beforeEach(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-codecache-'));
    bundle = path.join(tmp, 'main.js');
    entry = path.join(tmp, 'entry.js');
    dir = path.join(tmp, 'cache', 'claude-usage', 'code-cache');
    // A bundle that shows what it runs as: the entry's module, its folder, and a function it calls.
    fs.writeFileSync(bundle, "const add = (a, b) => a + b;\nprocess.stdout.write(JSON.stringify({ main: require.main === module, dir: __dirname, sum: [1, 2, 3].reduce(add) }));\n");
    writeEntry(entry, bundle);
  });
  afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

  /** An entry file that runs `code` with the cache folder `dir`, as dist/cli.js runs the CLI's bundle. */
  const writeEntry = (file: string, code: string) =>
    fs.writeFileSync(file, `require(${JSON.stringify(CODE_CACHE)}).runWithCodeCache(${JSON.stringify(code)}, module, require, 'local', ${JSON.stringify(dir)});\n`);
  const run = (file = entry, env: NodeJS.ProcessEnv = {}) => JSON.parse(execFileSync(process.execPath, ['--require', 'tsx/cjs', file], { cwd: REPO, encoding: 'utf8', env: { ...process.env, ...env } })) as unknown;
  const expected = () => ({ main: true, dir: tmp, sum: 6 });
  const files = () => (fs.existsSync(dir) ? fs.readdirSync(dir) : []);
  const cacheFile = () => {
    const f = files();
    assert.equal(f.length, 1, `one cache file: ${f.join(', ')}`);
    return path.join(dir, f[0]!);
  };

  it('saves the cache after a first run, in a folder only the user can read, and loads it after', () => {
    assert.deepEqual(run(), expected());
    const file = cacheFile();
    assert.match(path.basename(file), new RegExp(`^local-${process.version.replace(/\./g, '\\.')}-${process.arch}-\\d+-\\d+\\.bin$`));
    if (process.platform !== 'win32') {
      assert.equal(fs.statSync(dir).mode & 0o777, 0o700);
      assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    }
    fs.utimesSync(file, 1, 1); // an old mtime: a rewrite would show
    assert.deepEqual(run(), expected());
    // V8 accepted it, and this run took no path the first did not: it did not save a new one.
    assert.equal(fs.statSync(cacheFile()).mtimeMs, 1000);
  });

  it('a run that took a path the cache was not made on saves it again, with the functions it compiled (a warm run after a cold one)', () => {
    // A function only the other kind of run calls (it notes its path, as the local command does: runPaths.ts),
    // big enough to show in the cache's size.
    const body = Array.from({ length: 200 }, (_, i) => `x = (x * 31 + ${i}) % 1000003;`).join(' ');
    const paths = "globalThis[Symbol.for('claude-usage.cli.runPaths')]";
    fs.writeFileSync(bundle, `function other() { let x = 1; ${body} return x; }\nconst add = (a, b) => a + b;\nif (process.env.OTHER) { other(); ${paths} = (${paths} ?? 0) | 2; }\nprocess.stdout.write(JSON.stringify({ main: require.main === module, dir: __dirname, sum: [1, 2, 3].reduce(add) }));\n`);
    assert.deepEqual(run(), expected());
    const first = fs.statSync(cacheFile()).size;
    assert.deepEqual(run(entry, { OTHER: '1' }), expected());
    const second = fs.statSync(cacheFile()).size;
    assert.ok(second > first + 500, `${first} -> ${second} bytes`);
    // Neither kind of run saves it again now: the cache holds both.
    fs.utimesSync(cacheFile(), 1, 1);
    run(entry, { OTHER: '1' });
    run();
    assert.equal(fs.statSync(cacheFile()).mtimeMs, 1000);
    assert.equal(fs.statSync(cacheFile()).size, second);
  });

  it('a damaged cache is rejected by V8, the run is unaffected and the cache is saved again', () => {
    run();
    const file = cacheFile();
    const garbage = Buffer.alloc(fs.statSync(file).size, 0x5a);
    fs.writeFileSync(file, garbage);
    assert.deepEqual(run(), expected());
    assert.ok(!fs.readFileSync(cacheFile()).equals(garbage));
  });

  it('a changed bundle gets a cache of its own; those of the last three bundles are kept, older ones (of every command) removed', () => {
    run();
    const first = cacheFile();
    fs.writeFileSync(first.replace(/^(.*[\\/])local-/, '$1plan-'), 'the cache of another command');
    for (const f of files()) fs.utimesSync(path.join(dir, f), 2000, 2000);
    const bundles: string[] = [path.basename(first).slice(path.basename(first).indexOf('-v'))];
    for (let k = 1; k <= 3; k++) {
      fs.appendFileSync(bundle, `// changed ${k}\n`);
      // Distinct mtimes in whole milliseconds, in order, however coarse the file system's clock.
      fs.utimesSync(bundle, 1000 + k, 1000 + k);
      assert.deepEqual(run(), expected());
      const now = files();
      const made = now.find((f) => f.startsWith('local-') && !bundles.some((b) => f.endsWith(b)));
      assert.ok(made, `a cache for bundle ${k}: ${now.join(', ')}`);
      bundles.push(made.slice(made.indexOf('-v')));
      // Each cache file's own mtime orders the bundles (a fast machine may write two in the same millisecond).
      fs.utimesSync(path.join(dir, made), 2000 + k, 2000 + k);
    }
    const left = files();
    // The first bundle's caches (both commands) went with the fourth; the last three stayed.
    assert.ok(!left.some((f) => f.endsWith(bundles[0]!)), left.join(', '));
    for (const b of bundles.slice(1)) assert.ok(left.some((f) => f === `local${b}`), `${b} kept: ${left.join(', ')}`);
    assert.equal(left.length, 3, left.join(', '));
  });

  it('two builds run in turn each keep their cache (neither compiles again)', () => {
    const other = path.join(tmp, 'other.js');
    fs.writeFileSync(other, `${fs.readFileSync(bundle, 'utf8')}// another build\n`);
    const otherEntry = path.join(tmp, 'other-entry.js');
    writeEntry(otherEntry, other);
    const runOther = () => run(otherEntry);
    run();
    runOther();
    assert.equal(files().length, 2, files().join(', '));
    for (const f of files()) fs.utimesSync(path.join(dir, f), 1, 1); // an old mtime: a rewrite would show
    assert.deepEqual(run(), expected());
    runOther();
    assert.deepEqual(run(), expected());
    for (const f of files()) assert.equal(fs.statSync(path.join(dir, f)).mtimeMs, 1000, `${f} was not written again`);
  });

  it('a cache folder others can write to is not read from', function () {
    if (process.platform === 'win32') this.skip();
    run();
    const file = cacheFile();
    fs.chmodSync(dir, 0o777);
    fs.utimesSync(file, 1, 1); // an old mtime: a rewrite shows
    assert.deepEqual(run(), expected());
    assert.notEqual(fs.statSync(cacheFile()).mtimeMs, 1000, 'the run compiled without the cache and saved a new one');
  });

  it('an unwritable cache folder costs nothing but the cache', () => {
    fs.mkdirSync(path.dirname(dir), { recursive: true });
    fs.writeFileSync(dir, 'not a folder');
    assert.deepEqual(run(), expected());
  });

  it('codeCacheDir: the platform per-user cache folder; off with CLAUDE_USAGE_CODE_CACHE=0', () => {
    const sub = path.join('claude-usage', 'code-cache');
    assert.equal(codeCacheDir({}, 'linux', '/home/u'), path.join('/home/u/.cache', sub));
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: '/x/cache' }, 'linux', '/home/u'), path.join('/x/cache', sub));
    assert.equal(codeCacheDir({ XDG_CACHE_HOME: 'relative' }, 'linux', '/home/u'), path.join('/home/u/.cache', sub));
    assert.equal(codeCacheDir({}, 'darwin', '/Users/u'), path.join('/Users/u/Library/Caches', sub));
    assert.equal(codeCacheDir({ LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u'), path.join('C:\\Users\\u\\AppData\\Local', sub));
    assert.equal(codeCacheDir({}, 'win32', 'C:\\Users\\u'), undefined);
    assert.equal(codeCacheDir({ CLAUDE_USAGE_CODE_CACHE: '0' }, 'linux', '/home/u'), undefined);
    assert.equal(codeCacheDir({}, 'linux', ''), undefined);
  });
});
