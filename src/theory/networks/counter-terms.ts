/**
 * The counter terms of the GD equation of motion for any differentiable TensorFlow.js loss, by nested
 * automatic differentiation (docs/theory/eom.md, "Counter terms"; docs/networks.md). Each rooted tree's
 * elementary differential G(t) (g, Hg, ∇³L[g,g], HHg, …) is one nest of reverse-over-reverse directional
 * gradients over the children's values; f_k is Σ_t b(t)/σ(t)·(−1)^{|t|} G(t) with the exact coefficients of
 * the general series (the same B-series routine as the symbolic path). No Hessian is ever formed.
 *
 * This sits in the theory layer because it needs the series; the tfjs machinery it drives is in
 * src/numeric/tfjs/. Public as `eomkit/theory/networks` (it references tfjs types; the root does not).
 */
import { InputError } from '../../errors.ts';
import { type TfLoss, type Tensor1D, eom1Tensor, nestedDirectionalGradient, thetaTensor, tidyValue } from '../../numeric/tfjs/autodiff.ts';
import type { VectorField } from '../../numeric/ode.ts';
import { checkEta } from '../../numeric/linalg.ts';
import { withOpCheck } from '../../numeric/tfjs/higher-order.ts';
import { type RootedTree, treesUpTo } from '../bseries/trees.ts';
import { generalSeries } from '../eom/series.ts';

/** Inside a tidy: G(t) for each tree (memoised over shared subtrees), children as constants. */
function elementaryTensors(L: TfLoss, th: Tensor1D, trees: readonly RootedTree[]): Map<RootedTree, Tensor1D> {
  const memo = new Map<RootedTree, Tensor1D>();
  const G = (t: RootedTree): Tensor1D => {
    const hit = memo.get(t);
    if (hit) return hit;
    const kids = t.children.map(G);
    const v = nestedDirectionalGradient(L, kids)(th);
    memo.set(t, v);
    return v;
  };
  for (const t of trees) G(t);
  return memo;
}

/** The elementary differentials G(t)(θ) (loss notation: g, Hg, ∇³L[g,g], HHg, …) of the given trees. */
export function elementaryDifferentialsTf(L: TfLoss, theta: ArrayLike<number>, trees: readonly RootedTree[]): Map<RootedTree, Float64Array> {
  const where = 'elementaryDifferentialsTf';
  const maxOrder = trees.reduce((m, t) => Math.max(m, t.order), 0);
  return withOpCheck(where, maxOrder, () =>
    tidyValue(L.tf, () => {
      const th = thetaTensor(L, theta, where);
      const G = elementaryTensors(L, th, trees);
      return new Map(trees.map((t) => [t, Float64Array.from(G.get(t)!.dataSync())] as const));
    }),
  );
}

function checkOrder(K: number, where: string): void {
  if (!Number.isInteger(K) || K < 1 || K > 8) throw new InputError(`${where}: order K must be an integer in 1..8, got ${K}`);
}

/** The weights (−1)^{|t|} b(t)/σ(t) of G(t) in f_k, as float64, per order. */
function lossWeights(K: number): { tree: RootedTree; weight: number }[][] {
  return generalSeries(K).terms.map((row) => row.map((x) => ({ tree: x.tree, weight: x.lossWeight.toNumber() })));
}

/** Inside a tidy: the tensors f_1 … f_K at θ (rows: the weights of lossWeights(K)). */
function counterTermTensors(L: TfLoss, th: Tensor1D, K: number, rows = lossWeights(K)): Tensor1D[] {
  const G = elementaryTensors(L, th, treesUpTo(K).filter((t) => rows[t.order - 1]!.some((x) => x.tree === t)));
  return rows.map((row) => {
    let acc: Tensor1D = L.tf.zeros([L.n]);
    for (const { tree, weight } of row) acc = L.tf.add(acc, L.tf.mul(G.get(tree)!, weight));
    return acc;
  });
}

/** The counter terms f_1 … f_K at θ (f_1 = −g, f_2 = −½Hg, f_3 = −1/12∇³L[g,g] − 1/3HHg, …), float32 → float64. */
export function counterTermsTf(L: TfLoss, theta: ArrayLike<number>, K: number): Float64Array[] {
  const where = 'counterTermsTf';
  checkOrder(K, where);
  return withOpCheck(where, K, () =>
    tidyValue(L.tf, () => {
      const th = thetaTensor(L, theta, where);
      return counterTermTensors(L, th, K).map((f) => Float64Array.from(f.dataSync()));
    }),
  );
}

/**
 * The truncated EoM field F = f_1 + η f_2 + … + η^j f_{j+1} as a float64 VectorField with a float32 tfjs
 * right-hand side (j = 0: gradient flow; j = 1 via the modified loss; j ≥ 2 via the tree series).
 */
export function eomFieldTf(L: TfLoss, eta: number, j: number): VectorField {
  const where = 'eomFieldTf';
  checkEta(eta, where);
  if (!Number.isInteger(j) || j < 0 || j > 7) throw new InputError(`${where}: truncation order j must be an integer in 0..7, got ${j}`);
  const tf = L.tf;
  const buf = new Float32Array(L.n);
  const rows = j >= 2 ? lossWeights(j + 1) : [];
  const compute = (th: Tensor1D): Tensor1D => {
    if (j === 0) return tf.neg(nestedDirectionalGradient(L, [])(th));
    if (j === 1) return eom1Tensor(L, th, eta);
    const f = counterTermTensors(L, th, j + 1, rows);
    let acc = f[0]!;
    for (let k = 1; k <= j; k++) acc = tf.add(acc, tf.mul(f[k]!, eta ** k));
    return acc;
  };
  return (y, out) => {
    for (let i = 0; i < L.n; i++) buf[i] = y[i]!;
    const r = withOpCheck(where, j + 1, () => tidyValue(tf, () => compute(tf.tensor1d(buf, 'float32')).dataSync()));
    for (let i = 0; i < L.n; i++) out[i] = r[i]!;
  };
}
