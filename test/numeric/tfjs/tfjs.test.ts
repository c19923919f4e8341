import { describe, it, expect, beforeAll } from 'vitest';
import { createRequire } from 'node:module';
import { loadTf, type Tf } from '../../../src/numeric/tfjs/backend.ts';
import { gdTf, heavyBallTf, sgdGaussianTf, type Tensor2D } from '../../../src/numeric/tfjs/optimizers.ts';
import { gd, heavyBall } from '../../../src/numeric/optimizers.ts';

// L₁ of bench P4: g = (r w1 + 0.3 w2 + 0.1, r w2 + 0.3 w1 + 0.2 cos w2), r = ‖w‖² − 1
const gradL1 = (w: Float64Array, o: Float64Array): void => {
  const r = w[0]! ** 2 + w[1]! ** 2 - 1;
  o[0] = r * w[0]! + 0.3 * w[1]! + 0.1;
  o[1] = r * w[1]! + 0.3 * w[0]! + 0.2 * Math.cos(w[1]!);
};
const gradL1Tf = (tf: Tf) => (th: Tensor2D) => {
  const r = th.square().sum(1, true).sub(1);
  const c = tf.concat([tf.fill([th.shape[0], 1], 0.1), th.slice([0, 1], [-1, 1]).cos().mul(0.2)], 1);
  return r.mul(th).add(tf.reverse(th, 1).mul(0.3)).add(c);
};
const starts = [[1.3, -0.4], [0.2, 0.9], [-1, -1], [0.5, 0.5], [2, 0.1], [-0.3, 1.4]];

function maxDiff(cpu: Float64Array[], tfOut: Float32Array): number {
  let m = 0;
  cpu.forEach((c, b) => c.forEach((v, i) => { m = Math.max(m, Math.abs(v - tfOut[b * c.length + i]!)); }));
  return m;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`tfjs ${backend}`, () => {
    let tf: Tf;
    beforeAll(async () => { tf = await loadTf(backend); });

    it('GD trajectories agree with float64 CPU to float32 precision over 1000 steps', () => {
      expect(tf.getBackend()).toBe(backend);
      const eta = 0.05, steps = 1000;
      const res = gdTf(tf, { grad: gradL1Tf(tf), theta0: starts, eta, steps, record: [0, 10, 1000] });
      expect(res.batch).toBe(starts.length);
      const cpu = starts.map((s) => gd({ grad: gradL1, theta0: s, eta, steps }).theta);
      const d = maxDiff(cpu, res.theta);
      expect(d).toBeLessThan(2e-5); // float32: ε = 6e-8 per op, contracting map
      expect(Array.from(res.trajectory[2]!)).toEqual(Array.from(res.theta));
      const cpu10 = starts.map((s) => gd({ grad: gradL1, theta0: s, eta, steps: 10 }).theta);
      expect(maxDiff(cpu10, res.trajectory[1]!)).toBeLessThan(2e-6);
      expect(tf.memory().numTensors).toBe(0); // no leaks
    });

    it('heavy ball agrees with float64 CPU to float32 precision', () => {
      const eta = 0.02, beta = 0.8, steps = 500;
      const prev = starts.map(([a, b]) => [a! + 0.01, b! - 0.02]);
      const res = heavyBallTf(tf, { grad: gradL1Tf(tf), theta0: starts, thetaPrev: prev, eta, beta, steps, weightDecay: 0.01 });
      const cpu = starts.map((s, i) => heavyBall({ grad: gradL1, theta0: s, thetaPrev: prev[i]!, eta, beta, steps, weightDecay: 0.01 }).theta);
      expect(maxDiff(cpu, res.theta)).toBeLessThan(5e-5);
    });

    it('SGD Gaussian ensemble: stationary variance = exact discrete formula within Monte-Carlo error', () => {
      // 1-D, L = hθ²/2, momentum β, σ²/S: Var θ = η σ²(1+β) / (S q (1−β)(2(1+β) − ηq)) (langevin.md)
      const h = 2, eta = 0.1, beta = 0.3, sigma2 = 1.5, S = 3, B = 4000;
      const exact = (eta * sigma2 * (1 + beta)) / (S * h * (1 - beta) * (2 * (1 + beta) - eta * h));
      const res = sgdGaussianTf(tf, { grad: (th) => th.mul(h), theta0: new Float32Array(B), n: 1, eta, beta, steps: 150, batchSize: S, sigma: [[sigma2]], seed: 9 });
      let v = 0;
      for (const x of res.theta) v += x * x;
      v /= B;
      expect(Math.abs(v - exact)).toBeLessThan(4 * exact * Math.sqrt(2 / B));
      // host noise: same seed, same paths on every backend
      const again = sgdGaussianTf(tf, { grad: (th) => th.mul(h), theta0: new Float32Array(B), n: 1, eta, beta, steps: 150, batchSize: S, sigma: [[sigma2]], seed: 9 });
      expect(Array.from(again.theta)).toEqual(Array.from(res.theta));
    });

    it('rejects bad input', () => {
      const g = gradL1Tf(tf);
      expect(() => gdTf(tf, { grad: g, theta0: starts, eta: Number.NaN, steps: 1 })).toThrow(/eta/);
      expect(() => gdTf(tf, { grad: g, theta0: starts, eta: -1, steps: 1 })).toThrow(/eta must be > 0/);
      expect(() => gdTf(tf, { grad: g, theta0: [[1, 2], [3]], eta: 0.1, steps: 1 })).toThrow(/dimension mismatch/);
      expect(() => gdTf(tf, { grad: (th) => th.sum(1, true), theta0: starts, eta: 0.1, steps: 1 })).toThrow(/grad returned shape/);
      expect(() => heavyBallTf(tf, { grad: g, theta0: starts, eta: 0.1, beta: 1, steps: 1 })).toThrow(/beta/);
      expect(() => sgdGaussianTf(tf, { grad: g, theta0: starts, eta: 0.1, steps: 1, batchSize: 1, sigma: [[1]] })).toThrow(/dimension mismatch/);
      expect(tf.memory().numTensors).toBe(0);
    });
  });
}

describe('optional backends', () => {
  const req = createRequire(import.meta.url);
  const has = (m: string): boolean => { try { req.resolve(m); return true; } catch { return false; } };
  it.skipIf(has('@tensorflow/tfjs-node-gpu') || has('@tensorflow/tfjs-node'))("'tensorflow' without tfjs-node-gpu installed gives a clear error", async () => {
    await expect(loadTf('tensorflow')).rejects.toThrow(/tfjs-node-gpu.*not installed/);
  });
  it.skipIf(has('@tensorflow/tfjs-backend-webgpu'))("'webgpu' without the package gives a clear error", async () => {
    await expect(loadTf('webgpu')).rejects.toThrow(/tfjs-backend-webgpu is not installed/);
  });
  it("'webgl' in Node points to the browser runner; unknown names are rejected", async () => {
    await expect(loadTf('webgl')).rejects.toThrow(/runWebglGd/);
    await expect(loadTf('cuda' as never)).rejects.toThrow(/unknown backend/);
  });
});
