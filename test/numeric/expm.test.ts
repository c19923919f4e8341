import { describe, it, expect } from 'vitest';
import { expm } from '../../src/numeric/expm.ts';
import { symmetricEigen } from '../../src/numeric/symeig.ts';
import { gemm } from '../../src/numeric/kernels/dense.ts';
import { InputError } from '../../src/errors.ts';

function maxRel(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i]! - b[i]!)); m = Math.max(m, Math.abs(b[i]!)); }
  return d / m;
}

describe('expm (scaling and squaring, Padé 3…13)', () => {
  it('rotation generator: e^{[[0,−t],[t,0]]} = [[cos t, −sin t],[sin t, cos t]] for small and large t (every Padé degree)', () => {
    for (const t of [1e-3, 0.1, 0.5, 1.5, 3, 20, 300]) {
      const R = expm([[0, -t], [t, 0]]);
      expect(maxRel(R, [Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)])).toBeLessThan(1e-13 * Math.max(1, t));
    }
  });

  it('damped oscillator block: e^{−At} for A = [[0,−1],[ω²,2γ]] against the closed form of the underdamped oscillator', () => {
    const w = 3, g = 0.4, t = 2.7, d = Math.sqrt(w * w - g * g);
    const E = expm([[0, t], [-w * w * t, -2 * g * t]]);
    const e = Math.exp(-g * t), c = Math.cos(d * t), s = Math.sin(d * t);
    // x(t) = e^{−γt}[x0(cos δt + γ/δ sin δt) + v0 sin δt/δ],  v(t) = e^{−γt}[v0(cos δt − γ/δ sin δt) − x0 ω² sin δt/δ]
    const want = [e * (c + (g / d) * s), (e * s) / d, (-e * w * w * s) / d, e * (c - (g / d) * s)];
    expect(maxRel(E, want)).toBeLessThan(1e-13);
  });

  it('a diagonalisable non-normal 3×3 matrix: V e^Λ V⁻¹ (large norm, scaling needed), and a nilpotent one: I + N + N²/2', () => {
    const V = [1, 2, 0, 0, 1, 3, 1, 0, 1];
    const lam = [-12, 0.5, 4];
    // V⁻¹ of this V by the adjugate (det = 7)
    const Vinv = [1, -2, 6, 3, 1, -3, -1, 2, 1].map((x) => x / 7);
    const D = [lam[0]!, 0, 0, 0, lam[1]!, 0, 0, 0, lam[2]!];
    const A = gemm(gemm(Float64Array.from(V), Float64Array.from(D), 3), Float64Array.from(Vinv), 3);
    const eD = Float64Array.from([Math.exp(lam[0]!), 0, 0, 0, Math.exp(lam[1]!), 0, 0, 0, Math.exp(lam[2]!)]);
    const want = gemm(gemm(Float64Array.from(V), eD, 3), Float64Array.from(Vinv), 3);
    expect(maxRel(expm(A), want)).toBeLessThan(1e-12);
    const N = [[0, 2, 5], [0, 0, 3], [0, 0, 0]];
    expect(Array.from(expm(N))).toEqual([1, 2, 5 + 3, 0, 1, 3, 0, 0, 1]);
  });

  it('overflow and bad input are InputErrors', () => {
    expect(() => expm([[800]])).toThrow(InputError);
    expect(() => expm([[1, 2]])).toThrow(/dimension mismatch/);
    expect(() => expm([])).toThrow(/empty/);
  });
});

describe('symmetricEigen (cyclic Jacobi)', () => {
  it('2×2 closed form and A V = V Λ, Vᵀ V = I for a 6×6 matrix', () => {
    const r = symmetricEigen([[2, 1], [1, 3]]);
    const m = 2.5, h = Math.sqrt(0.25 + 1);
    expect(r.values[0]).toBeCloseTo(m - h, 14);
    expect(r.values[1]).toBeCloseTo(m + h, 14);
    const n = 6;
    const a = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j <= i; j++) { const v = Math.sin(i * 3 + j * 7) + (i === j ? 2 : 0); a[i * n + j] = v; a[j * n + i] = v; }
    const { values, vectors } = symmetricEigen(a);
    const av = gemm(a, vectors, n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(Math.abs(av[i * n + j]! - vectors[i * n + j]! * values[j]!)).toBeLessThan(1e-13);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
      let s = 0;
      for (let k = 0; k < n; k++) s += vectors[k * n + i]! * vectors[k * n + j]!;
      expect(Math.abs(s - (i === j ? 1 : 0))).toBeLessThan(1e-14);
    }
    for (let j = 1; j < n; j++) expect(values[j]!).toBeGreaterThanOrEqual(values[j - 1]!);
    expect(() => symmetricEigen([[1, 2], [0, 1]])).toThrow(/not symmetric/);
  });
});
