/**
 * Anomalous diffusion of SGD near a quadratic minimum: predictions of Δ(k) = E‖θ_k − θ_0‖² and
 * δ(k) = E‖θ_{k+1} − θ_k‖² (docs/theory/langevin.md, "Anomalous diffusion" and "Continuous model versus the
 * exact discrete process"; Kunin et al., "The Limiting Dynamics of SGD", Neural Computation 2023).
 *
 * Both models are linear Gaussian processes sampled once per SGD step, x_{k+1} = Φ x_k + w_k, Cov w_k = W:
 * - the EXACT DISCRETE recursion (langevin.md "Discrete update") on L = ½(θ−μ)ᵀH(θ−μ) with Gaussian noise
 *   Cov ε = Σ/S: x_k = (θ_k − μ, θ_{k−1} − μ), Φ = M = [[(1+β)I − η(H+λI), −βI], [I, 0]],
 *   W = [[η²Σ/S, 0], [0, 0]]; its stationary covariance solves P = M P Mᵀ + W (discrete Lyapunov);
 * - the CONTINUOUS underdamped Langevin model (langevin.md "Continuous model"): x = (θ − μ, v), dx = −A x dt
 *   + B dW, sampled at t = kη: Φ = e^{−Aη}, stationary C_∞ from A C + C Aᵀ = 2D, W = C_∞ − Φ C_∞ Φᵀ.
 * For any start (mean m₀, covariance C₀ of x_0) and F = Φ^k (O(log k) products by repeated squaring):
 *   E x_k = F m₀,   Cov x_k = P + F (C₀ − P) Fᵀ,   Cov(x_k, x_0) = F C₀,
 *   Δ(k) = ‖Π(F − I) m₀‖² + tr Π[Cov x_k + C₀ − F C₀ − C₀ Fᵀ]Πᵀ,
 *   δ(k) = ‖Π(Φ − I) F m₀‖² + tr Π(Φ − I) Cov x_k (Φ − I)ᵀΠᵀ + tr Π W Πᵀ,
 * Π the projection on θ; from stationarity m₀ = 0, C₀ = P. Per mode (when H and Σ commute) the same
 * quantities have closed forms (the AR(2) autocovariance of the discrete recursion; the damped-oscillator
 * formula of langevin.md "Anomalous diffusion" for the continuous one) — they are computed by a separate route
 * here and the tests compare the two.
 *
 * Matrices are row-major Float64Array.
 */
import { InputError, describe } from '../../errors.ts';
import { type MatrixInput, checkBeta, checkEta, checkFiniteNonNeg, toDense } from '../../numeric/linalg.ts';
import { discreteLyapunov, lyapunov, matmul, phaseSpaceOU } from '../../numeric/lyapunov.ts';
import { expm } from '../../numeric/expm.ts';
import { symmetricEigen } from '../../numeric/symeig.ts';

/** Hyper-parameters of SGD with heavy-ball momentum (langevin.md "Discrete update"). */
export interface DiffusionHyper {
  /** learning rate η > 0 */
  eta: number;
  /** momentum β ∈ [0, 1) (default 0) */
  beta?: number;
  /** batch size S > 0: Cov ε = Σ/S */
  batchSize: number;
  /** weight decay λ ≥ 0 (default 0) */
  weightDecay?: number;
}

/** A quadratic problem near its minimum: Hessian H and per-example gradient-noise covariance Σ (both m×m). */
export interface DiffusionProblem {
  H: MatrixInput;
  Sigma: MatrixInput;
  hyper: DiffusionHyper;
}

interface Checked {
  m: number;
  H: Float64Array;
  Sigma: Float64Array;
  eta: number;
  beta: number;
  S: number;
  lambda: number;
}

function dimOf(a: MatrixInput): number {
  return a instanceof Float64Array ? Math.round(Math.sqrt(a.length)) : a.length;
}

