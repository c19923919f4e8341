import { describe, it, expect } from 'vitest';
import { discreteLyapunov, discreteLyapunovResidual, lyapunov } from '../../src/numeric/lyapunov.ts';
import { luInverse, gemm } from '../../src/numeric/kernels/dense.ts';
import { InputError } from '../../src/errors.ts';

/** a deterministic test matrix with spectral radius below 1 (scaled by its Frobenius norm) */
function contraction(n: number, radius: number, seed: number): Float64Array {
  const m = new Float64Array(n * n);
  let f = 0;
  for (let i = 0; i < n * n; i++) {
    m[i] = Math.sin(seed * 12.9898 + i * 78.233) + 0.3 * Math.cos(i * seed);
    f += m[i]! ** 2;
  }
  for (let i = 0; i < n * n; i++) m[i] = (m[i]! * radius) / Math.sqrt(f); // ρ ≤ ‖M‖_F = radius
  return m;
}

function spd(n: number, seed: number): Float64Array {
  const b = contraction(n, 1, seed + 1);
  const q = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      let s = i === j ? 0.5 : 0;
      for (let k = 0; k < n; k++) s += b[i * n + k]! * b[j * n + k]!;
      q[i * n + j] = s;
    }
  return q;
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let d = 0, m = 0;
  for (let i = 0; i < a.length; i++) { d = Math.max(d, Math.abs(a[i]! - b[i]!)); m = Math.max(m, Math.abs(b[i]!)); }
  return d / m;
}

describe('discreteLyapunov (X = M X Mᵀ + Q)', () => {
  it('1-D: x = q/(1 − m²)', () => {
    for (const m of [0, 0.5, -0.9, 0.999]) {
      const r = discreteLyapunov([[m]], [[2]]);
      expect(Math.abs(r.X[0]! - 2 / (1 - m * m)) / (2 / (1 - m * m))).toBeLessThan(1e-13);
    }
  });

  it('agrees with the plain fixed-point iteration X ← M X Mᵀ + Q run to convergence (n = 5)', () => {
    const n = 5, M = contraction(n, 0.8, 3), Q = spd(n, 4);
    let X = Float64Array.from(Q);
    for (let k = 0; k < 400; k++) {
      const mx = gemm(M, X, n);
      const next = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        let s = Q[i * n + j]!;
        for (let l = 0; l < n; l++) s += mx[i * n + l]! * M[j * n + l]!;
        next[i * n + j] = s;
      }
      X = next;
    }
    const r = discreteLyapunov(M, Q);
    expect(maxRelDiff(r.X, X)).toBeLessThan(1e-13);
    expect(r.relResidual).toBeLessThan(1e-14);
  });

  it('agrees with the continuous solver through the Cayley transform A = (I+M)⁻¹(I−M), 2D = ½(I+A)Q(I+A)ᵀ (rotation + non-normal M)', () => {
    // a rotation by 1 rad scaled by 0.95 (complex pair) next to a non-normal Jordan-like block
    const n = 4, c = 0.95 * Math.cos(1), s = 0.95 * Math.sin(1);
    const M = Float64Array.from([c, -s, 0, 0, s, c, 0, 0, 0, 0, 0.9, 3, 0, 0, 0, 0.9]);
    const Q = spd(n, 9);
    const I = (i: number, j: number): number => (i === j ? 1 : 0);
    const ipm = new Float64Array(n * n), imm = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { ipm[i * n + j] = I(i, j) + M[i * n + j]!; imm[i * n + j] = I(i, j) - M[i * n + j]!; }
    const A = gemm(luInverse(ipm, n).inv, imm, n);
    const ipa = new Float64Array(n * n);
    for (let i = 0; i < n * n; i++) ipa[i] = (i % (n + 1) === 0 ? 1 : 0) + A[i]!;
    const t = gemm(ipa, Q, n);
    const D = new Float64Array(n * n);
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let v = 0; for (let k = 0; k < n; k++) v += t[i * n + k]! * ipa[j * n + k]!; D[i * n + j] = v / 4; }
    for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) { const v = (D[i * n + j]! + D[j * n + i]!) / 2; D[i * n + j] = v; D[j * n + i] = v; }
    const cont = lyapunov(A, D).C;
    const disc = discreteLyapunov(M, Q);
    expect(maxRelDiff(disc.X, cont)).toBeLessThan(1e-11);
    expect(disc.relResidual).toBeLessThan(1e-13);
  });

  it('the wasm and JavaScript kernels agree, the residual is small, and the iteration count grows like log₂ 1/(1−ρ) (n = 1, 13, 70)', () => {
    for (const n of [1, 13, 70]) {
      const M = contraction(n, 0.99, n), Q = spd(n, n + 1);
      const w = discreteLyapunov(M, Q), j = discreteLyapunov(M, Q, { kernels: 'js' });
      expect(maxRelDiff(w.X, j.X)).toBeLessThan(1e-13);
      expect(w.relResidual).toBeLessThan(1e-12);
      expect(discreteLyapunovResidual(M, w.X, Q, n)).toBe(w.relResidual);
      expect(w.iterations).toBeLessThanOrEqual(16); // ρ ≤ 0.99: 0.99^(2^k) < 1e-17 by k = 13
    }
    const slow = discreteLyapunov([[1 - 1e-6]], [[1]]);
    expect(Math.abs(slow.X[0]! * (1 - (1 - 1e-6) ** 2) - 1)).toBeLessThan(1e-8);
  });

  it('a nilpotent M ends after finitely many terms', () => {
    const r = discreteLyapunov([[0, 1], [0, 0]], [[1, 0], [0, 1]]);
    expect(Array.from(r.X)).toEqual([2, 0, 0, 1]);
  });

  it('refuses unstable M, a marginal M, asymmetric Q and mismatched sizes with InputErrors', () => {
    expect(() => discreteLyapunov([[1.01]], [[1]])).toThrow(InputError);
    expect(() => discreteLyapunov([[1]], [[1]])).toThrow(/not stable/);
    expect(() => discreteLyapunov([[0, 1.2], [-1.2, 0]], [[1, 0], [0, 1]])).toThrow(/no stationary covariance/);
    // Q in the stable subspace of an unstable M: the series converges but ρ(M) > 1 is still refused
    expect(() => discreteLyapunov([[0.5, 0], [0, 2]], [[1, 0], [0, 0]])).toThrow(/not stable/);
    expect(() => discreteLyapunov([[0.5, 0], [0, 0.5]], [[1, 2], [0, 1]])).toThrow(/not symmetric/);
    expect(() => discreteLyapunov([[0.5, 0], [0, 0.5]], [[1]])).toThrow(/dimension mismatch/);
  });
});
