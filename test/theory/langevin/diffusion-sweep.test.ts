import { describe, expect, it } from 'vitest';
import { diffusionSweep, formatSweep, sweepJobs } from '../../../src/theory/langevin/diffusion-sweep.ts';
import { linearRegressionData } from '../../../src/theory/langevin/diffusion-sim.ts';
import { logSteps } from '../../../src/theory/langevin/diffusion.ts';
import { symmetricEigen } from '../../../src/numeric/symeig.ts';
import { renderSvg, sweepPlotSpec, phasePortraitSpec, spiralSpec } from '../../../src/theory/langevin/diffusion-plot.ts';
import { measurePhaseSpace } from '../../../src/theory/langevin/diffusion-sim.ts';

const data = linearRegressionData({ dim: 10, samples: 2000, decades: 4, labelNoise: 0.5, seed: 1 });
const problem = { H: data.H, Sigma: data.Sigma, hyper: { eta: 0.1, beta: 0, batchSize: 1 } };

describe('exponent sweeps on a linear regression with a four-decade spectrum', () => {
  it('the data: H = XᵀX/N spans four decades; Σ is the label-noise covariance ≈ σ²H', () => {
    const ev = symmetricEigen(data.H).values;
    expect(ev[9]! / ev[0]!).toBeGreaterThan(3e3);
    expect(ev[9]! / ev[0]!).toBeLessThan(3e4);
    // tr Σ / tr H ≈ σ² = 0.25 (residual variance of the fit)
    const tr = (M: number[][]): number => M.reduce((s, r, i) => s + r[i]!, 0);
    expect(Math.abs(tr(data.Sigma) / tr(data.H) / 0.25 - 1)).toBeLessThan(0.15);
  });

  it('η sweep and β sweep: measured exponent within its bootstrap error of the prediction, falling as predicted', { timeout: 30000 }, async () => {
    const steps = logSteps(1, 1000, 12);
    const window = { kMin: 10, kMax: 1000 };
    const common = { chains: 200, steps, window, seed: 4, mode: 'serial' as const, progress: false, resamples: 100 };
    const eta = await diffusionSweep({ ...common, problem, parameter: 'eta', values: [0.05, 0.5, 1.5] });
    const beta = await diffusionSweep({ ...common, problem, parameter: 'beta', values: [0, 0.9] });
    for (const rows of [eta.rows, beta.rows]) {
      for (const r of rows) expect(Math.abs(r.measured - r.predicted)).toBeLessThan(4 * r.measuredSe);
      // prediction and measurement both fall, by more than the statistical error
      for (let i = 1; i < rows.length; i++) {
        expect(rows[i]!.predicted).toBeLessThan(rows[i - 1]!.predicted);
        expect(rows[i]!.measured).toBeLessThan(rows[i - 1]!.measured - 2 * Math.hypot(rows[i]!.measuredSe, rows[i - 1]!.measuredSe));
      }
    }
    expect(formatSweep(eta.rows).split('\n')).toHaveLength(4);
    const svg = await renderSvg(sweepPlotSpec(eta.rows));
    expect(svg).toMatch(/^<svg/);
  });

  it('batch-size sweep: Δ scales as 1/S from stationarity, so the predicted exponent does not move, and neither does the measured one', { timeout: 20000 }, async () => {
    const steps = logSteps(1, 300, 8);
    const r = await diffusionSweep({ problem: { ...problem, hyper: { eta: 0.5, beta: 0.5, batchSize: 1 } }, parameter: 'batchSize', values: [1, 16], chains: 150, steps, window: { kMin: 3, kMax: 300 }, seed: 6, mode: 'serial', progress: false, resamples: 60 });
    expect(Math.abs(r.rows[0]!.predicted - r.rows[1]!.predicted)).toBeLessThan(1e-12);
    r.rows[0]!.dist2Predicted.forEach((d, i) => expect(d / r.rows[1]!.dist2Predicted[i]!).toBeCloseTo(16, 9));
    for (const row of r.rows) expect(Math.abs(row.measured - row.predicted)).toBeLessThan(4 * row.measuredSe);
  });

  it('the parallel run (piscina workers loading the .ts worker through tsx) gives results identical to the serial run', { timeout: 60000 }, async () => {
    const o = { problem, parameter: 'eta' as const, values: [0.2, 1], chains: 20, steps: [1, 10, 30, 100], window: { kMin: 1, kMax: 100 }, seed: 9, progress: false, resamples: 20 };
    const serial = await diffusionSweep({ ...o, mode: 'serial' });
    const parallel = await diffusionSweep({ ...o, mode: 'parallel', threads: 2 });
    expect(parallel.note).toBeUndefined();
    expect(parallel.mode).toBe('parallel');
    expect(parallel.rows).toEqual(serial.rows);
    // per-job seeds are distinct and deterministic
    expect(sweepJobs(o).map((j) => j.seed)).toEqual([9, 9 + 1_000_003]);
  });

  it('phase portraits and spirals render', async () => {
    const q = { H: [[1, 0.3], [0.3, 0.12]], Sigma: [[0.5, -0.2], [-0.2, 1]], hyper: { eta: 0.1, beta: 0.9, batchSize: 2 } };
    const ph = measurePhaseSpace(q, { chains: 2, steps: 300, seed: 1 });
    expect(await renderSvg(phasePortraitSpec(q, ph))).toMatch(/^<svg/);
    const { measureMeanPath } = await import('../../../src/theory/langevin/diffusion-sim.ts');
    const mean = measureMeanPath(q, [1, -1], { chains: 20, steps: 101, seed: 2 });
    const svg = await renderSvg(spiralSpec(q, [1, -1], 100, { measured: mean }));
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain('simulated ensemble mean');
  });
});
