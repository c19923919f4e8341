import { describe, expect, it } from 'vitest';
import { type Expr, Rational, ZERO, add, diff, expand, mul, num, pow, scale, sub, subs, sym } from '../../../src/symbolic/index.ts';
import { BudgetError, InputError } from '../../../src/errors.ts';
import {
  type BSeriesMethod,
  type RootedTree,
  LEAF,
  RATIONALS,
  tree,
  treesOfOrder,
  exactFlowCoefficients,
  exactFlowMethod,
  explicitEulerMethod,
  explicitMidpointMethod,
  heunMethod,
  heavyBallMethod,
  linearMultistepMethod,
  modifiedEquation,
  oneDimensionalExponents,
  rungeKuttaMethod,
} from '../../../src/theory/bseries/index.ts';
import { BETA, heavyBallGeneralSeries } from '../../../src/theory/eom/index.ts';

const q = (p: number, r = 1): Rational => Rational.of(p, r);
const t21 = tree([LEAF]); // [•]
const bush3 = tree([LEAF, LEAF]); // [•,•]
const chain3 = tree([t21]); // [[•]]
const asText = (m: ReadonlyMap<RootedTree, Rational>): Record<string, string> =>
  Object.fromEntries([...m].map(([t, c]) => [String(t), c.toString()]));

// ---------------------------------------------------------------------------------------------------------
// An independent route in one dimension: the modified equation by brute-force Taylor expansion in h.
// For θ̇ = f(y) in 1-D every elementary differential is a product of derivatives of f, so the tree series
// Σ_{|t|=k} b(t)/σ(t) F(t) must equal the f_k found by matching powers of h of one step of the method with
// the Lie series of the modified field  y + Σ_j h^j/j! D^j y,  D φ = F̃ φ′,  F̃ = Σ_k h^{k−1} f_k.

const y = sym('y');
const h = sym('h');

/** [h^k] e, by differentiating k times and setting h = 0. */
function coefficientOfH(e: Expr, k: number): Expr {
  let d = e;
  let fact = Rational.ONE;
  for (let i = 1; i <= k; i++) {
    d = diff(d, h);
    fact = fact.mul(q(i));
  }
  return expand(scale(subs(d, new Map([[h, ZERO]])), fact.inv()));
}

/** f_1 … f_K of the modified equation of the 1-D one-step map y ↦ step(y), by order-by-order matching. */
function taylorModifiedField(step: Expr, K: number): Expr[] {
  const fs: Expr[] = [];
  for (let k = 1; k <= K; k++) {
    // the flow over time h of the known part Σ_{i<k} h^{i−1} f_i, to order h^k
    const G = add(...fs.map((fi, i) => mul(pow(h, i), fi)));
    let Dj: Expr = y;
    let flow: Expr = y;
    let fact = Rational.ONE;
    for (let j = 1; j <= k; j++) {
      Dj = expand(mul(G, diff(Dj, y)));
      fact = fact.mul(q(j));
      flow = add(flow, mul(pow(h, j), scale(Dj, fact.inv())));
    }
    fs.push(expand(sub(coefficientOfH(step, k), coefficientOfH(flow, k))));
  }
  return fs;
}

/** Σ_{|t|=k} b(t)/σ(t) F(t) in 1-D: F(t) = Π_m (f^(m))^{c_m}. */
function treeSeries1D(b: ReadonlyMap<RootedTree, Rational>, f: Expr, k: number): Expr {
  const derivs: Expr[] = [f];
  const terms: Expr[] = [];
  for (const t of treesOfOrder(k)) {
    const c = b.get(t);
    if (c === undefined) continue;
    const exps = oneDimensionalExponents(t);
    while (derivs.length < exps.length) derivs.push(diff(derivs.at(-1)!, y));
    terms.push(scale(mul(...exps.map((e, m) => pow(derivs[m]!, e))), c.div(Rational.int(t.symmetry))));
  }
  return expand(add(...terms));
}

/** a polynomial field with f‴ ≠ 0 and f⁗ ≠ 0, so every tree shape up to order 5 contributes */
const field = (s: Expr): Expr => add(num(1), mul(num(2), s), pow(s, 2), scale(pow(s, 3), q(1, 3)), pow(s, 4));
const f = field(y);

