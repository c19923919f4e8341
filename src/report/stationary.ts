/**
 * The HTML report of `eomkit stationary --report DIR`: the setup, the continuous Langevin model and its
 * stationary covariances beside the exact discrete recursion's (docs/theory/langevin.md, "Stationary
 * state", "Continuous model versus the exact discrete process"), the per-mode frequencies and damping, the
 * gap, and a plot of the per-mode stationary variances of both; report.json holds the same object as
 * `--json`.
 */
import type { LinearStationary } from '../theory/langevin/linear.ts';
import { renderSvg } from '../theory/langevin/diffusion-plot.ts';
import { type ReportSection, type WrittenReport, commandOf, formatCell, writeReport } from './html.ts';

/** A number as LaTeX: 6 significant digits, powers of ten as ×10^{k}. */
export function numberLatex(x: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? '\\mathrm{NaN}' : x > 0 ? '\\infty' : '-\\infty';
  if (x === 0) return '0';
  const s = Math.abs(x) >= 1e-3 && Math.abs(x) < 1e5 ? String(Number(x.toPrecision(6))) : x.toExponential(4);
  const m = /^(-?[0-9.]+)e([+-]\d+)$/.exec(s);
  return m ? `${m[1]}\\times 10^{${Number(m[2])}}` : s;
}

/** An n×n row-major matrix as a pmatrix (a 1×1 matrix is its entry). */
export function squareMatrixLatex(M: Float64Array, n: number): string {
  if (n === 1) return numberLatex(M[0]!);
  const rows = Array.from({ length: n }, (_, i) => Array.from(M.subarray(i * n, (i + 1) * n), numberLatex).join(' & '));
  return `\\begin{pmatrix} ${rows.join(' \\\\ ')} \\end{pmatrix}`;
}

/** Matrices above this size are summarised in the page (report.json has them all). */
const REPORT_MATRIX_MAX = 6;

/**
 * The plot of the modes: each mode's exact discrete stationary variance over the continuous one, the 1-D
 * gap factor 1/(1 − ηq/(2(1+β))) (docs/theory/langevin.md, "Continuous model versus the exact discrete
 * process"), against the curvature q, coloured by regime.
 */
function gapPlotSpec(r: LinearStationary): Record<string, unknown> {
  const pts = r.modes.map((m) => ({ q: m.curvature, gap: m.gapFactor, regime: m.underdamped ? 'underdamped' : 'overdamped' })).filter((p) => Number.isFinite(p.gap) && p.q > 0);
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: `Discrete / continuous stationary variance per mode (η = ${r.hyper.eta}, β = ${r.hyper.beta})`,
    width: 420,
    height: 260,
    data: { values: pts },
    mark: { type: 'point', filled: true, size: 80 },
    encoding: {
      x: { field: 'q', type: 'quantitative', scale: { type: 'log' }, title: 'curvature q = λ_i + λ' },
      y: { field: 'gap', type: 'quantitative', scale: { zero: false }, title: '1/(1 − ηq/(2(1+β)))' },
      color: { field: 'regime', type: 'nominal' },
    },
  };
}

