/**
 * Diffusion examples made by the project's own simulation (run: `npx tsx docs/examples/diffusion.ts`):
 * - docs/examples/diffusion-log.json: a training log in the schema of src/theory/langevin/diffusion-log.ts,
 *   Δ(k) and δ(k) averaged over 32 seeded SGD runs on a 10-D linear regression whose Hessian spans four
 *   decades, started from stationarity, with the final Hessian eigenvalues and the noise along them;
 * - docs/examples/diffusion-sweep.md and diffusion-sweep-eta.svg / diffusion-sweep-beta.svg: the fitted
 *   exponent against η and β, simulated (bootstrap interval) beside predicted;
 * - diffusion-log.svg: the log read back with the fit and the linear theory;
 * - diffusion-phase.svg, diffusion-spiral.svg: phase portraits with the predicted ellipse, mean spirals.
 * Everything is seeded: the files are reproduced bit for bit (test/theory/langevin/diffusion-docs.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { logSteps } from '../../src/theory/langevin/diffusion.ts';
import { symmetricEigen } from '../../src/numeric/symeig.ts';
import { linearRegressionData, simulateDiffusion } from '../../src/theory/langevin/diffusion-sim.ts';
import { type SweepRow, diffusionSweep, formatSweep } from '../../src/theory/langevin/diffusion-sweep.ts';
import type { DiffusionLog } from '../../src/theory/langevin/diffusion-log.ts';

/** The regression problem of the examples: 10 parameters, Hessian spectrum over four decades, label noise 0.5. */
export function exampleProblem(): { H: number[][]; Sigma: number[][] } {
  const d = linearRegressionData({ dim: 10, samples: 2000, decades: 4, labelNoise: 0.5, seed: 1 });
  return { H: d.H, Sigma: d.Sigma };
}

/** The example log (deterministic). */
export function exampleLog(): DiffusionLog & { note: string } {
  const { H, Sigma } = exampleProblem();
  const hyper = { eta: 0.2, beta: 0.9, batchSize: 8 };
  const steps = logSteps(1, 5000, 30);
  const meas = simulateDiffusion({ H, Sigma, hyper }, { chains: 32, steps, seed: 11 });
  const m = H.length;
  const eig = symmetricEigen(H);
  const values = Array.from(eig.values);
  const U = eig.vectors;
  const noiseSpectrum = values.map((_, i) => {
    let s = 0;
    for (let a = 0; a < m; a++) for (let b = 0; b < m; b++) s += U[a * m + i]! * Sigma[a]![b]! * U[b * m + i]!;
    return s;
  });
  let trace = 0;
  for (let i = 0; i < m; i++) trace += Sigma[i]![i]!;
  const r = (x: number): number => Number(x.toPrecision(12));
  return {
    note: 'made by docs/examples/diffusion.ts: SGD (Gaussian noise Σ/S) on a seeded 10-D linear regression, mean of 32 runs started from stationarity',
    step: steps,
    dist2: meas.dist2.map(r),
    step2: meas.step2.map(r),
    meta: {},
    ...{ eta: hyper.eta, beta: hyper.beta, batchSize: hyper.batchSize, weightDecay: 0 },
    ...{ hessianEigenvalues: values.map(r).reverse(), noiseSpectrum: noiseSpectrum.map(r).reverse(), noiseTrace: r(trace) },
  } as DiffusionLog & { note: string };
}

/** The JSON text of the example log as committed. */
export function exampleLogJson(): string {
  const { meta: _meta, ...rest } = exampleLog();
  return JSON.stringify(rest, null, 1) + '\n';
}

/** η and β sweeps of the exponent (sizes adjustable so that a test can run a smaller one). */
export async function exampleSweeps(o: { chains: number; kMax: number; mode?: 'serial' | 'parallel' | 'auto'; progress?: boolean }): Promise<{ eta: SweepRow[]; beta: SweepRow[] }> {
  const { H, Sigma } = exampleProblem();
  const steps = logSteps(1, o.kMax, 16);
  const window = { kMin: 10, kMax: o.kMax };
  const common = { chains: o.chains, steps, window, seed: 3, mode: o.mode ?? 'auto', progress: o.progress ?? true, resamples: 200 } as const;
  const eta = await diffusionSweep({ ...common, problem: { H, Sigma, hyper: { eta: 0.1, beta: 0, batchSize: 1 } }, parameter: 'eta', values: [0.05, 0.2, 0.5, 1, 1.5] });
  const beta = await diffusionSweep({ ...common, problem: { H, Sigma, hyper: { eta: 0.1, beta: 0, batchSize: 1 } }, parameter: 'beta', values: [0, 0.5, 0.8, 0.9, 0.95] });
  return { eta: eta.rows, beta: beta.rows };
}

