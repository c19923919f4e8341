/**
 * Inverses of the LU factors by recursive blocking, most of the work in a fast matrix product (the wasm
 * SIMD kernel of gemm-wasm.ts): for a unit lower L = [[L11, 0], [L21, L22]],
 *     L⁻¹ = [[L11⁻¹, 0], [−L22⁻¹ L21 L11⁻¹, L22⁻¹]],
 * and for an upper U = [[U11, U12], [0, U22]],
 *     U⁻¹ = [[U11⁻¹, −U11⁻¹ U12 U22⁻¹], [0, U22⁻¹]]
 * (the block forms of LAPACK's trtri), the diagonal blocks recursively down to `BASE` rows, done by the row
 * recurrences of dense.ts. The off-diagonal blocks take two products each; their triangular operands are
 * multiplied as full blocks (zeros included), which the fast product repays.
 * All matrices are n×n row-major with row stride n; a block is named by the element offset of its (0, 0).
 */
/** C (mode) A B on blocks (row stride n) at element offsets; C must not overlap A or B. */
export type BlockProduct = (mode: '=' | '+=' | '-=' | '=-', M: number, K: number, N: number, a: Float64Array, aIdx: number, b: Float64Array, bIdx: number, c: Float64Array, cIdx: number) => void;

import { factorPanel } from './dense.ts';

/** diagonal blocks at most this size are inverted by the row recurrences */
const BASE = 16;

/** the split of a block of size s: the first part a multiple of 4 (the product's register tile) */
function split(s: number): number {
  const h = (s >> 1) & ~3;
  return h > 0 ? h : s >> 1;
}

function zeroBlock(x: Float64Array, n: number, o: number, rows: number, cols: number): void {
  for (let i = 0; i < rows; i++) x.fill(0, o + i * n, o + i * n + cols);
}

/** Z = L⁻¹ on the s×s block at o (L unit lower, multipliers below the diagonal of `m`): rows, Z_i = e_i − Σ_{k<i} L_ik Z_k. */
function lowerUnitInverseBase(m: Float64Array, n: number, o: number, s: number, Z: Float64Array): void {
  for (let i = 0; i < s; i++) {
    const zi = o + i * n;
    Z.fill(0, zi, zi + s);
    for (let k = 0; k < i; k++) {
      const l = m[zi + k]!;
      if (l === 0) continue;
      const zk = o + k * n;
      for (let j = 0; j <= k; j++) Z[zi + j] = Z[zi + j]! - l * Z[zk + j]!;
    }
    Z[zi + i] = 1;
  }
}

/** W = U⁻¹ on the s×s block at o (U upper in `m`): rows from the bottom, W_i = (e_i − Σ_{k>i} U_ik W_k)/U_ii. */
function upperInverseBase(m: Float64Array, n: number, o: number, s: number, W: Float64Array): void {
  for (let i = s - 1; i >= 0; i--) {
    const wi = o + i * n;
    W.fill(0, wi, wi + s);
    W[wi + i] = 1;
    for (let k = i + 1; k < s; k++) {
      const u = m[wi + k]!;
      if (u === 0) continue;
      const wk = o + k * n;
      for (let j = k; j < s; j++) W[wi + j] = W[wi + j]! - u * W[wk + j]!;
    }
    const d = 1 / m[wi + i]!;
    for (let j = i; j < s; j++) W[wi + j] = W[wi + j]! * d;
  }
}

/**
 * Z = L⁻¹ (unit lower part of `m`) on the s×s block at o; `scratch` (same shape) receives intermediate products.
 * All four arrays must be operands `product` accepts.
 */
export function lowerUnitInverseBlocked(m: Float64Array, n: number, Z: Float64Array, scratch: Float64Array, product: BlockProduct, o = 0, s = n): void {
  if (s <= BASE) return lowerUnitInverseBase(m, n, o, s, Z);
  const h = split(s), r = s - h;
  const o21 = o + h * n, o22 = o21 + h;
  lowerUnitInverseBlocked(m, n, Z, scratch, product, o, h);
  lowerUnitInverseBlocked(m, n, Z, scratch, product, o22, r);
  zeroBlock(Z, n, o + h, h, r);
  product('=', r, h, h, m, o21, Z, o, scratch, o21); // L21 Z11
  product('=-', r, r, h, Z, o22, scratch, o21, Z, o21); // Z21 = −Z22 (L21 Z11)
}

