/**
 * Task P2: the counter terms f1…f4 of gradient descent for L = ½(w1·…·wn − 1)², n = 10, each
 * component in canonical expanded form:
 *   f1 = −g, f2 = −½Hg, f3 = −1/12 ∇³L[g,g] − 1/3 H²g, f4 = −1/12 ∇³L[g,Hg] − 1/12 H∇³L[g,g] − 1/4 H³g.
 *
 * Every tool takes the same route (directional derivatives of expression vectors, each step expanded;
 * bench/ginac/p2.cpp, bench/peers/p2_sympy.py):
 *   J(F, v)_i = expand(Σ_j ∂F_i/∂w_j · v_j)
 *   Hg = J(g,g), H²g = J(g,Hg), H³g = J(g,H²g)
 *   T[g,g]  = J(Hg,g) − H²g                  (the product rule: d(Hg)·g = T[g,g] + H·Hg)
 *   HT[g,g] = J(g, T[g,g])
 *   T[g,Hg] = J(Hg,Hg) − H³g                  (d(Hg)·Hg = T[g,Hg] + H·H·Hg: the cheaper identity)
 * The full third-derivative tensor is never formed.
 */
import { type Expr, type Sym, SumBuilder, sym, mul, sub, pow, scale, ONE } from '../src/symbolic/expr.ts';
import { diff, jvp } from '../src/symbolic/calculus.ts';
import { expand } from '../src/symbolic/expand.ts';
import { Rational } from '../src/symbolic/rational.ts';
import { termCount } from './check.ts';
import type { BenchTask } from './types.ts';

export interface P2Result {
  seconds: number;
  size: number;
  /** f[k-1][i]: component i of f_k, expanded */
  f: Expr[][];
  note?: string;
}

/** The eomkit computation of P2 by the jvp route above (symbols `${prefix}1…${prefix}n`). */
export function computeP2Jvp(n = 10, prefix = 'w'): P2Result {
  const t0 = performance.now();
  const ps: Sym[] = [];
  for (let i = 1; i <= n; i++) ps.push(sym(`${prefix}${i}`));
  const L = scale(pow(sub(mul(...ps), ONE), 2), Rational.HALF);
  const J = (F: readonly Expr[], v: readonly Expr[]): Expr[] => jvp(F, ps, v).map(expand);
  const lin = (...parts: Array<[Rational, readonly Expr[]]>): Expr[] =>
    ps.map((_, i) => {
      const b = new SumBuilder();
      for (const [k, v] of parts) b.add(v[i]!, k);
      return expand(b.build());
    });
  const q = (a: number, b = 1): Rational => Rational.of(a, b);
  const g = ps.map((p) => expand(diff(L, p)));
  const Hg = J(g, g);
  const H2g = J(g, Hg);
  const H3g = J(g, H2g);
  const Tgg = lin([q(1), J(Hg, g)], [q(-1), H2g]);
  const HTgg = J(g, Tgg);
  const TgHg = lin([q(1), J(Hg, Hg)], [q(-1), H3g]);
  const f = [
    lin([q(-1), g]),
    lin([q(-1, 2), Hg]),
    lin([q(-1, 12), Tgg], [q(-1, 3), H2g]),
    lin([q(-1, 12), TgHg], [q(-1, 12), HTgg], [q(-1, 4), H3g]),
  ];
  const seconds = (performance.now() - t0) / 1000;
  let size = 0;
  for (const fk of f) for (const e of fk) size += termCount(e);
  return { seconds, size, f, note: 'jvp route (bench/p2.ts)' };
}

interface CounterTermsApi {
  counterTerms: (L: unknown, K: number, o: { expanded: boolean }) => { f: Expr[][] };
  loss: (e: Expr, o: { params: string[] }) => unknown;
}

let counterTermsApi: Promise<CounterTermsApi> | undefined;

/** The engine's counterTerms and loss, loaded once (eomkit's child loads them before its clock starts). */
export function loadCounterTermsApi(): Promise<CounterTermsApi> {
  counterTermsApi ??= Promise.all([import('../src/theory/eom/index.ts'), import('../src/symbolic/loss.ts')]).then(([eom, l]) => ({
    counterTerms: eom.counterTerms as unknown as CounterTermsApi['counterTerms'],
    loss: l.loss as unknown as CounterTermsApi['loss'],
  }));
  return counterTermsApi;
}

/**
 * eomkit's headline P2 row: the engine's own API, `counterTerms(loss, 4, { expanded: true })`
 * (src/theory/eom; for this polynomial loss the packed sparse polynomial route: the expanded loss, then
 * Jacobian–vector products of packed polynomials, converted once to canonical expressions).
 */
export async function computeP2(n = 10, prefix = 'w'): Promise<P2Result> {
  const api = await loadCounterTermsApi();
  const t0 = performance.now();
  const names = Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);
  const ps = names.map((x) => sym(x));
  const L = api.loss(scale(pow(sub(mul(...ps), ONE), 2), Rational.HALF), { params: names });
  const f = api.counterTerms(L, 4, { expanded: true }).f;
  const seconds = (performance.now() - t0) / 1000;
  let size = 0;
  for (const fk of f) for (const e of fk) size += termCount(e);
  return { seconds, size, f, note: 'counterTerms(L, 4, {expanded: true})' };
}

export const p2Task: BenchTask = {
  id: 'P2',
  title: 'counter terms f1…f4 of GD for ½(w1·…·w10 − 1)², expanded (f4 ≈ 0.6 M chars)',
  // the harness is loaded only here, so that eomkit's child process (which imports the computations) does not load it
  run: async (opts) =>
    (await import('./peers.ts')).runPeerTask('P2', opts, {
      // SymPy's expression route takes ~2.5 min: one run (round 1), said in its note
      sympy: 'p2_sympy.py',
      sympyOnce: true,
      sympyRing: 'p2_sympy_ring.py',
      // GiNaC on the peers' route and expanding first (the route of eomkit's packed arithmetic)
      ginac: { program: 'p2', routes: ['expand-first', 'jvp'] },
      warmRuns: 3,
      // also the same jvp route as the peers, as rows eomkit-jvp / eomkit-jvp-warm
      eomkitVariants: ['jvp'],
    }),
};
