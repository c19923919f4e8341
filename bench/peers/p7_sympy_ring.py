"""Task P7 in SymPy's sparse polynomial ring (sympy.polys.rings over QQ): counter terms f1..fK, K = 3 or 4,
of the chain L = 1/2 (w1...wn - 1)^2, expanded, by the jvp route of bench/peers/p2_sympy_ring.py.
Usage: p7_sympy_ring.py n K. Prints {"seconds", "size"} (size: total terms of f1..fK).
"""
import json
import sys
import time

from sympy import QQ
from sympy.polys.rings import ring


def main() -> None:
    n = int(sys.argv[1])
    K = int(sys.argv[2])
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
    seconds = time.perf_counter() - t0
    size = sum(len(e.terms()) if e else 0 for f in fs for e in f)
    print(json.dumps({"seconds": seconds, "size": size}))


if __name__ == "__main__":
    main()
