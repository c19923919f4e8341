/**
 * WebAssembly SIMD (f64x2) version of `gemm` / `gemmSymmetric` (kernels/dense.ts) for matrices that live in
 * the module's memory: same i-k-j order, same four-rows-of-B pass and the same order of additions
 * (((out + a0 b0) + a1 b1) + a2 b2) + a3 b3, so the results are bit-identical to the JavaScript kernels.
 *
 * `WasmMatrices` owns one memory (shared by every call; the numeric layer is synchronous) and hands out
 * Float64Array views into it, so JavaScript kernels (LU, transpose) and the wasm product work on the same
 * buffers without copies. Where wasm SIMD is missing, `wasmMatrices()` returns null and callers use dense.ts.
 */
import { InternalError } from '../../errors.ts';
import { I32, V128, assemble, op } from './wasm-asm.ts';

const enum G {
  A = 0, B, OUT, N, SYM, // params (byte offsets, n, upper-triangle flag)
  I, K, J, NB, ROWA, ROWO, BK, J0, K4, // i32 locals
  A0, A1, A2, A3, // v128 locals (splatted a_ik)
}

function gemmModule(): Uint8Array<ArrayBuffer> {
  const { get, set } = op;
  const add = op.i32Add;
  const at = (base: G, extra: number[][] = []): number[][] => [get(base), ...extra, get(G.J), add()];
  // v128 at B row k+r, column pair j: BK + r·NB + J
  const bAt = (r: number): number[][] => (r === 0 ? [get(G.BK), get(G.J), add()] : [get(G.BK), get(G.NB), op.i32Const(r), op.i32Mul(), add(), get(G.J), add()]);
  const fourPair: number[][] = [
    ...at(G.ROWO),
    ...at(G.ROWO), op.v128Load(0),
    get(G.A0), ...bAt(0), op.v128Load(0), op.f64x2Mul(), op.f64x2Add(),
    get(G.A1), ...bAt(1), op.v128Load(0), op.f64x2Mul(), op.f64x2Add(),
    get(G.A2), ...bAt(2), op.v128Load(0), op.f64x2Mul(), op.f64x2Add(),
    get(G.A3), ...bAt(3), op.v128Load(0), op.f64x2Mul(), op.f64x2Add(),
    op.v128Store(0),
  ];
  const lane0 = (v: G): number[][] => [get(v), op.f64x2ExtractLane(0)];
  const fourScalar: number[][] = [
    ...at(G.ROWO),
    ...at(G.ROWO), op.f64Load(),
    ...lane0(G.A0), ...bAt(0), op.f64Load(), op.f64Mul(), op.f64Add(),
    ...lane0(G.A1), ...bAt(1), op.f64Load(), op.f64Mul(), op.f64Add(),
    ...lane0(G.A2), ...bAt(2), op.f64Load(), op.f64Mul(), op.f64Add(),
    ...lane0(G.A3), ...bAt(3), op.f64Load(), op.f64Mul(), op.f64Add(),
    op.f64Store(),
  ];
  const onePair: number[][] = [
    ...at(G.ROWO), ...at(G.ROWO), op.v128Load(0), get(G.A0), ...bAt(0), op.v128Load(0), op.f64x2Mul(), op.f64x2Add(), op.v128Store(0),
  ];
  const oneScalar: number[][] = [
    ...at(G.ROWO), ...at(G.ROWO), op.f64Load(), ...lane0(G.A0), ...bAt(0), op.f64Load(), op.f64Mul(), op.f64Add(), op.f64Store(),
  ];
  /** j from J0 over pairs, then the odd last column */
  const sweep = (pair: number[][], scalar: number[][]): number[][] => [
    get(G.J0), set(G.J),
    op.block(), op.loop(),
    get(G.J), op.i32Const(16), add(), get(G.NB), op.i32GtU(), op.if(), op.br(2), op.end(), // stop when j + 16 > nb
    ...pair,
    get(G.J), op.i32Const(16), add(), set(G.J), op.br(0),
    op.end(), op.end(),
    get(G.J), get(G.NB), op.i32LtU(), op.if(), ...scalar, op.end(),
  ];
  const splatA = (dst: G, r: number): number[][] => [get(G.ROWA), get(G.K), op.i32Const(3), op.i32Shl(), add(), op.f64Load(8 * r), op.f64x2Splat(), set(dst)];
  const body: number[][] = [
    get(G.N), op.i32Const(3), op.i32Shl(), set(G.NB),
    get(G.N), op.i32Const(-4), op.i32And(), set(G.K4),
    op.i32Const(0), set(G.I),
    op.block(), op.loop(),
    get(G.I), get(G.N), op.i32GeU(), op.brIf(1),
    get(G.A), get(G.I), get(G.NB), op.i32Mul(), add(), set(G.ROWA),
    get(G.OUT), get(G.I), get(G.NB), op.i32Mul(), add(), set(G.ROWO),
    // J0 = sym ? 8i : 0
    get(G.I), op.i32Const(3), op.i32Shl(), get(G.SYM), op.i32Mul(), set(G.J0),
    // out[i, j0..] = 0
    get(G.J0), set(G.J),
    op.block(), op.loop(),
    get(G.J), get(G.NB), op.i32GeU(), op.brIf(1),
    ...at(G.ROWO), op.f64Const(0), op.f64Store(),
    get(G.J), op.i32Const(8), add(), set(G.J), op.br(0),
    op.end(), op.end(),
    // k in steps of 4
    op.i32Const(0), set(G.K),
    op.block(), op.loop(),
    get(G.K), get(G.K4), op.i32GeU(), op.brIf(1),
    ...splatA(G.A0, 0), ...splatA(G.A1, 1), ...splatA(G.A2, 2), ...splatA(G.A3, 3),
    get(G.B), get(G.K), get(G.NB), op.i32Mul(), add(), set(G.BK),
    ...sweep(fourPair, fourScalar),
    get(G.K), op.i32Const(4), add(), set(G.K), op.br(0),
    op.end(), op.end(),
    // remaining k one at a time
    op.block(), op.loop(),
    get(G.K), get(G.N), op.i32GeU(), op.brIf(1),
    ...splatA(G.A0, 0),
    get(G.B), get(G.K), get(G.NB), op.i32Mul(), add(), set(G.BK),
    ...sweep(onePair, oneScalar),
    get(G.K), op.i32Const(1), add(), set(G.K), op.br(0),
    op.end(), op.end(),
    get(G.I), op.i32Const(1), add(), set(G.I), op.br(0),
    op.end(), op.end(),
  ];
  return assemble([
    { name: 'gemm', params: [I32, I32, I32, I32, I32], results: [], locals: [I32, I32, I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128], body },
    { name: 'gemmsub', params: [I32, I32, I32, I32, I32, I32, I32], results: [], locals: [I32, I32, I32, I32, I32, I32, I32, I32, V128, V128, V128, V128], body: gemmSubBody() },
  ]);
}

