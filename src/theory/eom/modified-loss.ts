/**
 * Modified loss (eom.md, "Counter term"): is the truncated EoM field F = f_1 + η f_2 + … + η^{K−1} f_K a
 * gradient, F = −∇L̃? Since F is a polynomial in η, it is a gradient iff every f_k is; f_k is a gradient
 * (on a simply connected domain) iff its Jacobian is symmetric, which is decided exactly:
 * expand(∂f_{k,i}/∂θ_j − ∂f_{k,j}/∂θ_i) === 0 for all i < j. The first entry that is not zero is the
 * obstruction.
 *
 * Where the Jacobian is symmetric, the potential P_k (f_k = −∇P_k) is searched for, and always checked
 * exactly (expand(∇P_k + f_k) === 0):
 *  - k = 1: P_1 = L.
 *  - scalar elementary differentials: P_k = Σ_{|t| = k} c_t Φ(t) with Φ(t) = D^m L[G(t_1), …, G(t_m)]
 *    (Φ([•]) = ‖g‖², Φ([[•]]) = gᵀHg, …; instantiate.ts), the c_t ∈ Q solved from the linear system on
 *    the expanded unit terms. This gives P_2 = ¼‖g‖² for every loss (Barrett & Dherin's implicit gradient
 *    regularisation: L̃ = L + (η/4)‖g‖² to first order) and θᵀA^kθ/(2k) for a quadratic.
 *  - polynomial fields: the radial homotopy P(θ) = −∫_0^1 θ·f_k(sθ) ds, i.e. each monomial of degree d in θ
 *    divided by d + 1.
 * Otherwise the field is reported as a gradient without a closed-form potential.
 */
import {
  type Expr,
  type Loss,
  type Sym,
  ONE as ONE_EXPR,
  Rational,
  ZERO,
  add,
  diff,
  evaluate,
  expand,
  mul,
  pow,
  scale,
  sub,
  sum,
  toLatex,
  toText,
  withBudget,
  type LatexOptions,
} from '../../symbolic/index.ts';
import { InputError, describe } from '../../errors.ts';
import { splitCoefficient } from '../../symbolic/expr.ts';
import { SumBuilder } from '../../symbolic/expr.ts';
import { type EomSeries, type CounterTermOptions, DEFAULT_MAX_NODES, counterTerms } from './counter-terms.ts';
import { ETA, etaLatex, lossDifferentials } from './instantiate.ts';
import { type RootedTree, tree, treesOfOrder } from '../bseries/index.ts';
import { scalarNotation } from './loss-notation.ts';

/** The first non-symmetric Jacobian entry of f_k. */
export interface GradientObstruction {
  /** the counter term f_k (coefficient of η^{k−1}) */
  readonly k: number;
  readonly i: number;
  readonly j: number;
  /** expand(∂f_{k,i}/∂θ_j − ∂f_{k,j}/∂θ_i), not zero */
  readonly entry: Expr;
  /** its float64 value at a few sample points (all ≈ 0 would hint at an identity `expand` cannot see) */
  readonly samples?: number[];
}

export interface OrderGradient {
  /** f_k, the coefficient of η^{k−1} */
  readonly k: number;
  /** ∂f_k is symmetric (exactly) */
  readonly symmetric: boolean;
  readonly obstruction?: GradientObstruction;
  /** P_k with f_k = −∇P_k, checked exactly */
  readonly potential?: Expr;
  readonly method?: 'loss' | 'elementary-scalars' | 'radial';
  /** for the elementary-scalar ansatz: P_k = Σ c_t Φ(t) as text, e.g. "1/4 Φ([•])" */
  readonly ansatz?: string;
  /**
   * P_k = Σ c_t Φ(t) with the nonzero c_t, when the potential was found so (P_1 = Φ(•) = L). For k ≤ 2
   * this is the general form, the same for every loss (P_2 = ¼‖∇L‖²: −f_2 = ½Hg = ∇¼‖∇L‖² identically);
   * for k ≥ 3 the c_t solve this loss's system and may differ from loss to loss.
   */
  readonly scalarForm?: ReadonlyArray<ScalarTerm>;
}

/** c_t Φ(t), one term of a potential written with the scalars Φ(t). */
export interface ScalarTerm {
  readonly coefficient: Rational;
  readonly tree: RootedTree;
}

