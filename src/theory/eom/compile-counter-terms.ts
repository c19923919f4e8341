/**
 * Numeric code for the counter terms f1 … fK of gradient descent (docs/theory/eom.md, "Counter terms"), by
 * the cheaper of two routes:
 *
 *   symbolic  counterTerms(L, K) — the sum over rooted trees of the elementary differentials — lowered to one
 *             program (codegen/ir.ts): small when the f_k simplify (quadratic or separable losses, 1-D);
 *   taylor    Taylor-mode passes over one program for g = ∇L (codegen/taylor.ts): O(K × size of ∇L) whatever
 *             the symbolic size of the f_k, which grows like n^2.8 for the n-chain at K = 3; K ≤ 4.
 *
 * The automatic choice compares the two programs' sizes (arithmetic operations, `programStats`): it builds the
 * Taylor program (cheap), then derives the symbolic counter terms under a node budget of the Taylor program's
 * size plus a margin (so that a symbolic derivation that swells is cut short early), and takes the symbolic
 * route when it fits and its program has at most as many operations. Operations predict evaluation time:
 * measured over chains n = 2…10, the P3 network, logistic regression, quadratic and non-polynomial 2-D
 * losses (K = 3), the route with fewer operations was never slower by more than the timing noise.
 */
import { type Loss, type Sym, gradient, ExpressionSwellError } from '../../symbolic/index.ts';
import { InputError, describe } from '../../errors.ts';
import {
  type Compiled,
  type CounterTermsForwardOptions,
  type Program,
  MAX_TAYLOR_ORDER,
  compile,
  counterTermsProgram,
  programStats,
} from '../../codegen/index.ts';
import { counterTerms, type EomSeries } from './counter-terms.ts';
import { requireLoss } from '../../symbolic/index.ts';

export type CounterTermRoute = 'symbolic' | 'taylor';

export interface CounterTermsCodeOptions extends CounterTermsForwardOptions {
  /** 'auto' (default): the smaller program; 'symbolic' or 'taylor' to force a route */
  route?: 'auto' | CounterTermRoute;
  /** node budget of a forced symbolic derivation (counterTerms' maxNodes) */
  maxNodes?: number;
}

/** The program of f1 … fK (output blocks f1 … fK) and how it was chosen. */
export interface CounterTermsCode {
  readonly route: CounterTermRoute;
  /** why this route (one sentence) */
  readonly reason: string;
  readonly program: Program;
  /** arithmetic operations of the Taylor program (null when K > 3 or the symbolic route was forced) */
  readonly taylorOps: number | null;
  /** arithmetic operations of the symbolic program (null when it was not built) */
  readonly symbolicOps: number | null;
  /** the symbolic series when the symbolic route derived it */
  readonly series?: EomSeries;
}

export interface CompiledCounterTermsCode extends Compiled {
  readonly K: number;
  readonly route: CounterTermRoute;
  readonly reason: string;
}

/** Extra nodes the symbolic derivation may create beyond the Taylor program's operations before it is cut short. */
export const SYMBOLIC_ATTEMPT_MARGIN = 200;

function symbolicProgram(L: Loss, series: EomSeries, hyper: readonly Sym[], opts: CounterTermsForwardOptions): Program {
  const outputs = Object.fromEntries(series.f.map((fk, k) => [`f${k + 1}`, fk]));
  return compile(outputs, L.params, { hyper, maxOperands: opts.maxOperands }).program;
}

/** The program of f1 … fK of gradient descent for L by the chosen (or the cheaper) route. */
export function counterTermsCode(L: Loss, K: number, opts: CounterTermsCodeOptions = {}): CounterTermsCode {
  const what = `counterTermsCode(L, ${describe(K)})`;
  requireLoss(`${what}: L`, L);
  if (typeof opts !== 'object' || opts === null) throw new InputError(`${what}: options must be an object (got ${describe(opts)})`);
  if (typeof K !== 'number' || !Number.isInteger(K) || K < 1) throw new InputError(`${what}: the order K must be a positive integer`);
  const route = opts.route ?? 'auto';
  if (route !== 'auto' && route !== 'symbolic' && route !== 'taylor') throw new InputError(`${what}: options.route must be 'auto', 'symbolic' or 'taylor' (got ${describe(route)})`);
  const hyper = opts.hyper ?? L.symbols;
  const fopts: CounterTermsForwardOptions = { hyper, maxOperands: opts.maxOperands };
  if (route === 'symbolic' || (route === 'auto' && K > MAX_TAYLOR_ORDER)) {
    const series = counterTerms(L, K, opts.maxNodes === undefined ? {} : { maxNodes: opts.maxNodes });
    const program = symbolicProgram(L, series, hyper, fopts);
    const reason = route === 'symbolic' ? 'the symbolic route was asked for' : `K = ${K} > ${MAX_TAYLOR_ORDER}: the Taylor route stops at f${MAX_TAYLOR_ORDER}`;
    return { route: 'symbolic', reason, program, taylorOps: null, symbolicOps: programStats(program).ops, series };
  }
  const taylor = counterTermsProgram(gradient(L.expr, L.params), L.params, K, fopts);
  const taylorOps = programStats(taylor).ops;
  if (route === 'taylor') return { route: 'taylor', reason: 'the Taylor route was asked for', program: taylor, taylorOps, symbolicOps: null };
  const budget = taylorOps + SYMBOLIC_ATTEMPT_MARGIN;
  let series: EomSeries;
  try {
    series = counterTerms(L, K, { maxNodes: budget });
  } catch (e) {
    if (!(e instanceof ExpressionSwellError)) throw e;
    return {
      route: 'taylor',
      reason: `the symbolic counter terms need more than ${budget} new nodes, past the Taylor program's ${taylorOps} operations`,
      program: taylor,
      taylorOps,
      symbolicOps: null,
    };
  }
  const symbolic = symbolicProgram(L, series, hyper, fopts);
  const symbolicOps = programStats(symbolic).ops;
  return symbolicOps <= taylorOps
    ? { route: 'symbolic', reason: `the symbolic program has ${symbolicOps} operations, the Taylor program ${taylorOps}`, program: symbolic, taylorOps, symbolicOps, series }
    : { route: 'taylor', reason: `the Taylor program has ${taylorOps} operations, the symbolic program ${symbolicOps}`, program: taylor, taylorOps, symbolicOps };
}

/**
 * f1 … fK of gradient descent for L compiled by the cheaper route (or the one forced by `opts.route`):
 * `fn(theta, out, hyper)` fills out = (f1, …, fK), hyper = the loss's symbols in order.
 */
export function compileCounterTerms(L: Loss, K: number, opts: CounterTermsCodeOptions = {}): CompiledCounterTermsCode {
  const code = counterTermsCode(L, K, opts);
  const c = compile({}, L.params, {
    name: opts.name ?? 'counterTerms',
    program: code.program,
    partSize: opts.partSize,
    derivation: opts.derivation ?? `Counter terms f1..f${K} of gradient descent (${code.route} route: ${code.reason}).`,
  });
  return Object.assign(c, { K, route: code.route, reason: code.reason });
}
