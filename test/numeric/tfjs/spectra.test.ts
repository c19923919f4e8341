import { describe, it, expect, beforeAll } from 'vitest';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { loadTf, type Tf } from '../../../src/numeric/tfjs/backend.ts';
import { mlpLossTf, type NetworkLoss } from '../../../src/numeric/tfjs/networks.ts';
import {
  symmetricEigen,
  lanczos,
  topEigenpairs,
  hutchinsonTrace,
  spectralDensity,
  hessianOperatorTf,
  perExampleGradients,
  noiseCovariance,
  commutatorMeasure,
  type LinearOperator,
} from '../../../src/numeric/tfjs/spectra.ts';
import { InputError } from '../../../src/errors.ts';
import { loss, hessian, gradient } from '../../../src/symbolic/index.ts';
import { compile } from '../../../src/codegen/index.ts';
import { Rng } from '../../../src/numeric/prng.ts';

const PARAMS = ['a11', 'a12', 'a21', 'a22', 'a31', 'a32', 'b1', 'b2', 'b3', 'v1', 'v2', 'v3', 'c'];
/** squared error of the 2-3-1 tanh network on one example, written as a formula (the symbolic route) */
const exampleFormula = ([x1, x2]: number[], y: number): string =>
  `(${[1, 2, 3].map((j) => `v${j}*tanh(a${j}1*(${x1}) + a${j}2*(${x2}) + b${j})`).join(' + ')} + c - (${y}))^2`;

const X = [[1, 0], [0, 1], [1, 1], [-1, 0.5], [0.3, -0.8], [-0.6, -0.2], [0.9, 0.4]];
const Y = [1, -1, 0, 0.5, 0.2, -0.4, 0.7];
const N = X.length;
const n = 13;
const theta = Float64Array.from({ length: n }, (_, i) => 0.9 * Math.sin(1.3 * i + 0.4));

/** dense Hessian of the mean loss and the per-example gradients, float64, from the symbolic path */
function symbolicDense(): { H: Float64Array; G: Float64Array } {
  const Ls = loss(`(${X.map((x, i) => exampleFormula(x, Y[i]!)).join(' + ')})/${N}`, { params: PARAMS });
  const c = compile({ H: hessian(Ls.expr, Ls.params) }, Ls.params);
  const H = new Float64Array(n * n);
  c.fn(theta, H);
  const G = new Float64Array(N * n);
  X.forEach((x, i) => {
    const li = loss(exampleFormula(x, Y[i]!), { params: PARAMS });
    const ci = compile({ g: gradient(li.expr, li.params) }, li.params);
    const gi = new Float64Array(n);
    ci.fn(theta, gi);
    G.set(gi, i * n);
  });
  return { H, G };
}

const denseOp = (A: Float64Array, m: number): LinearOperator => (v) => {
  const o = new Float64Array(m);
  for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) o[i] = o[i]! + A[i * m + j]! * v[j]!;
  return o;
};
const eigDesc = (A: Float64Array, m: number): { values: number[]; vectors: number[][] } => {
  const e = new EigenvalueDecomposition(new Matrix(Array.from({ length: m }, (_, i) => Array.from(A.slice(i * m, (i + 1) * m)))), { assumeSymmetric: true });
  const order = e.realEigenvalues.map((_, i) => i).sort((i, j) => e.realEigenvalues[j]! - e.realEigenvalues[i]!);
  return { values: order.map((i) => e.realEigenvalues[i]!), vectors: order.map((i) => e.eigenvectorMatrix.getColumn(i)) };
};
const absCos = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i]! * b[i]!;
    na += a[i]! ** 2;
    nb += b[i]! ** 2;
  }
  return Math.abs(d) / Math.sqrt(na * nb);
};
const matmul = (A: Float64Array, B: Float64Array, m: number): Float64Array => {
  const C = new Float64Array(m * m);
  for (let i = 0; i < m; i++) for (let k = 0; k < m; k++) for (let j = 0; j < m; j++) C[i * m + j] = C[i * m + j]! + A[i * m + k]! * B[k * m + j]!;
  return C;
};
const fro = (A: Float64Array): number => Math.sqrt(A.reduce((s, x) => s + x * x, 0));

