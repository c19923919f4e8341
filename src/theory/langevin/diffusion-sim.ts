/**
 * Simulated SGD that checks the diffusion predictions of diffusion.ts (docs/theory/langevin.md, "Anomalous
 * diffusion", "Linear regression: exact solutions"): ensembles of independent chains of SGD with Gaussian
 * gradient noise on a quadratic (float64, `linearSgdEnsemble`, bit-identical to `sgdGaussianEnsemble`), measured Δ(k) = ‖θ_k − θ_0‖² and
 * δ(k) = ‖θ_{k+1} − θ_k‖² averaged over chains with chain-level standard errors, the exponent fitted on
 * log–log axes with a bootstrap over chains, and the phase-space quantities (θ–v cross-covariance, rotation
 * per step of each Hessian eigendirection).
 *
 * The chains simulate θ − μ directly (the minimum μ drops out of every quantity here). "From stationarity"
 * means that (θ_0, θ_{−1}) is drawn from the exact discrete stationary law N(0, P), P = M P Mᵀ + W, so the
 * ensemble is stationary at every step, and Δ(k) is compared with the exact discrete prediction.
 */
import { InputError } from '../../errors.ts';
import { choleskyPsd } from '../../numeric/linalg.ts';
import { linearSgdEnsemble } from '../../numeric/ensemble-linear.ts';
import { sgdMinibatch } from '../../numeric/optimizers.ts';
import { Rng } from '../../numeric/prng.ts';
import { type DiffusionProblem, type DiffusionStart, type ExponentFit, discreteChain, fitExponent } from './diffusion.ts';
import { symmetricEigen } from '../../numeric/symeig.ts';
import { toDense } from '../../numeric/linalg.ts';

export interface SimulateOptions {
  /** number of independent chains B */
  chains: number;
  /** steps k at which Δ(k) and δ(k) are measured (strictly increasing, ≥ 1) */
  steps: readonly number[];
  /** chain c draws its gradient noise from Rng(seed + c); the stationary start from a separate stream. Default 0. */
  seed?: number;
  /** 'stationary' (default) or a fixed θ_0 − μ (and θ_{−1} − μ) */
  start?: DiffusionStart;
}

export interface MeasuredDiffusion {
  steps: number[];
  chains: number;
  /** ensemble means of Δ(k) and their standard errors (chain-level: sd/√B) */
  dist2: number[];
  dist2Se: number[];
  /** ensemble means of δ(k) and standard errors */
  step2: number[];
  step2Se: number[];
  /** per-chain Δ(k): row-major [steps.length × chains] (for bootstraps) */
  perChainDist2: Float64Array;
}

function dimOf(a: DiffusionProblem['H']): number {
  return a instanceof Float64Array ? Math.round(Math.sqrt(a.length)) : a.length;
}

/** Every chain finite at the end (a diverging learning rate gives ±∞/NaN). */
function checkFinite(theta: Float64Array, B: number, where: string): void {
  let bad = 0;
  const m = theta.length / B;
  for (let c = 0; c < B; c++)
    for (let i = 0; i < m; i++)
      if (!Number.isFinite(theta[c * m + i]!)) {
        bad++;
        break;
      }
  if (bad > 0) throw new InputError(`${where}: ${bad} of ${B} chains diverged (non-finite θ): lower the learning rate`);
}

/** Initial (θ_0, θ_{−1}) of every chain: a fixed point, or draws from the exact discrete stationary law. */
export function initialStates(p: DiffusionProblem, m: number, B: number, start: DiffusionStart, seed: number): { theta0: Float64Array; thetaPrev: Float64Array } {
  const theta0 = new Float64Array(B * m);
  const thetaPrev = new Float64Array(B * m);
  if (start === 'stationary') {
    const ch = discreteChain(p);
    const L = choleskyPsd(ch.P, 2 * m, undefined, 'stationary start');
    const r = new Rng(seed + 2 ** 40); // a stream disjoint from the chains' Rng(seed + c)
    const z = new Float64Array(2 * m);
    for (let c = 0; c < B; c++) {
      r.fillNormal(z);
      for (let i = 0; i < 2 * m; i++) {
        let s = 0;
        for (let j = 0; j <= i; j++) s += L[i * 2 * m + j]! * z[j]!;
        if (i < m) theta0[c * m + i] = s;
        else thetaPrev[c * m + i - m] = s;
      }
    }
    return { theta0, thetaPrev };
  }
  const t0 = start.theta0;
  const tp = start.thetaPrev ?? t0;
  if (t0.length !== m || tp.length !== m) throw new InputError(`simulateDiffusion: start.theta0/thetaPrev must have length ${m}`);
  for (let c = 0; c < B; c++)
    for (let i = 0; i < m; i++) {
      theta0[c * m + i] = t0[i]!;
      thetaPrev[c * m + i] = tp[i]!;
    }
  return { theta0, thetaPrev };
}

