/**
 * Forward-mode directional derivatives for code generation. The core's `jvp` is forward mode over the
 * DAG (D_v(x·y) = D_v x·y + x·D_v y, memoised per node), so its result is about the size of F, not n
 * times it: generated code for Hg, ∇³L[g,g], H²g is forward-mode AD in effect.
 */
import { type Expr, type Sym, Rational, add, jvp, scale } from '../symbolic/index.ts';

/** D_v F_i for every component (the core's forward-mode Jacobian–vector product). */
export const directionalDerivative = jvp;

/**
 * f1, f2, f3 of gradient descent by forward-mode directional derivatives (docs/theory/eom.md):
 * f1 = −g, f2 = −½Hg, f3 = −1/12 ∇³L[g,g] − 1/3 H²g = −1/12 D_g(Hg) − 1/4 D_{Hg}(g).
 */
export function counterTermsForward(params: readonly Sym[], g: readonly Expr[], K: 1 | 2 | 3): Expr[][] {
  const f: Expr[][] = [g.map((x) => scale(x, -1))];
  if (K >= 2) {
    const Hg = directionalDerivative(g, params, g);
    f.push(Hg.map((x) => scale(x, Rational.of(-1, 2))));
    if (K >= 3) {
      const JHg = directionalDerivative(Hg, params, g);
      const HHg = directionalDerivative(g, params, Hg);
      f.push(JHg.map((x, i) => add(scale(x, Rational.of(-1, 12)), scale(HHg[i]!, Rational.of(-1, 4)))));
    }
  }
  return f;
}
