/**
 * A linear-time reader of the polynomial text that the peers print (SymPy `w1**2*w2 - 1/2`,
 * GiNaC `-1/2+w1^2*w2`, our MathJSON → text conversion), into core expressions.
 *
 * Grammar: sum := term (('+'|'-') term)*; term := unary (('*'|'/') unary)*;
 * unary := ('-'|'+') unary | power; power := primary (('^'|'**') unary)?;
 * primary := integer | decimal | name | '(' sum ')'.
 * Sums and products are accumulated in the core's SumBuilder/ProductBuilder, so a
 * sum of m terms costs O(m) (src/symbolic/parse.ts adds pairwise, which is O(m²) on
 * the ~1000-term components of P2: 2.5 s for f4 against ~0.1 s here).
 */
import { type Expr, SumBuilder, ProductBuilder, num, sym, pow, div } from '../src/symbolic/expr.ts';
import { Rational } from '../src/symbolic/rational.ts';

export function parsePolynomial(src: string): Expr {
  let i = 0;
  const n = src.length;
  const fail = (what: string): never => {
    throw new Error(`cannot read peer output at ${i}: ${what}: …${src.slice(Math.max(0, i - 20), i + 20)}…`);
  };
  const skip = (): void => {
    while (i < n && (src.charCodeAt(i) === 32 || src[i] === '\n' || src[i] === '\t')) i++;
  };
  const sum = (): Expr => {
    const b = new SumBuilder();
    skip();
    let sign = Rational.ONE;
    b.add(term(), sign); // a leading sign is read by unary()
    for (;;) {
      skip();
      const c = src[i];
      if (c === '+' || c === '-') {
        i++;
        sign = c === '+' ? Rational.ONE : Rational.MINUS_ONE;
        b.add(term(), sign);
      } else break;
    }
    return b.build();
  };
  const term = (): Expr => {
    const pb = new ProductBuilder();
    let first = unary();
    let single = true;
    for (;;) {
      skip();
      const c = src[i];
      if (c === '*' && src[i + 1] !== '*') {
        i++;
        if (single) {
          pb.mul(first);
          single = false;
        }
        pb.mul(unary());
      } else if (c === '/') {
        i++;
        const d = unary();
        if (single) {
          first = div(first, d);
        } else {
          pb.mul(d, Rational.MINUS_ONE);
        }
      } else break;
    }
    return single ? first : pb.build();
  };
  const unary = (): Expr => {
    skip();
    const c = src[i];
    if (c === '-') {
      i++;
      const inner = unary();
      return new ProductBuilder().mul(inner).mul(num(-1)).build();
    }
    if (c === '+') {
      i++;
      return unary();
    }
    return power();
  };
  const power = (): Expr => {
    const base = primary();
    skip();
    if (src[i] === '^') {
      i++;
      return pow(base, unary());
    }
    if (src[i] === '*' && src[i + 1] === '*') {
      i += 2;
      return pow(base, unary());
    }
    return base;
  };
  const primary = (): Expr => {
    skip();
    const c = src[i];
    if (c === '(') {
      i++;
      const e = sum();
      skip();
      if (src[i] !== ')') fail("expected ')'");
      i++;
      return e;
    }
    const m = /[0-9.]/.test(c ?? '') ? /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i, i + 400)) : null;
    if (m) {
      i += m[0].length;
      const q = Rational.parseDecimal(m[0]);
      if (!q) fail('bad number');
      return num(q!);
    }
    const nm = /^[A-Za-z_][A-Za-z_0-9]*/.exec(src.slice(i, i + 200));
    if (nm) {
      i += nm[0].length;
      return sym(nm[0]);
    }
    return fail('expected a number, a name or (');
  };
  const e = sum();
  skip();
  if (i !== n) fail('trailing text');
  return e;
}
