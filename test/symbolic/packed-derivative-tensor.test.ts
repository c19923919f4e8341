/**
 * derivativeTensor(e, params, k, { expanded: true }) on polynomials over Q: the packed sparse polynomial
 * route (src/symbolic/packed-poly.ts) against two independent routes —
 * - the expression route: differentiate in the expression core, then `expand` every entry;
 * - a brute-force exponent-vector derivative written here: a polynomial as a map from exponent vectors to
 *   exact rationals, ∂^k along (i1..ik) by falling factorials, rebuilt as an expression and expanded.
 * The results must be the same canonical objects (hash-consed: `toBe`).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Rational, type Expr, type Sym, add, derivativeTensor, exp, expand, mul, num, parseExpr, pow, sym, PI } from '../../src/symbolic/index.ts';
import { PackedRing, WidePackedRing, polynomialSupport, withPackedPolynomial } from '../../src/symbolic/packed-poly.ts';

/** a polynomial as exponent vectors (over `vars`) → coefficient */
type Poly = Map<string, { exps: number[]; c: Rational }>;

function polyExpr(p: Poly, vars: readonly Sym[]): Expr {
  const terms: Expr[] = [];
  for (const { exps, c } of p.values()) {
    if (c.isZero()) continue;
    const factors: Expr[] = [num(c)];
    exps.forEach((d, j) => {
      if (d > 0) factors.push(pow(vars[j]!, d));
    });
    terms.push(mul(...factors));
  }
  return expand(add(...terms));
}

/** ∂/∂x_j by the power rule on every exponent vector */
function bruteDiff(p: Poly, j: number): Poly {
  const out: Poly = new Map();
  for (const { exps, c } of p.values()) {
    if (exps[j]! === 0) continue;
    const e = [...exps];
    e[j]! -= 1;
    const key = e.join(',');
    const prev = out.get(key);
    const term = c.mul(Rational.int(exps[j]!));
    out.set(key, { exps: e, c: prev ? prev.c.add(term) : term });
  }
  return out;
}

/** the sorted index tuples i1 ≤ … ≤ ik over n parameters, in lexicographic order */
function indexTuples(n: number, k: number): number[][] {
  if (k === 0) return [[]];
  const out: number[][] = [];
  for (const head of indexTuples(n, k - 1)) for (let j = head.length ? head[head.length - 1]! : 0; j < n; j++) out.push([...head, j]);
  return out;
}

const vars = ['x', 'y', 'z', 'c'].map((s) => sym(s));

const rational = fc.tuple(fc.integer({ min: -40, max: 40 }), fc.integer({ min: 1, max: 12 })).map(([p, q]) => Rational.of(p, q));
const monomial = fc.record({ exps: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 4, maxLength: 4 }), c: rational });
const polynomial = fc.array(monomial, { minLength: 0, maxLength: 7 }).map((ms) => {
  const p: Poly = new Map();
  for (const m of ms) {
    const key = m.exps.join(',');
    const prev = p.get(key);
    p.set(key, { exps: m.exps, c: prev ? prev.c.add(m.c) : m.c });
  }
  return p;
});
/** parameters: indices into x, y, z (c is never a parameter: a symbol of the loss besides them), repeats allowed */
const paramIndices = fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 });

