/**
 * Printers as visitors (SymPy's StrPrinter/LatexPrinter split): this file holds
 * the display order shared by every printer and the canonical text form, which
 * our parser reads back to the same object (a round trip the tests check).
 *
 * The core's internal order is by structural hash (fast, deterministic, but not
 * readable); printers sort terms by total degree, then alphabetically, and
 * factors by name — the same order on every run and machine.
 */
import { Rational } from './rational.ts';
import { BudgetError, InternalError } from '../errors.ts';
import { type Expr, type Mul, scale } from './expr.ts';

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

/** Terms of a sum in display order: (coefficient, unit term) pairs, constant last. */
export function displayTerms(e: Expr, key: (t: Expr) => string): Array<[Rational, Expr | null]> {
  if (e.kind !== 'add') throw new InternalError('displayTerms expects a sum');
  const items = e.terms.map((t, i) => ({ t, c: e.coeffs[i]!, d: termDegree(t), k: key(t) }));
  items.sort((a, b) => b.d - a.d || (a.k < b.k ? -1 : a.k > b.k ? 1 : 0));
  const out: Array<[Rational, Expr | null]> = items.map((x) => [x.c, x.t]);
  if (!e.constant.isZero()) out.push([e.constant, null]);
  return out;
}

/** Factors of a product split by the sign of their exponents, in display order. */
export function displayFactors(m: Mul, key: (b: Expr) => string): { numer: Array<[Expr, Rational]>; denom: Array<[Expr, Rational]> } {
  const items = m.bases.map((b, i) => ({ b, k: m.exps[i]!, key: key(b) }));
  items.sort((a, b) => rankFactor(a.b) - rankFactor(b.b) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
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
// Canonical text form (re-parseable)

/** A printer visiting each shared node once: `print` renders one node, calling back for its children. */
export function memoizedPrinter(print: (x: Expr) => string): (x: Expr) => string {
  const memo = new Map<Expr, string>();
  return (x) => {
    const hit = memo.get(x);
    if (hit !== undefined) return hit;
    const s = print(x);
    memo.set(x, s);
    return s;
  };
}

export function toText(e: Expr, limit = DEFAULT_PRINT_LIMIT): string {
  checkPrintable(e, limit);
  return textPrinter()(e);
}

/** The canonical text printer with one memo for many calls (e.g. as the display-order key of another printer). */
export function textPrinter(): (x: Expr) => string {
  const go = memoizedPrinter(print);
  const key = go;
  function print(x: Expr): string {
    switch (x.kind) {
      case 'num':
        return x.value.toString();
      case 'sym':
        return x.name;
      case 'call':
        return `${x.fn}(${go(x.arg)})`;
      case 'pow':
        return `${atom(x.base)}^${atom(x.exp)}`;
      case 'mul':
        return printMul(x);
      case 'add': {
        let s = '';
        for (const [c, t] of displayTerms(x, key)) {
          const body = t === null ? c.toString() : go(scale(t, c));
          if (s === '') s = body;
          else s += body.startsWith('-') ? ` - ${body.slice(1)}` : ` + ${body}`;
        }
        return s;
      }
    }
  }
  /** a factor or exponent that must not be split by a binary operator */
  function atom(x: Expr): string {
    if (x.kind === 'sym' || x.kind === 'call') return go(x);
    if (x.kind === 'num' && x.value.isInteger() && !x.value.isNegative()) return go(x);
    return `(${go(x)})`;
  }
  function power(b: Expr, k: Rational): string {
    if (k.isOne()) return atom(b);
    const ks = k.isInteger() ? k.toString() : `(${k})`;
    return `${atom(b)}^${ks}`;
  }
  function printMul(m: Mul): string {
    const { numer, denom } = displayFactors(m, key);
    const c = m.coeff;
    const sign = c.isNegative() ? '-' : '';
    const a = c.isNegative() ? c.neg() : c;
    const parts: string[] = [];
    if (a.num !== 1n || numer.length === 0) parts.push(a.num.toString());
    for (const [b, k] of numer) parts.push(power(b, k));
    let s = parts.join('*');
    const den: string[] = [];
    if (!a.isInteger()) den.push(a.den.toString());
    for (const [b, k] of denom) den.push(power(b, k));
    if (den.length === 1) s += `/${den[0]}`;
    else if (den.length > 1) s += `/(${den.join('*')})`;
    return sign + s;
  }
  return go;
}
