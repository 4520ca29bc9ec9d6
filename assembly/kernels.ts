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
// side (src/engine/kernels/wasm-kernel-memory.ts) owns the exported linear memory, places
// matrices and vectors above `heapBase()` and passes byte offsets. Every
// buffer the JS side allocates has at least 16 bytes of slack after it so an
// 8- or 16-byte vector load at the end of a row never leaves the memory.
//
// Build (exact command in scripts/build-wasm.ts; output committed as
// src/engine/kernels/kernels-wasm.generated.ts):
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
 * out[r] = Σ_c w[r*stride + c] · x[c] for r in [0, rows): int8 W (rows, cols)
 * with row stride `stride` bytes at `w`, int8 x (cols) at `x`, int32 out
 * (rows) at `out`. (stride = cols: a plain row-major matrix; stride > cols:
 * a column slice, e.g. one attention head of a KV cache row.)
 *
 * Each 8 columns: `v128.load8x8_s` loads 8 int8 and sign-extends them to
 * i16x8; `i32x4.dot_i16x8_s` multiplies lane-wise (exact: |product| ≤ 2^14)
 * and adds adjacent pairs into i32x4. Eight (then four) rows share each x
 * vector. No load reads past column cols of a row.
 */
// @ts-ignore: decorator
@inline
function matvecStrided(w: usize, rows: i32, cols: i32, stride: usize, x: usize, out: usize): void {
  const cols16 = cols & ~15;
  const cols8 = cols & ~7;
  let r = 0;
  // 8-row blocks: each x vector feeds 8 rows (measured 11–18% faster than 4-row blocks at 4096×4096 here,
  // 8 accumulators + 2 x halves fit the 16 SIMD registers; docs/kernels.md "Tuning").
  for (; r + 8 <= rows; r += 8) {
    const w0 = w + <usize>r * stride;
    const w1 = w0 + stride;
    const w2 = w1 + stride;
    const w3 = w2 + stride;
    const w4 = w3 + stride;
    const w5 = w4 + stride;
    const w6 = w5 + stride;
    const w7 = w6 + stride;
    let a0 = i32x4.splat(0);
    let a1 = i32x4.splat(0);
    let a2 = i32x4.splat(0);
    let a3 = i32x4.splat(0);
    let a4 = i32x4.splat(0);
    let a5 = i32x4.splat(0);
    let a6 = i32x4.splat(0);
    let a7 = i32x4.splat(0);
    let c = 0;
    for (; c < cols16; c += 16) {
      const o = <usize>c;
      const xl = v128.load8x8_s(x + o);
      const xh = v128.load8x8_s(x + o, 8);
      a0 = i32x4.add(a0, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w0 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w0 + o, 8), xh)));
      a1 = i32x4.add(a1, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w1 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w1 + o, 8), xh)));
      a2 = i32x4.add(a2, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w2 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w2 + o, 8), xh)));
      a3 = i32x4.add(a3, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w3 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w3 + o, 8), xh)));
      a4 = i32x4.add(a4, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w4 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w4 + o, 8), xh)));
      a5 = i32x4.add(a5, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w5 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w5 + o, 8), xh)));
      a6 = i32x4.add(a6, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w6 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w6 + o, 8), xh)));
      a7 = i32x4.add(a7, i32x4.add(i32x4.dot_i16x8_s(v128.load8x8_s(w7 + o), xl), i32x4.dot_i16x8_s(v128.load8x8_s(w7 + o, 8), xh)));
    }
    if (c < cols8) {
      const o = <usize>c;
      const xl = v128.load8x8_s(x + o);
      a0 = i32x4.add(a0, i32x4.dot_i16x8_s(v128.load8x8_s(w0 + o), xl));
      a1 = i32x4.add(a1, i32x4.dot_i16x8_s(v128.load8x8_s(w1 + o), xl));
      a2 = i32x4.add(a2, i32x4.dot_i16x8_s(v128.load8x8_s(w2 + o), xl));
      a3 = i32x4.add(a3, i32x4.dot_i16x8_s(v128.load8x8_s(w3 + o), xl));
      a4 = i32x4.add(a4, i32x4.dot_i16x8_s(v128.load8x8_s(w4 + o), xl));
      a5 = i32x4.add(a5, i32x4.dot_i16x8_s(v128.load8x8_s(w5 + o), xl));
      a6 = i32x4.add(a6, i32x4.dot_i16x8_s(v128.load8x8_s(w6 + o), xl));
      a7 = i32x4.add(a7, i32x4.dot_i16x8_s(v128.load8x8_s(w7 + o), xl));
      c += 8;
    }
    let s0 = hsum(a0);
    let s1 = hsum(a1);
    let s2 = hsum(a2);
    let s3 = hsum(a3);
    let s4 = hsum(a4);
    let s5 = hsum(a5);
    let s6 = hsum(a6);
    let s7 = hsum(a7);
    for (; c < cols; c++) {
      const o = <usize>c;
      const xc = <i32>load<i8>(x + o);
      s0 += <i32>load<i8>(w0 + o) * xc;
      s1 += <i32>load<i8>(w1 + o) * xc;
      s2 += <i32>load<i8>(w2 + o) * xc;
      s3 += <i32>load<i8>(w3 + o) * xc;
      s4 += <i32>load<i8>(w4 + o) * xc;
      s5 += <i32>load<i8>(w5 + o) * xc;
      s6 += <i32>load<i8>(w6 + o) * xc;
      s7 += <i32>load<i8>(w7 + o) * xc;
    }
    const p = out + (<usize>r << 2);
    store<i32>(p, s0);
    store<i32>(p, s1, 4);
    store<i32>(p, s2, 8);
    store<i32>(p, s3, 12);
    store<i32>(p, s4, 16);
    store<i32>(p, s5, 20);
    store<i32>(p, s6, 24);
    store<i32>(p, s7, 28);
  }
  // At most one 4-row block, then single rows.
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

/** out[r] = Σ_c w[r*cols + c] · x[c]: the row-major matvec (see matvecStrided). */
export function matvecI8(w: usize, rows: i32, cols: i32, x: usize, out: usize): void {
  matvecStrided(w, rows, cols, <usize>cols, x, out);
}

/**
 * Multi-head attention scores over a KV cache K (rows, stride) int8 at `k`,
 * H = heads, dh = stride / heads, q (stride) int8 at `q`, int32 scores
 * (heads, outStride) at `out`:
 *   out[h*outStride + j] = j < n ? Σ_{d<dh} q[h*dh + d] · K[j*stride + h*dh + d] : fill
 * for h < heads, j < outStride (n ≤ outStride; masked slots get `fill`).
 */
export function attnScoresI8(k: usize, n: i32, stride: i32, heads: i32, q: usize, out: usize, outStride: i32, fill: i32): void {
  const dh = stride / heads;
  for (let h = 0; h < heads; h++) {
    const col = <usize>(h * dh);
    const o = out + ((<usize>h * <usize>outStride) << 2);
    matvecStrided(k + col, n, dh, <usize>stride, q + col, o);
    for (let j = n; j < outStride; j++) store<i32>(o + (<usize>j << 2), fill);
  }
}

/**
 * Multi-head attention mix with int8 probabilities: V (rows, stride) int8 at
 * `v`, H = heads, dh = stride / heads, p (heads, pStride) int8 at `p`, int32
 * out (stride) at `out`, wrapping int32:
 *   out[h*dh + d] = Σ_{j<n} p[h*pStride + j] · V[j*stride + h*dh + d]
 * One int8·int8 product fits i16 (|p·v| ≤ 2^14), so 8 columns take one
 * i16x8.mul; the products are sign-extended to i32x4 and accumulated.
 */
