/**
 * Dense least-squares gradient ∇L(θ) = Xᵀ(Xθ − y)/N for L = ‖Xθ − y‖²/(2N), X row-major N×P float64, as a
 * `GradFn` for the optimizers (`gd({ grad: leastSquaresGradient(X, y, N, P).grad, … })`).
 *
 * Both backends make one fused pass over the rows of X: r_i = X_i·θ − y_i, then out += (r_i/N) X_i while row i
 * is still in cache (same arithmetic as two mat-vecs up to the summation order of the dot products).
 * - 'wasm-simd': a WebAssembly module assembled at run time for the given P (kernels/wasm-asm.ts), f64x2
 *   lanes, rows six at a time (six dot products per sweep of θ, then one sweep adding the six scaled rows to
 *   the gradient; see `lsGradModule`). X and y are copied into the module's memory once; each call copies θ
 *   in and the gradient out (2P doubles).
 * - 'js': the same pass in plain JavaScript, four accumulators and a 4-way unrolled axpy (the fallback).
 * 'auto' (default) picks 'wasm-simd' when the engine validates the module (V8 in Node ≥ 16.4), else 'js'.
 */
import { InputError } from '../../errors.ts';
import { F64, I32, V128, assemble, op, type ValType } from './wasm-asm.ts';

export type GradKernel = (theta: Float64Array, out: Float64Array) => void;
export type LsBackend = 'wasm-simd' | 'js';

function checkShapes(X: Float64Array, y: Float64Array, N: number, P: number, where: string): void {
  if (!Number.isInteger(N) || N <= 0 || !Number.isInteger(P) || P <= 0) throw new InputError(`${where}: N and P must be positive integers, got ${N}, ${P}`);
  if (X.length !== N * P) throw new InputError(`${where}: X has ${X.length} entries, expected N·P = ${N * P} (dimension mismatch)`);
  if (y.length !== N) throw new InputError(`${where}: y has length ${y.length}, expected N = ${N} (dimension mismatch)`);
}

/** The plain-JavaScript kernel. Keeps references to X and y (not copied). */
export function leastSquaresGradientJs(X: Float64Array, y: Float64Array, N: number, P: number): GradKernel {
  checkShapes(X, y, N, P, 'leastSquaresGradientJs');
  const P4 = P - (P % 4);
  return (theta, out) => {
    out.fill(0);
    for (let i = 0; i < N; i++) {
      const o = i * P;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      let j = 0;
      for (; j < P4; j += 4) {
        s0 += X[o + j]! * theta[j]!;
        s1 += X[o + j + 1]! * theta[j + 1]!;
        s2 += X[o + j + 2]! * theta[j + 2]!;
        s3 += X[o + j + 3]! * theta[j + 3]!;
      }
      for (; j < P; j++) s0 += X[o + j]! * theta[j]!;
      const ri = (s0 + s1 + s2 + s3 - y[i]!) / N;
      j = 0;
      for (; j < P4; j += 4) {
        out[j] = out[j]! + ri * X[o + j]!;
        out[j + 1] = out[j + 1]! + ri * X[o + j + 1]!;
        out[j + 2] = out[j + 2]! + ri * X[o + j + 2]!;
        out[j + 3] = out[j + 3]! + ri * X[o + j + 3]!;
      }
      for (; j < P; j++) out[j] = out[j]! + ri * X[o + j]!;
    }
  };
}

// ---- the wasm kernel: lsgrad(X, y, theta, out, N, Nf) with byte offsets, one module per P

/** Rows per block of the wasm kernel: six dot products share each load of θ, and the gradient is loaded and
 * stored once per six rows (measured at 1000×100 on x64: 4 rows 14.0, 6 rows 14.9, 8 rows 13.4 GFLOP/s; with
 * more rows V8 spills the accumulators). */
export const LS_ROWS_PER_BLOCK = 6;

/** `+`-reduce the terms as a balanced tree (shorter dependency chain than a left fold). */
function addTree(terms: number[][][], add: number[]): number[][] {
  let t = terms;
  while (t.length > 1) {
    const next: number[][][] = [];
    for (let k = 0; k + 1 < t.length; k += 2) next.push([...t[k]!, ...t[k + 1]!, add]);
    if (t.length % 2) next.push(t[t.length - 1]!);
    t = next;
  }
  return t[0]!;
}

