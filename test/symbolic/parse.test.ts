/** The formula parser and `loss()`: precedence, exact numbers, round trips, and positioned errors. */
import { describe, expect, it } from 'vitest';
import {
  FormulaError,
  RESERVED_NAMES,
  Rational,
  add,
  call,
  div,
  evaluate,
  loss,
  mul,
  neg,
  num,
  parseExpr,
  pow,
  sqrt,
  sub,
  sym,
  toText,
  type Expr,
} from '../../src/symbolic/index.ts';
import { InputError } from '../../src/errors.ts';
import { rng } from './support.ts';

const P = (s: string) => parseExpr(s);
const [a, b, c, x, y] = ['a', 'b', 'c', 'x', 'y'].map(sym) as [Expr, Expr, Expr, Expr, Expr];
const q = (n: number, d = 1) => num(Rational.of(n, d));

describe('precedence and associativity', () => {
  const cases: [string, () => Expr][] = [
    ['-x^2', () => neg(pow(x, 2))],
    ['2^3^2', () => num(512)],
    ['x^y^2', () => pow(x, pow(y, 2))],
    ['a/b/c', () => div(div(a, b), c)],
    ['a-b-c', () => sub(sub(a, b), c)],
    ['a-b+c', () => add(sub(a, b), c)],
    ['2^-1', () => q(1, 2)],
    ['x^-2', () => pow(x, -2)],
    ['-2^2', () => num(-4)],
    ['(-2)^2', () => num(4)],
    ['a*b^2', () => mul(a, pow(b, 2))],
    ['a+b*c', () => add(a, mul(b, c))],
    ['(a+b)*c', () => mul(add(a, b), c)],
    ['x**3', () => pow(x, 3)],
    ['2**3**2', () => num(512)],
    ['--(x + y)', () => add(x, y)],
    ['+x', () => x],
    ['a/b*c', () => mul(div(a, b), c)],
    ['a^b*c', () => mul(pow(a, b), c)],
    ['  x \t*\n y ', () => mul(x, y)],
  ];
  for (const [src, want] of cases) it(src, () => expect(P(src)).toBe(want()));
});

describe('numbers are exact', () => {
  it('decimals and fractions', () => {
    expect(P('0.1')).toBe(q(1, 10));
    expect(P('2.5e-3')).toBe(q(1, 400));
    expect(P('1E3')).toBe(num(1000));
    expect(P('.5')).toBe(q(1, 2));
    expect(P('1/3')).toBe(q(1, 3));
    expect(P('0.1 + 0.2 - 0.3')).toBe(num(0));
    expect(P('12345678901234567890123')).toBe(num(12345678901234567890123n));
    expect(P('1e-30*x')).toBe(mul(num(Rational.of(1n, 10n ** 30n)), x));
  });
});