function checkProblem(p: DiffusionProblem, where: string): Checked {
  if (typeof p !== 'object' || p === null || typeof p.hyper !== 'object' || p.hyper === null) {
    throw new InputError(`${where}: the problem must be an object { H, Sigma, hyper: { eta, S, beta?, lambda? } } (got ${describe(p)})`);
  }
  const m = dimOf(p.H);
  if (m === 0) throw new InputError(`${where}: the Hessian H is empty`);
  const H = toDense(p.H, m, 'H', where);
  const Sigma = toDense(p.Sigma, m, 'Sigma', where);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < i; j++) {
      const tolH = 1e-12 * (Math.abs(H[i * m + j]!) + Math.abs(H[j * m + i]!) + 1e-300);
      if (Math.abs(H[i * m + j]! - H[j * m + i]!) > tolH) throw new InputError(`${where}: H is not symmetric at (${i}, ${j})`);
      const tolS = 1e-12 * (Math.abs(Sigma[i * m + j]!) + Math.abs(Sigma[j * m + i]!) + 1e-300);
      if (Math.abs(Sigma[i * m + j]! - Sigma[j * m + i]!) > tolS) throw new InputError(`${where}: Sigma is not symmetric at (${i}, ${j})`);
    }
  const h = p.hyper;
  if (h === null || typeof h !== 'object') throw new InputError(`${where}: hyper must be an object { eta, beta, batchSize, weightDecay }`);
  checkEta(h.eta, where);
  const beta = h.beta ?? 0;
  checkBeta(beta, where);
  const S = h.batchSize;
  if (typeof S !== 'number' || !Number.isFinite(S) || S <= 0) throw new InputError(`${where}: batchSize must be a finite number > 0, got ${S}`);
  const lambda = h.weightDecay ?? 0;
  checkFiniteNonNeg(lambda, 'weightDecay', where);
  return { m, H, Sigma, eta: h.eta, beta, S, lambda };
}

// ---------------------------------------------------------------------------------------------------------
// Small dense helpers (n×n row-major)

function identity(n: number): Float64Array {
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  return I;
}

function transposeOf(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j]!;
  return t;
}

/** a · b · aᵀ */
function congruence(a: Float64Array, b: Float64Array, n: number): Float64Array {
  return matmul(matmul(a, b, n), transposeOf(a, n), n);
}

/** Φ^k by repeated squaring: O(n³ log k). */
export function matrixPower(phi: Float64Array, n: number, k: number): Float64Array {
  if (!Number.isSafeInteger(k) || k < 0) throw new InputError(`matrixPower: k must be a non-negative safe integer, got ${k}`);
  let result: Float64Array = identity(n);
  let base: Float64Array = Float64Array.from(phi);
  let e = k;
  while (e > 0) {
    if (e % 2 === 1) result = matmul(result, base, n);
    e = Math.floor(e / 2);
    if (e > 0) base = matmul(base, base, n);
  }
  return result;
}

/**
 * Stationary covariance of x_{k+1} = Φ x_k + w, Cov w = W: P = Φ P Φᵀ + W (the discrete Lyapunov equation,
 * solved by `discreteLyapunov`, Smith's doubling). Requires spectral radius ρ(Φ) < 1; otherwise an InputError
 * (no stationary state: the learning rate is too large for the curvature).
 */
export function discreteStationaryCovariance(phi: Float64Array, w: Float64Array, n: number, where = 'discreteStationaryCovariance'): Float64Array {
  try {
    return discreteLyapunov(phi, w).X;
  } catch (e) {
    if (e instanceof InputError)
      throw new InputError(`${where}: the recursion is unstable (spectral radius of the one-step map ≥ 1): no stationary covariance; lower the learning rate (${e.message})`);
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The two sampled linear Gaussian chains

/** A linear Gaussian chain x_{k+1} = Φ x_k + w_k (Cov w = W) whose first m coordinates are θ − μ. */
export interface SampledChain {
  kind: 'discrete' | 'continuous';
  /** state dimension 2m */
  n: number;
  /** parameter dimension m */
  m: number;
  phi: Float64Array;
  W: Float64Array;
  /** stationary covariance P = Φ P Φᵀ + W */
  P: Float64Array;
  /** what the second half of the state is: θ_{k−1} − μ (discrete) or the velocity v (continuous) */
  second: 'previous' | 'velocity';
}

/**
 * The exact discrete recursion as a chain: x_k = (θ_k − μ, θ_{k−1} − μ),
 * M = [[(1+β)I − η(H+λI), −βI], [I, 0]], W_θθ = η²Σ/S (langevin.md "Discrete update").
 */
export function discreteChain(p: DiffusionProblem): SampledChain {
  const where = 'discreteChain';
  const c = checkProblem(p, where);
  const { m, eta, beta, S, lambda } = c;
  const n = 2 * m;
  const phi = new Float64Array(n * n);
  const W = new Float64Array(n * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      phi[i * n + j] = (i === j ? 1 + beta - eta * lambda : 0) - eta * c.H[i * m + j]!;
      W[i * n + j] = (eta * eta * c.Sigma[i * m + j]!) / S;
    }
    phi[i * n + m + i] = -beta;
    phi[(m + i) * n + i] = 1;
  }
  const P = discreteStationaryCovariance(phi, W, n, where);
  return { kind: 'discrete', n, m, phi, W, P, second: 'previous' };
}

/**
 * The continuous underdamped Langevin model sampled every η: x = (θ − μ, v), Φ = e^{−Aη},
 * C_∞ from A C + C Aᵀ = 2D (lyapunov), W = C_∞ − Φ C_∞ Φᵀ (langevin.md "Continuous model").
 */
export function continuousChain(p: DiffusionProblem): SampledChain {
  const where = 'continuousChain';
  const c = checkProblem(p, where);
  const { A, D, n } = phaseSpaceOU(c.H, c.Sigma, { eta: c.eta, beta: c.beta, batchSize: c.S, weightDecay: c.lambda });
  const { C } = lyapunov(A, D);
  const minusAeta = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) minusAeta[i] = -A[i]! * c.eta;
  const phi = expm(minusAeta);
  const pcp = congruence(phi, C, n);
  const W = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) W[i] = C[i]! - pcp[i]!;
  return { kind: 'continuous', n, m: c.m, phi, W, P: C, second: 'velocity' };
}

