/**
 * Seedable pseudo-random numbers for reproducible optimizer runs ("a seedable PRNG so every run is
 * reproducible"). Generator: xoshiro128** (Blackman & Vigna 2018), 32-bit state words, period 2^128 − 1,
 * seeded through splitmix32 so that any integer seed (including 0) gives a well-mixed, non-zero state.
 *
 * - `uniform()`      : float64 in [0, 1) with 53 random bits (two 32-bit outputs).
 * - `normal()`       : standard normal; default the Ziggurat method (Marsaglia & Tsang 2000, 256 layers,
 *                      tables computed at load), ~3.5× faster than Box–Muller here (7 vs 26 ns per
 *                      normal in `fillNormal`, Node 20). `new Rng(seed, { normal:
 *                      'box-muller' })` selects Box–Muller (both values of each pair used), the stream of
 *                      earlier versions; `normalZiggurat()` / `normalBoxMuller()` call either directly.
 * - `int(lo, hi)`    : integer uniform in [lo, hi) without modulo bias (rejection).
 * - `sampleWithReplacement` / `sampleWithoutReplacement` (partial Fisher–Yates, O(k) extra work per draw
 *   with a caller-provided permutation buffer, so minibatch draws need no per-step allocation).
 *
 * - `RngBank`         : many streams in one Int32Array (stream c = `new Rng(seed + c)`), for ensembles.
 * The xoshiro state is kept in an Int32Array: plain number fields holding uint32 values above 2^30 are boxed
 * by V8, which made every draw allocate (uniform() went from 28 to 3.3 ns with the typed array).
 *
 * Everything here is pure given the state; `clone()` and `state()` make runs restartable.
 */
import { InputError } from '../errors.ts';

const TWO_POW_32 = 4294967296;
const TWO_POW_M53 = 1 / 9007199254740992;

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** How `Rng.normal()` turns the uniform stream into standard normals. */
export type NormalMethod = 'ziggurat' | 'box-muller';

// ---- Ziggurat tables (Marsaglia & Tsang 2000, 256 layers), computed at load.
// f(x) = exp(−x²/2) (unnormalised density). Layer 0 is the base strip [0, X0] × [0, f(r)] plus the tail x > r,
// of area v = r f(r) + ∫_r^∞ f; layers i = 1..255 are boxes [0, X_i] × [f(X_i), f(X_{i+1})] of the same area v,
// X_1 = r > X_2 > … > X_256 = 0, X_0 = v / f(r). r is the published 256-layer right end (Marsaglia & Tsang
// 2000; Doornik 2005); the recursion closes to ~1e-15 (checked in test/numeric/prng.test.ts).
const ZIG_LAYERS = 256;
const ZIG_R = 3.6541528853610088;

/** ∫_x^∞ exp(−t²/2) dt for x ≥ 3 by the Laplace continued fraction exp(−x²/2) / (x + 1/(x + 2/(x + …))). */
export function gaussTailIntegral(x: number): number {
  let cf = x;
  for (let k = 200; k >= 1; k--) cf = x + k / cf;
  return Math.exp(-0.5 * x * x) / cf;
}

function zigguratTables(): { X: Float64Array; F: Float64Array; v: number; closure: number } {
  const f = (x: number): number => Math.exp(-0.5 * x * x);
  const r = ZIG_R;
  const v = r * f(r) + gaussTailIntegral(r);
  const X = new Float64Array(ZIG_LAYERS + 1);
  X[0] = v / f(r);
  X[1] = r;
  for (let i = 1; i < ZIG_LAYERS - 1; i++) X[i + 1] = Math.sqrt(-2 * Math.log(v / X[i]! + f(X[i]!)));
  X[ZIG_LAYERS] = 0;
  const F = new Float64Array(ZIG_LAYERS + 1);
  for (let i = 0; i <= ZIG_LAYERS; i++) F[i] = f(X[i]!);
  // the top box [0, X_255] × [f(X_255), 1] must have area v as well
  const closure = (X[ZIG_LAYERS - 1]! * (1 - F[ZIG_LAYERS - 1]!)) / v - 1;
  return { X, F, v, closure };
}

const ZIG = zigguratTables();
const ZX = ZIG.X;
const ZF = ZIG.F;

/** Diagnostics of the Ziggurat tables (for tests): relative area mismatch of the top layer, the common area v. */
export function zigguratInfo(): { layers: number; r: number; v: number; closure: number } {
  return { layers: ZIG_LAYERS, r: ZIG_R, v: ZIG.v, closure: ZIG.closure };
}

// ---- the generator on a state array at an offset (4 int32 words), shared by Rng and RngBank

