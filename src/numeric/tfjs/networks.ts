/**
 * Networks as tfjs losses of a flat parameter vector (docs/networks.md): a fully connected network written
 * in tfjs ops, and any `tf.LayersModel` with data (its trainable weights flattened into θ).
 *
 * Layout of θ for `mlpLossTf` (the same as the symbolic `mlpLoss` builder and bench task P3): layer by layer,
 * the weight matrix W (out × in, row-major) then the bias b; so for sizes [2, 3, 1] θ = (a11, a12, a21, a22,
 * a31, a32, b1, b2, b3, v1, v2, v3, c).
 */
import { InputError } from '../../errors.ts';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './backend.ts';
import { type TfLoss, type Tensor1D, type Scalar, tfLoss } from './autodiff.ts';
import { Rng } from '../prng.ts';

export type TfActivation = 'tanh' | 'sigmoid' | 'softplus' | 'relu' | 'gelu' | 'linear';
/** 'mse': (1/N)Σ‖f(x_i) − y_i‖²; 'half-mse': ½ of that; 'softmax-ce': mean cross-entropy of softmax(f(x_i)) with labels y_i (class indices or rows of probabilities). */
export type TfNetLoss = 'mse' | 'half-mse' | 'softmax-ce';

export interface MlpTfOptions {
  /** [inputs, hidden…, outputs] */
  sizes: readonly number[];
  activation?: TfActivation;
  /** inputs, N rows of sizes[0] */
  X: readonly (readonly number[])[];
  /** targets: N rows of sizes[last] (or N numbers when sizes[last] = 1), or N class indices for 'softmax-ce' */
  Y: readonly (readonly number[])[] | readonly number[];
  loss?: TfNetLoss;
}

export interface NetworkLoss extends TfLoss {
  /** parameter shapes in θ order (W: [out, in], b: [out]) */
  readonly shapes: readonly (readonly number[])[];
  /** per-example losses ℓ_i(θ) (vector of N), with L = mean ℓ_i */
  readonly perExample: (theta: Tensor1D) => tfTypes.Tensor1D;
  /** number of examples N */
  readonly examples: number;
  /** ℓ_i(θ) for the single example i (costs one example's forward pass) */
  readonly exampleLoss: (theta: Tensor1D, i: number) => Scalar;
  /** the mean of ℓ_i over the given example indices (a minibatch; repeats allowed) */
  readonly batchLoss: (theta: Tensor1D, indices: Int32Array) => Scalar;
  /** free the data tensors held on the device (the loss is unusable afterwards) */
  dispose(): void;
}

/** Apply the activation (gelu: the tanh form ½x(1 + tanh(√(2/π)(x + 0.044715x³)))). */
export function activate(tf: Tf, a: TfActivation, x: tfTypes.Tensor): tfTypes.Tensor {
  switch (a) {
    case 'tanh':
      return tf.tanh(x);
    case 'sigmoid':
      return tf.sigmoid(x);
    case 'softplus':
      return tf.softplus(x);
    case 'relu':
      return tf.relu(x);
    case 'gelu':
      return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.tanh(tf.mul(tf.add(x, tf.mul(tf.pow(x, 3), 0.044715)), Math.sqrt(2 / Math.PI)))));
    case 'linear':
      return x;
    default:
      throw new InputError(`activation must be one of tanh, sigmoid, softplus, relu, gelu, linear; got '${String(a)}'`);
  }
}

/** Parameter count of an MLP with these sizes. */
export function mlpParameterCount(sizes: readonly number[]): number {
  let n = 0;
  for (let l = 1; l < sizes.length; l++) n += sizes[l]! * sizes[l - 1]! + sizes[l]!;
  return n;
}

/** Split θ into the MLP's W, b tensors (inside a tidy). */
function unpackMlp(tf: Tf, theta: Tensor1D, sizes: readonly number[]): { W: tfTypes.Tensor2D; b: tfTypes.Tensor1D }[] {
  const out: { W: tfTypes.Tensor2D; b: tfTypes.Tensor1D }[] = [];
  let off = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [nin, nout] = [sizes[l - 1]!, sizes[l]!];
    const W = tf.reshape(tf.slice(theta, off, nout * nin), [nout, nin]) as tfTypes.Tensor2D;
    off += nout * nin;
    const b = tf.slice(theta, off, nout) as tfTypes.Tensor1D;
    off += nout;
    out.push({ W, b });
  }
  return out;
}

/** The network's outputs [N, sizes[last]] for inputs X [N, sizes[0]]. */
export function mlpForward(tf: Tf, theta: Tensor1D, sizes: readonly number[], X: tfTypes.Tensor2D, activation: TfActivation): tfTypes.Tensor2D {
  const layers = unpackMlp(tf, theta, sizes);
  let h: tfTypes.Tensor2D = X;
  layers.forEach(({ W, b }, l) => {
    h = tf.add(tf.matMul(h, W, false, true), b) as tfTypes.Tensor2D;
    if (l < layers.length - 1) h = activate(tf, activation, h) as tfTypes.Tensor2D;
  });
  return h;
}

