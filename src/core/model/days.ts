/**
 * Calendar days as `YYYY-MM-DD` strings. The Admin API's days are UTC days; local transcripts use days in a
 * chosen zone (`zones.ts`). Every surface uses these helpers, so a day boundary is computed one way only.
 */
export const DAY_MS = 86_400_000;
export const HOUR_MS = 3_600_000;

const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

/** A real calendar date in `YYYY-MM-DD` form (2026-02-30 is not). */
export function isIsoDate(s: unknown): s is string {
  if (typeof s !== 'string' || !DATE_RE.test(s)) return false;
  const t = Date.parse(`${s}T00:00:00Z`);
  return !Number.isNaN(t) && new Date(t).toISOString().startsWith(s);
}

/** The UTC day of an instant. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Midnight UTC at the start of `day`. */
export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export function addDays(day: string, n: number): string {
  return utcDay(dayStartMs(day) + n * DAY_MS);
}

/** Days in [since, until), oldest first (`until` exclusive, like the API's `ending_at`). */
export function dayRange(since: string, until: string): string[] {
  const out: string[] = [];
  for (let d = since; d < until; d = addDays(d, 1)) out.push(d);
  return out;
}

/** Days from `since` through `until` inclusive, at most `max` of them. */
export function daysThrough(since: string, until: string, max = 3700): string[] {
  const out: string[] = [];
  for (let d = since; d <= until && out.length < max; d = addDays(d, 1)) out.push(d);
  return out;
}

/** `YYYY-MM` of a day. */
export function monthOf(day: string): string {
  return day.slice(0, 7);
}

/** The first day of the month of `day`. */
export function monthStart(day: string): string {
  return `${day.slice(0, 8)}01`;
}

/** Days in the month of `day`. */
export function daysInMonth(day: string): number {
  return new Date(Date.UTC(Number(day.slice(0, 4)), Number(day.slice(5, 7)), 0)).getUTCDate();
}

/** Monday of the ISO week containing `day`. */
export function weekOf(day: string): string {
  const idx = Math.floor(dayStartMs(day) / DAY_MS);
  const monday = idx - ((idx + 3) % 7);
  return utcDay(monday * DAY_MS);
}

/** A day is complete (never changes again) once its end plus the API's lag has passed. */
export function isCompleteDay(day: string, now: number, lagMs: number): boolean {
  return now >= dayStartMs(day) + DAY_MS + lagMs;
}

/** Short English names, as every date on screen writes them ("Thu 27 Nov"). */
export const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
export const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** "Thu 27 Nov" for a `YYYY-MM-DD` (the sidebar's day rows). */
export function dayLabel(day: string): string {
  const d = new Date(dayStartMs(day));
  return `${WEEKDAYS[d.getUTCDay()]} ${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]}`;
}

/** "Dec 2026" for a `YYYY-MM` or a `YYYY-MM-DD`. */
export function monthLabel(monthOrDay: string): string {
  return `${MONTHS[Number(monthOrDay.slice(5, 7)) - 1]} ${monthOrDay.slice(0, 4)}`;
}

/** `2026-11-05` → `Nov 5`; hour labels `2026-11-05T13:00Z` → `Nov 5 13:00` (chart axes). */
export function shortDate(label: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):00Z)?$/.exec(label);
  if (!m) return label;
  return `${MONTHS[Number(m[2]) - 1]} ${Number(m[3])}${m[4] ? ` ${m[4]}:00` : ''}`;
}
