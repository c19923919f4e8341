/**
 * Experiments in miniature on real (small) networks, tfjs float32 right-hand sides, float64 integrator state
 * (docs/networks.md, "Experiments"; docs/theory/eom.md, "Counter terms: the modified equation of explicit Euler", "Scale- and translation-invariant layers"):
 *
 * 1. `gdVersusFlows`: an MLP trained by full-batch GD at several η; the distance of GD from gradient flow
 *    (EoM₀), EoM₁ and EoM₂ at the same times t = kη. EoM_j's error is O(η^{j+1}) over a fixed time, so
 *    GF's error over EoM₁'s grows like 1/η. The same runs record a conserved quantity of the
 *    translation-invariant softmax layer (3).
 * 2. `weightNormGrowth`: a weight-normalised hidden layer, u_j = w_j·x/‖w_j‖, is scale-invariant in each w_j,
 *    so w_j·g_j = 0 and H_j w_j = −g_j. Under GF ‖w_j‖ is constant; GD grows it, ‖w‖²_{k+1} = ‖w‖²_k + η²‖g‖²;
 *    EoM₁ (θ̇ = −g − ½ηHg) gives d‖w_j‖²/dt = −ηw_j·H g = η‖g_j‖², the same growth to leading order.
 * 4. `sgdStepSize` (the second source's measurement, docs/theory/langevin.md, "Anomalous diffusion"): SGD with
 *    heavy-ball momentum β and weight decay λ, minibatches of S drawn with replacement, run to stationarity;
 *    then the step size δ(k) = ‖θ_{k+1} − θ_k‖² stays flat at ≈ η² tr Σ / (S(1−β²)), Σ the per-example
 *    gradient covariance at the end (the velocity v = θ_{k+1} − θ_k is driven by the noise −ηε, Cov ε = Σ/S,
 *    and damped by β: E‖v‖² ≈ η² tr(Σ/S) / (1 − β²) when the drift is negligible).
 * 3. Translation invariance: softmax cross-entropy is unchanged by a shift of all logits, so with logits
 *    V h + c the sums 𝟙ᵀc and 𝟙ᵀV (per hidden unit) are conserved by GD, GF and every EoM_j (𝟙ᵀg = 0 and
 *    𝟙ᵀ of every elementary differential vanishes).
 */
import { InputError } from '../../errors.ts';
import type { Tf } from '../../numeric/tfjs/backend.ts';
import { type TfLoss, type Scalar, type Tensor1D, flowAtSteps, gdAtSteps, gradOf, tfLoss, tidyValue, type TrajectoryOptions } from '../../numeric/tfjs/autodiff.ts';
import { eomFieldTf } from './counter-terms.ts';
import { noiseCovariance, perExampleGradients } from '../../numeric/tfjs/spectra.ts';
import { type NetworkLoss, mlpInit, mlpLossTf, twoBlobs, activate, type TfActivation } from '../../numeric/tfjs/networks.ts';
import { Rng } from '../../numeric/prng.ts';

const dist = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i]! - b[i]!) ** 2;
  return Math.sqrt(s);
};

function checkEtas(etas: readonly number[], where: string): void {
  if (!Array.isArray(etas) || etas.length === 0) throw new InputError(`${where}: etas must be a non-empty array`);
  for (const e of etas) if (!Number.isFinite(e) || e <= 0) throw new InputError(`${where}: every eta must be finite and > 0, got ${e}`);
}

/** Evenly spaced recording steps 0 … steps (at most `points` + 1 of them). */
function recordSteps(steps: number, points: number): number[] {
  const s = new Set<number>([0, steps]);
  for (let i = 1; i < points; i++) s.add(Math.round((i * steps) / points));
  return [...s].sort((a, b) => a - b);
}

export interface FlowDistanceRow {
  eta: number;
  step: number;
  time: number;
  /** 'GF' (EoM₀), 'EoM1', 'EoM2' */
  flow: string;
  /** ‖θ_GD(k) − θ_flow(kη)‖ */
  distance: number;
}

export interface GdVersusFlowsResult {
  rows: FlowDistanceRow[];
  /** per η: the distances at the final time, and GF/EoM₁, EoM₁/EoM₂ ratios */
  final: { eta: number; steps: number; gf: number; eom1: number; eom2: number; gfOverEom1: number; eom1OverEom2: number }[];
  /** per η and trajectory: max drift of the conserved 𝟙ᵀc of the softmax bias over the run */
  conservedDrift: { eta: number; flow: string; drift: number; scale: number }[];
  n: number;
}

