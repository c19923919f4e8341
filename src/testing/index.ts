/**
 * eomkit/testing: regression tests on derivations (docs/regression-tests.md). Compare a derived expression,
 * vector or matrix with a golden one canonically; on a mismatch, say which components differ and where their
 * values separate. The vitest matcher `toEqualDerivation` is registered by importing 'eomkit/testing/vitest'.
 */
export {
  compareDerivation,
  expectDerivation,
  separatingPoint,
  formatMismatches,
  goldenText,
  DerivationMismatchError,
  type CompareOptions,
  type Comparison,
  type ComponentMismatch,
  type DerivedValue,
} from './regression.ts';
