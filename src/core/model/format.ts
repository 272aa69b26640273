/**
 * How numbers, money and times are written, the same way on every surface (status bar, tooltip, trees,
 * dashboard, CLI tables). Pure; runs in the webview too.
 */
import { Decimal, formatUsd } from '../decimal';

const CENT = Decimal.parse('0.01');

/**
 * The one money rule: dollars to the cent (`$1,234.57`); an amount that is not zero but would round to
 * `$0.00` gets up to six decimals instead (`$0.00607`), so a small cost never reads as free.
 * Accepts an exact decimal string or a `Decimal`; anything unreadable is `—`.
 */
export function usd(amount: string | Decimal | null | undefined): string {
  if (amount === null || amount === undefined || amount === '') return '—';
  const d = typeof amount === 'string' ? Decimal.tryParse(amount) : amount;
  if (!d) return '—';
  const abs = d.isNegative() ? d.neg() : d;
  if (d.isZero() || abs.cmp(CENT) >= 0) return formatUsd(d, 2);
  const six = formatUsd(d, 6).replace(/0+$/, '');
  return six.endsWith('.') ? `${six}00` : six;
}

/** Every digit of an exact amount (tooltips that say "exact"): `$12.345678`. */
export function usdExact(amount: string | Decimal): string {
  const d = typeof amount === 'string' ? Decimal.parse(amount) : amount;
  const [, frac = ''] = d.toString().split('.');
  return formatUsd(d, Math.max(2, frac.length));
}

/** An API-equivalent estimate: `≈$1.23`, with `+` when some tokens had no price. */
export function usdEstimate(amount: string | Decimal, unpriced = false): string {
  return `≈${usd(amount)}${unpriced ? '+' : ''}`;
}

/** 812 → "812", 1000 → "1k", 91000 → "91k", 1500000 → "1.5M". */
export function compact(n: number): string {
  const abs = Math.abs(n);
  const fmt = (v: number, unit: string): string => `${Number(v.toFixed(Math.abs(v) < 10 ? 1 : 0))}${unit}`;
  if (abs >= 1e9) return fmt(n / 1e9, 'B');
  if (abs >= 1e6) return fmt(n / 1e6, 'M');
  if (abs >= 1e3) return fmt(n / 1e3, 'k');
  return String(Math.round(n));
}

/** 1234567 → "1,234,567"; undefined → "—". The same text as `toLocaleString('en-US')`, without an ICU call
 *  per number (the local tree formats thousands of them on every refresh). */
export function int(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return '—';
  const r = Math.round(n);
  if (Object.is(r, -0)) return '-0';
  const a = Math.abs(r);
  if (a >= 1e21) return r.toLocaleString('en-US');
  const digits = String(a);
  let i = digits.length % 3 || 3;
  let out = digits.slice(0, i);
  for (; i < digits.length; i += 3) out += `,${digits.slice(i, i + 3)}`;
  return r < 0 ? `-${out}` : out;
}

/** A share 0..1 as a percentage: `pct(0.4213)` → "42.1%", `pct(0.4213, 0)` → "42%". */
export function pct(x: number | null | undefined, digits = 1): string {
  return x === null || x === undefined || !Number.isFinite(x) ? '—' : `${(x * 100).toFixed(digits)}%`;
}

/** A remaining share or a utilisation, in whole percent everywhere: "81%". */
export function sharePct(x: number | null | undefined): string {
  return pct(x, 0);
}

/** A rate such as tool acceptance, to one decimal everywhere: "85.7%". */
export function ratePct(x: number | null | undefined): string {
  return pct(x, 1);
}

/** Bytes in decimal units, as file managers show them: "980 B", "4.8 MB", "3.2 GB". */
export function byteSize(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let u = 0;
  let x = n;
  while (x >= 999.5 && u < units.length - 1) {
    x /= 1000;
    u++;
  }
  return `${u === 0 ? Math.round(x) : x < 9.95 ? x.toFixed(1) : Math.round(x)} ${units[u]}`;
}

/** "1 session", "2 sessions"; `plural(1, 'PR')` → "1 PR". */
export function plural(n: number, one: string, many = `${one}s`): string {
  return `${int(n)} ${Math.round(n) === 1 ? one : many}`;
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

/** "in 3 min", "5 min ago", "now". */
export function relative(targetMs: number, nowMs: number): string {
  const d = targetMs - nowMs;
  if (Math.abs(d) < 1000) return 'now';
  return d > 0 ? `in ${duration(d)}` : `${duration(-d)} ago`;
}

/** How old an ISO time is: "just now" (under 5 s), "3 min ago"; "never" when absent. */
export function ago(iso: string | undefined, nowMs: number): string {
  if (!iso) return 'never';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  if (Math.abs(nowMs - t) < 5000) return 'just now';
  return relative(t, nowMs);
}

/** When something happens next: "in 3 min"; a time that has passed is "now" (never "3 min ago"). */
export function until(iso: string | number | undefined, nowMs: number): string {
  if (iso === undefined || iso === '') return '–';
  const t = typeof iso === 'number' ? iso : Date.parse(iso);
  if (Number.isNaN(t)) return String(iso);
  return t - nowMs < 1000 ? 'now' : `in ${duration(t - nowMs)}`;
}
