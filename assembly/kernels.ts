// Integer kernels in AssemblyScript + WebAssembly SIMD (whitepaper §2.2.6).
//
// Semantics are defined by the TypeScript references in src/engine/kernels/
// and documented in docs/kernels.md; this file must match them bit for bit.
// All arithmetic is int32 two's complement (wasm i32.add / i32x4.add wrap
// modulo 2^32, which is associative and commutative), so the SIMD lane order
// used here gives exactly the reference's result; the documented bounds make
// that result the exact integer.
//
// Memory: no runtime (`--runtime stub`), no allocations here. The JavaScript
// side (src/engine/kernels/wasm.ts) owns the exported linear memory, places
// matrices and vectors above `heapBase()` and passes byte offsets. Every
// buffer the JS side allocates has at least 16 bytes of slack after it so an
// 8- or 16-byte vector load at the end of a row never leaves the memory.
//
// Build (exact command in scripts/build-wasm.ts; output committed as
// src/engine/kernels/kernels-wasm.ts):
//   asc assembly/kernels.ts -O3 --enable simd --runtime stub ...

/** First byte the JS side may use (end of static data, 16-byte aligned). */
export function heapBase(): usize {
  return (__heap_base + 15) & ~(15 as usize);
}

/** Horizontal sum of the four i32 lanes. */
// @ts-ignore: decorator
@inline
function hsum(v: v128): i32 {
  return i32x4.extract_lane(v, 0) + i32x4.extract_lane(v, 1) + i32x4.extract_lane(v, 2) + i32x4.extract_lane(v, 3);
}

/**
 * out[r] = Σ_c w[r*cols + c] · x[c] for r in [0, rows): int8 W (rows, cols)
 * row-major at `w`, int8 x (cols) at `x`, int32 out (rows) at `out`.
 *
 * Each 8 columns: `v128.load8x8_s` loads 8 int8 and sign-extends them to
 * i16x8; `i32x4.dot_i16x8_s` multiplies lane-wise (exact: |product| ≤ 2^14)
 * and adds adjacent pairs into i32x4. Four rows share each x vector.
 */
export function matvecI8(w: usize, rows: i32, cols: i32, x: usize, out: usize): void {
  const stride = <usize>cols;
  const cols16 = cols & ~15;
  const cols8 = cols & ~7;
  let r = 0;
  for (; r + 4 <= rows; r += 4) {
    const w0 = w + <usize>r * stride;
    const w1 = w0 + stride;
    const w2 = w1 + stride;
    const w3 = w2 + stride;
    let a0 = i32x4.splat(0);
    let a1 = i32x4.splat(0);
    let a2 = i32x4.splat(0);
    let a3 = i32x4.splat(0);
    let c = 0;
    for (; c < cols16; c += 16) {
      const o = <usize>c;
      const xl = v128.load8x8_s(x + o);
      const xh = v128.load8x8_s(x + o, 8);
      a0 = i32x4.add(a0, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w0 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w0 + o, 8), xh)));
      a1 = i32x4.add(a1, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w1 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w1 + o, 8), xh)));
      a2 = i32x4.add(a2, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w2 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w2 + o, 8), xh)));
      a3 = i32x4.add(a3, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w3 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w3 + o, 8), xh)));
    }
    if (c < cols8) {
      const o = <usize>c;
      const xl = v128.load8x8_s(x + o);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load8x8_s(w0 + o), xl));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load8x8_s(w1 + o), xl));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load8x8_s(w2 + o), xl));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load8x8_s(w3 + o), xl));
      c += 8;
    }
    let s0 = hsum(a0);
    let s1 = hsum(a1);
    let s2 = hsum(a2);
    let s3 = hsum(a3);
    for (; c < cols; c++) {
      const o = <usize>c;
      const xc = <i32>load<i8>(x + o);
      s0 += <i32>load<i8>(w0 + o) * xc;
      s1 += <i32>load<i8>(w1 + o) * xc;
      s2 += <i32>load<i8>(w2 + o) * xc;
      s3 += <i32>load<i8>(w3 + o) * xc;
    }
    const p = out + (<usize>r << 2);
    store<i32>(p, s0);
    store<i32>(p, s1, 4);
    store<i32>(p, s2, 8);
    store<i32>(p, s3, 12);
  }
  for (; r < rows; r++) {
    const w0 = w + <usize>r * stride;
    let a0 = i32x4.splat(0);
    let c = 0;
    for (; c < cols8; c += 8) {
      const o = <usize>c;
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load8x8_s(w0 + o), v128.load8x8_s(x + o)));
    }
    let s0 = hsum(a0);
    for (; c < cols; c++) {
      const o = <usize>c;
      s0 += <i32>load<i8>(w0 + o) * <i32>load<i8>(x + o);
    }
    store<i32>(out + (<usize>r << 2), s0);
  }
}

/**
 * out[j] = Σ_{i<n} p[i] · v[i*d + j] for j in [0, d), wrapping int32: int32
 * p (n) at `p`, int8 V (n, d) row-major at `v`, int32 out (d) at `out`.
 * (Attention: the probability-weighted sum of the value rows.)
 *
 * Columns in blocks of 16 (four i32x4 accumulators in registers), rows inner.
 */
export function weightedSumI8(v: usize, n: i32, d: i32, p: usize, out: usize): void {
  const stride = <usize>d;
  const d16 = d & ~15;
  let j = 0;
  for (; j < d16; j += 16) {
    let a0 = i32x4.splat(0);
    let a1 = i32x4.splat(0);
    let a2 = i32x4.splat(0);
    let a3 = i32x4.splat(0);
    let row = v + <usize>j;
    for (let i = 0; i < n; i++) {
      const pi = i32x4.splat(load<i32>(p + (<usize>i << 2)));
      const lo = v128.load8x8_s(row);
      const hi = v128.load8x8_s(row, 8);
      a0 = i32x4.add(a0, i32x4.mul(pi, i32x4.extend_low_i16x8_s(lo)));
      a1 = i32x4.add(a1, i32x4.mul(pi, i32x4.extend_high_i16x8_s(lo)));
      a2 = i32x4.add(a2, i32x4.mul(pi, i32x4.extend_low_i16x8_s(hi)));
      a3 = i32x4.add(a3, i32x4.mul(pi, i32x4.extend_high_i16x8_s(hi)));
      row += stride;
    }
    const o = out + (<usize>j << 2);
    v128.store(o, a0);
    v128.store(o, a1, 16);
    v128.store(o, a2, 32);
    v128.store(o, a3, 48);
  }
  for (; j < d; j++) {
    let s = 0;
    let q = v + <usize>j;
    for (let i = 0; i < n; i++) {
      s += load<i32>(p + (<usize>i << 2)) * <i32>load<i8>(q);
      q += stride;
    }
    store<i32>(out + (<usize>j << 2), s);
  }
}