/** Where the chain starts: from stationarity, or from a fixed point (optionally with a previous iterate). */
export type DiffusionStart =
  | 'stationary'
  | {
      /** θ_0 − μ (the offset from the minimum), length m */
      theta0: ArrayLike<number>;
      /** θ_{−1} − μ (default θ_0 − μ: zero initial velocity) */
      thetaPrev?: ArrayLike<number>;
    };

/** Mean and covariance of x_0 for a start; the continuous velocity is v_0 = (θ_0 − θ_{−1})/η. */
function startMoments(ch: SampledChain, start: DiffusionStart, eta: number, where: string): { m0: Float64Array; C0: Float64Array } {
  const { n, m } = ch;
  if (start === 'stationary') return { m0: new Float64Array(n), C0: Float64Array.from(ch.P) };
  if (start === null || typeof start !== 'object' || !('theta0' in start)) throw new InputError(`${where}: start must be 'stationary' or { theta0, thetaPrev? }`);
  const t0 = start.theta0;
  const tp = start.thetaPrev ?? t0;
  for (const [v, name] of [[t0, 'theta0'], [tp, 'thetaPrev']] as const) {
    if (v.length !== m) throw new InputError(`${where}: start.${name} has length ${v.length}, expected ${m}`);
    for (let i = 0; i < m; i++) if (!Number.isFinite(v[i]!)) throw new InputError(`${where}: start.${name}[${i}] is not finite`);
  }
  const m0 = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    m0[i] = t0[i]!;
    m0[m + i] = ch.second === 'previous' ? tp[i]! : (t0[i]! - tp[i]!) / eta;
  }
  return { m0, C0: new Float64Array(n * n) };
}

export interface DiffusionCurve {
  kind: 'discrete' | 'continuous';
  /** the steps k (as given, ascending) */
  steps: number[];
  /** Δ(k) = E‖θ_k − θ_0‖² */
  dist2: number[];
  /** δ(k) = E‖θ_{k+1} − θ_k‖² */
  step2: number[];
}

function sortedSteps(steps: readonly number[], where: string): number[] {
  if (!Array.isArray(steps) || steps.length === 0) throw new InputError(`${where}: steps must be a non-empty array of integers ≥ 0`);
  for (const k of steps) if (!Number.isSafeInteger(k) || k < 0) throw new InputError(`${where}: step ${k} is not an integer in [0, 2⁵³)`);
  for (let i = 1; i < steps.length; i++) if (steps[i]! <= steps[i - 1]!) throw new InputError(`${where}: steps must be strictly increasing (at index ${i}: ${steps[i - 1]} then ${steps[i]})`);
  return [...steps];
}