describe('functions and aliases', () => {
  it('every supported function, sqrt = ^(1/2), ln = log', () => {
    for (const f of ['exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'softplus'] as const) expect(P(`${f}(x)`)).toBe(call(f, x));
    expect(P('sqrt(x)')).toBe(pow(x, q(1, 2)));
    expect(P('sqrt(x + 1)')).toBe(sqrt(add(x, num(1))));
    expect(P('ln(x)')).toBe(P('log(x)'));
    expect(P('sqrt(4)')).toBe(num(2));
    expect(P('exp(ln(x))')).toBe(x);
  });
  it('evaluates with the usual meaning', () => {
    const env = { x: 0.7, y: -0.3 };
    const cases: [string, number][] = [
      ['sigmoid(x)', 1 / (1 + Math.exp(-0.7))],
      ['softplus(y)', Math.log(1 + Math.exp(-0.3))],
      ['tanh(x*y)', Math.tanh(-0.21)],
      ['sqrt(x)', Math.sqrt(0.7)],
      ['-x^2', -0.49],
      ['x/y/2', 0.7 / -0.3 / 2],
    ];
    for (const [f, v] of cases) expect(evaluate(P(f), env)).toBeCloseTo(v, 14);
  });
});

/** Random formula text over a few symbols, numbers, operators and functions. */
function randomFormula(next: () => number, depth: number): string {
  const leaf = (): string => {
    const r = next();
    if (r < 0.45) return ['x', 'y', 'z', 'w1', 'eta'][Math.floor(next() * 5)]!;
    if (r < 0.7) return String(1 + Math.floor(next() * 9));
    if (r < 0.85) return `${Math.floor(next() * 9)}.${1 + Math.floor(next() * 99)}`;
    return `${1 + Math.floor(next() * 7)}/${2 + Math.floor(next() * 7)}`;
  };
  if (depth <= 0) return leaf();
  const r = next();
  const sub = () => randomFormula(next, depth - 1);
  if (r < 0.15) return leaf();
  if (r < 0.35) return `(${sub()} + ${sub()})`;
  if (r < 0.45) return `(${sub()} - ${sub()})`;
  if (r < 0.65) return `${sub()}*${sub()}`;
  if (r < 0.72) return `${sub()}/(${sub()} + 7)`;
  if (r < 0.8) return `(${sub()})^${[2, 3, -1, -2, '(1/2)', '(3/2)', 'y'][Math.floor(next() * 7)]}`;
  if (r < 0.85) return `-(${sub()})`;
  const f = ['exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'softplus', 'sqrt'][Math.floor(next() * 8)]!;
  return f === 'log' || f === 'sqrt' ? `${f}(${sub()}^2 + 1)` : `${f}(${sub()})`;
}

describe('round trip: toText(e) parses back to the same object', () => {
  it('for 1500 random expressions', () => {
    const next = rng(2024);
    let n = 0;
    let knownBug11 = 0;
    for (let i = 0; i < 1500; i++) {
      const src = randomFormula(next, 1 + Math.floor(next() * 4));
      let e: Expr;
      try {
        e = P(src);
      } catch (err) {
        expect(err, src).toBeInstanceOf(FormulaError); // e.g. a division by an expression that is exactly 0
        continue;
      }
      const text = toText(e);
      // a numeric coefficient printed next to a sum factor ("81*(x + 5)*y/10", "x/(2*(a + b))", "-(a + b)*c")
      // re-parses as (81x + 405)*y/10, another object of equal value: known-bugs.test.ts BUG 11 — counted here
      // (about 5% of these formulas), asserted there
      if (P(text) !== e && text.includes('(') && sameValue(P(text), e)) {
        knownBug11++;
        continue;
      }
      expect(P(text), `${src} → ${text}`).toBe(e);
      expect(toText(P(text))).toBe(text);
      n++;
    }
    expect(n + knownBug11).toBeGreaterThan(1400);
    expect(knownBug11).toBeLessThan(150);
  });

  it('for awkward printed forms', () => {
    for (const src of ['-x/2', 'x^(1/2)', '(x*y)^(1/2)', '(x*y)^(-1/3)', '2^(1/2)*x/3', '(1/2)^(1/2)', 'x^(y+1)', '(x^y)^z', 'x^(-y)', '-exp(-x)', '1/(x*y)^(1/2)', 'x - 1/3', '-3/4', 'sqrt(x*y)^3', 'exp(x)^y', '2^x', '(-x)^y']) {
      const e = P(src);
      expect(P(toText(e)), `${src} → ${toText(e)}`).toBe(e);
    }
  });
});

/** equal values at a fixed point (or both undefined there) */
function sameValue(u: Expr, v: Expr): boolean {
  const env = { x: 0.37, y: -0.61, z: 1.13, w1: 0.29, eta: 0.83 };
  const val = (e: Expr) => {
    try {
      return evaluate(e, env);
    } catch {
      return NaN;
    }
  };
  const [p, q] = [val(u), val(v)];
  return (Number.isNaN(p) && Number.isNaN(q)) || Math.abs(p - q) <= 1e-9 * Math.max(1, Math.abs(p));
}

/** The error a formula raises: it must be a FormulaError (never a library's raw error). */
function formulaError(src: string, opts?: Parameters<typeof parseExpr>[1]): FormulaError {
  try {
    parseExpr(src, opts);
  } catch (e) {
    expect(e, src).toBeInstanceOf(FormulaError);
    return e as FormulaError;
  }
  return expect.fail(`${JSON.stringify(src)} parsed without an error`);
}

describe('formula errors name the problem and its position', () => {
  const cases: [string, RegExp, number][] = [
    // [formula, problem, 0-based position]
    ['x +* 2', /expected a number, a name or '\(' but found '\*'/, 3],
    ['x + ', /ends where a value was expected/, 4],
    ['2x', /number directly followed by a name.*write the product with '\*'/, 1],
    ['x $ y', /unexpected character '\$'/, 2],
    ['foo(x)', /unknown function 'foo'/, 0],
    ['x + bar(y, 2)', /unknown function 'bar'/, 4],
    ['exp(x, y)', /exp takes one argument/, 5],
    ['sin()', /sin\(\) needs an argument/, 4],
    ['exp + 1', /'exp' is a function: write exp\(…\)/, 0],
    ['x/0', /division by zero/, 2],
    ['1/(x - x)', /division by zero/, 2],
    ['x + log(0)', /log of the non-positive number 0/, 4],
    ['log(1 - 3)', /log of the non-positive number -2/, 0],
    ['0^-1', /division by zero/, 1],
    ['(-8)^(1/2)', /negative number -8 raised to the power 1\/2: an even root of a negative number is not real/, 4],
    ['1e-400', /the number '1e-400' underflows float64/, 0],
    ['w + 2*1e400', /the number '1e400' overflows float64/, 6],
    ['', /the formula is empty/, 0],
    ['   ', /the formula is empty/, 0],
    ['(x + 1', /expected '\)' but found the end of the formula/, 6],
    ['x + 1)', /unmatched '\)'/, 5],
    ['((x)', /expected '\)'/, 4],
    ['()', /empty parentheses/, 1],
    ['2 (y)', /'\(' after a value: write the product with '\*'/, 2],
    ['x (y)', /unknown function 'x'/, 0],
    ['x y', /unexpected 'y' after a complete expression/, 2],
    ['1e99999', /cannot read the number '1e99999'/, 0],
    ['1.2.3', /unexpected '\.3'/, 3],
  ];
  for (const [src, problem, pos] of cases) {
    it(`${JSON.stringify(src)}: ${problem.source}`, () => {
      const e = formulaError(src);
      expect(e.name).toBe('FormulaError');
      expect(e.problem).toMatch(problem);
      expect(e.position).toBe(pos);
      expect(e.formula).toBe(src);
      // the message shows the formula and a caret under the position
      expect(e.message).toContain(`at position ${pos + 1} of the formula`);
      const lines = e.message.split('\n');
      expect(lines[1]).toBe(`  ${src}`);
      expect(lines[2]!.indexOf('^')).toBe(2 + pos);
      expect(e.message).not.toMatch(/\n\s+at /); // no stack frames in the message
    });
  }

  it('nesting deeper than 500 levels is an error, not a stack overflow', () => {
    const deep = '('.repeat(2000) + 'x' + ')'.repeat(2000);
    expect(formulaError(deep).problem).toMatch(/nested too deeply/);
    expect(formulaError('-'.repeat(5000) + 'x').problem).toMatch(/nested too deeply/);
    expect(formulaError('exp('.repeat(1000) + 'x' + ')'.repeat(1000)).problem).toMatch(/nested too deeply/);
    // long but flat formulas are fine
    expect(P(Array.from({ length: 20000 }, (_, i) => `x${i % 7}`).join(' + ')).kind).toBe('add');
  });

  it('non-string input', () => {
    expect(() => parseExpr(42 as unknown as string)).toThrow(FormulaError);
  });
});

describe('loss(): names, constants and symbols', () => {
  it('parameters, exact constants and symbolic hyper-parameters', () => {
    const L = loss('0.5*(w1*w2 - 1)^2', { params: ['w1', 'w2'] });
    expect(L.params.map((s) => s.name)).toEqual(['w1', 'w2']);
    expect(L.expr).toBe(P('(w1*w2 - 1)^2/2'));
    const M = loss('(w - x)^2 + lam/2*w^2', { params: ['w'], constants: { x: 0.1 }, symbols: ['lam'] });
    expect(M.expr).toBe(P('(w - 1/10)^2 + lam*w^2/2'));
    expect(M.constants.get('x')!.toString()).toBe('1/10');
    expect(M.symbols.map((s) => s.name)).toEqual(['lam']);
    const N = loss('k*w', { params: ['w'], constants: { k: '-1/3' } });
    expect(N.expr).toBe(P('-w/3'));
    expect(loss('k*w', { params: ['w'], constants: { k: Rational.of(2, 7) } }).expr).toBe(P('2/7*w'));
  });

  const formulaCases: [string, Parameters<typeof loss>[1], RegExp, number][] = [
    ['w*q', { params: ['w'] }, /unknown symbol 'q': it is neither a parameter nor a constant \(known: w\)/, 2],
    ['w + pi', { params: ['w'] }, /'pi' is a reserved name/, 4],
    ['e^w', { params: ['w'] }, /'e' is a reserved name/, 0],
    ['w*eta', { params: ['w'], constants: { k: 1 } }, /unknown symbol 'eta'.*known: w, k/, 2],
  ];
  for (const [src, opts, problem, pos] of formulaCases) {
    it(`formula ${JSON.stringify(src)}: ${problem.source}`, () => {
      let err: unknown;
      try {
        loss(src, opts);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(FormulaError);
      expect((err as FormulaError).problem).toMatch(problem);
      expect((err as FormulaError).position).toBe(pos);
    });
  }

  const inputCases: [string, () => unknown, RegExp][] = [
    ['reserved name as a parameter', () => loss('e*2', { params: ['e'] }), /'e' is a reserved name.*cannot be a parameter/],
    ['function name as a parameter', () => loss('w', { params: ['w', 'exp'] }), /'exp' is a reserved name/],
    ['reserved name as a symbol', () => loss('w', { params: ['w'], symbols: ['pi'] }), /'pi' is a reserved name.*symbol/],
    ['reserved name as a constant', () => loss('w', { params: ['w'], constants: { tau: 2 } }), /'tau' is a reserved name.*constant/],
    ['duplicate parameters', () => loss('w', { params: ['w', 'v', 'w'] }), /duplicate parameter 'w'/],
    ['parameter and symbol', () => loss('w', { params: ['w'], symbols: ['w'] }), /'w' is declared twice/],
    ['parameter and constant', () => loss('w', { params: ['w'], constants: { w: 1 } }), /'w' is both a constant and a parameter/],
    ['constant Infinity', () => loss('w*k', { params: ['w'], constants: { k: Infinity } }), /constant 'k' is Infinity: constants must be finite/],
    ['constant -Infinity', () => loss('w*k', { params: ['w'], constants: { k: -Infinity } }), /constant 'k' is -Infinity/],
    ['constant NaN', () => loss('w*k', { params: ['w'], constants: { k: NaN } }), /constant 'k' is NaN/],
    ['constant "abc"', () => loss('w*k', { params: ['w'], constants: { k: 'abc' } }), /constant 'k' = "abc" is not a number or a fraction/],
    ['constant "1/0"', () => loss('w*k', { params: ['w'], constants: { k: '1/0' } }), /constant 'k' = "1\/0" divides by zero/],
    ['invalid name', () => loss('w', { params: ['w-1'] }), /invalid parameter name "w-1"/],
    ['name starting with a digit', () => loss('w', { params: ['1w'] }), /invalid parameter name "1w"/],
    ['no parameters', () => loss('1', { params: [] }), /at least one parameter/],
    ['missing options', () => loss('w', undefined as unknown as { params: string[] }), /options\.params.*required/],
    ['stray symbol in a built expression', () => loss(mul(sym('w'), sym('zz')), { params: ['w'] }), /unknown symbol\(s\) 'zz'/],
  ];
  for (const [name, f, msg] of inputCases) {
    it(`InputError: ${name}`, () => {
      expect(f).toThrow(InputError);
      expect(f).toThrow(msg);
    });
  }

  it('every reserved name is refused as a parameter', () => {
    for (const r of RESERVED_NAMES) expect(() => loss('1', { params: [r] }), r).toThrow(InputError);
  });
});
