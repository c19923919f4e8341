import { describe, it, expect } from 'vitest';
import katex from 'katex';
import { loss, expand, evaluate, sub, neg, diff, num, Rational, linearRegressionLoss, logisticRegressionLoss, toText } from '../../../src/symbolic/index.ts';
import { modifiedLoss } from '../../../src/theory/eom/modified-loss.ts';
import { ETA } from '../../../src/theory/eom/instantiate.ts';
import { phaseSpaceOU } from '../../../src/numeric/lyapunov.ts';
import { langevinModel, batchNoiseFactor, noiseCovariance, momentumModifiedLoss, normalizeHyper } from '../../../src/theory/langevin/index.ts';
import { InputError } from '../../../src/errors.ts';

const strictKatex = (tex: string): string => katex.renderToString(tex, { throwOnError: true, strict: 'error' });

describe('langevinModel: the continuous model of SGD with momentum', () => {
  it('on a quadratic, A and D at a point equal the independent numeric phaseSpaceOU', () => {
    const L = loss('w1^2 + w1*w2/2 + 3/4*w2^2 - w1', { params: ['w1', 'w2'] });
    const hyper = { eta: 0.1, beta: 0.6, batchSize: 8, weightDecay: 0.05 };
    const Sigma = [[2, 0.5], [0.5, 1]];
    const m = langevinModel(L, hyper, { kind: 'matrix', sigma: Sigma });
    expect(m.D).toBe(m.diffusion);
    const at = m.at([0.3, -0.2]);
    const ref = phaseSpaceOU([[2, 0.5], [0.5, 1.5]], Sigma, { eta: 0.1, beta: 0.6, batchSize: 8, weightDecay: 0.05 });
    for (let i = 0; i < 16; i++) {
      expect(at.A[i]).toBeCloseTo(ref.A[i]!, 13);
      expect(at.D[i]).toBeCloseTo(ref.D[i]!, 13);
    }
    // mass m = η(1+β)/2, friction 1−β, γ = (1−β)/(η(1+β)) exactly
    expect(m.mass).toBe(num(Rational.of(2, 25)));
    expect(m.friction).toBe(num(Rational.of(2, 5)));
    expect(m.gamma).toBe(num(Rational.of(5, 2)));
  });

  it('A = −∂b/∂x: the linearised drift equals the stated block matrix [[0, −I], [K, 2γI]] with symbolic hyper-parameters', () => {
    const L = loss('(w1*w2 - 1)^2/2', { params: ['w1', 'w2'] });
    const m = langevinModel(L, { eta: 'eta', beta: 'beta', batchSize: 'S', weightDecay: 'lam' }, { kind: 'isotropic', variance: 's' });
    const x = [...m.params, ...m.velocity];
    for (let i = 0; i < 4; i++)
      for (let j = 0; j < 4; j++) {
        const dij = expand(neg(diff(m.drift[i]!, x[j]!))); // A = −∂b/∂x
        expect(expand(sub(dij, m.A[i]![j]!))).toBe(num(0));
      }
  });

  it('β = 0, λ = 0: the momentum modified loss equals the EoM layer’s order-2 modified loss L + (η/4)‖∇L‖² exactly', () => {
    for (const f of ['(w1*w2 - 1)^2/2', 'log(1 + exp(w1 - 2*w2)) + w1^4/4', 'w1^2*w2 + sin(w2)']) {
      const L = loss(f, { params: ['w1', 'w2'] });
      const ours = langevinModel(L, { eta: ETA, batchSize: 1 }, { kind: 'isotropic', variance: 1 }).modifiedLoss;
      const eom = modifiedLoss(L, 2).potential;
      expect(expand(sub(ours, eom))).toBe(num(0));
    }
  });

  it('momentum modified loss: the coefficient is η(1+β)/(4(1−β)²), with L_λ = L + λ/2‖θ‖²', () => {
    const L = loss('w^3/3', { params: ['w'] });
    const h = normalizeHyper({ eta: 'eta', beta: 'beta', batchSize: 1, weightDecay: 'lam' });
    const psi = momentumModifiedLoss(L, h);
    const env = { w: 0.7, eta: 0.03, beta: 0.8, lam: 0.2 };
    const g = 0.7 ** 2 + 0.2 * 0.7;
    const want = 0.7 ** 3 / 3 + (0.2 / 2) * 0.49 + ((0.03 * 1.8) / (4 * 0.2 ** 2)) * g * g;
    expect(evaluate(psi, env)).toBeCloseTo(want, 14);
  });

  it('batch noise factor: 1/S with replacement, (N−S)/(S(N−1)) without (zero at S = N)', () => {
    expect(batchNoiseFactor({ batchSize: 4 })).toBe(num(Rational.of(1, 4)));
    expect(batchNoiseFactor({ batchSize: 4, nData: 10, sampling: 'without-replacement' })).toBe(num(Rational.of(6, 36)));
    expect(batchNoiseFactor({ batchSize: 10, nData: 10, sampling: 'without-replacement' })).toBe(num(0));
    const symbolic = batchNoiseFactor({ batchSize: 'S', nData: 5, sampling: 'without-replacement' });
    expect(evaluate(symbolic, { S: 2 })).toBeCloseTo(3 / 8, 15);
    expect(() => batchNoiseFactor({ batchSize: 2, sampling: 'without-replacement' })).toThrow(/nData/);
  });

  it('per-example noise of a linear regression: Σ equals the hand-written covariance of (x_i·θ − y_i) x_i', () => {
    const X = [[1, 0.5], [-0.3, 2], [0.7, -1], [1.5, 0.2]];
    const y = [0.4, -1, 0.3, 2];
    const L = linearRegressionLoss(X, y);
    const per = X.map((row, i) => `(${row[0]}*w1 + ${row[1]}*w2 - ${y[i]})^2/2`);
    const S = noiseCovariance(L, { kind: 'per-example', losses: per }, { nData: 4 });
    const th = [0.2, -0.6];
    const g = X.map((r, i) => { const res = r[0]! * th[0]! + r[1]! * th[1]! - y[i]!; return [res * r[0]!, res * r[1]!]; });
    const mean = [0, 1].map((a) => g.reduce((s, gi) => s + gi[a]!, 0) / 4);
    for (let a = 0; a < 2; a++)
      for (let b = 0; b < 2; b++) {
        const want = g.reduce((s, gi) => s + gi[a]! * gi[b]!, 0) / 4 - mean[a]! * mean[b]!;
        expect(evaluate(S[a]![b]!, { w1: th[0]!, w2: th[1]! })).toBeCloseTo(want, 13);
      }
    expect(() => noiseCovariance(L, { kind: 'per-example', losses: per.slice(1) })).toThrow(/mean of the per-example losses/);
    expect(() => noiseCovariance(L, { kind: 'per-example', losses: per }, { nData: 5 })).toThrow(/nData = 5/);
  });

  it('per-example noise of a logistic regression and Σ = σ²H', () => {
    const X = [[1, 0], [0, 1], [1, 1]], y = [1, 0, 1];
    const L = logisticRegressionLoss(X, y);
    const per = ['softplus(-w1)', 'softplus(w2)', 'softplus(-w1 - w2)'];
    const S = noiseCovariance(L, { kind: 'per-example', losses: per });
    const sg = (u: number): number => 1 / (1 + Math.exp(-u));
    const th = { w1: 0.3, w2: -0.4 };
    const g = [[-sg(-0.3), 0], [0, sg(-0.4)], [-sg(0.1), -sg(0.1)]];
    const mean = [0, 1].map((a) => g.reduce((s, gi) => s + gi[a]!, 0) / 3);
    expect(evaluate(S[0]![1]!, th)).toBeCloseTo(g.reduce((s, gi) => s + gi[0]! * gi[1]!, 0) / 3 - mean[0]! * mean[1]!, 13);
    const Hs = noiseCovariance(L, { kind: 'hessian', scale: '1/2' });
    const u = 0.3 - 0.4;
    expect(evaluate(Hs[0]![1]!, th)).toBeCloseTo((0.5 * sg(u) * (1 - sg(u))) / 3, 13);
  });

  it('the SDE prints as KaTeX-strict LaTeX with the hyper-parameters in it', () => {
    const L = loss('(w1*w2 - 1)^2/2', { params: ['w1', 'w2'] });
    for (const hyper of [{ eta: 0.1, beta: 0.9, batchSize: 32, weightDecay: 1e-4 }, { eta: 'eta', beta: 'beta', batchSize: 'S' }, { eta: ETA, batchSize: 1 }]) {
      const tex = langevinModel(L, hyper, { kind: 'isotropic', variance: 1 }).sdeLatex();
      expect(() => strictKatex(tex)).not.toThrow();
      expect(tex).toContain('dW_t');
    }
    expect(langevinModel(L, { eta: 'eta', beta: 'beta', batchSize: 'S' }, { kind: 'isotropic', variance: 1 }).sdeLatex()).toContain('\\beta');
  });

  it('evaluation needs every symbol and a point of the right size', () => {
    const L = loss('w1^2 + w2^2', { params: ['w1', 'w2'] });
    const m = langevinModel(L, { eta: 'eta', batchSize: 4 }, { kind: 'hessian', scale: 1 });
    expect(() => m.at([0, 0])).toThrow(/'eta'/);
    expect(() => m.at([0])).toThrow(/2 entries|expected 2/);
    const at = m.at({ w1: 0, w2: 1 }, { eta: 0.5 });
    expect(at.A[2 * 4 + 0]).toBeCloseTo(2 * 2 / 0.5, 14);
    expect(at.D[3 * 4 + 3]).toBeCloseTo((2 * 2) / (0.5 * 4), 14);
  });

  it('bad settings are InputErrors that name the problem', () => {
    const L = loss('w1^2 + w2^2', { params: ['w1', 'w2'] });
    const iso = { kind: 'isotropic', variance: 1 } as const;
    expect(() => langevinModel(L, { eta: 0, batchSize: 1 }, iso)).toThrow(/eta must be > 0/);
    expect(() => langevinModel(L, { eta: 0.1, beta: 1, batchSize: 1 }, iso)).toThrow(/\[0, 1\)/);
    expect(() => langevinModel(L, { eta: 0.1, beta: -0.1, batchSize: 1 }, iso)).toThrow(InputError);
    expect(() => langevinModel(L, { eta: 0.1, batchSize: 0 }, iso)).toThrow(/batch size/);
    expect(() => langevinModel(L, { eta: 0.1, batchSize: 20, nData: 10 }, iso)).toThrow(/exceeds/);
    expect(() => langevinModel(L, { eta: 0.1, batchSize: 1, weightDecay: -1 }, iso)).toThrow(/weight decay/);
    expect(() => langevinModel(L, { eta: 0.1, batchSize: 1 }, { kind: 'matrix', sigma: [[1, 2], [0, 1]] })).toThrow(/symmetric/);
    expect(() => langevinModel(L, { eta: 0.1, batchSize: 1 }, { kind: 'matrix', sigma: [[1]] })).toThrow(/2 rows/);
    expect(() => langevinModel(L, { eta: 'pi', batchSize: 1 }, iso)).toThrow(InputError);
    expect(() => langevinModel(L, { eta: Number.NaN, batchSize: 1 }, iso)).toThrow(/finite/);
    expect(() => langevinModel(L, { eta: 0.1, batchSize: 1 }, { kind: 'nope' } as never)).toThrow(/unknown noise kind/);
    expect(toText(normalizeHyper({ eta: '1/3', batchSize: 2 }).eta)).toBe('1/3');
  });
});