export function checkSimSteps(steps: readonly number[], where: string): number[] {
  if (!Array.isArray(steps) || steps.length === 0) throw new InputError(`${where}: steps must be a non-empty array`);
  for (let i = 0; i < steps.length; i++) {
    const k = steps[i]!;
    if (!Number.isInteger(k) || k < 1) throw new InputError(`${where}: step ${k} is not an integer ≥ 1`);
    if (i > 0 && k <= steps[i - 1]!) throw new InputError(`${where}: steps must be strictly increasing`);
  }
  return [...steps];
}

/** B chains of the problem's SGD (its H, Σ and hyper-parameters) from `start`, `steps` steps, states kept at `record`. */
function problemEnsemble(
  p: DiffusionProblem,
  H: Float64Array,
  B: number,
  start: { theta0: ArrayLike<number>; thetaPrev?: ArrayLike<number> },
  steps: number,
  seed: number,
  record: number[],
): ReturnType<typeof linearSgdEnsemble> {
  const { eta, beta = 0, weightDecay = 0, batchSize } = p.hyper;
  return linearSgdEnsemble({ H, Sigma: p.Sigma, chains: B, ...start, eta, beta, weightDecay, batchSize, steps, seed, record });
}

/** Run B chains of SGD on the quadratic and measure Δ(k), δ(k) with chain-level standard errors. */
export function simulateDiffusion(p: DiffusionProblem, o: SimulateOptions): MeasuredDiffusion {
  const where = 'simulateDiffusion';
  const m = dimOf(p.H);
  const H = toDense(p.H, m, 'H', where);
  const B = o.chains;
  if (!Number.isInteger(B) || B < 2) throw new InputError(`${where}: chains must be an integer ≥ 2 (standard errors need two), got ${B}`);
  const ks = checkSimSteps(o.steps, where);
  const seed = o.seed ?? 0;
  const { theta0, thetaPrev } = initialStates(p, m, B, o.start ?? 'stationary', seed);
  const record = [...new Set([0, ...ks, ...ks.map((k) => k + 1)])].sort((a, b) => a - b);
  const res = problemEnsemble(p, H, B, { theta0, thetaPrev }, ks[ks.length - 1]! + 1, seed, record);
  checkFinite(res.theta, B, where);
  return summarizeEnsemble(ks, B, m, (k) => res.trajectory.subarray(record.indexOf(k) * B * m, (record.indexOf(k) + 1) * B * m));
}

/**
 * Δ(k), δ(k) means with chain-level standard errors from recorded ensembles: `at(k)` is the [B × m] state at
 * step k (k = 0, every k in ks and k + 1). Shared by the float64 and the tfjs simulations.
 */
export function summarizeEnsemble(ks: readonly number[], B: number, m: number, at: (k: number) => ArrayLike<number>): MeasuredDiffusion {
  const X0 = at(0);
  const perChainDist2 = new Float64Array(ks.length * B);
  const dist2: number[] = [];
  const dist2Se: number[] = [];
  const step2: number[] = [];
  const step2Se: number[] = [];
  const meanSe = (vals: Float64Array): [number, number] => {
    let s = 0;
    for (const v of vals) s += v;
    const mean = s / vals.length;
    let ss = 0;
    for (const v of vals) ss += (v - mean) ** 2;
    return [mean, Math.sqrt(ss / (vals.length - 1) / vals.length)];
  };
  const d = new Float64Array(B);
  const st = new Float64Array(B);
  ks.forEach((k, j) => {
    const Xk = at(k);
    const Xk1 = at(k + 1);
    for (let c = 0; c < B; c++) {
      let a = 0;
      let b = 0;
      for (let i = 0; i < m; i++) {
        a += (Xk[c * m + i]! - X0[c * m + i]!) ** 2;
        b += (Xk1[c * m + i]! - Xk[c * m + i]!) ** 2;
      }
      d[c] = a;
      st[c] = b;
      perChainDist2[j * B + c] = a;
    }
    const [dm, ds] = meanSe(d);
    const [sm, ss] = meanSe(st);
    dist2.push(dm);
    dist2Se.push(ds);
    step2.push(sm);
    step2Se.push(ss);
  });
  return { steps: [...ks], chains: B, dist2, dist2Se, step2, step2Se, perChainDist2 };
}

