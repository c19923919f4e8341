import { describe, it, expect } from 'vitest';
import { Rng, RngBank, gaussTailIntegral, zigguratInfo, type NormalMethod } from '../../src/numeric/prng.ts';

// Φ written here, independent of the generator: erf by its all-positive series
// erf(x) = (2/√π) e^{−x²} Σ_n 2ⁿ x^{2n+1} / (1·3·…·(2n+1)) for |z| < 3, the Laplace continued fraction
// for the upper tail beyond (checked against tabulated values below).
function Phi(z: number): number {
  if (z < 0) return 1 - Phi(-z);
  if (z >= 3) return 1 - gaussTailIntegral(z) / Math.sqrt(2 * Math.PI);
  const x = z / Math.SQRT2;
  let term = x, sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
    if (term < 1e-17 * sum) break;
  }
  const erf = (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  return 0.5 * (1 + erf);
}

function moments(xs: Float64Array): { mean: number; v: number; m3: number; m4: number } {
  let s = 0;
  for (const x of xs) s += x;
  const mean = s / xs.length;
  let v = 0, m3 = 0, m4 = 0;
  for (const x of xs) { const d = x - mean; v += d * d; m3 += d * d * d; m4 += d * d * d * d; }
  return { mean, v: v / xs.length, m3: m3 / xs.length, m4: m4 / xs.length };
}

const N = 200_000;

