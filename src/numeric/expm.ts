/**
 * Matrix exponential e^A in float64 by scaling and squaring with the degree-13 Padé approximant
 * (Higham, "The scaling and squaring method for the matrix exponential revisited", SIAM J. Matrix Anal.
 * Appl. 26, 2005, Algorithm 2.3): lower-degree approximants (3, 5, 7, 9) when ‖A‖₁ is small, otherwise
 * A/2^s with ‖A/2^s‖₁ ≤ θ₁₃ = 5.37, r₁₃(A/2^s) = (V − U)⁻¹(V + U), squared s times. Used for the mean and
 * covariance of the Ornstein–Uhlenbeck process over time (docs/theory/langevin.md, "Linear regression:
 * exact solutions": E x(t) = e^{−At} x₀, C(t) = C_∞ − e^{−At} C_∞ e^{−Aᵀt}).
 */
import { InputError } from '../errors.ts';
import { gemm, luFactor } from './kernels/dense.ts';
import { type MatrixInput, toDense } from './linalg.ts';

const PADE: Record<number, readonly number[]> = {
  3: [120, 60, 12, 1],
  5: [30240, 15120, 3360, 420, 30, 1],
  7: [17297280, 8648640, 1995840, 277200, 25200, 1512, 56, 1],
  9: [17643225600, 8821612800, 2075673600, 302702400, 30270240, 2162160, 110880, 3960, 90, 1],
  13: [
    64764752532480000, 32382376266240000, 7771770303897600, 1187353796428800, 129060195264000, 10559470521600,
    670442572800, 33522128640, 1323241920, 40840800, 960960, 16380, 182, 1,
  ],
};
/** θ_m: the largest ‖A‖₁ for which r_m reaches double precision (Higham 2005, Table 2.3). */
const THETA: readonly [number, number][] = [
  [3, 1.495585217958292e-2],
  [5, 2.539398330063230e-1],
  [7, 9.504178996162932e-1],
  [9, 2.097847961257068],
];
const THETA13 = 5.371920351148152;

function norm1(a: Float64Array, n: number): number {
  let best = 0;
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.abs(a[i * n + j]!);
    best = Math.max(best, s);
  }
  return best;
}

/** X = B⁻¹ C by LU with partial pivoting (n×n, row-major). */
function solveRight(B: Float64Array, C: Float64Array, n: number): Float64Array {
  const lu = Float64Array.from(B);
  const perm = new Int32Array(n);
  luFactor(lu, n, perm, 'expm: the Padé denominator');
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) X.set(C.subarray(perm[i]! * n, perm[i]! * n + n), i * n);
  for (let i = 0; i < n; i++) // forward: L has unit diagonal
    for (let k = 0; k < i; k++) {
      const l = lu[i * n + k]!;
      if (l !== 0) for (let j = 0; j < n; j++) X[i * n + j] = X[i * n + j]! - l * X[k * n + j]!;
    }
  for (let i = n - 1; i >= 0; i--) {
    for (let k = i + 1; k < n; k++) {
      const u = lu[i * n + k]!;
      if (u !== 0) for (let j = 0; j < n; j++) X[i * n + j] = X[i * n + j]! - u * X[k * n + j]!;
    }
    const d = lu[i * n + i]!;
    for (let j = 0; j < n; j++) X[i * n + j] = X[i * n + j]! / d;
  }
  return X;
}

/** e^A (row-major n×n). */
export function expm(aIn: MatrixInput): Float64Array {
  const n = aIn instanceof Float64Array ? Math.round(Math.sqrt(aIn.length)) : aIn.length;
  if (n === 0) throw new InputError('expm: the matrix is empty');
  const A = toDense(aIn, n, 'A', 'expm');
  const nrm = norm1(A, n);
  const I = new Float64Array(n * n);
  for (let i = 0; i < n; i++) I[i * n + i] = 1;
  const A2 = gemm(A, A, n);
  for (const [m, theta] of THETA) if (nrm <= theta) return padeOdd(A, A2, I, n, m);
  const s = Math.max(0, Math.ceil(Math.log2(nrm / THETA13)));
  if (s > 1100) throw new InputError(`expm: ‖A‖₁ = ${nrm.toExponential(2)} is too large (e^A overflows float64)`);
  const f = 2 ** -s;
  const As = A.map((x) => x * f);
  let R = pade13(As, n, I);
  for (let k = 0; k < s; k++) R = gemm(R, R, n);
  for (let i = 0; i < n * n; i++) if (!Number.isFinite(R[i]!)) throw new InputError('expm: e^A overflows float64');
  return R;
}

/** r_m(A) for m ∈ {3, 5, 7, 9}: U = A Σ b_{2k+1} A^{2k}, V = Σ b_{2k} A^{2k}. */
function padeOdd(A: Float64Array, A2: Float64Array, I: Float64Array, n: number, m: number): Float64Array {
  const b = PADE[m]!;
  const powers = [I, A2];
  while (powers.length <= (m - 1) / 2) powers.push(gemm(powers[powers.length - 1]!, A2, n));
  const u = new Float64Array(n * n);
  const V = new Float64Array(n * n);
  powers.forEach((P, k) => {
    for (let i = 0; i < n * n; i++) {
      u[i] = u[i]! + b[2 * k + 1]! * P[i]!;
      V[i] = V[i]! + b[2 * k]! * P[i]!;
    }
  });
  return combine(gemm(A, u, n), V, n);
}

function pade13(A: Float64Array, n: number, I: Float64Array): Float64Array {
  const b = PADE[13]!;
  const A2 = gemm(A, A, n), A4 = gemm(A2, A2, n), A6 = gemm(A4, A2, n);
  const lin = (c: number[], Ms: Float64Array[]): Float64Array => {
    const out = new Float64Array(n * n);
    Ms.forEach((M, k) => { for (let i = 0; i < n * n; i++) out[i] = out[i]! + c[k]! * M[i]!; });
    return out;
  };
  const U = gemm(A, (() => {
    const inner = gemm(A6, lin([b[13]!, b[11]!, b[9]!], [A6, A4, A2]), n);
    const rest = lin([b[7]!, b[5]!, b[3]!, b[1]!], [A6, A4, A2, I]);
    for (let i = 0; i < n * n; i++) inner[i] = inner[i]! + rest[i]!;
    return inner;
  })(), n);
  const V = gemm(A6, lin([b[12]!, b[10]!, b[8]!], [A6, A4, A2]), n);
  const rest = lin([b[6]!, b[4]!, b[2]!, b[0]!], [A6, A4, A2, I]);
  for (let i = 0; i < n * n; i++) V[i] = V[i]! + rest[i]!;
  return combine(U, V, n);
}

/** (V − U)⁻¹ (V + U) */
function combine(U: Float64Array, V: Float64Array, n: number): Float64Array {
  const P = new Float64Array(n * n), Q = new Float64Array(n * n);
  for (let i = 0; i < n * n; i++) {
    P[i] = V[i]! + U[i]!;
    Q[i] = V[i]! - U[i]!;
  }
  return solveRight(Q, P, n);
}
