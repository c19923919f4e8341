/** Hash-consing, canonical invariants and the expression-swell budget. */
import { InputError } from '../../src/errors.ts';
import { describe, expect, it } from 'vitest';
import {
  ExpressionSwellError,
  HALF,
  ONE,
  Rational,
  TWO,
  ZERO,
  add,
  children,
  cos,
  dagSize,
  evaluate,
  dependsOn,
  div,
  exp,
  expand,
  freeSymbols,
  log,
  mul,
  neg,
  num,
  parseExpr,
  pow,
  product,
  sin,
  sqrt,
  sub,
  sum,
  sym,
  tanh,
  toText,
  withBudget,
  type Expr,
} from '../../src/symbolic/index.ts';
import { compareExpr } from '../../src/symbolic/expr.ts';
import { rng } from './support.ts';

const [a, b, c, x, y, z] = ['a', 'b', 'c', 'x', 'y', 'z'].map(sym) as [Expr, Expr, Expr, Expr, Expr, Expr];
const P = (s: string) => parseExpr(s);
const q = (n: number, d = 1) => num(Rational.of(n, d));

/** Check the documented invariants of every node reachable from e; returns the violations. */
export function invariantViolations(e: Expr): string[] {
  const out: string[] = [];
  const seen = new Set<Expr>();
  const visit = (n: Expr): void => {
    if (seen.has(n)) return;
    seen.add(n);
    const where = () => toText(n);
    switch (n.kind) {
      case 'add': {
        if (n.terms.length === 0) out.push(`empty add`);
        if (n.terms.length === 1 && n.constant.isZero()) out.push(`single-term add with zero constant: ${where()}`);
        n.terms.forEach((t, i) => {
          if (t.kind === 'add' || t.kind === 'num') out.push(`add term of kind ${t.kind} in ${where()}`);
          if (t.kind === 'mul' && !t.coeff.isOne()) out.push(`add term with coefficient ${t.coeff} in ${where()}`);
          if (n.coeffs[i]!.isZero()) out.push(`zero coefficient in ${where()}`);
          if (i > 0 && compareExpr(n.terms[i - 1]!, t) >= 0) out.push(`add terms not sorted in ${where()}`);
        });
        break;
      }
      case 'mul': {
        if (n.coeff.isZero()) out.push(`zero coefficient in ${where()}`);
        if (n.bases.length === 1 && n.exps[0]!.isOne() && n.coeff.isOne()) out.push(`1·x product node: ${where()}`);
        if (n.bases.length === 1 && n.exps[0]!.isOne() && n.bases[0]!.kind === 'add') out.push(`undistributed c·(sum): ${where()}`);
        n.bases.forEach((base, i) => {
          const k = n.exps[i]!;
          if (base.kind === 'mul') out.push(`mul base in ${where()}`);
          if (k.isZero()) out.push(`zero exponent in ${where()}`);
          if (base.kind === 'num') {
            const ok = !base.value.isNegative() && !k.isInteger() && k.sign() > 0 && k.compare(Rational.ONE) < 0;
            if (!ok) out.push(`numeric base ${base.value}^${k} in ${where()}`);
          }
          if (i > 0 && compareExpr(n.bases[i - 1]!, base) >= 0) out.push(`mul bases not sorted in ${where()}`);
        });
        break;
      }
      case 'pow':
        if (n.exp.kind === 'num' && (n.base.kind !== 'mul' || n.exp.value.isInteger())) out.push(`pow with numeric exponent on a non-product: ${where()}`);
        break;
      default:
        break;
    }
    for (const ch of children(n)) visit(ch);
  };
  visit(e);
  return out;
}

function shuffle<T>(xs: T[], next: () => number): T[] {
  const r = [...xs];
  for (let i = r.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [r[i], r[j]] = [r[j]!, r[i]!];
  }
  return r;
}

