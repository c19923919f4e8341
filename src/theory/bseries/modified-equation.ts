/**
 * The modified equation of any method given as B-series data (./methods.ts), by Lie-series matching
 * (docs/theory/eom.md, "Counter term" and "Heavy-ball momentum"; GNI §IX.1, §IX.9, §XV.2; BSeries.jl's
 * `modified_equation`).
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
 * ./trees.ts `edgeCuts`). The exact time-s·h flow of the field is the Lie series
 *
 *     φ_{sh} = Σ_{j≥0} (s h D_F)^j id / j!   →   e_s = Σ_j s^j c_j / j!,   c_0 = δ_∅, c_j = ∂_b c_{j−1}.   (2)
 *
 * Matching. Every method is read as a relation Σ_i α_i θ_{n+i} = R(θ_n) between points of the flow of the
 * modified field, θ_{n+i} = φ_{ih}(θ_n):
 *
 *     one-step Φ_h = B(a):   α = (−1, 1) at offsets (0, 1),   R(t) = a(t);
 *     multistep (α_i, β_i):  R = h Σ_i β_i f(φ_{ih}),      R(t) = Σ_i β_i Π_k e_i(t_k)   (t = [t_1..t_m])
 *
 * (the composition h f(B(e)) has coefficients Π_k e(t_k), GNI Lemma III.1.9). On a tree t,
 *
 *     Σ_i α_i e_i(t) = (Σ_i α_i i) b(t) + Σ_{j=2}^{|t|} w_j c_j(t),     w_j = Σ_i α_i i^j / j!,
 *
 * and c_j(t) (j ≥ 2) and R(t) only involve b on smaller trees (every part of a cut, every child, is smaller
 * than t), so the matching is solved tree by tree in order of size:
 *
 *     b(t) = (R(t) − Σ_{j=2}^{|t|} w_j c_j(t)) / w_1.                                          (3)
 *
 * (c_j(t) = 0 for j > |t|: c_j lives on trees with at least j nodes, one per factor b.) For explicit Euler
 * (w_1 = 1, w_j = 1/j!, R = δ_•) this is gradient descent's counter-term recursion; for the exact flow
 * (R = 1/γ) it returns b = δ_•; for heavy-ball (w_j = (1 + (−1)^j β)/j!, R = δ_•) the heavy-ball series.
 */
import { InputError } from '../../errors.ts';
import { Rational } from '../../symbolic/index.ts';
import type { BSeriesMethod, StepWeight } from './methods.ts';
import { type CoefficientRing, RATIONALS } from './ring.ts';
import { type RootedTree, DEFAULT_MAX_TREES, checkTreeBudget, edgeCuts, treesOfOrder } from './trees.ts';

/** Coefficients of a B-series, keyed by tree (∅ is implicit: absent; zero coefficients are absent too). */
export type Coefficients<C = Rational> = ReadonlyMap<RootedTree, C>;

/** Σ over the single-edge cuts of t of a(trunk)·b(branch) — the graft part of formula (1). */
function graftSum<C>(ring: CoefficientRing<C>, a: Coefficients<C>, b: Coefficients<C>, t: RootedTree): C {
  const terms: C[] = [];
  for (const { trunk, branch } of edgeCuts(t)) {
    const at = a.get(trunk);
    const bb = b.get(branch);
    if (at !== undefined && bb !== undefined) terms.push(ring.mul(at, bb));
  }
  return terms.length === 0 ? ring.zero : ring.sum(terms);
}

/** (∂_b a) on the trees of order ≤ maxOrder, formula (1); `aEmpty` = a(∅). */
export function lieDerivative<C = Rational>(
  a: Coefficients<C>,
  aEmpty: C,
  b: Coefficients<C>,
  maxOrder: number,
  ring: CoefficientRing<C> = RATIONALS as unknown as CoefficientRing<C>,
): Map<RootedTree, C> {
  const out = new Map<RootedTree, C>();
  for (let n = 1; n <= maxOrder; n++) {
    for (const t of treesOfOrder(n)) {
      const bt = b.get(t);
      const s = ring.add(bt === undefined ? ring.zero : ring.mul(aEmpty, bt), graftSum(ring, a, b, t));
      if (!ring.isZero(s)) out.set(t, s);
    }
  }
  return out;
}

