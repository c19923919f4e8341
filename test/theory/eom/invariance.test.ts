import { describe, expect, it } from 'vitest';
import katex from 'katex';
import {
  type Expr,
  Rational,
  ZERO,
  evaluate,
  gradient,
  hessian,
  loss,
  mul,
  scale,
  sub,
  sum,
} from '../../../src/symbolic/index.ts';
import { ETA, counterTerms } from '../../../src/theory/eom/index.ts';
import {
  bernoulli,
  detectInvariances,
  invariantDynamics,
  proveZero,
  softmaxCrossEntropy,
  testScaleInvariance,
  testTranslationInvariance,
  weightNormalizedUnit,
} from '../../../src/theory/eom/invariance.ts';
import { heavyBallSeries } from '../../../src/theory/eom/momentum.ts';
import { compile, heavyBall, rk4, slope } from './momentum-numeric.ts';

const renders = (tex: string): void => {
  expect(() => katex.renderToString(tex, { throwOnError: true, strict: 'error' })).not.toThrow();
};
const dot = (a: readonly Expr[], b: readonly Expr[]): Expr => sum(a.map((x, i) => mul(x, b[i]!)));

const W2 = weightNormalizedUnit([0.6, -0.8], 0.5);
const W3 = weightNormalizedUnit([1, 2, '-1/2'], 0.3);
const S3 = softmaxCrossEntropy(3, 0);

describe('detecting invariances symbolically', () => {
  it('weight-normalised unit: scale invariant, not translation invariant', () => {
    for (const W of [W2, W3]) {
      const r = detectInvariances(W);
      expect(r.scale).toEqual([W.params]);
      expect(r.translation).toEqual([]);
      const sc = r.results.find((x) => x.kind === 'scale')!;
      expect(sc.proof).toEqual({ status: 'proved', method: 'rationalize' }); // expand alone is not enough here
      const tr = r.results.find((x) => x.kind === 'translation')!;
      expect(tr.proof.status).toBe('disproved');
      for (const x of r.results) renders(x.latex());
    }
  });
  it('softmax cross-entropy: translation invariant, not scale invariant', () => {
    const r = detectInvariances(S3);
    expect(r.translation).toEqual([S3.params]);
    expect(r.scale).toEqual([]);
    for (const x of r.results) renders(x.latex());
  });
  it('negative examples: plain regression, a quadratic, a logistic loss', () => {
    for (const L of [
      loss('(0.6*w1 - 0.8*w2 - 0.5)^2', { params: ['w1', 'w2'] }),
      loss('w1^2 + w1*w2 + 3*w2^2', { params: ['w1', 'w2'] }),
      loss('softplus(w1 - 2*w2)', { params: ['w1', 'w2'] }),
    ]) {
      const r = detectInvariances(L);
      expect(r.scale).toEqual([]);
      expect(r.translation).toEqual([]);
      for (const x of r.results) expect(x.proof.status).toBe('disproved');
    }
  });
  it('groups: a normalised layer with a bias is scale invariant in the weights only; logits with an extra parameter', () => {
    const WB = loss('((0.6*w1 - 0.8*w2)/sqrt(w1^2 + w2^2) + b - 0.5)^2', { params: ['w1', 'w2', 'b'] });
    const [w1, w2] = WB.params;
    const r = detectInvariances(WB, { groups: [[w1!, w2!]] });
    expect(r.scale).toEqual([[w1, w2]]);
    expect(testScaleInvariance(WB).invariant).toBe(false);
    const Z = loss('-z1 + log(exp(z1) + exp(z2)) + (b - 1)^2', { params: ['z1', 'z2', 'b'] });
    const [z1, z2] = Z.params;
    expect(detectInvariances(Z, { groups: [[z1!, z2!]] }).translation).toEqual([[z1, z2]]);
    expect(testTranslationInvariance(Z).invariant).toBe(false);
  });
  it('rational and homogeneous losses: expand suffices for some, rationalisation for others', () => {
    const a = loss('w1/w2 + (w1^2 - w2^2)/(w1^2 + w2^2)', { params: ['w1', 'w2'] });
    expect(testScaleInvariance(a).invariant).toBe(true);
    const b = loss('(w1*w2)/(w1^2 + w2^2) + w1^3/(w1^2 + w2^2)^(3/2)', { params: ['w1', 'w2'] });
    expect(testScaleInvariance(b).invariant).toBe(true);
    const c = loss('(w1*w2)/(w1^2 + w2^2) + w1^3/(w1^2 + w2^2)', { params: ['w1', 'w2'] }); // degree 1 part
    expect(testScaleInvariance(c).proof.status).toBe('disproved');
    expect(() => testScaleInvariance(a, [])).toThrow();
  });
  it('proveZero: proofs and witnesses', () => {
    const W = W3;
    const g = gradient(W.expr, W.params);
    expect(proveZero(dot(W.params, g)).status).toBe('proved');
    const bad = proveZero(sum(g));
    expect(bad.status).toBe('disproved');
    expect(Math.abs(evaluate(sum(g), bad.witness!.point))).toBeGreaterThan(1e-8);
  });
});

