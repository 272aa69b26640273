// AssemblyScript (not TypeScript: compiled by bench/local/wasm.ts with asc 0.28, never bundled or type-checked
// with the project). The structural JSON check of bench/local/wasm.ts, in WebAssembly: one JSON value per
// line [s, e) of linear memory, strings skipped scalar byte by byte or 16 bytes at a time (SIMD), numbers and
// literals read loosely. Returns the index after the value, or -1.
@inline function ws(i: u32, e: u32): u32 {
  while (i < e) {
    const c = load<u8>(i);
    if (c == 0x20 || c == 0x0a || c == 0x0d || c == 0x09) i++;
    else break;
  }
  return i;
}

function str(i: u32, e: u32): i32 {
  // i at the opening quote
  let j = i + 1;
  while (j < e) {
    const c = load<u8>(j);
    if (c == 0x22) return <i32>(j + 1);
    if (c == 0x5c) j += 2;
    else j++;
  }
  return -1;
}

function strSimd(i: u32, e: u32): i32 {
  let j = i + 1;
  const q = i8x16.splat(0x22);
  const b = i8x16.splat(0x5c);
  while (j + 16 <= e) {
    const v = v128.load(j);
    const m = i8x16.bitmask(v128.or(i8x16.eq(v, q), i8x16.eq(v, b)));
    if (m == 0) { j += 16; continue; }
    j += <u32>ctz(m);
    const c = load<u8>(j);
    if (c == 0x22) return <i32>(j + 1);
    j += 2;
  }
  while (j < e) {
    const c = load<u8>(j);
    if (c == 0x22) return <i32>(j + 1);
    if (c == 0x5c) j += 2;
    else j++;
  }
  return -1;
}

let useSimd: bool = false;
export function setSimd(on: bool): void { useSimd = on; }

function value(i: u32, e: u32, depth: i32): i32 {
  if (i >= e) return -1;
  const c = load<u8>(i);
  if (c == 0x22) return useSimd ? strSimd(i, e) : str(i, e);
  if (c == 0x7b) {
    if (depth > 200) return -1;
    let k = ws(i + 1, e);
    if (k < e && load<u8>(k) == 0x7d) return <i32>(k + 1);
    while (true) {
      if (k >= e || load<u8>(k) != 0x22) return -1;
      const r = useSimd ? strSimd(k, e) : str(k, e);
      if (r < 0) return -1;
      k = ws(<u32>r, e);
      if (k >= e || load<u8>(k) != 0x3a) return -1;
      const v = value(ws(k + 1, e), e, depth + 1);
      if (v < 0) return -1;
      k = ws(<u32>v, e);
      if (k >= e) return -1;
      const d = load<u8>(k);
      if (d == 0x2c) k = ws(k + 1, e);
      else if (d == 0x7d) return <i32>(k + 1);
      else return -1;
    }
  }
  if (c == 0x5b) {
    if (depth > 200) return -1;
    let k = ws(i + 1, e);
    if (k < e && load<u8>(k) == 0x5d) return <i32>(k + 1);
    while (true) {
      const v = value(k, e, depth + 1);
      if (v < 0) return -1;
      k = ws(<u32>v, e);
      if (k >= e) return -1;
      const d = load<u8>(k);
      if (d == 0x2c) k = ws(k + 1, e);
      else if (d == 0x5d) return <i32>(k + 1);
      else return -1;
    }
  }
  // scalar: digits, letters, - + . (loose)
  let k = i;
  while (k < e) {
    const d = load<u8>(k);
    if ((d >= 0x30 && d <= 0x39) || (d >= 0x61 && d <= 0x7a) || d == 0x2d || d == 0x2b || d == 0x2e || d == 0x45) k++;
    else break;
  }
  return k > i ? <i32>k : -1;
}

export function validateAll(starts: u32, ends: u32, n: u32): u32 {
  let ok: u32 = 0;
  for (let x: u32 = 0; x < n; x++) {
    const s = load<u32>(starts + x * 4);
    const e = load<u32>(ends + x * 4);
    const r = value(s, e, 0);
    if (r == <i32>e) ok++;
  }
  return ok;
}
