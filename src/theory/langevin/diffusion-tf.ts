/**
 * The diffusion simulation of diffusion-sim.ts on TensorFlow.js (float32, one [chains, m] tensor, backends
 * 'cpu' and 'wasm' in Node; tfjs is loaded only through src/numeric/tfjs/backend.ts). The start is drawn in
 * float64 from the exact discrete stationary law (as in the float64 simulation); the gradient noise is the
 * seeded host stream of `sgdGaussianTf` (the same numbers on every backend). float32 is ample for Δ(k) and
 * δ(k): they are ensemble statistics, compared with the exact discrete prediction within standard errors.
 */
import { InputError } from '../../errors.ts';
import type { Tf } from '../../numeric/tfjs/backend.ts';
import { sgdGaussianTf } from '../../numeric/tfjs/optimizers.ts';
import { toDense } from '../../numeric/linalg.ts';
import type { DiffusionProblem } from './diffusion.ts';
import { type MeasuredDiffusion, type SimulateOptions, checkSimSteps, initialStates, summarizeEnsemble } from './diffusion-sim.ts';

/** Run B chains on tfjs and measure Δ(k), δ(k) with chain-level standard errors. */
export function simulateDiffusionTf(tf: Tf, p: DiffusionProblem, o: SimulateOptions): MeasuredDiffusion & { backend: string } {
  const where = 'simulateDiffusionTf';
  const m = p.H instanceof Float64Array ? Math.round(Math.sqrt(p.H.length)) : p.H.length;
  const H = toDense(p.H, m, 'H', where);
  const B = o.chains;
  if (!Number.isInteger(B) || B < 2) throw new InputError(`${where}: chains must be an integer ≥ 2, got ${B}`);
  const ks = checkSimSteps(o.steps, where);
  const seed = o.seed ?? 0;
  const { theta0, thetaPrev } = initialStates(p, m, B, o.start ?? 'stationary', seed);
  const record = [...new Set([0, ...ks, ...ks.map((k) => k + 1)])].sort((a, b) => a - b);
  const Ht = tf.tensor2d(Float32Array.from(H), [m, m]); // H symmetric: rows θ ↦ θ H = (H θ)ᵀ
  try {
    const res = sgdGaussianTf(tf, {
      grad: (th) => tf.matMul(th, Ht),
      theta0,
      thetaPrev,
      n: m,
      eta: p.hyper.eta,
      beta: p.hyper.beta ?? 0,
      weightDecay: p.hyper.weightDecay ?? 0,
      batchSize: p.hyper.batchSize,
      sigma: p.Sigma,
      steps: ks[ks.length - 1]! + 1,
      seed,
      record,
    });
    for (const x of res.theta) if (!Number.isFinite(x)) throw new InputError(`${where}: chains diverged (non-finite θ): lower the learning rate`);
    const at = (k: number): Float32Array => res.trajectory[record.indexOf(k)]!;
    return { ...summarizeEnsemble(ks, B, m, at), backend: res.backend };
  } finally {
    Ht.dispose();
  }
}
