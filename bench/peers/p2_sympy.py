"""Task P2 in SymPy: counter terms f1..f4 of gradient descent for L = 1/2 (w1...w10 - 1)^2.

The same route as bench/p2.ts and bench/ginac/p2.cpp (directional derivatives of expression vectors,
each step expanded):
  jvp(F, v)_i = expand(sum_j dF_i/dw_j * v_j)
  Hg = jvp(g,g), H2g = jvp(g,Hg), H3g = jvp(g,H2g)
  Tgg = jvp(Hg,g) - H2g;  HTgg = jvp(g,Tgg);  TgHg = jvp(Hg,Hg) - H3g  (d(Hg).Hg = T[g,Hg] + H^3 g)
  f1 = -g, f2 = -1/2 Hg, f3 = -1/12 Tgg - 1/3 H2g, f4 = -1/12 TgHg - 1/12 HTgg - 1/4 H3g
Prints one JSON object: {"seconds", "size" (total terms of f1..f4), "f4chars", "f": 4 lists of 10 strings}
(the strings and f4chars only with --strings). `--idle`: imports only, the memory baseline.
Takes about a minute and a half: run it from `npm run bench`, never from the tests.
"""
import json
import sys
import time

import sympy as sp


def main() -> None:
    if "--idle" in sys.argv:  # imports done, nothing computed: the memory baseline of this program
        print(json.dumps({"idle": True}))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    t0 = time.perf_counter()
    w = sp.symbols(f"w1:{n + 1}")
    L = sp.Rational(1, 2) * (sp.Mul(*w) - 1) ** 2

    def jvp(F, v):
        return [sp.expand(sp.Add(*[sp.diff(Fi, wj) * vj for wj, vj in zip(w, v)])) for Fi in F]

    def lin(*parts):
        return [sp.expand(sp.Add(*[k * v[i] for k, v in parts])) for i in range(n)]

    R = sp.Rational
    g = [sp.expand(sp.diff(L, wi)) for wi in w]
    Hg = jvp(g, g)
    H2g = jvp(g, Hg)
    H3g = jvp(g, H2g)
    Tgg = lin((1, jvp(Hg, g)), (-1, H2g))
    HTgg = jvp(g, Tgg)
    TgHg = lin((1, jvp(Hg, Hg)), (-1, H3g))
    f1 = lin((-1, g))
    f2 = lin((R(-1, 2), Hg))
    f3 = lin((R(-1, 12), Tgg), (R(-1, 3), H2g))
    f4 = lin((R(-1, 12), TgHg), (R(-1, 12), HTgg), (R(-1, 4), H3g))
    seconds = time.perf_counter() - t0
    fs = [f1, f2, f3, f4]
    size = sum(0 if e == 0 else len(sp.Add.make_args(e)) for f in fs for e in f)
    strs = [[str(e) for e in f] for f in fs] if "--strings" in sys.argv else []
    print(json.dumps({"seconds": seconds, "size": size, "f4chars": sum(len(s) for s in strs[3]) if strs else 0, "f": strs}))


if __name__ == "__main__":
    main()
