import { describe, it, expect } from 'vitest';
import katex from 'katex';
import { type Expr, type Sym, ZERO, loss, expand, evaluate, diff, sub, add, mul, num, pow, sum, subs, scale, sym, Rational } from '../../../src/symbolic/index.ts';
import { counterTerms } from '../../../src/theory/eom/counter-terms.ts';
import { stochasticModifiedEquation, noiseCovariance } from '../../../src/theory/langevin/index.ts';

const strictKatex = (tex: string): string => katex.renderToString(tex, { throwOnError: true, strict: 'error' });
const ETA = sym('eta');

/** The SDE's generator 𝓛φ = b·∇φ + ½ a:∇²φ (a = σσᵀ), written out here. */
function generator(b: readonly Expr[], a: readonly (readonly Expr[])[], x: readonly Sym[]): (phi: Expr) => Expr {
  return (phi) => {
    const terms: Expr[] = [];
    x.forEach((xi, i) => {
      const di = diff(phi, xi);
      terms.push(mul(b[i]!, di));
      x.forEach((xj, j) => {
        if (a[i]![j]! !== ZERO) terms.push(mul(scale(a[i]![j]!, Rational.HALF), diff(di, xj)));
      });
    });
    return sum(terms);
  };
}

/** [η^k] of an expression polynomial in η: ∂^k/∂η^k at 0, over k!. */
function coefficient(e: Expr, k: number): Expr {
  let d = e;
  let f = 1;
  for (let i = 1; i <= k; i++) {
    d = diff(d, ETA);
    f *= i;
  }
  return expand(scale(subs(d, new Map([[ETA, num(0)]])), Rational.of(1, f)));
}

/**
 * Itô–Taylor moments of one step of length η of dθ = b dt + σ dW from θ = x:
 * E[φ(θ_η)] = Σ_k η^k/k! 𝓛^k φ(x), for φ = (θ − x)_i and (θ − x)_i(θ − x)_j, to order η^order.
 */
function sdeMoments(b: readonly Expr[], a: readonly (readonly Expr[])[], x: readonly Sym[], order: number): { first: Expr[]; second: Expr[][] } {
  const G = generator(b, a, x);
  const x0 = x.map((s) => sym(`${s.name}_0`));
  const back = new Map(x.map((s, i) => [s, x0[i]!] as const));
  const fwd = new Map(x0.map((s, i) => [s, x[i]!] as const));
  const series = (phi: Expr): Expr => {
    const out: Expr[] = [];
    let cur = phi;
    let f = 1;
    for (let k = 1; k <= order; k++) {
      cur = G(cur);
      f *= k;
      // evaluate at θ = x (θ − x vanishes), then rename x back to the parameters
      out.push(mul(pow(ETA, k), num(Rational.of(1, f)), subs(subs(cur, back), fwd)));
    }
    return sum(out);
  };
  const dx = x.map((s, i) => sub(s, x0[i]!));
  return {
    first: dx.map(series),
    second: dx.map((di) => dx.map((dj) => series(mul(di, dj)))),
  };
}