describe('dynamics of ‖θ‖² for a scale-invariant layer', () => {
  it('identities θ·g = 0, Hθ = −g, T(θ,·,·) = −2H are proved; GD grows ‖θ‖² by η²‖g‖², GF conserves it', () => {
    const d = invariantDynamics(W3, { kind: 'scale', group: W3.params }, { K: 3 });
    for (const id of d.identities) expect(id.proof.status).toBe('proved');
    const q = d.quantities[0]!;
    expect(q.name).toBe('norm');
    expect(q.gdStep.proof.status).toBe('proved');
    const g = gradient(W3.expr, W3.params);
    expect(q.gdStep.reduced).toBe(mul(ETA, ETA, dot(g, g)));
    expect(q.gf.reduced).toBe(ZERO);
    expect(q.gf.proof.status).toBe('proved');
    for (const p of q.eom.proofs) expect(p.status).toBe('proved');
    for (const t of d.latex()) renders(t);
  });
  it('2θ·F_η = η‖g‖² + η² gᵀHg + η³(5/6‖Hg‖² + 1/6 ∇³L[g,g,g]) + O(η⁴): θ·f_2 = ½‖g‖², θ·f_3 = ½ gᵀHg', () => {
    const d = invariantDynamics(W2, { kind: 'scale', group: W2.params }, { K: 4 });
    const q = d.quantities[0]!;
    expect(q.lossNotation.map((t) => t.order)).toEqual([0, 1, 2, 3]);
    for (const t of q.lossNotation) expect(t.proof.status).toBe('proved');
    for (const p of q.eom.proofs) expect(p.status).toBe('proved');
    // directly from the counter terms, independently of the module's Bernoulli series
    const f = counterTerms(W2, 3).f;
    const P = W2.params;
    const g = gradient(W2.expr, P);
    const H = hessian(W2.expr, P);
    const Hg = H.map((row) => dot(row, g));
    expect(proveZero(dot(P, f[0]!)).status).toBe('proved');
    expect(proveZero(sub(dot(P, f[1]!), scale(dot(g, g), Rational.HALF))).status).toBe('proved');
    expect(proveZero(sub(dot(P, f[2]!), scale(dot(g, Hg), Rational.HALF))).status).toBe('proved');
    // and with the heavy-ball series at β = 0 as the counter terms
    const hb = heavyBallSeries(W2, 3, { beta: 0, expanded: false }).F;
    const d2 = invariantDynamics(W2, { kind: 'scale', group: W2.params }, { K: 3, f: hb });
    for (const p of d2.quantities[0]!.eom.proofs) expect(p.status).toBe('proved');
  });
  it('a proper group (weights, not the bias): 2θ_G·F_η = η‖g_G‖² + η² g_Gᵀ H g + O(η³)', () => {
    const WB = loss('((0.6*w1 - 0.8*w2)/sqrt(w1^2 + w2^2) + b - 0.5)^2', { params: ['w1', 'w2', 'b'] });
    const d = invariantDynamics(WB, { kind: 'scale', group: WB.params.slice(0, 2) }, { K: 3 });
    for (const id of d.identities) expect(id.proof.status).toBe('proved');
    const q = d.quantities[0]!;
    for (const t of q.lossNotation) expect(t.proof.status).toBe('proved');
    for (const p of q.eom.proofs) expect(p.status).toBe('proved');
    expect(q.gdStep.proof.status).toBe('proved');
    for (const t of d.latex()) renders(t);
  });
  it('numeric: GD’s norm growth is matched by EoM_j to O(η^{j+1}) and missed by GF (which conserves the norm)', () => {
    const s = counterTerms(W2, 4);
    const grad = compile(gradient(W2.expr, W2.params), W2.params);
    const th0 = [1, 0.5];
    const T = 1;
    const etas = [1 / 50, 1 / 64, 1 / 80, 1 / 100];
    const n2 = (v: ArrayLike<number>): number => Array.from(v).reduce((a, b) => a + b * b, 0);
    const slopes: number[] = [];
    for (let j = 0; j <= 3; j++) {
      const F = compile(s.field(j), W2.params, ETA);
      const errs: number[] = [];
      for (const eta of etas) {
        const N = Math.round(T / eta);
        const gd = heavyBall(grad, th0, th0, eta, 0, N);
        const eom = rk4(F, th0, T, 8 * N, eta);
        errs.push(Math.abs(n2(gd) - n2(eom)));
        if (j === 0) {
          expect(Math.abs(n2(eom) - n2(th0))).toBeLessThan(1e-10); // GF: ‖θ‖² conserved
          expect(n2(gd) - n2(th0)).toBeGreaterThan(1e-4); // GD: it grows
        }
      }
      slopes.push(slope(etas, errs));
    }
    console.log('‖θ(T)‖² error slopes, EoM_0 (GF) … EoM_3:', slopes.map((x) => x.toFixed(3)).join(', '));
    slopes.forEach((x, j) => expect(Math.abs(x - (j + 1))).toBeLessThan(0.15));
  });
});

