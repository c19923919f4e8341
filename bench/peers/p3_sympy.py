"""Task P3 in SymPy: counter terms of a network (and of the 10-parameter chain), to numeric code.

  python3 p3_sympy.py p3        f1, f2, f3 of the 2-3-1 tanh network (39 outputs)
  python3 p3_sympy.py chain10   g, xi1, xi2 of L = 1/2 (w1...w10 - 1)^2 (30 outputs)

Route (the natural one in SymPy, and the one tasks.md timed): g = diff(L, w), directional derivatives
  jvp(F, v)_i = sum_j diff(F_i, w_j) v_j,   Hg = jvp(g, g),   JHg = jvp(Hg, g) = T(g,g) + H Hg,   HHg = jvp(g, Hg)
  f1 = -g, f2 = -Hg/2, f3 = -T(g,g)/12 - HHg/3 = -JHg/12 - HHg/4;   xi1 = -f2, xi2 = -f3
then sympy.cse over all outputs, and lambdify(params, outputs, 'math', cse=True).
Prints one JSON object: derive_s, cse_s (cse alone, for information), lambdify_s (lambdify with cse=True,
which runs cse again inside), seconds = derive_s + lambdify_s, evals_per_s of the lambdified function at a
fixed point, values there (for the agreement check), size (number of outputs).
"""
import json
import math
import sys
import time

import sympy as sp

R = sp.Rational


def network():
    a = [[sp.Symbol(f"a{k}{j}") for j in (1, 2)] for k in (1, 2, 3)]
    b = [sp.Symbol(f"b{k}") for k in (1, 2, 3)]
    v = [sp.Symbol(f"v{k}") for k in (1, 2, 3)]
    c = sp.Symbol("c")
    params = [a[0][0], a[0][1], a[1][0], a[1][1], a[2][0], a[2][1], *b, *v, c]
    X = [(1, 0), (0, 1), (1, 1), (-1, R(1, 2))]
    Y = [1, -1, 0, R(1, 2)]
    L = 0
    for (x1, x2), y in zip(X, Y):
        out = sum(v[k] * sp.tanh(a[k][0] * x1 + a[k][1] * x2 + b[k]) for k in range(3)) + c
        L += (out - y) ** 2
    L = L / 4
    theta = [0.5 * math.sin(i + 1) for i in range(13)]
    return params, L, theta


def chain(n=10):
    w = list(sp.symbols(f"w1:{n + 1}"))
    L = R(1, 2) * (sp.Mul(*w) - 1) ** 2
    theta = [1 + 0.05 * math.sin(i + 1) for i in range(n)]
    return w, L, theta


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "p3"
    params, L, theta = network() if which == "p3" else chain()

    t0 = time.perf_counter()

    def jvp(F, d):
        return [sp.Add(*[sp.diff(Fi, p) * dj for p, dj in zip(params, d)]) for Fi in F]

    g = [sp.diff(L, p) for p in params]
    Hg = jvp(g, g)
    JHg = jvp(Hg, g)
    HHg = jvp(g, Hg)
    if which == "p3":
        outs = [-x for x in g] + [-x / 2 for x in Hg] + [-x / 12 - y / 4 for x, y in zip(JHg, HHg)]
    else:
        outs = list(g) + [x / 2 for x in Hg] + [x / 12 + y / 4 for x, y in zip(JHg, HHg)]
    derive_s = time.perf_counter() - t0

    t1 = time.perf_counter()
    sp.cse(outs)
    cse_s = time.perf_counter() - t1

    t2 = time.perf_counter()
    f = sp.lambdify(params, outs, "math", cse=True)
    lambdify_s = time.perf_counter() - t2

    values = [float(x) for x in f(*theta)]
    # throughput at the fixed point
    n = 0
    t3 = time.perf_counter()
    while True:
        for _ in range(20):
            f(*theta)
        n += 20
        el = time.perf_counter() - t3
        if el > 1.5:
            break
    print(json.dumps({
        "task": which,
        "derive_s": derive_s,
        "cse_s": cse_s,
        "lambdify_s": lambdify_s,
        "seconds": derive_s + lambdify_s,
        "evals_per_s": n / el,
        "values": values,
        "size": len(outs),
        "sympy": sp.__version__,
    }))


if __name__ == "__main__":
    main()
