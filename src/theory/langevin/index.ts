/**
 * SGD's limiting dynamics (docs/theory/langevin.md): the continuous Langevin model of SGD with momentum on a
 * loss, its exact linear solutions (continuous and discrete) on quadratics.
 */
export {
  type Scalar,
  type Sampling,
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

// Fokker–Planck stationarity, stochastic modified equations, the shuffling modified loss
export { type ZeroDecision, type ZeroRoute, type Witness, decideZero } from './zero-test.ts';
export {
  type GibbsCandidate,
  type GibbsDensity,
  type FokkerPlanckResidual,
  type StationaryOptions,
  type StationaryCheck,
  type LocalGaussianOptions,
  type LocalGaussian,
  gibbsDensity,
  fokkerPlanckResidual,
  fokkerPlanckOperator,
  checkStationary,
  localGaussian,
  minimizeLoss,
  phaseSpace,
  regularisedLoss,
} from './fokker-planck.ts';
export { type StochasticModifiedEquation, stochasticModifiedEquation } from './sme.ts';
export { type ShufflingModifiedLoss, shufflingModifiedLoss, partitionModifiedLoss } from './modified-loss.ts';
