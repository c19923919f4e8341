/**
 * Discrete optimizers in float64 on the CPU (design notes: "Discrete optimizers in float64 on the CPU").
 *
 * All work on Float64Array states and a gradient callback `grad(theta, out)` that writes ∇L(θ) into `out` —
 * the signature generated code provides. Updates follow the theory documents exactly:
 * - GD (docs/theory/eom.md, Notation):                 θ_{k+1} = θ_k − η (g(θ_k) + λθ_k)
 * - heavy ball, two-step (eom.md "Heavy-ball"):   θ_{k+1} = θ_k − η g_B(θ_k) + β(θ_k − θ_{k−1}), explicit θ_{−1}
 * - PyTorch buffer form (langevin.md "Discrete update"): b_{k+1} = β b_k + g_B, θ_{k+1} = θ_k − η b_{k+1}
 *   (the same update with b_k = −(θ_k − θ_{k−1})/η; PyTorch's first step b_1 = g_0 is b_0 = 0)
 * - SGD (langevin.md "Discrete update"): g_B = ∇L + λθ + ε with either minibatches drawn from data
 *   (per-example gradients `gradExample(theta, i, out)`, g_B = (1/S) Σ_{i∈B} ∇ℓ_i), with or without replacement,
 *   or a Gaussian noise model ε = L z / √S, L Lᵀ = Σ (Cholesky), Cov ε = Σ/S; Σ fixed or a callback Σ(θ).
 *
 * - `sgdGaussianEnsemble`: B independent chains of the Gaussian-noise SGD in one Float64Array with a batched
 *   gradient; chain c reproduces `sgdGaussian` with seed + c exactly (one RngBank stream per chain). With two
 *   parameters the states and generators live in a WebAssembly memory: Ziggurat normals for four chains per
 *   i32x4 xoshiro step, each chain's update one f64x2 vector (kernels/heavy-ball-wasm.ts; the same
 *   operations in the same order, so still bit-identical).
 * Normals come from the Ziggurat generator by default (prng.ts); `normal: 'box-muller'` reproduces the
 * streams of earlier versions bit for bit.
 *
 * Runs are reproducible from `seed`; trajectories are recorded only at the chosen steps, into one
 * preallocated buffer (no per-step allocation).
 */
import { InputError } from '../errors.ts';
import { Rng, RngBank, identityPermutation, type NormalMethod } from './prng.ts';
import { heavyBallNoise2Wasm } from './kernels/heavy-ball-wasm.ts';
import {
  type MatrixInput,
  checkBeta,
  checkEta,
  checkFiniteNonNeg,
  checkSteps,
  checkVector,
  choleskyPsd,
  toDense,
} from './linalg.ts';

/** ∇L(θ) written into `out` (length n). Must not keep references to its arguments. */
export type GradFn = (theta: Float64Array, out: Float64Array) => void;
/** ∇ℓ_i(θ) of example i written into `out`. */
export type GradExampleFn = (theta: Float64Array, i: number, out: Float64Array) => void;
/** Σ(θ) written into `out` (row-major n×n). */
export type CovFn = (theta: Float64Array, out: Float64Array) => void;

export interface RunOptionsBase {
  theta0: ArrayLike<number>;
  eta: number;
  steps: number;
  /** weight decay λ ≥ 0: adds λθ to the gradient. */
  weightDecay?: number;
  /** steps k ∈ [0, steps] at which θ_k is recorded (any order, duplicates ignored). Default: none. */
  record?: readonly number[];
}

export interface RunResult {
  /** θ after `steps` updates. */
  theta: Float64Array;
  /** recorded step indices (sorted ascending). */
  recordedSteps: Int32Array;
  /** recorded states, row r = θ at recordedSteps[r], row-major [recordedSteps.length × n]. */
  trajectory: Float64Array;
  n: number;
  /** false if θ became non-finite (divergence); the run stops at that step. */
  finite: boolean;
  /** number of updates performed (= steps unless it diverged). */
  stepsDone: number;
}

/** Row r of a recorded trajectory, as a view (no copy). */
export function trajectoryRow(res: RunResult, r: number): Float64Array {
  return res.trajectory.subarray(r * res.n, (r + 1) * res.n);
}