export function attnMixI8(v: usize, n: i32, stride: i32, heads: i32, p: usize, pStride: i32, out: usize): void {
  const dh = stride / heads;
  const dh16 = dh & ~15;
  const dh8 = dh & ~7;
  const vstride = <usize>stride;
  for (let h = 0; h < heads; h++) {
    const col = <usize>(h * dh);
    const ph = p + <usize>h * <usize>pStride;
    const oh = out + (col << 2);
    let d = 0;
    for (; d < dh16; d += 16) {
      let a0 = i32x4.splat(0);
      let a1 = i32x4.splat(0);
      let a2 = i32x4.splat(0);
      let a3 = i32x4.splat(0);
      let row = v + col + <usize>d;
      for (let j = 0; j < n; j++) {
        const pj = i16x8.splat(<i16>load<i8>(ph + <usize>j));
        const lo = i16x8.mul(pj, v128.load8x8_s(row));
        const hi = i16x8.mul(pj, v128.load8x8_s(row, 8));
        a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(lo));
        a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(lo));
        a2 = i32x4.add(a2, i32x4.extend_low_i16x8_s(hi));
        a3 = i32x4.add(a3, i32x4.extend_high_i16x8_s(hi));
        row += vstride;
      }
      const o = oh + (<usize>d << 2);
      v128.store(o, a0);
      v128.store(o, a1, 16);
      v128.store(o, a2, 32);
      v128.store(o, a3, 48);
    }
    if (d < dh8) {
      let a0 = i32x4.splat(0);
      let a1 = i32x4.splat(0);
      let row = v + col + <usize>d;
      for (let j = 0; j < n; j++) {
        const lo = i16x8.mul(i16x8.splat(<i16>load<i8>(ph + <usize>j)), v128.load8x8_s(row));
        a0 = i32x4.add(a0, i32x4.extend_low_i16x8_s(lo));
        a1 = i32x4.add(a1, i32x4.extend_high_i16x8_s(lo));
        row += vstride;
      }
      const o = oh + (<usize>d << 2);
      v128.store(o, a0);
      v128.store(o, a1, 16);
      d += 8;
    }
    for (; d < dh; d++) {
      let s = 0;
      let q = v + col + <usize>d;
      for (let j = 0; j < n; j++) {
        s += <i32>load<i8>(ph + <usize>j) * <i32>load<i8>(q);
        q += vstride;
      }
      store<i32>(oh + (<usize>d << 2), s);
    }
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

/** 2^e as an f64, exact (normal range), from its bit pattern. */
// @ts-ignore: decorator
@inline
function pow2(e: i32): f64 {
  return reinterpret<f64>(<i64>(1023 + e) << 52);
}

/** The sign bit of both f64 lanes. */
// @ts-ignore: decorator
@inline
function signMask(): v128 {
  return i64x2.splat(0x8000000000000000);
}

/** 2^52 + 2^51: adding it to an integer-valued f64 c with |c| ≤ 2^31 puts c mod 2^32 in the low 32 bits. */
// @ts-ignore: decorator
@inline
function magic(): v128 {
  return f64x2.splat(6755399441055744.0);
}

/** The int32 values of two pairs of integer-valued f64 lanes in [−2^31, 2^31 − 1] (exact; see magic()). */
// @ts-ignore: decorator
@inline
function packI32(r0: v128, r1: v128): v128 {
  const mg = magic();
  return v128.shuffle<i32>(f64x2.add(r0, mg), f64x2.add(r1, mg), 0, 2, 4, 6);
}

/**
 * requant over n int32 elements (engine.md §3.5):
 *   out[i] = clamp(roundShift(x[i] · m_i, s), lo, hi),  m_i = mt ≠ 0 ? mt[i] (int32 at mt) : m
 * roundShift rounds half away from zero: sign(v) · floor((|v| + 2^(s−1)) · 2^−s), and v for s = 0.
 *
 * Computed in f64, two elements per f64x2, and every step is exact or rounds exactly as the TypeScript
 * reference (src/engine/kernels/elementwise.ts) does: v = x·m is exact (|x·m| < 2^53; |m| ≤ 2^22 − 1, checked by
 * the caller), and so is v·2^−s (a power of two, no underflow; with a constant m it is formed as x·(m·2^−s),
 * the same exact value). y = v·2^−s + copysign(1/2, v) (copysign(0, v) for s = 0) has magnitude
 * (|v| + 2^(s−1))·2^−s rounded once — the same double the reference forms as (|v| + half)·2^−s, since scaling
 * by a power of two commutes with rounding — and that rounding never crosses an integer (2^53 is a multiple of
 * 2^s, s ≤ 52), so truncating y toward zero gives sign(v)·floor((|v| + half)·2^−s) exactly. The clamp to the
 * integers lo, hi commutes with the truncation; the result converts exactly to int32 (packI32).
 */
export function requantI32(x: usize, n: i32, m: i32, mt: usize, s: i32, lo: i32, hi: i32, out: usize): void {
  requantCore(x, n, m, mt, s, lo, hi, out, 1);
}

/**
 * requantI32 with a choice of clamp, from what the caller has proven about the unclamped results (the whole-step
 * program, from the loader's ranges): `clamp` 1 = clamp in f64 (any result: the general case); 0 = every result
 * already lies in [lo, hi], so the clamp is the identity and is skipped; 2 = every result fits int32, so it is
 * converted first and clamped in int32 (fewer operations, the same values).
 */
// @ts-ignore: decorator
@inline
function requantCore(x: usize, n: i32, m: i32, mt: usize, s: i32, lo: i32, hi: i32, out: usize, clamp: i32): void {
  const loi = i32x4.splat(lo);
  const hii = i32x4.splat(hi);
  const half: f64 = s > 0 ? 0.5 : 0;
  const inv: f64 = pow2(-s);
  const halfv = f64x2.splat(half);
  const invv = f64x2.splat(inv);
  const lov = f64x2.splat(<f64>lo);
  const hiv = f64x2.splat(<f64>hi);
  const mv = f64x2.splat(<f64>m * inv);
  const sign = signMask();
  const n4 = n & ~3;
  let i = 0;
  if (mt == 0) {
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const xv = v128.load(x + o);
      const y0 = f64x2.mul(f64x2.convert_low_i32x4_s(xv), mv);
      const y1 = f64x2.mul(f64x2.convert_low_i32x4_s(v128.shuffle<i64>(xv, xv, 1, 1)), mv);
      const q0 = f64x2.trunc(f64x2.add(y0, v128.or(v128.and(y0, sign), halfv)));
      const q1 = f64x2.trunc(f64x2.add(y1, v128.or(v128.and(y1, sign), halfv)));
      v128.store(out + o, clamp == 0 ? packI32(q0, q1) : clamp == 1 ? packI32(f64x2.pmin(f64x2.pmax(q0, lov), hiv), f64x2.pmin(f64x2.pmax(q1, lov), hiv)) : i32x4.min_s(i32x4.max_s(packI32(q0, q1), loi), hii));
    }
  } else {
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      const xv = v128.load(x + o);
      const mm = v128.load(mt + o);
      const y0 = f64x2.mul(f64x2.mul(f64x2.convert_low_i32x4_s(xv), f64x2.convert_low_i32x4_s(mm)), invv);
      const y1 = f64x2.mul(f64x2.mul(f64x2.convert_low_i32x4_s(v128.shuffle<i64>(xv, xv, 1, 1)), f64x2.convert_low_i32x4_s(v128.shuffle<i64>(mm, mm, 1, 1))), invv);
      const q0 = f64x2.trunc(f64x2.add(y0, v128.or(v128.and(y0, sign), halfv)));
      const q1 = f64x2.trunc(f64x2.add(y1, v128.or(v128.and(y1, sign), halfv)));
      v128.store(out + o, clamp == 0 ? packI32(q0, q1) : clamp == 1 ? packI32(f64x2.pmin(f64x2.pmax(q0, lov), hiv), f64x2.pmin(f64x2.pmax(q1, lov), hiv)) : i32x4.min_s(i32x4.max_s(packI32(q0, q1), loi), hii));
    }
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const y = <f64>load<i32>(x + o) * <f64>(mt != 0 ? load<i32>(mt + o) : m) * inv;
    let r = Math.trunc(y + (y < 0 ? -half : half));
    if (r < <f64>lo) r = <f64>lo;
    if (r > <f64>hi) r = <f64>hi;
    store<i32>(out + o, <i32>r);
  }
}

