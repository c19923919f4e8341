import { describe, it, expect, beforeAll } from 'vitest';
import type * as tfTypes from '@tensorflow/tfjs';
import { loadTf, type Tf } from '../../../src/numeric/tfjs/backend.ts';
import { tfLoss, derivativeAlong, heavyBallFieldTf, flowAtSteps, hvpTf, gradientTf, type TfLoss, type Tensor1D, type Scalar } from '../../../src/numeric/tfjs/autodiff.ts';
import { counterTermsTf, elementaryDifferentialsTf, eomFieldTf } from '../../../src/theory/networks/counter-terms.ts';
import { mlpLossTf, layersModelLoss, flattenWeights, unflattenInto, mlpInit } from '../../../src/numeric/tfjs/networks.ts';
import { InputError } from '../../../src/errors.ts';
import { loss, hessian, gradient } from '../../../src/symbolic/index.ts';
import { counterTerms } from '../../../src/theory/eom/counter-terms.ts';
import { tree, LEAF } from '../../../src/theory/bseries/trees.ts';
import { compile } from '../../../src/codegen/index.ts';
import { p3Network, p3NetworkLayout } from '../../../derivations/p3-network/p3-network.ts';
import { logistic2pt, logistic2ptLayout } from '../../../derivations/logistic-2pt/logistic-2pt.ts';
import { weightnormUnit, weightnormUnitLayout } from '../../../derivations/weightnorm-unit/weightnorm-unit.ts';
import { softmaxLayer, softmaxLayerLayout } from '../../../derivations/softmax-layer/softmax-layer.ts';

type Layout = { outputSize: number; outputs: readonly { name: string; offset: number; shape: readonly number[] }[] };

/** f_k from a generated catalogue module (the symbolic path: codegen of counterTerms). */
function symbolicCounterTerms(fn: (t: Float64Array, o: Float64Array) => void, layout: Layout, theta: Float64Array): Float64Array[] {
  const out = new Float64Array(layout.outputSize);
  fn(theta, out);
  return [1, 2, 3].map((k) => {
    const b = layout.outputs.find((o) => o.name === `f${k}`)!;
    return out.slice(b.offset, b.offset + b.shape[0]!);
  });
}

/** max_i |a_i − b_i| / max(max_i |b_i|, floor): relative to the vector's scale */
function relErr(a: ArrayLike<number>, b: ArrayLike<number>, floor = 1e-3): number {
  let d = 0;
  let s = floor;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    s = Math.max(s, Math.abs(b[i]!));
  }
  return d / s;
}

/**
 * A two-layer conv net with its filters as the parameters: image 4×4×1 (fixed), conv 2×2 (w1…w4, stride 1,
 * valid) → 3×3, tanh, conv 2×2 (w5…w8) → 2×2, ½Σ(out − t)². The symbolic side writes the same loss out as a
 * formula (every output an explicit sum of products) and derives f1…f3 exactly; tfjs differentiates through
 * Conv2DBackpropFilter (gradient registered by enableHigherOrderGradients) and Conv2DBackpropInput.
 */
function convNet(tfx: Tf): { L: TfLoss; symbolic: (th: Float64Array) => Float64Array[] } {
  const img = Array.from({ length: 16 }, (_, i) => Number(Math.sin(1.3 * i + 0.4).toFixed(2)));
  const target = [0.5, -0.25, 0.125, 0.75];
  const px = (r: number, c: number): number => img[4 * r + c]!;
  const f1 = (r: number, c: number): string => `tanh(${[0, 1].flatMap((a) => [0, 1].map((b) => `(${px(r + a, c + b)})*w${1 + 2 * a + b}`)).join(' + ')})`;
  const outs = [0, 1].flatMap((r) => [0, 1].map((c) => [0, 1].flatMap((a) => [0, 1].map((b) => `${f1(r + a, c + b)}*w${5 + 2 * a + b}`)).join(' + ')));
  const Ls = loss(`(${outs.map((o, i) => `(${o} - (${target[i]}))^2`).join(' + ')})/2`, { params: ['w1', 'w2', 'w3', 'w4', 'w5', 'w6', 'w7', 'w8'] });
  const prog = compile({ f: counterTerms(Ls, 3).f.flat() }, Ls.params);
  const L = tfLoss(
    tfx,
    (w) => {
      const x = tfx.tensor4d(img, [1, 4, 4, 1]);
      const k1 = tfx.reshape(tfx.slice(w, 0, 4), [2, 2, 1, 1]) as tfTypes.Tensor4D;
      const k2 = tfx.reshape(tfx.slice(w, 4, 4), [2, 2, 1, 1]) as tfTypes.Tensor4D;
      const y = tfx.conv2d(tfx.tanh(tfx.conv2d(x, k1, 1, 'valid')), k2, 1, 'valid');
      return tfx.mul(tfx.sum(tfx.square(tfx.sub(tfx.reshape(y, [4]), tfx.tensor1d(target)))), 0.5) as Scalar;
    },
    8,
  );
  const symbolic = (th: Float64Array): Float64Array[] => {
    const out = new Float64Array(24);
    prog.fn(th, out);
    return [0, 1, 2].map((k) => out.slice(8 * k, 8 * k + 8));
  };
  return { L, symbolic };
}

