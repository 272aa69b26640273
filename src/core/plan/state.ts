/**
 * The per-user plan state file (plan-state.json, see paths.ts): the newest observation per window, the
 * newest session, and a compact history for pace and charts.
 *
 * - Writers (every Claude Code session's status line, several at once) read, merge and replace the file
 *   under a short lock (files.ts), so nothing another writer recorded a moment earlier is lost; the
 *   replace is atomic, so readers never see half a file.
 * - Newest observation per window wins (by observation time, not by write order).
 * - A torn, garbage or foreign file is treated as empty and replaced: never fatal.
 * - History: at most one sample per window per minute (per 15 minutes beyond the last day), runs of equal
 *   values kept as their first and last sample, nothing older than 14 days, at most 4000 samples a window.
 * No vscode import.
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { readTextIfExists, withFileLock, writeFileAtomic } from './files';
import { windowKind } from './payload';
import { emptyPlanData, PLAN_DATA_VERSION, type PlanData, type PlanSample, type PlanSession, type PlanWindow, type StatusPayload } from './types';

export const HISTORY_KEEP_SECONDS = 14 * 86_400;
export const HISTORY_MAX_SAMPLES = 4000;
/** Samples younger than this keep one-minute resolution; older ones one per 15 minutes. */
export const HISTORY_FINE_SECONDS = 86_400;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optStr = (v: unknown): string | undefined => (typeof v === 'string' && v ? v.slice(0, 500) : undefined);
const round2 = (n: number): number => Math.round(n * 100) / 100;
const clamp = (n: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, n));
/** Epoch ms a Date can hold (so every surface can format it). */
const MAX_MS = 8.64e15;
const epochMs = (v: unknown): v is number => finite(v) && v >= 0 && v <= MAX_MS;
const epochSec = (v: unknown): v is number => finite(v) && v >= 0 && v <= MAX_MS / 1000;
/** Window keys are Claude Code's (`five_hour`, `seven_day_opus`): short, and never `__proto__`. */
const MAX_WINDOWS = 64;
const usableKey = (k: string): boolean => k.length > 0 && k.length <= 200 && k !== '__proto__';

/** Reports what `sanitizePlanData` dropped or repaired (for the log: logged once by the caller). */
export type PlanDropReport = (why: string) => void;

/**
 * Any parsed JSON → valid PlanData: what does not fit is dropped entry by entry (a window, a sample, a
 * session field), and `onDrop` hears about each. Times must be ones a Date can hold, percentages are
 * clamped to 0-100, a history keeps its newest HISTORY_MAX_SAMPLES samples in time order, and no key can
 * reach an object's prototype.
 */
export function sanitizePlanData(raw: unknown, onDrop: PlanDropReport = () => {}): PlanData {
  const out = emptyPlanData();
  if (!isObj(raw)) {
    onDrop('not an object');
    return out;
  }
  if (raw.version !== undefined && raw.version !== PLAN_DATA_VERSION) {
    onDrop(`version ${JSON.stringify(raw.version)?.slice(0, 20)} is not ${PLAN_DATA_VERSION}`);
    return out;
  }
  if (epochMs(raw.updatedAt)) out.updatedAt = raw.updatedAt;
  else if (raw.updatedAt !== undefined) onDrop('updatedAt is not a time');
  if (isObj(raw.windows)) {
    for (const [key, w] of Object.entries(raw.windows)) {
      if (!usableKey(key) || Object.keys(out.windows).length >= MAX_WINDOWS) {
        onDrop(`window ${JSON.stringify(key.slice(0, 40))}: not a usable key`);
        continue;
      }
      if (!isObj(w) || !finite(w.usedPercent) || !epochMs(w.observedAt)) {
        onDrop(`window ${key}: needs usedPercent and an observedAt time`);
        continue;
      }
      const win: PlanWindow = { key, kind: windowKind(key), usedPercent: clamp(w.usedPercent, 0, 100), observedAt: w.observedAt };
      if (epochMs(w.resetsAt)) win.resetsAt = w.resetsAt;
      else if (w.resetsAt !== undefined) onDrop(`window ${key}: resetsAt is not a time`);
      const sid = optStr(w.sessionId);
      if (sid) win.sessionId = sid;
      out.windows[key] = win;
    }
  } else if (raw.windows !== undefined) onDrop('windows is not an object');
  if (isObj(raw.session) && epochMs(raw.session.observedAt)) {
    const s = raw.session;
    const session: PlanSession = { observedAt: s.observedAt as number };
    for (const k of ['sessionId', 'model', 'modelId', 'version', 'cwd'] as const) {
      const v = optStr(s[k]);
      if (v) session[k] = v;
    }
    if (finite(s.contextPercent)) session.contextPercent = clamp(s.contextPercent, 0, 100);
    if (finite(s.costUsd) && s.costUsd >= 0) session.costUsd = s.costUsd;
    else if (s.costUsd !== undefined) onDrop('session: costUsd is not an amount');
    out.session = session;
  } else if (raw.session !== undefined) onDrop('session: needs an observedAt time');
  if (isObj(raw.history)) {
    for (const [key, list] of Object.entries(raw.history)) {
      if (!usableKey(key) || Object.keys(out.history).length >= MAX_WINDOWS || !Array.isArray(list)) {
        onDrop(`history ${JSON.stringify(key.slice(0, 40))}: not a usable list`);
        continue;
      }
      const samples: PlanSample[] = [];
      for (const s of list) {
        if (Array.isArray(s) && s.length === 3 && epochSec(s[0]) && finite(s[1]) && epochSec(s[2])) samples.push([s[0], clamp(s[1], 0, 100), s[2]]);
      }
      if (samples.length < list.length) onDrop(`history ${key}: ${list.length - samples.length} samples are not [time, percent, reset]`);
      samples.sort((a, b) => a[0] - b[0]);
      if (samples.length) out.history[key] = samples.length > HISTORY_MAX_SAMPLES ? samples.slice(samples.length - HISTORY_MAX_SAMPLES) : samples;
    }
  } else if (raw.history !== undefined) onDrop('history is not an object');
  return out;
}

