/**
 * The validation sweep for any derivation (docs/theory/eom.md,
 * "Discretization error"): run the discrete map (GD or heavy ball) to a fixed time T = Nη, integrate each
 * truncated continuous flow (GF, EoM_1, EoM_2, …) to T in float64, and measure the global error against η on
 * log–log axes. Truncated after K terms (f_1..f_K for GD; F_0..F_{K−1} for heavy ball) the error at fixed T
 * is O(η^K): the fitted slope is the check that a derived counter term is right.
 *
 * The η grid is chosen automatically (unless given): η_max ≈ c(1−β)²/ρ(H(θ_0)) — the asymptotic regime
 * needs η ≪ (1−β)²/‖H‖ (eom.md, heavy-ball paragraph) — then η_j = T/N_j with N_j growing geometrically.
 * For each flow the fit uses the window of consecutive grid points that (a) all lie above the float64 floor
 * (error > floorRel·scale + 10·N·ε·scale, accounting for the rounding of N steps) and (b) have stable local
 * slopes (max − min ≤ slopeStability); among such windows the one at the smallest η is taken. When no window
 * qualifies the best available is used and `notes` says why the slope is not trustworthy.
 *
 * Heavy ball starts on the slow manifold, θ_{−1} = φ_{−η}(θ_0), integrating the (highest-order) modified flow
 * one step backwards (eom.md): from a zero-velocity start the iterates keep an O(η) offset.
 *
 * Everything is float64. (TensorFlow.js is float32: its floor ~3e-7 relative makes slope checks above
 * order 1–2 meaningless there; see src/numeric/tfjs.)
 */
import { InputError, NotMeasurableError } from '../errors.ts';
import { gd, heavyBall, type GradFn } from './optimizers.ts';
import { dop853, flow, type VectorField } from './ode.ts';
import { checkBeta, checkVector, distance2, norm2 } from './linalg.ts';

/** A truncated continuous field that depends on η: writes F_η(θ) into out. */
export type EtaField = (theta: Float64Array, eta: number, out: Float64Array) => void;

export type DiscreteMethod =
  | { kind: 'gd'; grad: GradFn }
  | { kind: 'heavy-ball'; grad: GradFn; beta: number };

export interface FlowSpec {
  name: string;
  field: EtaField;
  /** expected global-error slope (K for a field truncated after K terms). */
  expectedSlope: number;
  /** the field ignores η (e.g. GF): it is integrated once and its final state reused at every η. */
  etaIndependent?: boolean;
}

export interface OrderSweepOptions {
  method: DiscreteMethod;
  theta0: ArrayLike<number>;
  /** fixed final time T (default 1). */
  T?: number;
  /** the flows to compare, or … */
  flows?: FlowSpec[];
  /**
   * … the series terms, one callback per order: GD f_1, f_2, … (f_1 = −g); heavy ball F_0, F_1, ….
   * Flow K (K = 1..terms.length) is θ̇ = Σ_{k<K} η^k terms[k](θ), named GF, EoM_1, … (GD) or
   * MF_0, MF_1, … (heavy ball), with expected slope K.
   */
  terms?: VectorField[];
  /** compare a scalar observable (e.g. ‖θ‖²) instead of the full state. */
  observable?: (theta: Float64Array) => number;
  /** explicit η values (each must divide T into an integer number of steps, to 1e-9 relative). */
  etas?: number[];
  /** largest η of the automatic grid (default from the curvature at θ_0). */
  etaMax?: number;
  /** ratio between successive step counts (default 2). */
  gridRatio?: number;
  /** number of grid points (default 9). */
  gridSize?: number;
  /** maximum number of discrete steps for one run (default 2^18). */
  maxSteps?: number;
  /** points per fit window (default 4). */
  window?: number;
  /** max − min of local slopes inside a window for it to count as asymptotic (default 0.1). */
  slopeStability?: number;
  /** relative float64 floor: errors must exceed floorRel·scale (default 1e-11, i.e. 100× the 1e-13 ODE tolerance). */
  floorRel?: number;
  /** pass if |fitted − expected| ≤ tolerance (default 0.15). */
  tolerance?: number;
  /** field used for the heavy-ball slow-manifold start θ_{−1} = φ_{−η}(θ_0) (default: the last flow). */
  manifoldField?: EtaField;
  /** start heavy ball on the slow manifold (default true). */
  slowManifoldStart?: boolean;
  /** ODE relative tolerance (default 1e-13). */
  rtol?: number;
  /** called after each η is done. */
  onProgress?: (done: number, total: number) => void;
}

