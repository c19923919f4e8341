/**
 * Exact solutions of SGD's limiting dynamics on a quadratic (docs/theory/langevin.md, "Linear regression:
 * exact solutions" and "Continuous model versus the exact discrete process"; Kunin et al., "The Limiting
 * Dynamics of SGD", §5).
 *
 * Near a minimum μ (of L + λ/2‖θ‖²) with Hessian H and constant gradient-noise covariance Σ, both models are
 * linear Gaussian processes:
 *  - continuous: the phase-space Ornstein–Uhlenbeck process dx = −A x dt + √(2D) dW, x = (θ − μ, v),
 *    A = [[0, −I], [K, 2γI]], K = 2(H+λI)/(η(1+β)), γ = (1−β)/(η(1+β)), D_vv = 2cΣ/(η(1+β)²). Its stationary
 *    covariance solves A C + C Aᵀ = 2D; U = C⁻¹ gives the modified loss Ψ = ½ xᵀ U x (p_ss ∝ e^{−Ψ}),
 *    Q = A C − D is antisymmetric and the stationary current is J_ss = −Q U x p_ss.
 *  - discrete: the two-step SGD recursion z_{k+1} = M z_k + ξ_k in z = (θ_k − μ, θ_{k−1} − μ),
 *    M = [[(1+β)I − η(H+λI), −βI], [I, 0]], Cov ξ = [[η² c Σ, 0], [0, 0]]; its stationary covariance solves
 *    X = M X Mᵀ + Cov ξ exactly. Velocity v_k = (θ_k − θ_{k−1})/η for the side-by-side comparison.
 * c is the batch noise factor (1/S with replacement). Exact rationals for phase space up to 6 (3 parameters)
 * with rational inputs, float64 (sign-function and Smith iterations) otherwise.
 */
import { Rational } from '../../symbolic/index.ts';
import { BudgetError, InputError, InternalError, describe } from '../../errors.ts';
import { lyapunov, discreteLyapunov } from '../../numeric/lyapunov.ts';
import { expm } from '../../numeric/expm.ts';
import { symmetricEigen } from '../../numeric/symeig.ts';
import { luInverse, gemm } from '../../numeric/kernels/dense.ts';
import { productFresh } from '../../numeric/kernels/gemm-wasm.ts';
import {
  type RMatrix,
  type RationalInput,
  EXACT_MAX_DIM,
  discreteLyapunovExact,
  lyapunovExact,
  rAdd,
  rInverse,
  rMul,
  rToFloat,
  rTranspose,
  rZeros,
  rationalMatrix,
  rationalOf,
} from './exact.ts';
import type { Sampling } from './model.ts';

/** Numeric SGD settings for the linear analysis (numbers are exact decimals; fractions as text). */
export interface LinearHyper {
  eta: RationalInput;
  beta?: RationalInput;
  batchSize: RationalInput;
  weightDecay?: RationalInput;
  nData?: number;
  sampling?: Sampling;
}

export type ExactMode = 'auto' | 'always' | 'never';

/** The stationary state of an Ornstein–Uhlenbeck process dx = −A x dt + √(2D) dW. */
export interface OuStationary {
  readonly n: number;
  /** the Lyapunov equation was solved in exact rationals */
  readonly exact: boolean;
  /** stationary covariance C_∞ (row-major n×n) */
  readonly C: Float64Array;
  /** U = C⁻¹ (the stationary potential Ψ = ½ xᵀ U x); undefined when C is singular (noise misses a direction) */
  readonly U?: Float64Array;
  /** Q = A C − D, antisymmetric */
  readonly Q: Float64Array;
  /** ‖Q + Qᵀ‖_F / ‖Q‖_F-scale: 0 exactly in the rational route, round-off otherwise */
  readonly antisymmetryError: number;
  /** ‖A C + C Aᵀ − 2D‖_F / ‖2D‖_F (0 in the rational route) */
  readonly relResidual: number;
  readonly rational?: { readonly A: RMatrix; readonly D: RMatrix; readonly C: RMatrix; readonly U?: RMatrix; readonly Q: RMatrix };
  /** J_ss(x)/p_ss(x) = −Q U x: the stationary probability current per unit density (needs U) */
  currentAt(x: ArrayLike<number>): Float64Array;
  /** E x(t) = e^{−At} x₀ */
  meanAt(t: number, x0: ArrayLike<number>): Float64Array;
  /** Cov x(t) from a fixed start: C(t) = C_∞ − e^{−At} C_∞ e^{−Aᵀt} */
  covarianceAt(t: number): Float64Array;
}

function frob(a: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! ** 2;
  return Math.sqrt(s);
}

