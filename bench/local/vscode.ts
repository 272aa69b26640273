/**
 * The packaged extension in the real VS Code (code-server + headless Chromium, the e2e harness's pieces) with
 * a generated corpus as `~/.claude/projects`, no keys. Prints what issue 15 measures:
 * - the cold first index: seconds from the page opening until the status bar shows today's estimate, and the
 *   extension host's peak RSS meanwhile (VmHWM of its process; the scan helper is a thread in it);
 * - then one ~1.5 KB response appended every `--interval` seconds: seconds until the status bar shows it,
 *   bytes written to the extension's global storage per line (index journal, snapshot.json, ...), the
 *   extension host's CPU (% of one core over the whole period, idle included, and over the second half of
 *   the lines alone: the steady state once V8 has compiled what a refresh runs) and its steady RSS;
 * - with `--idle S`: its RSS and CPU after S seconds without appends;
 * - with `--malloc`: after the appends, what glibc's allocator holds in the extension host and how much
 *   `malloc_trim` gives back (gdb; malloc.ts), which changes the figures taken after it;
 * - with `--reload`: the window reloaded (a new extension host that loads the saved index, as in every session
 *   after the first) and as many lines appended again: the steady RSS and CPU of that host;
 * - with `--heap FILE.heapsnapshot`: after the appends, a heap snapshot of the extension host's main thread
 *   (its inspector, as for --profile; the scan helper's heap is not in it; with `--reload`, also of the
 *   reloaded host's, to FILE.reload.heapsnapshot);
 * - with `--spaces`: a probe extension (bench/local/probe) installed beside it, or alone with `--floor`, samples the
 *   extension host's RSS and its main thread's V8 heap spaces every 10 s; printed at the end as a timeline (the
 *   young generation's committed size, old space used / committed, array buffers), to set ours against VS Code's own;
 * - with `--rebuild`: the saved index is marked as an older format and the window reloaded, as after an update
 *   that changed the format: whether the progress notification shows (its text, test-results/bench-local-rebuild.png)
 *   and the seconds until the index is saved again.
 *   tsx bench/local/vscode.ts --dir .bench-data/local [--vsix OLD.vsix] [--lines 12] [--interval 5] [--idle 120] [--floor]
 * Without --vsix the current tree is packaged like the e2e suite does. The corpus is restored at the end.
 * `--floor`: the same VS Code, HOME and appends with no extension installed: the extension host's own CPU and
 * RSS, the floor under the figures above.
 * `--profile FILE.cpuprofile`: a CPU profile of the extension host's main thread while the lines are appended
 * (its inspector opened with SIGUSR1; the engine runs on it, the scan helper only for big reads), with
 * the functions and the files that took the most time printed.
 */