describe('stochastic modified equation of SGD: weak order 2 by brute-force moment matching', () => {
  // SGD step Δ = −η(∇V + ε), E ε = 0, Cov ε = cΣ(θ): E Δ = −η∇V, E ΔΔᵀ = η²(∇V∇Vᵀ + cΣ), exactly.
  const cases = [
    {
      name: '1-D polynomial loss, polynomial noise Σ(θ) = 1 + θ² + θ³/2, weight decay',
      L: loss('w^4/4 - w^2/2 + w/3', { params: ['w'] }),
      noise: { kind: 'matrix' as const, sigma: [['1 + w^2 + w^3/2']] },
      hyper: { eta: 'eta', batchSize: 4, weightDecay: 0.1 },
      gradV: (x: Sym[]): Expr[] => [add(pow(x[0]!, 3), mul(num(-1), x[0]!), num(Rational.of(1, 3)), scale(x[0]!, Rational.of(1, 10)))],
      c: Rational.of(1, 4),
    },
    {
      name: '2-D, per-example noise of two polynomial examples',
      L: loss('((w1*w2 - 1)^2 + (w1 + w2)^2)/4', { params: ['w1', 'w2'] }),
      noise: { kind: 'per-example' as const, losses: ['(w1*w2 - 1)^2/2', '(w1 + w2)^2/2'] },
      hyper: { eta: 'eta', batchSize: 1 },
      gradV: (x: Sym[]): Expr[] => {
        const [a, b] = x as [Sym, Sym];
        const r = sub(mul(a, b), num(1));
        const s = add(a, b);
        return [scale(add(mul(r, b), s), Rational.HALF), scale(add(mul(r, a), s), Rational.HALF)];
      },
      c: Rational.ONE,
    },
  ];
  for (const cs of cases)
    it(cs.name, () => {
      const sme = stochasticModifiedEquation(cs.L, cs.hyper, cs.noise);
      expect(sme.gradientForm.zero).toBe(true);
      const x = [...cs.L.params];
      const n = x.length;
      const gV = cs.gradV(x);
      const Sigma = noiseCovariance(cs.L, cs.noise);
      const { first, second } = sdeMoments(sme.drift, sme.diffusion, x, 3);
      for (let i = 0; i < n; i++) {
        expect(expand(sub(coefficient(first[i]!, 1), scale(gV[i]!, -1)))).toBe(ZERO); // −∇V
        expect(coefficient(first[i]!, 2)).toBe(ZERO); // SGD's mean step has no η² term
        for (let j = 0; j < n; j++) {
          expect(coefficient(second[i]![j]!, 1)).toBe(ZERO);
          const want = add(mul(gV[i]!, gV[j]!), mul(num(cs.c), Sigma[i]![j]!));
          expect(expand(sub(coefficient(second[i]![j]!, 2), want))).toBe(ZERO);
        }
      }
      // weak order 2 and not 3: the η³ term of the mean does not vanish (for a generic loss)
      expect(first.some((f) => coefficient(f, 3) !== ZERO)).toBe(true);
      // the drift is the EoM layer's f_1 + η f_2 (the counter term) and the diffusion ηcΣ
      expect(sme.noiseInducedDrift.every((d) => d === ZERO)).toBe(true);
    });

  it('not vacuous: gradient flow as drift, or an added noise-induced (Stratonovich-type) drift, fail at η²', () => {
    const L = loss('w^4/4 - w^2/2 + w/3', { params: ['w'] });
    const noise = { kind: 'matrix' as const, sigma: [['1 + w^2']] };
    const sme = stochasticModifiedEquation(L, { eta: 'eta', batchSize: 2 }, noise);
    const w = L.params[0]!;
    const gf = [scale(diff(L.expr, w), -1)];
    expect(coefficient(sdeMoments(gf, sme.diffusion, [w], 2).first[0]!, 2)).not.toBe(ZERO);
    const strat = [add(sme.drift[0]!, scale(diff(sme.diffusion[0]![0]!, w), Rational.of(1, 4)))];
    expect(coefficient(sdeMoments(strat, sme.diffusion, [w], 2).first[0]!, 2)).not.toBe(ZERO);
    expect(coefficient(sdeMoments(sme.drift, sme.diffusion, [w], 2).first[0]!, 2)).toBe(ZERO);
  });
});

