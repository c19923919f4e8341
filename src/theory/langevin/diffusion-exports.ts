/**
 * Public API of the diffusion layer (docs/diffusion.md; docs/theory/langevin.md "Anomalous diffusion"):
 * predictions (diffusion.ts), simulations (diffusion-sim.ts; the tfjs one, diffusion-tf.ts, is imported
 * separately like the rest of the tfjs layer), sweeps (diffusion-sweep.ts),
 * training logs (diffusion-log.ts), pictures (diffusion-plot.ts).
 */
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