/** W = U⁻¹ (upper part of `m`, diagonal included) on the s×s block at o; as `lowerUnitInverseBlocked`. */
export function upperInverseBlocked(m: Float64Array, n: number, W: Float64Array, scratch: Float64Array, product: BlockProduct, o = 0, s = n): void {
  if (s <= BASE) return upperInverseBase(m, n, o, s, W);
  const h = split(s), r = s - h;
  const o12 = o + h, o22 = o + h * n + h;
  upperInverseBlocked(m, n, W, scratch, product, o, h);
  upperInverseBlocked(m, n, W, scratch, product, o22, r);
  zeroBlock(W, n, o + h * n, r, h);
  product('=', h, r, r, m, o12, W, o22, scratch, o12); // U12 W22
  product('=-', h, h, r, W, o, scratch, o12, W, o12); // W12 = −W11 (U12 W22)
}

/**
 * C = W Z for W upper and Z lower triangular (A⁻¹ P⁻¹ = U⁻¹ L⁻¹): by blocks, C_IJ = Σ_{K ≥ max(I, J)} W_IK Z_KJ,
 * the K below max(I, J) being zero blocks; with eight block rows about 40 % of the full product's work.
 * The terms skipped are exact zeros, so C equals the full product W Z entry for entry.
 */
export function upperTimesLower(W: Float64Array, Z: Float64Array, C: Float64Array, n: number, product: BlockProduct): void {
  const bs = Math.max(16, Math.ceil(n / 8 / 4) * 4);
  const starts: number[] = [];
  for (let s = 0; s < n; s += bs) starts.push(s);
  const size = (b: number): number => Math.min(bs, n - starts[b]!);
  const nb = starts.length;
  for (let I = 0; I < nb; I++)
    for (let J = 0; J < nb; J++) {
      const i0 = starts[I]!, j0 = starts[J]!;
      for (let K = Math.max(I, J); K < nb; K++) {
        const k0 = starts[K]!;
        product(K === Math.max(I, J) ? '=' : '+=', size(I), size(K), size(J), W, i0 * n + k0, Z, k0 * n + j0, C, i0 * n + j0);
      }
    }
}

/** column panels at most this wide are factored by the unblocked loop */
const LU_BASE = 4;

/**
 * P A = L U in place in `m` (a copy of A) by recursive LU with partial pivoting (Toledo 1997; Gustavson's
 * recursive getrf): the left half of a column block is factored, then U12 = L11⁻¹ A12 and A22 −= L21 U12
 * by `product`, then the right half; panels of at most LU_BASE columns by the unblocked loop. Rows are swapped
 * across the whole matrix when the pivot is chosen, so `perm` and the factors are those of `luFactor`
 * (dense.ts) up to rounding; the same singularity test. Returns log|det A|.
 */
export function luFactorRecursive(m: Float64Array, n: number, perm: Int32Array, where: string, product: BlockProduct): number {
  for (let i = 0; i < n; i++) perm[i] = i;
  let scale = 0;
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(m[i]!));
  const tiny = 1e-15 * scale * Math.sqrt(n);
  let logAbsDet = 0;
  /** the unblocked factorisation of columns c0 .. c0+w−1 (rows c0 .. n−1) */
  const panel = (c0: number, w: number): void => {
    logAbsDet += factorPanel(m, n, perm, c0, c0 + w, tiny, where);
  };
  /** B ← L⁻¹ B for the unit lower s×s block L at element offset oL and the s×r block B at oB (in place) */
  const lowerSolve = (oL: number, s: number, oB: number, r: number): void => {
    if (s <= LU_BASE) {
      for (let i = 1; i < s; i++) {
        const bi = oB + i * n;
        for (let k = 0; k < i; k++) {
          const l = m[oL + i * n + k]!;
          if (l === 0) continue;
          const bk = oB + k * n;
          for (let j = 0; j < r; j++) m[bi + j] = m[bi + j]! - l * m[bk + j]!;
        }
      }
      return;
    }
    const h = split(s);
    lowerSolve(oL, h, oB, r);
    product('-=', s - h, h, r, m, oL + h * n, m, oB, m, oB + h * n);
    lowerSolve(oL + h * n + h, s - h, oB + h * n, r);
  };
  const factor = (c0: number, w: number): void => {
    if (w <= LU_BASE) return panel(c0, w);
    const h = split(w), r = w - h;
    factor(c0, h);
    const o11 = c0 * n + c0;
    lowerSolve(o11, h, o11 + h, r); // U12 = L11⁻¹ A12
    product('-=', n - c0 - h, h, r, m, o11 + h * n, m, o11 + h, m, o11 + h * n + h); // A22 −= L21 U12
    factor(c0 + h, r);
  };
  if (n > 0) factor(0, n);
  return logAbsDet;
}
