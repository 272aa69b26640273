// Builds dist/extension.js (VS Code host), dist/cli.js (headless CLI), dist/indexWorker.js (transcript
// indexing worker), dist/webview/ (browser bundle) and dist/test/ (extension-host test suite).
import * as esbuild from 'esbuild';
import { existsSync, mkdirSync, copyFileSync } from 'node:fs';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { cli: 'src/cli.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' } },
];
if (existsSync('src/core/local/indexWorker.ts')) {
  builds.push({ ...node, entryPoints: { indexWorker: 'src/core/local/indexWorker.ts' }, outdir: 'dist' });
}
if (existsSync('webview/main.ts')) {
  builds.push({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    sourcemap: production ? false : 'linked',
    entryPoints: { main: 'webview/main.ts' },
    outdir: 'dist/webview',
    logLevel: 'warning',
    metafile: true,
  });
}
if (!production && existsSync('test/host/index.ts')) {
  builds.push({ ...node, entryPoints: { index: 'test/host/index.ts' }, outdir: 'dist/test/host', external: ['vscode', 'mocha'] });
}

function copyAssets() {
  // The codicon font/stylesheet for @vscode-elements icons, served from the extension's own folder.
  const src = 'node_modules/@vscode/codicons/dist';
  if (existsSync(src)) {
    mkdirSync('dist/webview', { recursive: true });
    for (const f of ['codicon.css', 'codicon.ttf']) copyFileSync(`${src}/${f}`, `dist/webview/${f}`);
  }
}

if (watch) {
  for (const b of builds) (await esbuild.context(b)).watch();
  copyAssets();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  copyAssets();
  for (const r of results) {
    if (r.metafile) {
      for (const [file, out] of Object.entries(r.metafile.outputs)) {
        if (file.endsWith('.js')) console.log(`${file}: ${(out.bytes / 1024).toFixed(1)} KB`);
      }
    }
  }
}