class Recorder {
  readonly steps: Int32Array;
  readonly data: Float64Array;
  private ptr = 0;
  constructor(record: readonly number[] | undefined, total: number, private readonly n: number, where: string) {
    const s = [...new Set(record ?? [])].sort((a, b) => a - b);
    for (const k of s) {
      if (!Number.isInteger(k) || k < 0 || k > total) throw new InputError(`${where}: record step ${k} is not an integer in [0, ${total}]`);
    }
    this.steps = Int32Array.from(s);
    this.data = new Float64Array(s.length * n);
  }
  /** call with the state θ_k after k updates. */
  visit(k: number, theta: Float64Array): void {
    while (this.ptr < this.steps.length && this.steps[this.ptr] === k) {
      this.data.set(theta, this.ptr * this.n);
      this.ptr++;
    }
  }
}

function isFiniteVec(v: Float64Array): boolean {
  for (let i = 0; i < v.length; i++) if (!Number.isFinite(v[i]!)) return false;
  return true;
}

function commonChecks(o: RunOptionsBase, where: string): { n: number; lambda: number } {
  checkEta(o.eta, where);
  checkSteps(o.steps, where);
  const lambda = o.weightDecay ?? 0;
  checkFiniteNonNeg(lambda, 'weightDecay', where);
  const n = o.theta0.length;
  if (n === 0) throw new InputError(`${where}: theta0 is empty`);
  checkVector(o.theta0, n, 'theta0', where);
  return { n, lambda };
}

// ---------------------------------------------------------------------------------------------------------
// Gradient descent

export interface GdOptions extends RunOptionsBase {
  grad: GradFn;
}

/** Gradient descent θ_{k+1} = θ_k − η(g(θ_k) + λθ_k) (docs/theory/eom.md, Notation). */
export function gd(o: GdOptions): RunResult {
  const where = 'gd';
  const { n, lambda } = commonChecks(o, where);
  const theta = Float64Array.from(o.theta0);
  const g = new Float64Array(n);
  const rec = new Recorder(o.record, o.steps, n, where);
  rec.visit(0, theta);
  const eta = o.eta;
  let k = 0;
  let finite = true;
  for (; k < o.steps; ) {
    o.grad(theta, g);
    for (let i = 0; i < n; i++) theta[i] = theta[i]! - eta * (g[i]! + lambda * theta[i]!);
    k++;
    rec.visit(k, theta);
    if (!isFiniteVec(theta)) {
      finite = false;
      break;
    }
  }
  return { theta, recordedSteps: rec.steps, trajectory: rec.data, n, finite, stepsDone: k };
}

// ---------------------------------------------------------------------------------------------------------
// Heavy ball

/** Source of the gradient used inside the momentum recursions: a deterministic gradient plus optional noise. */
type GradientSource = (theta: Float64Array, out: Float64Array) => void;

function momentumLoop(
  where: string,
  o: RunOptionsBase & { beta: number },
  n: number,
  lambda: number,
  thetaPrev: Float64Array,
  source: GradientSource,
): RunResult {
  const theta = Float64Array.from(o.theta0);
  const prev = thetaPrev;
  const g = new Float64Array(n);
  const rec = new Recorder(o.record, o.steps, n, where);
  rec.visit(0, theta);
  const eta = o.eta;
  const beta = o.beta;
  let k = 0;
  let finite = true;
  for (; k < o.steps; ) {
    source(theta, g);
    heavyBallUpdate(theta, prev, g, n, eta, lambda, beta);
    k++;
    rec.visit(k, theta);
    if (!isFiniteVec(theta)) {
      finite = false;
      break;
    }
  }
  return { theta, recordedSteps: rec.steps, trajectory: rec.data, n, finite, stepsDone: k };
}

/**
 * θ_{k+1} = θ_k − η(g + λθ_k) + β(θ_k − θ_{k−1}), in place; `prev` becomes θ_k (the two-step heavy-ball
 * update shared by the deterministic and the noisy loops).
 */
function heavyBallUpdate(theta: Float64Array, prev: Float64Array, g: Float64Array, n: number, eta: number, lambda: number, beta: number): void {
  for (let i = 0; i < n; i++) {
    const th = theta[i]!;
    const next = th - eta * (g[i]! + lambda * th) + beta * (th - prev[i]!);
    prev[i] = th;
    theta[i] = next;
  }
}

