/**
 * Expanded counter terms of a polynomial loss in packed sparse polynomial arithmetic (docs/theory/eom.md,
 * "Counter term"): the same f_k = Σ_{|t|=k} (−1)^{|t|} b(t)/σ(t) G(t) as instantiate.ts, each G(t) computed
 * as a vector of packed polynomials (src/symbolic/packed-poly.ts) and converted to canonical expressions
 * once per component of f_k.
 *
 * The multilinear forms M(u_1, …, u_m) = ∇^{m+1}L[u_1, …, u_m, ·] along polynomial directions u_k are
 * built by Jacobian–vector products only, never forming a derivative tensor, through the product rule
 *
 *     D_{u_m} M(u_1, …, u_{m−1}) = M(u_1, …, u_m) + Σ_{k<m} M(u_1, …, D_{u_m} u_k, …, u_{m−1}),
 *
 * (D_v F = (J F)·v), so M(u) = H u, ∇³L[g, Hg] = J(Hg)·Hg − H³g, and G([t_1, …, t_m]) = M(G(t_1), …, G(t_m)).
 * M is symmetric, so it is memoised on the multiset of its arguments.
 *
 * Integer arithmetic throughout: with L = P/d (P integer), G_L(t) = G_P(t)/d^{|t|} because every vertex of t
 * brings one derivative of L. The route applies when L is a polynomial in its parameters with rational
 * coefficients and the exponents of f_K fit the packed keys; otherwise it declines (returns undefined) and
 * the expression route is used.
 */
import { type Expr, type Loss, Rational, expand } from '../../symbolic/index.ts';
import { PackedRing, WidePackedRing, packedBits } from '../../symbolic/packed-poly.ts';
import type { RootedTree } from '../bseries/index.ts';
import type { GeneralSeries } from './series.ts';

/** The operations the route needs, over either packed ring (one float64 key, or a bigint key for many variables). */
interface Ring<P> {
  overflow: boolean;
  fromExpanded(e: Expr): { poly: P; den: bigint } | undefined;
  diff(p: P, j: number): P;
  jvp(F: readonly P[], v: readonly P[]): P[];
  combine(parts: ReadonlyArray<readonly [number, P]>): P;
  toExpr(p: P, s: Rational): Expr;
  readonly zero: P;
}

interface Direction_<P> {
  readonly id: number;
  readonly p: readonly P[];
}

/** The largest exponent of any parameter in an expanded polynomial (16-bit fields: exponents below 65,536). */
function maxDegree(L: Loss, Lx: Expr): number | undefined {
  const probe = new WidePackedRing(L.params, 16);
  const parsed = probe.fromExpanded(Lx);
  if (parsed === undefined) return undefined;
  let d = 0;
  for (const key of parsed.poly.keys) for (let j = 0; j < L.params.length; j++) d = Math.max(d, probe.exponent(key, j));
  return d;
}

/** f_1 … f_K in canonical expanded form by packed polynomial arithmetic, or undefined when the route does not apply. */
export function packedCounterTerms(L: Loss, general: GeneralSeries): Expr[][] | undefined {
  const K = general.order;
  const Lx = expand(L.expr);
  const dL = maxDegree(L, Lx);
  if (dL === undefined) return undefined;
  // every monomial of G(t), and of every intermediate, is a product of |t| ≤ K monomials of derivatives of L
  const degreeBound = Math.max(1, K * dL);
  const bits = packedBits(L.params.length, degreeBound);
  if (bits !== undefined) return countersIn(new PackedRing(L.params, bits), L, Lx, general);
  const wideBits = Math.max(1, Math.ceil(Math.log2(degreeBound + 1)));
  return countersIn(new WidePackedRing(L.params, wideBits), L, Lx, general);
}

