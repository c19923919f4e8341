/**
 * A minimum of a smooth function by Newton's method with a modified Hessian and a backtracking (Armijo) line
 * search (Nocedal & Wright, *Numerical Optimization*, 2nd ed., §3.4 "Newton's method with Hessian
 * modification", the eigenvalue modification): curvatures are replaced by max(|λᵢ|, 10⁻⁸ max|λ|), so indefinite
 * regions are crossed downhill and flat directions (a valley of minima) take bounded steps.
 *
 * Convergence is judged by the full Newton step, not the gradient alone: on a loss without a minimum (say
 * separable logistic data) the gradient decays to round-off while the Newton step stays O(1), which is
 * reported as not converged rather than as a minimum at a huge θ. The Langevin layer uses this for the
 * minimum of L + (λ/2)‖θ‖² (docs/theory/langevin.md).
 */
import { InputError } from '../errors.ts';
import { symmetricEigen } from './symeig.ts';

/** The value, gradient and Hessian (row-major n×n) at θ, or undefined where any of them is not finite. */
export type NewtonObjective = (theta: Float64Array) => { value: number; gradient: Float64Array; hessian: Float64Array } | undefined;

export interface NewtonOptions {
  /** iterations (default 200) */
  maxIterations?: number;
  /** converged when the Newton step is at most this times max(1, ‖θ‖) (default 1e−10) */
  stepTol?: number;
}

export interface NewtonResult {
  readonly theta: Float64Array;
  readonly value: number;
  readonly gradient: Float64Array;
  readonly hessian: Float64Array;
  readonly gradientNorm: number;
  readonly iterations: number;
  /** true where the Newton step (or the gradient) vanishes to round-off: a critical point (the caller checks its Hessian) */
  readonly converged: boolean;
  /** why it stopped without converging */
  readonly reason?: 'iterations' | 'no-decrease' | 'diverged';
}

/** Strict Cholesky factor of a symmetric matrix: ok = false at the first pivot ≤ 1e−12·max diag (with its value and index). */
export function choleskyStrict(H: Float64Array, n: number): { ok: boolean; minPivot: number; at: number; L: Float64Array } {
  const L = new Float64Array(n * n);
  let scaleH = 0;
  for (let i = 0; i < n; i++) scaleH = Math.max(scaleH, Math.abs(H[i * n + i]!));
  let minPivot = Infinity;
  for (let j = 0; j < n; j++) {
    let d = H[j * n + j]!;
    for (let k = 0; k < j; k++) d -= L[j * n + k]! ** 2;
    minPivot = Math.min(minPivot, d);
    if (!(d > 1e-12 * Math.max(scaleH, Number.MIN_VALUE))) return { ok: false, minPivot: d, at: j, L };
    const ljj = Math.sqrt(d);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let v = H[i * n + j]!;
      for (let k = 0; k < j; k++) v -= L[i * n + k]! * L[j * n + k]!;
      L[i * n + j] = v / ljj;
    }
  }
  return { ok: true, minPivot, at: -1, L };
}

/** Solve L Lᵀ x = b with a Cholesky factor L. */
export function choleskySolve(L: Float64Array, n: number, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i]!;
    for (let k = 0; k < i; k++) s -= L[i * n + k]! * y[k]!;
    y[i] = s / L[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let k = i + 1; k < n; k++) s -= L[k * n + i]! * x[k]!;
    x[i] = s / L[i * n + i]!;
  }
  return x;
}

const norm = (v: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < v.length; i++) s += v[i]! ** 2;
  return Math.sqrt(s);
};

/**
 * The descent direction −V diag(1/max(|λᵢ|, 10⁻⁸ max|λ|)) Vᵀ g from the eigen-decomposition H = V Λ Vᵀ
 * (Newton's step with absolute, floored curvatures: downhill across saddles, bounded in flat directions).
 */
function modifiedNewtonStep(H: Float64Array, g: Float64Array, n: number): Float64Array | undefined {
  const { values, vectors } = symmetricEigen(H, 'the Hessian');
  const top = Math.max(...values.map(Math.abs));
  if (!(top > 0)) return undefined;
  const step = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    let proj = 0;
    for (let i = 0; i < n; i++) proj += vectors[i * n + k]! * g[i]!;
    const lk = Math.max(Math.abs(values[k]!), 1e-8 * top);
    for (let i = 0; i < n; i++) step[i] = step[i]! - (vectors[i * n + k]! * proj) / lk;
  }
  return step;
}

/** Newton's method with Hessian modification and an Armijo line search from `start`. */
export function newtonMinimize(objective: NewtonObjective, start: ArrayLike<number>, opts: NewtonOptions = {}): NewtonResult {
  const maxIt = opts.maxIterations ?? 200;
  const stepTol = opts.stepTol ?? 1e-10;
  if (!Number.isInteger(maxIt) || maxIt < 1) throw new InputError(`maxIterations must be a positive integer (got ${String(opts.maxIterations)})`);
  if (typeof stepTol !== 'number' || !(stepTol > 0) || !Number.isFinite(stepTol)) throw new InputError(`stepTol must be a positive finite number (got ${String(opts.stepTol)})`);
  const n = start.length;
  const theta = Float64Array.from(start);
  if (!theta.every(Number.isFinite)) throw new InputError('the start of Newton\'s method must be finite');
  let cur = objective(theta);
  if (!cur) throw new InputError('the function or its derivatives are not finite at the start of Newton\'s method: give another start');
  const result = (iterations: number, converged: boolean, reason?: NewtonResult['reason']): NewtonResult => ({
    theta,
    value: cur!.value,
    gradient: cur!.gradient,
    hessian: cur!.hessian,
    gradientNorm: norm(cur!.gradient),
    iterations,
    converged,
    ...(reason ? { reason } : {}),
  });
  for (let it = 0; it < maxIt; it++) {
    if (norm(cur.gradient) === 0) return result(it, true);
    const step = modifiedNewtonStep(cur.hessian, cur.gradient, n);
    if (step === undefined) return result(it, false, 'no-decrease'); // H = 0 with g ≠ 0: no curvature to use
    const size = Math.max(1, norm(theta));
    // converged: the Newton step is below round-off (in a flat direction the floored curvature keeps it
    // small). One last full step (quadratic convergence) takes θ from ~stepTol to round-off; it is kept only
    // if it does not raise ‖∇f‖.
    if (norm(step) <= stepTol * size) {
      const polished = theta.map((x, i) => x + step[i]!);
      const next = objective(polished);
      if (next && norm(next.gradient) <= norm(cur.gradient)) {
        theta.set(polished);
        cur = next;
      }
      return result(it, true);
    }
    const slope = step.reduce((s, x, i) => s + x * cur!.gradient[i]!, 0);
    const trial = new Float64Array(n);
    let t = 1;
    let next: ReturnType<NewtonObjective>;
    for (;;) {
      for (let i = 0; i < n; i++) trial[i] = theta[i]! + t * step[i]!;
      next = objective(trial);
      if (next && next.value <= cur.value + 1e-4 * t * slope) break;
      t /= 2;
      if (t < 1e-12) break;
    }
    if (!next || t < 1e-12) {
      // no decrease at all: at the round-off floor of the function; a minimum if the Newton step is small there
      const atFloor = norm(step) <= 1e-6 * size;
      return atFloor ? result(it, true) : result(it, false, 'no-decrease');
    }
    theta.set(trial);
    cur = next;
    if (norm(theta) > 1e12) return result(it + 1, false, 'diverged');
  }
  return result(maxIt, false, 'iterations');
}
