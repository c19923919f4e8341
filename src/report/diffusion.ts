/**
 * The HTML report of `eomkit diffusion --report DIR` (docs/theory/langevin.md, "Anomalous diffusion",
 * "Continuous model versus the exact discrete process"): for a prediction, the quantities Δ(k) and δ(k),
 * the table of the continuous model against the exact discrete recursion (and a simulation when run), the
 * step-size law, crossovers and exponents, and the log–log plot; for a training log, the fitted exponent
 * beside the linear theory's. report.json holds the same object as `--json`.
 */
import { type ReportBlock, type ReportSection, type WrittenReport, commandOf, writeReport } from './html.ts';

/** Δ(k) and δ(k) as the paper writes them. */
const DEFINITIONS: ReportBlock[] = [
  { kind: 'math', tex: '\\Delta(k) = \\mathbb{E}\\,\\lVert \\theta_k - \\theta_0 \\rVert^2,\\qquad \\delta(k) = \\mathbb{E}\\,\\lVert \\theta_{k+1} - \\theta_k \\rVert^2', label: 'measured' },
  { kind: 'math', tex: '\\delta_\\infty = \\frac{\\eta^2 \\operatorname{tr}\\Sigma}{S(1-\\beta^2)}', label: 'step-size law' },
];

/** The JSON of a prediction (`eomkit diffusion --hessian/--loss --json`), as far as the report reads it. */
export interface DiffusionPredictionJson {
  steps: number[];
  quadratic?: { note: string; H: number[][]; Sigma: number[][] };
  start: 'stationary' | { theta0: number[]; thetaPrev: number[] };
  hyper: { eta: number; beta: number; batchSize: number; weightDecay: number };
  continuous: { dist2: number[]; step2: number[] };
  discrete: { dist2: number[]; step2: number[] };
  gap: { dist2: number[]; step2: number[] };
  stepSizeLaw: number;
  crossovers: { ballistic: number; saturation: number[]; hessianEigenvalues: number[] };
  exponent: { discrete: number; continuous: number } | null;
  simulated?: { chains: number; seed: number; steps: number[]; dist2: number[]; dist2Se: number[]; step2: number[]; step2Se: number[] };
}

/** The JSON of a log analysis (`eomkit diffusion --log … --json`), as far as the report reads it. */
export interface DiffusionLogJson {
  log: string;
  fit: { exponent: number; intercept: number; stderr: number; points: number };
  window: { kMin: number; kMax: number };
  hyper: { eta: number | undefined; beta: number; batchSize: number | undefined; weightDecay: number };
  steps: number[];
  measured: { dist2: number[]; step2: number[] };
  predicted: { discrete: number[]; continuous: number[]; exponentDiscrete: number; exponentContinuous: number } | null;
  stepSizeLaw: number | null;
  meanStep2: number;
  notes: string[];
}

const hyperRow = (h: { eta: number | undefined; beta: number; batchSize: number | undefined; weightDecay: number }): (number | null)[] => [h.eta ?? null, h.beta, h.batchSize ?? null, h.weightDecay];

