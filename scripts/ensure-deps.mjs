// Installs the npm dependencies on a fresh clone so `npm start` / `npm test` are the only commands needed.
// Plain JavaScript: it runs before tsx exists.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(repo, 'node_modules', '.bin', 'tsx'))) {
  const args = existsSync(join(repo, 'package-lock.json')) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  console.log(`[ensure-deps] node_modules missing: npm ${args.join(' ')}`);
  const r = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', args, { cwd: repo, stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