function countersIn<P>(ring: Ring<P>, L: Loss, Lx: Expr, general: GeneralSeries): Expr[][] | undefined {
  const n = L.params.length;
  const K = general.order;
  const parsed = ring.fromExpanded(Lx);
  if (parsed === undefined) return undefined;
  const P = parsed.poly;
  type Direction = Direction_<P>;

  let nextId = 0;
  const direction = (p: readonly P[]): Direction => ({ id: nextId++, p });
  const g = direction(L.params.map((_, j) => ring.diff(P, j)));
  const jvpMemo = new Map<string, Direction>();
  /** D_v u = (J u)·v */
  const jvp = (u: Direction, v: Direction): Direction => {
    const key = `${u.id},${v.id}`;
    let r = jvpMemo.get(key);
    if (r === undefined) {
      r = direction(ring.jvp(u.p, v.p));
      jvpMemo.set(key, r);
    }
    return r;
  };
  const formMemo = new Map<string, Direction>();
  /** M(u_1..u_m) = ∇^{m+1}L[u_1, …, u_m, ·] */
  const form = (args: readonly Direction[]): Direction => {
    if (args.length === 0) return g;
    const sorted = [...args].sort((a, b) => a.id - b.id);
    const key = sorted.map((a) => a.id).join(',');
    const hit = formMemo.get(key);
    if (hit) return hit;
    const last = sorted[sorted.length - 1]!;
    const rest = sorted.slice(0, -1);
    const parts: Array<readonly [number, readonly P[]]> = [[1, jvp(form(rest), last).p]];
    for (let k = 0; k < rest.length; k++) {
      const moved = rest.map((u, l) => (l === k ? jvp(u, last) : u));
      parts.push([-1, form(moved).p]);
    }
    const out = direction(L.params.map((_, i) => ring.combine(parts.map(([c, v]) => [c, v[i]!] as const))));
    formMemo.set(key, out);
    return out;
  };
  const gMemo = new Map<RootedTree, Direction>();
  const G = (t: RootedTree): Direction => {
    let r = gMemo.get(t);
    if (r === undefined) {
      r = form(t.children.map(G));
      gMemo.set(t, r);
    }
    return r;
  };

  // every f_k in packed form first; then the intermediates are dropped before the conversion to expressions,
  // so that the peak holds either the packed work or the expression result, never both in full
  const packed: Array<{ readonly polys: P[]; readonly scale: Rational }> = [];
  for (let k = 1; k <= K; k++) {
    const row = general.terms[k - 1]!;
    // integer weights over a common denominator D: f_k = (1/(D·d^k)) Σ_t (D·weight_t) G_P(t)
    let D = 1n;
    for (const term of row) D = lcm(D, term.lossWeight.den);
    const parts: Array<readonly [number, Direction]> = [];
    for (const term of row) {
      const w = (term.lossWeight.num * D) / term.lossWeight.den;
      if (w > BigInt(Number.MAX_SAFE_INTEGER) || w < -BigInt(Number.MAX_SAFE_INTEGER)) return undefined;
      if (w !== 0n) parts.push([Number(w), G(term.tree)]);
    }
    const polys: P[] = [];
    for (let i = 0; i < n; i++) polys.push(ring.combine(parts.map(([c, v]) => [c, v.p[i]!] as const)));
    if (ring.overflow) return undefined;
    packed.push({ polys, scale: Rational.of(1n, D * parsed.den ** BigInt(k)) });
  }
  jvpMemo.clear();
  formMemo.clear();
  gMemo.clear();
  const f: Expr[][] = [];
  for (const fk of packed) {
    const exprs: Expr[] = [];
    for (let i = 0; i < n; i++) {
      exprs.push(ring.toExpr(fk.polys[i]!, fk.scale));
      fk.polys[i] = ring.zero; // converted: its packed form is no longer needed
    }
    f.push(exprs);
  }
  return f;
}

function lcm(a: bigint, b: bigint): bigint {
  let x = a;
  let y = b;
  while (y !== 0n) [x, y] = [y, x % y];
  return (a / x) * b;
}
