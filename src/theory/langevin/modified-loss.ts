/**
 * The modified loss that SGD's mean iterate follows under random shuffling (Smith, Dherin, Barrett & De,
 * "On the origin of implicit regularization in stochastic gradient descent", ICLR 2021).
 *
 * One epoch: the N examples are shuffled and cut into m = N/S batches of S; the batch losses L̂_k
 * (k = 1…m, L = (1/m) Σ_k L̂_k) are visited in that order with θ ← θ − η∇L̂_k. Expanding the m steps to
 * second order in η,
 *     θ_m = θ_0 − η Σ_k ĝ_k + η² Σ_{j<k} Ĥ_k ĝ_j + O(η³),
 * and averaging over the order of the batches (each pair is visited either way with probability ½),
 *     E θ_m = θ_0 − mη g + (η²/2)(m² H g − Σ_k Ĥ_k ĝ_k) + O(η³).
 * The gradient flow of L̃ = L + η C over time mη is θ_0 − mη(g + η∇C) + (m²η²/2) H g + O(η³); matching
 * gives ∇C = (1/(2m)) Σ_k Ĥ_k ĝ_k = ∇[(1/(4m)) Σ_k ‖ĝ_k‖²], so for a fixed partition
 *     L̃ = L + (η/(4m)) Σ_k ‖∇L̂_k‖² = L + (η/4)‖∇L‖² + (η/4)(1/m) Σ_k ‖∇L̂_k − ∇L‖²
 * (`partitionModifiedLoss`). Each batch of a random partition is a uniform S-subset drawn without
 * replacement, whose mean gradient has covariance κ Σ(θ), κ = (N−S)/(S(N−1)), Σ the per-example gradient
 * covariance (docs/theory/langevin.md, "Discrete update"); averaged over partitions too,
 *     L̃ = L + (η/4)‖∇L‖² + (η/4) κ tr Σ(θ)            (`shufflingModifiedLoss`),
 * which is the loss whose gradient flow the mean iterate follows to O(η²) per epoch. κ = 0 at S = N:
 * the gradient-descent modified loss L + (η/4)‖∇L‖² of docs/theory/eom.md.
 */
import { InputError } from '../../errors.ts';
import { type Expr, type Loss, Rational, add, gradient, loss as makeLoss, mul, scale, sum, toLatex } from '../../symbolic/index.ts';
import { ETA } from '../eom/instantiate.ts';
import { type Scalar, noiseCovariance, scalarExpr } from './model.ts';

export interface ShufflingModifiedLoss {
  readonly loss: Loss;
  /** the per-example losses ℓ_i as expressions in L's parameters */
  readonly examples: readonly Expr[];
  /** N examples, batch size S, m = N/S batches per epoch */
  readonly nData: number;
  readonly batchSize: number;
  readonly batches: number;
  /** κ = (N−S)/(S(N−1)): Cov of a batch mean gradient = κ Σ */
  readonly samplingFactor: Rational;
  /** η (a number or a symbol; the internal η by default) */
  readonly eta: Expr;
  /** Σ(θ) = (1/N) Σ_i ∇ℓ_i∇ℓ_iᵀ − ∇L∇Lᵀ */
  readonly sigma: readonly (readonly Expr[])[];
  /** (η/4)‖∇L‖² */
  readonly gradientPenalty: Expr;
  /** (η/4) κ tr Σ(θ) */
  readonly variancePenalty: Expr;
  /** L̃ = L + (η/4)‖∇L‖² + (η/4) κ tr Σ */
  readonly potential: Expr;
  latex(): string;
}

function examplesOf(L: Loss, perExample: readonly (string | Expr)[]): { exprs: Expr[]; sigma: Expr[][] } {
  if (!Array.isArray(perExample) || perExample.length < 2) throw new InputError('the shuffling modified loss needs at least 2 per-example losses ℓ_i (L must be their mean)');
  // validates every ℓ_i against L's names and that L is their mean
  const sigma = noiseCovariance(L, { kind: 'per-example', losses: perExample });
  const names = { params: L.params.map((p) => p.name), symbols: L.symbols.map((s) => s.name), constants: Object.fromEntries(L.constants) };
  const exprs = perExample.map((li) => (typeof li === 'string' ? makeLoss(li, names).expr : li));
  return { exprs, sigma };
}

