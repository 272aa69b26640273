/**
 * Exact decimal arithmetic for money. A value is `mantissa / 10^scale` with a BigInt mantissa, so sums
 * of API cent strings and of token x price products never pass through binary floating point.
 * `toNumber()` exists only for chart geometry; every amount a user reads goes through `toFixed`/`toString`.
 */
export class Decimal {
  static readonly ZERO = new Decimal(0n, 0);

  private constructor(
    readonly mantissa: bigint,
    readonly scale: number,
  ) {}

  /** Parses `"123.45"`, `"-0.5"`, `"7"`, `"1e-7"`, `"2.5E3"`. Throws `RangeError` on anything else. */
  static parse(text: string): Decimal {
    const m = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/.exec(text);
    if (!m || (m[2] === '' && (m[3] === undefined || m[3] === ''))) {
      throw new RangeError(`not a decimal number: ${JSON.stringify(text.slice(0, 40))}`);
    }
    const sign = m[1] === '-' ? -1n : 1n;
    const intPart = m[2] || '0';
    const frac = m[3] ?? '';
    const exp = m[4] ? Number(m[4]) : 0;
    let mantissa = BigInt(intPart + frac) * sign;
    let scale = frac.length - exp;
    if (scale < 0) {
      mantissa *= 10n ** BigInt(-scale);
      scale = 0;
    }
    return new Decimal(mantissa, scale);
  }

  /** Like `parse` but returns `undefined` instead of throwing. */
  static tryParse(text: string): Decimal | undefined {
    try {
      return Decimal.parse(text);
    } catch {
      return undefined;
    }
  }

  /** From a JS number using its shortest round-trip representation (what JSON carried). */
  static fromNumber(n: number): Decimal {
    if (!Number.isFinite(n)) throw new RangeError(`not a finite number: ${n}`);
    return Decimal.parse(String(n));
  }

  static fromBigInt(n: bigint, scale = 0): Decimal {
    return new Decimal(n, scale);
  }

  static sum(values: Iterable<Decimal>): Decimal {
    let acc = Decimal.ZERO;
    for (const v of values) acc = acc.add(v);
    return acc;
  }

  private rescale(scale: number): bigint {
    return this.mantissa * 10n ** BigInt(scale - this.scale);
  }

  add(other: Decimal): Decimal {
    if (other.mantissa === 0n && other.scale <= this.scale) return this;
    const scale = Math.max(this.scale, other.scale);
    return new Decimal(this.rescale(scale) + other.rescale(scale), scale);
  }

  sub(other: Decimal): Decimal {
    return this.add(other.neg());
  }

  neg(): Decimal {
    return new Decimal(-this.mantissa, this.scale);
  }

  mul(other: Decimal): Decimal {
    return new Decimal(this.mantissa * other.mantissa, this.scale + other.scale);
  }

  mulInt(n: number | bigint): Decimal {
    return new Decimal(this.mantissa * BigInt(n), this.scale);
  }

  /** Exact division by 10^k (cents to dollars is `shift(2)`; per-million prices `shift(6)`). */
  shift(k: number): Decimal {
    return new Decimal(this.mantissa, this.scale + k);
  }

  /** Exact division by an integer when the result terminates; otherwise rounded half-even to `maxScale`. */
  divInt(n: number | bigint, maxScale = 18): Decimal {
    const d = BigInt(n);
    if (d === 0n) throw new RangeError('division by zero');
    const num = this.rescale(Math.max(this.scale, maxScale));
    return new Decimal(roundDiv(num, d), Math.max(this.scale, maxScale)).normalize();
  }

  cmp(other: Decimal): -1 | 0 | 1 {
    const scale = Math.max(this.scale, other.scale);
    const a = this.rescale(scale);
    const b = other.rescale(scale);
    return a < b ? -1 : a > b ? 1 : 0;
  }

  eq(other: Decimal): boolean {
    return this.cmp(other) === 0;
  }

  isZero(): boolean {
    return this.mantissa === 0n;
  }

  isNegative(): boolean {
    return this.mantissa < 0n;
  }

  /** Drops trailing fractional zeros: `1.500` becomes `1.5`. */
  normalize(): Decimal {
    let m = this.mantissa;
    let s = this.scale;
    while (s > 0 && m % 10n === 0n) {
      m /= 10n;
      s--;
    }
    return s === this.scale ? this : new Decimal(m, s);
  }

  /** Rounds half-even to `digits` fractional digits and always prints exactly that many. */
  toFixed(digits: number): string {
    let m = this.mantissa;
    if (digits < this.scale) {
      m = roundDiv(m, 10n ** BigInt(this.scale - digits));
    } else {
      m *= 10n ** BigInt(digits - this.scale);
    }
    return format(m, digits);
  }

  /** Every digit, no exponent, trailing zeros removed (`"0"` for zero). */
  toString(): string {
    const n = this.normalize();
    return format(n.mantissa, n.scale);
  }

  toJSON(): string {
    return this.toString();
  }

  /** For chart geometry only; never for a displayed or exported amount. */
  toNumber(): number {
    return Number(this.toString());
  }
}

function roundDiv(num: bigint, den: bigint): bigint {
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  let q = num / den;
  const r = num - q * den;
  const twice = (r < 0n ? -r : r) * 2n;
  if (twice > den || (twice === den && q % 2n !== 0n)) q += r < 0n ? -1n : 1n;
  return q;
}

function format(m: bigint, scale: number): string {
  const neg = m < 0n;
  let digits = (neg ? -m : m).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return neg && /[1-9]/.test(digits) ? `-${digits}` : digits;
}

/** `"123.45"` cents as exact dollars (`1.2345`). */
export function centsToUsd(cents: Decimal): Decimal {
  return cents.shift(2);
}

/** Display form `$1,234.57` (half-even to cents; `digits` for sub-cent views). */
export function formatUsd(usd: Decimal, digits = 2): string {
  const fixed = usd.toFixed(digits);
  const neg = fixed.startsWith('-');
  const [int, frac] = (neg ? fixed.slice(1) : fixed).split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${neg ? '-' : ''}$${grouped}${frac !== undefined ? `.${frac}` : ''}`;
}
