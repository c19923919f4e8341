/**
 * GD, heavy ball and SGD with Gaussian gradient noise on TensorFlow.js, over a batch of independent
 * trajectories: the state is one tensor [batch, n] (ensembles for statistics). Same updates as the float64
 * CPU versions in ../optimizers.ts (docs/theory/eom.md, docs/theory/langevin.md "Discrete update").
 *
 * The gradient is a function of a tf tensor [batch, n] → [batch, n] built from tf ops (the codegen layer
 * emits such functions); it is called inside tf.tidy, so it may create intermediates freely.
 *
 * PRECISION — TensorFlow.js is float32 only. Meaningful here: ensemble statistics (means, variances,
 * stationary covariances, diffusion exponents), norms and their growth, first-order effects (GD vs GF, the
 * first counter term), agreement with float64 runs to float32 tolerance (~1e-6 relative per step, bounded
 * for contracting maps). NOT meaningful here: high-order global-error slopes — measured, float32 GD vs the
 * modified flow floors at ~3e-7–7e-7, so an O(η³) fit breaks below η ≈ 0.0125; do those on the float64
 * CPU path (../order-sweep.ts).
 *
 * Noise: by default drawn on the host with the seeded float64 PRNG (../prng.ts) and uploaded each step —
 * identical across backends for a seed, so cpu/wasm/GPU ensembles can be compared path by path.
 * `noiseSource: 'device'` uses tf.randomNormal with a per-step seed instead (no upload; reproducible per
 * backend only).
 */
import { InputError } from '../../errors.ts';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './backend.ts';
import { Rng } from '../prng.ts';
import { type MatrixInput, checkBeta, checkEta, checkFiniteNonNeg, checkSteps, choleskyPsd, toDense } from '../linalg.ts';

export type Tensor2D = tfTypes.Tensor2D;
/** ∇L on a batch: [batch, n] → [batch, n], built from tf ops. */
export type TfGradFn = (theta: Tensor2D) => tfTypes.Tensor;

export interface TfRunOptions {
  grad: TfGradFn;
  /** initial states: rows [batch][n], or a flat row-major array with `n` given. */
  theta0: readonly (readonly number[])[] | Float32Array | Float64Array;
  /** parameter count when theta0 is flat. */
  n?: number;
  eta: number;
  steps: number;
  weightDecay?: number;
  /** steps at which the ensemble is downloaded (sorted ascending internally). */
  record?: readonly number[];
}

export interface TfRunResult {
  /** final states, row-major [batch × n], float32. */
  theta: Float32Array;
  batch: number;
  n: number;
  recordedSteps: Int32Array;
  /** recorded ensembles, each row-major [batch × n]. */
  trajectory: Float32Array[];
  backend: string;
}

function shapeOf(o: TfRunOptions, where: string): { data: Float32Array; batch: number; n: number } {
  if (Array.isArray(o.theta0)) {
    const rows = o.theta0 as readonly (readonly number[])[];
    if (rows.length === 0) throw new InputError(`${where}: theta0 has no rows`);
    const n = rows[0]!.length;
    if (n === 0) throw new InputError(`${where}: theta0 rows are empty`);
    const data = new Float32Array(rows.length * n);
    rows.forEach((r, b) => {
      if (r.length !== n) throw new InputError(`${where}: theta0 row ${b} has ${r.length} entries, expected ${n} (dimension mismatch)`);
      r.forEach((v, i) => {
        if (!Number.isFinite(v)) throw new InputError(`${where}: theta0[${b}][${i}] is not finite (${v})`);
        data[b * n + i] = v;
      });
    });
    return { data, batch: rows.length, n };
  }
  const flat = o.theta0 as Float32Array | Float64Array;
  const n = o.n;
  if (n === undefined || !Number.isInteger(n) || n <= 0) throw new InputError(`${where}: a flat theta0 needs a positive integer n`);
  if (flat.length === 0 || flat.length % n !== 0) throw new InputError(`${where}: flat theta0 of length ${flat.length} is not a multiple of n = ${n} (dimension mismatch)`);
  for (let i = 0; i < flat.length; i++) if (!Number.isFinite(flat[i]!)) throw new InputError(`${where}: theta0[${i}] is not finite`);
  return { data: Float32Array.from(flat), batch: flat.length / n, n };
}

function recordSet(record: readonly number[] | undefined, steps: number, where: string): Int32Array {
  const s = [...new Set(record ?? [])].sort((a, b) => a - b);
  for (const k of s) if (!Number.isInteger(k) || k < 0 || k > steps) throw new InputError(`${where}: record step ${k} is not an integer in [0, ${steps}]`);
  return Int32Array.from(s);
}

function checkGradShape(tf: Tf, g: tfTypes.Tensor, batch: number, n: number, where: string): void {
  if (g.shape.length !== 2 || g.shape[0] !== batch || g.shape[1] !== n)
    throw new InputError(`${where}: grad returned shape [${g.shape.join(', ')}], expected [${batch}, ${n}] (dimension mismatch)`);
  void tf;
}

type Extra = (theta: Tensor2D, k: number) => tfTypes.Tensor | null;

