"""Task N peer (bench/networks.ts): the same MLP, data and theta in PyTorch (float32, CPU).

Times one gradient and one EoM1 right-hand side g + (eta/2) H g (double backward of L + eta/4 |grad L|^2),
and 40 Lanczos steps (full reorthogonalisation in float64 numpy, HVPs by double backward) from the start
vector sin(0.37 (k+1)). Prints one JSON line.
"""
import json
import math
import statistics
import time

import numpy as np
import torch

torch.set_num_threads(1)
SIZES = [32, 96, 64, 10]
EXAMPLES = 256
ETA = 0.1
STEPS = 40

d = SIZES[0]
i = np.arange(1, EXAMPLES + 1, dtype=np.float64)[:, None]
j = np.arange(1, d + 1, dtype=np.float64)[None, :]
X = torch.tensor(np.sin(12.9898 * i + 78.233 * j + 0.5 * i * j), dtype=torch.float32)
labels = torch.tensor(np.arange(EXAMPLES) % SIZES[-1])
T = torch.nn.functional.one_hot(labels, SIZES[-1]).to(torch.float32)

theta_np = []
k = 0
for l in range(1, len(SIZES)):
    fan_in = SIZES[l - 1]
    count = SIZES[l] * fan_in + SIZES[l]
    theta_np.extend(math.sin(1.7 * (k + q + 1)) / math.sqrt(fan_in) for q in range(count))
    k += count
theta = torch.tensor(theta_np, dtype=torch.float32)
n = theta.numel()


def loss(th):
    h = X
    off = 0
    for l in range(1, len(SIZES)):
        nin, nout = SIZES[l - 1], SIZES[l]
        W = th[off:off + nout * nin].reshape(nout, nin)
        off += nout * nin
        b = th[off:off + nout]
        off += nout
        h = h @ W.T + b
        if l < len(SIZES) - 1:
            h = torch.tanh(h)
    return (torch.logsumexp(h, 1) - (T * h).sum(1)).mean()


def grad_field(th_host):
    th = torch.tensor(th_host, dtype=torch.float32, requires_grad=True)
    (g,) = torch.autograd.grad(loss(th), th)
    return g.numpy().astype(np.float64)


def eom1_field(th_host):
    th = torch.tensor(th_host, dtype=torch.float32, requires_grad=True)
    value = loss(th)
    (g,) = torch.autograd.grad(value, th, create_graph=True)
    mod = value + ETA / 4 * (g * g).sum()
    (f,) = torch.autograd.grad(mod, th)
    return -f.numpy().astype(np.float64)


def timed_pairs(a, b, reps, warm=3):
    """alternated timings (as bench/networks.ts): medians of a, b and of the per-round ratios b/a"""
    for _ in range(warm):
        a()
        b()
    ta, tb = [], []
    for _ in range(reps):
        t0 = time.perf_counter()
        a()
        ta.append(time.perf_counter() - t0)
        t0 = time.perf_counter()
        b()
        tb.append(time.perf_counter() - t0)
    return statistics.median(ta), statistics.median(tb), statistics.median([y / x for x, y in zip(ta, tb)])


th_host = theta.numpy().astype(np.float64)
grad_s, eom1_s, ratio = timed_pairs(lambda: grad_field(th_host), lambda: eom1_field(th_host), 15)
grad_norm = float(np.linalg.norm(grad_field(th_host)))
eom1_norm = float(np.linalg.norm(eom1_field(th_host)))

th_dev = theta.clone().requires_grad_(True)


def hvp(v):
    (g,) = torch.autograd.grad(loss(th_dev), th_dev, create_graph=True)
    (hv,) = torch.autograd.grad((g * torch.tensor(v, dtype=torch.float32)).sum(), th_dev)
    return hv.numpy().astype(np.float64)


def lanczos_top(m, k):
    v0 = np.sin(0.37 * np.arange(1, n + 1))
    Q = [v0 / np.linalg.norm(v0)]
    alpha, beta = [], []
    for step in range(m):
        w = hvp(Q[step])
        alpha.append(float(Q[step] @ w))
        for _ in range(2):
            for q in Q:
                w = w - (q @ w) * q
        b = float(np.linalg.norm(w))
        if step == m - 1:
            break
        beta.append(b)
        Q.append(w / b)
    Tm = np.diag(alpha) + np.diag(beta, 1) + np.diag(beta, -1)
    return sorted(np.linalg.eigvalsh(Tm), reverse=True)[:k]


t0 = time.perf_counter()
top10 = lanczos_top(STEPS, 10)
lanczos_s = time.perf_counter() - t0
print(json.dumps({"grad_s": grad_s, "eom1_s": eom1_s, "ratio": ratio, "lanczos_s": lanczos_s, "grad_norm": grad_norm,
                  "eom1_norm": eom1_norm, "top10": [float(x) for x in top10], "torch": torch.__version__}))