/**
 * The module of `lsgrad(X, Y, TH, OUT, N, NF)` for a fixed P (byte offsets X, Y, TH, OUT; NF = N as f64).
 * P is baked in: every row of a block sits at a constant byte offset r·8P from the block's first row, so each
 * load is one instruction `[base + index + offset]` with no address arithmetic (V8 folds the memarg offset).
 * Rows are taken R = LS_ROWS_PER_BLOCK at a time, then the last N mod R one by one:
 *   1. s_r = X_r·θ for the R rows in one sweep over j (one f64x2 accumulator per row, θ loaded once per pair);
 *      odd P adds the last product in scalar;
 *   2. ρ_r = (s_r − y_r)/N;
 *   3. out_j += Σ_r ρ_r X_rj in one sweep (the R products summed as a tree, then added to out_j).
 * The j loops step one f64x2 pair at a time: unrolling them further made TurboFan hoist all loads to the top
 * of the loop and spill (measured slower).
 */
function lsGradModule(P: number, rowsPerBlock: number): Uint8Array<ArrayBuffer> {
  const { get, set } = op;
  const pX = 0, pY = 1, pTH = 2, pOUT = 3, pN = 4, pNF = 5;
  const nParams = 6;
  const locals: ValType[] = [];
  const local = (t: ValType): number => nParams + locals.push(t) - 1;
  const I = local(I32), ROW = local(I32), J = local(I32), RP = local(I32), QP = local(I32), NB = local(I32), YP = local(I32);
  const acc = Array.from({ length: rowsPerBlock }, () => local(V128));
  const T = local(V128);
  const rv = Array.from({ length: rowsPerBlock }, () => local(V128));
  const PB = 8 * P;
  const JEND = 16 * (P >> 1); // bytes covered by whole f64x2 pairs
  const odd = P & 1;
  const last = 8 * (P - 1);

  /** the loop `for (J = 0; J < JEND; J += 16) body(RP = ROW + J, QP = base + J)` (omitted when P = 1) */
  const pairLoop = (base: number, body: number[][]): number[][] =>
    JEND === 0
      ? []
      : [
          op.i32Const(0), set(J),
          op.loop(),
          get(ROW), get(J), op.i32Add(), set(RP), get(base), get(J), op.i32Add(), set(QP),
          ...body,
          get(J), op.i32Const(16), op.i32Add(), set(J),
          get(J), op.i32Const(JEND), op.i32LtU(), op.brIf(0),
          op.end(),
        ];

  function blockPass(R: number): number[][] {
    const rows = Array.from({ length: R }, (_, r) => r);
    const dot = pairLoop(pTH, [
      get(QP), op.v128Load(0), set(T),
      ...rows.flatMap((r) => [get(acc[r]!), get(RP), op.v128Load(r * PB), get(T), op.f64x2Mul(), op.f64x2Add(), set(acc[r]!)]),
    ]);
    const residuals = rows.flatMap((r) => [
      get(acc[r]!), op.f64x2ExtractLane(0), get(acc[r]!), op.f64x2ExtractLane(1), op.f64Add(),
      ...(odd ? [get(ROW), op.f64Load(r * PB + last), get(pTH), op.f64Load(last), op.f64Mul(), op.f64Add()] : []),
      get(YP), op.f64Load(8 * r), op.f64Sub(), get(pNF), op.f64Div(), op.f64x2Splat(), set(rv[r]!),
    ]);
    const axpy = pairLoop(pOUT, [
      get(QP),
      get(QP), op.v128Load(0),
      ...addTree(rows.map((r) => [get(rv[r]!), get(RP), op.v128Load(r * PB), op.f64x2Mul()]), op.f64x2Add()),
      op.f64x2Add(), op.v128Store(0),
    ]);
    const oddTail = odd
      ? [
          get(pOUT),
          get(pOUT), op.f64Load(last),
          ...addTree(rows.map((r) => [get(rv[r]!), op.f64x2ExtractLane(0), get(ROW), op.f64Load(r * PB + last), op.f64Mul()]), op.f64Add()),
          op.f64Add(), op.f64Store(last),
        ]
      : [];
    return [
      ...rows.flatMap((r) => [op.f64Const(0), op.f64x2Splat(), set(acc[r]!)]),
      ...dot,
      get(pY), get(I), op.i32Const(3), op.i32Shl(), op.i32Add(), set(YP),
      ...residuals,
      ...axpy,
      ...oddTail,
      get(ROW), op.i32Const(R * PB), op.i32Add(), set(ROW),
      get(I), op.i32Const(R), op.i32Add(), set(I),
    ];
  }
  /** while (I < limit) body */
  const whileRows = (limit: number, body: number[][]): number[][] => [
    op.block(), op.loop(), get(I), get(limit), op.i32GeU(), op.brIf(1), ...body, op.br(0), op.end(), op.end(),
  ];
  const body: number[][] = [
    // out = 0
    op.i32Const(0), set(J),
    op.block(), op.loop(), get(J), op.i32Const(PB), op.i32GeU(), op.brIf(1),
    get(pOUT), get(J), op.i32Add(), op.f64Const(0), op.f64Store(),
    get(J), op.i32Const(8), op.i32Add(), set(J), op.br(0),
    op.end(), op.end(),
    op.i32Const(0), set(I), get(pX), set(ROW),
    // NB = N − N mod R: rows in whole blocks
    get(pN), get(pN), op.i32Const(rowsPerBlock), op.i32RemU(), op.i32Sub(), set(NB),
    ...whileRows(NB, blockPass(rowsPerBlock)),
    ...whileRows(pN, blockPass(1)),
  ];
  return assemble([{ name: 'lsgrad', params: [I32, I32, I32, I32, I32, F64], results: [], locals, body }]);
}