export interface BootstrapExponent extends ExponentFit {
  /** percentile interval of the exponent over bootstrap resamples of the chains */
  ci: [number, number];
  /** bootstrap standard deviation of the exponent */
  bootstrapSe: number;
  resamples: number;
}

/**
 * The exponent of the ensemble-mean Δ(k) over a window, with a bootstrap over chains (resample the B chains
 * with replacement, refit; `level` percentile interval, default 95 %). Deterministic for a given seed.
 */
export function bootstrapExponent(
  meas: Pick<MeasuredDiffusion, 'steps' | 'chains' | 'perChainDist2' | 'dist2'>,
  opts: { kMin?: number; kMax?: number; resamples?: number; seed?: number; level?: number } = {},
): BootstrapExponent {
  const where = 'bootstrapExponent';
  const win = { ...(opts.kMin !== undefined ? { kMin: opts.kMin } : {}), ...(opts.kMax !== undefined ? { kMax: opts.kMax } : {}) };
  const fit = fitExponent(meas.steps, meas.dist2, win, where);
  const R = opts.resamples ?? 200;
  if (!Number.isInteger(R) || R < 10) throw new InputError(`${where}: resamples must be an integer ≥ 10, got ${R}`);
  const level = opts.level ?? 0.95;
  if (!(level > 0 && level < 1)) throw new InputError(`${where}: level must lie in (0, 1), got ${level}`);
  const B = meas.chains;
  const K = meas.steps.length;
  const r = new Rng((opts.seed ?? 0) + 2 ** 41);
  const idx = new Int32Array(B);
  const mean = new Float64Array(K);
  const slopes: number[] = [];
  for (let s = 0; s < R; s++) {
    for (let c = 0; c < B; c++) idx[c] = r.int(0, B);
    for (let j = 0; j < K; j++) {
      let a = 0;
      for (let c = 0; c < B; c++) a += meas.perChainDist2[j * B + idx[c]!]!;
      mean[j] = a / B;
    }
    slopes.push(fitExponent(meas.steps, mean, win, where).exponent);
  }
  slopes.sort((a, b) => a - b);
  const q = (x: number): number => slopes[Math.min(R - 1, Math.max(0, Math.round(x * (R - 1))))]!;
  const mu = slopes.reduce((a, b) => a + b, 0) / R;
  const sd = Math.sqrt(slopes.reduce((a, b) => a + (b - mu) ** 2, 0) / (R - 1));
  return { ...fit, ci: [q((1 - level) / 2), q(1 - (1 - level) / 2)], bootstrapSe: sd, resamples: R };
}

export interface PhaseSpaceMeasurement {
  /** time- and ensemble-averaged E[θ_k v_kᵀ], v_k = (θ_{k+1} − θ_{k−1})/(2η), row-major m×m, and its chain-level SE */
  crossCov: Float64Array;
  crossCovSe: Float64Array;
  /** per Hessian eigendirection (ascending eigenvalues): rotation per step from the AR(2) fit of the autocovariance */
  rotation: number[];
  rotationSe: number[];
  hessianEigenvalues: number[];
  /** H eigenvectors (columns), row-major m×m */
  U: Float64Array;
  /** one chain's trajectory in the eigenbasis: rows k = 0…T, a_k = Uᵀθ_k (m values) — for phase portraits */
  sample: Float64Array;
  steps: number;
}

