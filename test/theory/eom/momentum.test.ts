import { describe, expect, it } from 'vitest';
import katex from 'katex';
import {
  type Expr,
  type Sym,
  Rational,
  ZERO,
  ONE,
  add,
  diff,
  expand,
  gradient,
  hessian,
  loss,
  mul,
  num,
  pow,
  scale,
  sub,
  subs,
  sum,
} from '../../../src/symbolic/index.ts';
import {
  BETA,
  ETA,
  canonicalInBeta,
  heavyBallModifiedLoss,
  heavyBallSecondOrder,
  heavyBallSeries,
} from '../../../src/theory/eom/momentum.ts';
import { counterTerms, generalSeries } from '../../../src/theory/eom/index.ts';
import { heavyBallGeneralSeries } from '../../../src/theory/eom/momentum-bseries.ts';
import { compile, dist, heavyBall, rk4, slope } from './momentum-numeric.ts';

const renders = (tex: string): void => {
  expect(() => katex.renderToString(tex, { throwOnError: true, strict: 'error' })).not.toThrow();
};

const Q = (p: number, q = 1): Expr => num(Rational.of(p, q));
const matVec = (M: Expr[][], v: readonly Expr[]): Expr[] => M.map((row) => sum(row.map((h, j) => mul(h, v[j]!))));
/** T(a, b)_i = Σ_jk ∂_k H_ij a_j b_k, written out with the full third-derivative tensor (independent of jvp) */
function third(L: Expr, params: readonly Sym[], a: readonly Expr[], b: readonly Expr[]): Expr[] {
  const H = hessian(L, params);
  return params.map((_, i) => sum(params.flatMap((_, j) => params.map((pk, k) => mul(diff(H[i]![j]!, pk), a[j]!, b[k]!)))));
}

const L1 = loss('w^4/4 + w^2/2', { params: ['w'] });
const L2 = loss('x^4/4 + y^2/2 + x*y/2 + y^4/8', { params: ['x', 'y'] });
const L3 = loss('log(1 + exp(x - 2*y)) + x^2*y^2/2', { params: ['x', 'y'] });

describe('heavy-ball modified equation: the first terms', () => {
  for (const L of [L1, L2, L3]) {
    it(`F_0 = −g/(1−β), F_1 = −(1+β)/(2(1−β)³) H g exactly (${L.formula})`, () => {
      const s = heavyBallSeries(L, 2);
      const g = gradient(L.expr, L.params);
      const Hg = matVec(hessian(L.expr, L.params), g);
      for (let i = 0; i < L.params.length; i++) {
        const F0 = mul(Q(-1), g[i]!, pow(sub(ONE, BETA), -1));
        const F1 = mul(Q(-1, 2), add(ONE, BETA), pow(sub(ONE, BETA), -3), Hg[i]!);
        expect(canonicalInBeta(s.F[0]![i]!)).toBe(canonicalInBeta(F0));
        expect(canonicalInBeta(s.F[1]![i]!)).toBe(canonicalInBeta(F1));
      }
    });
  }

  it('the modified loss L + η(1+β)/(4(1−β)²)‖g‖² reproduces (1−β)(F_0 + ηF_1) exactly', () => {
    for (const L of [L1, L2, L3]) {
      const m = heavyBallModifiedLoss(L);
      expect(m.verified).toBe(true);
      renders(m.latex());
      expect(heavyBallModifiedLoss(L, { beta: '9/10' }).verified).toBe(true);
    }
  });

  it('a symbolic β specialised to 3/5 equals the series derived with β = 3/5; compact equals expanded', () => {
    const sym5 = heavyBallSeries(L2, 4);
    const num5 = heavyBallSeries(L2, 4, { beta: '3/5' });
    const dec5 = heavyBallSeries(L2, 4, { beta: 0.6 });
    const compact = heavyBallSeries(L2, 4, { beta: 0.6, expanded: false });
    const at = new Map([[BETA, Q(3, 5)]]);
    for (let k = 0; k < 4; k++) {
      for (let i = 0; i < 2; i++) {
        expect(expand(subs(sym5.F[k]![i]!, at))).toBe(num5.F[k]![i]!);
        expect(dec5.F[k]![i]!).toBe(num5.F[k]![i]!);
        expect(expand(compact.F[k]![i]!)).toBe(num5.F[k]![i]!);
      }
    }
    const symCompact = heavyBallSeries(L2, 3, { expanded: false });
    for (let k = 0; k < 3; k++) for (let i = 0; i < 2; i++) expect(canonicalInBeta(symCompact.F[k]![i]!)).toBe(canonicalInBeta(sym5.F[k]![i]!));
    expect(sym5.numerators).toBeDefined();
  });
});

