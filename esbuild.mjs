// Builds dist/extension.js (VS Code host), dist/cli.js and dist/cliMain.js (headless CLI: a launcher with a V8 code cache, and the CLI), dist/anthropic.js (the API client,
// loaded on first use), dist/planConnect.js (Connect/Disconnect with jsonc-parser, loaded on first use), dist/indexWorker.js (the transcript indexer's scan helper thread), dist/statusline.js (Claude Code's
// status line command, a small bundle of its own), dist/webview/ (browser bundle)
// and dist/test/ (extension-host test suite), plus dist/extract.wasm (the transcript extractor's walk in WebAssembly, from AssemblyScript). The production build starts from an empty dist/ so nothing
// stale (a dev build's source maps) ends up in the .vsix.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, copyFileSync, rmSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { sep } from 'node:path';

const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
if (production) rmSync('dist', { recursive: true, force: true });

/**
 * The API client (undici + zod, over 1 MB) is its own bundle, dist/anthropic.js. In the extension and CLI
 * builds the `require('./client')` inside src/core/anthropic/lazy.ts resolves to that file, next to the
 * requiring bundle in dist/, so activation and `claude-usage local` never parse it.
 */
const lazyAnthropicClient = {
  name: 'lazy-anthropic-client',
  setup(build) {
    build.onResolve({ filter: /^\.\/client$/ }, (args) =>
      args.importer.endsWith(`${sep}src${sep}core${sep}anthropic${sep}lazy.ts`) ? { path: './anthropic.js', external: true } : undefined,
    );
  },
};
/**
 * Connect / Disconnect (src/core/plan/connection.ts with jsonc-parser) is its own bundle too,
 * dist/planConnect.js, required by src/core/plan/lazy.ts on the first Connect or Disconnect.
 */
const lazyPlanConnection = {
  name: 'lazy-plan-connection',
  setup(build) {
    build.onResolve({ filter: /^\.\/connection$/ }, (args) =>
      args.importer.endsWith(`${sep}src${sep}core${sep}plan${sep}lazy.ts`) ? { path: './planConnect.js', external: true } : undefined,
    );
  },
};
/**
 * `import * as fs from 'node:fs'` (and `vscode`) bundled as `const fs = require('node:fs')`, as tsc would emit
 * it: esbuild otherwise wraps each such require in `__toESM`, a copy of the module with a getter per export
 * (~100 for node:fs, made once per importing file), so that every `fs.readSync` goes through a getter. A warm
 * `claude-usage local`, which runs most of its code before V8 has compiled it, took ~3 ms longer that way
 * (21 interleaved rounds: 225.8 against 222.6 ms; bench/local/README.md). Only these namespace imports of Node's own modules and of `vscode` are rewritten,
 * and only in our TypeScript sources: the line stays where it was, so source maps still match.
 */
const plainBuiltinRequires = {
  name: 'plain-builtin-requires',
  setup(build) {
    build.onLoad({ filter: /[\\/]src[\\/].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return {
        contents: text.replace(/^import \* as ([A-Za-z_$][\w$]*) from '((?:node:[a-z0-9_/]+)|vscode)';$/gm, "import $1 = require('$2');"),
        loader: 'ts',
      };
    });
  },
};
/** Packages that must stay out of the eagerly loaded bundles (checked on every build). */
const LAZY_ONLY = /(^|\/)node_modules\/(undici|zod|jsonc-parser)\//;

const node = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  // jsonc-parser's UMD entry hides its requires from bundlers; its ES module build bundles cleanly.
  alias: { 'jsonc-parser': 'jsonc-parser/lib/esm/main.js' },
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  plugins: [plainBuiltinRequires],
};

