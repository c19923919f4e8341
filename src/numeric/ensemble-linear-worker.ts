/** piscina worker: one block of chains of `linearSgdEnsemble` (ensemble-linear.ts). */
import { type LinearEnsembleOptions, type LinearEnsembleResult, linearSgdEnsemble } from './ensemble-linear.ts';

export default function run(o: LinearEnsembleOptions): LinearEnsembleResult {
  return linearSgdEnsemble(o);
}