/** Coefficients of the exact time-h flow of the B-series field b, formula (2) with s = 1, to order maxOrder (∅ ↦ 1 implicit). */
export function exactFlowCoefficients<C = Rational>(
  b: Coefficients<C>,
  maxOrder: number,
  ring: CoefficientRing<C> = RATIONALS as unknown as CoefficientRing<C>,
): Map<RootedTree, C> {
  const flow = new Map<RootedTree, C>();
  let cj: Coefficients<C> = new Map(b); // c_1 = b
  let factorial = Rational.ONE;
  for (let j = 1; j <= maxOrder && cj.size > 0; j++) {
    factorial = factorial.mul(Rational.int(j));
    for (const [t, c] of cj) flow.set(t, ring.add(flow.get(t) ?? ring.zero, ring.scale(c, factorial.inv())));
    cj = lieDerivative(cj, ring.zero, b, maxOrder, ring); // c_{j+1} = ∂_b c_j (c_j(∅) = 0 for j ≥ 1)
  }
  for (const [t, c] of flow) if (ring.isZero(c)) flow.delete(t);
  return flow;
}

/** The matching data of formula (3): weights α_i per offset and the right-hand side R(t). */
interface Matching<C> {
  readonly alpha: readonly StepWeight<C>[];
  /** offsets i at which R needs the flow coefficients e_i of smaller trees */
  readonly flowOffsets: readonly number[];
  rhs(t: RootedTree, flowAt: (offset: number, t: RootedTree) => C): C;
}

function matchingOf<C>(method: BSeriesMethod<C>): Matching<C> {
  const ring = method.ring;
  if (method.kind === 'one-step') {
    return {
      alpha: [
        { offset: 0, weight: ring.neg(ring.one) },
        { offset: 1, weight: ring.one },
      ],
      flowOffsets: [],
      rhs: (t) => method.coefficient(t),
    };
  }
  const beta = method.beta;
  return {
    alpha: method.alpha,
    flowOffsets: [...new Set(beta.map((x) => x.offset))],
    rhs: (t, flowAt) =>
      ring.sum(
        beta.map(({ offset, weight }) => {
          let p = weight;
          for (const c of t.children) p = ring.mul(p, flowAt(offset, c));
          return p;
        }),
      ),
  };
}

/** The incremental solver of formula (3) for one method: orders already solved are kept. */
class ModifiedEquationSolver<C> {
  private readonly ring: CoefficientRing<C>;
  private readonly matching: Matching<C>;
  /** b(t), non-zero only */
  private readonly b = new Map<RootedTree, C>();
  /** c[j] = c_j on the trees solved so far (j ≥ 2), non-zero only */
  private readonly c: Array<Map<RootedTree, C>> = [];
  /** e_i on the trees solved so far, for the offsets the right-hand side needs */
  private readonly flow = new Map<number, Map<RootedTree, C>>();
  /** w_j = Σ_i α_i i^j / j!, j ≥ 1 (w[0] unused) */
  private readonly w: C[] = [];
  private readonly invW1: C;
  private solved = 0;

  constructor(method: BSeriesMethod<C>) {
    this.ring = method.ring;
    this.matching = matchingOf(method);
    const alphaSum = this.ring.sum(this.matching.alpha.map((x) => x.weight));
    if (!this.ring.isZero(alphaSum)) {
      throw new InputError(`modifiedEquation(${method.name}): the method is not consistent: Σ_i α_i must be 0 (θ_{n+i} = θ must solve the relation)`);
    }
    const w1 = this.weight(1);
    if (this.ring.isZero(w1)) throw new InputError(`modifiedEquation(${method.name}): Σ_i α_i i = 0, so the relation does not determine the field (not a consistent method)`);
    this.invW1 = this.ring.inverse(w1);
    for (const o of this.matching.flowOffsets) this.flow.set(o, new Map());
  }

