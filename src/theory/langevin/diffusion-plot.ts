/**
 * Pictures of the diffusion predictions and measurements as vega-lite specs rendered to SVG headless
 * (docs/theory/langevin.md, "Anomalous diffusion", "Linear regression: exact solutions"):
 * - Δ(k) on log–log axes: predicted (exact discrete, continuous), measured with ±2 SE bars, fitted line;
 *   δ(k) on a second panel, flat at its predicted level and the step-size law;
 * - phase portraits per Hessian eigendirection: a simulated (a_k, v_k) cloud with the predicted 2σ ellipse,
 *   and the predicted mean spiral from a displaced start;
 * - the exponent of a sweep against the swept parameter, predicted line and measured points with intervals.
 * vega and vega-lite are imported lazily.
 */
import { type DiffusionProblem, type SampledChain, discreteChain, matrixPower } from './diffusion.ts';
import { symmetricEigen } from '../../numeric/symeig.ts';
import type { MeanPath, PhaseSpaceMeasurement } from './diffusion-sim.ts';
import type { SweepRow } from './diffusion-sweep.ts';
import { matmul } from '../../numeric/lyapunov.ts';
import { toDense } from '../../numeric/linalg.ts';

type Spec = Record<string, unknown>;

/** Render a vega-lite spec to SVG. */
export async function renderSvg(spec: Spec): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const compile = (vl as unknown as { compile: (s: unknown) => { spec: unknown } }).compile;
  const view = new vega.View(vega.parse(compile(spec).spec as Parameters<typeof vega.parse>[0]), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

export interface DiffusionCurvesForPlot {
  steps: readonly number[];
  /** predicted Δ(k) by model name, e.g. { 'exact discrete': […], continuous: […] } */
  predicted: Record<string, readonly number[]>;
  predictedStep2?: Record<string, readonly number[]>;
  /** measured (simulation or a user's log) */
  measured?: { dist2: readonly number[]; dist2Se?: readonly number[]; step2?: readonly number[]; steps?: readonly number[] };
  /** fitted power law c, b (log Δ = c log k + b) over [kMin, kMax] */
  fit?: { exponent: number; intercept: number; kMin: number; kMax: number; label?: string };
  stepSizeLaw?: number;
  title?: string;
}

/** Two panels: Δ(k) log–log with the fit; δ(k) with its predicted level. */
export function diffusionPlotSpec(c: DiffusionCurvesForPlot): Spec {
  const pts: Spec[] = [];
  const meas: Spec[] = [];
  for (const [name, ys] of Object.entries(c.predicted))
    c.steps.forEach((k, i) => {
      if (k > 0 && ys[i]! > 0) pts.push({ k, value: ys[i], series: `predicted: ${name}` });
    });
  const mSteps = c.measured?.steps ?? c.steps;
  if (c.measured)
    mSteps.forEach((k, i) => {
      const v = c.measured!.dist2[i]!;
      const se = c.measured!.dist2Se?.[i] ?? 0;
      if (k > 0 && v > 0) meas.push({ k, value: v, lo: Math.max(v - 2 * se, v * 1e-3), hi: v + 2 * se, series: 'measured (±2 SE)' });
    });
  if (c.fit) {
    const f = c.fit;
    for (const k of [f.kMin, f.kMax]) pts.push({ k, value: Math.exp(f.intercept) * k ** f.exponent, series: f.label ?? `fit: slope ${f.exponent.toFixed(3)}` });
  }
  const x = { field: 'k', type: 'quantitative', scale: { type: 'log' }, title: 'step k' };
  const color = { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom', columns: 2, labelLimit: 300 } };
  const top: Spec = {
    width: 460,
    height: 300,
    title: 'Δ(k) = E‖θ_k − θ_0‖²',
    layer: [
      { data: { values: pts }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'value', type: 'quantitative', scale: { type: 'log' }, title: 'Δ(k)' }, color } },
      ...(meas.length
        ? [
            { data: { values: meas }, mark: { type: 'rule' }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: { type: 'log' } }, y2: { field: 'hi' }, color } },
            { data: { values: meas }, mark: { type: 'point', filled: true }, encoding: { x, y: { field: 'value', type: 'quantitative', scale: { type: 'log' } }, color } },
          ]
        : []),
    ],
  };
  const low: Spec[] = [];
  for (const [name, ys] of Object.entries(c.predictedStep2 ?? {})) c.steps.forEach((k, i) => k > 0 && low.push({ k, value: ys[i], series: `predicted: ${name}` }));
  if (c.stepSizeLaw !== undefined) for (const k of [Math.max(1, c.steps[0]!), c.steps[c.steps.length - 1]!]) low.push({ k, value: c.stepSizeLaw, series: 'η² tr Σ/(S(1−β²))' });
  if (c.measured?.step2) mSteps.forEach((k, i) => k > 0 && low.push({ k, value: c.measured!.step2![i], series: 'measured δ(k)' }));
  const bottom: Spec = {
    width: 460,
    height: 160,
    title: 'δ(k) = E‖θ_{k+1} − θ_k‖²',
    data: { values: low },
    mark: { type: 'line', point: true },
    encoding: { x, y: { field: 'value', type: 'quantitative', scale: { zero: false }, title: 'δ(k)' }, color },
  };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: c.title ?? 'SGD diffusion: prediction and measurement',
    background: 'white',
    vconcat: low.length ? [top, bottom] : [top],
    resolve: { scale: { color: 'independent' } },
  };
}