/** Δ(k) and δ(k) of a chain at the given steps, from stationarity or a fixed start (formulas in the header). */
export function chainDiffusion(ch: SampledChain, steps: readonly number[], start: DiffusionStart, eta: number): DiffusionCurve {
  const where = 'chainDiffusion';
  const ks = sortedSteps(steps, where);
  const { n, m, phi, W, P } = ch;
  const { m0, C0 } = startMoments(ch, start, eta, where);
  const phiMinusI = Float64Array.from(phi);
  for (let i = 0; i < n; i++) phiMinusI[i * n + i] = phiMinusI[i * n + i]! - 1;
  let trW = 0;
  for (let i = 0; i < m; i++) trW += W[i * n + i]!;
  const dist2: number[] = [];
  const step2: number[] = [];
  let F = identity(n);
  let kPrev = 0;
  const C0mP = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) C0mP[i] = C0[i]! - P[i]!;
  for (const k of ks) {
    F = matmul(F, matrixPower(phi, n, k - kPrev), n);
    kPrev = k;
    const FC0 = matmul(F, C0, n);
    const covK = congruence(F, C0mP, n);
    for (let i = 0; i < n * n; i++) covK[i] = covK[i]! + P[i]!;
    // mean of x_k
    const mk = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += F[i * n + j]! * m0[j]!;
      mk[i] = s;
    }
    let d = 0;
    for (let i = 0; i < m; i++) {
      d += (mk[i]! - m0[i]!) ** 2;
      d += covK[i * n + i]! + C0[i * n + i]! - 2 * FC0[i * n + i]!;
    }
    dist2.push(d);
    // δ(k): x_{k+1} − x_k = (Φ − I) x_k + w_k
    const G = congruence(phiMinusI, covK, n);
    let s2 = trW;
    for (let i = 0; i < m; i++) {
      let mi = 0;
      for (let j = 0; j < n; j++) mi += phiMinusI[i * n + j]! * mk[j]!;
      s2 += mi * mi + G[i * n + i]!;
    }
    step2.push(s2);
  }
  return { kind: ch.kind, steps: ks, dist2, step2 };
}

export interface DiffusionPrediction {
  steps: number[];
  continuous: DiffusionCurve;
  discrete: DiffusionCurve;
  /** discrete / continuous, per step, for Δ and δ: the finite-η gap */
  gapDist2: number[];
  gapStep2: number[];
  /** the step-size law η² tr Σ/(S(1 − β²)) (= η² tr C_vv of the continuous model) */
  stepSizeLaw: number;
}

/** E Δ(k) and δ(k) from both models, side by side (langevin.md "Continuous model versus the exact discrete process"). */
export function predictDiffusion(p: DiffusionProblem, steps: readonly number[], start: DiffusionStart = 'stationary'): DiffusionPrediction {
  if (!Array.isArray(steps)) throw new InputError(`predictDiffusion(problem, steps): steps must be an array of step counts (got ${describe(steps)})`);
  const disc = discreteChain(p);
  const cont = continuousChain(p);
  const eta = p.hyper.eta;
  const discrete = chainDiffusion(disc, steps, start, eta);
  const continuous = chainDiffusion(cont, steps, start, eta);
  return {
    steps: discrete.steps,
    continuous,
    discrete,
    gapDist2: discrete.dist2.map((d, i) => d / continuous.dist2[i]!),
    gapStep2: discrete.step2.map((d, i) => d / continuous.step2[i]!),
    stepSizeLaw: stepSizeLaw(p),
  };
}

/** δ ≈ η² tr Σ / (S(1 − β²)): the flat level of the step size (langevin.md "Anomalous diffusion"). */
export function stepSizeLaw(p: DiffusionProblem): number {
  const c = checkProblem(p, 'stepSizeLaw');
  let tr = 0;
  for (let i = 0; i < c.m; i++) tr += c.Sigma[i * c.m + i]!;
  return (c.eta * c.eta * tr) / (c.S * (1 - c.beta * c.beta));
}

// ---------------------------------------------------------------------------------------------------------
// Per-mode closed forms (H and Σ commute)

export interface DiffusionMode {
  /** Hessian eigenvalue λ_i */
  hessian: number;
  /** noise variance along the mode σ_i = u_iᵀ Σ u_i */
  noise: number;
}

/**
 * The modes of a commuting pair (H, Σ): eigenvalues of H and Σ's diagonal in H's eigenbasis. Throws an
 * InputError when Σ is not diagonal there (‖off-diagonal‖ > tol·‖Σ‖): use the matrix routes then.
 */
