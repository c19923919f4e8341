import { describe, it, expect } from 'vitest';
import { gemm, gemmSymmetric, luFactor, luInverseFactors } from '../../src/numeric/kernels/dense.ts';
import { productFresh, wasmMatrices } from '../../src/numeric/kernels/gemm-wasm.ts';
import { luFactorRecursive, lowerUnitInverseBlocked, upperInverseBlocked, upperTimesLower } from '../../src/numeric/kernels/inverse-blocked.ts';
import { Rng } from '../../src/numeric/prng.ts';

/** C (mode) A B on blocks, written out as the textbook sequential sum in k order (the kernel's contract). */
function reference(mode: '=' | '+=' | '-=' | '=-', M: number, K: number, N: number, a: Float64Array, ai: number, b: Float64Array, bi: number, c: Float64Array, ci: number, n: number): void {
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = mode === '+=' || mode === '-=' ? c[ci + i * n + j]! : 0;
      const sub = mode === '-=' || mode === '=-';
      for (let k = 0; k < K; k++) {
        const p = a[ai + i * n + k]! * b[bi + k * n + j]!;
        s = sub ? s - p : s + p;
      }
      c[ci + i * n + j] = s;
    }
}

describe('register-tiled wasm product (gemmt)', () => {
  it('every mode on strided blocks of every remainder shape equals the sequential k-order sum bit for bit', () => {
    const n = 41;
    const w = wasmMatrices(n, 3)!;
    expect(w).not.toBeNull();
    const [a, b, c] = w.views as [Float64Array, Float64Array, Float64Array];
    const r = new Rng(5);
    r.fillNormal(a);
    r.fillNormal(b);
    for (const mode of ['=', '+=', '-=', '=-'] as const)
      for (const [M, K, N] of [[1, 1, 1], [4, 4, 4], [5, 3, 7], [8, 17, 9], [13, 40, 38], [40, 29, 30], [3, 30, 40]] as const) {
        const ai = 41 + 1, bi = 2, ci = 3 * n;
        r.fillNormal(c);
        const want = c.slice();
        reference(mode, M, K, N, a, ai, b, bi, want, ci, n);
        w.product(mode, M, K, N, a, ai, b, bi, c, ci);
        expect(Array.from(c), `${mode} ${M}×${K}×${N}`).toEqual(Array.from(want));
      }
  });

  it('the blocked and packed path (n = 300: column and k blocks, a remainder strip) is bit-identical to dense.ts gemm / gemmSymmetric', () => {
    const n = 301;
    const w = wasmMatrices(n, 3)!;
    const [a, b, o] = w.views as [Float64Array, Float64Array, Float64Array];
    const r = new Rng(11);
    r.fillNormal(a);
    r.fillNormal(b);
    w.gemm(a, b, o);
    expect(Array.from(o)).toEqual(Array.from(gemm(a, b, n)));
    w.gemmSymmetric(a, b, o);
    expect(Array.from(o)).toEqual(Array.from(gemmSymmetric(a, b, n)));
    const x = r.fillNormal(new Float64Array(n * n)), y = r.fillNormal(new Float64Array(n * n));
    expect(Array.from(productFresh(x, y, n))).toEqual(Array.from(gemm(x, y, n)));
  });

  for (const n of [5, 16, 17, 50, 97, 130]) {
    it(`blocked triangular inverses of the LU factors equal the row recurrences to rounding and invert the factors (n = ${n})`, () => {
      const w = wasmMatrices(n, 5)!;
      const [m, Z, W, scratch, WZ] = w.views as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array];
      const a = new Rng(100 + n).fillNormal(new Float64Array(n * n));
      for (let i = 0; i < n; i++) a[i * n + i] = a[i * n + i]! + 3;
      m.set(a);
      const perm = new Int32Array(n);
      luFactor(m, n, perm, 'test');
      Z.fill(7);
      W.fill(7);
      lowerUnitInverseBlocked(m, n, Z, scratch, w.product);
      upperInverseBlocked(m, n, W, scratch, w.product);
      const Wr = new Float64Array(n * n), Zr = new Float64Array(n * n), pr = new Int32Array(n);
      luInverseFactors(a, n, Wr, Zr, pr, 'test');
      expect(Array.from(pr)).toEqual(Array.from(perm));
      let scale = 0;
      for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(Wr[i]!), Math.abs(Zr[i]!));
      let dev = 0, nonzeroOutside = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          const p = i * n + j;
          dev = Math.max(dev, Math.abs(Z[p]! - Zr[p]!), Math.abs(W[p]! - Wr[p]!));
          if ((j > i && Z[p] !== 0) || (j < i && W[p] !== 0)) nonzeroOutside++;
        }
      expect(dev).toBeLessThan(1e-13 * scale);
      expect(nonzeroOutside).toBe(0);
      // independent check: L Z = I and U W = I from the factors in m
      let err = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let lz = Z[i * n + j]!, uw = 0;
          for (let k = 0; k < i; k++) lz += m[i * n + k]! * Z[k * n + j]!;
          for (let k = i; k < n; k++) uw += m[i * n + k]! * W[k * n + j]!;
          err = Math.max(err, Math.abs(lz - (i === j ? 1 : 0)), Math.abs(uw - (i === j ? 1 : 0)));
        }
      expect(err).toBeLessThan(1e-12 * Math.max(1, scale));
      // U⁻¹ L⁻¹ by triangular blocks equals the full product entry for entry (the skipped terms are exact zeros)
      upperTimesLower(W, Z, scratch, n, w.product);
      w.gemm(W, Z, WZ);
      expect(Array.from(scratch)).toEqual(Array.from(WZ));
    });
  }

  for (const n of [1, 3, 9, 40, 131]) {
    it(`recursive LU: the pivots, log|det| and factors of the unblocked LU (to rounding), and P A = L U (n = ${n})`, () => {
      const w = wasmMatrices(n, 2)!;
      const [m] = w.views as [Float64Array];
      const a = new Rng(300 + n).fillNormal(new Float64Array(n * n));
      m.set(a);
      const perm = new Int32Array(n);
      const logDet = luFactorRecursive(m, n, perm, 'test', w.product);
      const ref = a.slice(), pr = new Int32Array(n);
      const refDet = luFactor(ref, n, pr, 'test');
      expect(Array.from(perm)).toEqual(Array.from(pr));
      expect(Math.abs(logDet - refDet)).toBeLessThan(1e-12 * Math.max(1, Math.abs(refDet)));
      let dev = 0, scale = 0;
      for (let i = 0; i < n * n; i++) {
        dev = Math.max(dev, Math.abs(m[i]! - ref[i]!));
        scale = Math.max(scale, Math.abs(ref[i]!));
      }
      expect(dev).toBeLessThan(1e-12 * scale);
      // independent: (L U)_ij = A_{perm[i], j}
      let res = 0;
      for (let i = 0; i < n; i++)
        for (let j = 0; j < n; j++) {
          let s = i <= j ? m[i * n + j]! : 0;
          for (let k = 0; k < Math.min(i, j + 1); k++) s += m[i * n + k]! * m[k * n + j]!;
          res = Math.max(res, Math.abs(s - a[perm[i]! * n + j]!));
        }
      expect(res).toBeLessThan(1e-12 * n);
    });
  }

  it('recursive LU of a singular matrix: an InputError naming the column, no NaN', () => {
    const n = 24;
    const w = wasmMatrices(n, 1)!;
    const [m] = w.views as [Float64Array];
    const a = new Rng(9).fillNormal(new Float64Array(n * n));
    for (let j = 0; j < n; j++) a[17 * n + j] = 2 * a[3 * n + j]! - a[5 * n + j]!; // row 17 = 2 row 3 − row 5
    m.set(a);
    expect(() => luFactorRecursive(m, n, new Int32Array(n), 'solver', w.product)).toThrow(/solver: matrix is singular to working precision/);
  });
});
