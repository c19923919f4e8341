"""P8 peer (numpy): an SGD ensemble (heavy ball, Gaussian gradient noise Σ/S) on a 10-D linear regression,
vectorised over the chains: g = Θ H + Z Lᵀ/√S per step. Reads the problem (H, Σ, hyper-parameters, chains,
steps) as JSON from the file named on the command line — the same matrices as bench/p8.ts. Prints one JSON
array of rows; the note carries mean ‖θ_T‖² and its standard error for the agreement check. Run it with
OPENBLAS_NUM_THREADS=1 (bench/p8.ts does) for a single-core comparison."""
import json, sys, time
import numpy as np

def main():
    cfg = json.load(open(sys.argv[1]))
    H = np.array(cfg["H"]); Sigma = np.array(cfg["Sigma"])
    B, T = cfg["chains"], cfg["steps"]
    eta, beta, S = cfg["eta"], cfg["beta"], cfg["batchSize"]
    m = H.shape[0]
    L = np.linalg.cholesky(Sigma)
    LtS = L.T / np.sqrt(S)
    rng = np.random.default_rng(1)
    th = np.zeros((B, m)); prev = th.copy()
    z = np.empty((B, m))
    t0 = time.perf_counter()
    for _ in range(T):
        rng.standard_normal(out=z)
        g = th @ H + z @ LtS
        nxt = th - eta * g + beta * (th - prev)
        prev = th
        th = nxt
    dt = time.perf_counter() - t0
    d = np.sum(th * th, axis=1)
    print(json.dumps([{"task": "P8-diffusion-ensemble", "tool": "numpy", "seconds": dt, "size": f"{B} chains x {m}, {T} steps",
                       "note": f"single-thread BLAS; mean |theta_T|^2 {d.mean():.6g} se {d.std(ddof=1) / np.sqrt(B):.3g}"}]))

if __name__ == "__main__":
    main()
