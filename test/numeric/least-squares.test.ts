import { describe, it, expect } from 'vitest';
import { LS_ROWS_PER_BLOCK, leastSquaresGradient, leastSquaresGradientJs, leastSquaresGradientWasm, lsGradWasmModule } from '../../src/numeric/kernels/least-squares.ts';
import { sleb, uleb } from '../../src/numeric/kernels/wasm-asm.ts';
import { gd } from '../../src/numeric/optimizers.ts';
import { Rng } from '../../src/numeric/prng.ts';

function problem(N: number, P: number, seed: number): { X: Float64Array; y: Float64Array } {
  const r = new Rng(seed);
  return { X: r.fillNormal(new Float64Array(N * P)), y: r.fillNormal(new Float64Array(N)) };
}

/** textbook two mat-vecs */
function reference(X: Float64Array, y: Float64Array, N: number, P: number, th: Float64Array): Float64Array {
  const r = new Float64Array(N);
  for (let i = 0; i < N; i++) { let s = -y[i]!; for (let j = 0; j < P; j++) s += X[i * P + j]! * th[j]!; r[i] = s; }
  const g = new Float64Array(P);
  for (let j = 0; j < P; j++) { let s = 0; for (let i = 0; i < N; i++) s += X[i * P + j]! * r[i]!; g[j] = s / N; }
  return g;
}

const relErr = (a: Float64Array, b: Float64Array): number => {
  let d = 0, m = 0;
  for (let j = 0; j < a.length; j++) { d = Math.max(d, Math.abs(a[j]! - b[j]!)); m = Math.max(m, Math.abs(b[j]!)); }
  return d / m;
};

describe('LEB128 encoders of the wasm assembler', () => {
  it('match the spec examples', () => {
    expect(uleb(0)).toEqual([0]);
    expect(uleb(624485)).toEqual([0xe5, 0x8e, 0x26]);
    expect(sleb(-123456)).toEqual([0xc0, 0xbb, 0x78]);
    expect(sleb(-16)).toEqual([0x70]);
    expect(sleb(64)).toEqual([0xc0, 0x00]);
  });
});