describe('hash-consing: structurally equal expressions are the same object', () => {
  it('atoms', () => {
    expect(sym('x')).toBe(x);
    expect(num(Rational.of(2, 4))).toBe(HALF);
    expect(num(Rational.of(6, 3))).toBe(TWO);
    expect(q(123456789, 7)).toBe(q(123456789, 7));
    expect(num(10n ** 30n)).toBe(num(10n ** 30n));
    expect(exp(x)).toBe(exp(x));
  });

  it('different construction orders give the same object', () => {
    expect(add(a, b)).toBe(add(b, a));
    expect(mul(mul(x, y), z)).toBe(mul(x, mul(y, z)));
    expect(add(add(a, b), c)).toBe(add(a, add(b, c)));
    expect(P('a + b + c')).toBe(P('c + (b + a)'));
    expect(P('x*y*z')).toBe(P('z*(y*x)'));
    expect(P('sin(x)*exp(y) + tanh(z)')).toBe(add(tanh(z), mul(exp(y), sin(x))));
    expect(P('x^2*y/z')).toBe(div(mul(y, pow(x, 2)), z));
  });

  it('random sums and products built in shuffled orders are one object', () => {
    const next = rng(5);
    const atoms: Expr[] = [x, y, z, exp(x), sin(y), pow(x, 3), mul(x, y), sqrt(add(x, ONE)), P('x^y'), log(add(z, TWO))];
    for (let trial = 0; trial < 200; trial++) {
      const pick = atoms.filter(() => next() < 0.5);
      const coeffs = pick.map(() => q(Math.floor(next() * 9) - 4, 1 + Math.floor(next() * 3)));
      const terms = pick.map((t, i) => mul(coeffs[i]!, t));
      const s1 = sum(terms);
      const s2 = shuffle(terms, next).reduce((acc, t) => add(acc, t), ZERO as Expr);
      expect(s2).toBe(s1);
      const p1 = product(pick);
      const p2 = shuffle(pick, next).reduce((acc, t) => mul(acc, t), ONE as Expr);
      expect(p2).toBe(p1);
      expect(invariantViolations(s1)).toEqual([]);
      expect(invariantViolations(p1)).toEqual([]);
    }
  });
});

describe('canonical form', () => {
  const cases: [string, () => Expr, () => Expr][] = [
    ['x + x = 2·x', () => add(x, x), () => mul(TWO, x)],
    ['x·x = x²', () => mul(x, x), () => pow(x, 2)],
    ['x/x = 1', () => div(x, x), () => ONE],
    ['x − x = 0', () => sub(x, x), () => ZERO],
    ['2·(x+y) = 2x + 2y', () => mul(TWO, add(x, y)), () => add(mul(TWO, x), mul(TWO, y))],
    ['4^(1/2) = 2', () => pow(num(4), HALF), () => TWO],
    ['(9/4)^(1/2) = 3/2', () => sqrt(q(9, 4)), () => q(3, 2)],
    ['8^(2/3) = 4', () => pow(num(8), q(2, 3)), () => num(4)],
    ['2^(1/2)·2^(1/2) = 2', () => mul(sqrt(TWO), sqrt(TWO)), () => TWO],
    ['2^(1/2)·2^(1/2)·2^(1/2) = 2·2^(1/2)', () => product([sqrt(TWO), sqrt(TWO), sqrt(TWO)]), () => mul(TWO, sqrt(TWO))],
    ['(x²)³ = x⁶', () => pow(pow(x, 2), 3), () => pow(x, 6)],
    ['x^(1/2)·x^(1/2) = x', () => mul(sqrt(x), sqrt(x)), () => x],
    ['x^0 = 1', () => pow(x, 0), () => ONE],
    ['1^x = 1', () => pow(ONE, x), () => ONE],
    ['0·x = 0', () => mul(ZERO, x), () => ZERO],
    ['exp(log(x)) = x', () => exp(log(x)), () => x],
    ['log(exp(x)) = x', () => log(exp(x)), () => x],
    ['exp(0) = 1, cos(0) = 1, sin(0) = 0, log(1) = 0', () => add(exp(ZERO), cos(ZERO), sin(ZERO), log(ONE)), () => TWO],
    ['−(−x) = x for a sum', () => neg(neg(add(x, y))), () => add(x, y)],
    ['(−x)² = x²', () => pow(neg(x), 2), () => pow(x, 2)],
    ['x·y/(y·x) = 1', () => div(mul(x, y), mul(y, x)), () => ONE],
    ['3x − 2x − x = 0', () => P('3*x - 2*x - x'), () => ZERO],
    ['x + y − x = y', () => P('x + y - x'), () => y],
    ['(x+1)·2 − 2 = 2x', () => P('(x+1)*2 - 2'), () => mul(TWO, x)],
    ['0.1 + 0.2 = 3/10 exactly', () => P('0.1 + 0.2'), () => q(3, 10)],
  ];
  for (const [name, lhs, rhs] of cases) {
    it(name, () => {
      const l = lhs();
      expect(l).toBe(rhs());
      expect(invariantViolations(l)).toEqual([]);
    });
  }

  it('a numeric coefficient times a sum is distributed', () => {
    const e = mul(q(3, 2), add(x, mul(TWO, y), ONE));
    expect(e.kind).toBe('add');
    expect(e).toBe(P('3/2*x + 3*y + 3/2'));
  });

  it('even roots of negative numbers and zero to negative powers are refused', () => {
    expect(() => pow(num(-8), q(1, 2))).toThrow(InputError);
    expect(() => pow(num(-8), q(3, 4))).toThrow(/even root of a negative number/);
    expect(() => pow(ZERO, -1)).toThrow(/division by zero/);
    expect(() => div(x, ZERO)).toThrow(/division by zero/);
    expect(() => log(ZERO)).toThrow(/log of the non-positive number 0/);
    expect(() => log(num(-2))).toThrow(InputError);
  });

  it('odd roots of negative numbers are the real roots, as evaluate takes them: (−a)^(p/q) = (−1)^p a^(p/q)', () => {
    expect(pow(num(-8), q(1, 3))).toBe(num(-2));
    expect(pow(num(-8), q(2, 3))).toBe(num(4));
    expect(pow(num(-32), q(3, 5))).toBe(num(-8));
    expect(pow(q(-1, 27), q(1, 3))).toBe(q(-1, 3));
    // an irrational real root keeps its sign outside the radical: (−2)^(1/3) = −2^(1/3)
    expect(pow(num(-2), q(1, 3))).toBe(neg(pow(TWO, q(1, 3))));
    expect(mul(pow(num(-2), q(1, 3)), pow(num(-2), q(2, 3)))).toBe(num(-2));
    // the float value is Math.cbrt's, and evaluate of w^(1/3) at w = −2 agrees with the folded constant
    expect(evaluate(pow(num(-2), q(1, 3)), {})).toBeCloseTo(Math.cbrt(-2), 15);
    expect(evaluate(pow(x, q(1, 3)), { x: -2 })).toBeCloseTo(Math.cbrt(-2), 15);
  });

  it('compareExpr is a strict total order consistent with identity', () => {
    const next = rng(11);
    const pool: Expr[] = [x, y, z, ONE, TWO, HALF, exp(x), sin(y), P('x^2'), P('x*y'), P('x + y'), P('x^y'), P('(x*y)^(1/2)'), tanh(z), P('2*x')];
    for (let i = 0; i < 500; i++) {
      const [u, v, w] = [0, 0, 0].map(() => pool[Math.floor(next() * pool.length)]!) as [Expr, Expr, Expr];
      expect(Math.sign(compareExpr(u, v)) + Math.sign(compareExpr(v, u))).toBe(0);
      expect(compareExpr(u, v) === 0).toBe(u === v);
      if (compareExpr(u, v) < 0 && compareExpr(v, w) < 0) expect(compareExpr(u, w)).toBeLessThan(0);
    }
  });

  it('free symbols, dependsOn and DAG size', () => {
    const e = P('exp(x*y) + sin(z)^2 - 3');
    expect(freeSymbols(e).map((s) => s.name)).toEqual(['x', 'y', 'z']);
    expect(dependsOn(e, sym('x'))).toBe(true);
    expect(dependsOn(e, sym('w'))).toBe(false);
    expect(freeSymbols(P('2^(1/2) + 1'))).toEqual([]);
    let f: Expr = x;
    for (let i = 0; i < 60; i++) f = mul(sin(f), f); // tree of ~2^60 nodes
    expect(dagSize(f)).toBeLessThan(200);
    expect(f.treeSize).toBeGreaterThan(2 ** 50);
  });
});