describe('translation-invariant logits', () => {
  it('Σz is conserved by GD, GF and the EoM to order 4; ‖z‖² is not', () => {
    const d = invariantDynamics(S3, { kind: 'translation', group: S3.params }, { K: 4 });
    for (const id of d.identities) expect(id.proof.status).toBe('proved');
    const sumQ = d.quantities.find((q) => q.name === 'sum')!;
    expect(sumQ.gdStep.proof.status).toBe('proved');
    expect(sumQ.gf.proof.status).toBe('proved');
    expect(sumQ.eom.proofs.map((p) => p.status)).toEqual(['proved', 'proved', 'proved', 'proved']);
    for (const r of sumQ.eom.reduced) expect(r).toBe(ZERO);
    const norm = d.quantities.find((q) => q.name === 'norm')!;
    for (const p of norm.eom.proofs) expect(p.status).toBe('proved'); // Bernoulli series = direct contraction
    const at = { z1: 0.3, z2: -0.2, z3: 0.9, [ETA.name]: 0.1 };
    expect(Math.abs(evaluate(norm.gdStep.reduced, at))).toBeGreaterThan(1e-3);
    expect(Math.abs(evaluate(norm.gf.reduced, at))).toBeGreaterThan(1e-3);
    for (const t of d.latex()) renders(t);
  });
  it('refuses dynamics for a loss without the invariance', () => {
    expect(() => invariantDynamics(S3, { kind: 'scale', group: S3.params })).toThrow(/not scale invariant/);
  });
});

describe('Bernoulli numbers', () => {
  it('B_0 … B_8', () => {
    expect(bernoulli(8).map(String)).toEqual(['1', '-1/2', '1/6', '0', '-1/30', '0', '1/42', '0', '-1/30']);
  });
});
