/**
 * Deciding whether a derived expression is identically zero, and saying how it was decided.
 *
 * The core's `expand` is a canonical form for polynomials in symbols and opaque atoms (function calls,
 * negative powers of sums); it applies no function identities (exp(a)·exp(b) = exp(a+b), σ′ = σ(1−σ)
 * rewritten, …) and does not cancel common factors of rational functions. So the decision runs through
 * three routes, strongest first, and the first that settles the question is reported:
 *
 *  1. `symbolic`: the expression expands to 0. A proof (for every value of every symbol).
 *  2. `symbolic-in-state`: the expression contains hyper-parameter symbols (η, β, …) whose rational
 *     functions `expand` cannot cancel; each is replaced by a random exact rational in its range, and the
 *     result expands to 0 at every one of several such draws, symbolically in the state (θ, v). The
 *     expression is a rational function of the hyper-parameters, so a non-zero one vanishes at a random
 *     rational point with negligible probability (Schwartz–Zippel).
 *  3. Pointwise, at several random points of the state (and of the hyper-parameters):
 *     - `exact-rational`: no transcendental function and no fractional power: the value is an exact
 *       rational. A non-zero value proves the expression non-zero; zero at every point is the
 *       Schwartz–Zippel argument again.
 *     - `float64`: otherwise; the value is compared with the size of the terms it is a sum of
 *       (|value| ≤ tol · Σ|terms|, tol = 1e−9 by default). Non-zero beyond that is reported as non-zero
 *       with the value; within it, as zero to that tolerance — both stated in `statement`.
 */
import { InputError } from '../../errors.ts';
import { applyFunction } from '../../symbolic/transform.ts';
import {
  type Expr,
  type Sym,
  Rational,
  ZERO,
  dagSize,
  evaluate,
  expand,
  freeSymbols,
  num,
  subs,
  withBudget,
  ExpressionSwellError,
} from '../../symbolic/index.ts';
import { Rng } from '../../numeric/prng.ts';

export type ZeroRoute = 'symbolic' | 'symbolic-in-state' | 'exact-rational' | 'float64';

/** A point at which an expression was evaluated: symbol name → value (exact rationals as "p/q"). */
export type Witness = Readonly<Record<string, string>>;

export interface ZeroDecision {
  /** true: identically zero (by `route`) */
  readonly zero: boolean;
  readonly route: ZeroRoute;
  /** one sentence: what was done and why it decides (printed by the CLI and docs) */
  readonly statement: string;
  /** for `zero: false`: a point where the expression is not zero, and its value there */
  readonly witness?: { readonly point: Witness; readonly value: number };
  /** the expression's canonical expanded form, when it could be computed within the node budget */
  readonly expanded?: Expr;
}

/** Where a symbol's random values are drawn. */
export type SymbolRange = 'unit' | 'momentum' | 'positive' | 'real';

export interface ZeroTestOptions {
  /** the state symbols (θ, v): drawn in [−2, 2] */
  readonly state: readonly Sym[];
  /** ranges of the other symbols (hyper-parameters); those not named are 'positive' */
  readonly ranges?: ReadonlyMap<Sym, SymbolRange>;
  /** number of random points (default 5) */
  readonly points?: number;
  /** seed of the point draws (default 1) */
  readonly seed?: number;
  /** relative tolerance of the float64 route (default 1e−9) */
  readonly tol?: number;
  /** node budget of each expansion (default 300,000); past it the test moves on to points */
  readonly maxNodes?: number;
  /** names to print for symbols in witnesses and statements (default: the symbol's name) */
  readonly names?: ReadonlyMap<Sym, string>;
}

/** A random exact rational in a range: small numerators and denominators keep exact evaluation cheap. */
function draw(r: Rng, range: SymbolRange): Rational {
  const den = r.int(3, 14);
  switch (range) {
    case 'unit': // (0, 1)
      return Rational.of(r.int(1, den), den);
    case 'momentum': // [0, 1): includes 0 only by chance; 1 excluded
      return Rational.of(r.int(0, den), den);
    case 'positive': // (0, 4)
      return Rational.of(r.int(1, 4 * den), den);
    case 'real': // [−2, 2]
      return Rational.of(r.int(-2 * den, 2 * den + 1), den);
  }
}

function tryExpand(e: Expr, maxNodes: number): Expr | undefined {
  try {
    return withBudget(maxNodes, 'the zero test of a residual', () => expand(e));
  } catch (err) {
    if (err instanceof ExpressionSwellError) return undefined;
    throw err;
  }
}

/** True when e has no function call and no non-integer power: its value at rationals is a rational. */
function isRationalFunction(e: Expr): boolean {
  const seen = new Set<Expr>();
  const go = (x: Expr): boolean => {
    if (seen.has(x)) return true;
    seen.add(x);
    switch (x.kind) {
      case 'num':
      case 'sym':
        return true;
      case 'add':
        return x.terms.every(go);
      case 'mul':
        return x.exps.every((k) => k.isInteger()) && x.bases.every(go);
      case 'pow':
        return x.exp.kind === 'num' && x.exp.value.isInteger() && go(x.base);
      case 'call':
        return false;
    }
  };
  return go(e);
}

