import { describe, it, expect } from 'vitest';
import { Rational } from '../../../src/symbolic/index.ts';
import { ouStationary, linearStationary, lyapunovExact, discreteLyapunovExact, rationalMatrix } from '../../../src/theory/langevin/index.ts';
import { InputError } from '../../../src/errors.ts';

const R = (p: number, q = 1): Rational => Rational.of(p, q);
const maxAbs = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
};
const rel = (a: ArrayLike<number>, b: ArrayLike<number>): number => maxAbs(a, b) / Math.max(...Array.from(b, Math.abs));

describe('ouStationary: the theory note’s overdamped 2-D example', () => {
  const A = [[2.5, -1.5], [-1.5, 2.5]], D = [[4, 0], [0, 1]];
  it('exactly in rationals: C = [[173/80, 15/16], [15/16, 77/80]], Q = [[0, 9/10], [−9/10, 0]]', () => {
    const r = ouStationary(A, D);
    expect(r.exact).toBe(true);
    const want = [[R(173, 80), R(15, 16)], [R(15, 16), R(77, 80)]];
    r.rational!.C.forEach((row, i) => row.forEach((x, j) => expect(x.equals(want[i]![j]!)).toBe(true)));
    const Q = [[R(0), R(9, 10)], [R(-9, 10), R(0)]];
    r.rational!.Q.forEach((row, i) => row.forEach((x, j) => expect(x.equals(Q[i]![j]!), `Q[${i}][${j}] = ${x}`).toBe(true)));
    expect(r.antisymmetryError).toBe(0);
  });
  it('in float64 (sign-function route) to 1e-12, with Q antisymmetric to round-off', () => {
    const r = ouStationary(A, D, { exact: 'never' });
    expect(r.exact).toBe(false);
    expect(maxAbs(r.C, [2.1625, 0.9375, 0.9375, 0.9625])).toBeLessThan(1e-12);
    expect(maxAbs(r.Q, [0, 0.9, -0.9, 0])).toBeLessThan(1e-12);
    expect(r.antisymmetryError).toBeLessThan(1e-14);
  });
  it('the current −QUx is divergence-free (tr QU = 0) and tangent to the level sets of Ψ (xᵀU·QUx = 0)', () => {
    const r = ouStationary(A, D, { exact: 'never' });
    const e1 = r.currentAt([1, 0]), e2 = r.currentAt([0, 1]);
    // J/p = −QUx is linear: columns e1, e2; div(J) ∝ tr(−QU) − (Ux)ᵀ(−QUx) both vanish
    expect(Math.abs(e1[0]! + e2[1]!)).toBeLessThan(1e-13);
    for (const x of [[0.3, -1.2], [2, 0.5]]) {
      const j = r.currentAt(x);
      const ux = [r.U![0]! * x[0]! + r.U![1]! * x[1]!, r.U![2]! * x[0]! + r.U![3]! * x[1]!];
      expect(Math.abs(ux[0]! * j[0]! + ux[1]! * j[1]!)).toBeLessThan(1e-13);
    }
  });
  it('over time: C(0) = 0, C(t) → C_∞, and both moments satisfy their ODEs (finite differences)', () => {
    const r = ouStationary(A, D, { exact: 'never' });
    expect(maxAbs(r.covarianceAt(0), [0, 0, 0, 0])).toBe(0);
    expect(rel(r.covarianceAt(40), r.C)).toBeLessThan(1e-13);
    const t = 0.37, h = 1e-5, x0 = [1, -2];
    const dm = r.meanAt(t + h, x0).map((x, i) => (x - r.meanAt(t - h, x0)[i]!) / (2 * h));
    const m = r.meanAt(t, x0);
    const Am = [2.5 * m[0]! - 1.5 * m[1]!, -1.5 * m[0]! + 2.5 * m[1]!];
    expect(maxAbs(dm, Am.map((x) => -x))).toBeLessThan(1e-8);
    // dC/dt = 2D − A C − C Aᵀ
    const C = r.covarianceAt(t), Cp = r.covarianceAt(t + h), Cm = r.covarianceAt(t - h);
    const Af = [2.5, -1.5, -1.5, 2.5];
    for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) {
      let ac = 0, ca = 0;
      for (let k = 0; k < 2; k++) { ac += Af[i * 2 + k]! * C[k * 2 + j]!; ca += C[i * 2 + k]! * Af[j * 2 + k]!; }
      const rhs = 2 * (i === j ? D[i]![i]! : 0) - ac - ca;
      expect(Math.abs((Cp[i * 2 + j]! - Cm[i * 2 + j]!) / (2 * h) - rhs)).toBeLessThan(1e-7);
    }
  });
  it('an asymmetric D is named as such (not as instability)', () => {
    expect(() => ouStationary(A, [[4, 1], [0, 1]])).toThrow(/not symmetric/);
    expect(() => ouStationary(A, [[4, 1], [0, 1]], { exact: 'never' })).toThrow(/not symmetric/);
  });
  it('an unstable drift has no stationary state', () => {
    expect(() => ouStationary([[-1, 0], [0, 1]], D)).toThrow(/no stationary state/);
    expect(() => ouStationary([[-1, 0], [0, 1]], D, { exact: 'never' })).toThrow(/no stationary state/);
  });
});

