/**
 * The compact counter terms (no expansion): G(t) by substitution into one generic form per direction
 * grouping (equal children share a direction), checked against
 *  - the distinct-direction construction ∇D^mL[v_1, …, v_m] with v_k ↦ G(t_k): the very same objects;
 *  - a second derivation written here, the product rule over Jacobian–vector products
 *    M(u_1..u_m) = J(M(u_1..u_{m−1}))·u_m − Σ_k M(u_1, .., J(u_k)·u_m, .., u_{m−1}) with the weights of
 *    f_1 … f_5 written out from docs/theory/eom.md, "Counter term" (not taken from the B-series layer):
 *    equal after expansion (polynomial losses), equal values at rational points (others);
 * and toExpanded() against asking for the expanded series directly.
 */
import { describe, expect, it } from 'vitest';
import { BudgetError } from '../../../src/errors.ts';
import {
  type Expr,
  type Loss,
  type Sym,
  ONE,
  Rational,
  ZERO,
  expand,
  evaluate,
  jvp,
  loss,
  sym,
} from '../../../src/symbolic/index.ts';
import { SumBuilder, nodesCreated } from '../../../src/symbolic/expr.ts';
import { subsAll } from '../../../src/symbolic/transform.ts';
import { tree, type RootedTree } from '../../../src/theory/bseries/index.ts';
import { LossDifferentials, counterTerms } from '../../../src/theory/eom/index.ts';

const chain = (n: number, prefix: string): Loss => {
  const ps = Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  return loss(`(${ps.join('*')} - 1)^2/2`, { params: ps });
};
const logSumExp = (n: number, prefix: string): Loss => {
  const ps = Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  const dots = [0, 1, 2].map((d) => ps.map((p, j) => `(${((j * 7 + d * 3) % 5) - 2})*${p}`).join(' + '));
  return loss(dots.map((s) => `log(1 + exp(${s}))`).join(' + '), { params: ps });
};
const mixed = (prefix: string): Loss =>
  loss(`(${prefix}a*${prefix}b - 1)^2/2 + ${prefix}c*tanh(${prefix}a)^2 + sin(${prefix}a*${prefix}c)`, { params: [`${prefix}a`, `${prefix}b`, `${prefix}c`] });

// ---------------------------------------------------------------------------------------------------------
// The second derivation: the jvp product rule, trees as bracket strings, weights of f_k in loss notation

/** f_k = Σ_t w(t) G(t): "[]" = g, "[[]]" = Hg, "[[][]]" = ∇³L[g, g], … (eom.md, "Counter term") */
const SERIES: ReadonlyArray<ReadonlyArray<readonly [string, number, number]>> = [
  [['[]', -1, 1]],
  [['[[]]', -1, 2]],
  [['[[[]]]', -1, 3], ['[[][]]', -1, 12]],
  [['[[[[]]]]', -1, 4], ['[[[][]]]', -1, 12], ['[[][[]]]', -1, 12]],
  [
    ['[[[[[]]]]]', -1, 5], ['[[[[][]]]]', -3, 40], ['[[[][[]]]]', -1, 10], ['[[[][][]]]', -1, 180], ['[[[]][[]]]', -1, 60],
    ['[[][[[]]]]', -1, 20], ['[[][[][]]]', -1, 120], ['[[][][[]]]', 1, 120], ['[[][][][]]', 1, 720],
  ],
];

