/** Expansion to canonical polynomial form, checked against brute-force coefficients. */
import { describe, expect, it } from 'vitest';
import { ONE, Rational, add, evaluate, exp, expand, mul, num, parseExpr, pow, product, sum, sym, type Expr } from '../../src/symbolic/index.ts';
import { close, rng } from './support.ts';

const P = (s: string) => parseExpr(s);

/** The polynomial as a map "a^i*b^j…" (sorted names) → coefficient, read straight off the node structure. */
function coefficients(e: Expr): Map<string, string> {
  const out = new Map<string, string>();
  const mono = (t: Expr): string => {
    if (t.kind === 'sym') return `${t.name}^1`;
    if (t.kind !== 'mul') throw new Error(`not a monomial: kind ${t.kind}`);
    return t.bases
      .map((b, i) => {
        if (b.kind !== 'sym') throw new Error(`not a monomial: base of kind ${b.kind}`);
        if (!t.exps[i]!.isInteger() || t.exps[i]!.isNegative()) throw new Error(`not a monomial: exponent ${t.exps[i]}`);
        return `${b.name}^${t.exps[i]}`;
      })
      .sort()
      .join('*');
  };
  const put = (k: string, c: Rational) => {
    if (out.has(k)) throw new Error(`monomial ${k} occurs twice`);
    out.set(k, c.toString());
  };
  if (e.kind === 'num') {
    if (!e.value.isZero()) put('1', e.value);
  } else if (e.kind === 'add') {
    e.terms.forEach((t, i) => put(mono(t), e.coeffs[i]!));
    if (!e.constant.isZero()) put('1', e.constant);
  } else if (e.kind === 'mul') {
    put(mono(mul(num(e.coeff.inv()), e)), e.coeff);
  } else put(mono(e), Rational.ONE);
  return out;
}

const fact = (n: number): bigint => (n <= 1 ? 1n : BigInt(n) * fact(n - 1));
const binom = (n: number, k: number): bigint => fact(n) / (fact(k) * fact(n - k));

describe('expansion against brute-force coefficients', () => {
  it('(a+b+c)^5: 21 monomials with multinomial coefficients 5!/(i!j!k!)', () => {
    const got = coefficients(expand(P('(a+b+c)^5')));
    const want = new Map<string, string>();
    for (let i = 0; i <= 5; i++)
      for (let j = 0; i + j <= 5; j++) {
        const k = 5 - i - j;
        const key = [i && `a^${i}`, j && `b^${j}`, k && `c^${k}`].filter(Boolean).sort().join('*');
        want.set(key, (fact(5) / (fact(i) * fact(j) * fact(k))).toString());
      }
    expect(got).toEqual(want);
    expect(got.size).toBe(21);
  });

  it('(x+1)^n for n = 1…64: binomial coefficients, exact beyond 2^53', () => {
    for (const n of [1, 2, 3, 7, 13, 30, 57, 64]) {
      const got = coefficients(expand(pow(add(sym('x'), ONE), n)));
      const want = new Map<string, string>();
      for (let k = 0; k <= n; k++) want.set(k === 0 ? '1' : `x^${k}`, binom(n, k).toString());
      expect(got, `(x+1)^${n}`).toEqual(want);
    }
    expect(binom(64, 32) > 2n ** 53n).toBe(true);
  });

  it('(2x − 3y/2)^7 coefficients: C(7,k)·2^k·(−3/2)^(7−k)', () => {
    const got = coefficients(expand(P('(2*x - 3*y/2)^7')));
    for (let k = 0; k <= 7; k++) {
      const key = [k && `x^${k}`, 7 - k && `y^${7 - k}`].filter(Boolean).sort().join('*');
      const c = Rational.of(binom(7, k)).mul(Rational.of(2).powInt(k)).mul(Rational.of(-3, 2).powInt(7 - k));
      expect(got.get(key), key).toBe(c.toString());
    }
  });

  it('a product of random linear factors: coefficients equal a brute-force polynomial multiplication', () => {
    const next = rng(21);
    const names = ['x', 'y', 'z'];
    for (let trial = 0; trial < 20; trial++) {
      // factors c0 + c1 x + c2 y + c3 z with small integer coefficients
      const factors = Array.from({ length: 2 + Math.floor(next() * 4) }, () => [0, 1, 2, 3].map(() => Math.floor(next() * 7) - 3));
      // brute force over exponent vectors
      let poly = new Map<string, bigint>([['0,0,0', 1n]]);
      for (const f of factors) {
        const nextPoly = new Map<string, bigint>();
        for (const [key, c] of poly) {
          const ex = key.split(',').map(Number);
          f.forEach((fc, v) => {
            if (fc === 0) return;
            const e2 = [...ex];
            if (v > 0) e2[v - 1]!++;
            const k2 = e2.join(',');
            nextPoly.set(k2, (nextPoly.get(k2) ?? 0n) + c * BigInt(fc));
          });
        }
        poly = nextPoly;
      }
      const want = new Map<string, string>();
      for (const [key, c] of poly) {
        if (c === 0n) continue;
        const ex = key.split(',').map(Number);
        const k = names.map((n, i) => ex[i] && `${n}^${ex[i]}`).filter(Boolean).sort().join('*') || '1';
        want.set(k, c.toString());
      }
      const e = product(factors.map((f) => sum([num(f[0]!), ...names.map((n, i) => mul(num(f[i + 1]!), sym(n)))])));
      expect(coefficients(expand(e))).toEqual(want);
    }
  });
});

