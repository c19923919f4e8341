/**
 * A loss: a formula in named parameters θ, with named numeric constants
 * substituted exactly and symbolic hyper-parameters (η, β, …) kept as symbols.
 *
 *   loss("0.5*(w1*w2 - 1)^2", { params: ["w1", "w2"] })
 *   loss("(w - x)^2", { params: ["w"], constants: { x: 2 } })
 *   loss("lam/2*w^2 + w^4/4", { params: ["w"], symbols: ["lam"] })
 */
import { Rational } from './rational.ts';
import { type Expr, type Sym, freeSymbols, num, sym } from './expr.ts';
import { FormulaError, RESERVED_NAMES, parseExpr } from './parse.ts';
import { toText } from './print.ts';

import { InputError } from '../errors.ts';
export { InputError };

export interface LossOptions {
  /** names of the parameters θ (order = order of gradient entries) */
  params: readonly string[];
  /** numeric constants, substituted exactly (numbers are read as the decimal they print as; strings like "1/3" are exact) */
  constants?: Readonly<Record<string, number | string | Rational>>;
  /** symbolic hyper-parameters kept as symbols (e.g. "eta", "beta", "lam") */
  symbols?: readonly string[];
}

export interface Loss {
  readonly expr: Expr;
  readonly params: readonly Sym[];
  readonly symbols: readonly Sym[];
  readonly constants: ReadonlyMap<string, Rational>;
  /** the formula as given, or the canonical text of a built loss */
  readonly formula: string;
}

const NAME_RE = /^[A-Za-z_][A-Za-z_0-9]*$/;

function checkName(name: unknown, role: string): string {
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    throw new InputError(`invalid ${role} name ${JSON.stringify(name)}: use letters, digits and '_' (not starting with a digit)`);
  }
  if (RESERVED_NAMES.has(name)) {
    throw new InputError(`'${name}' is a reserved name (a function or a mathematical constant) and cannot be a ${role}`);
  }
  return name;
}

/** Exact value of a constant given by the user. */
export function constantValue(name: string, v: number | string | Rational): Rational {
  if (v instanceof Rational) return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new InputError(`constant '${name}' is ${v}: constants must be finite numbers`);
    return Rational.fromFloat(v);
  }
  if (typeof v === 'string') {
    const m = /^\s*([+-]?)\s*([0-9.eE+-]+)\s*(?:\/\s*([0-9.eE+-]+))?\s*$/.exec(v);
    const p = m && Rational.parseDecimal(m[2]!);
    const q = m && m[3] !== undefined ? Rational.parseDecimal(m[3]) : Rational.ONE;
    if (!m || !p || !q) throw new InputError(`constant '${name}' = ${JSON.stringify(v)} is not a number or a fraction like "1/3"`);
    if (q.isZero()) throw new InputError(`constant '${name}' = ${JSON.stringify(v)} divides by zero`);
    const r = p.div(q);
    return m[1] === '-' ? r.neg() : r;
  }
  throw new InputError(`constant '${name}' must be a number, got ${typeof v}`);
}

/** Build a loss from a formula (or an expression made by a builder). */
export function loss(formula: string | Expr, opts: LossOptions): Loss {
  if (!opts || !Array.isArray(opts.params)) throw new InputError('loss(): options.params (an array of parameter names) is required');
  if (opts.params.length === 0) throw new InputError('loss(): at least one parameter is required');
  const params = opts.params.map((p) => checkName(p, 'parameter'));
  const seen = new Set<string>();
  for (const p of params) {
    if (seen.has(p)) throw new InputError(`duplicate parameter '${p}'`);
    seen.add(p);
  }
  const symbols = (opts.symbols ?? []).map((s) => checkName(s, 'symbol'));
  for (const s of symbols) {
    if (seen.has(s)) throw new InputError(`'${s}' is declared twice (as a parameter or symbol)`);
    seen.add(s);
  }
  const constants = new Map<string, Rational>();
  for (const [k, v] of Object.entries(opts.constants ?? {})) {
    checkName(k, 'constant');
    if (seen.has(k)) throw new InputError(`'${k}' is both a constant and a parameter or symbol`);
    constants.set(k, constantValue(k, v));
  }
  const known = [...params, ...symbols, ...constants.keys()];
  let expr: Expr;
  if (typeof formula === 'string') {
    expr = parseExpr(formula, {
      resolve: (name) => {
        const c = constants.get(name);
        if (c !== undefined) return num(c);
        if (seen.has(name)) return sym(name);
        if (RESERVED_NAMES.has(name)) throw `'${name}' is a reserved name and cannot be used as a symbol`;
        throw `unknown symbol '${name}': it is neither a parameter nor a constant (known: ${known.join(', ') || 'none'})`;
      },
    });
  } else {
    expr = formula;
    const stray = freeSymbols(expr).filter((s) => !seen.has(s.name) && !constants.has(s.name));
    if (stray.length) throw new InputError(`unknown symbol(s) ${stray.map((s) => `'${s.name}'`).join(', ')}: neither parameters nor symbols`);
  }
  return {
    expr,
    params: params.map(sym),
    symbols: symbols.map(sym),
    constants,
    formula: typeof formula === 'string' ? formula : toText(formula),
  };
}

export { FormulaError };
