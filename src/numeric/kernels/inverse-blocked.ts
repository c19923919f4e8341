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
export type BlockProduct = (mode: '=' | '=-', M: number, K: number, N: number, a: Float64Array, aIdx: number, b: Float64Array, bIdx: number, c: Float64Array, cIdx: number) => void;

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
