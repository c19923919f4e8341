/** Every printed LaTeX string must pass KaTeX in strict mode; a few are checked verbatim. */
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import {
  diffMany,
  gradient,
  hessian,
  latexName,
  loss,
  matrixLatex,
  mlpLoss,
  parseExpr,
  sym,
  toLatex,
  vectorLatex,
} from '../../src/symbolic/index.ts';
import { FORMULAS, derivativeIndices, rng } from './support.ts';

const P = (s: string) => parseExpr(s);

function strictOk(tex: string, what: string): void {
  try {
    katex.renderToString(tex, { throwOnError: true, strict: 'error' });
  } catch (e) {
    expect.fail(`KaTeX (strict) rejects the LaTeX of ${what}:\n  ${tex}\n  ${(e as Error).message}`);
  }
}

describe('KaTeX strict accepts every printed expression', () => {
  it('the formula table and all its derivatives (to 4th order)', () => {
    let n = 0;
    for (const F of FORMULAS) {
      const e = P(F.f);
      strictOk(toLatex(e), F.f);
      for (const idx of derivativeIndices(true)) {
        strictOk(toLatex(diffMany(e, idx.map((v) => sym(v)))), `∂${idx.join('')} ${F.f}`);
        n++;
      }
    }
    expect(n).toBe(FORMULAS.length * 14);
  });

  it('gradients and Hessians as vectors and matrices (pmatrix)', () => {
    const L = loss('0.5*(w1*w2 - 1)^2 + eta*beta2/4*(x_12 - lam)^2 + theta^3/3', { params: ['w1', 'w2', 'x_12', 'theta'], symbols: ['eta', 'beta2', 'lam'] });
    const g = gradient(L.expr, L.params);
    const H = hessian(L.expr, L.params);
    const v = vectorLatex(g);
    const m = matrixLatex(H);
    strictOk(v, 'gradient');
    strictOk(m, 'Hessian');
    expect(v.startsWith('\\begin{pmatrix}') && v.endsWith('\\end{pmatrix}')).toBe(true);
    expect(v.split(' \\\\ ').length).toBe(4);
    expect(m.split(' \\\\ ').length).toBe(4);
    expect(m.split(' \\\\ ')[0]!.split(' & ').length).toBe(4);
    const net = mlpLoss({ sizes: [2, 3, 1], X: [[1, 0], [0, 1], [1, 1], [-1, 0.5]], Y: [1, -1, 0, 0.5] });
    strictOk(vectorLatex(gradient(net.expr, net.params)), 'MLP gradient');
  });

  it('random expressions', () => {
    const next = rng(77);
    const names = ['x', 'w1', 'x_12', 'eta', 'beta2', 'lam', 'theta', 'W1_2_3', 'a11', 'Sigma', 'alpha_beta', 'b_x'];
    const atom = () => (next() < 0.6 ? names[Math.floor(next() * names.length)]! : String(Math.floor(next() * 20)) + (next() < 0.3 ? '/7' : ''));
    const gen = (d: number): string => {
      if (d === 0 || next() < 0.2) return atom();
      const r = next();
      if (r < 0.2) return `(${gen(d - 1)} + ${gen(d - 1)})`;
      if (r < 0.35) return `(${gen(d - 1)} - ${gen(d - 1)})`;
      if (r < 0.55) return `${gen(d - 1)}*${gen(d - 1)}`;
      if (r < 0.65) return `${gen(d - 1)}/(${gen(d - 1)} + 1/3)`;
      if (r < 0.8) return `(${gen(d - 1)})^${['2', '3', '(-1)', '(1/2)', '(2/3)', '(-3/2)', 'x', '(w1 + 1)'][Math.floor(next() * 8)]}`;
      return `${['exp', 'log', 'sin', 'cos', 'tanh', 'sigmoid', 'softplus', 'sqrt'][Math.floor(next() * 8)]}(${gen(d - 1)}^2 + 1)`;
    };
    let n = 0;
    for (let i = 0; i < 400; i++) {
      let e;
      try {
        e = P(gen(4));
      } catch {
        continue;
      }
      strictOk(toLatex(e), String(i));
      n++;
    }
    expect(n).toBeGreaterThan(350);
  });
});

describe('names', () => {
  const cases: [string, string][] = [
    ['w1', 'w_{1}'],
    ['x_12', 'x_{12}'],
    ['a11', 'a_{11}'],
    ['eta', '\\eta'],
    ['beta2', '\\beta_{2}'],
    ['theta', '\\theta'],
    ['Sigma', '\\Sigma'],
    ['lam', '\\mathrm{lam}'],
    ['x', 'x'],
    ['alpha_beta', '\\alpha_{\\beta}'],
    ['η', '\\eta'],
  ];
  for (const [name, tex] of cases) {
    it(`${name} → ${tex}`, () => {
      expect(latexName(name)).toBe(tex);
      strictOk(tex, name);
    });
  }
  it('odd names still render', () => {
    for (const n of ['W1_2_3', 'b_x', 'x__1', 'w_', 'longname42', 'η1', 'β_2']) strictOk(latexName(n), n);
  });
});

describe('specific output', () => {
  const cases: [string, string][] = [
    ['x^2/2', '\\frac{1}{2} x^{2}'],
    ['3*x/(4*y)', '\\frac{3 x}{4 y}'],
    ['sqrt(x)', '\\sqrt{x}'],
    ['exp(-x)', '\\exp\\left(-x\\right)'],
    ['sigmoid(w1)', '\\sigma\\left(w_{1}\\right)'],
    ['eta*w1^2', '\\eta w_{1}^{2}'],
    ['alpha*w1^2', '\\alpha w_{1}^{2}'],
    ['2*sqrt(2)', '2 \\sqrt{2}'],
    ['x^y', 'x^{y}'],
    ['1/(1 + x^2)', '\\frac{1}{x^{2} + 1}'],
    ['-x', '-x'],
  ];
  for (const [src, tex] of cases) {
    it(`${src} → ${tex}`, () => {
      expect(toLatex(P(src))).toBe(tex);
      strictOk(tex, src);
    });
  }
  it('a vector', () => {
    expect(vectorLatex([P('w1'), P('-alpha')])).toBe('\\begin{pmatrix} w_{1} \\\\ -\\alpha \\end{pmatrix}');
    // one entry: a scalar, not a 1×1 matrix
    expect(vectorLatex([P('w1^2')])).toBe('w_{1}^{2}');
  });
});
