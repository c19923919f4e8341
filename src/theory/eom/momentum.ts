/**
 * Heavy-ball momentum θ_{k+1} = θ_k − η g(θ_k) + β(θ_k − θ_{k−1}) (docs/theory/eom.md, "Heavy-ball momentum").
 *
 * 1. The second-order form  m θ̈ + (1−β) θ̇ = −g,  m = η(1+β)/2  (`heavyBallSecondOrder`).
 * 2. The first-order modified equation on the slow manifold, θ̇ = F_η = F_0 + ηF_1 + η²F_2 + …, to any
 *    order, for a concrete loss (`heavyBallSeries`). F_η is fixed by asking that its exact flow φ_s turn the
 *    two-step recursion into an identity of formal series in η:
 *
 *        φ_η(θ) − θ + β(φ_{−η}(θ) − θ) = −η g(θ),      φ_s(θ) = Σ_j s^j/j! (D_F)^j θ,   D_F G = G′F.
 *
 *    Dividing by η:  Σ_{j≥1} η^{j−1} c_j/j! (D_F)^j θ = −g  with  c_j = 1 + (−1)^j β  (c_1 = 1−β, c_2 = 1+β).
 *    Write P_j^{(m)} = [η^m] (D_F)^j θ. Then P_1^{(m)} = F_m and, since D_F is linear in F,
 *        P_j^{(m)} = Σ_{a+b=m} (P_{j−1}^{(a)})′ F_b      (a Jacobian–vector product, `jvp`).
 *    Order η^n of the matching condition reads
 *        (1−β) F_n + Σ_{j=2}^{n+1} c_j/j! P_j^{(n−j+1)} = −g δ_{n0},
 *    and the sum only involves F_0 … F_{n−1}: each F_n enters its own order linearly, as (1−β)F_n, and is
 *    solved for. No derivative tensor is formed: everything is directional derivatives of known fields.
 *
 * Exactness with a symbolic β. Rational functions of β are not canonical under `expand`, so the recursion
 * runs in the variable u = 1/(1−β): then β = 1 − u⁻¹, c_odd = u⁻¹, c_even = 2 − u⁻¹, and 1/(1−β) = u, so
 * every coefficient is a Laurent polynomial in u — canonical under `expand`. F_n has a pole of order at
 * most 2n+1 at β = 1 (by induction: the j = 2 term dominates), so at the end
 *        F_n = N_n(β, θ) / (1−β)^{2n+1}
 * with N_n a polynomial in β, returned expanded. `canonicalInBeta` maps any such expression back to the
 * canonical Laurent form, which is how results are compared exactly.
 */
import { InputError, InternalError, describe, requireInteger } from '../../errors.ts';
import { DEFAULT_MAX_TREES, checkTreeBudget } from '../bseries/trees.ts';
import {
  type Expr,
  type Loss,
  type Sym,
  Rational,
  ZERO,
  ONE,
  add,
  constantValue,
  expand,
  gradient,
  hessian,
  jvp,
  mul,
  neg,
  num,
  pow,
  scale,
  sub,
  subs,
  sum,
  sym,
  toLatex,
  vectorLatex,
  latexName,
  requireLoss,
  type LatexOptions,
} from '../../symbolic/index.ts';
import { ETA } from './instantiate.ts';

/** The momentum symbol β (internal name 'β', which no loss parameter can spell; printed \beta). */
export const BETA: Sym = sym('β');
/** The learning rate η: the engine-wide internal symbol of ./instantiate.ts. */
export { ETA };
/** Internal: u = 1/(1−β). Never appears in a returned expression. */
const U: Sym = sym('__eomkit_hb_u');
/** Internal: the symbol u = 1/(1−β) of the canonical form (for ./momentum-bseries.ts). */
export const HB_U: Sym = U;

export interface HeavyBallSeriesOptions {
  /** β: omitted → the symbol β; a number or a string such as "3/5" → that exact rational (0 ≤ β < 1). */
  beta?: number | string | Rational;
  /**
   * true (default): every F_k entry in canonical expanded form, N/(1−β)^{2k+1} with N an expanded
   * polynomial in β (a plain expanded expression for a numeric β). false: compact (shared, unexpanded)
   * expressions straight from the recursion.
   */
  expanded?: boolean;
  /**
   * tree budget (default DEFAULT_MAX_TREES): F_K is a B-series over the rooted trees with up to K nodes
   * (heavyBallGeneralSeries), so the order is refused up front when they number more than this
   */
  maxTrees?: number;
}

