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
export { type StochasticModifiedEquation, type SmeOptions, stochasticModifiedEquation } from './sme.ts';
export { type ShufflingModifiedLoss, shufflingModifiedLoss, partitionModifiedLoss } from './modified-loss.ts';

// Anomalous diffusion: predictions, simulations, sweeps, training logs, pictures (docs/diffusion.md)
export {
  type DiffusionHyper,
  type DiffusionProblem,
  type DiffusionStart,
  type DiffusionCurve,
  type DiffusionPrediction,
  type DiffusionMode,
  type SampledChain,
  type ExponentFit,
  predictDiffusion,
  discreteChain,
  continuousChain,
  chainDiffusion,
  discreteStationaryCovariance,
  matrixPower,
  stepSizeLaw,
  commutingModes,
  perModeDiffusion,
  discreteModeAutocovariance,
  discreteModeDiffusion,
  continuousModeDist2,
  fitExponent,
  logSteps,
  crossoverSteps,
  rotationPerStep,
  thetaVelocityCrossCovariance,
  stationaryThetaCovariance,
  batchSizeMap,
  learningRateMap,
} from './diffusion.ts';
export {
  type SimulateOptions,
  type MeasuredDiffusion,
  type BootstrapExponent,
  type PhaseSpaceMeasurement,
  type LinearRegressionData,
  type MeanPath,
  simulateDiffusion,
  summarizeEnsemble,
  bootstrapExponent,
  measurePhaseSpace,
  measureMeanPath,
  linearRegressionData,
  simulateMinibatchDiffusion,
  effectiveMinibatchNoise,
} from './diffusion-sim.ts';
export { type SweepParameter, type SweepJob, type SweepRow, type SweepOptions, type SweepResult, diffusionSweep, runSweepJob, sweepJobs, formatSweep } from './diffusion-sweep.ts';
export {
  type DiffusionLog,
  type DiffusionLogMeta,
  type LogAnalysis,
  parseJsonLog,
  parseCsvLog,
  parseNpyLog,
  readDiffusionLog,
  analyzeDiffusionLog,
  formatLogAnalysis,
} from './diffusion-log.ts';
export { type DiffusionCurvesForPlot, renderSvg, diffusionPlotSpec, phasePortraitSpec, spiralSpec, sweepPlotSpec } from './diffusion-plot.ts';