/**
 * Stationary chains recorded at every step for `steps` steps: the θ–v cross-covariance (centred velocity) and
 * the rotation per step of each eigendirection a = u_iᵀθ. The rotation comes from least squares on the
 * autocovariance recursion γ_{j+1} + b γ_{j−1} = a γ_j over lags 1…maxLag (exact for the mode's AR(2)
 * dynamics, which depend on H alone), then φ = arccos(a/(2√b)); it is fitted per chain and averaged.
 */
export function measurePhaseSpace(p: DiffusionProblem, o: { chains: number; steps: number; seed?: number; maxLag?: number }): PhaseSpaceMeasurement {
  const where = 'measurePhaseSpace';
  const m = dimOf(p.H);
  const H = toDense(p.H, m, 'H', where);
  const B = o.chains;
  const T = o.steps;
  if (!Number.isInteger(B) || B < 2) throw new InputError(`${where}: chains must be an integer ≥ 2, got ${B}`);
  if (!Number.isInteger(T) || T < 10) throw new InputError(`${where}: steps must be an integer ≥ 10, got ${T}`);
  const maxLag = o.maxLag ?? 8;
  const seed = o.seed ?? 0;
  const { theta0, thetaPrev } = initialStates(p, m, B, 'stationary', seed);
  const record = Array.from({ length: T + 1 }, (_, k) => k);
  const res = problemEnsemble(p, H, B, { theta0, thetaPrev }, T, seed, record);
  checkFinite(res.theta, B, where);
  const X = res.trajectory; // [T+1][B][m]
  const at = (k: number, c: number, i: number): number => X[(k * B + c) * m + i]!;
  const eta = p.hyper.eta;
  // cross-covariance per chain
  const perChain = new Float64Array(B * m * m);
  for (let c = 0; c < B; c++)
    for (let k = 1; k < T; k++)
      for (let i = 0; i < m; i++)
        for (let j = 0; j < m; j++) perChain[(c * m + i) * m + j] += (at(k, c, i) * (at(k + 1, c, j) - at(k - 1, c, j))) / (2 * eta) / (T - 1);
  const crossCov = new Float64Array(m * m);
  const crossCovSe = new Float64Array(m * m);
  for (let e = 0; e < m * m; e++) {
    let s = 0;
    for (let c = 0; c < B; c++) s += perChain[c * m * m + e]!;
    const mu = s / B;
    let ss = 0;
    for (let c = 0; c < B; c++) ss += (perChain[c * m * m + e]! - mu) ** 2;
    crossCov[e] = mu;
    crossCovSe[e] = Math.sqrt(ss / (B - 1) / B);
  }
  // modes
  const eig = symmetricEigen(H, where);
  const values = Array.from(eig.values);
  const U = eig.vectors;
  const rotation: number[] = [];
  const rotationSe: number[] = [];
  const a = new Float64Array(T + 1);
  const sample = new Float64Array((T + 1) * m);
  for (let i = 0; i < m; i++) {
    const phis: number[] = [];
    for (let c = 0; c < B; c++) {
      for (let k = 0; k <= T; k++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += U[j * m + i]! * at(k, c, j);
        a[k] = s;
        if (c === 0) sample[k * m + i] = s;
      }
      const g: number[] = [];
      for (let lag = 0; lag <= maxLag + 1; lag++) {
        let s = 0;
        for (let k = 0; k + lag <= T; k++) s += a[k]! * a[k + lag]!;
        g.push(s / (T + 1 - lag));
      }
      // least squares for (α, b) in γ_{j+1} = α γ_j − b γ_{j−1}, j = 1…maxLag
      let s11 = 0, s12 = 0, s22 = 0, r1 = 0, r2 = 0;
      for (let j = 1; j <= maxLag; j++) {
        const x1 = g[j]!, x2 = -g[j - 1]!, y = g[j + 1]!;
        s11 += x1 * x1;
        s12 += x1 * x2;
        s22 += x2 * x2;
        r1 += x1 * y;
        r2 += x2 * y;
      }
      const det = s11 * s22 - s12 * s12;
      const alpha = (r1 * s22 - r2 * s12) / det;
      const b = (s11 * r2 - s12 * r1) / det;
      const cos = b > 0 ? alpha / (2 * Math.sqrt(b)) : 1;
      phis.push(Math.acos(Math.max(-1, Math.min(1, cos))));
    }
    const mu = phis.reduce((x, y) => x + y, 0) / B;
    rotation.push(mu);
    rotationSe.push(Math.sqrt(phis.reduce((x, y) => x + (y - mu) ** 2, 0) / (B - 1) / B));
  }
  return { crossCov, crossCovSe, rotation, rotationSe, hessianEigenvalues: values, U, sample, steps: T };
}