export interface HeavyBallSeries {
  /** F[k] = F_k (a vector over L.params); θ̇ = Σ_k η^k F_k. */
  readonly F: Expr[][];
  /** symbolic β, expanded: numerators[k] = N_k with F_k = N_k/(1−β)^{2k+1}, N_k expanded polynomials in β */
  readonly numerators?: Expr[][];
  /** β: the symbol β, or the exact number given. */
  readonly beta: Expr;
  readonly eta: Sym;
  readonly params: readonly Sym[];
  /** the truncated field Σ_{k<K} η^k F_k (with η the symbol) */
  field(terms?: number): Expr[];
  /** LaTeX: each F_k as a vector, and the modified equation. */
  latex(): { F: string[]; equation: string; general: string };
}

function checkLoss(L: Loss): void {
  requireLoss('heavyBallSeries(L, K): L', L);
  for (const p of L.params) {
    if (p === ETA || p === BETA || p === U) throw new InputError(`the parameter name '${p.name}' is reserved for the learning rate / momentum`);
  }
}

function betaValue(b: HeavyBallSeriesOptions['beta']): Rational | undefined {
  if (b === undefined) return undefined;
  const q = constantValue('beta', b);
  if (q.isNegative() || q.compare(Rational.ONE) >= 0) throw new InputError(`momentum β = ${q} must satisfy 0 ≤ β < 1`);
  return q;
}

function factorial(j: number): Rational {
  let r = Rational.ONE;
  for (let i = 2; i <= j; i++) r = r.mul(Rational.int(i));
  return r;
}

/** Coefficient arithmetic of the recursion: c_j/j! and 1/(1−β), plus the normal form applied after each step. */
interface RecursionArithmetic {
  cOverFact(j: number): Expr;
  inv: Expr;
  norm(e: Expr): Expr;
}

function coefficients(beta: Rational | undefined, expanded: boolean): RecursionArithmetic {
  if (beta !== undefined) {
    return {
      cOverFact: (j) => num(Rational.ONE.add(j % 2 === 0 ? beta : beta.neg()).div(factorial(j))),
      inv: num(Rational.ONE.sub(beta).inv()),
      norm: expanded ? expand : (e) => e,
    };
  }
  if (expanded) {
    const uInv = pow(U, -1);
    return {
      cOverFact: (j) => scale(j % 2 === 0 ? sub(num(2), uInv) : uInv, factorial(j).inv()),
      inv: U,
      norm: expand,
    };
  }
  return {
    cOverFact: (j) => scale(j % 2 === 0 ? add(ONE, BETA) : sub(ONE, BETA), factorial(j).inv()),
    inv: pow(sub(ONE, BETA), -1),
    norm: (e) => e,
  };
}

/**
 * The raw recursion: F_0 … F_{K−1} for the field −g, with the coefficient arithmetic given.
 * Exported for the invariance module (β = 0 gives the gradient-descent counter terms f_{k+1} = F_k).
 */
export function heavyBallRecursion(g: readonly Expr[], params: readonly Sym[], K: number, co: RecursionArithmetic): Expr[][] {
  const F: Expr[][] = [];
  const memo = new Map<string, Expr[]>();
  const P = (j: number, m: number): Expr[] => {
    if (j === 1) return F[m]!;
    const key = `${j},${m}`;
    const hit = memo.get(key);
    if (hit) return hit;
    // P_j^{(m)} = Σ_{a+b=m} (P_{j−1}^{(a)})′ F_b
    const acc: Expr[][] = [];
    for (let a = 0; a <= m; a++) acc.push(jvp(P(j - 1, a), params, F[m - a]!));
    const r = params.map((_, i) => co.norm(sum(acc.map((v) => v[i]!))));
    memo.set(key, r);
    return r;
  };
  for (let n = 0; n < K; n++) {
    const terms: Expr[][] = [];
    for (let j = 2; j <= n + 1; j++) {
      const c = co.cOverFact(j);
      terms.push(P(j, n - j + 1).map((x) => mul(c, x)));
    }
    const Fn = params.map((_, i) => {
      const rhs = sub(n === 0 ? neg(g[i]!) : ZERO, sum(terms.map((t) => t[i]!)));
      return co.norm(mul(co.inv, rhs));
    });
    F.push(Fn);
  }
  return F;
}

/**
 * Canonical form of an expression that is rational in β with poles only at β = 1 (as every F_k is):
 * β ↦ 1 − u⁻¹ makes it a Laurent polynomial in u = 1/(1−β), and `expand` is then canonical.
 * `canonicalInBeta(a) === canonicalInBeta(b)` is exact equality for such expressions.
 */