function normSquared(v: readonly Expr[]): Expr {
  return sum(v.map((x) => mul(x, x)));
}

function checkBatch(N: number, S: unknown): number {
  if (typeof S !== 'number' || !Number.isInteger(S) || S < 1 || S > N) throw new InputError(`the batch size must be an integer in 1…${N} (the number of examples), got ${String(S)}`);
  if (N % S !== 0) throw new InputError(`the batch size S = ${S} does not divide the number of examples N = ${N}: an epoch of random shuffling needs m = N/S whole batches`);
  return S;
}

/**
 * The modified loss of SGD with random shuffling, averaged over orderings and partitions:
 * L + (η/4)‖∇L‖² + (η/4)·(N−S)/(S(N−1))·tr Σ(θ). `perExample` are the ℓ_i (L must be their mean).
 */
export function shufflingModifiedLoss(L: Loss, perExample: readonly (string | Expr)[], opts: { batchSize: number; eta?: Scalar }): ShufflingModifiedLoss {
  const { exprs, sigma } = examplesOf(L, perExample);
  const N = exprs.length;
  const S = checkBatch(N, opts?.batchSize);
  const eta = opts.eta === undefined ? ETA : scalarExpr(opts.eta, 'eta');
  const kappa = Rational.of(N - S, S * (N - 1));
  const quarterEta = scale(eta, Rational.of(1, 4));
  const g = gradient(L.expr, L.params);
  const gradientPenalty = mul(quarterEta, normSquared(g));
  const trace = sum(sigma.map((row, i) => row[i]!));
  const variancePenalty = kappa.isZero() ? scale(trace, Rational.ZERO) : mul(quarterEta, scale(trace, kappa));
  const potential = add(L.expr, gradientPenalty, variancePenalty);
  return {
    loss: L,
    examples: exprs,
    nData: N,
    batchSize: S,
    batches: N / S,
    samplingFactor: kappa,
    eta,
    sigma,
    gradientPenalty,
    variancePenalty,
    potential,
    latex() {
      const k = kappa.isInteger() ? kappa.toString() : `\\frac{${kappa.num}}{${kappa.den}}`;
      return (
        `\\tilde{L} = L + \\frac{\\eta}{4}\\lVert \\nabla L \\rVert^{2} + \\frac{\\eta}{4}\\cdot ${k}\\,\\operatorname{tr}\\Sigma(\\theta) = ` +
        toLatex(potential).replace(/η/g, '\\eta ')
      );
    },
  };
}

/**
 * For one fixed partition of the examples into batches (index lists), averaged over the order of the
 * batches: L + (η/(4m)) Σ_k ‖∇L̂_k‖², L̂_k the mean loss of batch k.
 */
export function partitionModifiedLoss(L: Loss, perExample: readonly (string | Expr)[], batches: readonly (readonly number[])[], eta: Scalar = ETA): Expr {
  const { exprs } = examplesOf(L, perExample);
  const N = exprs.length;
  const seen = new Set<number>();
  const S = batches[0]?.length ?? 0;
  for (const b of batches) {
    if (!Array.isArray(b) || b.length !== S || S === 0) throw new InputError('a partition must consist of non-empty batches of equal size');
    for (const i of b) {
      if (!Number.isInteger(i) || i < 0 || i >= N || seen.has(i)) throw new InputError(`a partition must use every example index 0…${N - 1} exactly once (problem at ${String(i)})`);
      seen.add(i);
    }
  }
  if (seen.size !== N) throw new InputError(`the partition covers ${seen.size} of the ${N} examples`);
  const m = batches.length;
  const e = scalarExpr(eta, 'eta');
  const penalty = sum(
    batches.map((b) => normSquared(gradient(scale(sum(b.map((i) => exprs[i]!)), Rational.of(1, S)), L.params))),
  );
  return add(L.expr, mul(scale(e, Rational.of(1, 4 * m)), penalty));
}