function matVec(M: Float64Array, x: ArrayLike<number>, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += M[i * n + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

/** A B Aᵀ (n×n row-major). */
function congruence(A: Float64Array, B: Float64Array, n: number): Float64Array {
  const ab = gemm(A, B, n);
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += ab[i * n + k]! * A[j * n + k]!;
      out[i * n + j] = s;
    }
  return out;
}

/** Cholesky test: is the symmetric C positive definite (every pivot above 1e-12 · its largest diagonal entry)? */
function isPositiveDefinite(C: Float64Array, n: number): boolean {
  const L = Float64Array.from(C);
  let top = 0;
  for (let i = 0; i < n; i++) top = Math.max(top, C[i * n + i]!);
  if (!(top > 0)) return false;
  for (let j = 0; j < n; j++) {
    const rj = j * n;
    let d = L[rj + j]!;
    for (let k = 0; k < j; k++) d -= L[rj + k]! ** 2;
    if (!(d > 1e-12 * top)) return false;
    d = Math.sqrt(d);
    L[rj + j] = d;
    for (let i = j + 1; i < n; i++) {
      const ri = i * n;
      let v = L[ri + j]!;
      for (let k = 0; k < j; k++) v -= L[ri + k]! * L[rj + k]!;
      L[ri + j] = v / d;
    }
  }
  return true;
}

/** The inverse of a symmetric positive-definite matrix, or undefined when it is (numerically) singular. */
function spdInverse(C: Float64Array, n: number): Float64Array | undefined {
  return isPositiveDefinite(C, n) ? luInverse(C, n, 'the stationary covariance').inv : undefined;
}

function isExactable(ms: readonly RMatrix[], maxBits = 48): boolean {
  return ms.every((m) => m.every((row) => row.every((x) => x.den.toString(2).length <= maxBits && x.num.toString(2).length <= 2 * maxBits)));
}

/** Stationary state of dx = −A x dt + √(2D) dW (A stable, D symmetric positive semi-definite). */
export function ouStationary(
  aIn: readonly (readonly RationalInput[])[],
  dIn: readonly (readonly RationalInput[])[],
  opts: { exact?: ExactMode; maxExactDim?: number } = {},
): OuStationary {
  const A = rationalMatrix(aIn, 'A');
  const D = rationalMatrix(dIn, 'D', A.length);
  return ouFromRational(A, D, opts);
}

function ouFromRational(A: RMatrix, D: RMatrix, opts: { exact?: ExactMode; maxExactDim?: number }): OuStationary {
  const n = A.length;
  const mode = opts.exact ?? 'auto';
  const maxDim = opts.maxExactDim ?? EXACT_MAX_DIM;
  const useExact = mode === 'always' || (mode === 'auto' && n <= maxDim && isExactable([A, D]));
  if (mode === 'always' && n > maxDim) throw new BudgetError(`exact stationary covariance: dimension ${n} exceeds maxExactDim = ${maxDim}; raise it or use exact: 'auto'`);
  const Af = rToFloat(A);
  const Df = rToFloat(D);
  if (useExact) {
    // stability first: an unstable A can still give a (meaningless) solution of the exact linear system
    checkStable(Af, Df);
    const C = lyapunovExact(A, D, { maxDim });
    const Cf = rToFloat(C);
    const Q = rAdd(rMul(A, C), D, Rational.MINUS_ONE);
    const Qf = rToFloat(Q);
    const pd = spdInverse(Cf, n) !== undefined;
    const Ur = pd ? rInverse(C) : undefined;
    const sym = rAdd(Q, rTranspose(Q));
    const antisym = sym.every((r) => r.every((x) => x.isZero())) ? 0 : frob(rToFloat(sym)) / Math.max(frob(Qf), Number.MIN_VALUE);
    return ouResult(n, Af, Cf, Ur ? rToFloat(Ur) : undefined, Qf, antisym, 0, true, { A, D, C, U: Ur, Q });
  }
  const res = lyapunovOrExplain(Af, Df);
  return ouFromSolution(Af, Df, res.C, res.relResidual);
}

/** Whether `ouFromRational` takes the exact route for these matrices. */
function exactRoute(ms: readonly RMatrix[], opts: { exact?: ExactMode; maxExactDim?: number }): boolean {
  const n = ms[0]!.length;
  const mode = opts.exact ?? 'auto';
  return mode === 'always' || (mode === 'auto' && n <= (opts.maxExactDim ?? EXACT_MAX_DIM) && isExactable(ms));
}

/** U, Q and the checks from a float64 solution C of A C + C Aᵀ = 2D. */
function ouFromSolution(Af: Float64Array, Df: Float64Array, Cf: Float64Array, relResidual: number): OuStationary {
  const n = Math.round(Math.sqrt(Af.length));
  const Qf = productFresh(Af, Cf, n).map((x, i) => x - Df[i]!);
  let s = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += (Qf[i * n + j]! + Qf[j * n + i]!) ** 2;
  const antisym = Math.sqrt(s) / Math.max(frob(Qf), frob(Df), Number.MIN_VALUE);
  return ouResult(n, Af, Cf, spdInverse(Cf, n), Qf, antisym, relResidual, false);
}


function lyapunovOrExplain(A: Float64Array, D: Float64Array): { C: Float64Array; relResidual: number } {
  try {
    return lyapunov(A, D);
  } catch (e) {
    if (e instanceof InputError && /not stable|imaginary axis/.test(e.message))
      throw new InputError(`no stationary state: the drift matrix A is not stable (an eigenvalue with non-positive real part), so the process does not settle to a stationary covariance`);
    throw e;
  }
}

function checkStable(A: Float64Array, D: Float64Array): void {
  lyapunovOrExplain(A, D);
}

function ouResult(
  n: number,
  A: Float64Array,
  C: Float64Array,
  U: Float64Array | undefined,
  Q: Float64Array,
  antisymmetryError: number,
  relResidual: number,
  exact: boolean,
  rational?: OuStationary['rational'],
): OuStationary {
  const negAt = (t: number): Float64Array => {
    if (!Number.isFinite(t) || t < 0) throw new InputError(`the time t must be a finite number ≥ 0 (got ${t})`);
    return expm(A.map((x) => -x * t));
  };
  return {
    n,
    exact,
    C,
    U,
    Q,
    antisymmetryError,
    relResidual,
    rational,
    currentAt: (x) => {
      if (x.length !== n) throw new InputError(`the phase-space point has ${x.length} entries, expected ${n}`);
      if (!U) throw new InputError('the stationary covariance is singular (the noise does not reach every direction): p_ss has no density and no current');
      return matVec(Q, matVec(U, x, n), n).map((y) => -y);
    },
    meanAt: (t, x0) => {
      if (x0.length !== n) throw new InputError(`the start x₀ has ${x0.length} entries, expected ${n}`);
      return matVec(negAt(t), x0, n);
    },
    covarianceAt: (t) => {
      const E = negAt(t);
      const ece = congruence(E, C, n);
      return C.map((c, i) => c - ece[i]!);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------
// SGD with momentum on a quadratic

/** One Hessian eigenmode q = λ_i + λ: a damped oscillator ä + 2γȧ + ω²a = noise. */
export interface Mode {
  /** eigenvalue λ_i of H */
  readonly hessianEigenvalue: number;
  /** q = λ_i + λ (curvature with weight decay) */
  readonly curvature: number;
  /** ω² = 2q/(η(1+β)) */
  readonly omega2: number;
  readonly omega: number;
  /** γ = (1−β)/(η(1+β)) */
  readonly gamma: number;
  /** ζ = γ/ω: < 1 underdamped, > 1 overdamped */
  readonly dampingRatio: number;
  /** 2ηq(1+β) > (1−β)² */
  readonly underdamped: boolean;
  /** the two sides of the boundary: 2ηq(1+β) and (1−β)² */
  readonly boundary: { readonly lhs: number; readonly rhs: number };
  /** continuous model per SGD step (t = η): slowest decay factor e^{−η Re μ} and rotation angle η Im μ, μ eigenvalues of A */
  readonly continuousStep: { readonly decay: number; readonly rotation: number };
  /** exact discrete recursion: the eigenvalue of M with the largest modulus, its modulus and argument */
  readonly discreteStep: { readonly modulus: number; readonly argument: number };
  /** exact 1-D ratio of the discrete to the continuous stationary variance: 1/(1 − ηq/(2(1+β))) */
  readonly gapFactor: number;
}

/** Side-by-side blocks of a phase-space covariance (p×p each, row-major). */
export interface PhaseBlocks {
  readonly thetaTheta: Float64Array;
  readonly thetaV: Float64Array;
  readonly vv: Float64Array;
}

export interface LinearStationary {
  /** number of parameters */
  readonly p: number;
  readonly exact: boolean;
  readonly hyper: { readonly eta: number; readonly beta: number; readonly batchSize: number; readonly weightDecay: number; readonly noiseFactor: number };
  readonly H: Float64Array;
  readonly Sigma: Float64Array;
  /** H Σ = Σ H */
  readonly commuting: boolean;
  readonly modes: readonly Mode[];
  /** largest stable learning rate of the discrete recursion: 2(1+β)/q_max */
  readonly stabilityLimit: number;
  readonly continuous: OuStationary &
    PhaseBlocks & {
      readonly A: Float64Array;
      readonly D: Float64Array;
      /** tr C_vv and its prediction tr Σ c/(1−β²) (equal always) */
      readonly traceVV: number;
      readonly traceVVPredicted: number;
      /** the commuting closed forms C_θθ = ηcΣ(H+λI)⁻¹/(2(1−β)), C_vv = cΣ/(1−β²) (when [H, Σ] = 0) */
      readonly closedForm?: { readonly thetaTheta: Float64Array; readonly vv: Float64Array };
    };
  readonly discrete: PhaseBlocks & {
    /** M (2p×2p) in z = (θ_k − μ, θ_{k−1} − μ) */
    readonly M: Float64Array;
    /** Cov ξ */
    readonly noise: Float64Array;
    /** stationary Cov z */
    readonly X: Float64Array;
    readonly relResidual: number;
    readonly rational?: { readonly M: RMatrix; readonly noise: RMatrix; readonly X: RMatrix };
    /**
     * the commuting closed forms of the discrete recursion (when [H, Σ] = 0; per mode an AR(2) process,
     * Yule–Walker): C_θθ = ηc(1+β)Σ[(1−β)K(2(1+β)I − ηK)]⁻¹, C_vv = 2cΣ[(1−β)(2(1+β)I − ηK)]⁻¹, K = H + λI
     */
    readonly closedForm?: { readonly thetaTheta: Float64Array; readonly vv: Float64Array };
  };
  /** discrete vs continuous: tr C_θθ ratio and relative Frobenius differences of the θθ and vv blocks */
  readonly gap: { readonly thetaTraceRatio: number; readonly thetaRelDiff: number; readonly vvTraceRatio: number };
}

/** The SGD settings as exact rationals, with the batch noise factor c. */
export interface ExactHyper {
  eta: Rational;
  beta: Rational;
  S: Rational;
  lam: Rational;
  c: Rational;
}

export function exactHyper(h: LinearHyper): ExactHyper {
  if (!h || typeof h !== 'object') throw new InputError('the SGD settings must be an object { eta, batchSize, beta?, weightDecay? }');
  if (h.eta === undefined) throw new InputError('the learning rate eta is required');
  if (h.batchSize === undefined) throw new InputError('the batch size batchSize is required');
  const eta = rationalOf(h.eta, 'eta');
  const beta = rationalOf(h.beta ?? 0, 'beta');
  const S = rationalOf(h.batchSize, 'batchSize');
  const lam = rationalOf(h.weightDecay ?? 0, 'weightDecay');
  if (eta.sign() <= 0) throw new InputError(`the learning rate eta must be > 0 (got ${eta})`);
  if (beta.isNegative() || beta.compare(Rational.ONE) >= 0) throw new InputError(`the momentum beta must lie in [0, 1) (got ${beta}): the friction 1 − beta must be positive`);
  if (S.sign() <= 0) throw new InputError(`the batch size must be > 0 (got ${S})`);
  if (lam.isNegative()) throw new InputError(`the weight decay must be ≥ 0 (got ${lam})`);
  let c = S.inv();
  if (h.nData !== undefined) {
    if (!Number.isInteger(h.nData) || h.nData < 1) throw new InputError(`nData (the number of examples N) must be a positive integer (got ${h.nData})`);
    if (S.compare(Rational.int(h.nData)) > 0) throw new InputError(`the batch size ${S} exceeds the number of examples N = ${h.nData}`);
  }
  if ((h.sampling ?? 'with-replacement') === 'without-replacement') {
    const N = h.nData;
    if (N === undefined || N < 2) throw new InputError('sampling without replacement needs nData = N ≥ 2: the noise factor is (N − S)/(S(N − 1))');
    c = Rational.int(N).sub(S).div(S.mul(Rational.int(N - 1)));
  }
  return { eta, beta, S, lam, c };
}

/** Phase-space A and D in exact rationals (docs/theory/langevin.md, "Continuous model"). */
export function phaseSpaceExact(H: RMatrix, Sigma: RMatrix, h: ExactHyper): { A: RMatrix; D: RMatrix } {
  const p = H.length;
  const onePlus = Rational.ONE.add(h.beta);
  const kf = Rational.TWO.div(h.eta.mul(onePlus));
  const twoGamma = Rational.TWO.mul(Rational.ONE.sub(h.beta)).div(h.eta.mul(onePlus));
  const dvv = Rational.TWO.mul(h.c).div(h.eta.mul(onePlus).mul(onePlus));
  const A = rZeros(2 * p);
  const D = rZeros(2 * p);
  for (let i = 0; i < p; i++) {
    A[i]![p + i] = Rational.MINUS_ONE;
    A[p + i]![p + i] = twoGamma;
    for (let j = 0; j < p; j++) {
      A[p + i]![j] = kf.mul(i === j ? H[i]![j]!.add(h.lam) : H[i]![j]!);
      D[p + i]![p + j] = dvv.mul(Sigma[i]![j]!);
    }
  }
  return { A, D };
}

/** The discrete recursion M and Cov ξ in z = (θ_k − μ, θ_{k−1} − μ), exact. */
export function discreteRecursionExact(H: RMatrix, Sigma: RMatrix, h: ExactHyper): { M: RMatrix; noise: RMatrix } {
  const p = H.length;
  const M = rZeros(2 * p);
  const noise = rZeros(2 * p);
  const eta2c = h.eta.mul(h.eta).mul(h.c);
  for (let i = 0; i < p; i++) {
    M[i]![p + i] = h.beta.neg();
    M[p + i]![i] = Rational.ONE;
    for (let j = 0; j < p; j++) {
      const q = i === j ? H[i]![j]!.add(h.lam) : H[i]![j]!;
      M[i]![j] = (i === j ? Rational.ONE.add(h.beta) : Rational.ZERO).sub(h.eta.mul(q));
      noise[i]![j] = eta2c.mul(Sigma[i]![j]!);
    }
  }
  return { M, noise };
}

/** A square matrix of numbers (fractions as text allowed) as row-major float64, with shape checks. */
function floatMatrix(m: readonly (readonly RationalInput[])[], name: string, n?: number): Float64Array {
  if (!Array.isArray(m) || m.length === 0) throw new InputError(`${name} must be a non-empty array of rows`);
  const size = n ?? m.length;
  if (m.length !== size) throw new InputError(`${name} has ${m.length} rows, expected ${size} (dimension mismatch)`);
  const out = new Float64Array(size * size);
  m.forEach((row, i) => {
    if (!Array.isArray(row) || row.length !== size) throw new InputError(`${name} row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${size} (dimension mismatch)`);
    row.forEach((x, j) => {
      const v = typeof x === 'number' ? x : rationalOf(x, `${name}[${i}][${j}]`).toNumber();
      if (!Number.isFinite(v)) throw new InputError(`${name}[${i}][${j}]: ${String(x)} is not a finite number or a fraction like "1/3"`);
      out[i * size + j] = v;
    });
  });
  return out;
}

/** Phase-space A and D in float64 (the same formulas as `phaseSpaceExact`). */
function phaseSpaceFloat(H: Float64Array, S: Float64Array, h: { eta: number; beta: number; lam: number }, c: number): { A: Float64Array; D: Float64Array } {
  const p = Math.round(Math.sqrt(H.length)), n = 2 * p;
  const kf = 2 / (h.eta * (1 + h.beta));
  const twoGamma = (2 * (1 - h.beta)) / (h.eta * (1 + h.beta));
  const dvv = (2 * c) / (h.eta * (1 + h.beta) ** 2);
  const A = new Float64Array(n * n), D = new Float64Array(n * n);
  for (let i = 0; i < p; i++) {
    A[i * n + p + i] = -1;
    A[(p + i) * n + p + i] = twoGamma;
    for (let j = 0; j < p; j++) {
      A[(p + i) * n + j] = kf * (H[i * p + j]! + (i === j ? h.lam : 0));
      D[(p + i) * n + p + j] = dvv * S[i * p + j]!;
    }
  }
  return { A, D };
}

/** The discrete recursion M and Cov ξ in float64 (the same formulas as `discreteRecursionExact`). */
function discreteRecursionFloat(H: Float64Array, S: Float64Array, h: { eta: number; beta: number; lam: number }, c: number): { M: Float64Array; noise: Float64Array } {
  const p = Math.round(Math.sqrt(H.length)), n = 2 * p;
  const M = new Float64Array(n * n), noise = new Float64Array(n * n);
  for (let i = 0; i < p; i++) {
    M[i * n + p + i] = -h.beta;
    M[(p + i) * n + i] = 1;
    for (let j = 0; j < p; j++) {
      M[i * n + j] = (i === j ? 1 + h.beta : 0) - h.eta * (H[i * p + j]! + (i === j ? h.lam : 0));
      noise[i * n + j] = h.eta * h.eta * c * S[i * p + j]!;
    }
  }
  return { M, noise };
}

function block(X: Float64Array, n2: number, r0: number, c0: number): Float64Array {
  const p = n2 / 2;
  const out = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) out[i * p + j] = X[(r0 + i) * n2 + c0 + j]!;
  return out;
}

function blocks(X: Float64Array, n2: number): PhaseBlocks {
  const p = n2 / 2;
  return { thetaTheta: block(X, n2, 0, 0), thetaV: block(X, n2, 0, p), vv: block(X, n2, p, p) };
}

function trace(M: Float64Array, p: number): number {
  let s = 0;
  for (let i = 0; i < p; i++) s += M[i * p + i]!;
  return s;
}

/** Covariance of (θ_k, v_k = (θ_k − θ_{k−1})/η) from that of z = (θ_k, θ_{k−1}): T X Tᵀ, T = [[I, 0], [I/η, −I/η]]. */
function discreteToPhase(X: Float64Array, p: number, eta: number): Float64Array {
  const n = 2 * p;
  const out = new Float64Array(n * n);
  for (let i = 0; i < p; i++)
    for (let j = 0; j < p; j++) {
      const x11 = X[i * n + j]!, x12 = X[i * n + p + j]!, x21 = X[(p + i) * n + j]!, x22 = X[(p + i) * n + p + j]!;
      out[i * n + j] = x11;
      out[i * n + p + j] = (x11 - x12) / eta;
      out[(p + i) * n + j] = (x11 - x21) / eta;
      out[(p + i) * n + p + j] = (x11 - x12 - x21 + x22) / (eta * eta);
    }
  return out;
}

/** ‖A C + C Aᵀ − 2D‖_F / ‖2D‖_F with the fast product (C symmetric). */
function continuousResidual(A: Float64Array, C: Float64Array, D: Float64Array, n: number): number {
  const ac = productFresh(A, C, n);
  let num = 0, den = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      num += (ac[i * n + j]! + ac[j * n + i]! - 2 * D[i * n + j]!) ** 2;
      den += 4 * D[i * n + j]! ** 2;
    }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), Number.MIN_VALUE);
}