export interface LinearRegressionData {
  /** design matrix, row-major N × m */
  X: Float64Array;
  y: Float64Array;
  N: number;
  m: number;
  /** least-squares optimum μ = (XᵀX)⁻¹Xᵀy */
  optimum: Float64Array;
  /** H = XᵀX/N (row-major m×m) */
  H: number[][];
  /**
   * Σ at the optimum: (1/N) Σ_i r_i² x_i x_iᵀ − ∇L∇Lᵀ with r_i the residual (∇L = 0 there): the label-noise
   * gradient covariance of langevin.md "Linear regression" (≈ σ²H for Gaussian labels), computed from the data
   */
  Sigma: number[][];
}

/**
 * Seeded synthetic linear regression whose Hessian spectrum spans `decades` decades: feature j has scale
 * 10^{−decades·j/(2(m−1))} (so H's eigenvalues run from ~1 down to ~10^{−decades}) after a random rotation,
 * labels y = x·θ* + σ ξ (label noise). H and Σ are computed from the data at the least-squares optimum.
 */
export function linearRegressionData(o: { dim: number; samples: number; decades: number; labelNoise: number; seed?: number }): LinearRegressionData {
  const where = 'linearRegressionData';
  const { dim: m, samples: N, decades, labelNoise: sigma } = o;
  if (!Number.isInteger(m) || m < 1) throw new InputError(`${where}: dim must be an integer ≥ 1, got ${m}`);
  if (!Number.isInteger(N) || N < m + 1) throw new InputError(`${where}: samples must be an integer > dim, got ${N}`);
  if (!(decades >= 0 && decades <= 12)) throw new InputError(`${where}: decades must lie in [0, 12], got ${decades}`);
  if (!(sigma > 0 && Number.isFinite(sigma))) throw new InputError(`${where}: labelNoise must be a finite number > 0, got ${sigma}`);
  const r = new Rng(o.seed ?? 0);
  // random rotation Q from Gram–Schmidt of a Gaussian matrix
  const Q = new Float64Array(m * m);
  r.fillNormal(Q);
  for (let j = 0; j < m; j++) {
    for (let k = 0; k < j; k++) {
      let d = 0;
      for (let i = 0; i < m; i++) d += Q[i * m + j]! * Q[i * m + k]!;
      for (let i = 0; i < m; i++) Q[i * m + j] = Q[i * m + j]! - d * Q[i * m + k]!;
    }
    let nn = 0;
    for (let i = 0; i < m; i++) nn += Q[i * m + j]! ** 2;
    nn = Math.sqrt(nn);
    for (let i = 0; i < m; i++) Q[i * m + j] = Q[i * m + j]! / nn;
  }
  const scale = Array.from({ length: m }, (_, j) => 10 ** (-(decades * j) / (2 * Math.max(1, m - 1))));
  const X = new Float64Array(N * m);
  const y = new Float64Array(N);
  const thetaStar = new Float64Array(m);
  r.fillNormal(thetaStar);
  const z = new Float64Array(m);
  for (let n = 0; n < N; n++) {
    r.fillNormal(z);
    for (let i = 0; i < m; i++) {
      let s = 0;
      for (let j = 0; j < m; j++) s += Q[i * m + j]! * scale[j]! * z[j]!;
      X[n * m + i] = s;
    }
    let t = 0;
    for (let i = 0; i < m; i++) t += X[n * m + i]! * thetaStar[i]!;
    y[n] = t + sigma * r.normal();
  }
  // normal equations by Cholesky (H is SPD for N > m with probability 1)
  const Hf = new Float64Array(m * m);
  const b = new Float64Array(m);
  for (let n = 0; n < N; n++)
    for (let i = 0; i < m; i++) {
      b[i] = b[i]! + (X[n * m + i]! * y[n]!) / N;
      for (let j = 0; j < m; j++) Hf[i * m + j] = Hf[i * m + j]! + (X[n * m + i]! * X[n * m + j]!) / N;
    }
  const L = choleskyPsd(Hf, m, undefined, where);
  const w = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * m + k]! * w[k]!;
    if (!(L[i * m + i]! > 0)) throw new InputError(`${where}: the design is rank-deficient (use fewer decades or more samples)`);
    w[i] = s / L[i * m + i]!;
  }
  const mu = new Float64Array(m);
  for (let i = m - 1; i >= 0; i--) {
    let s = w[i]!;
    for (let k = i + 1; k < m; k++) s -= L[k * m + i]! * mu[k]!;
    mu[i] = s / L[i * m + i]!;
  }
  const Sg = new Float64Array(m * m);
  for (let n = 0; n < N; n++) {
    let res = -y[n]!;
    for (let i = 0; i < m; i++) res += X[n * m + i]! * mu[i]!;
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) Sg[i * m + j] = Sg[i * m + j]! + (res * res * X[n * m + i]! * X[n * m + j]!) / N;
  }
  const rows = (a: Float64Array): number[][] => Array.from({ length: m }, (_, i) => Array.from(a.subarray(i * m, (i + 1) * m)));
  // exact symmetry (the sums above are symmetric up to the order of additions)
  for (let i = 0; i < m; i++)
    for (let j = 0; j < i; j++) {
      Hf[j * m + i] = Hf[i * m + j]!;
      Sg[j * m + i] = Sg[i * m + j]!;
    }
  return { X, y, N, m, optimum: mu, H: rows(Hf), Sigma: rows(Sg) };
}

