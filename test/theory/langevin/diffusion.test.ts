import { describe, expect, it } from 'vitest';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import {
  batchSizeMap,
  chainDiffusion,
  commutingModes,
  continuousChain,
  continuousModeDist2,
  crossoverSteps,
  discreteChain,
  discreteModeDiffusion,
  fitExponent,
  learningRateMap,
  logSteps,
  perModeDiffusion,
  predictDiffusion,
  rotationPerStep,
  stationaryThetaCovariance,
  stepSizeLaw,
  thetaVelocityCrossCovariance,
} from '../../../src/theory/langevin/diffusion.ts';
import { dop853 } from '../../../src/numeric/ode.ts';
import { phaseSpaceOU } from '../../../src/numeric/lyapunov.ts';
import { InputError } from '../../../src/errors.ts';

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

// a non-commuting 2-D case with momentum and weight decay
const Hn = [[1, 0.3], [0.3, 0.2]];
const Sn = [[0.5, -0.1], [-0.1, 1]];
const hyperN = { eta: 0.1, beta: 0.9, batchSize: 4, weightDecay: 0.01 };

/**
 * Second derivation, written separately: propagate the joint second moments of (z_k, z_0) of the two-step
 * recursion θ_{k+1} = θ_k − η((H+λ)θ_k + ε_k) + β(θ_k − θ_{k−1}) step by step, with scalar loops over
 * the 2-D coordinates (no matrix powers, no stationary solve: the stationary start is reached by burning in).
 */
function bruteDiscrete(H: number[][], Sg: number[][], h: { eta: number; beta: number; batchSize: number; weightDecay: number }, kMax: number, start: 'stationary' | number[]): { dist2: number[]; step2: number[] } {
  const m = H.length;
  const { eta, beta, batchSize: S, weightDecay: lam } = h;
  // state z = (θ_k, θ_{k−1}); moments: mean μ_z, covariance Czz, cross Cz0 = Cov(z_k, z_0)
  const n = 2 * m;
  const M: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) M[i]![j] = (i === j ? 1 + beta - eta * lam : 0) - eta * H[i]![j]!;
    M[i]![m + i] = -beta;
    M[m + i]![i] = 1;
  }
  const Wn = (i: number, j: number): number => (i < m && j < m ? (eta * eta * Sg[i]![j]!) / S : 0);
  const step = (C: number[][]): number[][] => {
    const out: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) s += M[i]![a]! * C[a]![b]! * M[j]![b]!;
      out[i]![j] = s + Wn(i, j);
    }
    return out;
  };
  const left = (C: number[][]): number[][] => C.map((_, i) => C[0]!.map((_, j) => { let s = 0; for (let a = 0; a < n; a++) s += M[i]![a]! * C[a]![j]!; return s; }));
  let C: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let mean = new Array<number>(n).fill(0);
  if (start === 'stationary') for (let b = 0; b < 20000; b++) C = step(C);
  else mean = [...start, ...start];
  const C0 = C.map((r) => [...r]);
  const m0 = [...mean];
  let X = C0.map((r) => [...r]); // Cov(z_k, z_0)
  const dist2: number[] = [];
  const step2: number[] = [];
  for (let k = 0; k <= kMax; k++) {
    let d = 0;
    for (let i = 0; i < m; i++) d += (mean[i]! - m0[i]!) ** 2 + C[i]![i]! + C0[i]![i]! - 2 * X[i]![i]!;
    dist2.push(d);
    // δ(k): θ_{k+1} − θ_k = ((M − I) z)_θ + noise
    let s = 0;
    for (let i = 0; i < m; i++) {
      let mi = 0;
      for (let a = 0; a < n; a++) mi += (M[i]![a]! - (i === a ? 1 : 0)) * mean[a]!;
      let v = Wn(i, i);
      for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) v += (M[i]![a]! - (i === a ? 1 : 0)) * C[a]![b]! * (M[i]![b]! - (i === b ? 1 : 0));
      s += mi * mi + v;
    }
    step2.push(s);
    mean = mean.map((_, i) => mean.reduce((acc, x, a) => acc + M[i]![a]! * x, 0));
    C = step(C);
    X = left(X);
  }
  return { dist2, step2 };
}

