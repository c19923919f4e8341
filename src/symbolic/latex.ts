/**
 * LaTeX printer (a visitor over the core, display order from print.ts). Output
 * is accepted by KaTeX in strict mode: every test renders what it prints with
 * `katex.renderToString(tex, { throwOnError: true, strict: 'error' })`.
 *
 * Names: `w1` → w_{1}, `x_12` → x_{12}, `eta` → \eta, `beta2` → \beta_{2},
 * other multi-letter names → \mathrm{name}.
 */
import { Rational } from './rational.ts';
import { type Expr, type Mul, scale } from './expr.ts';
import { DEFAULT_PRINT_LIMIT, checkPrintable, displayFactors, displayTerms, memoizedPrinter, textPrinter } from './print.ts';

const GREEK = new Set([
  'alpha', 'beta', 'gamma', 'delta', 'epsilon', 'varepsilon', 'zeta', 'eta', 'theta', 'vartheta', 'iota', 'kappa',
  'lambda', 'mu', 'nu', 'xi', 'rho', 'sigma', 'tau', 'upsilon', 'phi', 'varphi', 'chi', 'psi', 'omega',
  'Gamma', 'Delta', 'Theta', 'Lambda', 'Xi', 'Pi', 'Sigma', 'Upsilon', 'Phi', 'Psi', 'Omega',
]);

/** Unicode Greek letters (used for internal symbols such as η, β that no formula can spell) → commands. */
const UNICODE_GREEK: Record<string, string> = {
  α: 'alpha', β: 'beta', γ: 'gamma', δ: 'delta', ε: 'epsilon', ζ: 'zeta', η: 'eta', θ: 'theta', ι: 'iota',
  κ: 'kappa', λ: 'lambda', μ: 'mu', ν: 'nu', ξ: 'xi', π: 'pi', ρ: 'rho', σ: 'sigma', τ: 'tau', υ: 'upsilon',
  φ: 'phi', χ: 'chi', ψ: 'psi', ω: 'omega', Γ: 'Gamma', Δ: 'Delta', Θ: 'Theta', Λ: 'Lambda', Ξ: 'Xi',
  Π: 'Pi', Σ: 'Sigma', Φ: 'Phi', Ψ: 'Psi', Ω: 'Omega',
};

/** LaTeX for a symbol name. */
export function latexName(name: string): string {
  if (/[^\x00-\x7f]/.test(name)) {
    const ascii = [...name].map((ch) => (UNICODE_GREEK[ch] !== undefined ? `\\${UNICODE_GREEK[ch]} ` : /[A-Za-z0-9_]/.test(ch) ? ch : '')).join('');
    const m = /^((?:\\[A-Za-z]+ )+|[A-Za-z]+?)_?(\d+)$/.exec(ascii);
    if (m) return `${m[1]!.trim()}_{${m[2]}}`;
    return ascii.trim() || '\\square';
  }
  const m = /^([A-Za-z]+?)_?(\d+)$/.exec(name) ?? /^([A-Za-z]+)_([A-Za-z0-9]+)$/.exec(name);
  if (m) return `${latexStem(m[1]!)}_{${latexSub(m[2]!)}}`;
  if (name.includes('_')) {
    const [stem, ...rest] = name.split('_');
    return `${latexStem(stem!)}_{${rest.map(latexSub).join(',')}}`;
  }
  return latexStem(name);
}

function latexStem(s: string): string {
  if (s === '') return '\\_';
  if (GREEK.has(s)) return `\\${s}`;
  if (s.length === 1) return s;
  return `\\mathrm{${s}}`;
}

function latexSub(s: string): string {
  if (/^\d+$/.test(s)) return s;
  return GREEK.has(s) ? `\\${s}` : s.length === 1 ? s : `\\mathrm{${s}}`;
}

const FN_TEX: Record<string, string> = {
  exp: '\\exp',
  log: '\\log',
  sin: '\\sin',
  cos: '\\cos',
  tanh: '\\tanh',
  sigmoid: '\\sigma',
  softplus: '\\operatorname{softplus}',
};

function rationalTex(q: Rational): string {
  const a = q.isNegative() ? q.neg() : q;
  const s = a.isInteger() ? a.num.toString() : `\\frac{${a.num}}{${a.den}}`;
  return q.isNegative() ? `-${s}` : s;
}

export interface LatexOptions {
  /** tree size above which printing is refused (PrintSizeError) */
  limit?: number;
}

