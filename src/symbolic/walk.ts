/**
 * The one memoised walk over an expression DAG. Hash-consing shares subexpressions, so a tree of 2^40
 * nodes can be a DAG of 40: every transformation that maps nodes to results (jvp, subs, evaluate, the
 * printers, codegen's lowering) must visit each distinct node once, which is what this helper does —
 * never walk the DAG without it.
 */
import type { Expr } from './expr.ts';

/**
 * A function of expressions computed once per distinct node: `visit(x, recur)` computes the result for
 * x, calling `recur` for its children; `shortcut(x)`, when given, answers cheap cases (a leaf, a node
 * independent of the variables) before the memo is consulted, and its answers are not stored. Results
 * must not be `undefined`. The memo lives as long as the returned function: make one per traversal
 * (or keep it to share work between several roots, as the printers' display keys do).
 */
export function memoWalk<R>(visit: (x: Expr, recur: (x: Expr) => R) => R, shortcut?: (x: Expr) => R | undefined): (x: Expr) => R {
  const memo = new Map<Expr, R>();
  const recur = shortcut
    ? (x: Expr): R => {
        const s = shortcut(x);
        if (s !== undefined) return s;
        const hit = memo.get(x);
        if (hit !== undefined) return hit;
        const r = visit(x, recur);
        memo.set(x, r);
        return r;
      }
    : (x: Expr): R => {
        const hit = memo.get(x);
        if (hit !== undefined) return hit;
        const r = visit(x, recur);
        memo.set(x, r);
        return r;
      };
  return recur;
}