export interface ValidationResult {
  method: 'gd' | 'heavy-ball';
  T: number;
  eta: number[];
  steps: number[];
  names: string[];
  /** errors[flow][etaIndex]: ‖θ_N − θ_flow(T)‖₂, or |obs(θ_N) − obs(θ_flow(T))|. */
  errors: number[][];
  /** local slopes between consecutive η, localSlopes[flow][j] for (j, j+1). */
  localSlopes: number[][];
  /** the fitted slope (least squares on the window), null when fewer than 2 usable points. */
  fittedSlope: (number | null)[];
  expectedSlope: number[];
  pass: boolean[];
  /** inclusive index range of the fit window per flow, null when no fit. */
  window: ([number, number] | null)[];
  /** whether the window met the asymptotic and floor criteria. */
  asymptotic: boolean[];
  /** absolute error floor per η index. */
  floor: number[];
  notes: string[];
  observable: boolean;
}

const EPS = 2.220446049250313e-16;

/** Least-squares slope of log y against log x. */
export function fitLogLogSlope(x: readonly number[], y: readonly number[]): number {
  if (x.length !== y.length) throw new InputError(`fitLogLogSlope: ${x.length} x values vs ${y.length} y values`);
  if (x.length < 2) throw new InputError('fitLogLogSlope: need at least 2 points');
  const lx = x.map(Math.log);
  const ly = y.map(Math.log);
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(lx[i]!) || !Number.isFinite(ly[i]!)) throw new InputError(`fitLogLogSlope: point ${i} (${x[i]}, ${y[i]}) is not positive and finite`);
  }
  const mx = lx.reduce((a, b) => a + b, 0) / lx.length;
  const my = ly.reduce((a, b) => a + b, 0) / ly.length;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < lx.length; i++) {
    sxy += (lx[i]! - mx) * (ly[i]! - my);
    sxx += (lx[i]! - mx) ** 2;
  }
  if (sxx === 0) throw new InputError('fitLogLogSlope: all x values are equal');
  return sxy / sxx;
}

/** Partial sums of a series of terms: flow K is Σ_{k<K} η^k terms[k]. */
export function flowsFromTerms(terms: readonly VectorField[], kind: 'gd' | 'heavy-ball'): FlowSpec[] {
  return terms.map((_, idx) => {
    const K = idx + 1;
    const buf = new Float64Array(0);
    let tmp = buf;
    const field: EtaField = (theta, eta, out) => {
      if (tmp.length !== theta.length) tmp = new Float64Array(theta.length);
      terms[0]!(theta, out);
      let p = 1;
      for (let k = 1; k < K; k++) {
        p *= eta;
        terms[k]!(theta, tmp);
        for (let i = 0; i < out.length; i++) out[i] = out[i]! + p * tmp[i]!;
      }
    };
    const name = kind === 'gd' ? (K === 1 ? 'GF' : `EoM_${K - 1}`) : `MF_${K - 1}`;
    return { name, field, expectedSlope: K };
  });
}

/** Spectral radius of the Hessian at θ by power iteration on central differences of the gradient. */
export function estimateCurvature(grad: GradFn, theta: Float64Array, iters = 30): number {
  const n = theta.length;
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = 1 + 0.1 * Math.sin(i + 1);
  const gp = new Float64Array(n);
  const gm = new Float64Array(n);
  const tp = new Float64Array(n);
  const scale = Math.max(1, norm2(theta));
  const h = 1e-5 * scale;
  let lam = 0;
  for (let it = 0; it < iters; it++) {
    const nv = norm2(v);
    if (nv === 0 || !Number.isFinite(nv)) return lam;
    for (let i = 0; i < n; i++) v[i] = v[i]! / nv;
    for (let i = 0; i < n; i++) tp[i] = theta[i]! + h * v[i]!;
    grad(tp, gp);
    for (let i = 0; i < n; i++) tp[i] = theta[i]! - h * v[i]!;
    grad(tp, gm);
    for (let i = 0; i < n; i++) v[i] = (gp[i]! - gm[i]!) / (2 * h);
    lam = norm2(v);
  }
  return lam;
}

