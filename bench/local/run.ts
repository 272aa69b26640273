/**
 * Benchmarks `claude-usage local` against ccusage 20.0.24 on a generated corpus and checks totals:
 *   tsx bench/local/generate.ts --size-mb 1024 --seed 1 --out .bench-data/local
 *   tsx bench/local/run.ts --dir .bench-data/local [--runs 3] [--no-ccusage] [--no-naive]
 * Prints wall time and peak RSS (from /usr/bin/time, else /proc VmHWM polling) for: our cold scan (no
 * index), our warm re-run (index, nothing changed), our warm re-run after appending 1 MB, and ccusage
 * (`daily --json --offline`, TZ=UTC, CLAUDE_CONFIG_DIR=<dir>), installed on first use into .cache/ccusage.
 * Then compares tokens per UTC day and model with an independent naive count (full JSON.parse of every
 * line, its own de-duplication) exactly, and with ccusage (differences listed with likely reasons).
 */
import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Decimal } from '../../src/core/decimal';

const ROOT = path.resolve(__dirname, '..', '..');
const argv = process.argv.slice(2);
const opt = (n: string, d?: string) => {
  const i = argv.indexOf(`--${n}`);
  return i >= 0 ? argv[i + 1] : d;
};
const dir = path.resolve(opt('dir', path.join(ROOT, '.bench-data', 'local'))!);
const runs = Number(opt('runs', '3'));
const withCcusage = !argv.includes('--no-ccusage');
const withNaive = !argv.includes('--no-naive');
const projects = path.join(dir, 'projects');
if (!fs.existsSync(projects)) {
  process.stderr.write(`No corpus at ${projects}. Generate one: tsx bench/local/generate.ts --size-mb 1024 --out ${dir}\n`);
  process.exit(2);
}

interface Run {
  seconds: number;
  rssMiB: number;
  stdout: string;
}

function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const timeBin = '/usr/bin/time';
  if (fs.existsSync(timeBin)) {
    const out = path.join(os.tmpdir(), `bench-time-${process.pid}.txt`);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(timeBin, ['-f', '%e %M', '-o', out, cmd, ...args], { env, maxBuffer: 1 << 30, encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    const [, kb] = fs.readFileSync(out, 'utf8').trim().split(/\s+/).slice(-2);
    return { seconds: wall, rssMiB: Number(kb) / 1024, stdout: r.stdout };
  }
  // Fallback: no /usr/bin/time. Wall time only; RSS unknown.
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, rssMiB: NaN, stdout: r.stdout };
}

function median(rs: Run[]): Run {
  const s = [...rs].sort((a, b) => a.seconds - b.seconds);
  return { ...s[Math.floor(s.length / 2)]!, rssMiB: Math.max(...rs.map((r) => r.rssMiB)) };
}

function listFiles(d: string): string[] {
  const out: string[] = [];
  for (const e of fs.readdirSync(d, { withFileTypes: true })) {
    const p = path.join(d, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.name.endsWith('.jsonl')) out.push(p);
  }
  return out.sort();
}

// ---- setup ----
if (!fs.existsSync(path.join(ROOT, 'dist', 'cli.js'))) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'inherit' });
const files = listFiles(projects);
let bytes = 0;
const tRead = process.hrtime.bigint();
const buf = Buffer.allocUnsafe(4 << 20);
for (const f of files) {
  const fd = fs.openSync(f, 'r');
  let n: number;
  let pos = 0;
  while ((n = fs.readSync(fd, buf, 0, buf.length, pos)) > 0) pos += n;
  fs.closeSync(fd);
  bytes += pos;
}
const readOnly = Number(process.hrtime.bigint() - tRead) / 1e9;
process.stdout.write(`Corpus: ${files.length} files, ${(bytes / 1048576).toFixed(0)} MiB; reading them alone (page cache warm): ${readOnly.toFixed(2)} s\n`);

const cli = path.join(ROOT, 'dist', 'cli.js');
const ours = (idx?: string, threads = 2) =>
  measure(process.execPath, [cli, 'local', '--json', '--timezone', 'UTC', '--threads', String(threads), '--dir', projects, ...(idx ? ['--index', idx] : [])]);