/**
 * The same measurement with real minibatch SGD on the regression data (label noise, sampling with
 * replacement: Cov ε = Σ(θ)/S with Σ(θ) the per-example gradient covariance, langevin.md "Discrete update"),
 * chain by chain with `sgdMinibatch`: per-example gradients ∇ℓ_i = x_i(x_iᵀθ − y_i). Chain c starts at
 * μ + a Gaussian draw with the process's exact stationary second moments (`effectiveMinibatchNoise`) and
 * uses seed + c. Its Δ(k), δ(k) are predicted exactly by the Gaussian model with Σ_eff; the constant Σ(μ) of
 * langevin.md "Linear regression" underestimates them by O(η tr H/S).
 */
export function simulateMinibatchDiffusion(
  data: LinearRegressionData,
  hyper: { eta: number; beta?: number; batchSize: number; weightDecay?: number },
  o: { chains: number; steps: readonly number[]; seed?: number },
): MeasuredDiffusion {
  const where = 'simulateMinibatchDiffusion';
  const { m, N, X, y, optimum } = data;
  const B = o.chains;
  if (!Number.isInteger(B) || B < 2) throw new InputError(`${where}: chains must be an integer ≥ 2, got ${B}`);
  if (hyper.weightDecay) throw new InputError(`${where}: weightDecay must be 0 here (the stationary point of the regression is μ only without it)`);
  const ks = checkSimSteps(o.steps, where);
  const seed = o.seed ?? 0;
  // the start: the exact stationary second moments of the minibatch process (Σ_eff, effectiveMinibatchNoise)
  const { theta0, thetaPrev } = initialStates({ H: data.H, Sigma: effectiveMinibatchNoise(data, hyper).Sigma, hyper }, m, B, 'stationary', seed);
  const record = [...new Set([0, ...ks, ...ks.map((k) => k + 1)])].sort((a, b) => a - b);
  const states = record.map(() => new Float64Array(B * m));
  const gradExample = (theta: Float64Array, i: number, out: Float64Array): void => {
    let r = -y[i]!;
    for (let j = 0; j < m; j++) r += X[i * m + j]! * theta[j]!;
    for (let j = 0; j < m; j++) out[j] = X[i * m + j]! * r;
  };
  for (let c = 0; c < B; c++) {
    const t0 = new Float64Array(m);
    const tp = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      t0[i] = optimum[i]! + theta0[c * m + i]!;
      tp[i] = optimum[i]! + thetaPrev[c * m + i]!;
    }
    const res = sgdMinibatch({ gradExample, nData: N, batchSize: hyper.batchSize, theta0: t0, thetaPrev: tp, eta: hyper.eta, beta: hyper.beta ?? 0, steps: ks[ks.length - 1]! + 1, seed: seed + c, record });
    if (!res.finite) throw new InputError(`${where}: chain ${c} diverged: lower the learning rate`);
    record.forEach((_, r) => states[r]!.set(res.trajectory.subarray(r * m, (r + 1) * m), c * m));
  }
  return summarizeEnsemble(ks, B, m, (k) => states[record.indexOf(k)]!);
}

