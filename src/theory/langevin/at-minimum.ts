/**
 * The stationary state of SGD near a minimum of a loss (docs/theory/langevin.md, "Linear regression: exact
 * solutions"): find the minimum μ of L_λ = L + (λ/2)‖θ‖² (damped Newton), take H = ∇²L(μ) and Σ = Σ(μ) there
 * (Σ treated as constant, so the process is Ornstein–Uhlenbeck), and solve it exactly with
 * `linearStationary`. Per-example losses for linear and logistic regression come from data rows x…, y.
 */
import { type Expr, type Loss, EvaluationError, Rational, evaluate, loss as makeLoss, scale, sum } from '../../symbolic/index.ts';
import { InputError, NotMeasurableError } from '../../errors.ts';
import { newtonMinimize } from '../../numeric/minimize.ts';
import { type LinearHyper, type LinearStationary, type ExactMode, linearStationary } from './linear.ts';
import { type NoiseSpec, langevinModel, type LangevinModel } from './model.ts';
import { rationalOf } from './exact.ts';

export interface LossStationaryOptions {
  /** analyse at this point (it should be a minimum of L_λ; the gradient there is reported) */
  at?: Readonly<Record<string, number>> | ArrayLike<number>;
  /** find the minimum of L_λ from this point (default: the origin) */
  from?: Readonly<Record<string, number>> | ArrayLike<number>;
  exact?: ExactMode;
  /** Newton iterations (default 200) */
  maxIter?: number;
}

export interface LossStationary {
  readonly model: LangevinModel;
  /** the point analysed (θ* = μ when found) */
  readonly point: Float64Array;
  /** ‖∇L_λ(θ*)‖ at that point */
  readonly gradientNorm: number;
  /** Newton iterations used (0 with `at`) */
  readonly iterations: number;
  readonly stationary: LinearStationary;
}

function toVector(L: Loss, p: Readonly<Record<string, number>> | ArrayLike<number>, what: string): Float64Array {
  const n = L.params.length;
  const isArray = typeof (p as ArrayLike<number>).length === 'number';
  if (isArray && (p as ArrayLike<number>).length !== n) throw new InputError(`${what} has ${(p as ArrayLike<number>).length} entries, expected ${n}`);
  return Float64Array.from(L.params, (s, i) => {
    const v = isArray ? (p as ArrayLike<number>)[i] : (p as Record<string, number>)[s.name];
    if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`${what} needs a finite value for '${s.name}'`);
    return v;
  });
}

/** ∇L_λ and ∇²L_λ at θ (float64). */
function gradHess(m: LangevinModel, theta: Float64Array, lam: number): { g: Float64Array; H: Float64Array } {
  const n = m.n;
  const env: Record<string, number> = {};
  m.params.forEach((p, i) => (env[p.name] = theta[i]!));
  const g = Float64Array.from(m.gradient, (e, i) => evaluate(e, env) + lam * theta[i]!);
  const H = new Float64Array(n * n);
  for (let i = 0; i < n; i++)
    for (let j = i; j < n; j++) {
      const v = evaluate(m.hessian[i]![j]!, env) + (i === j ? lam : 0);
      H[i * n + j] = v;
      H[j * n + i] = v;
    }
  return { g, H };
}

function lossValue(m: LangevinModel, theta: Float64Array, lam: number): number {
  const env: Record<string, number> = {};
  let r = 0;
  m.params.forEach((p, i) => {
    env[p.name] = theta[i]!;
    r += theta[i]! ** 2;
  });
  return evaluate(m.loss.expr, env, { allowNonFinite: true }) + 0.5 * lam * r;
}

/**
 * The minimum of L_λ = L + (λ/2)‖θ‖² from `from` by Newton's method with Hessian modification (src/numeric/
 * minimize.ts), values and derivatives from the model's exact expressions. No minimum found (e.g. separable
 * logistic data without weight decay: the iterates run off to infinity) is NotMeasurableError.
 */
export function findMinimum(m: LangevinModel, from: Float64Array, lam: number, maxIter = 200): { theta: Float64Array; gradientNorm: number; iterations: number } {
  const objective = (theta: Float64Array) => {
    const value = lossValue(m, theta, lam);
    if (!Number.isFinite(value)) return undefined;
    try {
      const { g, H } = gradHess(m, theta, lam);
      return { value, gradient: g, hessian: H };
    } catch (e) {
      if (e instanceof EvaluationError) return undefined; // outside the domain: the line search backs off
      throw e;
    }
  };
  const r = newtonMinimize(objective, from, { maxIterations: maxIter });
  if (r.converged) return { theta: r.theta, gradientNorm: r.gradientNorm, iterations: r.iterations };
  throw new NotMeasurableError(
    `no minimum of the loss found from the start (after ${r.iterations} Newton steps ‖∇L‖ = ${r.gradientNorm.toExponential(2)} at |θ| = ${Math.hypot(...r.theta).toExponential(2)}): the loss may have no minimum (e.g. separable logistic data without weight decay); analyse at a given point or add weight decay`,
  );
}