import { appendFileSync, closeSync, cpSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, statSync, symlinkSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { REPO, ensureVsCode, freePort, installVsix, launchChromium, removeDir, startCodeServer, STATUS_BAR_SELECTOR, tempDir, writeUserSettings } from '../../test/support/vscode';
import { nowDate } from '../../src/core/clock';
import { prepareExtension } from '../../test/e2e/package';
import { BASE_MAGIC, INDEX_VERSION } from '../../src/core/local/transcriptIndex';
import { argv, opt } from './args';
import { cpuMs, threadCpu, threadSplit } from './threads';
import { mallocReport } from './malloc';

const dir = path.resolve(opt('dir', '.bench-data/local')!);
const vsix = opt('vsix');
const lines = Number(opt('lines', '12'));
const intervalMs = Number(opt('interval', '5')) * 1000;
const floor = argv.includes('--floor');
const profileOut = opt('profile');
/** Seconds to stay after the appends, then the host's RSS and CPU idle. */
const idleS = Number(opt('idle', '0'));
const rebuild = argv.includes('--rebuild');
const malloc = argv.includes('--malloc');
const reload = argv.includes('--reload');
const heapOut = opt('heap');
const spaces = argv.includes('--spaces');

/** The extension host's main thread over the inspector protocol (Node's inspector, opened by SIGUSR1). */
/** A heap snapshot of the extension host's main thread (taken after a full collection), written to `out`. */
async function heapSnapshot(pid: number, out: string): Promise<void> {
  const h = await inspector(pid);
  const chunks: string[] = [];
  h.on('HeapProfiler.addHeapSnapshotChunk', (p) => chunks.push((p as { chunk: string }).chunk));
  await h.send('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
  h.close();
  writeFileSync(out, chunks.join(''));
  process.stdout.write(`heap snapshot of the extension host's main thread: ${out}\n`);
}

async function inspector(pid: number): Promise<{ send(method: string, params?: object): Promise<unknown>; on(method: string, fn: (params: unknown) => void): void; close(): void }> {
  const { WebSocket } = await import('undici');
  process.kill(pid, 'SIGUSR1');
  let url: string | undefined;
  for (let n = 0; n < 50 && !url; n++) {
    await new Promise((r) => setTimeout(r, 200));
    const list = (await fetch('http://127.0.0.1:9229/json/list').then((r) => r.json(), () => [])) as { webSocketDebuggerUrl?: string }[];
    url = list[0]?.webSocketDebuggerUrl;
  }
  if (!url) throw new Error('the extension host did not open its inspector on 127.0.0.1:9229');
  const ws = new WebSocket(url);
  await new Promise((resolve, reject) => {
    ws.addEventListener('open', resolve);
    ws.addEventListener('error', reject);
  });
  let id = 0;
  const waiting = new Map<number, (v: unknown) => void>();
  const events = new Map<string, (params: unknown) => void>();
  ws.addEventListener('message', (e) => {
    const m = JSON.parse(String(e.data)) as { id?: number; result?: unknown; method?: string; params?: unknown };
    if (m.id !== undefined) waiting.get(m.id)?.(m.result);
    else if (m.method) events.get(m.method)?.(m.params);
  });
  return {
    send: (method, params = {}) =>
      new Promise((resolve) => {
        waiting.set(++id, resolve);
        ws.send(JSON.stringify({ id, method, params }));
      }),
    on: (method, fn) => events.set(method, fn),
    close: () => ws.close(),
  };
}

interface CpuProfile {
  nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }[];
  samples: number[];
  timeDeltas: number[];
}

/** Self time per function and per file, largest first. */
function summarize(p: CpuProfile): string {
  const byNode = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const fn = new Map<string, number>();
  const file = new Map<string, number>();
  for (const [id, us] of self) {
    const cf = byNode.get(id)!.callFrame;
    const where = cf.url ? cf.url.replace(/^.*\/(extensions|node_modules|out)\//, '$1/') : '(native)';
    const name = `${cf.functionName || '(anonymous)'} ${where}:${cf.lineNumber + 1}`;
    fn.set(name, (fn.get(name) ?? 0) + us);
    file.set(where, (file.get(where) ?? 0) + us);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, us]) => `    ${(us / 1000).toFixed(0).padStart(6)} ms ${((us / total) * 100).toFixed(1).padStart(5)} %  ${k}`)
      .join('\n');
  return `  profile: ${(total / 1000).toFixed(0)} ms sampled\n  by file:\n${top(file, 10)}\n  by function:\n${top(fn, 20)}\n`;
}

const status = (pid: number, k: string) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;

function children(pid: number): number[] {
  const out: number[] = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const st = readFileSync(`/proc/${d}/stat`, 'utf8');
      if (Number(st.slice(st.lastIndexOf(')') + 2).split(' ')[1]) === pid) out.push(Number(d));
    } catch {
      // gone
    }
  }
  return out;
}

/** The extension host: a descendant of code-server whose command line says so. */
function extensionHost(root: number, not?: number): number | undefined {
  const queue = [root];
  while (queue.length) {
    const p = queue.shift()!;
    try {
      if (p !== not && /extensionHost/.test(readFileSync(`/proc/${p}/cmdline`, 'utf8'))) return p;
    } catch {
      continue;
    }
    queue.push(...children(p));
  }
  return undefined;
}

function storageWriter(d: string): () => number {
  let seen = new Map<string, { ino: number; size: number; mtimeMs: number }>();
  const walk = (x: string, out: string[]) => {
    for (const e of existsSync(x) ? readdirSync(x, { withFileTypes: true }) : []) {
      const p = path.join(x, e.name);
      if (e.isDirectory()) walk(p, out);
      else if (e.isFile()) out.push(p);
    }
    return out;
  };
  return () => {
    const now = new Map<string, { ino: number; size: number; mtimeMs: number }>();
    let total = 0;
    for (const p of walk(d, [])) {
      const st = statSync(p, { throwIfNoEntry: false });
      if (!st) continue;
      now.set(p, { ino: st.ino, size: st.size, mtimeMs: st.mtimeMs });
      const prev = seen.get(p);
      total += !prev || prev.ino !== st.ino ? st.size : st.mtimeMs !== prev.mtimeMs || st.size !== prev.size ? (st.size >= prev.size ? st.size - prev.size : st.size) : 0;
    }
    seen = now;
    return total;
  };
}