export function predictionSections(d: DiffusionPredictionJson, svg: string): ReportSection[] {
  const sim = d.simulated;
  const simAt = (k: number): number => (sim ? sim.steps.indexOf(k) : -1);
  const pm = (i: number, mean: number[] | undefined, se: number[] | undefined): string | null => (i < 0 || !mean || !se ? null : `${mean[i]!.toPrecision(5)} ± ${se[i]!.toPrecision(2)}`);
  const setup: ReportBlock[] = [
    { kind: 'table', columns: ['η', 'β', 'S', 'λ', 'start'], rows: [[...hyperRow(d.hyper), d.start === 'stationary' ? 'stationarity' : `θ₀ − μ = (${d.start.theta0.join(', ')})`]] },
  ];
  if (d.quadratic) setup.push({ kind: 'text', text: d.quadratic.note });
  return [
    { heading: 'Setup', blocks: [...setup, ...DEFINITIONS] },
    {
      heading: 'Continuous model and exact discrete recursion',
      blocks: [
        { kind: 'svg', svg, caption: 'Δ(k) on log–log axes and δ(k), predicted by both models' + (sim ? `, and measured on ${sim.chains} seeded SGD chains (±2 SE).` : '.') },
        {
          kind: 'table',
          columns: ['k', 'Δ continuous', 'Δ discrete', 'ratio', 'δ continuous', 'δ discrete', 'ratio', ...(sim ? ['Δ simulated ± SE', 'δ simulated ± SE'] : [])],
          rows: d.steps.map((k, i) => [
            k,
            d.continuous.dist2[i]!,
            d.discrete.dist2[i]!,
            d.gap.dist2[i] ?? null,
            d.continuous.step2[i]!,
            d.discrete.step2[i]!,
            d.gap.step2[i] ?? null,
            ...(sim ? [pm(simAt(k), sim.dist2, sim.dist2Se), pm(simAt(k), sim.step2, sim.step2Se)] : []),
          ]),
        },
        {
          kind: 'table',
          columns: ['quantity', 'value'],
          rows: [
            ['step-size law η² tr Σ/(S(1−β²))', d.stepSizeLaw],
            ['ballistic → Brownian crossover (steps)', d.crossovers.ballistic],
            ['saturation per mode (steps)', d.crossovers.saturation.map((x) => x.toPrecision(4)).join(', ')],
            ['Hessian eigenvalues', d.crossovers.hessianEigenvalues.map((x) => x.toPrecision(4)).join(', ')],
            ...(d.exponent ? [['effective exponent, exact discrete', d.exponent.discrete] as [string, number], ['effective exponent, continuous', d.exponent.continuous] as [string, number]] : []),
          ],
        },
      ],
    },
  ];
}

export function logSections(a: DiffusionLogJson, svg: string): ReportSection[] {
  return [
    {
      heading: 'Setup',
      blocks: [
        { kind: 'table', columns: ['log', 'window', 'η', 'β', 'S', 'λ'], rows: [[a.log, `[${a.window.kMin}, ${a.window.kMax}]`, ...hyperRow(a.hyper)]] },
        ...DEFINITIONS,
        { kind: 'math', tex: '\\log \\Delta(k) = c \\log k + b', label: 'fit' },
      ],
    },
    {
      heading: 'Measured against the linear theory',
      blocks: [
        { kind: 'svg', svg, caption: `Measured Δ(k) and δ(k) of ${a.log}, the fitted power law over the window${a.predicted ? ', and the linear theory’s predictions' : ''}.` },
        {
          kind: 'table',
          columns: ['quantity', 'measured', 'exact discrete', 'continuous'],
          rows: [
            ['exponent c', `${a.fit.exponent.toFixed(4)} ± ${a.fit.stderr.toPrecision(2)}`, a.predicted?.exponentDiscrete ?? null, a.predicted?.exponentContinuous ?? null],
            ['mean δ over the window', a.meanStep2, a.stepSizeLaw, null],
          ],
          caption: `${a.fit.points} points in the fit.`,
        },
      ],
    },
    ...(a.notes.length ? [{ heading: 'Notes', blocks: a.notes.map((n) => ({ kind: 'text' as const, text: n })) }] : []),
  ];
}

export async function writeDiffusionReport(dir: string, opts: object, json: DiffusionPredictionJson | DiffusionLogJson, svg: string): Promise<WrittenReport> {
  const isLog = 'log' in json;
  return writeReport(dir, {
    title: isLog ? 'Diffusion of SGD: a training log beside the linear theory' : 'Anomalous diffusion of SGD near a quadratic minimum',
    summary: isLog ? `Exponent of ${(json as DiffusionLogJson).log}` : 'The continuous Langevin model against the exact discrete recursion.',
    command: commandOf('diffusion', [], opts),
    sections: isLog ? logSections(json as DiffusionLogJson, svg) : predictionSections(json as DiffusionPredictionJson, svg),
    data: json,
  });
}
