/**
 * LaTeX printer (a visitor over the core, display order from print.ts). Output
 * is accepted by KaTeX in strict mode: every test renders what it prints with
 * `katex.renderToString(tex, { throwOnError: true, strict: 'error' })`.
 *
 * Names: `w1` → w_{1}, `x_12` → x_{12}, `eta` → \eta, `beta2` → \beta_{2},
 * other multi-letter names → \mathrm{name}.
 */
import { Rational } from './rational.ts';
import { type Expr, freeSymbols, requireExpr, requireExprArray } from './expr.ts';
import { InputError, describe } from '../errors.ts';
import { type ElementaryFunction, getFunction } from './functions/registry.ts';
import { DEFAULT_PRINT_LIMIT, type PrintStyle, type ProductParts, checkPrintable, stylePrinter, textPrinter } from './print.ts';
import { DISPLAY_PRESENTATION, displayTextPrinter } from './display.ts';

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

function rationalTex(q: Rational): string {
  const a = q.isNegative() ? q.neg() : q;
  const s = a.isInteger() ? a.num.toString() : `\\frac{${a.num}}{${a.den}}`;
  return q.isNegative() ? `-${s}` : s;
}

export interface LatexOptions {
  /** tree size above which printing is refused (PrintSizeError) */
  limit?: number;
  /**
   * 'display' (default): the display form of src/symbolic/display.ts (natural order of names, integer
   * content out of powered sums); 'canonical': the canonical text form's order and coefficients.
   */
  form?: 'display' | 'canonical';
  /**
   * LaTeX chosen by the user for symbol names, e.g. { lam: '\\lambda' }. A choice that prints like an
   * engine symbol (η, β, θ, σ) or like another symbol of the expression is refused (InputError).
   */
  names?: Readonly<Record<string, string>>;
  /**
   * LaTeX reserved by the context, e.g. ENGINE_LATEX where the learning rate η prints beside the loss: a
   * user name that would print as one of these prints as typed, upright (`eta` as \\mathrm{eta})
   */
  reserved?: ReadonlySet<string>;
}

/** LaTeX the engine prints for its own objects: the learning rate η, the momentum β, the parameters θ, the sigmoid σ. */
export const ENGINE_LATEX: ReadonlySet<string> = new Set(['\\eta', '\\beta', '\\theta', '\\sigma']);

/** a name as typed, upright: `\mathrm{w\_1}` */
function verbatimName(name: string): string {
  return `\\mathrm{${name.replace(/_/g, '\\_')}}`;
}

/**
 * The LaTeX of each symbol of an expression, collisions made visible: a user name that would print like
 * another name of the same expression (`w1` and `w_1` both as w_{1}, a user `eta` beside the engine's η)
 * or like a `reserved` LaTeX (ENGINE_LATEX where the engine's η, β, θ, σ print nearby) prints as typed,
 * upright (`\\mathrm{w\\_1}`, `\\mathrm{eta}`); a name given in `names` prints as given, and a given
 * name that collides with another is refused (InputError).
 */
export function symbolLatexNames(symbols: readonly string[], names: Readonly<Record<string, string>> = {}, reserved: ReadonlySet<string> = new Set()): Map<string, string> {
  const isEngine = (n: string): boolean => /[^\x00-\x7f]/.test(n);
  const out = new Map<string, string>(symbols.map((n) => [n, names[n] ?? latexName(n)]));
  const byTex = new Map<string, string[]>();
  for (const [n, t] of out) byTex.set(t, [...(byTex.get(t) ?? []), n]);
  for (const [t, ns] of byTex) {
    if (ns.length < 2) continue;
    if (ns.some((n) => names[n] !== undefined)) throw new InputError(`LaTeX names: ${ns.map((n) => `'${n}'`).join(' and ')} would all print as ${t}; choose distinct names (--tex name=…)`);
    for (const n of ns) if (!isEngine(n)) out.set(n, verbatimName(n));
  }
  // a user name printing like a reserved symbol, even where that symbol is absent from this expression
  for (const [n, t] of out) if (!isEngine(n) && names[n] === undefined && reserved.has(t)) out.set(n, verbatimName(n));
  return out;
}

/** f(u) in LaTeX given u's LaTeX: `\op\left(u\right)`, or u between the function's delimiters (|u|). */
function callTex(f: ElementaryFunction, arg: string): string {
  return typeof f.latex === 'string' ? `${f.latex}\\left(${arg}\\right)` : `${f.latex.left}${arg}${f.latex.right}`;
}