/** xoshiro128** step on st[o..o+3]; returns the output as a signed int32. */
function xoNext(st: Int32Array, o: number): number {
  const s0 = st[o]!, s1 = st[o + 1]!, s2 = st[o + 2]! ^ s0, s3 = st[o + 3]! ^ s1;
  const m = Math.imul(s1, 5);
  const result = Math.imul((m << 7) | (m >>> 25), 9);
  st[o + 1] = s1 ^ s2;
  st[o] = s0 ^ s3;
  st[o + 2] = s2 ^ (s1 << 9);
  st[o + 3] = (s3 << 11) | (s3 >>> 21);
  return result;
}

function xoUniform(st: Int32Array, o: number): number {
  const a = xoNext(st, o) >>> 5; // 27 bits
  const b = xoNext(st, o) >>> 6; // 26 bits
  return (a * 67108864 + b) * TWO_POW_M53;
}

/**
 * Ziggurat standard normal (Marsaglia & Tsang 2000, 256 layers). Each attempt takes two 32-bit outputs:
 * 8 bits pick the layer, 1 bit the sign, the other 53 bits the uniform abscissa (so the layer index and the
 * abscissa share no bits, avoiding the correlation Doornik 2005 found in the original 32-bit version).
 * ~99% of draws return after one comparison; the wedges use exp, the tail (|z| > r ≈ 3.654) Marsaglia's
 * exponential rejection.
 */
function xoZiggurat(st: Int32Array, o: number): number {
  const u1 = xoNext(st, o);
  const u2 = xoNext(st, o) >>> 2; // 30 bits
  const i = u1 & 255;
  const x = ((u1 >>> 9) * 1073741824 + u2) * TWO_POW_M53 * ZX[i]!;
  // sign from bit 8, branch-free (a 50/50 branch would mispredict half the time)
  if (x < ZX[i + 1]!) return x * (1 - ((u1 >>> 7) & 2));
  return xoZigguratSlow(st, o, i, x, (u1 & 256) === 0);
}

/** The ~1% of Ziggurat draws outside the inner rectangle of layer i (kept apart so the fast path inlines). */
function xoZigguratSlow(st: Int32Array, o: number, i: number, x: number, positive: boolean): number {
  for (;;) {
    if (i === 0) {
      // tail beyond r (Marsaglia 1964)
      let a: number, b: number;
      do {
        a = -Math.log(1 - xoUniform(st, o)) / ZIG_R;
        b = -Math.log(1 - xoUniform(st, o));
      } while (b + b < a * a);
      return positive ? ZIG_R + a : -(ZIG_R + a);
    }
    // wedge between f(X_i) and f(X_{i+1})
    const yv = ZF[i]! + xoUniform(st, o) * (ZF[i + 1]! - ZF[i]!);
    if (yv < Math.exp(-0.5 * x * x)) return positive ? x : -x;
    // rejected: a fresh draw
    const u1 = xoNext(st, o);
    const u2 = xoNext(st, o) >>> 2;
    i = u1 & 255;
    x = ((u1 >>> 9) * 1073741824 + u2) * TWO_POW_M53 * ZX[i]!;
    positive = (u1 & 256) === 0;
    if (x < ZX[i + 1]!) return positive ? x : -x;
  }
}

/**
 * For each of `streams` consecutive streams c (state words st[4c … 4c+3]): out[c·count … c·count+count−1] =
 * the next `count` Ziggurat normals of stream c (the numbers of `count` calls of xoZiggurat). One loop over the
 * streams with each stream's state in registers across its draws (a call per stream cost ~25% more at two
 * draws per stream); the rare wedge/tail draws go through the slow path with the state written back first.
 */
function xoZigguratFill(st: Int32Array, out: Float64Array, streams: number, count: number): void {
  for (let c = 0; c < streams; c++) {
    const o = c << 2;
    let s0 = st[o]!, s1 = st[o + 1]!, s2 = st[o + 2]!, s3 = st[o + 3]!;
    const q0 = c * count;
    const qEnd = q0 + count;
    for (let q = q0; q < qEnd; q++) {
      // xoshiro128** twice, in registers
      let m = Math.imul(s1, 5);
      const u1 = Math.imul((m << 7) | (m >>> 25), 9);
      let t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
      m = Math.imul(s1, 5);
      const u2 = Math.imul((m << 7) | (m >>> 25), 9) >>> 2;
      t = s1 << 9;
      s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
      const i = u1 & 255;
      const x = ((u1 >>> 9) * 1073741824 + u2) * TWO_POW_M53 * ZX[i]!;
      if (x < ZX[i + 1]!) {
        out[q] = x * (1 - ((u1 >>> 7) & 2));
      } else {
        st[o] = s0; st[o + 1] = s1; st[o + 2] = s2; st[o + 3] = s3;
        out[q] = xoZigguratSlow(st, o, i, x, (u1 & 256) === 0);
        s0 = st[o]!; s1 = st[o + 1]!; s2 = st[o + 2]!; s3 = st[o + 3]!;
      }
    }
    st[o] = s0; st[o + 1] = s1; st[o + 2] = s2; st[o + 3] = s3;
  }
}

