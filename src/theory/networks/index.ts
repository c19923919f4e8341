/**
 * Networks on TensorFlow.js (docs/networks.md): the counter terms and the truncated EoM of any
 * differentiable tfjs loss by nested automatic differentiation, and the sources' experiments in miniature.
 * The tfjs machinery (losses of networks, spectra, higher-order gradients) is in `eomkit/numeric/tfjs`.
 */
export { elementaryDifferentialsTf, counterTermsTf, eomFieldTf } from './counter-terms.ts';
export {
  gdVersusFlows,
  weightNormGrowth,
  weightNormNetwork,
  sgdStepSize,
  blobsMlp,
  linePlotSpec,
  renderSvg,
  type FlowDistanceRow,
  type GdVersusFlowsOptions,
  type GdVersusFlowsResult,
  type WeightNormOptions,
  type WeightNormResult,
  type SgdStepSizeOptions,
  type SgdStepSizeResult,
  type LinePlotOptions,
} from './experiments.ts';