export interface ModifiedLoss {
  readonly loss: Loss;
  /** K: the truncated field is f_1 + η f_2 + … + η^{K−1} f_K */
  readonly order: number;
  readonly eta: Sym;
  readonly orders: readonly OrderGradient[];
  /** the whole truncated field is a gradient (symmetric Jacobian at every order) */
  readonly isGradient: boolean;
  /** the largest j with f_1 … f_{j+1} all gradients with a found potential: L̃ is known through η^j */
  readonly potentialOrder: number;
  /** L̃ = Σ_{k ≤ potentialOrder+1} η^{k−1} P_k (for j = 1 always L + (η/4)‖g‖²) */
  readonly potential: Expr;
  /** the first obstruction (lowest k), when not a gradient */
  readonly obstruction?: GradientObstruction;
  /**
   * L̃ in the general notation, L + η/4 ‖∇L‖² + η²(…) (docs/theory/eom.md, "Modified loss"), through
   * η^potentialOrder, when every P_k there has a general form
   */
  general(): { text: string; latex: string } | undefined;
  summary(): string;
  /** \tilde{L} = the general form (when there is one) = this loss's instance + O(η^{j+1}) */
  latex(opts?: LatexOptions): string;
}

/**
 * Decide, order by order, whether the truncated EoM field of L with K counter-term vectors f_1..f_K is a
 * gradient, and return the modified loss where it is.
 */
export function modifiedLoss(L: Loss, K: number, opts: CounterTermOptions & { series?: EomSeries } = {}): ModifiedLoss {
  if (typeof opts !== 'object' || opts === null) throw new InputError(`modifiedLoss(L, K, options): options must be an object (got ${describe(opts)})`);
  const s = opts.series && opts.series.order >= K && opts.series.loss === L ? opts.series : counterTerms(L, K, { maxNodes: opts.maxNodes });
  const orders = withBudget(opts.maxNodes ?? DEFAULT_MAX_NODES, `the modified loss to order ${K}`, () =>
    s.f.slice(0, K).map((fk, idx) => orderGradient(L, idx + 1, fk)),
  );
  let potentialOrder = -1;
  for (const o of orders) {
    if (o.potential === undefined) break;
    potentialOrder = o.k - 1;
  }
  const potential = add(...orders.slice(0, potentialOrder + 1).map((o) => (o.k === 1 ? o.potential! : mul(pow(ETA, o.k - 1), o.potential!))));
  const obstruction = orders.find((o) => !o.symmetric)?.obstruction;
  const isGradient = orders.every((o) => o.symmetric);
  const general = potentialOrder >= 1 ? generalForm(potentialOrder) : undefined;
  return {
    loss: L,
    order: K,
    eta: ETA,
    orders,
    isGradient,
    potentialOrder,
    potential,
    obstruction,
    summary() {
      const lines = orders.map((o) => {
        const head = `η^${o.k - 1} (f_${o.k}): `;
        if (!o.symmetric) return `${head}not a gradient: ∂f_${o.k}[${o.obstruction!.i}]/∂${L.params[o.obstruction!.j]!.name} − ∂f_${o.k}[${o.obstruction!.j}]/∂${L.params[o.obstruction!.i]!.name} = ${safeText(o.obstruction!.entry)} ≠ 0`;
        if (o.potential === undefined) return `${head}symmetric Jacobian (a potential exists locally), no closed form found`;
        const gen = o.scalarForm && o.k > 1 ? `${scalarText(o.scalarForm)}${o.k > 2 ? ' (for this loss)' : ''} = ` : '';
        return `${head}f_${o.k} = −∇P_${o.k}, P_${o.k} = ${gen}${safeText(o.potential)}`;
      });
      return lines.join('\n');
    },
    general: () => general,
    latex(opts: LatexOptions = {}) {
      const lhs = `\\tilde{L}${general ? ` = ${general.latex}` : ''}`;
      const body = etaLatex(toLatex(potential, opts));
      // L̃ is known through η^{potentialOrder}
      const tail = ` + O\\left(\\eta^{${potentialOrder + 1}}\\right)`;
      return `${lhs} = ${body}${tail}`;
    },
  };
}

/** Σ c_t Φ(t) as text: `1/4 ‖∇L‖²`, `7/48 ∇Lᵀ∇²L∇L − …` */
function scalarText(terms: ReadonlyArray<ScalarTerm>): string {
  return terms
    .map((g, i) => {
      const a = g.coefficient.isNegative() ? g.coefficient.neg() : g.coefficient;
      const body = `${a.isOne() ? '' : `${a} `}${scalarNotation(g.tree)}`;
      return i === 0 ? (g.coefficient.isNegative() ? `−${body}` : body) : g.coefficient.isNegative() ? ` − ${body}` : ` + ${body}`;
    })
    .join('');
}

