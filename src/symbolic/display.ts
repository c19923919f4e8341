/**
 * The display layer: how the printers present an expression, separate from the core's canonical form
 * (which stays as it is: hash-consed, sums primitive with the content in the product's coefficient).
 *
 *  - natural order of names: w2 before w10 (digit runs compare as numbers);
 *  - integer content out of a sum raised to an integer power in a product: the core stores
 *    (3w1 + w2 − 3)² as 9(w1 + w2/3 − 1)²; the display form prints (3w1 + w2 − 3)²;
 *  - a common fraction of a sum's coefficients collected where that is shorter: (w1 + w2 + w3)/4.
 *
 * A display form has the value of the canonical one: the display text re-parses to the same canonical
 * object (the tests check it, and evaluate both at random points). The canonical text form (`toText`) is
 * unchanged and remains the form the JSON contract carries.
 */
import type { Expr } from './expr.ts';
import { type KeyOrder, type PresentationOptions, TEXT_STYLE, checkPrintable, DEFAULT_PRINT_LIMIT, stylePrinter } from './print.ts';

/**
 * Natural order: code-unit order, except that where both strings have a run of digits at the same place
 * the runs compare by value (w2 < w10 < w11); equal values spelled differently (01, 1) shorter first.
 */
export const naturalOrder: KeyOrder = (a, b) => {
  let i = 0;
  let j = 0;
  const digit = (c: string | undefined): boolean => c !== undefined && c >= '0' && c <= '9';
  while (i < a.length && j < b.length) {
    if (digit(a[i]) && digit(b[j])) {
      let ie = i;
      let je = j;
      while (digit(a[ie])) ie++;
      while (digit(b[je])) je++;
      const u = BigInt(a.slice(i, ie));
      const v = BigInt(b.slice(j, je));
      if (u !== v) return u < v ? -1 : 1;
      if (ie - i !== je - j) return ie - i - (je - j);
      i = ie;
      j = je;
      continue;
    }
    if (a[i] !== b[j]) return a[i]! < b[j]! ? -1 : 1;
    i++;
    j++;
  }
  return a.length - i - (b.length - j);
};

/** The presentation of the display forms (what a paper shows). */
export const DISPLAY_PRESENTATION: Readonly<PresentationOptions> = Object.freeze({ order: naturalOrder, integerContent: true, commonFactor: true });

/** A display-form text printer with one memo for many calls; its output parses back to the same object. */
export function displayTextPrinter(): (x: Expr) => string {
  return stylePrinter(TEXT_STYLE, undefined, DISPLAY_PRESENTATION);
}

/**
 * The display text of an expression: the canonical text's syntax (it re-parses to the same object) with
 * names in natural order and integer content pulled out of powered sums: `(3*w1 + w2 - 3)^2`.
 */
export function toDisplayText(e: Expr, limit = DEFAULT_PRINT_LIMIT): string {
  checkPrintable(e, limit);
  return displayTextPrinter()(e);
}
