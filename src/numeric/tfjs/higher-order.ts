/**
 * Higher-order automatic differentiation on TensorFlow.js (docs/networks.md, "Which ops differentiate twice").
 *
 * tfjs computes a gradient of a gradient by recording the backward pass on the outer tape (engine
 * `gradientDepth`). That works for every op whose gradient is written in differentiable ops, EXCEPT the ops
 * whose gradient function reads the op's own *output* (`outputsToSave`): the engine saves that output as a
 * clone whose tape node is pushed *before* the op's node, so the outer tape cannot connect the saved output
 * to the input and the second derivative fails with "Cannot compute gradient of y=f(x) with respect to x"
 * (measured with tfjs 4.22: Tanh, Sigmoid, Exp, Softmax, Elu, Pow, Max, Min; see docs/networks.md).
 *
 * `enableHigherOrderGradients(tf)` re-registers the gradients of those kernels with the SAME formulas,
 * written from the saved *inputs* (the output is recomputed inside the gradient, one extra forward op):
 *
 *     tanh′ = 1 − tanh²,  σ′ = σ(1 − σ),  exp′ = exp,  softmax: dx = y⊙dy − y⟨y, dy⟩,
 *     elu′ = 1 (x > 0), eˣ (x ≤ 0),  ∂_a aᵇ = b aᵇ⁻¹, ∂_b aᵇ = aᵇ log a (a > 0),  max/min: dy·[x = max].
 *
 * This changes the gradient registry of that tfjs instance (globally, for every caller), with unchanged
 * values; it is idempotent. It also gives the comparison kernels (Equal, NotEqual, Greater, Less, LessEqual)
 * their zero derivative (and LogicalNot, inside the gradients of elu/selu/leakyRelu), which the masks inside other gradients (Maximum, Minimum, Max, …) need once they are
 * differentiated again. `tf.logSoftmax` is a customGrad op with the same defect and cannot be
 * re-registered: write it as x − logSumExp(x) (logSumExp is built from Max, Exp, Sum, Log), which
 * differentiates to any order after the fix.
 *
 * Two gradients tfjs 4.22 lacks or gets wrong at order 1 are added too: Conv2DBackpropFilter (conv2d's filter
 * gradient, which has none, so conv nets stopped at order 2) and SquaredDifference (no reduction over broadcast
 * axes). tf.batchNorm's gradient saves its optional scale even when it is absent and cannot be fixed by
 * re-registration: `withOpCheck` names the rewrite.
 */
import { EomkitError, InputError } from '../../errors.ts';
import type * as tfTypes from '@tensorflow/tfjs';
import type { Tf } from './backend.ts';

type Tensor = tfTypes.Tensor;
type NamedAttr = Record<string, unknown>;
type NamedAttrMap = tfTypes.NamedAttrMap;

const enabled = new WeakSet<object>();

/** Kernels whose stock gradient reads the op's output and so cannot be differentiated again. */
export const OUTPUT_SAVING_KERNELS: readonly string[] = ['Tanh', 'Sigmoid', 'Exp', 'Softmax', 'Elu', 'Pow', 'Max', 'Min'];

/** Comparison kernels given a zero gradient (tfjs 4.22 has none for these; LogicalNot likewise). */
export const COMPARISON_KERNELS: readonly string[] = ['Equal', 'NotEqual', 'Greater', 'Less', 'LessEqual'];

/** Sum `res` over the broadcast axes so that it has `shape` (the reduction of a broadcast binary op's gradient). */
function unbroadcast(tf: Tf, res: Tensor, shape: number[], outShape: number[]): Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, outShape);
  const r = axes.length > 0 ? tf.sum(res, axes) : res;
  return tf.reshape(r, shape);
}

type KernelTensor = { dataId: object; shape: number[]; dtype: string };
type KernelBackend = { disposeData(dataId: object): void };
type KernelArgs = { inputs: Record<string, KernelTensor>; backend: KernelBackend; attrs: Record<string, unknown> };

/**
 * The wasm backend of tfjs 4.22 has no Conv2DBackpropFilter kernel, so even the first derivative of a loss
 * with respect to a conv2d filter fails there. It has Conv3DBackpropFilterV2: a 2-D filter gradient is the 3-D
 * one with a depth of 1 (x [N,H,W,C] → [N,1,H,W,C], dy likewise, filter [1,KH,KW,C,O]), which this registers
 * as the wasm Conv2DBackpropFilter (NHWC, 'valid'/'same' padding; anything else is refused by name). Does
 * nothing when the wasm backend is not loaded or already has the kernel.
 */
