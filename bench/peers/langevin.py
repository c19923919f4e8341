"""P6-langevin peer (scipy): solve_continuous_lyapunov at n = 10, 50, 200, 1000 and solve_discrete_lyapunov
at n = 10, 50, 200, on the same matrices as bench/langevin.ts (built from the same formulas); prints the
Frobenius norms of the solutions so that the results can be compared. Run single-threaded
(OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 MKL_NUM_THREADS=1; bench/langevin.ts sets them)."""
import json, time
import numpy as np

from scipy.linalg import solve_continuous_lyapunov, solve_discrete_lyapunov

from p6 import dgemm_gflops, problem as continuous_problem  # the same kernel rate and continuous matrices as P6

def discrete_problem(n):
    p = n // 2; eta, beta = 0.1, 0.5
    i = np.arange(p)[:, None]; j = np.arange(p)[None, :]
    H = 0.3 * np.sin(10.0 * (i + j)) / p + np.diag(0.5 + 4.5 * np.arange(p) / p)
    M = np.zeros((n, n)); Q = np.zeros((n, n))
    M[:p, :p] = (1 + beta) * np.eye(p) - eta * H
    M[:p, p:] = -beta * np.eye(p)
    M[p:, :p] = np.eye(p)
    Q[:p, :p] = np.diag(eta * eta * (1.0 + np.cos(np.arange(p)) ** 2))
    return M, Q

def reps(n):
    return 200 if n <= 10 else 20 if n <= 50 else 5 if n <= 200 else 2

def best_of(count, fn):
    value = fn(); best = float("inf")
    for _ in range(count):
        t0 = time.perf_counter(); value = fn(); best = min(best, time.perf_counter() - t0)
    return best, value

def main():
    rows = []
    for n in (10, 50, 200, 1000):
        A, D = continuous_problem(n)
        t, C = best_of(reps(n), lambda: solve_continuous_lyapunov(A, 2 * D))
        res = np.linalg.norm(A @ C + C @ A.T - 2 * D) / np.linalg.norm(2 * D)
        rows.append({"task": "P6-langevin-continuous", "tool": "scipy", "seconds": t, "size": n,
                     "note": f"||C||_F {np.linalg.norm(C):.12g}, residual {res:.1e}; dgemm {dgemm_gflops(n):.1f} GFLOP/s"})
    for n in (10, 50, 200):
        M, Q = discrete_problem(n)
        t, X = best_of(reps(n), lambda: solve_discrete_lyapunov(M, Q))
        res = np.linalg.norm(X - M @ X @ M.T - Q) / np.linalg.norm(Q)
        rows.append({"task": "P6-langevin-discrete", "tool": "scipy", "seconds": t, "size": n,
                     "note": f"||X||_F {np.linalg.norm(X):.12g}, residual {res:.1e}; dgemm {dgemm_gflops(n):.1f} GFLOP/s"})
    print(json.dumps(rows))

if __name__ == "__main__":
    main()
