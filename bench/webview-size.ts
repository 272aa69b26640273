/**
 * Size of the dashboard's browser bundle as shipped (minified, as esbuild.mjs builds it): total, gzip,
 * and the largest contributors by package, against the 350 KB budget. Prints numbers; asserts nothing.
 *   npx tsx bench/webview-size.ts
 */
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const BUDGET_KB = 350;

async function main(): Promise<void> {
  const r = await build({
    bundle: true,
    platform: 'browser',
    format: 'iife',
    target: 'es2022',
    minify: true,
    entryPoints: { main: 'webview/main.ts' },
    outdir: 'dist/webview-size-check',
    write: false,
    metafile: true,
    logLevel: 'warning',
  });
  const js = r.outputFiles.find((f) => f.path.endsWith('.js'))!;
  const out = Object.values(r.metafile.outputs).find((o) => o.entryPoint)!;
  const byPackage = new Map<string, number>();
  for (const [file, info] of Object.entries(out.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(file);
    const key = m ? m[1]! : file.startsWith('webview/') ? 'webview/ (ours)' : file.startsWith('src/') ? 'src/ (shared view models)' : file;
    byPackage.set(key, (byPackage.get(key) ?? 0) + info.bytesInOutput);
  }
  const kb = (n: number) => (n / 1024).toFixed(1).padStart(7);
  console.log(`dist/webview/main.js  ${kb(js.contents.length)} KB minified  ${kb(gzipSync(js.contents).length)} KB gzip  (budget ${BUDGET_KB} KB minified: ${js.contents.length / 1024 <= BUDGET_KB ? 'within' : 'OVER'})`);
  for (const [k, v] of [...byPackage.entries()].sort((a, b) => b[1] - a[1])) console.log(`  ${kb(v)} KB  ${k}`);
}

void main();