describe('β = 0 reduces to the gradient-descent series', () => {
  for (const L of [L1, L2, L3]) {
    it(`F_0 = −g, F_1 = −½Hg, F_2 = −1/12 ∇³L[g,g] − 1/3 HHg, and F_k = f_{k+1} of counterTerms to k = 4 (${L.formula})`, () => {
      const s = heavyBallSeries(L, 5, { beta: 0 });
      const g = gradient(L.expr, L.params);
      const H = hessian(L.expr, L.params);
      const Hg = matVec(H, g);
      const HHg = matVec(H, Hg);
      const Tgg = third(L.expr, L.params, g, g);
      for (let i = 0; i < L.params.length; i++) {
        expect(s.F[0]![i]!).toBe(expand(mul(Q(-1), g[i]!)));
        expect(s.F[1]![i]!).toBe(expand(mul(Q(-1, 2), Hg[i]!)));
        expect(s.F[2]![i]!).toBe(expand(add(mul(Q(-1, 12), Tgg[i]!), mul(Q(-1, 3), HHg[i]!))));
      }
      const f = counterTerms(L, 5, { expanded: true }).f;
      for (let k = 0; k < 5; k++) for (let i = 0; i < L.params.length; i++) expect(s.F[k]![i]!).toBe(f[k]![i]!);
      // the symbolic-β series at β = 0 as well
      const sb = heavyBallSeries(L, 3);
      for (let k = 0; k < 3; k++) for (let i = 0; i < L.params.length; i++) expect(expand(subs(sb.F[k]![i]!, new Map([[BETA, ZERO]])))).toBe(s.F[k]![i]!);
    });
  }
});

/**
 * Brute force, written independently of the engine's recursion: build the candidate field F = Σ_{k<K} η^k F_k
 * (η a symbol), its exact flow as the Lie series φ_s = Σ_j s^j/j! (F·∇)^j θ with the derivative written out
 * component by component, and check that R = φ_η(θ) − θ + β(φ_{−η}(θ) − θ) + ηg(θ) has no terms of order
 * η^0 … η^K (while η^{K+1} survives): the truncation error of K terms is exactly the next order.
 */
function residualOrders(L: ReturnType<typeof loss>, K: number, beta: Expr, canon: (e: Expr) => Expr): Expr[][] {
  const s = heavyBallSeries(L, K, beta === BETA ? {} : { beta: (beta as { value: Rational }).value.toString() });
  const P = L.params;
  const F = P.map((_, i) => sum(s.F.map((Fk, k) => mul(pow(ETA, k), Fk[i]!))));
  const g = gradient(L.expr, P);
  // D^j θ, j = 0 … K+1
  const D: Expr[][] = [P.slice()];
  for (let j = 1; j <= K + 1; j++) {
    const prev = D[j - 1]!;
    D.push(P.map((_, i) => expand(sum(P.map((pj, jj) => mul(diff(prev[i]!, pj), F[jj]!))))));
  }
  let fact = Rational.ONE;
  const R: Expr[] = P.map((_, i) => mul(ETA, g[i]!));
  const terms: Expr[][] = P.map(() => []);
  for (let j = 1; j <= K + 1; j++) {
    fact = fact.mul(Rational.int(j));
    const cPlus = pow(ETA, j);
    const cMinus = scale(pow(ETA, j), (j % 2 === 0 ? Rational.ONE : Rational.MINUS_ONE));
    for (let i = 0; i < P.length; i++) terms[i]!.push(scale(mul(add(cPlus, mul(beta, cMinus)), D[j]![i]!), fact.inv()));
  }
  const Rs = R.map((r, i) => expand(add(r, ...terms[i]!)));
  // coefficients of η^m, m = 0 … K+1
  return Rs.map((r) => {
    const out: Expr[] = [];
    let d = r;
    let mf = Rational.ONE;
    for (let m = 0; m <= K + 1; m++) {
      if (m > 0) {
        mf = mf.mul(Rational.int(m));
        d = diff(d, ETA);
      }
      out.push(canon(scale(subs(d, new Map([[ETA, ZERO]])), mf.inv())));
    }
    return out;
  });
}

describe('brute force: the two-step recursion Taylor-expanded with the candidate flow', () => {
  it('1-D, exact β = 3/5 and β = 1/3: residual O(η^{K+1}) for K = 1 … 4', () => {
    for (const b of [Q(3, 5), Q(1, 3)]) {
      for (let K = 1; K <= 4; K++) {
        const [coeffs] = residualOrders(L1, K, b, expand);
        for (let m = 0; m <= K; m++) expect(coeffs![m]).toBe(ZERO);
        expect(coeffs![K + 1]).not.toBe(ZERO);
      }
    }
  });
  it('1-D and 2-D, symbolic β: residual O(η^{K+1}) exactly as rational functions of β', () => {
    for (const [L, Kmax] of [
      [L1, 4],
      [L2, 3],
    ] as const) {
      for (let K = 1; K <= Kmax; K++) {
        for (const coeffs of residualOrders(L, K, BETA, canonicalInBeta)) {
          for (let m = 0; m <= K; m++) expect(coeffs[m]).toBe(ZERO);
        }
      }
    }
  });
});

