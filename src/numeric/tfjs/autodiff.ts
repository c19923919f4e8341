/**
 * Counter terms of the EoM of gradient descent for any differentiable TensorFlow.js loss, by nested automatic
 * differentiation (docs/theory/eom.md, "Counter terms: the modified equation of explicit Euler"; docs/networks.md).
 *
 * The series θ̇ = f_1 + η f_2 + η² f_3 + … has f_k = Σ_{|t|=k} (−1)^{|t|} b(t)/σ(t) G(t) over rooted trees t
 * (coefficients from ../../theory/eom/series.ts, exact, converted to float64), with the elementary
 * differentials in loss notation
 *
 *     G(•) = g = ∇L,    G([t_1, …, t_m]) = ∇^{m+1}L[G(t_1), …, G(t_m)],
 *
 * so f_2 = −½ Hg, f_3 = −1/12 ∇³L[g,g] − 1/3 HHg, … . Each G(t) is ONE nest of reverse-mode gradients with the
 * children's vectors held constant:
 *
 *     φ_0 = L,   φ_j(θ) = ⟨∇φ_{j−1}(θ), v_j⟩,   ∇φ_m(θ) = ∇^{m+1}L(θ)[v_1, …, v_m]
 *
 * (reverse-over-reverse; tfjs has no forward mode). No Hessian or derivative tensor is ever formed: the cost of
 * G(t) is that of m + 1 nested backward passes through the loss.
 *
 * EoM₁ uses the modified loss instead: f_1 + η f_2 = −(g + ½ηHg) = −∇(L + ¼η‖∇L‖²), one double-backward pass
 * for the whole right-hand side (docs/theory/eom.md, "Counter terms: the modified equation of explicit Euler": first order is gradient flow on the modified loss).
 *
 * Precision: tfjs is float32. The integrators keep their state in float64 (../ode.ts); only the right-hand side
 * is float32, so a trajectory is as accurate as the float32 field (≈1e-7 relative per evaluation).
 */
import { InputError } from '../../errors.ts';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './backend.ts';
import { enableHigherOrderGradients, withOpCheck } from './higher-order.ts';
import { type Dop853Options, type VectorField, dop853, rk4 } from '../ode.ts';
import { checkBeta, checkEta, checkVector } from '../linalg.ts';

export type Tensor1D = tfTypes.Tensor1D;
export type Scalar = tfTypes.Scalar;
/** A loss as a tfjs function of the flat parameter vector θ ∈ ℝⁿ. */
export type TfLossFn = (theta: Tensor1D) => Scalar;

/** A tfjs loss with its parameter count; build with `tfLoss` (or `layersModelLoss`, ./networks.ts). */
export interface TfLoss {
  readonly tf: Tf;
  readonly n: number;
  readonly fn: TfLossFn;
}

/**
 * Wrap a tfjs loss of a flat θ ∈ ℝⁿ. Enables higher-order gradients on this tfjs instance
 * (./higher-order.ts), then differentiates the loss once at θ = 0.1·(1, …, 1): it must return a scalar, every
 * op must have a gradient, and no op whose higher derivatives tfjs gets wrong (BROKEN_HIGHER_ORDER_OPS) may
 * appear — each failure is an InputError naming the op and the rewrite.
 */
export function tfLoss(tf: Tf, fn: TfLossFn, n: number): TfLoss {
  const where = 'tfLoss';
  if (typeof fn !== 'function') throw new InputError(`${where}: the loss must be a function (theta: tf.Tensor1D) => tf.Scalar`);
  if (!Number.isInteger(n) || n <= 0) throw new InputError(`${where}: n (the parameter count) must be a positive integer, got ${n}`);
  enableHigherOrderGradients(tf);
  const ops = withOpCheck(where, 1, () => recordTapeOps(tf, n, (t) => {
    const y = fn(t);
    if (!(y instanceof tf.Tensor)) throw new InputError(`${where}: the loss returned ${typeof y}, expected a tf.Scalar`);
    if (y.size !== 1) throw new InputError(`${where}: the loss returned a tensor of shape [${y.shape.join(', ')}], expected a scalar (sum or average it)`);
    return tf.reshape(y, []) as Scalar;
  }));
  rejectBrokenOps(ops, where);
  return { tf, n, fn };
}