/** a base of a power: parenthesise anything that is not a name, function or natural number */
function baseTex(x: Expr, go: (x: Expr) => string): string {
  if (x.kind === 'sym') return go(x);
  if (x.kind === 'num' && x.value.isInteger() && !x.value.isNegative()) return go(x);
  return `\\left(${go(x)}\\right)`;
}

/** juxtaposed factors; a digit after a digit would read as one number: separate with \cdot */
function juxtapose(parts: readonly string[]): string {
  let s = '';
  for (const p of parts) {
    if (s === '') s = p;
    else s += /^[\d\\{-]?\d/.test(p) || /^\d/.test(p) ? ` \\cdot ${p}` : ` ${p}`;
  }
  return s;
}

/** The LaTeX hooks of the printer skeleton (print.ts). */
const LATEX_STYLE: PrintStyle = {
  number: rationalTex,
  symbol: latexName,
  call: callTex,
  power: (base, exp, go) => `${baseTex(base, go)}^{${go(exp)}}`,
  factor(b, k, go) {
    if (k.isOne()) return b.kind === 'add' ? `\\left(${go(b)}\\right)` : go(b);
    if (k.equals(Rational.HALF)) return `\\sqrt{${go(b)}}`;
    const ks = k.isInteger() ? k.toString() : `${k.num}/${k.den}`;
    if (b.kind === 'call') {
      // sin^{2}\left(x\right); a delimited function is powered as a whole: \left|x\right|^{2}
      const f = getFunction(b.fn);
      return typeof f.latex === 'string' ? `${f.latex}^{${ks}}\\left(${go(b.arg)}\\right)` : `${callTex(f, go(b.arg))}^{${ks}}`;
    }
    return `${baseTex(b, go)}^{${ks}}`;
  },
  join: (parts) => juxtapose(parts) || '1',
  quotient(top, bottom, p: ProductParts, go) {
    // a lone sum as numerator or denominator needs no parentheses: \frac{1}{x^{2} + 1}
    const lone = (fs: ProductParts['numer'], extra: number): string | undefined =>
      fs.length === 1 && extra === 0 && fs[0]![1].isOne() && fs[0]![0].kind === 'add' ? go(fs[0]![0]) : undefined;
    const a = p.coefficient;
    const topTex = lone(p.numer, a.num !== 1n ? 1 : 0) ?? (juxtapose(top) || '1');
    const bottomTex = lone(p.denom, !a.isInteger() ? 1 : 0) ?? juxtapose(bottom);
    return `\\frac{${topTex}}{${bottomTex}}`;
  },
  leadingFraction(a, factors) {
    const body = juxtapose(factors);
    const lead = `\\frac{${a.num}}{${a.den}}`;
    return body ? `${lead} ${body}` : lead;
  },
};

/** LaTeX for an expression. */
export function toLatex(e: Expr | readonly Expr[], opts: LatexOptions | number = {}): string {
  // as a callback of Array.prototype.map the second argument is the element index: not options, ignored
  const o: LatexOptions = typeof opts === 'object' && opts !== null ? opts : {};
  if (o.limit !== undefined && (typeof o.limit !== 'number' || !Number.isInteger(o.limit) || o.limit < 1)) {
    throw new InputError(`toLatex(e, options): options.limit must be a positive integer (got ${describe(o.limit)})`);
  }
  // an array of expressions is a column vector
  if (Array.isArray(e)) return vectorLatex(requireExprArray('toLatex(e): e', e), o);
  const x = requireExpr('toLatex(e): e', e);
  checkPrintable(x, o.limit ?? DEFAULT_PRINT_LIMIT);
  const names = symbolLatexNames(freeSymbols(x).map((s) => s.name), o.names, o.reserved);
  const style: PrintStyle = { ...LATEX_STYLE, symbol: (n) => names.get(n) ?? latexName(n) };
  // display order is the text form's: one memoised text printer serves every key
  if (o.form === 'canonical') return stylePrinter(style, textPrinter())(x);
  return stylePrinter(style, displayTextPrinter(), DISPLAY_PRESENTATION)(x);
}

/** A column vector as a pmatrix; a vector of one entry (a 1-D gradient) is that entry, a scalar. */
export function vectorLatex(v: readonly Expr[], opts: LatexOptions = {}): string {
  if (v.length === 1) return toLatex(v[0]!, opts);
  return `\\begin{pmatrix} ${v.map((x) => toLatex(x, opts)).join(' \\\\ ')} \\end{pmatrix}`;
}

/** A matrix as a pmatrix. */
export function matrixLatex(m: readonly (readonly Expr[])[], opts: LatexOptions = {}): string {
  return `\\begin{pmatrix} ${m.map((row) => row.map((x) => toLatex(x, opts)).join(' & ')).join(' \\\\ ')} \\end{pmatrix}`;
}