describe('exact discrete recursion: Δ(k), δ(k)', () => {
  it('matrix-power route = step-by-step moment propagation (non-commuting, momentum), stationary and fixed start', () => {
    const ks = [0, 1, 2, 7, 50, 333];
    const ch = discreteChain({ H: Hn, Sigma: Sn, hyper: hyperN });
    for (const start of ['stationary', [0.7, -1.1]] as const) {
      const brute = bruteDiscrete(Hn, Sn, hyperN, 333, start === 'stationary' ? 'stationary' : [...start]);
      const got = chainDiffusion(ch, ks, start === 'stationary' ? 'stationary' : { theta0: start }, hyperN.eta);
      ks.forEach((k, i) => {
        if (k > 0) expect(rel(got.dist2[i]!, brute.dist2[k]!)).toBeLessThan(1e-9);
        else expect(Math.abs(got.dist2[i]!)).toBeLessThan(1e-14);
        expect(rel(got.step2[i]!, brute.step2[k]!)).toBeLessThan(1e-9);
      });
    }
  });

  it('1-D stationary variance = η σ²(1+β)/(S q (1−β)(2(1+β) − ηq)): the continuous value times 1/(1 − ηq/(2(1+β)))', () => {
    for (const [h, s, eta, beta, S, lam] of [[1, 2, 0.3, 0, 8, 0], [0.5, 1, 0.2, 0.9, 3, 0.1], [4, 0.3, 0.05, 0.5, 1, 0]] as const) {
      const p = { H: [[h]], Sigma: [[s]], hyper: { eta, beta, batchSize: S, weightDecay: lam } };
      const q = h + lam;
      const want = (eta * s * (1 + beta)) / (S * q * (1 - beta) * (2 * (1 + beta) - eta * q));
      const disc = stationaryThetaCovariance(discreteChain(p))[0]!;
      const cont = stationaryThetaCovariance(continuousChain(p))[0]!;
      expect(rel(disc, want)).toBeLessThan(1e-12);
      expect(rel(cont, (eta * s) / (2 * S * (1 - beta) * q))).toBeLessThan(1e-10);
      expect(rel(disc / cont, 1 / (1 - (eta * q) / (2 * (1 + beta))))).toBeLessThan(1e-10);
      // far beyond saturation Δ → 2 Var θ in both models: the gap of Δ is that same factor
      const pr = predictDiffusion(p, [200000]);
      expect(rel(pr.gapDist2[0]!, 1 / (1 - (eta * q) / (2 * (1 + beta))))).toBeLessThan(1e-8);
    }
  });

  it('per-mode closed form (AR(2) autocovariance) = matrix route, underdamped, overdamped, critical and β = 0 modes', () => {
    // mode curvatures chosen to hit every root type of r² − (1+β−ηq) r + β
    const beta = 0.25, eta = 0.5;
    const qCrit = (1 + beta - 2 * Math.sqrt(beta)) / eta; // double root
    const Hd = [0.05, qCrit, 1.5, 3.9];
    const Sd = [1, 0.5, 2, 0.1];
    const diag = (v: number[]): number[][] => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));
    for (const b of [beta, 0]) {
      const hyper = { eta, beta: b, batchSize: 2 };
      const ks = [1, 3, 10, 100, 1000];
      const pm = perModeDiffusion(diag(Hd), diag(Sd), hyper, ks);
      const pr = predictDiffusion({ H: diag(Hd), Sigma: diag(Sd), hyper }, ks);
      ks.forEach((_, i) => {
        expect(rel(pm.discrete.dist2[i]!, pr.discrete.dist2[i]!)).toBeLessThan(1e-8);
        expect(rel(pm.continuous.dist2[i]!, pr.continuous.dist2[i]!)).toBeLessThan(1e-8);
      });
      expect(rel(pm.discrete.step2, pr.discrete.step2[0]!)).toBeLessThan(1e-9);
      // per mode: each mode alone (a 1-D problem) through the matrix route
      pm.modes.forEach((md, i) => {
        const one = predictDiffusion({ H: [[md.hessian]], Sigma: [[md.noise]], hyper }, ks);
        ks.forEach((_, j) => expect(rel(pm.discrete.perMode[i]![j]!, one.discrete.dist2[j]!)).toBeLessThan(1e-8));
      });
    }
  });

  it('commutingModes finds the modes in a rotated basis and refuses a non-commuting pair', () => {
    const c = Math.cos(0.4), s = Math.sin(0.4);
    const R = [[c, -s], [s, c]];
    const rot = (d: number[]): number[][] => [0, 1].map((i) => [0, 1].map((j) => R[i]![0]! * d[0]! * R[j]![0]! + R[i]![1]! * d[1]! * R[j]![1]!));
    const modes = commutingModes(rot([2, 0.5]), rot([3, 7]));
    expect(modes[0]!.hessian).toBeCloseTo(0.5, 12);
    expect(modes[0]!.noise).toBeCloseTo(7, 12);
    expect(() => commutingModes(Hn, Sn)).toThrow(InputError);
    // a degenerate H commutes with any Σ: the modes are Σ's eigenvectors, its eigenvalues the noise
    const deg = commutingModes([[2, 0], [0, 2]], [[3, 1], [1, 3]]);
    expect(deg.map((d) => d.hessian)).toEqual([2, 2]);
    expect(deg[0]!.noise).toBeCloseTo(2, 12);
    expect(deg[1]!.noise).toBeCloseTo(4, 12);
    const pm = perModeDiffusion([[2, 0], [0, 2]], [[3, 1], [1, 3]], { eta: 0.1, beta: 0.5, batchSize: 2 }, [1, 10]);
    const pr = predictDiffusion({ H: [[2, 0], [0, 2]], Sigma: [[3, 1], [1, 3]], hyper: { eta: 0.1, beta: 0.5, batchSize: 2 } }, [1, 10]);
    pm.discrete.dist2.forEach((v, i) => expect(rel(v, pr.discrete.dist2[i]!)).toBeLessThan(1e-10));
  });

  it('errors: unstable learning rate, bad steps, asymmetric H', () => {
    expect(() => discreteChain({ H: [[10]], Sigma: [[1]], hyper: { eta: 0.5, batchSize: 1 } })).toThrow(/unstable/);
    expect(() => predictDiffusion({ H: Hn, Sigma: Sn, hyper: hyperN }, [10, 5])).toThrow(/strictly increasing/);
    expect(() => predictDiffusion({ H: [[1, 2], [0, 1]], Sigma: Sn, hyper: hyperN }, [1])).toThrow(/H is not symmetric/);
    expect(() => predictDiffusion({ H: Hn, Sigma: Sn, hyper: { ...hyperN, beta: 1 } }, [1])).toThrow(InputError);
  });
});