export async function stationarySections(r: LinearStationary, params: readonly string[], header: Record<string, unknown>, sde: string | undefined): Promise<ReportSection[]> {
  const p = r.p;
  const n2 = 2 * p;
  const h = r.hyper;
  const mat = (M: Float64Array, n: number, name: string): { kind: 'math'; tex: string; label: string } | { kind: 'text'; text: string } =>
    n <= REPORT_MATRIX_MAX ? { kind: 'math', tex: squareMatrixLatex(M, n), label: name } : { kind: 'text', text: `${name}: a ${n}×${n} matrix (in report.json).` };
  const setupRows: (string | number)[][] = [
    ['learning rate η', h.eta],
    ['momentum β', h.beta],
    ['batch size S', h.batchSize],
    ['weight decay λ', h.weightDecay],
    ['noise factor c', h.noiseFactor],
    ['arithmetic', r.exact ? 'exact rationals' : 'float64'],
    ['[H, Σ]', r.commuting ? '0 (commuting)' : '≠ 0'],
    ['stability limit 2(1+β)/q_max', r.stabilityLimit],
  ];
  if (header['loss'] !== undefined) {
    const pt = header['point'] as Record<string, number>;
    setupRows.unshift(['loss', String(header['loss'])], ['point', params.map((q) => `${q} = ${pt[q]}`).join(', ')], ['‖∇(L + λ/2‖θ‖²)‖', header['gradientNorm'] as number]);
  }
  const svg = await renderSvg(gapPlotSpec(r));
  return [
    { heading: 'Setup', blocks: [{ kind: 'table', columns: ['quantity', 'value'], rows: setupRows }, mat(r.H, p, 'H'), mat(r.Sigma, p, 'Σ')] },
    {
      heading: 'Continuous model',
      blocks: [
        sde !== undefined
          ? { kind: 'math', tex: sde, label: 'SDE' }
          : { kind: 'math', tex: `dx = -A\\,x\\,dt + \\sqrt{2D}\\,dW_t,\\quad x = (\\theta - \\mu,\\, v)`, label: 'SDE' },
        { kind: 'math', tex: 'A C + C A^{\\top} = 2D,\\qquad Q = A C - D = -Q^{\\top}', label: 'stationary' },
        mat(r.continuous.thetaTheta, p, 'C_θθ'),
        mat(r.continuous.vv, p, 'C_vv'),
        mat(r.continuous.Q, n2, 'Q'),
        { kind: 'text', text: `tr C_vv = ${formatCell(r.continuous.traceVV)} (prediction tr Σ c/(1−β²) = ${formatCell(r.continuous.traceVVPredicted)}); Q antisymmetric ${r.continuous.antisymmetryError === 0 ? 'exactly' : `to ${r.continuous.antisymmetryError.toExponential(1)}`}.` },
      ],
    },
    {
      heading: 'Exact discrete recursion',
      blocks: [
        { kind: 'math', tex: 'z_{k+1} = M z_k + \\xi_k,\\quad z_k = (\\theta_k - \\mu,\\, \\theta_{k-1} - \\mu),\\qquad X = M X M^{\\top} + \\operatorname{Cov}\\xi', label: 'recursion' },
        mat(r.discrete.thetaTheta, p, 'C_θθ'),
        mat(r.discrete.vv, p, 'C_vv'),
      ],
    },
    {
      heading: 'Modes',
      blocks: [
        {
          kind: 'table',
          columns: ['λ_i (of H)', 'ω_i', 'γ', 'ζ = γ/ω', 'regime', 'decay/step (cont.)', '|z| (disc.)', 'gap factor'],
          rows: r.modes.map((m) => [m.hessianEigenvalue, m.omega, m.gamma, m.dampingRatio, m.underdamped ? 'underdamped' : 'overdamped', m.continuousStep.decay, m.discreteStep.modulus, m.gapFactor]),
        },
        { kind: 'svg', svg, caption: 'Each mode’s discrete stationary variance over the continuous one, 1/(1 − ηq/(2(1+β))), against its curvature.' },
      ],
    },
    {
      heading: 'Gap',
      blocks: [
        {
          kind: 'table',
          columns: ['tr C_θθ discrete / continuous', '‖ΔC_θθ‖/‖C_θθ‖', 'tr C_vv discrete / continuous'],
          rows: [[r.gap.thetaTraceRatio, r.gap.thetaRelDiff, r.gap.vvTraceRatio]],
        },
      ],
    },
  ];
}

export async function writeStationaryReport(
  dir: string,
  formula: string | undefined,
  opts: object,
  r: LinearStationary,
  params: readonly string[],
  header: Record<string, unknown>,
  sde: string | undefined,
  json: unknown,
): Promise<WrittenReport> {
  return writeReport(dir, {
    title: 'Stationary state of SGD near a minimum',
    summary: formula !== undefined ? `L = ${formula}` : `A quadratic with ${r.p} parameters given by H and Σ.`,
    command: commandOf('stationary', formula !== undefined ? [formula] : [], opts),
    sections: await stationarySections(r, params, header, sde),
    data: json,
  });
}
