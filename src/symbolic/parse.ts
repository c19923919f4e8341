/**
 * Formula parser: text → core expression, with positions in every error.
 *
 * Grammar (precedence low → high; `^` is right-associative and binds tighter
 * than unary minus, so -x^2 = -(x^2) and 2^-1 = 1/2):
 *   sum     := product (('+' | '-') product)*
 *   product := unary (('*' | '/') unary)*
 *   unary   := ('-' | '+') unary | power
 *   power   := primary (('^' | '**') unary)?
 *   primary := number | name | name '(' sum ')' | '(' sum ')'
 * Numbers are decimals (`0.125`, `2.5e-3`) read exactly: 0.1 is 1/10, and a
 * fraction written `1/3` stays exact because division of numbers is exact.
 *
 * Our own parser rather than mathjs's: import time (mathjs takes ~1 s to load,
 * the CLI must answer in well under a second) and errors with positions that
 * name our own rules (docs/design.md).
 */
import { Rational } from './rational.ts';
import { InputError, describe as describeValue } from '../errors.ts';
import { type Expr, SumBuilder, call, div, mul, neg, num, pow, sqrt, sym } from './expr.ts';
import { CONSTANT_NAMES, FUNCTION_NAMES, PARSER_ALIASES, isFunctionName, onFunctionDefined } from './functions/registry.ts';

/** A formula that cannot be read; `position` is the 0-based character offset. */
export class FormulaError extends InputError {
  constructor(
    readonly problem: string,
    readonly formula: string,
    readonly position: number,
  ) {
    super(`${problem} at position ${position + 1} of the formula\n  ${formula}\n  ${' '.repeat(Math.max(0, position))}^`);
  }
}

const parserFunctions: string[] = [...FUNCTION_NAMES, ...PARSER_ALIASES];
const reservedNames = new Set<string>([...parserFunctions, ...CONSTANT_NAMES]);
// functions registered later (defineFunction) become parseable and reserved at once
onFunctionDefined((name) => {
  parserFunctions.splice(parserFunctions.length - PARSER_ALIASES.length, 0, name);
  reservedNames.add(name);
});

/** Functions the parser accepts: the registered ones plus `sqrt` (→ ^(1/2)) and `ln` (→ log); a live list. */
export const PARSER_FUNCTIONS: readonly string[] = parserFunctions;

/** Names that cannot be symbols: the functions and the usual mathematical constants (kept in step with the registry). */
export const RESERVED_NAMES: ReadonlySet<string> = reservedNames;

export interface ParseOptions {
  /**
   * Turn a name into an expression; throw a string to report a problem at the
   * name's position. Default: every name is a symbol.
   */
  resolve?: (name: string, position: number) => Expr;
}

type Token =
  | { t: 'num'; text: string; pos: number }
  | { t: 'name'; text: string; pos: number }
  | { t: 'op'; text: string; pos: number }
  | { t: 'end'; pos: number };

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    const numMatch = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (numMatch) {
      const after = src[i + numMatch[0].length];
      if (after !== undefined && /[A-Za-z_]/.test(after)) {
        throw new FormulaError(
          `a number directly followed by a name ('${numMatch[0]}${after}…'): write the product with '*'`,
          src,
          i + numMatch[0].length,
        );
      }
      out.push({ t: 'num', text: numMatch[0], pos: i });
      i += numMatch[0].length;
      continue;
    }
    // names: ASCII for users; Unicode letters too, so that internal symbols such as η read back
    // from printed text (a Loss only accepts ASCII names, so they can never collide)
    const nameMatch = /^[\p{L}_][\p{L}\p{N}_]*/u.exec(src.slice(i));
    if (nameMatch) {
      out.push({ t: 'name', text: nameMatch[0], pos: i });
      i += nameMatch[0].length;
      continue;
    }
    if (c === '*' && src[i + 1] === '*') {
      out.push({ t: 'op', text: '^', pos: i });
      i += 2;
      continue;
    }
    if ('+-*/^(),'.includes(c)) {
      out.push({ t: 'op', text: c, pos: i });
      i++;
      continue;
    }
    throw new FormulaError(`unexpected character '${c}'`, src, i);
  }
  out.push({ t: 'end', pos: src.length });
  return out;
}

