/**
 * Sweeps of the effective diffusion exponent over η, β or S: for each value, the exponent of Δ(k) fitted on
 * log–log axes over a fixed window, predicted (exact discrete and continuous models, diffusion.ts) and measured
 * from a seeded SGD ensemble (diffusion-sim.ts) with a bootstrap interval (docs/theory/langevin.md,
 * "Anomalous diffusion": the exponent falls with η and β when the spectrum spans decades).
 *
 * Jobs are independent and each has its own seed (seed + 1 000 003·j), so the run is deterministic and a
 * parallel run (piscina worker threads, one job per task) gives results identical to the serial one. The
 * worker file is loaded as TypeScript through tsx when this module runs from .ts sources (vitest, tsx) and as
 * JavaScript when built; if the pool cannot start, the sweep runs serially (and says so in `mode`).
 */
import { InputError } from '../../errors.ts';
import { type DiffusionHyper, type DiffusionProblem, fitExponent, predictDiffusion } from './diffusion.ts';
import { bootstrapExponent, simulateDiffusion } from './diffusion-sim.ts';

export type SweepParameter = 'eta' | 'beta' | 'batchSize';

export interface SweepJob {
  problem: DiffusionProblem;
  chains: number;
  steps: number[];
  seed: number;
  window: { kMin: number; kMax: number };
  resamples: number;
}

export interface SweepRow {
  parameter: SweepParameter;
  value: number;
  hyper: Required<DiffusionHyper>;
  /** exponent of the exact discrete and the continuous prediction over the window */
  predicted: number;
  predictedContinuous: number;
  /** exponent of the measured ensemble mean, its bootstrap interval and standard deviation */
  measured: number;
  ci: [number, number];
  measuredSe: number;
  steps: number[];
  /** predicted (discrete) and measured Δ(k) */
  dist2Predicted: number[];
  dist2Measured: number[];
  dist2Se: number[];
}

/** One sweep point: predict, simulate, fit. Pure and deterministic (used by the worker and the serial path). */
export function runSweepJob(job: SweepJob): Omit<SweepRow, 'parameter' | 'value'> {
  const pr = predictDiffusion(job.problem, job.steps);
  const meas = simulateDiffusion(job.problem, { chains: job.chains, steps: job.steps, seed: job.seed });
  const fit = bootstrapExponent(meas, { ...job.window, resamples: job.resamples, seed: job.seed });
  const h = job.problem.hyper;
  return {
    hyper: { eta: h.eta, beta: h.beta ?? 0, batchSize: h.batchSize, weightDecay: h.weightDecay ?? 0 },
    predicted: fitExponent(job.steps, pr.discrete.dist2, job.window).exponent,
    predictedContinuous: fitExponent(job.steps, pr.continuous.dist2, job.window).exponent,
    measured: fit.exponent,
    ci: fit.ci,
    measuredSe: fit.bootstrapSe,
    steps: [...job.steps],
    dist2Predicted: pr.discrete.dist2,
    dist2Measured: meas.dist2,
    dist2Se: meas.dist2Se,
  };
}

export interface SweepOptions {
  problem: DiffusionProblem;
  parameter: SweepParameter;
  values: readonly number[];
  chains: number;
  steps: number[];
  window: { kMin: number; kMax: number };
  seed?: number;
  resamples?: number;
  /** 'serial', 'parallel' (worker threads; falls back to serial if the pool cannot start) or 'auto' (default:
   * parallel when there are at least 2 jobs and 2 cores) */
  mode?: 'serial' | 'parallel' | 'auto';
  /** worker threads (default: available cores − 0, at most the number of jobs) */
  threads?: number;
  /** progress bar on stderr when it is a terminal (default true) */
  progress?: boolean;
}

export interface SweepResult {
  rows: SweepRow[];
  /** how the jobs actually ran */
  mode: 'serial' | 'parallel';
  threads: number;
  /** why a requested parallel run fell back to serial */
  note?: string;
}