describe('continuous model: Δ(t), δ', () => {
  it('from a fixed start and from stationarity = the moment ODEs integrated with DOP853', () => {
    const { A, D, n } = phaseSpaceOU(Hn, Sn, { eta: hyperN.eta, beta: hyperN.beta, batchSize: hyperN.batchSize, weightDecay: hyperN.weightDecay });
    const m = 2;
    const ch = continuousChain({ H: Hn, Sigma: Sn, hyper: hyperN });
    const ks = [1, 4, 30, 120];
    const times = ks.map((k) => k * hyperN.eta);
    // fixed start: mean' = −A mean, C' = −AC − CAᵀ + 2D, C(0) = 0; θ0 = (0.7, −1.1), v0 = 0
    const field = (y: Float64Array, out: Float64Array): void => {
      for (let i = 0; i < n; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s -= A[i * n + j]! * y[j]!;
        out[i] = s;
      }
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = 2 * D[i * n + j]!;
        for (let a = 0; a < n; a++) s -= A[i * n + a]! * y[n + a * n + j]! + y[n + i * n + a]! * A[j * n + a]!;
        out[n + i * n + j] = s;
      }
    };
    const y0 = new Float64Array(n + n * n);
    y0[0] = 0.7; y0[1] = -1.1;
    const r = dop853(field, y0, 0, times, { rtol: 1e-12, atol: 1e-14 });
    const got = chainDiffusion(ch, ks, { theta0: [0.7, -1.1] }, hyperN.eta);
    ks.forEach((_, t) => {
      const y = r.states.subarray(t * y0.length, (t + 1) * y0.length);
      let want = (y[0]! - 0.7) ** 2 + (y[1]! + 1.1) ** 2;
      for (let i = 0; i < m; i++) want += y[n + i * n + i]!;
      expect(rel(got.dist2[t]!, want)).toBeLessThan(1e-8);
    });
    // stationary: X' = −A X, X(0) = C_∞; Δ = 2 tr C_θθ − 2 tr X_θθ
    const fieldX = (y: Float64Array, out: Float64Array): void => {
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = 0;
        for (let a = 0; a < n; a++) s -= A[i * n + a]! * y[a * n + j]!;
        out[i * n + j] = s;
      }
    };
    const rx = dop853(fieldX, ch.P, 0, times, { rtol: 1e-12, atol: 1e-16 });
    const st = chainDiffusion(ch, ks, 'stationary', hyperN.eta);
    ks.forEach((_, t) => {
      const X = rx.states.subarray(t * n * n, (t + 1) * n * n);
      let want = 0;
      for (let i = 0; i < m; i++) want += 2 * ch.P[i * n + i]! - 2 * X[i * n + i]!;
      expect(rel(st.dist2[t]!, want)).toBeLessThan(1e-8);
    });
  });

  it('step-size law: η² tr C_vv = η² tr Σ/(S(1−β²)) exactly; the discrete δ approaches it as η → 0', () => {
    const law = stepSizeLaw({ H: Hn, Sigma: Sn, hyper: hyperN });
    const ch = continuousChain({ H: Hn, Sigma: Sn, hyper: hyperN });
    expect(rel(hyperN.eta ** 2 * (ch.P[2 * 4 + 2]! + ch.P[3 * 4 + 3]!), law)).toBeLessThan(1e-10);
    const gaps = [0.1, 0.01, 0.001].map((eta) => {
      const p = { H: Hn, Sigma: Sn, hyper: { ...hyperN, eta } };
      return Math.abs(predictDiffusion(p, [1]).discrete.step2[0]! / stepSizeLaw(p) - 1);
    });
    expect(gaps[1]!).toBeLessThan(gaps[0]! / 5);
    expect(gaps[2]!).toBeLessThan(gaps[1]! / 5);
    expect(gaps[2]!).toBeLessThan(2e-3);
  });
});

