import { describe, it, expect } from 'vitest';
import { findChromium, runWebglGd } from '../../../src/numeric/tfjs/webgl.ts';
import { gd } from '../../../src/numeric/optimizers.ts';

const chromium = findChromium();
if (!chromium) console.warn('webgl test skipped: no Chromium at $EOMKIT_CHROMIUM, /usr/bin/chromium or /usr/bin/chromium-browser (apt-get install -y chromium)');

describe('tfjs webgl in headless Chromium', () => {
  it.skipIf(!chromium)('runs GD on the webgl backend and agrees with float64 CPU to float32 tolerance', async () => {
    const starts = [[1.3, -0.4], [0.2, 0.9], [-1, -1], [0.5, 0.5]];
    const eta = 0.05, steps = 300;
    // polynomial loss (SwiftShader's transcendental kernels are inexact): L = (‖w‖² − 1)²/4 + 0.3 w1 w2 + 0.1 w1
    const r = await runWebglGd({
      grad: (tf: any, th: any) => { // eslint-disable-line @typescript-eslint/no-explicit-any
        const q = th.square().sum(1, true).sub(1);
        return q.mul(th).add(tf.reverse(th, 1).mul(0.3)).add(tf.tensor2d([[0.1, 0]]));
      },
      theta0: starts,
      eta,
      steps,
    });
    expect(r.backend).toBe('webgl');
    expect(r.webglVersion).toBeGreaterThan(0);
    expect([r.batch, r.n]).toEqual([4, 2]);
    let m = 0;
    starts.forEach((s, b) => {
      const c = gd({ grad: (w, o) => { const q = w[0]! ** 2 + w[1]! ** 2 - 1; o[0] = q * w[0]! + 0.3 * w[1]! + 0.1; o[1] = q * w[1]! + 0.3 * w[0]!; }, theta0: s, eta, steps }).theta;
      for (let i = 0; i < 2; i++) m = Math.max(m, Math.abs(c[i]! - r.theta[b * 2 + i]!));
    });
    expect(m).toBeLessThan(1e-4);
  }, 120_000);
  it('rejects bad input before launching a browser', async () => {
    await expect(runWebglGd({ grad: '(tf, t) => t', theta0: [[1]], eta: 0, steps: 1 })).rejects.toThrow(/eta must be > 0/);
    await expect(runWebglGd({ grad: '(tf, t) => t', theta0: [[1], [1, 2]], eta: 0.1, steps: 1 })).rejects.toThrow(/dimension mismatch/);
  });
});
