/**
 * The Equation of Motion of gradient descent (docs/theory/eom.md): the loss-independent B-series of the counter
 * terms (read from the B-series layer, theory/bseries), its instantiation for a concrete loss, the modified
 * loss, the discretization error, heavy-ball momentum, invariances, and end-to-end verification of a
 * derivation against the optimizer. Explicit exports only.
 */

// Gradient descent's series on rooted trees, in f- and loss notation
export { lossNotation, lossNotationLatex, lossSign } from './loss-notation.ts';
export {
  generalSeries,
  modifiedEquationCoefficients,
  eomLatex,
  linearCombinationLatex,
  linearCombinationText,
  type GeneralSeries,
  type TreeTerm,
} from './series.ts';

// Instantiation for a concrete loss: the counter terms ξ_j, the modified loss, the discretization error
export { ETA, etaLatex, LossDifferentials, lossDifferentials, elementaryDifferential } from './instantiate.ts';
export { counterTerms, DEFAULT_MAX_NODES, type CounterTermOptions, type EomSeries } from './counter-terms.ts';
// Numeric code for the counter terms by the cheaper route (symbolic or Taylor-mode passes)
export {
  counterTermsCode,
  compileCounterTerms,
  SYMBOLIC_ATTEMPT_MARGIN,
  type CounterTermRoute,
  type CounterTermsCode,
  type CounterTermsCodeOptions,
  type CompiledCounterTermsCode,
} from './compile-counter-terms.ts';
export {
  modifiedLoss,
  orderGradient,
  solveExact,
  type ModifiedLoss,
  type OrderGradient,
  type GradientObstruction,
  generalForm,
  type ScalarTerm,
} from './modified-loss.ts';
export { discretizationError, type DiscretizationError } from './discretization.ts';

// Heavy-ball momentum: second-order form, modified equation (concrete loss and on trees), modified loss
export {
  heavyBallSeries,
  heavyBallSecondOrder,
  heavyBallModifiedLoss,
  canonicalInBeta,
  BETA,
  type HeavyBallSeriesOptions,
  type HeavyBallSeries,
  type HeavyBallSecondOrder,
  type HeavyBallModifiedLoss,
} from './momentum.ts';
export { heavyBallGeneralSeries, type HeavyBallGeneralSeries, type HeavyBallTreeTerm } from './momentum-bseries.ts';

// Invariances (scale, translation) and the dynamics of the invariant quantities
export {
  detectInvariances,
  testScaleInvariance,
  testTranslationInvariance,
  invariantDynamics,
  proveZero,
  weightNormalizedUnit,
  softmaxCrossEntropy,
  type InvarianceKind,
  type InvarianceResult,
  type InvarianceReport,
  type InvariantDynamics,
  type InvariantDynamicsOptions,
  type ZeroProof,
  type ProofStatus,
} from './invariance.ts';

// Verification of a derivation against the optimizer (η-sweep of the global error)
export {
  validateDerivation,
  formatDerivationValidation,
  derivationValidationJson,
  compileSeries,
  type ValidateDerivationOptions,
  type DerivationValidation,
  type CompiledSeries,
  type ObservableSpec,
} from './verify.ts';
