/**
 * The modified equation of explicit Euler (gradient descent) as a B-series, computed by Lie-series matching
 * (eom.md, "Counter term"; GNI §IX.1 and §IX.9).
 *
 * Normalisation. A B-series vector field with coefficients b (b(∅) = 0) is
 *
 *     h·F_h = Σ_t h^{|t|} b(t)/σ(t) F(t),    i.e.   F_h = Σ_k h^{k−1} f_k,   f_k = Σ_{|t|=k} b(t)/σ(t) F(t),
 *
 * and a B-series map is B(a, θ) = a(∅) θ + Σ_t h^{|t|} a(t)/σ(t) F(t).
 *
 * Lie derivative. The derivative of a B-series map along a B-series field, B(a)′·(h F_h), is the B-series
 * with coefficients
 *
 *     (∂_b a)(t) = a(∅) b(t) + Σ_{edges e of t} a(trunk_e) b(branch_e)                        (1)
 *
 * (the Leibniz rule grafts the field's trees onto every node; read backwards, a graft is an edge cut —
 * trees.ts `edgeCuts`). The exact time-h flow of the field is the Lie series
 *
 *     φ_h = Σ_{j≥0} (h D_F)^j id / j!   →   coefficients   e^b = Σ_j c_j / j!,   c_0 = δ_∅, c_j = ∂_b c_{j−1}.   (2)
 *
 * Matching. The EoM is the field whose flow is one GD step θ + h f, i.e. e^b(•) = 1 and e^b(t) = 0 for
 * |t| ≥ 2. Since c_1 = b and c_j(t) (j ≥ 2) involves b on smaller trees only (every part of a cut is
 * smaller than t), this is solved tree by tree, in order of size:
 *
 *     b(t) = δ_{t,•} − Σ_{j=2}^{|t|} c_j(t)/j!                                                (3)
 *
 * (c_j(t) = 0 for j > |t|: c_j lives on trees with at least j nodes, one per factor b.) All arithmetic is
 * exact (Rational). The same routine (2) with b = δ_• gives the exact flow of θ̇ = f, whose coefficients
 * are 1/γ(t) (GNI Thm. III.1.4): a check of (1) to any order, in the tests.
 */
import { InputError } from '../../errors.ts';
import { Rational } from '../../symbolic/index.ts';
import {
  type RootedTree,
  LEAF,
  edgeCuts,
  fNotation,
  fNotationLatex,
  lossNotation,
  lossNotationLatex,
  lossSign,
  symmetryQ,
  treesOfOrder,
} from './trees.ts';

/** Coefficients of a B-series, keyed by tree (∅ is implicit: absent). */
export type Coefficients = ReadonlyMap<RootedTree, Rational>;

const coeff = (a: Coefficients, t: RootedTree): Rational => a.get(t) ?? Rational.ZERO;

/**
 * (∂_b a) on the trees of order ≤ maxOrder, formula (1); `aEmpty` = a(∅).
 */
export function lieDerivative(a: Coefficients, aEmpty: Rational, b: Coefficients, maxOrder: number): Map<RootedTree, Rational> {
  const out = new Map<RootedTree, Rational>();
  for (let n = 1; n <= maxOrder; n++) {
    for (const t of treesOfOrder(n)) {
      let s = aEmpty.mul(coeff(b, t));
      for (const { trunk, branch } of edgeCuts(t)) {
        const at = a.get(trunk);
        const bb = b.get(branch);
        if (at !== undefined && bb !== undefined) s = s.add(at.mul(bb));
      }
      if (!s.isZero()) out.set(t, s);
    }
  }
  return out;
}

/** Coefficients of the exact time-h flow of the B-series field b, formula (2), to order maxOrder (∅ ↦ 1 implicit). */
export function exactFlowCoefficients(b: Coefficients, maxOrder: number): Map<RootedTree, Rational> {
  const flow = new Map<RootedTree, Rational>();
  let cj: Coefficients = new Map(b); // c_1 = b
  let factorial = Rational.ONE;
  for (let j = 1; j <= maxOrder && cj.size > 0; j++) {
    factorial = factorial.mul(Rational.int(j));
    for (const [t, c] of cj) flow.set(t, (flow.get(t) ?? Rational.ZERO).add(c.div(factorial)));
    cj = lieDerivative(cj, Rational.ZERO, b, maxOrder); // c_{j+1} = ∂_b c_j (c_j(∅) = 0 for j ≥ 1)
  }
  for (const [t, c] of flow) if (c.isZero()) flow.delete(t);
  return flow;
}

/**
 * The modified-equation coefficients b(t), |t| ≤ K, of explicit Euler θ_{n+1} = θ_n + h f(θ_n),
 * by the recursion (3). Memoised: higher orders extend the lower ones.
 */
const bMemo = new Map<RootedTree, Rational>();
/** c[j] = c_j restricted to the trees solved so far (j ≥ 2), formula (2) */
const cMemo: Array<Map<RootedTree, Rational>> = [];
let solvedOrder = 0;

