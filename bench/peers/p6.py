"""P6 peer (scipy): solve_continuous_lyapunov for A C + C A^T = 2D, n = 10, 50, 200, float64.
Matrices are built from the same deterministic formula as bench/p6.ts (identical inputs), and the
solution's Frobenius norm is printed so that the results can be compared."""
import json, time
import numpy as np

def dgemm_gflops(n):
    """GFLOP/s of numpy's A @ B at n (2n^3 flops), best of a few after a warm-up call"""
    a = np.sin(np.arange(n * n, dtype=float)).reshape(n, n); b = np.cos(np.arange(n * n, dtype=float)).reshape(n, n)
    a @ b
    best = float("inf")
    for _ in range(max(3, min(200, round(2e7 / n ** 3)))):
        t0 = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - t0)
    return 2 * n ** 3 / best / 1e9
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
        solve_continuous_lyapunov(A, 2 * D)  # warm-up, as the JS side
        best = float("inf")
        for _ in range(reps):
            t0 = time.perf_counter()
            # scipy solves A X + X A^H = Q
            C = solve_continuous_lyapunov(A, 2 * D)
            best = min(best, time.perf_counter() - t0)
        res = np.linalg.norm(A @ C + C @ A.T - 2 * D) / np.linalg.norm(2 * D)
        rows.append({"task": "P6-lyapunov", "tool": "scipy", "seconds": best, "size": n,
                     "note": f"||C||_F {np.linalg.norm(C):.12g}, residual {res:.1e}; dgemm {dgemm_gflops(n):.1f} GFLOP/s"})
    print(json.dumps(rows))

if __name__ == "__main__":
    main()
