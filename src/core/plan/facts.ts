/**
 * Pure facts about plan limits for every surface (status bar, tooltip, tree, dashboard, CLI, status line):
 * each window's state (current, stale with its age, or reset once its reset time has passed), its warning
 * level, its reset time in the user's zone, and the pace:
 *   "at this pace the 5-hour window runs out at 15:40, 25 min before it resets"
 *   "used 62% with 48% of the week gone"
 * No vscode import; no wall clock (callers pass `nowMs` from their Clock).
 */
import { ago, clockTime, countdown, pct, resetClock, span } from './format';
import type { PlanData, PlanSample, PlanWindow, PlanWindowKind } from './types';

export interface PlanSettings {
  /** Used share (percent) from which a window shows the warning colour. Default 75. */
  warningPercent: number;
  /** Used share (percent) from which a window shows the error colour. Default 90. */
  errorPercent: number;
  /** An observation older than this is marked stale with its age. Default 15 minutes. */
  staleAfterMs: number;
  /** IANA zone for clock times; undefined: the process's zone. */
  timeZone?: string;
}

export const DEFAULT_PLAN_SETTINGS: PlanSettings = { warningPercent: 75, errorPercent: 90, staleAfterMs: 15 * 60_000 };

export const SESSION_MS = 5 * 3_600_000;
export const WEEK_MS = 7 * 86_400_000;

export type PlanLevel = 'normal' | 'warning' | 'error';
export type WindowState = 'current' | 'stale' | 'reset';

export type PaceFact =
  /** 5-hour window: the pace empties it before the reset. */
  | { kind: 'runsOut'; at: number; atClock: string; beforeResetMs?: number; sentence: string }
  /** 5-hour window: the pace lasts until the reset. */
  | { kind: 'lasts'; projectedPercent: number; sentence: string }
  /** Already used up. */
  | { kind: 'usedUp'; sentence: string }
  /** Weekly windows: used share against the share of the week gone. */
  | { kind: 'week'; usedPercent: number; elapsedPercent: number; ahead: boolean; runsOutAt?: number; sentence: string };

export interface WindowFact {
  key: string;
  kind: PlanWindowKind;
  /** "5-hour session", "Weekly", "Weekly (Opus)". */
  label: string;
  /** "5h", "wk", "Opus wk". */
  short: string;
  /** Used share to show: 0 once the window has reset. */
  usedPercent: number;
  /** As last observed (also after a reset). */
  observedPercent: number;
  state: WindowState;
  level: PlanLevel;
  resetsAt?: number;
  /** "14:05" today, "Thu 09:00" on another day (user's zone). */
  resetClock?: string;
  /** "2 h 13 min" until the reset (absent once reset). */
  resetIn?: string;
  /** "2h13m" for compact surfaces. */
  resetCountdown?: string;
  observedAt: number;
  ageMs: number;
  /** "3 min ago". */
  age: string;
  pace?: PaceFact;
}

export interface PlanFacts {
  /** 5-hour first, then weekly, per-model weekly, others (by key). */
  windows: WindowFact[];
  /** The worst level of any current window. */
  level: PlanLevel;
  /** Newest observation of any window, epoch ms (undefined: nothing observed yet). */
  observedAt?: number;
  /** True when every window is stale (or reset) and the newest observation is older than staleAfterMs. */
  stale: boolean;
  age?: string;
  session?: { model?: string; version?: string; contextPercent?: number; costUsd?: number; age: string; observedAt: number };
}

const ORDER: Record<PlanWindowKind, number> = { session: 0, week: 1, modelWeek: 2, other: 3 };

function titleCase(s: string): string {
  return s
    .split('_')
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join(' ');
}

export function windowLabel(key: string, kind: PlanWindowKind): { label: string; short: string } {
  if (kind === 'session') return { label: '5-hour session', short: '5h' };
  if (kind === 'week') return { label: 'Weekly', short: 'wk' };
  if (kind === 'modelWeek') {
    const model = titleCase(key.slice('seven_day_'.length));
    return { label: `Weekly (${model})`, short: `${model} wk` };
  }
  return { label: titleCase(key), short: titleCase(key) };
}

