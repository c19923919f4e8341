import { describe, expect, it } from 'vitest';
import { linearSgdEnsemble, linearSgdEnsembleParallel } from '../../src/numeric/ensemble-linear.ts';
import { sgdGaussianEnsemble } from '../../src/numeric/optimizers.ts';

const H = [[1, 0.3, 0], [0.3, 0.5, -0.1], [0, -0.1, 0.02]];
const Sigma = [[0.2, 0.05, 0], [0.05, 0.1, 0.01], [0, 0.01, 0.3]];
const m = 3;

describe('linearSgdEnsemble (fused quadratic SGD ensemble)', () => {
  it('is bit-identical to sgdGaussianEnsemble with the batched gradient Hθ − b (momentum, weight decay, recorded steps)', () => {
    const b = [0.1, -0.2, 0.05];
    const Hf = Float64Array.from(H.flat());
    const grad = (x: Float64Array, o: Float64Array, B: number): void => {
      for (let c = 0; c < B; c++)
        for (let i = 0; i < m; i++) {
          let s = 0;
          for (let j = 0; j < m; j++) s += Hf[i * m + j]! * x[c * m + j]!;
          o[c * m + i] = s - b[i]!;
        }
    };
    const common = { chains: 7, theta0: [1, -1, 0.5], thetaPrev: [0.9, -1, 0.4], eta: 0.3, beta: 0.7, batchSize: 3, weightDecay: 0.02, steps: 60, seed: 11, record: [0, 1, 30, 60] };
    const ref = sgdGaussianEnsemble({ ...common, grad, n: m, noise: { sigma: Sigma } });
    const got = linearSgdEnsemble({ ...common, H, Sigma, b });
    expect(Array.from(got.trajectory)).toEqual(Array.from(ref.trajectory));
    expect(Array.from(got.theta)).toEqual(Array.from(ref.theta));
  });

  it('worker threads give the serial result exactly, for any split', { timeout: 60000 }, async () => {
    const o = { H, Sigma, chains: 13, theta0: [0.3, 0.2, -0.1], eta: 0.2, beta: 0.5, batchSize: 2, steps: 40, seed: 5, record: [0, 40] };
    const serial = linearSgdEnsemble(o);
    const par = await linearSgdEnsembleParallel(o, { threads: 2 });
    expect(par.mode).toBe('parallel');
    expect(Array.from(par.trajectory)).toEqual(Array.from(serial.trajectory));
  });

  it('bad input is an InputError naming the argument', () => {
    expect(() => linearSgdEnsemble({ H, Sigma, chains: 2, theta0: [1, 2], eta: 0.1, batchSize: 1, steps: 1 })).toThrow(/theta0 has length 2/);
    expect(() => linearSgdEnsemble({ H, Sigma: [[1, 0, 0], [0, -1, 0], [0, 0, 1]], chains: 2, theta0: [1, 2, 3], eta: 0.1, batchSize: 1, steps: 1 })).toThrow(/positive semi-definite/);
  });
});
