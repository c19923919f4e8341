/**
 * Elementary differentials of a concrete loss, through directional derivatives (eom.md, "Counter term").
 *
 * For f = −∇L every tree's differential is F(t) = (−1)^{|t|} G(t) with
 *
 *     G(•) = g = ∇L,    G([t_1, …, t_m]) = ∇ (D^m L[v_1, …, v_m]) |_{v_k = G(t_k)}
 *
 * where D^m L[v_1..v_m] = Σ ∂^m L/∂θ_{i1}…∂θ_{im} v_{1,i1}…v_{m,im} is the m-fold directional derivative
 * along *constant* auxiliary directions v_k (symbols), differentiated once more for the gradient and only
 * then substituted. So ∇³L[g, g] is one scalar D²L[v,v] (two directional derivatives), one gradient and
 * a substitution: the n×n×n tensor ∇³L is never formed. Equal children share one direction (the form is
 * symmetric: ∇³L[g, g] = ∇D²L[v, v] at v = g, about half the terms of D²L[v1,v2]). The generic forms are
 * computed once per direction grouping, G(t) once per tree (memoised per loss), and each substitution
 * shares one memo across the components of ∇D^mL, which share most of their nodes.
 *
 * The same construction without the final gradient gives the scalar elementary differentials
 * Φ(t) = D^m L[G(t_1), …, G(t_m)] (Φ(•) = L, Φ([•]) = ‖g‖², Φ([[•]]) = gᵀHg, …), whose gradients are
 * the candidate potentials of the modified loss (modified-loss.ts).
 */
import { type Expr, type Loss, type Sym, directional, expand, gradient, neg, subs, sym } from '../../symbolic/index.ts';
import { subsAll } from '../../symbolic/transform.ts';
import { substitutedGradient } from '../../symbolic/calculus.ts';
import type { RootedTree } from '../bseries/index.ts';
import { lossSign } from './loss-notation.ts';

/**
 * The learning rate η in derived formulas. Its name is not a valid parameter or symbol name of a Loss
 * (those match /^[A-Za-z_][A-Za-z_0-9]*$/), so it cannot collide with a user's `eta`; print it with
 * `etaLatex` (or look for `ETA` in an environment: `evaluate(e, { ...point, [ETA.name]: 0.01 })`).
 */
export const ETA: Sym = sym('η');

/** Replace the internal η in a LaTeX string by \eta (toLatex prints the symbol's name verbatim). */
export function etaLatex(tex: string): string {
  return tex.replace(/η/g, '\\eta ');
}

/** the direction sequence 1, 2, …, m (m distinct directions) */
function distinctDirections(m: number): number[] {
  return Array.from({ length: m }, (_, k) => k + 1);
}

/** 1-based group index of each child of t: equal (interned, adjacent) children share one group */
function childGroups(t: RootedTree): number[] {
  const seq: number[] = [];
  t.children.forEach((child, k) => seq.push(k === 0 ? 1 : child === t.children[k - 1] ? seq[k - 1]! : seq[k - 1]! + 1));
  return seq;
}

/** whether grouping a is finer than (or equal to) grouping b: a[i] = a[j] implies b[i] = b[j] */
function refines(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  const image = new Map<number, number>();
  for (let i = 0; i < a.length; i++) {
    const prev = image.get(a[i]!);
    if (prev === undefined) image.set(a[i]!, b[i]!);
    else if (prev !== b[i]) return false;
  }
  return true;
}

/** the coarsest grouping finer than both (positions equal in both share a group), numbered 1, 2, … in order */
function commonRefinement(a: readonly number[], b: readonly number[]): number[] {
  const ids = new Map<string, number>();
  return a.map((x, i) => {
    const key = `${x},${b[i]}`;
    let id = ids.get(key);
    if (id === undefined) {
      id = ids.size + 1;
      ids.set(key, id);
    }
    return id;
  });
}

