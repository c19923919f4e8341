/**
 * The whole pipeline, as a user strings it together: a loss formula → its gradient → code generation for
 * float64 (one trajectory) and for TensorFlow.js (an ensemble over a batch) → GD on both → the same
 * iterates, to float32 tolerance on tfjs (TensorFlow.js computes in float32).
 */
import { describe, expect, it } from 'vitest';
import { compile, gd, gradient, loss } from '../../src/index.ts';
import { compileTf } from '../../src/numeric/tfjs/index.ts';
import { gdTf, loadTf } from '../../src/numeric/tfjs/index.ts';

describe('loss → codegen → GD, float64 and a tfjs ensemble', () => {
  it.each(['cpu', 'wasm'] as const)('tfjs-%s ensemble follows the float64 trajectories of the same compiled gradient', async (backend) => {
    const L = loss('(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + softplus(w2 - w1)/5', { params: ['w1', 'w2'] });
    const g = gradient(L.expr, L.params);
    const cpu = compile({ g }, L.params);
    const tf = await loadTf(backend);
    const gTf = await compileTf({ g }, L.params, { tf: tf as never });
    const starts = [
      [1.3, -0.4],
      [-0.7, 0.9],
      [0.2, 0.1],
      [1.1, 1.2],
    ];
    const eta = 0.05;
    const steps = 200;
    const ens = gdTf(tf, { grad: (x) => gTf.fn(x), theta0: starts, eta, steps });
    for (let c = 0; c < starts.length; c++) {
      const r = gd({ grad: cpu.fn, theta0: starts[c]!, eta, steps });
      for (let i = 0; i < 2; i++) {
        const a = ens.theta[c * 2 + i]!;
        const b = r.theta[i]!;
        expect(Math.abs(a - b)).toBeLessThan(2e-5 * Math.max(1, Math.abs(b)));
      }
      // and far from where it started: the comparison is not trivial
      expect(Math.hypot(r.theta[0]! - starts[c]![0]!, r.theta[1]! - starts[c]![1]!)).toBeGreaterThan(0.05);
    }
  });
});
