"""P5 peer (numpy): GD on least squares 1000x100 float64, 1000 steps; and 10,000 SGD chains (2 params,
Gaussian gradient noise, heavy ball) vectorised over the ensemble, 1000 steps. Prints one JSON array of rows.
The least-squares data come from the same deterministic formula as bench/p5.ts (identical inputs: the final
losses can be compared); the ensemble noise uses numpy's RNG (PCG64 + ziggurat normals: same distribution,
different numbers). Each timing is the best of a few runs (P5_GD_REPS / P5_ENS_REPS, the counts bench/p5.ts
uses for eomkit) after a warm-up, as on the JS side; bench/p5.ts alternates this script with its own runs."""
import json, os, time
import numpy as np


def gd_ls(X, y, steps, eta):
    N = X.shape[0]
    theta = np.zeros(X.shape[1])
    for _ in range(steps):
        theta -= eta * (X.T @ (X @ theta - y)) / N
    return theta


def ensemble(rng, B, steps, eta, beta, S, H, L):
    th = np.ones((B, 2))
    prev = th.copy()
    for _ in range(steps):
        g = th @ H + rng.standard_normal((B, 2)) @ L.T / np.sqrt(S)
        nxt = th - eta * g + beta * (th - prev)
        prev = th
        th = nxt
    return th


def best_of(reps, fn):
    """best wall-clock and best CPU (process) time of `reps` runs, and the last run's value"""
    best, best_cpu, value = float("inf"), float("inf"), None
    for _ in range(reps):
        t0, c0 = time.perf_counter(), time.process_time()
        value = fn()
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)
    return best, best_cpu, value


def main():
    rows = []
    gd_reps = int(os.environ.get("P5_GD_REPS", "3"))
    ens_reps = int(os.environ.get("P5_ENS_REPS", "2"))
    N, P, steps, eta = 1000, 100, 1000, 0.1
    rng = np.random.default_rng(1)
    i = np.arange(N)[:, None]; j = np.arange(P)[None, :]
    X = np.sin(12.9898 * (i + 1) + 78.233 * (j + 1) + 0.5 * (i + 1) * (j + 1))
    y = X @ np.cos(np.arange(P)) + 0.1 * np.sin(3.7 * np.arange(N))
    gd_ls(X, y, 20, eta)  # warm-up, as the JS side
    dt, cpu, theta = best_of(gd_reps, lambda: gd_ls(X, y, steps, eta))
    loss = float(0.5 * np.mean((X @ theta - y) ** 2))
    rows.append({"task": "P5-gd-ls", "tool": "numpy", "seconds": dt, "cpuSeconds": cpu, "size": f"{N}x{P}, {steps} steps",
                 "note": f"1 thread; {4 * N * P * steps / dt / 1e9:.1f} GFLOP/s; final loss {loss:.12g}; best of {gd_reps}"})

    B, steps2, eta2, beta, S = 10000, 1000, 0.1, 0.5, 4
    H = np.array([[1.0, 0.3], [0.3, 0.5]])
    L = np.linalg.cholesky(0.1 * H)
    ensemble(rng, 100, 50, eta2, beta, S, H, L)  # warm-up
    dt, cpu, th = best_of(ens_reps, lambda: ensemble(rng, B, steps2, eta2, beta, S, H, L))
    rows.append({"task": "P5-sgd-ensemble", "tool": "numpy", "seconds": dt, "cpuSeconds": cpu, "size": f"{B} chains x 2, {steps2} steps",
                 "note": f"ensemble var(theta1) {float(np.var(th[:, 0])):.4g}; best of {ens_reps}"})
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
