/**
 * Printers as visitors (SymPy's StrPrinter/LatexPrinter split): this file holds
 * the display order shared by every printer, the skeleton every printer is built
 * on (`stylePrinter`: walk, sums, products; a printer is a `PrintStyle` of hooks)
 * and the canonical text form, which our parser reads back to the same object (a
 * round trip the tests check).
 *
 * The core's internal order is by structural hash (fast, deterministic, but not
 * readable); printers sort terms by total degree, then alphabetically, and
 * factors by name — the same order on every run and machine.
 */
import { Rational } from './rational.ts';
import { BudgetError, InputError, InternalError, describe } from '../errors.ts';
import { type Add, type Expr, type Mul, requireExpr, requireExprArray, scale, setTextForm } from './expr.ts';
import { type ElementaryFunction, getFunction } from './functions/registry.ts';
import { memoWalk } from './walk.ts';

/** Largest tree (in nodes) a printer will expand; DAG sharing can hide exponential size. */
export const DEFAULT_PRINT_LIMIT = 5_000_000;

export class PrintSizeError extends BudgetError {
  constructor(size: number, limit: number) {
    super(`expression too large to print: ${size.toExponential(2)} nodes as a tree (limit ${limit}); print a compact form (with shared subexpressions) instead`);
  }
}

export function checkPrintable(e: Expr, limit = DEFAULT_PRINT_LIMIT): void {
  if (e.treeSize > limit) throw new PrintSizeError(e.treeSize, limit);
}

/** Total polynomial degree of a unit term in its symbols (other factors count by exponent too). */
export function termDegree(t: Expr): number {
  switch (t.kind) {
    case 'num':
      return 0;
    case 'mul': {
      let d = 0;
      for (const k of t.exps) d += k.toNumber();
      return d;
    }
    default:
      return 1;
  }
}

/** Order of two display keys: plain code-unit order (the canonical text's), or e.g. natural order. */
export type KeyOrder = (a: string, b: string) => number;

/** Code-unit order of strings (w1 < w10 < w2): the canonical text form's order. */
export const codeUnitOrder: KeyOrder = (a, b) => (a < b ? -1 : a > b ? 1 : 0);

/** Terms of a sum in display order: (coefficient, unit term) pairs, constant last. */
export function displayTerms(e: Expr, key: (t: Expr) => string, order: KeyOrder = codeUnitOrder): Array<[Rational, Expr | null]> {
  if (e.kind !== 'add') throw new InternalError('displayTerms expects a sum');
  const items = e.terms.map((t, i) => ({ t, c: e.coeffs[i]!, d: termDegree(t), k: key(t) }));
  items.sort((a, b) => b.d - a.d || order(a.k, b.k));
  const out: Array<[Rational, Expr | null]> = items.map((x) => [x.c, x.t]);
  if (!e.constant.isZero()) out.push([e.constant, null]);
  return out;
}

/** Factors of a product split by the sign of their exponents, in display order. */
export function displayFactors(m: Mul, key: (b: Expr) => string, order: KeyOrder = codeUnitOrder): { numer: Array<[Expr, Rational]>; denom: Array<[Expr, Rational]> } {
  const items = m.bases.map((b, i) => ({ b, k: m.exps[i]!, key: key(b) }));
  items.sort((a, b) => rankFactor(a.b) - rankFactor(b.b) || order(a.key, b.key));
  const numer: Array<[Expr, Rational]> = [];
  const denom: Array<[Expr, Rational]> = [];
  for (const x of items) (x.k.isNegative() ? denom : numer).push([x.b, x.k.isNegative() ? x.k.neg() : x.k]);
  return { numer, denom };
}

/** numbers, then symbols, then functions and powers, then sums */
function rankFactor(b: Expr): number {
  switch (b.kind) {
    case 'num':
      return 0;
    case 'sym':
      return 1;
    case 'call':
    case 'pow':
      return 2;
    default:
      return 3;
  }
}

// ---------------------------------------------------------------------------
// The printer skeleton (GiNaC's print_add/print_mul with a print context): the walk, the sum loop and
// the layout of a product's coefficient, numerator and denominator are shared; printers differ only in
// the hooks of a PrintStyle.

/** A product's parts as the skeleton hands them to `quotient`. */
export interface ProductParts {
  /** |coefficient| */
  readonly coefficient: Rational;
  /** factors with positive exponents and (negated) negative exponents, in display order */
  readonly numer: ReadonlyArray<readonly [Expr, Rational]>;
  readonly denom: ReadonlyArray<readonly [Expr, Rational]>;
}

