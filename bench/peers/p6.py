"""P6 peer (scipy): solve_continuous_lyapunov for A C + C A^T = 2D, n = 10, 50, 200, float64.
Matrices are built from the same deterministic formula as bench/p6.ts (identical inputs), and the
solution's Frobenius norm is printed so that the results can be compared."""
import json, time
import numpy as np
from scipy.linalg import solve_continuous_lyapunov

def problem(n):
    i = np.arange(n)[:, None]; j = np.arange(n)[None, :]
    A = np.sin(7.0 * i + 3.0 * j) * 0.3 / np.sqrt(n) + np.diag(1.0 + np.arange(n) / n)
    D = np.diag(1.0 + np.cos(np.arange(n)) ** 2)
    return A, D

def main():
    rows = []
    for n in (10, 50, 200):
        A, D = problem(n)
        reps = 200 if n <= 10 else 20 if n <= 50 else 5  # as in bench/p6.ts
        best = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            # scipy solves A X + X A^H = Q
            C = solve_continuous_lyapunov(A, 2 * D)
            best = min(best, time.perf_counter() - t0)
        res = np.linalg.norm(A @ C + C @ A.T - 2 * D) / np.linalg.norm(2 * D)
        rows.append({"task": "P6-lyapunov", "tool": "scipy", "seconds": best, "size": n,
                     "note": f"||C||_F {np.linalg.norm(C):.12g}, residual {res:.1e}"})
    print(json.dumps(rows))

if __name__ == "__main__":
    main()
