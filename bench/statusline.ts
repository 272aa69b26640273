/**
 * Whole-process time of the status line command (dist/statusline.js, what Claude Code runs on every prompt
 * refresh) against a bare `node -e 0` on the same machine, interleaved so that load hits both alike.
 * Each sample is a fresh process fed a real-shaped payload on stdin, writing a real state file
 * (a temporary CLAUDE_USAGE_DIR). Goal: median ratio ≤ 1.3.
 *
 * Also measured, to say what dominates:
 *   - `node -e 0` with the same stdin              the floor: Node's own start-up
 *   - `node empty.js`                              loading a file instead of -e
 *   - `node dist/statusline.js` garbage stdin      parse + read, no write
 *   - `node dist/statusline.js`                    the real thing (lock, read, merge, atomic write, print)
 *   - `node dist/statusline.js` chaining `true`    plus one shell started for a chained command
 *
 * Run: npm run build && npx tsx bench/statusline.ts [runs=40]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { systemClock } from '../src/core/clock';
import { realPayload } from '../test/unit/planFixtures';

const REPO = resolve(__dirname, '..');
const SCRIPT = join(REPO, 'dist', 'statusline.js');
if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run \`npm run build\` first`);
const runs = Number(process.argv[2] ?? 40);

const dir = mkdtempSync(join(tmpdir(), 'cu-bench-statusline-'));
const chainDir = join(dir, 'chain');
const empty = join(dir, 'empty.js');
writeFileSync(empty, '');
const nowSec = Math.floor(systemClock.now() / 1000);
const payload = JSON.stringify(realPayload({}, nowSec));
mkdirSync(chainDir, { recursive: true });
writeFileSync(join(chainDir, 'statusline.json'), JSON.stringify({ previous: { x: 'true' } }));

interface Case {
  label: string;
  argv: string[];
  input: string;
  env?: NodeJS.ProcessEnv;
  ms: number[];
}
const cases: Case[] = [
  { label: 'node -e 0', argv: ['-e', '0'], input: payload, ms: [] },
  { label: 'node empty.js', argv: [empty], input: payload, ms: [] },
  { label: 'statusline, garbage stdin', argv: [SCRIPT], input: 'garbage', ms: [] },
  { label: 'statusline', argv: [SCRIPT], input: payload, ms: [] },
  { label: 'statusline chaining `true`', argv: [SCRIPT], input: payload, env: { CLAUDE_USAGE_DIR: chainDir }, ms: [] },
];

const baseEnv = { ...process.env, CLAUDE_USAGE_DIR: join(dir, 'state'), NODE_OPTIONS: '' };
try {
  for (let i = 0; i < runs + 2; i++) {
    for (const c of cases) {
      const t0 = performance.now();
      const r = spawnSync(process.execPath, c.argv, { input: c.input, env: { ...baseEnv, ...c.env }, encoding: 'utf8' });
      const ms = performance.now() - t0;
      if (r.status !== 0) throw new Error(`${c.label} exited ${r.status ?? r.signal}: ${r.stderr}`);
      if (i >= 2) c.ms.push(ms); // two warm-up rounds
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const base = median(cases[0]!.ms);
console.log(`status line whole-process time, ${runs} runs each, interleaved (node ${process.version}, ${process.platform})`);
console.log(`${'case'.padEnd(30)} ${'median'.padStart(9)} ${'p90'.padStart(9)} ${'ratio'.padStart(7)}`);
for (const c of cases) {
  const s = [...c.ms].sort((a, b) => a - b);
  const p90 = s[Math.min(s.length - 1, Math.floor(s.length * 0.9))]!;
  console.log(`${c.label.padEnd(30)} ${median(c.ms).toFixed(1).padStart(6)} ms ${p90.toFixed(1).padStart(6)} ms ${(median(c.ms) / base).toFixed(2).padStart(6)}x`);
}
const ratio = median(cases[3]!.ms) / base;
console.log(`\nstatusline / node -e 0 = ${ratio.toFixed(2)}x (goal ≤ 1.3x): ${ratio <= 1.3 ? 'met' : 'NOT met'}`);