/** Run the sweep synchronously. */
export function validateSweep(o: OrderSweepOptions): ValidationResult {
  const where = 'validateSweep';
  const n = o.theta0.length;
  if (n === 0) throw new InputError(`${where}: theta0 is empty`);
  checkVector(o.theta0, n, 'theta0', where);
  const theta0 = Float64Array.from(o.theta0);
  const T = o.T ?? 1;
  if (!Number.isFinite(T) || T <= 0) throw new InputError(`${where}: final time T must be finite and > 0, got ${T}`);
  const m = o.method;
  if (m.kind !== 'gd' && m.kind !== 'heavy-ball') throw new InputError(`${where}: unknown method kind '${(m as { kind: string }).kind}'`);
  const beta = m.kind === 'heavy-ball' ? m.beta : 0;
  if (m.kind === 'heavy-ball') checkBeta(beta, where);
  const flows = o.flows ?? (o.terms ? flowsFromTerms(o.terms, m.kind) : undefined);
  if (!flows || flows.length === 0) throw new InputError(`${where}: give 'flows' or 'terms' (at least one continuous field)`);
  const tolerance = o.tolerance ?? 0.15;
  const windowSize = o.window ?? 4;
  if (!Number.isInteger(windowSize) || windowSize < 2) throw new InputError(`${where}: window must be an integer >= 2, got ${windowSize}`);
  const slopeStability = o.slopeStability ?? 0.1;
  const floorRel = o.floorRel ?? 1e-11;
  const rtol = o.rtol ?? 1e-13;
  const maxSteps = o.maxSteps ?? 1 << 18;
  const notes: string[] = [];

  // --- η grid
  let steps: number[];
  if (o.etas) {
    if (o.etas.length < 2) throw new InputError(`${where}: need at least 2 values in etas`);
    steps = o.etas.map((eta) => {
      if (!Number.isFinite(eta) || eta <= 0) throw new InputError(`${where}: every eta must be finite and > 0, got ${eta}`);
      const N = Math.round(T / eta);
      if (N < 1 || Math.abs(N * eta - T) > 1e-9 * T) throw new InputError(`${where}: eta = ${eta} does not divide T = ${T} into an integer number of steps`);
      return N;
    });
  } else {
    const ratio = o.gridRatio ?? 2;
    const size = o.gridSize ?? 9;
    if (!(ratio > 1) || !Number.isFinite(ratio)) throw new InputError(`${where}: gridRatio must be finite and > 1, got ${ratio}`);
    if (!Number.isInteger(size) || size < 2) throw new InputError(`${where}: gridSize must be an integer >= 2, got ${size}`);
    let etaMax = o.etaMax;
    if (etaMax === undefined) {
      const rho = estimateCurvature(m.grad, theta0);
      etaMax = Math.min(T / 4, rho > 0 && Number.isFinite(rho) ? (0.1 * (1 - beta) ** 2) / rho : T / 4);
    } else if (!Number.isFinite(etaMax) || etaMax <= 0) throw new InputError(`${where}: etaMax must be finite and > 0, got ${etaMax}`);
    const N0 = Math.max(1, Math.ceil(T / etaMax - 1e-9));
    steps = [];
    for (let j = 0; j < size; j++) {
      const N = Math.round(N0 * ratio ** j);
      if (N > maxSteps) {
        notes.push(`grid truncated at ${steps.length} points: the next η would need ${N} > maxSteps = ${maxSteps} steps`);
        break;
      }
      if (steps.length === 0 || N > steps[steps.length - 1]!) steps.push(N);
    }
    if (steps.length < 2) {
      // the largest stable step at this start is too small for T: not the theory's failure, and not measurable
      // with this many steps (docs/theory/eom.md, "Discretization error": the global error is measured at a fixed T)
      throw new NotMeasurableError(
        `cannot be measured here: at this start the largest usable step is η ≈ ${etaMax.toPrecision(3)} (from the curvature${beta > 0 ? ` and β = ${beta}` : ''}), so reaching T = ${T} needs ${Math.ceil(T / etaMax)} steps or more, past maxSteps = ${maxSteps}; ` +
          `lower the final time T (--time), start where the loss is less curved (--from)${beta > 0 ? ', lower the momentum β (--momentum)' : ''}, or raise the step budget (the sweep option maxSteps)`,
      );
    }
  }
  const etas = steps.map((N) => T / N);

  // --- sweep
  const errors: number[][] = flows.map(() => []);
  const floor: number[] = [];
  const manifold = o.manifoldField ?? flows[flows.length - 1]!.field;
  const useManifold = m.kind === 'heavy-ball' && (o.slowManifoldStart ?? true);
  if (m.kind === 'heavy-ball' && !useManifold) notes.push('heavy ball started with zero velocity (θ_{−1} = θ_0): expect an O(η) offset that caps every slope at 1 (eom.md)');
  const atol = rtol * 1e-3 * Math.max(norm2(theta0), 1e-300);
  // flows that ignore η: the state at T (or the integration's failure message), integrated once
  const fixedFlow: (Float64Array | string | undefined)[] = flows.map(() => undefined);
  for (let j = 0; j < etas.length; j++) {
    const eta = etas[j]!;
    const N = steps[j]!;
    let disc: Float64Array;
    if (m.kind === 'gd') disc = gd({ grad: m.grad, theta0, eta, steps: N }).theta;
    else {
      const thetaPrev = useManifold ? flow((y, out) => manifold(y, eta, out), theta0, -eta, { rtol }) : theta0;
      disc = heavyBall({ grad: m.grad, theta0, thetaPrev, eta, beta, steps: N }).theta;
    }
    const discOk = disc.every(Number.isFinite);
    const scale = o.observable
      ? Math.max(Math.abs(o.observable(theta0)), Math.abs(discOk ? o.observable(disc) : 0), Number.MIN_VALUE)
      : Math.max(norm2(theta0), discOk ? norm2(disc) : 0, Number.MIN_VALUE);
    floor.push(scale * (floorRel + 10 * N * EPS));
    for (let f = 0; f < flows.length; f++) {
      let err = Number.POSITIVE_INFINITY;
      if (discOk) {
        const fl = flows[f]!;
        let cont = fixedFlow[f];
        if (cont === undefined) {
          try {
            cont = dop853((y, out) => fl.field(y, eta, out), theta0, 0, T, { rtol, atol }).y;
          } catch (e) {
            cont = (e as Error).message;
          }
          if (fl.etaIndependent) fixedFlow[f] = cont;
        }
        if (typeof cont === 'string') notes.push(`${fl.name} at η = ${fmt(eta)}: integration failed (${cont})`);
        else err = o.observable ? Math.abs(o.observable(disc) - o.observable(cont)) : distance2(disc, cont);
      }
      errors[f]!.push(err);
    }
    if (!discOk) notes.push(`η = ${fmt(eta)}: the discrete iterates diverged (non-finite); point excluded`);
    o.onProgress?.(j + 1, etas.length);
  }

  // --- fits
  const localSlopes: number[][] = [];
  const fittedSlope: (number | null)[] = [];
  const pass: boolean[] = [];
  const window: ([number, number] | null)[] = [];
  const asymptotic: boolean[] = [];
  for (let f = 0; f < flows.length; f++) {
    const e = errors[f]!;
    const name = flows[f]!.name;
    const expected = flows[f]!.expectedSlope;
    const ls: number[] = [];
    for (let j = 0; j + 1 < etas.length; j++) {
      const s = Math.log(e[j]! / e[j + 1]!) / Math.log(etas[j]! / etas[j + 1]!);
      ls.push(Number.isFinite(s) ? s : Number.NaN);
    }
    localSlopes.push(ls);
    const valid = e.map((x, j) => Number.isFinite(x) && x > floor[j]!);
    // candidate windows: runs of consecutive valid points
    let best: { i0: number; i1: number; spread: number } | null = null;
    let bestStable: { i0: number; i1: number } | null = null;
    const w = Math.min(windowSize, etas.length);
    for (let i0 = 0; i0 + w <= etas.length; i0++) {
      const i1 = i0 + w - 1;
      let ok = true;
      for (let j = i0; j <= i1; j++) ok &&= valid[j]!;
      if (!ok) continue;
      const sl = ls.slice(i0, i1);
      const spread = Math.max(...sl) - Math.min(...sl);
      if (!Number.isFinite(spread)) continue;
      if (spread <= slopeStability) bestStable = { i0, i1 }; // later = smaller η
      if (!best || spread < best.spread) best = { i0, i1, spread };
    }
    let win: [number, number] | null = null;
    let asym = false;
    if (bestStable) {
      win = [bestStable.i0, bestStable.i1];
      asym = true;
    } else if (best) {
      win = [best.i0, best.i1];
      notes.push(
        `${name}: no ${w}-point window with stable local slopes (spread ≤ ${slopeStability}); using the most stable one ` +
          `(η ${fmt(etas[best.i1]!)}…${fmt(etas[best.i0]!)}, spread ${best.spread.toFixed(3)}): the fit may be pre-asymptotic — ` +
          `try a smaller etaMax or a longer grid`,
      );
    } else {
      // fall back to the longest run of valid points (≥ 2)
      let runStart = -1;
      let bestRun: [number, number] | null = null;
      for (let j = 0; j <= etas.length; j++) {
        if (j < etas.length && valid[j]) {
          if (runStart < 0) runStart = j;
        } else if (runStart >= 0) {
          if (j - 1 > runStart && (!bestRun || j - 1 - runStart > bestRun[1] - bestRun[0])) bestRun = [runStart, j - 1];
          runStart = -1;
        }
      }
      const nValid = valid.filter(Boolean).length;
      if (bestRun) {
        win = bestRun;
        notes.push(
          `${name}: only ${bestRun[1] - bestRun[0] + 1} consecutive points above the float64 floor (${w} wanted); ` +
            `slope fitted on them is not reliable${nValid < etas.length ? ' — errors reach the floor (~' + floorRel + '·scale): use larger η' : ''}`,
        );
      } else {
        notes.push(`${name}: fewer than 2 consecutive points above the float64 floor (floorRel ${floorRel}); no slope can be fitted — the errors are at round-off level (raise etaMax) or the runs diverged`);
      }
    }
    window.push(win);
    asymptotic.push(asym);
    if (win) {
      const xs = etas.slice(win[0], win[1] + 1);
      const ys = e.slice(win[0], win[1] + 1);
      const s = fitLogLogSlope(xs, ys);
      fittedSlope.push(s);
      pass.push(Math.abs(s - expected) <= tolerance);
    } else {
      fittedSlope.push(null);
      pass.push(false);
    }
  }
  return {
    method: m.kind,
    T,
    eta: etas,
    steps,
    names: flows.map((f) => f.name),
    errors,
    localSlopes,
    fittedSlope,
    expectedSlope: flows.map((f) => f.expectedSlope),
    pass,
    window,
    asymptotic,
    floor,
    notes,
    observable: !!o.observable,
  };
}

