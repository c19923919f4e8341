/**
 * Discretization error (eom.md, "Discretization error"). EoM_j is the field f_1 + η f_2 + … + η^j f_{j+1}
 * (EoM_0 = gradient flow). The full series F_η reproduces a GD step exactly (as a formal series); dropping
 * η^{j+1} f_{j+2} + … changes the time-η flow by η·η^{j+1} f_{j+2} + O(η^{j+3}), so
 *
 *     θ_GD(one step) − φ^{EoM_j}_η(θ) = η^{j+2} f_{j+2}(θ) + O(η^{j+3}),
 *
 * a local error of order j + 2 and a global error O(η^{j+1}) over a fixed time t = nη.
 * GF (j = 0): η² f_2 = −(η²/2) H g.
 */
import { InputError, describe } from '../../errors.ts';
import { type Expr, type LatexOptions, type Loss, type Sym, mul, pow, requireLoss, vectorLatex } from '../../symbolic/index.ts';
import { type CounterTermOptions, type EomSeries, counterTerms } from './counter-terms.ts';
import { ETA, etaLatex } from './instantiate.ts';

export interface DiscretizationError {
  readonly loss: Loss;
  /** EoM_j: gradient flow plus j counter terms */
  readonly j: number;
  readonly eta: Sym;
  /** order of the local (one-step) error: j + 2 */
  readonly localOrder: number;
  /** order of the global error at fixed time: j + 1 */
  readonly globalOrder: number;
  /** f_{j+2}(θ): the leading local error is η^{j+2} f_{j+2} */
  readonly coefficient: Expr[];
  /** η^{j+2} f_{j+2}(θ): the leading term of (GD step − time-η flow of EoM_j) */
  readonly term: Expr[];
  /** the same term for any loss, in loss notation (e.g. "-1/2 Hg" for j = 0) */
  readonly general: string;
  summary(): string;
  latex(opts?: LatexOptions): string;
}

/** The leading local error term of EoM_j and its orders. */
export function discretizationError(L: Loss, j: number, opts: CounterTermOptions & { series?: EomSeries } = {}): DiscretizationError {
  requireLoss('discretizationError(L, j): L', L);
  if (typeof j !== 'number' || !Number.isInteger(j) || j < 0) throw new InputError(`discretizationError(L, j): j must be a non-negative integer (EoM_0 = gradient flow), got ${describe(j)}`);
  if (typeof opts !== 'object' || opts === null) throw new InputError(`discretizationError(L, j, options): options must be an object (got ${describe(opts)})`);
  const s = opts.series && opts.series.order >= j + 2 && opts.series.loss === L ? opts.series : counterTerms(L, j + 2, opts);
  const coefficient = s.f[j + 1]!;
  const power = pow(ETA, j + 2);
  const term = coefficient.map((e) => mul(power, e));
  const general = s.general.lossText(j + 2);
  return {
    loss: L,
    j,
    eta: ETA,
    localOrder: j + 2,
    globalOrder: j + 1,
    coefficient,
    term,
    general,
    summary() {
      const name = j === 0 ? 'GF (EoM_0)' : `EoM_${j}`;
      return `${name}: local error per step η^${j + 2}·(${general}) + O(η^${j + 3}); global error O(η^${j + 1}) at fixed time`;
    },
    latex(opts: LatexOptions = {}) {
      const name = j === 0 ? '\\mathrm{GF}' : `\\mathrm{EoM}_{${j}}`;
      const gen = s.general.latex().loss[j + 1]!;
      return `\\theta_{\\mathrm{GD}} - \\varphi^{${name}}_{\\eta}(\\theta) = \\eta^{${j + 2}}\\left(${gen}\\right) + O\\left(\\eta^{${j + 3}}\\right) = \\eta^{${j + 2}} ${etaLatex(vectorLatex(coefficient, opts))} + O\\left(\\eta^{${j + 3}}\\right)`;
    },
  };
}