describe('derivativeTensor({ expanded: true }) on polynomials: packed route', () => {
  it('equals the expression route and a brute-force exponent-vector derivative (random polynomials over Q)', () => {
    fc.assert(
      fc.property(polynomial, paramIndices, fc.integer({ min: 0, max: 3 }), (p, idx, k) => {
        const e = polyExpr(p, vars);
        const params = idx.map((i) => vars[i]!);
        const packed = derivativeTensor(e, params, k, { expanded: true });
        const viaExpressions = derivativeTensor(e, params, k).map((t) => expand(t.value));
        const tuples = indexTuples(params.length, k);
        expect(packed.map((t) => t.index)).toEqual(tuples);
        packed.forEach((t, i) => {
          expect(t.value).toBe(viaExpressions[i]);
          let q = p;
          for (const a of t.index) q = bruteDiff(q, idx[a]!);
          expect(t.value).toBe(polyExpr(q, vars));
        });
      }),
      { numRuns: 250, seed: 2026 },
    );
  });

  it('P1 at n = 6: every third partial of ½(w1·…·w6 − 1)² as the expression route gives it', () => {
    const w = Array.from({ length: 6 }, (_, i) => sym(`pw${i + 1}`));
    const L = mul(num(Rational.HALF), pow(add(mul(...w), num(-1)), 2));
    const packed = derivativeTensor(L, w, 3, { expanded: true });
    const ref = derivativeTensor(L, w, 3).map((t) => expand(t.value));
    expect(packed).toHaveLength(56);
    packed.forEach((t, i) => expect(t.value).toBe(ref[i]));
    // closed form of one entry with distinct indices: ∂³L/∂w1∂w2∂w3 = 4·w1w2w3·(w4w5w6)² − w4w5w6
    const rest = mul(w[3]!, w[4]!, w[5]!);
    expect(packed[tuplePosition(6, [0, 1, 2])]!.value).toBe(expand(add(mul(num(4), w[0]!, w[1]!, w[2]!, pow(rest, 2)), mul(num(-1), rest))));
  });

  it('many variables of high degree (bigint keys) and coefficients past 2^53 (expression route) give the same entries', () => {
    const many = Array.from({ length: 12 }, (_, i) => sym(`mv${i}`));
    // 12 variables, degree 40: 6 bits each, 72 bits — past one float64 key
    const wide = expand(add(mul(num(Rational.of(3, 7)), pow(many[0]!, 40), many[11]!), mul(...many), pow(many[5]!, 3)));
    // a safe coefficient that leaves the safe range when differentiated ((2^50 + 1)·40·39·38: not exact in a float64)
    const big = expand(add(mul(num(Rational.int(2n ** 50n + 1n)), pow(many[0]!, 40)), many[1]!));
    // a coefficient past the safe range from the start
    const huge = expand(mul(num(Rational.int(2n ** 70n + 1n)), pow(many[0]!, 3), many[1]!));
    expect(withPackedPolynomial(wide, many.slice(0, 3), (pp) => pp.ring instanceof WidePackedRing)).toBe(true);
    for (const e of [wide, big, huge]) {
      for (const k of [1, 3]) {
        const params = many.slice(0, 3);
        const packed = derivativeTensor(e, params, k, { expanded: true });
        const ref = derivativeTensor(e, params, k).map((t) => expand(t.value));
        packed.forEach((t, i) => expect(t.value).toBe(ref[i]));
      }
    }
    expect(derivativeTensor(big, many.slice(0, 1), 3, { expanded: true })[0]!.value).toBe(expand(mul(num(Rational.int((2n ** 50n + 1n) * 40n * 39n * 38n)), pow(many[0]!, 37))));
  });
});

/** the position of a sorted index tuple in derivativeTensor's lexicographic order */
function tuplePosition(n: number, tuple: readonly number[]): number {
  return indexTuples(n, tuple.length).findIndex((t) => t.join(',') === tuple.join(','));
}

describe('withPackedPolynomial / polynomialSupport: which expressions the packed route takes', () => {
  const x = vars[0]!;
  const y = vars[1]!;
  it('takes polynomials over Q in any symbols, the leading ones first (repeats once), the others after in name order', () => {
    const e = expand(parseExpr('x^3*c - 2/3*y + b'));
    expect(polynomialSupport(e)?.maxDegree).toBe(3);
    const seen = withPackedPolynomial(e, [y, x, y], (pp) => ({ index: pp.index, den: pp.den, back: pp.ring.toExpr(pp.poly, Rational.of(1n, pp.den)) }));
    expect(seen).toBeDefined();
    expect(seen!.index).toEqual([0, 1, 0]);
    expect(seen!.den).toBe(3n);
    expect(seen!.back).toBe(e);
    expect(withPackedPolynomial(expand(parseExpr('7/2')), [x], (pp) => pp.ring.toExpr(pp.poly, Rational.of(1n, pp.den)))).toBe(num(Rational.of(7, 2)));
  });

  it('declines functions, negative or fractional powers, π and coefficients past the safe integers', () => {
    const declined = [exp(x), expand(parseExpr('x^(-1) + y')), expand(parseExpr('x^(1/2)*y')), expand(mul(PI, x)), expand(mul(num(Rational.int(2n ** 60n)), x))];
    for (const e of declined) expect(withPackedPolynomial(e, [x, y], () => 'taken'), e.toString()).toBeUndefined();
    expect(polynomialSupport(exp(x))).toBeUndefined();
  });

  it('exponents(key) decodes the whole exponent vector as exponent(key, j) does, in both rings', () => {
    const threeVars = vars.slice(0, 3);
    const narrow = new PackedRing(threeVars, 5);
    const wide = new WidePackedRing(threeVars, 21);
    for (const text of ['x^31*y^2*z', 'y^17', 'x*z^30', '1']) {
      const e = expand(parseExpr(text));
      const kn = narrow.fromExpanded(e)!.poly.keys[0]!;
      const kw = wide.fromExpanded(e)!.poly.keys[0]!;
      expect(narrow.exponents(kn, []), text).toEqual(threeVars.map((_, j) => narrow.exponent(kn, j)));
      expect(wide.exponents(kw, []), text).toEqual(threeVars.map((_, j) => wide.exponent(kw, j)));
      expect(narrow.exponents(kn, [])).toEqual(wide.exponents(kw, []));
    }
  });
});
