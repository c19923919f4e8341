import { describe, expect, it } from 'vitest';
import { loadTf } from '../../../src/numeric/tfjs/backend.ts';
import { logSteps, predictDiffusion } from '../../../src/theory/langevin/diffusion.ts';
import { simulateDiffusionTf } from '../../../src/theory/langevin/diffusion-tf.ts';

const p = { H: [[1, 0.3], [0.3, 0.12]], Sigma: [[0.5, -0.2], [-0.2, 1]], hyper: { eta: 0.5, beta: 0.5, batchSize: 2 } };

describe('diffusion on tfjs (float32, batched)', () => {
  for (const backend of ['cpu', 'wasm'] as const) {
    it(`${backend}: Δ(k) over three decades and δ(k) within 4 SE of the exact discrete prediction`, { timeout: 60000 }, async () => {
      const tf = await loadTf(backend);
      const ks = logSteps(1, 1000, 6);
      const meas = simulateDiffusionTf(tf, p, { chains: 1000, steps: ks, seed: 2 });
      expect(meas.backend).toBe(backend);
      const pr = predictDiffusion(p, ks);
      ks.forEach((_, i) => {
        expect(Math.abs(meas.dist2[i]! - pr.discrete.dist2[i]!)).toBeLessThan(4 * meas.dist2Se[i]!);
        expect(Math.abs(meas.step2[i]! - pr.discrete.step2[i]!)).toBeLessThan(4 * meas.step2Se[i]!);
      });
    });
  }
});
