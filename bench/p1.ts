/**
 * Task P1: all distinct third partials ∂³L/∂wi∂wj∂wk (i ≤ j ≤ k; 220 for n = 10) of
 * L = ½(w1·…·wn − 1)², each in canonical expanded form with exact coefficients.
 *
 * Every tool's headline row is its best route (GiNaC's: the faster of its two). eomkit's headline is
 * `derivativeTensor(L, w, 3, { expanded: true })`: L expanded once, then, L being a polynomial over Q, every
 * entry the derivative of its prefix entry in packed sparse polynomials, converted once to canonical
 * expressions. Row `eomkit-diff-expand` is the route of tasks.md (`derivativeTensor` on the unexpanded L,
 * memoised, then `expand` of every entry), compared with GiNaC's same route. Timed from building L to the
 * expanded entries, in a fresh Node process (bench/eomkit/child.ts): the cold row is that first run (JIT
 * not yet warm — what a user of the CLI gets); `-warm` is the best of 20 further runs in one process with
 * fresh symbol names, so that no memo (derivative, expansion, hash-cons table) can be hit (V8 needs ~10
 * runs of this size to reach its optimised code). Every tool runs once per round, alternated
 * (bench/peers.ts); rows are medians over the rounds and ratios medians of per-round ratios.
 */
import { type Expr, type Sym, sym, mul, sub, pow, scale, ONE } from '../src/symbolic/expr.ts';
import { derivativeTensor } from '../src/symbolic/calculus.ts';
import { expand } from '../src/symbolic/expand.ts';
import { Rational } from '../src/symbolic/rational.ts';
import { termCount } from './check.ts';
import type { BenchTask } from './types.ts';

export interface P1Result {
  note?: string;
  seconds: number;
  size: number;
  entries: Expr[];
}

/** eomkit's two P1 routes (the headline, and the route of tasks.md as row `eomkit-diff-expand`) */
export type P1Route = 'expand-first' | 'diff-expand';

/** The eomkit computation of P1 (symbols `${prefix}1…${prefix}n`) on one route. */
export function computeP1(n = 10, prefix = 'w', route: P1Route = 'expand-first'): P1Result {
  const t0 = performance.now();
  const ps: Sym[] = [];
  for (let i = 1; i <= n; i++) ps.push(sym(`${prefix}${i}`));
  const L = scale(pow(sub(mul(...ps), ONE), 2), Rational.HALF);
  const entries =
    route === 'expand-first' ? derivativeTensor(L, ps, 3, { expanded: true }).map((t) => t.value) : derivativeTensor(L, ps, 3).map((t) => expand(t.value));
  const seconds = (performance.now() - t0) / 1000;
  let size = 0;
  for (const e of entries) size += termCount(e);
  const note =
    route === 'expand-first'
      ? 'derivativeTensor(L, w, 3, { expanded: true }): L expanded, differentiated in packed polynomials'
      : 'derivativeTensor(L, w, 3), then expand of each entry (the route of tasks.md)';
  return { seconds, size, entries, note };
}

export const p1Task: BenchTask = {
  id: 'P1',
  title: 'third-derivative tensor of ½(w1·…·w10 − 1)², 220 entries, expanded',
  // the harness is loaded only here, so that eomkit's child process (which imports computeP1) does not load it
  run: async (opts) =>
    (await import('./peers.ts')).runPeerTask('P1', opts, {
      sympy: 'p1_sympy.py',
      // routes[0] is the headline's counterpart; GiNaC's p1 takes any route but `expand-first` as diff-then-expand
      ginac: { program: 'p1', routes: ['expand-first', 'diff-expand'] },
      computeEngine: 'p1_ce.ts',
      eomkitVariants: ['diff-expand'],
      warmRuns: 20,
    }),
};