/** The auxiliary constant direction v_k (k ≥ 1) of the directional derivatives, one symbol per component. */
function direction(k: number, n: number): Sym[] {
  return Array.from({ length: n }, (_, i) => sym(`§v${k}.${i}`));
}

export class LossDifferentials {
  readonly params: readonly Sym[];
  /** dirs[k−1] = v_k */
  private readonly dirs: Sym[][] = [];
  /** D_{v_{s_m}} … D_{v_{s_1}} L keyed by the direction sequence "s_1,…,s_m" ("" is L itself) */
  private readonly scalarForms = new Map<string, Expr>();
  /** ∇ of the scalar form with the same key */
  private readonly vectorForms = new Map<string, Expr[]>();
  private readonly gMemo = new Map<RootedTree, Expr[]>();
  private readonly gxMemo = new Map<RootedTree, Expr[]>();
  private readonly phiMemo = new Map<RootedTree, Expr>();
  /** per number of children: the direction grouping that `plan` chose for G */
  private readonly patterns = new Map<number, number[]>();

  constructor(readonly loss: Loss) {
    this.params = loss.params;
    this.scalarForms.set('', loss.expr);
  }

  private dir(k: number): Sym[] {
    while (this.dirs.length < k) this.dirs.push(direction(this.dirs.length + 1, this.params.length));
    return this.dirs[k - 1]!;
  }

  /** D^m L[v_1, …, v_m]: m directional derivatives along the constant directions v_1 … v_m */
  scalarForm(m: number): Expr {
    return this.scalarFormAlong(distinctDirections(m));
  }

  /** ∇^{m+1}L[v_1, …, v_m, ·] = ∇ D^m L[v_1..v_m] */
  vectorForm(m: number): Expr[] {
    return this.vectorFormAlong(distinctDirections(m));
  }

  /**
   * D_{v_{s_m}} … D_{v_{s_1}} L for a sequence of direction indices s (repeats allowed: D²L[v_1, v_1] is
   * the quadratic form of ∇²L along v_1), each prefix built once.
   */
  private scalarFormAlong(seq: readonly number[]): Expr {
    const key = seq.join(',');
    let e = this.scalarForms.get(key);
    if (e === undefined) {
      e = directional(this.scalarFormAlong(seq.slice(0, -1)), this.params, this.dir(seq[seq.length - 1]!));
      this.scalarForms.set(key, e);
    }
    return e;
  }

  private vectorFormAlong(seq: readonly number[]): Expr[] {
    const key = seq.join(',');
    let v = this.vectorForms.get(key);
    if (v === undefined) {
      v = gradient(this.scalarFormAlong(seq), this.params);
      this.vectorForms.set(key, v);
    }
    return v;
  }

  /** v_k ↦ G(t_k) for the children of t */
  private childSubstitution(t: RootedTree): Map<Sym, Expr> {
    const map = new Map<Sym, Expr>();
    t.children.forEach((child, k) => {
      const G = this.G(child);
      this.dir(k + 1).forEach((s, i) => map.set(s, G[i]!));
    });
    return map;
  }

  /**
   * Declare the trees whose G(t) will be asked for, so that trees with the same number of children share one
   * generic form where one of them needs a finer one anyway (see `directionsFor`). Optional: without it each
   * tree gets its own grouping. Results are the same either way (the substituted forms are equal).
   */
  plan(trees: Iterable<RootedTree>): void {
    const visit = (t: RootedTree): void => {
      const m = t.children.length;
      if (m === 0) return;
      const own = childGroups(t);
      const prev = this.patterns.get(m);
      this.patterns.set(m, prev === undefined ? own : commonRefinement(prev, own));
      t.children.forEach(visit);
    };
    for (const t of trees) visit(t);
  }