export interface HeavyBallRunOptions extends RunOptionsBase {
  grad: GradFn;
  beta: number;
  /** θ_{−1}; default θ_0 (zero initial velocity). For the slow manifold use θ_{−1} = φ_{−η}(θ_0) (eom.md). */
  thetaPrev?: ArrayLike<number>;
}

/** Heavy-ball two-step form θ_{k+1} = θ_k − η g(θ_k) + β(θ_k − θ_{k−1}) (docs/theory/eom.md, "Heavy-ball momentum"). */
export function heavyBall(o: HeavyBallRunOptions): RunResult {
  const where = 'heavyBall';
  const { n, lambda } = commonChecks(o, where);
  checkBeta(o.beta, where);
  const prev = Float64Array.from(o.thetaPrev ?? o.theta0);
  if (o.thetaPrev) checkVector(o.thetaPrev, n, 'thetaPrev', where);
  return momentumLoop(where, o, n, lambda, prev, o.grad);
}

export interface HeavyBallBufferOptions extends RunOptionsBase {
  grad: GradFn;
  beta: number;
  /** initial buffer b_0 (default 0, which makes the first step b_1 = g_0 as in PyTorch). */
  buffer0?: ArrayLike<number>;
}

/**
 * PyTorch's buffer form b_{k+1} = β b_k + g_B(θ_k), θ_{k+1} = θ_k − η b_{k+1} (docs/theory/langevin.md).
 * Equal to the two-step form with θ_{−1} = θ_0 + η b_0. Returns the final buffer too.
 */
export function heavyBallBuffer(o: HeavyBallBufferOptions): RunResult & { buffer: Float64Array } {
  const where = 'heavyBallBuffer';
  const { n, lambda } = commonChecks(o, where);
  checkBeta(o.beta, where);
  const b = new Float64Array(n);
  if (o.buffer0) {
    checkVector(o.buffer0, n, 'buffer0', where);
    b.set(Array.from(o.buffer0));
  }
  const theta = Float64Array.from(o.theta0);
  const g = new Float64Array(n);
  const rec = new Recorder(o.record, o.steps, n, where);
  rec.visit(0, theta);
  let k = 0;
  let finite = true;
  for (; k < o.steps; ) {
    o.grad(theta, g);
    for (let i = 0; i < n; i++) {
      b[i] = o.beta * b[i]! + g[i]! + lambda * theta[i]!;
      theta[i] = theta[i]! - o.eta * b[i]!;
    }
    k++;
    rec.visit(k, theta);
    if (!isFiniteVec(theta)) {
      finite = false;
      break;
    }
  }
  return { theta, recordedSteps: rec.steps, trajectory: rec.data, n, finite, stepsDone: k, buffer: b };
}

// ---------------------------------------------------------------------------------------------------------
// SGD with minibatches from data

export type Sampling = 'with-replacement' | 'without-replacement';

export interface SgdMinibatchOptions extends RunOptionsBase {
  gradExample: GradExampleFn;
  /** number of examples N. */
  nData: number;
  /** batch size S (1 ≤ S, and S ≤ N without replacement). */
  batchSize: number;
  /** default 'with-replacement'. Each step draws an independent batch (langevin.md: Cov ε = Σ/S, or
   * Σ(N−S)/(S(N−1)) without replacement). */
  sampling?: Sampling;
  /** heavy-ball momentum β ∈ [0,1), default 0; two-step form. */
  beta?: number;
  thetaPrev?: ArrayLike<number>;
  seed?: number;
}