describe('linearStationary: SGD with momentum on a quadratic', () => {
  it('commuting case: the Lyapunov solve equals the closed forms C_θθ = ηcΣ(H+λI)⁻¹/(2(1−β)), C_vv = cΣ/(1−β²), C_θv = 0 (exactly)', () => {
    const eta = R(1, 10), beta = R(3, 5), S = R(4), lam = R(1, 20);
    const h = [R(2), R(1, 2)], s = [R(3), R(1, 3)];
    const r = linearStationary([[2, 0], [0, 0.5]], [[3, 0], [0, '1/3']], { eta: 0.1, beta: 0.6, batchSize: 4, weightDecay: 0.05 });
    expect(r.exact).toBe(true);
    expect(r.commuting).toBe(true);
    const C = r.continuous.rational!.C;
    for (let i = 0; i < 2; i++) {
      const q = h[i]!.add(lam);
      const tt = eta.mul(s[i]!).div(S.mul(q).mul(R(2)).mul(R(1).sub(beta)));
      const vv = s[i]!.div(S.mul(R(1).sub(beta.mul(beta))));
      expect(C[i]![i]!.equals(tt), `C_θθ[${i}] = ${C[i]![i]} vs ${tt}`).toBe(true);
      expect(C[2 + i]![2 + i]!.equals(vv)).toBe(true);
      for (let j = 0; j < 2; j++) expect(C[i]![2 + j]!.isZero()).toBe(true);
    }
    expect(rel(r.continuous.thetaTheta, r.continuous.closedForm!.thetaTheta)).toBeLessThan(1e-15);
  });

  it('commuting but not diagonal (Σ = H² + H), float64 route for p = 4: closed forms to 1e-12', () => {
    const H = [[3, 1, 0, 0], [1, 2, 0.5, 0], [0, 0.5, 1, 0.2], [0, 0, 0.2, 0.8]];
    const H2 = H.map((row, i) => row.map((_, j) => H.reduce((s, r, k) => s + H[i]![k]! * r[j]!, 0) + H[i]![j]!));
    const r = linearStationary(H, H2, { eta: 0.05, beta: 0.9, batchSize: 16, weightDecay: 0.01 });
    expect(r.exact).toBe(false);
    expect(r.commuting).toBe(true);
    expect(rel(r.continuous.thetaTheta, r.continuous.closedForm!.thetaTheta)).toBeLessThan(1e-12);
    expect(rel(r.continuous.vv, r.continuous.closedForm!.vv)).toBeLessThan(1e-12);
    expect(Math.max(...Array.from(r.continuous.thetaV, Math.abs))).toBeLessThan(1e-12 * Math.max(...r.continuous.thetaTheta));
    // the discrete recursion (Smith doubling) against its AR(2) closed forms
    expect(rel(r.discrete.thetaTheta, r.discrete.closedForm!.thetaTheta)).toBeLessThan(1e-11);
    expect(rel(r.discrete.vv, r.discrete.closedForm!.vv)).toBeLessThan(1e-11);
  });

  it('tr C_vv = tr Σ c/(1−β²) for non-commuting H, Σ (exact rationals, and float64 at p = 6), C_θv antisymmetric', () => {
    const r = linearStationary([[2, 0.7], [0.7, 0.5]], [[1, -0.4], [-0.4, 2]], { eta: 0.2, beta: 0.5, batchSize: 3, weightDecay: 0.1 });
    expect(r.commuting).toBe(false);
    const C = r.continuous.rational!.C;
    const trVV = C[2]![2]!.add(C[3]![3]!);
    expect(trVV.equals(R(3).div(R(3).mul(R(1).sub(R(1, 4)))))).toBe(true);
    expect(C[0]![3]!.add(C[1]![2]!).isZero() && C[0]![2]!.isZero() && C[1]![3]!.isZero()).toBe(true);
    const p = 6;
    const H = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1 + i : 0.3 * Math.cos(i + j))));
    const S = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 2 : 0.2 * Math.sin(i * j + 1) * (i === j ? 0 : 1))));
    for (let i = 0; i < p; i++) for (let j = 0; j < i; j++) S[i]![j] = S[j]![i]!;
    const f = linearStationary(H, S, { eta: 0.01, beta: 0.9, batchSize: 32, weightDecay: 1e-3 });
    expect(f.exact).toBe(false);
    expect(Math.abs(f.continuous.traceVV / f.continuous.traceVVPredicted - 1)).toBeLessThan(1e-10);
    expect(f.continuous.relResidual).toBeLessThan(1e-10); // stiff: q spans 1e-3 … 6 with β = 0.9
    expect(f.discrete.relResidual).toBeLessThan(1e-10); // relative to ‖Q‖ ≪ ‖X‖
  });

  it('1-D: the discrete/continuous variance ratio is exactly 1/(1 − ηq/(2(1+β))), the discrete variance ησ²c(1+β)/(q(1−β)(2(1+β)−ηq))', () => {
    for (const [hh, lam, eta, beta, S, s2] of [[2, 0, 0.1, 0, 1, 1], [3, 0.5, 0.3, 0.9, 8, 2], [0.25, 0.1, 1.5, 0.5, 5, '1/7']] as const) {
      const r = linearStationary([[hh]], [[s2]], { eta, beta, batchSize: S, weightDecay: lam });
      const q = Rational.fromFloat(hh).add(Rational.fromFloat(lam)), e = Rational.fromFloat(eta), b = Rational.fromFloat(beta);
      const cont = r.continuous.rational!.C[0]![0]!, disc = r.discrete.rational!.X[0]![0]!;
      const factor = R(1).div(R(1).sub(e.mul(q).div(R(2).mul(R(1).add(b)))));
      expect(disc.div(cont).equals(factor), `${disc.div(cont)} vs ${factor}`).toBe(true);
      const sg = typeof s2 === 'string' ? R(1, 7) : Rational.fromFloat(s2);
      const c = R(1).div(Rational.fromFloat(S));
      const want = e.mul(sg).mul(c).mul(R(1).add(b)).div(q.mul(R(1).sub(b)).mul(R(2).mul(R(1).add(b)).sub(e.mul(q))));
      expect(disc.equals(want)).toBe(true);
      expect(r.modes[0]!.gapFactor).toBeCloseTo(factor.toNumber(), 14);
      // velocity v_k = (θ_k − θ_{k−1})/η: Var v = 2σ²c/((1−β)(2(1+β) − ηq)) from the exact X
      const Xr = r.discrete.rational!.X;
      const varV = Xr[0]![0]!.add(Xr[1]![1]!).sub(Xr[0]![1]!.mul(R(2))).div(e.mul(e));
      expect(varV.equals(R(2).mul(sg).mul(c).div(R(1).sub(b).mul(R(2).mul(R(1).add(b)).sub(e.mul(q)))))).toBe(true);
      expect(r.gap.thetaTraceRatio).toBeCloseTo(factor.toNumber(), 13);
    }
  });

  it('exact and float64 routes agree (p = 3, non-commuting, underdamped and overdamped modes)', () => {
    const H = [[4, 1, 0.5], [1, 1, 0.2], [0.5, 0.2, 0.05]], S = [[1, 0.3, 0], [0.3, 0.5, 0.1], [0, 0.1, 0.2]];
    const hyper = { eta: 0.1, beta: 0.8, batchSize: 2, weightDecay: 0.02 };
    const ex = linearStationary(H, S, hyper), fl = linearStationary(H, S, hyper, { exact: 'never' });
    expect(ex.exact && !fl.exact).toBe(true);
    expect(rel(fl.continuous.C, ex.continuous.C)).toBeLessThan(1e-10);
    expect(rel(fl.discrete.X, ex.discrete.X)).toBeLessThan(1e-10);
    expect(rel(fl.continuous.U!, ex.continuous.U!)).toBeLessThan(1e-10);
    expect(rel(fl.continuous.Q, ex.continuous.Q)).toBeLessThan(1e-11);
  });

  it('the modal route (4×4 systems per pair of Hessian eigenmodes) equals the exact rationals (p = 3) and the dense solves (p = 7)', () => {
    const H = [[4, 1, 0.5], [1, 1, 0.2], [0.5, 0.2, 0.05]], S = [[1, 0.3, 0], [0.3, 0.5, 0.1], [0, 0.1, 0.2]];
    const hyper = { eta: 0.1, beta: 0.8, batchSize: 2, weightDecay: 0.05 };
    const ex = linearStationary(H, S, hyper), mo = linearStationary(H, S, hyper, { exact: 'never', method: 'modal' });
    expect(rel(mo.continuous.C, ex.continuous.C)).toBeLessThan(1e-12);
    expect(rel(mo.discrete.X, ex.discrete.X)).toBeLessThan(1e-12);
    expect(rel(mo.continuous.Q, ex.continuous.Q)).toBeLessThan(1e-11);
    const p = 7;
    const H7 = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 0.3 + i : 0.2 * Math.cos(3 * i + 3 * j))));
    const S7 = Array.from({ length: p }, (_, i) => Array.from({ length: p }, (_, j) => (i === j ? 1.5 : 0.1 * Math.sin(2 * i + 2 * j))));
    const h7 = { eta: 0.05, beta: 0.9, batchSize: 8, weightDecay: 0.01 };
    const de = linearStationary(H7, S7, h7, { method: 'dense' }), m7 = linearStationary(H7, S7, h7, { method: 'modal' });
    expect(de.commuting).toBe(false);
    expect(rel(m7.continuous.C, de.continuous.C)).toBeLessThan(1e-11);
    expect(rel(m7.discrete.X, de.discrete.X)).toBeLessThan(1e-10);
    expect(m7.continuous.relResidual).toBeLessThan(1e-12);
    expect(m7.discrete.relResidual).toBeLessThan(1e-10);
    expect(Math.abs(m7.continuous.traceVV / m7.continuous.traceVVPredicted - 1)).toBeLessThan(1e-12);
  });

  it('modes: ω² = 2q/(η(1+β)), the damping boundary 2ηq(1+β) vs (1−β)², per-step decay e^{−(1−β)/(1+β)} (continuous) vs √β (discrete) when underdamped', () => {
    const r = linearStationary([[10, 0], [0, 0.01]], [[1, 0], [0, 1]], { eta: 0.1, beta: 0.5, batchSize: 1 });
    const [slow, fast] = r.modes;
    expect(fast!.underdamped).toBe(true); // 2·0.1·10·1.5 = 3 > 0.25
    expect(slow!.underdamped).toBe(false); // 0.003 < 0.25
    expect(fast!.omega2).toBeCloseTo((2 * 10) / (0.1 * 1.5), 12);
    expect(fast!.continuousStep.decay).toBeCloseTo(Math.exp(-0.5 / 1.5), 14);
    expect(fast!.discreteStep.modulus).toBeCloseTo(Math.sqrt(0.5), 14);
    // the discrete eigenvalue z = |z| e^{iφ} solves z² − (1+β−ηq)z + β = 0
    const { modulus: m, argument: a } = fast!.discreteStep;
    const re = m * m * Math.cos(2 * a) - (1.5 - 1) * m * Math.cos(a) + 0.5, im = m * m * Math.sin(2 * a) - 0.5 * m * Math.sin(a);
    expect(Math.hypot(re, im)).toBeLessThan(1e-14);
    const z = slow!.discreteStep.modulus; // real root
    expect(Math.abs(z * z - (1.5 - 0.001) * z + 0.5)).toBeLessThan(1e-14);
    expect(fast!.dampingRatio).toBeLessThan(1);
    expect(slow!.dampingRatio).toBeGreaterThan(1);
    expect(r.stabilityLimit).toBeCloseTo(0.3, 14);
  });

  it('no stationary state, the stability limit and bad input are InputErrors that say why', () => {
    const S = [[1, 0], [0, 1]], hy = { eta: 0.1, batchSize: 1 };
    expect(() => linearStationary([[1, 0], [0, -0.5]], S, hy)).toThrow(/negative eigenvalue .*unbounded below/);
    expect(() => linearStationary([[1, 0], [0, 0]], S, hy)).toThrow(/zero eigenvalue.*random walk/);
    expect(linearStationary([[1, 0], [0, 0]], S, { ...hy, weightDecay: 0.1 }).p).toBe(2);
    expect(() => linearStationary([[30, 0], [0, 1]], S, { eta: 0.1, beta: 0.4, batchSize: 1 })).toThrow(/stability limit.*η < 2\(1\+β\)\/q_max = 0\.0933333/);
    expect(() => linearStationary([[1, 0], [0, 1]], [[1, 2], [2, 1]], hy)).toThrow(/indefinite/);
    expect(() => linearStationary([[1, 0], [0, 1]], [[1, 0.5], [0, 1]], hy)).toThrow(/not symmetric/);
    expect(() => linearStationary([[1, 0], [0, 1]], [[1]], hy)).toThrow(/dimension mismatch/);
    expect(() => linearStationary([[1]], [[1]], { eta: 0.1, beta: 1, batchSize: 1 })).toThrow(/\[0, 1\)/);
    expect(() => linearStationary([[1]], [[1]], { eta: -0.1, batchSize: 1 })).toThrow(InputError);
    expect(() => linearStationary([[1]], [[1]], { eta: 0.1, batchSize: 5, nData: 3 })).toThrow(/exceeds/);
    expect(() => linearStationary([[1]], [['x']], hy)).toThrow(/not a finite number/);
  });
});

