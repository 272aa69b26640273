#!/usr/bin/env node
// `npm run package [-- -o file.vsix]`: the .vsix exactly as it ships. The README's screenshots are relative
// links; vsce only rewrites those by itself for GitHub/GitLab repositories, so the absolute base URLs are
// derived here from package.json's `repository.url` (set the real one before publishing).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8'));
const repo = String(manifest.repository?.url ?? manifest.repository ?? '').replace(/\.git$/, '').replace(/\/$/, '');
if (!/^https:\/\//.test(repo)) {
  console.error('package.json needs repository.url (https://...) to resolve the README images.');
  process.exit(2);
}
const vsce = join(dirname(createRequire(import.meta.url).resolve('@vscode/vsce/package.json')), 'vsce');
const args = [vsce, 'package', '--no-dependencies', '--baseContentUrl', `${repo}/blob/HEAD/`, '--baseImagesUrl', `${repo}/raw/HEAD/`, ...process.argv.slice(2)];
const r = spawnSync(process.execPath, args, { cwd: repoRoot, stdio: 'inherit' });
process.exit(r.status ?? 1);