export interface GdVersusFlowsOptions {
  /** MLP sizes, default [2, 16, 2] (2 classes, softmax cross-entropy) */
  sizes?: number[];
  activation?: TfActivation;
  /** number of examples (two blobs, seeded), default 32 */
  examples?: number;
  seed?: number;
  etas: number[];
  /** total time T (steps = round(T/η)), default 2 */
  time?: number;
  /** recording points per run, default 8 */
  points?: number;
  /** which EoM orders to integrate (default [0, 1, 2]) */
  orders?: number[];
  integrator?: TrajectoryOptions;
}

/** The softmax-ce MLP of the experiments (two seeded blobs). */
export function blobsMlp(tf: Tf, sizes: number[], examples: number, seed: number, activation: TfActivation = 'tanh'): NetworkLoss {
  const { X, labels } = twoBlobs(examples, seed);
  return mlpLossTf(tf, { sizes, activation, X, Y: labels, loss: 'softmax-ce' });
}

/** Experiment 1 (and 3): GD against GF, EoM₁, EoM₂ on a small MLP at several η (module comment). */
export function gdVersusFlows(tf: Tf, o: GdVersusFlowsOptions): GdVersusFlowsResult {
  const where = 'gdVersusFlows';
  checkEtas(o.etas, where);
  const sizes = o.sizes ?? [2, 16, 2];
  const seed = o.seed ?? 1;
  const T = o.time ?? 2;
  if (!Number.isFinite(T) || T <= 0) throw new InputError(`${where}: time must be finite and > 0, got ${T}`);
  const orders = o.orders ?? [0, 1, 2];
  const L = blobsMlp(tf, sizes, o.examples ?? 32, seed, o.activation ?? 'tanh');
  const theta0 = mlpInit(sizes, seed + 1);
  const nout = sizes[sizes.length - 1]!;
  const biasOffset = L.n - nout;
  const conserved = (th: ArrayLike<number>): number => {
    let s = 0;
    for (let k = 0; k < nout; k++) s += th[biasOffset + k]!;
    return s;
  };
  const rows: FlowDistanceRow[] = [];
  const final: GdVersusFlowsResult['final'] = [];
  const conservedDrift: GdVersusFlowsResult['conservedDrift'] = [];
  const scale = Math.max(1, ...Array.from(theta0).map(Math.abs));
  const c0 = conserved(theta0);
  const drift = (traj: Float64Array[]): number => Math.max(...traj.map((t) => Math.abs(conserved(t) - c0)));
  for (const eta of o.etas) {
    const steps = Math.max(1, Math.round(T / eta));
    const rec = recordSteps(steps, o.points ?? 8);
    const gd = gdAtSteps(L, theta0, eta, rec);
    conservedDrift.push({ eta, flow: 'GD', drift: drift(gd), scale });
    const last: Record<string, number> = {};
    for (const j of orders) {
      const name = j === 0 ? 'GF' : `EoM${j}`;
      const traj = flowAtSteps(eomFieldTf(L, eta, j), theta0, eta, rec, o.integrator);
      rec.forEach((k, r) => rows.push({ eta, step: k, time: k * eta, flow: name, distance: dist(gd[r]!, traj[r]!) }));
      last[name] = dist(gd[gd.length - 1]!, traj[traj.length - 1]!);
      conservedDrift.push({ eta, flow: name, drift: drift(traj), scale });
    }
    final.push({
      eta,
      steps,
      gf: last['GF'] ?? NaN,
      eom1: last['EoM1'] ?? NaN,
      eom2: last['EoM2'] ?? NaN,
      gfOverEom1: (last['GF'] ?? NaN) / (last['EoM1'] ?? NaN),
      eom1OverEom2: (last['EoM1'] ?? NaN) / (last['EoM2'] ?? NaN),
    });
  }
  return { rows, final, conservedDrift, n: L.n };
}

// ---------------------------------------------------------------------------------------------------------
// Weight normalisation

export interface WeightNormOptions {
  /** hidden units (default 8) */
  hidden?: number;
  examples?: number;
  seed?: number;
  eta: number;
  steps: number;
  points?: number;
  /** scale of the initial hidden weights (the growth is ∝ η²‖g‖²/‖w‖²-relative; default 1) */
  initScale?: number;
  /** EoM orders to integrate besides GD (default [0, 1, 2]: GF, EoM₁, EoM₂) */
  orders?: number[];
  integrator?: TrajectoryOptions;
}

export interface WeightNormResult {
  steps: number[];
  /** ‖W‖²_F − ‖W_0‖²_F along GD and the flows ('GF', 'EoM1', 'EoM2', …) at the recorded steps */
  growth: Record<string, number[]>;
  /** ‖W_0‖²_F */
  initialNormSq: number;
  n: number;
  hidden: number;
}