function checkRows(rows: readonly (readonly number[])[], width: number, name: string, where: string): void {
  if (!Array.isArray(rows) || rows.length === 0) throw new InputError(`${where}: ${name} must be a non-empty array of rows`);
  rows.forEach((r, i) => {
    if (!Array.isArray(r) || r.length !== width) throw new InputError(`${where}: ${name}[${i}] must have ${width} entries (dimension mismatch)`);
    r.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new InputError(`${where}: ${name}[${i}][${j}] is not finite (${v})`);
    });
  });
}

/** A fully connected network's loss as a tfjs function of the flat θ (layout in the module comment). */
export function mlpLossTf(tf: Tf, o: MlpTfOptions): NetworkLoss {
  const where = 'mlpLossTf';
  const sizes = o.sizes;
  if (!Array.isArray(sizes) || sizes.length < 2 || sizes.some((s) => !Number.isInteger(s) || s < 1))
    throw new InputError(`${where}: sizes must list at least two positive integers [inputs, …, outputs], got [${String(sizes)}]`);
  const activation = o.activation ?? 'tanh';
  const lossKind = o.loss ?? 'mse';
  if (!['mse', 'half-mse', 'softmax-ce'].includes(lossKind)) throw new InputError(`${where}: loss must be 'mse', 'half-mse' or 'softmax-ce', got '${lossKind}'`);
  const nin = sizes[0]!;
  const nout = sizes[sizes.length - 1]!;
  checkRows(o.X, nin, 'X', where);
  const N = o.X.length;
  if (!Array.isArray(o.Y) || o.Y.length !== N) throw new InputError(`${where}: Y must have ${N} entries (one per row of X)`);
  let targets: number[][];
  if (lossKind === 'softmax-ce' && o.Y.every((y) => typeof y === 'number')) {
    targets = (o.Y as number[]).map((c, i) => {
      if (!Number.isInteger(c) || c < 0 || c >= nout) throw new InputError(`${where}: class label Y[${i}] = ${c} is not an integer in [0, ${nout})`);
      return Array.from({ length: nout }, (_, k) => (k === c ? 1 : 0));
    });
  } else {
    targets = (o.Y as readonly (number | readonly number[])[]).map((y) => (typeof y === 'number' ? [y] : [...y]));
    checkRows(targets, nout, 'Y', where);
  }
  const X = tf.keep(tf.tensor2d(o.X.map((r) => [...r]), [N, nin], 'float32'));
  const T = tf.keep(tf.tensor2d(targets, [N, nout], 'float32'));
  const lossesOn = (theta: Tensor1D, X: tfTypes.Tensor2D, T: tfTypes.Tensor2D): tfTypes.Tensor1D => {
    const out = mlpForward(tf, theta, sizes, X, activation);
    if (lossKind === 'softmax-ce') {
      // −Σ_k t_k log softmax(z)_k = logSumExp(z) Σ_k t_k − ⟨t, z⟩ (tf.logSoftmax is not twice differentiable in tfjs)
      return tf.sub(tf.mul(tf.logSumExp(out, 1), tf.sum(T, 1)), tf.sum(tf.mul(T, out), 1)) as tfTypes.Tensor1D;
    }
    const se = tf.sum(tf.square(tf.sub(out, T)), 1) as tfTypes.Tensor1D;
    return lossKind === 'half-mse' ? tf.mul(se, 0.5) : se;
  };
  const perExample = (theta: Tensor1D): tfTypes.Tensor1D => lossesOn(theta, X, T);
  const exampleLoss = (theta: Tensor1D, i: number): Scalar => {
    if (!Number.isInteger(i) || i < 0 || i >= N) throw new InputError(`${where}: example index ${i} is not an integer in [0, ${N})`);
    return tf.reshape(lossesOn(theta, tf.slice(X, [i, 0], [1, nin]), tf.slice(T, [i, 0], [1, nout])), []) as Scalar;
  };
  const batchLoss = (theta: Tensor1D, indices: Int32Array): Scalar => {
    for (const i of indices) if (!Number.isInteger(i) || i < 0 || i >= N) throw new InputError(`${where}: example index ${i} is not an integer in [0, ${N})`);
    const idx = tf.tensor1d(indices, 'int32');
    return tf.mean(lossesOn(theta, tf.gather(X, idx), tf.gather(T, idx))) as Scalar;
  };
  const fn = (theta: Tensor1D): Scalar => tf.mean(perExample(theta)) as Scalar;
  const shapes: number[][] = [];
  for (let l = 1; l < sizes.length; l++) shapes.push([sizes[l]!, sizes[l - 1]!], [sizes[l]!]);
  const dispose = (): void => {
    X.dispose();
    T.dispose();
  };
  return { ...tfLoss(tf, fn, mlpParameterCount(sizes)), shapes, perExample, exampleLoss, batchLoss, examples: N, dispose };
}

