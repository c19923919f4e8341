/**
 * Which tfjs ops differentiate to second and third order by nested tf.grad (docs/networks.md, "Which ops
 * differentiate twice"). Each probe is a scalar function of x ∈ ℝ⁴ built around one op; for order k the
 * probe computes ∇^kL[v, …, v] by nested reverse mode and checks it against a central finite difference of
 * the order-(k−1) derivative along v (float32, step 1e-2: agreement to ~1e-3 relative is expected).
 * Run before and after `enableHigherOrderGradients` to see what the fix changes.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './backend.ts';
import { gradOf, tidyValue, type Scalar, type Tensor1D } from './autodiff.ts';

type Probe = (tf: Tf, x: Tensor1D) => Scalar;

/** The probes: name → scalar function of x ∈ ℝ⁴ (inputs kept where the op is smooth). */
export function opProbes(): Record<string, Probe> {
  const sq = (tf: Tf, x: Tensor1D): tfTypes.Tensor2D => tf.reshape(x, [2, 2]) as tfTypes.Tensor2D;
  const s = (t: tfTypes.Tensor, tf: Tf): Scalar => tf.sum(t) as Scalar;
  return {
    matMul: (tf, x) => s(tf.matMul(tf.matMul(sq(tf, x), sq(tf, x)), sq(tf, x)), tf),
    add: (tf, x) => s(tf.mul(tf.add(x, tf.reverse(x)), tf.mul(x, x)), tf),
    mul: (tf, x) => s(tf.mul(tf.mul(x, x), x), tf),
    div: (tf, x) => s(tf.div(x, tf.add(tf.square(x), 1)), tf),
    tanh: (tf, x) => s(tf.tanh(x), tf),
    relu: (tf, x) => s(tf.mul(tf.relu(x), x), tf),
    sigmoid: (tf, x) => s(tf.sigmoid(x), tf),
    softplus: (tf, x) => s(tf.softplus(x), tf),
    exp: (tf, x) => s(tf.exp(x), tf),
    log: (tf, x) => s(tf.log(tf.add(tf.square(x), 1)), tf),
    sqrt: (tf, x) => s(tf.sqrt(tf.add(tf.square(x), 1)), tf),
    square: (tf, x) => s(tf.mul(tf.square(x), x), tf),
    pow: (tf, x) => s(tf.pow(tf.add(tf.square(x), 1), 1.5), tf),
    sum: (tf, x) => tf.square(tf.sum(tf.mul(x, x))) as Scalar,
    mean: (tf, x) => tf.square(tf.mean(tf.mul(x, x))) as Scalar,
    softmax: (tf, x) => s(tf.mul(tf.softmax(x), x), tf),
    logSoftmax: (tf, x) => tf.neg(tf.sum(tf.slice(tf.logSoftmax(x), 0, 1))) as Scalar,
    logSumExp: (tf, x) => tf.logSumExp(x) as Scalar,
    max: (tf, x) => tf.max(tf.mul(x, x)) as Scalar,
    maximum: (tf, x) => s(tf.mul(tf.maximum(x, tf.mul(x, 0.5)), x), tf),
    elu: (tf, x) => s(tf.mul(tf.elu(x), x), tf),
    selu: (tf, x) => s(tf.mul(tf.selu(x), x), tf),
    leakyRelu: (tf, x) => s(tf.mul(tf.leakyRelu(x, 0.1), x), tf),
    sin: (tf, x) => s(tf.sin(x), tf),
    erf: (tf, x) => s(tf.erf(x), tf),
    'gelu (tanh form)': (tf, x) =>
      s(tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI))))), tf),
    'gelu (erf form)': (tf, x) => s(tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))), tf),
    conv2d: (tf, x) => {
      const img = tf.reshape(tf.concat([x, x, x, x]), [1, 4, 4, 1]) as tfTypes.Tensor4D;
      const k = tf.reshape(tf.slice(x, 0, 4), [2, 2, 1, 1]) as tfTypes.Tensor4D;
      return s(tf.square(tf.conv2d(img, k, 1, 'valid')), tf);
    },
    'conv2d (stride 2, same, 2 channels)': (tf, x) => {
      const img = tf.reshape(tf.concat([x, tf.reverse(x), tf.mul(x, x), x]), [1, 4, 2, 2]) as tfTypes.Tensor4D;
      const k = tf.reshape(tf.concat([x, tf.reverse(x)]), [2, 2, 2, 1]) as tfTypes.Tensor4D;
      return s(tf.square(tf.conv2d(img, k, 2, 'same')), tf);
    },
    'squaredDifference (broadcast)': (tf, x) => s(tf.mul(tf.squaredDifference(x, tf.mean(x)), x), tf),
    'normalisation written out': (tf, x) => {
      const m = tf.moments(x);
      return s(tf.square(tf.mul(tf.sub(x, m.mean), tf.rsqrt(tf.add(m.variance, 1e-3)))), tf);
    },
    'moments + batchNorm': (tf, x) => {
      const m = tf.moments(x);
      return s(tf.square(tf.batchNorm(x, m.mean, m.variance, undefined, undefined, 1e-3)), tf);
    },
    'layers.dense (fused relu)': (tf, x) => {
      const y = tf.fused.matMul({ a: sq(tf, x), b: sq(tf, x), activation: 'relu' });
      return s(tf.mul(y, y), tf);
    },
  };
}

export type OpStatus = 'ok' | 'wrong' | 'error';
export interface OpSupport {
  op: string;
  order2: OpStatus;
  order3: OpStatus;
  /** the error message (first 90 characters) when a probe throws */
  note?: string;
}

const X0 = [0.31, -0.72, 0.55, 1.13];
const V = [0.6, 0.2, -0.5, 0.4];

/** k-th directional derivative ∇^kL[v, …, v]·v as a number (k ≥ 1), by k nested tf.grad. */
function directional(tf: Tf, f: Probe, x: number[], k: number): number {
  return tidyValue(tf, () => {
    const v = tf.tensor1d(V);
    let phi: (t: Tensor1D) => Scalar = (t) => f(tf, t);
    for (let j = 0; j < k; j++) {
      const inner = gradOf(tf, phi);
      phi = (t) => tf.sum(tf.mul(inner(t), v)) as Scalar;
    }
    return phi(tf.tensor1d(x)).dataSync()[0]!;
  });
}

/** Probe every op at orders 2 and 3 (status per order) on the given tfjs instance. */
export function probeOpSupport(tf: Tf): OpSupport[] {
  const out: OpSupport[] = [];
  const h = 1e-2;
  for (const [op, f] of Object.entries(opProbes())) {
    const row: OpSupport = { op, order2: 'ok', order3: 'ok' };
    for (const k of [2, 3] as const) {
      let status: OpStatus;
      try {
        const d = directional(tf, f, X0, k);
        const plus = directional(tf, f, X0.map((x, i) => x + h * V[i]!), k - 1);
        const minus = directional(tf, f, X0.map((x, i) => x - h * V[i]!), k - 1);
        const fd = (plus - minus) / (2 * h);
        status = Math.abs(d - fd) <= 2e-3 * Math.max(1, Math.abs(fd)) ? 'ok' : 'wrong';
      } catch (e) {
        status = 'error';
        row.note ??= String((e as Error).message ?? e).slice(0, 90);
      }
      if (k === 2) row.order2 = status;
      else row.order3 = status;
    }
    out.push(row);
  }
  return out;
}
