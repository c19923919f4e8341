/**
 * Symbolic zero test for the invariance identities (docs/theory/eom.md, "Scale- and translation-invariant layers").
 *
 * `expand` alone decides zero for polynomials, but an identity such as the Euler identity of a
 * weight-normalised unit,  Σ w_i ∂L/∂w_i = 2r·( (w·x) S^{-1/2} − (w·x)(Σ w_i²) S^{-3/2} ),  S = Σ w_i²,
 * is zero only once the radicand S is recognised inside S^{-3/2}: after expansion the terms
 * w_i² S^{-3/2} and S^{-1/2} are different monomials. `proveZero` therefore rationalises:
 *
 *  1. x = expand(e); zero → proved.
 *  2. Every sum B that occurs as a factor with a negative or fractional exponent (a denominator or a
 *     radical) is normalised to B = c·B̂ (c > 0 the absolute leading coefficient) and replaced by a fresh
 *     symbol r with r^q = B̂ (q the lcm of the exponent denominators): B̂^{p/q} → r^p.
 *  3. x is multiplied by r^N (N a multiple of q large enough to clear every negative power — a non-zero
 *     factor B̂^{N/q} on the domain), expanded, and every r^k with k ≥ q is reduced with r^q = B̂
 *     (B̂ re-entering as a polynomial, multiplied out by `expand`). Repeated to a fixed point.
 *  4. Zero after this → proved.
 *
 * What "proved" means: e ≡ 0 as a function on the domain where it is defined (radicands positive,
 * denominators non-zero): every step multiplies by a non-vanishing factor or uses the defining identity
 * (B̂^{1/q})^q = B̂ there. Sub-expressions inside exp/log/… are opaque atoms (compared by their canonical
 * expanded arguments). If the test fails, e is evaluated at random points: a clearly non-zero value is a
 * witness (`disproved`); otherwise the status is `unproved` (zero numerically, no symbolic proof).
 */
import {
  type Expr,
  type Sym,
  Rational,
  ZERO,
  ONE,
  evaluate,
  EvaluationError,
  expand,
  freeSymbols,
  num,
  pow,
  scale,
  sym,
} from '../../symbolic/index.ts';
import { SumBuilder } from '../../symbolic/expr.ts';
import { ProductBuilder } from '../../symbolic/expr.ts';

export type ProofStatus = 'proved' | 'disproved' | 'unproved';

export interface ZeroProof {
  readonly status: ProofStatus;
  /** how: 'expand' (canonical expansion is 0), 'rationalize' (after clearing radicals/denominators), or 'numeric' */
  readonly method: 'expand' | 'rationalize' | 'numeric';
  /** for 'disproved': a point and the (non-zero) value there */
  readonly witness?: { point: Record<string, number>; value: number };
}

let fresh = 0;
const radicalSymbols = new Map<Expr, Sym>();

function gcd(a: bigint, b: bigint): bigint {
  while (b) [a, b] = [b, a % b];
  return a < 0n ? -a : a;
}

/** leading (first canonical) coefficient of a sum */
function normalise(B: Expr): { c: Rational; hat: Expr } {
  if (B.kind !== 'add') return { c: Rational.ONE, hat: B };
  const lead = B.coeffs[0]!;
  const c = lead.isNegative() ? lead.neg() : lead;
  return { c, hat: scale(B, c.inv()) };
}

interface Radical {
  r: Sym;
  hat: Expr;
  q: bigint;
}

/** Terms of an expanded expression as [coefficient, unit] pairs (unit ONE for the constant). */
function termsOf(x: Expr): Array<[Rational, Expr]> {
  if (x.kind === 'add') {
    const out: Array<[Rational, Expr]> = x.terms.map((t, i) => [x.coeffs[i]!, t]);
    if (!x.constant.isZero()) out.push([x.constant, ONE]);
    return out;
  }
  if (x.kind === 'num') return x.value.isZero() ? [] : [[x.value, ONE]];
  if (x.kind === 'mul') return [[x.coeff, x.coeff.isOne() ? x : scale(x, x.coeff.inv())]];
  return [[Rational.ONE, x]];
}

function factorsOf(u: Expr): Array<[Expr, Rational]> {
  if (u === ONE) return [];
  if (u.kind === 'mul') return u.bases.map((b, i) => [b, u.exps[i]!]);
  return [[u, Rational.ONE]];
}

const needsRationalising = (b: Expr, k: Rational): boolean => b.kind === 'add' && !(k.isInteger() && !k.isNegative());

