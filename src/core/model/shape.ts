/**
 * Runtime checks for plain JSON read back from disk (the snapshot, the day cache, the lease, focus), with
 * the rigour the zod schemas give API responses but without zod, which stays out of the activation bundle
 * (esbuild.mjs, LAZY_ONLY). A `Shape<T>` returns a NEW value of type T built from what it accepts: unknown
 * keys are dropped and records are rebuilt with `Object.fromEntries`, so a `__proto__` key in a file stays
 * an ordinary key. Anything else throws a `ShapeError` naming the JSON path that failed
 * (`rows[3].amountUsd: expected a decimal string`). The path is built only on failure, so a check of a
 * large, valid file allocates nothing but its result.
 */
import { isIsoDate } from './days';

export class ShapeError extends Error {
  /** Path segments, innermost last (`['rows', '[3]', 'amountUsd']`). */
  readonly segments: string[] = [];

  constructor(readonly expected: string) {
    super(`expected ${expected}`);
    this.name = 'ShapeError';
  }

  /** `rows[3].amountUsd` (`(root)` for the value itself). */
  get path(): string {
    let out = '';
    for (const s of this.segments) out += s.startsWith('[') || !out ? s : `.${s}`;
    return out || '(root)';
  }

  /** Adds an outer path segment while the error travels up. */
  within(segment: string): ShapeError {
    this.segments.unshift(segment);
    this.message = `${this.path}: expected ${this.expected}`;
    return this;
  }
}

export type Shape<T> = (v: unknown) => T;

/** A field that may be absent (or `undefined`): it is left out of the result then. */
export interface Optional<T> {
  readonly optional: Shape<T>;
}

export function opt<T>(shape: Shape<T>): Optional<T> {
  return { optional: shape };
}

type Field<X> = undefined extends X ? Optional<Exclude<X, undefined>> : Shape<X>;
/** One check per key of T, none missing: a new field in a persisted type fails the type check until it has a shape here. */
export type Fields<T> = { [K in keyof T]-?: Field<T[K]> };

/** The value or the error, for callers that report instead of throwing. */
export function check<T>(shape: Shape<T>, v: unknown): { ok: true; value: T } | { ok: false; error: ShapeError } {
  try {
    return { ok: true, value: shape(v) };
  } catch (e) {
    if (e instanceof ShapeError) return { ok: false, error: e };
    if (e instanceof RangeError) return { ok: false, error: new ShapeError(`a value in range (${e.message})`) };
    throw e;
  }
}

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Strings longer than this are not something this extension wrote. */
const MAX_STRING = 100_000;

export const str: Shape<string> = (v) => {
  if (typeof v !== 'string' || v.length > MAX_STRING) throw new ShapeError('a string');
  return v;
};

export const nonEmptyStr: Shape<string> = (v) => {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_STRING) throw new ShapeError('a non-empty string');
  return v;
};

export const bool: Shape<boolean> = (v) => {
  if (typeof v !== 'boolean') throw new ShapeError('true or false');
  return v;
};

/** A finite number. */
export const num: Shape<number> = (v) => {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new ShapeError('a number');
  return v;
};

/** A non-negative safe integer (tokens, counts). */
export const count: Shape<number> = (v) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new ShapeError('a non-negative integer');
  return v;
};

/** A safe integer, possibly negative (what a rate-limit header carried). */
export const int: Shape<number> = (v) => {
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) throw new ShapeError('an integer');
  return v;
};

export function between(min: number, max: number): Shape<number> {
  return (v) => {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) throw new ShapeError(`a number from ${min} to ${max}`);
    return v;
  };
}

/** Epoch milliseconds a `Date` can hold (so `new Date(t).toISOString()` never throws). */
export const epochMs: Shape<number> = between(0, 8.64e15);

export function oneOf<const T extends string>(values: readonly T[]): Shape<T> {
  return (v) => {
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) throw new ShapeError(`one of ${values.join(', ')}`);
    return v as T;
  };
}

export function matching(re: RegExp, what: string): Shape<string> {
  return (v) => {
    if (typeof v !== 'string' || v.length > MAX_STRING || !re.test(v)) throw new ShapeError(what);
    return v;
  };
}

/** A real calendar day `YYYY-MM-DD`. */
export const isoDay: Shape<string> = (v) => {
  if (!isIsoDate(v)) throw new ShapeError('a day YYYY-MM-DD');
  return v;
};

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
/** An RFC 3339 time with a zone that `Date.parse` reads. */
export const isoTime: Shape<string> = (v) => {
  if (typeof v !== 'string' || !ISO_TIME.test(v) || Number.isNaN(Date.parse(v))) throw new ShapeError('an RFC 3339 time');
  return v;
};

/** An exact amount as the store writes it (`Decimal#toString()`): digits, an optional fraction, an optional minus. */
export const decimal: Shape<string> = matching(/^-?\d{1,40}(\.\d{1,40})?$/, 'a decimal string');

export function nullable<T>(shape: Shape<T>): Shape<T | null> {
  return (v) => (v === null ? null : shape(v));
}

export function literal<const T extends string | number | boolean>(value: T): Shape<T> {
  return (v) => {
    if (v !== value) throw new ShapeError(JSON.stringify(value));
    return value;
  };
}

export function array<T>(item: Shape<T>, max = 1_000_000): Shape<T[]> {
  return (v) => {
    if (!Array.isArray(v)) throw new ShapeError('an array');
    if (v.length > max) throw new ShapeError(`at most ${max} items`);
    const out = new Array<T>(v.length);
    for (let i = 0; i < v.length; i++) {
      try {
        out[i] = item(v[i]);
      } catch (e) {
        throw e instanceof ShapeError ? e.within(`[${i}]`) : e;
      }
    }
    return out;
  };
}

/** An object used as a map (string keys, values of one shape), rebuilt with `Object.fromEntries`. */
export function record<T>(value: Shape<T>, maxKeys = 100_000): Shape<Record<string, T>> {
  return (v) => {
    if (!isPlainObject(v)) throw new ShapeError('an object');
    const entries = Object.entries(v);
    if (entries.length > maxKeys) throw new ShapeError(`at most ${maxKeys} keys`);
    return Object.fromEntries(
      entries.map(([k, x]) => {
        if (k.length > MAX_STRING) throw new ShapeError('a shorter key');
        try {
          return [k, value(x)];
        } catch (e) {
          throw e instanceof ShapeError ? e.within(k) : e;
        }
      }),
    );
  };
}

export function object<T>(fields: Fields<T>): Shape<T> {
  const entries = Object.entries(fields) as [string, Shape<unknown> | Optional<unknown>][];
  return (v) => {
    if (!isPlainObject(v)) throw new ShapeError('an object');
    const out: Record<string, unknown> = {};
    for (const [k, f] of entries) {
      const x = hasOwn(v, k) ? v[k] : undefined;
      try {
        if (typeof f === 'function') out[k] = f(x);
        else if (x !== undefined) out[k] = f.optional(x);
      } catch (e) {
        throw e instanceof ShapeError ? e.within(k) : e;
      }
    }
    return out as T;
  };
}

/** A shape with a further rule over the whole value (`since` before `until`, rows inside the range). */
export function refine<T>(shape: Shape<T>, rule: (v: T) => string | undefined): Shape<T> {
  return (v) => {
    const out = shape(v);
    const broken = rule(out);
    if (broken !== undefined) throw new ShapeError(broken);
    return out;
  };
}