function jvpRouteCounterTerms(L: Loss, K: number): Expr[][] {
  const params = L.params as readonly Sym[];
  // g_i = ∂L/∂θ_i as the jvp of L along the i-th unit vector (forward mode, not the gradient's diff)
  const unit = (i: number): Expr[] => params.map((_, j) => (j === i ? ONE : ZERO));
  const grad = params.map((_, i) => jvp([L.expr], params, unit(i))[0]!);
  type Dir = { id: number; p: Expr[] };
  let next = 0;
  const dir = (p: Expr[]): Dir => ({ id: next++, p });
  const gDir = dir(grad);
  const jvps = new Map<string, Dir>();
  const J = (u: Dir, v: Dir): Dir => {
    const key = `${u.id},${v.id}`;
    let r = jvps.get(key);
    if (r === undefined) jvps.set(key, (r = dir(jvp(u.p, params, v.p))));
    return r;
  };
  const forms = new Map<string, Dir>();
  const M = (args: Dir[]): Dir => {
    if (args.length === 0) return gDir;
    const sorted = [...args].sort((a, b) => a.id - b.id);
    const key = sorted.map((a) => a.id).join(',');
    const hit = forms.get(key);
    if (hit) return hit;
    const last = sorted[sorted.length - 1]!;
    const rest = sorted.slice(0, -1);
    const parts: Array<[number, Expr[]]> = [[1, J(M(rest), last).p]];
    rest.forEach((_, k) => parts.push([-1, M(rest.map((u, l) => (l === k ? J(u, last) : u))).p]));
    const out = dir(params.map((_, i) => {
      const b = new SumBuilder();
      for (const [c, v] of parts) b.add(v[i]!, Rational.of(c));
      return b.build();
    }));
    forms.set(key, out);
    return out;
  };
  const G = (t: string): Dir => {
    // children of the bracket string t = "[c_1 c_2 …]"
    const children: string[] = [];
    let depth = 0;
    let start = 1;
    for (let i = 1; i < t.length - 1; i++) {
      depth += t[i] === '[' ? 1 : -1;
      if (depth === 0) {
        children.push(t.slice(start, i + 1));
        start = i + 1;
      }
    }
    return M(children.map(G));
  };
  return SERIES.slice(0, K).map((row) =>
    params.map((_, i) => {
      const b = new SumBuilder();
      for (const [t, p, q] of row) b.add(G(t).p[i]!, Rational.of(p, q));
      return b.build();
    }),
  );
}

/** exact-rational-free check for transcendental losses: float64 values at a few rational points */
function valuesAgree(a: readonly Expr[][], b: readonly Expr[][], params: readonly Sym[], points: number[][]): number {
  let gap = 0;
  for (const pt of points) {
    const env = Object.fromEntries(params.map((p, j) => [p.name, pt[j]!]));
    for (let k = 0; k < a.length; k++) {
      for (let i = 0; i < params.length; i++) {
        const x = evaluate(a[k]![i]!, env);
        const y = evaluate(b[k]![i]!, env);
        gap = Math.max(gap, Math.abs(x - y) / Math.max(1, Math.abs(y)));
      }
    }
  }
  return gap;
}

