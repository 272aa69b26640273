/** mulberry32: a tiny seeded PRNG (uniform in [0, 1)) for deterministic test data and benchmark corpora. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Random draws over a PRNG: integers in [a, b], an element, hex and base-62 strings, UUID-shaped ids. */
export function randomDraws(rnd: () => number) {
  const int = (a: number, b: number) => a + Math.floor(rnd() * (b - a + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  const hex = (n: number) => {
    let s = '';
    while (s.length < n) s += Math.floor(rnd() * 0x100000000).toString(16).padStart(8, '0');
    return s.slice(0, n);
  };
  const b62 = (n: number) => {
    const A = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < n; i++) s += A[Math.floor(rnd() * 62)];
    return s;
  };
  const uuid = () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
  return { int, pick, hex, b62, uuid };
}