export function commutingModes(H: MatrixInput, Sigma: MatrixInput, tol = 1e-9): DiffusionMode[] {
  const where = 'commutingModes';
  const m = dimOf(H);
  const h = toDense(H, m, 'H', where);
  const s = toDense(Sigma, m, 'Sigma', where);
  const { values, vectors: U } = symmetricEigen(h, where);
  const ut = transposeOf(U, m);
  const sd = matmul(matmul(ut, s, m), U, m);
  // equal Hessian eigenvalues form blocks inside which Σ may be any symmetric matrix (the eigenbasis of H is
  // not unique there): the modes of a block are the eigenvectors of Σ restricted to it
  const hScale = Math.max(...Array.from(values, Math.abs), 1e-300);
  const block = new Int32Array(m);
  for (let i = 1; i < m; i++) block[i] = Math.abs(values[i]! - values[i - 1]!) <= 1e-12 * hScale ? block[i - 1]! : i;
  let off = 0;
  let all = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      all = Math.max(all, Math.abs(sd[i * m + j]!));
      if (block[i] !== block[j]) off = Math.max(off, Math.abs(sd[i * m + j]!));
    }
  if (off > tol * Math.max(all, 1e-300)) throw new InputError(`${where}: H and Sigma do not commute (off-diagonal ${off.toExponential(2)} of Σ in H's eigenbasis): use predictDiffusion`);
  const noise = new Float64Array(m);
  for (let start = 0; start < m; ) {
    let end = start + 1;
    while (end < m && block[end] === start) end++;
    const k = end - start;
    if (k === 1) noise[start] = sd[start * m + start]!;
    else {
      const sub = new Float64Array(k * k);
      for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) sub[a * k + b] = 0.5 * (sd[(start + a) * m + start + b]! + sd[(start + b) * m + start + a]!);
      symmetricEigen(sub, where).values.forEach((v, a) => (noise[start + a] = v));
    }
    start = end;
  }
  return Array.from(values, (v, i) => ({ hessian: v, noise: noise[i]! }));
}

/**
 * The stationary autocovariance γ_k = E[a_k a_0] of one mode of the exact discrete recursion,
 * a_{k+1} = (1+β−ηq) a_k − β a_{k−1} + e_k, Var e = η²σ/S, q = λ_i + λ: an AR(2) whose
 * γ_0 = η σ (1+β) / (S q (1−β)(2(1+β) − ηq)) (langevin.md, 1-D exact), γ_1 = a γ_0/(1+β) (Yule–Walker), and
 * γ_k = a γ_{k−1} − β γ_{k−2}, solved in closed form from the roots of r² − a r + β (complex, real or double).
 */
export function discreteModeAutocovariance(mode: DiffusionMode, hyper: DiffusionHyper, k: number): number {
  const eta = hyper.eta;
  const beta = hyper.beta ?? 0;
  const q = mode.hessian + (hyper.weightDecay ?? 0);
  const S = hyper.batchSize;
  if (!(q > 0)) throw new InputError(`discreteModeAutocovariance: curvature λ_i + λ must be > 0 (got ${q}): the mode has no stationary state`);
  if (!(eta * q < 2 * (1 + beta))) throw new InputError(`discreteModeAutocovariance: η(λ_i + λ) = ${eta * q} ≥ 2(1+β): the mode diverges`);
  const a = 1 + beta - eta * q;
  const g0 = (eta * mode.noise * (1 + beta)) / (S * q * (1 - beta) * (2 * (1 + beta) - eta * q));
  const g1 = (a * g0) / (1 + beta);
  if (k === 0) return g0;
  const disc = a * a - 4 * beta;
  if (disc < -1e-14 * Math.max(1, a * a)) {
    // complex roots ρ e^{±iφ}: γ_k = ρ^k (γ_0 cos kφ + c sin kφ)
    const rho = Math.sqrt(beta);
    const phi = Math.acos(Math.max(-1, Math.min(1, a / (2 * rho))));
    const c = (g1 - g0 * rho * Math.cos(phi)) / (rho * Math.sin(phi));
    return rho ** k * (g0 * Math.cos(k * phi) + c * Math.sin(k * phi));
  }
  if (disc > 1e-14 * Math.max(1, a * a)) {
    const sq = Math.sqrt(disc);
    const r1 = (a + sq) / 2;
    const r2 = (a - sq) / 2;
    // γ_k = A r1^k + B r2^k with A + B = γ_0, A r1 + B r2 = γ_1
    const A = (g1 - g0 * r2) / (r1 - r2);
    const B = g0 - A;
    return A * r1 ** k + B * r2 ** k;
  }
  const r = a / 2;
  return r ** k * (g0 + k * (g1 / r - g0));
}

/** Per-mode stationary Δ_i(k) = 2(γ_0 − γ_k) and δ_i = 2(γ_0 − γ_1) of the exact discrete recursion. */
export function discreteModeDiffusion(mode: DiffusionMode, hyper: DiffusionHyper, k: number): { dist2: number; step2: number } {
  const g0 = discreteModeAutocovariance(mode, hyper, 0);
  return { dist2: 2 * (g0 - discreteModeAutocovariance(mode, hyper, k)), step2: 2 * (g0 - discreteModeAutocovariance(mode, hyper, 1)) };
}