describe('compact counter terms against the jvp product-rule route (a second derivation)', () => {
  it('chain n = 4, K = 5: equal after expansion, component by component', () => {
    const L = chain(4, 'cq');
    const ours = counterTerms(L, 5);
    const ref = jvpRouteCounterTerms(L, 5);
    for (let k = 0; k < 5; k++) for (let i = 0; i < 4; i++) expect(expand(ours.f[k]![i]!) === expand(ref[k]![i]!), `f_${k + 1}[${i}]`).toBe(true);
  });

  it('log-sum-exp n = 3 and a tanh/sin loss, K = 5: equal values at rational points (1e-12)', () => {
    for (const L of [logSumExp(3, 'cl'), mixed('cm')]) {
      const ours = counterTerms(L, 5);
      const ref = jvpRouteCounterTerms(L, 5);
      const pts = [[0.3, -0.7, 1.1], [-1.2, 0.4, 0.25], [0.9, 1.3, -0.6]];
      expect(valuesAgree(ours.f, ref, L.params, pts)).toBeLessThan(1e-12);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------
// Grouped directions give the same objects as one direction per child

/** the auxiliary direction v_k of instantiate.ts (its symbols are named §v<k>.<i>) */
const direction = (k: number, n: number): Sym[] => Array.from({ length: n }, (_, i) => sym(`§v${k}.${i}`));

const dot = tree();
const trees: Array<[string, RootedTree]> = [
  ['[•,•]', tree([dot, dot])],
  ['[•,•,•]', tree([dot, dot, dot])],
  ['[•,•,[•]]', tree([dot, dot, tree([dot])])],
  ['[[•],[•]]', tree([tree([dot]), tree([dot])])],
  ['[•,•,•,•]', tree([dot, dot, dot, dot])],
];

describe('one direction per distinct child: the same G(t) as the distinct-direction form', () => {
  for (const [name, L] of [['chain n = 4', chain(4, 'cd')], ['log-sum-exp n = 3', logSumExp(3, 'cg')], ['tanh/sin', mixed('cs')]] as const) {
    it(`${name}: G(t) for trees with repeated children is ∇D^mL[v_1..v_m] at v_k = G(t_k), the same objects`, () => {
      const d = new LossDifferentials(L);
      const n = L.params.length;
      for (const [tname, t] of trees) {
        const m = t.children.length;
        const map = new Map<Sym, Expr>();
        t.children.forEach((c, k) => direction(k + 1, n).forEach((s, i) => map.set(s, d.G(c)[i]!)));
        const reference = subsAll(d.vectorForm(m), map);
        const G = d.G(t);
        for (let i = 0; i < n; i++) expect(G[i] === reference[i], `${tname}[${i}]`).toBe(true);
      }
    });
  }

  it('plan: trees of one arity share the finest form any of them needs; G(t) is the same object with or without it', () => {
    const L = chain(5, 'cp');
    const planned = new LossDifferentials(L);
    const all = trees.map(([, t]) => t).concat([tree([dot, tree([dot])])]);
    planned.plan(all);
    const own = new LossDifferentials(L);
    for (const t of all) {
      const a = planned.G(t);
      const b = own.G(t);
      for (let i = 0; i < 5; i++) expect(a[i] === b[i], `${t}[${i}]`).toBe(true);
    }
  });
});

describe('toExpanded() of a compact series', () => {
  it('the same objects as counterTerms(L, K, { expanded: true }) and as expanding each compact component', () => {
    for (const [L, K] of [[chain(5, 'ce'), 4], [logSumExp(4, 'cx'), 4], [mixed('cy'), 3]] as const) {
      const compact = counterTerms(L, K);
      const x = compact.toExpanded();
      expect(x.expanded).toBe(true);
      expect(compact.toExpanded()).toBe(x);
      const direct = counterTerms(L, K, { expanded: true });
      for (let k = 0; k < K; k++) {
        for (let i = 0; i < L.params.length; i++) {
          expect(x.f[k]![i] === direct.f[k]![i], `f_${k + 1}[${i}]`).toBe(true);
          expect(x.f[k]![i] === expand(compact.f[k]![i]!), `f_${k + 1}[${i}] expanded`).toBe(true);
        }
      }
      // the expanded series keeps the compact one's shape and ξ_j = −f_{j+1}
      expect(x.xi.length).toBe(K - 1);
    }
  });

  it('runs under the series budget: past maxNodes it is a BudgetError naming the budget', () => {
    // fresh symbols: the compact series creates 650 nodes, its expanded form 1,314 more
    const s = counterTerms(chain(8, 'cb'), 3, { maxNodes: 1_000 });
    let error: unknown;
    try {
      s.toExpanded();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(BudgetError);
    expect(String((error as Error).message)).toMatch(/1,?000/);
  });
});

describe('work grows like the result', () => {
  it('chain, K = 3: nodes created grow no faster than the compact result (n = 8 → 16, fresh symbols)', () => {
    const created: number[] = [];
    const resultNodes: number[] = [];
    for (const n of [8, 16]) {
      const L = chain(n, `cw${n}_`);
      const before = nodesCreated();
      const s = counterTerms(L, 3);
      created.push(nodesCreated() - before);
      resultNodes.push(dagNodes(s.f.flat()));
    }
    // measured: 650 → 3138 nodes created (×4.8) for a result of ×6.3 nodes; the distinct-direction
    // construction with one substitution per component created 1166 → 7042 (×6.0)
    expect(created[1]! / created[0]!).toBeLessThanOrEqual(1.1 * (resultNodes[1]! / resultNodes[0]!));
  });
});

function dagNodes(roots: readonly Expr[]): number {
  const seen = new Set<Expr>();
  const stack = [...roots];
  while (stack.length > 0) {
    const e = stack.pop()!;
    if (seen.has(e)) continue;
    seen.add(e);
    if (e.kind === 'add') stack.push(...e.terms);
    else if (e.kind === 'mul') stack.push(...e.bases);
    else if (e.kind === 'pow') stack.push(e.base, e.exp);
    else if (e.kind === 'call') stack.push(e.arg);
  }
  return seen.size;
}
