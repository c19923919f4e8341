"""P4 peer (SymPy + scipy): the validation sweep end to end, the way a user does it today
(bench/README.md, P4).

For each loss: SymPy derives g, H and the third-derivative tensor T and the counter terms
    f1 = -g,  f2 = -1/2 H g,  f3 = -1/12 T[g,g] - 1/3 H^2 g,
    f4 = -1/12 T[g,Hg] - 1/12 H T[g,g] - 1/4 H^3 g            (docs/theory/eom.md)
`lambdify` compiles them, a Python loop runs GD, scipy's solve_ivp(method='DOP853', rtol=1e-13, atol=1e-16)
integrates GF and the EoM truncated after 1, 2, 3 counter terms, at eta in {0.04, 0.02, 0.01, 0.005} to T = 1,
and the log-log slopes of the global error are fitted by least squares.
  L1 = (w1^2 + w2^2 - 1)^2/4 + 3/10 w1 w2 + w1/10 + sin(w2)/5 from (1.3, -0.4), error ||theta_GD - theta_EoM||;
  L2 = (w1^2 - 2 w1 w2 + 3 w2^2)/(w1^2 + w2^2) + w1^3/(w1^2 + w2^2)^(3/2) from (0.8, 0.5), error in ||theta||^2.
Prints one JSON object: {seconds, perLoss: {L1: {seconds, slopes, errors}, L2: ...}}; imports are not timed.
"""
import json
import sys
import time

import numpy as np
import sympy as sp
from scipy.integrate import solve_ivp

ETAS = [0.04, 0.02, 0.01, 0.005]
T_END = 1.0
RTOL = 1e-13
ATOL = 1e-16


def derive(L, w):
    n = len(w)
    g = sp.Matrix([sp.diff(L, v) for v in w])
    H = sp.hessian(L, w)
    Tt = [[[sp.diff(H[i, j], w[k]) for k in range(n)] for j in range(n)] for i in range(n)]

    def Tc(a, b):
        return sp.Matrix([sum(Tt[i][j][k] * a[j] * b[k] for j in range(n) for k in range(n)) for i in range(n)])

    Hg = H * g
    HHg = H * Hg
    Tgg = Tc(g, g)
    f1 = -g
    f2 = -sp.Rational(1, 2) * Hg
    f3 = -sp.Rational(1, 12) * Tgg - sp.Rational(1, 3) * HHg
    f4 = -sp.Rational(1, 12) * Tc(g, Hg) - sp.Rational(1, 12) * H * Tgg - sp.Rational(1, 4) * H * HHg
    return g, [f1, f2, f3, f4]


def slope(x, y):
    lx, ly = np.log(x), np.log(y)
    return float(np.polyfit(lx, ly, 1)[0])


def run(L, w, theta0, observable):
    g, fs = derive(L, w)
    grad = sp.lambdify([w], list(g), 'numpy')
    fnum = [sp.lambdify([w], list(f), 'numpy') for f in fs]
    obs = (lambda th: float(np.dot(th, th))) if observable == 'norm2' else None
    errors = [[] for _ in range(4)]
    for eta in ETAS:
        N = int(round(T_END / eta))
        th = np.array(theta0, dtype=float)
        for _ in range(N):
            th = th - eta * np.array(grad(th), dtype=float)
        for j in range(4):  # GF, EoM_1, EoM_2, EoM_3
            def rhs(t, y, j=j):
                out = np.array(fnum[0](y), dtype=float)
                p = 1.0
                for k in range(1, j + 1):
                    p *= eta
                    out = out + p * np.array(fnum[k](y), dtype=float)
                return out
            sol = solve_ivp(rhs, (0.0, N * eta), np.array(theta0, dtype=float), method='DOP853', rtol=RTOL, atol=ATOL)
            y = sol.y[:, -1]
            err = abs(obs(th) - obs(y)) if obs else float(np.linalg.norm(th - y))
            errors[j].append(err)
    return [slope(ETAS, e) for e in errors], errors


def main():
    w1, w2 = sp.symbols('w1 w2', real=True)
    w = [w1, w2]
    losses = {
        'L1': ((w1**2 + w2**2 - 1)**2 / 4 + sp.Rational(3, 10) * w1 * w2 + w1 / 10 + sp.sin(w2) / 5, [1.3, -0.4], 'state'),
        'L2': ((w1**2 - 2 * w1 * w2 + 3 * w2**2) / (w1**2 + w2**2) + w1**3 / (w1**2 + w2**2)**sp.Rational(3, 2), [0.8, 0.5], 'norm2'),
    }
    which = sys.argv[1:] or list(losses)
    out = {}
    t_all = time.perf_counter()
    for name in which:
        L, th0, obs = losses[name]
        t0 = time.perf_counter()
        slopes, errors = run(L, w, th0, obs)
        out[name] = {'seconds': time.perf_counter() - t0, 'slopes': slopes, 'errors': errors}
    total = time.perf_counter() - t_all
    print(json.dumps({'seconds': total, 'sympy': sp.__version__, 'perLoss': out}))


if __name__ == '__main__':
    main()
