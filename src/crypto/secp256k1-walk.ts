/**
 * Incremental secp256k1 point walk for identity grinding (§2.1, S/Kademlia static puzzle).
 *
 * An attacker who wants many key pairs does not run a fresh scalar multiplication per key:
 * from a random secret k it walks P = kG, P + G, P + 2G, … whose secrets are k, k + 1, k + 2, …
 * (mod n). An honest node grinds the same way so that the puzzle costs it no more than it costs
 * the attacker (ANCHORS.md, the discv5 lesson).
 *
 * Layout: the walk keeps a batch of B affine points Q_j = P + (offset + j)·G, j = 0..B-1. One step
 * adds the constant S = B·G to every Q_j. Affine addition needs 1/(x_j − x_S) for each j; Montgomery's
 * trick computes all B inverses with ONE field inversion and 3(B−1) multiplications, so a step costs
 * about 6 field multiplications per point. Field elements are BigInts reduced with the special
 * form p = 2^256 − 2^32 − 977 (about 25% cheaper than `%` here).
 *
 * Exceptional additions (Q_j = ±S, or Q_j the point at infinity, i.e. the walk wrapped past n) are
 * detected per point and recomputed from the secret by a scalar multiplication, so the walk is exact for any
 * start, including starts just below n. They never happen for a random start in practice.
 *
 * This module deliberately does not import @noble/curves: a grinding worker starts in ~40 ms instead of
 * ~200 ms without noble's import and its base-point table (tests check every result against noble).
 * Its scalar multiplication is a plain double-and-add and not constant-time; it runs once per worker
 * on a fresh random start, inside the grinding process.
 */
import { InvalidArgumentError } from '../common/errors.ts';

/** Field prime p = 2^256 − 2^32 − 977. */
export const FIELD_P = 0xfffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2fn;
/** Group order n. */
export const CURVE_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const MASK_256 = (1n << 256n) - 1n;
/** 2^256 mod p: the fold constant of the special-form reduction. */
const FOLD = 0x1000003d1n;
/** Base point G. */
export const GX = 0x79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798n;
export const GY = 0x483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8n;

/** Default batch size: one inversion (~25 µs) amortised over 256 points is < 0.1 µs per point. */
export const DEFAULT_WALK_BATCH = 256;
export const MAX_WALK_BATCH = 1 << 16;

/** (a·b) mod p for 0 ≤ a, b < p. */
function mulP(a: bigint, b: bigint): bigint {
  let t = a * b;
  t = (t & MASK_256) + (t >> 256n) * FOLD; // < 2^256 + 2^289: fold once more
  t = (t & MASK_256) + (t >> 256n) * FOLD; // < 2^256 + 2^66
  return t >= FIELD_P ? t - FIELD_P : t;
}

function subP(a: bigint, b: bigint): bigint {
  const d = a - b;
  return d < 0n ? d + FIELD_P : d;
}

/** a^−1 mod p by the extended Euclidean algorithm; a ≢ 0. */
export function invertP(a: bigint): bigint {
  let low = a % FIELD_P;
  if (low < 0n) low += FIELD_P;
  if (low === 0n) throw new InvalidArgumentError('a', 'zero has no inverse');
  let high = FIELD_P;
  let lm = 1n;
  let hm = 0n;
  while (low > 1n) {
    const r = high / low;
    const nm = hm - lm * r;
    const nl = high - low * r;
    hm = lm;
    high = low;
    lm = nm;
    low = nl;
  }
  const out = lm % FIELD_P;
  return out < 0n ? out + FIELD_P : out;
}

export interface Affine {
  x: bigint;
  y: bigint;
}

/**
 * secret·G in affine coordinates, 1 ≤ secret < n: left-to-right double-and-add in Jacobian
 * coordinates (a = 0 formulas dbl-2009-l and madd-2007-bl), one inversion at the end. For
 * 1 ≤ secret < n no intermediate sum is exceptional (2m·G = ±G needs 2m ≡ ±1 mod n, which
 * cannot be a prefix of such a secret followed by an addition); we still check and throw.
 */
