/**
 * A register-tiled WebAssembly SIMD (f64x2) matrix product on strided operands in the module's memory:
 *
 *     gemmt(A, B, C, M, K, N, lda, ldb, ldc, flags, diag, js):   C[M×N] (=|+=|−=) A[M×K] · B[K×N]
 *
 * (byte offsets and byte row strides). B_kj lies at B + (j − j mod 4)·js + (j mod 4)·8 + k·ldb: js = 8 for a
 * plain row-major B; js = 8K, ldb = 32 for B packed in strips of four columns (each strip K×4 contiguous),
 * which the caller does for large operands so that the k loop reads B sequentially. Each 4×4 block of C is held in eight f64x2 registers while k runs
 * over the whole of K: per k, four splatted entries of A and two vectors of B feed sixteen f64x2 operations,
 * and C is loaded and stored once per block instead of once per four k as in an i-k-j kernel.
 * The last N mod 4 columns are done as 4×2 blocks and single entries, the last M mod 4 rows as 1×4 and 1×2
 * blocks and single entries.
 *
 * Every entry is the sequential sum c = c₀ ± a_{i0} b_{0j} ± a_{i1} b_{1j} ± … in the order of k, with
 * c₀ = 0 (flag bit 0 clear) or the entry of C (bit 0 set); bit 1 set subtracts the products. So a product
 * split into k-blocks, each call accumulating onto C, rounds exactly as one call, and the result is
 * bit-identical to the i-k-j JavaScript kernels of dense.ts (which add a_ik b_kj to a running sum in k order).
 * Bit 2 set: only the blocks that reach the upper triangle j + diag ≥ i (in block coordinates; `diag` is
 * the column offset minus the row offset of the block) are computed — for symmetric products, which the
 * caller mirrors; entries below it may or may not be written.
 */
import { F64, I32, V128, type FuncDef, op } from './wasm-asm.ts';

const enum T {
  A = 0, B, C, M, K, N, LDA, LDB, LDC, FL, DIAG, JS, // params
  I, J, P, Q, END, MT, NT, PA, PC, KB, L2, L3, J0, CT, // i32 locals
  C00, C01, C10, C11, C20, C21, C30, C31, S, B0, B1, // v128 locals
  SC, // f64 local
}

const { get, set } = op;
const add = op.i32Add;

/** `for (v = start; v < limit; v += step) body` with the limit an i32 local. */
function forUp(v: T, start: number[][], limit: T, step: number, body: number[][]): number[][] {
  return [
    ...start, set(v),
    op.block(), op.loop(),
    get(v), get(limit), op.i32GeU(), op.brIf(1),
    ...body,
    get(v), op.i32Const(step), add(), set(v), op.br(0),
    op.end(), op.end(),
  ];
}

const accs = [[T.C00, T.C01], [T.C10, T.C11], [T.C20, T.C21], [T.C30, T.C31]] as const;

/** address of row r (0..3) of the 4-row block at pointer local `p` with byte stride local `ld` (L2, L3 = 2ld, 3ld) */
function rowAddr(p: T, ld: T, r: number): number[][] {
  if (r === 0) return [get(p)];
  return [get(p), get(r === 1 ? ld : r === 2 ? T.L2 : T.L3), add()];
}

/** the address of B_kj for the current J (see the header): B + (J − J mod 4)·js + (J mod 4)·8 */
const bColumn: number[][] = [
  get(T.B), get(T.J), op.i32Const(-4), op.i32And(), get(T.JS), op.i32Mul(), add(),
  get(T.J), op.i32Const(3), op.i32And(), op.i32Const(3), op.i32Shl(), add(),
];

/**
 * the R×C block of C (R = 4 or 1 rows from PA/PC, C = 4 or 2 columns from J; C/2 f64x2 registers per row),
 * accumulating over all k; `sub` subtracts
 */
function tile(sub: boolean, R: 1 | 4, C: 2 | 4): number[][] {
  const acc = sub ? op.f64x2Sub() : op.f64x2Add();
  const regs = accs.slice(0, R).map((pair) => pair.slice(0, C / 2));
  const bRegs = [T.B0, T.B1].slice(0, C / 2);
  // the C block's rows use stride LDC, whose multiples are computed here (not in the k loop)
  const cRow = (r: number): number[][] => (r === 0 ? [get(T.CT)] : [get(T.CT), get(T.LDC), op.i32Const(r), op.i32Mul(), add()]);
  const init: number[][] = [
    get(T.FL), op.i32Const(1), op.i32And(), op.if(),
    ...regs.flatMap((row, r) => row.flatMap((v, h) => [...cRow(r), op.v128Load(16 * h), set(v)])),
    op.else(),
    op.f64Const(0), op.f64x2Splat(), set(T.C00),
    ...regs.flat().slice(1).flatMap((v) => [get(T.C00), set(v)]),
    op.end(),
  ];
  const kStep: number[][] = [
    ...bRegs.flatMap((v, h) => [get(T.Q), op.v128Load(16 * h), set(v)]),
    ...regs.flatMap((row, r) => [
      ...rowAddr(T.P, T.LDA, r), op.f64Load(), op.f64x2Splat(), set(T.S),
      ...row.flatMap((v, h) => [get(v), get(T.S), get(bRegs[h]!), op.f64x2Mul(), acc, set(v)]),
    ]),
    get(T.P), op.i32Const(8), add(), set(T.P),
    get(T.Q), get(T.LDB), add(), set(T.Q),
  ];
  return [
    get(T.PC), get(T.J), op.i32Const(3), op.i32Shl(), add(), set(T.CT),
    ...init,
    get(T.PA), set(T.P),
    ...bColumn, set(T.Q),
    op.block(), op.loop(),
    get(T.P), get(T.END), op.i32GeU(), op.brIf(1),
    ...kStep,
    op.br(0),
    op.end(), op.end(),
    ...regs.flatMap((row, r) => row.flatMap((v, h) => [...cRow(r), get(v), op.v128Store(16 * h)])),
  ];
}