describe('spectra of tfjs losses (Lanczos, Hutchinson, SLQ, noise covariance)', () => {
  let tf: Tf;
  let L: NetworkLoss;
  let dense: { H: Float64Array; G: Float64Array };
  beforeAll(async () => {
    tf = await loadTf('cpu');
    L = mlpLossTf(tf, { sizes: [2, 3, 1], activation: 'tanh', X, Y });
    dense = symbolicDense();
  });

  it('Jacobi eigen-decomposition equals ml-matrix on a random symmetric matrix', () => {
    const m = 12;
    const rng = new Rng(5);
    const A = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) A[i * m + j] = A[j * m + i] = rng.normal();
    const mine = symmetricEigen(A, m);
    const ref = eigDesc(A, m);
    ref.values.forEach((v, i) => expect(Math.abs(mine.values[i]! - v)).toBeLessThan(1e-12));
    for (let i = 0; i < m; i++) expect(absCos(Array.from({ length: m }, (_, k) => mine.vectors[k * m + i]!), ref.vectors[i]!)).toBeGreaterThan(1 - 1e-12);
  });

  it('Lanczos with full reorthogonalisation: the basis is orthonormal to float64 precision', () => {
    const m = 40;
    const rng = new Rng(2);
    const A = new Float64Array(m * m);
    for (let i = 0; i < m; i++) for (let j = 0; j <= i; j++) A[i * m + j] = A[j * m + i] = rng.normal() / (1 + Math.abs(i - j));
    const lz = lanczos(denseOp(A, m), m, m, Float64Array.from({ length: m }, () => rng.normal()));
    let worst = 0;
    for (let a = 0; a < lz.steps; a++)
      for (let b = 0; b < lz.steps; b++) {
        let d = 0;
        for (let i = 0; i < m; i++) d += lz.basis[a]![i]! * lz.basis[b]![i]!;
        worst = Math.max(worst, Math.abs(d - (a === b ? 1 : 0)));
      }
    expect(worst).toBeLessThan(1e-12);
  });

  it('top-3 Hessian eigenpairs by Lanczos on tfjs HVPs equal the dense float64 ones', () => {
    const Hop = hessianOperatorTf(L, theta);
    try {
      const top = topEigenpairs(Hop, n, 3, { seed: 1 });
      const ref = eigDesc(dense.H, n);
      const scale = Math.abs(ref.values[0]!);
      for (let i = 0; i < 3; i++) {
        expect(Math.abs(top.values[i]! - ref.values[i]!) / scale).toBeLessThan(1e-5);
        expect(absCos(top.vectors[i]!, ref.vectors[i]!)).toBeGreaterThan(1 - 1e-5);
        expect(top.residuals[i]! / scale).toBeLessThan(1e-5);
      }
      const mag = topEigenpairs(Hop, n, 1, { seed: 1, which: 'magnitude' });
      const refMag = ref.values.reduce((a, b) => (Math.abs(b) > Math.abs(a) ? b : a));
      expect(Math.abs(mag.values[0]! - refMag) / scale).toBeLessThan(1e-5);
    } finally {
      Hop.dispose();
    }
  });

  it('Hutchinson trace is within 4 standard errors of the exact trace, and exact for a diagonal operator', () => {
    const Hop = hessianOperatorTf(L, theta);
    try {
      const exact = Array.from({ length: n }, (_, i) => dense.H[i * n + i]!).reduce((a, b) => a + b, 0);
      const est = hutchinsonTrace(Hop, n, 200, 3);
      expect(est.standardError).toBeGreaterThan(0);
      expect(Math.abs(est.trace - exact)).toBeLessThan(4 * est.standardError);
      // Rademacher probes have z_i² = 1: a diagonal operator's trace comes out exactly
      const diag = Float64Array.from({ length: 9 }, (_, i) => i - 3.5);
      const d = hutchinsonTrace((v) => v.map((x, i) => x * diag[i]!), 9, 3, 0);
      expect(d.trace).toBeCloseTo(diag.reduce((a, b) => a + b, 0), 12);
    } finally {
      Hop.dispose();
    }
  });

  it('stochastic Lanczos quadrature: nodes are the eigenvalues (m = n), weights sum to 1, density integrates to 1', () => {
    const Hop = hessianOperatorTf(L, theta);
    try {
      const sd = spectralDensity(Hop, n, { runs: 8, steps: n, seed: 4 });
      const ref = eigDesc(dense.H, n).values;
      const scale = Math.max(...ref.map(Math.abs));
      // every eigenvalue is a node of every run (the Krylov space is all of ℝⁿ) and every node an eigenvalue
      for (const x of sd.nodes) expect(Math.min(...ref.map((v) => Math.abs(v - x))) / scale).toBeLessThan(1e-4);
      expect(sd.weights.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      let integral = 0;
      for (let i = 1; i < sd.grid.length; i++) integral += ((sd.density[i]! + sd.density[i - 1]!) / 2) * (sd.grid[i]! - sd.grid[i - 1]!);
      expect(integral).toBeCloseTo(1, 3);
      // weights of one eigenvalue ≈ 1/n on average: the first moment is tr H / n within 25 % (8 runs)
      const mean = sd.nodes.reduce((s, x, i) => s + x * sd.weights[i]!, 0);
      const trOverN = ref.reduce((a, b) => a + b, 0) / n;
      expect(Math.abs(mean - trOverN)).toBeLessThan(0.25 * Math.abs(trOverN) + 0.05 * scale);
    } finally {
      Hop.dispose();
    }
  });

  it('per-example gradients equal the symbolic ones; Σ trace exact and its top eigenpairs by Lanczos equal the dense ones', () => {
    const G = perExampleGradients(L, theta);
    let worst = 0;
    let scale = 0;
    for (let i = 0; i < G.length; i++) {
      worst = Math.max(worst, Math.abs(G[i]! - dense.G[i]!));
      scale = Math.max(scale, Math.abs(dense.G[i]!));
    }
    expect(worst / scale).toBeLessThan(2e-6);
    const S = noiseCovariance(G, N, n);
    // dense Σ = (1/N) Σ g_i g_iᵀ − ḡḡᵀ from the symbolic gradients
    const gbar = new Float64Array(n);
    for (let r = 0; r < N; r++) for (let i = 0; i < n; i++) gbar[i] = gbar[i]! + dense.G[r * n + i]! / N;
    const Sd = new Float64Array(n * n);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let r = 0; r < N; r++) s += dense.G[r * n + i]! * dense.G[r * n + j]!;
        Sd[i * n + j] = s / N - gbar[i]! * gbar[j]!;
      }
    const trace = Array.from({ length: n }, (_, i) => Sd[i * n + i]!).reduce((a, b) => a + b, 0);
    expect(Math.abs(S.trace - trace) / trace).toBeLessThan(1e-5);
    // Hutchinson on the implicit Σ agrees with its exact trace within 4 standard errors
    const h = hutchinsonTrace(S.apply, n, 300, 9);
    expect(Math.abs(h.trace - S.trace)).toBeLessThan(4 * h.standardError);
    const ref = eigDesc(Sd, n);
    const top = topEigenpairs(S.apply, n, 3, { seed: 2 });
    for (let i = 0; i < 3; i++) {
      expect(Math.abs(top.values[i]! - ref.values[i]!) / ref.values[0]!).toBeLessThan(1e-5);
      expect(absCos(top.vectors[i]!, ref.vectors[i]!)).toBeGreaterThan(1 - 1e-5);
    }
  });

  it('commutator measure ‖HΣ − ΣH‖_F/(‖H‖_F‖Σ‖_F) by probes is within 15 % of the dense value; 0 for commuting operators', () => {
    const S = noiseCovariance(perExampleGradients(L, theta), N, n);
    const Sd = new Float64Array(n * n);
    for (let j = 0; j < n; j++) {
      const e = new Float64Array(n);
      e[j] = 1;
      const col = S.apply(e);
      for (let i = 0; i < n; i++) Sd[i * n + j] = col[i]!;
    }
    const HS = matmul(dense.H, Sd, n);
    const SH = matmul(Sd, dense.H, n);
    const exact = fro(HS.map((x, i) => x - SH[i]!)) / (fro(dense.H) * fro(Sd));
    const Hop = hessianOperatorTf(L, theta);
    try {
      const est = commutatorMeasure(Hop, S.apply, n, 150, 6);
      expect(exact).toBeGreaterThan(0.01);
      expect(Math.abs(est.relative - exact) / exact).toBeLessThan(0.15);
    } finally {
      Hop.dispose();
    }
    // a matrix and a polynomial in it commute
    const A = dense.H;
    const A2 = matmul(A, A, n);
    expect(commutatorMeasure(denseOp(A, n), denseOp(A2, n), n, 20, 1).relative).toBeLessThan(1e-12);
  });

  it('errors', () => {
    expect(() => topEigenpairs((v) => v, 4, 5)).toThrow(InputError);
    expect(() => lanczos((v) => v, 3, 2, [0, 0, 0])).toThrow(/zero/);
    expect(() => lanczos((v) => v.map(() => NaN), 3, 2, [1, 0, 0])).toThrow(/non-finite/);
    expect(() => hutchinsonTrace((v) => v, 3, 0)).toThrow(InputError);
    expect(() => noiseCovariance(new Float64Array(5), 2, 3)).toThrow(/dimension mismatch/);
    expect(() => hessianOperatorTf(L, [1, 2])).toThrow(/dimension mismatch/);
  });
});
