/**
 * TensorFlow.js layer of the numeric package (float32; see ./optimizers.ts for which checks are meaningful).
 * Import this module only where tfjs is wanted: tfjs itself is loaded lazily by loadTf().
 */
export { loadTf, importTf, NODE_BACKENDS, type Tf, type TfBackendName } from './backend.ts';
export { gdTf, heavyBallTf, sgdGaussianTf, type TfGradFn, type TfRunOptions, type TfRunResult, type TfSgdGaussianOptions } from './optimizers.ts';
export { runWebglGd, findChromium, CHROMIUM_ARGS, type WebglRunOptions, type WebglRunResult } from './webgl.ts';
export { enableHigherOrderGradients, withOpCheck, OUTPUT_SAVING_KERNELS, COMPARISON_KERNELS } from './higher-order.ts';
export {
  tfLoss,
  nestedDirectionalGradient,
  derivativeAlong,
  gradientTf,
  hvpTf,
  lossValueTf,
  heavyBallFieldTf,
  gradientFlowFieldTf,
  flowAtSteps,
  gdAtSteps,
  heavyBallAtSteps,
  BROKEN_HIGHER_ORDER_OPS,
  type TfLoss,
  type TfLossFn,
  type TrajectoryOptions,
} from './autodiff.ts';
export {
  mlpLossTf,
  mlpForward,
  mlpInit,
  mlpParameterCount,
  twoBlobs,
  activate,
  layersModelLoss,
  flattenWeights,
  unflattenInto,
  type MlpTfOptions,
  type NetworkLoss,
  type TfActivation,
  type TfNetLoss,
} from './networks.ts';
export {
  lanczos,
  topEigenpairs,
  hutchinsonTrace,
  spectralDensity,
  symmetricEigen,
  tridiagonalEigen,
  hessianOperatorTf,
  perExampleGradients,
  noiseCovariance,
  commutatorMeasure,
  type LinearOperator,
  type LanczosResult,
  type Eigenpairs,
  type TopEigenOptions,
  type SpectralDensity,
  type DensityOptions,
  type PerExampleLoss,
  type NoiseCovariance,
  type CommutatorEstimate,
} from './spectra.ts';
export { probeOpSupport, opProbes, type OpSupport } from './op-support.ts';

// The TensorFlow.js target of codegen (a compiled batch function of any derived outputs)
export { compileTf, type CompiledTf, type TfFn } from '../../codegen/tfjs.ts';
