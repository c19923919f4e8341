/**
 * The display layer (src/symbolic/display.ts): natural order of names, integer content out of powered
 * sums; the canonical text form unchanged and still round-tripping. Every display form is checked equal
 * to the canonical one by an independent route: mathjs evaluates the display text at random points
 * against the core's evaluation, algebrite expands display − canonical to 0 for polynomials, and the
 * display text parses back to the same canonical object.
 */
import { describe, expect, it, beforeAll } from 'vitest';
import katex from 'katex';
import { type Expr, expand, loss, parseExpr, toLatex, toText } from '../../src/symbolic/index.ts';
import { naturalOrder, toDisplayText } from '../../src/symbolic/display.ts';
import { sumContent } from '../../src/symbolic/print.ts';
import { counterTerms } from '../../src/theory/eom/counter-terms.ts';
import { FORMULAS, close, compileOracle, evalAt, getAlgebrite, loadMath, rng } from './support.ts';

beforeAll(loadMath);

const strictKatex = (tex: string): string => katex.renderToString(tex, { throwOnError: true, strict: 'error' });

/** the display text evaluated by mathjs equals the core's value of e at seeded random points */
function checkEqualNumerically(e: Expr, names: readonly string[], seed: number): void {
  const f = compileOracle(toDisplayText(e));
  const r = rng(seed);
  for (let i = 0; i < 5; i++) {
    const env = Object.fromEntries(names.map((n) => [n, 0.3 + 0.9 * r()]));
    const want = evalAt(e, env);
    const got = f(env);
    expect(close(got, want, 1e-10), `${toDisplayText(e)} at ${JSON.stringify(env)}: ${got} vs ${want}`).toBe(true);
  }
}

describe('natural order of names', () => {
  it('orders digit runs by value', () => {
    const names = ['w10', 'w2', 'w1', 'w11', 'w_3', 'x', 'w20', 'v100', 'v9'];
    expect([...names].sort(naturalOrder)).toEqual(['v9', 'v100', 'w1', 'w2', 'w10', 'w11', 'w20', 'w_3', 'x']);
    expect(naturalOrder('a01', 'a1')).toBeGreaterThan(0);
    expect(naturalOrder('w2', 'w2')).toBe(0);
  });

  it('prints w2 before w10 in display text and LaTeX; the canonical text keeps its own order', () => {
    const e = parseExpr('w10 + w2 + w1 + w11 + w3^2');
    expect(toDisplayText(e)).toBe('w3^2 + w1 + w2 + w10 + w11');
    expect(toLatex(e)).toBe('w_{3}^{2} + w_{1} + w_{2} + w_{10} + w_{11}');
    expect(toText(e)).toBe('w3^2 + w1 + w10 + w11 + w2');
    expect(toLatex(e, { form: 'canonical' })).toBe('w_{3}^{2} + w_{1} + w_{10} + w_{11} + w_{2}');
    // factors of a product too
    expect(toDisplayText(parseExpr('w10*w2*w1'))).toBe('w1*w2*w10');
  });
});

describe('integer content out of sums', () => {
  it('(3w1 + w2 − 3)² prints as it was typed, not as 9(w1 + w2/3 − 1)²', () => {
    const e = parseExpr('(3*w1 + w2 - 3)^2');
    expect(toText(e)).toBe('9*(w1 + w2/3 - 1)^2');
    expect(toDisplayText(e)).toBe('(3*w1 + w2 - 3)^2');
    expect(toLatex(e)).toBe('\\left(3 w_{1} + w_{2} - 3\\right)^{2}');
  });

  it('moves the content into the coefficient, numerator and denominator alike', () => {
    expect(sumContent(parseExpr('w1/2 + w2/3') as never).toString()).toBe('1/6');
    expect(sumContent(parseExpr('4*w1 + 6*w2') as never).toString()).toBe('2');
    expect(toDisplayText(parseExpr('(w1/2 + w2/3)^3*sin(w1)'))).toBe('sin(w1)*(3*w1 + 2*w2)^3/216');
    expect(toDisplayText(parseExpr('x/(w1/2 + w2/3)^2'))).toBe('36*x/(3*w1 + 2*w2)^2');
    expect(toDisplayText(parseExpr('-(2*w1 - 4*w2)^2'))).toBe('-4*(w1 - 2*w2)^2');
  });
});