/**
 * muldiv over n int32 elements (engine.md §3.5):
 *   out[i] = clamp(roundDiv(a[i] · g_i · m, d_i), lo, hi)
 *   g_i = glen > 0 ? g[i mod glen] (int8 at g) : 1;  d_i = bs > 0 ? b[floor(i / bdiv) mod bs] (int32 at b) : d
 * roundDiv(num, den) = den = 0 ? 0 : sign(num)·sign(den) · floor((2|num| + |den|) / (2|den|)), half away from 0.
 *
 * Elements are taken in runs sharing one denominator (a row of bdiv elements, or all n when d is a constant),
 * two per f64x2. Exact in f64: |num| ≤ 2^51 (the caller's bound, proven by the loader), so top = 2|num| + |den|
 * ≤ 2^52 + 2^31 and bot = 2|den| are exact; the rounded quotient is never below the true floor Q (Q is a double)
 * and at most Q + 1, and q·bot ≤ top + bot < 2^53 is exact, so one comparison corrects it.
 */
export function muldivI32(a: usize, n: i32, g: usize, glen: i32, m: i32, b: usize, bs: i32, bdiv: i32, d: i32, lo: i32, hi: i32, out: usize): void {
  const mv = f64x2.splat(<f64>m);
  const lov = f64x2.splat(<f64>lo);
  const hiv = f64x2.splat(<f64>hi);
  const one = f64x2.splat(1);
  const sign = signMask();
  let i = 0;
  let bi = 0; // floor(i / bdiv) mod bs
  let gk = 0; // i mod glen
  while (i < n) {
    const den = bs > 0 ? load<i32>(b + (<usize>bi << 2)) : d;
    const end = bs > 0 && bdiv < n - i ? i + bdiv : n;
    if (bs > 0 && ++bi == bs) bi = 0;
    if (den == 0) {
      // roundDiv(·, 0) = 0, then the clamp.
      const z = lo > 0 ? lo : hi < 0 ? hi : 0;
      for (; i < end; i++) store<i32>(out + (<usize>i << 2), z);
      gk = glen > 0 ? <i32>(<u32>end % <u32>glen) : 0;
      continue;
    }
    const ad = Math.abs(<f64>den);
    const adv = f64x2.splat(ad);
    const botv = f64x2.splat(2 * ad);
    const dsign = den < 0 ? sign : i64x2.splat(0);
    for (; i + 4 <= end; i += 4) {
      const o = <usize>i << 2;
      const ai = v128.load(a + o);
      let a0 = f64x2.convert_low_i32x4_s(ai);
      let a1 = f64x2.convert_low_i32x4_s(v128.shuffle<i64>(ai, ai, 1, 1));
      if (glen > 0) {
        const g0 = <f64>load<i8>(g + <usize>gk);
        if (++gk == glen) gk = 0;
        const g1 = <f64>load<i8>(g + <usize>gk);
        if (++gk == glen) gk = 0;
        const g2 = <f64>load<i8>(g + <usize>gk);
        if (++gk == glen) gk = 0;
        const g3 = <f64>load<i8>(g + <usize>gk);
        if (++gk == glen) gk = 0;
        a0 = f64x2.mul(a0, f64x2.replace_lane(f64x2.splat(g0), 1, g1));
        a1 = f64x2.mul(a1, f64x2.replace_lane(f64x2.splat(g2), 1, g3));
      }
      v128.store(out + o, packI32(muldiv2(a0, mv, adv, botv, one, dsign, sign, lov, hiv), muldiv2(a1, mv, adv, botv, one, dsign, sign, lov, hiv)));
    }
    for (; i < end; i++) {
      const o = <usize>i << 2;
      let gi: f64 = 1;
      if (glen > 0) {
        gi = <f64>load<i8>(g + <usize>gk);
        if (++gk == glen) gk = 0;
      }
      const num = <f64>load<i32>(a + o) * gi * <f64>m;
      const an = Math.abs(num);
      const top = an + an + ad;
      const bot = 2 * ad;
      let q = Math.floor(top / bot);
      if (q * bot > top) q -= 1;
      let r = (num < 0) != (den < 0) ? -q : q;
      if (r < <f64>lo) r = <f64>lo;
      if (r > <f64>hi) r = <f64>hi;
      store<i32>(out + o, <i32>r);
    }
  }
}

/** Two muldiv lanes: clamp(roundDiv(a·m, den), lo, hi) as integer-valued f64 (see muldivI32). */
// @ts-ignore: decorator
@inline
function muldiv2(av: v128, mv: v128, adv: v128, botv: v128, one: v128, dsign: v128, sign: v128, lov: v128, hiv: v128): v128 {
  const num = f64x2.mul(av, mv);
  const an = f64x2.abs(num);
  const top = f64x2.add(f64x2.add(an, an), adv);
  let q = f64x2.floor(f64x2.div(top, botv));
  q = f64x2.sub(q, v128.and(f64x2.gt(f64x2.mul(q, botv), top), one));
  const r = v128.or(q, v128.and(v128.xor(num, dsign), sign)); // sign(num)·sign(den) onto q ≥ 0
  return f64x2.pmin(f64x2.pmax(r, lov), hiv);
}

/** x8[c] = low 8 bits of x[c] (int32 at `x`) for c < n: what an Int8Array store does. */
// @ts-ignore: decorator
@inline
function narrowI32(x: usize, n: i32, x8: usize): void {
  const n16 = n & ~15;
  let c = 0;
  for (; c < n16; c += 16) {
    const o = <usize>c;
    const lo = i8x16.shuffle(v128.load(x + (o << 2)), v128.load(x + (o << 2), 16), 0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);
    const hi = i8x16.shuffle(v128.load(x + (o << 2), 32), v128.load(x + (o << 2), 48), 0, 4, 8, 12, 16, 20, 24, 28, 0, 0, 0, 0, 0, 0, 0, 0);
    v128.store(x8 + o, v128.shuffle<i64>(lo, hi, 0, 2));
  }
  for (; c < n; c++) store<i8>(x8 + <usize>c, <i8>load<i32>(x + (<usize>c << 2)));
}

/**
 * The engine's matvec on int32 node values: x8[c] = low 8 bits of x[c] (int32 at `x`; the engine's inputs are
 * proven int8, so this is the value itself; an Int8Array store wraps the same way), then
 *   out[r] = (bias ≠ 0 ? bias[r] : 0) + Σ_c w[r*cols + c] · x8[c]       (int32 bias at `bias`, wrapping add)
 * `x8` is a scratch of at least cols bytes. One call instead of a JS narrowing loop, a copy and a JS bias loop.
 */
export function matvecX32(w: usize, rows: i32, cols: i32, x: usize, x8: usize, bias: usize, out: usize): void {
  narrowI32(x, cols, x8);
  matvecStrided(w, rows, cols, <usize>cols, x8, out);
  if (bias != 0) {
    const rows4 = rows & ~3;
    let r = 0;
    for (; r < rows4; r += 4) {
      const o = <usize>r << 2;
      v128.store(out + o, i32x4.add(v128.load(out + o), v128.load(bias + o)));
    }
    for (; r < rows; r++) {
      const o = <usize>r << 2;
      store<i32>(out + o, load<i32>(out + o) + load<i32>(bias + o));
    }
  }
}

// ------------------------------------------------------------------------------------------------ step programs
//
// A whole step of the engine in one call (docs/kernels.md "Whole-step programs"): the runner lays out, once per
// model, one 64-byte record per node (src/engine/kernels/step-program.ts encodes them; the word layout below must
// match it) and `runProgram` executes records [first, end) in order. Every op here computes exactly what its
// TypeScript definition in src/engine/ops/ computes (engine.md §3) on the int32 node values resident in this
// memory; step-program.test.ts checks it against the reference runner. Source ops (token, position, random,
// seeded, vector) are not here: the runner writes their values before the call.
//
// Program block: 16 header words (0: magic, 1: node count, 2: reserved, 3: int8 scratch offset of at least the
// largest node size + 16 bytes), then per node 32 words (128 bytes):
//   0 op code · 1 size n · 2 out · 3 a · 4 b · 5 c (byte offsets of int32 node values; 0 = absent)
//   6 w0 · 7 w1 (byte offsets of resident weights: matrix / KV cache, requant multipliers, muldiv gains, bias,
//   gather and lut tables; 0 = absent) · 8 size(a) · 9 size(b) · 10..15 p0..p5 · 16 flags (FLAG_*) ·
//   17 requantHi's pre-shift of x (ex) · 18..31 0