/** Parses the state file's text; garbage gives empty data (reported to `onDrop`). */
export function parsePlanData(text: string | undefined, onDrop?: PlanDropReport): PlanData {
  if (!text) return emptyPlanData();
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    onDrop?.('not JSON');
    return emptyPlanData();
  }
  return sanitizePlanData(raw, onDrop);
}

/** Reads the state file; a missing, torn or garbage file gives empty data. Never throws. `onDrop` hears what was discarded. */
export function readPlanData(path: string, onDrop?: PlanDropReport): PlanData {
  const data = parsePlanData(readTextIfExists(path), onDrop);
  const pending = pendingOf(path).observations;
  return pending.length ? withPending(data, pending) : data;
}

const sameReset = (a: number, b: number): boolean => Math.abs(a - b) < 60;

/**
 * Puts a sample into a window's history (sorted by time) and compacts it: one sample per minute bucket
 * (per 15-minute bucket before `nowSec - HISTORY_FINE_SECONDS`, the newest in a bucket wins), runs of
 * three or more equal samples reduced to their ends, samples older than the kept range dropped, at most
 * HISTORY_MAX_SAMPLES kept. Pure; returns a new array.
 */
export function addSample(history: readonly PlanSample[], sample: PlanSample, nowSec: number): PlanSample[] {
  const all = history.slice();
  let i = all.length;
  while (i > 0 && all[i - 1]![0] > sample[0]) i--;
  all.splice(i, 0, sample);
  return compactHistory(all, nowSec);
}

export function compactHistory(sorted: readonly PlanSample[], nowSec: number): PlanSample[] {
  const oldest = nowSec - HISTORY_KEEP_SECONDS;
  const fineFrom = nowSec - HISTORY_FINE_SECONDS;
  const bucketOf = (t: number): number => (t >= fineFrom ? Math.floor(t / 60) * 60 : Math.floor(t / 900) * 900 - 1e12);
  const bucketed: PlanSample[] = [];
  for (const s of sorted) {
    if (s[0] < oldest) continue;
    const last = bucketed[bucketed.length - 1];
    if (last && bucketOf(last[0]) === bucketOf(s[0])) bucketed[bucketed.length - 1] = s;
    else bucketed.push(s);
  }
  const out: PlanSample[] = [];
  for (const s of bucketed) {
    const a = out[out.length - 2];
    const b = out[out.length - 1];
    if (a && b && a[1] === b[1] && b[1] === s[1] && sameReset(a[2], b[2]) && sameReset(b[2], s[2])) out[out.length - 1] = s;
    else out.push(s);
  }
  return out.length > HISTORY_MAX_SAMPLES ? out.slice(out.length - HISTORY_MAX_SAMPLES) : out;
}

/**
 * Merges one status line observation made at `nowMs` into the data (pure). For each window the newer
 * observation wins; the session info is replaced only by a newer one; every window's sample goes into
 * its history.
 */
export function mergeObservation(data: PlanData, payload: StatusPayload, nowMs: number): PlanData {
  const out: PlanData = { version: PLAN_DATA_VERSION, updatedAt: Math.max(data.updatedAt, nowMs), windows: { ...data.windows }, history: { ...data.history } };
  if (data.session) out.session = data.session;
  const nowSec = Math.floor(nowMs / 1000);
  for (const w of payload.windows) {
    const used = round2(w.usedPercent);
    const prev = out.windows[w.key];
    if (!prev || prev.observedAt <= nowMs) {
      const win: PlanWindow = { key: w.key, kind: w.kind, usedPercent: used, observedAt: nowMs };
      if (w.resetsAt !== undefined) win.resetsAt = w.resetsAt;
      if (payload.sessionId) win.sessionId = payload.sessionId;
      out.windows[w.key] = win;
    }
    out.history[w.key] = addSample(out.history[w.key] ?? [], [nowSec, used, w.resetsAt !== undefined ? Math.round(w.resetsAt / 1000) : 0], nowSec);
  }
  if (!out.session || out.session.observedAt <= nowMs) {
    const s: PlanSession = { observedAt: nowMs };
    if (payload.sessionId) s.sessionId = payload.sessionId;
    if (payload.model) s.model = payload.model;
    if (payload.modelId) s.modelId = payload.modelId;
    if (payload.version) s.version = payload.version;
    if (payload.cwd) s.cwd = payload.cwd;
    if (payload.contextPercent !== undefined) s.contextPercent = payload.contextPercent;
    if (payload.costUsd !== undefined) s.costUsd = payload.costUsd;
    out.session = s;
  }
  // Histories of windows not seen for the whole kept range go away with their last sample.
  for (const [key, list] of Object.entries(out.history)) {
    const kept = list.length && list[list.length - 1]![0] >= nowSec - HISTORY_KEEP_SECONDS ? list : [];
    if (kept.length) out.history[key] = kept;
    else delete out.history[key];
  }
  return out;
}

