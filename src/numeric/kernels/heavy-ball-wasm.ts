/**
 * The two-parameter heavy-ball SGD ensemble with Gaussian gradient noise in WebAssembly SIMD (the fast path
 * of `sgdGaussianEnsemble` for n = 2; docs/theory/langevin.md "Discrete update"). Two functions on one memory:
 *
 * - `step`: chain c's two parameters are one f64x2 vector, so every chain is updated by vector operations
 *
 *       g_c ← g_c + (F z_c)/√S,   F = [[f00, f01], [f10, f11]]  (a square root of Σ)
 *       θ_c ← θ_c − η(g_c + λθ_c) + β(θ_c − θ_c,prev),   θ_c,prev ← θ_c (old)
 *
 *   with the operations in exactly the order of the scalar JavaScript update (f00 z0 + f01 z1, then ·(1/√S),
 *   then added to g; (θ − η(g + λθ)) + β(θ − θ_prev)), and no fused multiply-add in WebAssembly, so every
 *   chain rounds bit for bit as `sgdGaussian` does;
 * - `zig2`: the next two Ziggurat normals of every chain's generator, four xoshiro128** generators per i32x4
 *   vector (see `zigFunction`), the numbers of `RngBank.fillNormal(z, 2)`.
 *
 * θ, θ_prev, g and z live in the module's memory as [B × 2] row-major arrays; `heavyBallNoise2Wasm(B, seed)`
 * returns Float64Array views of them (the gradient callback writes into the view of g directly, nothing is
 * copied per step).
 */
import { F64, I32, V128, assemble, op, type FuncDef } from './wasm-asm.ts';
import { Rng, zigguratAbscissae, zigguratSlowPath } from '../prng.ts';

const enum H {
  TH = 0, PR, G, Z, B, F00, F01, F10, F11, INVS, ETA, LAM, BETA, // params
  O, END, // i32 locals
  C0, C1, ZV, T, GV, // v128 locals
}

function stepFunction(): FuncDef {
  const { get, set, tee } = op;
  const col = (a: H, b: H): number[][] => [get(a), op.f64x2Splat(), get(b), op.f64x2ReplaceLane(1)];
  const splat = (x: H): number[][] => [get(x), op.f64x2Splat()];
  const at = (base: H): number[][] => [get(base), get(H.O), op.i32Add()];
  const body: number[][] = [
    // columns of F as vectors: C0 = (f00, f10), C1 = (f01, f11)
    ...col(H.F00, H.F10), set(H.C0),
    ...col(H.F01, H.F11), set(H.C1),
    get(H.B), op.i32Const(4), op.i32Shl(), set(H.END),
    op.i32Const(0), set(H.O),
    op.block(), op.loop(),
    get(H.O), get(H.END), op.i32GeU(), op.brIf(1),
    // noise (f00 z0 + f01 z1, f10 z0 + f11 z1), then g + noise·(1/√S)
    ...at(H.Z), op.v128Load(0), set(H.ZV),
    ...at(H.G), op.v128Load(0),
    get(H.C0), get(H.ZV), op.f64x2ExtractLane(0), op.f64x2Splat(), op.f64x2Mul(),
    get(H.C1), get(H.ZV), op.f64x2ExtractLane(1), op.f64x2Splat(), op.f64x2Mul(),
    op.f64x2Add(),
    ...splat(H.INVS), op.f64x2Mul(),
    op.f64x2Add(), set(H.GV),
    // θ_new = (θ − η(g + λθ)) + β(θ − θ_prev)
    ...at(H.TH),
    ...at(H.TH), op.v128Load(0), tee(H.T),
    ...splat(H.ETA), get(H.GV), ...splat(H.LAM), get(H.T), op.f64x2Mul(), op.f64x2Add(), op.f64x2Mul(),
    op.f64x2Sub(),
    ...splat(H.BETA), get(H.T), ...at(H.PR), op.v128Load(0), op.f64x2Sub(), op.f64x2Mul(),
    op.f64x2Add(),
    op.v128Store(0),
    // θ_prev = θ (old)
    ...at(H.PR), get(H.T), op.v128Store(0),
    get(H.O), op.i32Const(16), op.i32Add(), set(H.O),
    op.br(0),
    op.end(), op.end(),
  ];
  return {
    name: 'step',
    params: [I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64],
    results: [],
    locals: [I32, I32, V128, V128, V128, V128, V128],
    body,
  };
}

const enum Z {
  ST = 0, ZO, G, ZX, SCR, // params
  Q, END, U1, U2, IX, // i32 locals
  S0, S1, S2, S3, UV1, UV2, M, T, // v128 locals
  X, // f64 local
}