/** LaTeX for an expression. */
export function toLatex(e: Expr, opts: LatexOptions = {}): string {
  checkPrintable(e, opts.limit ?? DEFAULT_PRINT_LIMIT);
  // display order is the text form's: one memoised text printer serves every key
  const key = textPrinter();
  const go = memoizedPrinter(print);
  function print(x: Expr): string {
    switch (x.kind) {
      case 'num':
        return rationalTex(x.value);
      case 'sym':
        return latexName(x.name);
      case 'call':
        return `${FN_TEX[x.fn]}\\left(${go(x.arg)}\\right)`;
      case 'pow':
        return `${base(x.base)}^{${go(x.exp)}}`;
      case 'mul':
        return printMul(x);
      case 'add': {
        let s = '';
        for (const [c, t] of displayTerms(x, key)) {
          const body = t === null ? rationalTex(c) : go(scale(t, c));
          if (s === '') s = body;
          else s += body.startsWith('-') ? ` - ${body.slice(1)}` : ` + ${body}`;
        }
        return s;
      }
    }
  }
  /** a base of a power: parenthesise anything that is not a name, function or natural number */
  function base(x: Expr): string {
    if (x.kind === 'sym') return go(x);
    if (x.kind === 'num' && x.value.isInteger() && !x.value.isNegative()) return go(x);
    return `\\left(${go(x)}\\right)`;
  }
  function power(b: Expr, k: Rational): string {
    if (k.isOne()) return b.kind === 'add' ? `\\left(${go(b)}\\right)` : go(b);
    if (k.equals(Rational.HALF)) return `\\sqrt{${go(b)}}`;
    const ks = k.isInteger() ? k.toString() : `${k.num}/${k.den}`;
    if (b.kind === 'call') return `${FN_TEX[b.fn]}^{${ks}}\\left(${go(b.arg)}\\right)`;
    return `${base(b)}^{${ks}}`;
  }
  function juxtapose(parts: string[]): string {
    // a digit after a digit would read as one number: separate with \cdot
    let s = '';
    for (const p of parts) {
      if (s === '') s = p;
      else s += /^[\d\\{-]?\d/.test(p) || /^\d/.test(p) ? ` \\cdot ${p}` : ` ${p}`;
    }
    return s;
  }
  function printMul(m: Mul): string {
    const { numer, denom } = displayFactors(m, key);
    const c = m.coeff;
    const a = c.isNegative() ? c.neg() : c;
    const sign = c.isNegative() ? '-' : '';
    const top: string[] = [];
    if (a.num !== 1n && (a.isInteger() || denom.length > 0)) top.push(a.num.toString());
    for (const [b, k] of numer) top.push(power(b, k));
    const bottom: string[] = [];
    if (!a.isInteger() && denom.length > 0) bottom.push(a.den.toString());
    for (const [b, k] of denom) bottom.push(power(b, k));
    if (bottom.length === 0) {
      // a fractional coefficient in front: \frac{3}{4} x
      const lead = !a.isInteger() ? `\\frac{${a.num}}{${a.den}}` : '';
      const body = juxtapose(top);
      return sign + (lead ? (body ? `${lead} ${body}` : lead) : body || '1');
    }
    // a lone sum as numerator or denominator needs no parentheses: \frac{1}{x^{2} + 1}
    const lone = (fs: Array<[Expr, Rational]>, extra: number): string | undefined =>
      fs.length === 1 && extra === 0 && fs[0]![1].isOne() && fs[0]![0].kind === 'add' ? go(fs[0]![0]) : undefined;
    const topTex = lone(numer, a.num !== 1n ? 1 : 0) ?? (juxtapose(top) || '1');
    const bottomTex = lone(denom, !a.isInteger() ? 1 : 0) ?? juxtapose(bottom);
    return `${sign}\\frac{${topTex}}{${bottomTex}}`;
  }
  return go(e);
}

/** A column vector as a pmatrix. */
export function vectorLatex(v: readonly Expr[], opts: LatexOptions = {}): string {
  return `\\begin{pmatrix} ${v.map((x) => toLatex(x, opts)).join(' \\\\ ')} \\end{pmatrix}`;
}

/** A matrix as a pmatrix. */
export function matrixLatex(m: readonly (readonly Expr[])[], opts: LatexOptions = {}): string {
  return `\\begin{pmatrix} ${m.map((row) => row.map((x) => toLatex(x, opts)).join(' & ')).join(' \\\\ ')} \\end{pmatrix}`;
}