/** Shared loop: two-step heavy ball (β = 0 gives GD) with an optional additive gradient perturbation. */
function loop(tf: Tf, o: TfRunOptions & { beta: number; thetaPrev?: TfRunOptions['theta0'] }, where: string, extra?: Extra): TfRunResult {
  checkEta(o.eta, where);
  checkSteps(o.steps, where);
  checkBeta(o.beta, where);
  const lambda = o.weightDecay ?? 0;
  checkFiniteNonNeg(lambda, 'weightDecay', where);
  const { data, batch, n } = shapeOf(o, where);
  const rec = recordSet(o.record, o.steps, where);
  const trajectory: Float32Array[] = [];
  let ptr = 0;
  let prevData: Float32Array | undefined;
  if (o.beta > 0 && o.thetaPrev) {
    const p = shapeOf({ ...o, theta0: o.thetaPrev }, where);
    if (p.batch !== batch || p.n !== n) throw new InputError(`${where}: thetaPrev has shape [${p.batch}, ${p.n}], expected [${batch}, ${n}] (dimension mismatch)`);
    prevData = p.data;
  }
  let theta = tf.tensor2d(data, [batch, n], 'float32');
  let prev: Tensor2D | null = o.beta > 0 ? tf.tensor2d(prevData ?? data, [batch, n], 'float32') : null;
  const visit = (k: number): void => {
    while (ptr < rec.length && rec[ptr] === k) {
      trajectory.push(theta.dataSync() as Float32Array);
      ptr++;
    }
  };
  const eta = o.eta;
  const beta = o.beta;
  try {
    visit(0);
    // first call: check the gradient's shape once
    tf.tidy(() => checkGradShape(tf, o.grad(theta), batch, n, where));
    for (let k = 0; k < o.steps; k++) {
      const next = tf.tidy(() => {
        let g = o.grad(theta);
        if (lambda !== 0) g = g.add(theta.mul(lambda));
        const e = extra?.(theta, k);
        if (e) g = g.add(e);
        let t = theta.sub(g.mul(eta));
        if (prev) t = t.add(theta.sub(prev).mul(beta));
        return t as Tensor2D;
      });
      if (prev) {
        prev.dispose();
        prev = theta;
      } else theta.dispose();
      theta = next;
      visit(k + 1);
    }
    const out = theta.dataSync() as Float32Array;
    return { theta: Float32Array.from(out), batch, n, recordedSteps: rec, trajectory, backend: tf.getBackend() };
  } finally {
    theta.dispose();
    prev?.dispose();
  }
}

/** GD θ ← θ − η(∇L(θ) + λθ) on every row of the batch. */
export function gdTf(tf: Tf, o: TfRunOptions): TfRunResult {
  return loop(tf, { ...o, beta: 0 }, 'gdTf');
}

/** Heavy ball θ_{k+1} = θ_k − η g(θ_k) + β(θ_k − θ_{k−1}); thetaPrev defaults to θ_0 (zero velocity). */
export function heavyBallTf(tf: Tf, o: TfRunOptions & { beta: number; thetaPrev?: TfRunOptions['theta0'] }): TfRunResult {
  return loop(tf, o, 'heavyBallTf');
}

export interface TfSgdGaussianOptions extends TfRunOptions {
  /** Σ (n×n), or a factor L with L Lᵀ = Σ via `sigmaFactor`. Constant (state-independent) here. */
  sigma?: MatrixInput;
  sigmaFactor?: MatrixInput;
  batchSize: number;
  beta?: number;
  thetaPrev?: TfRunOptions['theta0'];
  seed?: number;
  /** 'host' (default): seeded PRNG on the CPU, uploaded each step; 'device': tf.randomNormal. */
  noiseSource?: 'host' | 'device';
}

/** SGD with Gaussian gradient noise ε = L z/√S (Cov ε = Σ/S) on every row; heavy-ball momentum optional. */
export function sgdGaussianTf(tf: Tf, o: TfSgdGaussianOptions): TfRunResult {
  const where = 'sgdGaussianTf';
  const { batch, n } = shapeOf(o, where);
  const S = o.batchSize;
  if (typeof S !== 'number' || !Number.isFinite(S) || S <= 0) throw new InputError(`${where}: batchSize must be a finite number > 0, got ${S}`);
  let L: Float64Array;
  if (o.sigma) L = choleskyPsd(toDense(o.sigma, n, 'sigma', where), n, undefined, `${where}: sigma`);
  else if (o.sigmaFactor) L = toDense(o.sigmaFactor, n, 'sigmaFactor', where);
  else throw new InputError(`${where}: give sigma or sigmaFactor`);
  // ε rows = z rows · Lᵀ / √S
  const LtScaled = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) LtScaled[j * n + i] = L[i * n + j]! / Math.sqrt(S);
  const Lt = tf.tensor2d(LtScaled, [n, n], 'float32');
  const seed = o.seed ?? 0;
  const rng = new Rng(seed);
  const zbuf = new Float32Array(batch * n);
  const source = o.noiseSource ?? 'host';
  if (source !== 'host' && source !== 'device') throw new InputError(`${where}: noiseSource must be 'host' or 'device'`);
  try {
    return loop(tf, { ...o, beta: o.beta ?? 0 }, where, (_theta, k) => {
      let z: tfTypes.Tensor2D;
      if (source === 'host') {
        for (let i = 0; i < zbuf.length; i++) zbuf[i] = rng.normal();
        z = tf.tensor2d(zbuf, [batch, n], 'float32');
      } else {
        z = tf.randomNormal([batch, n], 0, 1, 'float32', (seed * 1_000_003 + k) % 2147483647);
      }
      return n === 1 ? z.mul(LtScaled[0]!) : tf.matMul(z, Lt);
    });
  } finally {
    Lt.dispose();
  }
}