export function multiplyBase(secret: bigint): Affine {
  if (secret < 1n || secret >= CURVE_N) throw new InvalidArgumentError('secret', 'must satisfy 1 <= k < n');
  let x = GX;
  let y = GY;
  let z = 1n;
  for (let bit = BigInt(secret.toString(2).length - 2); bit >= 0n; bit--) {
    // double: A = X², B = Y², C = B², D = 2((X+B)² − A − C), E = 3A, X' = E² − 2D, Y' = E(D − X') − 8C, Z' = 2YZ
    const a = mulP(x, x);
    const b = mulP(y, y);
    const c = mulP(b, b);
    let xb = x + b;
    if (xb >= FIELD_P) xb -= FIELD_P;
    const d = (2n * subP(subP(mulP(xb, xb), a), c)) % FIELD_P;
    const e = (3n * a) % FIELD_P;
    const x3 = subP(mulP(e, e), (2n * d) % FIELD_P);
    const y3 = subP(mulP(e, subP(d, x3)), (8n * c) % FIELD_P);
    z = (2n * mulP(y, z)) % FIELD_P;
    x = x3;
    y = y3;
    if (((secret >> bit) & 1n) === 1n) {
      // mixed add of G: U2 = Gx·Z², S2 = Gy·Z³, H = U2 − X, r = 2(S2 − Y), I = 4H², J = H·I, V = X·I
      const zz = mulP(z, z);
      const h = subP(mulP(GX, zz), x);
      const s2 = mulP(GY, mulP(z, zz));
      if (h === 0n) throw new InvalidArgumentError('secret', 'exceptional addition in scalar multiplication');
      const r = (2n * subP(s2, y)) % FIELD_P;
      const hh = mulP(h, h);
      const i = (4n * hh) % FIELD_P;
      const j = mulP(h, i);
      const v = mulP(x, i);
      const nx = subP(subP(mulP(r, r), j), (2n * v) % FIELD_P);
      const ny = subP(mulP(r, subP(v, nx)), (2n * mulP(y, j)) % FIELD_P);
      const zh = (z + h) % FIELD_P;
      z = subP(subP(mulP(zh, zh), zz), hh);
      x = nx;
      y = ny;
    }
  }
  const zi = invertP(z);
  const zi2 = mulP(zi, zi);
  return { x: mulP(x, zi2), y: mulP(y, mulP(zi2, zi)) };
}

function affineOf(secret: bigint): Affine {
  return multiplyBase(secret);
}

/** Big-endian 32-byte encoding of a field element into `out` at `offset` (no allocation). */
export function writeFieldElement(view: DataView, offset: number, v: bigint): void {
  view.setBigUint64(offset, v >> 192n);
  view.setBigUint64(offset + 8, BigInt.asUintN(64, v >> 128n));
  view.setBigUint64(offset + 16, BigInt.asUintN(64, v >> 64n));
  view.setBigUint64(offset + 24, BigInt.asUintN(64, v));
}

/**
 * A walk over P + i·G, i = 0, 1, 2, …, from the secret `start` (1 ≤ start < n), B points at a time.
 * After construction the current batch holds i = 0..B−1; `advance()` moves to i = B..2B−1, and so on.
 */
export class PointWalk {
  readonly batchSize: number;
  readonly start: bigint;
  /** Walk index of the batch's first point (the batch holds offset .. offset + B − 1). */
  offset: bigint;
  readonly xs: bigint[];
  readonly ys: bigint[];
  /** 1 where the point is the point at infinity (its secret is 0 mod n). */
  readonly infinity: Uint8Array;
  private readonly step: Affine;
  private readonly prefix: bigint[];
  private readonly diffs: bigint[];
  private readonly special: Uint8Array;