/** SGD θ_{k+1} = θ_k − η g_B(θ_k) + β(θ_k − θ_{k−1}), g_B = (1/S) Σ_{i∈B} ∇ℓ_i + λθ (langevin.md). */
export function sgdMinibatch(o: SgdMinibatchOptions): RunResult {
  const where = 'sgdMinibatch';
  const { n, lambda } = commonChecks(o, where);
  const beta = o.beta ?? 0;
  checkBeta(beta, where);
  const N = o.nData;
  const S = o.batchSize;
  if (!Number.isInteger(N) || N <= 0) throw new InputError(`${where}: nData must be a positive integer, got ${N}`);
  if (!Number.isInteger(S) || S <= 0) throw new InputError(`${where}: batchSize must be a positive integer, got ${S}`);
  const sampling = o.sampling ?? 'with-replacement';
  if (sampling !== 'with-replacement' && sampling !== 'without-replacement') throw new InputError(`${where}: unknown sampling '${String(sampling)}'`);
  if (sampling === 'without-replacement' && S > N) throw new InputError(`${where}: batchSize ${S} exceeds nData ${N} without replacement`);
  const rng = new Rng(o.seed ?? 0);
  const idx = new Int32Array(S);
  const perm = identityPermutation(N);
  const gi = new Float64Array(n);
  const prev = Float64Array.from(o.thetaPrev ?? o.theta0);
  if (o.thetaPrev) checkVector(o.thetaPrev, n, 'thetaPrev', where);
  const source: GradientSource = (theta, out) => {
    if (sampling === 'with-replacement') rng.sampleWithReplacement(N, S, idx);
    else rng.sampleWithoutReplacement(N, S, idx, perm);
    out.fill(0);
    for (let b = 0; b < S; b++) {
      o.gradExample(theta, idx[b]!, gi);
      for (let i = 0; i < n; i++) out[i] = out[i]! + gi[i]!;
    }
    for (let i = 0; i < n; i++) out[i] = out[i]! / S;
  };
  return momentumLoop(where, { ...o, beta }, n, lambda, prev, source);
}

// ---------------------------------------------------------------------------------------------------------
// SGD with a Gaussian gradient-noise model

export type NoiseModel =
  /** Σ as a fixed matrix. */
  | { sigma: MatrixInput }
  /** Σ(θ) as a callback, re-factored every step. */
  | { sigmaFn: CovFn }
  /** a lower Cholesky-type factor L with L Lᵀ = Σ (any square root works). */
  | { sigmaFactor: MatrixInput };

export interface SgdGaussianOptions extends RunOptionsBase {
  grad: GradFn;
  noise: NoiseModel;
  /** batch size S > 0: Cov ε = Σ/S. */
  batchSize: number;
  beta?: number;
  thetaPrev?: ArrayLike<number>;
  seed?: number;
  /** standard-normal generator (prng.ts): 'ziggurat' (default) or 'box-muller' (the stream of earlier versions). */
  normal?: NormalMethod;
}

/**
 * SGD with Gaussian gradient noise: g_B = ∇L(θ) + λθ + ε, ε = L z/√S, z ~ N(0, I), L Lᵀ = Σ
 * (docs/theory/langevin.md, "Discrete update"); heavy-ball momentum β optional (two-step form).
 */
