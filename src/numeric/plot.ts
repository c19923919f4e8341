/**
 * SVG plot of a validation sweep: global error against η on log–log axes, one line per flow, with the fitted
 * power law over the fit window dashed (docs/theory/eom.md, "Discretization error": slope K for K terms).
 * vega-lite 6.4 compiles the spec and vega 6.4 renders SVG headless in Node; both are imported lazily
 * (their import costs a noticeable fraction of a second).
 */
import type { ValidationResult } from './order-sweep.ts';

export interface PlotOptions {
  title?: string;
  width?: number;
  height?: number;
}

/** A vega-lite spec (plain JSON) for the result; exposed for users who want to render it elsewhere. */
export function validationPlotSpec(r: ValidationResult, opts: PlotOptions = {}): Record<string, unknown> {
  const points: { eta: number; error: number; flow: string }[] = [];
  const fits: { eta: number; error: number; flow: string }[] = [];
  for (let f = 0; f < r.names.length; f++) {
    const label = `${r.names[f]} (slope ${r.fittedSlope[f] === null ? '—' : r.fittedSlope[f]!.toFixed(2)}, expected ${r.expectedSlope[f]})`;
    for (let j = 0; j < r.eta.length; j++) {
      const e = r.errors[f]![j]!;
      if (Number.isFinite(e) && e > 0) points.push({ eta: r.eta[j]!, error: e, flow: label });
    }
    const w = r.window[f];
    const s = r.fittedSlope[f];
    if (w && s !== null && s !== undefined) {
      // least-squares line through the window: log e = s log η + c
      const xs = r.eta.slice(w[0], w[1] + 1).map(Math.log);
      const ys = r.errors[f]!.slice(w[0], w[1] + 1).map(Math.log);
      const c = ys.reduce((a, b) => a + b, 0) / ys.length - (s * xs.reduce((a, b) => a + b, 0)) / xs.length;
      for (const j of [w[0], w[1]]) fits.push({ eta: r.eta[j]!, error: Math.exp(s * Math.log(r.eta[j]!) + c), flow: label });
    }
  }
  const x = { field: 'eta', type: 'quantitative', scale: { type: 'log' }, title: 'learning rate η' };
  const y = {
    field: 'error',
    type: 'quantitative',
    scale: { type: 'log' },
    title: r.observable ? `|obs(θ_GD) − obs(θ_flow)| at T = ${r.T}` : `‖θ_GD − θ_flow‖ at T = ${r.T}`,
  };
  // flows in their own order (GF, EoM_1, …), full labels in the legend
  const labels = [...new Set(points.map((p) => p.flow))];
  const color = { field: 'flow', type: 'nominal', title: null, sort: labels, legend: { labelLimit: 400, orient: 'bottom', columns: 2 } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: opts.title ?? `${r.method === 'gd' ? 'GD' : 'heavy ball'}: global error against η`,
    width: opts.width ?? 480,
    height: opts.height ?? 360,
    background: 'white',
    layer: [
      { data: { values: points }, mark: { type: 'line', point: true }, encoding: { x, y, color } },
      { data: { values: fits }, mark: { type: 'line', strokeDash: [4, 4], opacity: 0.7 }, encoding: { x, y, color, detail: { field: 'flow' } } },
    ],
  };
}

/** Render the plot to an SVG string (lazy-imports vega and vega-lite). */
export async function plotValidationSvg(r: ValidationResult, opts: PlotOptions = {}): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const compile = (vl as unknown as { compile: (s: unknown) => { spec: unknown } }).compile;
  const spec = compile(validationPlotSpec(r, opts)).spec;
  const view = new vega.View(vega.parse(spec as Parameters<typeof vega.parse>[0]), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
