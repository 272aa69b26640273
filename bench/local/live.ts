/**
 * The extension's side of the transcript engine, without VS Code: the engine made and asked as the extension
 * host makes and asks it (`createLocalUsage` with `sharedThread`: its state in this thread, every big read by
 * the scan helper `dist/indexWorker.js`) builds the index of a corpus, then one ~1.5 KB response line is
 * appended to a transcript every `--interval` seconds and a refresh asked for, as the file watcher does. Prints:
 * - the cold index: wall time, peak RSS of this process (main thread + helper, like the extension host);
 * - per appended line: bytes the index wrote (file size growth, or the whole file when it was replaced),
 *   bytes of storage writes of the whole process (/proc/self/io write_bytes, page-granular, minus the line
 *   itself), and the size of the LocalUsageData the store then persists in snapshot.json;
 * - CPU of the whole process while appending (% of one core over the wall time, idle included);
 * - steady RSS;
 * - with `--malloc`: what glibc's allocator holds in this process and how much `malloc_trim` gives back (malloc.ts).
 *   tsx bench/local/live.ts --dir .bench-data/local [--helper dist/indexWorker.js] [--interval 5] [--lines 24] [--index DIR]
 * `--index DIR` keeps the index there between runs: a second run starts from it (the saved index loaded, as in
 * every session after the first).
 * `--helper` points at another build's indexWorker.js (the scan helper; its protocol must be this build's).
 * The corpus is restored at the end.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { threadCpu, threadSplit } from './threads';
import { argv, opt } from './args';
import { mallocReport } from './malloc';
import { listFiles } from './corpus';
import { createLocalUsage } from '../../src/core/local/service';
import { nowDate } from '../../src/core/clock';
import type { LocalUsageData } from '../../src/core/model/snapshot';

const ROOT = path.resolve(__dirname, '..', '..');
const dir = path.resolve(opt('dir', path.join(ROOT, '.bench-data', 'local'))!);
const helperFile = path.resolve(opt('helper', path.join(ROOT, 'dist', 'indexWorker.js'))!);
const intervalMs = Number(opt('interval', '5')) * 1000;
const lines = Number(opt('lines', '24'));
const projects = path.join(dir, 'projects');

const status = (k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? NaN) / 1024;
const writeBytes = () => Number(/write_bytes: (\d+)/.exec(fs.readFileSync('/proc/self/io', 'utf8'))?.[1] ?? NaN);

/** Bytes written to the index folder since the last call: growth of a file, or all of a replaced one. */
function indexWriter(idx: string): () => number {
  let seen = new Map<string, { ino: number; size: number; mtimeMs: number }>();
  return () => {
    const now = new Map<string, { ino: number; size: number; mtimeMs: number }>();
    let bytes = 0;
    for (const n of fs.existsSync(idx) ? fs.readdirSync(idx) : []) {
      const st = fs.statSync(path.join(idx, n), { throwIfNoEntry: false });
      if (!st || !st.isFile() || n.endsWith('.lock')) continue;
      now.set(n, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
      const prev = seen.get(n);
      if (!prev || prev.ino !== st.ino) bytes += st.size;
      else if (st.mtimeMs !== prev.mtimeMs || st.size !== prev.size) bytes += st.size >= prev.size ? st.size - prev.size : st.size;
    }
    seen = now;
    return bytes;
  };
}

async function main(): Promise<void> {
  // --index DIR: an index kept between runs (the second run loads it, as every session after the first does).
  const keptIndex = opt('index');
  const loads = keptIndex !== undefined && fs.existsSync(keptIndex) && fs.readdirSync(keptIndex).length > 0;
  if (keptIndex) fs.mkdirSync(keptIndex, { recursive: true });
  const idx = keptIndex ? path.resolve(keptIndex) : fs.mkdtempSync(path.join(os.tmpdir(), 'bench-live-idx-'));
  const files = listFiles(projects)
    .map((f) => ({ f, st: fs.statSync(f) }))
    .sort((a, b) => b.st.mtimeMs - a.st.mtimeMs || b.st.size - a.st.size);
  const target = files.find((x) => !x.f.includes('subagents'))!.f;
  const targetSize = fs.statSync(target).size;
  const since = new Date(Date.parse('2026-11-27T12:00:00Z') - 90 * 86_400_000).toISOString().slice(0, 10);
  const rssBefore = status('VmRSS');
  // The engine as src/host/local.ts makes it. An unchanged day row comes back as the very object of the reply before.
  if (!fs.existsSync(helperFile)) throw new Error(`no scan helper ${helperFile} (npm run build)`);
  const usage = createLocalUsage({ roots: [projects], indexDir: idx, timezone: 'UTC', sharedThread: true, scanWorkerFile: helperFile });
  const newRows: number[] = [];
  let last: LocalUsageData['days'] = [];
  const projectDetailSince = new Date(Date.parse('2026-11-27T12:00:00Z') - 14 * 86_400_000).toISOString().slice(0, 10);
  // As the extension asks (src/host/local.ts): 90 days of rows, per project for the last 14, a week of
  // sessions and windows, and the paths its file watcher reported.
  const refresh = async (changed?: string[]): Promise<LocalUsageData> => {
    const data = await usage.refresh({ since, recent: true, projectDetailSince, ...(changed ? { changed } : {}) });
    newRows.push(data.days.filter((r, i) => r !== last[i]).length);
    last = data.days;
    return data;
  };
  // Peak RSS while the cold index runs, sampled (VmHWM also covers it).
  let peak = rssBefore;
  const sampler = setInterval(() => (peak = Math.max(peak, status('VmRSS'))), 20);
  const written = indexWriter(idx);
  // The longest stretch this thread (the extension host's, in VS Code) was held: how late a 10 ms timer ran.
  const held = () => {
    const h = monitorEventLoopDelay({ resolution: 10 });
    h.enable();
    // (A stretch shows when the timer after it runs: one more tick before reading.)
    return async () => {
      await new Promise((r) => setTimeout(r, 25));
      h.disable();
      return h.max / 1e6;
    };
  };
  const coldHeld = held();
  const t0 = performance.now();
  const cold = await refresh();
  const coldMs = performance.now() - t0;
  const coldHeldMs = await coldHeld();
  clearInterval(sampler);
  peak = Math.max(peak, status('VmHWM'));
  const coldIndexBytes = written();
  process.stdout.write(
    `corpus ${files.length} files; ${loads ? 'first refresh, the saved index loaded' : 'cold index (read by the helper)'}: ${(coldMs / 1000).toFixed(2)} s (this thread held at most ${coldHeldMs.toFixed(0)} ms at a time), peak RSS ${peak.toFixed(0)} MiB (process before: ${rssBefore.toFixed(0)} MiB), index ${(coldIndexBytes / 1048576).toFixed(1)} MiB, data ${(JSON.stringify(cold).length / 1024).toFixed(0)} KiB\n`,
  );
  // Steady state: one response line every interval.
  const template = (n: number) =>
    JSON.stringify({
      parentUuid: 'p',
      isSidechain: false,
      userType: 'external',
      cwd: '/home/dev/live',
      sessionId: 'live-session',
      version: '2.1.140',
      gitBranch: 'main',
      message: { model: 'claude-sonnet-4-6', id: `msg_live_${n}`, type: 'message', role: 'assistant', content: [{ type: 'text', text: 'w'.repeat(900) }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, cache_creation_input_tokens: 120, cache_read_input_tokens: 24000, cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 120 }, output_tokens: 300, service_tier: 'standard' } },
      requestId: `req_live_${n}`,
      type: 'assistant',
      uuid: `u-${n}`,
      // Claude Code stamps a line when it writes it (as vscode.ts does): a line in the past would be a
      // late copy that can move the 5-hour windows' boundaries, which real appends do not.
      timestamp: nowDate().toISOString(),
    }) + '\n';
  const fd = fs.openSync(target, 'r');
  const tail = Buffer.alloc(1);
  fs.readSync(fd, tail, 0, 1, targetSize - 1);
  fs.closeSync(fd);
  if (tail[0] !== 0x0a) fs.appendFileSync(target, '\n');
  written();
  const perLine: { index: number; io: number; data: number; ms: number }[] = [];
  const rss: number[] = [];
  // CPU of the whole process (every thread) over the whole period, idle included, minus what this
  // script itself spends measuring (the JSON size of the data).
  const cpu0 = process.cpuUsage();
  const threads0 = threadCpu(process.pid);
  let measuring = 0;
  const wall0 = performance.now();
  const appendHeld = held();
  for (let n = 1; n <= lines; n++) {
    await new Promise((r) => setTimeout(r, intervalMs));
    const io0 = writeBytes();
    const line = template(n);
    fs.appendFileSync(target, line);
    const s = performance.now();
    const data = await refresh([target]);
    const ms = performance.now() - s;
    const m0 = process.cpuUsage();
    const size = JSON.stringify(data).length;
    const m1 = process.cpuUsage(m0);
    measuring += m1.user + m1.system;
    perLine.push({ index: written(), io: writeBytes() - io0 - Buffer.byteLength(line), data: size, ms });
    rss.push(status('VmRSS'));
  }
  const wall = performance.now() - wall0;
  const appendHeldMs = await appendHeld();
  const c0 = process.cpuUsage(cpu0);
  const c = { user: c0.user - measuring, system: c0.system };
  const split = threadSplit(process.pid, threads0, threadCpu(process.pid), (c0.user + c0.system) / 1000, wall);
  const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  process.stdout.write(
    [
      `${lines} lines, one every ${intervalMs / 1000} s (helper ${path.basename(path.dirname(helperFile))}/${path.basename(helperFile)}):`,
      `  index bytes written per line: median ${med(perLine.map((p) => p.index)).toLocaleString('en-US')}, mean ${Math.round(sum(perLine.map((p) => p.index)) / lines).toLocaleString('en-US')}, max ${Math.max(...perLine.map((p) => p.index)).toLocaleString('en-US')}`,
      `  storage writes of the process per line (/proc write_bytes, 4 KiB pages): median ${med(perLine.map((p) => p.io)).toLocaleString('en-US')}`,
      `  LocalUsageData the store persists per refresh (snapshot.json share): ${(med(perLine.map((p) => p.data)) / 1024).toFixed(0)} KiB; day rows new (not the objects of the reply before): median ${med(newRows.slice(1))} of ${last.length}`,
      `  refresh time: median ${med(perLine.map((p) => p.ms)).toFixed(0)} ms, max ${Math.max(...perLine.map((p) => p.ms)).toFixed(0)} ms; this thread held at most ${appendHeldMs.toFixed(0)} ms at a time`,
      `  CPU while appending: ${(((c.user + c.system) / 1000 / wall) * 100).toFixed(2)} % of one core (${((c.user + c.system) / 1000 / lines).toFixed(0)} ms CPU per line; by thread, this script's measuring included: ${split})`,
      `  steady RSS: median ${med(rss).toFixed(0)} MiB, max ${Math.max(...rss).toFixed(0)} MiB; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
      ...(argv.includes('--malloc') ? [mallocReport(process.pid)] : []),
      '',
    ].join('\n'),
  );
  usage.close();
  fs.truncateSync(target, targetSize);
  if (!keptIndex) fs.rmSync(idx, { recursive: true, force: true });
}

void main();