/** Predicted stationary 2×2 covariance of (a_k, v_k) along u_i for the exact discrete chain, v_k centred. */
function modeCovariance(ch: SampledChain, u: Float64Array, eta: number): [number, number, number] {
  const { n, m, P } = ch;
  const M2P = matmul(matrixPower(ch.phi, n, 2), P, n);
  const M1P = matmul(ch.phi, P, n);
  let va = 0, vv = 0, av = 0;
  for (let i = 0; i < m; i++)
    for (let j = 0; j < m; j++) {
      const w = u[i]! * u[j]!;
      va += w * P[i * n + j]!;
      // Var(a_{k+1} − a_{k−1}) = 2γ0 − 2γ2
      vv += (w * (2 * P[i * n + j]! - M2P[i * n + j]! - M2P[j * n + i]!)) / (4 * eta * eta);
      // Cov(a_k, a_{k+1} − a_{k−1}) = u ᵀ(PMᵀ − MP)u/… = 0 along a single direction; kept for completeness
      av += (w * (M1P[j * n + i]! - M1P[i * n + j]!)) / (2 * eta);
    }
  return [va, av, vv];
}

/** Phase portraits per eigendirection: the sample chain's (a_k, v_k) with the predicted 2σ ellipse. */
export function phasePortraitSpec(p: DiffusionProblem, ph: PhaseSpaceMeasurement, opts: { title?: string; maxPoints?: number } = {}): Spec {
  const ch = discreteChain(p);
  const m = ph.hessianEigenvalues.length;
  const eta = p.hyper.eta;
  const T = ph.steps;
  const maxPoints = opts.maxPoints ?? 1500;
  const stride = Math.max(1, Math.floor(T / maxPoints));
  const panels: Spec[] = [];
  for (let i = 0; i < m; i++) {
    const u = new Float64Array(m);
    for (let j = 0; j < m; j++) u[j] = ph.U[j * m + i]!;
    const cloud: Spec[] = [];
    for (let k = 1; k < T; k += stride) cloud.push({ a: ph.sample[k * m + i], v: (ph.sample[(k + 1) * m + i]! - ph.sample[(k - 1) * m + i]!) / (2 * eta), order: k });
    const [va, av, vv] = modeCovariance(ch, u, eta);
    // 2σ ellipse of [[va, av], [av, vv]]
    const tr = va + vv, det = va * vv - av * av;
    const l1 = tr / 2 + Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
    const l2 = tr / 2 - Math.sqrt(Math.max(0, (tr * tr) / 4 - det));
    const ang = Math.abs(av) < 1e-300 ? (va >= vv ? 0 : Math.PI / 2) : Math.atan2(l1 - va, av);
    const ell: Spec[] = [];
    for (let s = 0; s <= 120; s++) {
      const t = (2 * Math.PI * s) / 120;
      const x = 2 * Math.sqrt(l1) * Math.cos(t), y = 2 * Math.sqrt(Math.max(l2, 0)) * Math.sin(t);
      ell.push({ a: x * Math.cos(ang) - y * Math.sin(ang), v: x * Math.sin(ang) + y * Math.cos(ang), order: s });
    }
    panels.push({
      width: 260,
      height: 220,
      title: `mode ${i + 1}: λ = ${ph.hessianEigenvalues[i]!.toPrecision(3)}`,
      layer: [
        { data: { values: cloud }, mark: { type: 'line', opacity: 0.35, strokeWidth: 0.6 }, encoding: { x: { field: 'a', type: 'quantitative', title: 'θ_i' }, y: { field: 'v', type: 'quantitative', title: 'v_i' }, order: { field: 'order' } } },
        { data: { values: ell }, mark: { type: 'line', color: 'firebrick', strokeWidth: 2 }, encoding: { x: { field: 'a', type: 'quantitative' }, y: { field: 'v', type: 'quantitative' }, order: { field: 'order' } } },
      ],
    });
  }
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title ?? 'phase space per Hessian eigendirection: one SGD chain and the predicted 2σ ellipse',
    background: 'white',
    concat: panels,
    columns: Math.min(3, m),
  };
}