describe('equal polynomials built differently are the same object after expand', () => {
  const pairs: [string, string][] = [
    ['(x+y)^2*(x-y)^2', '(x^2-y^2)^2'],
    ['(a+b)*(a-b)', 'a^2 - b^2'],
    ['(x+1)^3 - (x-1)^3', '6*x^2 + 2'],
    ['(x*y - 1)^2*(x + y)', '(x + y)*(x*y - 1)*(x*y - 1)'],
    ['((a+b)*(c+1))^2', '(a^2 + 2*a*b + b^2)*(c^2 + 2*c + 1)'],
    ['(x/2 + 1/3)^3', 'x^3/8 + x^2/4 + x/6 + 1/27'],
    ['2*(x+y)*z', '(2*x + 2*y)*z'],
    ['(x+1)^(-2)*(x+1)^3', 'x + 1'],
    ['(a+b+c)^2 - (a+b)^2', 'c^2 + 2*a*c + 2*b*c'],
  ];
  for (const [l, r] of pairs) {
    it(`${l} = ${r}`, () => {
      expect(expand(P(l))).toBe(expand(P(r)));
    });
  }

  it('the expansion of random groupings of the same factors is one object', () => {
    const next = rng(8);
    const lin = ['x + 1', 'y - 2', 'x - y', '2*x + 3*y + 1', 'z + x/2'].map(P);
    for (let trial = 0; trial < 30; trial++) {
      const fs = lin.filter(() => next() < 0.7);
      if (fs.length < 2) continue;
      const left = mul(product(fs.slice(0, 1)), expand(product(fs.slice(1))));
      const right = mul(expand(product(fs.slice(0, -1))), fs[fs.length - 1]!);
      expect(expand(left)).toBe(expand(right));
    }
  });

  it('is idempotent and preserves the value', () => {
    const next = rng(13);
    for (const f of ['(x+y)^4*(x-2)', 'exp(x)*(a+b)^2', '(x+1)^(1/2)*(x+2)^2', 'sin(x*(a+b))*(x+1)', '(x+y)^3/(x+1)']) {
      const e = P(f);
      const ex = expand(e);
      expect(expand(ex)).toBe(ex);
      for (let i = 0; i < 3; i++) {
        const env = { x: 0.3 + next(), y: next() - 0.5, a: next(), b: next() - 0.2 };
        expect(close(evaluate(ex, env), evaluate(e, env), 1e-12), f).toBe(true);
      }
    }
  });
});

describe('expansion with opaque (non-polynomial) factors', () => {
  it('exp(x)·(a+b) = a·exp(x) + b·exp(x)', () => {
    expect(expand(mul(exp(sym('x')), add(sym('a'), sym('b'))))).toBe(P('a*exp(x) + b*exp(x)'));
  });
  it('(exp(x) + 1)^2 = exp(x)^2 + 2 exp(x) + 1', () => {
    expect(expand(P('(exp(x) + 1)^2'))).toBe(P('exp(x)^2 + 2*exp(x) + 1'));
  });
  it('function arguments are expanded: sin(x·(a+b)) = sin(a·x + b·x)', () => {
    expect(expand(P('sin(x*(a+b))'))).toBe(P('sin(a*x + b*x)'));
  });
  it('a negative power of a sum stays a factor; a fractional one too', () => {
    expect(expand(P('(a+b)^2/(x+1)'))).toBe(P('a^2/(x+1) + 2*a*b/(x+1) + b^2/(x+1)'));
    expect(expand(P('sqrt(x+1)*(a+b)'))).toBe(P('a*sqrt(x+1) + b*sqrt(x+1)'));
  });
  it('symbolic exponents: x^y·(x+1) = x^y·x + x^y', () => {
    expect(expand(P('x^y*(x+1)'))).toBe(P('x^y*x + x^y'));
  });
});
