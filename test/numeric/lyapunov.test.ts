import { describe, it, expect } from 'vitest';
import { lyapunov, lyapunovKron, phaseSpaceOU, lyapunovResidual } from '../../src/numeric/lyapunov.ts';
import { Rng } from '../../src/numeric/prng.ts';

describe('lyapunov (A C + C Aᵀ = 2D)', () => {
  it('the wasm SIMD path and the JavaScript kernels agree to rounding (n = 1, 7, 41, 97: blocked LU), residual checked', () => {
    for (const n of [1, 7, 41, 97]) {
      const A = new Float64Array(n * n), D = new Float64Array(n * n);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) A[i * n + j] = (0.3 * Math.sin(7 * i + 3 * j)) / Math.sqrt(n);
        A[i * n + i] = A[i * n + i]! + 1 + i / n;
        D[i * n + i] = 1 + Math.cos(i) ** 2;
      }
      const w = lyapunov(A, D), j = lyapunov(A, D, { kernels: 'js' });
      let d = 0, m = 0;
      for (let i = 0; i < n * n; i++) { d = Math.max(d, Math.abs(w.C[i]! - j.C[i]!)); m = Math.max(m, Math.abs(j.C[i]!)); }
      expect(d / m).toBeLessThan(1e-13);
      expect(j.relResidual).toBeLessThan(1e-13);
      expect(w.iterations).toBe(j.iterations);
      expect(w.relResidual).toBeLessThan(1e-13);
      expect(lyapunovResidual(A, w.C, D, n)).toBe(w.relResidual);
    }
  });

  it('reproduces the worked 2-D example of langevin.md', () => {
    const r = lyapunov([[2.5, -1.5], [-1.5, 2.5]], [[4, 0], [0, 1]]);
    const want = [2.1625, 0.9375, 0.9375, 0.9625];
    want.forEach((w, i) => expect(Math.abs(r.C[i]! - w)).toBeLessThan(1e-14));
  });
  it('phase-space SGD-with-momentum OU, commuting case: C_θθ = ηΣ(H+λ)⁻¹/(2S(1−β)), C_vv = Σ/(S(1−β²)), C_θv = 0', () => {
    const Hd = [1, 0.3, 0.05], Sd = [0.5, 0.2, 0.01], m = 3, eta = 0.1, beta = 0.9, S = 4, lam = 0.01;
    const diag = (v: number[]): number[][] => v.map((x, i) => v.map((_, j) => (i === j ? x : 0)));
    const { A, D, n } = phaseSpaceOU(diag(Hd), diag(Sd), { eta, beta, batchSize: S, weightDecay: lam });
    const r = lyapunov(A, D);
    for (let i = 0; i < m; i++) {
      const cth = (eta * Sd[i]!) / ((Hd[i]! + lam) * 2 * S * (1 - beta));
      const cvv = Sd[i]! / (S * (1 - beta ** 2));
      expect(Math.abs(r.C[i * n + i]! / cth - 1)).toBeLessThan(1e-12);
      expect(Math.abs(r.C[(m + i) * n + m + i]! / cvv - 1)).toBeLessThan(1e-12);
      expect(Math.abs(r.C[i * n + m + i]!)).toBeLessThan(1e-14);
    }
  });
  it('agrees with the Kronecker solve on random stable non-symmetric A (n = 8) and has a tiny residual at n = 60', () => {
    const rng = new Rng(21);
    for (const n of [8, 60]) {
      const a = new Float64Array(n * n), b = new Float64Array(n * n), d = new Float64Array(n * n);
      for (let i = 0; i < n * n; i++) { a[i] = rng.normal() / Math.sqrt(n); b[i] = rng.normal(); }
      for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! + 2.5; // shift the spectrum into Re > 0
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!; d[i * n + j] = s / n; }
      const r = lyapunov(a, d);
      expect(r.relResidual).toBeLessThan(1e-13);
      expect(lyapunovResidual(a, r.C, d, n)).toBe(r.relResidual);
      if (n <= 10) {
        const k = lyapunovKron(a, d);
        let md = 0, sc = 0;
        for (let i = 0; i < n * n; i++) { md = Math.max(md, Math.abs(k[i]! - r.C[i]!)); sc = Math.max(sc, Math.abs(k[i]!)); }
        expect(md).toBeLessThan(1e-12 * sc);
      }
    }
  });
  it('rejects unstable A, bad shapes and asymmetric D with clear errors', () => {
    expect(() => lyapunov([[1, 0], [0, -1]], [[1, 0], [0, 1]])).toThrow(/not stable/);
    expect(() => lyapunov([[1, 0], [0, 1]], [[1, 0, 0], [0, 1, 0], [0, 0, 1]])).toThrow(/dimension mismatch/);
    expect(() => lyapunov([[1, 0], [0, 1]], [[1, 2], [0, 1]])).toThrow(/not symmetric/);
    expect(() => lyapunov([[1, Number.NaN], [0, 1]], [[1, 0], [0, 1]])).toThrow(/non-finite/);
    expect(() => phaseSpaceOU([[1]], [[1]], { eta: 0.1, beta: 1, batchSize: 1 })).toThrow(/beta/);
  });
});

describe('lyapunov: the early (quadratic-convergence) stop on hard cases', () => {
  it('non-normal drift with complex spectrum (n = 20, wasm path): agrees with the Kronecker solve and with the JS kernels', () => {
    const n = 20;
    const A = new Float64Array(n * n), D = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      A[i * n + i] = 0.02 + i / 50;
      if (i + 1 < n) A[i * n + i + 1] = 1.5; // strongly non-normal (Jordan-like chain)
      if (i > 0) A[i * n + i - 1] = -(0.3 * Math.abs(Math.sin(i)) + 0.05); // rotation: complex pairs, Re λ ≥ 0.13 (numpy)
      D[i * n + i] = 1 + (i % 3);
    }
    const w = lyapunov(A, D), j = lyapunov(A, D, { kernels: 'js' });
    const ref = lyapunovKron(A, D);
    let dk = 0, dj = 0, m = 0;
    for (let i = 0; i < n * n; i++) {
      dk = Math.max(dk, Math.abs(w.C[i]! - ref[i]!));
      dj = Math.max(dj, Math.abs(w.C[i]! - j.C[i]!));
      m = Math.max(m, Math.abs(ref[i]!));
    }
    expect(dk / m).toBeLessThan(1e-9);
    expect(dj / m).toBeLessThan(1e-12);
    // ‖C‖ ~ 1e13 here (the chain amplifies the noise): the residual relative to ‖2D‖ is ~1e-4 for every
    // solver, so the entries are checked against the Kronecker solve instead
    expect(m).toBeGreaterThan(1e12);
  });
});