describe('expression-swell budget', () => {
  const xs = Array.from({ length: 10 }, (_, i) => sym(`x${i + 1}`));

  it('expanding (x1+…+x10)^12 under a small budget throws ExpressionSwellError quickly, with a clear message', () => {
    const big = pow(sum(xs), 12);
    let err: unknown;
    try {
      withBudget(20_000, 'expanding (x1+…+x10)^12', () => expand(big));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ExpressionSwellError);
    const e = err as ExpressionSwellError;
    expect(e.name).toBe('ExpressionSwellError');
    expect(e.limit).toBe(20_000);
    expect(e.message).toMatch(/expression swell/);
    expect(e.message).toContain('expanding (x1+…+x10)^12');
    expect(e.message).toContain('20,000');
    expect(e.message).toMatch(/raise the budget/);
  });

  it('the budget is restored afterwards, and work within a budget returns normally', () => {
    expect(() => withBudget(10, 'tiny', () => expand(pow(sum(xs), 6)))).toThrow(ExpressionSwellError);
    // outside any budget the same work succeeds (C(15, 9) = 5005 monomials)
    const e = expand(pow(sum(xs), 6));
    expect(e.kind === 'add' ? e.terms.length : 0).toBe(5005);
    expect(withBudget(1_000_000, 'ok', () => expand(pow(add(x, y), 3)))).toBe(P('x^3 + 3*x^2*y + 3*x*y^2 + y^3'));
  });

  it('nested budgets: the tighter one wins and names itself', () => {
    expect(() =>
      withBudget(1_000_000, 'outer', () => withBudget(50, 'inner step', () => expand(pow(sum(xs.slice(0, 6)), 5)))),
    ).toThrow(/inner step needed more than 50 new/);
    expect(() =>
      withBudget(50, 'outer step', () => withBudget(1_000_000, 'inner', () => expand(pow(sum(xs.slice(0, 7)), 5)))),
    ).toThrow(/outer step needed more than 50 new/);
  });

  it('existing (hash-consed) nodes cost nothing: rebuilding a known expression fits in a zero budget', () => {
    const e = P('x^2*y + sin(z)');
    expect(withBudget(0, 'rebuild', () => P('x^2*y + sin(z)'))).toBe(e);
  });
});