const eager = { plugins: [...node.plugins, lazyAnthropicClient, lazyPlanConnection], metafile: true };
const builds = [
  { ...node, ...eager, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist' },
  // dist/cli.js (the `claude-usage` command) only starts dist/cliMain.js through a V8 code cache.
  { ...node, entryPoints: { cli: 'src/cliEntry.ts' }, outdir: 'dist', banner: { js: '#!/usr/bin/env node' }, metafile: true },
  { ...node, ...eager, entryPoints: { cliMain: 'src/cli.ts' }, outdir: 'dist' },
  { ...node, entryPoints: { anthropic: 'src/core/anthropic/client.ts' }, outdir: 'dist', metafile: true },
];
if (existsSync('src/core/plan/connection.ts')) {
  builds.push({ ...node, entryPoints: { planConnect: 'src/core/plan/connection.ts' }, outdir: 'dist', metafile: true });
}
// The status line runs on every Claude Code prompt refresh: its own bundle, checked below to stay small
// and free of the extension, the CLI, undici and zod. node14 syntax, so an older `node` on the PATH runs it.
const STATUSLINE_MAX_KB = 40;
const STATUSLINE_FORBIDDEN = /(^|\/)(node_modules\/(undici|zod|jsonc-parser)\/|src\/(extension|cli)\.ts$|src\/(host|views|cli)\/|src\/core\/(store|anthropic|local|dashboard|viewModels)\/)/;
if (existsSync('src/statusline.ts')) {
  builds.push({ ...node, entryPoints: { statusline: 'src/statusline.ts' }, outdir: 'dist', target: 'node14', metafile: true });
}
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

/**
 * dist/extract.wasm from src/core/local/wasm/extract.ts (AssemblyScript 0.28, pinned): the extractor's
 * structural walk with SIMD string search (src/core/local/extractWasm.ts loads it; without it the JavaScript
 * walk reads every line). Built again only when the source is newer. Memory: 4 MiB, fixed, static data from
 * 8 KiB (the layout extractWasm.ts checks).
 */
const WASM_SRC = 'src/core/local/wasm/extract.ts';
const WASM_OUT = 'dist/extract.wasm';
function buildWasm() {
  if (!existsSync(WASM_SRC)) return;
  if (existsSync(WASM_OUT) && statSync(WASM_OUT).mtimeMs >= statSync(WASM_SRC).mtimeMs) return;
  mkdirSync('dist', { recursive: true });
  execFileSync(
    process.execPath,
    ['node_modules/assemblyscript/bin/asc.js', WASM_SRC, '-O3', '--runtime', 'stub', '--enable', 'simd', '--noAssert', '--memoryBase', '8192', '--initialMemory', '64', '--maximumMemory', '64', '-o', WASM_OUT],
    { stdio: 'inherit' },
  );
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
  buildWasm();
  copyAssets();
} else {
  const results = await Promise.all(builds.map((b) => esbuild.build(b)));
  buildWasm();
  copyAssets();
  const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;
  let leaked = false;
  results.forEach((r, i) => {
    if (!r.metafile) return;
    for (const [file, out] of Object.entries(r.metafile.outputs)) {
      if (!file.endsWith('.js')) continue;
      // What dominates each bundle, grouped by package (node_modules) or source folder.
      const groups = new Map();
      for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) {
        const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
        const key = m ? m[1] : input.split('/').slice(0, -1).join('/') || input;
        groups.set(key, (groups.get(key) ?? 0) + bytesInOutput);
      }
      const top = [...groups].sort((a, b) => b[1] - a[1]).slice(0, 3);
      console.log(`${file}: ${kb(out.bytes)} (${top.map(([k, v]) => `${k} ${kb(v)}`).join(', ')})`);
      if (file === 'dist/statusline.js') {
        const bad = Object.keys(out.inputs).filter((f) => STATUSLINE_FORBIDDEN.test(f));
        if (bad.length || out.bytes > STATUSLINE_MAX_KB * 1024 * (production ? 1 : 2)) {
          leaked = true;
          console.error(`${file} must stay small (${kb(out.bytes)}) and load nothing of the extension, the CLI, undici or zod${bad.length ? ` (found ${bad.join(', ')})` : ''}.`);
        }
      }
      if (builds[i].plugins?.includes(lazyAnthropicClient)) {
        const bad = Object.keys(out.inputs).filter((f) => LAZY_ONLY.test(f));
        if (bad.length) {
          leaked = true;
          console.error(`${file} must not contain ${bad.length} undici/zod/jsonc-parser inputs (e.g. ${bad[0]}): import the client through src/core/anthropic/lazy.ts and Connect through src/core/plan/lazy.ts, or import type.`);
        }
      }
    }
  });
  if (leaked) process.exit(1);
}