let ccBin: string | undefined;
if (withCcusage) {
  const prefix = path.join(ROOT, '.cache', 'ccusage');
  const launcher = path.join(prefix, 'node_modules', 'ccusage', 'src', 'cli.js');
  if (!fs.existsSync(launcher)) execFileSync('npm', ['install', '--prefix', prefix, '--no-audit', '--no-fund', 'ccusage@20.0.24'], { stdio: 'inherit' });
  // The npm package is a launcher for a native (Rust) binary; run the binary directly to time only ccusage.
  const native = path.join(prefix, 'node_modules', '@ccusage', `ccusage-${process.platform}-${process.arch}`, 'bin', 'ccusage');
  if (fs.existsSync(native)) {
    fs.chmodSync(native, 0o755);
    ccBin = native;
  } else ccBin = launcher;
}
const ccEnv = { ...process.env, CLAUDE_CONFIG_DIR: dir, TZ: 'UTC' };
const cc = () => measure(ccBin!, ['daily', '--json', '--offline'], ccEnv);

// ---- runs ----
// Cold runs interleaved (ours, ours single-thread, ccusage, ...) so that load from other processes on a
// shared machine hits all of them alike.
const coldRuns: Run[] = [];
const cold1Runs: Run[] = [];
const ccRuns: Run[] = [];
for (let i = 0; i < runs; i++) {
  coldRuns.push(ours());
  cold1Runs.push(ours(undefined, 1));
  if (withCcusage) ccRuns.push(cc());
}
const cold = median(coldRuns);
const cold1 = median(cold1Runs);
const ccCold = withCcusage ? median(ccRuns) : undefined;
const idx = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-idx-'));
const build = ours(idx);
const warmRuns: Run[] = [];
for (let i = 0; i < runs; i++) warmRuns.push(ours(idx));
const warm = median(warmRuns);

// Append ~1 MB of new responses to the most recently written big file.
const target = files.map((f) => ({ f, s: fs.statSync(f).size })).sort((a, b) => b.s - a.s)[0]!.f;
const lastLine = (() => {
  const st = fs.statSync(target);
  const fd = fs.openSync(target, 'r');
  const b = Buffer.alloc(Math.min(st.size, 2 << 20));
  fs.readSync(fd, b, 0, b.length, st.size - b.length);
  fs.closeSync(fd);
  const ls = b.toString('utf8').split('\n').filter((l) => l.includes('"type":"assistant"') && l.includes('"usage"'));
  return ls[ls.length - 1]!;
})();
let appended = '';
let n = 0;
while (appended.length < 1 << 20) {
  n++;
  appended += `${lastLine.replace(/"id":"msg_[^"]+"/, `"id":"msg_bench_append_${n}"`).replace(/"requestId":"[^"]+"/, `"requestId":"req_bench_append_${n}"`)}\n`;
}
fs.appendFileSync(target, appended);
const afterAppend = ours(idx);
const afterAppendRuns = [afterAppend];
// More appends of the same size, each followed by a warm run, for a median.
for (let i = 1; i < runs; i++) {
  fs.appendFileSync(target, appended.replace(/msg_bench_append_/g, `msg_bench_append${i}_`).replace(/req_bench_append_/g, `req_bench_append${i}_`));
  afterAppendRuns.push(ours(idx));
}
const ccAfter = withCcusage ? cc() : undefined;

