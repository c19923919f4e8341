import { describe, it, expect } from 'vitest';
import { gd, heavyBall, heavyBallBuffer, sgdGaussian, sgdMinibatch, trajectoryRow } from '../../src/numeric/optimizers.ts';
import { choleskyPsd } from '../../src/numeric/linalg.ts';

// A = [[2, 1], [1, 2]]: eigenpairs 3 ↔ (1,1)/√2, 1 ↔ (1,−1)/√2
const gradA = (x: Float64Array, o: Float64Array): void => {
  o[0] = 2 * x[0]! + x[1]!;
  o[1] = x[0]! + 2 * x[1]!;
};
// a non-quadratic loss: L = (w1² + w2² − 1)²/4 + 3/10 w1 w2 + w1/10 + sin(w2)/5 (bench P4, L₁)
const gradL1 = (w: Float64Array, o: Float64Array): void => {
  const r = w[0]! * w[0]! + w[1]! * w[1]! - 1;
  o[0] = r * w[0]! + 0.3 * w[1]! + 0.1;
  o[1] = r * w[1]! + 0.3 * w[0]! + 0.2 * Math.cos(w[1]!);
};

describe('gd', () => {
  it('matches the closed form (I − ηA)^n θ0 on a quadratic', () => {
    const eta = 0.1, theta0 = [1, -0.3];
    const a = (theta0[0]! + theta0[1]!) / 2, b = (theta0[0]! - theta0[1]!) / 2; // coordinates in the eigenbasis
    const rec = [0, 1, 10, 100, 500];
    const res = gd({ grad: gradA, theta0, eta, steps: 500, record: rec });
    expect(Array.from(res.recordedSteps)).toEqual(rec);
    for (let r = 0; r < rec.length; r++) {
      const n = rec[r]!;
      const c1 = a * (1 - 3 * eta) ** n, c2 = b * (1 - eta) ** n;
      const row = trajectoryRow(res, r);
      const scale = Math.abs(c1) + Math.abs(c2);
      expect(Math.abs(row[0]! - (c1 + c2))).toBeLessThan(4 * (n + 1) * 2.2e-16 * scale); // rounding grows ~ n ε
      expect(Math.abs(row[1]! - (c1 - c2))).toBeLessThan(4 * (n + 1) * 2.2e-16 * scale); // rounding grows ~ n ε
    }
    expect(res.theta).toEqual(trajectoryRow(res, 4));
  });
  it('weight decay λ is GD on A + λI', () => {
    const lam = 0.25;
    const withWd = gd({ grad: gradA, theta0: [1, 2], eta: 0.05, steps: 50, weightDecay: lam });
    const shifted = gd({ grad: (x, o) => { gradA(x, o); o[0] += lam * x[0]!; o[1] += lam * x[1]!; }, theta0: [1, 2], eta: 0.05, steps: 50 });
    expect(Math.abs(withWd.theta[0]! - shifted.theta[0]!)).toBeLessThan(1e-15);
    expect(Math.abs(withWd.theta[1]! - shifted.theta[1]!)).toBeLessThan(1e-15);
  });
  it('reports divergence instead of running on with NaN', () => {
    const res = gd({ grad: gradA, theta0: [1, 1], eta: 1.5, steps: 10_000 });
    expect(res.finite).toBe(false);
    expect(res.stepsDone).toBeLessThan(10_000);
  });
  it('rejects bad input with a clear message', () => {
    expect(() => gd({ grad: gradA, theta0: [1, 1], eta: Number.NaN, steps: 1 })).toThrow(/eta must be a finite number/);
    expect(() => gd({ grad: gradA, theta0: [1, 1], eta: 0, steps: 1 })).toThrow(/eta must be > 0/);
    expect(() => gd({ grad: gradA, theta0: [1, 1], eta: -0.1, steps: 1 })).toThrow(/eta must be > 0/);
    expect(() => gd({ grad: gradA, theta0: [1, Number.NaN], eta: 0.1, steps: 1 })).toThrow(/theta0\[1\] is not finite/);
    expect(() => gd({ grad: gradA, theta0: [1, 1], eta: 0.1, steps: 1.5 })).toThrow(/steps/);
    expect(() => gd({ grad: gradA, theta0: [1, 1], eta: 0.1, steps: 3, record: [4] })).toThrow(/record step/);
    expect(() => heavyBall({ grad: gradA, theta0: [1, 1], eta: 0.1, beta: 1, steps: 1 })).toThrow(/beta must lie in \[0, 1\)/);
    expect(() => heavyBall({ grad: gradA, theta0: [1, 1], eta: 0.1, beta: -0.1, steps: 1 })).toThrow(/beta/);
    expect(() => heavyBall({ grad: gradA, theta0: [1, 1], thetaPrev: [1], eta: 0.1, beta: 0.5, steps: 1 })).toThrow(/dimension mismatch/);
    expect(() => sgdGaussian({ grad: gradA, theta0: [1, 1], eta: 0.1, steps: 1, batchSize: 1, noise: { sigma: [[1, 0, 0], [0, 1, 0], [0, 0, 1]] } })).toThrow(/dimension mismatch/);
    expect(() => sgdGaussian({ grad: gradA, theta0: [1, 1], eta: 0.1, steps: 1, batchSize: 1, noise: { sigma: [[1, 0], [0, -1]] } })).toThrow(/positive semi-definite/);
    expect(() => sgdMinibatch({ gradExample: () => {}, nData: 3, batchSize: 4, sampling: 'without-replacement', theta0: [1], eta: 0.1, steps: 1 })).toThrow(/exceeds nData/);
  });
});