/** Glorot-style seeded initialisation of an MLP's θ: W entries N(0, 1/fan_in)·gain, biases 0 (float64). */
export function mlpInit(sizes: readonly number[], seed: number, gain = 1): Float64Array {
  const rng = new Rng(seed);
  const theta = new Float64Array(mlpParameterCount(sizes));
  let off = 0;
  for (let l = 1; l < sizes.length; l++) {
    const [nin, nout] = [sizes[l - 1]!, sizes[l]!];
    for (let i = 0; i < nout * nin; i++) theta[off++] = (gain * rng.normal()) / Math.sqrt(nin);
    off += nout;
  }
  return theta;
}

/** A seeded two-class data set: two Gaussian blobs in ℝ² at ±(1, 0.5) with standard deviation `spread`; labels 0/1. */
export function twoBlobs(count: number, seed: number, spread = 0.6): { X: number[][]; labels: number[] } {
  if (!Number.isInteger(count) || count < 2) throw new InputError(`twoBlobs: count must be an integer >= 2, got ${count}`);
  const rng = new Rng(seed);
  const X: number[][] = [];
  const labels: number[] = [];
  for (let i = 0; i < count; i++) {
    const c = i % 2;
    const s = c === 0 ? -1 : 1;
    X.push([s * 1 + spread * rng.normal(), s * 0.5 + spread * rng.normal()]);
    labels.push(c);
  }
  return { X, labels };
}

// ---------------------------------------------------------------------------------------------------------
// tf.LayersModel

interface ReadableVariable {
  read: () => tfTypes.Tensor;
  shape: number[];
  name: string;
}

/** The trainable weights of a model, flattened in `model.trainableWeights` order (float64 copy). */
export function flattenWeights(model: tfTypes.LayersModel): Float64Array {
  const parts = model.trainableWeights.map((w) => (w as unknown as ReadableVariable).read().dataSync());
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Float64Array(n);
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
}

/** Write θ back into the model's trainable weights (same order as flattenWeights). */
export function unflattenInto(tf: Tf, model: tfTypes.LayersModel, theta: ArrayLike<number>): void {
  const ws = model.trainableWeights;
  const sizeOf = (w: { shape: unknown }): number => (w.shape as number[]).reduce((a, b) => a * b, 1);
  const n = ws.reduce((s, w) => s + sizeOf(w), 0);
  if (theta.length !== n) throw new InputError(`unflattenInto: theta has length ${theta.length}, the model has ${n} trainable weights (dimension mismatch)`);
  let off = 0;
  const values = ws.map((w) => {
    const size = sizeOf(w);
    const t = tf.tensor(Float32Array.from({ length: size }, (_, i) => theta[off + i]!), w.shape as number[], 'float32');
    off += size;
    return t;
  });
  // the model's own weights in order (setWeights wants all weights, trainable or not)
  const all = model.weights;
  const byName = new Map(ws.map((w, i) => [w.name, values[i]!] as const));
  model.setWeights(all.map((w) => byName.get(w.name) ?? (w as unknown as ReadableVariable).read()));
  values.forEach((v) => v.dispose());
}

/**
 * The loss lossFn(y, model(x)) as a tfjs function of the flat trainable weights θ. The model is run with
 * its LayerVariables temporarily reading slices of θ (so tf.grad sees θ); non-trainable weights stay as they
 * are. `lossFn` must return a scalar (e.g. (y, p) => tf.losses.meanSquaredError(y, p)).
 */
export function layersModelLoss(
  tf: Tf,
  model: tfTypes.LayersModel,
  x: tfTypes.Tensor,
  y: tfTypes.Tensor,
  lossFn: (yTrue: tfTypes.Tensor, yPred: tfTypes.Tensor) => tfTypes.Tensor,
): TfLoss {
  const where = 'layersModelLoss';
  if (!model || !Array.isArray(model.trainableWeights)) throw new InputError(`${where}: model must be a tf.LayersModel`);
  const vars = model.trainableWeights as unknown as ReadableVariable[];
  if (vars.length === 0) throw new InputError(`${where}: the model has no trainable weights`);
  const sizes = vars.map((v) => v.shape.reduce((a, b) => a * b, 1));
  const n = sizes.reduce((a, b) => a + b, 0);
  const fn = (theta: Tensor1D): Scalar => {
    let off = 0;
    vars.forEach((v, i) => {
      const slice = tf.reshape(tf.slice(theta, off, sizes[i]!), v.shape);
      off += sizes[i]!;
      v.read = () => slice;
    });
    try {
      const pred = model.apply(x, { training: false }) as tfTypes.Tensor;
      const l = lossFn(y, pred);
      return (l.size === 1 ? tf.reshape(l, []) : l) as Scalar;
    } finally {
      // back to the prototype's read()
      for (const v of vars) delete (v as { read?: unknown }).read;
    }
  };
  return tfLoss(tf, fn, n);
}