describe('stochastic modified equation: drift from the EoM series, closed forms, measured weak order', () => {
  it('β = 0: the drift is −∇(V + (η/4)‖∇V‖²), the EoM counter terms f_1 + ηf_2 (η substituted)', () => {
    const L = loss('log(1 + exp(w1 - 2*w2)) + w1^4/4', { params: ['w1', 'w2'] });
    const sme = stochasticModifiedEquation(L, { eta: 'eta', batchSize: 8 }, { kind: 'isotropic', variance: 1 });
    const f = counterTerms(L, 2);
    const th = { w1: 0.3, w2: -0.4, eta: 0.05 };
    const fv = f.valuesAt(th);
    for (let i = 0; i < 2; i++) expect(evaluate(sme.drift[i]!, th)).toBeCloseTo(fv[0]![i]! + 0.05 * fv[1]![i]!, 13);
    expect(sme.gradientForm.zero).toBe(true);
    expect(sme.order).toMatch(/weak order 2/);
    expect(() => strictKatex(sme.latex().sde)).not.toThrow();
    expect(() => strictKatex(sme.latex().modifiedLoss)).not.toThrow();
  });

  it('momentum: drift = −∇[V + η(1+β)/(4(1−β)²)‖∇V‖²]/(1−β) (hand-written at a point), diffusion ηcΣ/(1−β)²', () => {
    const L = loss('w1^4/4 + w1*w2 + w2^2', { params: ['w1', 'w2'] });
    for (const beta of [0.6, 'beta'] as const) {
      const sme = stochasticModifiedEquation(L, { eta: 'eta', beta, batchSize: 4, weightDecay: 0.1 }, { kind: 'matrix', sigma: [[2, 'w1'], ['w1', 1]] });
      expect(sme.gradientForm.zero).toBe(true);
      const b = 0.6, eta = 0.01, w1 = 0.7, w2 = -0.3;
      const env = { w1, w2, eta, beta: b };
      // V = L + 0.05‖θ‖²: ∇V, H_V by hand
      const g = [w1 ** 3 + w2 + 0.1 * w1, w1 + 2 * w2 + 0.1 * w2];
      const H = [[3 * w1 ** 2 + 0.1, 1], [1, 2.1]];
      const Hg = [H[0]![0]! * g[0]! + H[0]![1]! * g[1]!, H[1]![0]! * g[0]! + H[1]![1]! * g[1]!];
      const k = (eta * (1 + b)) / (2 * (1 - b) ** 2);
      for (let i = 0; i < 2; i++) expect(evaluate(sme.drift[i]!, env)).toBeCloseTo(-(g[i]! + k * Hg[i]!) / (1 - b), 12);
      expect(evaluate(sme.diffusion[0]![1]!, env)).toBeCloseTo((eta / 4) * w1 / (1 - b) ** 2, 14);
      expect(sme.order).toMatch(/first-order reduction/);
      expect(() => strictKatex(sme.latex().sde)).not.toThrow();
    }
  });

  it('measured weak order on a quadratic with additive noise (exact SGD moments by recursion): 2, and 1 without the counter term', () => {
    const L = loss('w^2/2', { params: ['w'] });
    const slopes = (errs: number[]): number[] => errs.slice(1).map((e, i) => Math.log2(errs[i]! / e));
    for (const beta of [0, 0.5]) {
      const errs: number[] = [];
      const errsGF: number[] = [];
      for (const eta0 of [0.02, 0.01, 0.005, 0.0025]) {
        const eta = eta0 * (1 - beta);
        const sme = stochasticModifiedEquation(L, { eta, beta, batchSize: 1 }, { kind: 'isotropic', variance: 1 });
        const { drift, diffusion } = sme.at([1]);
        const alpha = -drift[0]!;
        const a = diffusion[0]!;
        // SGD: θ_{k+1} = (1+β−η)θ_k − βθ_{k−1} − ηε_k; E θ², E θ_kθ_{k−1} by exact recursion from the slow manifold
        const K = Math.round(1 / eta);
        const a1 = 1 + beta - eta;
        let P = 1, Q = Math.exp(alpha * eta), Pp = Q * Q;
        for (let k = 0; k < K; k++) {
          const PN = a1 * a1 * P + beta * beta * Pp - 2 * a1 * beta * Q + eta * eta;
          const QN = a1 * P - beta * Q;
          Pp = P;
          P = PN;
          Q = QN;
        }
        // OU moments at t = 1: E θ² = e^{−2αt} + a(1 − e^{−2αt})/(2α)
        const ou = (al: number): number => Math.exp(-2 * al) + (a * (1 - Math.exp(-2 * al))) / (2 * al);
        errs.push(Math.abs(P - ou(alpha)));
        errsGF.push(Math.abs(P - ou(1 / (1 - beta))));
      }
      for (const s of slopes(errs)) expect(s).toBeGreaterThan(1.9), expect(s).toBeLessThan(2.1);
      for (const s of slopes(errsGF)) expect(s).toBeGreaterThan(0.85), expect(s).toBeLessThan(1.15);
    }
  });
});

