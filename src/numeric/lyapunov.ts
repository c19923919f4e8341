/**
 * Continuous Lyapunov equation A C + C Aᵀ = 2D for the stationary covariance of the OU process
 * dx = −A x dt + B dW, D = B Bᵀ/2 (docs/theory/langevin.md, "Linear regression: exact solutions": C_∞ solves
 * A C + C Aᵀ = 2D; the phase-space A = [[0, −I], [K, 2γI]] is not symmetric and has complex eigenvalues in
 * the underdamped regime).
 *
 * Method: the matrix sign-function Newton iteration (Roberts 1971; Benner & Quintana-Ortí 1999) with
 * determinant scaling. For a stable drift (all eigenvalues of A with positive real part) the iteration
 *     A_{k+1} = ½(c A_k + (c A_k)⁻¹),   Q_{k+1} = ½(c Q_k + c⁻¹ A_k⁻¹ Q_k A_k⁻ᵀ),   c = |det A_k|^{−1/n}
 * started from A_0 = A, Q_0 = 2D drives A_k → I and Q_k → 2C. It needs only LU inverses and products
 * (no real Schur form, which ml-matrix does not provide; Bartels–Stewart would need one), converges
 * quadratically in ~10 iterations, costs O(n³) per iteration, and handles complex spectra without complex
 * arithmetic. If A has an eigenvalue with non-positive real part there is no stationary covariance:
 * A_k does not converge to I and an Error says so. `lyapunovKron` is the O(n⁶) Kronecker solve
 * (I⊗A + A⊗I) vec C = vec 2D, kept as an independent reference for small n.
 *
 * Kernels (src/numeric/kernels/): the products and the inverse are the cost, O(n³) per iteration. Where
 * WebAssembly SIMD is available (V8/Node ≥ 16.4) the work matrices live in wasm memory and nearly all the
 * arithmetic runs in one register-tiled f64x2 product (gemm-tiled.ts; bit-identical to the JavaScript
 * i-k-j kernels): A_k⁻¹ = (U⁻¹ L⁻¹) P from a recursive LU with partial pivoting (inverse-blocked.ts), the
 * triangular inverses by recursive blocks and U⁻¹ L⁻¹ by triangular blocks, then A⁻¹ Q A⁻ᵀ as two
 * products (the second symmetric). Up to n = 16, and with `{ kernels: 'js' }` (or no wasm SIMD), the plain
 * Float64Array kernels of kernels/dense.ts are used. Both agree to rounding and the relative residual
 * ‖A C + C Aᵀ − 2D‖/‖2D‖ is returned either way.
 *
 * Stopping: Newton's iteration converges quadratically, A_{k+1} − S = ½ A_k⁻¹ (A_k − S)² (Higham,
 * "Functions of Matrices", §5.3), so the loop stops as soon as the step ‖A_{k+1} − A_k‖ predicts the next
 * error below the tolerance, or the step itself is below it.
 *
 * Matrices are row-major Float64Array n×n (or rows).
 */
import { InputError } from '../errors.ts';
import { type MatrixInput, toDense } from './linalg.ts';
import { gemm, gemmSymmetric, luInverse, luInverseFactors, permuteColumns, transpose } from './kernels/dense.ts';
import { luFactorRecursive, lowerUnitInverseBlocked, upperInverseBlocked, upperTimesLower } from './kernels/inverse-blocked.ts';
import { productFresh, wasmMatrices } from './kernels/gemm-wasm.ts';

/** up to this n the inverse is formed by the unblocked row recurrences (kernels/dense.ts) */
const SMALL = 16;

/** C = A B (n×n, row-major): the unrolled i-k-j kernel of kernels/dense.ts. */
export function matmul(a: Float64Array, b: Float64Array, n: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  return gemm(a, b, n, out);
}

/** C = A Bᵀ (n×n, row-major): rows of both are contiguous. */
export function matmulT(a: Float64Array, b: Float64Array, n: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      const ai = i * n;
      const bj = j * n;
      for (let k = 0; k < n; k++) s += a[ai + k]! * b[bj + k]!;
      out[i * n + j] = s;
    }
  }
  return out;
}

/** Inverse and log|det| by LU with partial pivoting (kernels/dense.ts `luInverse`). Throws if singular. */
export function inverseWithLogDet(a: Float64Array, n: number, where = 'inverse'): { inv: Float64Array; logAbsDet: number } {
  return luInverse(a, n, where);
}

