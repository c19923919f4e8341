/**
 * The heavy-ball modified equation as a loss-independent B-series (beside the concrete-loss recursion of
 * ./momentum.ts), on the rooted trees of the B-series layer:
 *
 *     F_η = Σ_t η^{|t|−1} a(t)/σ(t) F(t),   F(t) the elementary differentials of f = −g.
 *
 * Heavy-ball is the two-step method θ_{n+1} − (1+β)θ_n + βθ_{n−1} = η f(θ_n) (theory/bseries/methods.ts
 * `heavyBallMethod`), and a(t) is what the B-series layer's one modified-equation routine returns for it:
 * with c_j = 1 + (−1)^j β the matching condition (docs/theory/eom.md, "Heavy-ball momentum") reads, tree by tree,
 *
 *     (1−β) a(t) + Σ_{j=2}^{|t|} c_j/j! C_j(t) = δ_{t,•},
 *
 * explicit Euler's recursion with the weights c_j. The coefficients are rational in β with a pole of order
 * 2|t|−1 at β = 1, computed exactly in the ring of Laurent polynomials in u = 1/(1−β) (as in momentum.ts) and
 * returned as N_t(β)/(1−β)^{2|t|−1}. A given β is computed in the rationals. β = 0 gives explicit Euler's b(t).
 */
import { InputError, InternalError } from '../../errors.ts';
import { type Expr, type Loss, Rational, ZERO, ONE, add, expand, mul, neg, num, pow, scale, sub, subs, toLatex } from '../../symbolic/index.ts';
import { SumBuilder } from '../../symbolic/expr.ts';
import { type CoefficientRing, type RootedTree, RATIONALS, fNotationLatex, heavyBallMethod, modifiedEquation, treesOfOrder } from '../bseries/index.ts';
import { lossNotationLatex, lossSign } from './loss-notation.ts';
import { elementaryDifferential } from './instantiate.ts';
import { BETA, HB_U, canonicalInBeta } from './momentum.ts';

/**
 * Laurent polynomials in u = 1/(1−β) as expanded expressions (canonical under `expand`, so `===` is equality).
 * Only monomials c·u^k are invertible — enough for the heavy-ball method, whose leading weight is 1−β = u⁻¹.
 */
const LAURENT_IN_U: CoefficientRing<Expr> = {
  name: 'Laurent polynomials in 1/(1−β)',
  zero: ZERO,
  one: ONE,
  add: (a, b) => expand(add(a, b)),
  mul: (a, b) => expand(mul(a, b)),
  neg: (a) => expand(neg(a)),
  sum: (xs) => {
    const s = new SumBuilder();
    for (const x of xs) s.add(x);
    return expand(s.build());
  },
  scale: (a, q) => expand(scale(a, q)),
  isZero: (a) => a === ZERO,
  inverse: (a) => {
    if (a === ZERO || a.kind === 'add') throw new InternalError(`internal: ${toLatex(a)} is not a unit among the Laurent polynomials in 1/(1−β)`);
    return expand(pow(a, -1));
  },
};

/** the heavy-ball method with the symbolic β = 1 − u⁻¹ (one object, so the B-series layer memoises its orders) */
const HEAVY_BALL_SYMBOLIC = heavyBallMethod(LAURENT_IN_U, sub(ONE, pow(HB_U, -1)));

export interface HeavyBallTreeTerm {
  readonly tree: RootedTree;
  /** a(t): exact, rational in β (N(β)/(1−β)^{2|t|−1}) or a number for a given β */
  readonly a: Expr;
  /** a(t)/σ(t): the coefficient of F(t) (f = −g) in F_{|t|−1} */
  readonly weight: Expr;
  /** (−1)^{|t|} a(t)/σ(t): the coefficient of G(t) (loss notation) */
  readonly lossWeight: Expr;
}

export interface HeavyBallGeneralSeries {
  readonly order: number;
  /** terms[k]: the trees of F_k (order k+1) with non-zero coefficient */
  readonly terms: readonly (readonly HeavyBallTreeTerm[])[];
  /** F_0 … F_{K−1} for a concrete loss, by instantiating the trees (compact) */
  instantiate(L: Loss): Expr[][];
  latex(): { f: string[]; loss: string[] };
}

/** The heavy-ball series F_0 … F_{K−1} as trees of order 1 … K, β symbolic or a given exact rational. */
export function heavyBallGeneralSeries(K: number, opts: { beta?: Rational } = {}): HeavyBallGeneralSeries {
  if (!Number.isInteger(K) || K < 1) throw new InputError(`order must be a positive integer, got ${K}`);
  const beta = opts.beta;
  const a: ReadonlyMap<RootedTree, Expr> =
    beta === undefined
      ? modifiedEquation(HEAVY_BALL_SYMBOLIC, K)
      : new Map([...modifiedEquation(heavyBallMethod(RATIONALS, beta), K)].map(([t, c]) => [t, num(c)] as const));
  const toBeta = (e: Expr, p: number): Expr => {
    if (beta !== undefined) return e;
    const N = expand(subs(expand(mul(e, pow(HB_U, -p))), new Map([[HB_U, pow(sub(ONE, BETA), -1)]])));
    return mul(pow(sub(ONE, BETA), -p), N);
  };
  const terms: HeavyBallTreeTerm[][] = [];
  for (let k = 1; k <= K; k++) {
    const row: HeavyBallTreeTerm[] = [];
    for (const t of treesOfOrder(k)) {
      const at = a.get(t);
      if (at === undefined) continue;
      const A = toBeta(at, 2 * k - 1);
      const weight = scale(A, Rational.int(t.symmetry).inv());
      row.push({ tree: t, a: A, weight, lossWeight: lossSign(t) === 1 ? weight : scale(weight, -1) });
    }
    terms.push(row);
  }
  const comb = (row: readonly HeavyBallTreeTerm[], pick: (x: HeavyBallTreeTerm) => [Expr, string]): string =>
    row
      .map((x) => {
        const [c, tex] = pick(x);
        return `\\left(${toLatex(c)}\\right) ${tex}`;
      })
      .join(' + ') || '0';
  return {
    order: K,
    terms,
    instantiate(L: Loss): Expr[][] {
      return terms.map((row) => {
        const acc = L.params.map(() => new SumBuilder());
        for (const x of row) {
          const F = elementaryDifferential(L, x.tree);
          F.forEach((Fi, i) => acc[i]!.add(mul(x.weight, Fi)));
        }
        return acc.map((b) => b.build());
      });
    },
    latex: () => ({
      f: terms.map((row, k) => `F_{${k}} = ${comb(row, (x) => [x.weight, fNotationLatex(x.tree)])}`),
      loss: terms.map((row, k) => `F_{${k}} = ${comb(row, (x) => [x.lossWeight, lossNotationLatex(x.tree)])}`),
    }),
  };
}

/** canonical form for comparing tree coefficients (re-exported for tests) */
export { canonicalInBeta };