describe('exponents, crossovers, rotation, cross-covariance, hyper-parameter maps', () => {
  it('fitExponent recovers a power law and its window; too few points is an InputError naming the window', () => {
    const ks = logSteps(1, 1000, 20);
    const f = fitExponent(ks, ks.map((k) => 3 * k ** 0.62), { kMin: 2, kMax: 500 });
    expect(f.exponent).toBeCloseTo(0.62, 12);
    expect(f.stderr).toBeLessThan(1e-10);
    expect(() => fitExponent([1, 2, 3], [1, 2, 3], { kMin: 2, kMax: 3 })).toThrow(/fewer than three points/);
    expect(() => fitExponent([1, 2, 3], [1, NaN, 3])).toThrow(/row 1/);
  });

  it('effective exponent: 2 in the ballistic regime, 1 in the Brownian one, < 1 over a wide spectrum, 0 after saturation', () => {
    const hyper = { eta: 0.01, beta: 0.9, batchSize: 1 };
    const ev = [1, 1e-1, 1e-2, 1e-3];
    const cr = crossoverSteps(ev, hyper);
    expect(cr.ballistic).toBeCloseTo(19, 12);
    expect(cr.saturation[0]).toBeCloseTo(10, 10);
    const diag = (v: number[]): number[][] => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));
    const p = { H: diag(ev), Sigma: diag(ev), hyper };
    const slope = (k0: number, k1: number): number => {
      const ks = logSteps(k0, k1, 8);
      return fitExponent(ks, predictDiffusion(p, ks).discrete.dist2).exponent;
    };
    expect(slope(1, 10)).toBeGreaterThan(1.75);
    const wide = slope(30, 30000);
    expect(wide).toBeGreaterThan(0.05);
    expect(wide).toBeLessThan(0.95);
    expect(slope(1e7, 1e8)).toBeLessThan(1e-3);
    // Brownian window of one slow mode: between the ballistic crossover and its saturation
    const slow = { H: [[1e-4]], Sigma: [[1]], hyper };
    const ks = logSteps(400, 2000, 6);
    expect(fitExponent(ks, predictDiffusion(slow, ks).discrete.dist2).exponent).toBeGreaterThan(0.9);
  });

  it('rotation per step = arguments of the eigenvalues of M and of e^{−Aη} (ml-matrix, non-symmetric)', () => {
    const hyper = { eta: 0.1, beta: 0.9, batchSize: 4, weightDecay: 0.01 };
    const { values } = (() => {
      const e = new EigenvalueDecomposition(new Matrix(Hn), { assumeSymmetric: true });
      return { values: e.realEigenvalues };
    })();
    for (const [name, ch] of [['discrete', discreteChain({ H: Hn, Sigma: Sn, hyper })], ['continuous', continuousChain({ H: Hn, Sigma: Sn, hyper })]] as const) {
      const rows = Array.from({ length: 4 }, (_, i) => Array.from(ch.phi.subarray(i * 4, i * 4 + 4)));
      const e = new EigenvalueDecomposition(new Matrix(rows));
      const args = e.realEigenvalues.map((re, i) => Math.abs(Math.atan2(e.imaginaryEigenvalues[i]!, re))).sort();
      const mods = e.realEigenvalues.map((re, i) => Math.hypot(re, e.imaginaryEigenvalues[i]!));
      const want = values.map((l) => rotationPerStep(l, hyper)).flatMap((r) => [name === 'discrete' ? r.discrete : r.continuous, name === 'discrete' ? r.discrete : r.continuous]).sort();
      want.forEach((w, i) => expect(Math.abs(args[i]! - w)).toBeLessThan(1e-10));
      const wantMod = values.map((l) => rotationPerStep(l, hyper)).map((r) => (name === 'discrete' ? r.decayDiscrete : r.decayContinuous));
      for (const md of mods) expect(wantMod.some((w) => Math.abs(w - md) < 1e-10)).toBe(true);
    }
    // the per-step decay of the spec: √β (discrete) against e^{−(1−β)/(1+β)} (continuous)
    const r = rotationPerStep(0.5, { eta: 0.1, beta: 0.81, batchSize: 1 });
    expect(r.decayDiscrete).toBeCloseTo(0.9, 14);
    expect(r.decayContinuous).toBeCloseTo(Math.exp(-0.19 / 1.81), 14);
  });

  it('θ–v cross-covariance: antisymmetric and non-zero when [H, Σ] ≠ 0, zero when they commute; discrete → continuous as η → 0', () => {
    const x = thetaVelocityCrossCovariance({ H: Hn, Sigma: Sn, hyper: hyperN });
    for (const M of [x.continuous, x.discrete]) {
      expect(Math.abs(M[0]!) + Math.abs(M[3]!)).toBeLessThan(1e-12 * Math.abs(M[1]!));
      expect(Math.abs(M[1]! + M[2]!)).toBeLessThan(1e-12 * Math.abs(M[1]!));
      expect(Math.abs(M[1]!)).toBeGreaterThan(1e-3);
    }
    expect(rel(x.discrete[1]!, x.continuous[1]!)).toBeLessThan(0.02);
    const z = thetaVelocityCrossCovariance({ H: [[1, 0], [0, 0.2]], Sigma: [[2, 0], [0, 1]], hyper: hyperN });
    expect(Math.max(...z.continuous.map(Math.abs), ...z.discrete.map(Math.abs))).toBeLessThan(1e-14);
  });

  it('batch-size map (S′ = S/α): the whole stationary covariance is unchanged when H and Σ commute; tr C_vv always', () => {
    const diag = [[1, 0], [0, 0.05]], sd = [[0.3, 0], [0, 2]];
    for (const alpha of [0.5, 2, 4]) {
      const mp = batchSizeMap(hyperN, alpha);
      expect(mp.batchSize).toBeCloseTo(hyperN.batchSize / alpha, 12);
      const a = continuousChain({ H: diag, Sigma: sd, hyper: hyperN }).P;
      const b = continuousChain({ H: diag, Sigma: sd, hyper: mp }).P;
      a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-11 * Math.max(...a.map(Math.abs))));
      const c = continuousChain({ H: Hn, Sigma: Sn, hyper: hyperN }).P;
      const d = continuousChain({ H: Hn, Sigma: Sn, hyper: mp }).P;
      expect(rel(d[10]! + d[15]!, c[10]! + c[15]!)).toBeLessThan(1e-10);
    }
    expect(() => batchSizeMap({ eta: 0.1, beta: 0, batchSize: 4 }, 2)).toThrow(/alpha ≤ 1/);
  });

  it('learning-rate map: C_θθ unchanged (commuting), (1−β′)/(1+β′) = α(1−β)/(1+β), C_vv = Σ/(S(1−β′²))', () => {
    const diag = [[1, 0], [0, 0.05]], sd = [[0.3, 0], [0, 2]];
    for (const alpha of [0.5, 2, 10]) {
      const mp = learningRateMap(hyperN, alpha);
      expect(rel((1 - mp.beta) / (1 + mp.beta), (alpha * (1 - hyperN.beta)) / (1 + hyperN.beta))).toBeLessThan(1e-12);
      const a = stationaryThetaCovariance(continuousChain({ H: diag, Sigma: sd, hyper: hyperN }));
      const b = stationaryThetaCovariance(continuousChain({ H: diag, Sigma: sd, hyper: mp }));
      a.forEach((v, i) => expect(Math.abs(v - b[i]!)).toBeLessThan(1e-11 * Math.max(...a.map(Math.abs))));
      const P = continuousChain({ H: diag, Sigma: sd, hyper: mp }).P;
      expect(rel(P[15]!, 2 / (hyperN.batchSize * (1 - mp.beta ** 2)))).toBeLessThan(1e-10);
    }
    // η/(1−β) fixed keeps the Brownian rate η² tr Σ/(S(1−β)²) and the saturation times (1−β)/(η(λ_i+λ)):
    // past the ballistic crossovers the whole curve Δ(k) is unchanged; before them it is not
    const h = { eta: 0.01, beta: 0.9, batchSize: 4 };
    const ks = [1, 1000, 10000, 100000];
    for (const alpha of [0.5, 2]) {
      const mp = learningRateMap(h, alpha);
      const a = predictDiffusion({ H: diag, Sigma: sd, hyper: h }, ks).discrete.dist2;
      const b = predictDiffusion({ H: diag, Sigma: sd, hyper: mp }, ks).discrete.dist2;
      expect(Math.abs(b[0]! / a[0]! - alpha)).toBeLessThan(0.01 * alpha);
      for (let i = 1; i < ks.length; i++) expect(rel(b[i]!, a[i]!)).toBeLessThan(2e-3); // O(ηq) discrete corrections differ
    }
  });

  it('per-mode continuous Δ saturates at 2 C_θ,i and is 0 at k = 0', () => {
    const mode = { hessian: 0.3, noise: 2 };
    const h = { eta: 0.05, beta: 0.5, batchSize: 3 };
    expect(continuousModeDist2(mode, h, 0)).toBe(0);
    expect(rel(continuousModeDist2(mode, h, 1e6), (2 * 0.05 * 2) / (2 * 3 * 0.5 * 0.3))).toBeLessThan(1e-12);
    expect(rel(discreteModeDiffusion(mode, h, 1e6).dist2, continuousModeDist2(mode, h, 1e6) / (1 - (0.05 * 0.3) / 3))).toBeLessThan(1e-10);
  });
});

describe('large step counts', () => {
  it('Δ(k) for k beyond 2³¹ equals the saturated value; k ≥ 2⁵³ is refused', () => {
    const p = { H: [[1]], Sigma: [[2]], hyper: { eta: 0.1, beta: 0.5, batchSize: 1 } };
    const r = predictDiffusion(p, [1e6, 2 ** 33 + 1, 1e15]);
    expect(rel(r.discrete.dist2[1]!, r.discrete.dist2[0]!)).toBeLessThan(1e-12);
    expect(rel(r.discrete.dist2[2]!, r.discrete.dist2[0]!)).toBeLessThan(1e-12);
    expect(() => predictDiffusion(p, [2 ** 60])).toThrow(InputError);
  });
});