/** Names of the tape nodes (kernels and op scopes) recorded while differentiating f once at θ = 0.1·𝟙. */
function recordTapeOps(tf: Tf, n: number, f: (t: Tensor1D) => Scalar): Set<string> {
  const engine = tf.engine() as unknown as { addTapeNode: (name: string, ...rest: unknown[]) => void };
  const original = engine.addTapeNode;
  const names = new Set<string>();
  engine.addTapeNode = function (this: unknown, name: string, ...rest: unknown[]) {
    names.add(name);
    return original.call(this, name, ...rest);
  };
  try {
    tf.tidy(() => {
      gradOf(tf, connected(tf, f))(tf.fill([n], 0.1) as Tensor1D);
    });
  } finally {
    engine.addTapeNode = original;
  }
  return names;
}

/**
 * tfjs ops built with customGrad that save their OUTPUT for the gradient: their higher derivatives are
 * silently wrong (the saved output is not connected to θ on the outer tape), so they are refused.
 */
export const BROKEN_HIGHER_ORDER_OPS: Readonly<Record<string, string>> = {
  logSoftmax: 'write z − tf.logSumExp(z, axis, true) instead of tf.logSoftmax(z)',
  logSigmoid: 'write −tf.softplus(−x) instead of tf.logSigmoid(x)',
  softmaxCrossEntropy: 'write the cross-entropy as tf.logSumExp(z, 1) − Σ_k t_k z_k instead of tf.losses.softmaxCrossEntropy',
};

function rejectBrokenOps(names: Set<string>, where: string): void {
  for (const name of names) {
    const op = name.replace(/_+op$/, '');
    const fix = BROKEN_HIGHER_ORDER_OPS[op];
    if (fix)
      throw new InputError(
        `${where}: the loss uses tf.${op}, whose second and higher derivatives tfjs computes wrongly (its gradient reads the op's saved output, ` +
          `which the outer tape does not connect to theta); ${fix} (docs/networks.md, "Which ops differentiate twice").`,
      );
  }
}

/** Run f in a tfjs scope (every tensor it creates is disposed) and return its plain (non-tensor) result. */
export function tidyValue<T>(tf: Tf, f: () => T): T {
  let r: T | undefined;
  tf.tidy(() => {
    r = f();
  });
  return r as T;
}

type AnyTensorFn = (x: tfTypes.Tensor) => tfTypes.Tensor;
/** tf.grad with the loss types of this module. */
export function gradOf(tf: Tf, f: (t: Tensor1D) => Scalar): (t: Tensor1D) => Tensor1D {
  return tf.grad(f as unknown as AnyTensorFn) as unknown as (t: Tensor1D) => Tensor1D;
}

/** θ as a float32 tensor, checked. */
export function thetaTensor(L: TfLoss, theta: ArrayLike<number>, where: string): Tensor1D {
  checkVector(theta, L.n, 'theta', where);
  return L.tf.tensor1d(Float32Array.from(theta as ArrayLike<number>), 'float32');
}

/**
 * The function θ ↦ ∇^{m+1}L(θ)[v_1, …, v_m] (m = vs.length; m = 0 is ∇L), by m + 1 nested tf.grad.
 * The directions are constants (tensors of shape [n]).
 */
export function nestedDirectionalGradient(L: TfLoss, vs: readonly Tensor1D[]): (theta: Tensor1D) => Tensor1D {
  const tf = L.tf;
  let phi: (t: Tensor1D) => Scalar = connected(tf, L.fn);
  for (const v of vs) {
    const inner = gradOf(tf, phi);
    phi = connected(tf, (t) => tf.sum(tf.mul(inner(t), v)));
  }
  return gradOf(tf, phi);
}

/**
 * f(t) + 0·Σt: the same value, but always on θ's tape, so that a derivative that vanishes identically (the
 * third derivative of a quadratic loss) comes out as zeros instead of tfjs's "Cannot compute gradient of
 * y=f(x)". The ops whose higher derivatives tfjs would silently lose are rejected by tfLoss instead.
 */
function connected(tf: Tf, f: (t: Tensor1D) => Scalar): (t: Tensor1D) => Scalar {
  return (t) => tf.add(f(t), tf.mul(tf.sum(t), 0));
}