export interface LyapunovResult {
  /** the solution C (row-major n×n, symmetric). */
  C: Float64Array;
  n: number;
  iterations: number;
  /** ‖A C + C Aᵀ − 2D‖_F / ‖2D‖_F. */
  relResidual: number;
}

function frob(a: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * a[i]!;
  return Math.sqrt(s);
}

/** Relative residual ‖A C + C Aᵀ − 2D‖_F / ‖2D‖_F. */
export function lyapunovResidual(a: Float64Array, c: Float64Array, d: Float64Array, n: number): number {
  const ac = productFresh(a, c, n);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const r = ac[i * n + j]! + ac[j * n + i]! - 2 * d[i * n + j]!; // C Aᵀ = (A C)ᵀ for symmetric C
      num += r * r;
      den += 4 * d[i * n + j]! ** 2;
    }
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), Number.MIN_VALUE);
}

/**
 * Solve A C + C Aᵀ = 2D (D symmetric) by the scaled sign-function iteration. A must be stable in the sense
 * of dx = −A x dt: every eigenvalue with positive real part.
 */
export function lyapunov(
  aIn: MatrixInput,
  dIn: MatrixInput,
  opts: { maxIter?: number; tol?: number; /** 'auto' (default): wasm SIMD products where available; 'js': plain JavaScript */ kernels?: 'auto' | 'js' } = {},
): LyapunovResult {
  const where = 'lyapunov';
  const n = aIn instanceof Float64Array ? Math.round(Math.sqrt(aIn.length)) : aIn.length;
  if (n === 0) throw new InputError(`${where}: A is empty`);
  const A = toDense(aIn, n, 'A', where);
  const D = toDense(dIn, n, 'D', where);
  let dScale = 0;
  for (let i = 0; i < n * n; i++) dScale = Math.max(dScale, Math.abs(D[i]!));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++)
      if (Math.abs(D[i * n + j]! - D[j * n + i]!) > 1e-12 * Math.max(dScale, 1e-300)) throw new InputError(`${where}: D is not symmetric at (${i}, ${j})`);
  const maxIter = opts.maxIter ?? 100;
  const tol = opts.tol ?? 1e-14;
  // Work matrices: in WebAssembly memory when wasm SIMD is available (the products run there, f64x2, and the
  // inverse is formed as U⁻¹·L⁻¹ by one of them), else ordinary arrays and kernels/dense.ts throughout.
  const wm = opts.kernels === 'js' ? null : wasmMatrices(n, 6);
  const [Qk, inv, tmp, tmpT, tmp2, luWork] = wm
    ? (wm.views as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array, Float64Array])
    : Array.from({ length: 6 }, () => new Float64Array(n * n));
  const mul = wm ? (a: Float64Array, b: Float64Array, o: Float64Array): void => wm.gemm(a, b, o) : (a: Float64Array, b: Float64Array, o: Float64Array): void => void gemm(a, b, n, o);
  const mulSym = wm ? (a: Float64Array, b: Float64Array, o: Float64Array): void => wm.gemmSymmetric(a, b, o) : (a: Float64Array, b: Float64Array, o: Float64Array): void => void gemmSymmetric(a, b, n, o);
  const Ak = Float64Array.from(A);
  for (let i = 0; i < n * n; i++) Qk[i] = 2 * D[i]!;
  const perm = new Int32Array(n);
  let it = 0;
  let converged = false;
  for (; it < maxIter; it++) {
    let logAbsDet: number;
    try {
      if (wm) {
        // A⁻¹ = (U⁻¹ L⁻¹) P: blocked LU and blocked triangular inverses, nearly all their work in the wasm
        // product (`inv` serves as scratch before it receives the inverse), then U⁻¹ L⁻¹ and the permutation
        if (n <= SMALL) {
          // tiny: the row recurrences of dense.ts beat the recursion's calls into wasm
          logAbsDet = luInverseFactors(Ak, n, tmp2!, tmpT!, perm, where, luWork);
          wm.gemm(tmp2!, tmpT!, tmp!);
        } else {
          luWork!.set(Ak);
          logAbsDet = luFactorRecursive(luWork!, n, perm, where, wm.product);
          lowerUnitInverseBlocked(luWork!, n, tmpT!, inv!, wm.product);
          upperInverseBlocked(luWork!, n, tmp2!, inv!, wm.product);
          upperTimesLower(tmp2!, tmpT!, tmp!, n, wm.product);
        }
        permuteColumns(tmp, n, perm, inv);
      } else ({ logAbsDet } = luInverse(Ak, n, where, inv, luWork));
    } catch {
      throw new InputError(`${where}: A has an eigenvalue on (or numerically at) the imaginary axis: no stationary covariance (the sign iteration met a singular matrix)`);
    }
    const c = it < 8 ? Math.exp(-logAbsDet / n) : 1; // determinant scaling early, pure Newton at the end
    // Q ← ½(c Q + c⁻¹ A⁻¹ Q A⁻ᵀ)
    // A⁻¹ Q A⁻ᵀ = A⁻¹ (A⁻¹ Q)ᵀ for symmetric Q: two i-k-j products and a transpose (no dot-product kernel);
    // the second product is symmetric, so only its upper triangle is computed
    mul(inv, Qk, tmp);
    transpose(tmp, n, tmpT);
    mulSym(inv, tmpT, tmp2);
    for (let i = 0; i < n * n; i++) Qk[i] = 0.5 * (c * Qk[i]! + tmp2[i]! / c);
    // symmetrise once against an asymmetric D (within the tolerance above); afterwards Q stays exactly
    // symmetric, A⁻¹ Q A⁻ᵀ being mirrored from its upper triangle
    if (it === 0)
      for (let i = 0; i < n; i++)
        for (let j = 0; j < i; j++) {
          const s = 0.5 * (Qk[i * n + j]! + Qk[j * n + i]!);
          Qk[i * n + j] = s;
          Qk[j * n + i] = s;
        }
    let diff = 0, invSq = 0, aSq = 0;
    for (let i = 0; i < n * n; i++) {
      const an = 0.5 * (c * Ak[i]! + inv[i]! / c);
      diff += (an - Ak[i]!) ** 2;
      invSq += inv[i]! * inv[i]!;
      aSq += an * an;
      Ak[i] = an;
    }
    // Stop when the step is below tol, or when the quadratic convergence of Newton's iteration already puts
    // the new iterate within tol: A_{k+1} − S = ½ A_k⁻¹ (A_k − S)² (Higham, Functions of Matrices, §5.3), with
    // ‖A_k − S‖ ≈ ‖A_{k+1} − A_k‖ = diff, so ‖A_{k+1} − S‖ ≲ ½ ‖A_k⁻¹‖ diff² — one iteration fewer than
    // waiting for the step itself to vanish (Q converges at the same rate)
    const aNorm = Math.sqrt(aSq);
    const stepSmall = Math.sqrt(diff) <= tol * Math.max(1, aNorm);
    const nextSmall = c === 1 || Math.abs(c - 1) < 1e-3 ? 0.5 * Math.sqrt(invSq) * diff <= tol * Math.max(1, aNorm) : false;
    if ((stepSmall || nextSmall) && it >= 1) {
      it++;
      converged = true;
      break;
    }
  }
  // A_k must have converged to +I (sign(A) = I ⇔ all eigenvalues in the right half-plane)
  let dev = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) dev = Math.max(dev, Math.abs(Ak[i * n + j]! - (i === j ? 1 : 0)));
  if (!converged || dev > 1e-6)
    throw new InputError(
      `${where}: A is not stable (some eigenvalue has non-positive real part, sign(A) ≠ I; deviation ${dev.toExponential(2)}): ` +
        'dx = −A x dt has no stationary covariance',
    );
  const C = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) C[i] = 0.5 * Qk[i]!;
  return { C, n, iterations: it, relResidual: lyapunovResidual(A, C, D, n) };
}