/**
 * The exact second-moment noise of minibatch SGD (with replacement) on the regression data in stationarity.
 * Given θ, Cov ε = Σ(θ)/S with Σ(θ) = (1/N) Σ_i r_i(θ)² x_i x_iᵀ − ∇L∇Lᵀ (langevin.md "Discrete update").
 * With δ = θ − μ, r_i(θ) = r_i(μ) + x_iᵀδ and ∇L = Hδ; averaging over the stationary law (E δ = 0,
 * Cov δ = C) gives Σ_eff = Σ(μ) + (1/N) Σ_i (x_iᵀ C x_i) x_i x_iᵀ − H C H. The noise is a martingale
 * difference, so the second moments of the recursion — hence Δ(k), δ(k) from stationarity — are exactly
 * those of the Gaussian model with constant Σ_eff; C itself depends on Σ_eff (C = the θθ block of the
 * discrete stationary covariance), solved here by fixed-point iteration (a contraction: the correction is
 * O(η tr H/S) relative). Needs weight decay 0 (μ is then the stationary mean).
 */
export function effectiveMinibatchNoise(data: LinearRegressionData, hyper: { eta: number; beta?: number; batchSize: number }, opts: { tol?: number; maxIter?: number } = {}): { Sigma: number[][]; iterations: number } {
  const where = 'effectiveMinibatchNoise';
  const { m, N, X } = data;
  const H = toDense(data.H, m, 'H', where);
  const S0 = toDense(data.Sigma, m, 'Sigma', where);
  const tol = opts.tol ?? 1e-13;
  const maxIter = opts.maxIter ?? 200;
  let Sg = Float64Array.from(S0);
  for (let it = 1; it <= maxIter; it++) {
    const ch = discreteChain({ H: data.H, Sigma: Sg, hyper });
    const n = 2 * m;
    const C = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) C[i * m + j] = ch.P[i * n + j]!;
    const next = Float64Array.from(S0);
    for (let r = 0; r < N; r++) {
      let q = 0;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) q += X[r * m + i]! * C[i * m + j]! * X[r * m + j]!;
      for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) next[i * m + j] = next[i * m + j]! + (q * X[r * m + i]! * X[r * m + j]!) / N;
    }
    // − H C H
    for (let i = 0; i < m; i++)
      for (let j = 0; j < m; j++) {
        let s = 0;
        for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) s += H[i * m + a]! * C[a * m + b]! * H[b * m + j]!;
        next[i * m + j] = next[i * m + j]! - s;
      }
    for (let i = 0; i < m; i++)
      for (let j = 0; j < i; j++) {
        const s = 0.5 * (next[i * m + j]! + next[j * m + i]!);
        next[i * m + j] = s;
        next[j * m + i] = s;
      }
    let diff = 0;
    let scale = 0;
    for (let e = 0; e < m * m; e++) {
      diff = Math.max(diff, Math.abs(next[e]! - Sg[e]!));
      scale = Math.max(scale, Math.abs(next[e]!));
    }
    Sg = next;
    if (diff <= tol * scale) return { Sigma: Array.from({ length: m }, (_, i) => Array.from(Sg.subarray(i * m, (i + 1) * m))), iterations: it };
  }
  throw new InputError(`${where}: the fixed point did not converge in ${maxIter} iterations (learning rate too close to the stability limit)`);
}