export function modifiedEquationCoefficients(K: number): Coefficients {
  if (!Number.isInteger(K) || K < 1) throw new InputError(`order must be a positive integer, got ${K}`);
  for (let n = solvedOrder + 1; n <= K; n++) {
    for (const t of treesOfOrder(n)) {
      // c_j(t) for j = 2..n from c_{j−1} on the trunks and b on the branches (both on smaller trees)
      let rest = Rational.ZERO;
      let factorial = Rational.ONE;
      for (let j = 2; j <= n; j++) {
        factorial = factorial.mul(Rational.int(j));
        const prev: Coefficients = j === 2 ? bMemo : cMemo[j - 1]!;
        let cjt = Rational.ZERO;
        for (const { trunk, branch } of edgeCuts(t)) {
          const p = prev.get(trunk);
          const bb = bMemo.get(branch);
          if (p !== undefined && bb !== undefined) cjt = cjt.add(p.mul(bb));
        }
        if (!cjt.isZero()) {
          (cMemo[j] ??= new Map()).set(t, cjt);
          rest = rest.add(cjt.div(factorial));
        }
      }
      const bt = (t === LEAF ? Rational.ONE : Rational.ZERO).sub(rest);
      if (!bt.isZero()) bMemo.set(t, bt);
    }
    solvedOrder = n;
  }
  const out = new Map<RootedTree, Rational>();
  for (const [t, c] of bMemo) if (t.order <= K) out.set(t, c);
  return out;
}

// ---------------------------------------------------------------------------------------------------------
// The series per order, and its printing

/** One term b(t)/σ(t) F(t) of f_k. */
export interface TreeTerm {
  readonly tree: RootedTree;
  /** b(t) */
  readonly b: Rational;
  /** b(t)/σ(t): the coefficient of F(t) in f_k (f-notation) */
  readonly weight: Rational;
  /** (−1)^{|t|} b(t)/σ(t): the coefficient of G(t) in f_k (loss notation, f = −g) */
  readonly lossWeight: Rational;
}

export interface GeneralSeries {
  readonly order: number;
  /** terms[k−1]: the trees of f_k with non-zero coefficient, in canonical tree order */
  readonly terms: readonly (readonly TreeTerm[])[];
  /** f_k in f-notation, e.g. "-1/2 f′f" */
  text(k: number): string;
  /** f_k in loss notation, e.g. "-1/2 Hg" */
  lossText(k: number): string;
  latex(): { f: string[]; loss: string[]; xi: string[]; eom: string };
}

/** f_1 … f_K of explicit Euler's modified equation as trees with exact coefficients. */
export function generalSeries(K: number): GeneralSeries {
  const b = modifiedEquationCoefficients(K);
  const terms: TreeTerm[][] = [];
  for (let k = 1; k <= K; k++) {
    const row: TreeTerm[] = [];
    for (const t of treesOfOrder(k)) {
      const bt = b.get(t);
      if (bt === undefined) continue;
      const weight = bt.div(symmetryQ(t));
      row.push({ tree: t, b: bt, weight, lossWeight: lossSign(t) === 1 ? weight : weight.neg() });
    }
    terms.push(row);
  }
  const row = (k: number): readonly TreeTerm[] => {
    if (!Number.isInteger(k) || k < 1 || k > K) throw new InputError(`f_${k} is outside the series (orders 1..${K})`);
    return terms[k - 1]!;
  };
  return {
    order: K,
    terms,
    text: (k) => linearCombinationText(row(k).map((x) => [x.weight, fNotation(x.tree)])),
    lossText: (k) => linearCombinationText(row(k).map((x) => [x.lossWeight, lossNotation(x.tree)])),
    latex: () => {
      const f = terms.map((r) => linearCombinationLatex(r.map((x) => [x.weight, fNotationLatex(x.tree)])));
      const loss = terms.map((r) => linearCombinationLatex(r.map((x) => [x.lossWeight, lossNotationLatex(x.tree)])));
      // ξ_j = −f_{j+1}
      const xi = terms.slice(1).map((r) => linearCombinationLatex(r.map((x) => [x.lossWeight.neg(), lossNotationLatex(x.tree)])));
      return { f, loss, xi, eom: eomLatex(xi) };
    },
  };
}

/** θ̇ = −g − η ξ_1 − η² ξ_2 − …, with each ξ_j written out. */
export function eomLatex(xi: readonly string[]): string {
  let s = '\\dot{\\theta} = -g';
  xi.forEach((x, i) => {
    const eta = i === 0 ? '\\eta' : `\\eta^{${i + 1}}`;
    s += ` - ${eta}\\left(${x}\\right)`;
  });
  return s;
}

function rationalText(q: Rational): string {
  return q.isInteger() ? q.num.toString() : `${q.num}/${q.den}`;
}

/** "c1 X1 + c2 X2 − …" with unit coefficients left out. */
export function linearCombinationText(terms: ReadonlyArray<readonly [Rational, string]>): string {
  if (terms.length === 0) return '0';
  let s = '';
  for (const [c, x] of terms) {
    const a = c.isNegative() ? c.neg() : c;
    const body = a.isOne() ? x : `${rationalText(a)} ${x}`;
    s += s === '' ? (c.isNegative() ? `-${body}` : body) : c.isNegative() ? ` - ${body}` : ` + ${body}`;
  }
  return s;
}

export function rationalLatex(a: Rational): string {
  return a.isInteger() ? a.num.toString() : `\\frac{${a.num}}{${a.den}}`;
}

/** LaTeX of Σ c_i X_i. */
export function linearCombinationLatex(terms: ReadonlyArray<readonly [Rational, string]>): string {
  if (terms.length === 0) return '0';
  let s = '';
  for (const [c, x] of terms) {
    const a = c.isNegative() ? c.neg() : c;
    const body = a.isOne() ? x : `${rationalLatex(a)} ${x}`;
    s += s === '' ? (c.isNegative() ? `-${body}` : body) : c.isNegative() ? ` - ${body}` : ` + ${body}`;
  }
  return s;
}