describe('standard normals', () => {
  it('reference Φ matches tabulated values', () => {
    expect(Phi(0)).toBe(0.5);
    expect(Math.abs(Phi(1) - 0.8413447460685429)).toBeLessThan(1e-14);
    expect(Math.abs(Phi(-1.96) - 0.024997895148220435)).toBeLessThan(1e-14);
    expect(Math.abs(Phi(2.999999) - Phi(3.000001) + 8.86e-9)).toBeLessThan(1e-10); // continuous at the switch
    expect(Math.abs((1 - Phi(3)) / 0.0013498980316301 - 1)).toBeLessThan(1e-10);
    expect(Math.abs(gaussTailIntegral(5) / Math.sqrt(2 * Math.PI) / 2.8665157187919333e-7 - 1)).toBeLessThan(1e-12);
  });

  it('Ziggurat tables close: the top layer has the common area to 1e-12', () => {
    const z = zigguratInfo();
    expect(z.layers).toBe(256);
    expect(Math.abs(z.closure)).toBeLessThan(1e-12);
    expect(Math.abs(z.v - 0.00492867323399)).toBeLessThan(1e-13); // Marsaglia & Tsang's published v
  });

  it('default is the Ziggurat; Box–Muller stays available and reproduces the stream of earlier versions', () => {
    expect(new Rng(1).normalMethod).toBe('ziggurat');
    const bm = new Rng(2024, { normal: 'box-muller' });
    // values produced by the Box–Muller generator before the Ziggurat was added (eomkit commit 7d003f2)
    expect(Array.from({ length: 5 }, () => bm.normal())).toEqual([
      -0.3270166466405777, 1.2452617685402032, 1.3511692006456408, 0.2077687722647951, -0.06083120484270548,
    ]);
    const zg = new Rng(2024);
    expect(zg.normal()).not.toBe(-0.3270166466405777);
    expect(() => new Rng(1, { normal: 'polar' as NormalMethod })).toThrow(/unknown normal method/);
  });

  it('RngBank stream c reproduces new Rng(seed + c) exactly (fast path, wedges and tail included), streams interleaved', () => {
    const bank = new RngBank(5, 1000);
    const refs = Array.from({ length: 5 }, (_, c) => new Rng(1000 + c));
    let tails = 0;
    for (let t = 0; t < 40_000; t++) {
      for (const c of [3, 0, 4, 1, 2]) {
        const z = bank.normal(c);
        expect(z).toBe(refs[c]!.normalZiggurat());
        if (Math.abs(z) > zigguratInfo().r) tails++;
      }
      if (t % 1000 === 0) expect(bank.uniform(t % 5)).toBe(refs[t % 5]!.uniform());
    }
    expect(tails).toBeGreaterThan(20); // ~0.026% of 200,000 draws: the tail branch ran
    expect(bank.nextUint32(2)).toBe(refs[2]!.nextUint32());
    expect(() => new RngBank(0)).toThrow(/size/);
    // fillNormal(out, k): k draws per stream, register-resident state, same numbers (incl. slow-path draws)
    const b2 = new RngBank(3, 77), r2 = Array.from({ length: 3 }, (_, c) => new Rng(77 + c));
    for (let rep = 0; rep < 300; rep++) {
      const k = 1 + (rep % 4);
      const out = b2.fillNormal(new Float64Array(3 * k), k);
      for (let c = 0; c < 3; c++) for (let r = 0; r < k; r++) expect(out[c * k + r]).toBe(r2[c]!.normalZiggurat());
    }
    expect(() => b2.fillNormal(new Float64Array(5), 2)).toThrow(/size·perStream/);
  });

  it('RngBank.fillNormal as the ensembles use it (two draws per stream, 100,000 streams): N(0,1) marginals, KS, no correlation within or between neighbouring streams', () => {
    const B = 100_000;
    const z = new RngBank(B, 3).fillNormal(new Float64Array(2 * B), 2);
    const m = moments(z);
    const n = z.length;
    expect(Math.abs(m.mean)).toBeLessThan(5 / Math.sqrt(n));
    expect(Math.abs(m.v - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(m.m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / n));
    const s = Float64Array.from(z).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const F = Phi(s[i]!);
      d = Math.max(d, (i + 1) / n - F, F - i / n);
    }
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
    // E[z_c0 z_c1] (the two draws of one stream) and E[z_c0 z_{c+1,0}] (neighbouring seeds): 0 within 5 SE
    let within = 0, between = 0;
    for (let c = 0; c < B; c++) {
      within += z[2 * c]! * z[2 * c + 1]!;
      if (c + 1 < B) between += z[2 * c]! * z[2 * c + 2]!;
    }
    expect(Math.abs(within / B)).toBeLessThan(5 / Math.sqrt(B));
    expect(Math.abs(between / (B - 1))).toBeLessThan(5 / Math.sqrt(B - 1));
  });

  for (const method of ['ziggurat', 'box-muller'] as const) {
    describe(method, () => {
      const xs = new Rng(77, { normal: method }).fillNormal(new Float64Array(N));

      it('is reproducible from a seed (normal() and fillNormal() give the same stream) and seeds differ', () => {
        const a = new Rng(77, { normal: method });
        expect(Array.from({ length: 1000 }, () => a.normal())).toEqual(Array.from(xs.subarray(0, 1000)));
        const b = new Rng(78, { normal: method }).fillNormal(new Float64Array(1000));
        expect(Array.from(b)).not.toEqual(Array.from(xs.subarray(0, 1000)));
        const c = new Rng(5, { normal: method });
        c.normal();
        const d = c.clone();
        expect(d.normalMethod).toBe(method);
        expect([c.normal(), c.normal(), c.uniform()]).toEqual([d.normal(), d.normal(), d.uniform()]);
      });

      it('moments to 4th order within 5 Monte-Carlo standard errors', () => {
        const m = moments(xs);
        expect(Math.abs(m.mean)).toBeLessThan(5 / Math.sqrt(N));
        expect(Math.abs(m.v - 1)).toBeLessThan(5 * Math.sqrt(2 / N));
        expect(Math.abs(m.m3)).toBeLessThan(5 * Math.sqrt(15 / N));
        expect(Math.abs(m.m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / N));
      });

      it('Kolmogorov–Smirnov distance to Φ below the 0.1% critical value', () => {
        const s = Float64Array.from(xs).sort();
        let d = 0;
        for (let i = 0; i < N; i++) {
          const F = Phi(s[i]!);
          d = Math.max(d, (i + 1) / N - F, F - i / N);
        }
        expect(d).toBeLessThan(1.95 / Math.sqrt(N));
        // and it is a sharp test: a 2% scale error is caught
        let d2 = 0;
        for (let i = 0; i < N; i++) {
          const F = Phi(1.02 * s[i]!);
          d2 = Math.max(d2, (i + 1) / N - F, F - i / N);
        }
        expect(d2).toBeGreaterThan(1.95 / Math.sqrt(N));
      });

      it('tail frequencies beyond |z| > 3 and beyond the Ziggurat base r ≈ 3.654 match Φ (binomial, 5 SE), both signs', () => {
        const big = new Rng(91, { normal: method }).fillNormal(new Float64Array(2_000_000));
        for (const t of [3, 3.7, 4.2]) {
          const p = 2 * (1 - Phi(t));
          let count = 0, pos = 0;
          for (const x of big) if (Math.abs(x) > t) { count++; if (x > 0) pos++; }
          const n = big.length;
          expect(Math.abs(count - n * p)).toBeLessThan(5 * Math.sqrt(n * p * (1 - p)) + 1);
          expect(Math.abs(pos - count / 2)).toBeLessThan(5 * Math.sqrt(count / 4) + 1);
        }
        // chi-square over 40 equiprobable-ish bins on [−4, 4] plus two tails
        const edges = [-Infinity, ...Array.from({ length: 41 }, (_, k) => -4 + 0.2 * k), Infinity];
        const counts = new Array<number>(edges.length - 1).fill(0);
        for (const x of big) {
          const k = x < -4 ? 0 : x >= 4 ? edges.length - 2 : 1 + Math.floor((x + 4) / 0.2);
          counts[Math.min(k, edges.length - 2)]!++;
        }
        let chi2 = 0;
        for (let k = 0; k < counts.length; k++) {
          const e = big.length * (Phi(edges[k + 1]!) - Phi(edges[k]!));
          chi2 += (counts[k]! - e) ** 2 / e;
        }
        expect(chi2).toBeLessThan(82); // 41 dof, p ≈ 1e-4
      });
    });
  }
});
