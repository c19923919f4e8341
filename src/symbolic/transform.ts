/**
 * Substitution and float64 evaluation. Both walk the expression as a DAG
 * (each shared node visited once per call: `memoWalk`).
 */
import { Rational } from './rational.ts';
import { type Expr, type Sym, SumBuilder, ProductBuilder, call, constantSymbolValue, isExpr, num, pow, requireExpr, symbolsFrom } from './expr.ts';
import { InputError, describe } from '../errors.ts';
import { EvaluationError, findFunction } from './functions/registry.ts';
import { memoWalk } from './walk.ts';

export { EvaluationError } from './functions/registry.ts';
export { stableSigmoid, stableSoftplus } from './functions/builtins.ts';

/** Replace symbols by expressions, simultaneously: subs(x·y, {x: y, y: x}) = y·x. */
export function subs(e: Expr, map: ReadonlyMap<Sym, Expr> | Readonly<Record<string, Expr | number>>): Expr {
  requireExpr('subs(e, map): e', e);
  return substitution(substitutionMap(map))(e);
}

/**
 * Substitute into every expression of a vector with one memo shared by all of them: a sub-expression
 * shared between components (the DAG of a gradient or a Jacobian–vector product shares most of its
 * nodes) is rebuilt once, where one `subs` call per component would rebuild it once per component.
 */
export function subsAll(es: readonly Expr[], map: ReadonlyMap<Sym, Expr>): Expr[] {
  const go = substitution(map);
  return es.map(go);
}

/** The memoised substitution walk of `map` (keys: symbols; checked by the callers). */
export function substitution(map: ReadonlyMap<Sym, Expr>): (e: Expr) => Expr {
  let mask = 0n;
  for (const s of map.keys()) mask |= s.free;
  const go = memoWalk<Expr>(
    (x, go) => {
      switch (x.kind) {
        case 'num':
          return x;
        case 'sym':
          return map.get(x) ?? x;
        case 'add': {
          const b = new SumBuilder();
          b.constant = x.constant;
          for (let i = 0; i < x.terms.length; i++) b.add(go(x.terms[i]!), x.coeffs[i]!);
          return b.build();
        }
        case 'mul': {
          const pb = new ProductBuilder();
          pb.coeff = x.coeff;
          for (let i = 0; i < x.bases.length; i++) {
            const k = x.exps[i]!;
            const nb = go(x.bases[i]!);
            if (k.isInteger()) pb.mul(nb, k);
            else pb.mul(pow(nb, k));
          }
          return pb.build();
        }
        case 'pow':
          return pow(go(x.base), go(x.exp));
        case 'call':
          return call(x.fn, go(x.arg));
      }
    },
    (x) => ((x.free & mask) === 0n ? x : undefined),
  );
  return go;
}

export type Env = ReadonlyMap<Sym, number> | Readonly<Record<string, number>>;

function lookup(env: Env, s: Sym): number {
  const c = constantSymbolValue(s);
  if (c !== undefined) return c;
  const v = env instanceof Map ? env.get(s) : Object.hasOwn(env, s.name) ? (env as Record<string, number>)[s.name] : undefined;
  if (v === undefined) throw new EvaluationError(`no value given for the symbol '${s.name}'`);
  if (typeof v !== 'number') throw new EvaluationError(`the value given for the symbol '${s.name}' must be a number (got ${describe(v)})`);
  return v;
}

/**
 * subs's map as a Map from symbols to expressions: a Map keyed by symbols or names, or a plain object of
 * name → expression or number; anything else is an InputError naming the argument.
 */
