import { describe, expect, it } from 'vitest';
import { Rational, add, diff, expand, mul, num, parseExpr as parse, sym } from '../../src/symbolic/index.ts';
import { PackedRing, WidePackedRing, packedBits } from '../../src/symbolic/packed-poly.ts';

const xs = ['x', 'y', 'z'].map((s) => sym(s));

describe('packed sparse polynomials', () => {
  it('packedBits: fields wide enough for the degree, or undefined past 52 key bits', () => {
    expect(packedBits(3, 7)).toBe(3);
    expect(packedBits(3, 8)).toBe(4);
    expect(packedBits(10, 8)).toBe(4);
    expect(packedBits(20, 8)).toBeUndefined();
  });

  it('round trip: an expanded polynomial comes back as the same canonical object (over a common denominator)', () => {
    const ring = new PackedRing(xs, 4);
    for (const text of ['(x + 2*y - z/3)^3', '(x*y - 1)^2/2 + 5', 'x^7*z - 3/4*y', '0', '-7/9']) {
      const e = expand(parse(text));
      const p = ring.fromExpanded(e);
      expect(p, text).toBeDefined();
      expect(ring.toExpr(p!.poly, Rational.of(1n, p!.den)), text).toBe(e);
    }
  });

  it('bigint keys (WidePackedRing): round trip, diff and jvp as the expression core', () => {
    const ring = new WidePackedRing(xs, 20);
    const e = expand(parse('(x^1000*y - z/3 + 2)^3'));
    const p = ring.fromExpanded(e)!;
    expect(ring.toExpr(p.poly, Rational.of(1n, p.den))).toBe(e);
    const F = expand(parse('x^3*y - 2*z*y^2 + 1'));
    const v = ['y*z', 'x^2', '-3*z'].map((t) => ring.fromExpanded(expand(parse(t)))!.poly);
    const J = ring.jvp([ring.fromExpanded(F)!.poly], v)[0]!;
    const vx = ['y*z', 'x^2', '-3*z'].map((t) => parse(t));
    expect(ring.toExpr(J)).toBe(expand(add(...xs.map((x, j) => mul(diff(F, x), vx[j]!)))));
    expect(ring.toExpr(ring.diff(ring.fromExpanded(F)!.poly, 1))).toBe(expand(diff(F, xs[1]!)));
  });

  it('the converted result shares base arrays between monomials of one support, and is still the canonical object', () => {
    // symbols of this test only, so that the monomials below are first built by the conversion
    const qs = ['q1', 'q2', 'q3'].map((s) => sym(s));
    const ring = new PackedRing(qs, 4);
    const P = ring.fromExpanded(expand(parse('q1^3*q2 + q2^2*q3')))!.poly;
    const v = ['q2*q3', 'q1*q3', 'q1*q2'].map((t) => ring.fromExpanded(expand(parse(t)))!.poly);
    // by hand: 3 q1²q2²q3 + q1⁴q3 + 2 q1q2q3² + q1q2³: two monomials with the support {q1, q2, q3}
    const J = ring.toExpr(ring.jvp([P], v)[0]!);
    if (J.kind !== 'add') throw new Error('expected a sum');
    const full = J.terms.filter((t) => t.kind === 'mul' && t.bases.length === 3);
    expect(full).toHaveLength(2);
    const [a, b] = full;
    if (a?.kind !== 'mul' || b?.kind !== 'mul') throw new Error('expected products');
    expect(a.bases).toBe(b.bases);
    expect(a.exps).not.toBe(b.exps);
    expect(J).toBe(expand(parse('3*q1^2*q2^2*q3 + q1^4*q3 + 2*q1*q2*q3^2 + q1*q2^3')));
  });

  it('declines what is not a polynomial in its variables or does not fit the fields', () => {
    const ring = new PackedRing(xs, 3);
    expect(ring.fromExpanded(expand(parse('x*w + 1')))).toBeUndefined();
    expect(ring.fromExpanded(expand(parse('exp(x) + y')))).toBeUndefined();
    expect(ring.fromExpanded(expand(parse('1/x + y')))).toBeUndefined();
    expect(ring.fromExpanded(expand(parse('x^8')))).toBeUndefined();
    expect(ring.fromExpanded(expand(parse('x^7')))).toBeDefined();
  });

  it('diff and jvp agree with the expression core', () => {
    const ring = new PackedRing(xs, 4);
    const F = ['x^3*y - 2*z*y^2 + 1', '(x - y + z)^3'].map((t) => expand(parse(t)));
    // 2v has integer coefficients: the packed jvp along 2v, scaled by 1/2, is the jvp along v
    const v = ['y*z + 1/2', 'x^2', '-3*z'].map((t) => expand(parse(t)));
    const twoV = v.map((e) => ring.fromExpanded(expand(mul(num(2), e)))!);
    for (const p of twoV) expect(p.den).toBe(1n);
    const Fp = F.map((e) => ring.fromExpanded(e)!);
    const J = ring.jvp(Fp.map((p) => p.poly), twoV.map((p) => p.poly));
    F.forEach((Fi, i) => {
      const want = expand(add(...xs.map((x, j) => mul(diff(Fi, x), v[j]!))));
      expect(ring.toExpr(J[i]!, Rational.HALF)).toBe(want);
      for (let j = 0; j < 3; j++) expect(ring.toExpr(ring.diff(Fp[i]!.poly, j))).toBe(expand(diff(Fi, xs[j]!)));
    });
  });

  it('a coefficient leaving the safe-integer range is recorded, not silently rounded', () => {
    const ring = new PackedRing(xs, 8);
    const p = ring.fromExpanded(expand(parse('3*x + 1')))!.poly;
    const q = ring.combine([[2 ** 30, p]]);
    expect(ring.overflow).toBe(false);
    ring.combine([[2 ** 30, q]]);
    expect(ring.overflow).toBe(true);
  });
});
