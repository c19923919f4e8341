/**
 * Small dense float64 helpers shared by the numeric layer: input checks with clear messages, matrices as
 * row-major Float64Array, a semi-definite-tolerant Cholesky factor (for the Gaussian gradient-noise model
 * Cov ε = Σ/S, docs/theory/langevin.md "Discrete update"), norms.
 */
import { InputError } from '../errors.ts';

/** A square matrix given as rows or as a row-major Float64Array of length n². */
export type MatrixInput = Float64Array | readonly (readonly number[])[];

export function checkEta(eta: number, where: string): void {
  if (typeof eta !== 'number' || !Number.isFinite(eta)) throw new InputError(`${where}: learning rate eta must be a finite number, got ${eta}`);
  if (eta <= 0) throw new InputError(`${where}: learning rate eta must be > 0, got ${eta}`);
}

export function checkBeta(beta: number, where: string): void {
  if (typeof beta !== 'number' || !Number.isFinite(beta) || beta < 0 || beta >= 1)
    throw new InputError(`${where}: momentum beta must lie in [0, 1), got ${beta}`);
}

export function checkSteps(steps: number, where: string): void {
  if (!Number.isInteger(steps) || steps < 0) throw new InputError(`${where}: number of steps must be a non-negative integer, got ${steps}`);
}

export function checkFiniteNonNeg(x: number, name: string, where: string): void {
  if (typeof x !== 'number' || !Number.isFinite(x) || x < 0) throw new InputError(`${where}: ${name} must be a finite number >= 0, got ${x}`);
}

export function checkVector(v: ArrayLike<number>, n: number, name: string, where: string): void {
  if (v.length !== n) throw new InputError(`${where}: ${name} has length ${v.length}, expected ${n} (dimension mismatch)`);
  for (let i = 0; i < n; i++) {
    if (!Number.isFinite(v[i]!)) throw new InputError(`${where}: ${name}[${i}] is not finite (${v[i]})`);
  }
}

/** Copy a MatrixInput into a new row-major n×n Float64Array, checking shape and finiteness. */
export function toDense(m: MatrixInput, n: number, name: string, where: string): Float64Array {
  const out = new Float64Array(n * n);
  if (m instanceof Float64Array) {
    if (m.length !== n * n) throw new InputError(`${where}: ${name} has ${m.length} entries, expected ${n}×${n} = ${n * n} (dimension mismatch)`);
    out.set(m);
  } else {
    if (m.length !== n) throw new InputError(`${where}: ${name} has ${m.length} rows, expected ${n} (dimension mismatch)`);
    for (let i = 0; i < n; i++) {
      const row = m[i]!;
      if (row.length !== n) throw new InputError(`${where}: ${name} row ${i} has ${row.length} entries, expected ${n} (dimension mismatch)`);
      for (let j = 0; j < n; j++) out[i * n + j] = row[j]!;
    }
  }
  for (let i = 0; i < n * n; i++) {
    if (!Number.isFinite(out[i]!)) throw new InputError(`${where}: ${name} has a non-finite entry at (${Math.floor(i / n)}, ${i % n})`);
  }
  return out;
}

/**
 * Lower Cholesky factor L (row-major, L Lᵀ = S) of a symmetric positive semi-definite matrix, in place into
 * `out`. Zero (or round-off negative, ≥ −tol·max diag) pivots give a zero column, so singular covariances
 * such as Σ ≈ σ²H of a rank-deficient regression are accepted. A clearly negative pivot or an asymmetric
 * input raises an Error.
 */
export function choleskyPsd(s: Float64Array, n: number, out: Float64Array = new Float64Array(n * n), where = 'cholesky'): Float64Array {
  let maxDiag = 0;
  for (let i = 0; i < n; i++) maxDiag = Math.max(maxDiag, Math.abs(s[i * n + i]!));
  const tol = 1e-12 * Math.max(maxDiag, Number.MIN_VALUE) * n;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const a = s[i * n + j]!;
      const b = s[j * n + i]!;
      if (Math.abs(a - b) > 1e-10 * Math.max(1, maxDiag)) throw new InputError(`${where}: covariance matrix is not symmetric at (${i}, ${j}): ${a} vs ${b}`);
    }
  }
  out.fill(0);
  for (let j = 0; j < n; j++) {
    let d = s[j * n + j]!;
    for (let k = 0; k < j; k++) d -= out[j * n + k]! * out[j * n + k]!;
    if (d < -tol) throw new InputError(`${where}: covariance matrix is not positive semi-definite (pivot ${d} at ${j})`);
    if (d <= tol) continue; // zero column
    const ljj = Math.sqrt(d);
    out[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let v = s[i * n + j]!;
      for (let k = 0; k < j; k++) v -= out[i * n + k]! * out[j * n + k]!;
      out[i * n + j] = v / ljj;
    }
  }
  return out;
}

export function norm2(v: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
  return Math.sqrt(s);
}

export function distance2(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!;
    s += d * d;
  }
  return Math.sqrt(s);
}