/**
 * Σ|terms|: the value e would have if no term cancelled (sums of absolute values, recursively through
 * sums and products; powers with negative exponents and function calls by their absolute value).
 */
export function magnitude(e: Expr, env: Readonly<Record<string, number>>): number {
  const memo = new Map<Expr, number>();
  const go = (x: Expr): number => {
    if (x.kind === 'num') return Math.abs(x.value.toNumber());
    if (x.kind === 'sym') return Math.abs(evaluate(x, env));
    const hit = memo.get(x);
    if (hit !== undefined) return hit;
    let r: number;
    switch (x.kind) {
      case 'add':
        r = Math.abs(x.constant.toNumber());
        for (let i = 0; i < x.terms.length; i++) r += Math.abs(x.coeffs[i]!.toNumber()) * go(x.terms[i]!);
        break;
      case 'mul':
        r = Math.abs(x.coeff.toNumber());
        for (let i = 0; i < x.bases.length; i++) {
          const k = x.exps[i]!;
          r *= k.isNegative() ? Math.abs(evaluate(x.bases[i]!, env)) ** k.toNumber() : go(x.bases[i]!) ** k.toNumber();
        }
        break;
      case 'pow':
        r = Math.abs(evaluate(x, env));
        break;
      case 'call':
        r = Math.abs(applyFunction(x.fn, evaluate(x.arg, env)));
        break;
    }
    memo.set(x, r);
    return r;
  };
  return go(e);
}

/** Printing of symbols in statements and witnesses (display names where given). */
interface Printer {
  show(point: ReadonlyMap<Sym, Rational>): Witness;
  names(ss: readonly Sym[]): string;
}

function printer(display: ReadonlyMap<Sym, string> | undefined): Printer {
  const name = (s: Sym): string => display?.get(s) ?? s.name;
  return {
    show: (point) => Object.fromEntries([...point].map(([s, q]) => [name(s), q.toString()])),
    names: (ss) => ss.map(name).join(', '),
  };
}

function floats(point: ReadonlyMap<Sym, Rational>): Record<string, number> {
  return Object.fromEntries([...point].map(([s, q]) => [s.name, q.toNumber()]));
}

/** Decide whether e ≡ 0 as a function of its symbols (see the module comment for the routes). */
export function decideZero(e: Expr, opts: ZeroTestOptions): ZeroDecision {
  const points = opts.points ?? 5;
  if (!Number.isInteger(points) || points < 1) throw new InputError(`the number of test points must be a positive integer (got ${points})`);
  // a float64 probe first: an expression clearly non-zero at a random point skips the costly expansions
  // (expanded only within a small budget, for display)
  const clearlyNonZero = probe(e, opts);
  const x = !clearlyNonZero ? tryExpand(e, opts.maxNodes ?? 300_000) : dagSize(e) <= 300 ? tryExpand(e, 20_000) : undefined;
  const d = decide(e, x, opts, clearlyNonZero, printer(opts.names));
  return x === undefined || d.zero ? d : { ...d, expanded: x };
}

/** True when e is non-zero at one random point far beyond rounding (|e| > 1e−6 Σ|terms|). */
function probe(e: Expr, opts: ZeroTestOptions): boolean {
  const rng = new Rng((opts.seed ?? 1) + 0x9e3779b9);
  const stateSet = new Set(opts.state);
  const env: Record<string, number> = {};
  for (const s of freeSymbols(e)) env[s.name] = draw(rng, stateSet.has(s) ? 'real' : (opts.ranges?.get(s) ?? 'positive')).toNumber();
  try {
    return Math.abs(evaluate(e, env)) > 1e-6 * magnitude(e, env);
  } catch (err) {
    if (err instanceof InputError) return false; // undefined at this point: inconclusive
    throw err;
  }
}

