/**
 * Connect and Disconnect as edits of Claude Code's user settings file (`~/.claude/settings.json` or
 * `$CLAUDE_CONFIG_DIR/settings.json`), pure where it can be:
 *
 * - Only `statusLine` changes. The edit goes through jsonc-parser (Microsoft's, the one VS Code uses for
 *   its own settings.json): every other key, the order, indentation and line endings stay as they were.
 * - A file that is not strict JSON with an object at the top (comments, trailing commas, garbage) is
 *   refused with a clear message and left untouched: Claude Code itself would not read it.
 * - The previous `statusLine` is kept: its command is chained (our status line runs it and shows its
 *   output), and its exact source text is saved so Disconnect puts back exactly what was there, byte for
 *   byte. When nothing else in the file changed since Connect, Disconnect restores the whole original file.
 * - Idempotent: Connect when connected changes nothing.
 * No vscode import.
 */
import { applyEdits, findNodeAtLocation, modify, parseTree, printParseErrorCode, type Node, type ParseError } from 'jsonc-parser';
import { isOurCommand } from './launcher';

export interface StatusLineValue {
  type: 'command';
  command: string;
  padding?: number;
  [key: string]: unknown;
}

export type ParsedSettings =
  | { ok: true; root: Node | undefined; statusLine?: { raw: string; value: unknown; node: Node } }
  | { ok: false; message: string };

/** Strict JSON with an object at the top (an empty file counts as `{}`). */
export function parseSettings(text: string, path = 'settings.json'): ParsedSettings {
  if (!text.trim()) return { ok: true, root: undefined };
  const errors: ParseError[] = [];
  const root = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  if (errors.length || !root) {
    const e = errors[0];
    const where = e ? lineCol(text, e.offset) : undefined;
    return {
      ok: false,
      message: `${path} is not valid JSON${e ? ` (${printParseErrorCode(e.error)} at line ${where!.line}, column ${where!.col})` : ''}. Claude Usage changed nothing; fix the file (Claude Code cannot read it either) and run Connect again.`,
    };
  }
  if (root.type !== 'object') return { ok: false, message: `${path} does not hold a JSON object at the top. Claude Usage changed nothing.` };
  const node = findNodeAtLocation(root, ['statusLine']);
  if (!node) return { ok: true, root };
  const raw = text.slice(node.offset, node.offset + node.length);
  return { ok: true, root, statusLine: { raw, value: JSON.parse(raw) as unknown, node } };
}

function lineCol(text: string, offset: number): { line: number; col: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, col: before[before.length - 1]!.length + 1 };
}

/** The file's own indentation and line ending, so an inserted `statusLine` looks like its neighbours. */
export function detectFormatting(text: string): { insertSpaces: boolean; tabSize: number; eol: string } {
  const eol = text.includes('\r\n') ? '\r\n' : '\n';
  const m = /\n([ \t]+)"/.exec(text);
  if (m && m[1]!.startsWith('\t')) return { insertSpaces: false, tabSize: 1, eol };
  return { insertSpaces: true, tabSize: m ? m[1]!.length : 2, eol };
}

/** Indentation at the start of the line holding `offset`, when only whitespace precedes it there. */
function lineIndent(text: string, offset: number): string | undefined {
  const start = text.lastIndexOf('\n', offset - 1) + 1;
  const lead = text.slice(start, offset);
  return /^[ \t]*$/.test(lead) ? lead : undefined;
}

/**
 * The text with `statusLine` set to `value`, touching nothing else: an existing value is replaced in
 * place; a new property goes after the last one, indented like it (a one-line file stays one line).
 * (jsonc-parser's own formatting would re-indent the neighbouring property's line too.)
 */
