/**
 * eomkit numeric layer: float64 CPU optimizers, ODE integrators, the η-sweep order measurement, plots,
 * the Lyapunov solver, dense kernels. The TensorFlow.js layer lives in ./tfjs (imported separately, float32).
 * Explicit exports only.
 */

// Seedable random numbers
export { Rng, RngBank, rng, identityPermutation, type NormalMethod, type RngOptions } from './prng.ts';

// Optimizers (deterministic, minibatch SGD, Gaussian-noise SGD and its ensembles)
export {
  gd,
  heavyBall,
  heavyBallBuffer,
  sgdMinibatch,
  sgdGaussian,
  sgdGaussianEnsemble,
  trajectoryRow,
  type GradFn,
  type GradExampleFn,
  type GradBatchFn,
  type CovFn,
  type RunOptionsBase,
  type RunResult,
  type GdOptions,
  type HeavyBallRunOptions,
  type HeavyBallBufferOptions,
  type Sampling,
  type SgdMinibatchOptions,
  type NoiseModel,
  type SgdGaussianOptions,
  type SgdGaussianEnsembleOptions,
  type EnsembleResult,
} from './optimizers.ts';

// ODE integrators
export { rk4, dop853, flow, statesAtSteps, type VectorField, type Dop853Options, type Dop853Result } from './ode.ts';

// The η-sweep: global error against the modified flows, log–log slopes (the measured order)
export {
  validateSweep,
  runValidation,
  formatValidation,
  fitLogLogSlope,
  estimateCurvature,
  flowsFromTerms,
  type EtaField,
  type DiscreteMethod,
  type FlowSpec,
  type OrderSweepOptions,
  type ValidationResult,
} from './order-sweep.ts';
export { plotValidationSvg, validationPlotSpec, type PlotOptions } from './plot.ts';

// Linear algebra, the continuous Lyapunov equation, least-squares kernels
export { choleskyPsd, norm2, distance2, type MatrixInput } from './linalg.ts';
export { lyapunov, lyapunovKron, lyapunovResidual, phaseSpaceOU, type LyapunovResult } from './lyapunov.ts';
export { discreteLyapunov, discreteLyapunovResidual, type DiscreteLyapunovResult } from './lyapunov.ts';
export { expm } from './expm.ts';
export { symmetricEigen, type SymmetricEigen } from './symeig.ts';
export { leastSquaresGradient, leastSquaresGradientJs, leastSquaresGradientWasm, type GradKernel, type LsBackend } from './kernels/least-squares.ts';
export { readNpy, writeNpy, type NpyArray } from './npy.ts';
export { linearSgdEnsemble, linearSgdEnsembleParallel, type LinearEnsembleOptions, type LinearEnsembleResult } from './ensemble-linear.ts';

// Minimisation: Newton's method with Hessian modification and a line search
export { newtonMinimize, type NewtonObjective, type NewtonOptions, type NewtonResult } from './minimize.ts';