describe('second-order form and LaTeX', () => {
  it('m θ̈ + (1−β)θ̇ = −g with m = η(1+β)/2', () => {
    const so = heavyBallSecondOrder(L2);
    expect(expand(sub(so.mass, mul(ETA, add(ONE, BETA), Q(1, 2))))).toBe(ZERO);
    expect(so.damping).toBe(sub(ONE, BETA));
    const g = gradient(L2.expr, L2.params);
    so.force.forEach((f, i) => expect(add(f, g[i]!)).toBe(ZERO));
    const tex = so.latex();
    renders(tex.general);
    renders(tex.components);
  });
  it('every printed LaTeX renders with KaTeX (strict)', () => {
    for (const opts of [{}, { beta: '3/5' }, { expanded: false }]) {
      const tex = heavyBallSeries(L3, 3, opts).latex();
      for (const t of tex.F) renders(t);
      renders(tex.equation);
      renders(tex.general);
    }
  });
  it('rejects bad input', () => {
    expect(() => heavyBallSeries(L1, 0)).toThrow();
    expect(() => heavyBallSeries(L1, 2, { beta: 1 })).toThrow(/β/);
    expect(() => heavyBallSeries(L1, 2, { beta: -0.1 })).toThrow(/β/);
  });
});

describe('numeric: heavy-ball from the slow manifold follows the K-term modified flow with global error O(η^K)', () => {
  const etas = [1 / 100, 1 / 125, 1 / 160, 1 / 200];
  const beta = 0.6;
  const T = 1;
  const measure = (L: ReturnType<typeof loss>, theta0: number[], Kmax: number) => {
    const s = heavyBallSeries(L, Kmax, { beta: '3/5' });
    const grad = compile(gradient(L.expr, L.params), L.params);
    const out: Array<{ K: number; manifold: number; zeroVelocity: number; errs: number[]; errs0: number[] }> = [];
    for (let K = 1; K <= Kmax; K++) {
      const F = compile(s.field(K), L.params, ETA);
      const errs: number[] = [];
      const errs0: number[] = [];
      for (const eta of etas) {
        const N = Math.round(T / eta);
        const prev = rk4(F, theta0, -eta, 16, eta); // θ_{−1} = φ_{−η}(θ_0): one step of the modified flow backwards
        const ref = rk4(F, theta0, T, 8 * N, eta);
        errs.push(dist(heavyBall(grad, theta0, prev, eta, beta, N), ref));
        errs0.push(dist(heavyBall(grad, theta0, theta0, eta, beta, N), ref));
      }
      out.push({ K, manifold: slope(etas, errs), zeroVelocity: slope(etas, errs0), errs, errs0 });
    }
    return out;
  };
  it('1-D quartic L = w⁴/4 + w²/2, β = 0.6, T = 1: slopes ≈ K for K = 1 … 4; zero-velocity start stays at ≈ 1', () => {
    const r = measure(L1, [1], 4);
    console.log('heavy-ball 1-D slopes (manifold / zero velocity):', r.map((x) => `K=${x.K}: ${x.manifold.toFixed(3)} / ${x.zeroVelocity.toFixed(3)}`).join(', '));
    for (const x of r) {
      expect(Math.abs(x.manifold - x.K)).toBeLessThan(x.K <= 3 ? 0.15 : 0.25);
    }
    const last = r[3]!;
    expect(Math.abs(last.zeroVelocity - 1)).toBeLessThan(0.25);
    expect(last.errs0.at(-1)!).toBeGreaterThan(10 * last.errs.at(-1)!);
  });
  it('2-D non-quadratic loss, β = 0.6, T = 1: slopes ≈ K for K = 1 … 3', () => {
    const r = measure(L2, [1, -0.5], 3);
    console.log('heavy-ball 2-D slopes (manifold / zero velocity):', r.map((x) => `K=${x.K}: ${x.manifold.toFixed(3)} / ${x.zeroVelocity.toFixed(3)}`).join(', '));
    for (const x of r) expect(Math.abs(x.manifold - x.K)).toBeLessThan(0.15);
    expect(Math.abs(r[2]!.zeroVelocity - 1)).toBeLessThan(0.25);
  });
});

describe('bonus: the heavy-ball series as a loss-independent B-series on rooted trees', () => {
  it('tree counts, β = 0 gives explicit Euler’s b(t)/σ(t), instantiation equals the concrete recursion', () => {
    const gs = heavyBallGeneralSeries(6);
    expect(gs.terms.map((r) => r.length)).toEqual([1, 1, 2, 4, 9, 20]);
    const g0 = heavyBallGeneralSeries(6, { beta: Rational.ZERO });
    const ge = generalSeries(6);
    g0.terms.forEach((row, k) => {
      expect(row.map((x) => x.tree)).toEqual(ge.terms[k]!.map((x) => x.tree));
      row.forEach((x, i) => expect(x.weight).toBe(num(ge.terms[k]![i]!.weight)));
    });
    for (const L of [L1, L2, L3]) {
      const inst = heavyBallGeneralSeries(4).instantiate(L);
      const direct = heavyBallSeries(L, 4);
      inst.forEach((Fk, k) => Fk.forEach((e, i) => expect(canonicalInBeta(e)).toBe(canonicalInBeta(direct.F[k]![i]!))));
    }
    const tex = heavyBallGeneralSeries(4).latex();
    for (const t of [...tex.f, ...tex.loss]) renders(t);
  });
});
