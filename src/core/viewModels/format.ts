/** Small, pure formatting helpers shared by the status bar and the trees. */
import { Decimal, formatUsd } from '../decimal';

/** 812 → "812", 1000 → "1k", 91000 → "91k", 1500000 → "1.5M". */
export function compact(n: number): string {
  const abs = Math.abs(n);
  const fmt = (v: number, unit: string): string => `${Number(v.toFixed(v < 10 ? 1 : 0))}${unit}`;
  if (abs >= 1e9) return fmt(n / 1e9, 'B');
  if (abs >= 1e6) return fmt(n / 1e6, 'M');
  if (abs >= 1e3) return fmt(n / 1e3, 'k');
  return String(Math.round(n));
}

export function grouped(n: number): string {
  return n.toLocaleString('en-US');
}

export function usd(amount: string | Decimal, digits = 2): string {
  return formatUsd(typeof amount === 'string' ? Decimal.parse(amount) : amount, digits);
}

/** "12s", "3 min", "2 h 5 min", "3 d". */
export function duration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  return `${Math.floor(h / 24)} d`;
}

export function relative(targetMs: number, nowMs: number): string {
  const d = targetMs - nowMs;
  if (Math.abs(d) < 1000) return 'now';
  return d > 0 ? `in ${duration(d)}` : `${duration(-d)} ago`;
}

export function age(iso: string | undefined, nowMs: number): string {
  if (!iso) return 'never';
  return relative(Date.parse(iso), nowMs);
}

export function percent(part: number, whole: number): string {
  if (whole <= 0) return '–';
  return `${Math.round((part / whole) * 100)}%`;
}

/** Escapes text for a Markdown table cell or paragraph (messages from the API, names). */
export function mdEscape(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');
}

export function utcToday(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 10);
}

/** "Thu 27 Nov" for a `YYYY-MM-DD`. */
export function dayLabel(day: string): string {
  const d = new Date(`${day}T00:00:00Z`);
  return d.toLocaleDateString('en-GB', { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' });
}
