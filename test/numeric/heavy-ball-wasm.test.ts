import { describe, it, expect } from 'vitest';
import { heavyBallNoise2Module, heavyBallNoise2Wasm } from '../../src/numeric/kernels/heavy-ball-wasm.ts';
import { Rng, RngBank, zigguratInfo } from '../../src/numeric/prng.ts';
import { heavyBallNoiseStep2 } from '../../src/numeric/optimizers.ts';

/** the scalar update written out here, in the documented order (docs/theory/langevin.md "Discrete update") */
function scalarStep(th: Float64Array, pr: Float64Array, g: Float64Array, z: Float64Array, B: number, F: number[], invS: number, eta: number, lam: number, beta: number): void {
  for (let c = 0; c < B; c++) {
    const p = 2 * c;
    const z0 = z[p]!, z1 = z[p + 1]!;
    const t0 = th[p]!, t1 = th[p + 1]!;
    const g0 = g[p]! + (F[0]! * z0 + F[1]! * z1) * invS;
    const g1 = g[p + 1]! + (F[2]! * z0 + F[3]! * z1) * invS;
    th[p] = t0 - eta * (g0 + lam * t0) + beta * (t0 - pr[p]!);
    th[p + 1] = t1 - eta * (g1 + lam * t1) + beta * (t1 - pr[p + 1]!);
    pr[p] = t0;
    pr[p + 1] = t1;
  }
}

describe('two-parameter heavy-ball ensemble step (wasm SIMD)', () => {
  it('Node’s V8 validates the module', () => {
    expect(heavyBallNoise2Module()).not.toBeNull();
    expect(heavyBallNoise2Wasm(0)).toBeNull();
  });

  for (const B of [1, 2, 7, 1001]) {
    it(`is bit-identical to the scalar update over 50 steps (B = ${B}, weight decay, momentum, full F)`, () => {
      const k = heavyBallNoise2Wasm(B)!;
      const r = new Rng(B);
      const th = r.fillNormal(new Float64Array(2 * B)), pr = r.fillNormal(new Float64Array(2 * B));
      k.theta.set(th);
      k.prev.set(pr);
      const F = [0.7, -0.2, 0.35, 1.3];
      for (let s = 0; s < 50; s++) {
        const g = r.fillNormal(new Float64Array(2 * B)), z = r.fillNormal(new Float64Array(2 * B));
        k.g.set(g);
        k.z.set(z);
        k.step(F[0]!, F[1]!, F[2]!, F[3]!, 1 / Math.sqrt(3), 0.07, 0.01, 0.6);
        scalarStep(th, pr, g, z, B, F, 1 / Math.sqrt(3), 0.07, 0.01, 0.6);
      }
      expect(Array.from(k.theta)).toEqual(Array.from(th));
      expect(Array.from(k.prev)).toEqual(Array.from(pr));
    });

    it(`the JavaScript fallback of sgdGaussianEnsemble (no wasm SIMD) is bit-identical too (B = ${B})`, () => {
      const r = new Rng(B + 1);
      const th = r.fillNormal(new Float64Array(2 * B)), pr = r.fillNormal(new Float64Array(2 * B));
      const th2 = th.slice(), pr2 = pr.slice();
      for (let s = 0; s < 20; s++) {
        const g = r.fillNormal(new Float64Array(2 * B)), z = r.fillNormal(new Float64Array(2 * B));
        heavyBallNoiseStep2(th, pr, g, z, B, 0.7, -0.2, 0.35, 1.3, 0.5, 0.07, 0.01, 0.6);
        scalarStep(th2, pr2, g, z, B, [0.7, -0.2, 0.35, 1.3], 0.5, 0.07, 0.01, 0.6);
      }
      expect(Array.from(th)).toEqual(Array.from(th2));
      expect(Array.from(pr)).toEqual(Array.from(pr2));
    });
  }

  for (const B of [1, 3, 4, 7, 1001]) {
    it(`fillNormals (four xoshiro128** streams per i32x4 vector) gives exactly the numbers of RngBank / new Rng(seed + c), wedges and tail included (B = ${B})`, () => {
      const seed = 40 + B;
      const k = heavyBallNoise2Wasm(B, seed)!;
      const bank = new RngBank(B, seed);
      const ref = new Float64Array(2 * B);
      const steps = Math.ceil(200_000 / B);
      let slow = 0;
      for (let s = 0; s < steps; s++) {
        k.fillNormals();
        bank.fillNormal(ref, 2);
        for (let j = 0; j < 2 * B; j++) {
          if (k.z[j] !== ref[j]) throw new Error(`B = ${B}, step ${s}, entry ${j}: ${k.z[j]} ≠ ${ref[j]}`);
          if (Math.abs(ref[j]!) > zigguratInfo().r) slow++;
        }
      }
      expect(slow).toBeGreaterThan(20); // ~0.026% of ≥ 400,000 draws are tail draws (host slow path)
      // and chain 0's stream is the plain generator's
      if (B === 1) {
        const r = new Rng(seed);
        k.fillNormals();
        const a = k.z[0], b = k.z[1];
        for (let s = 0; s < 2 * steps; s++) r.normalZiggurat(); // the draws of the loop above
        expect([a, b]).toEqual([r.normalZiggurat(), r.normalZiggurat()]);
      }
    });
  }

  it('non-finite values propagate per chain (no cross-talk between chains)', () => {
    const k = heavyBallNoise2Wasm(3)!;
    k.theta.set([1, 1, Number.NaN, 1, 1, 1]);
    k.prev.set([1, 1, 1, 1, 1, 1]);
    k.g.set([0, 0, 0, Number.POSITIVE_INFINITY, 0, 0]);
    k.z.fill(0);
    k.step(1, 0, 0, 1, 1, 0.1, 0, 0.5);
    expect(Array.from(k.theta.subarray(0, 2))).toEqual([1, 1]);
    expect(Number.isNaN(k.theta[2]!)).toBe(true);
    expect(k.theta[3]).toBe(Number.NEGATIVE_INFINITY);
    expect(Array.from(k.theta.subarray(4))).toEqual([1, 1]);
  });
});