/** clamp(v, lo, hi) in f64 for both lanes, then the exact int32 conversion, low two lanes of the result. */
// @ts-ignore: decorator
@inline
function clampToI32x2(v: v128, lov: v128, hiv: v128): v128 {
  return i32x4.trunc_sat_f64x2_s_zero(f64x2.pmin(f64x2.pmax(v, lov), hiv));
}

/**
 * add (kind 0), sub (1), max2 (2) of four int32 lanes, clamped to [lo, hi] (i32x4 lanes of the result).
 * a ± b is formed exactly in f64 (|a ± b| < 2^32), as the TypeScript reference forms it in doubles, so a sum
 * outside int32 is clamped, never wrapped; max2 cannot overflow and stays in i32x4.
 */
// @ts-ignore: decorator
@inline
function binary4(kind: i32, av: v128, bv: v128, lov: v128, hiv: v128, loi: v128, hii: v128): v128 {
  if (kind == 2) return i32x4.min_s(i32x4.max_s(i32x4.max_s(av, bv), loi), hii);
  const a0 = f64x2.convert_low_i32x4_s(av);
  const a1 = f64x2.convert_low_i32x4_s(v128.shuffle<i64>(av, av, 1, 1));
  const b0 = f64x2.convert_low_i32x4_s(bv);
  const b1 = f64x2.convert_low_i32x4_s(v128.shuffle<i64>(bv, bv, 1, 1));
  const r0 = kind == 0 ? f64x2.add(a0, b0) : f64x2.sub(a0, b0);
  const r1 = kind == 0 ? f64x2.add(a1, b1) : f64x2.sub(a1, b1);
  return v128.shuffle<i64>(clampToI32x2(r0, lov, hiv), clampToI32x2(r1, lov, hiv), 0, 2);
}

// @ts-ignore: decorator
@inline
function binary1(kind: i32, a: i32, b: i32, lo: i32, hi: i32): i32 {
  let r: i64 = kind == 0 ? <i64>a + <i64>b : kind == 1 ? <i64>a - <i64>b : <i64>(a > b ? a : b);
  if (r < <i64>lo) r = <i64>lo;
  if (r > <i64>hi) r = <i64>hi;
  return <i32>r;
}

/**
 * add (kind 0) / sub (1) when the loader's ranges prove a ± b within int32 (then the wrapping i32 result is the
 * exact one), clamped unless the ranges also prove a ± b within [lo, hi] (`clamp` false). Broadcast as binaryOp.
 */
// @ts-ignore: decorator
@inline
function binaryI32(kind: i32, a: usize, b: usize, n: i32, nb: i32, bdiv: i32, lo: i32, hi: i32, out: usize, clamp: bool): void {
  const loi = i32x4.splat(lo);
  const hii = i32x4.splat(hi);
  const same = bdiv == 1 && nb == n;
  const run = same ? n : nb == 1 ? n : bdiv;
  let i = 0;
  let bi = 0;
  while (i < n) {
    const bs = same ? 0 : load<i32>(b + (<usize>bi << 2));
    if (++bi == nb) bi = 0;
    const end = run < n - i ? i + run : n;
    const bv = i32x4.splat(bs);
    for (; i + 4 <= end; i += 4) {
      const o = <usize>i << 2;
      const bb = same ? v128.load(b + o) : bv;
      const r = kind == 0 ? i32x4.add(v128.load(a + o), bb) : i32x4.sub(v128.load(a + o), bb);
      v128.store(out + o, clamp ? i32x4.min_s(i32x4.max_s(r, loi), hii) : r);
    }
    for (; i < end; i++) {
      const o = <usize>i << 2;
      const bb = same ? load<i32>(b + o) : bs;
      let r = kind == 0 ? load<i32>(a + o) + bb : load<i32>(a + o) - bb;
      if (clamp) r = min(max(r, lo), hi);
      store<i32>(out + o, r);
    }
  }
}

/**
 * add / sub / max2 over n elements with b broadcast: element i reads b[floor(i / bdiv) mod nb] (engine.md §2).
 * Same position (bdiv = 1, nb = n) runs 4 lanes at a time; otherwise runs of bdiv elements share one b value
 * (one run of n when nb = 1).
 */
// @ts-ignore: decorator
@inline
function binaryOp(kind: i32, a: usize, b: usize, n: i32, nb: i32, bdiv: i32, lo: i32, hi: i32, out: usize): void {
  const lov = f64x2.splat(<f64>lo);
  const hiv = f64x2.splat(<f64>hi);
  const loi = i32x4.splat(lo);
  const hii = i32x4.splat(hi);
  if (bdiv == 1 && nb == n) {
    const n4 = n & ~3;
    let i = 0;
    for (; i < n4; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, binary4(kind, v128.load(a + o), v128.load(b + o), lov, hiv, loi, hii));
    }
    for (; i < n; i++) {
      const o = <usize>i << 2;
      store<i32>(out + o, binary1(kind, load<i32>(a + o), load<i32>(b + o), lo, hi));
    }
    return;
  }
  const run = nb == 1 ? n : bdiv;
  let i = 0;
  let bi = 0;
  while (i < n) {
    const bs = load<i32>(b + (<usize>bi << 2));
    if (++bi == nb) bi = 0;
    const end = run < n - i ? i + run : n;
    const bv = i32x4.splat(bs);
    for (; i + 4 <= end; i += 4) {
      const o = <usize>i << 2;
      v128.store(out + o, binary4(kind, v128.load(a + o), bv, lov, hiv, loi, hii));
    }
    for (; i < end; i++) {
      const o = <usize>i << 2;
      store<i32>(out + o, binary1(kind, load<i32>(a + o), bs, lo, hi));
    }
  }
}

/** out[r] = Σ_{c<C} a[rC + c] · b[rC + c] (dot) or Σ a[rC + c] (reduce_sum, b = 0), int32 wrapping. */
function rowSums(a: usize, b: usize, rows: i32, C: i32, out: usize): void {
  const C4 = C & ~3;
  for (let r = 0; r < rows; r++) {
    const base = <usize>r * <usize>C << 2;
    let acc = i32x4.splat(0);
    let c = 0;
    if (b != 0) {
      for (; c < C4; c += 4) {
        const o = base + (<usize>c << 2);
        acc = i32x4.add(acc, i32x4.mul(v128.load(a + o), v128.load(b + o)));
      }
    } else {
      for (; c < C4; c += 4) acc = i32x4.add(acc, v128.load(a + base + (<usize>c << 2)));
    }
    let s = hsum(acc);
    for (; c < C; c++) {
      const o = base + (<usize>c << 2);
      s += b != 0 ? load<i32>(a + o) * load<i32>(b + o) : load<i32>(a + o);
    }
    store<i32>(out + (<usize>r << 2), s);
  }
}

/** floor(√max(v, 0)) for 0 ≤ v < 2^53 exactly, as isqrtFloor in src/engine/ops/arith.ts. */
function isqrtF(v: f64): i32 {
  if (v <= 0) return 0;
  let r = Math.floor(Math.sqrt(v));
  while (r * r > v) r -= 1;
  while ((r + 1) * (r + 1) <= v) r += 1;
  return <i32>r;
}

