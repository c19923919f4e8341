/**
 * Cache-friendly dense float64 kernels for square row-major matrices (used by the Lyapunov sign iteration):
 * - `gemm`: C = A B in i-k-j order with four rows of B per pass (out row loaded/stored once per 4 FMAs);
 * - `transpose`;
 * - `luInverse`: A⁻¹ and log|det A| by LU with partial pivoting (row-oriented right-looking factorisation,
 *   n³/3 FMAs), L⁻¹ by rows (n³/6, its zero upper triangle skipped), U⁻¹L⁻¹ by rows (n³/2), both four
 *   source rows per pass, and a column permutation: n³ FMAs in all (Gauss–Jordan needed 2n³). Pivot choices are those of Gauss–Jordan with partial pivoting.
 * No allocation beyond the outputs; plain Float64Array loops that V8 compiles to tight scalar code.
 */
import { InputError, InternalError } from '../../errors.ts';

/** out = A B (n×n). `out` must not alias `a` or `b`. */
export function gemm(a: Float64Array, b: Float64Array, n: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  const n4 = n - (n % 4);
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let j = 0; j < n; j++) out[oi + j] = 0;
    let k = 0;
    for (; k < n4; k += 4) {
      const a0 = a[oi + k]!, a1 = a[oi + k + 1]!, a2 = a[oi + k + 2]!, a3 = a[oi + k + 3]!;
      const b0 = k * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = 0; j < n; j++) out[oi + j] = out[oi + j]! + a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!;
    }
    for (; k < n; k++) {
      const ak = a[oi + k]!;
      const bk = k * n;
      for (let j = 0; j < n; j++) out[oi + j] = out[oi + j]! + ak * b[bk + j]!;
    }
  }
  return out;
}

/** out = Aᵀ (n×n), out ≠ a. */
export function transpose(a: Float64Array, n: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  const BS = 16;
  for (let ii = 0; ii < n; ii += BS)
    for (let jj = 0; jj < n; jj += BS) {
      const ie = Math.min(ii + BS, n), je = Math.min(jj + BS, n);
      for (let i = ii; i < ie; i++) for (let j = jj; j < je; j++) out[j * n + i] = a[i * n + j]!;
    }
  return out;
}

/**
 * The unblocked factorisation of the column panel c0 … ce−1 (rows c0 … n−1) with partial pivoting: each
 * pivot's row is swapped across the whole matrix (and in `perm`), its multipliers stored below the diagonal,
 * and the panel's columns to the right of it updated. A pivot ≤ `tiny` is singular to working precision
 * (an InputError). Shared by the blocked and the recursive LU; returns the panel's Σ log|pivot|.
 */
export function factorPanel(m: Float64Array, n: number, perm: Int32Array, c0: number, ce: number, tiny: number, where: string): number {
  let logAbsDet = 0;
  for (let c = c0; c < ce; c++) {
    let p = c;
    let best = Math.abs(m[c * n + c]!);
    for (let r = c + 1; r < n; r++) {
      const v = Math.abs(m[r * n + c]!);
      if (v > best) {
        best = v;
        p = r;
      }
    }
    if (!(best > 1e-300) || best <= tiny) throw new InputError(`${where}: matrix is singular to working precision (pivot ${best} in column ${c})`);
    if (p !== c) {
      const rc = c * n, rp = p * n;
      for (let j = 0; j < n; j++) {
        const t = m[rc + j]!;
        m[rc + j] = m[rp + j]!;
        m[rp + j] = t;
      }
      const t = perm[c]!;
      perm[c] = perm[p]!;
      perm[p] = t;
    }
    const rc = c * n;
    const piv = m[rc + c]!;
    logAbsDet += Math.log(Math.abs(piv));
    const ip = 1 / piv;
    for (let r = c + 1; r < n; r++) {
      const rr = r * n;
      const f = m[rr + c]! * ip;
      m[rr + c] = f;
      if (f === 0) continue;
      for (let j = c + 1; j < ce; j++) m[rr + j] = m[rr + j]! - f * m[rc + j]!;
    }
  }
  return logAbsDet;
}

/**
 * P A = L U in place in `m` (which must hold a copy of A): L unit lower (multipliers below the diagonal),
 * U upper; `perm[i]` is the row of A in row i of P A. Returns log|det A|. Throws (message starting with
 * `where`) if a pivot is below 1e-15·max|a_ij|·√n, as the earlier Gauss–Jordan routine did.
 */
export function luFactor(m: Float64Array, n: number, perm: Int32Array, where = 'lu'): number {
  // one panel as wide as the matrix: the unblocked factorisation (no trailing update is ever needed)
  return luFactorBlocked(m, n, perm, where, NO_TRAILING_UPDATE, Math.max(n, 1));
}

const NO_TRAILING_UPDATE: GemmSub = () => {
  throw new InternalError('luFactor: no trailing update with a single panel');
};

