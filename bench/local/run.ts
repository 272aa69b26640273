/**
 * Benchmarks `claude-usage local` against ccusage 20.0.24 on a generated corpus and checks totals:
 *   npm run build:prod   (the build the package ships; run.ts says which build it measured)
 *   tsx bench/local/generate.ts --size-mb 1024 --seed 1 --out .bench-data/local [--shape realistic]
 *   tsx bench/local/run.ts --dir .bench-data/local [--runs 5] [--baseline-cli OLD/cli.js] [--no-ccusage] [--no-naive]
 * Whole processes, wall time, CPU time (user + system, all threads) and peak RSS (from /usr/bin/time, else wall only), interleaved so that load
 * from other processes on a shared machine hits every contender alike; medians; the 1-minute load average
 * is sampled at every run and printed next to the numbers:
 * - ours cold: `node dist/cli.js local --json --timezone UTC --dir <corpus>/projects` (no index; 2 threads,
 *   and `--threads 1`);
 * - ours warm with `--index DIR`: nothing changed, and after appending 1 MB (each round appends 1 MB);
 * - `--baseline-cli`: the same for an older build (a copy of its dist/cli.js + dist/indexWorker.js), "before";
 * - ccusage: its native binary, `daily --json --offline` with `CLAUDE_CONFIG_DIR=<dir>` and `TZ=UTC`,
 *   installed on first use into .cache/ccusage.
 * Then compares our per-day, per-model tokens with an independent naive count (full JSON.parse of every
 * line, its own de-duplication and rules) exactly, and with ccusage's (differences listed with reasons).
 * Node's own start (`node -e 0`) is timed in the same rounds: it is part of every "whole process" number of ours
 * and of none of ccusage's. Where `NODE_EXTRA_CA_CERTS` is set (as on the build machine), Node 20 reads that file
 * and its bundled root certificates at every start, before any of our code runs; the runs without it (Node
 * alone, and our cold scan) show how much of each number that is.
 * Two more cold runs (2 threads, then `--threads 1`) are read thread by thread from /proc: the main thread, the
 * helper thread that shares the scan, and V8's and libuv's threads (the optimizing compiler, GC), to show
 * where the CPU goes.
 * The corpus is restored (appends cut off) at the end.
 */
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Decimal } from '../../src/core/decimal';
import { argv, opt } from './args';
import { listFiles } from './corpus';
import { threadCpu } from './threads';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = path.resolve(opt('dir', path.join(ROOT, '.bench-data', 'local'))!);
const runs = Number(opt('runs', '3'));
const withCcusage = !argv.includes('--no-ccusage');
const withNaive = !argv.includes('--no-naive');
/** Our CLI bundle (default dist/cli.js). */
const cliPath = path.resolve(opt('cli', path.join(ROOT, 'dist', 'cli.js'))!);
/** An older build's CLI, measured side by side as "before". */
const baselineCli = opt('baseline-cli') ? path.resolve(opt('baseline-cli')!) : undefined;
const projects = path.join(dir, 'projects');
if (!fs.existsSync(projects)) {
  process.stderr.write(`No corpus at ${projects}. Generate one: tsx bench/local/generate.ts --size-mb 1024 --out ${dir}\n`);
  process.exit(2);
}

interface Run {
  seconds: number;
  /** User + system CPU seconds of the whole process (all threads); NaN without /usr/bin/time. */
  cpu: number;
  rssMiB: number;
  stdout: string;
  load: number;
}