describe('weak order 3 (Gaussian gradient noise): the noise-induced drift (η²/4)∇³V[cΣ] and the diffusion correction', () => {
  /** SGD with Gaussian ε, Cov ε = Σ̃: E Δ = −ηg, E Δ⊗Δ = η²(gg + Σ̃), E Δ⊗Δ⊗Δ = −η³(ggg + 3 sym(g ⊗ Σ̃)). */
  const cases = [
    {
      name: '1-D quartic, Σ(θ) = 1 + θ² + θ³/2, weight decay',
      L: loss('w^4/4 - w^2/2 + w/3', { params: ['w'] }),
      noise: { kind: 'matrix' as const, sigma: [['1 + w^2 + w^3/2']] },
      hyper: { eta: 'eta', batchSize: 2, weightDecay: 0.1 },
      lam: Rational.of(1, 10),
      c: Rational.HALF,
    },
    {
      name: '2-D quartic, Σ(θ) with θ-dependent off-diagonal entries',
      L: loss('(w1*w2 - 1)^2/2 + w1^2/2', { params: ['w1', 'w2'] }),
      noise: { kind: 'matrix' as const, sigma: [['1 + w1^2', 'w2/2'], ['w2/2', '2 + w1*w2']] },
      hyper: { eta: 'eta', batchSize: 1 },
      lam: Rational.ZERO,
      c: Rational.ONE,
    },
  ];
  for (const cs of cases)
    it(cs.name, () => {
      const sme = stochasticModifiedEquation(cs.L, cs.hyper, cs.noise, { order: 3 });
      expect(sme.order).toMatch(/weak order 3/);
      const x = [...cs.L.params];
      const n = x.length;
      const V = add(cs.L.expr, mul(num(cs.lam.mul(Rational.HALF)), sum(x.map((p) => pow(p, 2)))));
      const g = x.map((p) => diff(V, p));
      const St = noiseCovariance(cs.L, cs.noise).map((r) => r.map((e) => mul(num(cs.c), e)));
      const { first, second } = sdeMoments(sme.drift, sme.diffusion, x, 3);
      const third = thirdMoments(sme.drift, sme.diffusion, x, 3);
      for (let i = 0; i < n; i++) {
        expect(expand(sub(coefficient(first[i]!, 1), scale(g[i]!, -1)))).toBe(ZERO);
        expect(coefficient(first[i]!, 2)).toBe(ZERO);
        expect(coefficient(first[i]!, 3)).toBe(ZERO);
        for (let j = 0; j < n; j++) {
          expect(expand(sub(coefficient(second[i]![j]!, 2), add(mul(g[i]!, g[j]!), St[i]![j]!)))).toBe(ZERO);
          expect(coefficient(second[i]![j]!, 3)).toBe(ZERO);
          for (let k = 0; k < n; k++) {
            const want = scale(add(mul(g[i]!, g[j]!, g[k]!), mul(g[i]!, St[j]![k]!), mul(g[j]!, St[i]![k]!), mul(g[k]!, St[i]![j]!)), -1);
            expect(expand(sub(coefficient(third[i]![j]![k]!, 3), want))).toBe(ZERO);
          }
        }
      }
      // the noise-induced drift is there and needed: without it the η³ term of the mean is not 0
      expect(sme.noiseInducedDrift.some((d) => expand(d) !== ZERO)).toBe(true);
      const without = sme.drift.map((d, i) => sub(d, sme.noiseInducedDrift[i]!));
      expect(sdeMoments(without, sme.diffusion, x, 3).first.some((f) => coefficient(f, 3) !== ZERO)).toBe(true);
    });

  it('measured weak order 3 on a quadratic with additive Gaussian noise (exact SGD moments)', () => {
    const L = loss('w^2/2', { params: ['w'] });
    const errs: number[] = [];
    for (const eta of [0.04, 0.02, 0.01, 0.005]) {
      const sme = stochasticModifiedEquation(L, { eta, batchSize: 1 }, { kind: 'isotropic', variance: 1 }, { order: 3 });
      const { drift, diffusion } = sme.at([1]);
      const alpha = -drift[0]!, a = diffusion[0]!;
      const K = Math.round(1 / eta);
      const r = 1 - eta;
      const sgd = r ** (2 * K) + (eta * eta * (1 - r ** (2 * K))) / (1 - r * r);
      const ou = Math.exp(-2 * alpha) + (a * (1 - Math.exp(-2 * alpha))) / (2 * alpha);
      errs.push(Math.abs(sgd - ou));
    }
    for (let i = 1; i < errs.length; i++) {
      const slope = Math.log2(errs[i - 1]! / errs[i]!);
      expect(slope).toBeGreaterThan(2.85);
      expect(slope).toBeLessThan(3.15);
    }
    expect(() => stochasticModifiedEquation(L, { eta: 0.1, beta: 0.5, batchSize: 1 }, { kind: 'isotropic', variance: 1 }, { order: 3 })).toThrow(/without momentum/);
  });
});

/** E[(θ−x)_i(θ−x)_j(θ−x)_k] of one SDE step, by the same Itô–Taylor series. */
function thirdMoments(b: readonly Expr[], a: readonly (readonly Expr[])[], x: readonly Sym[], order: number): Expr[][][] {
  const G = generator(b, a, x);
  const x0 = x.map((s) => sym(`${s.name}_0`));
  const back = new Map(x.map((s, i) => [s, x0[i]!] as const));
  const fwd = new Map(x0.map((s, i) => [s, x[i]!] as const));
  const dx = x.map((s, i) => sub(s, x0[i]!));
  const series = (phi: Expr): Expr => {
    const out: Expr[] = [];
    let cur = phi;
    let f = 1;
    for (let k = 1; k <= order; k++) {
      cur = G(cur);
      f *= k;
      out.push(mul(pow(ETA, k), num(Rational.of(1, f)), subs(subs(cur, back), fwd)));
    }
    return sum(out);
  };
  return dx.map((di) => dx.map((dj) => dx.map((dk) => series(mul(di, dj, dk)))));
}