/**
 * muldiv in 32-bit integers (FLAG_U32_DIV: the loader's ranges prove |a·g·m| ≤ 2^31 − 1, |den| ≤ 2^30 and
 * 2|a·g·m| + |den| < 2^32, and the gain, if any, has one entry per element, glen = n). Same element formula as
 * muldivI32: q = floor((2|num| + |den|) / (2|den|)) with the sign of num·den, 0 for den = 0, then the clamp.
 * num = a·g·m is exact in i32 (bounded); top = 2|num| + |den| and bot = 2|den| ≥ 2 are exact u32; the quotient
 * uses Granlund & Montgomery's unsigned division by an invariant integer ("Division by Invariant Integers using
 * Multiplication", 1994, Figure 4.1), exact for every 32-bit top: l = ⌈log2 bot⌉, m' = ⌊2^32·(2^l − bot)/bot⌋ + 1,
 * t = ⌊m'·top / 2^32⌋, q = (t + ((top − t) >> 1)) >> (l − 1). One m' per run of elements sharing a denominator.
 */
function muldivU32(a: usize, n: i32, g: usize, glen: i32, m: i32, b: usize, bs: i32, bdiv: i32, d: i32, lo: i32, hi: i32, out: usize): void {
  const mv = i32x4.splat(m);
  const loi = i32x4.splat(lo);
  const hii = i32x4.splat(hi);
  let i = 0;
  let bi = 0; // floor(i / bdiv) mod bs
  while (i < n) {
    const den = bs > 0 ? load<i32>(b + (<usize>bi << 2)) : d;
    const end = bs > 0 && bdiv < n - i ? i + bdiv : n;
    if (bs > 0 && ++bi == bs) bi = 0;
    if (den == 0) {
      const z = lo > 0 ? lo : hi < 0 ? hi : 0;
      for (; i < end; i++) store<i32>(out + (<usize>i << 2), z);
      continue;
    }
    const ad = <u32>(den < 0 ? -den : den);
    const bot = ad << 1;
    const l = 32 - <i32>clz<u32>(bot - 1);
    const mp = <u32>((((<u64>1 << <u64>l) - <u64>bot) << 32) / <u64>bot + 1);
    const mpv = i32x4.splat(<i32>mp);
    const adv = i32x4.splat(<i32>ad);
    const dv = i32x4.splat(den);
    const sh = l - 1;
    for (; i + 4 <= end; i += 4) {
      const o = <usize>i << 2;
      let num = v128.load(a + o);
      if (glen > 0) num = i32x4.mul(num, i32x4.extend_low_i16x8_s(i16x8.extend_low_i8x16_s(v128.load32_zero(g + <usize>i))));
      num = i32x4.mul(num, mv);
      const sg = i32x4.shr_s(v128.xor(num, dv), 31); // −1 where num·den < 0
      const an = i32x4.abs(num);
      const top = i32x4.add(i32x4.add(an, an), adv);
      const t = v128.shuffle<i32>(i64x2.extmul_low_i32x4_u(top, mpv), i64x2.extmul_high_i32x4_u(top, mpv), 1, 3, 5, 7);
      const q = i32x4.shr_u(i32x4.add(t, i32x4.shr_u(i32x4.sub(top, t), 1)), sh);
      v128.store(out + o, i32x4.min_s(i32x4.max_s(i32x4.sub(v128.xor(q, sg), sg), loi), hii));
    }
    for (; i < end; i++) {
      const o = <usize>i << 2;
      let num = load<i32>(a + o);
      if (glen > 0) num *= <i32>load<i8>(g + <usize>i);
      num *= m;
      const top = (<u32>(num < 0 ? -num : num) << 1) + ad;
      const t = <u32>((<u64>top * <u64>mp) >> 32);
      const q = <i32>((t + ((top - t) >> 1)) >> sh);
      let r = (num ^ den) < 0 ? -q : q;
      store<i32>(out + o, min(max(r, lo), hi));
    }
  }
}

/** Record word 16 flags (set by the encoder from the loader's proven ranges; 0 = the general path). */
const FLAG_NO_CLAMP = 1; // the op's unclamped result always lies in [lo, hi]: the clamp is the identity
const FLAG_I32 = 2; // add / sub: a ± b always lies in int32, so wrapping i32 arithmetic is exact; requant: the
// unclamped result always fits int32, so it is converted first and clamped in int32
const FLAG_U32_DIV = 4; // muldiv: numerator and denominator bounds allow muldivU32
const FLAG_MULHI = 8; // requant: 1 ≤ s ≤ 32, |m|·2^(32−s) < 2^31 and the result fits int32: requantHi

/**
 * requant in integers (FLAG_MULHI: s ≥ 1, e = max(0, 32 − s) split as e = em + ex with every |m|·2^em and every
 * |x|·2^ex ≤ 2^31 − 1, and every unclamped result in int32, from the loader's ranges). With M = m·2^em and
 * X = x·2^ex (int32s), P = X·M = v·2^e is an exact i64 (|P| < 2^62), and roundShift(v, s) = ⌊(v + 2^(s−1) − [v < 0]) / 2^s⌋ (round half away from zero) =
 * ⌊(P + 2^(s−1+e) − [P < 0]) / 2^(s+e)⌋: scaling numerator and denominator by 2^e, and −2^e may be replaced by −1
 * because P + 2^(s−1+e) is a multiple of 2^e, so no multiple of 2^(s+e) lies strictly between the two. For s ≤ 32
 * (s + e = 32) the floor division is the high 32 bits of the i64; for s > 32 it is those bits shifted right by
 * s − 32 more (nested floors). Then the clamp in int32 unless `clamp` is false.
 */
// @ts-ignore: decorator
@inline
function requantHi(x: usize, n: i32, m: i32, mt: usize, s: i32, ex: i32, lo: i32, hi: i32, out: usize, clamp: bool): void {
  // Loop variants without per-iteration tests: multiplier tensor or constant; the post-shift (s > 32 only) or the
  // pre-shift of x by ex (the part of 2^e that |m| has no room for; the loader's range of x allows it).
  const e = (s < 32 ? 32 - s : 0) - ex;
  const post = s > 32 ? s - 32 : 0; // s > 32: ⌊⌊(P + 2^(s−1) − [P < 0]) / 2^32⌋ / 2^(s−32)⌋, nested floors
  if (mt != 0) {
    if (post > 0) requantHiLoop(x, n, m, mt, s, e, 0, post, lo, hi, out, clamp, true, false, true);
    else if (ex > 0) requantHiLoop(x, n, m, mt, s, e, ex, 0, lo, hi, out, clamp, true, true, false);
    else requantHiLoop(x, n, m, mt, s, e, 0, 0, lo, hi, out, clamp, true, false, false);
  } else if (post > 0) requantHiLoop(x, n, m, 0, s, e, 0, post, lo, hi, out, clamp, false, false, true);
  else if (ex > 0) requantHiLoop(x, n, m, 0, s, e, ex, 0, lo, hi, out, clamp, false, true, false);
  else requantHiLoop(x, n, m, 0, s, e, 0, 0, lo, hi, out, clamp, false, false, false);
}

/** Four lanes of requantHi (x and, with hasMt, the multipliers at the given addresses). */
// @ts-ignore: decorator
@inline
function requantHi4(xp: usize, mp: usize, mv: v128, e: i32, ex: i32, post: i32, bias: v128, zero: v128, loi: v128, hii: v128, clamp: bool, hasMt: bool, hasEx: bool, hasPost: bool): v128 {
  const xv = hasEx ? i32x4.shl(v128.load(xp), ex) : v128.load(xp);
  const mm = hasMt ? i32x4.shl(v128.load(mp), e) : mv;
  const p0 = i64x2.extmul_low_i32x4_s(xv, mm);
  const p1 = i64x2.extmul_high_i32x4_s(xv, mm);
  let q = v128.shuffle<i32>(i64x2.add(i64x2.add(p0, bias), i64x2.lt_s(p0, zero)), i64x2.add(i64x2.add(p1, bias), i64x2.lt_s(p1, zero)), 1, 3, 5, 7);
  if (hasPost) q = i32x4.shr_s(q, post);
  return clamp ? i32x4.min_s(i32x4.max_s(q, loi), hii) : q;
}