describe('least-squares gradient kernels', () => {
  it('Node’s V8 validates the SIMD module (so the wasm path is what runs here)', () => {
    expect(lsGradWasmModule()).not.toBeNull();
    expect(leastSquaresGradient(new Float64Array(4), new Float64Array(2), 2, 2).backend).toBe('wasm-simd');
    expect(leastSquaresGradient(new Float64Array(4), new Float64Array(2), 2, 2, { backend: 'js' }).backend).toBe('js');
  });

  for (const [N, P] of [[1, 1], [3, 2], [5, 3], [7, 4], [9, 5], [4, 6], [11, 7], [50, 33], [1000, 100]] as const) {
    it(`wasm SIMD and JS agree with the two-mat-vec reference to 1e-13 relative (N = ${N}, P = ${P})`, () => {
      const { X, y } = problem(N, P, N * 31 + P);
      const th = new Rng(5).fillNormal(new Float64Array(P));
      const ref = reference(X, y, N, P, th);
      const a = new Float64Array(P), b = new Float64Array(P).fill(Number.NaN);
      leastSquaresGradientJs(X, y, N, P)(th, a);
      const w = leastSquaresGradientWasm(X, y, N, P);
      w(th, b);
      expect(relErr(a, ref)).toBeLessThan(1e-13);
      expect(relErr(b, ref)).toBeLessThan(1e-13);
      // second call with another θ (buffers reused, out zeroed each call)
      const th2 = th.map((v) => 2 * v - 1);
      w(th2, b);
      expect(relErr(b, reference(X, y, N, P, th2))).toBeLessThan(1e-13);
    });
  }

  it('every N mod 6 and P mod 2 (block rows and the row remainder, the odd column), P = 1 … 9 and 1001×103: wasm equals the naive double loop to 1e-12', () => {
    expect(LS_ROWS_PER_BLOCK).toBe(6);
    const shapes: [number, number][] = [[1001, 103], [1, 1], [1, 7], [6, 1], [7, 7], [13, 2]];
    for (let N = 1; N <= 14; N++) for (let P = 1; P <= 9; P++) shapes.push([N, P]);
    for (const [N, P] of shapes) {
      const { X, y } = problem(N, P, 1000 * N + P);
      const th = new Rng(N + 7 * P).fillNormal(new Float64Array(P));
      const out = new Float64Array(P).fill(Number.NaN);
      leastSquaresGradientWasm(X, y, N, P)(th, out);
      const err = relErr(out, reference(X, y, N, P, th));
      if (!(err < 1e-12)) throw new Error(`N = ${N}, P = ${P}: relative error ${err}`);
    }
  });

  it('one module per P, cached; kernels of different P in one process do not interfere', () => {
    expect(lsGradWasmModule(5)).toBe(lsGradWasmModule(5));
    expect(lsGradWasmModule(5)).not.toBe(lsGradWasmModule(6));
    expect(() => lsGradWasmModule(0)).toThrow(/positive integer/);
    expect(() => lsGradWasmModule(2 ** 26)).toThrow(/too large/);
    const a = problem(20, 5, 1), b = problem(20, 6, 2);
    const ka = leastSquaresGradientWasm(a.X, a.y, 20, 5), kb = leastSquaresGradientWasm(b.X, b.y, 20, 6);
    const tha = new Float64Array(5).fill(0.5), thb = new Float64Array(6).fill(-0.25);
    const oa = new Float64Array(5), ob = new Float64Array(6);
    ka(tha, oa);
    kb(thb, ob);
    ka(tha, oa);
    expect(relErr(oa, reference(a.X, a.y, 20, 5, tha))).toBeLessThan(1e-12);
    expect(relErr(ob, reference(b.X, b.y, 20, 6, thb))).toBeLessThan(1e-12);
  });

  it('gd with the public route converges to the normal-equations solution (XᵀX)⁻¹Xᵀy (solved separately by Cholesky)', () => {
    const N = 301, P = 13;
    const { X, y } = problem(N, P, 4);
    // normal equations A θ = b, A = XᵀX/N, b = Xᵀy/N, by Cholesky (written here, independent of the kernel)
    const A = new Float64Array(P * P), b = new Float64Array(P);
    for (let i = 0; i < N; i++) for (let j = 0; j < P; j++) {
      b[j] = b[j]! + (X[i * P + j]! * y[i]!) / N;
      for (let k = 0; k < P; k++) A[j * P + k] = A[j * P + k]! + (X[i * P + j]! * X[i * P + k]!) / N;
    }
    const Lc = new Float64Array(P * P);
    for (let j = 0; j < P; j++) for (let k = 0; k <= j; k++) {
      let s = A[j * P + k]!;
      for (let m = 0; m < k; m++) s -= Lc[j * P + m]! * Lc[k * P + m]!;
      Lc[j * P + k] = j === k ? Math.sqrt(s) : s / Lc[k * P + k]!;
    }
    const z = new Float64Array(P), star = new Float64Array(P);
    for (let j = 0; j < P; j++) { let s = b[j]!; for (let m = 0; m < j; m++) s -= Lc[j * P + m]! * z[m]!; z[j] = s / Lc[j * P + j]!; }
    for (let j = P - 1; j >= 0; j--) { let s = z[j]!; for (let m = j + 1; m < P; m++) s -= Lc[m * P + j]! * star[m]!; star[j] = s / Lc[j * P + j]!; }
    const { grad, backend } = leastSquaresGradient(X, y, N, P);
    expect(backend).toBe('wasm-simd');
    const run = gd({ grad, theta0: new Float64Array(P), eta: 0.5, steps: 2000 });
    expect(relErr(run.theta, star)).toBeLessThan(1e-10);
    // and the gradient vanishes there (to rounding)
    const g = new Float64Array(P);
    grad(star, g);
    for (const v of g) expect(Math.abs(v)).toBeLessThan(1e-13);
  });

  it('X is copied once: later changes to the caller’s X do not affect the wasm kernel; 1000 GD steps agree with JS', () => {
    const N = 200, P = 21;
    const { X, y } = problem(N, P, 9);
    const w = leastSquaresGradientWasm(X, y, N, P);
    const j = leastSquaresGradientJs(X.slice(), y.slice(), N, P);
    X.fill(0);
    const a = gd({ grad: j, theta0: new Float64Array(P), eta: 0.2, steps: 1000 });
    const b = gd({ grad: w, theta0: new Float64Array(P), eta: 0.2, steps: 1000 });
    expect(relErr(b.theta, a.theta)).toBeLessThan(1e-12);
  });

  it('rejects bad shapes and backends', () => {
    expect(() => leastSquaresGradientWasm(new Float64Array(5), new Float64Array(2), 2, 2)).toThrow(/dimension mismatch/);
    expect(() => leastSquaresGradientJs(new Float64Array(4), new Float64Array(3), 2, 2)).toThrow(/dimension mismatch/);
    expect(() => leastSquaresGradient(new Float64Array(4), new Float64Array(2), 2, 2, { backend: 'gpu' as 'js' })).toThrow(/unknown backend/);
    // X of 2^28 doubles (2 GiB) does not fit one wasm memory: refused before any copy (a stand-in with that
    // length, so that the test allocates nothing)
    const huge = { length: 2 ** 28 } as unknown as Float64Array;
    expect(() => leastSquaresGradientWasm(huge, new Float64Array(2 ** 20), 2 ** 20, 2 ** 8)).toThrow(/too large for one wasm memory/);
    // 'auto' takes the JS kernel there instead
    expect(leastSquaresGradient(huge, new Float64Array(2 ** 20), 2 ** 20, 2 ** 8).backend).toBe('js');
  });
});
