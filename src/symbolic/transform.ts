/**
 * Substitution and float64 evaluation. Both walk the expression as a DAG
 * (each shared node visited once per call).
 */
import { Rational } from './rational.ts';
import { InputError } from '../errors.ts';
import { type Expr, type Sym, SumBuilder, ProductBuilder, call, pow } from './expr.ts';

/** Replace symbols by expressions, simultaneously: subs(x·y, {x: y, y: x}) = y·x. */
export function subs(e: Expr, map: ReadonlyMap<Sym, Expr>): Expr {
  let mask = 0n;
  for (const s of map.keys()) mask |= s.free;
  const memo = new Map<Expr, Expr>();
  const go = (x: Expr): Expr => {
    if ((x.free & mask) === 0n) return x;
    const hit = memo.get(x);
    if (hit !== undefined) return hit;
    let r: Expr;
    switch (x.kind) {
      case 'num':
        r = x;
        break;
      case 'sym':
        r = map.get(x) ?? x;
        break;
      case 'add': {
        const b = new SumBuilder();
        b.constant = x.constant;
        for (let i = 0; i < x.terms.length; i++) b.add(go(x.terms[i]!), x.coeffs[i]!);
        r = b.build();
        break;
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
        r = pb.build();
        break;
      }
      case 'pow':
        r = pow(go(x.base), go(x.exp));
        break;
      case 'call':
        r = call(x.fn, go(x.arg));
        break;
    }
    memo.set(x, r);
    return r;
  };
  return go(e);
}

export type Env = ReadonlyMap<Sym, number> | Readonly<Record<string, number>>;

/** Raised when an evaluation produces NaN or ±∞ (a pole, log of a negative, …). */
export class EvaluationError extends InputError {}

function lookup(env: Env, s: Sym): number {
  const v = env instanceof Map ? env.get(s) : Object.hasOwn(env, s.name) ? (env as Record<string, number>)[s.name] : undefined;
  if (v === undefined) throw new EvaluationError(`no value given for the symbol '${s.name}'`);
  return v;
}

/** σ(u) = 1/(1 + e^{−u}), stable on both sides. */
export function stableSigmoid(u: number): number {
  if (u >= 0) return 1 / (1 + Math.exp(-u));
  const z = Math.exp(u);
  return z / (1 + z);
}

/** log(1 + e^u) without overflow or cancellation. */
export function stableSoftplus(u: number): number {
  return u > 0 ? u + Math.log1p(Math.exp(-u)) : Math.log1p(Math.exp(u));
}

/** float64 value of a core function (plus log1p, sqrt, cbrt, which code generation introduces). */
export function applyFunction(fn: string, u: number): number {
  switch (fn) {
    case 'exp':
      return Math.exp(u);
    case 'log':
      return Math.log(u);
    case 'log1p':
      return Math.log1p(u);
    case 'sqrt':
      return Math.sqrt(u);
    case 'cbrt':
      return Math.cbrt(u);
    case 'sin':
      return Math.sin(u);
    case 'cos':
      return Math.cos(u);
    case 'tanh':
      return Math.tanh(u);
    case 'sigmoid':
      return stableSigmoid(u);
    case 'softplus':
      return stableSoftplus(u);
    default:
      throw new EvaluationError(`unknown function ${fn}`);
  }
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
  const memo = new Map<Expr, number>();
  const go = (x: Expr): number => {
    if (x.kind === 'num') return x.value.toNumber();
    if (x.kind === 'sym') return lookup(env, x);
    const hit = memo.get(x);
    if (hit !== undefined) return hit;
    let r: number;
    switch (x.kind) {
      case 'add': {
        r = x.constant.toNumber();
        for (let i = 0; i < x.terms.length; i++) r += x.coeffs[i]!.toNumber() * go(x.terms[i]!);
        break;
      }
      case 'mul': {
        r = x.coeff.toNumber();
        for (let i = 0; i < x.bases.length; i++) r *= powRat(go(x.bases[i]!), x.exps[i]!);
        break;
      }
      case 'pow': {
        const b = go(x.base);
        if (x.exp.kind === 'num') r = powRat(b, x.exp.value);
        else {
          const k = go(x.exp);
          // Math.pow(NaN, 0) is 1: a NaN must not disappear
          r = Number.isNaN(b) || Number.isNaN(k) ? NaN : Math.pow(b, k);
        }
        break;
      }
      case 'call':
        r = applyFunction(x.fn, go(x.arg));
        break;
    }
    memo.set(x, r);
    return r;
  };
  const v = go(e);
  if (!opts.allowNonFinite && !Number.isFinite(v)) {
    throw new EvaluationError(`the expression evaluates to ${v} at this point (a pole, an overflow, or a function outside its domain)`);
  }
  return v;
}