  /** w_j = Σ_i α_i i^j / j! */
  private weight(j: number): C {
    let factorial = Rational.ONE;
    for (let i = 2; i <= j; i++) factorial = factorial.mul(Rational.int(i));
    return this.ring.sum(this.matching.alpha.map(({ offset, weight }) => this.ring.scale(weight, Rational.int(offset).powInt(j).div(factorial))));
  }

  private flowAt = (offset: number, t: RootedTree): C => {
    if (offset === 0) return this.ring.zero; // φ_0 = id: e_0(t) = 0 for t ≠ ∅
    return this.flow.get(offset)!.get(t) ?? this.ring.zero;
  };

  solveTo(K: number): Map<RootedTree, C> {
    const ring = this.ring;
    for (let n = this.solved + 1; n <= K; n++) {
      this.w[n] ??= this.weight(n);
      for (const t of treesOfOrder(n, Number.MAX_SAFE_INTEGER)) {
        // c_j(t), j = 2..n, from c_{j−1} on the trunks and b on the branches (all smaller trees)
        const cs: C[] = [];
        const rest: C[] = [];
        for (let j = 2; j <= n; j++) {
          const prev: Coefficients<C> = j === 2 ? this.b : (this.c[j - 1] ?? new Map());
          const cjt = graftSum(ring, prev, this.b, t);
          cs[j] = cjt;
          if (!ring.isZero(cjt)) {
            (this.c[j] ??= new Map()).set(t, cjt);
            rest.push(ring.mul(this.w[j]!, cjt));
          }
        }
        const r = this.matching.rhs(t, this.flowAt);
        const bt = ring.mul(this.invW1, ring.add(r, ring.neg(ring.sum(rest))));
        if (!ring.isZero(bt)) this.b.set(t, bt);
        // e_i(t) = Σ_j i^j/j! c_j(t) (c_1 = b) for the offsets R needs
        for (const [offset, e] of this.flow) {
          if (offset === 0) continue;
          const terms: C[] = [];
          let factorial = Rational.ONE;
          for (let j = 1; j <= n; j++) {
            factorial = factorial.mul(Rational.int(j));
            const cj = j === 1 ? bt : cs[j]!;
            if (!ring.isZero(cj)) terms.push(ring.scale(cj, Rational.int(offset).powInt(j).div(factorial)));
          }
          const et = ring.sum(terms);
          if (!ring.isZero(et)) e.set(t, et);
        }
      }
      this.solved = n;
    }
    const out = new Map<RootedTree, C>();
    for (const [t, c] of this.b) if (t.order <= K) out.set(t, c);
    return out;
  }
}

const solvers = new WeakMap<object, ModifiedEquationSolver<unknown>>();

/**
 * The modified vector field of `method` as B-series coefficients b(t), 1 ≤ |t| ≤ K, exact in the method's
 * coefficient ring (zeros omitted): θ̇ = Σ_t h^{|t|−1} b(t)/σ(t) F(t). Memoised per method object, so
 * asking for a higher order extends the orders already solved. `maxTrees` bounds the number of trees
 * (BudgetError above it; the default allows order 15).
 */
export function modifiedEquation<C>(method: BSeriesMethod<C>, K: number, opts: { maxTrees?: number } = {}): Map<RootedTree, C> {
  if (!Number.isInteger(K) || K < 1) throw new InputError(`modifiedEquation(${method.name}): order must be a positive integer, got ${K}`);
  checkTreeBudget(`modifiedEquation(${method.name})`, K, opts.maxTrees ?? DEFAULT_MAX_TREES);
  let solver = solvers.get(method) as ModifiedEquationSolver<C> | undefined;
  if (solver === undefined) {
    solver = new ModifiedEquationSolver(method);
    solvers.set(method, solver as ModifiedEquationSolver<unknown>);
  }
  return solver.solveTo(K);
}