function substitutionMap(map: unknown): ReadonlyMap<Sym, Expr> {
  const entries: Array<[unknown, unknown]> =
    map instanceof Map ? [...map.entries()] : typeof map === 'object' && map !== null && !Array.isArray(map) && !isExpr(map) ? Object.entries(map) : [];
  if (entries.length === 0 && !(map instanceof Map) && (typeof map !== 'object' || map === null || Array.isArray(map) || isExpr(map))) {
    throw new InputError(`subs(e, map): map must be a Map from symbols to expressions or an object { name: expression or number } (got ${describe(map)})`);
  }
  const out = new Map<Sym, Expr>();
  for (const [k, v] of entries) {
    const [s] = symbolsFrom('subs(e, map): the keys of map', [k]);
    const x = typeof v === 'number' ? numberExpr(s!.name, v) : requireExpr(`subs(e, map): the value for '${s!.name}'`, v);
    out.set(s!, x);
  }
  return out;
}

function numberExpr(name: string, v: number): Expr {
  if (!Number.isFinite(v)) throw new InputError(`subs(e, map): the value for '${name}' must be finite (got ${v})`);
  return num(Rational.fromFloat(v));
}

/**
 * float64 value of a registered function, plus the roots `sqrt` and `cbrt` that code generation
 * introduces for rational powers; an EvaluationError for an unknown name.
 */
export function applyFunction(fn: string, u: number): number {
  if (fn === 'sqrt') return Math.sqrt(u);
  if (fn === 'cbrt') return Math.cbrt(u);
  const f = findFunction(fn);
  if (f === undefined) throw new EvaluationError(`unknown function ${fn}`);
  return f.evaluate(u);
}

function powRat(x: number, k: Rational): number {
  if (k.isInteger()) {
    const n = k.toNumber();
    if (n === 1) return x;
    if (n === 2) return x * x;
    if (n === -1) return 1 / x;
    return Math.pow(x, n);
  }
  const n = Number(k.num);
  const d = Number(k.den);
  if (d === 2) return n === 1 ? Math.sqrt(x) : Math.pow(Math.sqrt(x), n);
  // odd roots of negative numbers are real
  if (x < 0 && d % 2 === 1) return (n % 2 === 0 ? 1 : -1) * Math.pow(-x, n / d);
  return Math.pow(x, n / d);
}

/**
 * float64 value of e; throws EvaluationError naming the sub-expression when the
 * result is not finite (never a silent NaN).
 */
export function evaluate(e: Expr, env: Env, opts: { allowNonFinite?: boolean } = {}): number {
  requireExpr('evaluate(e, env): e', e);
  if (typeof env !== 'object' || env === null) throw new InputError(`evaluate(e, env): env must be an object { name: value } or a Map from symbols to values (got ${describe(env)})`);
  const go = memoWalk<number>(
    (x, go) => {
      switch (x.kind) {
        case 'num':
          return x.value.toNumber();
        case 'sym':
          return lookup(env, x);
        case 'add': {
          let r = x.constant.toNumber();
          for (let i = 0; i < x.terms.length; i++) r += x.coeffs[i]!.toNumber() * go(x.terms[i]!);
          return r;
        }
        case 'mul': {
          let r = x.coeff.toNumber();
          for (let i = 0; i < x.bases.length; i++) r *= powRat(go(x.bases[i]!), x.exps[i]!);
          return r;
        }
        case 'pow': {
          const b = go(x.base);
          if (x.exp.kind === 'num') return powRat(b, x.exp.value);
          const k = go(x.exp);
          // Math.pow(NaN, 0) is 1: a NaN must not disappear
          return Number.isNaN(b) || Number.isNaN(k) ? NaN : Math.pow(b, k);
        }
        case 'call':
          return applyFunction(x.fn, go(x.arg));
      }
    },
    (x) => (x.kind === 'num' ? x.value.toNumber() : x.kind === 'sym' ? lookup(env, x) : undefined),
  );
  const v = go(e);
  if (!opts.allowNonFinite && !Number.isFinite(v)) {
    throw new EvaluationError(`the expression evaluates to ${v} at this point (a pole, an overflow, or a function outside its domain)`);
  }
  return v;
}
