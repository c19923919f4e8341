/**
 * eomkit numeric layer: float64 CPU optimizers, ODE integrators, the validation sweep, plots,
 * the Lyapunov solver. The TensorFlow.js layer lives in ./tfjs (imported separately, float32).
 */
export { Rng, RngBank, rng, identityPermutation, type NormalMethod, type RngOptions } from './prng.ts';
export * from './optimizers.ts';
export { rk4, dop853, flow, statesAtSteps, type VectorField, type Dop853Options, type Dop853Result } from './ode.ts';
export * from './validate.ts';
export { plotValidationSvg, validationPlotSpec, type PlotOptions } from './plot.ts';
export { choleskyPsd, norm2, distance2, type MatrixInput } from './linalg.ts';
export { lyapunov, lyapunovKron, lyapunovResidual, phaseSpaceOU, type LyapunovResult } from './lyapunov.ts';
export { discreteLyapunov, discreteLyapunovResidual, type DiscreteLyapunovResult } from './lyapunov.ts';
export { expm } from './expm.ts';
export { symmetricEigen, type SymmetricEigen } from './symeig.ts';
export { leastSquaresGradient, leastSquaresGradientJs, leastSquaresGradientWasm, type GradKernel, type LsBackend } from './kernels/least-squares.ts';
export { readNpy, writeNpy, type NpyArray } from './npy.ts';
export { linearSgdEnsemble, linearSgdEnsembleParallel, type LinearEnsembleOptions, type LinearEnsembleResult } from './ensemble-linear.ts';
