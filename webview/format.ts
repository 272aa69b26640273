import { Decimal, formatUsd } from '../src/core/decimal';

const CENT = Decimal.parse('0.01');

/** Dollars from an exact decimal string: to the cent, or to 6 digits (trailing zeros dropped) under a cent. */
export function usd(s: string | null | undefined): string {
  if (s === null || s === undefined || s === '') return '—';
  const d = Decimal.tryParse(s);
  if (!d) return '—';
  const abs = d.isNegative() ? d.neg() : d;
  if (d.isZero() || abs.cmp(CENT) >= 0) return formatUsd(d, 2);
  return formatUsd(d, 6).replace(/0+$/, ''); // under a cent there are always non-zero digits left
}

export function int(n: number | undefined | null): string {
  return n === undefined || n === null ? '—' : Math.round(n).toLocaleString('en-US');
}

export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** Compact token count for axes: 1.2k, 3.4M. */
export function compact(n: number): string {
  const a = Math.abs(n);
  if (a >= 1e9) return `${(n / 1e9).toFixed(1)}B`;
  if (a >= 1e6) return `${(n / 1e6).toFixed(1)}M`;
  if (a >= 1e3) return `${(n / 1e3).toFixed(1)}k`;
  return String(n);
}

export function ago(iso: string | undefined, now: number): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((now - t) / 1000);
  if (s < 0) return `in ${relative(-s)}`;
  return s < 5 ? 'just now' : `${relative(s)} ago`;
}

function relative(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.round(s / 60)} min`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} days`;
}

export function until(iso: string | undefined, now: number): string {
  if (!iso) return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  const s = Math.round((t - now) / 1000);
  return s <= 0 ? 'now' : `in ${relative(s)}`;
}

/** `2026-11-05` → `Nov 5`; hour labels `2026-11-05T13:00Z` → `Nov 5 13:00`. */
export function shortDate(label: string): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):00Z)?$/.exec(label);
  if (!m) return label;
  const month = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'][Number(m[2]) - 1];
  return `${month} ${Number(m[3])}${m[4] ? ` ${m[4]}:00` : ''}`;
}