/** The state file's text: one line per window history, so the file stays readable and small. */
export function serializePlanData(data: PlanData): string {
  const hist = Object.entries(data.history)
    .map(([k, v]) => `    ${JSON.stringify(k)}: ${JSON.stringify(v)}`)
    .join(',\n');
  const head = JSON.stringify({ version: data.version, updatedAt: data.updatedAt, windows: data.windows, ...(data.session ? { session: data.session } : {}) }, null, 2);
  return `${head.slice(0, -2)},\n  "history": {${hist ? `\n${hist}\n  ` : ''}}\n}\n`;
}

/** Observations written aside (`<state>.pending-<id>.json`) by writers that could not get the lock in time. */
const PENDING = '.pending-';

interface Pending {
  file: string;
  payload: StatusPayload;
  nowMs: number;
}

const KINDS = new Set(['session', 'week', 'modelWeek', 'other']);
const isOptStr = (v: unknown): boolean => v === undefined || typeof v === 'string';
const isOptNum = (v: unknown): boolean => v === undefined || finite(v);

/** A pending observation read back, checked like the state file (garbage is ignored, then removed). */
function readPending(file: string): Pending | undefined {
  let v: unknown;
  try {
    v = JSON.parse(readTextIfExists(file) ?? '');
  } catch {
    return undefined;
  }
  if (!isObj(v) || !epochMs(v.nowMs) || !isObj(v.payload) || !Array.isArray(v.payload.windows)) return undefined;
  const p = v.payload;
  if (![p.sessionId, p.model, p.modelId, p.version, p.cwd].every(isOptStr) || ![p.contextPercent, p.costUsd].every(isOptNum)) return undefined;
  const windows = (p.windows as unknown[]).filter(
    (w): w is StatusPayload['windows'][number] => isObj(w) && typeof w.key === 'string' && usableKey(w.key) && KINDS.has(w.kind as string) && finite(w.usedPercent) && (w.resetsAt === undefined || epochMs(w.resetsAt)),
  );
  return { file, nowMs: v.nowMs, payload: { ...(p as unknown as StatusPayload), windows } };
}

function pendingOf(path: string): { files: string[]; observations: Pending[] } {
  let names: string[];
  try {
    names = readdirSync(dirname(path));
  } catch {
    return { files: [], observations: [] };
  }
  const prefix = `${basename(path)}${PENDING}`;
  const files = names.filter((n) => n.startsWith(prefix) && n.endsWith('.json')).map((n) => join(dirname(path), n));
  const observations = files.map(readPending).filter((p): p is Pending => !!p).sort((a, b) => a.nowMs - b.nowMs);
  return { files, observations };
}

/** The state with the observations waiting aside merged in (what every reader sees). */
function withPending(data: PlanData, observations: readonly Pending[]): PlanData {
  return observations.reduce((d, p) => mergeObservation(d, p.payload, p.nowMs), data);
}

/**
 * Records an observation in the state file at `path`: lock, read (garbage → empty), merge (with any
 * observations written aside), atomic replace. When the lock cannot be had in time (many sessions at
 * once on a loaded machine) the observation is written aside atomically instead, and the next writer
 * that holds the lock merges it: nothing is lost and the status line never waits long. Synchronous (the
 * status line does nothing else meanwhile). Returns the merged data.
 */
export function recordObservation(path: string, payload: StatusPayload, nowMs: number, options: { lockWaitMs?: number } = {}): PlanData {
  return withFileLock(
    path,
    () => {
      const pending = pendingOf(path);
      const merged = mergeObservation(withPending(parsePlanData(readTextIfExists(path)), pending.observations), payload, nowMs);
      writeFileAtomic(path, serializePlanData(merged));
      for (const f of pending.files) {
        try {
          unlinkSync(f);
        } catch {
          // another writer took it
        }
      }
      return merged;
    },
    {
      ...(options.lockWaitMs !== undefined ? { waitMs: options.lockWaitMs } : {}),
      fallback: () => {
        const aside = `${path}${PENDING}${process.pid}-${Math.random().toString(36).slice(2, 10)}.json`;
        writeFileAtomic(aside, JSON.stringify({ nowMs, payload }));
        return mergeObservation(readPlanData(path), payload, nowMs);
      },
    },
  ).value;
}
