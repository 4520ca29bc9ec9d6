/**
 * Fixed-point multipliers for the engine's requant (whitepaper §2.2.6: fixed-point requantisation; engine.md
 * requant): real ratios r_i ≈ m_i / 2^s sharing one shift, as a per-element multiplier tensor needs.
 */
import { MAX_MULTIPLIER, MAX_SHIFT } from '../ops/elementwise.ts';


/**
 * Fixed-point form of positive real ratios r_i ≈ m_i / 2^s with one shared shift s (≤ 52) and |m_i| ≤ 2^22 − 1:
 * the largest s that keeps every m_i in range, for the most precision.
 */
export function fixedPoint(ratios: ArrayLike<number>): { m: number[]; shift: number } {
  let max = 0;
  for (let i = 0; i < ratios.length; i++) max = Math.max(max, Math.abs(ratios[i]!));
  if (!(max > 0) || !Number.isFinite(max)) throw new RangeError(`ratios must be finite and not all zero (max ${max})`);
  let shift = MAX_SHIFT;
  while (shift > 0 && Math.round(max * 2 ** shift) > MAX_MULTIPLIER) shift--;
  if (Math.round(max * 2 ** shift) > MAX_MULTIPLIER) throw new RangeError(`ratio ${max} exceeds the multiplier limit`);
  const m: number[] = [];
  for (let i = 0; i < ratios.length; i++) m.push(Math.round(ratios[i]! * 2 ** shift));
  return { m, shift };
}