  constructor(start: bigint, batchSize: number = DEFAULT_WALK_BATCH) {
    if (typeof start !== 'bigint' || start < 1n || start >= CURVE_N) {
      throw new InvalidArgumentError('start', 'secret must satisfy 1 <= k < n');
    }
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_WALK_BATCH) {
      throw new InvalidArgumentError('batchSize', `must be an integer in 1..${MAX_WALK_BATCH}`);
    }
    this.batchSize = batchSize;
    this.start = start;
    this.offset = 0n;
    this.xs = new Array<bigint>(batchSize).fill(0n);
    this.ys = new Array<bigint>(batchSize).fill(0n);
    this.infinity = new Uint8Array(batchSize);
    this.prefix = new Array<bigint>(batchSize).fill(0n);
    this.diffs = new Array<bigint>(batchSize).fill(0n);
    this.special = new Uint8Array(batchSize);
    this.step = affineOf(BigInt(batchSize));

    // Fill the first batch by doubling spans: Q_0 = P; then Q_[h, 2h) = Q_[0, h) + h·G for
    // h = 1, 2, 4, …: log2(B) batched additions instead of B scalar multiplications.
    const p0 = affineOf(start);
    this.xs[0] = p0.x;
    this.ys[0] = p0.y;
    for (let h = 1; h < batchSize; h *= 2) {
      const count = Math.min(h, batchSize - h);
      this.addConstant(0, h, count, affineOf(BigInt(h)));
    }
  }

  /** Secret key (as a scalar) of the batch's j-th point: (start + offset + j) mod n. */
  secretAt(j: number): bigint {
    return (this.start + this.offset + BigInt(j)) % CURVE_N;
  }

  /** Moves to the next batch: Q_j ← Q_j + B·G for every j. */
  advance(): void {
    this.offset += BigInt(this.batchSize);
    this.addConstant(0, 0, this.batchSize, this.step);
  }

  /** Writes X ‖ Y (64 bytes, big-endian) of point j at `offset` of `view`. */
  writePoint(j: number, view: DataView, offset: number): void {
    writeFieldElement(view, offset, this.xs[j]!);
    writeFieldElement(view, offset + 32, this.ys[j]!);
  }

  /**
   * Q_[dst + j] ← Q_[src + j] + S for j < count, with one field inversion (Montgomery's trick).
   * Destination secrets are read from `secretAt` after the operation's offset is in place.
   */
  private addConstant(src: number, dst: number, count: number, s: Affine): void {
    const { xs, ys, infinity, prefix, diffs, special } = this;
    const sx = s.x;
    const sy = s.y;
    let acc = 1n;
    for (let j = 0; j < count; j++) {
      let d = xs[src + j]! - sx;
      if (d < 0n) d += FIELD_P;
      if (d === 0n || infinity[src + j] === 1) {
        // Q = ±S (doubling or cancellation) or Q = ∞: not an affine chord addition.
        special[j] = 1;
        d = 1n;
      } else {
        special[j] = 0;
      }
      diffs[j] = d;
      acc = mulP(acc, d);
      prefix[j] = acc;
    }
    let inv = invertP(acc);
    for (let j = count - 1; j >= 0; j--) {
      const invD = j > 0 ? mulP(inv, prefix[j - 1]!) : inv;
      inv = mulP(inv, diffs[j]!);
      if (special[j] === 1) continue;
      const x1 = xs[src + j]!;
      const y1 = ys[src + j]!;
      let dy = y1 - sy;
      if (dy < 0n) dy += FIELD_P;
      const lambda = mulP(dy, invD);
      let x3 = mulP(lambda, lambda) - x1 - sx;
      while (x3 < 0n) x3 += FIELD_P;
      let dx = x1 - x3;
      if (dx < 0n) dx += FIELD_P;
      let y3 = mulP(lambda, dx) - y1;
      if (y3 < 0n) y3 += FIELD_P;
      xs[dst + j] = x3;
      ys[dst + j] = y3;
      infinity[dst + j] = 0;
    }
    for (let j = 0; j < count; j++) {
      if (special[j] !== 1) continue;
      const secret = this.secretAt(dst + j);
      if (secret === 0n) {
        infinity[dst + j] = 1;
        xs[dst + j] = 0n;
        ys[dst + j] = 0n;
      } else {
        const a = affineOf(secret);
        infinity[dst + j] = 0;
        xs[dst + j] = a.x;
        ys[dst + j] = a.y;
      }
    }
  }
}