describe('heavy ball', () => {
  it('two-step form and PyTorch buffer form agree (θ_{−1} = θ_0 + η b_0)', () => {
    const eta = 0.05, beta = 0.9, theta0 = [1.3, -0.4], b0 = [0.2, -0.7];
    const thetaPrev = [theta0[0]! + eta * b0[0]!, theta0[1]! + eta * b0[1]!];
    const rec = [1, 10, 100, 1000];
    const two = heavyBall({ grad: gradL1, theta0, thetaPrev, eta, beta, steps: 1000, record: rec, weightDecay: 0.01 });
    const buf = heavyBallBuffer({ grad: gradL1, theta0, buffer0: b0, eta, beta, steps: 1000, record: rec, weightDecay: 0.01 });
    for (let i = 0; i < two.trajectory.length; i++) expect(Math.abs(two.trajectory[i]! - buf.trajectory[i]!)).toBeLessThan(1e-12);
    // default starts agree too: zero velocity ⇔ b_0 = 0 (PyTorch's first step b_1 = g_0)
    const a = heavyBall({ grad: gradL1, theta0, eta, beta, steps: 300 });
    const b = heavyBallBuffer({ grad: gradL1, theta0, eta, beta, steps: 300 });
    expect(Math.abs(a.theta[0]! - b.theta[0]!) + Math.abs(a.theta[1]! - b.theta[1]!)).toBeLessThan(1e-12);
    // and β = 0 is plain GD
    const g = gd({ grad: gradL1, theta0, eta, steps: 300 });
    const h0 = heavyBall({ grad: gradL1, theta0, eta, beta: 0, steps: 300 });
    expect(Array.from(h0.theta)).toEqual(Array.from(g.theta));
  });
});

