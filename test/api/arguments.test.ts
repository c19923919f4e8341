/**
 * The public library called the wrong way: every mistake is an InputError (or a BudgetError for work past
 * a budget) that names the argument, never a raw TypeError/RangeError or a silent NaN; the obvious
 * alternative (symbol names for symbols, an array of expressions to print) is accepted.
 */
import { describe, expect, it } from 'vitest';
import {
  BudgetError,
  InputError,
  compile,
  counterTerms,
  derivativeTensor,
  diff,
  evaluate,
  gradient,
  hessian,
  isExpr,
  jvp,
  loss,
  parseExpr,
  sym,
  toLatex,
  toText,
  validateDerivation,
} from '../../src/index.ts';

const L = loss('w1^2*w2 + w2^4', { params: ['w1', 'w2'] });
const [w1, w2] = L.params as [ReturnType<typeof sym>, ReturnType<typeof sym>];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const bad = (x: unknown): any => x;

/** The error thrown by f, asserted to be an InputError whose message matches `names`. */
function inputError(f: () => unknown, names: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, 'no error thrown').toBeInstanceOf(InputError);
  expect((thrown as Error).message).toMatch(names);
}

describe('symbols given by name', () => {
  it('gradient, hessian, derivativeTensor and jvp accept parameter names, with the same result as symbols', () => {
    // the gradient written out by hand: ∂/∂w1 = 2 w1 w2, ∂/∂w2 = w1² + 4 w2³
    const byName = gradient(L.expr, ['w1', 'w2']);
    expect(byName).toEqual(gradient(L.expr, L.params));
    expect(evaluate(byName[0]!, { w1: 3, w2: 5 })).toBe(30);
    expect(evaluate(byName[1]!, { w1: 3, w2: 5 })).toBe(9 + 500);
    expect(hessian(L.expr, ['w1', 'w2'])).toEqual(hessian(L.expr, L.params));
    expect(derivativeTensor(L.expr, ['w1', 'w2'], 3).map((t) => t.value)).toEqual(derivativeTensor(L.expr, L.params, 3).map((t) => t.value));
    expect(jvp([L.expr], ['w1', 'w2'], [w1, w2])).toEqual(jvp([L.expr], L.params, [w1, w2]));
  });

  it('anything else in place of a symbol is an InputError naming the argument', () => {
    inputError(() => gradient(L.expr, bad([1, 2])), /gradient\(e, params\): params\[0\] must be a symbol/);
    inputError(() => gradient(L.expr, bad([L.expr])), /params\[0\] must be a symbol or a symbol name \(got the expression/);
    inputError(() => gradient(L.expr, bad('w1')), /params must be an array/);
    inputError(() => gradient(bad('w1^2'), L.params), /gradient\(e, params\): e must be an expression .*parseExpr/);
    inputError(() => hessian(bad(undefined), L.params), /hessian\(e, params\): e must be an expression/);
    inputError(() => diff(L.expr, bad('w1')), /diff\(e, s\): s must be a symbol .*sym\("w1"\)/);
    inputError(() => jvp([L.expr], L.params, bad([1, 2])), /jvp\(F, params, v\): v\[0\] must be an expression/);
    inputError(() => sym(bad(42)), /sym\(name\): name must be a non-empty string/);
  });

  it('derivativeTensor refuses a bad order, and an order past its entry budget with a BudgetError', () => {
    inputError(() => derivativeTensor(L.expr, L.params, bad('2')), /order k must be a non-negative integer/);
    inputError(() => derivativeTensor(L.expr, L.params, -1), /order k/);
    // C(2 + 10⁶ − 1, 10⁶) = 10⁶ + 1 distinct entries: refused before any differentiation
    expect(() => derivativeTensor(L.expr, L.params, 1_000_000)).toThrow(BudgetError);
    expect(() => derivativeTensor(L.expr, L.params, 1_000_000)).toThrow(/budget/);
  });
});

describe('losses', () => {
  it('loss() of something that is not a formula or an expression names the argument', () => {
    inputError(() => loss(bad(42), { params: ['w'] }), /loss\(formula, options\): formula must be a formula string or an expression \(got 42\)/);
    inputError(() => loss(bad(null), { params: ['w'] }), /formula must be/);
    inputError(() => loss('w^2', bad('w')), /options must be an object/);
    inputError(() => loss('w^2', bad({ params: ['w'], symbols: 'lam' })), /options.symbols must be an array/);
    inputError(() => loss('w^2', bad({ params: ['w'], constants: [1] })), /options.constants must be an object/);
  });

  it('a formula string or an expression in place of a Loss says how to make one', () => {
    inputError(() => counterTerms(bad('w^2'), 2), /counterTerms\(L, K\): L must be a Loss: make one with loss\("w\^2", \{ params: \[\.\.\.\] \}\)/);
    inputError(() => counterTerms(bad(L.expr), 2), /L must be a Loss: make one with loss\(expr/);
    inputError(() => counterTerms(L, bad('2')), /the order K must be a positive integer, got "2"/);
    inputError(() => counterTerms(L, 0), /order K/);
  });
});

describe('budgets of unbounded work', () => {
  it('counterTerms(L, 50) is refused at once by the tree budget, which the option maxTrees raises', () => {
    expect(() => counterTerms(L, 50)).toThrow(BudgetError);
    expect(() => counterTerms(L, 50)).toThrow(/counterTerms\(L, 50\).*maxTrees/);
    // the budget is the caller's to set: a tight one refuses an order the default allows
    expect(() => counterTerms(L, 5, { maxTrees: 10 })).toThrow(/maxTrees = 10/);
    expect(counterTerms(L, 5, { maxTrees: 20 }).order).toBe(5); // 1 + 1 + 2 + 4 + 9 = 17 trees up to order 5
    inputError(() => counterTerms(L, 2, { maxTrees: bad('x') }), /maxTrees must be an integer/);
  });

  it('validateDerivation refuses an order past the measurable ones before deriving anything', async () => {
    await expect(validateDerivation(L, { order: 20, from: { w1: 0.5, w2: 0.5 } })).rejects.toThrow(/order 20 cannot be validated.*0…6/);
    await expect(validateDerivation(L, { order: 20, from: { w1: 0.5, w2: 0.5 } })).rejects.toBeInstanceOf(InputError);
    await expect(validateDerivation(bad('w^2'), { order: 1, from: [0.5] })).rejects.toThrow(/validateDerivation\(L, options\): L must be a Loss/);
    await expect(validateDerivation(L, bad({ order: 1 }))).rejects.toThrow(/initial point \(from\) must be an object/);
    await expect(validateDerivation(L, bad({ order: 1, from: [0.5, 0.5], etas: 'x' }))).rejects.toThrow(/options.etas must be an array/);
  });

  it('compile of outputs past the generated-code budget is a BudgetError naming maxOperands, raised by the option', () => {
    // Σ_i (w1…w_i): products with i factors, 1 + 2 + … + 30 = 465 operands in the products
    const ws = Array.from({ length: 30 }, (_, i) => sym(`v${i}`));
    const prods = ws.map((_, i) => parseExpr(ws.slice(0, i + 1).map((s) => s.name).join('*')));
    expect(() => compile({ p: prods }, ws, { maxOperands: 100 })).toThrow(BudgetError);
    expect(() => compile({ p: prods }, ws, { maxOperands: 100 })).toThrow(/maxOperands = 100/);
    const c = compile({ p: prods }, ws, { maxOperands: 10_000 });
    const out = new Float64Array(c.outputSize);
    c.fn(Float64Array.from(ws, () => 2), out);
    expect(out[29]).toBe(2 ** 30);
  });
});

describe('compiled functions called with the wrong buffers', () => {
  const c = compile({ g: gradient(L.expr, L.params) }, L.params);
  it('a θ shorter than the parameters, a short out, a missing hyper are InputErrors, not NaN', () => {
    inputError(() => c.fn(Float64Array.of(1), new Float64Array(2)), /θ \(1st argument\) must hold the 2 parameter values \(w1, w2\)/);
    inputError(() => c.fn(Float64Array.of(1, 2), new Float64Array(1)), /out \(2nd argument\) must be a Float64Array of length 2/);
    inputError(() => c.fn(bad(undefined), new Float64Array(2)), /θ/);
    const Ls = loss('lam*w^2', { params: ['w'], symbols: ['lam'] });
    const cs = compile({ g: gradient(Ls.expr, Ls.params) }, Ls.params, { hyper: Ls.symbols });
    inputError(() => cs.fn(Float64Array.of(1), new Float64Array(1)), /hyper \(3rd argument\) must hold the 1 hyper-parameter values \(lam\)/);
    const out = new Float64Array(1);
    cs.fn(Float64Array.of(3), out, [5]);
    expect(out[0]).toBe(30); // d/dw lam w² = 2 lam w
  });
  it('compile names its arguments', () => {
    inputError(() => compile(bad(null), L.params), /compile\(outputs, params\): outputs must be named expressions/);
    inputError(() => compile({ g: [L.expr] }, bad([1])), /compile\(outputs, params\): params\[0\]/);
    inputError(() => compile({ g: [L.expr] }, L.params, bad(3)), /options must be an object/);
  });
});

describe('printing', () => {
  const g = gradient(L.expr, L.params);
  it('g.map(toText) prints each entry (the index map passes is not a size limit)', () => {
    expect(g.map(toText)).toEqual([toText(g[0]!), toText(g[1]!)]);
    expect(g.map(toLatex)).toEqual([toLatex(g[0]!), toLatex(g[1]!)]);
    // an options object still sets the limit
    expect(() => toText(L.expr, { limit: 2 })).toThrow(/too large to print/);
    inputError(() => toText(L.expr, { limit: bad('x') }), /options.limit must be a positive integer/);
  });
  it('toText and toLatex of an array print a vector; of a non-expression, an InputError', () => {
    expect(toText(g)).toBe(`[${toText(g[0]!)}, ${toText(g[1]!)}]`);
    expect(toLatex(g)).toMatch(/^\\begin\{pmatrix\}.*\\\\.*\\end\{pmatrix\}$/);
    inputError(() => toText(bad('w')), /toText\(e\): e must be an expression/);
    inputError(() => toText(bad([L.expr, 3])), /e\[1\] must be an expression/);
    inputError(() => toLatex(bad(3)), /toLatex\(e\): e must be an expression/);
  });
  it('expressions print themselves: toString and JSON are the canonical text form, which parses back', () => {
    expect(`${L.expr}`).toBe(toText(L.expr));
    expect(String(g[1])).toBe(toText(g[1]!));
    const json = JSON.stringify({ g });
    const back = (JSON.parse(json) as { g: string[] }).g.map((t) => parseExpr(t));
    expect(back).toEqual(g); // hash-consed: the same objects
    expect(isExpr(back[0])).toBe(true);
    expect(isExpr('w')).toBe(false);
  });
});
