/**
 * The B-series layer: rooted trees, methods described by data, and one modified-equation routine for all of
 * them (docs/design.md, "B-series layer"). Knows nothing of losses: theory/eom reads these series for f = −∇L.
 */

// Rooted trees and their elementary differentials
export {
  RootedTree,
  tree,
  LEAF,
  treesOfOrder,
  treesUpTo,
  treeCount,
  DEFAULT_MAX_TREES,
  compareTrees,
  edgeCuts,
  labellings,
  multiplicities,
  fNotation,
  fNotationLatex,
  oneDimensionalExponents,
  symmetryQ,
  densityQ,
  type EdgeCut,
} from './trees.ts';

// Exact coefficient arithmetic
export { RATIONALS, type CoefficientRing } from './ring.ts';

// Methods as data
export {
  exactFlowMethod,
  explicitEulerMethod,
  explicitMidpointMethod,
  heunMethod,
  rungeKuttaMethod,
  linearMultistepMethod,
  heavyBallMethod,
  type BSeriesMethod,
  type OneStepMethod,
  type LinearMultistepMethod,
  type StepWeight,
  type ButcherTableau,
} from './methods.ts';

// The modified equation of any of them, and the Lie series it inverts
export { modifiedEquation, lieDerivative, exactFlowCoefficients, type Coefficients } from './modified-equation.ts';