export function sweepJobs(o: SweepOptions): SweepJob[] {
  const where = 'diffusionSweep';
  if (!['eta', 'beta', 'batchSize'].includes(o.parameter)) throw new InputError(`${where}: parameter must be 'eta', 'beta' or 'batchSize', got ${String(o.parameter)}`);
  if (!Array.isArray(o.values) || o.values.length === 0) throw new InputError(`${where}: values must be a non-empty array`);
  const seed = o.seed ?? 0;
  return o.values.map((v, j) => ({
    problem: { H: o.problem.H, Sigma: o.problem.Sigma, hyper: { ...o.problem.hyper, [o.parameter]: v } },
    chains: o.chains,
    steps: o.steps,
    seed: seed + 1_000_003 * j,
    window: o.window,
    resamples: o.resamples ?? 200,
  }));
}

async function progressBar(total: number, enabled: boolean): Promise<{ tick: () => void; stop: () => void }> {
  if (!enabled || process.stderr.isTTY !== true) return { tick: () => {}, stop: () => {} };
  const cp = await import('cli-progress');
  const mod = (cp as unknown as { default?: typeof cp }).default ?? cp;
  const bar = new mod.SingleBar({ stream: process.stderr, format: 'diffusion sweep [{bar}] {value}/{total} jobs' }, mod.Presets.shades_classic);
  bar.start(total, 0);
  let done = 0;
  return { tick: () => bar.update(++done), stop: () => bar.stop() };
}

/** The worker file next to this module, and how to load it (tsx for .ts sources). */
export function workerSpec(): { filename: string; execArgv: string[] } {
  const fromTs = import.meta.url.endsWith('.ts');
  const filename = new URL(fromTs ? './diffusion-worker.ts' : './diffusion-worker.js', import.meta.url).href;
  return { filename, execArgv: fromTs ? ['--import', import.meta.resolve('tsx')] : [] };
}

/** Run a sweep (see module comment). */
export async function diffusionSweep(o: SweepOptions): Promise<SweepResult> {
  const jobs = sweepJobs(o);
  const { availableParallelism } = await import('node:os');
  const cores = availableParallelism();
  const mode = o.mode ?? 'auto';
  const wantParallel = mode === 'parallel' || (mode === 'auto' && jobs.length >= 2 && cores >= 2);
  const bar = await progressBar(jobs.length, o.progress ?? true);
  const label = (r: Omit<SweepRow, 'parameter' | 'value'>, j: number): SweepRow => ({ parameter: o.parameter, value: o.values[j]!, ...r });
  try {
    if (wantParallel) {
      const threads = Math.max(1, Math.min(o.threads ?? cores, jobs.length));
      let pool: import('piscina').Piscina | undefined;
      try {
        const { Piscina } = await import('piscina');
        pool = new Piscina({ ...workerSpec(), minThreads: threads, maxThreads: threads });
        const out = await Promise.all(
          jobs.map((job, j) =>
            (pool!.run(job) as Promise<Omit<SweepRow, 'parameter' | 'value'>>).then((r) => {
              bar.tick();
              return label(r, j);
            }),
          ),
        );
        return { rows: out, mode: 'parallel', threads };
      } catch (e) {
        if (e instanceof InputError) throw e;
        const msg = e instanceof Error ? e.message : String(e);
        // a job's own InputError arrives as a plain Error from the worker: re-run serially, which re-throws it
        const rows = jobs.map((job, j) => label(runSweepJob(job), j));
        return { rows, mode: 'serial', threads: 1, note: `worker pool unavailable (${msg.split('\n')[0]}); ran serially` };
      } finally {
        await pool?.destroy();
      }
    }
    const rows = jobs.map((job, j) => {
      const r = label(runSweepJob(job), j);
      bar.tick();
      return r;
    });
    return { rows, mode: 'serial', threads: 1 };
  } finally {
    bar.stop();
  }
}

/** A plain-text table: value, predicted (discrete, continuous), measured with its interval. */
export function formatSweep(rows: readonly SweepRow[]): string {
  const lines = [`${'parameter'.padEnd(10)} ${'value'.padStart(10)} ${'predicted'.padStart(10)} ${'continuous'.padStart(10)} ${'measured'.padStart(10)}  95% interval`];
  for (const r of rows)
    lines.push(
      `${r.parameter.padEnd(10)} ${r.value.toPrecision(4).padStart(10)} ${r.predicted.toFixed(3).padStart(10)} ${r.predictedContinuous.toFixed(3).padStart(10)} ${r.measured.toFixed(3).padStart(10)}  [${r.ci[0].toFixed(3)}, ${r.ci[1].toFixed(3)}]`,
    );
  return lines.join('\n');
}