/**
 * A network with a weight-normalised hidden layer: u_j = w_j·x/‖w_j‖, h = tanh(u), logits V h + c,
 * softmax cross-entropy on two seeded blobs. θ = (W [hidden × 2] row-major, V [2 × hidden], c [2]).
 */
export function weightNormNetwork(tf: Tf, hidden: number, examples: number, seed: number, activation: TfActivation = 'tanh'): TfLoss & { hiddenWeights: number } {
  if (!Number.isInteger(hidden) || hidden < 1) throw new InputError(`weightNormNetwork: hidden must be a positive integer, got ${hidden}`);
  const { X, labels } = twoBlobs(examples, seed);
  const Xt = tf.keep(tf.tensor2d(X, [examples, 2], 'float32'));
  const T = tf.keep(tf.oneHot(tf.tensor1d(labels, 'int32'), 2).toFloat());
  const nW = hidden * 2;
  const fn = (theta: Tensor1D): Scalar => {
    const W = tf.reshape(tf.slice(theta, 0, nW), [hidden, 2]);
    const norms = tf.sqrt(tf.sum(tf.square(W), 1)); // [hidden]
    const u = tf.div(tf.matMul(Xt, W, false, true), norms); // [N, hidden]
    const h = activate(tf, activation, u);
    const V = tf.reshape(tf.slice(theta, nW, 2 * hidden), [2, hidden]);
    const c = tf.slice(theta, nW + 2 * hidden, 2);
    const z = tf.add(tf.matMul(h, V, false, true), c);
    return tf.mean(tf.sub(tf.logSumExp(z, 1), tf.sum(tf.mul(T, z), 1))) as Scalar;
  };
  return { ...tfLoss(tf, fn, nW + 2 * hidden + 2), hiddenWeights: nW };
}

/** Experiment 2: the norm of the weight-normalised layer under GD, GF, EoM₁, EoM₂ (module comment). */
export function weightNormGrowth(tf: Tf, o: WeightNormOptions): WeightNormResult {
  const where = 'weightNormGrowth';
  checkEtas([o.eta], where);
  if (!Number.isInteger(o.steps) || o.steps < 1) throw new InputError(`${where}: steps must be a positive integer, got ${o.steps}`);
  const hidden = o.hidden ?? 8;
  const seed = o.seed ?? 2;
  const L = weightNormNetwork(tf, hidden, o.examples ?? 32, seed);
  const rng = new Rng(seed + 7);
  const s = o.initScale ?? 1;
  const theta0 = Float64Array.from({ length: L.n }, (_, i) => (i < L.hiddenWeights ? s * rng.normal() : i < L.n - 2 ? rng.normal() / Math.sqrt(hidden) : 0));
  const normSq = (th: ArrayLike<number>): number => {
    let a = 0;
    for (let i = 0; i < L.hiddenWeights; i++) a += th[i]! ** 2;
    return a;
  };
  const rec = recordSteps(o.steps, o.points ?? 10);
  const n0 = normSq(theta0);
  const gro = (traj: Float64Array[]): number[] => traj.map((t) => normSq(t) - n0);
  const growth: Record<string, number[]> = { GD: gro(gdAtSteps(L, theta0, o.eta, rec)) };
  for (const j of o.orders ?? [0, 1, 2]) growth[j === 0 ? 'GF' : `EoM${j}`] = gro(flowAtSteps(eomFieldTf(L, o.eta, j), theta0, o.eta, rec, o.integrator));
  return { steps: rec, growth, initialNormSq: n0, n: L.n, hidden };
}

// ---------------------------------------------------------------------------------------------------------
// SGD with momentum and weight decay: the stationary step size

export interface SgdStepSizeOptions {
  sizes?: number[];
  examples?: number;
  seed?: number;
  eta: number;
  beta: number;
  weightDecay: number;
  batchSize: number;
  /** steps before measuring (burn-in to stationarity) */
  burnIn: number;
  /** steps over which δ(k) is averaged */
  window: number;
  /** Σ is measured at this many θ spread over the window and averaged (default 4) */
  sigmaSnapshots?: number;
}

export interface SgdStepSizeResult {
  /** mean of δ(k) = ‖θ_{k+1} − θ_k‖² over the window */
  measured: number;
  /** its standard error (batch means over 10 blocks) */
  standardError: number;
  /** η² tr Σ / (S(1−β²)) with tr Σ averaged over the snapshots */
  predicted: number;
  traceSigma: number;
  /** δ(k) along the whole run (for plots) */
  delta: Float64Array;
}