function expectTaylorAgreement(method: BSeriesMethod<Rational>, step: Expr, K: number): void {
  const byTaylor = taylorModifiedField(step, K);
  const b = modifiedEquation(method, K);
  for (let k = 1; k <= K; k++) expect(treeSeries1D(b, f, k), `${method.name}, f_${k}`).toBe(byTaylor[k - 1]!);
}

/**
 * [z^k] z̃(z), k = 1..K, for the scalar equation Σ_{j≥1} (1 + (−1)^j β) z̃^j / j! = z (heavy-ball applied to
 * f = λy, z = hλ), by truncated power-series arithmetic with rationals: order by order, the z^k coefficient
 * of the left side is (1−β) s_k plus a polynomial in s_1 … s_{k−1}.
 */
function chainSeriesOfHeavyBall(beta: Rational, K: number): Rational[] {
  const s: Rational[] = new Array(K + 1).fill(q(0));
  const mulSeries = (a: Rational[], b: Rational[]): Rational[] => {
    const out: Rational[] = new Array(K + 1).fill(q(0));
    for (let i = 0; i <= K; i++) for (let j = 0; i + j <= K; j++) out[i + j] = out[i + j]!.add(a[i]!.mul(b[j]!));
    return out;
  };
  const lhs = (): Rational[] => {
    const out: Rational[] = new Array(K + 1).fill(q(0));
    let power: Rational[] = [q(1), ...new Array(K).fill(q(0))];
    let fact = q(1);
    for (let j = 1; j <= K; j++) {
      power = mulSeries(power, s);
      fact = fact.mul(q(j));
      const w = q(1).add(j % 2 === 0 ? beta : beta.neg()).div(fact);
      for (let i = 0; i <= K; i++) out[i] = out[i]!.add(w.mul(power[i]!));
    }
    return out;
  };
  for (let k = 1; k <= K; k++) {
    const rest = lhs()[k]!; // s_k is still 0 here
    s[k] = (k === 1 ? q(1) : q(0)).sub(rest).div(q(1).sub(beta));
  }
  return s;
}