/** ‖X − M X Mᵀ − Q‖_F / ‖Q‖_F with the fast product. */
function discreteResidualOf(M: Float64Array, X: Float64Array, Q: Float64Array, n: number): number {
  const Mt = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Mt[i * n + j] = M[j * n + i]!;
  const mxm = productFresh(productFresh(M, X, n), Mt, n);
  let num = 0, den = 0;
  for (let i = 0; i < n * n; i++) {
    num += (X[i]! - mxm[i]! - Q[i]!) ** 2;
    den += Q[i]! ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), Number.MIN_VALUE);
}

function modeOf(lambdaI: number, h: { eta: number; beta: number; lam: number }): Mode {
  const { eta, beta, lam } = h;
  const q = lambdaI + lam;
  const omega2 = (2 * q) / (eta * (1 + beta));
  const gamma = (1 - beta) / (eta * (1 + beta));
  const omega = Math.sqrt(omega2);
  const disc = gamma * gamma - omega2;
  // eigenvalues of the 2×2 block [[0, −1], [ω², 2γ]]: μ = γ ± √(γ² − ω²)
  const continuousStep = disc < 0 ? { decay: Math.exp(-eta * gamma), rotation: eta * Math.sqrt(-disc) } : { decay: Math.exp(-eta * (gamma - Math.sqrt(disc))), rotation: 0 };
  // discrete: z² − (1+β−ηq) z + β = 0
  const tr = 1 + beta - eta * q;
  const dd = tr * tr - 4 * beta;
  const discreteStep =
    dd < 0
      ? { modulus: Math.sqrt(beta), argument: Math.atan2(Math.sqrt(-dd) / 2, tr / 2) }
      : (() => {
          const r1 = (tr + Math.sign(tr || 1) * Math.sqrt(dd)) / 2; // the larger root in modulus
          return { modulus: Math.abs(r1), argument: r1 < 0 ? Math.PI : 0 };
        })();
  const lhs = 2 * eta * q * (1 + beta);
  const rhs = (1 - beta) ** 2;
  return {
    hessianEigenvalue: lambdaI,
    curvature: q,
    omega2,
    omega,
    gamma,
    dampingRatio: gamma / omega,
    underdamped: lhs > rhs,
    boundary: { lhs, rhs },
    continuousStep,
    discreteStep,
    gapFactor: 1 / (1 - (eta * q) / (2 * (1 + beta))),
  };
}

