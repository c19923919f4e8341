/**
 * Spectra of the Hessian and of the gradient-noise covariance of a tfjs loss, from matrix–vector products
 * only (docs/networks.md, "Spectra"; the methods of PyHessian and hessian-eigenthings):
 *
 * - top-k eigenpairs by Lanczos with full reorthogonalisation (twice, classical Gram–Schmidt) in float64 on
 *   the host; the products H v are float32 reverse-over-reverse Hessian–vector products on tfjs;
 * - the trace by Hutchinson's estimator E[zᵀAz] = tr A with Rademacher z (and its standard error);
 * - the spectral density by stochastic Lanczos quadrature: for a random unit v, Lanczos T_m = U Θ Uᵀ gives
 *   the Gauss quadrature vᵀ f(A) v ≈ Σ_i τ_i f(θ_i), τ_i = (U_{1i})²; averaged over runs and broadened
 *   by a Gaussian of width σ, a density that integrates to 1;
 * - the gradient-noise covariance Σ = (1/N) Σ_i g_i g_iᵀ − ḡḡᵀ of per-example gradients g_i (docs/theory/
 *   langevin.md, "Discrete update"), applied as v ↦ (1/N) Σ_i g_i (g_i·v) − ḡ(ḡ·v) without forming Σ;
 * - how far H and Σ are from commuting: ‖HΣ − ΣH‖_F / (‖H‖_F ‖Σ‖_F), each squared Frobenius norm estimated
 *   as E‖Az‖² over the same Rademacher probes (‖A‖²_F = E[zᵀAᵀAz]).
 * The host-side routines take any symmetric operator (v: Float64Array) => Float64Array.
 */
import { InputError, InternalError } from '../../errors.ts';
import { Rng } from '../prng.ts';
import { checkVector } from '../linalg.ts';
import { type TfLoss, type Tensor1D, type Scalar, gradOf, nestedDirectionalGradient, thetaTensor, tidyValue } from './autodiff.ts';
import { withOpCheck } from './higher-order.ts';

/** A symmetric linear operator on ℝⁿ. */
export type LinearOperator = (v: Float64Array) => Float64Array;

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
};

// ---------------------------------------------------------------------------------------------------------
// Dense symmetric eigenproblem (small: the Lanczos tridiagonal)

/**
 * Eigen-decomposition of a symmetric n×n matrix (row-major) by cyclic Jacobi rotations, float64.
 * Returns eigenvalues descending and the eigenvectors as the columns of a row-major n×n matrix.
 */
export function symmetricEigen(A: Float64Array, n: number): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(A);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    let total = 0;
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        total += a[i * n + j]! ** 2;
        if (i !== j) off += a[i * n + j]! ** 2;
      }
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < n - 1; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = a[k * n + p]!;
          const akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = a[p * n + k]!;
          const aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p]!;
          const vkq = V[k * n + q]!;
          V[k * n + p] = c * vkp - s * vkq;
          V[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => a[j * n + j]! - a[i * n + i]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => {
    for (let k = 0; k < n; k++) vectors[k * n + dst] = V[k * n + src]!;
  });
  return { values, vectors };
}

// ---------------------------------------------------------------------------------------------------------
// Lanczos

export interface LanczosResult {
  /** diagonal α_0 … α_{m−1} of T_m */
  alpha: Float64Array;
  /** off-diagonal β_1 … β_{m−1} of T_m */
  beta: Float64Array;
  /** the orthonormal Lanczos basis q_0 … q_{m−1} (each length n) */
  basis: Float64Array[];
  /** m (smaller than asked when an invariant subspace was found) */
  steps: number;
}

function checkOperatorSize(n: number, where: string): void {
  if (!Number.isInteger(n) || n < 1) throw new InputError(`${where}: dimension n must be a positive integer, got ${n}`);
}

/**
 * m steps of Lanczos from the start vector v0 (normalised) with full reorthogonalisation against the whole
 * basis, twice per step (float64). Stops early when β falls below 1e-10·‖T‖ (an invariant subspace).
 */
