/**
 * Exact rational linear algebra for the small Lyapunov equations of docs/theory/langevin.md ("Linear
 * regression: exact solutions", "Continuous model versus the exact discrete process"): the continuous
 * equation A C + C Aᵀ = 2D and the discrete one X = M X Mᵀ + Q, both solved for the n(n+1)/2 entries of the
 * symmetric unknown by Gaussian elimination over Rational (vectorised, symmetry exploited). Inputs with
 * decimal entries are read as the decimals they print as (0.1 = 1/10), so the results are the exact
 * stationary covariances of the stated model.
 */
import { Rational } from '../../symbolic/index.ts';
import { constantValue } from '../../symbolic/loss.ts';
import { BudgetError, InputError, describe as describeValue } from '../../errors.ts';

/** A matrix entry: a number (exact decimal), a fraction as text ("1/3") or a Rational. */
export type RationalInput = number | string | Rational;
export type RMatrix = Rational[][];

/** Default largest size of the exact solves (phase space of 3 parameters: 21 unknowns). */
export const EXACT_MAX_DIM = 6;

export function rationalOf(x: RationalInput, name: string): Rational {
  if (x instanceof Rational) return x;
  if (typeof x === 'number' || typeof x === 'string') {
    try {
      return constantValue(name, x);
    } catch (e) {
      if (e instanceof InputError) throw new InputError(`${name}: ${describeValue(x)} is not a finite number or a fraction like "1/3"`);
      throw e;
    }
  }
  throw new InputError(`${name} must be a number or a fraction like "1/3" (got ${describeValue(x)})`);
}

/** Read a square matrix of rational inputs, checking its shape. */
export function rationalMatrix(m: readonly (readonly RationalInput[])[], name: string, n?: number): RMatrix {
  if (!Array.isArray(m) || m.length === 0) throw new InputError(`${name} must be a non-empty array of rows`);
  const size = n ?? m.length;
  if (m.length !== size) throw new InputError(`${name} has ${m.length} rows, expected ${size} (dimension mismatch)`);
  return m.map((row, i) => {
    if (!Array.isArray(row) || row.length !== size) throw new InputError(`${name} row ${i} has ${Array.isArray(row) ? row.length : 'no'} entries, expected ${size} (dimension mismatch)`);
    return row.map((x, j) => rationalOf(x, `${name}[${i}][${j}]`));
  });
}

export function rIdentity(n: number): RMatrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? Rational.ONE : Rational.ZERO)));
}

export function rZeros(r: number, c = r): RMatrix {
  return Array.from({ length: r }, () => new Array<Rational>(c).fill(Rational.ZERO));
}

export function rMul(a: RMatrix, b: RMatrix): RMatrix {
  const n = a.length, k = b.length, m = b[0]!.length;
  const out = rZeros(n, m);
  for (let i = 0; i < n; i++)
    for (let l = 0; l < k; l++) {
      const ail = a[i]![l]!;
      if (ail.isZero()) continue;
      for (let j = 0; j < m; j++) if (!b[l]![j]!.isZero()) out[i]![j] = out[i]![j]!.add(ail.mul(b[l]![j]!));
    }
  return out;
}

export function rTranspose(a: RMatrix): RMatrix {
  return a[0]!.map((_, j) => a.map((row) => row[j]!));
}

export function rAdd(a: RMatrix, b: RMatrix, kb: Rational = Rational.ONE): RMatrix {
  return a.map((row, i) => row.map((x, j) => x.add(b[i]![j]!.mul(kb))));
}

export function rScale(a: RMatrix, k: Rational): RMatrix {
  return a.map((row) => row.map((x) => x.mul(k)));
}

export function rEquals(a: RMatrix, b: RMatrix): boolean {
  return a.length === b.length && a.every((row, i) => row.length === b[i]!.length && row.every((x, j) => x.equals(b[i]![j]!)));
}

export function rToFloat(a: RMatrix): Float64Array {
  const n = a.length, m = a[0]!.length;
  const out = new Float64Array(n * m);
  for (let i = 0; i < n; i++) for (let j = 0; j < m; j++) out[i * m + j] = a[i]![j]!.toNumber();
  return out;
}

/** x with M x = b by Gauss–Jordan elimination over Q (first non-zero pivot); undefined when M is singular. */
export function rSolve(M: RMatrix, b: Rational[]): Rational[] | undefined {
  const n = M.length;
  const a = M.map((row, i) => [...row, b[i]!]);
  for (let c = 0; c < n; c++) {
    let p = c;
    while (p < n && a[p]![c]!.isZero()) p++;
    if (p === n) return undefined;
    [a[c], a[p]] = [a[p]!, a[c]!];
    const inv = a[c]![c]!.inv();
    const rowC = a[c]!.map((x) => x.mul(inv));
    a[c] = rowC;
    for (let r = 0; r < n; r++) {
      if (r === c) continue;
      const f = a[r]![c]!;
      if (f.isZero()) continue;
      const row = a[r]!;
      for (let j = c; j <= n; j++) if (!rowC[j]!.isZero()) row[j] = row[j]!.sub(f.mul(rowC[j]!));
    }
  }
  return a.map((row) => row[n]!);
}

