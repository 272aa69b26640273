/** Per-thread CPU of a process from /proc (Linux): which threads of the extension host or the engine use the CPU. */
import { readdirSync, readFileSync } from 'node:fs';

/** utime + stime in ms (clock ticks of 10 ms) of a `/proc/…/stat` line, and the name (`comm`) in it. */
function statCpu(f: string): { name: string; ms: number } {
  const rest = f.slice(f.lastIndexOf(')') + 2).split(' ');
  return { name: f.slice(f.indexOf('(') + 1, f.lastIndexOf(')')), ms: (Number(rest[11]) + Number(rest[12])) * 10 };
}

/** utime + stime of a whole process in ms. */
export const cpuMs = (pid: number): number => statCpu(readFileSync(`/proc/${pid}/stat`, 'utf8')).ms;

/** utime + stime in ms of each thread of a process, by thread id, with its name (`comm`). */
export const threadCpu = (pid: number): Map<string, { name: string; ms: number }> => {
  const out = new Map<string, { name: string; ms: number }>();
  for (const t of readdirSync(`/proc/${pid}/task`)) {
    try {
      out.set(t, statCpu(readFileSync(`/proc/${pid}/task/${t}/stat`, 'utf8')));
    } catch {
      // The thread ended meanwhile.
    }
  }
  return out;
};

/**
 * Where the host's CPU went between two `threadCpu` readings: the main thread (its thread id is the process id), the
 * thread that used the most besides it (during a big read: the scan helper), the rest together (V8's
 * GC and compiler threads, libuv's pool, further workers), and threads that ended meanwhile.
 */
export function threadSplit(pid: number, before: Map<string, { name: string; ms: number }>, after: Map<string, { name: string; ms: number }>, totalMs: number, wallMs: number): string {
  const pct = (ms: number) => `${((ms / wallMs) * 100).toFixed(1)} %`;
  const main = String(pid);
  const deltas = [...after].map(([t, v]) => ({ t, name: v.name, ms: v.ms - (before.get(t)?.ms ?? 0) })).filter((d) => d.t !== main);
  deltas.sort((a, b) => b.ms - a.ms);
  const mainMs = (after.get(main)?.ms ?? 0) - (before.get(main)?.ms ?? 0);
  const top = deltas[0];
  const rest = deltas.slice(1).reduce((a, d) => a + d.ms, 0);
  const ended = totalMs - mainMs - deltas.reduce((a, d) => a + d.ms, 0);
  const each = deltas.filter((d) => d.ms > 0).map((d) => `${d.name}#${d.t} ${pct(d.ms)}`).join(', ');
  return `main thread ${pct(mainMs)}, busiest other thread${top ? ` (${top.name})` : ''} ${pct(top?.ms ?? 0)}, ${deltas.length - 1} others ${pct(rest)}, ended threads ${pct(Math.max(0, ended))}; ${each}`;
}