export function lanczos(op: LinearOperator, n: number, m: number, v0: ArrayLike<number>): LanczosResult {
  const where = 'lanczos';
  checkOperatorSize(n, where);
  if (!Number.isInteger(m) || m < 1) throw new InputError(`${where}: steps m must be a positive integer, got ${m}`);
  checkVector(v0, n, 'v0', where);
  const steps = Math.min(m, n);
  const nv = Math.sqrt(dot(v0, v0));
  if (nv === 0) throw new InputError(`${where}: start vector v0 is zero`);
  const basis: Float64Array[] = [Float64Array.from(v0, (x) => x / nv)];
  const alpha: number[] = [];
  const beta: number[] = [];
  let scale = 0;
  for (let j = 0; j < steps; j++) {
    const q = basis[j]!;
    const w = op(q);
    if (w.length !== n) throw new InputError(`${where}: the operator returned a vector of length ${w.length}, expected ${n}`);
    for (let i = 0; i < n; i++) if (!Number.isFinite(w[i]!)) throw new InputError(`${where}: the operator returned a non-finite entry at ${i} (loss not finite here?)`);
    const a = dot(q, w);
    alpha.push(a);
    for (let pass = 0; pass < 2; pass++)
      for (const b of basis) {
        const c = dot(b, w);
        for (let i = 0; i < n; i++) w[i] = w[i]! - c * b[i]!;
      }
    const bnorm = Math.sqrt(dot(w, w));
    scale = Math.max(scale, Math.abs(a), bnorm);
    if (j === steps - 1 || bnorm <= 1e-10 * scale) break;
    beta.push(bnorm);
    basis.push(Float64Array.from(w, (x) => x / bnorm));
  }
  return { alpha: Float64Array.from(alpha), beta: Float64Array.from(beta), basis: basis.slice(0, alpha.length), steps: alpha.length };
}

/** The eigen-decomposition of the tridiagonal T_m of a Lanczos run (Ritz values descending). */
export function tridiagonalEigen(alpha: Float64Array, beta: Float64Array): { values: Float64Array; vectors: Float64Array } {
  const m = alpha.length;
  if (beta.length !== m - 1) throw new InternalError(`tridiagonalEigen: beta has ${beta.length} entries, expected ${m - 1}`);
  const T = new Float64Array(m * m);
  for (let i = 0; i < m; i++) {
    T[i * m + i] = alpha[i]!;
    if (i + 1 < m) T[i * m + i + 1] = T[(i + 1) * m + i] = beta[i]!;
  }
  return symmetricEigen(T, m);
}

export interface Eigenpairs {
  /** eigenvalues, ordered as asked (largest first, or largest magnitude first) */
  values: Float64Array;
  /** unit eigenvectors, one per value */
  vectors: Float64Array[];
  /** ‖A u − λ u‖ for each pair (one extra product each) */
  residuals: Float64Array;
}

export interface TopEigenOptions {
  /** Lanczos steps (default min(n, max(2k + 30, 60))) */
  steps?: number;
  seed?: number;
  /** 'largest' (algebraic, default) or 'magnitude' */
  which?: 'largest' | 'magnitude';
  /** start vector (default: seeded Gaussian) */
  v0?: ArrayLike<number>;
}

/** The top-k eigenpairs of a symmetric operator by Lanczos (Ritz pairs), with their residual norms. */
export function topEigenpairs(op: LinearOperator, n: number, k: number, opts: TopEigenOptions = {}): Eigenpairs {
  const where = 'topEigenpairs';
  checkOperatorSize(n, where);
  if (!Number.isInteger(k) || k < 1 || k > n) throw new InputError(`${where}: k must be an integer in 1..${n}, got ${k}`);
  const m = opts.steps ?? Math.min(n, Math.max(2 * k + 30, 60));
  const rng = new Rng(opts.seed ?? 0);
  const v0 = opts.v0 ?? Float64Array.from({ length: n }, () => rng.normal());
  const lz = lanczos(op, n, m, v0);
  const { values, vectors } = tridiagonalEigen(lz.alpha, lz.beta);
  const s = lz.steps;
  let order = Array.from({ length: s }, (_, i) => i);
  if ((opts.which ?? 'largest') === 'magnitude') order.sort((i, j) => Math.abs(values[j]!) - Math.abs(values[i]!));
  else if (opts.which !== undefined && opts.which !== 'largest') throw new InputError(`${where}: which must be 'largest' or 'magnitude'`);
  order = order.slice(0, Math.min(k, s));
  const out: Eigenpairs = { values: new Float64Array(order.length), vectors: [], residuals: new Float64Array(order.length) };
  order.forEach((col, r) => {
    const u = new Float64Array(n);
    for (let j = 0; j < s; j++) {
      const c = vectors[j * s + col]!;
      const q = lz.basis[j]!;
      for (let i = 0; i < n; i++) u[i] = u[i]! + c * q[i]!;
    }
    const nu = Math.sqrt(dot(u, u));
    for (let i = 0; i < n; i++) u[i] = u[i]! / nu;
    const lam = values[col]!;
    const Au = op(u);
    let res = 0;
    for (let i = 0; i < n; i++) res += (Au[i]! - lam * u[i]!) ** 2;
    out.values[r] = lam;
    out.vectors.push(u);
    out.residuals[r] = Math.sqrt(res);
  });
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// Hutchinson and stochastic Lanczos quadrature

function rademacher(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => (rng.uniform() < 0.5 ? -1 : 1));
}