/** Experiment 4: the stationary step size of SGD + momentum + weight decay against η² tr Σ/(S(1−β²)). */
export function sgdStepSize(tf: Tf, o: SgdStepSizeOptions): SgdStepSizeResult {
  const where = 'sgdStepSize';
  checkEtas([o.eta], where);
  if (!(o.beta >= 0 && o.beta < 1)) throw new InputError(`${where}: beta must lie in [0, 1), got ${o.beta}`);
  if (!(o.weightDecay >= 0) || !Number.isFinite(o.weightDecay)) throw new InputError(`${where}: weightDecay must be finite and >= 0`);
  for (const [k, v] of [['batchSize', o.batchSize], ['burnIn', o.burnIn], ['window', o.window]] as const)
    if (!Number.isInteger(v) || v < 1) throw new InputError(`${where}: ${k} must be a positive integer, got ${v}`);
  const sizes = o.sizes ?? [2, 8, 2];
  const seed = o.seed ?? 5;
  const L = blobsMlp(tf, sizes, o.examples ?? 64, seed);
  const rng = new Rng(seed + 11);
  const n = L.n;
  const S = o.batchSize;
  let theta: Float64Array = mlpInit(sizes, seed + 1);
  let prev: Float64Array = Float64Array.from(theta);
  const idx = new Int32Array(S);
  const buf = new Float32Array(n);
  const total = o.burnIn + o.window;
  const delta = new Float64Array(total);
  const snapshots = o.sigmaSnapshots ?? 4;
  const snapAt = new Set(Array.from({ length: snapshots }, (_, i) => o.burnIn + Math.floor(((i + 0.5) * o.window) / snapshots)));
  let traceSum = 0;
  for (let k = 0; k < total; k++) {
    if (snapAt.has(k)) traceSum += noiseCovariance(perExampleGradients(L, theta), L.examples, n).trace;
    for (let i = 0; i < S; i++) idx[i] = rng.int(0, L.examples);
    for (let i = 0; i < n; i++) buf[i] = theta[i]!;
    const g = tidyValue(tf, () => gradOf(tf, (t) => L.batchLoss(t, idx))(tf.tensor1d(buf, 'float32')).dataSync());
    const next = new Float64Array(n);
    let d = 0;
    for (let i = 0; i < n; i++) {
      next[i] = theta[i]! - o.eta * (g[i]! + o.weightDecay * theta[i]!) + o.beta * (theta[i]! - prev[i]!);
      d += (next[i]! - theta[i]!) ** 2;
    }
    delta[k] = d;
    prev = theta;
    theta = next;
  }
  const w = delta.subarray(o.burnIn);
  const measured = w.reduce((a, b) => a + b, 0) / w.length;
  const blocks = 10;
  const bl = Math.floor(w.length / blocks);
  const means = Array.from({ length: blocks }, (_, b) => w.subarray(b * bl, (b + 1) * bl).reduce((a, c) => a + c, 0) / bl);
  const sd = Math.sqrt(means.reduce((a, m) => a + (m - measured) ** 2, 0) / (blocks - 1));
  const traceSigma = traceSum / snapshots;
  const predicted = (o.eta ** 2 * traceSigma) / (S * (1 - o.beta ** 2));
  return { measured, standardError: sd / Math.sqrt(blocks), predicted, traceSigma, delta };
}

// ---------------------------------------------------------------------------------------------------------
// Plots (vega-lite → SVG, as ../plot.ts)

export interface LinePlotOptions {
  title: string;
  x: { field: string; title: string; log?: boolean };
  y: { field: string; title: string; log?: boolean };
  color: { field: string; title?: string };
  /** facet into columns by this field */
  column?: { field: string; title: string };
  width?: number;
  height?: number;
}

/** A vega-lite spec for lines of `rows` (plain JSON). */
export function linePlotSpec(rows: readonly Record<string, unknown>[], o: LinePlotOptions): Record<string, unknown> {
  const axis = (a: LinePlotOptions['x']): Record<string, unknown> => ({ field: a.field, type: 'quantitative', title: a.title, ...(a.log ? { scale: { type: 'log' } } : {}) });
  const encoding: Record<string, unknown> = { x: axis(o.x), y: axis(o.y), color: { field: o.color.field, type: 'nominal', title: o.color.title ?? null } };
  if (o.column) encoding['column'] = { field: o.column.field, type: 'nominal', title: o.column.title };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: o.title,
    background: 'white',
    width: o.width ?? 260,
    height: o.height ?? 220,
    data: { values: rows },
    mark: { type: 'line', point: true },
    encoding,
  };
}

/** Render a vega-lite spec to SVG (vega and vega-lite imported lazily). */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const [vl, vega] = await Promise.all([import('vega-lite'), import('vega')]);
  const compiled = (vl as unknown as { compile: (s: unknown) => { spec: unknown } }).compile(spec).spec;
  const view = new vega.View(vega.parse(compiled as Parameters<typeof vega.parse>[0]), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