describe('exact Lyapunov solvers', () => {
  it('lyapunovExact and discreteLyapunovExact satisfy their equations exactly (3×3 non-symmetric)', () => {
    const A = rationalMatrix([[2, 1, 0], [-1, 3, '1/2'], [0, 1, 1]], 'A');
    const D = rationalMatrix([[1, 0, '1/3'], [0, 2, 0], ['1/3', 0, 1]], 'D');
    const C = lyapunovExact(A, D);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let s = R(0);
      for (let k = 0; k < 3; k++) s = s.add(A[i]![k]!.mul(C[k]![j]!)).add(C[i]![k]!.mul(A[j]![k]!));
      expect(s.equals(D[i]![j]!.mul(R(2)))).toBe(true);
    }
    const M = rationalMatrix([['1/2', '1/3', 0], [0, '-1/4', 1], ['1/5', 0, '1/2']], 'M');
    const X = discreteLyapunovExact(M, D);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
      let s = X[i]![j]!;
      for (let k = 0; k < 3; k++) for (let l = 0; l < 3; l++) s = s.sub(M[i]![k]!.mul(X[k]![l]!).mul(M[j]![l]!));
      expect(s.equals(D[i]![j]!)).toBe(true);
    }
    expect(() => lyapunovExact(rationalMatrix([[0]], 'A'), rationalMatrix([[1]], 'D'))).toThrow(/no unique solution/);
    expect(() => discreteLyapunovExact(rationalMatrix([[1]], 'M'), rationalMatrix([[1]], 'Q'))).toThrow(/no unique solution/);
    expect(() => lyapunovExact(rationalMatrix(Array.from({ length: 7 }, () => new Array(7).fill(1)), 'A'), rationalMatrix(Array.from({ length: 7 }, () => new Array(7).fill(1)), 'D'))).toThrow(/maxDim/);
  });
});