/**
 * Per-mode stationary Δ_i(t) of the continuous model (langevin.md "Anomalous diffusion"):
 * Δ_i = 2C_θ,i [1 − e^{−γt}(cos δ_i t + (γ/δ_i) sin δ_i t)], δ_i = √(ω_i² − γ²) (cosh/sinh when
 * overdamped, 1 + γt when critical), C_θ,i = η σ_i / (2S(1−β)(λ_i+λ)), ω_i² = 2(λ_i+λ)/(η(1+β)),
 * γ = (1−β)/(η(1+β)), t = kη.
 */
export function continuousModeDist2(mode: DiffusionMode, hyper: DiffusionHyper, k: number): number {
  const eta = hyper.eta;
  const beta = hyper.beta ?? 0;
  const q = mode.hessian + (hyper.weightDecay ?? 0);
  if (!(q > 0)) throw new InputError(`continuousModeDist2: curvature λ_i + λ must be > 0 (got ${q})`);
  const cTheta = (eta * mode.noise) / (2 * hyper.batchSize * (1 - beta) * q);
  const omega2 = (2 * q) / (eta * (1 + beta));
  const gamma = (1 - beta) / (eta * (1 + beta));
  const t = k * eta;
  const d2 = omega2 - gamma * gamma;
  let env: number;
  if (d2 > 1e-12 * omega2) {
    const d = Math.sqrt(d2);
    env = Math.exp(-gamma * t) * (Math.cos(d * t) + (gamma / d) * Math.sin(d * t));
  } else if (d2 < -1e-12 * omega2) {
    const d = Math.sqrt(-d2);
    // e^{−γt}(cosh dt + (γ/d) sinh dt), written with decaying exponentials only
    const ep = Math.exp((d - gamma) * t);
    const em = Math.exp(-(d + gamma) * t);
    env = 0.5 * (ep + em) + (gamma / d) * 0.5 * (ep - em);
  } else env = Math.exp(-gamma * t) * (1 + gamma * t);
  return 2 * cTheta * (1 - env);
}

/** Σ_i Δ_i(k) over the modes, discrete and continuous, for commuting H and Σ. */
export function perModeDiffusion(H: MatrixInput, Sigma: MatrixInput, hyper: DiffusionHyper, steps: readonly number[]): {
  modes: DiffusionMode[];
  /** totals over the modes, and per mode ([mode][step], modes in ascending Hessian eigenvalue) */
  discrete: { dist2: number[]; step2: number; perMode: number[][] };
  continuous: { dist2: number[]; perMode: number[][] };
} {
  const modes = commutingModes(H, Sigma);
  const ks = sortedSteps(steps, 'perModeDiffusion');
  const dPer = modes.map((md) => ks.map((k) => discreteModeDiffusion(md, hyper, k).dist2));
  const cPer = modes.map((md) => ks.map((k) => continuousModeDist2(md, hyper, k)));
  const sum = (per: number[][]): number[] => ks.map((_, j) => per.reduce((s, row) => s + row[j]!, 0));
  const ds = modes.reduce((s, md) => s + discreteModeDiffusion(md, hyper, 1).step2, 0);
  return { modes, discrete: { dist2: sum(dPer), step2: ds, perMode: dPer }, continuous: { dist2: sum(cPer), perMode: cPer } };
}

// ---------------------------------------------------------------------------------------------------------
// Exponents, crossovers, frequencies

export interface ExponentFit {
  /** slope c of log Δ = c log k + b */
  exponent: number;
  intercept: number;
  /** standard error of the slope from the residuals (NaN with three points and a perfect fit is 0) */
  stderr: number;
  points: number;
}

/**
 * The effective exponent: least squares of log y on log k over the points with k in [kMin, kMax]
 * (as the source fits it, on log–log axes). At least three points with k > 0 and y > 0 are needed.
 */
