/**
 * MathJSON (compute-engine's output) → plain infix text that bench/polyparse.ts reads.
 * Covers what polynomial results contain; anything else is an error, never a silent guess.
 */
type MJ = number | string | MJ[] | { num: string } | { sym: string } | { fn: MJ[] };

export function mathJsonToText(e: unknown): string {
  const x = e as MJ;
  if (typeof x === 'number') {
    if (!Number.isInteger(x)) throw new Error(`non-integer number ${x} in MathJSON`);
    return x < 0 ? `(${x})` : String(x);
  }
  if (typeof x === 'string') {
    if (/^[A-Za-z_][A-Za-z_0-9]*$/.test(x)) return x;
    if (/^-?\d+$/.test(x)) return x.startsWith('-') ? `(${x})` : x;
    throw new Error(`unexpected MathJSON string ${JSON.stringify(x)}`);
  }
  if (!Array.isArray(x)) {
    if ('num' in x) return mathJsonToText(x.num);
    if ('sym' in x) return mathJsonToText(x.sym);
    if ('fn' in x) return mathJsonToText(x.fn);
    throw new Error(`unexpected MathJSON object ${JSON.stringify(x)}`);
  }
  const [head, ...args] = x;
  const a = args.map(mathJsonToText);
  switch (head) {
    case 'Add':
      return `(${a.join(' + ')})`;
    case 'Subtract':
      return `(${a[0]} - ${a[1]})`;
    case 'Negate':
      return `(-${a[0]})`;
    case 'Multiply':
      return `(${a.join('*')})`;
    case 'Divide':
    case 'Rational':
      return `(${a[0]}/${a[1]})`;
    case 'Power':
      return `(${a[0]}^${a[1]})`;
    case 'Square':
      return `(${a[0]}^2)`;
    case 'Sqrt':
      return `(${a[0]}^(1/2))`;
    default:
      throw new Error(`unexpected MathJSON head ${JSON.stringify(head)}`);
  }
}

/** Number of top-level terms of a MathJSON result (0 for zero), the size measure of P1/P2. */
export function mathJsonTerms(e: unknown): number {
  if (e === 0 || e === '0') return 0;
  if (Array.isArray(e) && e[0] === 'Add') return e.length - 1;
  return 1;
}
