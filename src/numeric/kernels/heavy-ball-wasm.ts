/**
 * One step of a two-parameter heavy-ball SGD ensemble with Gaussian gradient noise, in WebAssembly SIMD:
 * chain c's two parameters are one f64x2 vector, so every chain is updated by vector operations
 * (docs/theory/langevin.md "Discrete update"):
 *
 *     g_c ← g_c + (F z_c)/√S,   F = [[f00, f01], [f10, f11]]  (a square root of Σ)
 *     θ_c ← θ_c − η(g_c + λθ_c) + β(θ_c − θ_c,prev),   θ_c,prev ← θ_c (old)
 *
 * with the operations in exactly the order of the scalar JavaScript update (f00 z0 + f01 z1, then ·(1/√S),
 * then added to g; (θ − η(g + λθ)) + β(θ − θ_prev)), and no fused multiply-add in WebAssembly, so every chain
 * rounds bit for bit as `sgdGaussian` does. θ, θ_prev, g and z live in the module's memory as [B × 2]
 * row-major arrays; `heavyBallNoise2Wasm(B)` returns Float64Array views of them (the gradient callback and
 * the normal generator write into the views directly, nothing is copied per step).
 */
import { F64, I32, V128, assemble, op } from './wasm-asm.ts';

const enum H {
  TH = 0, PR, G, Z, B, F00, F01, F10, F11, INVS, ETA, LAM, BETA, // params
  O, END, // i32 locals
  C0, C1, ZV, T, GV, // v128 locals
}

function stepModule(): Uint8Array<ArrayBuffer> {
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
  return assemble([
    {
      name: 'step',
      params: [I32, I32, I32, I32, I32, F64, F64, F64, F64, F64, F64, F64, F64],
      results: [],
      locals: [I32, I32, V128, V128, V128, V128, V128],
      body,
    },
  ]);
}

let cached: WebAssembly.Module | null | undefined;

/** The compiled module, or null where the engine has no WebAssembly SIMD. */
export function heavyBallNoise2Module(): WebAssembly.Module | null {
  if (cached !== undefined) return cached;
  try {
    const bytes = stepModule();
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
}

/** A kernel for B chains, or null where wasm SIMD is missing or the four arrays do not fit one wasm memory. */
export function heavyBallNoise2Wasm(B: number): HeavyBallNoise2 | null {
  const mod = heavyBallNoise2Module();
  const bytes = 4 * 16 * B;
  if (!mod || !Number.isInteger(B) || B <= 0 || bytes > 2 ** 31) return null;
  const inst = new WebAssembly.Instance(mod, {});
  const mem = inst.exports['mem'] as WebAssembly.Memory;
  const fn = inst.exports['step'] as (th: number, pr: number, g: number, z: number, b: number, ...f: number[]) => void;
  const pages = Math.ceil(bytes / 65536);
  const have = mem.buffer.byteLength / 65536;
  if (pages > have) mem.grow(pages - have);
  const buf = mem.buffer;
  const view = (k: number): Float64Array => new Float64Array(buf, 16 * B * k, 2 * B);
  const [th, pr, g, z] = [0, 1, 2, 3].map((k) => 16 * B * k) as [number, number, number, number];
  return {
    theta: view(0),
    prev: view(1),
    g: view(2),
    z: view(3),
    step: (f00, f01, f10, f11, invSqrtS, eta, lambda, beta) => fn(th, pr, g, z, B, f00, f01, f10, f11, invSqrtS, eta, lambda, beta),
  };
}
