import { describe, it, expect } from 'vitest';
import { sgdGaussian, sgdGaussianEnsemble } from '../../src/numeric/optimizers.ts';

const gradA = (x: Float64Array, o: Float64Array): void => {
  o[0] = 2 * x[0]! + x[1]!;
  o[1] = x[0]! + 2 * x[1]!;
};
const gradABatch = (x: Float64Array, o: Float64Array, b: number): void => {
  for (let c = 0; c < 2 * b; c += 2) {
    o[c] = 2 * x[c]! + x[c + 1]!;
    o[c + 1] = x[c]! + 2 * x[c + 1]!;
  }
};

describe('sgdGaussian fast paths', () => {
  it("normal: 'box-muller' reproduces the trajectories of the version before the Ziggurat (bit for bit), n = 2 and n = 3", () => {
    const r = sgdGaussian({ grad: gradA, theta0: [1, 1], eta: 0.05, steps: 200, batchSize: 4, seed: 5, beta: 0.3, noise: { sigma: [[2, 0.6], [0.6, 1]] }, normal: 'box-muller' });
    expect(Array.from(r.theta)).toEqual([0.021874414040128933, 0.006742139447695328]);
    const r3 = sgdGaussian({
      grad: (x, o) => { o[0] = x[0]!; o[1] = x[1]!; o[2] = x[2]!; },
      theta0: [1, 1, 1], eta: 0.05, steps: 100, batchSize: 2, seed: 9,
      noise: { sigma: [[2, 0.6, 0], [0.6, 1, 0.1], [0, 0.1, 1]] }, normal: 'box-muller',
    });
    expect(Array.from(r3.theta)).toEqual([-0.044351281915991636, 0.006431739427291784, -0.15105140958467858]);
  });

  it('a non-triangular square root of Σ gives the same noise law (full product, not the triangle)', () => {
    // symmetric square root of Σ = [[2, 0.6], [0.6, 1]] vs its Cholesky factor: same covariance of θ after many chains
    const s = Math.sqrt(2 * 1 - 0.36), t = Math.sqrt(3 + 2 * s);
    const R = [[(2 + s) / t, 0.6 / t], [0.6 / t, (1 + s) / t]];
    const B = 4000;
    const cov = (noise: { sigma: number[][] } | { sigmaFactor: number[][] }, seed: number): number[] => {
      const e = sgdGaussianEnsemble({ grad: gradABatch, n: 2, chains: B, theta0: [0, 0], eta: 0.1, steps: 60, batchSize: 1, noise, seed });
      let a = 0, b = 0, c = 0;
      for (let k = 0; k < B; k++) { const x = e.theta[2 * k]!, y = e.theta[2 * k + 1]!; a += x * x; b += x * y; c += y * y; }
      return [a / B, b / B, c / B];
    };
    const c1 = cov({ sigma: [[2, 0.6], [0.6, 1]] }, 1), c2 = cov({ sigmaFactor: R }, 100_000);
    for (let i = 0; i < 3; i++) expect(Math.abs(c1[i]! - c2[i]!)).toBeLessThan(0.1 * Math.abs(c1[0]!)); // ~7 SE of a 4000-chain estimate
  });
});

describe('sgdGaussianEnsemble', () => {
  it('chain c is exactly sgdGaussian with seed + c (n = 2 and n = 3, momentum, weight decay, recording)', () => {
    const B = 7, seed = 40;
    const e = sgdGaussianEnsemble({ grad: gradABatch, n: 2, chains: B, theta0: [1, -1], eta: 0.05, beta: 0.4, weightDecay: 0.1, batchSize: 3, noise: { sigma: [[2, 0.6], [0.6, 1]] }, steps: 150, seed, record: [0, 10, 150] });
    expect(e.nonFinite).toBe(0);
    expect(Array.from(e.recordedSteps)).toEqual([0, 10, 150]);
    for (let c = 0; c < B; c++) {
      const r = sgdGaussian({ grad: gradA, theta0: [1, -1], eta: 0.05, beta: 0.4, weightDecay: 0.1, batchSize: 3, noise: { sigma: [[2, 0.6], [0.6, 1]] }, steps: 150, seed: seed + c, record: [10] });
      expect(Array.from(e.theta.subarray(2 * c, 2 * c + 2))).toEqual(Array.from(r.theta));
      expect(Array.from(e.trajectory.subarray(B * 2 + 2 * c, B * 2 + 2 * c + 2))).toEqual(Array.from(r.trajectory));
    }
    const S3 = [[2, 0.6, 0], [0.6, 1, 0.1], [0, 0.1, 1]];
    const g3 = (x: Float64Array, o: Float64Array): void => { o[0] = x[0]!; o[1] = 0.5 * x[1]!; o[2] = 2 * x[2]!; };
    const starts = Float64Array.from([1, 2, 3, -1, -2, -3]);
    const e3 = sgdGaussianEnsemble({
      grad: (x, o, b) => { for (let c = 0; c < b; c++) g3(x.subarray(3 * c, 3 * c + 3), o.subarray(3 * c, 3 * c + 3)); },
      n: 3, chains: 2, theta0: starts, eta: 0.1, beta: 0.2, batchSize: 2, noise: { sigma: S3 }, steps: 80, seed: 3, normal: 'box-muller',
    });
    for (let c = 0; c < 2; c++) {
      const r = sgdGaussian({ grad: g3, theta0: starts.subarray(3 * c, 3 * c + 3), eta: 0.1, beta: 0.2, batchSize: 2, noise: { sigma: S3 }, steps: 80, seed: 3 + c, normal: 'box-muller' });
      expect(Array.from(e3.theta.subarray(3 * c, 3 * c + 3))).toEqual(Array.from(r.theta));
    }
  });

  it('checks its inputs and reports diverged chains', () => {
    const base = { grad: gradABatch, n: 2, chains: 3, eta: 0.1, steps: 5, batchSize: 1, noise: { sigma: [[1, 0], [0, 1]] } };
    expect(() => sgdGaussianEnsemble({ ...base, theta0: [1, 2, 3] })).toThrow(/theta0 has length 3/);
    expect(() => sgdGaussianEnsemble({ ...base, theta0: [1, 1], chains: 0 })).toThrow(/chains/);
    expect(() => sgdGaussianEnsemble({ ...base, theta0: [1, 1], noise: { sigma: [[1, 0], [0, -1]] } })).toThrow(/positive semi-definite/);
    const d = sgdGaussianEnsemble({ ...base, theta0: [1, 1], eta: 5, steps: 2000 });
    expect(d.nonFinite).toBe(3);
  });
});