export function canonicalInBeta(e: Expr): Expr {
  return expand(subs(e, new Map([[BETA, sub(ONE, pow(U, -1))]])));
}

/** From the u-Laurent form e to the numerator N(β) of e = N/(1−β)^p, N expanded. */
function toBetaNumerator(e: Expr, p: number): Expr {
  if (e === ZERO) return ZERO;
  const shifted = expand(mul(e, pow(U, -p)));
  const N = expand(subs(shifted, new Map([[U, pow(sub(ONE, BETA), -1)]])));
  if ((N.free & U.free) !== 0n) throw new InternalError(`internal: pole order above ${p} in a heavy-ball term`);
  return N;
}

/** The first-order modified equation of heavy-ball momentum on the slow manifold, to K terms F_0 … F_{K−1}. */
export function heavyBallSeries(L: Loss, K: number, opts: HeavyBallSeriesOptions = {}): HeavyBallSeries {
  checkLoss(L);
  if (typeof K !== 'number' || !Number.isInteger(K) || K < 1) throw new InputError(`heavyBallSeries: the number of terms K must be a positive integer, got ${describe(K)}`);
  if (typeof opts !== 'object' || opts === null) throw new InputError(`heavyBallSeries(L, K, options): options must be an object (got ${describe(opts)})`);
  checkTreeBudget(`heavyBallSeries(L, ${K})`, K, requireInteger('heavyBallSeries options.maxTrees', opts.maxTrees ?? DEFAULT_MAX_TREES, 1));
  const betaQ = betaValue(opts.beta);
  const expanded = opts.expanded ?? true;
  const params = L.params;
  const g = gradient(L.expr, params);
  const co = coefficients(betaQ, expanded);
  let F = heavyBallRecursion(expanded ? g.map(expand) : g, params, K, co);
  // numerators N_k (symbolic β, expanded): F_k = N_k/(1−β)^{2k+1}
  let numerators: Expr[][] | undefined;
  if (betaQ === undefined && expanded) {
    numerators = F.map((Fk, k) => Fk.map((x) => toBetaNumerator(x, 2 * k + 1)));
    F = numerators.map((Nk, k) => Nk.map((N) => (N === ZERO ? ZERO : mul(pow(sub(ONE, BETA), -(2 * k + 1)), N))));
  }
  const beta = betaQ === undefined ? BETA : num(betaQ);
  const field = (terms = K): Expr[] => {
    if (terms > K) throw new InputError(`only ${K} terms were derived`);
    return params.map((_, i) => sum(F.slice(0, terms).map((Fk, k) => mul(pow(ETA, k), Fk[i]!))));
  };
  return {
    F,
    ...(numerators ? { numerators } : {}),
    beta,
    eta: ETA,
    params,
    field,
    latex() {
      const theta = `\\begin{pmatrix} ${params.map((p) => latexName(p.name)).join(' \\\\ ')} \\end{pmatrix}`;
      const Ftex = F.map((Fk, k) =>
        numerators === undefined
          ? vectorLatex(Fk)
          : `\\frac{1}{\\left(1 - \\beta\\right)${k === 0 ? '' : `^{${2 * k + 1}}`}} ${vectorLatex(numerators[k]!)}`,
      );
      const rhs = F.map((_, k) => (k === 0 ? 'F_{0}' : `${k === 1 ? '\\eta' : `\\eta^{${k}}`} F_{${k}}`)).join(' + ');
      const b = betaQ === undefined ? '\\beta' : toLatex(beta);
      return {
        F: Ftex.map((t, k) => `F_{${k}} = ${t}`),
        equation: `\\frac{d}{dt} ${theta} = ${rhs} + O(\\eta^{${K}})`,
        general:
          `F_{0} = -\\frac{g}{1 - ${b}}, \\quad F_{1} = -\\frac{1 + ${b}}{2\\left(1 - ${b}\\right)^{3}} H g` +
          `, \\qquad \\left(1 - ${b}\\right)\\dot{\\theta} = -\\nabla\\left[L + \\frac{\\eta\\left(1 + ${b}\\right)}{4\\left(1 - ${b}\\right)^{2}} \\lVert g \\rVert^{2}\\right] + O(\\eta^{2})`,
      };
    },
  };
}

export interface HeavyBallSecondOrder {
  /** the mass m = η(1+β)/2 */
  readonly mass: Expr;
  /** the friction coefficient 1 − β */
  readonly damping: Expr;
  /** the force −g (a vector over L.params) */
  readonly force: Expr[];
  readonly eta: Sym;
  readonly beta: Sym;
  /** LaTeX of m θ̈ + (1−β) θ̇ = −g, generally and with the force of this loss. */
  latex(): { general: string; components: string };
}