/** One rationalisation pass; returns the new expanded expression (or the same when nothing to do). */
function rationalisePass(x: Expr): Expr {
  const terms = termsOf(x);
  // collect radicands and exponent denominators
  const rads = new Map<Expr, Radical>();
  for (const [, u] of terms) {
    for (const [b, k] of factorsOf(u)) {
      if (!needsRationalising(b, k)) continue;
      const { hat } = normalise(b);
      let rad = rads.get(hat);
      if (!rad) {
        let r = radicalSymbols.get(hat);
        if (!r) {
          r = sym(`__eomkit_radical_${fresh++}`);
          radicalSymbols.set(hat, r);
        }
        rad = { r, hat, q: 1n };
        rads.set(hat, rad);
      }
      rad.q = (rad.q * k.den) / gcd(rad.q, k.den);
    }
  }
  if (rads.size === 0) return x;
  // rewrite each term: B^k = c^k B̂^k = c^k r^{k q}; record r-exponents
  const rewritten: Array<{ coeff: Rational; rest: ProductBuilder; rexp: Map<Radical, bigint> }> = [];
  const minExp = new Map<Radical, bigint>();
  for (const [c, u] of terms) {
    const rest = new ProductBuilder();
    rest.coeff = c;
    const rexp = new Map<Radical, bigint>();
    for (const [b, k] of factorsOf(u)) {
      if (!needsRationalising(b, k)) {
        rest.mul(b, k);
        continue;
      }
      const { c: cb, hat } = normalise(b);
      const rad = rads.get(hat)!;
      if (!cb.isOne()) rest.mul(pow(num(cb), k));
      const e = (k.num * rad.q) / k.den;
      rexp.set(rad, (rexp.get(rad) ?? 0n) + e);
    }
    rewritten.push({ coeff: c, rest, rexp });
    for (const rad of rads.values()) {
      const e = rexp.get(rad) ?? 0n;
      const m = minExp.get(rad);
      if (m === undefined || e < m) minExp.set(rad, e);
    }
  }
  // shift: multiply by r^N, N ≥ −min and a multiple of q; then reduce r^k, k ≥ q, by r^q = B̂
  const shift = new Map<Radical, bigint>();
  for (const rad of rads.values()) {
    const m = minExp.get(rad)!;
    const need = m < 0n ? -m : 0n;
    shift.set(rad, ((need + rad.q - 1n) / rad.q) * rad.q);
  }
  const out = new SumBuilder();
  for (const { rest, rexp } of rewritten) {
    for (const rad of rads.values()) {
      const e = (rexp.get(rad) ?? 0n) + shift.get(rad)!;
      const full = e / rad.q;
      const part = e % rad.q;
      if (part) rest.mul(rad.r, Rational.int(part));
      if (full) rest.mul(rad.hat, Rational.int(full));
    }
    out.add(rest.build());
  }
  return expand(out.build());
}

function randomPoints(symbols: readonly Sym[], count: number, seed: number): Array<Record<string, number>> {
  let s = seed >>> 0;
  const rnd = (): number => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const pts: Array<Record<string, number>> = [];
  for (let i = 0; i < count; i++) {
    const p: Record<string, number> = {};
    for (const v of symbols) p[v.name] = (rnd() < 0.5 ? -1 : 1) * (0.3 + 1.4 * rnd());
    pts.push(p);
  }
  return pts;
}

/**
 * Prove e ≡ 0 symbolically (see the module comment for what is proved); `symbols` are the free symbols to
 * sample for the numeric fallback (default: every free symbol of e).
 */
export function proveZero(e: Expr, symbols?: readonly Sym[]): ZeroProof {
  let x = expand(e);
  if (x === ZERO) return { status: 'proved', method: 'expand' };
  for (let pass = 0; pass < 6; pass++) {
    const y = rationalisePass(x);
    if (y === ZERO) return { status: 'proved', method: 'rationalize' };
    if (y === x) break;
    x = y;
  }
  // numeric fallback: a witness, or "zero numerically but not proved"
  const syms = symbols ?? freeSymbols(e);
  for (const p of randomPoints(syms, 8, 12345)) {
    let v: number;
    try {
      v = evaluate(e, p);
    } catch (err) {
      if (err instanceof EvaluationError) continue;
      throw err;
    }
    if (Math.abs(v) > 1e-8) return { status: 'disproved', method: 'numeric', witness: { point: p, value: v } };
  }
  return { status: 'unproved', method: 'numeric' };
}
