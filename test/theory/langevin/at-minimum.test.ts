import { describe, it, expect } from 'vitest';
import { perExampleLosses, stationaryForLoss, linearStationary } from '../../../src/theory/langevin/index.ts';
import { NotMeasurableError } from '../../../src/errors.ts';

describe('stationaryForLoss: SGD near the minimum of a loss', () => {
  it('linear regression with weight decay: μ = (H+λI)⁻¹Xᵀy/N, H = XᵀX/N, Σ from per-example gradients (written out here)', () => {
    const rows = [[1, 0.5, 0.4], [-0.3, 2, -1], [0.7, -1, 0.3], [1.5, 0.2, 2], [0.1, 0.9, 0.2]];
    const N = rows.length, lam = 0.05;
    const { loss, losses } = perExampleLosses('linear', rows);
    const r = stationaryForLoss(loss, { eta: 0.1, beta: 0.5, batchSize: 2, weightDecay: lam }, { kind: 'per-example', losses });
    const H = [[0, 0], [0, 0]], b = [0, 0];
    for (const [x1, x2, y] of rows) {
      const x = [x1!, x2!];
      for (let i = 0; i < 2; i++) {
        b[i] = b[i]! + (x[i]! * y!) / N;
        for (let j = 0; j < 2; j++) H[i]![j] = H[i]![j]! + (x[i]! * x[j]!) / N;
      }
    }
    const a = H[0]![0]! + lam, d = H[1]![1]! + lam, c = H[0]![1]!, det = a * d - c * c;
    const mu = [(d * b[0]! - c * b[1]!) / det, (a * b[1]! - c * b[0]!) / det];
    expect(Math.abs(r.point[0]! - mu[0]!)).toBeLessThan(1e-12);
    expect(Math.abs(r.point[1]! - mu[1]!)).toBeLessThan(1e-12);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) expect(r.stationary.H[2 * i + j]).toBeCloseTo(H[i]![j]!, 14);
    const g = rows.map(([x1, x2, y]) => { const res = x1! * mu[0]! + x2! * mu[1]! - y!; return [res * x1!, res * x2!]; });
    const gm = [0, 1].map((k) => g.reduce((s, gi) => s + gi[k]!, 0) / N);
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      const want = g.reduce((s, gi) => s + gi[i]! * gi[j]!, 0) / N - gm[i]! * gm[j]!;
      expect(r.stationary.Sigma[2 * i + j]).toBeCloseTo(want, 13);
    }
    // the analysis is linearStationary at (H, Σ)
    const direct = linearStationary([[H[0]![0]!, H[0]![1]!], [H[1]![0]!, H[1]![1]!]], [[r.stationary.Sigma[0]!, r.stationary.Sigma[1]!], [r.stationary.Sigma[2]!, r.stationary.Sigma[3]!]], { eta: 0.1, beta: 0.5, batchSize: 2, weightDecay: lam });
    for (let k = 0; k < 4; k++) expect(r.stationary.continuous.thetaTheta[k]).toBeCloseTo(direct.continuous.thetaTheta[k]!, 12);
  });

  it('a loss without a minimum (separable logistic data, λ = 0) is NotMeasurable; with weight decay it has one', () => {
    const rows = [[1, 1], [2, 1], [-1, 0], [-2, 0]];
    const { loss, losses } = perExampleLosses('logistic', rows);
    expect(() => stationaryForLoss(loss, { eta: 0.1, batchSize: 1 }, { kind: 'per-example', losses })).toThrow(NotMeasurableError);
    const r = stationaryForLoss(loss, { eta: 0.1, batchSize: 1, weightDecay: 0.1 }, { kind: 'per-example', losses });
    expect(r.gradientNorm).toBeLessThan(1e-12);
  });
});
