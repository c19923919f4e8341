import { describe, it, expect } from 'vitest';
import { gemm, gemmSubJs, gemmSymmetric, luFactor, luFactorBlocked, luInverse, luInverseFactors, permuteColumns, transpose } from '../../src/numeric/kernels/dense.ts';
import { wasmMatrices } from '../../src/numeric/kernels/gemm-wasm.ts';
import { Rng } from '../../src/numeric/prng.ts';

function naive(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) { let s = 0; for (let k = 0; k < n; k++) s += a[i * n + k]! * b[k * n + j]!; c[i * n + j] = s; }
  return c;
}
const randMat = (n: number, seed: number): Float64Array => new Rng(seed).fillNormal(new Float64Array(n * n));

describe('dense kernels', () => {
  for (const n of [1, 3, 4, 7, 33]) {
    it(`gemm and transpose match the textbook loops (n = ${n}, remainder paths)`, () => {
      const a = randMat(n, n), b = randMat(n, n + 100);
      const c = gemm(a, b, n), r = naive(a, b, n);
      for (let i = 0; i < n * n; i++) expect(Math.abs(c[i]! - r[i]!)).toBeLessThan(1e-13 * Math.sqrt(n) * 10);
      const t = transpose(a, n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) expect(t[j * n + i]).toBe(a[i * n + j]);
      // symmetric product M S Mᵀ = M (S Mᵀ): upper triangle computed, mirrored
      const sym = new Float64Array(n * n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sym[i * n + j] = a[i * n + j]! + a[j * n + i]!;
      const smt = naive(sym, transpose(b, n), n), full = naive(b, smt, n), half = gemmSymmetric(b, smt, n, new Float64Array(n * n).fill(3));
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        expect(half[i * n + j]).toBe(half[j * n + i]);
        expect(Math.abs(half[i * n + j]! - full[i * n + j]!)).toBeLessThan(1e-12 * n);
      }
      // out is overwritten, not accumulated
      const out = new Float64Array(n * n).fill(7);
      expect(Array.from(gemm(a, b, n, out))).toEqual(Array.from(c));
    });

    it(`luInverse: A A⁻¹ = I and log|det| (n = ${n})`, () => {
      const a = randMat(n, 3 * n + 1);
      const { inv, logAbsDet } = luInverse(a, n);
      const p = naive(a, inv, n);
      let err = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) err = Math.max(err, Math.abs(p[i * n + j]! - (i === j ? 1 : 0)));
      expect(err).toBeLessThan(1e-11);
      // log|det| of a triangular-times-permutation matrix is known: scale rows of a permuted identity
      const d = new Float64Array(n * n);
      let ld = 0;
      for (let i = 0; i < n; i++) { const v = (i % 2 ? -1 : 1) * (1 + (i % 3) + 0.1 * i); d[i * n + ((i + 1) % n)] = v; /* a cyclic permutation scaled row by row */ ld += Math.log(Math.abs(v)); }
      if (n > 1) expect(Math.abs(luInverse(d, n).logAbsDet - ld)).toBeLessThan(1e-12 * Math.max(1, Math.abs(ld)));
      expect(Number.isFinite(logAbsDet)).toBe(true);
      // factored form: (U⁻¹ L⁻¹) P is the same inverse, with the same log|det|
      const W = new Float64Array(n * n), Z = new Float64Array(n * n), perm = new Int32Array(n);
      const ld2 = luInverseFactors(a, n, W, Z, perm);
      expect(ld2).toBe(logAbsDet);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
        if (j > i) expect(Z[i * n + j]).toBe(0);
        if (j < i) expect(W[i * n + j]).toBe(0);
      }
      const inv2 = permuteColumns(naive(W, Z, n), n, perm, new Float64Array(n * n));
      for (let i = 0; i < n * n; i++) expect(Math.abs(inv2[i]! - inv[i]!)).toBeLessThan(1e-12 * Math.max(1, Math.abs(inv[i]!)));
    });
  }

  it('wasm SIMD gemm is bit-identical to the JavaScript gemm / gemmSymmetric (odd and even n)', () => {
    for (const n of [1, 2, 5, 8, 37]) {
      const w = wasmMatrices(n, 3);
      expect(w).not.toBeNull();
      const [a, b, o] = w!.views as [Float64Array, Float64Array, Float64Array];
      const r = new Rng(n + 7);
      r.fillNormal(a);
      r.fillNormal(b);
      o.fill(9);
      w!.gemm(a, b, o);
      expect(Array.from(o)).toEqual(Array.from(gemm(a, b, n)));
      w!.gemmSymmetric(a, b, o);
      expect(Array.from(o)).toEqual(Array.from(gemmSymmetric(a, b, n)));
      expect(() => w!.gemm(new Float64Array(n * n), b, o)).toThrow(/not one of this set/);
    }
  });

  it('blocked LU (JS and wasm trailing updates) gives the pivots and factors of the unblocked LU', () => {
    for (const [n, nb] of [[5, 2], [37, 8], [100, 32], [130, 32]] as const) {
      const a = randMat(n, 1000 + n);
      const ref = a.slice(), pr = new Int32Array(n);
      const ld = luFactor(ref, n, pr);
      const w = wasmMatrices(n, 1)!;
      const mw = w.views[0]!;
      for (const [m, sub] of [[a.slice(), null], [mw, 'wasm']] as const) {
        m.set(a);
        const p = new Int32Array(n);
        const ld2 = luFactorBlocked(m, n, p, 'lu', sub ? w.gemmSubIn(m) : gemmSubJs(m, n), nb);
        expect(Array.from(p)).toEqual(Array.from(pr));
        expect(Math.abs(ld2 - ld)).toBeLessThan(1e-10);
        let err = 0, mx = 0;
        for (let i = 0; i < n * n; i++) { err = Math.max(err, Math.abs(m[i]! - ref[i]!)); mx = Math.max(mx, Math.abs(ref[i]!)); }
        expect(err / mx).toBeLessThan(1e-12);
      }
    }
  });

  it('needs pivoting: zero leading entry; singular matrices raise', () => {
    const a = Float64Array.from([0, 1, 2, 1, 0, 3, 4, -3, 8]);
    const { inv, logAbsDet } = luInverse(a, 3);
    // det = 0·(0·8 − 3·(−3)) − 1·(1·8 − 3·4) + 2·(1·(−3) − 0·4) = 4 − 6 = −2
    expect(Math.abs(logAbsDet - Math.log(2))).toBeLessThan(1e-14);
    const p = naive(a, inv, 3);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) expect(Math.abs(p[i * 3 + j]! - (i === j ? 1 : 0))).toBeLessThan(1e-14);
    expect(() => luInverse(Float64Array.from([1, 2, 2, 4]), 2, 'here')).toThrow(/here: matrix is singular/);
  });
});