describe('SGD', () => {
  it('Gaussian noise: stationary variance on a 1-D quadratic matches the exact discrete formula (langevin.md), not the continuous one', () => {
    // L = h θ²/2, weight decay λ, momentum β, noise variance σ²/S. Exact discrete:
    // Var θ = η σ²(1+β) / (S q (1−β)(2(1+β) − η q)), q = h + λ; continuous: η σ² / (2 S q (1−β)).
    const h = 1.5, lam = 0.5, q = h + lam, beta = 0.5, eta = 0.2, sigma2 = 4, S = 2;
    const exact = (eta * sigma2 * (1 + beta)) / (S * q * (1 - beta) * (2 * (1 + beta) - eta * q));
    const continuous = (eta * sigma2) / (2 * S * q * (1 - beta));
    const burn = 1000, steps = 400_000, batches = 100;
    const record = Array.from({ length: steps }, (_, k) => k + burn + 1);
    const res = sgdGaussian({ grad: (x, o) => { o[0] = h * x[0]!; }, theta0: [0], eta, beta, weightDecay: lam, batchSize: S, noise: { sigma: [[sigma2]] }, steps: steps + burn, record, seed: 11 });
    const xs = res.trajectory;
    const per = steps / batches;
    const est: number[] = [];
    for (let b = 0; b < batches; b++) {
      let s = 0;
      for (let k = b * per; k < (b + 1) * per; k++) s += xs[k]! ** 2; // mean is 0
      est.push(s / per);
    }
    const mean = est.reduce((a, b) => a + b, 0) / batches;
    const sd = Math.sqrt(est.reduce((a, b) => a + (b - mean) ** 2, 0) / (batches - 1));
    const se = sd / Math.sqrt(batches);
    expect(Math.abs(mean - exact)).toBeLessThan(4 * se);
    expect(Math.abs(mean - continuous)).toBeGreaterThan(4 * se); // the test resolves the finite-η gap
    expect(se / exact).toBeLessThan(0.02);
  });

  it('Gaussian noise: reproducible from the seed; Σ, its factor and Σ(θ) callbacks agree', () => {
    const Sig = [[2, 0.6], [0.6, 1]];
    const L = choleskyPsd(Float64Array.from([2, 0.6, 0.6, 1]), 2);
    const base = { grad: gradA, theta0: [1, 1], eta: 0.05, steps: 200, batchSize: 4, seed: 5, beta: 0.3 };
    const a = sgdGaussian({ ...base, noise: { sigma: Sig } });
    const b = sgdGaussian({ ...base, noise: { sigmaFactor: L } });
    const c = sgdGaussian({ ...base, noise: { sigmaFn: (_t, out) => out.set([2, 0.6, 0.6, 1]) } });
    const d = sgdGaussian({ ...base, seed: 6, noise: { sigma: Sig } });
    expect(Array.from(a.theta)).toEqual(Array.from(b.theta));
    expect(Array.from(a.theta)).toEqual(Array.from(c.theta));
    expect(a.theta[0]).not.toBe(d.theta[0]);
    expect(sgdGaussian({ ...base, noise: { sigma: Sig } }).theta).toEqual(a.theta);
  });

  it('minibatch gradient noise: Σ/S with replacement, Σ(N−S)/(S(N−1)) without (langevin.md)', () => {
    // 1-D, ℓ_i(θ) = (θ − y_i)²/2: ∇ℓ_i = θ − y_i; Σ = population variance of y.
    const y = [0.3, -1.2, 2.5, 0.8, -0.4, 1.9, -2.2, 0.1, 1.1, -0.6];
    const N = y.length, S = 4, eta = 1;
    const my = y.reduce((a, b) => a + b, 0) / N;
    const Sigma = y.reduce((a, b) => a + (b - my) ** 2, 0) / N;
    const gradExample = (t: Float64Array, i: number, o: Float64Array): void => { o[0] = t[0]! - y[i]!; };
    for (const sampling of ['with-replacement', 'without-replacement'] as const) {
      const trials = 20_000;
      let s = 0, s2 = 0;
      for (let t = 0; t < trials; t++) {
        const r = sgdMinibatch({ gradExample, nData: N, batchSize: S, sampling, theta0: [0], eta, steps: 1, seed: 1000 + t });
        const gB = -r.theta[0]!; // θ_1 = θ_0 − η g_B
        s += gB; s2 += gB * gB;
      }
      const mean = s / trials, v = s2 / trials - mean * mean;
      const expected = sampling === 'with-replacement' ? Sigma / S : (Sigma * (N - S)) / (S * (N - 1));
      expect(Math.abs(mean - -my)).toBeLessThan(5 * Math.sqrt(expected / trials));
      expect(Math.abs(v / expected - 1)).toBeLessThan(0.05);
    }
  });
});
