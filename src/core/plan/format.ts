/**
 * Time and percent formatting for plan limits, small enough for the status line bundle. Clock times are in
 * the user's zone: the process's own (TZ) by default, or an IANA zone when given (the extension's
 * `claudeUsage.local.timezone`). No vscode import.
 */
import { MONTHS, WEEKDAYS } from '../model/days';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Wall-clock parts of `ms` in `timeZone` (undefined: the process's zone). */
export function wallParts(ms: number, timeZone?: string): { weekday: string; day: number; month: number; hour: number; minute: number; dayKey: string } {
  if (!timeZone) {
    const d = new Date(ms);
    return { weekday: WEEKDAYS[d.getDay()]!, day: d.getDate(), month: d.getMonth() + 1, hour: d.getHours(), minute: d.getMinutes(), dayKey: `${d.getFullYear()}-${d.getMonth() + 1}-${d.getDate()}` };
  }
  let f = formatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', weekday: 'short', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric' });
    formatters.set(timeZone, f);
  }
  const parts = f.formatToParts(new Date(ms));
  const get = (t: string): string => parts.find((p) => p.type === t)?.value ?? '';
  return { weekday: get('weekday'), day: Number(get('day')), month: Number(get('month')), hour: Number(get('hour')) % 24, minute: Number(get('minute')), dayKey: `${get('year')}-${get('month')}-${get('day')}` };
}

const pad = (n: number): string => String(n).padStart(2, '0');

/** "14:05" in the user's zone. */
export function clockTime(ms: number, timeZone?: string): string {
  const p = wallParts(ms, timeZone);
  return `${pad(p.hour)}:${pad(p.minute)}`;
}

/**
 * A reset time for display: "14:05" when it falls on today's date, "Thu 09:00" otherwise. `nowMs`
 * decides what "today" is (in the same zone).
 */
export function resetClock(ms: number, nowMs: number, timeZone?: string): string {
  const p = wallParts(ms, timeZone);
  const time = `${pad(p.hour)}:${pad(p.minute)}`;
  return p.dayKey === wallParts(nowMs, timeZone).dayKey ? time : `${p.weekday} ${time}`;
}

/** "Mon 1 Mar" in the user's zone. */
function dateText(p: ReturnType<typeof wallParts>): string {
  return `${p.weekday} ${p.day} ${MONTHS[p.month - 1]}`;
}

/** "Mon 1 Mar 13:20" in the user's zone: a moment on a chart of several days (its data table, its tooltip). */
export function dateTime(ms: number, timeZone?: string): string {
  const p = wallParts(ms, timeZone);
  return `${dateText(p)} ${pad(p.hour)}:${pad(p.minute)}`;
}

/** Steps a time axis may take, in minutes: round on a clock (a week at most: longer spans take whole weeks). */
const TICK_STEPS_MIN = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 4320, 10080];

export interface TimeTick {
  at: number;
  label: string;
}

/**
 * The ticks of a time axis over [fromMs, toMs]: at most `maxTicks`, at the smallest round step that keeps
 * them that few, on round wall-clock times in the user's zone (13:00, 13:15; midnights for steps of a day
 * or more, also across a daylight-saving change). A tick says "13:15", with the date on the first tick and
 * wherever the day changes ("Mon 1 Mar 13:15"); at steps of a day or more, the date alone.
 */
export function timeTicks(fromMs: number, toMs: number, timeZone?: string, maxTicks = 6): TimeTick[] {
  if (!(toMs > fromMs) || maxTicks < 1) return [];
  const spanMin = (toMs - fromMs) / MIN;
  const fits = (s: number): boolean => Math.floor(spanMin / s) + 1 <= maxTicks;
  const step = TICK_STEPS_MIN.find(fits) ?? Math.ceil(spanMin / Math.max(1, maxTicks - 1) / 10_080) * 10_080;
  // Ticks sit where the wall clock's minute of the day is a multiple of `unit` (days and weeks: midnight).
  const unit = Math.min(step, 1440);
  const offBy = (t: number): number => {
    const p = wallParts(t, timeZone);
    return (p.hour * 60 + p.minute) % unit;
  };
  const ticks: TimeTick[] = [];
  let t = Math.ceil(fromMs / MIN) * MIN;
  const off = offBy(t);
  if (off) t += (unit - off) * MIN;
  let prevDay: string | undefined;
  for (let guard = 0; t <= toMs && guard <= maxTicks * 2; guard++) {
    // A step across a daylight-saving change lands an hour off its round time: snap to the nearest one.
    const o = offBy(t);
    if (o) t += (o <= unit / 2 ? -o : unit - o) * MIN;
    if (t >= fromMs && t <= toMs) {
      const p = wallParts(t, timeZone);
      const time = `${pad(p.hour)}:${pad(p.minute)}`;
      ticks.push({ at: t, label: step >= 1440 ? dateText(p) : p.dayKey === prevDay ? time : `${dateText(p)} ${time}` });
      prevDay = p.dayKey;
    }
    t += step * MIN;
  }
  return ticks;
}

/** "45s", "25 min", "2 h 13 min", "3 d 4 h". */
export function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.round(ms / MIN);
  if (m < 60) return `${m} min`;
  if (ms < 2 * DAY) {
    const h = Math.floor(m / 60);
    return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  }
  const h = Math.round(ms / HOUR);
  return h % 24 ? `${Math.floor(h / 24)} d ${h % 24} h` : `${h / 24} d`;
}

/** Compact countdown for the status line: "2h13m", "25m", "3d4h". */
export function countdown(ms: number): string {
  const m = Math.max(0, Math.ceil(ms / MIN));
  if (m < 60) return `${m}m`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h}h${pad(m % 60)}m` : `${h}h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d}d${h % 24}h` : `${d}d`;
}

/** "just now", "3 min ago", "2 h 5 min ago". */
export function ago(ms: number): string {
  return ms < 60_000 ? 'just now' : `${span(ms)} ago`;
}

/** 42 → "42%", 41.6 → "42%", 0.4 → "<1%" (used, but less than one percent). */
export function pct(n: number): string {
  if (n > 0 && n < 0.5) return '<1%';
  return `${Math.round(n)}%`;
}