/**
 * L̃ in the general notation through η^j (docs/theory/eom.md, "Modified loss"): L + η/4 ‖∇L‖², the form
 * of every loss (Barrett & Dherin's implicit gradient regularisation), then η² P_3 + … + η^j P_{j+1} for
 * the orders whose potential is particular to the loss. j ≥ 1.
 */
export function generalForm(j: number): { text: string; latex: string } {
  const sup = (k: number): string => (k < 10 ? '⁰¹²³⁴⁵⁶⁷⁸⁹'[k]! : `^${k}`);
  let text = 'L + η/4 ‖∇L‖²';
  let latex = 'L + \\frac{\\eta}{4} \\lVert \\nabla L \\rVert^{2}';
  for (let k = 3; k <= j + 1; k++) {
    text += ` + η${sup(k - 1)} P_${k}`;
    latex += ` + \\eta^{${k - 1}} P_{${k}}`;
  }
  return { text, latex };
}

function safeText(e: Expr): string {
  try {
    return toText(e, { limit: 20_000 });
  } catch {
    return `(an expression of ${e.treeSize} nodes)`;
  }
}

/** The verdict for one f_k. */
export function orderGradient(L: Loss, k: number, fk: readonly Expr[]): OrderGradient {
  const th = L.params;
  const n = th.length;
  // symmetric Jacobian, exactly
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const entry = expand(sub(diff(fk[i]!, th[j]!), diff(fk[j]!, th[i]!)));
      if (entry !== ZERO) return { k, symmetric: false, obstruction: { k, i, j, entry, samples: sampleValues(entry, th) } };
    }
  }
  if (k === 1) return { k, symmetric: true, potential: L.expr, method: 'loss', scalarForm: [{ coefficient: Rational.ONE, tree: tree([]) }] };
  const target = fk.map((e) => expand(e));
  const viaScalars = elementaryScalarPotential(L, k, target);
  if (viaScalars) return { k, symmetric: true, ...viaScalars, method: 'elementary-scalars' };
  const radial = radialPotential(th, target);
  if (radial && isPotential(radial, th, target)) return { k, symmetric: true, potential: radial, method: 'radial' };
  return { k, symmetric: true };
}

function sampleValues(e: Expr, th: readonly Sym[]): number[] | undefined {
  const pts = [0.37, -0.61, 0.83];
  try {
    return pts.map((p, r) => evaluate(e, new Map(th.map((s, i) => [s, p * (1 + 0.29 * i) + 0.11 * r]))));
  } catch {
    return undefined;
  }
}

/** f = −∇P exactly */
function isPotential(P: Expr, th: readonly Sym[], target: readonly Expr[]): boolean {
  return th.every((s, i) => expand(add(diff(P, s), target[i]!)) === ZERO);
}

/** unit terms of an expanded expression with their coefficients (ONE for the constant) */
function unitTerms(e: Expr, into: Map<string, Rational>, component: number): void {
  const put = (t: Expr, c: Rational): void => {
    const key = `${component}:${t.id}`;
    into.set(key, (into.get(key) ?? Rational.ZERO).add(c));
  };
  if (e.kind === 'add') {
    if (!e.constant.isZero()) put(ONE_EXPR, e.constant);
    e.terms.forEach((t, i) => put(t, e.coeffs[i]!));
  } else if (e !== ZERO) {
    const [c, t] = splitCoefficient(e);
    put(t, c);
  }
}

/** Largest number of candidate trees tried (order ≤ 7). */
const MAX_CANDIDATES = 48;

/** P_k = Σ_{|t|=k} c_t Φ(t) solving −f_k = Σ c_t ∇Φ(t) on the expanded unit terms. */
function elementaryScalarPotential(L: Loss, k: number, target: readonly Expr[]): { potential: Expr; ansatz: string; scalarForm: ScalarTerm[] } | undefined {
  const trees = treesOfOrder(k);
  if (trees.length > MAX_CANDIDATES) return undefined;
  const d = lossDifferentials(L);
  const th = L.params;
  const columns = trees.map((t) => {
    const grad = th.map((s) => expand(diff(d.phi(t), s)));
    const col = new Map<string, Rational>();
    grad.forEach((e, i) => unitTerms(e, col, i));
    return col;
  });
  const rhs = new Map<string, Rational>();
  target.forEach((e, i) => unitTerms(scale(e, -1), rhs, i));
  const c = solveExact(columns, rhs);
  if (!c) return undefined;
  const potential = sum(trees.map((t, i) => scale(d.phi(t), c[i]!)));
  if (!isPotential(potential, th, target)) return undefined;
  const ansatz = trees
    .map((t, i) => [c[i]!, t] as const)
    .filter(([ci]) => !ci.isZero())
    .map(([ci, t]) => `${ci} Φ(${t})`)
    .join(' + ');
  const general = trees.map((t, i) => ({ coefficient: c[i]!, tree: t })).filter((g) => !g.coefficient.isZero());
  return { potential, ansatz, scalarForm: general };
}