/** Parse a formula into an expression. */
export function parseExpr(src: string, opts: ParseOptions = {}): Expr {
  if (typeof src !== 'string') throw new FormulaError('the formula must be a string', String(src), 0);
  if (typeof opts !== 'object' || opts === null) throw new InputError(`parseExpr(formula, options): options must be an object (got ${describeValue(opts)})`);
  if (src.trim() === '') throw new FormulaError('the formula is empty', src, 0);
  if (src.length > 1_000_000) throw new FormulaError('the formula is longer than 1,000,000 characters', src.slice(0, 60) + '…', 0);
  const toks = tokenize(src);
  let k = 0;
  let depth = 0;
  const resolve = opts.resolve ?? ((name: string) => sym(name));
  const peek = (): Token => toks[k]!;
  const fail = (problem: string, pos: number): never => {
    throw new FormulaError(problem, src, pos);
  };
  const describe = (t: Token): string => (t.t === 'end' ? 'the end of the formula' : `'${t.text}'`);
  const expectOp = (op: string): void => {
    const t = peek();
    if (t.t !== 'op' || t.text !== op) fail(`expected '${op}' but found ${describe(t)}`, t.pos);
    k++;
  };
  const guarded = <T>(pos: number, f: () => T): T => {
    if (++depth > 500) fail('the formula is nested too deeply (more than 500 levels)', pos);
    try {
      return f();
    } catch (e) {
      if (e instanceof FormulaError) throw e;
      if (e instanceof InputError) fail(e.message, pos);
      throw e;
    } finally {
      depth--;
    }
  };

  const parseSum = (): Expr =>
    guarded(peek().pos, () => {
      // collect all terms first: joining a long sum one term at a time is quadratic
      const acc = new SumBuilder().add(parseProduct());
      for (;;) {
        const t = peek();
        if (t.t === 'op' && (t.text === '+' || t.text === '-')) {
          k++;
          const right = parseProduct();
          acc.add(right, t.text === '+' ? Rational.ONE : Rational.MINUS_ONE);
        } else return acc.build();
      }
    });

  const parseProduct = (): Expr => {
    let left = parseUnary();
    for (;;) {
      const t = peek();
      if (t.t === 'op' && (t.text === '*' || t.text === '/')) {
        k++;
        const rpos = peek().pos;
        const right = parseUnary();
        if (t.text === '*') left = mul(left, right);
        else {
          if (right.kind === 'num' && right.value.isZero()) fail('division by zero', rpos);
          left = div(left, right);
        }
      } else return left;
    }
  };

  const parseUnary = (): Expr => {
    const t = peek();
    if (t.t === 'op' && (t.text === '-' || t.text === '+')) {
      k++;
      return guarded(t.pos, () => {
        const inner = parseUnary();
        return t.text === '-' ? neg(inner) : inner;
      });
    }
    return parsePower();
  };

  const parsePower = (): Expr => {
    const base = parsePrimary();
    const t = peek();
    if (t.t === 'op' && t.text === '^') {
      k++;
      const exponent = guarded(t.pos, () => parseUnary());
      return guarded(t.pos, () => pow(base, exponent));
    }
    return base;
  };

  const parsePrimary = (): Expr => {
    const t = peek();
    if (t.t === 'num') {
      k++;
      const q = Rational.parseDecimal(t.text);
      if (!q) fail(`cannot read the number '${t.text}'`, t.pos);
      // a literal outside float64's range would be exact here but 0 or ±∞ in every numeric use (evaluate,
      // compiled code): refused where it is written, not silently turned into 0 (docs/design.md, "Numbers")
      const f = q!.toNumber();
      if (!q!.isZero() && f === 0) fail(`the number '${t.text}' underflows float64 (smallest positive ≈ 4.9e-324) and would evaluate to 0; write 0 or rescale the formula`, t.pos);
      if (!Number.isFinite(f)) fail(`the number '${t.text}' overflows float64 (largest ≈ 1.8e308); rescale the formula`, t.pos);
      return num(q!);
    }
    if (t.t === 'name') {
      k++;
      const next = peek();
      if (next.t === 'op' && next.text === '(') {
        if (!isParserFunction(t.text)) {
          fail(`unknown function '${t.text}' (supported: ${PARSER_FUNCTIONS.join(', ')})`, t.pos);
        }
        k++;
        if (peek().t === 'op' && (peek() as { text: string }).text === ')') fail(`${t.text}() needs an argument`, peek().pos);
        const arg = parseSum();
        if (peek().t === 'op' && (peek() as { text: string }).text === ',') fail(`${t.text} takes one argument`, peek().pos);
        expectOp(')');
        return guarded(t.pos, () => applyFunction(t.text, arg));
      }
      if (isParserFunction(t.text)) fail(`'${t.text}' is a function: write ${t.text}(…)`, t.pos);
      try {
        return resolve(t.text, t.pos);
      } catch (e) {
        if (typeof e === 'string') fail(e, t.pos);
        throw e;
      }
    }
    if (t.t === 'op' && t.text === '(') {
      k++;
      if (peek().t === 'op' && (peek() as { text: string }).text === ')') fail('empty parentheses', peek().pos);
      const inner = parseSum();
      expectOp(')');
      return inner;
    }
    if (t.t === 'end') return fail('the formula ends where a value was expected', t.pos);
    return fail(`expected a number, a name or '(' but found ${describe(t)}`, t.pos);
  };

  const result = parseSum();
  const rest = peek();
  if (rest.t !== 'end') {
    if (rest.t === 'op' && rest.text === ')') fail("unmatched ')'", rest.pos);
    if (rest.t === 'op' && rest.text === '(') fail("'(' after a value: write the product with '*'", rest.pos);
    fail(`unexpected ${describe(rest)} after a complete expression (missing operator?)`, rest.pos);
  }
  return result;
}

function isParserFunction(name: string): boolean {
  return isFunctionName(name) || PARSER_ALIASES.includes(name);
}

function applyFunction(name: string, arg: Expr): Expr {
  if (name === 'sqrt') return sqrt(arg);
  if (name === 'ln') return call('log', arg);
  return call(name, arg);
}