// @ts-ignore: decorator
@inline
function requantHiLoop(x: usize, n: i32, m: i32, mt: usize, s: i32, e: i32, ex: i32, post: i32, lo: i32, hi: i32, out: usize, clamp: bool, hasMt: bool, hasEx: bool, hasPost: bool): void {
  const mv = i32x4.splat(m << e);
  const bias = i64x2.splat(<i64>1 << <i64>(s - 1 + e + ex));
  const zero = i64x2.splat(0);
  const loi = i32x4.splat(lo);
  const hii = i32x4.splat(hi);
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    const o = <usize>i << 2;
    v128.store(out + o, requantHi4(x + o, mt + o, mv, e, ex, post, bias, zero, loi, hii, clamp, hasMt, hasEx, hasPost));
  }
  for (; i < n; i++) {
    const o = <usize>i << 2;
    const v = <i64>load<i32>(x + o) * <i64>(hasMt ? load<i32>(mt + o) : m);
    let r = <i32>((v + (<i64>1 << <i64>(s - 1)) - <i64>(v < 0)) >> <i64>s);
    if (clamp) r = min(max(r, lo), hi);
    store<i32>(out + o, r);
  }
}


/**
 * Executes program records [first, end) for step t (= position t; attention reads KV rows 0..t and writes row t).
 * Only records whose op code has its bit set run: codes 0–31 in maskLo, 32–63 in maskHi (−1, −1 = all; the
 * benchmark re-runs a step with one op kind at a time to time it, which recomputes identical values).
 */
export function runProgram(prog: usize, first: i32, end: i32, t: i32, maskLo: i32, maskHi: i32): void {
  const x8 = <usize>load<i32>(prog, 12);
  const all = (maskLo & maskHi) == -1;
  for (let k = first; k < end; k++) {
    const r = prog + 64 + (<usize>k << 7);
    const code = load<i32>(r);
    if (!all && (code < 32 ? (maskLo >>> code) & 1 : (maskHi >>> (code - 32)) & 1) == 0) continue;
    switch (code) {
      case 10: { // matvec: out = bias + W (n, na) @ int8(a)
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const w0 = <usize>load<i32>(r, 24);
        const na = load<i32>(r, 32);
        matvecX32(w0, n, na, a, x8, <usize>load<i32>(r, 28), out);
        break;
      }
      case 11: { // dot: C = p0
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const b = <usize>load<i32>(r, 16);
        const p0 = load<i32>(r, 40);
        rowSums(a, b, n, p0, out);
        break;
      }
      case 12: { // gather: out[i] = E[a[0]·n + i], E int8
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const w0 = <usize>load<i32>(r, 24);
        const base = w0 + <usize>(load<i32>(a) * n);
        const n8 = n & ~7;
        let i = 0;
        for (; i < n8; i += 8) {
          const v = v128.load8x8_s(base + <usize>i);
          const o = out + (<usize>i << 2);
          v128.store(o, i32x4.extend_low_i16x8_s(v));
          v128.store(o, i32x4.extend_high_i16x8_s(v), 16);
        }
        for (; i < n; i++) store<i32>(out + (<usize>i << 2), <i32>load<i8>(base + <usize>i));
        break;
      }
      case 20: { // attn_scores: KV row t = int8(b), q = int8(a), H = p0, mask = p1, stride C = n / H
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const b = <usize>load<i32>(r, 16);
        const w0 = <usize>load<i32>(r, 24);
        const na = load<i32>(r, 32);
        const nb = load<i32>(r, 36);
        const p0 = load<i32>(r, 40);
        const p1 = load<i32>(r, 44);
        narrowI32(b, nb, w0 + <usize>t * <usize>nb);
        narrowI32(a, na, x8);
        attnScoresI8(w0, t + 1, nb, p0, x8, out, n / p0, p1);
        break;
      }
      case 21: { // attn_mix: KV row t = int8(b), p = int8(a) (H·C), H = p0
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const b = <usize>load<i32>(r, 16);
        const w0 = <usize>load<i32>(r, 24);
        const na = load<i32>(r, 32);
        const nb = load<i32>(r, 36);
        const p0 = load<i32>(r, 40);
        narrowI32(b, nb, w0 + <usize>t * <usize>nb);
        narrowI32(a, na, x8);
        attnMixI8(w0, t + 1, n, p0, x8, na / p0, out);
        break;
      }
      case 30: { // reduce_sum: C = p0
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const p0 = load<i32>(r, 40);
        rowSums(a, 0, n, p0, out);
        break;
      }
      case 31: { // reduce_max: C = p0, init −2^31
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const p0 = load<i32>(r, 40);
        const C4 = p0 & ~3;
        for (let row = 0; row < n; row++) {
          const base = a + (<usize>row * <usize>p0 << 2);
          let mv = i32x4.splat(i32.MIN_VALUE);
          let c = 0;
          for (; c < C4; c += 4) mv = i32x4.max_s(mv, v128.load(base + (<usize>c << 2)));
          let m = max(max(i32x4.extract_lane(mv, 0), i32x4.extract_lane(mv, 1)), max(i32x4.extract_lane(mv, 2), i32x4.extract_lane(mv, 3)));
          for (; c < p0; c++) m = max(m, load<i32>(base + (<usize>c << 2)));
          store<i32>(out + (<usize>row << 2), m);
        }
        break;
      }
      case 32: { // argmax: C = p0, ties -> lowest index: the row's maximum (SIMD), then its first position
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const p0 = load<i32>(r, 40);
        const C4 = p0 & ~3;
        for (let row = 0; row < n; row++) {
          const base = a + (<usize>row * <usize>p0 << 2);
          let mv = i32x4.splat(i32.MIN_VALUE);
          let c = 0;
          for (; c < C4; c += 4) mv = i32x4.max_s(mv, v128.load(base + (<usize>c << 2)));
          let m = max(max(i32x4.extract_lane(mv, 0), i32x4.extract_lane(mv, 1)), max(i32x4.extract_lane(mv, 2), i32x4.extract_lane(mv, 3)));
          for (; c < p0; c++) m = max(m, load<i32>(base + (<usize>c << 2)));
          let best = 0;
          while (load<i32>(base + (<usize>best << 2)) != m) best++;
          store<i32>(out + (<usize>row << 2), best);
        }
        break;
      }
      case 33: { // count_le: C = p0, threshold b[r]
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const b = <usize>load<i32>(r, 16);
        const p0 = load<i32>(r, 40);
        for (let row = 0; row < n; row++) {
          const base = a + (<usize>row * <usize>p0 << 2);
          const th = load<i32>(b + (<usize>row << 2));
          let cnt = 0;
          for (let c = 0; c < p0; c++) cnt += <i32>(load<i32>(base + (<usize>c << 2)) <= th);
          store<i32>(out + (<usize>row << 2), cnt);
        }
        break;
      }
      case 34: { // scan_add: out[i] = (i mod C = 0 ? 0 : out[i−1]) + a[i], int32 wrapping
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const p0 = load<i32>(r, 40);
        let s = 0;
        let c = 0;
        for (let i = 0; i < n; i++) {
          if (c == 0) s = 0;
          s += load<i32>(a + (<usize>i << 2));
          store<i32>(out + (<usize>i << 2), s);
          if (++c == p0) c = 0;
        }
        break;
      }
      case 40: { // requant: m = p0 or M[i] at w0, s = p1, [lo, hi] = [p2, p3]
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const w0 = <usize>load<i32>(r, 24);
        const p0 = load<i32>(r, 40);
        const p1 = load<i32>(r, 44);
        const p2 = load<i32>(r, 48);
        if (load<i32>(r, 64) & FLAG_MULHI) {
          if (load<i32>(r, 64) & FLAG_NO_CLAMP) requantHi(a, n, p0, w0, p1, load<i32>(r, 68), p2, load<i32>(r, 52), out, false);
          else requantHi(a, n, p0, w0, p1, load<i32>(r, 68), p2, load<i32>(r, 52), out, true);
        } else if (load<i32>(r, 64) & FLAG_NO_CLAMP) requantCore(a, n, p0, w0, p1, p2, load<i32>(r, 52), out, 0);
        else if (load<i32>(r, 64) & FLAG_I32) requantCore(a, n, p0, w0, p1, p2, load<i32>(r, 52), out, 2);
        else requantCore(a, n, p0, w0, p1, p2, load<i32>(r, 52), out, 1);
        break;
      }
      case 41: { // relu
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const z = i32x4.splat(0);
        const n4 = n & ~3;
        let i = 0;
        for (; i < n4; i += 4) {
          const o = <usize>i << 2;
          v128.store(out + o, i32x4.max_s(v128.load(a + o), z));
        }
        for (; i < n; i++) {
          const v = load<i32>(a + (<usize>i << 2));
          store<i32>(out + (<usize>i << 2), v > 0 ? v : 0);
        }
        break;
      }
      case 42: { // lut: out[i] = T[a[i] + 128] (a proven int8; the index is kept inside the table regardless)
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const w0 = <usize>load<i32>(r, 24);
        let i = 0;
        for (; i + 4 <= n; i += 4) {
          const o = <usize>i << 2;
          const xv = i32x4.shl(v128.and(i32x4.add(v128.load(a + o), i32x4.splat(128)), i32x4.splat(255)), 2);
          store<i32>(out + o, load<i32>(w0 + <usize>i32x4.extract_lane(xv, 0)));
          store<i32>(out + o, load<i32>(w0 + <usize>i32x4.extract_lane(xv, 1)), 4);
          store<i32>(out + o, load<i32>(w0 + <usize>i32x4.extract_lane(xv, 2)), 8);
          store<i32>(out + o, load<i32>(w0 + <usize>i32x4.extract_lane(xv, 3)), 12);
        }
        for (; i < n; i++) {
          const x = load<i32>(a + (<usize>i << 2));
          store<i32>(out + (<usize>i << 2), load<i32>(w0 + (<usize>((x + 128) & 255) << 2)));
        }
        break;
      }
      case 43: { // add: [lo, hi] = [p0, p1], bdiv = p2
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const b = <usize>load<i32>(r, 16);
        const nb = load<i32>(r, 36);
        const p0 = load<i32>(r, 40);
        const p1 = load<i32>(r, 44);
        const p2 = load<i32>(r, 48);
        const f = load<i32>(r, 64);
        if (f & FLAG_I32) {
          if (f & FLAG_NO_CLAMP) binaryI32(0, a, b, n, nb, p2, p0, p1, out, false);
          else binaryI32(0, a, b, n, nb, p2, p0, p1, out, true);
        } else binaryOp(0, a, b, n, nb, p2, p0, p1, out);
        break;
      }
      case 44: { // sub
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const b = <usize>load<i32>(r, 16);
        const nb = load<i32>(r, 36);
        const p0 = load<i32>(r, 40);
        const p1 = load<i32>(r, 44);
        const p2 = load<i32>(r, 48);
        const f = load<i32>(r, 64);
        if (f & FLAG_I32) {
          if (f & FLAG_NO_CLAMP) binaryI32(1, a, b, n, nb, p2, p0, p1, out, false);
          else binaryI32(1, a, b, n, nb, p2, p0, p1, out, true);
        } else binaryOp(1, a, b, n, nb, p2, p0, p1, out);
        break;
      }
      case 45: { // max2
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const b = <usize>load<i32>(r, 16);
        const nb = load<i32>(r, 36);
        const p0 = load<i32>(r, 40);
        const p1 = load<i32>(r, 44);
        const p2 = load<i32>(r, 48);
        binaryOp(2, a, b, n, nb, p2, p0, p1, out);
        break;
      }
      case 46: { // muldiv: [lo, hi] = [p0, p1], bdiv = p2, m = p3, gain length p4 (gain at w0), constant d = p5
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const b = <usize>load<i32>(r, 16);
        const w0 = <usize>load<i32>(r, 24);
        const nb = load<i32>(r, 36);
        const p0 = load<i32>(r, 40);
        const p1 = load<i32>(r, 44);
        const p2 = load<i32>(r, 48);
        if (load<i32>(r, 64) & FLAG_U32_DIV) muldivU32(a, n, w0, load<i32>(r, 56), load<i32>(r, 52), b, b != 0 ? nb : 0, p2, load<i32>(r, 60), p0, p1, out);
        else muldivI32(a, n, w0, load<i32>(r, 56), load<i32>(r, 52), b, b != 0 ? nb : 0, p2, load<i32>(r, 60), p0, p1, out);
        break;
      }
      case 47: { // isqrt: floor(√(a + p0))
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const p0 = load<i32>(r, 40);
        for (let i = 0; i < n; i++) store<i32>(out + (<usize>i << 2), isqrtF(<f64>load<i32>(a + (<usize>i << 2)) + <f64>p0));
        break;
      }
      case 48: { // mod: Euclidean a mod b̂, bdiv = p0; b̂ ≤ 0 -> 0
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const b = <usize>load<i32>(r, 16);
        const nb = load<i32>(r, 36);
        const p0 = load<i32>(r, 40);
        let bi = 0;
        let bk = 0;
        for (let i = 0; i < n; i++) {
          const m = load<i32>(b + (<usize>bi << 2));
          let v = 0;
          if (m > 0) {
            v = load<i32>(a + (<usize>i << 2)) % m;
            if (v < 0) v += m;
          }
          store<i32>(out + (<usize>i << 2), v);
          if (++bk == p0) {
            bk = 0;
            if (++bi == nb) bi = 0;
          }
        }
        break;
      }
      case 49: { // select: c[0] ≠ 0 ? a : b
        const n = load<i32>(r, 4);
        const out = <usize>load<i32>(r, 8);
        const a = <usize>load<i32>(r, 12);
        const b = <usize>load<i32>(r, 16);
        memory.copy(out, load<i32>(<usize>load<i32>(r, 20)) != 0 ? a : b, <usize>n << 2);
        break;
      }
      default:
        unreachable();
    }
  }
}