export function fitExponent(steps: ArrayLike<number>, values: ArrayLike<number>, window?: { kMin?: number; kMax?: number }, where = 'fitExponent'): ExponentFit {
  if (steps.length !== values.length) throw new InputError(`${where}: steps and values have different lengths (${steps.length}, ${values.length})`);
  const kMin = window?.kMin ?? -Infinity;
  const kMax = window?.kMax ?? Infinity;
  if (kMin > kMax) throw new InputError(`${where}: window [${kMin}, ${kMax}] is empty`);
  const xs: number[] = [];
  const ys: number[] = [];
  for (let i = 0; i < steps.length; i++) {
    const k = steps[i]!;
    const y = values[i]!;
    if (!(k >= kMin && k <= kMax)) continue;
    if (!Number.isFinite(k) || !Number.isFinite(y)) throw new InputError(`${where}: row ${i} (step ${k}) has a non-finite value ${y}`);
    if (k <= 0 || y <= 0) continue; // log–log: k = 0 and Δ = 0 carry no slope information
    xs.push(Math.log(k));
    ys.push(Math.log(y));
  }
  if (xs.length < 3) throw new InputError(`${where}: fewer than three points with k > 0 and a positive value in the window [${kMin}, ${kMax}] (got ${xs.length})`);
  const N = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / N;
  const my = ys.reduce((a, b) => a + b, 0) / N;
  let sxx = 0;
  let sxy = 0;
  for (let i = 0; i < N; i++) {
    sxx += (xs[i]! - mx) ** 2;
    sxy += (xs[i]! - mx) * (ys[i]! - my);
  }
  if (!(sxx > 0)) throw new InputError(`${where}: all points in the window have the same step`);
  const c = sxy / sxx;
  const b = my - c * mx;
  let rss = 0;
  for (let i = 0; i < N; i++) rss += (ys[i]! - b - c * xs[i]!) ** 2;
  return { exponent: c, intercept: b, stderr: Math.sqrt(rss / (N - 2) / sxx), points: N };
}

/** Geometric grid of n integer steps from k0 to k1 (duplicates removed), for exponents and plots. */
export function logSteps(k0: number, k1: number, n: number): number[] {
  if (!Number.isInteger(k0) || !Number.isInteger(k1) || k0 < 1 || k1 < k0) throw new InputError(`logSteps: need integers 1 ≤ k0 ≤ k1, got ${k0}, ${k1}`);
  if (!Number.isInteger(n) || n < 2) throw new InputError(`logSteps: n must be an integer ≥ 2, got ${n}`);
  const out = new Set<number>();
  for (let i = 0; i < n; i++) out.add(Math.round(k0 * (k1 / k0) ** (i / (n - 1))));
  return [...out].sort((a, b) => a - b);
}

/** Crossover step counts (langevin.md "Anomalous diffusion"): ballistic → Brownian ≈ (1+β)/(1−β); mode i saturates ≈ (1−β)/(η(λ_i+λ)). */
export function crossoverSteps(hessianEigenvalues: readonly number[], hyper: DiffusionHyper): { ballistic: number; saturation: number[] } {
  checkEta(hyper.eta, 'crossoverSteps');
  const beta = hyper.beta ?? 0;
  checkBeta(beta, 'crossoverSteps');
  const lam = hyper.weightDecay ?? 0;
  return {
    ballistic: (1 + beta) / (1 - beta),
    saturation: hessianEigenvalues.map((l) => (l + lam > 0 ? (1 - beta) / (hyper.eta * (l + lam)) : Infinity)),
  };
}

/**
 * Rotation per step in each (θ_i, v_i) plane: the exact discrete value arg r₊ of the roots of
 * r² − (1+β−ηq)r + β (0 when the mode is overdamped) and the continuous one δ_i η = η√(ω_i² − γ²)
 * (langevin.md "Linear regression: exact solutions"). The dynamics of mode i depend on H alone (Σ only
 * correlates the noise), so these hold for non-commuting Σ too.
 */
export function rotationPerStep(hessianEigenvalue: number, hyper: DiffusionHyper): { discrete: number; continuous: number; decayDiscrete: number; decayContinuous: number } {
  const eta = hyper.eta;
  const beta = hyper.beta ?? 0;
  const q = hessianEigenvalue + (hyper.weightDecay ?? 0);
  const a = 1 + beta - eta * q;
  const disc = a * a - 4 * beta;
  const discrete = disc < 0 ? Math.acos(Math.max(-1, Math.min(1, a / (2 * Math.sqrt(beta))))) : 0;
  const omega2 = (2 * q) / (eta * (1 + beta));
  const gamma = (1 - beta) / (eta * (1 + beta));
  const continuous = omega2 > gamma * gamma ? eta * Math.sqrt(omega2 - gamma * gamma) : 0;
  return {
    discrete,
    continuous,
    // per-step modulus of the slowest root (|r| = √β when underdamped) against the continuous e^{−γη}
    decayDiscrete: disc < 0 ? Math.sqrt(beta) : Math.abs(a / 2) + Math.sqrt(disc) / 2,
    decayContinuous: omega2 > gamma * gamma ? Math.exp(-gamma * eta) : Math.exp(-(gamma - Math.sqrt(gamma * gamma - omega2)) * eta),
  };
}

