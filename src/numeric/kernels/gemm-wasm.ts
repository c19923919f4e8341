/**
 * WebAssembly SIMD (f64x2) products `gemm` / `gemmSymmetric` (kernels/dense.ts) and C (=, +=, −=) A B on
 * blocks, for matrices that live in the module's memory: the register-tiled kernel of gemm-tiled.ts (4×4
 * blocks of C in registers), with B packed in strips and blocked (KC rows × NC columns, one block in L2) once
 * it is large. Every entry is summed in k order from 0, exactly as the i-k-j JavaScript kernels do, so the
 * results are bit-identical to them.
 *
 * `WasmMatrices` owns one memory (shared by every call; the numeric layer is synchronous) and hands out
 * Float64Array views into it, so JavaScript kernels (LU, transpose) and the wasm product work on the same
 * buffers without copies. Where wasm SIMD is missing, `wasmMatrices()` returns null and callers use dense.ts.
 */
import { InternalError } from '../../errors.ts';
import { assemble } from './wasm-asm.ts';
import { gemm } from './dense.ts';
import { gemmTiledFunc } from './gemm-tiled.ts';

function gemmModule(): Uint8Array<ArrayBuffer> {
  return assemble([gemmTiledFunc()]);
}

/** Products with B larger than this (K·N doubles) are blocked: B in KC×NC blocks, each packed (the L2 then holds it). */
const PACK_FROM = 24 * 24;
const KC = 256;
const NC = 256;
/** doubles of scratch after the views, for one packed block of B */
const PACK_DOUBLES = KC * NC;

type Gemmt = (a: number, b: number, c: number, M: number, K: number, N: number, lda: number, ldb: number, ldc: number, flags: number, diag: number, js: number) => void;

/**
 * C (op)= A B by `gemmt` (byte offsets/strides) over blocks of B: KC rows (each block accumulating onto C, so
 * rounding is that of one pass) by NC columns, each block's whole strips of four columns packed contiguously
 * at byte offset `pack` of `f64` (the memory); the last < 4 columns are read in place.
 */
function blockedProduct(fn: Gemmt, f64: Float64Array, pack: number, a: number, b: number, c: number, M: number, K: number, N: number, lda: number, ldb: number, ldc: number, flags: number, diag: number): void {
  if (K * N <= PACK_FROM || M < 8 || N < 4) {
    fn(a, b, c, M, K, N, lda, ldb, ldc, flags, diag, 8);
    return;
  }
  const ldbE = ldb / 8, packE = pack / 8;
  for (let j0 = 0; j0 < N; j0 += NC) {
    const nb = Math.min(NC, N - j0);
    const nb4 = nb - (nb % 4);
    for (let k0 = 0; k0 < K; k0 += KC) {
      const kb = Math.min(KC, K - k0);
      const fl = k0 === 0 ? flags : flags | 1;
      // pack B[k0 .. k0+kb, j0 .. j0+nb4] as strips: strip s holds (k, 4s..4s+3) at 4(s·kb + k)
      const src0 = b / 8 + k0 * ldbE + j0;
      for (let k = 0; k < kb; k++) {
        const src = src0 + k * ldbE;
        let dst = packE + 4 * k;
        for (let j = 0; j < nb4; j += 4, dst += 4 * kb) {
          f64[dst] = f64[src + j]!;
          f64[dst + 1] = f64[src + j + 1]!;
          f64[dst + 2] = f64[src + j + 2]!;
          f64[dst + 3] = f64[src + j + 3]!;
        }
      }
      fn(a + 8 * k0, pack, c + 8 * j0, M, kb, nb4, lda, 32, ldc, fl, diag + j0, 8 * kb);
      if (nb4 < nb) fn(a + 8 * k0, b + k0 * ldb + 8 * (j0 + nb4), c + 8 * (j0 + nb4), M, kb, nb - nb4, lda, ldb, ldc, fl, diag + j0 + nb4, 8);
    }
  }
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
  /**
   * C (=, +=, −=, or '=-': C = −) A B on blocks of views (row stride n), operands at element offsets:
   * A M×K at `aIdx` in `a`, B K×N at `bIdx` in `b`, C M×N at `cIdx` in `c`; C must not overlap A or B.
   */
  product(mode: '=' | '+=' | '-=' | '=-', M: number, K: number, N: number, a: Float64Array, aIdx: number, b: Float64Array, bIdx: number, c: Float64Array, cIdx: number): void;
}

let shared: { inst: WebAssembly.Instance; mem: WebAssembly.Memory } | undefined;

/** `count` n×n work matrices in wasm memory with the SIMD product, or null without wasm SIMD. */
export function wasmMatrices(n: number, count: number): WasmMatrices | null {
  const mod = gemmWasmModule();
  if (!mod) return null;
  const viewBytes = 8 * n * n * count;
  const bytes = viewBytes + 8 * PACK_DOUBLES;
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
  const fn = inst.exports['gemmt'] as Gemmt;
  const off = (v: Float64Array): number => {
    if (v.buffer !== buf || v.length !== n * n) throw new InternalError('wasmMatrices: operand is not one of this set’s views');
    return v.byteOffset;
  };
  const ld = 8 * n;
  const f64 = new Float64Array(buf);
  const blocked = (a: number, b: number, c: number, M: number, K: number, N: number, flags: number, diag: number): void =>
    blockedProduct(fn, f64, viewBytes, a, b, c, M, K, N, ld, ld, ld, flags, diag);
  return {
    views,
    gemm: (a, b, out) => blocked(off(a), off(b), off(out), n, n, n, 0, 0),
    gemmSubIn: (m) => {
      const base = off(m);
      return (aIdx, bIdx, cIdx, M, K, N) => blocked(base + 8 * aIdx, base + 8 * bIdx, base + 8 * cIdx, M, K, N, 3, 0);
    },
    gemmSymmetric: (a, b, out) => {
      blocked(off(a), off(b), off(out), n, n, n, 4, 0);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) out[i * n + j] = out[j * n + i]!;
    },
    product: (mode, M, K, N, a, aIdx, b, bIdx, c, cIdx) => {
      const flags = mode === '=' ? 0 : mode === '+=' ? 1 : mode === '-=' ? 3 : 2;
      blocked(off(a) + 8 * aIdx, off(b) + 8 * bIdx, off(c) + 8 * cIdx, M, K, N, flags, 0);
    },
  };
}

/**
 * A B (n×n) into a fresh array: the wasm kernel for n ≥ 16 where available (operands copied into its memory,
 * so any views from an earlier `wasmMatrices` call are overwritten), else dense.ts `gemm`. Bit-identical
 * either way.
 */
export function productFresh(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const wm = n >= 16 ? wasmMatrices(n, 3) : null;
  if (!wm) return gemm(a, b, n);
  const [va, vb, vo] = wm.views as [Float64Array, Float64Array, Float64Array];
  va.set(a);
  vb.set(b);
  wm.gemm(va, vb, vo);
  return Float64Array.from(vo);
}