const moduleCache = new Map<number, WebAssembly.Module | null>();
const MODULE_CACHE_SIZE = 32;

/** The compiled SIMD module for P columns (cached per P), or null where the engine does not support wasm SIMD. */
export function lsGradWasmModule(P = 2): WebAssembly.Module | null {
  if (!Number.isInteger(P) || P <= 0) throw new InputError(`lsGradWasmModule: P must be a positive integer, got ${P}`);
  // a block of rows must fit one wasm memory (2 GiB here): its byte offsets are i32 constants
  if (8 * P * LS_ROWS_PER_BLOCK >= 2 ** 31) throw new InputError(`lsGradWasmModule: P = ${P} is too large for one wasm memory`);
  const hit = moduleCache.get(P);
  if (hit !== undefined) return hit;
  let mod: WebAssembly.Module | null;
  try {
    const bytes = lsGradModule(P, LS_ROWS_PER_BLOCK);
    mod = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    mod = null;
  }
  if (moduleCache.size >= MODULE_CACHE_SIZE) moduleCache.delete(moduleCache.keys().next().value!);
  moduleCache.set(P, mod);
  return mod;
}

/** The wasm-SIMD kernel (throws if wasm SIMD is unavailable). X and y are copied into its memory once. */
export function leastSquaresGradientWasm(X: Float64Array, y: Float64Array, N: number, P: number): GradKernel {
  checkShapes(X, y, N, P, 'leastSquaresGradientWasm');
  const align = (b: number): number => Math.ceil(b / 16) * 16; // arithmetic: sizes may exceed int32
  const xOff = 0;
  const yOff = align(xOff + 8 * N * P);
  const thOff = align(yOff + 8 * N);
  const outOff = align(thOff + 8 * P);
  const total = align(outOff + 8 * P);
  if (total > 2 ** 31) throw new InputError(`leastSquaresGradientWasm: X is too large for one wasm memory (${total} bytes)`);
  const mod = lsGradWasmModule(P);
  if (!mod) throw new InputError('leastSquaresGradientWasm: this engine does not support WebAssembly SIMD');
  const inst = new WebAssembly.Instance(mod, {});
  const mem = inst.exports['mem'] as WebAssembly.Memory;
  const fn = inst.exports['lsgrad'] as (x: number, y: number, th: number, out: number, n: number, nf: number) => void;
  const pages = Math.ceil(total / 65536);
  const have = mem.buffer.byteLength / 65536;
  if (pages > have) mem.grow(pages - have);
  const f64 = new Float64Array(mem.buffer);
  f64.set(X, xOff / 8);
  f64.set(y, yOff / 8);
  const th = f64.subarray(thOff / 8, thOff / 8 + P);
  const out = f64.subarray(outOff / 8, outOff / 8 + P);
  return (theta, o) => {
    th.set(theta.length === P ? theta : theta.subarray(0, P));
    fn(xOff, yOff, thOff, outOff, N, N);
    o.set(out);
  };
}

/** Pick a backend (default 'auto': wasm SIMD where available, else JS). */
export function leastSquaresGradient(
  X: Float64Array,
  y: Float64Array,
  N: number,
  P: number,
  opts: { backend?: LsBackend | 'auto' } = {},
): { grad: GradKernel; backend: LsBackend } {
  const b = opts.backend ?? 'auto';
  if (b !== 'auto' && b !== 'wasm-simd' && b !== 'js') throw new InputError(`leastSquaresGradient: unknown backend '${String(b)}'`);
  // 'auto' falls back to JS where wasm SIMD is missing or X does not fit one wasm memory (2 GiB)
  const fits = 8 * (N * P + N + 2 * P) + 64 <= 2 ** 31 && 8 * P * LS_ROWS_PER_BLOCK < 2 ** 31;
  if (b === 'js' || (b === 'auto' && (!fits || !lsGradWasmModule()))) return { grad: leastSquaresGradientJs(X, y, N, P), backend: 'js' };
  return { grad: leastSquaresGradientWasm(X, y, N, P), backend: 'wasm-simd' };
}
