/**
 * eomkit's public API.
 *
 *   import { loss, gradient, counterTerms, compile, validateDerivation } from 'eomkit';
 *
 * Layers (imports flow one way): symbolic → codegen → numeric; theory/eom uses them.
 * TensorFlow.js backends are not re-exported here so that importing eomkit never loads tfjs:
 * import them from 'eomkit/src/numeric/tfjs/index.ts' (and codegen's `compileTf` loads tfjs lazily).
 */
export * from './symbolic/index.ts';
export * from './codegen/index.ts';
export * from './numeric/index.ts';
export * from './theory/eom/index.ts';
export * from './theory/langevin/index.ts';
export {
  heavyBallSeries,
  heavyBallSecondOrder,
  heavyBallModifiedLoss,
  canonicalInBeta,
  BETA,
  type HeavyBallOptions,
  type HeavyBallSeries,
  type HeavyBallSecondOrder,
  type HeavyBallModifiedLoss,
} from './theory/eom/momentum.ts';
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
} from './theory/eom/invariance.ts';
export {
  validateDerivation,
  formatDerivationValidation,
  derivationValidationJson,
  compileSeries,
  type ValidateDerivationOptions,
  type DerivationValidation,
  type ObservableSpec,
} from './theory/eom/validate.ts';