export function sgdGaussian(o: SgdGaussianOptions): RunResult {
  const where = 'sgdGaussian';
  const { n, lambda } = commonChecks(o, where);
  const beta = o.beta ?? 0;
  checkBeta(beta, where);
  const S = o.batchSize;
  if (typeof S !== 'number' || !Number.isFinite(S) || S <= 0) throw new InputError(`${where}: batchSize must be a finite number > 0, got ${S}`);
  const invSqrtS = 1 / Math.sqrt(S);
  const rng = new Rng(o.seed ?? 0, { normal: o.normal ?? 'ziggurat' });
  const z = new Float64Array(n);
  let factor: Float64Array;
  let covFn: CovFn | undefined;
  const covBuf = new Float64Array(n * n);
  if ('sigma' in o.noise) factor = choleskyPsd(toDense(o.noise.sigma, n, 'sigma', where), n, undefined, `${where}: sigma`);
  else if ('sigmaFactor' in o.noise) factor = toDense(o.noise.sigmaFactor, n, 'sigmaFactor', where);
  else if ('sigmaFn' in o.noise) {
    covFn = o.noise.sigmaFn;
    factor = new Float64Array(n * n);
  } else throw new InputError(`${where}: noise must give one of sigma, sigmaFn, sigmaFactor`);
  const prev = Float64Array.from(o.thetaPrev ?? o.theta0);
  if (o.thetaPrev) checkVector(o.thetaPrev, n, 'thetaPrev', where);
  // The same recursion as momentumLoop with g_B = ∇L + ε, written out so that a constant factor is used in
  // registers (n = 2) or only over its non-zero lower triangle (Cholesky), with no per-step allocation or
  // closure call besides the user's gradient.
  const theta = Float64Array.from(o.theta0);
  const g = new Float64Array(n);
  const rec = new Recorder(o.record, o.steps, n, where);
  rec.visit(0, theta);
  const eta = o.eta;
  // lower triangular factor (always from choleskyPsd): skip the zero upper part
  let lower = true;
  if (!covFn) for (let i = 0; i < n && lower; i++) for (let j = i + 1; j < n; j++) if (factor[i * n + j] !== 0) lower = false;
  const small2 = n === 2 && !covFn;
  const f00 = small2 ? factor[0]! : 0, f01 = small2 ? factor[1]! : 0;
  const f10 = small2 ? factor[2]! : 0, f11 = small2 ? factor[3]! : 0;
  const zBlock = new Float64Array(small2 ? 2 * Math.min(256, Math.max(1, o.steps)) : 0);
  let zPos = zBlock.length;
  let k = 0;
  let finite = true;
  for (; k < o.steps; ) {
    o.grad(theta, g);
    if (small2) {
      // normals drawn in blocks (the same stream as one call per normal; the state stays in registers)
      if (zPos === zBlock.length) {
        rng.fillNormal(zBlock);
        zPos = 0;
      }
      const z0 = zBlock[zPos]!, z1 = zBlock[zPos + 1]!;
      zPos += 2;
      const t0 = theta[0]!, t1 = theta[1]!;
      // same operations, in the same order, as the general path below (results agree bit for bit)
      const g0 = g[0]! + (f00 * z0 + f01 * z1) * invSqrtS;
      const g1 = g[1]! + (f10 * z0 + f11 * z1) * invSqrtS;
      const n0 = t0 - eta * (g0 + lambda * t0) + beta * (t0 - prev[0]!);
      const n1 = t1 - eta * (g1 + lambda * t1) + beta * (t1 - prev[1]!);
      prev[0] = t0;
      prev[1] = t1;
      theta[0] = n0;
      theta[1] = n1;
      k++;
      rec.visit(k, theta);
      if (!(Number.isFinite(n0) && Number.isFinite(n1))) {
        finite = false;
        break;
      }
      continue;
    }
    if (covFn) {
      covFn(theta, covBuf);
      choleskyPsd(covBuf, n, factor, `${where}: sigmaFn(theta)`);
      lower = true;
    }
    rng.fillNormal(z);
    for (let i = 0; i < n; i++) {
      let e = 0;
      const jEnd = lower ? i + 1 : n;
      for (let j = 0; j < jEnd; j++) e += factor[i * n + j]! * z[j]!;
      g[i] = g[i]! + e * invSqrtS;
    }
    heavyBallUpdate(theta, prev, g, n, eta, lambda, beta);
    k++;
    rec.visit(k, theta);
    if (!isFiniteVec(theta)) {
      finite = false;
      break;
    }
  }
  return { theta, recordedSteps: rec.steps, trajectory: rec.data, n, finite, stepsDone: k };
}

// ---------------------------------------------------------------------------------------------------------
// Batched ensemble of independent SGD chains with Gaussian gradient noise (float64, one buffer)

/** ∇L for every chain: `theta` and `out` are row-major [chains × n] (chain c in entries c·n … c·n+n−1). */
export type GradBatchFn = (theta: Float64Array, out: Float64Array, chains: number) => void;

export interface SgdGaussianEnsembleOptions {
  grad: GradBatchFn;
  /** parameters per chain. */
  n: number;
  /** number of independent chains B. */
  chains: number;
  /** θ_0: length n (every chain starts there) or chains·n (row-major). */
  theta0: ArrayLike<number>;
  /** θ_{−1} (same shapes as theta0); default θ_0. */
  thetaPrev?: ArrayLike<number>;
  eta: number;
  steps: number;
  weightDecay?: number;
  beta?: number;
  batchSize: number;
  /** a constant Σ or a factor L with L Lᵀ = Σ (the Σ(θ) callback form is only in `sgdGaussian`). */
  noise: { sigma: MatrixInput } | { sigmaFactor: MatrixInput };
  /** chain c draws its noise from `new Rng(seed + c)`: it follows exactly the path of
   * `sgdGaussian({ …, seed: seed + c })` when `grad` does the same arithmetic per chain. Default 0. */
  seed?: number;
  normal?: NormalMethod;
  /** steps at which the whole ensemble is recorded. */
  record?: readonly number[];
}

