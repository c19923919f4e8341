"""Task P2 in SymPy's sparse polynomial ring (sympy.polys.rings.ring over QQ): counter terms f1..f4 of
gradient descent for L = 1/2 (w1...wn - 1)^2, each component a PolyElement (canonical expanded form).

The jvp route of bench/p2.ts with the cheaper identity for the last tensor term:
  jvp(F, v)_i = sum_j dF_i/dw_j * v_j
  Hg = jvp(g,g), H2g = jvp(g,Hg), H3g = jvp(g,H2g)
  Tgg = jvp(Hg,g) - H2g;  HTgg = jvp(g,Tgg);  TgHg = jvp(Hg,Hg) - H3g
  f1 = -g, f2 = -1/2 Hg, f3 = -1/12 Tgg - 1/3 H2g, f4 = -1/12 TgHg - 1/12 HTgg - 1/4 H3g
Prints one JSON object: {"seconds", "size" (total terms of f1..f4), "f4chars", "f": 4 lists of n strings}
(the strings and f4chars only with --strings). `--idle`: imports only, the memory baseline.
"""
import json
import sys
import time

from sympy import QQ
from sympy.polys.rings import ring


def counter_terms(n: int, K: int):
    """f1..fK (K = 3 or 4) of the chain L = 1/2 (w1...wn - 1)^2 in the ring, by the jvp route above.
    Returns (seconds, [f1, ..., fK]); P7 (p7_sympy_ring.py) calls it too."""
    t0 = time.perf_counter()
    R, *w = ring(",".join(f"w{i}" for i in range(1, n + 1)), QQ)
    P = R.one
    for wi in w:
        P = P * wi
    L = QQ(1, 2) * (P - 1) ** 2

    def jvp(F, v):
        return [sum((Fi.diff(wj) * vj for wj, vj in zip(w, v)), R.zero) for Fi in F]

    def lin(*parts):
        return [sum((k * v[i] for k, v in parts), R.zero) for i in range(n)]

    g = [L.diff(wi) for wi in w]
    Hg = jvp(g, g)
    H2g = jvp(g, Hg)
    Tgg = lin((1, jvp(Hg, g)), (-1, H2g))
    fs = [lin((-1, g)), lin((QQ(-1, 2), Hg)), lin((QQ(-1, 12), Tgg), (QQ(-1, 3), H2g))]
    if K >= 4:
        H3g = jvp(g, H2g)
        HTgg = jvp(g, Tgg)
        TgHg = lin((1, jvp(Hg, Hg)), (-1, H3g))
        fs.append(lin((QQ(-1, 12), TgHg), (QQ(-1, 12), HTgg), (QQ(-1, 4), H3g)))
    return time.perf_counter() - t0, fs


def main() -> None:
    if "--idle" in sys.argv:  # imports done, nothing computed: the memory baseline of this program
        print(json.dumps({"idle": True}))
        return
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    seconds, fs = counter_terms(n, 4)
    size = sum(len(e.terms()) if e else 0 for f in fs for e in f)
    strs = [[str(e.as_expr()) for e in f] for f in fs] if "--strings" in sys.argv else []
    print(json.dumps({"seconds": seconds, "size": size, "f4chars": sum(len(s) for s in strs[3]) if strs else 0, "f": strs}))


if __name__ == "__main__":
    main()
