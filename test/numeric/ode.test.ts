import { describe, it, expect } from 'vitest';
import { rk4, dop853, flow, statesAtSteps } from '../../src/numeric/ode.ts';
import { fitLogLogSlope } from '../../src/numeric/order-sweep.ts';

// y' = −y³, y(0) = 1: y(t) = 1/√(1 + 2t) (gradient flow of the quartic θ⁴/4)
const cubic = (y: Float64Array, o: Float64Array): void => { o[0] = -(y[0]! ** 3); };
const exactCubic = (t: number): number => 1 / Math.sqrt(1 + 2 * t);
// harmonic oscillator
const osc = (y: Float64Array, o: Float64Array): void => { o[0] = y[1]!; o[1] = -y[0]!; };

describe('rk4', () => {
  it('has measured order 4 on y′ = −y³ and on the harmonic oscillator', () => {
    const hs: number[] = [], errs: number[] = [], errsOsc: number[] = [];
    // (the cubic's error changes sign near N = 10: start the fit in the asymptotic regime)
    for (const N of [32, 64, 128, 256]) {
      hs.push(1 / N);
      errs.push(Math.abs(rk4(cubic, [1], 1, N)[0]! - exactCubic(1)));
      const y = rk4(osc, [1, 0], 1, N / 4);
      errsOsc.push(Math.hypot(y[0]! - Math.cos(1), y[1]! + Math.sin(1)));
    }
    const so = fitLogLogSlope(hs, errsOsc);
    expect(so).toBeGreaterThan(3.85);
    expect(so).toBeLessThan(4.15);
    const s = fitLogLogSlope(hs, errs);
    expect(s).toBeGreaterThan(3.85);
    expect(s).toBeLessThan(4.15);
  });
  it('integrates backwards with a negative duration', () => {
    const y = rk4(cubic, [exactCubic(1)], -1, 200);
    expect(Math.abs(y[0]! - 1)).toBeLessThan(1e-9);
  });
  it('rejects bad input', () => {
    expect(() => rk4(cubic, [1], 1, 0)).toThrow(/steps/);
    expect(() => rk4(cubic, [Number.NaN], 1, 10)).toThrow(/not finite/);
    expect(() => rk4(cubic, [1], Number.POSITIVE_INFINITY, 10)).toThrow(/duration/);
  });
});

describe('dop853', () => {
  it('reaches ~1e-13 relative accuracy against closed forms, with dense output at many times', () => {
    const times = Array.from({ length: 50 }, (_, k) => 0.2 * (k + 1)); // to t = 10
    const r = dop853(osc, [1, 0], 0, times);
    let maxErr = 0;
    for (let k = 0; k < times.length; k++) {
      const t = times[k]!;
      maxErr = Math.max(maxErr, Math.abs(r.states[2 * k]! - Math.cos(t)), Math.abs(r.states[2 * k + 1]! + Math.sin(t)));
    }
    expect(maxErr).toBeLessThan(3e-13);
    const c = dop853(cubic, [1], 0, [0.1, 0.5, 1, 3]);
    for (let k = 0; k < 4; k++) expect(Math.abs(c.states[k]! / exactCubic(c.times[k]!) - 1)).toBeLessThan(2e-13);
  });
  it('integrates backwards (heavy-ball slow-manifold start)', () => {
    const y = flow(cubic, [exactCubic(1)], -1);
    expect(Math.abs(y[0]! - 1)).toBeLessThan(1e-13);
    const r = dop853(osc, [1, 0], 0, [-0.5, -2]);
    expect(Math.abs(r.states[0]! - Math.cos(0.5))).toBeLessThan(1e-13);
    expect(Math.abs(r.y[1]! - Math.sin(2))).toBeLessThan(1e-13);
  });
  it('a looser tolerance is less accurate and cheaper (the tolerance is honoured)', () => {
    const tight = dop853(osc, [1, 0], 0, 10, { rtol: 1e-13 });
    const loose = dop853(osc, [1, 0], 0, 10, { rtol: 1e-6, atol: 1e-9 });
    const errL = Math.abs(loose.y[0]! - Math.cos(10));
    expect(errL).toBeGreaterThan(1e-11);
    expect(errL).toBeLessThan(1e-4);
    expect(loose.nfev).toBeLessThan(tight.nfev);
  });
  it('statesAtSteps gives the flow at t = kη', () => {
    const eta = 0.01, ks = [0, 3, 50, 100, 100, 250];
    const s = statesAtSteps(cubic, [1], eta, ks);
    ks.forEach((k, r) => expect(Math.abs(s[r]! / exactCubic(k * eta) - 1)).toBeLessThan(2e-13));
    expect(() => statesAtSteps(cubic, [1], eta, [5, 2])).toThrow(/non-decreasing/);
    expect(() => statesAtSteps(cubic, [1], 0, [1])).toThrow(/eta/);
  });
  it('rejects bad input', () => {
    expect(() => dop853(osc, [1, 0], 0, [1, 0.5])).toThrow(/monotone/);
    expect(() => dop853(osc, [1, 0], 0, [Number.NaN])).toThrow(/not finite/);
    expect(() => dop853(osc, [], 0, 1)).toThrow(/empty/);
    expect(() => dop853(osc, [1, 0], 0, 1, { rtol: -1 })).toThrow(/tolerances/);
  });
});