/**
 * `zig2(ST, Z, G, ZX, SCR)`: two Ziggurat normals for each of 4G streams, four streams per i32x4 vector:
 * the xoshiro128** states of streams 4q … 4q+3 are the four lanes of the words s0 … s3 at ST + 64q (so one
 * vector step advances four generators), and each lane then takes the path of `xoZigguratFill` (prng.ts) in
 * scalar code: layer i = u1 & 255, x = ((u1 >>> 9)·2^30 + (u2 >>> 2))·2^−53·X_i, accepted if x < X_{i+1} with
 * the sign from bit 8; otherwise the lane's state is written to SCR and the host's slow path (the same
 * function as in prng.ts: wedges, tail) draws the value and advances that state, which is read back.
 * Stream c's two normals go to Z + 16c (the z row of chain c), the numbers of `new Rng(seed + c)`.
 */
function zigFunction(): FuncDef {
  const { get, set, tee } = op;
  const vxor = (a: Z, b: Z): number[][] => [get(a), get(b), op.v128Xor(), set(a)];
  const rotl = (v: number[][], k: number, tmp: Z): number[][] => [...v, tee(tmp), op.i32Const(k), op.i32x4Shl(), get(tmp), op.i32Const(32 - k), op.i32x4ShrU(), op.v128Or()];
  /** one xoshiro128** step of the four lanes; leaves the output vector on the stack */
  const xo = (): number[][] => [
    ...rotl([get(Z.S1), op.i32Const(5), op.i32x4Splat(), op.i32x4Mul()], 7, Z.M), op.i32Const(9), op.i32x4Splat(), op.i32x4Mul(),
    get(Z.S1), op.i32Const(9), op.i32x4Shl(), set(Z.T),
    ...vxor(Z.S2, Z.S0), ...vxor(Z.S3, Z.S1), ...vxor(Z.S1, Z.S2), ...vxor(Z.S0, Z.S3), ...vxor(Z.S2, Z.T),
    ...rotl([get(Z.S3)], 11, Z.M), set(Z.S3),
  ];
  const S = [Z.S0, Z.S1, Z.S2, Z.S3] as const;
  const laneCode = (l: number, d: number): number[][] => [
    get(Z.UV1), op.i32x4ExtractLane(l), set(Z.U1),
    get(Z.UV2), op.i32x4ExtractLane(l), set(Z.U2),
    get(Z.U1), op.i32Const(255), op.i32And(), op.i32Const(3), op.i32Shl(), get(Z.ZX), op.i32Add(), set(Z.IX),
    get(Z.U1), op.i32Const(9), op.i32ShrU(), op.f64ConvertI32U(), op.f64Const(1073741824), op.f64Mul(),
    get(Z.U2), op.f64ConvertI32U(), op.f64Add(), op.f64Const(1 / 9007199254740992), op.f64Mul(),
    get(Z.IX), op.f64Load(0), op.f64Mul(), set(Z.X),
    get(Z.X), get(Z.IX), op.f64Load(8), op.f64Lt(), op.if(),
    // fast path: x · (1 − ((u1 >>> 7) & 2))
    get(Z.ZO), get(Z.X), op.i32Const(1), get(Z.U1), op.i32Const(7), op.i32ShrU(), op.i32Const(2), op.i32And(), op.i32Sub(), op.f64ConvertI32S(), op.f64Mul(),
    op.f64Store(16 * l + 8 * d),
    op.else(),
    // slow path on the host: lane l's state to SCR, the draw, the advanced state back into lane l
    ...S.flatMap((v, w) => [get(Z.SCR), get(v), op.i32x4ExtractLane(l), op.i32Store(4 * w)]),
    get(Z.ZO),
    get(Z.SCR), get(Z.U1), op.i32Const(255), op.i32And(), get(Z.X), get(Z.U1), op.i32Const(256), op.i32And(), op.i32Eqz(), op.call(0),
    op.f64Store(16 * l + 8 * d),
    ...S.flatMap((v, w) => [get(v), get(Z.SCR), op.i32Load(4 * w), op.i32x4ReplaceLane(l), set(v)]),
    op.end(),
  ];
  const body: number[][] = [
    get(Z.G), op.i32Const(6), op.i32Shl(), get(Z.ST), op.i32Add(), set(Z.END),
    get(Z.ST), set(Z.Q),
    op.block(), op.loop(),
    get(Z.Q), get(Z.END), op.i32GeU(), op.brIf(1),
    ...S.flatMap((v, w) => [get(Z.Q), op.v128Load(16 * w), set(v)]),
    ...[0, 1].flatMap((d) => [
      ...xo(), set(Z.UV1),
      ...xo(), op.i32Const(2), op.i32x4ShrU(), set(Z.UV2),
      ...[0, 1, 2, 3].flatMap((l) => laneCode(l, d)),
    ]),
    ...S.flatMap((v, w) => [get(Z.Q), get(v), op.v128Store(16 * w)]),
    get(Z.Q), op.i32Const(64), op.i32Add(), set(Z.Q),
    get(Z.ZO), op.i32Const(64), op.i32Add(), set(Z.ZO),
    op.br(0),
    op.end(), op.end(),
  ];
  return {
    name: 'zig2',
    params: [I32, I32, I32, I32, I32],
    results: [],
    locals: [I32, I32, I32, I32, I32, V128, V128, V128, V128, V128, V128, V128, V128, F64],
    body,
  };
}

