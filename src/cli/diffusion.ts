/**
 * `eomkit diffusion`: anomalous diffusion of SGD near a quadratic minimum (docs/theory/langevin.md,
 * "Anomalous diffusion", "Continuous model versus the exact discrete process").
 *
 * From matrices:
 *   eomkit diffusion --hessian "[[1,0.3],[0.3,0.2]]" --noise "[[0.5,-0.1],[-0.1,1]]" --lr 0.1 --momentum 0.9 \
 *     --batch 4 [--weight-decay 0.01] [--steps 1,10,100,1000] [--from 0.5,-1] [--json] [--plot out.svg]
 * prints E Δ(k) and δ(k) at the steps for the continuous model and the exact discrete recursion, their ratio,
 * the step-size law, the crossover steps and the effective exponent over the steps; from stationarity unless
 * --from gives θ_0 − μ (optionally --from-prev θ_{−1} − μ).
 *
 * From a loss: --loss "<formula>" --params w1,w2 [--constants …] with --noise or --noise-scale σ² (Σ = σ²H):
 * H and Σ at the minimum (found by the Langevin layer's Newton search) or at --at.
 *
 * From a training log (.json, .csv or .npy; schema in src/theory/langevin/diffusion-log.ts):
 *   eomkit diffusion --log run.csv [--window 10:1000] [--lr … --momentum … --batch … --weight-decay …]
 *     [--hessian-eigs 1.2,0.3] [--noise-spectrum …] [--noise-trace …] [--json] [--plot out.svg]
 * fits the exponent over the window and prints the linear theory's predictions beside the measurement.
 *
 * Bad input (unreadable matrices, a log with a missing or non-finite column, fewer than three points in the
 * window, a window outside the data) is an InputError: exit 2 and one line naming the problem.
 */
import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { CliContext, CliIO } from './context.ts';
import { UsageError } from './errors.ts';

export interface DiffusionCliOptions {
  loss?: string;
  params?: string;
  constants?: string;
  noiseScale?: string;
  at?: string;
  hessian?: string;
  noise?: string;
  lr?: string;
  momentum?: string;
  batch?: string;
  weightDecay?: string;
  steps?: string;
  from?: string;
  fromPrev?: string;
  log?: string;
  window?: string;
  hessianEigs?: string;
  noiseSpectrum?: string;
  noiseTrace?: string;
  simulate?: string;
  seed?: string;
  json?: boolean;
  plot?: string;
  /** write an HTML report (formulas, tables, the plot) and the JSON result into this directory */
  report?: string;
}

function parseMatrix(text: string, flag: string): number[][] {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new UsageError(`--${flag}: not a JSON matrix like "[[1,0],[0,2]]" (got ${JSON.stringify(text.slice(0, 40))})`);
  }
  if (typeof v === 'number') v = [[v]];
  if (!Array.isArray(v) || v.length === 0 || !v.every((r) => Array.isArray(r) && r.length === v.length))
    throw new UsageError(`--${flag}: must be a square matrix given as rows, e.g. "[[1,0],[0,2]]"`);
  (v as unknown[][]).forEach((r, i) =>
    r.forEach((x, j) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new UsageError(`--${flag}: entry (${i}, ${j}) is not a finite number`);
    }),
  );
  return v as number[][];
}

function parseNumber(text: string | undefined, flag: string, check: (x: number) => boolean, what: string): number | undefined {
  if (text === undefined) return undefined;
  const x = Number(text);
  if (text.trim() === '' || !Number.isFinite(x) || !check(x)) throw new UsageError(`--${flag} must be ${what}, got "${text}"`);
  return x;
}

function parseList(text: string | undefined, flag: string): number[] | undefined {
  if (text === undefined) return undefined;
  const parts = text.split(',').map((s) => s.trim());
  const xs = parts.map(Number);
  xs.forEach((x, i) => {
    if (parts[i] === '' || !Number.isFinite(x)) throw new UsageError(`--${flag}: item ${i + 1} ("${parts[i]}") is not a finite number`);
  });
  return xs;
}

