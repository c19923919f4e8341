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