/**
 * A solution x of Σ_j x_j col_j = rhs over Q (columns and rhs sparse, keyed by row), or undefined.
 * Gauss–Jordan elimination with exact rationals; free unknowns are set to 0.
 */
export function solveExact(columns: ReadonlyArray<ReadonlyMap<string, Rational>>, rhs: ReadonlyMap<string, Rational>): Rational[] | undefined {
  const rowKeys = new Set<string>(rhs.keys());
  for (const c of columns) for (const k of c.keys()) rowKeys.add(k);
  const m = columns.length;
  const rows: Rational[][] = [...rowKeys].map((key) => [...columns.map((c) => c.get(key) ?? Rational.ZERO), rhs.get(key) ?? Rational.ZERO]);
  const pivots: number[] = [];
  let r = 0;
  for (let col = 0; col < m && r < rows.length; col++) {
    const p = rows.findIndex((row, i) => i >= r && !row[col]!.isZero());
    if (p < 0) continue;
    [rows[r], rows[p]] = [rows[p]!, rows[r]!];
    const pivot = rows[r]![col]!;
    rows[r] = rows[r]!.map((x) => x.div(pivot));
    for (let i = 0; i < rows.length; i++) {
      if (i === r || rows[i]![col]!.isZero()) continue;
      const f = rows[i]![col]!;
      rows[i] = rows[i]!.map((x, j) => x.sub(f.mul(rows[r]![j]!)));
    }
    pivots.push(col);
    r++;
  }
  // inconsistent: a zero row with a non-zero right-hand side
  for (let i = r; i < rows.length; i++) if (!rows[i]![m]!.isZero()) return undefined;
  const x = new Array<Rational>(m).fill(Rational.ZERO);
  pivots.forEach((col, i) => (x[col] = rows[i]![m]!));
  return x;
}

/**
 * Radial homotopy for a polynomial field: P(θ) = −Σ_i θ_i Σ_monomials c·m(θ)/(deg m + 1), valid when every
 * unit term of the expanded f_k is a product of parameters (times parameter-free factors).
 */
function radialPotential(th: readonly Sym[], target: readonly Expr[]): Expr | undefined {
  const b = new SumBuilder();
  for (let i = 0; i < th.length; i++) {
    const e = target[i]!;
    const terms: Array<[Rational, Expr]> = [];
    if (e.kind === 'add') {
      if (!e.constant.isZero()) terms.push([e.constant, ONE_EXPR]);
      e.terms.forEach((t, j) => terms.push([e.coeffs[j]!, t]));
    } else if (e !== ZERO) terms.push(splitCoefficient(e));
    for (const [c, t] of terms) {
      const deg = paramDegree(t, th);
      if (deg === undefined) return undefined;
      b.add(mul(th[i]!, t), c.div(Rational.int(deg + 1)).neg());
    }
  }
  return b.build();
}

/** total degree of a monomial in the parameters, or undefined if a parameter occurs non-polynomially */
function paramDegree(t: Expr, th: readonly Sym[]): number | undefined {
  const isParam = (x: Expr): boolean => th.includes(x as Sym);
  const dependsOnParams = (x: Expr): boolean => th.some((s) => (x.free & s.free) !== 0n);
  if (t === ONE_EXPR || !dependsOnParams(t)) return 0;
  if (isParam(t)) return 1;
  if (t.kind === 'mul') {
    let d = 0;
    for (let i = 0; i < t.bases.length; i++) {
      const base = t.bases[i]!;
      if (!dependsOnParams(base)) continue;
      const k = t.exps[i]!;
      if (!isParam(base) || !k.isInteger() || k.isNegative()) return undefined;
      d += k.toNumber();
    }
    return d;
  }
  return undefined;
}