export interface EnsembleResult {
  /** final states, row-major [chains × n]. */
  theta: Float64Array;
  n: number;
  chains: number;
  recordedSteps: Int32Array;
  /** recorded states, [recordedSteps.length × chains × n]. */
  trajectory: Float64Array;
  /** chains whose final state is not finite (they are not stopped early: NaN/∞ just propagate). */
  nonFinite: number;
}

/**
 * One step of every chain of a two-parameter ensemble: g ← g + F z/√S (F = [[f00, f01], [f10, f11]]), then
 * the heavy-ball update θ ← θ − η(g + λθ) + β(θ − θ_prev) (docs/theory/langevin.md "Discrete update"). A
 * separate small function, so that the optimizing compiler sees one tight loop rather than a branch of the
 * long step loop of `sgdGaussianEnsemble`.
 */
export function heavyBallNoiseStep2(
  theta: Float64Array, prev: Float64Array, g: Float64Array, z: Float64Array, B: number,
  f00: number, f01: number, f10: number, f11: number, invSqrtS: number, eta: number, lambda: number, beta: number,
): void {
  for (let p = 0; p < 2 * B; p += 2) {
    const z0 = z[p]!, z1 = z[p + 1]!;
    const t0 = theta[p]!, t1 = theta[p + 1]!;
    const g0 = g[p]! + (f00 * z0 + f01 * z1) * invSqrtS;
    const g1 = g[p + 1]! + (f10 * z0 + f11 * z1) * invSqrtS;
    theta[p] = t0 - eta * (g0 + lambda * t0) + beta * (t0 - prev[p]!);
    theta[p + 1] = t1 - eta * (g1 + lambda * t1) + beta * (t1 - prev[p + 1]!);
    prev[p] = t0;
    prev[p + 1] = t1;
  }
}

/**
 * B independent chains of SGD with Gaussian gradient noise and heavy-ball momentum, all states in one
 * Float64Array and one batched gradient call per step (same update as `sgdGaussian`:
 * θ_{k+1} = θ_k − η(∇L + ε + λθ_k) + β(θ_k − θ_{k−1}), ε = L z/√S).
 */