describe('the hash-cons table holds expressions weakly', () => {
  it('drops what nobody refers to, and keeps identity for what is alive', async () => {
    const S = await import('../../src/symbolic/index.ts');
    const { internTableSize } = await import('../../src/symbolic/expr.ts');
    const gc = (globalThis as { gc?: () => void }).gc;
    const keep = S.expand(S.parseExpr('(k1 + k2 + k3)^6'));
    const before = internTableSize();
    // a large temporary result, then dropped
    (() => {
      const tmp = S.expand(S.parseExpr('(t1 + t2 + t3 + t4 + t5)^8'));
      expect(S.toText(tmp).length).toBeGreaterThan(1000);
    })();
    expect(internTableSize()).toBeGreaterThan(before + 400);
    // identity still holds for live expressions
    expect(S.expand(S.parseExpr('(k3 + k2 + k1)^6'))).toBe(keep);
    expect(gc, "vitest runs with --expose-gc (vitest.config.ts)").toBeTypeOf("function");
    if (gc) {
      // a WeakRef target that was dereferenced stays alive until the end of the current job: collect
      // in a fresh job each time, after the last look at the table
      for (let i = 0; i < 5 && internTableSize() > before + 400; i++) {
        await new Promise((r) => setTimeout(r, 0));
        gc();
        await new Promise((r) => setTimeout(r, 10));
      }
      expect(internTableSize()).toBeLessThan(before + 400);
    }
  });
});

describe('sum factors are stored with leading coefficient 1', () => {
  it('canonical whatever the multiplication order, readable as written, and linear in the DAG size', async () => {
    const S = await import('../../src/symbolic/index.ts');
    const P = (s: string) => S.parseExpr(s);
    expect(P('(2*x + 2)*y')).toBe(P('2*(x + 1)*y'));
    expect(P('(x + 1)*y*2')).toBe(P('y*(2*x + 2)'));
    expect(P('(y - x)^2*z')).toBe(P('(x - y)^2*z'));
    expect(P('(3*w - 1)^3')).toBe(P('27*(w - 1/3)^3'));
    // a gradient written by the user keeps its look inside products
    expect(S.toText(P('(w1*(w1^2 + w2^2 - 1) + 3*w2/10 + 1/10)*w2'))).toBe('w2*(w1*(w1^2 + w2^2 - 1) + 3*w2/10 + 1/10)');
    // a deeply shared DAG (2^40 nodes as a tree) as a sum factor: no walk over the tree
    let e: import('../../src/symbolic/index.ts').Expr = S.sym('x');
    for (let i = 0; i < 40; i++) e = S.mul(S.add(e, S.num(1)), S.add(e, S.num(2)));
    const f = S.mul(S.pow(S.add(S.scale(e, 3), S.num(3)), 2), S.sym('y'));
    expect(f.kind).toBe('mul');
  });

  it('the leading term is chosen by symbol name whatever the symbols\' indices (past 32 and 64 bits of the mask)', async () => {
    const S = await import('../../src/symbolic/index.ts');
    // 70 fresh symbols first, so that the ones below have mask bits beyond the first 64
    for (let i = 0; i < 70; i++) S.sym(`lead_pad_${i}`);
    const [zz, ab, mm] = ['lead_zz', 'lead_ab', 'lead_mm'].map((n) => S.sym(n));
    const y = S.sym('lead_y');
    // equal degrees: the term whose first name is alphabetically first leads (lead_ab), its coefficient 5 is the content
    const sumFactor = S.add(S.mul(S.num(3), zz!), S.mul(S.num(5), ab!), S.mul(S.num(7), mm!));
    const p = S.mul(y, sumFactor);
    expect(p.kind).toBe('mul');
    expect(p.kind === 'mul' && p.coeff.equals(S.Rational.of(5))).toBe(true);
    // the same product whatever the order of multiplication, and the content memo gives the same answer twice
    expect(S.mul(sumFactor, y)).toBe(p);
    expect(S.mul(y, S.scale(sumFactor, 2))).toBe(S.scale(p, 2));
  });
});