describe('common factors', () => {
  it('a fraction shared by a sum’s coefficients is printed once where that is shorter', () => {
    expect(toDisplayText(parseExpr('w1/4 + w2/4 + w3/4'))).toBe('(w1 + w2 + w3)/4');
    expect(toDisplayText(parseExpr('x/4 + y/4 + x*y/4 - 1/4'))).toBe('(x*y + x + y - 1)/4');
    expect(toLatex(parseExpr('sin(w1/6 + w2/3 + 1/2)'))).toBe('\\sin\\left(\\frac{1}{6} \\left(w_{1} + 2 w_{2} + 3\\right)\\right)');
    // not shorter, or nothing shared: as stored
    expect(toDisplayText(parseExpr('w1/4 + w2/4'))).toBe('w1/4 + w2/4');
    expect(toDisplayText(parseExpr('w1/2 + w2'))).toBe('w1/2 + w2');
  });
});

describe('every display form equals the canonical one', () => {
  const cases: Array<{ e: Expr; names: string[] }> = [];
  for (const f of FORMULAS) cases.push({ e: parseExpr(f.f), names: ['x', 'y'] });
  for (const f of ['(3*w1 + w2 - 3)^2', '(w1/2 + w2/3)^3*sin(w1) + w10/(w2/5 + 1/7)', '(w1 + w10/3)^4 - (w2/6 - w11)^2*w1', 'w1/4 + w2/4 + w10*w11/4 - 1/4', 'exp(w1/6 + w2/3 + 1/2)*(w10/3 + w11/3 + 1/3)']) cases.push({ e: parseExpr(f), names: ['w1', 'w2', 'w10', 'w11'] });
  // derived counter terms: what the printers show in practice
  for (const [f, p] of [['(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2', ['w1', 'w2']], ['(w1*w2 - 1)^2/2 + sin(w1)/3', ['w1', 'w2']]] as const) {
    const s = counterTerms(loss(f, { params: [...p] }), 3);
    for (const fk of s.f) for (const c of fk) cases.push({ e: c, names: [...p] });
  }

  it('the display text parses back to the same object, and so does the canonical text', () => {
    for (const { e } of cases) {
      expect(parseExpr(toDisplayText(e))).toBe(e);
      expect(parseExpr(toText(e))).toBe(e);
    }
  });

  it('mathjs evaluates the display text to the core value (random points)', () => {
    // mathjs knows the usual functions; the few it lacks (sigmoid, softplus, …) are left to the parse check
    const known = cases.filter(({ e }) => !/sigmoid|softplus|gelu|erf|log1p|expm1|sgn/.test(toText(e)));
    expect(known.length).toBeGreaterThan(30);
    known.forEach(({ e, names }, i) => checkEqualNumerically(e, names, 100 + i));
  });

  it('algebrite expands display − canonical to 0 for the polynomials', () => {
    const cas = getAlgebrite();
    for (const f of ['(3*w1 + w2 - 3)^2', '(w1/2 + w2/3)^3*w1 - (2*w1 - 4*w2)^2', ...FORMULAS.filter((x) => x.exact === 'poly').map((x) => x.f)]) {
      const e = parseExpr(f);
      if (e.kind === 'num') continue;
      const d = toDisplayText(e);
      expect(cas.run(`expand((${d}) - (${toText(e).replace(/(\d+\.\d+)/g, '($1)')}))`), `${d} vs ${toText(e)}`).toBe('0');
    }
  });

  it('display LaTeX passes KaTeX strict, and its canonical variant too', () => {
    for (const { e } of cases.slice(0, 40)) {
      expect(() => strictKatex(toLatex(e))).not.toThrow();
      expect(() => strictKatex(toLatex(e, { form: 'canonical' }))).not.toThrow();
    }
  });

  it('the expansion of the display form equals the expansion of the canonical one', () => {
    for (const { e } of cases.slice(0, 12)) expect(expand(parseExpr(toDisplayText(e)))).toBe(expand(e));
  });
});