/** For the WebAssembly Ziggurat of the ensembles (kernels/heavy-ball-wasm.ts): the layer abscissae X_0 … X_256
 * and the slow path (wedges and tail) on a state at st[o … o+3], which it advances. */
export function zigguratAbscissae(): Float64Array {
  return ZX.slice();
}
export { xoZigguratSlow as zigguratSlowPath };

export interface RngOptions {
  /** generator used by `normal()` / `fillNormal()`: 'ziggurat' (default, fast) or 'box-muller' (the original
   * stream of eomkit ≤ 0.1, kept for reproducing old runs). */
  normal?: NormalMethod;
}

export class Rng {
  /** xoshiro128** state words as int32 (an Int32Array keeps them unboxed in V8). */
  private readonly s: Int32Array;
  private spare = 0;
  private hasSpare = false;
  /** method of `normal()`. */
  readonly normalMethod: NormalMethod;

  /** @param seed any finite number; its integer part (mod 2^32, plus high bits mixed in) seeds the state. */
  constructor(seed: number = 0x5eed, opts: RngOptions = {}) {
    if (!Number.isFinite(seed)) throw new InputError(`Rng: seed must be a finite number, got ${seed}`);
    const m = opts.normal ?? 'ziggurat';
    if (m !== 'ziggurat' && m !== 'box-muller') throw new InputError(`Rng: unknown normal method '${String(m)}' (use 'ziggurat' or 'box-muller')`);
    this.normalMethod = m;
    const hi = Math.floor(Math.abs(seed) / TWO_POW_32) >>> 0;
    const sm = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d) ^ (seed < 0 ? 0xa5a5a5a5 : 0));
    this.s = new Int32Array(4);
    this.s[0] = sm();
    this.s[1] = sm();
    this.s[2] = sm();
    this.s[3] = sm();
    if ((this.s[0]! | this.s[1]! | this.s[2]! | this.s[3]!) === 0) this.s[0] = 1;
  }

  /** Next raw 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    return xoNext(this.s, 0) >>> 0;
  }

  /** Uniform float64 in [0, 1), 53 random bits. */
  uniform(): number {
    return xoUniform(this.s, 0);
  }

  /** Standard normal N(0, 1) by the method chosen at construction (default: Ziggurat). */
  normal(): number {
    return this.normalMethod === 'ziggurat' ? this.normalZiggurat() : this.normalBoxMuller();
  }

  /** Standard normal by the Ziggurat method (Marsaglia & Tsang 2000, 256 layers; see xoZiggurat). */
  normalZiggurat(): number {
    return xoZiggurat(this.s, 0);
  }

  /** Standard normal N(0, 1) by the Box–Muller transform; pairs are cached. */
  normalBoxMuller(): number {
    if (this.hasSpare) {
      this.hasSpare = false;
      return this.spare;
    }
    const u1 = 1 - this.uniform(); // (0, 1]: log is finite
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    const a = 2 * Math.PI * u2;
    this.spare = r * Math.sin(a);
    this.hasSpare = true;
    return r * Math.cos(a);
  }

  /** Fill `out` with independent standard normals (the numbers of out.length calls of `normal()`). */
  fillNormal(out: Float64Array): Float64Array {
    if (this.normalMethod === 'ziggurat') xoZigguratFill(this.s, out, 1, out.length);
    else for (let i = 0; i < out.length; i++) out[i] = this.normalBoxMuller();
    return out;
  }

  /** Integer uniform on [lo, hi) (hi − lo ≤ 2^32), unbiased by rejection. */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw new InputError(`Rng.int: bounds must be integers, got [${lo}, ${hi})`);
    const range = hi - lo;
    if (range <= 0) throw new InputError(`Rng.int: empty range [${lo}, ${hi})`);
    if (range > TWO_POW_32) throw new InputError(`Rng.int: range ${range} exceeds 2^32`);
    const limit = TWO_POW_32 - (TWO_POW_32 % range);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return lo + (x % range);
    }
  }

  /** k indices drawn uniformly from {0..n−1} with replacement, written into `out` (length ≥ k). */
  sampleWithReplacement(n: number, k: number, out: Int32Array = new Int32Array(k)): Int32Array {
    checkSample(n, k, out, true);
    for (let i = 0; i < k; i++) out[i] = this.int(0, n);
    return out;
  }

  /**
   * k distinct indices from {0..n−1} (uniform over k-subsets, in random order), written into `out`.
   * `perm` (length n, holding a permutation of 0..n−1, e.g. from `identityPermutation(n)`) is a reusable work
   * buffer: a partial Fisher–Yates shuffle of its first k entries; it stays a permutation afterwards.
   */
  sampleWithoutReplacement(n: number, k: number, out: Int32Array = new Int32Array(k), perm?: Int32Array): Int32Array {
    checkSample(n, k, out, false);
    const p = perm ?? identityPermutation(n);
    if (p.length !== n) throw new InputError(`Rng.sampleWithoutReplacement: perm buffer has length ${p.length}, expected n = ${n}`);
    for (let i = 0; i < k; i++) {
      const j = this.int(i, n);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
      out[i] = p[i]!;
    }
    return out;
  }

  /** In-place uniform shuffle (Fisher–Yates). */
  shuffle(a: Int32Array): Int32Array {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(0, i + 1);
      const t = a[i]!;
      a[i] = a[j]!;
      a[j] = t;
    }
    return a;
  }

  /** A generator with the given raw xoshiro128** state (not all zero), e.g. to check reference vectors. */
  static fromState(state: readonly [number, number, number, number], opts: RngOptions = {}): Rng {
    if (state.length !== 4 || state.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff)) throw new InputError('Rng.fromState: need four 32-bit unsigned integers');
    if (state.every((x) => x === 0)) throw new InputError('Rng.fromState: the all-zero state is not allowed');
    const r = new Rng(0, opts);
    for (let i = 0; i < 4; i++) r.s[i] = state[i]! | 0;
    r.hasSpare = false;
    return r;
  }

  /** Independent copy in the same state. */
  clone(): Rng {
    const r = new Rng(0, { normal: this.normalMethod });
    r.s.set(this.s);
    r.spare = this.spare;
    r.hasSpare = this.hasSpare;
    return r;
  }

  /** Internal state, for logs and restart. */
  state(): [number, number, number, number] {
    return [this.s[0]! >>> 0, this.s[1]! >>> 0, this.s[2]! >>> 0, this.s[3]! >>> 0];
  }
}