/** ∇^{m+1}L(θ)[v_1, …, v_m] at θ (float32, returned as float64). */
export function derivativeAlong(L: TfLoss, theta: ArrayLike<number>, directions: readonly ArrayLike<number>[]): Float64Array {
  const where = 'derivativeAlong';
  directions.forEach((v, i) => checkVector(v, L.n, `directions[${i}]`, where));
  return withOpCheck(where, directions.length + 1, () =>
    tidyValue(L.tf, () => {
      const th = thetaTensor(L, theta, where);
      const vs = directions.map((v) => L.tf.tensor1d(Float32Array.from(v), 'float32'));
      return Float64Array.from(nestedDirectionalGradient(L, vs)(th).dataSync());
    }),
  );
}

/** ∇L(θ) (float32 → float64). */
export function gradientTf(L: TfLoss, theta: ArrayLike<number>): Float64Array {
  return derivativeAlong(L, theta, []);
}

/** L(θ) (float32). */
export function lossValueTf(L: TfLoss, theta: ArrayLike<number>): number {
  return tidyValue(L.tf, () => L.fn(thetaTensor(L, theta, 'lossValueTf')).dataSync()[0]!);
}

/** Hessian–vector product H(θ)v by reverse-over-reverse (float32 → float64). */
export function hvpTf(L: TfLoss, theta: ArrayLike<number>, v: ArrayLike<number>): Float64Array {
  return derivativeAlong(L, theta, [v]);
}

/**
 * θ ↦ L(θ) + c‖∇L(θ)‖², with ONE forward pass: the value and the gradient come from the same recorded pass
 * (tf.valueAndGrad), whose backward is itself recorded on the outer tape.
 */
function modifiedLoss(L: TfLoss, c: number): (t: Tensor1D) => Scalar {
  const tf = L.tf;
  const vg = tf.valueAndGrad(L.fn as unknown as (x: tfTypes.Tensor) => tfTypes.Scalar);
  return (t) => {
    const { value, grad } = vg(t);
    return tf.add(value, tf.mul(tf.sum(tf.square(grad)), c)) as Scalar;
  };
}

/**
 * Inside a tidy: the EoM₁ field −∇(L + ¼η‖∇L‖²) = −(g + ½ηHg) in one double-backward pass (modified loss).
 */
export function eom1Tensor(L: TfLoss, th: Tensor1D, eta: number): Tensor1D {
  const tf = L.tf;
  return tf.neg(gradOf(tf, modifiedLoss(L, eta / 4))(th));
}

/**
 * The heavy-ball modified flow on the slow manifold to first order, F₀ + ηF₁ with F₀ = −g/(1−β),
 * F₁ = −(1+β)/(2(1−β)³) Hg (docs/theory/eom.md, "Heavy-ball momentum"): one double-backward pass of the
 * momentum modified loss, F₀ + ηF₁ = −∇[L + η(1+β)/(4(1−β)²)‖g‖²]/(1−β).
 */
export function heavyBallFieldTf(L: TfLoss, eta: number, beta: number): VectorField {
  const where = 'heavyBallFieldTf';
  checkEta(eta, where);
  checkBeta(beta, where);
  const tf = L.tf;
  const buf = new Float32Array(L.n);
  const c = (eta * (1 + beta)) / (4 * (1 - beta) ** 2);
  return (y, out) => {
    for (let i = 0; i < L.n; i++) buf[i] = y[i]!;
    const r = withOpCheck(where, 2, () =>
      tidyValue(tf, () => {
        return tf.mul(gradOf(tf, modifiedLoss(L, c))(tf.tensor1d(buf, 'float32')), -1 / (1 - beta)).dataSync();
      }),
    );
    for (let i = 0; i < L.n; i++) out[i] = r[i]!;
  };
}

export interface TrajectoryOptions {
  /**
   * 'dop853' (default; rtol 1e-7, atol 1e-9 and at most 20,000 steps unless given: the field itself is float32
   * and each evaluation costs tfjs work, so a stiff or divergent flow stops with an InputError instead of
   * running for hours) or 'rk4'
   */
  method?: 'dop853' | 'rk4';
  /** rk4 sub-steps per GD step (default 4) */
  substeps?: number;
  dop853?: Dop853Options;
}

/**
 * The flow of `field` from θ_0 at the GD times t = kη for the given step indices (non-decreasing):
 * row r of the result is θ(steps[r]·η), float64.
 */