/** What distinguishes one printer from another. `go` prints a sub-expression (memoised). */
export interface PrintStyle {
  /** a rational number (a numeric node, a sum's constant term) */
  number(q: Rational): string;
  symbol(name: string): string;
  /** f(arg) given the printed argument */
  call(f: ElementaryFunction, arg: string): string;
  /** base^exp with a symbolic exponent (a pow node) */
  power(base: Expr, exp: Expr, go: (x: Expr) => string): string;
  /** one factor b^k (k > 0) of a product */
  factor(b: Expr, k: Rational, go: (x: Expr) => string): string;
  /** the product of printed factors (the coefficient's numerator first when it is not 1); '1' for none */
  join(parts: readonly string[]): string;
  /** numerator over denominator (both non-empty lists of printed factors; the numerator may be empty) */
  quotient(top: readonly string[], bottom: readonly string[], p: ProductParts, go: (x: Expr) => string): string;
  /**
   * A fractional coefficient before a product without denominators (LaTeX's \frac{3}{4} x); without
   * this hook the coefficient's denominator goes to the quotient.
   */
  leadingFraction?(coefficient: Rational, factors: readonly string[]): string;
}

/**
 * How a printer presents what the core stores (the display layer, src/symbolic/display.ts): the order of
 * keys, and whether a sum raised to an integer power inside a product shows its integer form, the
 * rational content moved into the product's coefficient: 9(w1 + w2/3 − 1)² as (3w1 + w2 − 3)². Both keep
 * the value; the default (canonical) presentation changes nothing.
 */
export interface PresentationOptions {
  order?: KeyOrder;
  /** show sums with integer coefficients, their content moved into the enclosing product's coefficient */
  integerContent?: boolean;
  /** a sum whose coefficients share a fraction prints it once, (w1 + w2)/4, where that is shorter */
  commonFactor?: boolean;
}

/**
 * The content of a sum: the positive rational q with every coefficient and the constant of the sum an
 * integer multiple of q and the multiples coprime (x = q·x′, x′ with integer coprime coefficients).
 */
export function sumContent(x: Add): Rational {
  const cs = [...x.coeffs, ...(x.constant.isZero() ? [] : [x.constant])];
  let num = 0n;
  let den = 1n;
  const gcd = (a: bigint, b: bigint): bigint => {
    while (b !== 0n) [a, b] = [b, a % b];
    return a < 0n ? -a : a;
  };
  for (const c of cs) {
    num = gcd(num, c.num);
    den = (den / gcd(den, c.den)) * c.den;
  }
  return num === 0n ? Rational.ONE : Rational.of(num, den);
}

/**
 * A printer from a style: memoised per node (one printed string per distinct node), sums in display
 * order (keys from `key`, default the printer itself), products laid out as sign, coefficient, numerator,
 * denominator.
 */
export function stylePrinter(style: PrintStyle, key?: (x: Expr) => string, presentation: PresentationOptions = {}): (x: Expr) => string {
  const order = presentation.order ?? codeUnitOrder;
  const go: (x: Expr) => string = memoWalk<string>((x) => {
    switch (x.kind) {
      case 'num':
        return style.number(x.value);
      case 'sym':
        return style.symbol(x.name);
      case 'call':
        return style.call(getFunction(x.fn), go(x.arg));
      case 'pow':
        return style.power(x.base, x.exp, go);
      case 'mul':
        return printProduct(x);
      case 'add':
        return presentation.commonFactor ? printSumWithCommonFactor(x) : printSum(x);
    }
  });
  const keyOf = key ?? go;
  /** a sum, every coefficient multiplied by `by` (1: as stored) */
  function printSum(x: Add, by: Rational = Rational.ONE): string {
    let s = '';
    for (const [c0, t] of displayTerms(x, keyOf, order)) {
      const c = c0.mul(by);
      const body = t === null ? style.number(c) : go(scale(t, c));
      if (s === '') s = body;
      else s += body.startsWith('-') ? ` - ${body.slice(1)}` : ` + ${body}`;
    }
    return s;
  }
  /** q·(x/q) with q the sum's content when q is a fraction and the product form is the shorter */
  function printSumWithCommonFactor(x: Add): string {
    const plain = printSum(x);
    const q = sumContent(x);
    if (q.isInteger() || x.terms.length + (x.constant.isZero() ? 0 : 1) < 2) return plain;
    const inner = printSum(x, q.inv());
    const collected = layoutProduct(q, [[x, Rational.ONE]], [], (y) => (y === x ? inner : go(y)));
    return collected.length < plain.length ? collected : plain;
  }
  function printProduct(m: Mul): string {
    const { numer, denom } = displayFactors(m, keyOf, order);
    let c = m.coeff;
    let goFactor = go;
    if (presentation.integerContent) {
      // (q x′)^k with x′ integral: q^k joins the coefficient, the factor prints as x′ (q^{−k} for a denominator)
      const integral = new Map<Expr, string>();
      for (const [list, sign] of [[numer, 1], [denom, -1]] as const)
        for (const [b, k] of list) {
          if (b.kind !== 'add' || !k.isInteger() || integral.has(b)) continue;
          const q = sumContent(b);
          if (q.isOne()) continue;
          c = c.mul(q.powInt(sign * Number(k.num)));
          integral.set(b, printSum(b, q.inv()));
        }
      if (integral.size) goFactor = (x) => integral.get(x) ?? go(x);
    }
    return layoutProduct(c, numer, denom, goFactor);
  }
  /** sign, coefficient, numerator, denominator */
  function layoutProduct(c: Rational, numer: ReadonlyArray<readonly [Expr, Rational]>, denom: ReadonlyArray<readonly [Expr, Rational]>, goFactor: (x: Expr) => string): string {
    const a = c.isNegative() ? c.neg() : c;
    const sign = c.isNegative() ? '-' : '';
    if (denom.length === 0 && !a.isInteger() && style.leadingFraction) {
      return sign + style.leadingFraction(a, numer.map(([b, k]) => style.factor(b, k, goFactor)));
    }
    const top: string[] = [];
    if (a.num !== 1n) top.push(a.num.toString());
    for (const [b, k] of numer) top.push(style.factor(b, k, goFactor));
    const bottom: string[] = [];
    if (!a.isInteger()) bottom.push(a.den.toString());
    for (const [b, k] of denom) bottom.push(style.factor(b, k, goFactor));
    if (bottom.length === 0) return sign + style.join(top);
    return sign + style.quotient(top, bottom, { coefficient: a, numer, denom }, goFactor);
  }
  return go;
}