/**
 * Many independent generators in one Int32Array (4 state words each), for ensembles: stream c starts in the
 * state of `new Rng(seed + c)` and `normal(c)` / `uniform(c)` / `nextUint32(c)` give exactly the numbers of
 * that generator's `normalZiggurat()` / `uniform()` / `nextUint32()`. Keeping the states contiguous (16 bytes
 * per stream instead of one object and one typed array each) keeps a 10^4-chain ensemble in cache.
 */
export class RngBank {
  readonly size: number;
  private readonly s: Int32Array;

  constructor(size: number, seed = 0) {
    if (!Number.isInteger(size) || size <= 0) throw new InputError(`RngBank: size must be a positive integer, got ${size}`);
    if (!Number.isFinite(seed)) throw new InputError(`RngBank: seed must be a finite number, got ${seed}`);
    this.size = size;
    this.s = new Int32Array(4 * size);
    for (let c = 0; c < size; c++) {
      const st = new Rng(seed + c).state();
      for (let w = 0; w < 4; w++) this.s[4 * c + w] = st[w]! | 0;
    }
  }

  /** Standard normal (Ziggurat) from stream c. */
  normal(c: number): number {
    return xoZiggurat(this.s, c << 2);
  }

  uniform(c: number): number {
    return xoUniform(this.s, c << 2);
  }

  nextUint32(c: number): number {
    return xoNext(this.s, c << 2) >>> 0;
  }

  /**
   * out[c·k + r] = the r-th next normal of stream c (r < k = perStream), for every stream: the same numbers as k
   * calls of `normal(c)`. The state of a stream stays in registers across its k draws (Ziggurat fast path
   * inlined here; the rare wedge/tail draws go through the shared slow path).
   */
  fillNormal(out: Float64Array, perStream: number): Float64Array {
    const k = perStream;
    if (!Number.isInteger(k) || k <= 0 || out.length !== this.size * k) throw new InputError(`RngBank.fillNormal: out must have size·perStream = ${this.size}·${k} entries, got ${out.length}`);
    xoZigguratFill(this.s, out, this.size, k);
    return out;
  }
}

export function identityPermutation(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

function checkSample(n: number, k: number, out: Int32Array, replace: boolean): void {
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`Rng sample: population size n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0) throw new InputError(`Rng sample: sample size k must be a non-negative integer, got ${k}`);
  if (!replace && k > n) throw new InputError(`Rng sample without replacement: k = ${k} exceeds n = ${n}`);
  if (out.length < k) throw new InputError(`Rng sample: output buffer length ${out.length} < k = ${k}`);
}

/** Convenience: a new generator. */
export function rng(seed?: number, opts?: RngOptions): Rng {
  return new Rng(seed, opts);
}