export function sgdGaussianEnsemble(o: SgdGaussianEnsembleOptions): EnsembleResult {
  const where = 'sgdGaussianEnsemble';
  checkEta(o.eta, where);
  checkSteps(o.steps, where);
  const lambda = o.weightDecay ?? 0;
  checkFiniteNonNeg(lambda, 'weightDecay', where);
  const beta = o.beta ?? 0;
  checkBeta(beta, where);
  const { n, chains: B } = o;
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`${where}: n must be a positive integer, got ${n}`);
  if (!Number.isInteger(B) || B <= 0) throw new InputError(`${where}: chains must be a positive integer, got ${B}`);
  const S = o.batchSize;
  if (typeof S !== 'number' || !Number.isFinite(S) || S <= 0) throw new InputError(`${where}: batchSize must be a finite number > 0, got ${S}`);
  const invSqrtS = 1 / Math.sqrt(S);
  const expand = (v: ArrayLike<number>, name: string): Float64Array => {
    if (v.length === n) {
      checkVector(v, n, name, where);
      const out = new Float64Array(B * n);
      for (let c = 0; c < B; c++) for (let i = 0; i < n; i++) out[c * n + i] = v[i]!;
      return out;
    }
    checkVector(v, B * n, name, where);
    return Float64Array.from(v);
  };
  const theta0 = expand(o.theta0, 'theta0');
  const prev0 = o.thetaPrev ? expand(o.thetaPrev, 'thetaPrev') : Float64Array.from(theta0);
  let factor: Float64Array;
  if ('sigma' in o.noise) factor = choleskyPsd(toDense(o.noise.sigma, n, 'sigma', where), n, undefined, `${where}: sigma`);
  else if ('sigmaFactor' in o.noise) factor = toDense(o.noise.sigmaFactor, n, 'sigmaFactor', where);
  else throw new InputError(`${where}: noise must give sigma or sigmaFactor`);
  let lower = true;
  for (let i = 0; i < n && lower; i++) for (let j = i + 1; j < n; j++) if (factor[i * n + j] !== 0) lower = false;
  const seed = o.seed ?? 0;
  const method = o.normal ?? 'ziggurat';
  // Ziggurat: all chain states in one RngBank (contiguous, cache-friendly); Box–Muller keeps its pair cache
  // in Rng objects, one per chain. Either way chain c draws the numbers of `new Rng(seed + c)`.
  const zig = method === 'ziggurat';
  // n = 2: θ, θ_prev, g, the normals and (Ziggurat) the chains' generators in one WebAssembly memory; each
  // chain's update is one f64x2 vector and four chains' xoshiro128** steps one i32x4 vector
  // (kernels/heavy-ball-wasm.ts, bit-identical to RngBank + heavyBallNoiseStep2); JS where wasm SIMD is missing
  const wasm = n === 2 ? heavyBallNoise2Wasm(B, seed) : null;
  const bank = zig && !wasm ? new RngBank(B, seed) : null;
  const rngs: Rng[] = [];
  if (!zig) for (let c = 0; c < B; c++) rngs.push(new Rng(seed + c, { normal: method }));
  if (wasm) {
    wasm.theta.set(theta0);
    wasm.prev.set(prev0);
  }
  const theta = wasm ? wasm.theta : theta0;
  const prev = wasm ? wasm.prev : prev0;
  const g = wasm ? wasm.g : new Float64Array(B * n);
  const z = new Float64Array(n);
  const zAll = wasm ? wasm.z : new Float64Array(n === 2 ? B * n : 0);
  const rec = new Recorder(o.record, o.steps, B * n, where);
  rec.visit(0, theta);
  const eta = o.eta;
  const two = n === 2;
  const f00 = factor[0]!, f01 = two ? factor[1]! : 0, f10 = two ? factor[2]! : 0, f11 = two ? factor[3]! : 0;
  for (let k = 0; k < o.steps; ) {
    o.grad(theta, g, B);
    if (two) {
      if (wasm && zig) wasm.fillNormals();
      else if (bank) bank.fillNormal(zAll, 2);
      else for (let c = 0; c < B; c++) {
        zAll[2 * c] = rngs[c]!.normalBoxMuller();
        zAll[2 * c + 1] = rngs[c]!.normalBoxMuller();
      }
      if (wasm) wasm.step(f00, f01, f10, f11, invSqrtS, eta, lambda, beta);
      else heavyBallNoiseStep2(theta, prev, g, zAll, B, f00, f01, f10, f11, invSqrtS, eta, lambda, beta);
    } else {
      for (let c = 0; c < B; c++) {
        if (bank) for (let i = 0; i < n; i++) z[i] = bank.normal(c);
        else rngs[c]!.fillNormal(z);
        const o0 = c * n;
        for (let i = 0; i < n; i++) {
          let e = 0;
          const jEnd = lower ? i + 1 : n;
          for (let j = 0; j < jEnd; j++) e += factor[i * n + j]! * z[j]!;
          const gi = g[o0 + i]! + e * invSqrtS;
          const th = theta[o0 + i]!;
          theta[o0 + i] = th - eta * (gi + lambda * th) + beta * (th - prev[o0 + i]!);
          prev[o0 + i] = th;
        }
      }
    }
    k++;
    rec.visit(k, theta);
  }
  let nonFinite = 0;
  for (let c = 0; c < B; c++) {
    for (let i = 0; i < n; i++)
      if (!Number.isFinite(theta[c * n + i]!)) {
        nonFinite++;
        break;
      }
  }
  // a copy of the wasm memory's view (the result must not pin the kernel's memory)
  return { theta: wasm ? theta.slice() : theta, n, chains: B, recordedSteps: rec.steps, trajectory: rec.data, nonFinite };
}
