/**
 * Eigen-decomposition of a real symmetric matrix by the cyclic Jacobi method (Golub & Van Loan, §8.5):
 * rotations annihilate the off-diagonal entries until they are below round-off; eigenvalues ascending,
 * eigenvectors as the columns of V (row-major). O(n³) per sweep, ~6–10 sweeps; for the per-mode analysis of
 * Hessians (docs/theory/langevin.md, "Linear regression: exact solutions": ω_i² = 2(λ_i + λ)/(η(1+β))).
 */
import { InputError } from '../errors.ts';
import { type MatrixInput, toDense } from './linalg.ts';

export interface SymmetricEigen {
  /** ascending */
  values: Float64Array;
  /** column j is the eigenvector of values[j] (row-major n×n, orthonormal) */
  vectors: Float64Array;
  n: number;
}

export function symmetricEigen(aIn: MatrixInput, where = 'symmetricEigen'): SymmetricEigen {
  const n = aIn instanceof Float64Array ? Math.round(Math.sqrt(aIn.length)) : aIn.length;
  if (n === 0) throw new InputError(`${where}: the matrix is empty`);
  const a = toDense(aIn, n, 'the matrix', where);
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(a[i]!));
  for (let i = 0; i < n; i++)
    for (let j = 0; j < i; j++)
      if (Math.abs(a[i * n + j]! - a[j * n + i]!) > 1e-12 * Math.max(scale, 1e-300)) throw new InputError(`${where}: the matrix is not symmetric at (${i}, ${j})`);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += a[i * n + j]! ** 2;
    if (off <= (1e-32 * scale * scale) || off === 0) break;
    for (let p = 0; p < n; p++)
      for (let q = p + 1; q < n; q++) {
        const apq = a[p * n + q]!;
        if (apq === 0) continue;
        const theta = (a[q * n + q]! - a[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) { // columns p, q
          const akp = a[k * n + p]!, akq = a[k * n + q]!;
          a[k * n + p] = c * akp - s * akq;
          a[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) { // rows p, q
          const apk = a[p * n + k]!, aqk = a[q * n + k]!;
          a[p * n + k] = c * apk - s * aqk;
          a[q * n + k] = s * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k * n + p]!, vkq = v[k * n + q]!;
          v[k * n + p] = c * vkp - s * vkq;
          v[k * n + q] = s * vkp + c * vkq;
        }
      }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => a[x * n + x]! - a[y * n + y]!);
  const values = Float64Array.from(order, (i) => a[i * n + i]!);
  const vectors = new Float64Array(n * n);
  order.forEach((src, dst) => { for (let k = 0; k < n; k++) vectors[k * n + dst] = v[k * n + src]!; });
  return { values, vectors, n };
}
