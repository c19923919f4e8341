/**
 * Expansion to canonical polynomial form: products of sums and positive integer
 * powers of sums are multiplied out, recursively, so that two polynomials that are
 * equal are the same object. Non-polynomial parts (exp(·), 1/(a+b), …) become
 * opaque "variables" whose arguments are expanded in turn (GiNaC's `expand`).
 *
 * The inner loop multiplies monomials by merging their sorted factor lists, and
 * accumulates like terms in a hash map keyed by the (interned) monomial.
 */
import { Rational } from './rational.ts';
import { type Expr, type Mul, requireExpr, SumBuilder, ProductBuilder, call, chargeWork, compareExpr, mulUnits, num, pow, splitCoefficient, ONE } from './expr.ts';

/** A polynomial in expansion: list of (coefficient, unit monomial). */
type Terms = Array<[Rational, Expr]>;

export function expand(e: Expr): Expr {
  const memo = (e as Expr | null | undefined)?._x;
  if (memo !== undefined) return memo;
  requireExpr('expand(e): e', e);
  const r = expandUncached(e);
  e._x = r;
  r._x = r;
  return r;
}

function expandUncached(e: Expr): Expr {
  switch (e.kind) {
    case 'num':
    case 'sym':
      return e;
    case 'call':
      return call(e.fn, expand(e.arg));
    case 'pow':
      return pow(expand(e.base), expand(e.exp));
    case 'add': {
      const b = new SumBuilder();
      b.constant = e.constant;
      for (let i = 0; i < e.terms.length; i++) b.add(expand(e.terms[i]!), e.coeffs[i]!);
      return b.build();
    }
    case 'mul':
      return expandMul(e);
  }
}

function termsOf(e: Expr): Terms {
  if (e.kind === 'add') {
    const out: Terms = e.terms.map((t, i) => [e.coeffs[i]!, t]);
    if (!e.constant.isZero()) out.push([e.constant, ONE]);
    return out;
  }
  if (e.kind === 'num') return [[e.value, ONE]];
  return [splitCoefficient(e)];
}

function expandMul(m: Mul): Expr {
  // fast path: no base changes under expansion and none is a sum raised to a natural power →
  // m is already an expanded monomial (the common case in derivative tensors)
  let unchanged = true;
  for (let i = 0; i < m.bases.length; i++) {
    const b = m.bases[i]!;
    if (expand(b) !== b || (b.kind === 'add' && m.exps[i]!.isInteger() && !m.exps[i]!.isNegative())) {
      unchanged = false;
      break;
    }
  }
  if (unchanged) return m;
  // the opaque factors (not sums to natural powers) multiply into one monomial, built once
  const mono = new ProductBuilder();
  let hasMono = false;
  const sums: Array<[Expr, Rational]> = [];
  for (let i = 0; i < m.bases.length; i++) {
    const base = expand(m.bases[i]!);
    const k = m.exps[i]!;
    if (base.kind === 'add' && k.isInteger() && !k.isNegative()) sums.push([base, k]);
    else if (base.kind === 'add' || base.kind === 'num') { const p = pow(base, num(k)); sums.push([p.kind === 'add' ? expand(p) : p, Rational.ONE]); }
    else {
      mono.mul(base, k);
      hasMono = true;
    }
  }
  let acc: Terms = [[m.coeff, ONE]];
  if (hasMono) {
    const p = mono.build();
    acc = p.kind === 'add' ? multiplyTerms(acc, termsOf(expand(p))) : multiplyTerms(acc, termsOf(p));
  }
  for (const [base, k] of sums) {
    const factor: Terms =
      base.kind === 'add' && k.isInteger() && !k.isNegative() && !k.isOne()
        ? powerTerms(termsOf(base), k.toNumber())
        : termsOf(base.kind === 'add' && !k.isOne() ? expand(base) : base);
    acc = multiplyTerms(acc, factor);
  }
  return buildTerms(acc);
}

function powerTerms(t: Terms, k: number): Terms {
  let result: Terms = [[Rational.ONE, ONE]];
  let base = t;
  while (k > 0) {
    if (k & 1) result = multiplyTerms(result, base);
    k >>= 1;
    if (k > 0) base = multiplyTerms(base, base);
  }
  return result;
}

function multiplyTerms(a: Terms, b: Terms): Terms {
  if (a.length === 1 && a[0]![1] === ONE) {
    const c = a[0]![0];
    return c.isOne() ? b : b.map(([k, t]) => [k.mul(c), t]);
  }
  if (b.length === 1 && b[0]![1] === ONE) {
    const c = b[0]![0];
    return c.isOne() ? a : a.map(([k, t]) => [k.mul(c), t]);
  }
  chargeWork(a.length * b.length);
  const acc = new Map<Expr, Rational>();
  let constant = Rational.ZERO;
  for (const [ka, ta] of a) {
    for (const [kb, tb] of b) {
      const [c, t] = mulMonomials(ta, tb);
      const k = c.isOne() ? ka.mul(kb) : ka.mul(kb).mul(c);
      if (t === ONE) {
        constant = constant.add(k);
        continue;
      }
      const prev = acc.get(t);
      acc.set(t, prev === undefined ? k : prev.add(k));
    }
  }
  const out: Terms = [];
  for (const [t, k] of acc) if (!k.isZero()) out.push([k, t]);
  if (!constant.isZero()) out.push([constant, ONE]);
  return out;
}

function buildTerms(t: Terms): Expr {
  const b = new SumBuilder();
  for (const [k, e] of t) b.add(e, k);
  return b.build();
}

// Monomial products, memoised per pair: expansions multiply the same monomials many times.
// Keyed weakly by the first factor, so the memo lives as long as the monomials it relates.
let productMemo = new WeakMap<Expr, Map<Expr, [Rational, Expr]>>();

/** (c, u) with a·b = c·u, u a unit monomial (or ONE). */
export function mulMonomials(a: Expr, b: Expr): [Rational, Expr] {
  if (a === ONE) return [Rational.ONE, b];
  if (b === ONE) return [Rational.ONE, a];
  if (compareExpr(a, b) > 0) [a, b] = [b, a];
  let inner = productMemo.get(a);
  if (inner === undefined) {
    inner = new Map();
    productMemo.set(a, inner);
  }
  const hit = inner.get(b);
  if (hit !== undefined) return hit;
  const r = mulUnits(a, b);
  inner.set(b, r);
  return r;
}

/** Drop memo tables (they hold on to expressions). */
export function clearExpandMemo(): void {
  productMemo = new WeakMap();
}
