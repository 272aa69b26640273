/**
 * Time zones: local calendar days for UTC instants in a chosen zone. `Intl` is slow (microseconds a call), so
 * the UTC offset is computed once per UTC day (per hour on a transition day, per instant in an hour holding
 * a transition off the whole hour) and cached, so the result always equals `Intl`'s.
 */
import { addDays } from './days';

const HOUR = 3_600_000;
const DAY = 86_400_000;

/** `TZ` values that ICU resolves to 'UTC' (checked against `Intl`): no need to start `Intl` to know. */
const UTC_TZ = new Set(['UTC', 'Etc/UTC', 'GMT', 'Etc/GMT']);

/**
 * The zone `Intl` uses by default. A zone that is UTC answers without `Intl`, whose first use costs
 * 16-26 ms (its data is loaded): a tenth of a warm `claude-usage local` run. ICU reads `TZ` first and, when
 * it is unset, where the `/etc/localtime` link points (Linux, macOS): the same two sources, in that order.
 */
export function systemTimeZone(): string {
  const tz = typeof process === 'undefined' ? undefined : process.env?.TZ;
  const named = tz !== undefined ? tz : zoneOfLocaltimeLink(localtimeLink());
  if (named !== undefined && UTC_TZ.has(named)) return 'UTC';
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/** The zone a `/etc/localtime` link target names (the part after `zoneinfo/`), as ICU reads it. */
export function zoneOfLocaltimeLink(target: string | undefined): string | undefined {
  const at = target?.lastIndexOf('zoneinfo/') ?? -1;
  return at < 0 ? undefined : target!.slice(at + 'zoneinfo/'.length);
}

/**
 * Where `/etc/localtime` links to; undefined when it is not a link, in a browser (the webview bundles this
 * module) or on Windows. `require` is reached indirectly so that no bundler pulls `fs` into the browser.
 */
function localtimeLink(): string | undefined {
  if (typeof process === 'undefined' || process.platform === 'win32' || typeof require !== 'function') return undefined;
  try {
    const load = require;
    return (load('node:fs') as typeof import('node:fs')).readlinkSync('/etc/localtime');
  } catch {
    return undefined;
  }
}

/** Returns the canonical zone name, or throws `RangeError` with a clear message. */
export function checkTimeZone(tz: string): string {
  if (/^(utc|z|gmt)$/i.test(tz)) return 'UTC';
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: tz }).resolvedOptions().timeZone;
  } catch {
    throw new RangeError(`unknown time zone "${tz}" (use an IANA name like Europe/Berlin, or UTC)`);
  }
}

export class DayClock {
  readonly timeZone: string;
  private readonly utc: boolean;
  private readonly fmt?: Intl.DateTimeFormat;
  private readonly offsets = new Map<number, number>();
  private readonly days = new Map<number, number>();
  private readonly names = new Map<number, string>();

  constructor(timeZone?: string) {
    this.timeZone = checkTimeZone(timeZone ?? systemTimeZone());
    this.utc = this.timeZone === 'UTC';
    if (!this.utc) {
      this.fmt = new Intl.DateTimeFormat('en-US', {
        timeZone: this.timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
        second: 'numeric',
      });
    }
  }

  /** Milliseconds to add to a UTC instant to get local wall-clock time. */
  offset(ms: number): number {
    if (this.utc) return 0;
    // A UTC day whose first and last second share an offset has no transition (zones change at most once
    // a day): one cache entry for the whole day. Otherwise per UTC hour, and per instant in the hour that
    // holds a transition off the whole hour (e.g. America/St_Johns at 05:30 UTC).
    const d = Math.floor(ms / DAY);
    let o = this.days.get(d);
    if (o === undefined) {
      o = this.computeOffset(d * DAY);
      if (this.computeOffset(d * DAY + DAY - 1000) !== o) o = NaN;
      this.days.set(d, o);
    }
    if (!Number.isNaN(o)) return o;
    const h = Math.floor(ms / HOUR);
    let oh = this.offsets.get(h);
    if (oh === undefined) {
      oh = this.computeOffset(h * HOUR);
      if (this.computeOffset(h * HOUR + HOUR - 1000) !== oh) oh = NaN;
      this.offsets.set(h, oh);
    }
    return Number.isNaN(oh) ? this.computeOffset(Math.floor(ms / 1000) * 1000) : oh;
  }

  private computeOffset(ms: number): number {
    const parts = this.fmt!.formatToParts(new Date(ms));
    const get = (t: string) => Number(parts.find((p) => p.type === t)?.value ?? 0);
    const local = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
    return local - ms;
  }

  /** Days since 1970-01-01 of the local calendar day containing `ms`. */
  dayIndex(ms: number): number {
    return Math.floor((ms + this.offset(ms)) / DAY);
  }

  dayName(index: number): string {
    let s = this.names.get(index);
    if (s === undefined) {
      s = new Date(index * DAY).toISOString().slice(0, 10);
      this.names.set(index, s);
    }
    return s;
  }

  /** `YYYY-MM-DD` of the local day containing `ms`. */
  day(ms: number): string {
    return this.dayName(this.dayIndex(ms));
  }
}

/** One DayClock per zone (they cache offsets), for `dayInZone` and `dayStartInZone`. */
const clocks = new Map<string, DayClock>();

function clockFor(timeZone?: string): DayClock {
  const key = timeZone || '';
  let c = clocks.get(key);
  if (!c) {
    try {
      c = new DayClock(timeZone || undefined);
    } catch {
      c = new DayClock('UTC');
    }
    clocks.set(key, c);
  }
  return c;
}

/**
 * `YYYY-MM-DD` of the instant `ms` in an IANA zone (`UTC` allowed; '' or undefined: the system's zone).
 * An unknown zone falls back to UTC (settings are validated where they are read; this never throws).
 */
export function dayInZone(ms: number, timeZone?: string): string {
  return clockFor(timeZone).day(ms);
}

/**
 * The first instant (epoch ms) of the local day `day` (`YYYY-MM-DD`) in a zone: local midnight, or the
 * first instant after a transition that skips midnight (clocks jumping from 23:59:59 to 01:00).
 * The same zone rules as `dayInZone` ('' or undefined: the system's zone; unknown: UTC).
 */
export function dayStartInZone(day: string, timeZone?: string): number {
  const c = clockFor(timeZone);
  const wall = Date.parse(`${day}T00:00:00Z`);
  const idx = wall / DAY;
  // Usually two steps find the instant whose wall-clock time is midnight.
  let t = wall - c.offset(wall);
  t = wall - c.offset(t);
  if (c.dayIndex(t) === idx && c.dayIndex(t - 1) < idx) return t;
  // A transition near midnight: the smallest instant whose local day is `day` or later. Offsets are within
  // ±14 h (−12 h … +14 h), so the answer lies between wall − 15 h and wall + 13 h.
  let lo = wall - 15 * HOUR;
  let hi = wall + 13 * HOUR;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (c.dayIndex(mid) >= idx) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * The first instant of tomorrow in a zone (the same zone rules as `dayInZone`): when "today" turns over there,
 * and how long "Snooze Until Tomorrow" lasts.
 */
export function tomorrowStart(nowMs: number, timeZone?: string): number {
  return dayStartInZone(addDays(dayInZone(nowMs, timeZone), 1), timeZone);
}
