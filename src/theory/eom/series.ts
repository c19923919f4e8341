/**
 * Gradient descent's modified equation as a B-series (docs/theory/eom.md, "Counter term"): explicit Euler
 * θ_{n+1} = θ_n + η f(θ_n), f = −∇L, handed to the B-series layer's one modified-equation routine
 * (theory/bseries/modified-equation.ts, Lie-series matching, GNI §IX.1), then printed per order:
 *
 *     θ̇ = Σ_k η^{k−1} f_k,   f_k = Σ_{|t|=k} b(t)/σ(t) F(t)   (f-notation)   = Σ (−1)^{|t|} b(t)/σ(t) G(t)   (loss notation).
 */
import { InputError } from '../../errors.ts';
import { Rational } from '../../symbolic/index.ts';
import {
  type Coefficients,
  type RootedTree,
  explicitEulerMethod,
  fNotation,
  fNotationLatex,
  modifiedEquation,
  symmetryQ,
  treesOfOrder,
} from '../bseries/index.ts';
import { lossNotation, lossNotationLatex, lossSign } from './loss-notation.ts';

/**
 * The modified-equation coefficients b(t), |t| ≤ K, of explicit Euler (exact rationals; zeros omitted).
 * Memoised by the B-series layer: higher orders extend the lower ones.
 */
export function modifiedEquationCoefficients(K: number, opts: { maxTrees?: number } = {}): Coefficients {
  if (!Number.isInteger(K) || K < 1) throw new InputError(`order must be a positive integer, got ${K}`);
  return modifiedEquation(explicitEulerMethod, K, opts.maxTrees === undefined ? {} : { maxTrees: opts.maxTrees });
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
export function generalSeries(K: number, maxTrees?: number): GeneralSeries {
  const b = modifiedEquationCoefficients(K, maxTrees === undefined ? {} : { maxTrees });
  const terms: TreeTerm[][] = [];
  for (let k = 1; k <= K; k++) {
    const row: TreeTerm[] = [];
    for (const t of maxTrees === undefined ? treesOfOrder(k) : treesOfOrder(k, maxTrees)) {
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