function measure(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): Run {
  const load = os.loadavg()[0]!;
  const timeBin = '/usr/bin/time';
  if (fs.existsSync(timeBin)) {
    const out = path.join(os.tmpdir(), `bench-time-${process.pid}.txt`);
    const t0 = process.hrtime.bigint();
    const r = spawnSync(timeBin, ['-f', '%e %M %U %S', '-o', out, cmd, ...args], { env, maxBuffer: 1 << 30, encoding: 'utf8' });
    const wall = Number(process.hrtime.bigint() - t0) / 1e9;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
    const [, kb, user, sys] = fs.readFileSync(out, 'utf8').trim().split(/\s+/).slice(-4);
    return { seconds: wall, cpu: Number(user) + Number(sys), rssMiB: Number(kb) / 1024, stdout: r.stdout, load };
  }
  const t0 = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { env, maxBuffer: 1 << 30, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} failed: ${r.stderr}`);
  return { seconds: Number(process.hrtime.bigint() - t0) / 1e9, cpu: NaN, rssMiB: NaN, stdout: r.stdout, load };
}

/**
 * One cold run of `cli` with its CPU by thread, read from /proc every 10 ms until it exits (the last reading
 * of each thread counts, so a thread's last 10 ms may be missed): the main thread, the busiest other thread
 * (with 2 threads: the helper that shares the scan) and the rest together (V8's compiler and GC threads,
 * libuv's). Linux only; undefined elsewhere.
 */
function coldByThread(cli: string, threads: number): string | undefined {
  if (!fs.existsSync('/proc/self/task')) return undefined;
  const t0 = performance.now();
  const child = spawn(process.execPath, [cli, 'local', '--json', '--timezone', 'UTC', '--threads', String(threads), '--dir', projects], { stdio: 'ignore' });
  const pid = child.pid!;
  const last = new Map<string, number>();
  const nap = new Int32Array(new SharedArrayBuffer(4));
  for (;;) {
    try {
      // The child stays a zombie until this script's event loop reaps it, after this loop.
      const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (st[st.lastIndexOf(')') + 2] === 'Z') break;
      for (const [t, v] of threadCpu(pid)) last.set(t, v.ms);
    } catch {
      break;
    }
    Atomics.wait(nap, 0, 0, 10);
  }
  const wall = (performance.now() - t0) / 1000;
  const main = last.get(String(pid)) ?? 0;
  const others = [...last].filter(([t]) => t !== String(pid)).map(([, ms]) => ms).sort((a, b) => b - a);
  const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rest = others.slice(threads > 1 ? 1 : 0).reduce((a, v) => a + v, 0);
  return `cold, ${threads} thread${threads > 1 ? 's' : ''}, CPU by thread (wall ${wall.toFixed(2)} s): main ${s(main)}${threads > 1 ? `, helper ${s(others[0] ?? 0)}` : ''}, V8 and libuv threads ${s(rest)}`;
}

function median(rs: Run[]): Run | undefined {
  if (!rs.length) return undefined;
  const s = [...rs].sort((a, b) => a.seconds - b.seconds);
  const cpu = rs.map((r) => r.cpu).sort((a, b) => a - b);
  return { ...s[Math.floor(s.length / 2)]!, cpu: cpu[Math.floor(cpu.length / 2)]!, rssMiB: Math.max(...rs.map((r) => r.rssMiB)) };
}

// ---- setup ----
if (!fs.existsSync(cliPath)) execFileSync('npm', ['run', 'build:prod'], { cwd: ROOT, stdio: 'inherit' });
/** What a build is: the package ships the production one (minified, no source map), which a new process reads
 *  and loads ~7 ms faster than the development build's 270 KB (bench/local/README.md). */
const buildKind = (cli: string): string => {
  const main = path.join(path.dirname(cli), 'cliMain.js');
  return fs.existsSync(main) && !fs.readFileSync(main, 'utf8').includes('//# sourceMappingURL=') ? 'production build' : 'development build (the package ships `npm run build:prod`)';
};
process.stdout.write(`ours: ${cliPath} (${buildKind(cliPath)})${baselineCli ? `; before: ${baselineCli} (${buildKind(baselineCli)})` : ''}\n`);
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
const dirs = new Set(files.map((f) => path.dirname(f))).size;
process.stdout.write(`Corpus: ${files.length} files in ${dirs} folders, ${(bytes / 1048576).toFixed(0)} MiB; reading them alone (page cache warm): ${readOnly.toFixed(2)} s\n`);

const run = (cli: string, idx?: string, threads = 2, env: NodeJS.ProcessEnv = process.env) =>
  measure(process.execPath, [cli, 'local', '--json', '--timezone', 'UTC', '--threads', String(threads), '--dir', projects, ...(idx ? ['--index', idx] : [])], env);

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

// ---- cold runs, interleaved ----
const R = { cold: [] as Run[], cold1: [] as Run[], baseCold: [] as Run[], baseCold1: [] as Run[], cc: [] as Run[], node: [] as Run[], nodeNoCa: [] as Run[], coldNoCa: [] as Run[] };
const extraCa = process.env.NODE_EXTRA_CA_CERTS;
const noCaEnv = (() => {
  const e = { ...process.env };
  delete e.NODE_EXTRA_CA_CERTS;
  return e;
})();
for (let i = 0; i < runs; i++) {
  R.node.push(measure(process.execPath, ['-e', '0']));
  if (extraCa) R.nodeNoCa.push(measure(process.execPath, ['-e', '0'], noCaEnv));
  R.cold.push(run(cliPath));
  if (extraCa) R.coldNoCa.push(run(cliPath, undefined, 2, noCaEnv));
  if (baselineCli) R.baseCold.push(run(baselineCli));
  if (withCcusage) R.cc.push(cc());
  R.cold1.push(run(cliPath, undefined, 1));
  if (baselineCli) R.baseCold1.push(run(baselineCli, undefined, 1));
}

// ---- warm runs: an index each, nothing changed, then 1 MB appended per round ----
const idx = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-idx-'));
const baseIdx = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-local-idx-base-'));
const build = run(cliPath, idx);
const baseBuild = baselineCli ? run(baselineCli, baseIdx) : undefined;
const W = { warm: [] as Run[], baseWarm: [] as Run[], append: [] as Run[], baseAppend: [] as Run[] };
for (let i = 0; i < runs; i++) {
  W.warm.push(run(cliPath, idx));
  if (baselineCli) W.baseWarm.push(run(baselineCli, baseIdx));
}
// Append ~1 MB of new responses to the biggest file.
const target = files.map((f) => ({ f, s: fs.statSync(f).size })).sort((a, b) => b.s - a.s)[0]!.f;
const targetSize = fs.statSync(target).size;
const lastLine = (() => {
  const fd = fs.openSync(target, 'r');
  const b = Buffer.alloc(Math.min(targetSize, 2 << 20));
  fs.readSync(fd, b, 0, b.length, targetSize - b.length);
  fs.closeSync(fd);
  const ls = b.toString('utf8').split('\n').filter((l) => l.includes('"type":"assistant"') && l.includes('"usage"') && !l.includes('"isSidechain":true'));
  return ls[ls.length - 1]!;
})();
const appendMb = (round: number) => {
  let s = fs.statSync(target).size > targetSize ? '' : '\n'; // the corpus may end without a newline
  let n = 0;
  while (s.length < 1 << 20) {
    n++;
    s += `${lastLine.replace(/"id":"msg_[^"]+"/, `"id":"msg_bench_${round}_${n}"`).replace(/"requestId":"[^"]+"/, `"requestId":"req_bench_${round}_${n}"`)}\n`;
  }
  fs.appendFileSync(target, s);
  return s.length;
};
/** The identity of the index base in `dir` (a run that compacts the journal writes a new base). */
const baseId = (dir: string): string =>
  fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.bin'))
    .map((f) => {
      const st = fs.statSync(path.join(dir, f));
      return `${f}:${st.ino}:${st.mtimeMs}`;
    })
    .join();
/** Per warm run after an append: whether it wrote a new base (compacting the journal) rather than a batch. */
const compacted = { ours: [] as boolean[], before: [] as boolean[] };
const timed = (cli: string, dir: string, marks: boolean[]): Run => {
  const was = baseId(dir);
  const r = run(cli, dir);
  marks.push(baseId(dir) !== was);
  return r;
};
let appended = 0;
for (let i = 0; i < runs; i++) {
  appended = appendMb(i);
  W.append.push(timed(cliPath, idx, compacted.ours));
  if (baselineCli) W.baseAppend.push(timed(baselineCli, baseIdx, compacted.before));
}
const ccAfter = withCcusage ? cc() : undefined;
const finalOurs = run(cliPath);

const loads = [...Object.values(R), ...Object.values(W)].flat().map((r) => r.load).sort((a, b) => a - b);
const num = (v: number, digits: number) => (Number.isNaN(v) ? '?' : v.toFixed(digits)).padStart(8);
const row = (name: string, r?: Run) => (r ? `| ${name.padEnd(50).slice(0, 50)} | ${num(r.seconds, 3)} | ${num(r.cpu, 2)} | ${num(r.rssMiB, 0)} |` : '');
const m = (rs: Run[]) => median(rs);
process.stdout.write(
  [
    '',
    `| ${`run (median of ${runs})`.padEnd(50)} | wall s   | CPU s    | peak MiB |`,
    `|${'-'.repeat(52)}|----------|----------|----------|`,
    row('ours: cold full scan (no index, 2 threads)', m(R.cold)),
    row('ours: cold full scan (no index, --threads 1)', m(R.cold1)),
    row('ours: first run building the index', build),
    row('ours: warm re-run, nothing changed', m(W.warm)),
    row(`ours: warm re-run after appending ${(appended / 1048576).toFixed(1)} MB`, m(W.append)),
    row('before: cold full scan (no index, 2 threads)', m(R.baseCold)),
    row('before: cold full scan (no index, --threads 1)', m(R.baseCold1)),
    row('before: first run building the index', baseBuild),
    row('before: warm re-run, nothing changed', m(W.baseWarm)),
    row(`before: warm re-run after appending ${(appended / 1048576).toFixed(1)} MB`, m(W.baseAppend)),
    row('ccusage 20.0.24 daily --json --offline', m(R.cc)),
    row('ccusage after the appends (no index: full scan)', ccAfter),
    row('Node alone: node -e 0', m(R.node)),
    row('Node alone, without NODE_EXTRA_CA_CERTS', extraCa ? m(R.nodeNoCa) : undefined),
    row('ours: cold (2 threads), without NODE_EXTRA_CA_CERTS', extraCa ? m(R.coldNoCa) : undefined),
    '',
  ]
    .filter((l) => l !== '')
    .join('\n') + '\n',
);
const ratio = (a?: Run, b?: Run) => (a && b ? `${(a.seconds / b.seconds).toFixed(2)}x` : 'n/a');
process.stdout.write(
  `cold ratio ours/ccusage: ${ratio(m(R.cold), m(R.cc))} (--threads 1: ${ratio(m(R.cold1), m(R.cc))})` +
    (baselineCli ? `; before: ${ratio(m(R.baseCold), m(R.cc))}` : '') +
    ` (goal ≤ 0.5x); peak ${Math.max(m(R.cold)!.rssMiB, m(R.cold1)!.rssMiB).toFixed(0)} MiB (goal ≤ 150); warm after 1 MB append ${m(W.append)!.seconds.toFixed(3)} s (goal ≤ 0.2)\n`,
);
// Each round ran ours and ccusage back to back: their ratio round by round shows the spread one median hides.
const perRound = (ours: Run[]) => {
  const r = ours.map((o, i) => o.seconds / R.cc[i]!.seconds).sort((x, y) => x - y);
  return r.length ? `${r[0]!.toFixed(2)}-${r[r.length - 1]!.toFixed(2)}x (${r.map((x) => x.toFixed(2)).join(' ')})` : 'n/a';
};
if (withCcusage)
  process.stdout.write(`cold ratio round by round: ours ${perRound(R.cold)}` + (baselineCli ? `; before ${perRound(R.baseCold)}` : '') + '\n');
// The journal is compacted into a new base every ~4,096 new entries (~4-5 of these appends): those rounds write the
// whole index and are slower; the median of 'warm after an append' depends on how many of them it holds.
const warmRounds = (rs: Run[], marks: boolean[]) => {
  const batch = rs.filter((_, i) => !marks[i]);
  return `${rs.map((r, i) => `${r.seconds.toFixed(3)}${marks[i] ? 'c' : ''}`).join(' ')}; median of the rounds that appended a batch ${batch.length ? median(batch)!.seconds.toFixed(3) : 'n/a'} s`;
};
process.stdout.write(
  `warm after an append, round by round (c: the run compacted the journal into a new base): ours ${warmRounds(W.append, compacted.ours)}` +
    (baselineCli ? `; before ${warmRounds(W.baseAppend, compacted.before)}` : '') +
    '\n',
);
if (extraCa)
  process.stdout.write(
    `NODE_EXTRA_CA_CERTS is set (${extraCa}): Node takes ${m(R.node)!.seconds.toFixed(3)} s to start with it, ${m(R.nodeNoCa)!.seconds.toFixed(3)} s without; ` +
      `our cold scan without it ${m(R.coldNoCa)!.seconds.toFixed(3)} s, ${ratio(m(R.coldNoCa), m(R.cc))} ccusage (not the goal's measure: the numbers above are)\n`,
  );
for (const t of [2, 1]) {
  const split = coldByThread(cliPath, t);
  if (split) process.stdout.write(`${split}\n`);
}
process.stdout.write(`1-minute load average during the runs: min ${loads[0]!.toFixed(1)}, median ${loads[Math.floor(loads.length / 2)]!.toFixed(1)}, max ${loads[loads.length - 1]!.toFixed(1)} on ${os.cpus().length} CPUs\n`);

// ---- totals ----
type Tok = [number, number, number, number, number]; // input, output, cacheWrite5m, cacheWrite1h, cacheRead
interface OurJson {
  days: { date: string; byModel: Record<string, { input: number; output: number; cacheWrite5m: number; cacheWrite1h: number; cacheRead: number; costUsd: string | null }> }[];
  skippedLines: number;
  skipped?: Record<string, number>;
  unpricedModels: string[];
}
const oursJson = JSON.parse(finalOurs.stdout) as OurJson;
const lastWarm = JSON.parse(W.append[W.append.length - 1]!.stdout) as OurJson;
const ourTotals = new Map<string, Tok>();
for (const d of oursJson.days) for (const [mo, t] of Object.entries(d.byModel)) ourTotals.set(`${d.date} ${mo}`, [t.input, t.output, t.cacheWrite5m, t.cacheWrite1h, t.cacheRead]);
process.stdout.write(`ours: ${ourTotals.size} day×model rows; not counted: ${JSON.stringify(oursJson.skipped ?? { unreadable: oursJson.skippedLines })}; unpriced: ${oursJson.unpricedModels.join(', ') || 'none'}\n`);
process.stdout.write(`incremental index after ${runs} appends ${JSON.stringify(lastWarm.days) === JSON.stringify(oursJson.days) && JSON.stringify(lastWarm.skipped) === JSON.stringify(oursJson.skipped) ? 'EQUALS' : 'DIFFERS FROM'} a cold scan of the same files (days and tallies)\n`);

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
  // ccusage names fast-mode rows "<model>-fast", we "<model> (fast)".
  const plain = new Map<string, Tok>();
  for (const [k, t] of ourTotals) {
    const key = k.replace(/ \(fast\)$/, '-fast');
    const acc = plain.get(key) ?? [0, 0, 0, 0, 0];
    for (let i = 0; i < 5; i++) acc[i] = acc[i]! + t[i]!;
    plain.set(key, acc);
  }
  const sums = { input: [0, 0], output: [0, 0], cacheWrite: [0, 0], cacheRead: [0, 0] };
  let rows = 0;
  let differ = 0;
  const seen = new Set<string>();
  for (const d of j.daily) {
    for (const mb of d.modelBreakdowns) {
      const k = `${d.period ?? d.date} ${mb.modelName}`;
      seen.add(k);
      const o = plain.get(k) ?? [0, 0, 0, 0, 0];
      rows++;
      const c = [mb.inputTokens, mb.outputTokens, mb.cacheCreationTokens, mb.cacheReadTokens];
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
  process.stdout.write(`cost (API-equivalent estimate): ours $${ourCost.toFixed(2)} (exact decimal; unpriced models excluded and listed), ccusage $${ccCost.toFixed(2)} (binary floats)\n`);
  const missing = [...plain.keys()].filter((k) => !seen.has(k));
  process.stdout.write(`ccusage vs ours: ${differ} of ${rows} day×model rows differ; rows only in ours: ${missing.length}${missing.length ? ` (${missing.slice(0, 3).join(', ')}…)` : ''}\n`);
  for (const [name, [o, c]] of Object.entries(sums)) {
    process.stdout.write(`  ${name.padEnd(10)} ours ${o!.toLocaleString('en-US').padStart(16)}  ccusage ${c!.toLocaleString('en-US').padStart(16)}  diff ${(c! - o!).toLocaleString('en-US')}\n`);
  }
  if (differ > 0 || missing.length > 0) {
    process.stdout.write(
      '  Where we differ on purpose (README "How we count"): ccusage counts isApiErrorMessage lines, prices\n' +
        '  without the long-context tiers or dated rows, and models it does not know at $0.\n',
    );
  }
}
fs.rmSync(idx, { recursive: true, force: true });
fs.rmSync(baseIdx, { recursive: true, force: true });
fs.truncateSync(target, targetSize); // the corpus as generated, for the next run

/**
 * An independent second implementation of the counting rules (docs/claude-code-logs.md): full JSON.parse of
 * every line (and of a last line without newline when it is whole), assistant lines and the entries nested
 * in progress lines, synthetic and API-error lines skipped, `(fast)` rows, dedup by message.id + requestId
 * (parent over sidechain, then the largest copy), sidechain entries whose message.id has a parent dropped.
 */
function naiveCount(list: string[]): Map<string, Tok> {
  type Best = { side: boolean; id?: string; total: number; ts: string; day: string; model: string; t: Tok };
  const best = new Map<string, Best>();
  const keyless: Best[] = [];
  const parents = new Set<string>();
  for (const f of list) {
    const text = fs.readFileSync(f, 'utf8');
    const lines = text.split('\n');
    const last = lines.pop()!;
    try {
      if (last.trim()) {
        JSON.parse(last);
        lines.push(last);
      }
    } catch {
      // still being written
    }
    for (const l of lines) {
      type Entry = { type?: string; isSidechain?: unknown; isApiErrorMessage?: boolean; requestId?: string; timestamp?: string; message?: { id?: string; model?: string; usage?: Record<string, unknown> }; data?: { message?: Entry } };
      let o: Entry;
      try {
        o = JSON.parse(l) as Entry;
      } catch {
        continue;
      }
      let e: Entry | undefined;
      let nested = false;
      if (o?.type === 'assistant') e = o;
      else if (o?.type === 'progress' && o.data?.message?.type === 'assistant') {
        e = o.data.message;
        nested = true;
      }
      const u = e?.message?.usage as Record<string, number | Record<string, number>> | undefined;
      if (!e || !u || typeof u !== 'object' || e.message?.model === '<synthetic>' || e.isApiErrorMessage === true || !e.timestamp) continue;
      const cc = u.cache_creation as Record<string, number> | undefined;
      const creation = (u.cache_creation_input_tokens as number) ?? 0;
      const w1 = Math.min(cc?.ephemeral_1h_input_tokens ?? 0, creation);
      const t: Tok = [(u.input_tokens as number) ?? 0, (u.output_tokens as number) ?? 0, creation - w1, w1, (u.cache_read_input_tokens as number) ?? 0];
      const side = nested ? e.isSidechain !== false : e.isSidechain === true;
      const model = `${e.message?.model ?? '<unknown>'}${(u.speed as unknown) === 'fast' ? ' (fast)' : ''}`;
      const id = e.message?.id;
      const b: Best = { side, id, total: t.reduce((a, x) => a + x, 0), ts: e.timestamp, day: new Date(e.timestamp).toISOString().slice(0, 10), model, t };
      if (!id) {
        keyless.push(b);
        continue;
      }
      if (!side) parents.add(id);
      const k = e.requestId ? `${id}\u0000${e.requestId}` : id;
      const prev = best.get(k);
      if (!prev || (prev.side && !b.side) || (prev.side === b.side && (b.total > prev.total || (b.total === prev.total && Date.parse(b.ts) < Date.parse(prev.ts))))) best.set(k, b);
    }
  }
  const out = new Map<string, Tok>();
  for (const b of [...[...best.values()].filter((x) => !(x.side && x.id !== undefined && parents.has(x.id))), ...keyless]) {
    const k = `${b.day} ${b.model}`;
    const acc = out.get(k) ?? [0, 0, 0, 0, 0];
    for (let i = 0; i < 5; i++) acc[i] = acc[i]! + b.t[i]!;
    out.set(k, acc);
  }
  return out;
}
