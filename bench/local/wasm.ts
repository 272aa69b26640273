/**
 * How fast could the extractor's per-byte work be in WebAssembly? A probe for issue 15's cold-scan goal, not a
 * product path: the same structural JSON check (every object, array, key, string, number and literal of a line,
 * string contents skipped, escapes honoured) over every usage line of a corpus, four ways, each timed:
 * - `js`: a plain JavaScript loop over the bytes (`value` below);
 * - `js + indexOf`: the same, strings skipped with `Buffer.indexOf` for their closing quote, as the extractor does;
 * - `wasm`: the same code in AssemblyScript (bench/local/wasm/validate.as), byte by byte;
 * - `wasm simd`: the same with strings searched 16 bytes at a time (`i8x16` compares).
 * The lines are the corpus's lines holding `"usage"` (assistant and progress lines, whole: content included),
 * the first `--mb` MB of files, copied once into the WebAssembly memory; every variant reads that one copy. The
 * extractor itself (src/core/local/extract.ts) does more per line than this check (it reads keys and values and
 * jumps over `message.content`); its own cost per line is in bench/local/README.md.
 *   tsx bench/local/wasm.ts --dir .bench-data/real1g [--mb 300] [--rounds 5]
 * Compiled with the project's AssemblyScript (devDependency) into .cache/assemblyscript.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { opt } from './args';
import { listFiles } from './corpus';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = path.resolve(opt('dir', path.join(ROOT, '.bench-data', 'local'))!);
const maxBytes = Number(opt('mb', '300')) * 1e6;
const rounds = Number(opt('rounds', '5'));

// ---- compile the probe (with the project's AssemblyScript, the devDependency that builds dist/extract.wasm) ----
const prefix = path.join(ROOT, '.cache', 'assemblyscript');
fs.mkdirSync(prefix, { recursive: true });
const asc = path.join(ROOT, 'node_modules', '.bin', 'asc');
fs.copyFileSync(path.join(__dirname, 'wasm', 'validate.as'), path.join(prefix, 'validate.ts'));
const wasmFile = path.join(prefix, 'validate.wasm');
execFileSync(asc, ['validate.ts', '-O3', '--runtime', 'stub', '--enable', 'simd', '--initialMemory', String(Math.ceil((maxBytes * 1.2 + (64 << 20)) / 65536)), '-o', wasmFile], { cwd: prefix, stdio: 'inherit' });
interface Probe {
  memory: WebAssembly.Memory;
  setSimd(on: number): void;
  validateAll(starts: number, ends: number, n: number): number;
}
const probe = new WebAssembly.Instance(new WebAssembly.Module(fs.readFileSync(wasmFile)), {
  env: {
    abort: () => {
      throw new Error('abort in the probe');
    },
  },
}).exports as unknown as Probe;

// ---- the lines, in the probe's memory ----
/** Where the corpus starts in linear memory (below it: the probe's own data and stack). */
const BASE = 16 << 20;
const b = new Uint8Array(probe.memory.buffer);
let end = BASE;
for (const f of listFiles(path.join(dir, 'projects'))) {
  const data = fs.readFileSync(f);
  if (end - BASE + data.length > maxBytes) break;
  b.set(data, end);
  end += data.length;
}
const view = Buffer.from(probe.memory.buffer, 0, end);
const USAGE = Buffer.from('"usage"');
const starts: number[] = [];
const ends: number[] = [];
// The next marker is searched for once, not again from every line before it.
for (let s = BASE, nl = view.indexOf(0x0a, s), u = view.indexOf(USAGE, s); nl >= 0; s = nl + 1, nl = view.indexOf(0x0a, s)) {
  if (u >= 0 && u < s) u = view.indexOf(USAGE, s);
  if (u >= 0 && u < nl && b[s] === 0x7b) {
    starts.push(s);
    ends.push(nl);
  }
}
let bytes = 0;
for (let k = 0; k < starts.length; k++) bytes += ends[k]! - starts[k]!;
const startsAt = (end + 15) & ~15;
const endsAt = startsAt + starts.length * 4;
new Uint32Array(probe.memory.buffer).set(starts, startsAt / 4);
new Uint32Array(probe.memory.buffer).set(ends, endsAt / 4);

