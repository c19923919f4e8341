/**
 * Dense least-squares gradient ∇L(θ) = Xᵀ(Xθ − y)/N for L = ‖Xθ − y‖²/(2N), X row-major N×P float64, as a
 * `GradFn` for the optimizers (`gd({ grad: leastSquaresGradient(X, y, N, P).grad, … })`).
 *
 * Both backends make one fused pass over the rows of X: r_i = X_i·θ − y_i, then out += (r_i/N) X_i while row i
 * is still in cache (same arithmetic as two mat-vecs up to the summation order of the dot products).
 * - 'wasm-simd': a WebAssembly module assembled at run time (kernels/wasm-asm.ts), f64x2 lanes, the dot
 *   product in four vector accumulators (8 partial sums), the axpy two vectors per iteration. X and y are
 *   copied into the module's memory once; each call copies θ in and the gradient out (2P doubles).
 * - 'js': the same pass in plain JavaScript, four accumulators and a 4-way unrolled axpy (the fallback).
 * 'auto' (default) picks 'wasm-simd' when the engine validates the module (V8 in Node ≥ 16.4), else 'js'.
 */
import { InputError } from '../../errors.ts';
import { F64, I32, V128, assemble, op } from './wasm-asm.ts';

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

// ---- the wasm kernel: lsgrad(X, y, theta, out, N, Pbytes, Nf) with byte offsets
const enum L {
  X = 0, Y, TH, OUT, N, PB, NF, // params
  I, ROW, J, P2, P4, P8, // i32 locals
  ACC0, ACC1, RV, ACC2, ACC3, // v128 locals
  S = ACC3 + 1, // f64 local
  N4, R1, R2, R3, // i32 locals of the four-row pass
  T, RV1, RV2, RV3, // v128 locals of the four-row pass
}

/**
 * Rows 0 … N4−1 four at a time: the four dot products X_i·θ share each load of θ (one f64x2 accumulator
 * per row), then out += r₀X₀ + r₁X₁ + r₂X₂ + r₃X₃ loads and stores `out` once per four rows (the single-row
 * pass did so per row). Leaves I = N4 and ROW at row N4.
 */
function fourRowPass(): number[][] {
  const { get, set, tee } = op;
  const accs = [L.ACC0, L.ACC1, L.ACC2, L.ACC3] as const;
  const rows = [L.ROW, L.R1, L.R2, L.R3] as const;
  const rvs = [L.RV, L.RV1, L.RV2, L.RV3] as const;
  const at = (base: L): number[][] => [get(base), get(L.J), op.i32Add()];
  const rowSum = (r: number): number[][] => [
    get(accs[r]!), op.f64x2ExtractLane(0), get(accs[r]!), op.f64x2ExtractLane(1), op.f64Add(), set(L.S),
    get(L.J), get(L.PB), op.i32LtU(), op.if(),
    get(L.S), ...at(rows[r]!), op.f64Load(), ...at(L.TH), op.f64Load(), op.f64Mul(), op.f64Add(), set(L.S),
    op.end(),
    get(L.S), get(L.Y), get(L.I), op.i32Const(r), op.i32Add(), op.i32Const(3), op.i32Shl(), op.i32Add(), op.f64Load(), op.f64Sub(), get(L.NF), op.f64Div(),
    op.f64x2Splat(), set(rvs[r]!),
  ];
  const axpy4 = (load: number[], store: number[], mul: number[], addOp: number[], lane: boolean): number[][] => [
    ...at(L.OUT),
    ...at(L.OUT), load,
    ...rows.flatMap((row, r) => [...(lane ? [get(rvs[r]!), op.f64x2ExtractLane(0)] : [get(rvs[r]!)]), ...at(row), load, mul, addOp]),
    store,
  ];
  return [
    get(L.N), op.i32Const(-4), op.i32And(), set(L.N4),
    op.block(), op.loop(),
    get(L.I), get(L.N4), op.i32GeU(), op.brIf(1),
    get(L.ROW), get(L.PB), op.i32Add(), tee(L.R1), get(L.PB), op.i32Add(), tee(L.R2), get(L.PB), op.i32Add(), set(L.R3),
    ...accs.flatMap((a) => [op.f64Const(0), op.f64x2Splat(), set(a)]),
    op.i32Const(0), set(L.J),
    op.block(), op.loop(),
    get(L.J), get(L.P2), op.i32GeU(), op.brIf(1),
    ...at(L.TH), op.v128Load(0), set(L.T),
    ...accs.flatMap((a, r) => [get(a), ...at(rows[r]!), op.v128Load(0), get(L.T), op.f64x2Mul(), op.f64x2Add(), set(a)]),
    get(L.J), op.i32Const(16), op.i32Add(), set(L.J), op.br(0),
    op.end(), op.end(),
    ...[0, 1, 2, 3].flatMap(rowSum),
    op.i32Const(0), set(L.J),
    op.block(), op.loop(),
    get(L.J), get(L.P2), op.i32GeU(), op.brIf(1),
    ...axpy4(op.v128Load(0), op.v128Store(0), op.f64x2Mul(), op.f64x2Add(), false),
    get(L.J), op.i32Const(16), op.i32Add(), set(L.J), op.br(0),
    op.end(), op.end(),
    get(L.J), get(L.PB), op.i32LtU(), op.if(),
    ...axpy4(op.f64Load(), op.f64Store(), op.f64Mul(), op.f64Add(), true),
    op.end(),
    get(L.R3), get(L.PB), op.i32Add(), set(L.ROW),
    get(L.I), op.i32Const(4), op.i32Add(), set(L.I),
    op.br(0),
    op.end(), op.end(),
  ];
}

