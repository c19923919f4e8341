/**
 * A loss: a formula in named parameters θ, with named numeric constants
 * substituted exactly and symbolic hyper-parameters (η, β, …) kept as symbols.
 *
 *   loss("0.5*(w1*w2 - 1)^2", { params: ["w1", "w2"] })
 *   loss("(w - x)^2", { params: ["w"], constants: { x: 2 } })
 *   loss("lam/2*w^2 + w^4/4", { params: ["w"], symbols: ["lam"] })
 */
import { Rational } from './rational.ts';
import { type Expr, type Sym, freeSymbols, isExpr, num, sym } from './expr.ts';
import { FormulaError, RESERVED_NAMES, parseExpr } from './parse.ts';
import { toText } from './print.ts';

import { InputError, describe } from '../errors.ts';
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
  if (typeof formula !== 'string' && !isExpr(formula)) {
    throw new InputError(`loss(formula, options): formula must be a formula string or an expression (got ${describe(formula)})`);
  }
  if (opts !== undefined && (typeof opts !== 'object' || opts === null)) {
    throw new InputError(`loss(formula, options): options must be an object { params, constants?, symbols? } (got ${describe(opts)})`);
  }
  if (opts?.symbols !== undefined && !Array.isArray(opts.symbols)) throw new InputError(`loss(): options.symbols must be an array of names (got ${describe(opts.symbols)})`);
  if (opts?.constants !== undefined && (typeof opts.constants !== 'object' || opts.constants === null || Array.isArray(opts.constants))) {
    throw new InputError(`loss(): options.constants must be an object of name → value (got ${describe(opts.constants)})`);
  }
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

/**
 * `L` as a Loss, or an InputError naming the argument: a formula string or a bare expression is not a loss
 * (the parameters θ are part of it), so the message says how to make one.
 */
export function requireLoss(what: string, L: unknown): Loss {
  const l = L as Partial<Loss> | null;
  if (typeof l === 'object' && l !== null && isExpr(l.expr) && Array.isArray(l.params) && l.params.every((p) => isExpr(p) && p.kind === 'sym') && Array.isArray(l.symbols)) {
    return l as Loss;
  }
  const hint = typeof L === 'string' ? `: make one with loss(${JSON.stringify(L.length > 40 ? L.slice(0, 40) + '…' : L)}, { params: [...] })` : isExpr(L) ? ': make one with loss(expr, { params: [...] })' : ' made by loss(formula, { params })';
  throw new InputError(`${what} must be a Loss${hint} (got ${isExpr(L) ? 'an expression' : describe(L)})`);
}
