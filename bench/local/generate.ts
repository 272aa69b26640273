/**
 * Generates a Claude Code transcript folder for benchmarks:
 *   tsx bench/local/generate.ts --size-mb 1024 --seed 1 --out .bench-data/local [--shape synthetic|realistic]
 * `--shape realistic` (see realistic.ts): ~2,000 files per GiB in a few hundred folders, Claude Code's own
 * key order, large content blocks, Task results and nested sub-agent progress lines, /btw replays, fast mode.
 * The default shape (`synthetic`, below):
 * Writes `<out>/projects/<project>/<session>.jsonl` (+ `<session>/subagents/agent-*.jsonl`): user prompts,
 * tool results of KBs, assistant responses written as one line per content block with partial early
 * copies, file-history snapshots of hundreds of KB, sidechain replays in sub-agent files, resumed sessions
 * that copy earlier lines, `<synthetic>` lines, a few corrupt lines, an unknown model, several projects.
 * Timestamps fall in the 30 days before --end (default 2026-11-27T12:00:00Z). Deterministic per seed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mulberry32, randomDraws } from '../../test/support/prng';
import { generateRealistic } from './realistic';

function arg(name: string, def?: string): string {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? process.argv[i + 1] : undefined;
  if (v === undefined) {
    if (def === undefined) throw new Error(`--${name} is required`);
    return def;
  }
  return v;
}


export interface GenerateOptions {
  sizeMb: number;
  seed: number;
  out: string;
  end?: Date;
}

export function generate(o: GenerateOptions): { files: number; bytes: number } {
  const rnd = mulberry32(o.seed);
  const { int, pick, hex, b62, uuid } = randomDraws(rnd);
  const words = 'the function returns a value when called with options and the test checks that result matches expected output for every case in file src index ts const let await async import export class interface type of string number boolean undefined null error message retry timeout request response'.split(' ');
  let pool = '';
  while (pool.length < 2_000_000) pool += `${pick(words)}${rnd() < 0.1 ? '\n' : ' '}`;
  const text = (n: number) => {
    const s = int(0, pool.length - n - 1);
    return pool.slice(s, s + n);
  };
  const models = [
    ['claude-sonnet-4-5-20250929', 0.45],
    ['claude-opus-4-5-20251101', 0.25],
    ['claude-haiku-4-5-20251001', 0.18],
    ['claude-sonnet-4-6', 0.119],
    ['claude-experimental-x', 0.001],
  ] as const;
  const model = () => {
    let r = rnd();
    for (const [m, w] of models) {
      if ((r -= w) < 0) return m;
    }
    return models[0][0];
  };
  const end = (o.end ?? new Date('2026-11-27T12:00:00Z')).getTime();
  const start = end - 30 * 86_400_000;
  const projectsDir = path.join(o.out, 'projects');
  fs.rmSync(projectsDir, { recursive: true, force: true });
  const projectNames = Array.from({ length: 12 }, (_, i) => `/home/dev/${pick(['shop', 'api', 'infra', 'web', 'ml', 'docs'])}-${i}`);
  const target = o.sizeMb * 1024 * 1024;
  let total = 0;
  let files = 0;
  const lastSessionLines = new Map<string, string[]>();

  class Out {
    private fd: number;
    private parts: string[] = [];
    private pending = 0;
    bytes = 0;
    constructor(file: string) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      this.fd = fs.openSync(file, 'w');
      files++;
    }
    line(s: string) {
      this.parts.push(s, '\n');
      this.pending += s.length + 1;
      this.bytes += s.length + 1;
      total += s.length + 1;
      if (this.pending > 1 << 20) this.flush();
    }
    flush() {
      if (this.parts.length) fs.writeSync(this.fd, this.parts.join(''));
      this.parts = [];
      this.pending = 0;
    }
    close() {
      this.flush();
      fs.closeSync(this.fd);
    }
  }

  const usage = (m: string, partial: boolean, big: { output: number; read: number; w5: number; w1: number; input: number }) => ({
    input_tokens: big.input,
    cache_creation_input_tokens: big.w5 + big.w1,
    cache_read_input_tokens: big.read,
    output_tokens: partial ? int(1, 30) : big.output,
    ...(m.startsWith('claude-haiku') && rnd() < 0.3 ? {} : { cache_creation: { ephemeral_5m_input_tokens: big.w5, ephemeral_1h_input_tokens: big.w1 } }),
    server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
    service_tier: 'standard',
    speed: 'standard',
  });

  while (total < target) {
    const cwd = pick(projectNames);
    const project = cwd.replace(/[^A-Za-z0-9]/g, '-');
    const session = uuid();
    const r = rnd();
    // File sizes: mostly 0.1-2 MB, some 5-40 MB, rarely ~120 MB (average ≈1.4 MB: ~700 files per GiB).
    const size = r < 0.85 ? int(60_000, 1_600_000) : r < 0.995 ? int(2_000_000, 12_000_000) : int(60_000_000, 120_000_000);
    const file = new Out(path.join(projectsDir, project, `${session}.jsonl`));
    let t = start + rnd() * (end - start - 86_400_000);
    let parent: string | null = null;
    const base = () => ({ parentUuid: parent, isSidechain: false, userType: 'external', cwd, sessionId: session, version: '2.1.138', gitBranch: 'main' });
    const written: string[] = [];
    const emit = (s: string, keep = false) => {
      file.line(s);
      if (keep && written.length < 400) written.push(s);
    };
    // Resumed session: copies earlier lines of the previous session of this project first.
    const prev = lastSessionLines.get(project);
    if (prev && rnd() < 0.15) {
      for (const l of prev.slice(0, int(10, prev.length))) emit(l.replace(/"sessionId":"[^"]+"/, `"sessionId":"${session}"`));
    }
    const responses: string[] = [];
    while (file.bytes < size && total < target) {
      t += int(5, 120) * 1000;
      const uid = uuid();
      emit(JSON.stringify({ ...base(), type: 'user', message: { role: 'user', content: text(int(40, 600)) }, uuid: uid, timestamp: new Date(t).toISOString() }));
      parent = uid;
      const turns = int(1, 6);
      for (let k = 0; k < turns; k++) {
        t += int(2, 40) * 1000;
        const m = rnd() < 0.0005 ? '<synthetic>' : model();
        const id = `msg_01${b62(22)}`;
        const rid = `req_011C${b62(20)}`;
        const longCtx = m.startsWith('claude-sonnet-4-5') && rnd() < 0.05;
        const big = {
          input: int(1, 60),
          output: int(20, 9000),
          read: longCtx ? int(200_001, 600_000) : int(10_000, 190_000),
          w5: rnd() < 0.5 ? int(0, 20_000) : 0,
          w1: rnd() < 0.4 ? int(0, 30_000) : 0,
        };
        const blocks = int(1, 4);
        for (let b = 0; b < blocks; b++) {
          const kind = b === blocks - 1 ? pick(['text', 'tool_use']) : pick(['thinking', 'text']);
          const content =
            kind === 'thinking'
              ? { type: 'thinking', thinking: text(int(200, 3000)), signature: b62(int(300, 800)) }
              : kind === 'text'
                ? { type: 'text', text: text(int(50, 1500)) }
                : { type: 'tool_use', id: `toolu_01${b62(22)}`, name: pick(['Read', 'Edit', 'Bash', 'Grep', 'Write']), input: { file_path: `${cwd}/src/${pick(words)}.ts`, content: text(int(50, rnd() < 0.1 ? 12_000 : 1200)) } };
          const u = uuid();
          const line = JSON.stringify({
            ...base(),
            message: { id, type: 'message', role: 'assistant', model: m, content: [content], stop_reason: b === blocks - 1 ? 'end_turn' : null, stop_sequence: null, usage: usage(m, b < blocks - 1, big) },
            requestId: rid,
            type: 'assistant',
            uuid: u,
            timestamp: new Date(t + b * 300).toISOString(),
          });
          emit(line, true);
          if (b === blocks - 1) responses.push(line);
          parent = u;
        }
        // Tool result (KBs; sometimes a large file read).
        const tr = rnd() < 0.05 ? int(40_000, 120_000) : int(500, 14_000);
        const ru = uuid();
        emit(JSON.stringify({ ...base(), type: 'user', message: { role: 'user', content: [{ tool_use_id: `toolu_01${b62(22)}`, type: 'tool_result', content: text(tr) }] }, uuid: ru, timestamp: new Date(t + 1500).toISOString(), toolUseResult: { stdout: text(Math.min(tr, 2000)), stderr: '', interrupted: false } }));
        parent = ru;
      }
      if (rnd() < 0.05) {
        emit(JSON.stringify({ type: 'file-history-snapshot', messageId: uuid(), snapshot: { messageId: uuid(), trackedFileBackups: { [`src/${pick(words)}.ts`]: { backupFileName: `${hex(16)}@v2`, version: 2, backupTime: new Date(t).toISOString(), content: text(int(100_000, 500_000)) } }, timestamp: new Date(t).toISOString() }, isSnapshotUpdate: rnd() < 0.5 }));
      }
      if (rnd() < 0.003) {
        const l = responses[responses.length - 1] ?? '{"type":"assistant"}';
        // Corrupt: a line cut by a crash, or one with a chunk missing (its usage still visible).
        emit(rnd() < 0.5 ? l.slice(0, Math.floor(l.length / 2)) : l.slice(0, Math.floor(l.length / 3)) + l.slice(Math.floor(l.length / 2)));
      }
      if (rnd() < 0.002) {
        // An API error shown in the transcript: not billable.
        const m = model();
        emit(JSON.stringify({ ...base(), message: { id: `msg_01${b62(22)}`, type: 'message', role: 'assistant', model: m, content: [{ type: 'text', text: 'API Error: 529 overloaded' }], usage: usage(m, false, { input: 0, output: 0, read: 0, w5: 0, w1: 0 }) }, type: 'assistant', isApiErrorMessage: true, uuid: uuid(), timestamp: new Date(t).toISOString() }));
      }
      if (rnd() < 0.01) emit(JSON.stringify({ type: 'summary', summary: text(80), leafUuid: uuid() }));
    }
    file.close();
    lastSessionLines.set(project, written);
    // Sub-agent transcripts: their own sidechain entries plus replays of parent responses.
    if (rnd() < 0.3) {
      for (let a = int(1, 3); a > 0 && total < target; a--) {
        const sub = new Out(path.join(projectsDir, project, session, 'subagents', `agent-${hex(8)}.jsonl`));
        const n = int(5, 60);
        for (let i = 0; i < n; i++) {
          if (responses.length && rnd() < 0.2) {
            // Sidechain replay of a parent entry with a bigger output: must not replace the parent.
            const l = pick(responses).replace('"isSidechain":false', '"isSidechain":true').replace(/"output_tokens":(\d+)/, (_, x: string) => `"output_tokens":${Number(x) + 7}`);
            sub.line(l);
            continue;
          }
          t += int(2, 30) * 1000;
          const m = model();
          const big = { input: int(1, 40), output: int(20, 3000), read: int(5000, 80_000), w5: int(0, 8000), w1: 0 };
          sub.line(
            JSON.stringify({
              ...base(),
              isSidechain: true,
              message: { id: `msg_01${b62(22)}`, type: 'message', role: 'assistant', model: m, content: [{ type: 'text', text: text(int(100, 2000)) }], stop_reason: 'end_turn', stop_sequence: null, usage: usage(m, false, big) },
              requestId: `req_011C${b62(20)}`,
              type: 'assistant',
              uuid: uuid(),
              timestamp: new Date(t).toISOString(),
            }),
          );
          sub.line(JSON.stringify({ ...base(), isSidechain: true, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', content: text(int(500, 8000)) }] }, uuid: uuid(), timestamp: new Date(t + 900).toISOString() }));
        }
        sub.close();
      }
    }
  }
  return { files, bytes: total };
}

if (require.main === module) {
  const started = performance.now();
  const shape = arg('shape', 'synthetic');
  if (shape !== 'synthetic' && shape !== 'realistic') throw new Error('--shape must be synthetic or realistic');
  const r = (shape === 'realistic' ? generateRealistic : generate)({ sizeMb: Number(arg('size-mb', '64')), seed: Number(arg('seed', '1')), out: arg('out', '.bench-data/local'), end: new Date(arg('end', '2026-11-27T12:00:00Z')) });
  process.stdout.write(`generated ${r.files} files, ${(r.bytes / 1048576).toFixed(1)} MiB in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
}