const enum S {
  A = 0, B, C, M, K, N, LD, // params: byte offsets, sizes, row stride in bytes
  I, KK, J, NB, ROWA, ROWO, BK, K4, // i32 locals
  A0, A1, A2, A3, // v128 locals
}

/** C[M×N] −= A[M×K] B[K×N] (all with row stride LD bytes), i-k-j, four rows of B per pass, f64x2. */
function gemmSubBody(): number[][] {
  const { get, set } = op;
  const add = op.i32Add;
  const at = (base: S): number[][] => [get(base), get(S.J), add()];
  const bAt = (r: number): number[][] => (r === 0 ? [get(S.BK), get(S.J), add()] : [get(S.BK), get(S.LD), op.i32Const(r), op.i32Mul(), add(), get(S.J), add()]);
  const lane0 = (v: S): number[][] => [get(v), op.f64x2ExtractLane(0)];
  const four = (load: number[], mul: number[], addOp: number[], sub: number[], store: number[], lane: boolean): number[][] => [
    ...at(S.ROWO),
    ...at(S.ROWO), load,
    ...(lane ? lane0(S.A0) : [get(S.A0)]), ...bAt(0), load, mul,
    ...(lane ? lane0(S.A1) : [get(S.A1)]), ...bAt(1), load, mul, addOp,
    ...(lane ? lane0(S.A2) : [get(S.A2)]), ...bAt(2), load, mul, addOp,
    ...(lane ? lane0(S.A3) : [get(S.A3)]), ...bAt(3), load, mul, addOp,
    sub, store,
  ];
  const one = (load: number[], mul: number[], sub: number[], store: number[], lane: boolean): number[][] => [
    ...at(S.ROWO), ...at(S.ROWO), load, ...(lane ? lane0(S.A0) : [get(S.A0)]), ...bAt(0), load, mul, sub, store,
  ];
  const V = [op.v128Load(0), op.f64x2Mul(), op.f64x2Add(), op.f64x2Sub(), op.v128Store(0)] as const;
  const F = [op.f64Load(), op.f64Mul(), op.f64Add(), op.f64Sub(), op.f64Store()] as const;
  const sweep = (pair: number[][], scalar: number[][]): number[][] => [
    op.i32Const(0), set(S.J),
    op.block(), op.loop(),
    get(S.J), op.i32Const(16), add(), get(S.NB), op.i32GtU(), op.if(), op.br(2), op.end(),
    ...pair,
    get(S.J), op.i32Const(16), add(), set(S.J), op.br(0),
    op.end(), op.end(),
    get(S.J), get(S.NB), op.i32LtU(), op.if(), ...scalar, op.end(),
  ];
  const splatA = (dst: S, r: number): number[][] => [get(S.ROWA), get(S.KK), op.i32Const(3), op.i32Shl(), add(), op.f64Load(8 * r), op.f64x2Splat(), set(dst)];
  const setBK = [get(S.B), get(S.KK), get(S.LD), op.i32Mul(), add(), set(S.BK)];
  return [
    get(S.N), op.i32Const(3), op.i32Shl(), set(S.NB),
    get(S.K), op.i32Const(-4), op.i32And(), set(S.K4),
    op.i32Const(0), set(S.I),
    op.block(), op.loop(),
    get(S.I), get(S.M), op.i32GeU(), op.brIf(1),
    get(S.A), get(S.I), get(S.LD), op.i32Mul(), add(), set(S.ROWA),
    get(S.C), get(S.I), get(S.LD), op.i32Mul(), add(), set(S.ROWO),
    op.i32Const(0), set(S.KK),
    op.block(), op.loop(),
    get(S.KK), get(S.K4), op.i32GeU(), op.brIf(1),
    ...splatA(S.A0, 0), ...splatA(S.A1, 1), ...splatA(S.A2, 2), ...splatA(S.A3, 3),
    ...setBK,
    ...sweep(four(V[0], V[1], V[2], V[3], V[4], false), four(F[0], F[1], F[2], F[3], F[4], true)),
    get(S.KK), op.i32Const(4), add(), set(S.KK), op.br(0),
    op.end(), op.end(),
    op.block(), op.loop(),
    get(S.KK), get(S.K), op.i32GeU(), op.brIf(1),
    ...splatA(S.A0, 0),
    ...setBK,
    ...sweep(one(V[0], V[1], V[3], V[4], false), one(F[0], F[1], F[3], F[4], true)),
    get(S.KK), op.i32Const(1), add(), set(S.KK), op.br(0),
    op.end(), op.end(),
    get(S.I), op.i32Const(1), add(), set(S.I), op.br(0),
    op.end(), op.end(),
  ];
}