/**
 * A whole generation in one call (the runner's happy path without trace or profiler): for t = 0 .. maxSteps − 1,
 * the source records after the node records (header word 2 counts them) set the sources — token (1): t < P ?
 * prompt[t] (int32 at w0) : the output node's value (at a), i.e. the token chosen at step t − 1; position (3): t;
 * random (4): seeded ? prng(seed, t) : 0 (prngI32); seeded (5): seeded (0 or 1) — then records [0, header word 1) run as runProgram
 * does, and from t = P − 1 on the output node's value is appended to `tokens` (int32); generation stops after
 * maxTokens tokens or at `eos`. Returns the steps run. Same order of work as the runner's per-step loop.
 */
export function runGenerate(prog: usize, P: i32, maxSteps: i32, maxTokens: i32, eos: i32, outNode: usize, tokens: usize, seeded: i32, seedHi: i32, seedLo: i32): i32 {
  const nrec = load<i32>(prog, 4);
  const nsrc = load<i32>(prog, 8);
  let count = 0;
  let t = 0;
  while (t < maxSteps) {
    for (let k = 0; k < nsrc; k++) {
      const r = prog + 64 + (<usize>(nrec + k) << 7);
      const code = load<i32>(r);
      const out = <usize>load<i32>(r, 8);
      if (code == 1) store<i32>(out, t < P ? load<i32>(<usize>load<i32>(r, 24) + (<usize>t << 2)) : load<i32>(<usize>load<i32>(r, 12)));
      else if (code == 3) store<i32>(out, t);
      else if (code == 4) store<i32>(out, seeded != 0 ? prngI32(seedHi, seedLo, t) : 0);
      else store<i32>(out, seeded);
    }
    runProgram(prog, 0, nrec, t, -1, -1);
    t++;
    if (t >= P) {
      const tok = load<i32>(outNode);
      store<i32>(tokens + (<usize>count << 2), tok);
      count++;
      if (count >= maxTokens || tok == eos) break;
    }
  }
  return t;
}

// ------------------------------------------------------------------------------------------------ keccak256
//
// Keccak-256 (the Ethereum variant: padding byte 0x01, rate 136 bytes) for the runner's short hashes: the output
// hash of a one-call run and the seeded sampler's prng (engine.md §2). The JavaScript path uses hash-wasm
// (src/crypto/keccak.ts); this one avoids its per-call glue. Tests compare the two on every length 0..300.

