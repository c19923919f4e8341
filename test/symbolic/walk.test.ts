/**
 * memoWalk: one visit per distinct node, however large the tree. The DAG below has 2·40 + 2 distinct
 * nodes and a tree of more than 2^40 nodes: every transformation built on memoWalk (jvp, subs,
 * evaluate, lowering) must finish at once, and the visit counts must be the DAG's size.
 */
import { describe, expect, it } from 'vitest';
import { add, call, children, dagSize, directional, evaluate, memoWalk, mul, subs, sym, type Expr } from '../../src/symbolic/index.ts';
import { compile } from '../../src/codegen/index.ts';

const x = sym('x');
const y = sym('y');

/** e_{k+1} = e_k·e_k·y + sin(e_k), e_0 = x: the tree doubles at every level, the DAG grows by two nodes. */
function tower(levels: number): Expr {
  let e: Expr = x;
  for (let k = 0; k < levels; k++) e = add(mul(e, e, y), call('sin', e));
  return e;
}

describe('memoWalk', () => {
  it('visits each distinct node once (counted), on a DAG whose tree has more than 2^40 nodes', () => {
    const e = tower(40);
    expect(e.treeSize).toBeGreaterThan(2 ** 40);
    let visits = 0;
    const count = memoWalk<number>((n, go) => {
      visits++;
      let s = 1;
      for (const c of children(n)) s += go(c);
      return s;
    });
    // the walk's result counts shared children each time (a tree count), its work is the DAG's size:
    // sum → [product, sin], product e²·y → [e, y], sin → [e]: n_{k+1} = 1 + (1 + n_k + 1) + (1 + n_k)
    let n = 1;
    for (let k = 0; k < 40; k++) n = 2 * n + 4;
    expect(count(e)).toBe(n);
    expect(n).toBeGreaterThan(2 ** 40);
    expect(visits).toBe(dagSize(e));
  });

  it('shortcut answers are not memoised and skip the visit', () => {
    const seen: Expr[] = [];
    const f = memoWalk<number>(
      (n, go) => {
        seen.push(n);
        return children(n).reduce((a, c) => a + go(c), 1);
      },
      (n) => (n.kind === 'sym' ? 0 : undefined),
    );
    f(tower(3));
    expect(seen.every((n) => n.kind !== 'sym')).toBe(true);
  });

  it('evaluate, subs, jvp and compile on the 2^40-node tree finish, each walking the DAG once', () => {
    const e = tower(40);
    const v = evaluate(e, { x: 0.1, y: 0.01 }, { allowNonFinite: true });
    // the same recurrence in floats
    let r = 0.1;
    for (let k = 0; k < 40; k++) r = r * r * 0.01 + Math.sin(r);
    expect(v).toBe(r);
    const s = subs(e, new Map([[y, x]]));
    expect(s.treeSize).toBeGreaterThan(2 ** 40);
    const d = directional(e, [x], [y]);
    expect(dagSize(d)).toBeLessThan(20 * dagSize(e));
    const c = compile({ e }, [x, y]);
    const out = new Float64Array(1);
    c.fn(Float64Array.of(0.1, 0.01), out);
    expect(out[0]).toBe(r);
  });
});