function hbModule(): Uint8Array<ArrayBuffer> {
  return assemble([stepFunction(), zigFunction()], 1, [{ name: 'slow', params: [I32, I32, F64, I32], results: [F64] }]);
}

let cached: WebAssembly.Module | null | undefined;

/** The compiled module, or null where the engine has no WebAssembly SIMD. */
export function heavyBallNoise2Module(): WebAssembly.Module | null {
  if (cached !== undefined) return cached;
  try {
    const bytes = hbModule();
    cached = typeof WebAssembly !== 'undefined' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    cached = null;
  }
  return cached;
}

export interface HeavyBallNoise2 {
  /** [B × 2] views into the module's memory (valid for the kernel's lifetime) */
  theta: Float64Array;
  prev: Float64Array;
  g: Float64Array;
  z: Float64Array;
  /** one update of every chain from the current θ, θ_prev, g and z (see the header) */
  step(f00: number, f01: number, f10: number, f11: number, invSqrtS: number, eta: number, lambda: number, beta: number): void;
  /** z ← the next two Ziggurat normals of every chain's stream (chain c: the stream of `new Rng(seed + c)`) */
  fillNormals(): void;
}

/**
 * A kernel for B chains whose Ziggurat streams start as `new Rng(seed + c)`, or null where wasm SIMD is
 * missing or the arrays do not fit one wasm memory. Memory: θ, θ_prev, g ([B × 2] each), z ([4G × 2],
 * G = ⌈B/4⌉ groups of four streams; the last group is padded with the streams of seeds seed + B …), the
 * generator states (64 bytes per group), the Ziggurat abscissae and a 16-byte scratch state.
 */
export function heavyBallNoise2Wasm(B: number, seed = 0): HeavyBallNoise2 | null {
  const mod = heavyBallNoise2Module();
  if (!mod || !Number.isInteger(B) || B <= 0) return null;
  const G = Math.ceil(B / 4);
  const off = { th: 0, pr: 16 * B, g: 32 * B, z: 48 * B, st: 48 * B + 64 * G, zx: 48 * B + 128 * G, scr: 48 * B + 128 * G + 2064 };
  const bytes = off.scr + 16;
  if (bytes > 2 ** 31) return null;
  let i32 = new Int32Array(0);
  const slow = (o: number, i: number, x: number, positive: number): number => zigguratSlowPath(i32, o >> 2, i, x, positive !== 0);
  const inst = new WebAssembly.Instance(mod, { env: { slow } });
  const mem = inst.exports['mem'] as WebAssembly.Memory;
  const step = inst.exports['step'] as (th: number, pr: number, g: number, z: number, b: number, ...f: number[]) => void;
  const zig2 = inst.exports['zig2'] as (st: number, z: number, g: number, zx: number, scr: number) => void;
  const pages = Math.ceil(bytes / 65536);
  const have = mem.buffer.byteLength / 65536;
  if (pages > have) mem.grow(pages - have);
  const buf = mem.buffer;
  i32 = new Int32Array(buf);
  new Float64Array(buf, off.zx, 257).set(zigguratAbscissae());
  // states, word-major within each group of four streams: word w of stream 4q + l at st + 64q + 16w + 4l
  for (let c = 0; c < 4 * G; c++) {
    const words = new Rng(seed + c).state();
    for (let w = 0; w < 4; w++) i32[(off.st + 64 * (c >> 2) + 16 * w + 4 * (c & 3)) >> 2] = words[w]! | 0;
  }
  const view = (at: number, n: number): Float64Array => new Float64Array(buf, at, n);
  return {
    theta: view(off.th, 2 * B),
    prev: view(off.pr, 2 * B),
    g: view(off.g, 2 * B),
    z: view(off.z, 2 * B),
    step: (f00, f01, f10, f11, invSqrtS, eta, lambda, beta) => step(off.th, off.pr, off.g, off.z, B, f00, f01, f10, f11, invSqrtS, eta, lambda, beta),
    fillNormals: () => zig2(off.st, off.z, G, off.zx, off.scr),
  };
}