function parseSteps(text: string | undefined): number[] {
  const ks = parseList(text ?? '1,10,100,1000', 'steps')!;
  ks.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 0) throw new UsageError(`--steps: item ${i + 1} (${k}) is not an integer ≥ 0`);
    if (i > 0 && k <= ks[i - 1]!) throw new UsageError(`--steps must be strictly increasing (${ks[i - 1]} then ${k})`);
  });
  return ks;
}

function parseWindow(text: string | undefined): { kMin?: number; kMax?: number } {
  if (text === undefined) return {};
  const m = /^\s*([0-9.eE+-]*)\s*:\s*([0-9.eE+-]*)\s*$/.exec(text);
  if (!m) throw new UsageError(`--window must look like kMin:kMax (either side may be empty), got "${text}"`);
  const out: { kMin?: number; kMax?: number } = {};
  if (m[1] !== '') out.kMin = parseNumber(m[1], 'window', (x) => x >= 0, 'a number ≥ 0 on each side')!;
  if (m[2] !== '') out.kMax = parseNumber(m[2], 'window', (x) => x >= 0, 'a number ≥ 0 on each side')!;
  return out;
}

async function writePlot(file: string, svg: string): Promise<void> {
  try {
    await writeFile(file, svg);
  } catch (e) {
    throw new UsageError(`--plot: cannot write ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

const fmt = (x: number): string => (Number.isFinite(x) ? x.toPrecision(6) : String(x));

/** Run the command. */
export async function runDiffusion(opts: DiffusionCliOptions, io: CliIO): Promise<void> {
  if (opts.plot !== undefined && opts.plot.trim() === '') throw new UsageError('--plot needs a file name');
  if (opts.report !== undefined && opts.report.trim() === '') throw new UsageError('--report needs a directory name');
  const eta = parseNumber(opts.lr, 'lr', (x) => x > 0, 'a number > 0');
  const beta = parseNumber(opts.momentum, 'momentum', (x) => x >= 0 && x < 1, 'a number in [0, 1)');
  const S = parseNumber(opts.batch, 'batch', (x) => x > 0, 'a number > 0');
  const lam = parseNumber(opts.weightDecay, 'weight-decay', (x) => x >= 0, 'a number ≥ 0');
  if (opts.log !== undefined) return runFromLog(opts, io, { eta, beta, S, lam });
  if (eta === undefined) throw new UsageError('--lr (the learning rate η) is required');
  if (S === undefined) throw new UsageError('--batch (the batch size S) is required');
  let H: number[][];
  let Sigma: number[][];
  let lossNote: string | undefined;
  if (opts.loss !== undefined) {
    if (opts.hessian !== undefined) throw new UsageError('give either --loss or --hessian, not both');
    ({ H, Sigma, note: lossNote } = await quadraticOfLoss(opts, { eta, beta: beta ?? 0, batchSize: S, weightDecay: lam ?? 0 }));
  } else {
    if (opts.hessian === undefined || (opts.noise === undefined && opts.noiseScale === undefined))
      throw new UsageError('give --hessian with --noise (or --noise-scale σ² for Σ = σ²H), or --loss with --params, or --log <file>; see eomkit diffusion --help');
    H = parseMatrix(opts.hessian, 'hessian');
    if (opts.noise !== undefined && opts.noiseScale !== undefined) throw new UsageError('give either --noise or --noise-scale, not both');
    const s2 = parseNumber(opts.noiseScale, 'noise-scale', (x) => x >= 0, 'a number ≥ 0');
    Sigma = opts.noise !== undefined ? parseMatrix(opts.noise, 'noise') : H.map((row) => row.map((h) => h * s2!));
  }
  if (Sigma.length !== H.length) throw new UsageError(`--noise is ${Sigma.length}×${Sigma.length}, --hessian is ${H.length}×${H.length}`);
  const steps = parseSteps(opts.steps);
  const theta0 = parseList(opts.from, 'from');
  const thetaPrev = parseList(opts.fromPrev, 'from-prev');
  if (thetaPrev && !theta0) throw new UsageError('--from-prev needs --from');
  for (const [v, flag] of [[theta0, 'from'], [thetaPrev, 'from-prev']] as const)
    if (v && v.length !== H.length) throw new UsageError(`--${flag} has ${v.length} values, the problem has ${H.length} parameters`);
  const { predictDiffusion, crossoverSteps, fitExponent } = await import('../theory/langevin/diffusion.ts');
  const { symmetricEigen } = await import('../numeric/symeig.ts');
  const hyper = { eta, beta: beta ?? 0, batchSize: S, weightDecay: lam ?? 0 };
  const problem = { H, Sigma, hyper };
  const start = theta0 ? { theta0, ...(thetaPrev ? { thetaPrev } : {}) } : ('stationary' as const);
  const pr = predictDiffusion(problem, steps, start);
  const eig = Array.from(symmetricEigen(H, '--hessian').values);
  const cross = crossoverSteps(eig, hyper);
  const chains = parseNumber(opts.simulate, 'simulate', (x) => Number.isInteger(x) && x >= 2 && x <= 1e6, 'an integer number of chains from 2 to 10⁶');
  const seed = parseNumber(opts.seed, 'seed', (x) => Number.isInteger(x), 'an integer') ?? 0;
  let sim: import('../theory/langevin/diffusion-sim.ts').MeasuredDiffusion | undefined;
  if (chains !== undefined) {
    const { simulateDiffusion } = await import('../theory/langevin/diffusion-sim.ts');
    const simSteps = steps.filter((k) => k > 0);
    if (simSteps.length === 0) throw new UsageError('--simulate needs steps > 0 in --steps');
    sim = simulateDiffusion(problem, { chains, steps: simSteps, seed, start });
  }
  const simAt = (k: number): number => (sim ? sim.steps.indexOf(k) : -1);
  const positive = steps.filter((k) => k > 0).length;
  const exps =
    positive >= 3
      ? { discrete: fitExponent(steps, pr.discrete.dist2).exponent, continuous: fitExponent(steps, pr.continuous.dist2).exponent }
      : null;
  let svg: string | undefined;
  if (opts.plot !== undefined || opts.report !== undefined) {
    const { diffusionPlotSpec, renderSvg } = await import('../theory/langevin/diffusion-plot.ts');
    svg = await renderSvg(
      diffusionPlotSpec({
        steps,
        predicted: { 'exact discrete': pr.discrete.dist2, continuous: pr.continuous.dist2 },
        predictedStep2: { 'exact discrete': pr.discrete.step2, continuous: pr.continuous.step2 },
        stepSizeLaw: pr.stepSizeLaw,
        ...(sim ? { measured: { steps: sim.steps, dist2: sim.dist2, dist2Se: sim.dist2Se, step2: sim.step2 } } : {}),
        title: `SGD diffusion, η = ${eta}, β = ${hyper.beta}, S = ${S}, λ = ${hyper.weightDecay} (${theta0 ? 'from θ_0' : 'from stationarity'})`,
      }),
    );
    if (opts.plot !== undefined) await writePlot(opts.plot, svg);
  }
  let reportPage: string | undefined;
  if (opts.json || opts.report !== undefined) {
    const json = {
      steps,
      ...(lossNote ? { quadratic: { note: lossNote, H, Sigma } } : {}),
      start: theta0 ? { theta0, thetaPrev: thetaPrev ?? theta0 } : ('stationary' as const),
      hyper,
      continuous: { dist2: pr.continuous.dist2, step2: pr.continuous.step2 },
      discrete: { dist2: pr.discrete.dist2, step2: pr.discrete.step2 },
      gap: { dist2: pr.gapDist2, step2: pr.gapStep2 },
      stepSizeLaw: pr.stepSizeLaw,
      crossovers: { ballistic: cross.ballistic, saturation: cross.saturation, hessianEigenvalues: eig },
      exponent: exps,
      ...(sim ? { simulated: { chains: sim.chains, seed, steps: sim.steps, dist2: sim.dist2, dist2Se: sim.dist2Se, step2: sim.step2, step2Se: sim.step2Se } } : {}),
      ...(opts.plot !== undefined ? { plot: opts.plot } : {}),
    };
    if (opts.report !== undefined) {
      const { writeDiffusionReport } = await import('../report/diffusion.ts');
      reportPage = (await writeDiffusionReport(opts.report, opts, json, svg!)).page;
    }
    if (opts.json) {
      io.out(JSON.stringify(json, null, 2));
      return;
    }
  }
  const lines = [
    ...(lossNote ? [lossNote] : []),
    `SGD diffusion near a quadratic minimum (${H.length} parameters), η = ${eta}, β = ${hyper.beta}, S = ${S}, λ = ${hyper.weightDecay}, ${theta0 ? 'from θ_0 − μ = [' + theta0.join(', ') + ']' : 'from stationarity'}`,
    `${'k'.padStart(8)} ${'Δ continuous'.padStart(14)} ${'Δ discrete'.padStart(14)} ${'ratio'.padStart(9)} ${'δ continuous'.padStart(14)} ${'δ discrete'.padStart(14)} ${'ratio'.padStart(9)}${sim ? `   ${'Δ simulated ± SE'.padStart(24)} ${'δ simulated ± SE'.padStart(24)}` : ''}`,
  ];
  const pm = (i: number, mean: number[], se: number[]): string => (i < 0 ? '—' : `${fmt(mean[i]!)} ± ${se[i]!.toPrecision(2)}`);
  steps.forEach((k, i) =>
    lines.push(
      `${String(k).padStart(8)} ${fmt(pr.continuous.dist2[i]!).padStart(14)} ${fmt(pr.discrete.dist2[i]!).padStart(14)} ${pr.gapDist2[i]!.toFixed(4).padStart(9)} ${fmt(pr.continuous.step2[i]!).padStart(14)} ${fmt(pr.discrete.step2[i]!).padStart(14)} ${pr.gapStep2[i]!.toFixed(4).padStart(9)}${sim ? `   ${pm(simAt(k), sim.dist2, sim.dist2Se).padStart(24)} ${pm(simAt(k), sim.step2, sim.step2Se).padStart(24)}` : ''}`,
    ),
  );
  if (sim) lines.push(`simulated: ${sim.chains} SGD chains with Gaussian noise Σ/S (seed ${seed}), ${theta0 ? 'from θ_0' : 'from the exact discrete stationary law'}`);
  lines.push(`step-size law η² tr Σ/(S(1−β²)) = ${fmt(pr.stepSizeLaw)}`);
  lines.push(`crossovers: ballistic → Brownian ≈ ${fmt(cross.ballistic)} steps; saturation per mode ≈ ${cross.saturation.map(fmt).join(', ')} steps`);
  if (exps) lines.push(`effective exponent over the steps: ${exps.discrete.toFixed(4)} (exact discrete), ${exps.continuous.toFixed(4)} (continuous)`);
  if (opts.plot !== undefined) lines.push(`plot ${opts.plot}`);
  if (reportPage !== undefined) lines.push(`report ${reportPage}`);
  io.out(lines.join('\n'));
}

/** H and Σ of a loss at its minimum (or at --at), through the Langevin layer's `stationaryForLoss`. */
async function quadraticOfLoss(opts: DiffusionCliOptions, hyper: { eta: number; beta: number; batchSize: number; weightDecay: number }): Promise<{ H: number[][]; Sigma: number[][]; note: string }> {
  const { parseAssignments, parseNames, parsePoint } = await import('./args.ts');
  const { loss } = await import('../symbolic/index.ts');
  const { stationaryForLoss } = await import('../theory/langevin/at-minimum.ts');
  const params = parseNames(opts.params, 'params');
  if (params.length === 0) throw new UsageError('--loss needs --params (the parameter names)');
  const constants = Object.fromEntries(opts.constants ? parseAssignments(opts.constants, 'constants') : []);
  const L = loss(opts.loss!, { params, constants });
  if (opts.noise !== undefined && opts.noiseScale !== undefined) throw new UsageError('give either --noise or --noise-scale, not both');
  let noise: import('../theory/langevin/model.ts').NoiseSpec;
  if (opts.noise !== undefined) noise = { kind: 'matrix', sigma: parseMatrix(opts.noise, 'noise') };
  else if (opts.noiseScale !== undefined) noise = { kind: 'hessian', scale: parseNumber(opts.noiseScale, 'noise-scale', (x) => x >= 0, 'a number ≥ 0')! };
  else throw new UsageError('--loss needs the noise: --noise "[[…]]" (Σ) or --noise-scale σ² (Σ = σ²H)');
  const r = stationaryForLoss(L, hyper, noise, { exact: 'never', ...(opts.at !== undefined ? { at: parsePoint(opts.at, params, 'at') } : {}) });
  const m = params.length;
  const rows = (M: Float64Array): number[][] => Array.from({ length: m }, (_, i) => Array.from(M.subarray(i * m, (i + 1) * m)));
  const where = opts.at !== undefined ? 'at' : 'at the minimum';
  const point = params.map((p, i) => `${p}=${r.point[i]!.toPrecision(6)}`).join(', ');
  return { H: rows(r.stationary.H), Sigma: rows(r.stationary.Sigma), note: `loss ${L.formula} ${where} ${point} (‖∇L_λ‖ = ${r.gradientNorm.toExponential(2)})` };
}

async function runFromLog(opts: DiffusionCliOptions, io: CliIO, h: { eta?: number | undefined; beta?: number | undefined; S?: number | undefined; lam?: number | undefined }): Promise<void> {
  const { readDiffusionLog, analyzeDiffusionLog, formatLogAnalysis } = await import('../theory/langevin/diffusion-log.ts');
  const log = await readDiffusionLog(opts.log!);
  const noiseTrace = parseNumber(opts.noiseTrace, 'noise-trace', (x) => x >= 0, 'a number ≥ 0');
  const hessianEigenvalues = parseList(opts.hessianEigs, 'hessian-eigs');
  const noiseSpectrum = parseList(opts.noiseSpectrum, 'noise-spectrum');
  const meta = {
    ...(h.eta !== undefined ? { eta: h.eta } : {}),
    ...(h.beta !== undefined ? { beta: h.beta } : {}),
    ...(h.S !== undefined ? { batchSize: h.S } : {}),
    ...(h.lam !== undefined ? { weightDecay: h.lam } : {}),
    ...(noiseTrace !== undefined ? { noiseTrace } : {}),
    ...(hessianEigenvalues ? { hessianEigenvalues } : {}),
    ...(noiseSpectrum ? { noiseSpectrum } : {}),
  };
  const a = analyzeDiffusionLog(log, { ...parseWindow(opts.window), meta, source: opts.log! });
  let svg: string | undefined;
  if (opts.plot !== undefined || opts.report !== undefined) {
    const { diffusionPlotSpec, renderSvg } = await import('../theory/langevin/diffusion-plot.ts');
    svg = await renderSvg(
      diffusionPlotSpec({
        steps: a.steps,
        predicted: a.predicted ? { 'exact discrete': a.predicted.discrete, continuous: a.predicted.continuous } : {},
        measured: { dist2: a.measured.dist2, step2: a.measured.step2 },
        fit: { ...a.fit, ...a.window, label: `fit over [${a.window.kMin}, ${a.window.kMax}]: slope ${a.fit.exponent.toFixed(3)}` },
        ...(a.stepSizeLaw !== null ? { stepSizeLaw: a.stepSizeLaw } : {}),
        title: `diffusion of ${opts.log}`,
      }),
    );
    if (opts.plot !== undefined) await writePlot(opts.plot, svg);
  }
  const json = { log: opts.log!, ...a, ...(opts.plot !== undefined ? { plot: opts.plot } : {}) };
  let reportPage: string | undefined;
  if (opts.report !== undefined) {
    const { writeDiffusionReport } = await import('../report/diffusion.ts');
    reportPage = (await writeDiffusionReport(opts.report, opts, json, svg!)).page;
  }
  if (opts.json) {
    io.out(JSON.stringify(json, null, 2));
    return;
  }
  io.out(formatLogAnalysis(a) + (opts.plot !== undefined ? `\nplot ${opts.plot}` : '') + (reportPage !== undefined ? `\nreport ${reportPage}` : ''));
}

/** Registers the command with the entry point (src/cli/commands.ts). */
export function register(program: Command, ctx: CliContext): void {
  program
    .command('diffusion')
    .description(
      'anomalous diffusion of SGD near a quadratic minimum: E‖θ_k − θ_0‖² and E‖θ_{k+1} − θ_k‖² from the continuous Langevin model and the exact discrete recursion (from matrices), or the exponent of a training log beside the linear theory (--log)',
    )
    .option('--hessian <matrix>', 'Hessian H as JSON rows, e.g. "[[1,0.3],[0.3,0.2]]"')
    .option('--noise <matrix>', 'per-example gradient-noise covariance Σ as JSON rows (the minibatch noise is Σ/S)')
    .option('--noise-scale <s2>', 'Σ = σ²H instead of --noise (label noise near a minimum)')
    .option('--loss <formula>', 'a loss instead of --hessian: H and Σ at its minimum (with --params; --at to analyse elsewhere)')
    .option('-p, --params <names>', 'parameter names of --loss')
    .option('-c, --constants <list>', 'named constants of --loss')
    .option('--at <point>', 'for --loss: analyse at this point instead of the minimum')
    .option('--lr <eta>', 'learning rate η')
    .option('--momentum <beta>', 'heavy-ball momentum β in [0, 1) (default 0)')
    .option('--batch <S>', 'batch size S')
    .option('--weight-decay <lambda>', 'weight decay λ ≥ 0 (default 0)')
    .option('--steps <list>', 'steps k, increasing (default 1,10,100,1000)')
    .option('--from <theta0>', 'start at θ_0 − μ (comma list) instead of stationarity')
    .option('--from-prev <thetaPrev>', 'θ_{−1} − μ for --from (default θ_0: zero initial velocity)')
    .option('--simulate <chains>', 'also simulate that many seeded SGD chains and print the measured Δ, δ with standard errors')
    .option('--seed <n>', 'seed of --simulate (default 0)')
    .option('--log <file>', 'a training log (.json, .csv or .npy with columns step, dist2, step2)')
    .option('--window <kMin:kMax>', 'fit window for --log (default: the whole log)')
    .option('--hessian-eigs <list>', 'for --log: final top Hessian eigenvalues')
    .option('--noise-spectrum <list>', 'for --log: noise variance u_iᵀΣu_i along each eigenvector')
    .option('--noise-trace <trace>', 'for --log: tr Σ')
    .option('--json', 'print one JSON object')
    .option('--plot <file.svg>', 'write an SVG plot')
    .option('--report <dir>', 'write an HTML report (rendered formulas, tables, the plot) and report.json into a directory')
    .action(async (opts: import('./diffusion.ts').DiffusionCliOptions) => {
      const { runDiffusion } = await import('./diffusion.ts');
      await runDiffusion(opts, ctx.io);
    });
}