/** Predicted mean spirals (a_k, v_k) per eigendirection from a displaced start (exact discrete recursion). */
export function spiralSpec(p: DiffusionProblem, theta0: readonly number[], steps: number, opts: { title?: string; measured?: MeanPath } = {}): Spec {
  const ch = discreteChain(p);
  const { m, n } = ch;
  const H = toDense(p.H, m, 'H', 'spiralSpec');
  const { values, vectors: U } = symmetricEigen(H, 'spiralSpec');
  const eta = p.hyper.eta;
  const x = new Float64Array(n);
  for (let i = 0; i < m; i++) {
    x[i] = theta0[i]!;
    x[m + i] = theta0[i]!;
  }
  const path: Float64Array[] = [Float64Array.from(x)];
  for (let k = 0; k < steps + 1; k++) {
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) s += ch.phi[i * n + j]! * path[path.length - 1]![j]!;
      y[i] = s;
    }
    path.push(y);
  }
  const pts: Spec[] = [];
  for (let i = 0; i < m; i++)
    for (let k = 1; k <= steps; k++) {
      let a = 0, v = 0;
      for (let j = 0; j < m; j++) {
        a += U[j * m + i]! * path[k]![j]!;
        v += (U[j * m + i]! * (path[k + 1]![j]! - path[k]![m + j]!)) / (2 * eta);
      }
      pts.push({ a, v, k, mode: `mode ${i + 1} (λ = ${values[i]!.toPrecision(3)})`, series: 'predicted mean (exact discrete)' });
    }
  // simulated ensemble means (measureMeanPath: k = 1 … T−1 in its own arrays), same modes
  const meas = opts.measured;
  if (meas)
    for (let i = 0; i < m; i++)
      for (let k = 1; k <= Math.min(steps, meas.a[i]!.length); k++)
        pts.push({ a: meas.a[i]![k - 1], v: meas.v[i]![k - 1], k, mode: `mode ${i + 1} (λ = ${values[i]!.toPrecision(3)})`, series: 'simulated ensemble mean' });
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title ?? 'mean phase-space spirals E(θ_i, v_i) from a displaced start (exact discrete recursion)',
    background: 'white',
    data: { values: pts },
    facet: { field: 'mode', type: 'nominal', title: null },
    columns: Math.min(3, m),
    resolve: { scale: { x: 'independent', y: 'independent' } },
    spec: {
      width: 240,
      height: 200,
      mark: { type: 'line', point: { size: 8 } },
      encoding: { x: { field: 'a', type: 'quantitative', title: 'E θ_i' }, y: { field: 'v', type: 'quantitative', title: 'E v_i' }, order: { field: 'k' }, color: { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } } },
    },
  };
}

/** Exponent against the swept parameter: predicted (discrete, continuous) lines and measured points with intervals. */
export function sweepPlotSpec(rows: readonly SweepRow[], opts: { title?: string } = {}): Spec {
  const param = rows[0]?.parameter ?? 'eta';
  const label = param === 'eta' ? 'learning rate η' : param === 'beta' ? 'momentum β' : 'batch size S';
  const lines: Spec[] = [];
  const pts: Spec[] = [];
  for (const r of rows) {
    lines.push({ x: r.value, c: r.predicted, series: 'predicted (exact discrete)' });
    lines.push({ x: r.value, c: r.predictedContinuous, series: 'predicted (continuous)' });
    pts.push({ x: r.value, c: r.measured, lo: r.ci[0], hi: r.ci[1], series: 'measured (95% bootstrap)' });
  }
  const x = { field: 'x', type: 'quantitative', title: label, scale: { type: param === 'beta' ? 'linear' : 'log' } };
  const y = { field: 'c', type: 'quantitative', title: 'fitted exponent c (Δ ∝ k^c)', scale: { zero: false } };
  const color = { field: 'series', type: 'nominal', title: null, legend: { orient: 'bottom' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title ?? `diffusion exponent against ${label}`,
    background: 'white',
    width: 420,
    height: 280,
    layer: [
      { data: { values: lines }, mark: { type: 'line', point: true }, encoding: { x, y, color } },
      { data: { values: pts }, mark: 'rule', encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
      { data: { values: pts }, mark: { type: 'point', filled: true, size: 60 }, encoding: { x, y, color } },
    ],
  };
}