function lsGradModule(): Uint8Array<ArrayBuffer> {
  const { get, set, tee } = op;
  const addr = (base: L): number[][] => [get(base), get(L.J), op.i32Add()];
  const body: number[][] = [
    // P2 = Pbytes & ~15, P4 = Pbytes & ~31
    get(L.PB), op.i32Const(-16), op.i32And(), set(L.P2),
    get(L.PB), op.i32Const(-32), op.i32And(), set(L.P4),
    get(L.PB), op.i32Const(-64), op.i32And(), set(L.P8),
    // out = 0
    op.i32Const(0), set(L.J),
    op.block(), op.loop(),
    get(L.J), get(L.PB), op.i32GeU(), op.brIf(1),
    ...addr(L.OUT), op.f64Const(0), op.f64Store(),
    get(L.J), op.i32Const(8), op.i32Add(), set(L.J), op.br(0),
    op.end(), op.end(),
    // rows: four at a time, then the last N mod 4 one by one
    op.i32Const(0), set(L.I), get(L.X), set(L.ROW),
    ...fourRowPass(),
    op.block(), op.loop(),
    get(L.I), get(L.N), op.i32GeU(), op.brIf(1),
    op.f64Const(0), op.f64x2Splat(), set(L.ACC0),
    op.f64Const(0), op.f64x2Splat(), set(L.ACC1),
    op.f64Const(0), op.f64x2Splat(), set(L.ACC2),
    op.f64Const(0), op.f64x2Splat(), set(L.ACC3),
    op.i32Const(0), set(L.J),
    // dot product, 8 doubles per iteration in four independent vector accumulators (add latency)
    op.block(), op.loop(),
    get(L.J), get(L.P8), op.i32GeU(), op.brIf(1),
    get(L.ACC0), ...addr(L.ROW), op.v128Load(0), ...addr(L.TH), op.v128Load(0), op.f64x2Mul(), op.f64x2Add(), set(L.ACC0),
    get(L.ACC1), ...addr(L.ROW), op.v128Load(16), ...addr(L.TH), op.v128Load(16), op.f64x2Mul(), op.f64x2Add(), set(L.ACC1),
    get(L.ACC2), ...addr(L.ROW), op.v128Load(32), ...addr(L.TH), op.v128Load(32), op.f64x2Mul(), op.f64x2Add(), set(L.ACC2),
    get(L.ACC3), ...addr(L.ROW), op.v128Load(48), ...addr(L.TH), op.v128Load(48), op.f64x2Mul(), op.f64x2Add(), set(L.ACC3),
    get(L.J), op.i32Const(64), op.i32Add(), set(L.J), op.br(0),
    op.end(), op.end(),
    // up to three pairs left
    op.block(), op.loop(),
    get(L.J), get(L.P2), op.i32GeU(), op.brIf(1),
    get(L.ACC0), ...addr(L.ROW), op.v128Load(0), ...addr(L.TH), op.v128Load(0), op.f64x2Mul(), op.f64x2Add(), set(L.ACC0),
    get(L.J), op.i32Const(16), op.i32Add(), set(L.J), op.br(0),
    op.end(), op.end(),
    // s = Σ lanes
    get(L.ACC0), get(L.ACC1), op.f64x2Add(), get(L.ACC2), get(L.ACC3), op.f64x2Add(), op.f64x2Add(), tee(L.ACC0),
    op.f64x2ExtractLane(0), get(L.ACC0), op.f64x2ExtractLane(1), op.f64Add(), set(L.S),
    // odd P: last element
    get(L.J), get(L.PB), op.i32LtU(), op.if(),
    get(L.S), ...addr(L.ROW), op.f64Load(), ...addr(L.TH), op.f64Load(), op.f64Mul(), op.f64Add(), set(L.S),
    op.end(),
    // r = (s − y_i) / N
    get(L.S), get(L.Y), get(L.I), op.i32Const(3), op.i32Shl(), op.i32Add(), op.f64Load(), op.f64Sub(), get(L.NF), op.f64Div(), tee(L.S),
    op.f64x2Splat(), set(L.RV),
    // out += r X_i, 4 doubles per iteration
    op.i32Const(0), set(L.J),
    op.block(), op.loop(),
    get(L.J), get(L.P4), op.i32GeU(), op.brIf(1),
    ...addr(L.OUT), ...addr(L.OUT), op.v128Load(0), get(L.RV), ...addr(L.ROW), op.v128Load(0), op.f64x2Mul(), op.f64x2Add(), op.v128Store(0),
    ...addr(L.OUT), ...addr(L.OUT), op.v128Load(16), get(L.RV), ...addr(L.ROW), op.v128Load(16), op.f64x2Mul(), op.f64x2Add(), op.v128Store(16),
    get(L.J), op.i32Const(32), op.i32Add(), set(L.J), op.br(0),
    op.end(), op.end(),
    get(L.J), get(L.P2), op.i32LtU(), op.if(),
    ...addr(L.OUT), ...addr(L.OUT), op.v128Load(0), get(L.RV), ...addr(L.ROW), op.v128Load(0), op.f64x2Mul(), op.f64x2Add(), op.v128Store(0),
    get(L.J), op.i32Const(16), op.i32Add(), set(L.J),
    op.end(),
    get(L.J), get(L.PB), op.i32LtU(), op.if(),
    ...addr(L.OUT), ...addr(L.OUT), op.f64Load(), get(L.S), ...addr(L.ROW), op.f64Load(), op.f64Mul(), op.f64Add(), op.f64Store(),
    op.end(),
    // next row
    get(L.ROW), get(L.PB), op.i32Add(), set(L.ROW),
    get(L.I), op.i32Const(1), op.i32Add(), set(L.I),
    op.br(0),
    op.end(), op.end(),
  ];
  return assemble([
    {
      name: 'lsgrad',
      params: [I32, I32, I32, I32, I32, I32, F64],
      results: [],
      locals: [I32, I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, F64, I32, I32, I32, I32, V128, V128, V128, V128],
      body,
    },
  ]);
}