/**
 * Stationary θ–v cross-covariance. Continuous: the C_θv block of C_∞ (antisymmetric). Discrete: with the
 * centred velocity v_k = (θ_{k+1} − θ_{k−1})/(2η), E[θ_k v_kᵀ] = (G − Gᵀ)/(2η), G = E[θ_k θ_{k+1}ᵀ] =
 * (P Mᵀ)_θθ — antisymmetric by stationarity.
 */
export function thetaVelocityCrossCovariance(p: DiffusionProblem): { continuous: Float64Array; discrete: Float64Array; m: number } {
  const cont = continuousChain(p);
  const disc = discreteChain(p);
  const { m, n } = cont;
  const c = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) c[i * m + j] = cont.P[i * n + m + j]!;
  const PMt = matmul(disc.P, transposeOf(disc.phi, n), n);
  const d = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) d[i * m + j] = (PMt[i * n + j]! - PMt[j * n + i]!) / (2 * p.hyper.eta);
  return { continuous: c, discrete: d, m };
}

/** θθ block of a chain's stationary covariance (m×m). */
export function stationaryThetaCovariance(ch: SampledChain): Float64Array {
  const { m, n } = ch;
  const out = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) out[i * m + j] = ch.P[i * n + j]!;
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Hyper-parameter maps that keep the stationary state

/**
 * Change the batch size to S′ = S/α and keep the stationary covariance of the continuous model:
 * β′ = √(1 − α(1 − β²)), η′ = η(1+β)/(1+β′). Then S′(1−β′²) = S(1−β²) (C_vv fixed), η′(1+β′) = η(1+β)
 * (mass and K fixed) and D_vv/γ fixed, so A C + C Aᵀ = 2D keeps its solution — in the commuting case
 * C_θθ = ηΣ(H+λ)⁻¹/(2S(1−β)) too. Needs α(1 − β²) ≤ 1.
 */
export function batchSizeMap(hyper: DiffusionHyper, alpha: number): Required<DiffusionHyper> {
  const where = 'batchSizeMap';
  checkEta(hyper.eta, where);
  const beta = hyper.beta ?? 0;
  checkBeta(beta, where);
  if (!Number.isFinite(alpha) || alpha <= 0) throw new InputError(`${where}: alpha must be a finite number > 0, got ${alpha}`);
  const r = 1 - alpha * (1 - beta * beta);
  if (r < 0) throw new InputError(`${where}: alpha = ${alpha} needs β′² = 1 − α(1−β²) = ${r} < 0: choose alpha ≤ ${1 / (1 - beta * beta)}`);
  const betaP = Math.sqrt(r);
  if (betaP >= 1) throw new InputError(`${where}: alpha = ${alpha} gives β′ = 1 (no damping)`);
  return { eta: (hyper.eta * (1 + beta)) / (1 + betaP), beta: betaP, batchSize: hyper.batchSize / alpha, weightDecay: hyper.weightDecay ?? 0 };
}

/**
 * Change the momentum so that (1−β′)/(1+β′) = α(1−β)/(1+β), i.e. β′ = ((1+β) − α(1−β))/((1+β) + α(1−β)),
 * and the learning rate to η′ = η(1−β′)/(1−β), which keeps the temperature η/(S(1−β)) — so the stationary
 * position covariance C_θθ = ηΣ(H+λ)⁻¹/(2S(1−β)) of the commuting case — at fixed S. C_vv = Σ/(S(1−β′²))
 * changes (the velocity marginal cannot stay fixed at fixed S when β changes).
 */
export function learningRateMap(hyper: DiffusionHyper, alpha: number): Required<DiffusionHyper> {
  const where = 'learningRateMap';
  checkEta(hyper.eta, where);
  const beta = hyper.beta ?? 0;
  checkBeta(beta, where);
  if (!Number.isFinite(alpha) || alpha <= 0) throw new InputError(`${where}: alpha must be a finite number > 0, got ${alpha}`);
  const num = 1 + beta - alpha * (1 - beta);
  if (num < 0) throw new InputError(`${where}: alpha = ${alpha} gives β′ < 0: choose alpha ≤ ${(1 + beta) / (1 - beta)}`);
  const betaP = num / (1 + beta + alpha * (1 - beta));
  return { eta: (hyper.eta * (1 - betaP)) / (1 - beta), beta: betaP, batchSize: hyper.batchSize, weightDecay: hyper.weightDecay ?? 0 };
}
