"""Task P7, the log-sum-exp family, in SymPy's sparse polynomial ring over three generators: counter terms
f1..fK (K <= 5) of L = sum_d log(1 + exp(a_d . w)), a_dj = ((7j + 3d) mod 5) - 2 (bench/p7.ts p7Formula).

Every derivative of L is a polynomial over QQ in the sigmoids s_d = sigma(a_d . w) = exp(a_d . w)/(1 + exp(a_d . w)),
by the chain rule ds_d/dw_j = a_dj s_d (1 - s_d), so the whole series lives in QQ[s_1, s_2, s_3]:
    g_j = sum_d a_dj s_d,    (J F) . v = sum_d dF/ds_d * s_d (1 - s_d) * (a_d . v),
and G(t), f_k follow by the product-rule route of bench/ginac/p7lse.cpp (same trees and weights).
This is the same function as eomkit's and GiNaC's f_k (values at a point agree) in another canonical form
(polynomials in s_d, not sums of exp(a_d . w)^p / (1 + exp(a_d . w))^q), so term counts are not comparable.
It uses the structure of this loss, which the generic routes do not: a hand reduction, reported as such.

Usage: p7_sympy_ring_lse.py n K point(w1,..,wn | idle). Prints {"seconds", "size", "values"}.
"""
import json
import math
import sys
import time

from sympy import QQ
from sympy.polys.rings import ring

SERIES = [
    [("[]", QQ(-1))],
    [("[[]]", QQ(-1, 2))],
    [("[[[]]]", QQ(-1, 3)), ("[[][]]", QQ(-1, 12))],
    [("[[[[]]]]", QQ(-1, 4)), ("[[[][]]]", QQ(-1, 12)), ("[[][[]]]", QQ(-1, 12))],
    [
        ("[[[[[]]]]]", QQ(-1, 5)),
        ("[[[[][]]]]", QQ(-3, 40)),
        ("[[[][[]]]]", QQ(-1, 10)),
        ("[[[][][]]]", QQ(-1, 180)),
        ("[[[]][[]]]", QQ(-1, 60)),
        ("[[][[[]]]]", QQ(-1, 20)),
        ("[[][[][]]]", QQ(-1, 120)),
        ("[[][][[]]]", QQ(1, 120)),
        ("[[][][][]]", QQ(1, 720)),
    ],
]


def main() -> None:
    n = int(sys.argv[1])
    K = int(sys.argv[2])
    if sys.argv[3] == "idle":
        print(json.dumps({"seconds": 0, "size": 0, "values": []}))
        return
    point = [float(x) for x in sys.argv[3].split(",")]
    a = [[((7 * j + 3 * d) % 5) - 2 for j in range(n)] for d in range(3)]
    t0 = time.perf_counter()
    R, *s = ring("s1,s2,s3", QQ)
    ds = [sd * (1 - sd) for sd in s]  # ds_d/d(a_d . w)

    def jvp(F, v):
        av = [sum((a[d][j] * v[j] for j in range(n)), R.zero) for d in range(3)]
        chain = [ds[d] * av[d] for d in range(3)]
        return [sum((Fi.diff(s[d]) * chain[d] for d in range(3)), R.zero) for Fi in F]

    dirs = []
    jvp_memo = {}
    form_memo = {}

    def direction(p):
        dirs.append(p)
        return len(dirs) - 1

    g = direction([sum((a[d][j] * s[d] for d in range(3)), R.zero) for j in range(n)])

    def jvp_dir(u, v):
        if (u, v) not in jvp_memo:
            jvp_memo[(u, v)] = direction(jvp(dirs[u], dirs[v]))
        return jvp_memo[(u, v)]

    def form(args):
        if not args:
            return g
        args = tuple(sorted(args))
        if args in form_memo:
            return form_memo[args]
        last, rest = args[-1], list(args[:-1])
        parts = [(1, jvp_dir(form(rest), last))]
        for k in range(len(rest)):
            moved = list(rest)
            moved[k] = jvp_dir(rest[k], last)
            parts.append((-1, form(moved)))
        out = direction([sum((c * dirs[p][i] for c, p in parts), R.zero) for i in range(n)])
        form_memo[args] = out
        return out

    def G(t, pos=0):
        pos += 1
        children = []
        while t[pos] == "[":
            child, pos = G(t, pos)
            children.append(child)
        return form(children), pos + 1

    fs = []
    for k in range(1, K + 1):
        parts = [(wt, G(tree)[0]) for tree, wt in SERIES[k - 1]]
        fs.append([sum((wt * dirs[p][i] for wt, p in parts), R.zero) for i in range(n)])
    seconds = time.perf_counter() - t0
    size = sum(len(e.terms()) if e else 0 for f in fs for e in f)
    sig = [1 / (1 + math.exp(-sum(a[d][j] * point[j] for j in range(n)))) for d in range(3)]

    def value(p):
        return sum(float(c) * sig[0] ** m[0] * sig[1] ** m[1] * sig[2] ** m[2] for m, c in p.terms())

    print(json.dumps({"seconds": seconds, "size": size, "values": [[value(e) for e in f] for f in fs]}))


if __name__ == "__main__":
    main()