function commutes(H: RMatrix, S: RMatrix): boolean {
  const hs = rMul(H, S), sh = rMul(S, H);
  return hs.every((row, i) => row.every((x, j) => x.equals(sh[i]![j]!)));
}

function commutesFloat(H: Float64Array, S: Float64Array, p: number): boolean {
  const hs = productFresh(H, S, p), sh = productFresh(S, H, p);
  const scale = Math.max(frob(hs), Number.MIN_VALUE);
  let d = 0;
  for (let i = 0; i < p * p; i++) d += (hs[i]! - sh[i]!) ** 2;
  return Math.sqrt(d) <= 1e-12 * scale;
}

/** Parameters above which the float64 route solves mode by mode (`method: 'auto'`). */
export const MODAL_MIN_PARAMS = 32;

/** x with M x = b for a small dense system (partial pivoting); M is row-major m×m and overwritten. */
function solveSmall(M: Float64Array, b: Float64Array, m: number): Float64Array {
  for (let c = 0; c < m; c++) {
    let piv = c;
    for (let r = c + 1; r < m; r++) if (Math.abs(M[r * m + c]!) > Math.abs(M[piv * m + c]!)) piv = r;
    if (M[piv * m + c] === 0) throw new InternalError('modal Lyapunov solve: a singular 4×4 block (the stability checks should exclude this)');
    if (piv !== c) {
      for (let k = 0; k < m; k++) [M[c * m + k], M[piv * m + k]] = [M[piv * m + k]!, M[c * m + k]!];
      [b[c], b[piv]] = [b[piv]!, b[c]!];
    }
    for (let r = c + 1; r < m; r++) {
      const f = M[r * m + c]! / M[c * m + c]!;
      if (f === 0) continue;
      for (let k = c; k < m; k++) M[r * m + k] = M[r * m + k]! - f * M[c * m + k]!;
      b[r] = b[r]! - f * b[c]!;
    }
  }
  const x = new Float64Array(m);
  for (let r = m - 1; r >= 0; r--) {
    let v = b[r]!;
    for (let k = r + 1; k < m; k++) v -= M[r * m + k]! * x[k]!;
    x[r] = v / M[r * m + r]!;
  }
  return x;
}