/** Reference solver for small n: (I⊗A + A⊗I) vec C = vec 2D by Gaussian elimination, O(n⁶). */
export function lyapunovKron(aIn: MatrixInput, dIn: MatrixInput): Float64Array {
  const where = 'lyapunovKron';
  const n = aIn instanceof Float64Array ? Math.round(Math.sqrt(aIn.length)) : aIn.length;
  if (n > 40) throw new InputError(`${where}: n = ${n} is too large for the O(n⁶) Kronecker solve (use lyapunov())`);
  const A = toDense(aIn, n, 'A', where);
  const D = toDense(dIn, n, 'D', where);
  const N = n * n;
  // unknown index p = i*n + j for C_ij; equation (i,j): Σ_k A_ik C_kj + Σ_k C_ik A_jk = 2 D_ij
  const M = new Float64Array(N * N);
  const rhs = new Float64Array(N);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) {
      const row = (i * n + j) * N;
      for (let k = 0; k < n; k++) {
        M[row + k * n + j] = M[row + k * n + j]! + A[i * n + k]!;
        M[row + i * n + k] = M[row + i * n + k]! + A[j * n + k]!;
      }
      rhs[i * n + j] = 2 * D[i * n + j]!;
    }
  const { inv } = inverseWithLogDet(M, N, where);
  const C = new Float64Array(N);
  for (let p = 0; p < N; p++) {
    let s = 0;
    for (let q = 0; q < N; q++) s += inv[p * N + q]! * rhs[q]!;
    C[p] = s;
  }
  return C;
}

