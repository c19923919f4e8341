/**
 * The heavy-ball modified equation as a loss-independent B-series (a bonus beside the concrete-loss recursion
 * of ./momentum.ts), on the rooted trees of ./trees.ts:
 *
 *     F_η = Σ_t η^{|t|−1} a(t)/σ(t) F(t),   F(t) the elementary differentials of f = −g.
 *
 * The matching condition Σ_{j≥1} c_j/j! η^{j−1} (D_F)^j θ = f  (c_j = 1 + (−1)^j β) becomes, tree by tree,
 * with C_1 = a and C_{j+1} = ∂_a C_j (the Lie derivative on trees: C_{j+1}(t) = Σ_{edge cuts} C_j(trunk) a(branch)),
 *
 *     (1−β) a(t) + Σ_{j=2}^{|t|} c_j/j! C_j(t) = δ_{t,•},
 *
 * the same recursion as explicit Euler's (series.ts) with the weights c_j. The coefficients are rational in β
 * with a pole of order 2|t|−1 at β = 1, computed exactly in u = 1/(1−β) (as in momentum.ts) and returned as
 * N_t(β)/(1−β)^{2|t|−1}. β = 0 gives explicit Euler's b(t).
 */
import { InputError } from '../../errors.ts';
import { type Expr, type Loss, Rational, ZERO, ONE, SumBuilder, expand, mul, num, pow, scale, sub, subs, toLatex } from '../../symbolic/index.ts';
import { type RootedTree, LEAF, edgeCuts, fNotationLatex, lossNotationLatex, lossSign, treesOfOrder } from './trees.ts';
import { elementaryDifferential } from './instantiate.ts';
import { BETA, HB_U, canonicalInBeta } from './momentum.ts';

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
  const uInv = pow(HB_U, -1);
  const gammaOverFact = (j: number): Expr => {
    let f = Rational.ONE;
    for (let i = 2; i <= j; i++) f = f.mul(Rational.int(i));
    if (beta !== undefined) return num(Rational.ONE.add(j % 2 === 0 ? beta : beta.neg()).div(f));
    return scale(j % 2 === 0 ? sub(num(2), uInv) : uInv, f.inv()); // 1 ± β with β = 1 − u⁻¹
  };
  const inv = beta !== undefined ? num(Rational.ONE.sub(beta).inv()) : HB_U;
  const a = new Map<RootedTree, Expr>();
  const C: Array<Map<RootedTree, Expr>> = [];
  for (let n = 1; n <= K; n++) {
    for (const t of treesOfOrder(n)) {
      const rest = new SumBuilder();
      for (let j = 2; j <= n; j++) {
        const prev = j === 2 ? a : C[j - 1]!;
        const cj = new SumBuilder();
        for (const { trunk, branch } of edgeCuts(t)) {
          const p = prev.get(trunk);
          const b = a.get(branch);
          if (p !== undefined && b !== undefined) cj.add(mul(p, b));
        }
        const v = expand(cj.build());
        if (v !== ZERO) {
          (C[j] ??= new Map()).set(t, v);
          rest.add(mul(gammaOverFact(j), v));
        }
      }
      const at = expand(mul(inv, sub(t === LEAF ? ONE : ZERO, rest.build())));
      if (at !== ZERO) a.set(t, at);
    }
  }
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