/**
 * Both stationary covariances mode by mode (docs/theory/langevin.md, "Linear regression: exact solutions":
 * per Hessian eigenmode a damped oscillator). In the eigenbasis H = V diag(λ) Vᵀ the phase-space drift and
 * the discrete recursion are block diagonal with 2×2 blocks A_i = [[0, −1], [k_i, 2γ]],
 * M_i = [[1+β−ηq_i, −β], [1, 0]]; the noise couples the modes through Σ' = Vᵀ Σ V. For each pair i ≤ j the
 * 2×2 block C_ij solves A_i C_ij + C_ij A_jᵀ = 2 D_ij (D_ij = diag(0, 2cΣ'_ij/(η(1+β)²))) and X_ij solves
 * X_ij = M_i X_ij M_jᵀ + Q_ij (Q_ij = diag(η²cΣ'_ij, 0)): p(p+1)/2 systems of size 4. Back-transformed by V:
 * O(p³) for the eigen-decomposition and the basis changes, where the dense solvers cost O((2p)³) per
 * iteration.
 */
function modalSolve(
  lambda: Float64Array,
  V: Float64Array,
  Sigma: Float64Array,
  h: { eta: number; beta: number; lam: number },
  c: number,
): { C: Float64Array; X: Float64Array } {
  const p = lambda.length;
  const { eta, beta, lam } = h;
  const Vt = new Float64Array(p * p);
  for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) Vt[i * p + j] = V[j * p + i]!;
  const Sm = productFresh(productFresh(Vt, Sigma, p), V, p); // Σ' = Vᵀ Σ V
  const twoGamma = (2 * (1 - beta)) / (eta * (1 + beta));
  const dvv = (2 * c) / (eta * (1 + beta) ** 2);
  const k = Array.from(lambda, (l) => (2 * (l + lam)) / (eta * (1 + beta)));
  const tr = Array.from(lambda, (l) => 1 + beta - eta * (l + lam));
  // modal-basis blocks: [θθ, θv; vθ, vv] (continuous) and [θθ, θθ₋; θ₋θ, θ₋θ₋] (discrete), p×p each
  const cb = [0, 1, 2, 3].map(() => new Float64Array(p * p));
  const xb = [0, 1, 2, 3].map(() => new Float64Array(p * p));
  const K = new Float64Array(16);
  const rhs = new Float64Array(4);
  for (let i = 0; i < p; i++)
    for (let j = i; j < p; j++) {
      const s = Sm[i * p + j]!;
      // continuous: (A_i ⊗ I + I ⊗ A_j) vec(C) = vec(2D), row-major vec (r, c) ↦ 2r + c
      const Ai = [0, -1, k[i]!, twoGamma], Aj = [0, -1, k[j]!, twoGamma];
      K.fill(0);
      for (let r = 0; r < 2; r++)
        for (let cc = 0; cc < 2; cc++)
          for (let q = 0; q < 2; q++) {
            K[(2 * r + cc) * 4 + 2 * q + cc] = K[(2 * r + cc) * 4 + 2 * q + cc]! + Ai[2 * r + q]!;
            K[(2 * r + cc) * 4 + 2 * r + q] = K[(2 * r + cc) * 4 + 2 * r + q]! + Aj[2 * cc + q]!;
          }
      rhs.fill(0);
      rhs[3] = 2 * dvv * s;
      const cij = solveSmall(K, rhs, 4);
      // discrete: (I − M_i ⊗ M_j) vec(X) = vec(Q)
      const Mi = [tr[i]!, -beta, 1, 0], Mj = [tr[j]!, -beta, 1, 0];
      K.fill(0);
      for (let r = 0; r < 2; r++)
        for (let cc = 0; cc < 2; cc++) {
          const row = (2 * r + cc) * 4;
          K[row + 2 * r + cc] = 1;
          for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) K[row + 2 * a + b] = K[row + 2 * a + b]! - Mi[2 * r + a]! * Mj[2 * cc + b]!;
        }
      rhs.fill(0);
      rhs[0] = eta * eta * c * s;
      const xij = solveSmall(K, rhs, 4);
      for (let bl = 0; bl < 4; bl++) {
        const tb = 2 * (bl % 2) + (bl >> 1); // the transposed block entry for (j, i)
        cb[bl]![i * p + j] = cij[bl]!;
        cb[bl]![j * p + i] = cij[tb]!;
        xb[bl]![i * p + j] = xij[bl]!;
        xb[bl]![j * p + i] = xij[tb]!;
      }
    }
  // back to the parameter basis: each block B ↦ V B Vᵀ
  const assemble = (bl: Float64Array[]): Float64Array => {
    const n = 2 * p;
    const out = new Float64Array(n * n);
    bl.forEach((B, idx) => {
      const T = productFresh(productFresh(V, B, p), Vt, p);
      const r0 = (idx >> 1) * p, c0 = (idx % 2) * p;
      for (let i = 0; i < p; i++) for (let j = 0; j < p; j++) out[(r0 + i) * n + c0 + j] = T[i * p + j]!;
    });
    for (let i = 0; i < n; i++)
      for (let j = 0; j < i; j++) {
        const v = 0.5 * (out[i * n + j]! + out[j * n + i]!);
        out[i * n + j] = v;
        out[j * n + i] = v;
      }
    return out;
  };
  return { C: assemble(cb), X: assemble(xb) };
}