/** M⁻¹ over Q, or undefined when M is singular. */
export function rInverse(M: RMatrix): RMatrix | undefined {
  const n = M.length;
  const cols: Rational[][] = [];
  for (let j = 0; j < n; j++) {
    const x = rSolve(M, Array.from({ length: n }, (_, i) => (i === j ? Rational.ONE : Rational.ZERO)));
    if (!x) return undefined;
    cols.push(x);
  }
  return rTranspose(cols);
}

function checkSymmetric(Q: RMatrix, name: string): void {
  for (let i = 0; i < Q.length; i++)
    for (let j = 0; j < i; j++) if (!Q[i]![j]!.equals(Q[j]![i]!)) throw new InputError(`${name} must be symmetric: entry (${i}, ${j}) differs from (${j}, ${i})`);
}

function checkSize(n: number, maxDim: number, what: string): void {
  if (n > maxDim)
    throw new BudgetError(`${what}: n = ${n} exceeds the exact-solve budget maxDim = ${maxDim} (${(n * (n + 1)) / 2} rational unknowns); raise maxDim or use the float64 solver`);
}

/** Index of the unknown C_ij (i ≤ j) among the n(n+1)/2 upper-triangle entries. */
function upperIndex(n: number): (i: number, j: number) => number {
  const idx: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  let k = 0;
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) idx[i]![j] = idx[j]![i] = k++;
  return (i, j) => idx[i]![j]!;
}

function symmetricFrom(n: number, x: Rational[], at: (i: number, j: number) => number): RMatrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => x[at(i, j)]!));
}

/**
 * The exact solution C of A C + C Aᵀ = 2D (D symmetric): the stationary covariance of dx = −A x dt + √(2D) dW
 * when A is stable. Throws an InputError when the linear system is singular (eigenvalues of A with
 * λ_i + λ_j = 0: no unique solution).
 */
export function lyapunovExact(A: RMatrix, D: RMatrix, opts: { maxDim?: number } = {}): RMatrix {
  const n = A.length;
  checkSize(n, opts.maxDim ?? EXACT_MAX_DIM, 'lyapunovExact');
  checkSymmetric(D, 'D');
  const at = upperIndex(n);
  const m = (n * (n + 1)) / 2;
  const M = rZeros(m);
  const rhs: Rational[] = new Array<Rational>(m);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const row = M[at(i, j)]!;
      // (A C)_ij + (A C)_ji = Σ_k A_ik C_kj + Σ_k A_jk C_ki
      for (let k = 0; k < n; k++) {
        row[at(k, j)] = row[at(k, j)]!.add(A[i]![k]!);
        row[at(k, i)] = row[at(k, i)]!.add(A[j]![k]!);
      }
      rhs[at(i, j)] = D[i]![j]!.mul(Rational.TWO);
    }
  const x = rSolve(M, rhs);
  if (!x) throw new InputError('lyapunovExact: A C + C Aᵀ = 2D has no unique solution (A has eigenvalues with λ_i + λ_j = 0, e.g. a zero or imaginary eigenvalue): no stationary covariance');
  return symmetricFrom(n, x, at);
}

/**
 * The exact solution X of X = M X Mᵀ + Q (Q symmetric): the stationary covariance of z_{k+1} = M z_k + ξ_k,
 * Cov ξ = Q, when ρ(M) < 1. Throws an InputError when the system is singular (λ_i λ_j = 1).
 */
export function discreteLyapunovExact(M: RMatrix, Q: RMatrix, opts: { maxDim?: number } = {}): RMatrix {
  const n = M.length;
  checkSize(n, opts.maxDim ?? EXACT_MAX_DIM, 'discreteLyapunovExact');
  checkSymmetric(Q, 'Q');
  const at = upperIndex(n);
  const m = (n * (n + 1)) / 2;
  const S = rZeros(m);
  const rhs: Rational[] = new Array<Rational>(m);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const row = S[at(i, j)]!;
      row[at(i, j)] = row[at(i, j)]!.add(Rational.ONE);
      // − Σ_{k,l} M_ik X_kl M_jl
      for (let k = 0; k < n; k++) {
        const mik = M[i]![k]!;
        if (mik.isZero()) continue;
        for (let l = 0; l < n; l++) {
          const mjl = M[j]![l]!;
          if (!mjl.isZero()) row[at(k, l)] = row[at(k, l)]!.sub(mik.mul(mjl));
        }
      }
      rhs[at(i, j)] = Q[i]![j]!;
    }
  const x = rSolve(S, rhs);
  if (!x) throw new InputError('discreteLyapunovExact: X = M X Mᵀ + Q has no unique solution (M has eigenvalues with λ_i λ_j = 1): no stationary covariance');
  return symmetricFrom(n, x, at);
}
