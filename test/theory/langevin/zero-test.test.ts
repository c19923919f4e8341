import { describe, it, expect } from 'vitest';
import { type Expr, expand, exp, sub, mul, add, div, num, pow, Rational, sym } from '../../../src/symbolic/index.ts';
import { decideZero } from '../../../src/theory/langevin/index.ts';

describe('zero test', () => {
  const x = sym('x'), y = sym('y');
  it('routes: symbolic, exact rational, float64; a non-zero rational function gets an exact witness', () => {
    expect(decideZero(sub(mul(x, y), mul(y, x)), { state: [x, y] }).route).toBe('symbolic');
    // (x² − 1)/(x − 1) − (x + 1): expand does not cancel the quotient; exact evaluation does
    const q = sub(div(sub(pow(x, 2), num(1)), sub(x, num(1))), add(x, num(1)));
    expect(expand(q)).not.toBe(num(0));
    const dq = decideZero(q, { state: [x] });
    expect(dq).toMatchObject({ zero: true, route: 'exact-rational' });
    const dn = decideZero(add(q, mul(num(Rational.of(1, 1000)), x)), { state: [x] });
    expect(dn.zero).toBe(false);
    expect(dn.witness).toBeDefined();
    // exp(x)exp(y) − exp(x + y): a function identity the core does not apply
    const e: Expr = sub(mul(exp(x), exp(y)), exp(add(x, y)));
    const de = decideZero(e, { state: [x, y] });
    expect(de).toMatchObject({ zero: true, route: 'float64' });
    expect(de.statement).toMatch(/not a proof/);
    expect(decideZero(add(e, mul(num(Rational.of(1, 10 ** 6)), x)), { state: [x, y] }).zero).toBe(false);
  });

  it('symbolic-in-state: a rational function of a hyper-parameter that expand cannot cancel, zero in the state symbolically', () => {
    const a = sym('a');
    // x (a² − 1)/(a − 1) − x (a + 1)
    const e = sub(mul(x, div(sub(pow(a, 2), num(1)), sub(a, num(1)))), mul(x, add(a, num(1))));
    expect(expand(e)).not.toBe(num(0));
    const d = decideZero(e, { state: [x], names: new Map([[x, 'ξ']]) });
    expect(d).toMatchObject({ zero: true, route: 'symbolic-in-state' });
    expect(d.statement).toMatch(/symbolically in \(ξ\)/);
    // one unit off: not zero, with a witness printed in the display names
    const off = decideZero(add(e, x), { state: [x], names: new Map([[x, 'ξ']]) });
    expect(off.zero).toBe(false);
    expect(Object.keys(off.witness!.point)).toContain('ξ');
    expect(() => decideZero(e, { state: [x], points: 0 })).toThrow(/positive integer/);
  });
});