async function main(): Promise<void> {
  const dir = dirname(fileURLToPath(import.meta.url));
  writeFileSync(join(dir, 'diffusion-log.json'), exampleLogJson());
  const { renderSvg, sweepPlotSpec, diffusionPlotSpec } = await import('../../src/theory/langevin/diffusion-plot.ts');
  const { parseJsonLog, analyzeDiffusionLog, formatLogAnalysis } = await import('../../src/theory/langevin/diffusion-log.ts');
  const a = analyzeDiffusionLog(parseJsonLog(exampleLogJson()), { kMin: 10, kMax: 5000 });
  writeFileSync(
    join(dir, 'diffusion-log.svg'),
    await renderSvg(
      diffusionPlotSpec({
        steps: a.steps,
        predicted: { 'exact discrete': a.predicted!.discrete, continuous: a.predicted!.continuous },
        measured: { dist2: a.measured.dist2, step2: a.measured.step2 },
        fit: { ...a.fit, ...a.window },
        stepSizeLaw: a.stepSizeLaw!,
        title: 'docs/examples/diffusion-log.json read back: fit and linear theory',
      }),
    ),
  );
  // phase space of a 2-D non-commuting case with momentum: portraits with the predicted ellipse, mean spirals
  const { measurePhaseSpace, measureMeanPath } = await import('../../src/theory/langevin/diffusion-sim.ts');
  const { phasePortraitSpec, spiralSpec } = await import('../../src/theory/langevin/diffusion-plot.ts');
  const q = { H: [[1, 0.3], [0.3, 0.12]], Sigma: [[0.5, -0.2], [-0.2, 1]], hyper: { eta: 0.1, beta: 0.9, batchSize: 2 } };
  writeFileSync(join(dir, 'diffusion-phase.svg'), await renderSvg(phasePortraitSpec(q, measurePhaseSpace(q, { chains: 2, steps: 3000, seed: 7 }))));
  writeFileSync(join(dir, 'diffusion-spiral.svg'), await renderSvg(spiralSpec(q, [3, -2], 80, { measured: measureMeanPath(q, [3, -2], { chains: 400, steps: 81, seed: 12 }) })));
  const sw = await exampleSweeps({ chains: 400, kMax: 2000 });
  writeFileSync(join(dir, 'diffusion-sweep-eta.svg'), await renderSvg(sweepPlotSpec(sw.eta)));
  writeFileSync(join(dir, 'diffusion-sweep-beta.svg'), await renderSvg(sweepPlotSpec(sw.beta)));
  const md = [
    '# Diffusion exponent sweeps (generated by docs/examples/diffusion.ts)',
    '',
    '10-D linear regression, Hessian eigenvalues from 1e-4 to 1 (four decades), label noise 0.5, S = 1;',
    '400 seeded chains from stationarity; exponent of Δ(k) fitted on log–log axes over k ∈ [10, 2000];',
    'interval: 95 % bootstrap over chains.',
    '',
    '```',
    formatSweep(sw.eta),
    '',
    formatSweep(sw.beta),
    '```',
    '',
    '![exponent against η](diffusion-sweep-eta.svg) ![exponent against β](diffusion-sweep-beta.svg)',
    '',
    'Phase space of a 2-D case where H and Σ do not commute (η = 0.1, β = 0.9, S = 2): one chain per Hessian',
    'eigendirection with the predicted 2σ ellipse, and the mean spirals from a displaced start, simulated (400',
    'chains) beside E x_k = M^k x_0:',
    '',
    '![phase portraits](diffusion-phase.svg) ![mean spirals](diffusion-spiral.svg)',
    '',
    'The example log read back (`eomkit diffusion --log docs/examples/diffusion-log.json --window 10:5000`):',
    '',
    '```',
    formatLogAnalysis(a),
    '```',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'diffusion-sweep.md'), md);
  process.stdout.write(md);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
