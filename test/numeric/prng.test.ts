import { describe, it, expect } from 'vitest';
import { Rng, identityPermutation } from '../../src/numeric/prng.ts';

function moments(xs: Float64Array): { mean: number; v: number; m3: number; m4: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let v = 0, m3 = 0, m4 = 0;
  for (const x of xs) { const d = x - mean; v += d * d; m3 += d * d * d; m4 += d * d * d * d; }
  return { mean, v: v / xs.length, m3: m3 / xs.length, m4: m4 / xs.length };
}

describe('Rng (xoshiro128**)', () => {
  it('matches the reference implementation from state {1, 2, 3, 4} (test vector of xoshiro128starstar.c v1.1, as in Rust rand_xoshiro)', () => {
    const r = Rng.fromState([1, 2, 3, 4]);
    expect(Array.from({ length: 10 }, () => r.nextUint32())).toEqual([
      11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849, 3729100597, 4258142804,
    ]);
    expect(() => Rng.fromState([0, 0, 0, 0])).toThrow(/all-zero/);
  });
  it('is reproducible from a seed and differs between seeds', () => {
    const a = new Rng(42), b = new Rng(42), c = new Rng(43);
    const sa = Array.from({ length: 100 }, () => a.nextUint32());
    const sb = Array.from({ length: 100 }, () => b.nextUint32());
    const sc = Array.from({ length: 100 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
    expect(new Set(sa).size).toBe(100);
    // clone continues the same stream
    const d = new Rng(7);
    d.normal();
    const e = d.clone();
    expect([d.normal(), d.uniform(), d.normal()]).toEqual([e.normal(), e.uniform(), e.normal()]);
  });

  it('seed 0 and large/negative seeds give distinct non-degenerate streams', () => {
    const seeds = [0, 1, -1, 2 ** 32, 2 ** 40 + 3];
    const firsts = seeds.map((s) => new Rng(s).nextUint32());
    expect(new Set(firsts).size).toBe(seeds.length);
    expect(() => new Rng(Number.NaN)).toThrow(/seed/);
  });

  it('uniform has mean 1/2 and variance 1/12 within 5 standard errors, and lies in [0, 1)', () => {
    const r = new Rng(1);
    const n = 200_000;
    const xs = new Float64Array(n);
    for (let i = 0; i < n; i++) xs[i] = r.uniform();
    expect(Math.min(...xs.subarray(0, 1000))).toBeGreaterThanOrEqual(0);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    const m = moments(xs);
    expect(Math.abs(m.mean - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n));
    // Var of (U−1/2)^2 is 1/80 − 1/144
    expect(Math.abs(m.v - 1 / 12)).toBeLessThan(5 * Math.sqrt((1 / 80 - 1 / 144) / n));
  });

  it('normal has mean 0, variance 1, skewness 0, kurtosis 3 within 5 standard errors', () => {
    const r = new Rng(2);
    const n = 200_000;
    const xs = r.fillNormal(new Float64Array(n));
    const m = moments(xs);
    expect(Math.abs(m.mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(m.v - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(m.m3)).toBeLessThan(5 * Math.sqrt(15 / n));
    expect(Math.abs(m.m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
  });

  it('int(lo, hi) is uniform (chi-square) and respects bounds', () => {
    const r = new Rng(3);
    const k = 7, n = 70_000;
    const counts = new Array<number>(k).fill(0);
    for (let i = 0; i < n; i++) {
      const x = r.int(-3, 4);
      expect(x >= -3 && x < 4).toBe(true);
      counts[x + 3]!++;
    }
    const e = n / k;
    const chi2 = counts.reduce((s, c) => s + (c - e) ** 2 / e, 0);
    expect(chi2).toBeLessThan(22.5); // p ≈ 0.001 for 6 dof
    expect(() => r.int(2, 2)).toThrow(/empty range/);
    expect(() => r.int(0.5, 2)).toThrow(/integers/);
  });

  it('samples without replacement are distinct and uniform; with replacement can repeat', () => {
    const r = new Rng(4);
    const N = 10, S = 4;
    const perm = identityPermutation(N);
    const out = new Int32Array(S);
    const counts = new Array<number>(N).fill(0);
    const trials = 20_000;
    for (let t = 0; t < trials; t++) {
      r.sampleWithoutReplacement(N, S, out, perm);
      expect(new Set(out).size).toBe(S);
      for (const i of out) counts[i]!++;
    }
    // perm stays a permutation
    expect([...perm].sort((a, b) => a - b)).toEqual([...identityPermutation(N)]);
    const e = (trials * S) / N;
    for (const c of counts) expect(Math.abs(c - e)).toBeLessThan(5 * Math.sqrt(e));
    let repeats = 0;
    for (let t = 0; t < 1000; t++) if (new Set(r.sampleWithReplacement(N, S)).size < S) repeats++;
    // P(repeat) = 1 − 10·9·8·7/10^4 = 0.496
    expect(Math.abs(repeats / 1000 - 0.496)).toBeLessThan(0.08);
    expect(() => r.sampleWithoutReplacement(3, 4)).toThrow(/exceeds/);
  });
});
