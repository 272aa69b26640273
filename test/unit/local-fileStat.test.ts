// fileStat (issue 15): the plan's stat through Node's fs binding gives exactly what fs.statSync gives, for
// files, folders, links, missing paths and paths through a file, and falls back to fs.statSync when told to.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileStat, fileStatMode, resetFileStat, type FileStat } from '../../src/core/local/fileStat';

describe('local fileStat: the plan’s stat', () => {
  let dir: string;
  let paths: string[];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-stat-'));
    fs.writeFileSync(path.join(dir, 'a.jsonl'), '{"x":1}\n'.repeat(1000));
    fs.writeFileSync(path.join(dir, 'empty.jsonl'), '');
    fs.mkdirSync(path.join(dir, 'sub'));
    fs.symlinkSync(path.join(dir, 'a.jsonl'), path.join(dir, 'link.jsonl'));
    fs.symlinkSync(path.join(dir, 'sub'), path.join(dir, 'linkdir'));
    fs.symlinkSync(path.join(dir, 'gone'), path.join(dir, 'dangling.jsonl'));
    // An mtime with a fraction of a millisecond, as real file systems give.
    fs.utimesSync(path.join(dir, 'empty.jsonl'), 1_700_000_000.1234567, 1_700_000_000.7654321);
    paths = ['a.jsonl', 'empty.jsonl', 'sub', 'link.jsonl', 'linkdir', 'dangling.jsonl', 'missing.jsonl', 'a.jsonl/inside', ''].map((p) => path.join(dir, p));
  });
  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
    delete process.env.CLAUDE_USAGE_FAST_STAT;
    delete process.env.NODE_PENDING_DEPRECATION;
    resetFileStat();
  });

  /** The result, or the error's code: a path through a file (ENOTDIR) throws both ways, as before. */
  const outcome = (f: () => FileStat | undefined): FileStat | undefined | string => {
    try {
      return f();
    } catch (e) {
      return (e as NodeJS.ErrnoException).code ?? String(e);
    }
  };
  const expected = (p: string) =>
    outcome(() => {
      const st = fs.statSync(p, { throwIfNoEntry: false });
      return st && { size: st.size, mtimeMs: st.mtimeMs, ino: st.ino, dir: st.isDirectory() };
    });

  it('uses the binding where statSync calls it as expected, and agrees with fs.statSync on every kind of path', () => {
    resetFileStat();
    delete process.env.CLAUDE_USAGE_FAST_STAT;
    assert.equal(fileStatMode(), undefined);
    // A missing path first does not decide.
    assert.equal(fileStat(path.join(dir, 'missing.jsonl')), undefined);
    assert.equal(fileStatMode(), undefined);
    for (const p of paths) assert.deepEqual(outcome(() => fileStat(p)), expected(p), p);
    const known = fs.statSync.toString().replace(/\s+/g, '').includes('binding.stat(pathModule.toNamespacedPath(path),options.bigint,undefined,options.throwIfNoEntry,);');
    assert.equal(fileStatMode(), known ? 'binding' : 'fs');
    // A second round, after the decision (the first call above was checked against fs.statSync).
    for (const p of paths) assert.deepEqual(outcome(() => fileStat(p)), expected(p), p);
    const f = fileStat(path.join(dir, 'empty.jsonl'))!;
    assert.equal(f.mtimeMs, fs.statSync(path.join(dir, 'empty.jsonl')).mtimeMs);
    assert.notEqual(f.mtimeMs % 1, 0, 'the fraction of a millisecond is kept');
  });

  it('sees an append at once (nothing cached)', () => {
    const p = path.join(dir, 'a.jsonl');
    const before = fileStat(p)!;
    fs.appendFileSync(p, '{"y":2}\n');
    const after = fileStat(p)!;
    assert.equal(after.size, before.size + 8);
    assert.deepEqual(after, expected(p));
    assert.equal(outcome(() => fileStat(path.join(dir, 'a.jsonl', 'inside'))), 'ENOTDIR');
  });

  it('CLAUDE_USAGE_FAST_STAT=0 keeps to fs.statSync, with the same results', () => {
    process.env.CLAUDE_USAGE_FAST_STAT = '0';
    resetFileStat();
    for (const p of paths) assert.deepEqual(outcome(() => fileStat(p)), expected(p), p);
    assert.equal(fileStatMode(), 'fs');
  });

  it('keeps to fs.statSync under --pending-deprecation, where process.binding would print a warning', () => {
    delete process.env.CLAUDE_USAGE_FAST_STAT;
    process.env.NODE_PENDING_DEPRECATION = '1';
    resetFileStat();
    for (const p of paths) assert.deepEqual(outcome(() => fileStat(p)), expected(p), p);
    assert.equal(fileStatMode(), 'fs');
  });
});
