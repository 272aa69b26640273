/**
 * What glibc's allocator holds in a process (Linux, with gdb): memory freed by the program but kept by
 * malloc, which RSS counts and no JavaScript measure shows. Attaches gdb for a moment and reads:
 * - the dynamic mmap threshold (128 KiB at start; raised to the size of any larger block freed, up to 32 MiB)
 *   and the trim threshold (twice that): blocks under the first come from per-thread arenas instead of their
 *   own mappings, and an arena keeps up to the second of free memory at its top;
 * - per arena (one per thread that allocated, at most 8 per core), bytes taken from the system and bytes free;
 * then calls `malloc_trim(0)` and reports how much RSS that gave back: the share of RSS that is allocator
 * retention rather than live data. The trim changes the process (the figures after it are not steady state).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const rss = (pid: number) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? NaN) / 1024;
const mib = (n: number) => `${(n / 1048576).toFixed(1)} MiB`;

/** One line of figures, or why there are none (no gdb, no permission to attach, no glibc symbols). */
export function mallocReport(pid: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-malloc-'));
  const xml = path.join(dir, 'info.xml');
  try {
    const before = rss(pid);
    const r = spawnSync(
      'gdb',
      ['-p', String(pid), '-batch', '-ex', 'p mp_.mmap_threshold', '-ex', 'p mp_.trim_threshold', '-ex', `set $f = (void*)fopen("${xml}", "w")`, '-ex', 'call (int)malloc_info(0, $f)', '-ex', 'call (int)fclose($f)', '-ex', 'call (int)malloc_trim(0)'],
      { encoding: 'utf8', timeout: 120_000 },
    );
    if (r.error || r.status !== 0) return `  malloc: gdb could not attach (${r.error?.message ?? (r.stderr || '').trim().split('\n').pop()})`;
    const values = [...r.stdout.matchAll(/^\$\d+ = (\d+)/gm)].map((m) => Number(m[1]));
    if (values.length < 2) return `  malloc: no glibc figures from gdb (${r.stdout.trim().split('\n').pop()})`;
    const after = rss(pid);
    const info = readFileSync(xml, 'utf8');
    const arenas = [...info.matchAll(/<heap nr="\d+">([\s\S]*?)<\/heap>/g)].map((m) => {
      const body = m[1]!;
      const free = [...body.matchAll(/<total type="(?:fast|rest)" count="\d+" size="(\d+)"\/>/g)].reduce((a, x) => a + Number(x[1]), 0);
      const system = Number(/<system type="current" size="(\d+)"\/>/.exec(body)?.[1] ?? 0);
      return { system, free };
    });
    const mmapped = Number(/<total type="mmap" count="\d+" size="(\d+)"\/>\s*<system type="current"[^>]*\/>\s*<system type="max"[^>]*\/>\s*<aspace[^>]*\/>\s*<aspace[^>]*\/>\s*<\/malloc>/.exec(info)?.[1] ?? NaN);
    const sum = (k: 'system' | 'free') => arenas.reduce((a, x) => a + x[k], 0);
    return [
      `  malloc (glibc, read with gdb): mmap threshold ${mib(values[0]!)}, trim threshold ${mib(values[1]!)}; ${arenas.length} arenas hold ${mib(sum('system'))} from the system, ${mib(sum('free'))} of it free` +
        `${Number.isNaN(mmapped) ? '' : `; ${mib(mmapped)} in blocks mapped on their own`}`,
      `    per arena, MiB from the system / free: ${arenas.map((a) => `${(a.system / 1048576).toFixed(1)}/${(a.free / 1048576).toFixed(1)}`).join(', ')}`,
      `    malloc_trim(0) gave back ${(before - after).toFixed(1)} MiB of RSS (${before.toFixed(0)} → ${after.toFixed(0)} MiB): memory the allocator kept after it was freed`,
    ].join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