export function flowAtSteps(field: VectorField, theta0: ArrayLike<number>, eta: number, steps: readonly number[], opts: TrajectoryOptions = {}): Float64Array[] {
  const where = 'flowAtSteps';
  checkEta(eta, where);
  steps.forEach((k, i) => {
    if (!Number.isInteger(k) || k < 0 || (i > 0 && k < steps[i - 1]!)) throw new InputError(`${where}: steps must be non-decreasing integers >= 0 (got ${k} at ${i})`);
  });
  const n = theta0.length;
  if ((opts.method ?? 'dop853') === 'dop853') {
    const r = dop853(field, theta0, 0, steps.map((k) => k * eta), { rtol: 1e-7, atol: 1e-9, maxSteps: 20_000, ...opts.dop853 });
    return steps.map((_, i) => r.states.slice(i * n, (i + 1) * n));
  }
  if (opts.method !== 'rk4') throw new InputError(`${where}: method must be 'dop853' or 'rk4', got '${String(opts.method)}'`);
  const sub = opts.substeps ?? 4;
  if (!Number.isInteger(sub) || sub < 1) throw new InputError(`${where}: substeps must be a positive integer, got ${sub}`);
  const out: Float64Array[] = [];
  let y: Float64Array = Float64Array.from(theta0);
  let at = 0;
  for (const k of steps) {
    if (k > at) y = rk4(field, y, (k - at) * eta, (k - at) * sub);
    at = k;
    out.push(Float64Array.from(y));
  }
  return out;
}

/** The gradient-flow field −∇L(θ) as a float64 VectorField with a float32 tfjs right-hand side. */
export function gradientFlowFieldTf(L: TfLoss): VectorField {
  const tf = L.tf;
  const buf = new Float32Array(L.n);
  return (y, out) => {
    for (let i = 0; i < L.n; i++) buf[i] = y[i]!;
    const r = withOpCheck('gradientFlowFieldTf', 1, () => tidyValue(tf, () => tf.neg(nestedDirectionalGradient(L, [])(tf.tensor1d(buf, 'float32'))).dataSync()));
    for (let i = 0; i < L.n; i++) out[i] = r[i]!;
  };
}

/** Full-batch GD θ ← θ − η∇L(θ) with a float64 state and float32 gradients; returns θ at the given steps. */
export function gdAtSteps(L: TfLoss, theta0: ArrayLike<number>, eta: number, steps: readonly number[]): Float64Array[] {
  return momentumAtSteps('gdAtSteps', L, theta0, eta, 0, steps);
}

/** Heavy ball θ_{k+1} = θ_k − ηg(θ_k) + β(θ_k − θ_{k−1}), float64 state, float32 gradients; θ_{−1} given (default θ_0). */
export function heavyBallAtSteps(L: TfLoss, theta0: ArrayLike<number>, eta: number, beta: number, steps: readonly number[], thetaPrev?: ArrayLike<number>): Float64Array[] {
  return momentumAtSteps('heavyBallAtSteps', L, theta0, eta, beta, steps, thetaPrev);
}

/** The loop of gdAtSteps (β = 0: the momentum term adds exactly 0) and heavyBallAtSteps; `where` names the caller in errors. */
function momentumAtSteps(where: string, L: TfLoss, theta0: ArrayLike<number>, eta: number, beta: number, steps: readonly number[], thetaPrev?: ArrayLike<number>): Float64Array[] {
  checkEta(eta, where);
  checkBeta(beta, where);
  checkVector(theta0, L.n, 'theta0', where);
  if (thetaPrev) checkVector(thetaPrev, L.n, 'thetaPrev', where);
  const grad = gradientFlowFieldTf(L);
  let y: Float64Array = Float64Array.from(theta0);
  let prev: Float64Array = Float64Array.from(thetaPrev ?? theta0);
  const d = new Float64Array(L.n);
  const out: Float64Array[] = [];
  let k = 0;
  for (const target of steps) {
    if (!Number.isInteger(target) || target < k) throw new InputError(`${where}: steps must be non-decreasing integers >= 0`);
    for (; k < target; k++) {
      grad(y, d);
      const next = new Float64Array(L.n);
      for (let i = 0; i < L.n; i++) next[i] = y[i]! + eta * d[i]! + beta * (y[i]! - prev[i]!);
      prev = y;
      y = next;
    }
    out.push(Float64Array.from(y));
  }
  return out;
}
