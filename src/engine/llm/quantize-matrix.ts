/**
 * Float matrix → the engine's int8 with one scale per output row (whitepaper §2.2.6: int8 weights, int32
 * accumulation, fixed-point requantisation), with the error the import report shows per tensor.
 */
import { roundHalfAway } from '../train/fake-quant.ts';

export interface QuantizedMatrix {
  q: Int8Array;
  /** Real value of one int8 step, per row. */
  scales: Float64Array;
  /** ‖W − Ŵ‖ / ‖W‖ over the whole matrix (0 for an all-zero matrix). */
  relativeError: number;
  /** max |W − Ŵ| / max |W|. */
  maxError: number;
}

/** Symmetric per-row int8 of W (rows, cols), after multiplying column i by gain[i] (a folded RMSNorm gain). */
export function quantizeMatrix(w: Float32Array, rows: number, cols: number, gain?: Float32Array): QuantizedMatrix {
  const q = new Int8Array(rows * cols);
  const scales = new Float64Array(rows);
  const row = new Float64Array(cols);
  let err2 = 0;
  let norm2 = 0;
  let maxErr = 0;
  let maxAbs = 0;
  for (let r = 0; r < rows; r++) {
    let m = 0;
    for (let i = 0; i < cols; i++) {
      row[i] = w[r * cols + i]! * (gain ? gain[i]! : 1);
      m = Math.max(m, Math.abs(row[i]!));
    }
    const s = m > 0 ? m / 127 : 1;
    scales[r] = s;
    maxAbs = Math.max(maxAbs, m);
    for (let i = 0; i < cols; i++) {
      const v = Math.max(-127, Math.min(127, roundHalfAway(row[i]! / s)));
      q[r * cols + i] = v;
      const e = row[i]! - v * s;
      err2 += e * e;
      norm2 += row[i]! * row[i]!;
      maxErr = Math.max(maxErr, Math.abs(e));
    }
  }
  return { q, scales, relativeError: norm2 > 0 ? Math.sqrt(err2 / norm2) : 0, maxError: maxAbs > 0 ? maxErr / maxAbs : 0 };
}

/** One scale for the whole tensor (embedding tables read by `gather`, whose rows share the requant after it). */
export function quantizeTensor(w: Float32Array): QuantizedMatrix {
  const m = quantizeMatrix(w, 1, w.length);
  return m;
}
