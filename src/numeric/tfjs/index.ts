/**
 * TensorFlow.js layer of the numeric package (float32; see ./optimizers.ts for which checks are meaningful).
 * Import this module only where tfjs is wanted: tfjs itself is loaded lazily by loadTf().
 */
export { loadTf, importTf, NODE_BACKENDS, type Tf, type TfBackendName } from './backend.ts';
export { gdTf, heavyBallTf, sgdGaussianTf, type TfGradFn, type TfRunOptions, type TfRunResult, type TfSgdGaussianOptions } from './optimizers.ts';
export { runWebglGd, findChromium, CHROMIUM_ARGS, type WebglRunOptions, type WebglRunResult } from './webgl.ts';