  /**
   * The direction index of each child of t. One direction per *distinct* child (children are sorted, equal
   * children adjacent): the multilinear form ∇^{m+1}L[u_1, …, u_m, ·] is symmetric, so
   * ∇^{m+1}L[u, u, w, ·] = ∇ D³L[v_1, v_1, v_2] at v_1 = u, v_2 = w. A generic form with a repeated direction
   * has fewer distinct terms (D²L[v, v] about half of D²L[v_1, v_2], D³L[v, v, v] about a sixth of
   * D³L[v_1, v_2, v_3]), and the substitution costs what the generic form's size costs. Where `plan` has
   * registered a finer grouping for this arity (a form that some other tree needs anyway), that one is
   * reused: substituting into an existing form is cheaper than building a second one.
   */
  private directionsFor(t: RootedTree): { seq: readonly number[]; map: Map<Sym, Expr> } {
    const own = childGroups(t);
    const planned = this.patterns.get(own.length);
    const seq = planned !== undefined && refines(planned, own) ? planned : own;
    const map = new Map<Sym, Expr>();
    t.children.forEach((child, k) => {
      const G = this.G(child);
      this.dir(seq[k]!).forEach((s, i) => map.set(s, G[i]!));
    });
    return { seq, map };
  }

  /** G(t) (loss notation: g, Hg, ∇³L[g,g], …) as a vector of expressions (compact, shared) */
  G(t: RootedTree): Expr[] {
    const hit = this.gMemo.get(t);
    if (hit) return hit;
    const { seq, map } = this.directionsFor(t);
    // one direction: ∇DL[v] is small and serves every [u] (Hg, H²g, …): built once, substituted per tree.
    // More directions: the generic gradient is the large object (n terms per term of D^mL): only its image
    // under the substitution is built, straight from the scalar form (substitutedGradient)
    const out =
      seq.length === 0 ? this.vectorFormAlong(seq)
      : seq.length === 1 || this.vectorForms.has(seq.join(',')) ? subsAll(this.vectorFormAlong(seq), map)
      : substitutedGradient(this.scalarFormAlong(seq), this.params, map);
    this.gMemo.set(t, out);
    return out;
  }

  /**
   * G(t) in canonical expanded form: the compact G(t) (directions already substituted) multiplied out.
   * Expansion happens only after substitution: the generic forms ∇D^mL[v_1..v_m] are never expanded with
   * symbolic directions v_k. Those forms have one term per choice of components of every v_k (n^m-fold
   * for a dense loss), so expanding them first swells far beyond the result: for Σ_d log(1+exp(a_d·w))
   * at n = 20, K = 5 that route needs gigabytes for a result of a few thousand terms. The compact G(t)
   * shares G(t_k) of the children, whose expanded forms are memoised on the nodes (expand caches per
   * node), so each child's expansion is reused by every parent.
   */
  expandedG(t: RootedTree): Expr[] {
    const hit = this.gxMemo.get(t);
    if (hit) return hit;
    const out = this.G(t).map(expand);
    this.gxMemo.set(t, out);
    return out;
  }

  /** F(t) = (−1)^{|t|} G(t), the elementary differential of f = −g */
  F(t: RootedTree): Expr[] {
    const G = this.G(t);
    return lossSign(t) === 1 ? G : G.map(neg);
  }

  /** the scalar Φ(t) = D^m L[G(t_1), …, G(t_m)] (Φ(•) = L, Φ([•]) = ‖g‖², …) */
  phi(t: RootedTree): Expr {
    const hit = this.phiMemo.get(t);
    if (hit) return hit;
    const m = t.children.length;
    const out = m === 0 ? this.loss.expr : subs(this.scalarForm(m), this.childSubstitution(t));
    this.phiMemo.set(t, out);
    return out;
  }
}

const cache = new WeakMap<Loss, LossDifferentials>();

/** The (memoised) elementary differentials of this loss. */
export function lossDifferentials(L: Loss): LossDifferentials {
  let d = cache.get(L);
  if (!d) {
    d = new LossDifferentials(L);
    cache.set(L, d);
  }
  return d;
}

/** F(t)(θ) for a loss: the elementary differential of f = −∇L, compact. */
export function elementaryDifferential(L: Loss, t: RootedTree): Expr[] {
  return lossDifferentials(L).F(t);
}
