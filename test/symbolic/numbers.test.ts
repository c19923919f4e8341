/**
 * The numeric conventions of docs/design.md ("Numbers: literals, 0^0, real roots"), each held by the exact
 * core, evaluate and compiled code alike: literals outside float64's range are refused where they are
 * written; 0^0 = 1 (IEEE 754 pow); odd roots of negative numbers are real.
 */
import { describe, expect, it } from 'vitest';
import { FormulaError, ONE, compile, evaluate, num, parseExpr, pow, sym } from '../../src/index.ts';

const w = sym('w');
/** the compiled float64 value of e at w = x */
function compiledAt(e: ReturnType<typeof parseExpr>, x: number): number {
  const c = compile({ v: e }, [w]);
  const out = new Float64Array(1);
  c.fn(Float64Array.of(x), out);
  return out[0]!;
}

describe('number literals', () => {
  it('a literal that would be 0 or ±∞ in float64 is a FormulaError at its position, not a silent 0', () => {
    expect(() => parseExpr('w + 1e-400')).toThrow(FormulaError);
    expect(() => parseExpr('w + 1e-400')).toThrow(/'1e-400' underflows float64.*at position 5/s);
    expect(() => parseExpr('3*1e309')).toThrow(/'1e309' overflows float64/);
  });
  it('subnormal and tiny literals stay exact and evaluate to their float64 value', () => {
    expect(evaluate(parseExpr('1e-320'), {})).toBe(1e-320);
    // exact: 1e-200 · 1e200 is 1, not a rounded product
    expect(parseExpr('1e-200*1e200')).toBe(ONE);
  });
});

describe('0^0 = 1, as IEEE 754 pow', () => {
  it('in the core, in evaluate and in compiled code', () => {
    expect(parseExpr('0^0')).toBe(ONE);
    expect(pow(num(0), 0)).toBe(ONE);
    expect(evaluate(parseExpr('w^0'), { w: 0 })).toBe(1);
    expect(evaluate(parseExpr('0^w'), { w: 0 })).toBe(1);
    expect(compiledAt(parseExpr('0^w'), 0)).toBe(1);
    expect(Math.pow(0, 0)).toBe(1); // the convention followed
  });
});

describe('odd roots of negative numbers are real', () => {
  it('the exact core folds (−8)^(1/3) to −2, and evaluate and compiled code agree with Math.cbrt', () => {
    expect(parseExpr('(-8)^(1/3)')).toBe(num(-2));
    expect(parseExpr('(-8)^(2/3)')).toBe(num(4));
    const e = parseExpr('w^(1/3)');
    for (const x of [-8, -2, -0.5]) {
      expect(evaluate(e, { w: x })).toBeCloseTo(Math.cbrt(x), 15);
      expect(compiledAt(e, x)).toBeCloseTo(Math.cbrt(x), 15);
    }
    // the folded constant and the evaluated power are the same number
    expect(evaluate(parseExpr('(-2)^(1/3)'), {})).toBeCloseTo(evaluate(e, { w: -2 }), 15);
  });
  it('an even root of a negative number is refused (core) or an evaluation error (at a point), never NaN', () => {
    expect(() => parseExpr('(-8)^(1/2)')).toThrow(/even root of a negative number is not real/);
    expect(() => evaluate(parseExpr('w^(1/2)'), { w: -1 })).toThrow(/evaluates to NaN/);
  });
});