export interface MeanPath {
  /** Hessian eigenvalues (ascending) and eigenvectors (columns, row-major) defining the modes */
  hessianEigenvalues: number[];
  U: Float64Array;
  /** per mode [mode][k], k = 1 … steps − 1: ensemble mean of a_k = u_iᵀ(θ_k − μ) and of the centred velocity
   * v_k = (a_{k+1} − a_{k−1})/(2η), with standard errors */
  a: number[][];
  aSe: number[][];
  v: number[][];
  vSe: number[][];
  /** the same means predicted by the exact discrete recursion, E x_k = M^k x_0 */
  aPredicted: number[][];
  vPredicted: number[][];
}

/**
 * The mean phase-space spiral per Hessian eigendirection from a displaced start θ_0 − μ (θ_{−1} = θ_0): a
 * seeded ensemble against E x_k = M^k x_0 of the exact discrete recursion (docs/theory/langevin.md, "Linear
 * regression: exact solutions": per mode a damped oscillator).
 */
export function measureMeanPath(p: DiffusionProblem, theta0: readonly number[], o: { chains: number; steps: number; seed?: number }): MeanPath {
  const where = 'measureMeanPath';
  const m = p.H instanceof Float64Array ? Math.round(Math.sqrt(p.H.length)) : p.H.length;
  const H = toDense(p.H, m, 'H', where);
  const B = o.chains;
  const T = o.steps;
  if (!Number.isInteger(B) || B < 2) throw new InputError(`${where}: chains must be an integer ≥ 2, got ${B}`);
  if (!Number.isInteger(T) || T < 3) throw new InputError(`${where}: steps must be an integer ≥ 3, got ${T}`);
  if (theta0.length !== m) throw new InputError(`${where}: theta0 has length ${theta0.length}, expected ${m}`);
  const record = Array.from({ length: T + 1 }, (_, k) => k);
  const res = problemEnsemble(p, H, B, { theta0 }, T, o.seed ?? 0, record);
  checkFinite(res.theta, B, where);
  const eig = symmetricEigen(H, where);
  const U = eig.vectors;
  const eta = p.hyper.eta;
  const ch = discreteChain(p);
  const n = 2 * m;
  // predicted path x_k = M^k x_0, x_0 = (θ_0, θ_0)
  const path: Float64Array[] = [];
  let x = new Float64Array(n);
  for (let i = 0; i < m; i++) x[i] = x[m + i] = theta0[i]!;
  path.push(x);
  for (let k = 0; k < T; k++) {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += ch.phi[i * n + j]! * x[j]!;
      y[i] = s;
    }
    path.push(y);
    x = y;
  }
  const proj = (vec: ArrayLike<number>, off: number, i: number): number => {
    let s = 0;
    for (let j = 0; j < m; j++) s += U[j * m + i]! * vec[off + j]!;
    return s;
  };
  const out: MeanPath = { hessianEigenvalues: Array.from(eig.values), U, a: [], aSe: [], v: [], vSe: [], aPredicted: [], vPredicted: [] };
  const X = res.trajectory;
  for (let i = 0; i < m; i++) {
    const a: number[] = [], aSe: number[] = [], v: number[] = [], vSe: number[] = [], ap: number[] = [], vp: number[] = [];
    for (let k = 1; k < T; k++) {
      let sa = 0, sa2 = 0, sv = 0, sv2 = 0;
      for (let c = 0; c < B; c++) {
        const ak = proj(X, (k * B + c) * m, i);
        const vk = (proj(X, ((k + 1) * B + c) * m, i) - proj(X, ((k - 1) * B + c) * m, i)) / (2 * eta);
        sa += ak;
        sa2 += ak * ak;
        sv += vk;
        sv2 += vk * vk;
      }
      const ma = sa / B, mv = sv / B;
      a.push(ma);
      v.push(mv);
      aSe.push(Math.sqrt(Math.max(0, (sa2 / B - ma * ma) / (B - 1))));
      vSe.push(Math.sqrt(Math.max(0, (sv2 / B - mv * mv) / (B - 1))));
      ap.push(proj(path[k]!, 0, i));
      vp.push((proj(path[k + 1]!, 0, i) - proj(path[k - 1]!, 0, i)) / (2 * eta));
    }
    out.a.push(a);
    out.aSe.push(aSe);
    out.v.push(v);
    out.vSe.push(vSe);
    out.aPredicted.push(ap);
    out.vPredicted.push(vp);
  }
  return out;
}
