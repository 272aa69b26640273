/** UTC calendar-day helpers (`YYYY-MM-DD`). */
const DAY_MS = 86_400_000;

export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00Z`);
}

export function addDays(day: string, n: number): string {
  return utcDay(dayStartMs(day) + n * DAY_MS);
}

/** Days in [since, until), oldest first. */
export function dayRange(since: string, until: string): string[] {
  const out: string[] = [];
  for (let d = since; d < until; d = addDays(d, 1)) out.push(d);
  return out;
}

/** A day is complete (never changes again) once its end plus the API's lag has passed. */
export function isCompleteDay(day: string, now: number, lagMs: number): boolean {
  return now >= dayStartMs(day) + DAY_MS + lagMs;
}