/**
 * The second-order form of heavy-ball: with θ_{k±1} = θ(t ± η) Taylor-expanded to second order,
 * θ_{k+1} − 2θ_k + θ_{k−1} ≈ η² θ̈ and θ_{k+1} − θ_{k−1} ≈ 2η θ̇, the recursion
 * (θ_{k+1} − θ_k) − β(θ_k − θ_{k−1}) = −ηg becomes  η(1+β)/2 · θ̈ + (1−β) θ̇ = −g.
 */
export function heavyBallSecondOrder(L: Loss): HeavyBallSecondOrder {
  checkLoss(L);
  const mass = mul(ETA, scale(add(ONE, BETA), Rational.HALF));
  const damping = sub(ONE, BETA);
  const force = gradient(L.expr, L.params).map(neg);
  return {
    mass,
    damping,
    force,
    eta: ETA,
    beta: BETA,
    latex() {
      const theta = L.params.map((p) => latexName(p.name));
      const vec = (f: (s: string) => string): string => `\\begin{pmatrix} ${theta.map(f).join(' \\\\ ')} \\end{pmatrix}`;
      const head = `\\frac{\\eta\\left(1 + \\beta\\right)}{2}`;
      return {
        general: `${head} \\ddot{\\theta} + \\left(1 - \\beta\\right) \\dot{\\theta} = -\\nabla L(\\theta)`,
        components: `${head} ${vec((s) => `\\ddot{${s}}`)} + \\left(1 - \\beta\\right) ${vec((s) => `\\dot{${s}}`)} = ${vectorLatex(force)}`,
      };
    },
  };
}

export interface HeavyBallModifiedLoss {
  /** L̃ = L + η(1+β)/(4(1−β)²) ‖g‖²:  (1−β)(F_0 + ηF_1) = −∇L̃ exactly. */
  readonly potential: Expr;
  /** the correction η(1+β)/(4(1−β)²) ‖g‖² alone */
  readonly correction: Expr;
  /** (1−β)(F_0 + ηF_1) + ∇L̃ reduced to 0 canonically (checked, not assumed) */
  readonly verified: boolean;
  /** the general form, the coefficient for this β, and the instance; `opts.names` prints the loss's names */
  latex(opts?: LatexOptions): string;
}

/**
 * The momentum modified loss to first order: (1−β)θ̇ = −∇[L + η(1+β)/(4(1−β)²)‖g‖²] + O(η²),
 * verified against the derived F_0, F_1.
 */
export function heavyBallModifiedLoss(L: Loss, opts: { beta?: number | string | Rational } = {}): HeavyBallModifiedLoss {
  const s = heavyBallSeries(L, 2, { beta: opts.beta });
  const b = s.beta;
  const params = L.params;
  const g = gradient(L.expr, params);
  const g2 = sum(g.map((x) => mul(x, x)));
  const correction = mul(ETA, add(ONE, b), pow(sub(ONE, b), -2), scale(g2, Rational.of(1, 4)));
  const potential = add(L.expr, correction);
  const gradPot = gradient(potential, params);
  const canon = opts.beta === undefined ? canonicalInBeta : expand;
  const verified = params.every((_, i) =>
    canon(add(mul(sub(ONE, b), add(s.F[0]![i]!, mul(ETA, s.F[1]![i]!))), gradPot[i]!)) === ZERO,
  );
  return {
    potential,
    correction,
    verified,
    latex(latexOpts: LatexOptions = {}) {
      const general = `\\tilde{L} = L + \\frac{\\eta\\left(1 + \\beta\\right)}{4\\left(1 - \\beta\\right)^{2}} \\lVert \\nabla L \\rVert^{2}`;
      if (opts.beta === undefined) return `${general} = ${toLatex(potential, latexOpts)}`;
      // β a number: the coefficient (1+β)/(4(1−β)²) is one rational (β = 3/5: 5/2), printed as such
      const c = toLatex(scale(mul(ETA, add(ONE, b), pow(sub(ONE, b), -2)), Rational.of(1, 4)));
      return `${general} = L + ${c} \\lVert \\nabla L \\rVert^{2} = ${toLatex(potential, latexOpts)}\\quad \\left(\\beta = ${toLatex(b)}\\right)`;
    },
  };
}

/** H g of a loss (used by tests and the invariance module). */
export function hessianTimesGradient(L: Loss): Expr[] {
  const g = gradient(L.expr, L.params);
  const H = hessian(L.expr, L.params);
  return H.map((row) => sum(row.map((h, j) => mul(h, g[j]!))));
}
