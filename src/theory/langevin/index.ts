/**
 * SGD's limiting dynamics (docs/theory/langevin.md): the continuous Langevin model of SGD with momentum on a
 * loss, its exact linear solutions (continuous and discrete) on quadratics.
 */
export {
  type Scalar,
  type SgdHyper,
  type Hyper,
  type NoiseSpec,
  type LangevinModel,
  type LangevinAt,
  scalarExpr,
  normalizeHyper,
  batchNoiseFactor,
  noiseCovariance,
  perExampleCovariance,
  velocitySymbol,
  momentumModifiedLoss,
  langevinModel,
} from './model.ts';
export {
  type RationalInput,
  type RMatrix,
  EXACT_MAX_DIM,
  rationalMatrix,
  lyapunovExact,
  discreteLyapunovExact,
} from './exact.ts';
export {
  type LinearHyper,
  type ExactMode,
  type OuStationary,
  type Mode,
  type PhaseBlocks,
  type LinearStationary,
  type ExactHyper,
  exactHyper,
  ouStationary,
  linearStationary,
  phaseSpaceExact,
  discreteRecursionExact,
} from './linear.ts';
export {
  type LossStationaryOptions,
  type LossStationary,
  type RegressionKind,
  findMinimum,
  stationaryForLoss,
  perExampleLosses,
} from './at-minimum.ts';
export * from './diffusion-exports.ts';