/** one entry C[row at PC/PA, column J]: sequential sum over k in the scalar local SC */
function cell(sub: boolean): number[][] {
  const acc = sub ? op.f64Sub() : op.f64Add();
  return [
    get(T.PC), get(T.J), op.i32Const(3), op.i32Shl(), add(), set(T.CT),
    get(T.FL), op.i32Const(1), op.i32And(), op.if(), get(T.CT), op.f64Load(), set(T.SC), op.else(), op.f64Const(0), set(T.SC), op.end(),
    get(T.PA), set(T.P),
    ...bColumn, set(T.Q),
    op.block(), op.loop(),
    get(T.P), get(T.END), op.i32GeU(), op.brIf(1),
    get(T.SC), get(T.P), op.f64Load(), get(T.Q), op.f64Load(), op.f64Mul(), acc, set(T.SC),
    get(T.P), op.i32Const(8), add(), set(T.P),
    get(T.Q), get(T.LDB), add(), set(T.Q),
    op.br(0),
    op.end(), op.end(),
    get(T.CT), get(T.SC), op.f64Store(),
  ];
}

/** J0 = upper-only ? max(0, I − diag) rounded down to a multiple of 4 : 0 */
function firstColumn(round: boolean): number[][] {
  return [
    op.i32Const(0),
    get(T.I), get(T.DIAG), op.i32Sub(), ...(round ? [op.i32Const(-4), op.i32And()] : []),
    get(T.I), get(T.DIAG), op.i32Sub(), op.i32Const(0), op.i32LtS(),
    get(T.FL), op.i32Const(4), op.i32And(), op.i32Eqz(), op.i32Or(),
    op.select(),
    set(T.J0),
  ];
}

function body(sub: boolean): number[][] {
  const setRow: number[][] = [
    get(T.A), get(T.I), get(T.LDA), op.i32Mul(), add(), set(T.PA),
    get(T.C), get(T.I), get(T.LDC), op.i32Mul(), add(), set(T.PC),
    get(T.PA), get(T.KB), add(), set(T.END),
  ];
  // one column pair at J if J + 2 ≤ N, then the last column entry by entry if N is odd (J advanced)
  const pairThenCell = (R: 1 | 4): number[][] => [
    get(T.J), op.i32Const(2), add(), get(T.N), op.i32LeU(), op.if(), ...tile(sub, R, 2), get(T.J), op.i32Const(2), add(), set(T.J), op.end(),
    get(T.J), get(T.N), op.i32LtU(), op.if(),
    ...(R === 1
      ? cell(sub)
      : [0, 1, 2, 3].flatMap((r) => [
          ...(r === 0 ? [] : [get(T.PA), get(T.LDA), add(), set(T.PA), get(T.PC), get(T.LDC), add(), set(T.PC), get(T.PA), get(T.KB), add(), set(T.END)]),
          ...cell(sub),
        ])),
    op.end(),
  ];
  // four rows: 4×4 blocks, then a 4×2 block and single entries for the last N mod 4 columns
  const blockRows: number[][] = [
    ...setRow,
    ...firstColumn(true),
    ...forUp(T.J, [get(T.J0)], T.NT, 4, tile(sub, 4, 4)),
    get(T.NT), get(T.J0), op.i32LtU(), op.if(), get(T.J0), set(T.J), op.else(), get(T.NT), set(T.J), op.end(),
    ...pairThenCell(4),
  ];
  // one of the last M mod 4 rows: 1×4 blocks, then a 1×2 block and a single entry
  const lastRows: number[][] = [
    ...setRow,
    ...firstColumn(true),
    ...forUp(T.J, [get(T.J0)], T.NT, 4, tile(sub, 1, 4)),
    get(T.NT), get(T.J0), op.i32LtU(), op.if(), get(T.J0), set(T.J), op.else(), get(T.NT), set(T.J), op.end(),
    ...pairThenCell(1),
  ];
  return [
    ...forUp(T.I, [op.i32Const(0)], T.MT, 4, blockRows),
    ...forUp(T.I, [get(T.MT)], T.M, 1, lastRows),
  ];
}

/** The exported function `gemmt` (see the header). */
export function gemmTiledFunc(): FuncDef {
  const prologue: number[][] = [
    get(T.K), op.i32Const(3), op.i32Shl(), set(T.KB),
    get(T.M), op.i32Const(-4), op.i32And(), set(T.MT),
    get(T.N), op.i32Const(-4), op.i32And(), set(T.NT),
    get(T.LDA), op.i32Const(1), op.i32Shl(), set(T.L2),
    get(T.LDA), op.i32Const(3), op.i32Mul(), set(T.L3),
  ];
  return {
    name: 'gemmt',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [...Array<number>(14).fill(I32), ...Array<number>(11).fill(V128), F64] as FuncDef['locals'],
    body: [...prologue, get(T.FL), op.i32Const(2), op.i32And(), op.if(), ...body(true), op.else(), ...body(false), op.end()],
  };
}