// ---- the same check in JavaScript ----
const isWs = (c: number) => c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
function ws(i: number, e: number): number {
  while (i < e && isWs(b[i]!)) i++;
  return i;
}
/** After the string whose opening quote is at `i`, or -1. */
function strLoop(i: number, e: number): number {
  let j = i + 1;
  while (j < e) {
    const c = b[j]!;
    if (c === 0x22) return j + 1;
    j += c === 0x5c ? 2 : 1;
  }
  return -1;
}
function strIndexOf(i: number, e: number): number {
  let j = i + 1;
  for (;;) {
    const q = view.indexOf(0x22, j);
    if (q < 0 || q >= e) return -1;
    let k = q - 1;
    while (b[k] === 0x5c) k--;
    if ((q - 1 - k) % 2 === 0) return q + 1;
    j = q + 1;
  }
}
let str = strLoop;
const isScalar = (d: number) => (d >= 0x30 && d <= 0x39) || (d >= 0x61 && d <= 0x7a) || d === 0x2d || d === 0x2b || d === 0x2e || d === 0x45;
function value(i: number, e: number, depth: number): number {
  if (i >= e) return -1;
  const c = b[i]!;
  if (c === 0x22) return str(i, e);
  if (c === 0x7b || c === 0x5b) {
    if (depth > 200) return -1;
    const close = c === 0x7b ? 0x7d : 0x5d;
    let k = ws(i + 1, e);
    if (k < e && b[k] === close) return k + 1;
    for (;;) {
      if (c === 0x7b) {
        if (k >= e || b[k] !== 0x22) return -1;
        const r = str(k, e);
        if (r < 0) return -1;
        k = ws(r, e);
        if (k >= e || b[k] !== 0x3a) return -1;
        k = ws(k + 1, e);
      }
      const v = value(k, e, depth + 1);
      if (v < 0) return -1;
      k = ws(v, e);
      if (k >= e) return -1;
      if (b[k] === 0x2c) k = ws(k + 1, e);
      else if (b[k] === close) return k + 1;
      else return -1;
    }
  }
  let k = i;
  while (k < e && isScalar(b[k]!)) k++;
  return k > i ? k : -1;
}
function jsAll(): number {
  let ok = 0;
  for (let x = 0; x < starts.length; x++) if (value(starts[x]!, ends[x]!, 0) === ends[x]) ok++;
  return ok;
}

// ---- timing ----
const variants: [string, () => number][] = [
  ['js', () => ((str = strLoop), jsAll())],
  ['js + indexOf', () => ((str = strIndexOf), jsAll())],
  ['wasm', () => (probe.setSimd(0), probe.validateAll(startsAt, endsAt, starts.length))],
  ['wasm simd', () => (probe.setSimd(1), probe.validateAll(startsAt, endsAt, starts.length))],
];
const times = new Map<string, number[]>(variants.map(([n]) => [n, []]));
const valid = new Map<string, number>();
for (let r = 0; r < rounds; r++) {
  for (const [name, run] of variants) {
    const t = performance.now();
    valid.set(name, run());
    times.get(name)!.push(performance.now() - t);
  }
}
process.stdout.write(`${starts.length} usage lines, ${(bytes / 1e6).toFixed(1)} MB (the first ${(maxBytes / 1e6).toFixed(0)} MB of ${dir}); median of ${rounds} rounds, load ${os.loadavg()[0]!.toFixed(1)}\n`);
for (const [name] of variants) {
  const t = [...times.get(name)!].sort((x, y) => x - y)[Math.floor(rounds / 2)]!;
  process.stdout.write(`  ${name.padEnd(14)} ${t.toFixed(0).padStart(5)} ms  ${((t * 1e6) / bytes).toFixed(2)} ns/byte  (${valid.get(name)} lines valid)\n`);
}