export function levelOf(usedPercent: number, s: Pick<PlanSettings, 'warningPercent' | 'errorPercent'>): PlanLevel {
  if (usedPercent >= s.errorPercent) return 'error';
  if (usedPercent >= s.warningPercent) return 'warning';
  return 'normal';
}

const worse = (a: PlanLevel, b: PlanLevel): PlanLevel => (a === 'error' || b === 'error' ? 'error' : a === 'warning' || b === 'warning' ? 'warning' : 'normal');

/** The samples of the window that resets at `resetsAt` (same reset time within a minute). */
export function samplesOfWindow(history: readonly PlanSample[] | undefined, resetsAt: number | undefined, lengthMs: number): PlanSample[] {
  if (!history) return [];
  if (resetsAt === undefined) return history.slice();
  const r = Math.round(resetsAt / 1000);
  const start = (resetsAt - lengthMs) / 1000;
  return history.filter((s) => s[0] >= start - 60 && (s[2] === 0 || Math.abs(s[2] - r) < 60));
}

/** The 5-hour pace from the samples of the current window (over the last hour, else since its start). */
export function sessionPace(w: PlanWindow, history: readonly PlanSample[] | undefined, s: PlanSettings): PaceFact | undefined {
  const when = (ms: number): string => clockTime(ms, s.timeZone);
  if (w.usedPercent >= 100) return { kind: 'usedUp', sentence: w.resetsAt ? `the 5-hour window is used up; it resets at ${when(w.resetsAt)}` : 'the 5-hour window is used up' };
  const samples = samplesOfWindow(history, w.resetsAt, SESSION_MS);
  const nowSec = w.observedAt / 1000;
  const last: PlanSample = [nowSec, w.usedPercent, 0];
  const recent = samples.filter((x) => x[0] >= nowSec - 3600 && x[0] <= nowSec);
  let base = recent[0];
  if (!base || nowSec - base[0] < 600) base = samples.find((x) => x[0] <= nowSec);
  if (!base || nowSec - base[0] < 300) return undefined;
  const rate = (last[1] - base[1]) / ((nowSec - base[0]) * 1000); // percent per ms
  if (!(rate > 0)) return undefined;
  const at = w.observedAt + (100 - w.usedPercent) / rate;
  if (w.resetsAt === undefined) return { kind: 'runsOut', at, atClock: when(at), sentence: `at this pace the 5-hour window runs out at ${when(at)}` };
  if (at < w.resetsAt) {
    const before = w.resetsAt - at;
    return { kind: 'runsOut', at, atClock: when(at), beforeResetMs: before, sentence: `at this pace the 5-hour window runs out at ${when(at)}, ${span(before)} before it resets` };
  }
  const projected = Math.min(100, w.usedPercent + rate * (w.resetsAt - w.observedAt));
  return { kind: 'lasts', projectedPercent: projected, sentence: `at this pace it lasts until the reset at ${when(w.resetsAt)} (about ${pct(projected)} used by then)` };
}

/** "used 62% with 48% of the week gone" (and when it runs out, if the pace empties it before the reset). */
export function weekPace(w: PlanWindow, nowMs: number, s: PlanSettings): PaceFact | undefined {
  if (w.resetsAt === undefined) return undefined;
  const start = w.resetsAt - WEEK_MS;
  const elapsed = Math.min(1, Math.max(0, (nowMs - start) / WEEK_MS));
  const elapsedPercent = elapsed * 100;
  const ahead = w.usedPercent > elapsedPercent + 0.5;
  let sentence = `used ${pct(w.usedPercent)} with ${pct(elapsedPercent)} of the week gone`;
  let runsOutAt: number | undefined;
  const obsElapsed = w.observedAt - start;
  if (ahead && w.usedPercent > 0 && w.usedPercent < 100 && obsElapsed > 3_600_000) {
    const at = start + (obsElapsed * 100) / w.usedPercent;
    if (at < w.resetsAt) {
      runsOutAt = at;
      sentence += `; at this pace it runs out ${resetClock(at, nowMs, s.timeZone)}, ${span(w.resetsAt - at)} before it resets`;
    }
  }
  return { kind: 'week', usedPercent: w.usedPercent, elapsedPercent, ahead, ...(runsOutAt !== undefined ? { runsOutAt } : {}), sentence };
}