/**
 * Stationary analysis of SGD with momentum on a quadratic with Hessian H and per-example noise covariance Σ
 * (constant): continuous and exact discrete covariances, U, Q, per-mode frequencies and damping, the gap.
 * Throws an InputError when there is no stationary state (an eigenvalue of H + λI ≤ 0) or when η is beyond
 * the discrete stability limit 2(1+β)/q_max.
 */
export function linearStationary(
  hessianIn: readonly (readonly RationalInput[])[],
  sigmaIn: readonly (readonly RationalInput[])[],
  hyper: LinearHyper,
  opts: {
    exact?: ExactMode;
    maxExactDim?: number;
    /** float64 route: 'dense' (sign-function and Smith solves of the 2p×2p equations), 'modal' (per pair of
     * Hessian eigenmodes, 4×4 systems), 'auto' (modal beyond MODAL_MIN_PARAMS parameters) */
    method?: 'auto' | 'dense' | 'modal';
  } = {},
): LinearStationary {
  if (typeof opts !== 'object' || opts === null) throw new InputError(`linearStationary(H, Sigma, hyper, options): options must be an object (got ${describe(opts)})`);
  const h = exactHyper(hyper);
  const hf = { eta: h.eta.toNumber(), beta: h.beta.toNumber(), lam: h.lam.toNumber() };
  // exact rationals only for small phase spaces (2p ≤ maxExactDim); the float64 route never builds them
  const p0 = Array.isArray(hessianIn) ? hessianIn.length : 0;
  const small = (opts.exact ?? 'auto') === 'always' || ((opts.exact ?? 'auto') === 'auto' && 2 * p0 <= (opts.maxExactDim ?? EXACT_MAX_DIM));
  const H = small ? rationalMatrix(hessianIn, 'the Hessian H') : undefined;
  const Hf = H ? rToFloat(H) : floatMatrix(hessianIn, 'the Hessian H');
  const p = Math.round(Math.sqrt(Hf.length));
  const Sigma = small ? rationalMatrix(sigmaIn, 'the noise covariance Σ', p) : undefined;
  const Sf = Sigma ? rToFloat(Sigma) : floatMatrix(sigmaIn, 'the noise covariance Σ', p);
  // shape and sign checks with the reason in the message
  const hEig = symmetricEigen(Hf, 'the Hessian H');
  const sEig = symmetricEigen(Sf, 'the noise covariance Σ');
  const sTop = Math.max(...sEig.values.map(Math.abs), Number.MIN_VALUE);
  if (sEig.values[0]! < -1e-12 * sTop)
    throw new InputError(`the noise covariance Σ is indefinite (eigenvalue ${sEig.values[0]!.toPrecision(6)} < 0): a covariance must be positive semi-definite`);
  const q = Array.from(hEig.values, (l) => l + hf.lam);
  const qMax = Math.max(...q.map(Math.abs));
  const qMin = q[0]!;
  if (qMin < -1e-12 * qMax)
    throw new InputError(
      `no stationary state: H + λI has a negative eigenvalue (${qMin.toPrecision(6)}), so the quadratic is unbounded below along that direction and SGD leaves along it`,
    );
  if (qMin <= 1e-12 * qMax)
    throw new InputError(
      'no stationary state: H + λI has a zero eigenvalue, so there is no restoring force along that direction and θ diffuses without bound there (a random walk); add weight decay (λ > 0) or remove the flat direction',
    );
  const stabilityLimit = (2 * (1 + hf.beta)) / Math.max(...q);
  if (hf.eta >= stabilityLimit)
    throw new InputError(
      `the learning rate η = ${hf.eta} is beyond the stability limit of the discrete SGD recursion, η < 2(1+β)/q_max = ${stabilityLimit.toPrecision(6)} (q_max = ${Math.max(...q).toPrecision(6)} the largest eigenvalue of H + λI): SGD diverges, there is no stationary state`,
    );
  const n2 = 2 * p;
  const c = h.c.toNumber();
  const exactSystems = H && Sigma ? { ...phaseSpaceExact(H, Sigma, h), ...discreteRecursionExact(H, Sigma, h) } : undefined;
  const exact = exactSystems !== undefined && exactRoute([exactSystems.A, exactSystems.D], opts);
  const { A: Af, D: Df } = phaseSpaceFloat(Hf, Sf, hf, c);
  const { M: Mf, noise: Nf } = discreteRecursionFloat(Hf, Sf, hf, c);
  const method = opts.method ?? 'auto';
  let ou: OuStationary;
  let X: Float64Array;
  let discreteRational: LinearStationary['discrete']['rational'];
  let discreteResidual: number;
  if (exact) {
    const { A, D, M, noise } = exactSystems!;
    ou = ouFromRational(A, D, { ...opts, exact: 'always' });
    const Xr = discreteLyapunovExact(M, noise, { maxDim: opts.maxExactDim ?? EXACT_MAX_DIM });
    X = rToFloat(Xr);
    discreteRational = { M, noise, X: Xr };
    discreteResidual = 0;
  } else if (method === 'modal' || (method === 'auto' && p > MODAL_MIN_PARAMS)) {
    const sol = modalSolve(hEig.values, hEig.vectors, Sf, hf, c);
    ou = ouFromSolution(Af, Df, sol.C, continuousResidual(Af, sol.C, Df, n2));
    X = sol.X;
    discreteResidual = discreteResidualOf(Mf, X, Nf, n2);
  } else {
    const res = lyapunovOrExplain(Af, Df);
    ou = ouFromSolution(Af, Df, res.C, res.relResidual);
    const r = discreteLyapunov(Mf, Nf);
    X = r.X;
    discreteResidual = r.relResidual;
  }
  const cBlocks = blocks(ou.C, n2);
  const dBlocks = blocks(discreteToPhase(X, p, hf.eta), n2);
  const traceVVPredicted = (c * trace(Sf, p)) / (1 - hf.beta * hf.beta);
  const isCommuting = H && Sigma ? commutes(H, Sigma) : commutesFloat(Hf, Sf, p);
  let closedForm: LinearStationary['continuous']['closedForm'];
  let discreteClosedForm: LinearStationary['discrete']['closedForm'];
  if (isCommuting) {
    const hl = Float64Array.from(Hf, (x, i) => (i % (p + 1) === 0 ? x + hf.lam : x));
    const inv = luInverse(hl, p, 'H + λI').inv;
    const tt = gemm(Sf, inv, p).map((x) => (hf.eta * c * x) / (2 * (1 - hf.beta)));
    closedForm = { thetaTheta: tt, vv: Sf.map((x) => (c * x) / (1 - hf.beta * hf.beta)) };
    // G = (1−β)(2(1+β)I − ηK): discrete C_vv = 2cΣG⁻¹, C_θθ = ηc(1+β)Σ(KG)⁻¹
    const G = hl.map((x, i) => (1 - hf.beta) * ((i % (p + 1) === 0 ? 2 * (1 + hf.beta) : 0) - hf.eta * x));
    const Ginv = luInverse(G, p, 'the discrete closed form').inv;
    const KGinv = luInverse(gemm(hl, G, p), p, 'the discrete closed form').inv;
    discreteClosedForm = {
      thetaTheta: gemm(Sf, KGinv, p).map((x) => hf.eta * c * (1 + hf.beta) * x),
      vv: gemm(Sf, Ginv, p).map((x) => 2 * c * x),
    };
  }
  const dTT = dBlocks.thetaTheta, cTT = cBlocks.thetaTheta;
  const gap = {
    thetaTraceRatio: trace(dTT, p) / trace(cTT, p),
    thetaRelDiff: frob(dTT.map((x, i) => x - cTT[i]!)) / frob(cTT),
    vvTraceRatio: trace(dBlocks.vv, p) / trace(cBlocks.vv, p),
  };
  if (!Number.isFinite(gap.thetaTraceRatio)) throw new InternalError('linearStationary: the continuous θθ covariance has zero trace');
  return {
    p,
    exact,
    hyper: { eta: hf.eta, beta: hf.beta, batchSize: h.S.toNumber(), weightDecay: hf.lam, noiseFactor: c },
    H: Hf,
    Sigma: Sf,
    commuting: isCommuting,
    modes: Array.from(hEig.values, (l) => modeOf(l, hf)),
    stabilityLimit,
    continuous: {
      ...ou,
      ...cBlocks,
      A: Af,
      D: Df,
      traceVV: trace(cBlocks.vv, p),
      traceVVPredicted,
      closedForm,
    },
    discrete: { ...dBlocks, M: Mf, noise: Nf, X, relResidual: discreteResidual, rational: discreteRational, closedForm: discreteClosedForm },
    gap,
  };
}

