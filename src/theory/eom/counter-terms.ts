/**
 * The counter terms of gradient descent for a concrete loss (eom.md, "Counter term"):
 *
 *     θ̇ = F_η(θ) = f_1 + η f_2 + η² f_3 + …,   f_1 = −g,    f_k = Σ_{|t|=k} b(t)/σ(t) F(t)(θ),
 *
 * the coefficients b(t) from series.ts (loss-independent, exact), the elementary differentials F(t)(θ) from
 * instantiate.ts (directional derivatives, memoised per tree). The EoM in the paper's form is
 * θ̇ = −g − η ξ_1 − η² ξ_2 − …, ξ_j = −f_{j+1}.
 */
import { InputError, describe, requireInteger } from '../../errors.ts';
import { DEFAULT_MAX_TREES, checkTreeBudget } from '../bseries/trees.ts';
import {
  type Env,
  type Expr,
  type Loss,
  type Sym,
  ZERO,
  add,
  evaluate,
  mul,
  neg,
  pow,
  requireLoss,
  vectorLatex,
  withBudget,
} from '../../symbolic/index.ts';
import { SumBuilder } from '../../symbolic/expr.ts';
import { type GeneralSeries, generalSeries } from './series.ts';
import { ETA, etaLatex, lossDifferentials } from './instantiate.ts';
import { packedCounterTerms } from './packed-counter-terms.ts';

export interface CounterTermOptions {
  /** give every f_k in canonical expanded form (default: compact, as built, with shared sub-expressions) */
  expanded?: boolean;
  /** expression-swell budget: at most this many new nodes (default 5,000,000) */
  maxNodes?: number;
  /** tree budget: at most this many rooted trees with up to K nodes (default DEFAULT_MAX_TREES = 200,000, i.e. K ≤ 15) */
  maxTrees?: number;
}

export interface EomSeries {
  readonly loss: Loss;
  /** K: f_1 … f_K are derived */
  readonly order: number;
  /** the symbol η used in `field` (internal name, printed \eta) */
  readonly eta: Sym;
  /** whether f and xi are in canonical expanded form */
  readonly expanded: boolean;
  /** the loss-independent series (trees and exact coefficients) */
  readonly general: GeneralSeries;
  /** f[k−1] = f_k(θ) as a vector over loss.params; f[0] = −g */
  readonly f: Expr[][];
  /** xi[j−1] = ξ_j = −f_{j+1}, j = 1 … K−1 */
  readonly xi: Expr[][];
  /** EoM_j: the truncated field f_1 + η f_2 + … + η^j f_{j+1} (j = 0: gradient flow), j ≤ K − 1 */
  field(j: number): Expr[];
  /** the same series in canonical expanded form (this object if already expanded) */
  toExpanded(): EomSeries;
  /** float64 values of every f_k at a point: values[k−1][i] */
  valuesAt(point: Env): number[][];
  /** LaTeX: f_k and ξ_j as column vectors, the EoM θ̇ = −g − η ξ_1 − … , and the general series */
  latex(): { f: string[]; xi: string[]; eom: string; general: ReturnType<GeneralSeries['latex']> };
}

export const DEFAULT_MAX_NODES = 5_000_000;

/** f_1 … f_K of the modified equation of GD for the loss L (see EomSeries). */
export function counterTerms(L: Loss, K: number, opts: CounterTermOptions = {}): EomSeries {
  requireLoss('counterTerms(L, K): L', L);
  if (typeof K !== 'number' || !Number.isInteger(K) || K < 1) throw new InputError(`counterTerms(L, K): the order K must be a positive integer, got ${describe(K)}`);
  if (typeof opts !== 'object' || opts === null) throw new InputError(`counterTerms(L, K, options): options must be an object (got ${describe(opts)})`);
  const maxNodes = opts.maxNodes ?? DEFAULT_MAX_NODES;
  requireInteger('counterTerms options.maxNodes', maxNodes, 1);
  // f_K sums over every rooted tree with K nodes: bound their number before enumerating them
  checkTreeBudget(`counterTerms(L, ${K})`, K, requireInteger('counterTerms options.maxTrees', opts.maxTrees ?? DEFAULT_MAX_TREES, 1));
  const general = generalSeries(K, opts.maxTrees);
  const expanded = opts.expanded ?? false;
  const build = (asExpanded: boolean): Expr[][] => withBudget(maxNodes, `the counter terms f_1..f_${K}`, () => counterTermVectors(L, general, asExpanded));
  return makeSeries(L, general, build(expanded), expanded, () => build(true));
}

/** f_1 … f_K as vectors over L.params, compact or in canonical expanded form. */
function counterTermVectors(L: Loss, general: GeneralSeries, expanded: boolean): Expr[][] {
  const d = lossDifferentials(L);
  const n = L.params.length;
  d.plan(general.terms.flatMap((row) => row.map((term) => term.tree)));
  return (
    // a polynomial loss, expanded: packed polynomial arithmetic when its exponents fit (packed-counter-terms.ts)
    (expanded ? packedCounterTerms(L, general) : undefined) ??
    general.terms.map((row) => {
      // f_k = Σ_t (−1)^{|t|} b(t)/σ(t) G(t)
      const acc = Array.from({ length: n }, () => new SumBuilder());
      for (const term of row) {
        const G = expanded ? d.expandedG(term.tree) : d.G(term.tree);
        for (let i = 0; i < n; i++) acc[i]!.add(G[i]!, term.lossWeight);
      }
      // a sum of expanded forms with rational weights is expanded (SumBuilder merges like unit terms)
      return acc.map((b) => b.build());
    })
  );
}

/**
 * The series object; `expandedF` computes the expanded f_1 … f_K when asked (toExpanded) by the route that
 * `counterTerms(L, K, { expanded: true })` takes — packed polynomial arithmetic for a polynomial loss,
 * expansion after substitution otherwise — rather than by multiplying out each compact component.
 */
function makeSeries(L: Loss, general: GeneralSeries, f: Expr[][], expanded: boolean, expandedF: () => Expr[][]): EomSeries {
  const K = general.order;
  const xi = f.slice(1).map((fk) => fk.map(neg));
  let expandedSeries: EomSeries | undefined;
  const self: EomSeries = {
    loss: L,
    order: K,
    eta: ETA,
    expanded,
    general,
    f,
    xi,
    field(j: number): Expr[] {
      if (!Number.isInteger(j) || j < 0 || j > K - 1) throw new InputError(`EoM_${j} needs f_1..f_${j + 1}; this series has f_1..f_${K}`);
      return L.params.map((_, i) => add(...f.slice(0, j + 1).map((fk, k) => (k === 0 ? fk[i]! : mul(pow(ETA, k), fk[i]!)))));
    },
    toExpanded(): EomSeries {
      if (expanded) return self;
      expandedSeries ??= makeSeries(L, general, expandedF(), true, expandedF);
      return expandedSeries;
    },
    valuesAt(point: Env): number[][] {
      return f.map((fk) => fk.map((e) => (e === ZERO ? 0 : evaluate(e, point))));
    },
    latex() {
      const fl = f.map((fk) => etaLatex(vectorLatex(fk)));
      const xl = xi.map((x) => etaLatex(vectorLatex(x)));
      let eom = '\\dot{\\theta} = -g';
      for (let j = 1; j < K; j++) eom += ` - ${j === 1 ? '\\eta' : `\\eta^{${j}}`}\\, \\xi_{${j}}`;
      return { f: fl, xi: xl, eom, general: general.latex() };
    },
  };
  return self;
}