const row = (name: string, r?: Run) => (r ? `| ${name.padEnd(46).slice(0, 46)} | ${r.seconds.toFixed(3).padStart(8)} | ${Number.isNaN(r.rssMiB) ? '       ?' : r.rssMiB.toFixed(0).padStart(8)} |` : '');
process.stdout.write(
  [
    '',
    `| ${`run (median of ${runs})`.padEnd(46)} | wall s   | peak MiB |`,
    `|${'-'.repeat(48)}|----------|----------|`,
    row('ours: cold full scan (no index, 2 threads)', cold),
    row('ours: cold full scan (no index, --threads 1)', cold1),
    row('ours: first run building the index', build),
    row('ours: warm re-run, nothing changed', warm),
    row(`ours: warm re-run after appending ${(appended.length / 1048576).toFixed(1)} MB`, median(afterAppendRuns)),
    row('ccusage 20.0.24 daily --json --offline', ccCold),
    row('ccusage after the append (no index: full scan)', ccAfter),
    '',
  ]
    .filter((l) => l !== '')
    .join('\n') + '\n',
);
if (ccCold) {
  process.stdout.write(
    `cold ratio ours/ccusage: ${(cold.seconds / ccCold.seconds).toFixed(2)}x (--threads 1: ${(cold1.seconds / ccCold.seconds).toFixed(2)}x) (goal ≤ 0.8x); ` +
      `peak ${Math.max(cold.rssMiB, cold1.rssMiB).toFixed(0)} MiB (goal ≤ 200); warm after append ${median(afterAppendRuns).seconds.toFixed(3)} s (goal < 0.25)\n`,
  );
}
process.stdout.write(`load average during the run: ${os.loadavg().map((x) => x.toFixed(1)).join(' ')} on ${os.cpus().length} CPUs\n`);

// ---- totals ----
type Tok = [number, number, number, number, number]; // input, output, cacheWrite5m, cacheWrite1h, cacheRead
const oursJson = JSON.parse(afterAppendRuns[afterAppendRuns.length - 1]!.stdout) as { days: { date: string; byModel: Record<string, { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number; costUsd: string | null }> }[]; skippedLines: number; unpricedModels: string[] };
const ourTotals = new Map<string, Tok>();
for (const d of oursJson.days) for (const [m, t] of Object.entries(d.byModel)) ourTotals.set(`${d.date} ${m}`, [t.input, t.output, t.cacheWrite5m, t.cacheWrite1h, t.cacheRead]);
process.stdout.write(`ours: ${ourTotals.size} day×model rows, ${oursJson.skippedLines} corrupt usage lines skipped, unpriced: ${oursJson.unpricedModels.join(', ') || 'none'}\n`);

if (withNaive) {
  const t0 = performance.now();
  const naive = naiveCount(listFiles(projects));
  let diffs = 0;
  const keys = new Set([...ourTotals.keys(), ...naive.keys()]);
  for (const k of keys) {
    const a = ourTotals.get(k);
    const b = naive.get(k);
    if (!a || !b || a.some((v, i) => v !== b[i])) {
      diffs++;
      if (diffs <= 10) process.stdout.write(`  DIFF ${k}: ours ${JSON.stringify(a)} naive ${JSON.stringify(b)}\n`);
    }
  }
  process.stdout.write(`independent naive count (${((performance.now() - t0) / 1000).toFixed(1)} s): ${diffs === 0 ? `all ${keys.size} day×model totals EQUAL exactly` : `${diffs} of ${keys.size} rows differ`}\n`);
}