function withStatusLine(text: string, root: Node | undefined, existing: Node | undefined, value: StatusLineValue): string {
  const fmt = detectFormatting(text);
  const unit = fmt.insertSpaces ? ' '.repeat(fmt.tabSize) : '\t';
  const pretty = (indent: string): string => JSON.stringify(value, null, unit).split('\n').join(fmt.eol + indent);
  const props = root?.children ?? [];
  const oneLine = props.length > 0 && !text.trim().includes('\n');
  const space = /":\s/.test(text) ? ' ' : '';
  const compact = (): string => `{${Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${space}${JSON.stringify(v)}`).join(`,${space}`)}}`;
  if (existing) {
    const indent = lineIndent(text, existing.parent?.offset ?? existing.offset) ?? unit;
    return text.slice(0, existing.offset) + (oneLine ? compact() : pretty(indent)) + text.slice(existing.offset + existing.length);
  }
  if (!root || props.length === 0) {
    const start = root ? root.offset : 0;
    const end = root ? root.offset + root.length : text.length;
    const tail = root ? '' : fmt.eol;
    return `${text.slice(0, start)}{${fmt.eol}${unit}"statusLine": ${pretty(unit)}${fmt.eol}}${tail}${text.slice(end)}`;
  }
  const last = props[props.length - 1]!;
  const end = last.offset + last.length;
  if (oneLine) {
    return `${text.slice(0, end)},${space}"statusLine":${space}${compact()}${text.slice(end)}`;
  }
  const indent = lineIndent(text, last.offset) ?? unit;
  return `${text.slice(0, end)},${fmt.eol}${indent}"statusLine": ${pretty(indent)}${text.slice(end)}`;
}

/** The previous status line's command, when it was one. */
export function commandOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  return typeof v.command === 'string' && v.command.trim() ? v.command : undefined;
}

export type ConnectPlan =
  | { kind: 'malformed'; message: string }
  | { kind: 'alreadyConnected' }
  | {
      kind: 'change';
      /** The file's text now (undefined: no file). */
      before: string | undefined;
      after: string;
      /** Exact source text of the `statusLine` value being replaced (undefined: there was none). */
      previousRaw?: string;
      /** The command that keeps running, chained (undefined: none, or it was already ours). */
      previousCommand?: string;
      /** The value written. */
      value: StatusLineValue;
      /** True when the statusLine was already ours (another launcher path) and only its command moves. */
      update: boolean;
    };

/**
 * What Connect would do to a settings file holding `text` (undefined: no file yet) to make its status
 * line run `command`.
 */
export function planConnect(text: string | undefined, command: string, path?: string): ConnectPlan {
  const parsed = parseSettings(text ?? '', path);
  if (!parsed.ok) return { kind: 'malformed', message: parsed.message };
  const prev = parsed.statusLine;
  const prevValue = prev?.value;
  const prevCommand = commandOf(prevValue);
  if (prevCommand === command && (prevValue as Record<string, unknown>).type === 'command') return { kind: 'alreadyConnected' };
  const ours = isOurCommand(prevCommand);
  const base = typeof prevValue === 'object' && prevValue !== null && !Array.isArray(prevValue) ? (prevValue as Record<string, unknown>) : {};
  const value: StatusLineValue = { ...base, type: 'command', command, ...(typeof base.padding === 'number' ? {} : { padding: 0 }) };
  const after = withStatusLine(text ?? '', parsed.root, parsed.statusLine?.node, value);
  return {
    kind: 'change',
    before: text,
    after,
    ...(prev && !ours ? { previousRaw: prev.raw } : {}),
    ...(prevCommand && !ours ? { previousCommand: prevCommand } : {}),
    value,
    update: ours,
  };
}

/** What Connect recorded, so Disconnect can restore (connections.json, one entry per settings file). */
export interface ConnectionRecord {
  settingsPath: string;
  /** The command written into statusLine. */
  command: string;
  /** The whole file before Connect (null: there was no file). */
  originalText: string | null;
  /** Exact source text of the previous statusLine value (null: there was none). */
  previousRaw: string | null;
  previousCommand?: string;
  /** The whole file right after Connect. */
  writtenText: string;
  /** ISO time. */
  connectedAt: string;
  backupPath?: string;
}

export type DisconnectPlan =
  | { kind: 'malformed'; message: string }
  /** statusLine is not ours any more (changed by hand or by another tool): the file is left alone. */
  | { kind: 'notOurs'; current?: string }
  | { kind: 'notConnected' }
  /** `after` undefined: delete the file (Connect created it and nothing else changed since). */
  | { kind: 'change'; before: string; after: string | undefined; restoredWhole: boolean; restoredRaw?: string };

/** What Disconnect would do to the file holding `text` (undefined: no file), given Connect's record. */
export function planDisconnect(text: string | undefined, record: ConnectionRecord | undefined, path?: string): DisconnectPlan {
  if (text === undefined) return { kind: 'notConnected' };
  const parsed = parseSettings(text, path);
  if (!parsed.ok) return { kind: 'malformed', message: parsed.message.replace('run Connect again', 'run Disconnect again') };
  const current = commandOf(parsed.statusLine?.value);
  if (!isOurCommand(current)) return record ? { kind: 'notOurs', ...(parsed.statusLine ? { current: parsed.statusLine.raw } : {}) } : { kind: 'notConnected' };
  if (record && text === record.writtenText) {
    return { kind: 'change', before: text, after: record.originalText ?? undefined, restoredWhole: true, ...(record.previousRaw !== null ? { restoredRaw: record.previousRaw } : {}) };
  }
  const node = parsed.statusLine!.node;
  const raw = record?.previousRaw ?? null;
  let after: string;
  if (raw !== null) {
    after = text.slice(0, node.offset) + raw + text.slice(node.offset + node.length);
  } else {
    after = applyEdits(text, modify(text, ['statusLine'], undefined, {}));
  }
  return { kind: 'change', before: text, after, restoredWhole: false, ...(raw !== null ? { restoredRaw: raw } : {}) };
}

/** One line for the confirmation: `"statusLine": {…}` compact, or "(none)". */
export function describeStatusLine(raw: string | undefined): string {
  if (raw === undefined) return '(none)';
  try {
    return `"statusLine": ${JSON.stringify(JSON.parse(raw))}`;
  } catch {
    return `"statusLine": ${raw}`;
  }
}
