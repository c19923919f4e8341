/**
 * The Equation of Motion of gradient descent (eom.md): the loss-independent B-series of the counter terms,
 * its instantiation for a concrete loss, the modified loss, and the discretization error.
 */
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
export { ETA, etaLatex, LossDifferentials, lossDifferentials, elementaryDifferential } from './instantiate.ts';
export { counterTerms, DEFAULT_MAX_NODES, type CounterTermOptions, type EomSeries } from './counter-terms.ts';
export {
  modifiedLoss,
  orderGradient,
  solveExact,
  type ModifiedLoss,
  type OrderGradient,
  type GradientObstruction,
} from './modified-loss.ts';
export { discretizationError, type DiscretizationError } from './discretization.ts';