if (ccAfter) {
  const j = JSON.parse(ccAfter.stdout) as { daily: { period?: string; date?: string; totalCost?: number; modelBreakdowns: { modelName: string; inputTokens: number; outputTokens: number; cacheCreationTokens: number; cacheReadTokens: number }[] }[] };
  const sums = { input: [0, 0], output: [0, 0], cacheWrite: [0, 0], cacheRead: [0, 0] };
  let rows = 0;
  let differ = 0;
  const seen = new Set<string>();
  for (const d of j.daily) {
    for (const m of d.modelBreakdowns) {
      const k = `${d.period ?? d.date} ${m.modelName}`;
      seen.add(k);
      const o = ourTotals.get(k) ?? [0, 0, 0, 0, 0];
      rows++;
      const c = [m.inputTokens, m.outputTokens, m.cacheCreationTokens, m.cacheReadTokens];
      const ov = [o[0], o[1], o[2] + o[3], o[4]];
      if (c.some((v, i) => v !== ov[i])) differ++;
      sums.input[0]! += ov[0]!;
      sums.input[1]! += c[0]!;
      sums.output[0]! += ov[1]!;
      sums.output[1]! += c[1]!;
      sums.cacheWrite[0]! += ov[2]!;
      sums.cacheWrite[1]! += c[2]!;
      sums.cacheRead[0]! += ov[3]!;
      sums.cacheRead[1]! += c[3]!;
    }
  }
  let ourCost = Decimal.ZERO;
  for (const d of oursJson.days) for (const t of Object.values(d.byModel)) if (t.costUsd !== null) ourCost = ourCost.add(Decimal.parse(t.costUsd));
  const ccCost = j.daily.reduce((a, d) => a + (d.totalCost ?? 0), 0);
  process.stdout.write(
    `cost (API-equivalent estimate): ours $${ourCost.toFixed(2)} (exact decimal; unpriced models excluded and listed), ccusage $${ccCost.toFixed(2)} (binary floats; ` +
      `no Sonnet 4/4.5 long-context premium, unknown models at $0)\n`,
  );
  const missing = [...ourTotals.keys()].filter((k) => !seen.has(k));
  process.stdout.write(`ccusage vs ours: ${differ} of ${rows} day×model rows differ; rows only in ours: ${missing.length}${missing.length ? ` (${missing.slice(0, 3).join(', ')}…)` : ''}\n`);
  for (const [name, [o, c]] of Object.entries(sums)) {
    process.stdout.write(`  ${name.padEnd(10)} ours ${o!.toLocaleString('en-US').padStart(16)}  ccusage ${c!.toLocaleString('en-US').padStart(16)}  diff ${(c! - o!).toLocaleString('en-US')}\n`);
  }
  if (differ > 0 || missing.length > 0) process.stdout.write(
    '  Reasons: ccusage counts isApiErrorMessage lines (the shared doc says they are not billable) and an\n' +
      '  unterminated last line still being written (we wait for its newline).\n',
  );
}
fs.rmSync(idx, { recursive: true, force: true });

/** An independent second implementation: full JSON.parse of every complete line, own dedup rules. */
function naiveCount(list: string[]): Map<string, Tok> {
  type Best = { side: boolean; total: number; ts: string; day: string; model: string; t: Tok };
  const best = new Map<string, Best>();
  const keyless: Best[] = [];
  for (const f of list) {
    const text = fs.readFileSync(f, 'utf8');
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or an unterminated line not yet complete
    for (const l of lines) {
      let o: { type?: string; isSidechain?: boolean; isApiErrorMessage?: boolean; requestId?: string; timestamp?: string; message?: { id?: string; model?: string; usage?: Record<string, unknown> } };
      try {
        o = JSON.parse(l);
      } catch {
        continue;
      }
      const u = o?.message?.usage as Record<string, number | Record<string, number>> | undefined;
      if (o?.type !== 'assistant' || !u || o.message?.model === '<synthetic>' || o.isApiErrorMessage === true || !o.timestamp) continue;
      const cc = u.cache_creation as Record<string, number> | undefined;
      const creation = (u.cache_creation_input_tokens as number) ?? 0;
      const w1 = Math.min(cc?.ephemeral_1h_input_tokens ?? 0, creation);
      const t: Tok = [(u.input_tokens as number) ?? 0, (u.output_tokens as number) ?? 0, creation - w1, w1, (u.cache_read_input_tokens as number) ?? 0];
      const b: Best = { side: o.isSidechain === true, total: t.reduce((a, x) => a + x, 0), ts: o.timestamp, day: new Date(o.timestamp).toISOString().slice(0, 10), model: o.message?.model ?? '<unknown>', t };
      const id = o.message?.id;
      if (!id) {
        keyless.push(b);
        continue;
      }
      const k = o.requestId ? `${id}\u0000${o.requestId}` : id;
      const prev = best.get(k);
      if (!prev || (prev.side && !b.side) || (prev.side === b.side && (b.total > prev.total || (b.total === prev.total && Date.parse(b.ts) < Date.parse(prev.ts))))) best.set(k, b);
    }
  }
  const out = new Map<string, Tok>();
  for (const b of [...best.values(), ...keyless]) {
    const k = `${b.day} ${b.model}`;
    const acc = out.get(k) ?? [0, 0, 0, 0, 0];
    for (let i = 0; i < 5; i++) acc[i] = acc[i]! + b.t[i]!;
    out.set(k, acc);
  }
  return out;
}
