/**
 * Connect / Disconnect as edits of Claude Code's settings file: only statusLine changes, formatting kept,
 * the previous command chained, round trips byte for byte, malformed files untouched, idempotent.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/core/clock';
import { applyConnect, applyDisconnect, prepareConnect, prepareDisconnect, SettingsChangedError } from '../../src/core/plan/connection';
import { readConnections, writeStatusLineConfig } from '../../src/core/plan/records';
import { isOurCommand, renderCmdLauncher, renderShLauncher, shQuote, statusLineCommand } from '../../src/core/plan/launcher';
import { planConnect, planDisconnect } from '../../src/core/plan/settingsFile';
import { chainedCommand, readStatusLineConfig } from '../../src/core/plan/statusline';

const CMD = `'/home/me/.local/share/claude-usage/statusline'`;
const clock = new ManualClock(Date.UTC(2026, 11, 1, 9, 30, 0));

const SAMPLES: Record<string, string | undefined> = {
  'no file': undefined,
  empty: '',
  'empty object': '{}',
  'two spaces, other keys': '{\n  "model": "opus",\n  "permissions": {\n    "allow": ["Bash(npm test)"]\n  },\n  "env": {"A": "1"}\n}\n',
  'tabs, CRLF, no final newline': '{\r\n\t"model": "sonnet",\r\n\t"hooks": {}\r\n}',
  'four spaces, previous status line with padding': '{\n    "statusLine": {\n        "type": "command",\n        "command": "bunx ccusage statusline",\n        "padding": 2\n    },\n    "theme": "dark"\n}\n',
  'one line, previous status line first': '{"statusLine":{"type":"command","command":"~/.claude/statusline.sh"},"z":[1,2,3]}',
  'unicode and escapes': '{\n  "note": "caf\\u00e9 \\"quoted\\" ✓",\n  "statusLine": {"type": "command", "command": "printf \'%s\' \\"$(jq -r .model.display_name)\\""}\n}\n',
};

describe('plan: Claude Code settings file edits', () => {
  for (const [name, text] of Object.entries(SAMPLES)) {
    it(`connect then disconnect restores the file byte for byte (${name})`, () => {
      const c = planConnect(text, CMD);
      assert.equal(c.kind, 'change');
      if (c.kind !== 'change') return;
      const after = JSON.parse(c.after) as Record<string, unknown>;
      const before = text?.trim() ? (JSON.parse(text) as Record<string, unknown>) : {};
      // Only statusLine changed; everything else is deep-equal.
      const { statusLine: sl, ...rest } = after;
      const { statusLine: prevSl, ...prevRest } = before;
      assert.deepEqual(rest, prevRest);
      assert.equal((sl as { command: string }).command, CMD);
      assert.equal((sl as { type: string }).type, 'command');
      if (prevSl) {
        assert.equal(c.previousCommand, (prevSl as { command: string }).command);
        assert.equal((sl as { padding?: number }).padding, (prevSl as { padding?: number }).padding ?? 0, 'padding kept');
      }
      if (text && /\n\s*}\s*$/.test(text) && !prevSl) {
        const body = text.replace(/\s*}\s*$/, '');
        assert.ok(c.after.startsWith(`${body},`), `every existing line kept as it was:\n${c.after}`);
      }
      if (text?.includes('\t')) assert.match(c.after, /\r\n\t"statusLine": \{\r\n\t\t"type"/, 'tabs and CRLF followed');
      if (text?.startsWith('{\n    ')) assert.match(c.after, /\n {4}"statusLine": \{\n {8}"type"/);
      const record = {
        settingsPath: 'x',
        command: CMD,
        originalText: text ?? null,
        previousRaw: c.previousRaw ?? null,
        writtenText: c.after,
        connectedAt: '',
      };
      const d = planDisconnect(c.after, record);
      assert.equal(d.kind, 'change');
      if (d.kind === 'change') assert.equal(d.after, text);
    });
  }

  it('disconnect after the user changed other keys: restores only statusLine, exactly, keeps their change', () => {
    const text = SAMPLES['four spaces, previous status line with padding']!;
    const c = planConnect(text, CMD);
    if (c.kind !== 'change') throw new Error(c.kind);
    const edited = c.after.replace('"theme": "dark"', '"theme": "light",\n    "verbose": true');
    const d = planDisconnect(edited, { settingsPath: 'x', command: CMD, originalText: text, previousRaw: c.previousRaw!, writtenText: c.after, connectedAt: '' });
    if (d.kind !== 'change') throw new Error(d.kind);
    assert.equal(d.restoredWhole, false);
    assert.equal(d.after, text.replace('"theme": "dark"', '"theme": "light",\n    "verbose": true'));
    // No previous status line: the key is removed again.
    const c2 = planConnect(SAMPLES['two spaces, other keys'], CMD);
    if (c2.kind !== 'change') throw new Error(c2.kind);
    const d2 = planDisconnect(c2.after.replace('"model": "opus"', '"model": "haiku"'), { settingsPath: 'x', command: CMD, originalText: '', previousRaw: null, writtenText: c2.after, connectedAt: '' });
    if (d2.kind !== 'change') throw new Error(d2.kind);
    assert.equal(d2.after, SAMPLES['two spaces, other keys']!.replace('"model": "opus"', '"model": "haiku"'));
  });

  it('malformed files are refused with a clear message', () => {
    for (const bad of ['{"a": 1,}', '{\n  // comment\n  "a": 1\n}', '{"a": ', 'garbage', '[1, 2]', '"str"']) {
      const c = planConnect(bad, CMD, '/home/me/.claude/settings.json');
      assert.equal(c.kind, 'malformed', bad);
      if (c.kind === 'malformed') assert.match(c.message, /^\/home\/me\/\.claude\/settings\.json (is not valid JSON|does not hold a JSON object).*changed nothing/);
    }
    assert.match((planConnect('{\n  "a": 1,\n}', CMD) as { message: string }).message, /line 3, column 1/);
  });

  it('idempotent: connecting twice changes nothing; our own older command is moved, not chained', () => {
    const c = planConnect('{}', CMD);
    if (c.kind !== 'change') throw new Error(c.kind);
    assert.deepEqual(planConnect(c.after, CMD), { kind: 'alreadyConnected' });
    const moved = planConnect(c.after, `'/other/claude-usage/statusline'`);
    assert.equal(moved.kind, 'change');
    if (moved.kind === 'change') {
      assert.equal(moved.update, true);
      assert.equal(moved.previousCommand, undefined, 'never chains itself');
    }
  });

  it('recognises our commands on every platform', () => {
    assert.ok(isOurCommand(CMD));
    assert.ok(isOurCommand(`'/Users/Jane Doe/Library/Application Support/claude-usage/statusline'`));
    assert.ok(isOurCommand('"C:\\Users\\Jane Doe\\AppData\\Local\\claude-usage\\statusline.cmd"'));
    assert.ok(!isOurCommand('bunx ccusage statusline'));
    assert.ok(!isOurCommand(undefined));
    assert.equal(statusLineCommand('/Users/Jane Doe/Library/Application Support/claude-usage', 'darwin'), `'/Users/Jane Doe/Library/Application Support/claude-usage/statusline'`);
    assert.equal(shQuote("it's"), `'it'\\''s'`);
    assert.match(statusLineCommand('C:\\Users\\Jane Doe\\AppData\\Local\\claude-usage', 'win32'), /^"C:\\Users\\Jane Doe\\AppData\\Local\\claude-usage[\\/]statusline\.cmd"$/);
  });

  it('launchers quote paths with spaces and fall back to the previous command', () => {
    const sh = renderShLauncher({ dir: '/d', extensionDir: "/home/o'neil/.vscode/extensions/claude-usage.claude-usage-0.1.0", runtime: '/opt/VS Code/code', fallbackCommand: "echo 'hi'" });
    assert.match(sh, /^ext='\/home\/o'\\''neil\/\.vscode/m);
    assert.match(sh, /^runtime='\/opt\/VS Code\/code'$/m);
    assert.match(sh, /^exec sh -c 'echo '\\''hi'\\'''$/m);
    const cmd = renderCmdLauncher({ dir: 'C:\\d', extensionDir: 'C:\\Users\\Jane Doe\\.vscode\\extensions\\claude-usage.claude-usage-0.1.0', runtime: 'C:\\Program Files\\Microsoft VS Code\\Code.exe' });
    assert.match(cmd, /set "RUNTIME=C:\\Program Files\\Microsoft VS Code\\Code\.exe"\r\n/);
    assert.match(cmd, /set "ELECTRON_RUN_AS_NODE=1"/);
  });
});

describe('plan: Connect and Disconnect on disk', () => {
  let root: string;
  let dir: string;
  let settings: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'cu-plan-settings-'));
    dir = join(root, 'state');
    settings = join(root, 'home', '.claude', 'settings.json');
    mkdirSync(join(root, 'home', '.claude'), { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('backs up, writes, records, chains; Disconnect restores byte for byte and forgets', () => {
    const original = SAMPLES['four spaces, previous status line with padding']!;
    writeFileSync(settings, original, { mode: 0o600 });
    writeStatusLineConfig(dir, { append: true, timeoutMs: 1500 });
    const p = prepareConnect(settings, CMD);
    const record = applyConnect(p, dir, clock)!;
    assert.equal(record.previousCommand, 'bunx ccusage statusline');
    assert.equal(readFileSync(record.backupPath!, 'utf8'), original);
    assert.match(record.backupPath!, /settings\.json\.20261201T093000Z\.claude-usage\.bak$/);
    assert.equal(statSync(settings).mode & 0o777, 0o600, 'mode kept');
    assert.equal(JSON.parse(readFileSync(settings, 'utf8')).statusLine.command, CMD);
    const cfg = readStatusLineConfig(dir);
    assert.equal(cfg.append, true);
    assert.equal(cfg.timeoutMs, 1500);
    assert.equal(chainedCommand(cfg, { HOME: join(root, 'home') }), 'bunx ccusage statusline');
    // Idempotent.
    assert.equal(prepareConnect(settings, CMD).plan.kind, 'alreadyConnected');
    // Settings changes keep the chain.
    writeStatusLineConfig(dir, { append: false, timeoutMs: 1500 });
    assert.equal(chainedCommand(readStatusLineConfig(dir), { HOME: join(root, 'home') }), 'bunx ccusage statusline');

    const d = prepareDisconnect(settings, dir);
    assert.equal(d.plan.kind, 'change');
    applyDisconnect(d, dir, clock);
    assert.equal(readFileSync(settings, 'utf8'), original);
    assert.deepEqual(readConnections(dir), {});
    assert.equal(chainedCommand(readStatusLineConfig(dir), { HOME: join(root, 'home') }), undefined);
    assert.equal(prepareDisconnect(settings, dir).plan.kind, 'notConnected');
  });

  it('no settings file: Connect creates it, Disconnect removes it again', () => {
    rmSync(join(root, 'home', '.claude'), { recursive: true });
    applyConnect(prepareConnect(settings, CMD), dir, clock);
    assert.ok(existsSync(settings));
    applyDisconnect(prepareDisconnect(settings, dir), dir, clock);
    assert.ok(!existsSync(settings));
  });

  it('a malformed file is never touched, by Connect or Disconnect', () => {
    writeFileSync(settings, '{"a": 1,}');
    const p = prepareConnect(settings, CMD);
    assert.equal(p.plan.kind, 'malformed');
    assert.equal(applyConnect(p, dir, clock), undefined);
    assert.equal(readFileSync(settings, 'utf8'), '{"a": 1,}');
    assert.deepEqual(readdirSync(join(root, 'home', '.claude')), ['settings.json'], 'no backup, no temp file');
    assert.equal(prepareDisconnect(settings, dir).plan.kind, 'malformed');
  });

  it('refuses when the file changed after the user saw the change', () => {
    writeFileSync(settings, '{}');
    const p = prepareConnect(settings, CMD);
    writeFileSync(settings, '{"model": "opus"}');
    assert.throws(() => applyConnect(p, dir, clock), SettingsChangedError);
    assert.equal(readFileSync(settings, 'utf8'), '{"model": "opus"}');
  });

  it('a symlinked settings.json (dotfiles) keeps its link; the target is written', () => {
    const real = join(root, 'dotfiles', 'claude-settings.json');
    mkdirSync(join(root, 'dotfiles'));
    writeFileSync(real, '{\n  "model": "opus"\n}\n');
    symlinkSync(real, settings);
    applyConnect(prepareConnect(settings, CMD), dir, clock);
    assert.ok(statSync(settings).isFile());
    assert.match(readFileSync(real, 'utf8'), /statusLine/);
    applyDisconnect(prepareDisconnect(settings, dir), dir, clock);
    assert.equal(readFileSync(real, 'utf8'), '{\n  "model": "opus"\n}\n');
  });

  it('Disconnect leaves a status line someone else put there', () => {
    writeFileSync(settings, '{}');
    applyConnect(prepareConnect(settings, CMD), dir, clock);
    writeFileSync(settings, '{"statusLine": {"type": "command", "command": "mine"}}');
    const d = prepareDisconnect(settings, dir);
    assert.equal(d.plan.kind, 'notOurs');
    applyDisconnect(d, dir, clock);
    assert.equal(readFileSync(settings, 'utf8'), '{"statusLine": {"type": "command", "command": "mine"}}');
    assert.deepEqual(readConnections(dir), {});
  });
});
