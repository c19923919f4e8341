/**
 * Task P1: all distinct third partials ∂³L/∂wi∂wj∂wk (i ≤ j ≤ k; 220 for n = 10) of
 * L = ½(w1·…·wn − 1)², each in canonical expanded form with exact coefficients.
 *
 * eomkit: derivativeTensor (each entry the derivative of its prefix entry, memoised) + expand,
 * timed from building L to the expanded entries, in a fresh Node process (bench/eomkit/child.ts):
 * the headline row `eomkit` is that first, cold run (JIT not yet warm — what a user of the CLI gets);
 * `eomkit-warm` is the best of 20 further runs in one process with fresh symbol names, so that
 * no memo (derivative, expansion, hash-cons table) can be hit (V8 needs ~10 runs of this size to reach
 * its optimised code). Every tool runs once per round, alternated (bench/peers.ts); rows are medians
 * over the rounds and ratios medians of per-round ratios. GiNaC is timed the same way, on two routes.
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

/** The eomkit computation of P1 (symbols `${prefix}1…${prefix}n`). */
export function computeP1(n = 10, prefix = 'w', expandFirst = false): P1Result {
  const t0 = performance.now();
  const ps: Sym[] = [];
  for (let i = 1; i <= n; i++) ps.push(sym(`${prefix}${i}`));
  const L = scale(pow(sub(mul(...ps), ONE), 2), Rational.HALF);
  // the headline takes the peers' route (differentiate, then expand each entry); the `expand-first`
  // variant is what derivativeTensor(L, ps, 3, { expanded: true }) does: differentiate the expanded L
  const entries = expandFirst
    ? derivativeTensor(L, ps, 3, { expanded: true }).map((t) => t.value)
    : derivativeTensor(L, ps, 3).map((t) => expand(t.value));
  const seconds = (performance.now() - t0) / 1000;
  let size = 0;
  for (const e of entries) size += termCount(e);
  return { seconds, size, entries, ...(expandFirst ? { note: 'derivativeTensor(L, w, 3, { expanded: true }): the expanded L differentiated' } : {}) };
}

export const p1Task: BenchTask = {
  id: 'P1',
  title: 'third-derivative tensor of ½(w1·…·w10 − 1)², 220 entries, expanded',
  // the harness is loaded only here, so that eomkit's child process (which imports computeP1) does not load it
  run: async (opts) =>
    (await import('./peers.ts')).runPeerTask('P1', opts, {
      sympy: 'p1_sympy.py',
      ginac: { program: 'p1', routes: ['diff-then-expand', 'expand-first'] },
      computeEngine: 'p1_ce.ts',
      eomkitVariants: ['expand-first'],
      warmRuns: 20,
    }),
};