// ---------------------------------------------------------------------------
// Canonical text form (re-parseable)

export interface TextOptions {
  /** the largest tree (in nodes) to print; larger ones throw PrintSizeError (default DEFAULT_PRINT_LIMIT) */
  limit?: number;
}

/**
 * The canonical text form of an expression (parseExpr reads it back), or of an array of expressions as
 * `[a, b, …]`. The second argument is an options object; as a callback of `Array.prototype.map`
 * (`g.map(toText)`) the element index that map passes is not a limit and is ignored.
 */
export function toText(e: Expr | readonly Expr[], opts?: TextOptions | number, ...mapArgs: unknown[]): string {
  const limit = textLimit(opts, mapArgs);
  if (Array.isArray(e)) {
    const items = requireExprArray('toText(e): e', e);
    for (const x of items) checkPrintable(x, limit);
    const print = textPrinter();
    return `[${items.map(print).join(', ')}]`;
  }
  const x = requireExpr('toText(e): e', e);
  checkPrintable(x, limit);
  return textPrinter()(x);
}

/** the print limit from toText's second argument (an options object; a number only as a size limit of old callers) */
function textLimit(opts: TextOptions | number | undefined, mapArgs: readonly unknown[]): number {
  if (opts === undefined || opts === null) return DEFAULT_PRINT_LIMIT;
  // called by Array.prototype.map: (element, index, array)
  if (typeof opts === 'number' && Array.isArray(mapArgs[0])) return DEFAULT_PRINT_LIMIT;
  const limit = typeof opts === 'number' ? opts : typeof opts === 'object' ? opts.limit ?? DEFAULT_PRINT_LIMIT : undefined;
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1) {
    throw new InputError(`toText(e, options): options.limit must be a positive integer (got ${describe(typeof opts === 'object' ? opts.limit : opts)})`);
  }
  return limit;
}

/** a factor or exponent that must not be split by a binary operator */
function textAtom(x: Expr, go: (x: Expr) => string): string {
  if (x.kind === 'sym' || x.kind === 'call') return go(x);
  if (x.kind === 'num' && x.value.isInteger() && !x.value.isNegative()) return go(x);
  return `(${go(x)})`;
}

/** The canonical text form: `name(arg)`, `a^b`, `*` and `/`, exact rationals; parseExpr reads it back. */
export const TEXT_STYLE: PrintStyle = {
  number: (q) => q.toString(),
  symbol: (name) => name,
  call: (f, arg) => `${f.name}(${arg})`,
  power: (base, exp, go) => `${textAtom(base, go)}^${textAtom(exp, go)}`,
  factor(b, k, go) {
    if (k.isOne()) return textAtom(b, go);
    const ks = k.isInteger() ? k.toString() : `(${k})`;
    return `${textAtom(b, go)}^${ks}`;
  },
  join: (parts) => (parts.length ? parts.join('*') : '1'),
  quotient(top, bottom) {
    const s = top.length ? top.join('*') : '1';
    return bottom.length === 1 ? `${s}/${bottom[0]}` : `${s}/(${bottom.join('*')})`;
  },
};

/** The canonical text printer with one memo for many calls (e.g. as the display-order key of another printer). */
export function textPrinter(): (x: Expr) => string {
  return stylePrinter(TEXT_STYLE);
}

// expressions print themselves in the canonical text form (template strings, JSON.stringify); a tree past the
// print budget prints as a summary instead of throwing, since toString must not fail
setTextForm((e) => (e.treeSize > DEFAULT_PRINT_LIMIT ? `<expression of ${e.treeSize.toExponential(2)} nodes as a tree, too large to print>` : toText(e)));