let cached: WebAssembly.Module | null | undefined;
function gemmWasmModule(): WebAssembly.Module | null {
  if (cached !== undefined) return cached;
  try {
    const bytes = gemmModule();
    cached = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    cached = null;
  }
  return cached;
}

export interface WasmMatrices {
  /** `count` n×n matrices as views into wasm memory (valid until the next `wasmMatrices` call). */
  views: Float64Array[];
  /** out = A B; out must not alias a or b. All three must be views from `views`. */
  gemm(a: Float64Array, b: Float64Array, out: Float64Array): void;
  /** on view `m` (row stride n): C −= A B with operands at element offsets (A M×K, B K×N, C M×N). */
  gemmSubIn(m: Float64Array): (aIdx: number, bIdx: number, cIdx: number, M: number, K: number, N: number) => void;
  /** out = A B for a symmetric product: upper triangle computed, mirrored. */
  gemmSymmetric(a: Float64Array, b: Float64Array, out: Float64Array): void;
}

let shared: { inst: WebAssembly.Instance; mem: WebAssembly.Memory } | undefined;

/** `count` n×n work matrices in wasm memory with the SIMD product, or null without wasm SIMD. */
export function wasmMatrices(n: number, count: number): WasmMatrices | null {
  const mod = gemmWasmModule();
  if (!mod) return null;
  const bytes = 8 * n * n * count;
  if (bytes > 2 ** 30) return null;
  if (!shared) {
    const inst = new WebAssembly.Instance(mod, {});
    shared = { inst, mem: inst.exports['mem'] as WebAssembly.Memory };
  }
  const { inst, mem } = shared;
  const pages = Math.ceil(bytes / 65536);
  const have = mem.buffer.byteLength / 65536;
  if (pages > have) mem.grow(pages - have);
  const buf = mem.buffer;
  const views = Array.from({ length: count }, (_, c) => new Float64Array(buf, 8 * n * n * c, n * n));
  const fn = inst.exports['gemm'] as (a: number, b: number, out: number, n: number, sym: number) => void;
  const off = (v: Float64Array): number => {
    if (v.buffer !== buf || v.length !== n * n) throw new InternalError('wasmMatrices: operand is not one of this set’s views');
    return v.byteOffset;
  };
  return {
    views,
    gemm: (a, b, out) => fn(off(a), off(b), off(out), n, 0),
    gemmSubIn: (m) => {
      const base = off(m);
      const sub = inst.exports['gemmsub'] as (a: number, b: number, c: number, M: number, K: number, N: number, ld: number) => void;
      return (aIdx, bIdx, cIdx, M, K, N) => sub(base + 8 * aIdx, base + 8 * bIdx, base + 8 * cIdx, M, K, N, 8 * n);
    },
    gemmSymmetric: (a, b, out) => {
      fn(off(a), off(b), off(out), n, 1);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i]!;
    },
  };
}
