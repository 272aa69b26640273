/**
 * The "realistic" corpus shape for bench/local (`generate.ts --shape realistic`): closer to a heavy real
 * `~/.claude/projects` than the synthetic shape, on purpose different in every way that costs a reader time:
 * - ~2,000 files per GiB in a few hundred folders: many small sessions, some big ones, `<session>/subagents/`
 *   folders (a fifth of the sessions), and sessions whose sub-agent file is missing;
 * - Claude Code's own key order (`parentUuid, isSidechain, userType, cwd, sessionId, version, gitBranch,
 *   message{model, id, type, role, content, stop_reason, stop_sequence, usage}, requestId, type, uuid,
 *   timestamp`), one line per content block with partial `output_tokens` in early copies (streamed copies);
 * - large content blocks: thinking of 2-30 KB, Write/Edit tool inputs carrying source code (escaped quotes,
 *   `\n`, unicode), large tool results, Task tool results that carry their own `"usage"` object (a user line
 *   the usage marker finds, but with no billable usage);
 * - sub-agent usage nested in the parent's `"type":"progress"` lines (`data.message`), copied in the
 *   sub-agent file when it exists; hook progress lines without usage;
 * - `/btw` side-question replays: a sidechain copy of a parent response with a new `requestId` and a larger
 *   cache read (must not count);
 * - resumed sessions that copy earlier lines; fast-mode Opus 4.6 lines; today's models; file-history snapshots
 *   of hundreds of KB; a few corrupt lines; some files whose complete last line has no newline.
 * Deterministic per seed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { mulberry32, randomDraws } from '../../test/support/prng';
import type { GenerateOptions } from './generate';

export function generateRealistic(o: GenerateOptions): { files: number; bytes: number } {
  const rnd = mulberry32(o.seed ^ 0x5eed);
  const { int, pick, hex, b62, uuid } = randomDraws(rnd);
  // Prose and code pools: code has quotes, backslashes, tabs and newlines (escaped in JSON), some unicode.
  const words = 'the function returns a value when called with options and the test checks that result matches expected output for every case in file src index ts const let await async import export class interface type of string number boolean undefined null error message retry timeout request response café naïve 日本語 ✓'.split(' ');
  let prose = '';
  while (prose.length < 1_500_000) prose += `${pick(words)}${rnd() < 0.08 ? '\n' : ' '}`;
  const codeLines = [
    'export function parse(input: string): Result {',
    '  const m = /^"([^"]*)"$/.exec(input);',
    "  if (!m) throw new Error(`bad input: \"${input}\"`);",
    '\treturn { ok: true, value: m[1], path: "C:\\\\Users\\\\dev" };',
    '}',
    'import { readFileSync } from "node:fs";',
    '  // TODO: handle the "usage" field and {"type":"assistant"} lines',
    '  for (const [k, v] of Object.entries(obj)) out[k] = JSON.stringify(v);',
    '',
  ];
  let code = '';
  while (code.length < 1_500_000) code += `${pick(codeLines)}\n`;
  const text = (pool: string, n: number) => {
    const s = int(0, pool.length - n - 1);
    return pool.slice(s, s + n);
  };
  const models = [
    ['claude-opus-4-6', 0.3],
    ['claude-sonnet-4-6', 0.25],
    ['claude-haiku-4-5-20251001', 0.15],
    ['claude-sonnet-4-5-20250929', 0.1],
    ['claude-opus-4-5-20251101', 0.08],
    ['claude-opus-4-8', 0.05],
    ['claude-sonnet-5-5', 0.04],
    ['claude-haiku-5-5', 0.02],
    ['claude-unknown-next', 0.01],
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
  const projectNames = Array.from({ length: 150 }, (_, i) => `/home/dev/${pick(['shop', 'api', 'infra', 'web', 'ml', 'docs', 'cli', 'app'])}-${i}${rnd() < 0.1 ? '/packages/core' : ''}`);
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
      const n = Buffer.byteLength(s) + 1;
      this.pending += n;
      this.bytes += n;
      total += n;
      if (this.pending > 1 << 20) this.flush();
    }
    flush() {
      if (this.parts.length) fs.writeSync(this.fd, this.parts.join(''));
      this.parts = [];
      this.pending = 0;
    }
    /** Closes; `noFinalNewline` drops the last line's `\n` (a complete line without it). */
    close(noFinalNewline = false) {
      if (noFinalNewline && this.parts.length >= 2 && this.parts[this.parts.length - 1] === '\n') {
        this.parts.pop();
        total--;
        this.bytes--;
      }
      this.flush();
      fs.closeSync(this.fd);
    }
  }

  const usageOf = (m: string, partialOutput: number | undefined, big: { output: number; read: number; w5: number; w1: number; input: number }, fast: boolean) => ({
    input_tokens: big.input,
    cache_creation_input_tokens: big.w5 + big.w1,
    cache_read_input_tokens: big.read,
    ...(m.startsWith('claude-haiku-4') && rnd() < 0.2 ? {} : { cache_creation: { ephemeral_5m_input_tokens: big.w5, ephemeral_1h_input_tokens: big.w1 } }),
    output_tokens: partialOutput ?? big.output,
    server_tool_use: { web_search_requests: 0, web_fetch_requests: 0 },
    service_tier: 'standard',
    ...(fast || rnd() < 0.7 ? { speed: fast ? 'fast' : 'standard' } : {}),
  });
  const bigUsage = (m: string) => {
    const longCtx = m.startsWith('claude-sonnet-4-5') && rnd() < 0.05;
    return {
      input: int(1, 40),
      output: int(10, 12_000),
      read: longCtx ? int(200_001, 700_000) : int(8_000, 180_000),
      w5: rnd() < 0.3 ? int(0, 20_000) : 0,
      w1: rnd() < 0.6 ? int(0, 40_000) : 0,
    };
  };
  const contentBlock = (kind: string, cwd: string) =>
    kind === 'thinking'
      ? { type: 'thinking', thinking: text(prose, rnd() < 0.2 ? int(8_000, 30_000) : int(300, 4_000)), signature: b62(int(400, 1200)) }
      : kind === 'text'
        ? { type: 'text', text: text(prose, int(40, 3_000)) }
        : kind === 'write'
          ? { type: 'tool_use', id: `toolu_01${b62(22)}`, name: pick(['Write', 'Edit', 'MultiEdit']), input: { file_path: `${cwd}/src/${pick(words)}.ts`, content: text(code, rnd() < 0.15 ? int(20_000, 60_000) : int(500, 6_000)) } }
          : { type: 'tool_use', id: `toolu_01${b62(22)}`, name: pick(['Read', 'Bash', 'Grep', 'Glob']), input: { command: text(code, int(20, 200)), description: text(prose, int(10, 60)) } };

  while (total < target) {
    const cwd = pick(projectNames);
    const project = cwd.replace(/[^A-Za-z0-9]/g, '-');
    const session = uuid();
    const r = rnd();
    const size = r < 0.72 ? int(8_000, 120_000) : r < 0.93 ? int(120_000, 1_200_000) : r < 0.99 ? int(1_200_000, 5_000_000) : int(12_000_000, 35_000_000);
    const file = new Out(path.join(projectsDir, project, `${session}.jsonl`));
    let t = start + rnd() * (end - start - 86_400_000);
    let parent: string | null = null;
    const version = pick(['2.1.138', '2.1.140', '2.2.3']);
    const head = (side = false) => ({ parentUuid: parent, isSidechain: side, userType: 'external', cwd, sessionId: session, version, gitBranch: pick(['main', 'feat/x']) });
    const written: string[] = [];
    const emit = (s: string, keep = false) => {
      file.line(s);
      if (keep && written.length < 300) written.push(s);
    };
    const prev = lastSessionLines.get(project);
    if (prev && rnd() < 0.2) {
      for (const l of prev.slice(0, int(5, prev.length))) emit(l.replace(/"sessionId":"[^"]+"/, `"sessionId":"${session}"`));
    }
    const responses: { id: string; line: string }[] = [];
    const agentLines: string[][] = [];
    const subagentsFolder = rnd() < 0.2;
    while (file.bytes < size && total < target) {
      t += int(5, 200) * 1000;
      const uid = uuid();
      emit(JSON.stringify({ ...head(), type: 'user', message: { role: 'user', content: text(prose, int(20, 800)) }, uuid: uid, timestamp: new Date(t).toISOString(), thinkingMetadata: { level: 'high', disabled: false } }));
      parent = uid;
      for (let k = int(1, 8); k > 0 && file.bytes < size; k--) {
        t += int(2, 60) * 1000;
        const m = rnd() < 0.0005 ? '<synthetic>' : model();
        const fast = m === 'claude-opus-4-6' && rnd() < 0.1;
        const id = `msg_01${b62(22)}`;
        const rid = `req_011C${b62(20)}`;
        const big = bigUsage(m);
        const kinds = rnd() < 0.5 ? ['thinking', pick(['text', 'write', 'tool'])] : rnd() < 0.5 ? [pick(['text', 'write', 'tool'])] : ['thinking', 'text', pick(['write', 'tool'])];
        kinds.forEach((kind, b) => {
          const last = b === kinds.length - 1;
          const u = uuid();
          const line = JSON.stringify({
            ...head(),
            message: { model: m, id, type: 'message', role: 'assistant', content: [contentBlock(kind, cwd)], stop_reason: last ? pick(['end_turn', 'tool_use']) : null, stop_sequence: null, usage: usageOf(m, last ? undefined : int(1, 40), big, fast) },
            requestId: rid,
            type: 'assistant',
            uuid: u,
            timestamp: new Date(t + b * 400).toISOString(),
          });
          emit(line, true);
          if (last) responses.push({ id, line });
          parent = u;
        });
        // A Task call: the sub-agent's responses nested in progress lines, its result with its own "usage".
        if (rnd() < 0.08) {
          const agent = hex(7);
          const lines: string[] = [];
          for (let s = int(1, 6); s > 0; s--) {
            t += int(2, 20) * 1000;
            const am = pick(['claude-haiku-4-5-20251001', 'claude-sonnet-4-6', 'claude-opus-4-6']);
            const ab = { input: int(1, 30), output: int(20, 3000), read: int(4000, 60_000), w5: int(0, 6000), w1: 0 };
            const nested = {
              parentUuid: null,
              isSidechain: true,
              userType: 'external',
              cwd,
              sessionId: session,
              version,
              agentId: agent,
              message: { model: am, id: `msg_01${b62(22)}`, type: 'message', role: 'assistant', content: [contentBlock(pick(['text', 'tool']), cwd)], stop_reason: 'tool_use', stop_sequence: null, usage: usageOf(am, undefined, ab, false) },
              requestId: `req_011C${b62(20)}`,
              type: 'assistant',
              uuid: uuid(),
              timestamp: new Date(t).toISOString(),
            };
            lines.push(JSON.stringify(nested));
            emit(JSON.stringify({ ...head(), type: 'progress', data: { type: 'agent_progress', agentId: agent, prompt: text(prose, int(50, 400)), message: nested }, toolUseID: `agent_msg_01${b62(20)}`, parentToolUseID: `toolu_01${b62(22)}`, uuid: uuid(), timestamp: new Date(t + 50).toISOString() }));
          }
          agentLines.push(lines);
          emit(JSON.stringify({ ...head(), type: 'user', message: { role: 'user', content: [{ tool_use_id: `toolu_01${b62(22)}`, type: 'tool_result', content: [{ type: 'text', text: text(prose, int(300, 4000)) }] }] }, uuid: uuid(), timestamp: new Date(t + 900).toISOString(), toolUseResult: { status: 'completed', prompt: text(prose, 200), totalDurationMs: int(5000, 90000), totalTokens: int(5000, 90000), totalToolUseCount: int(1, 30), usage: { input_tokens: int(1, 30), cache_creation_input_tokens: int(0, 9000), cache_read_input_tokens: int(1000, 90000), output_tokens: int(20, 4000), service_tier: 'standard' } } }));
        }
        // Tool result: KBs, sometimes a large file read.
        const tr = rnd() < 0.06 ? int(40_000, 200_000) : int(300, 12_000);
        const ru = uuid();
        emit(JSON.stringify({ ...head(), type: 'user', message: { role: 'user', content: [{ tool_use_id: `toolu_01${b62(22)}`, type: 'tool_result', content: text(code, tr) }] }, uuid: ru, timestamp: new Date(t + 1500).toISOString(), toolUseResult: { stdout: text(code, Math.min(tr, 3000)), stderr: '', interrupted: false, isImage: false } }));
        parent = ru;
        if (rnd() < 0.1) emit(JSON.stringify({ ...head(), type: 'progress', data: { type: 'hook_progress', hookEvent: 'PostToolUse', hookName: 'PostToolUse:Edit', command: 'npx prettier --write' }, parentToolUseID: `toolu_01${b62(22)}`, toolUseID: `toolu_01${b62(22)}`, uuid: uuid(), timestamp: new Date(t + 1600).toISOString() }));
      }
      // /btw side question: a sidechain replay of a parent response, new requestId, much larger cache read.
      if (responses.length && rnd() < 0.03) {
        const src = pick(responses).line;
        emit(src.replace('"isSidechain":false', '"isSidechain":true').replace(/"requestId":"[^"]+"/, `"requestId":"req_011C${b62(20)}"`).replace(/"cache_read_input_tokens":(\d+)/, (_, x: string) => `"cache_read_input_tokens":${Number(x) + 50_000}`));
      }
      if (rnd() < 0.04) {
        emit(JSON.stringify({ type: 'file-history-snapshot', messageId: uuid(), snapshot: { messageId: uuid(), trackedFileBackups: { [`src/${pick(words)}.ts`]: { backupFileName: `${hex(16)}@v3`, version: 3, backupTime: new Date(t).toISOString(), content: text(code, int(50_000, 400_000)) } }, timestamp: new Date(t).toISOString() }, isSnapshotUpdate: rnd() < 0.5 }));
      }
      if (rnd() < 0.002 && responses.length) {
        const l = responses[responses.length - 1]!.line;
        emit(l.slice(0, Math.floor(l.length / 2))); // cut by a crash
      }
      if (rnd() < 0.01) emit(JSON.stringify({ type: 'summary', summary: text(prose, 80), leafUuid: uuid() }));
      if (rnd() < 0.01) emit(JSON.stringify({ type: 'system', subtype: 'compact_boundary', content: 'Conversation compacted', isMeta: false, timestamp: new Date(t).toISOString(), uuid: uuid(), level: 'info', ...head() }));
    }
    file.close(rnd() < 0.05);
    lastSessionLines.set(project, written);
    // Sub-agent files: the nested responses again (the usual case) plus the sub-agent's own user lines.
    if (subagentsFolder) {
      for (const lines of agentLines.length ? agentLines : [[]]) {
        if (total >= target) break;
        const sub = new Out(path.join(projectsDir, project, session, 'subagents', `agent-${hex(7)}.jsonl`));
        for (const l of lines) {
          sub.line(JSON.stringify({ parentUuid: null, isSidechain: true, userType: 'external', cwd, sessionId: session, version, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', content: text(code, int(300, 20_000)) }] }, uuid: uuid(), timestamp: new Date(t).toISOString() }));
          sub.line(l);
        }
        // The sub-agent's own further work (not nested anywhere).
        for (let i = int(2, 30); i > 0; i--) {
          t += int(2, 30) * 1000;
          const m = pick(['claude-haiku-4-5-20251001', 'claude-sonnet-4-6']);
          sub.line(JSON.stringify({ parentUuid: null, isSidechain: true, userType: 'external', cwd, sessionId: session, version, agentId: hex(7), message: { model: m, id: `msg_01${b62(22)}`, type: 'message', role: 'assistant', content: [contentBlock(pick(['text', 'tool', 'thinking']), cwd)], stop_reason: 'end_turn', stop_sequence: null, usage: usageOf(m, undefined, { input: int(1, 40), output: int(20, 3000), read: int(5000, 80_000), w5: int(0, 8000), w1: 0 }, false) }, requestId: `req_011C${b62(20)}`, type: 'assistant', uuid: uuid(), timestamp: new Date(t).toISOString() }));
          sub.line(JSON.stringify({ parentUuid: null, isSidechain: true, userType: 'external', cwd, sessionId: session, version, type: 'user', message: { role: 'user', content: [{ type: 'tool_result', content: text(code, int(500, 30_000)) }] }, uuid: uuid(), timestamp: new Date(t + 900).toISOString() }));
        }
        sub.close();
      }
    }
  }
  return { files, bytes: total };
}