/**
 * The phase-space drift and diffusion of SGD with momentum on a quadratic (docs/theory/langevin.md):
 * A = [[0, −I], [K, 2γI]], K = 2(H + λI)/(η(1+β)), γ = (1−β)/(η(1+β)); D has only the vv block
 * D_vv = 2Σ/(η S (1+β)²). Returns row-major 2p×2p matrices.
 */
export function phaseSpaceOU(H: MatrixInput, Sigma: MatrixInput, p: { eta: number; beta: number; batchSize: number; weightDecay?: number }): { A: Float64Array; D: Float64Array; n: number } {
  const where = 'phaseSpaceOU';
  const m = H instanceof Float64Array ? Math.round(Math.sqrt(H.length)) : H.length;
  const h = toDense(H, m, 'H', where);
  const s = toDense(Sigma, m, 'Sigma', where);
  const { eta, beta, batchSize: S } = p;
  const lam = p.weightDecay ?? 0;
  if (!Number.isFinite(eta) || eta <= 0) throw new InputError(`${where}: eta must be finite and > 0, got ${eta}`);
  if (!Number.isFinite(beta) || beta < 0 || beta >= 1) throw new InputError(`${where}: beta must lie in [0, 1), got ${beta}`);
  if (!Number.isFinite(S) || S <= 0) throw new InputError(`${where}: batchSize must be finite and > 0, got ${S}`);
  const n = 2 * m;
  const A = new Float64Array(n * n);
  const D = new Float64Array(n * n);
  const kf = 2 / (eta * (1 + beta));
  const gamma = (1 - beta) / (eta * (1 + beta));
  for (let i = 0; i < m; i++) {
    A[i * n + m + i] = -1;
    A[(m + i) * n + m + i] = 2 * gamma;
    for (let j = 0; j < m; j++) {
      A[(m + i) * n + j] = kf * (h[i * m + j]! + (i === j ? lam : 0));
      D[(m + i) * n + m + j] = (2 * s[i * m + j]!) / (eta * S * (1 + beta) ** 2);
    }
  }
  return { A, D, n };
}

export interface DiscreteLyapunovResult {
  /** the solution X (row-major n×n, symmetric). */
  X: Float64Array;
  n: number;
  /** doubling steps taken: X sums the first 2^iterations terms of Σ_j M^j Q M^jᵀ. */
  iterations: number;
  /** ‖X − M X Mᵀ − Q‖_F / ‖Q‖_F. */
  relResidual: number;
}

/** Relative residual ‖X − M X Mᵀ − Q‖_F / ‖Q‖_F of the discrete Lyapunov (Stein) equation. */
export function discreteLyapunovResidual(m: Float64Array, x: Float64Array, q: Float64Array, n: number): number {
  const mx = productFresh(m, x, n);
  const mxm = productFresh(mx, transpose(m, n), n);
  let num = 0;
  let den = 0;
  for (let i = 0; i < n * n; i++) {
    num += (x[i]! - mxm[i]! - q[i]!) ** 2;
    den += q[i]! ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), Number.MIN_VALUE);
}

/**
 * Solve the discrete Lyapunov (Stein) equation X = M X Mᵀ + Q (Q symmetric) in float64: the stationary
 * covariance of the linear Gaussian recursion z_{k+1} = M z_k + N ξ_k with Q = N Nᵀ
 * (docs/theory/langevin.md, "Continuous model versus the exact discrete process").
 *
 * Method: Smith's doubling iteration (Smith 1968): with X_0 = Q, M_0 = M,
 *     X_{k+1} = X_k + M_k X_k M_kᵀ,   M_{k+1} = M_k²,
 * X_k = Σ_{j < 2^k} M^j Q M^jᵀ, so the error after k steps is O(ρ(M)^{2^{k+1}}): ⌈log₂(36/(1−ρ))⌉ steps
 * reach float64 accuracy (about 20 for ρ = 1 − 10⁻⁵). Three n×n products per step, on the wasm f64x2
 * kernel where available (kernels/gemm-wasm.ts); no factorisation, so it is exact for M with complex or
 * defective spectra alike. The solution exists (and is the stationary covariance) iff ρ(M) < 1; otherwise
 * M^{2^k} does not decay and an InputError says there is no stationary covariance.
 */