/** C −= A B on the factor matrix (row stride n), operands given by element offsets: A M×K, B K×N, C M×N. */
export type GemmSub = (aIdx: number, bIdx: number, cIdx: number, M: number, K: number, N: number) => void;

/** The plain-JS `GemmSub` on `m` (row stride n), i-k-j. */
export function gemmSubJs(m: Float64Array, n: number): GemmSub {
  return (aIdx, bIdx, cIdx, M, K, N) => {
    for (let i = 0; i < M; i++) {
      const ci = cIdx + i * n, ai = aIdx + i * n;
      for (let k = 0; k < K; k++) {
        const aik = m[ai + k]!;
        if (aik === 0) continue;
        const bk = bIdx + k * n;
        for (let j = 0; j < N; j++) m[ci + j] = m[ci + j]! - aik * m[bk + j]!;
      }
    }
  };
}

/**
 * Blocked right-looking LU with partial pivoting (LAPACK getrf order): panels of `nb` columns factored
 * unblocked, then U12 = L11⁻¹ A12 and the trailing update A22 −= L21 U12 through `gemmSub` (the wasm SIMD
 * kernel in the Lyapunov solver). Same pivots as `luFactor`; results equal up to rounding.
 */
export function luFactorBlocked(m: Float64Array, n: number, perm: Int32Array, where: string, gemmSub: GemmSub, nb = 32): number {
  for (let i = 0; i < n; i++) perm[i] = i;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(m[i]!));
  let logAbsDet = 0;
  for (let kb = 0; kb < n; kb += nb) {
    const be = Math.min(kb + nb, n);
    logAbsDet += factorPanel(m, n, perm, kb, be, 1e-15 * scale * Math.sqrt(n), where);
    if (be < n) {
      for (let i = kb + 1; i < be; i++) {
        const ri = i * n;
        for (let k = kb; k < i; k++) {
          const l = m[ri + k]!;
          if (l === 0) continue;
          const rk = k * n;
          for (let j = be; j < n; j++) m[ri + j] = m[ri + j]! - l * m[rk + j]!;
        }
      }
      gemmSub(be * n + kb, kb * n + be, be * n + be, n - be, be - kb, n - be);
    }
  }
  return logAbsDet;
}

/** Z = L⁻¹ for the unit lower factor in `m` (rows; row k of Z vanishes beyond column k: n³/6 FMAs). */
function lowerInverse(m: Float64Array, n: number, Y: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let j = 0; j < n; j++) Y[oi + j] = 0;
    let k = 0;
    const k4 = i - (i % 4);
    for (; k < k4; k += 4) {
      const l0 = m[oi + k]!, l1 = m[oi + k + 1]!, l2 = m[oi + k + 2]!, l3 = m[oi + k + 3]!;
      const y0 = k * n, y1 = y0 + n, y2 = y1 + n, y3 = y2 + n;
      const jEnd = k + 4;
      for (let j = 0; j < jEnd; j++) Y[oi + j] = Y[oi + j]! - (l0 * Y[y0 + j]! + l1 * Y[y1 + j]! + l2 * Y[y2 + j]! + l3 * Y[y3 + j]!);
    }
    for (; k < i; k++) {
      const l = m[oi + k]!;
      if (l === 0) continue;
      const yk = k * n;
      for (let j = 0; j <= k; j++) Y[oi + j] = Y[oi + j]! - l * Y[yk + j]!;
    }
    Y[oi + i] = 1;
  }
}

/**
 * The factors of A⁻¹ = U⁻¹ · L⁻¹ · P, for callers with a fast matrix product (the wasm path of the Lyapunov
 * solver): `W` = U⁻¹ (upper), `Z` = L⁻¹ (unit lower), `perm` as in `luFactor`; A⁻¹ is then (W Z) with
 * column k moved to column perm[k] (`permuteColumns`). JS work n³/3 + n³/6 + n³/6; with `gemmSub` (a fast
 * C −= A B on `work`) the LU is blocked and most of its n³/3 goes through that product.
 */
export function luInverseFactors(
  a: Float64Array,
  n: number,
  W: Float64Array,
  Z: Float64Array,
  perm: Int32Array,
  where = 'inverse',
  work: Float64Array = new Float64Array(n * n),
  gemmSub?: GemmSub,
): number {
  work.set(a);
  const logAbsDet = gemmSub ? luFactorBlocked(work, n, perm, where, gemmSub) : luFactor(work, n, perm, where);
  const m = work;
  lowerInverse(m, n, Z);
  // W = U⁻¹ by rows from the bottom: W_i = (e_i − Σ_{k>i} U_ik W_k) / U_ii, row k of W vanishes before column k
  for (let i = n - 1; i >= 0; i--) {
    const oi = i * n;
    for (let j = 0; j < n; j++) W[oi + j] = 0;
    W[oi + i] = 1;
    let k = i + 1;
    const kEnd4 = k + ((n - k) - ((n - k) % 4));
    for (; k < kEnd4; k += 4) {
      const u0 = m[oi + k]!, u1 = m[oi + k + 1]!, u2 = m[oi + k + 2]!, u3 = m[oi + k + 3]!;
      const x0 = k * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
      for (let j = k; j < n; j++) W[oi + j] = W[oi + j]! - (u0 * W[x0 + j]! + u1 * W[x1 + j]! + u2 * W[x2 + j]! + u3 * W[x3 + j]!);
    }
    for (; k < n; k++) {
      const u = m[oi + k]!;
      if (u === 0) continue;
      const xk = k * n;
      for (let j = k; j < n; j++) W[oi + j] = W[oi + j]! - u * W[xk + j]!;
    }
    const id = 1 / m[oi + i]!;
    for (let j = i; j < n; j++) W[oi + j] = W[oi + j]! * id;
  }
  return logAbsDet;
}

