/**
 * Adam with decoupled weight decay (AdamW) over a list of Float64Array tensors: the optimiser of the float
 * training loops in this folder (DESIGN.md §1.7: the shipped models are trained by the project, reproducibly).
 */

export interface AdamOptions {
  /** β1: first-moment decay (Kingma & Ba's default). */
  beta1: number;
  /** β2: second-moment decay; 0.99 rather than 0.999 adapts faster on the short runs here. */
  beta2: number;
  /** Added to √v: avoids division by zero. */
  eps: number;
  /** Decoupled weight decay per step, multiplied by the learning rate; applied to matrices only (see `decay`). */
  weightDecay: number;
}

export const DEFAULTS: AdamOptions = {
  beta1: 0.9,
  beta2: 0.99,
  eps: 1e-8,
  weightDecay: 0.01, // small: keeps int8 ranges tight without hurting fit on these tasks
};

export class Adam {
  private readonly m: Float64Array[];
  private readonly v: Float64Array[];
  private t = 0;
  private readonly options: AdamOptions;
  private readonly tensors: Float64Array[];
  private readonly decay: boolean[];

  /** `decay[i]` says whether tensor i gets weight decay (matrices yes; gains, biases no). */
  constructor(tensors: Float64Array[], decay: boolean[], options: Partial<AdamOptions> = {}) {
    this.tensors = tensors;
    this.decay = decay;
    this.options = { ...DEFAULTS, ...options };
    this.m = tensors.map((t) => new Float64Array(t.length));
    this.v = tensors.map((t) => new Float64Array(t.length));
  }

  /** One step with learning rate `lr` using `grads` (same order and shapes as the tensors). */
  step(grads: Float64Array[], lr: number): void {
    const { beta1, beta2, eps, weightDecay } = this.options;
    this.t++;
    const c1 = 1 - beta1 ** this.t;
    const c2 = 1 - beta2 ** this.t;
    this.tensors.forEach((p, k) => {
      const g = grads[k]!;
      const m = this.m[k]!;
      const v = this.v[k]!;
      const wd = this.decay[k] ? weightDecay * lr : 0;
      for (let i = 0; i < p.length; i++) {
        const gi = g[i]!;
        m[i] = beta1 * m[i]! + (1 - beta1) * gi;
        v[i] = beta2 * v[i]! + (1 - beta2) * gi * gi;
        p[i] = p[i]! - lr * (m[i]! / c1) / (Math.sqrt(v[i]! / c2) + eps) - wd * p[i]!;
      }
    });
  }
}