export function discreteLyapunov(
  mIn: MatrixInput,
  qIn: MatrixInput,
  opts: { maxIter?: number; tol?: number; kernels?: 'auto' | 'js' } = {},
): DiscreteLyapunovResult {
  const where = 'discreteLyapunov';
  const n = mIn instanceof Float64Array ? Math.round(Math.sqrt(mIn.length)) : mIn.length;
  if (n === 0) throw new InputError(`${where}: M is empty`);
  const M = toDense(mIn, n, 'M', where);
  const Q = toDense(qIn, n, 'Q', where);
  let qScale = 0;
  for (let i = 0; i < n * n; i++) qScale = Math.max(qScale, Math.abs(Q[i]!));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++)
      if (Math.abs(Q[i * n + j]! - Q[j * n + i]!) > 1e-12 * Math.max(qScale, 1e-300)) throw new InputError(`${where}: Q is not symmetric at (${i}, ${j})`);
  const maxIter = opts.maxIter ?? 64;
  const tol = opts.tol ?? 1e-17;
  const wm = opts.kernels === 'js' ? null : wasmMatrices(n, 5);
  let [Mk, Mn, X, T, Tt] = wm
    ? (wm.views as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array])
    : (Array.from({ length: 5 }, () => new Float64Array(n * n)) as [Float64Array, Float64Array, Float64Array, Float64Array, Float64Array]);
  const mul = wm ? (a: Float64Array, b: Float64Array, o: Float64Array): void => wm.gemm(a, b, o) : (a: Float64Array, b: Float64Array, o: Float64Array): void => void gemm(a, b, n, o);
  const mulSym = wm ? (a: Float64Array, b: Float64Array, o: Float64Array): void => wm.gemmSymmetric(a, b, o) : (a: Float64Array, b: Float64Array, o: Float64Array): void => void gemmSymmetric(a, b, n, o);
  Mk.set(M);
  X.set(Q);
  const stableBound = 0.5; // ‖M^{2^k}‖_F below this certifies ρ(M) < 1
  let it = 0;
  let converged = false;
  let mNorm = frob(Mk);
  for (; it < maxIter; it++) {
    if (!converged) {
      // X ← X + M_k X M_kᵀ, with M_k X M_kᵀ = M_k (M_k X)ᵀ for symmetric X (symmetric product: upper triangle)
      mul(Mk, X, T);
      transpose(T, n, Tt);
      mulSym(Mk, Tt, T);
      let inc = 0;
      let xs = 0;
      for (let i = 0; i < n * n; i++) {
        const v = X[i]! + T[i]!;
        X[i] = v;
        inc += T[i]! * T[i]!;
        xs += v * v;
      }
      if (!Number.isFinite(xs)) break;
      if (Math.sqrt(inc) <= tol * Math.sqrt(xs) || inc === 0) converged = true;
    }
    if (converged && mNorm < stableBound) break;
    // M_{k+1} = M_k²
    mul(Mk, Mk, Mn);
    [Mk, Mn] = [Mn, Mk];
    mNorm = frob(Mk);
    if (!Number.isFinite(mNorm) || mNorm > 1e150) break;
    if (mNorm === 0 && !converged) converged = true; // nilpotent M: the series is finite
  }
  if (!converged || !(mNorm < stableBound))
    throw new InputError(
      `${where}: M is not stable (spectral radius ρ(M) ≥ 1, or too close to 1 for float64: ‖M^(2^${it})‖_F = ${mNorm.toExponential(2)}): ` +
        'the recursion z_{k+1} = M z_k + noise has no stationary covariance',
    );
  const out = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++) out[i * n + j] = 0.5 * (X[i * n + j]! + X[j * n + i]!);
  return { X: out, n, iterations: it + 1, relResidual: discreteLyapunovResidual(M, out, Q, n) };
}