describe('the generic modified-equation routine', () => {
  it('the exact flow (a = 1/γ) has the trivial modified equation θ̇ = f, to order 8', () => {
    expect(asText(modifiedEquation(exactFlowMethod, 8))).toEqual({ '•': '1' });
  });

  it('explicit Euler gives gradient descent’s known coefficients: −½ f′f, then 1/3 f′f′f and 1/12 f″(f,f) (b = 1/6, σ = 2)', () => {
    const b = modifiedEquation(explicitEulerMethod, 4);
    expect(b.get(LEAF)!.isOne()).toBe(true);
    expect(b.get(t21)!.equals(q(-1, 2))).toBe(true); // f_2 = −½ f′f  (= −½ Hg for f = −g)
    expect(b.get(chain3)!.equals(q(1, 3))).toBe(true); // f_3 ∋ 1/3 f′f′f
    expect(b.get(bush3)!.equals(q(1, 6))).toBe(true); // b/σ = 1/12 for f″(f,f)
    expect(b.get(tree([LEAF, LEAF, LEAF]))).toBeUndefined(); // f‴(f,f,f) has coefficient 0
    // its exact flow is one Euler step
    expect(asText(exactFlowCoefficients(modifiedEquation(explicitEulerMethod, 8), 8))).toEqual({ '•': '1' });
  });

  it('explicit Euler agrees with the brute-force 1-D Taylor matching to order 5', () => {
    expectTaylorAgreement(explicitEulerMethod, add(y, mul(h, f)), 5);
  });

  it('the explicit midpoint rule agrees with the brute-force 1-D Taylor matching to order 5', () => {
    const step = add(y, mul(h, field(add(y, mul(scale(h, q(1, 2)), f)))));
    expectTaylorAgreement(explicitMidpointMethod, step, 5);
    // second order: the h-term vanishes, f_3 = −1/6 f′f′f + 1/12·… (b([[•]]) = −1/6 known closed form)
    const b = modifiedEquation(explicitMidpointMethod, 3);
    expect(b.get(t21)).toBeUndefined();
    expect(b.get(chain3)!.equals(q(-1, 6))).toBe(true);
  });

  it('Heun’s method agrees with the brute-force 1-D Taylor matching to order 5', () => {
    const step = add(y, mul(h, scale(add(f, field(add(y, mul(h, f)))), q(1, 2))));
    expectTaylorAgreement(heunMethod, step, 5);
    // a control: Heun and the midpoint rule are both of order 2 but differ at h² — the check tells them apart
    const midpointStep = add(y, mul(h, field(add(y, mul(scale(h, q(1, 2)), f)))));
    expect(treeSeries1D(modifiedEquation(heunMethod, 3), f, 3)).not.toBe(taylorModifiedField(midpointStep, 3)[2]);
  });

  it('classical RK4 satisfies the order conditions: b = δ_• through order 4, a non-zero h⁴ term', () => {
    const rk4 = rungeKuttaMethod('RK4', {
      A: [
        [q(0), q(0), q(0), q(0)],
        [q(1, 2), q(0), q(0), q(0)],
        [q(0), q(1, 2), q(0), q(0)],
        [q(0), q(0), q(1), q(0)],
      ],
      b: [q(1, 6), q(1, 3), q(1, 3), q(1, 6)],
    });
    const b = modifiedEquation(rk4, 5);
    expect([...b.keys()].filter((t) => t.order <= 4)).toEqual([LEAF]);
    expect([...b.keys()].some((t) => t.order === 5)).toBe(true);
  });

  it('a multistep method and the one-step method it equals give the same series (trapezoidal, implicit Euler)', () => {
    const trapezoidalMultistep = linearMultistepMethod(
      'trapezoidal (multistep)',
      RATIONALS,
      [
        { offset: 0, weight: q(-1) },
        { offset: 1, weight: q(1) },
      ],
      [
        { offset: 0, weight: q(1, 2) },
        { offset: 1, weight: q(1, 2) },
      ],
    );
    const trapezoidalRk = rungeKuttaMethod('trapezoidal (RK)', {
      A: [
        [q(0), q(0)],
        [q(1, 2), q(1, 2)],
      ],
      b: [q(1, 2), q(1, 2)],
    });
    const bm = modifiedEquation(trapezoidalMultistep, 7);
    expect(asText(bm)).toEqual(asText(modifiedEquation(trapezoidalRk, 7)));
    // symmetric: only odd orders (even powers of h) survive
    for (const t of bm.keys()) expect(t.order % 2, String(t)).toBe(1);
    // linear f = λy: e^{hλ̃} = (1 + z/2)/(1 − z/2), hλ̃ = 2 artanh(z/2) = z + z³/12 + …, so b([[•]]) = 1/12
    expect(bm.get(chain3)!.equals(q(1, 12))).toBe(true);

    const implicitEulerMultistep = linearMultistepMethod(
      'implicit Euler (multistep)',
      RATIONALS,
      [
        { offset: 0, weight: q(-1) },
        { offset: 1, weight: q(1) },
      ],
      [{ offset: 1, weight: q(1) }],
    );
    const implicitEulerRk = rungeKuttaMethod('implicit Euler (RK)', { A: [[q(1)]], b: [q(1)] });
    const bi = modifiedEquation(implicitEulerMultistep, 6);
    expect(asText(bi)).toEqual(asText(modifiedEquation(implicitEulerRk, 6)));
    expect(bi.get(t21)!.equals(q(1, 2))).toBe(true); // +½ f′f: the adjoint of explicit Euler
  });

  it('heavy-ball with β = 0 is explicit Euler; with β = 1/2 its leading field is f/(1−β)', () => {
    expect(asText(modifiedEquation(heavyBallMethod(RATIONALS, q(0)), 7))).toEqual(asText(modifiedEquation(explicitEulerMethod, 7)));
    const b = modifiedEquation(heavyBallMethod(RATIONALS, q(1, 2)), 2);
    expect(b.get(LEAF)!.equals(q(2))).toBe(true);
    // F_1 = −(1+β)/(2(1−β)³) f′f  (docs/theory/eom.md, "Heavy-ball momentum"; for f = −g: −(1+β)/(2(1−β)³) Hg)
    expect(b.get(t21)!.equals(q(-6))).toBe(true);
  });

  it('heavy-ball on chains equals the scalar power series solving e^{z̃} − (1+β) + βe^{−z̃} = z (linear f = λy)', () => {
    // For f = λy only the chains [[…[•]]] have F(t) ≠ 0 (F = λ^k y, σ = 1), and the modified rate z̃ = hλ̃
    // solves the characteristic equation of the recursion exactly: b(chain_k) = [z^k] z̃(z).
    const K = 8;
    for (const beta of [q(3, 5), q(1, 3), q(9, 10)]) {
      const s = chainSeriesOfHeavyBall(beta, K);
      const b = modifiedEquation(heavyBallMethod(RATIONALS, beta), K);
      let chain = LEAF;
      for (let k = 1; k <= K; k++) {
        expect((b.get(chain) ?? q(0)).toString(), `β = ${beta}, k = ${k}`).toBe(s[k]!.toString());
        chain = tree([chain]);
      }
    }
  });

  it('heavy-ball with symbolic β (Laurent ring in 1/(1−β)) evaluated at β = 3/5 equals the run in the rationals', () => {
    const symbolic = heavyBallGeneralSeries(6);
    for (const beta of [q(3, 5), q(1, 4)]) {
      const exact = modifiedEquation(heavyBallMethod(RATIONALS, beta), 6);
      let count = 0;
      for (const row of symbolic.terms) {
        for (const x of row) {
          const v = expand(subs(x.a, new Map([[BETA, num(beta)]])));
          expect(v, String(x.tree)).toBe(num(exact.get(x.tree) ?? q(0)));
          count++;
        }
      }
      expect(count).toBe(exact.size);
    }
  });

  it('higher orders extend the memoised lower ones, and the result does not depend on the order asked first', () => {
    const midpointAgain = rungeKuttaMethod('explicit midpoint (fresh)', {
      A: [
        [q(0), q(0)],
        [q(1, 2), q(0)],
      ],
      b: [q(0), q(1)],
    });
    const low = modifiedEquation(midpointAgain, 3);
    const direct = modifiedEquation(midpointAgain, 7);
    const stepwise = modifiedEquation(explicitMidpointMethod, 7); // solved to 5, 3 before
    expect(asText(stepwise)).toEqual(asText(direct));
    expect(asText(modifiedEquation(midpointAgain, 3))).toEqual(asText(low));
    expect(asText(low)).toEqual(asText(new Map([...direct].filter(([t]) => t.order <= 3))));
  });

  it('bad input: inconsistent methods, non-integer offsets, bad orders are InputErrors', () => {
    const inconsistent = linearMultistepMethod('bad', RATIONALS, [{ offset: 1, weight: q(1) }], [{ offset: 0, weight: q(1) }]);
    expect(() => modifiedEquation(inconsistent, 2)).toThrow(InputError);
    expect(() => modifiedEquation(inconsistent, 2)).toThrow(/Σ_i α_i must be 0/);
    const degenerate = linearMultistepMethod(
      'degenerate',
      RATIONALS,
      [
        { offset: -1, weight: q(1) },
        { offset: 0, weight: q(-2) },
        { offset: 1, weight: q(1) },
      ],
      [{ offset: 0, weight: q(1) }],
    );
    expect(() => modifiedEquation(degenerate, 2)).toThrow(/Σ_i α_i i = 0/); // heavy-ball at β = 1
    expect(() => linearMultistepMethod('half', RATIONALS, [{ offset: 0.5, weight: q(1) }], [])).toThrow(InputError);
    for (const K of [0, -1, 1.5, Number.NaN]) expect(() => modifiedEquation(explicitEulerMethod, K)).toThrow(InputError);
    expect(() => modifiedEquation(explicitEulerMethod, 40)).toThrow(BudgetError);
    expect(() => modifiedEquation(exactFlowMethod, 5, { maxTrees: 10 })).toThrow(/17 rooted trees with up to 5 nodes, above the budget maxTrees = 10/);
    expect(() => rungeKuttaMethod('ragged', { A: [[q(0)]], b: [q(1, 2), q(1, 2)] })).toThrow(/2×2/);
  });
});