export function completeWasmKernels(tf: Tf): void {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') || !tf.getKernel('Conv3DBackpropFilterV2', 'wasm') || !tf.getKernel('Reshape', 'wasm')) return;
  const conv3 = tf.getKernel('Conv3DBackpropFilterV2', 'wasm')!.kernelFunc as unknown as (a: KernelArgs) => KernelTensor;
  const reshape = tf.getKernel('Reshape', 'wasm')!.kernelFunc as unknown as (a: KernelArgs) => KernelTensor;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: ((args: KernelArgs) => {
      const { inputs, backend, attrs } = args;
      const { x, dy } = inputs as { x: KernelTensor; dy: KernelTensor };
      const pad = attrs['pad'];
      if (attrs['dataFormat'] === 'NCHW' || (pad !== 'valid' && pad !== 'same') || attrs['dimRoundingMode'] !== undefined) {
        throw new InputError(
          `conv2d's filter gradient on the wasm backend supports NHWC with padding 'valid' or 'same' (got ${String(attrs['dataFormat'])}, pad ${JSON.stringify(pad)}); use the cpu backend`,
        );
      }
      const st = attrs['strides'] as number | [number, number];
      const [sh, sw] = typeof st === 'number' ? [st, st] : st;
      const [kh, kw, c, o] = attrs['filterShape'] as number[];
      const x5 = reshape({ inputs: { x: x! }, backend, attrs: { shape: [x!.shape[0]!, 1, ...x!.shape.slice(1)] } });
      const dy5 = reshape({ inputs: { x: dy! }, backend, attrs: { shape: [dy!.shape[0]!, 1, ...dy!.shape.slice(1)] } });
      const dw5 = conv3({ inputs: { x: x5, dy: dy5 }, backend, attrs: { strides: [1, sh, sw], pad, filterShape: [1, kh, kw, c, o] } });
      const out = reshape({ inputs: { x: dw5 }, backend, attrs: { shape: [kh!, kw!, c!, o!] } });
      for (const t of [x5, dy5, dw5]) backend.disposeData(t.dataId);
      return out;
    }) as unknown as tfTypes.KernelFunc,
  });
}

/** Re-register the output-saving gradients of `tf` in input-saving form (see the module comment). Idempotent. */
export function enableHigherOrderGradients(tf: Tf): void {
  completeWasmKernels(tf);
  if (enabled.has(tf)) return;
  const reg = (kernelName: string, inputsToSave: string[], gradFunc: (dy: Tensor, saved: Tensor[], attrs: NamedAttr) => Record<string, () => Tensor>): void =>
    tf.registerGradient({ kernelName, inputsToSave, gradFunc: gradFunc as unknown as tfTypes.GradConfig['gradFunc'] });
  reg('Tanh', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.sub(1, tf.square(tf.tanh(x!)))) }));
  reg('Sigmoid', ['x'], (dy, [x]) => ({
    x: () => {
      const s = tf.sigmoid(x!);
      return tf.mul(dy, tf.mul(s, tf.sub(1, s)));
    },
  }));
  reg('Exp', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.exp(x!)) }));
  reg('Softmax', ['logits'], (dy, [logits], attrs) => ({
    logits: () => {
      const dim = attrs['dim'] as number;
      const y = tf.softmax(logits!, dim);
      const dyTimesY = tf.mul(dy, y);
      return tf.sub(dyTimesY, tf.mul(tf.sum(dyTimesY, [dim], true), y));
    },
  }));
  reg('Elu', ['x'], (dy, [x]) => ({ x: () => tf.mul(dy, tf.where(tf.greater(x!, 0), tf.onesLike(x!), tf.exp(tf.minimum(x!, 0)))) }));
  reg('Pow', ['a', 'b'], (dy, [a, b]) => {
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
    return {
      a: () => unbroadcast(tf, tf.mul(dy, tf.mul(b!, tf.pow(a!, tf.sub(b!, 1)))), a!.shape, outShape),
      b: () => {
        const logA = tf.where(tf.greater(a!, 0), tf.log(tf.maximum(a!, 1e-30)), tf.zerosLike(a!));
        return unbroadcast(tf, tf.mul(dy, tf.mul(tf.pow(a!, b!), logA)), b!.shape, outShape);
      },
    };
  });
  const minMax = (kernelName: 'Max' | 'Min'): void =>
    reg(kernelName, ['x'], (dy, [x], attrs) => ({
      x: () => {
        const axes = tf.util.parseAxisParam(attrs['reductionIndices'] as number | number[], x!.shape);
        const y = kernelName === 'Max' ? tf.max(x!, axes, true) : tf.min(x!, axes, true);
        const dyK = dy.rank < x!.rank ? tf.reshape(dy, tf.backend_util.expandShapeToKeepDim(dy.shape, axes)) : dy;
        return tf.mul(dyK, tf.cast(tf.equal(x!, y), 'float32'));
      },
    }));
  minMax('Max');
  minMax('Min');
  // comparisons are piecewise constant: derivative 0 almost everywhere. tfjs registers none (except
  // GreaterEqual), so the masks inside the gradients of Maximum, Minimum, Max, Min, Relu6, Pow, … stopped a
  // second backward pass with "gradient function not found for Less/Equal/…".
  for (const kernelName of COMPARISON_KERNELS) reg(kernelName, ['a', 'b'], (_dy, [a, b]) => ({ a: () => tf.zeros(a!.shape, 'float32'), b: () => tf.zeros(b!.shape, 'float32') }));
  reg('LogicalNot', ['x'], (_dy, [x]) => ({ x: () => tf.zeros(x!.shape, 'float32') }));
  // squaredDifference's stock gradient does not reduce over broadcast axes ((x − mean)² with a scalar mean
  // fails already at order 1: "the gradient of input 'b' has shape [4]"): the same formulas, unbroadcast.
  reg('SquaredDifference', ['a', 'b'], (dy, [a, b]) => {
    const outShape = tf.backend_util.assertAndGetBroadcastShape(a!.shape, b!.shape);
    return {
      a: () => unbroadcast(tf, tf.mul(dy, tf.mul(2, tf.sub(a!, b!))), a!.shape, outShape),
      b: () => unbroadcast(tf, tf.mul(dy, tf.mul(2, tf.sub(b!, a!))), b!.shape, outShape),
    };
  });
  // conv2d's filter gradient dW = Conv2DBackpropFilter(x, dy) has no gradient in tfjs 4.22, so a second
  // derivative of any loss whose parameters are conv filters stopped there. It is bilinear in (x, dy):
  //   dW[a,b,c,o] = Σ_{n,i,j} x[n, i·s + a − p, j·s + b − p, c] · dy[n, i, j, o],
  // so against an upstream gW (filter-shaped): ∂/∂dy = conv2d(x, gW) and ∂/∂x = conv2dTranspose(dy, gW) with
  // x's shape, i.e. Conv2DBackpropInput — the same kernels tfjs's own conv2d gradient uses.
  reg('Conv2DBackpropFilter', ['x', 'dy'], (gW, [x, dy], attrs) => {
    const strides = attrs['strides'] as [number, number] | number;
    const pad = attrs['pad'] as 'valid' | 'same' | number;
    const dataFormat = attrs['dataFormat'] as 'NHWC' | 'NCHW';
    const dimRoundingMode = attrs['dimRoundingMode'] as 'floor' | 'round' | 'ceil' | undefined;
    return {
      x: () => tf.engine().runKernel('Conv2DBackpropInput', { dy: dy!, filter: gW }, { strides, pad, dataFormat, dimRoundingMode, inputShape: x!.shape } as unknown as NamedAttrMap) as Tensor,
      dy: () => tf.conv2d(x! as tfTypes.Tensor4D, gW as tfTypes.Tensor4D, strides, pad, dataFormat === 'NCHW' ? 'NCHW' : 'NHWC', 1, dimRoundingMode),
    };
  });
  enabled.add(tf);
}