/** out[i, perm[k]] = x[i, k] (out ≠ x). */
export function permuteColumns(x: Float64Array, n: number, perm: Int32Array, out: Float64Array): Float64Array {
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let k = 0; k < n; k++) out[oi + perm[k]!] = x[oi + k]!;
  }
  return out;
}

/**
 * Inverse and log|det| by LU with partial pivoting (`luFactor`), L⁻¹ by rows, then U X = L⁻¹ by rows and
 * the column permutation. Throws if singular. `work` (n², optional) is scratch for the factors.
 */
export function luInverse(
  a: Float64Array,
  n: number,
  where = 'inverse',
  out: Float64Array = new Float64Array(n * n),
  work: Float64Array = new Float64Array(n * n),
): { inv: Float64Array; logAbsDet: number } {
  const m = work;
  m.set(a);
  const perm = new Int32Array(n);
  const logAbsDet = luFactor(m, n, perm, where);
  const Y = out;
  const n4 = (len: number): number => len - (len % 4);
  lowerInverse(m, n, Y);
  // backward: U X = Z, rows from the bottom: X_i = (Z_i − Σ_{k>i} U_ik X_k) / U_ii (in place in `out`)
  for (let i = n - 1; i >= 0; i--) {
    const oi = i * n;
    let k = i + 1;
    const kEnd4 = k + n4(n - k);
    for (; k < kEnd4; k += 4) {
      const u0 = m[oi + k]!, u1 = m[oi + k + 1]!, u2 = m[oi + k + 2]!, u3 = m[oi + k + 3]!;
      const x0 = k * n, x1 = x0 + n, x2 = x1 + n, x3 = x2 + n;
      for (let j = 0; j < n; j++) Y[oi + j] = Y[oi + j]! - (u0 * Y[x0 + j]! + u1 * Y[x1 + j]! + u2 * Y[x2 + j]! + u3 * Y[x3 + j]!);
    }
    for (; k < n; k++) {
      const u = m[oi + k]!;
      if (u === 0) continue;
      const xk = k * n;
      for (let j = 0; j < n; j++) Y[oi + j] = Y[oi + j]! - u * Y[xk + j]!;
    }
    const id = 1 / m[oi + i]!;
    for (let j = 0; j < n; j++) Y[oi + j] = Y[oi + j]! * id;
  }
  // A⁻¹ = X P: column k of X is column perm[k] of A⁻¹ (row by row through a scratch row)
  const row = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let k = 0; k < n; k++) row[perm[k]!] = Y[oi + k]!;
    for (let j = 0; j < n; j++) Y[oi + j] = row[j]!;
  }
  return { inv: Y, logAbsDet };
}

/**
 * out = A B for a product known to be symmetric (e.g. M S Mᵀ computed as M (S Mᵀ)): only the upper triangle
 * j ≥ i is computed (half the work of `gemm`) and mirrored into the lower one.
 */
export function gemmSymmetric(a: Float64Array, b: Float64Array, n: number, out: Float64Array = new Float64Array(n * n)): Float64Array {
  const n4 = n - (n % 4);
  for (let i = 0; i < n; i++) {
    const oi = i * n;
    for (let j = i; j < n; j++) out[oi + j] = 0;
    let k = 0;
    for (; k < n4; k += 4) {
      const a0 = a[oi + k]!, a1 = a[oi + k + 1]!, a2 = a[oi + k + 2]!, a3 = a[oi + k + 3]!;
      const b0 = k * n, b1 = b0 + n, b2 = b1 + n, b3 = b2 + n;
      for (let j = i; j < n; j++) out[oi + j] = out[oi + j]! + a0 * b[b0 + j]! + a1 * b[b1 + j]! + a2 * b[b2 + j]! + a3 * b[b3 + j]!;
    }
    for (; k < n; k++) {
      const ak = a[oi + k]!;
      const bk = k * n;
      for (let j = i; j < n; j++) out[oi + j] = out[oi + j]! + ak * b[bk + j]!;
    }
  }
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i]!;
  return out;
}
