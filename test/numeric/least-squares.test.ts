import { describe, it, expect } from 'vitest';
import { leastSquaresGradient, leastSquaresGradientJs, leastSquaresGradientWasm, lsGradWasmModule } from '../../src/numeric/kernels/least-squares.ts';
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
  });
});