const KECCAK_RC = memory.data<u64>([
  0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
  0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
  0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
  0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
  0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
  0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
]);
// Rotation of lane x + 5y (ρ).
const KECCAK_ROT = memory.data<u8>([0, 1, 62, 28, 27, 36, 44, 6, 55, 20, 3, 10, 43, 25, 39, 41, 45, 15, 21, 8, 18, 2, 61, 56, 14]);
const KECCAK_STATE = memory.data(200, 16);
const KECCAK_MSG = memory.data(32, 16); // the 12-byte prng message, then its 32-byte digest

/** keccak-f[1600] on the 25 little-endian lanes at KECCAK_STATE (lanes in locals, rounds unrolled by lane; generated). */
function keccakF(): void {
  const A = KECCAK_STATE;
  let a0 = load<u64>(A, 0);
  let a1 = load<u64>(A, 8);
  let a2 = load<u64>(A, 16);
  let a3 = load<u64>(A, 24);
  let a4 = load<u64>(A, 32);
  let a5 = load<u64>(A, 40);
  let a6 = load<u64>(A, 48);
  let a7 = load<u64>(A, 56);
  let a8 = load<u64>(A, 64);
  let a9 = load<u64>(A, 72);
  let a10 = load<u64>(A, 80);
  let a11 = load<u64>(A, 88);
  let a12 = load<u64>(A, 96);
  let a13 = load<u64>(A, 104);
  let a14 = load<u64>(A, 112);
  let a15 = load<u64>(A, 120);
  let a16 = load<u64>(A, 128);
  let a17 = load<u64>(A, 136);
  let a18 = load<u64>(A, 144);
  let a19 = load<u64>(A, 152);
  let a20 = load<u64>(A, 160);
  let a21 = load<u64>(A, 168);
  let a22 = load<u64>(A, 176);
  let a23 = load<u64>(A, 184);
  let a24 = load<u64>(A, 192);
  for (let round = 0; round < 24; round++) {
    const c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20;
    const c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21;
    const c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    const c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23;
    const c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    const d0 = c4 ^ rotl<u64>(c1, 1);
    const d1 = c0 ^ rotl<u64>(c2, 1);
    const d2 = c1 ^ rotl<u64>(c3, 1);
    const d3 = c2 ^ rotl<u64>(c4, 1);
    const d4 = c3 ^ rotl<u64>(c0, 1);
    const b0 = (a0 ^ d0);
    const b1 = rotl<u64>(a6 ^ d1, 44);
    const b2 = rotl<u64>(a12 ^ d2, 43);
    const b3 = rotl<u64>(a18 ^ d3, 21);
    const b4 = rotl<u64>(a24 ^ d4, 14);
    const b5 = rotl<u64>(a3 ^ d3, 28);
    const b6 = rotl<u64>(a9 ^ d4, 20);
    const b7 = rotl<u64>(a10 ^ d0, 3);
    const b8 = rotl<u64>(a16 ^ d1, 45);
    const b9 = rotl<u64>(a22 ^ d2, 61);
    const b10 = rotl<u64>(a1 ^ d1, 1);
    const b11 = rotl<u64>(a7 ^ d2, 6);
    const b12 = rotl<u64>(a13 ^ d3, 25);
    const b13 = rotl<u64>(a19 ^ d4, 8);
    const b14 = rotl<u64>(a20 ^ d0, 18);
    const b15 = rotl<u64>(a4 ^ d4, 27);
    const b16 = rotl<u64>(a5 ^ d0, 36);
    const b17 = rotl<u64>(a11 ^ d1, 10);
    const b18 = rotl<u64>(a17 ^ d2, 15);
    const b19 = rotl<u64>(a23 ^ d3, 56);
    const b20 = rotl<u64>(a2 ^ d2, 62);
    const b21 = rotl<u64>(a8 ^ d3, 55);
    const b22 = rotl<u64>(a14 ^ d4, 39);
    const b23 = rotl<u64>(a15 ^ d0, 41);
    const b24 = rotl<u64>(a21 ^ d1, 2);
    a0 = b0 ^ (~b1 & b2);
    a1 = b1 ^ (~b2 & b3);
    a2 = b2 ^ (~b3 & b4);
    a3 = b3 ^ (~b4 & b0);
    a4 = b4 ^ (~b0 & b1);
    a5 = b5 ^ (~b6 & b7);
    a6 = b6 ^ (~b7 & b8);
    a7 = b7 ^ (~b8 & b9);
    a8 = b8 ^ (~b9 & b5);
    a9 = b9 ^ (~b5 & b6);
    a10 = b10 ^ (~b11 & b12);
    a11 = b11 ^ (~b12 & b13);
    a12 = b12 ^ (~b13 & b14);
    a13 = b13 ^ (~b14 & b10);
    a14 = b14 ^ (~b10 & b11);
    a15 = b15 ^ (~b16 & b17);
    a16 = b16 ^ (~b17 & b18);
    a17 = b17 ^ (~b18 & b19);
    a18 = b18 ^ (~b19 & b15);
    a19 = b19 ^ (~b15 & b16);
    a20 = b20 ^ (~b21 & b22);
    a21 = b21 ^ (~b22 & b23);
    a22 = b22 ^ (~b23 & b24);
    a23 = b23 ^ (~b24 & b20);
    a24 = b24 ^ (~b20 & b21);
    a0 ^= load<u64>(KECCAK_RC + (<usize>round << 3));
  }
  store<u64>(A, a0, 0);
  store<u64>(A, a1, 8);
  store<u64>(A, a2, 16);
  store<u64>(A, a3, 24);
  store<u64>(A, a4, 32);
  store<u64>(A, a5, 40);
  store<u64>(A, a6, 48);
  store<u64>(A, a7, 56);
  store<u64>(A, a8, 64);
  store<u64>(A, a9, 72);
  store<u64>(A, a10, 80);
  store<u64>(A, a11, 88);
  store<u64>(A, a12, 96);
  store<u64>(A, a13, 104);
  store<u64>(A, a14, 112);
  store<u64>(A, a15, 120);
  store<u64>(A, a16, 128);
  store<u64>(A, a17, 136);
  store<u64>(A, a18, 144);
  store<u64>(A, a19, 152);
  store<u64>(A, a20, 160);
  store<u64>(A, a21, 168);
  store<u64>(A, a22, 176);
  store<u64>(A, a23, 184);
  store<u64>(A, a24, 192);
}

/** keccak256 of `len` bytes at `ptr` into 32 bytes at `out`. */
export function keccak256(ptr: usize, len: i32, out: usize): void {
  memory.fill(KECCAK_STATE, 0, 200);
  let p = ptr;
  let left = len;
  while (left >= 136) {
    for (let i = 0; i < 136; i += 8) store<u64>(KECCAK_STATE + <usize>i, load<u64>(KECCAK_STATE + <usize>i) ^ load<u64>(p + <usize>i));
    keccakF();
    p += 136;
    left -= 136;
  }
  for (let i = 0; i < left; i++) store<u8>(KECCAK_STATE + <usize>i, load<u8>(KECCAK_STATE + <usize>i) ^ load<u8>(p + <usize>i));
  store<u8>(KECCAK_STATE + <usize>left, load<u8>(KECCAK_STATE + <usize>left) ^ 0x01);
  store<u8>(KECCAK_STATE + 135, load<u8>(KECCAK_STATE + 135) ^ 0x80);
  keccakF();
  memory.copy(out, KECCAK_STATE, 32);
}

/**
 * The `random` source (engine.md §2): prng(seed, t) = first 4 bytes (big-endian) of
 * keccak256(uint64_be(seed) ‖ uint32_be(t)), AND 0x7fffffff; seed = seedHi·2^32 + seedLo (unsigned halves).
 */
export function prngI32(seedHi: i32, seedLo: i32, t: i32): i32 {
  const m = KECCAK_MSG;
  store<u32>(m, bswap<u32>(<u32>seedHi));
  store<u32>(m, bswap<u32>(<u32>seedLo), 4);
  store<u32>(m, bswap<u32>(<u32>t), 8);
  keccak256(m, 12, m);
  return <i32>(bswap<u32>(load<u32>(m)) & 0x7fffffff);
}