/**
 * The next instant after `nowMs` at which a window's shown state changes by the clock alone: its reset time
 * passing (`reset` from `resetsAt` on) or its observation turning stale (`stale` once older than
 * `staleAfterMs`). The views tick then as well as on their period, so every surface flips together, on time.
 */
export function nextPlanChange(data: PlanData | undefined, nowMs: number, settings: Partial<PlanSettings> = {}): number | undefined {
  const s: PlanSettings = { ...DEFAULT_PLAN_SETTINGS, ...settings };
  let next: number | undefined;
  const consider = (t: number | undefined): void => {
    if (t !== undefined && t > nowMs && (next === undefined || t < next)) next = t;
  };
  for (const w of Object.values(data?.windows ?? {})) {
    consider(w.resetsAt);
    consider(w.observedAt + s.staleAfterMs + 1);
  }
  return next;
}

/** Every window's facts at `nowMs`. */
export function planFacts(data: PlanData | undefined, nowMs: number, settings: Partial<PlanSettings> = {}): PlanFacts {
  const s: PlanSettings = { ...DEFAULT_PLAN_SETTINGS, ...settings };
  const windows: WindowFact[] = [];
  let level: PlanLevel = 'normal';
  let newest: number | undefined;
  for (const w of Object.values(data?.windows ?? {})) {
    const { label, short } = windowLabel(w.key, w.kind);
    const ageMs = Math.max(0, nowMs - w.observedAt);
    const reset = w.resetsAt !== undefined && w.resetsAt <= nowMs;
    const state: WindowState = reset ? 'reset' : ageMs > s.staleAfterMs ? 'stale' : 'current';
    const used = reset ? 0 : w.usedPercent;
    const f: WindowFact = {
      key: w.key,
      kind: w.kind,
      label,
      short,
      usedPercent: used,
      observedPercent: w.usedPercent,
      state,
      level: levelOf(used, s),
      observedAt: w.observedAt,
      ageMs,
      age: ago(ageMs),
    };
    if (w.resetsAt !== undefined) {
      f.resetsAt = w.resetsAt;
      f.resetClock = resetClock(w.resetsAt, nowMs, s.timeZone);
      if (!reset) {
        f.resetIn = span(w.resetsAt - nowMs);
        f.resetCountdown = countdown(w.resetsAt - nowMs);
      }
    }
    if (state === 'current') {
      const pace = w.kind === 'session' ? sessionPace(w, data?.history[w.key], s) : w.kind === 'week' || w.kind === 'modelWeek' ? weekPace(w, nowMs, s) : undefined;
      if (pace) f.pace = pace;
    } else if (state === 'stale' && (w.kind === 'week' || w.kind === 'modelWeek')) {
      const pace = weekPace(w, nowMs, s);
      if (pace) f.pace = pace;
    }
    level = worse(level, f.level);
    newest = newest === undefined ? w.observedAt : Math.max(newest, w.observedAt);
    windows.push(f);
  }
  windows.sort((a, b) => ORDER[a.kind] - ORDER[b.kind] || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const facts: PlanFacts = { windows, level, stale: newest !== undefined && nowMs - newest > s.staleAfterMs };
  if (newest !== undefined) {
    facts.observedAt = newest;
    facts.age = ago(Math.max(0, nowMs - newest));
  }
  const ses = data?.session;
  if (ses) {
    facts.session = { age: ago(Math.max(0, nowMs - ses.observedAt)), observedAt: ses.observedAt };
    if (ses.model) facts.session.model = ses.model;
    if (ses.version) facts.session.version = ses.version;
    if (ses.contextPercent !== undefined) facts.session.contextPercent = ses.contextPercent;
    if (ses.costUsd !== undefined) facts.session.costUsd = ses.costUsd;
  }
  return facts;
}
