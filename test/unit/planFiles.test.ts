// removeIfExists (src/core/plan/files.ts): the transcript index's lock and the CLI's old code caches are
// removed with it. A missing file is not an error; any other failure still is.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { removeIfExists } from '../../src/core/plan/files';

describe('removeIfExists', () => {
  it('removes a file, says nothing when it is already gone, and throws for what it cannot remove (a folder)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cu-rm-'));
    try {
      const file = path.join(dir, 'x.lock');
      fs.writeFileSync(file, '1\n');
      removeIfExists(file);
      assert.equal(fs.existsSync(file), false);
      removeIfExists(file);
      const sub = path.join(dir, 'sub');
      fs.mkdirSync(sub);
      assert.throws(() => removeIfExists(sub), (e: NodeJS.ErrnoException) => e.code !== 'ENOENT' && typeof e.code === 'string');
      assert.ok(fs.statSync(sub).isDirectory());
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