async function main(): Promise<void> {
  ensureVsCode();
  const tmp = tempDir('bench-vscode');
  const userDataDir = path.join(tmp, 'user-data');
  const extensionsDir = path.join(tmp, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  if (floor) {
    // nothing of ours installed
  } else if (vsix) {
    const r = installVsix(path.resolve(vsix), extensionsDir, path.join(tmp, 'install-user-data'));
    if (!r.ok) throw new Error(r.output);
  } else cpSync(await prepareExtension(), extensionsDir, { recursive: true });
  // After the extension: a copied extensions folder brings its own list of installed extensions.
  if (spaces) {
    const r = installVsix(packageProbe(tmp), extensionsDir, path.join(tmp, 'install-user-data'));
    if (!r.ok) throw new Error(r.output);
  }
  const probeLog = path.join(tmp, 'probe.jsonl');
  const home = path.join(tmp, 'home');
  mkdirSync(path.join(home, '.claude'), { recursive: true });
  symlinkSync(path.join(dir, 'projects'), path.join(home, '.claude', 'projects'));
  const workspace = path.join(tmp, 'workspace');
  mkdirSync(workspace, { recursive: true });
  writeUserSettings(userDataDir, { 'claudeUsage.local.timezone': 'UTC' });
  const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, ...(spaces ? { CLAUDE_USAGE_PROBE_LOG: probeLog } : {}) };
  delete env.ANTHROPIC_API_KEY;
  delete env.ANTHROPIC_ADMIN_API_KEY;
  const target = readdirSync(path.join(dir, 'projects'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.jsonl') && !e.parentPath.includes('subagents'))
    .map((e) => path.join(e.parentPath, e.name))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0]!;
  const targetSize = statSync(target).size;
  const port = await freePort();
  const cs = await startCodeServer({ port, userDataDir, extensionsDir, folder: workspace, env, logFile: path.join(tmp, 'server.log') });
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    const t0 = performance.now();
    await page.goto(`http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}`);
    let host: number | undefined;
    let peak = 0;
    // With no extension (--floor) there is no item: not waited for (Playwright would wait 30 s a call, which made
    // the floor's lines 30 s apart instead of --interval).
    const text = async () => (floor ? '' : ((await page.locator(STATUS_BAR_SELECTOR).innerText().catch(() => '')) ?? '').trim());
    let shot = false;
    for (;;) {
      host ??= extensionHost(cs.child.pid!);
      if (host) peak = Math.max(peak, status(host, 'VmRSS'));
      if (!shot && (await page.locator('.notification-toast').count().catch(() => 0)) > 0) {
        // The first-index progress notification, to check its text fits.
        shot = true;
        mkdirSync(path.join(REPO, 'test-results'), { recursive: true });
        await page.screenshot({ path: path.join(REPO, 'test-results', 'bench-local-progress.png') }).catch(() => undefined);
        const t = await page.locator('.notification-toast').first().innerText().catch(() => '');
        process.stdout.write(`progress notification: ${JSON.stringify(t)} (test-results/bench-local-progress.png)\n`);
      }
      if (floor ? host !== undefined && performance.now() - t0 > 20_000 : /today/.test(await text())) break;
      if (performance.now() - t0 > 600_000) throw new Error('no estimate after 10 minutes');
      await new Promise((r) => setTimeout(r, 100));
    }
    const coldS = (performance.now() - t0) / 1000;
    peak = Math.max(peak, status(host!, 'VmHWM'));
    const storage = path.join(userDataDir, 'User', 'globalStorage', 'claude-usage.claude-usage');
    if (floor) process.stdout.write('no extension installed (--floor): the extension host alone\n');
    else process.stdout.write(`corpus ${dir}; first index until the status bar shows it: ${coldS.toFixed(1)} s; extension host peak RSS ${peak.toFixed(0)} MiB\n`);
    await new Promise((r) => setTimeout(r, 5000));
    const written = storageWriter(existsSync(storage) ? storage : userDataDir);
    written();
    const per: { bytes: number; showS: number }[] = [];
    const rss: number[] = [];
    const prof = profileOut ? await inspector(host!) : undefined;
    if (prof) {
      await prof.send('Profiler.enable');
      await prof.send('Profiler.setSamplingInterval', { interval: 500 });
      await prof.send('Profiler.start');
    }
    const cpu0 = cpuMs(host!);
    const threads0 = threadCpu(host!);
    const w0 = performance.now();
    /** CPU, threads and time when the second half of the lines starts: the steady state, once V8 has compiled what a refresh runs. */
    let half: { cpu: number; threads: ReturnType<typeof threadCpu>; at: number } | undefined;
    await appendLines(text, target, host!, 'vs', (n, p) => {
      if (n === Math.floor(lines / 2) + 1 && lines >= 4) half = { cpu: cpuMs(host!), threads: threadCpu(host!), at: performance.now() };
      if (p) {
        per.push({ bytes: written(), showS: p.showS });
        rss.push(p.rss);
      }
    });
    const wall = performance.now() - w0;
    // Before the profile is stopped: the host serializing it is not part of appending.
    const cpuEnd = cpuMs(host!);
    const cpu = cpuEnd - cpu0;
    const threads1 = threadCpu(host!);
    const split = threadSplit(host!, threads0, threads1, cpu, wall);
    const halfLine = half
      ? (() => {
          const c = cpuEnd - half.cpu;
          const w = w0 + wall - half.at;
          return `  the second half of the lines alone (${lines - Math.floor(lines / 2)}): ${((c / w) * 100).toFixed(1)} % of one core (${threadSplit(host!, half.threads, threads1, c, w)})`;
        })()
      : '';
    if (prof && profileOut) {
      const { profile } = (await prof.send('Profiler.stop')) as { profile: CpuProfile };
      prof.close();
      writeFileSync(profileOut, JSON.stringify(profile));
      process.stdout.write(`extension host main thread while appending (${profileOut}):\n${summarize(profile)}`);
    }
    if (heapOut) await heapSnapshot(host!, heapOut);
    const mallocLine = malloc ? mallocReport(host!) : '';
    let idleLine = '';
    if (idleS > 0) {
      const c0 = cpuMs(host!);
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, idleS * 1000));
      const idleCpu = ((cpuMs(host!) - c0) / (performance.now() - t0)) * 100;
      idleLine = `  then ${idleS} s without appends: extension host RSS ${status(host!, 'VmRSS').toFixed(0)} MiB at the end, CPU ${idleCpu.toFixed(1)} % of one core`;
    }
    const reloadLine = reload && !floor ? await steadyAfterReload(page, cs.child.pid!, host!, text, target) : '';
    const rebuildLine = rebuild && !floor ? await rebuildAfterReload(page, storage) : '';
    process.stdout.write(
      [
        `${lines} lines, one every ${intervalMs / 1000} s:`,
        ...(floor
          ? []
          : [
              `  shown in the status bar after: median ${med(per.map((p) => p.showS)).toFixed(1)} s, max ${Math.max(...per.map((p) => (Number.isNaN(p.showS) ? Infinity : p.showS))).toFixed(1)} s`,
              `  bytes written to the extension's storage per line: median ${med(per.map((p) => p.bytes)).toLocaleString('en-US')}, max ${Math.max(...per.map((p) => p.bytes)).toLocaleString('en-US')}`,
            ]),
        `  extension host CPU while appending: ${((cpu / wall) * 100).toFixed(1)} % of one core (${split})`,
        ...(halfLine ? [halfLine] : []),
        `  extension host RSS: median ${med(rss).toFixed(0)} MiB, max ${Math.max(...rss).toFixed(0)} MiB; load average ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
        ...(mallocLine ? [mallocLine] : []),
        ...(idleLine ? [idleLine] : []),
        ...(reloadLine ? [reloadLine] : []),
        ...(rebuildLine ? [rebuildLine] : []),
        ...(spaces ? [spacesTimeline(probeLog, t0)] : []),
        '',
      ].join('\n'),
    );
  } finally {
    await browser.close().catch(() => undefined);
    await cs.stop();
    truncateSync(target, targetSize);
    if (!process.env.KEEP_TMP) removeDir(tmp);
  }
}

/** The probe extension (bench/local/probe) packaged into `tmp`. */
function packageProbe(tmp: string): string {
  const out = path.join(tmp, 'heap-probe.vsix');
  const r = spawnSync(process.execPath, [path.join(REPO, 'node_modules', '@vscode', 'vsce', 'vsce'), 'package', '--allow-missing-repository', '--skip-license', '-o', out], {
    cwd: path.join(REPO, 'bench', 'local', 'probe'),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`packaging the probe failed:\n${r.stdout}${r.stderr}`);
  return out;
}

/** The probe's samples (one JSON line each, per extension host: a reload starts another), as a table. */
function spacesTimeline(file: string, t0: number): string {
  interface Sample {
    at: number;
    pid: number;
    rss: number;
    heapTotal: number;
    arrayBuffers: number;
    spaces: Record<string, [number, number]>;
  }
  const rows = existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Sample) : [];
  const start = performance.timeOrigin + t0;
  const lines = ['  the extension host every 10 s (probe): s since the page opened, pid, RSS, V8 heap committed, young generation used/committed, old space used/committed, array buffers (MiB)'];
  for (const r of rows) {
    const young = r.spaces.new_space ?? [0, 0];
    const old = r.spaces.old_space ?? [0, 0];
    lines.push(`    ${((r.at - start) / 1000).toFixed(0).padStart(4)} s  ${r.pid}  ${r.rss.toFixed(0)}  ${r.heapTotal.toFixed(0)}  ${young[0]}/${young[1]}  ${old[0]}/${old[1]}  ${r.arrayBuffers}`);
  }
  if (!rows.length) lines.push('    no samples (the probe did not run)');
  return lines.join('\n');
}

/** The median (the upper one of an even count). */
const med = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/** One ~1.5 KB response of Claude Code's shape, timestamped now: $1.00 of Sonnet 4.6 output. */
const responseLine = (id: string): string =>
  `${JSON.stringify({ parentUuid: null, isSidechain: false, userType: 'external', cwd: '/home/dev/live', sessionId: 'live', version: '2.1.140', gitBranch: 'main', message: { model: 'claude-sonnet-4-6', id: `msg_${id}`, type: 'message', role: 'assistant', content: [{ type: 'text', text: 'v'.repeat(900) }], stop_reason: 'end_turn', stop_sequence: null, usage: { input_tokens: 3, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 66_667, service_tier: 'standard' } }, requestId: `req_${id}`, type: 'assistant', uuid: id, timestamp: nowDate().toISOString() })}\n`;

let appended = false;

/**
 * Appends `lines` responses to `target`, one every `intervalMs`, and tells `each` before every line (`p`
 * undefined) and after its interval: seconds until the status bar text changed (NaN: it did not) and the host's RSS.
 */
async function appendLines(text: () => Promise<string>, target: string, host: number, tag: string, each: (n: number, p?: { showS: number; rss: number }) => void): Promise<void> {
  let last = await text();
  for (let n = 1; n <= lines; n++) {
    each(n);
    const line = responseLine(`${tag}_${n}`);
    const a = performance.now();
    // The transcript's last line may lack its newline: one goes before the first line this run appends.
    appendFileSync(target, appended ? line : `\n${line}`);
    appended = true;
    let showS = NaN;
    while (performance.now() - a < intervalMs) {
      const t = await text();
      if (t !== last) {
        // The first change after the append; later ones in the same interval (a second repaint) only move `last`.
        if (Number.isNaN(showS)) showS = (performance.now() - a) / 1000;
        last = t;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    each(n, { showS, rss: status(host, 'VmRSS') });
  }
}

/** Runs "Developer: Reload Window" from the command palette. */
async function reloadWindow(page: import('playwright-core').Page): Promise<void> {
  await page.keyboard.press('F1');
  const widget = page.locator('.quick-input-widget');
  await widget.locator('input').waitFor({ state: 'visible', timeout: 10_000 });
  await page.keyboard.type('Developer: Reload Window', { delay: 5 });
  await widget.locator('.monaco-list-row', { hasText: 'Developer: Reload Window' }).first().click();
}

/**
 * Reloads the window, waits for the new extension host to show today's estimate and settle, then appends
 * `lines` lines again: that host's steady RSS and CPU, the state of every session after the first index.
 */
async function steadyAfterReload(page: import('playwright-core').Page, root: number, old: number, text: () => Promise<string>, target: string): Promise<string> {
  await reloadWindow(page);
  const t0 = performance.now();
  let host: number | undefined;
  while (!host || !/today/.test(await text())) {
    if (performance.now() - t0 > 120_000) return '  --reload: no new extension host with an estimate within 2 minutes';
    const h = extensionHost(root, old);
    if (h) host = h;
    await new Promise((r) => setTimeout(r, 200));
  }
  // The startup refresh (a full look at every transcript) comes ~2 s after activation.
  await new Promise((r) => setTimeout(r, 10_000));
  const rss: number[] = [];
  const shown: number[] = [];
  const cpu0 = cpuMs(host);
  const w0 = performance.now();
  await appendLines(text, target, host, 'vsr', (_, p) => {
    if (p) {
      rss.push(p.rss);
      shown.push(p.showS);
    }
  });
  const cpu = ((cpuMs(host) - cpu0) / (performance.now() - w0)) * 100;
  if (heapOut) await heapSnapshot(host, heapOut.replace(/(\.heapsnapshot)?$/, '.reload.heapsnapshot'));
  return `  after a reload (the saved index loaded), ${lines} more lines: shown after median ${med(shown).toFixed(1)} s; extension host CPU ${cpu.toFixed(1)} % of one core; RSS median ${med(rss).toFixed(0)} MiB, max ${Math.max(...rss).toFixed(0)} MiB`;
}

/** The index's base files (by their magic) under the extension's storage, with the format version they carry. */
function indexBases(storage: string): { file: string; version: number }[] {
  const out: { file: string; version: number }[] = [];
  for (const e of readdirSync(storage, { recursive: true, withFileTypes: true })) {
    if (!e.isFile()) continue;
    const file = path.join(e.parentPath, e.name);
    const fd = openSync(file, 'r');
    const head = Buffer.alloc(BASE_MAGIC.length + 4);
    const n = readSync(fd, head, 0, head.length, 0);
    closeSync(fd);
    if (n === head.length && head.subarray(0, BASE_MAGIC.length).equals(BASE_MAGIC)) out.push({ file, version: head.readUInt32LE(BASE_MAGIC.length) });
  }
  return out;
}

/**
 * Marks the saved index as one of the format before (what an update that changes the format leaves behind),
 * reloads the window, and reports whether the progress notification shows and how long until the rebuilt
 * index is saved.
 */
async function rebuildAfterReload(page: import('playwright-core').Page, storage: string): Promise<string> {
  mkdirSync(path.join(REPO, 'test-results'), { recursive: true });
  const bases = indexBases(storage);
  if (bases.length === 0) return '  --rebuild: no index found in the extension storage';
  for (const b of bases) {
    const fd = openSync(b.file, 'r+');
    const v = Buffer.alloc(4);
    v.writeUInt32LE(INDEX_VERSION - 1);
    writeSync(fd, v, 0, 4, BASE_MAGIC.length);
    closeSync(fd);
  }
  await reloadWindow(page);
  const t0 = performance.now();
  let toast: { at: number; text: string } | undefined;
  for (;;) {
    if (!toast) {
      const t = page.locator('.notification-toast', { hasText: 'indexing transcripts' });
      if ((await t.count().catch(() => 0)) > 0) {
        const at = performance.now() - t0;
        // Once it has slid in and shown a first count.
        await new Promise((r) => setTimeout(r, 800));
        toast = { at, text: (await t.first().innerText().catch(() => '')).replace(/\s+/g, ' ') };
        await page.screenshot({ path: path.join(REPO, 'test-results', 'bench-local-rebuild.png') }).catch(() => undefined);
      }
    }
    const now = indexBases(storage);
    if (now.length > 0 && now.every((b) => b.version === INDEX_VERSION)) break;
    if (performance.now() - t0 > 300_000) return '  --rebuild: the index was not saved again within 5 minutes';
    await new Promise((r) => setTimeout(r, 100));
  }
  const savedS = (performance.now() - t0) / 1000;
  return toast
    ? `  rebuild after an index format change (reload): progress notification after ${(toast.at / 1000).toFixed(1)} s: ${JSON.stringify(toast.text)} (test-results/bench-local-rebuild.png); index saved again after ${savedS.toFixed(1)} s`
    : `  rebuild after an index format change (reload): no progress notification; index saved again after ${savedS.toFixed(1)} s`;
}

void main().then(
  () => process.exit(0),
  (e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  },
);
