/** Substitution, float64 evaluation (never a silent NaN) and the printers' size limit. */
import { describe, expect, it } from 'vitest';
import {
  EvaluationError,
  ONE,
  PrintSizeError,
  Rational,
  ZERO,
  evaluate,
  mul,
  num,
  parseExpr,
  sin,
  subs,
  sym,
  toLatex,
  toText,
  type Expr,
} from '../../src/symbolic/index.ts';
import { applyFunction, subsAll } from '../../src/symbolic/transform.ts';

const P = (s: string) => parseExpr(s);
const x = sym('x');
const y = sym('y');

describe('subs', () => {
  it('is simultaneous and canonical', () => {
    expect(subs(P('x^2*y + x'), new Map([[x, y], [y, x]]))).toBe(P('y^2*x + y'));
    expect(subs(P('2*x'), new Map([[x, P('y/2')]]))).toBe(y);
    expect(subs(P('x - y'), new Map([[x, y]]))).toBe(ZERO);
    expect(subs(P('x^y'), new Map([[y, num(2)]]))).toBe(P('x^2'));
    expect(subs(P('log(x) + x'), new Map([[x, ONE]]))).toBe(ONE);
  });
  it('gives exact numbers for exact inputs', () => {
    expect(subs(P('sqrt(x) + x^(3/2)'), new Map([[x, num(4)]]))).toBe(num(10));
    expect(subs(P('(x^2 + 1)/(x - 1)'), new Map([[x, num(Rational.of(1, 3))]]))).toBe(num(Rational.of(-5, 3)));
    expect(subs(P('sigmoid(x) + tanh(x) + sin(x)'), new Map([[x, ZERO]]))).toBe(num(Rational.of(1, 2)));
  });
  it('leaves expressions without the symbols untouched (same object)', () => {
    const e = P('sin(y)*y^2');
    expect(subs(e, new Map([[x, num(3)]]))).toBe(e);
  });
});

describe('subsAll', () => {
  it('the same objects as one subs per component, simultaneous, and one rebuild per shared node', () => {
    const [x, y, z] = ['sa_x', 'sa_y', 'sa_z'].map((n) => sym(n));
    const shared = parseExpr('(sa_x*sa_y + 1)^3 + sin(sa_x - sa_z)');
    const es = [mul(shared, x!), parseExpr('sa_y*(sa_x*sa_y + 1)^3 + sa_x*sa_z + 2'), shared, num(4)];
    const map = new Map<import('../../src/symbolic/index.ts').Sym, Expr>([[x!, y!], [y!, parseExpr('sa_x + sa_z')]]);
    const all = subsAll(es, map);
    es.forEach((e, i) => expect(all[i]).toBe(subs(e, map)));
    // simultaneous: x ↦ y and y ↦ x + z, not x ↦ x + z
    expect(all[1]).toBe(parseExpr('(sa_x + sa_z)*(sa_y*(sa_x + sa_z) + 1)^3 + sa_y*sa_z + 2'));
    expect(subsAll([], map)).toEqual([]);
  });
});

describe('evaluate', () => {
  it('accepts a record or a Map', () => {
    expect(evaluate(P('x*y + 1'), { x: 2, y: 3 })).toBe(7);
    expect(evaluate(P('x*y + 1'), new Map([[x, 2], [y, 3]]))).toBe(7);
  });

  it('sigmoid and softplus are stable for large arguments', () => {
    expect(applyFunction('sigmoid', -800)).toBe(0);
    expect(applyFunction('sigmoid', 800)).toBe(1);
    expect(applyFunction('softplus', 800)).toBe(800);
    expect(applyFunction('softplus', -800)).toBe(0);
    expect(applyFunction('sigmoid', -30)).toBeCloseTo(Math.exp(-30) / (1 + Math.exp(-30)), 25);
    expect(applyFunction('softplus', 1e-20)).toBe(Math.log(2));
  });

  const bad: [string, Record<string, number>, RegExp][] = [
    ['1/x', { x: 0 }, /evaluates to Infinity/],
    ['log(x)', { x: -1 }, /evaluates to NaN/],
    ['sqrt(x)', { x: -4 }, /evaluates to NaN/],
    ['exp(x)', { x: 1000 }, /evaluates to Infinity/],
    ['exp(x)/exp(x/2)^2', { x: 800 }, /evaluates to NaN/],
    ['x*y', { x: 2 }, /no value given for the symbol 'y'/],
    ['x + 1', { x: NaN }, /evaluates to NaN/],
  ];
  for (const [src, env, msg] of bad) {
    it(`${src} at ${JSON.stringify(env)} throws EvaluationError`, () => {
      expect(() => evaluate(P(src), env)).toThrow(EvaluationError);
      expect(() => evaluate(P(src), env)).toThrow(msg);
    });
  }

  it('allowNonFinite returns the non-finite value instead', () => {
    expect(evaluate(P('1/x'), { x: 0 }, { allowNonFinite: true })).toBe(Infinity);
  });

  it('odd roots of negative numbers are real, even roots are not', () => {
    expect(evaluate(P('x^(1/3)'), { x: -8 })).toBeCloseTo(-2, 14);
    expect(evaluate(P('x^(2/3)'), { x: -8 })).toBeCloseTo(4, 14);
    expect(evaluate(P('x^(-1/3)'), { x: -8 })).toBeCloseTo(-0.5, 14);
    expect(() => evaluate(P('x^(3/2)'), { x: -1 })).toThrow(EvaluationError);
  });
});

describe('printers refuse exponentially large trees instead of hanging', () => {
  it('toText and toLatex throw PrintSizeError on a DAG whose tree has ~2^40 nodes', () => {
    let f: Expr = x;
    for (let i = 0; i < 40; i++) f = mul(sin(f), f);
    expect(() => toText(f)).toThrow(PrintSizeError);
    expect(() => toLatex(f)).toThrow(/expression too large to print/);
    expect(() => toText(P('x^2 + y'), 2)).toThrow(PrintSizeError);
  });
});