const points = (n: number, seeds: number[]): Float64Array[] => seeds.map((s) => Float64Array.from({ length: n }, (_, i) => 0.9 * Math.sin(1.7 * i + s)));

describe('tfjs counter terms by nested autodiff', () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = await loadTf('cpu');
  });

  describe('agree with the generated symbolic counter terms (derivation catalogue) to float32 precision', () => {
    it('p3-network: tanh MLP 2-3-1, MSE on 4 points', () => {
      const L = mlpLossTf(tf, { sizes: [2, 3, 1], activation: 'tanh', X: [[1, 0], [0, 1], [1, 1], [-1, 0.5]], Y: [1, -1, 0, 0.5] });
      expect(L.n).toBe(13);
      for (const th of points(13, [0.3, 2.1])) {
        const sym = symbolicCounterTerms(p3Network, p3NetworkLayout, th);
        const ad = counterTermsTf(L, th, 3);
        for (let k = 0; k < 3; k++) expect(relErr(ad[k]!, sym[k]!)).toBeLessThan(2e-6);
      }
    });

    it('logistic-2pt: ½ softplus(−w1 − w2/2) + ½ softplus(−w1/2 + w2)', () => {
      const L = tfLoss(tf, (w) => tf.mean(tf.softplus(tf.stack([tf.neg(tf.add(w.gather(0), tf.mul(w.gather(1), 0.5))), tf.sub(w.gather(1), tf.mul(w.gather(0), 0.5))]))) as Scalar, 2);
      for (const th of points(2, [0.1, 1.3, 4])) {
        const sym = symbolicCounterTerms(logistic2pt, logistic2ptLayout, th);
        const ad = counterTermsTf(L, th, 3);
        for (let k = 0; k < 3; k++) expect(relErr(ad[k]!, sym[k]!)).toBeLessThan(2e-6);
        // Hessian–vector products against the generated dense Hessian
        const out = new Float64Array(logistic2ptLayout.outputSize);
        logistic2pt(th, out);
        const Hb = logistic2ptLayout.outputs.find((o) => o.name === 'H')!;
        const v = [0.7, -1.1];
        const Hv = [0, 1].map((i) => out[Hb.offset + 2 * i]! * v[0]! + out[Hb.offset + 2 * i + 1]! * v[1]!);
        expect(relErr(hvpTf(L, th, v), Hv)).toBeLessThan(1e-6);
      }
    });

    it('weightnorm-unit: scale-invariant (w·x)/‖w‖ (sqrt, division)', () => {
      const L = tfLoss(
        tf,
        (w) => {
          const r = tf.sqrt(tf.sum(tf.square(w)));
          const [w1, w2] = [w.gather(0), w.gather(1)];
          const a = tf.sub(tf.div(tf.add(w1, tf.mul(w2, 2)), r), 0.5);
          const b = tf.add(tf.div(tf.sub(w1, w2), r), 1);
          return tf.mul(tf.add(tf.square(a), tf.square(b)), 0.25) as Scalar;
        },
        2,
      );
      for (const th of points(2, [0.5, 2.5])) {
        const sym = symbolicCounterTerms(weightnormUnit, weightnormUnitLayout, th);
        const ad = counterTermsTf(L, th, 3);
        for (let k = 0; k < 3; k++) expect(relErr(ad[k]!, sym[k]!)).toBeLessThan(5e-6);
      }
    });

    it('a two-layer conv net (filters as parameters, tanh between): f1…f3 against the symbolic counter terms of the same loss', () => {
      const { L, symbolic } = convNet(tf);
      for (const th of points(8, [0.4, 1.9])) {
        const sym = symbolic(th);
        const ad = counterTermsTf(L, th, 3);
        for (let k = 0; k < 3; k++) expect(relErr(ad[k]!, sym[k]!), `f${k + 1}`).toBeLessThan(2e-5);
      }
    });

    it('softmax-layer: logSumExp(z) − (2z1 + z2)/3 (exp, max, log to third order)', () => {
      const L = tfLoss(tf, (z) => tf.sub(tf.logSumExp(z), tf.div(tf.add(tf.mul(z.gather(0), 2), z.gather(1)), 3)) as Scalar, 3);
      for (const th of points(3, [0.2, 3.3])) {
        const sym = symbolicCounterTerms(softmaxLayer, softmaxLayerLayout, th);
        const ad = counterTermsTf(L, th, 3);
        for (let k = 0; k < 3; k++) expect(relErr(ad[k]!, sym[k]!)).toBeLessThan(5e-6);
      }
    });

    it('order 4 (all 8 trees up to 4 nodes) on ½(w1w2 − 1)², against counterTerms compiled here', () => {
      const Ls = loss('1/2*(w1*w2 - 1)^2', { params: ['w1', 'w2'] });
      const series = counterTerms(Ls, 4);
      const c = compile(Object.fromEntries(series.f.map((fk, k) => [`f${k + 1}`, fk])), Ls.params);
      const L = tfLoss(tf, (w) => tf.mul(tf.square(tf.sub(tf.mul(w.gather(0), w.gather(1)), 1)), 0.5) as Scalar, 2);
      for (const th of points(2, [0.4, 1.9])) {
        const out = new Float64Array(c.outputSize);
        c.fn(th, out);
        const ad = counterTermsTf(L, th, 4);
        c.blocks.forEach((b, k) => expect(relErr(ad[k]!, out.slice(b.offset, b.offset + b.size))).toBeLessThan(5e-6));
      }
    });
  });

  it('elementary differentials by hand: Hg and ∇³L[g,g] of a cubic, closed form', () => {
    // L = w1³/3 + w1 w2² : g = (w1² + w2², 2w1w2), H = [[2w1, 2w2], [2w2, 2w1]], ∇³L[u,v] = 2(u1v1 + u2v2, u1v2 + u2v1)
    const L = tfLoss(tf, (w) => tf.add(tf.div(tf.pow(w.gather(0), 3), 3), tf.mul(w.gather(0), tf.square(w.gather(1)))) as Scalar, 2);
    const th = [0.6, -1.2];
    const g = [th[0]! ** 2 + th[1]! ** 2, 2 * th[0]! * th[1]!];
    const Hg = [2 * th[0]! * g[0]! + 2 * th[1]! * g[1]!, 2 * th[1]! * g[0]! + 2 * th[0]! * g[1]!];
    const D3gg = [2 * (g[0]! ** 2 + g[1]! ** 2), 4 * g[0]! * g[1]!];
    const G = elementaryDifferentialsTf(L, th, [LEAF, tree([LEAF]), tree([LEAF, LEAF])]);
    expect(relErr(G.get(LEAF)!, g)).toBeLessThan(1e-6);
    expect(relErr(G.get(tree([LEAF]))!, Hg)).toBeLessThan(1e-6);
    expect(relErr(G.get(tree([LEAF, LEAF]))!, D3gg)).toBeLessThan(1e-6);
    // a fourth-order derivative of a cubic vanishes
    expect(Math.max(...derivativeAlong(L, th, [g, g, g]).map(Math.abs))).toBe(0);
  });

  it('EoM fields: order 1 (modified loss) equals f1 + ηf2 of the series; heavy-ball F0 + ηF1 by its formula', () => {
    const L = mlpLossTf(tf, { sizes: [2, 4, 1], activation: 'sigmoid', X: [[1, 0], [0, 1], [1, 1]], Y: [0.5, -0.5, 0.2] });
    const th = mlpInit([2, 4, 1], 3, 1.2);
    const eta = 0.3;
    const f = counterTermsTf(L, th, 3);
    const F1 = new Float64Array(L.n);
    eomFieldTf(L, eta, 1)(th, F1);
    expect(relErr(F1, f[0]!.map((x, i) => x + eta * f[1]![i]!))).toBeLessThan(2e-6);
    const F2 = new Float64Array(L.n);
    eomFieldTf(L, eta, 2)(th, F2);
    expect(relErr(F2, f[0]!.map((x, i) => x + eta * f[1]![i]! + eta * eta * f[2]![i]!))).toBeLessThan(2e-6);
    const beta = 0.6;
    const hb = new Float64Array(L.n);
    heavyBallFieldTf(L, eta, beta)(th, hb);
    // F0 = −g/(1−β), F1 = −(1+β)/(2(1−β)³) Hg = (1+β)/(1−β)³ f2
    const expected = f[0]!.map((x, i) => x / (1 - beta) + (eta * (1 + beta) * f[1]![i]!) / (1 - beta) ** 3);
    expect(relErr(hb, expected)).toBeLessThan(2e-6);
  });

  describe('a tf.LayersModel with data', () => {
    it('counter terms of a Dense(tanh)→Dense model equal those of the same network written as mlpLossTf', () => {
      const model = tf.sequential({
        layers: [tf.layers.dense({ inputShape: [2], units: 3, activation: 'tanh' }), tf.layers.dense({ units: 1 })],
      });
      const X = [[1, 0], [0, 1], [1, 1], [-1, 0.5]];
      const Y = [1, -1, 0, 0.5];
      const L = layersModelLoss(tf, model, tf.tensor2d(X), tf.tensor2d(Y, [4, 1]), (y, p) => tf.losses.meanSquaredError(y, p));
      const M = mlpLossTf(tf, { sizes: [2, 3, 1], activation: 'tanh', X, Y });
      const th = points(13, [0.7])[0]!;
      unflattenInto(tf, model, th);
      expect(Array.from(flattenWeights(model))).toEqual(Array.from(Float32Array.from(th)));
      // Dense stores kernel [in, out] then bias; mlpLossTf stores W [out, in] then b
      const toMlp = (t: ArrayLike<number>): Float64Array => {
        const o = new Float64Array(13);
        for (let i = 0; i < 2; i++) for (let j = 0; j < 3; j++) o[j * 2 + i] = t[i * 3 + j]!;
        for (let j = 0; j < 3; j++) o[6 + j] = t[6 + j]!;
        for (let j = 0; j < 4; j++) o[9 + j] = t[9 + j]!;
        return o;
      };
      const a = counterTermsTf(L, th, 3).map(toMlp);
      const b = counterTermsTf(M, toMlp(th), 3);
      for (let k = 0; k < 3; k++) expect(relErr(a[k]!, b[k]!)).toBeLessThan(2e-6);
      // the model's own variables are untouched by the evaluation
      expect(Array.from(flattenWeights(model))).toEqual(Array.from(Float32Array.from(th)));
      model.dispose();
    });
  });

  describe('errors', () => {
    it('an op without a gradient function is named in an InputError', () => {
      const call = (): unknown => tfLoss(tf, (w) => tf.sum(tf.mul(tf.cumprod(w), w)) as Scalar, 3);
      expect(call).toThrow(InputError);
      expect(call).toThrow(/Cumprod/);
    });
    it('tf.logSoftmax, tf.logSigmoid, tf.losses.softmaxCrossEntropy (higher derivatives silently wrong in tfjs) are refused with the fix', () => {
      expect(() => tfLoss(tf, (z) => tf.neg(tf.sum(tf.slice(tf.logSoftmax(z), 0, 1))) as Scalar, 3)).toThrow(/logSoftmax.*logSumExp/);
      expect(() => tfLoss(tf, (z) => tf.sum(tf.logSigmoid(z)) as Scalar, 3)).toThrow(/logSigmoid.*softplus/);
      expect(() => tfLoss(tf, (z) => tf.losses.softmaxCrossEntropy(tf.tensor2d([[1, 0, 0]]), tf.reshape(z, [1, 3])) as Scalar, 3)).toThrow(InputError);
    });
    it('tf.batchNorm (no second derivative in tfjs) gives an InputError with the rewrite; conv2d now differentiates twice', () => {
      const conv = tfLoss(
        tf,
        (x) => tf.sum(tf.square(tf.conv2d(tf.reshape(tf.concat([x, x, x, x]), [1, 4, 4, 1]) as never, tf.reshape(x, [2, 2, 1, 1]) as never, 1, 'valid'))) as Scalar,
        4,
      );
      expect(gradientTf(conv, [0.1, 0.2, 0.3, 0.4]).length).toBe(4);
      expect(counterTermsTf(conv, [0.1, 0.2, 0.3, 0.4], 2)[1]!.every(Number.isFinite)).toBe(true);
      const bn = (): unknown => {
        const m = (x: Tensor1D) => tf.moments(x);
        const L = tfLoss(tf, (x) => tf.sum(tf.square(tf.batchNorm(x, m(x).mean, m(x).variance, undefined, undefined, 1e-3))) as Scalar, 4);
        return counterTermsTf(L, [0.1, 0.2, 0.3, 0.4], 2);
      };
      expect(bn).toThrow(InputError);
      expect(bn).toThrow(/differentiating the loss.*write the normalisation out: tf\.mul\(tf\.sub\(x, mean\), tf\.rsqrt/);
    });
    it('a quadratic loss: the identically vanishing ∇³L[g,g] is zero (not a tfjs error); f3 = −1/3 A³θ', () => {
      // L = ½ θᵀAθ: g = Aθ, Hg = A²θ, ∇³L = 0, so f2 = −½A²θ, f3 = −1/3 A³θ
      const A = [[2, 0.5], [0.5, 1]];
      const At = tf.tensor2d(A);
      const L = tfLoss(tf, (w) => tf.mul(tf.sum(tf.mul(w, tf.squeeze(tf.matMul(At, tf.reshape(w, [2, 1]))))), 0.5) as Scalar, 2);
      const th = [0.7, -0.3];
      const Av = (v: number[]): number[] => A.map((r) => r[0]! * v[0]! + r[1]! * v[1]!);
      const f = counterTermsTf(L, th, 3);
      expect(relErr(f[1]!, Av(Av(th)).map((x) => -x / 2))).toBeLessThan(1e-6);
      expect(relErr(f[2]!, Av(Av(Av(th))).map((x) => -x / 3))).toBeLessThan(1e-6);
      expect(Array.from(derivativeAlong(L, th, [th, th]))).toEqual([0, 0]);
    });
    it('bad arguments', () => {
      expect(() => tfLoss(tf, (w: Tensor1D) => w as unknown as Scalar, 3)).toThrow(/scalar/);
      expect(() => tfLoss(tf, (w: Tensor1D) => tf.sum(w) as Scalar, 0)).toThrow(InputError);
      const L: TfLoss = tfLoss(tf, (w: Tensor1D) => tf.sum(tf.square(w)) as Scalar, 2);
      expect(() => counterTermsTf(L, [1, 2, 3], 2)).toThrow(/dimension mismatch/);
      expect(() => counterTermsTf(L, [1, NaN], 2)).toThrow(/not finite/);
      expect(() => counterTermsTf(L, [1, 2], 0)).toThrow(InputError);
      expect(() => eomFieldTf(L, -1, 1)).toThrow(InputError);
      expect(() => heavyBallFieldTf(L, 0.1, 1)).toThrow(InputError);
      // network builders
      expect(() => mlpLossTf(tf, { sizes: [2], X: [[1, 2]], Y: [1] })).toThrow(/sizes/);
      expect(() => mlpLossTf(tf, { sizes: [2, 3, 1], X: [[1, 2, 3]], Y: [1] })).toThrow(/dimension mismatch/);
      expect(() => mlpLossTf(tf, { sizes: [2, 3, 1], X: [[1, 2]], Y: [1, 2] })).toThrow(/one per row/);
      expect(() => mlpLossTf(tf, { sizes: [2, 3, 2], X: [[1, 2]], Y: [2], loss: 'softmax-ce' })).toThrow(/class label/);
      expect(() => mlpLossTf(tf, { sizes: [2, 3, 1], X: [[1, NaN]], Y: [1] })).toThrow(/not finite/);
      expect(() => mlpLossTf(tf, { sizes: [2, 3, 1], X: [[1, 2]], Y: [1], activation: 'swish' as never })).toThrow(InputError);
      expect(() => layersModelLoss(tf, {} as never, tf.zeros([1]), tf.zeros([1]), (a) => a)).toThrow(/LayersModel/);
      // a flow that blows up in finite time (L = −Σθ⁴/4: θ̇ = θ³) stops with an InputError, it does not hang
      const blowUp = tfLoss(tf, (w: Tensor1D) => tf.mul(tf.sum(tf.pow(w, 4)), -0.25) as Scalar, 2);
      expect(() => flowAtSteps(eomFieldTf(blowUp, 0.1, 0), [1, 1], 0.1, [0, 20], { dop853: { maxSteps: 2000 } })).toThrow(InputError);
    });
  });

  it('wasm backend: the P3 counter terms agree with the symbolic ones and with the cpu backend', async () => {
    const wasm = await loadTf('wasm');
    try {
      const L = mlpLossTf(wasm, { sizes: [2, 3, 1], activation: 'tanh', X: [[1, 0], [0, 1], [1, 1], [-1, 0.5]], Y: [1, -1, 0, 0.5] });
      const th = points(13, [0.3])[0]!;
      const sym = symbolicCounterTerms(p3Network, p3NetworkLayout, th);
      const ad = counterTermsTf(L, th, 3);
      for (let k = 0; k < 3; k++) expect(relErr(ad[k]!, sym[k]!)).toBeLessThan(2e-6);
    } finally {
      await loadTf('cpu');
    }
  });

  it('wasm backend: conv2d filters differentiate to third order (the filter-gradient kernel wasm lacks is supplied), no leaks', async () => {
    const wasm = await loadTf('wasm');
    try {
      const { L, symbolic } = convNet(wasm);
      const th = points(8, [0.4])[0]!;
      const sym = symbolic(th);
      const ad = counterTermsTf(L, th, 3);
      for (let k = 0; k < 3; k++) expect(relErr(ad[k]!, sym[k]!), `f${k + 1}`).toBeLessThan(2e-5);
      const before = wasm.memory().numTensors;
      counterTermsTf(L, th, 3);
      expect(wasm.memory().numTensors).toBe(before);
    } finally {
      await loadTf('cpu');
    }
  });

  it('no tensor leaks: calls leave the tensor count unchanged, dispose() frees the data', () => {
    const start = tf.memory().numTensors;
    const L = mlpLossTf(tf, { sizes: [2, 3, 1], X: [[1, 0], [0, 1]], Y: [1, -1] });
    const th = mlpInit([2, 3, 1], 1);
    counterTermsTf(L, th, 3);
    const before = tf.memory().numTensors;
    counterTermsTf(L, th, 3);
    for (const j of [0, 1, 2]) eomFieldTf(L, 0.1, j)(th, new Float64Array(L.n));
    heavyBallFieldTf(L, 0.1, 0.5)(th, new Float64Array(L.n));
    hvpTf(L, th, th);
    expect(tf.memory().numTensors).toBe(before);
    L.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('symbolic gradient and Hessian of the P3 network agree with the tfjs ones (second independent route for HVP)', () => {
    const X = [[1, 0], [0, 1], [1, 1], [-1, 0.5]];
    const Y = [1, -1, 0, 0.5];
    const M = mlpLossTf(tf, { sizes: [2, 3, 1], activation: 'tanh', X, Y });
    // the same loss written as a formula here
    const terms = X.map(([x1, x2], i) => {
      const h = [1, 2, 3].map((j) => `v${j}*tanh(a${j}1*(${x1}) + a${j}2*(${x2}) + b${j})`).join(' + ');
      return `(${h} + c - (${Y[i]}))^2`;
    });
    const params = ['a11', 'a12', 'a21', 'a22', 'a31', 'a32', 'b1', 'b2', 'b3', 'v1', 'v2', 'v3', 'c'];
    const Ls = loss(`(${terms.join(' + ')})/4`, { params });
    const c = compile({ g: gradient(Ls.expr, Ls.params), H: hessian(Ls.expr, Ls.params) }, Ls.params);
    const th = points(13, [1.1])[0]!;
    const out = new Float64Array(c.outputSize);
    c.fn(th, out);
    const v = Float64Array.from({ length: 13 }, (_, i) => Math.cos(i));
    const Hv = Array.from({ length: 13 }, (_, i) => v.reduce((s, vj, j) => s + out[13 + i * 13 + j]! * vj, 0));
    expect(relErr(hvpTf(M, th, v), Hv)).toBeLessThan(2e-6);
  });
});