/**
 * The same sweep with a progress bar on stderr when it is a terminal (cli-progress, lazy-imported);
 * silent otherwise.
 */
export async function runValidation(o: OrderSweepOptions & { progress?: boolean }): Promise<ValidationResult> {
  const wantBar = (o.progress ?? true) && process.stderr.isTTY === true;
  if (!wantBar) return validateSweep(o);
  const cp = await import('cli-progress');
  const mod = (cp as unknown as { default?: typeof cp }).default ?? cp;
  const bar = new mod.SingleBar({ stream: process.stderr, format: 'validate [{bar}] {value}/{total} η values' }, mod.Presets.shades_classic);
  let started = false;
  try {
    return validateSweep({
      ...o,
      onProgress: (done, total) => {
        if (!started) {
          bar.start(total, 0);
          started = true;
        }
        bar.update(done);
        o.onProgress?.(done, total);
      },
    });
  } finally {
    if (started) bar.stop();
  }
}

/** A plain-text table of a result (for CLIs and logs). */
export function formatValidation(r: ValidationResult): string {
  const lines: string[] = [];
  lines.push(['eta'.padEnd(12), ...r.names.map((s) => s.padStart(12))].join(' '));
  for (let j = 0; j < r.eta.length; j++) {
    lines.push([fmt(r.eta[j]!).padEnd(12), ...r.errors.map((e) => fmt(e[j]!).padStart(12))].join(' '));
  }
  lines.push(['fitted'.padEnd(12), ...r.fittedSlope.map((s) => (s === null ? '—' : s.toFixed(3)).padStart(12))].join(' '));
  lines.push(['expected'.padEnd(12), ...r.expectedSlope.map((s) => String(s).padStart(12))].join(' '));
  lines.push(['pass'.padEnd(12), ...r.pass.map((p) => (p ? 'yes' : 'NO').padStart(12))].join(' '));
  for (const n of r.notes) lines.push(`note: ${n}`);
  return lines.join('\n');
}

function fmt(x: number): string {
  return Number.isFinite(x) ? x.toPrecision(4) : String(x);
}
