"""P5 peer (numpy): GD on least squares 1000x100 float64, 1000 steps; and 10,000 SGD chains (2 params,
Gaussian gradient noise, heavy ball) vectorised over the ensemble, 1000 steps. Prints one JSON array of rows.
The least-squares data come from the same deterministic formula as bench/p5.ts (identical inputs: the final
losses can be compared); the ensemble noise uses numpy's RNG (same distribution, different numbers)."""
import json, time, sys
import numpy as np

def main():
    rows = []
    N, P, steps, eta = 1000, 100, 1000, 0.1
    rng = np.random.default_rng(1)
    i = np.arange(N)[:, None]; j = np.arange(P)[None, :]
    X = np.sin(12.9898 * (i + 1) + 78.233 * (j + 1) + 0.5 * (i + 1) * (j + 1))
    y = X @ np.cos(np.arange(P)) + 0.1 * np.sin(3.7 * np.arange(N))
    theta = np.zeros(P)
    for _ in range(20):  # warm-up, as the JS side
        theta -= eta * (X.T @ (X @ theta - y)) / N
    theta = np.zeros(P)
    t0 = time.perf_counter()
    for _ in range(steps):
        theta -= eta * (X.T @ (X @ theta - y)) / N
    dt = time.perf_counter() - t0
    loss = float(0.5 * np.mean((X @ theta - y) ** 2))
    rows.append({"task": "P5-gd-ls", "tool": "numpy", "seconds": dt, "size": f"{N}x{P}, {steps} steps", "note": f"1 thread; {4 * N * P * steps / dt / 1e9:.1f} GFLOP/s; final loss {loss:.12g}"})

    B, steps2, eta2, beta, S = 10000, 1000, 0.1, 0.5, 4
    H = np.array([[1.0, 0.3], [0.3, 0.5]])
    Sigma = 0.1 * H
    L = np.linalg.cholesky(Sigma)
    th = np.ones((B, 2))
    prev = th.copy()
    t0 = time.perf_counter()
    for _ in range(steps2):
        g = th @ H + rng.standard_normal((B, 2)) @ L.T / np.sqrt(S)
        nxt = th - eta2 * g + beta * (th - prev)
        prev = th
        th = nxt
    dt = time.perf_counter() - t0
    rows.append({"task": "P5-sgd-ensemble", "tool": "numpy", "seconds": dt, "size": f"{B} chains x 2, {steps2} steps",
                 "note": f"ensemble var(theta1) {float(np.var(th[:, 0])):.4g}"})
    print(json.dumps(rows))

if __name__ == "__main__":
    main()