function decide(e: Expr, x: Expr | undefined, opts: ZeroTestOptions, clearlyNonZero: boolean, pr: Printer): ZeroDecision {
  const points = opts.points ?? 5;
  const tol = opts.tol ?? 1e-9;
  const maxNodes = opts.maxNodes ?? 300_000;
  if (x === ZERO) return { zero: true, route: 'symbolic', statement: 'the residual expands to 0 exactly (a symbolic proof, for every value of every symbol)' };
  const stateSet = new Set(opts.state);
  const free = freeSymbols(e);
  const hyper = free.filter((s) => !stateSet.has(s));
  const state = free.filter((s) => stateSet.has(s));
  const rng = new Rng(opts.seed ?? 1);
  const rangeOf = (s: Sym): SymbolRange => (stateSet.has(s) ? 'real' : (opts.ranges?.get(s) ?? 'positive'));

  // route 2: exact rational hyper-parameters, symbolic state
  // hyper-parameter draws at which e is defined (a draw at a pole, such as a = 1 in 1/(a − 1), is replaced);
  // with route 2 each also gives the expanded e there (undefined past the node budget)
  const hyperDraws: Map<Sym, Rational>[] = [];
  const reduced: (Expr | undefined)[] = [];
  for (let tries = 0; hyper.length && hyperDraws.length < points && tries < 20 * points; tries++) {
    const h = new Map(hyper.map((s) => [s, draw(rng, rangeOf(s))] as const));
    let eh: Expr;
    try {
      eh = subs(e, new Map([...h].map(([s, q]) => [s, num(q)] as const)));
    } catch (err) {
      if (err instanceof InputError) continue; // a pole at this draw (division by zero)
      throw err;
    }
    hyperDraws.push(h);
    if (!clearlyNonZero) reduced.push(tryExpand(eh, maxNodes));
  }
  if (hyper.length && hyperDraws.length < points)
    throw new InputError(`the zero test found no values of (${pr.names(hyper)}) where the residual is defined in ${20 * points} random draws`);
  if (hyper.length && !clearlyNonZero && reduced.every((r) => r === ZERO))
    return {
      zero: true,
      route: 'symbolic-in-state',
      statement:
        `the residual expands to 0 exactly, symbolically in (${pr.names(state)}), at each of ${points} random exact rational values of (${pr.names(hyper)}); ` +
        'it is a rational function of these, so a non-zero one would vanish at random rational points only with negligible probability (Schwartz–Zippel)',
    };
  if (!hyper.length) hyperDraws.push(new Map());

  // route 3: pointwise
  const exact = isRationalFunction(e);
  let checked = 0;
  let attempts = 0;
  while (checked < points && attempts < 20 * points) {
    attempts++;
    const point = new Map<Sym, Rational>(hyperDraws[attempts % hyperDraws.length]!);
    for (const s of state) point.set(s, draw(rng, 'real'));
    if (exact) {
      let v: Expr;
      try {
        v = subs(e, new Map([...point].map(([s, q]) => [s, num(q)] as const)));
      } catch (err) {
        if (err instanceof InputError) continue; // a pole: draw another point
        throw err;
      }
      if (v.kind !== 'num') {
        // an expression that did not fold (should not happen for a rational function): fall back to floats
        return floatRoute(e, state, hyper, hyperDraws, rng, points, tol, pr);
      }
      if (!v.value.isZero())
        return {
          zero: false,
          route: 'exact-rational',
          statement: `the residual has the exact non-zero value ${v.value} at the rational point ${JSON.stringify(pr.show(point))} (a proof that it is not identically zero)`,
          witness: { point: pr.show(point), value: v.value.toNumber() },
        };
      checked++;
    } else return floatRoute(e, state, hyper, hyperDraws, rng, points, tol, pr);
  }
  if (checked < points) throw new InputError(`the zero test found no point where the residual is defined in ${attempts} random draws of (${pr.names(free)})`);
  return {
    zero: true,
    route: 'exact-rational',
    statement:
      `the residual (a rational function of ${pr.names(free)}) is exactly 0 at ${points} random rational points, though \`expand\` does not cancel it symbolically; ` +
      'a non-zero rational function would vanish there only with negligible probability (Schwartz–Zippel)',
  };
}

function floatRoute(
  e: Expr,
  state: readonly Sym[],
  hyper: readonly Sym[],
  hyperDraws: readonly Map<Sym, Rational>[],
  rng: Rng,
  points: number,
  tol: number,
  pr: Printer,
): ZeroDecision {
  let checked = 0;
  let attempts = 0;
  let worst = 0;
  while (checked < points && attempts < 20 * points) {
    attempts++;
    const point = new Map<Sym, Rational>(hyperDraws[attempts % hyperDraws.length]!);
    for (const s of state) point.set(s, draw(rng, 'real'));
    const env = floats(point);
    let v: number;
    let scale: number;
    try {
      v = evaluate(e, env);
      scale = magnitude(e, env);
    } catch (err) {
      if (err instanceof InputError) continue;
      throw err;
    }
    const rel = Math.abs(v) / Math.max(scale, Number.MIN_VALUE);
    if (Math.abs(v) > tol * scale)
      return {
        zero: false,
        route: 'float64',
        statement:
          `the residual evaluates (float64) to ${v.toPrecision(6)} at ${JSON.stringify(pr.show(point))}, ${rel.toExponential(2)} of the size of its terms ` +
          `(Σ|terms| = ${scale.toPrecision(6)}), above the tolerance ${tol}: not zero`,
        witness: { point: pr.show(point), value: v },
      };
    worst = Math.max(worst, rel);
    checked++;
  }
  if (checked < points) throw new InputError(`the zero test found no point where the residual is defined in ${attempts} random draws of (${pr.names([...state, ...hyper])})`);
  return {
    zero: true,
    route: 'float64',
    statement:
      `the residual contains functions whose identities the core does not apply; evaluated in float64 at ${points} random points it is at most ` +
      `${worst.toExponential(2)} of the size of its terms (tolerance ${tol}): zero to that tolerance, not a proof`,
  };
}