function checkProbes(p: number, where: string): void {
  if (!Number.isInteger(p) || p < 1) throw new InputError(`${where}: probes must be a positive integer, got ${p}`);
}

/** Hutchinson's trace estimate with Rademacher probes: the mean of zᵀAz and its standard error. */
export function hutchinsonTrace(op: LinearOperator, n: number, probes: number, seed = 0): { trace: number; standardError: number; samples: Float64Array } {
  const where = 'hutchinsonTrace';
  checkOperatorSize(n, where);
  checkProbes(probes, where);
  const rng = new Rng(seed);
  const samples = new Float64Array(probes);
  for (let p = 0; p < probes; p++) {
    const z = rademacher(rng, n);
    samples[p] = dot(z, op(z));
  }
  const mean = samples.reduce((a, b) => a + b, 0) / probes;
  const variance = probes > 1 ? samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (probes - 1) : NaN;
  return { trace: mean, standardError: Math.sqrt(variance / probes), samples };
}

export interface SpectralDensity {
  /** quadrature nodes of every run, concatenated */
  nodes: Float64Array;
  /** their weights τ_i / runs (sum to 1) */
  weights: Float64Array;
  /** the density broadened by a Gaussian of width sigma, on `grid` */
  grid: Float64Array;
  density: Float64Array;
  sigma: number;
}

export interface DensityOptions {
  runs?: number;
  steps?: number;
  seed?: number;
  /** Gaussian broadening (default 1% of the spectral range seen) */
  sigma?: number;
  /** grid points (default 400), spanning the nodes ± 5σ */
  gridPoints?: number;
}

/** The spectral density of a symmetric operator by stochastic Lanczos quadrature (see the module comment). */
export function spectralDensity(op: LinearOperator, n: number, opts: DensityOptions = {}): SpectralDensity {
  const where = 'spectralDensity';
  checkOperatorSize(n, where);
  const runs = opts.runs ?? 5;
  checkProbes(runs, where);
  const m = opts.steps ?? Math.min(n, 60);
  const rng = new Rng(opts.seed ?? 0);
  const nodes: number[] = [];
  const weights: number[] = [];
  for (let r = 0; r < runs; r++) {
    const lz = lanczos(op, n, m, rademacher(rng, n));
    const { values, vectors } = tridiagonalEigen(lz.alpha, lz.beta);
    const s = lz.steps;
    for (let i = 0; i < s; i++) {
      nodes.push(values[i]!);
      weights.push(vectors[i]! ** 2 / runs); // (U_{0i})²: first row of the eigenvector matrix
    }
  }
  const lo = Math.min(...nodes);
  const hi = Math.max(...nodes);
  const sigma = opts.sigma ?? Math.max((hi - lo) * 0.01, 1e-12 + Math.abs(hi) * 1e-3);
  if (!(sigma > 0) || !Number.isFinite(sigma)) throw new InputError(`${where}: sigma must be finite and > 0, got ${sigma}`);
  const points = opts.gridPoints ?? 400;
  if (!Number.isInteger(points) || points < 2) throw new InputError(`${where}: gridPoints must be an integer >= 2`);
  const grid = Float64Array.from({ length: points }, (_, i) => lo - 5 * sigma + ((hi - lo + 10 * sigma) * i) / (points - 1));
  const density = grid.map((t) => {
    let s = 0;
    for (let i = 0; i < nodes.length; i++) s += weights[i]! * Math.exp(-((t - nodes[i]!) ** 2) / (2 * sigma * sigma));
    return s / (sigma * Math.sqrt(2 * Math.PI));
  });
  return { nodes: Float64Array.from(nodes), weights: Float64Array.from(weights), grid, density, sigma };
}

// ---------------------------------------------------------------------------------------------------------
// Operators from tfjs losses

/**
 * θ ↦ the Hessian operator v ↦ H(θ)v of a tfjs loss (float32 reverse-over-reverse products, float64 out).
 * Call `dispose()` when done (θ is held on the device).
 */
export function hessianOperatorTf(L: TfLoss, theta: ArrayLike<number>): LinearOperator & { dispose(): void; calls: () => number } {
  const tf = L.tf;
  const th = L.tf.keep(thetaTensor(L, theta, 'hessianOperatorTf'));
  let count = 0;
  const op = ((v: Float64Array): Float64Array => {
    count++;
    return withOpCheck('hessianOperatorTf', 2, () =>
      tidyValue(tf, () => Float64Array.from(nestedDirectionalGradient(L, [tf.tensor1d(Float32Array.from(v), 'float32')])(th).dataSync())),
    );
  }) as LinearOperator & { dispose(): void; calls: () => number };
  op.dispose = () => th.dispose();
  op.calls = () => count;
  return op;
}