/** Stationary state of SGD on L near its minimum (or at `opts.at`), with numeric settings. */
export function stationaryForLoss(L: Loss, hyper: LinearHyper, noise: NoiseSpec, opts: LossStationaryOptions = {}): LossStationary {
  const model = langevinModel(L, hyper, noise);
  const lam = rationalOf(hyper.weightDecay ?? 0, 'weightDecay').toNumber();
  let point: Float64Array;
  let iterations = 0;
  let gradientNorm: number;
  if (opts.at !== undefined && opts.from !== undefined) throw new InputError('give either a point to analyse (at) or a start for the minimum search (from), not both');
  if (opts.at !== undefined) {
    point = toVector(L, opts.at, 'the point');
    gradientNorm = Math.hypot(...gradHess(model, point, lam).g);
  } else {
    const start = opts.from !== undefined ? toVector(L, opts.from, 'the start') : new Float64Array(L.params.length);
    const r = findMinimum(model, start, lam, opts.maxIter);
    point = r.theta;
    iterations = r.iterations;
    gradientNorm = r.gradientNorm;
  }
  const symbolsMissing = L.symbols.length > 0;
  if (symbolsMissing) throw new InputError(`the loss has symbolic parameters (${L.symbols.map((s) => s.name).join(', ')}): give them values as constants for a numeric stationary state`);
  const at = model.at(point);
  const rows = (M: Float64Array): number[][] => Array.from({ length: model.n }, (_, i) => Array.from(M.subarray(i * model.n, (i + 1) * model.n)));
  const stationary = linearStationary(rows(at.H), rows(at.Sigma), hyper, { exact: opts.exact });
  return { model, point, gradientNorm, iterations, stationary };
}

/** The built-in per-example loss families for data rows x_1 … x_d, y. */
export type RegressionKind = 'linear' | 'logistic';

/**
 * Per-example losses ℓ_i from data rows (last column y): linear ½(x_i·w − y_i)², logistic
 * softplus(−ỹ_i x_i·w) with ỹ = ±1 (labels {0, 1} are mapped to ±1); or a custom per-example formula in the
 * parameters and the column names (default x1 … xd, y), e.g. "softplus(-y*(w1*x1 + w2*x2))".
 * Returns the mean loss L = (1/N) Σ ℓ_i and the ℓ_i, every number exact.
 */
export function perExampleLosses(
  kindOrFormula: RegressionKind | string,
  rows: readonly (readonly number[])[],
  opts: { params?: readonly string[]; columns?: readonly string[] } = {},
): { loss: Loss; losses: Expr[] } {
  if (!Array.isArray(rows) || rows.length === 0) throw new InputError('the data have no rows');
  const width = rows[0]!.length;
  if (width < 2) throw new InputError('each data row needs at least one feature and a label y (x1, …, xd, y)');
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== width) throw new InputError(`data row ${i + 1} has ${Array.isArray(r) ? r.length : 'no'} entries, expected ${width}`);
    r.forEach((v, j) => {
      if (typeof v !== 'number' || !Number.isFinite(v)) throw new InputError(`data row ${i + 1}, column ${j + 1} is not a finite number`);
    });
  });
  const d = width - 1;
  const columns = opts.columns ?? [...Array.from({ length: d }, (_, j) => `x${j + 1}`), 'y'];
  if (columns.length !== width) throw new InputError(`${columns.length} column names for rows of ${width} entries`);
  let formula: string;
  let params: readonly string[];
  let labels = rows.map((r) => r[d]!);
  if (kindOrFormula === 'linear' || kindOrFormula === 'logistic') {
    params = opts.params ?? Array.from({ length: d }, (_, j) => `w${j + 1}`);
    if (params.length !== d) throw new InputError(`${kindOrFormula} regression on ${d} features needs ${d} parameters, got ${params.length}`);
    const dot = params.map((p, j) => `${p}*${columns[j]}`).join(' + ');
    const y = columns[d]!;
    if (kindOrFormula === 'linear') formula = `(${dot} - ${y})^2/2`;
    else {
      const zeroOne = labels.every((v) => v === 0 || v === 1);
      if (!zeroOne && !labels.every((v) => v === 1 || v === -1)) throw new InputError('logistic labels (last column) must all be in {0, 1} or all in {−1, +1}');
      if (zeroOne) labels = labels.map((v) => 2 * v - 1);
      formula = `softplus(-${y}*(${dot}))`;
    }
  } else {
    if (!opts.params || opts.params.length === 0) throw new InputError('a custom per-example loss needs its parameter names');
    params = opts.params;
    formula = kindOrFormula;
  }
  const losses = rows.map((r, i) => {
    const constants: Record<string, number> = {};
    columns.forEach((c, j) => (constants[c] = j === d ? labels[i]! : r[j]!));
    return makeLoss(formula, { params, constants }).expr;
  });
  const mean = scale(sum(losses), Rational.of(1, rows.length));
  return { loss: makeLoss(mean, { params }), losses };
}
