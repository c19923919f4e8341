/**
 * Seedable pseudo-random numbers for reproducible optimizer runs (issue 5: "a seedable PRNG so every run is
 * reproducible"). Generator: xoshiro128** (Blackman & Vigna 2018), 32-bit state words, period 2^128 − 1,
 * seeded through splitmix32 so that any integer seed (including 0) gives a well-mixed, non-zero state.
 *
 * - `uniform()`      : float64 in [0, 1) with 53 random bits (two 32-bit outputs).
 * - `normal()`       : standard normal by Box–Muller (both values of each pair are used).
 * - `int(lo, hi)`    : integer uniform in [lo, hi) without modulo bias (rejection).
 * - `sampleWithReplacement` / `sampleWithoutReplacement` (partial Fisher–Yates, O(k) extra work per draw
 *   with a caller-provided permutation buffer, so minibatch draws need no per-step allocation).
 *
 * Everything here is pure given the state; `clone()` and `state()` make runs restartable.
 */

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

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export class Rng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare = 0;
  private hasSpare = false;

  /** @param seed any finite number; its integer part (mod 2^32, plus high bits mixed in) seeds the state. */
  constructor(seed: number = 0x5eed) {
    if (!Number.isFinite(seed)) throw new Error(`Rng: seed must be a finite number, got ${seed}`);
    const hi = Math.floor(Math.abs(seed) / TWO_POW_32) >>> 0;
    const sm = splitmix32((seed >>> 0) ^ Math.imul(hi, 0x27d4eb2d) ^ (seed < 0 ? 0xa5a5a5a5 : 0));
    this.s0 = sm();
    this.s1 = sm();
    this.s2 = sm();
    this.s3 = sm();
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Next raw 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 = (this.s2 ^ this.s0) >>> 0;
    this.s3 = (this.s3 ^ this.s1) >>> 0;
    this.s1 = (this.s1 ^ this.s2) >>> 0;
    this.s0 = (this.s0 ^ this.s3) >>> 0;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform float64 in [0, 1), 53 random bits. */
  uniform(): number {
    const a = this.nextUint32() >>> 5; // 27 bits
    const b = this.nextUint32() >>> 6; // 26 bits
    return (a * 67108864 + b) * TWO_POW_M53;
  }

  /** Standard normal N(0, 1) by the Box–Muller transform; pairs are cached. */
  normal(): number {
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

  /** Fill `out` with independent standard normals. */
  fillNormal(out: Float64Array): Float64Array {
    for (let i = 0; i < out.length; i++) out[i] = this.normal();
    return out;
  }

  /** Integer uniform on [lo, hi) (hi − lo ≤ 2^32), unbiased by rejection. */
  int(lo: number, hi: number): number {
    if (!Number.isInteger(lo) || !Number.isInteger(hi)) throw new Error(`Rng.int: bounds must be integers, got [${lo}, ${hi})`);
    const range = hi - lo;
    if (range <= 0) throw new Error(`Rng.int: empty range [${lo}, ${hi})`);
    if (range > TWO_POW_32) throw new Error(`Rng.int: range ${range} exceeds 2^32`);
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
    if (p.length !== n) throw new Error(`Rng.sampleWithoutReplacement: perm buffer has length ${p.length}, expected n = ${n}`);
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
  static fromState(state: readonly [number, number, number, number]): Rng {
    if (state.length !== 4 || state.some((x) => !Number.isInteger(x) || x < 0 || x > 0xffffffff)) throw new Error('Rng.fromState: need four 32-bit unsigned integers');
    if (state.every((x) => x === 0)) throw new Error('Rng.fromState: the all-zero state is not allowed');
    const r = new Rng(0);
    [r.s0, r.s1, r.s2, r.s3] = state.map((x) => x >>> 0) as [number, number, number, number];
    r.hasSpare = false;
    return r;
  }

  /** Independent copy in the same state. */
  clone(): Rng {
    const r = Object.create(Rng.prototype) as Rng;
    r.s0 = this.s0;
    r.s1 = this.s1;
    r.s2 = this.s2;
    r.s3 = this.s3;
    r.spare = this.spare;
    r.hasSpare = this.hasSpare;
    return r;
  }

  /** Internal state, for logs and restart. */
  state(): [number, number, number, number] {
    return [this.s0, this.s1, this.s2, this.s3];
  }
}

export function identityPermutation(n: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  return p;
}

function checkSample(n: number, k: number, out: Int32Array, replace: boolean): void {
  if (!Number.isInteger(n) || n <= 0) throw new Error(`Rng sample: population size n must be a positive integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0) throw new Error(`Rng sample: sample size k must be a non-negative integer, got ${k}`);
  if (!replace && k > n) throw new Error(`Rng sample without replacement: k = ${k} exceeds n = ${n}`);
  if (out.length < k) throw new Error(`Rng sample: output buffer length ${out.length} < k = ${k}`);
}

/** Convenience: a new generator. */
export function rng(seed?: number): Rng {
  return new Rng(seed);
}