/** A loss with per-example losses ℓ_i (L = mean ℓ_i), e.g. from mlpLossTf. */
export interface PerExampleLoss extends TfLoss {
  readonly examples: number;
  /** ℓ_i(θ) for one example */
  readonly exampleLoss: (theta: Tensor1D, i: number) => Scalar;
}

/** The per-example gradients g_i(θ), rows of a row-major N×n float64 matrix (float32 products). */
export function perExampleGradients(L: PerExampleLoss, theta: ArrayLike<number>): Float64Array {
  const where = 'perExampleGradients';
  const N = L.examples;
  const G = new Float64Array(N * L.n);
  withOpCheck(where, 1, () =>
    tidyValue(L.tf, () => {
      const th = thetaTensor(L, theta, where);
      for (let i = 0; i < N; i++) {
        const gi = L.tf.tidy(() => gradOf(L.tf, (t) => L.exampleLoss(t, i))(th));
        G.set(gi.dataSync(), i * L.n);
        gi.dispose();
      }
    }),
  );
  return G;
}

export interface NoiseCovariance {
  /** n (parameters) and N (examples) */
  n: number;
  examples: number;
  /** ḡ = (1/N) Σ g_i */
  mean: Float64Array;
  /** tr Σ = (1/N) Σ ‖g_i‖² − ‖ḡ‖² (exact, from the g_i) */
  trace: number;
  /** v ↦ Σ v = (1/N) Σ g_i (g_i·v) − ḡ (ḡ·v), never forming Σ */
  apply: LinearOperator;
}

/** The gradient-noise covariance of one example drawn uniformly, from the per-example gradients (rows of G). */
export function noiseCovariance(G: Float64Array, N: number, n: number): NoiseCovariance {
  const where = 'noiseCovariance';
  if (!Number.isInteger(N) || N < 1 || !Number.isInteger(n) || n < 1 || G.length !== N * n)
    throw new InputError(`${where}: G must hold N×n = ${N}×${n} entries, got ${G.length} (dimension mismatch)`);
  const mean = new Float64Array(n);
  let sq = 0;
  for (let r = 0; r < N; r++)
    for (let i = 0; i < n; i++) {
      const x = G[r * n + i]!;
      mean[i] = mean[i]! + x / N;
      sq += (x * x) / N;
    }
  const trace = sq - dot(mean, mean);
  const apply: LinearOperator = (v) => {
    const out = new Float64Array(n);
    for (let r = 0; r < N; r++) {
      let c = 0;
      for (let i = 0; i < n; i++) c += G[r * n + i]! * v[i]!;
      c /= N;
      for (let i = 0; i < n; i++) out[i] = out[i]! + c * G[r * n + i]!;
    }
    const cm = dot(mean, v);
    for (let i = 0; i < n; i++) out[i] = out[i]! - cm * mean[i]!;
    return out;
  };
  return { n, examples: N, mean, trace, apply };
}

export interface CommutatorEstimate {
  /** ‖HΣ − ΣH‖_F / (‖H‖_F ‖Σ‖_F) */
  relative: number;
  /** the three squared Frobenius norms, estimated */
  commutatorSq: number;
  hSq: number;
  sigmaSq: number;
  probes: number;
}

/**
 * How far two symmetric operators are from commuting, by Hutchinson-style probes: ‖A‖²_F = E‖Az‖² for
 * Rademacher z, applied to A = HΣ − ΣH (two products of each per probe), H and Σ.
 */
export function commutatorMeasure(H: LinearOperator, S: LinearOperator, n: number, probes: number, seed = 0): CommutatorEstimate {
  const where = 'commutatorMeasure';
  checkOperatorSize(n, where);
  checkProbes(probes, where);
  const rng = new Rng(seed);
  let c = 0;
  let h = 0;
  let s = 0;
  for (let p = 0; p < probes; p++) {
    const z = rademacher(rng, n);
    const Hz = H(z);
    const Sz = S(z);
    const HSz = H(Sz);
    const SHz = S(Hz);
    for (let i = 0; i < n; i++) c += (HSz[i]! - SHz[i]!) ** 2;
    h += dot(Hz, Hz);
    s += dot(Sz, Sz);
  }
  c /= probes;
  h /= probes;
  s /= probes;
  return { relative: Math.sqrt(c / (h * s)), commutatorSq: c, hSq: h, sigmaSq: s, probes };
}