/**
 * Run `f`, turning tfjs's "gradient function not found" into an InputError that names the op and what to do.
 * `where` names the caller; `order` the derivative order being taken.
 */
export function withOpCheck<T>(where: string, order: number, f: () => T): T {
  try {
    return f();
  } catch (e) {
    const msg = e instanceof Error ? e.message : String(e);
    const m = /gradient function not found for (\w+)/i.exec(msg);
    if (m)
      throw new InputError(
        `${where}: the loss uses the tfjs op '${m[1]}', which has no gradient function, so its derivative of order ${order} cannot be taken ` +
          `by automatic differentiation; rewrite the loss without '${m[1]}' (docs/networks.md lists the ops that differentiate to order 3).`,
      );
    if (/Cannot compute gradient of y=f\(x\)/.test(msg))
      throw new InputError(
        `${where}: tfjs could not differentiate the loss to order ${order}: either the loss does not depend on theta, or it uses an op whose ` +
          `gradient is not itself differentiable in tfjs (e.g. tf.logSoftmax: write x − tf.logSumExp(x) instead; docs/networks.md lists the ops).`,
      );
    if (e instanceof EomkitError) throw e;
    // anything else thrown inside tfjs while differentiating is an op of the loss that tfjs cannot differentiate:
    // tf.batchNorm's gradient (FusedBatchNorm) saves its optional scale even when it is absent — a TypeError
    // "Cannot read properties of undefined (reading 'dataId')" at order 2 — and mis-shapes a scalar scale's
    // gradient; the wasm backend has no Conv2DBackpropFilter kernel at all
    const hint = /reading '(dataId|dtype)'|must match the product of shape/.test(msg)
      ? ' If the loss uses tf.batchNorm, write the normalisation out: tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps))) (then scale and offset), which differentiates to any order.'
      : /Conv2DBackpropFilter' not registered/.test(msg)
        ? " The wasm backend of tfjs has no kernel for conv2d's filter gradient: use the cpu backend for losses with conv2d."
        : '';
    throw new InputError(
      `${where}: tfjs failed while differentiating the loss to order ${order}: ${msg}. An op of the loss does not support derivatives of this ` +
        `order in tfjs (docs/networks.md lists the ops).${hint}`,
    );
  }
}