let cachedModule: WebAssembly.Module | null | undefined;

/** The compiled SIMD module, or null where the engine does not support wasm SIMD. */
export function lsGradWasmModule(): WebAssembly.Module | null {
  if (cachedModule !== undefined) return cachedModule;
  try {
    const bytes = lsGradModule();
    cachedModule = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    cachedModule = null;
  }
  return cachedModule;
}

/** The wasm-SIMD kernel (throws if wasm SIMD is unavailable). X and y are copied into its memory once. */
export function leastSquaresGradientWasm(X: Float64Array, y: Float64Array, N: number, P: number): GradKernel {
  checkShapes(X, y, N, P, 'leastSquaresGradientWasm');
  const mod = lsGradWasmModule();
  if (!mod) throw new InputError('leastSquaresGradientWasm: this engine does not support WebAssembly SIMD');
  const inst = new WebAssembly.Instance(mod, {});
  const mem = inst.exports['mem'] as WebAssembly.Memory;
  const fn = inst.exports['lsgrad'] as (x: number, y: number, th: number, out: number, n: number, pb: number, nf: number) => void;
  const align = (b: number): number => (b + 15) & ~15;
  const xOff = 0;
  const yOff = align(xOff + 8 * N * P);
  const thOff = align(yOff + 8 * N);
  const outOff = align(thOff + 8 * P);
  const total = align(outOff + 8 * P);
  if (total > 2 ** 31) throw new InputError(`leastSquaresGradientWasm: X is too large for one wasm memory (${total} bytes)`);
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
    fn(xOff, yOff, thOff, outOff, N, 8 * P, N);
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
  if (b === 'js' || (b === 'auto' && !lsGradWasmModule())) return { grad: leastSquaresGradientJs(X, y, N, P), backend: 'js' };
  return { grad: leastSquaresGradientWasm(X, y, N, P), backend: 'wasm-simd' };
}
