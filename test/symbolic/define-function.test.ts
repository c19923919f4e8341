import { InputError } from '../../src/errors.ts';
/**
 * A function added through the registry only: `sech` (and a `cube` whose helper is plain arithmetic)
 * defined here with `defineFunction`, and nothing else changed — then parsed, differentiated, evaluated,
 * printed (text re-parses, LaTeX renders in KaTeX strict), compiled (compile, emitModule, compileTf) and
 * used in a loss. References are independent of the entry: the closed form −y·sinh(xy)/cosh(xy)² of
 * ∂ sech(xy)/∂x written by hand, Richardson differences of the float function, exact expansion for cube.
 */
import katex from 'katex';
import { describe, expect, it } from 'vitest';
import {
  FormulaError,
  RESERVED_NAMES,
  PARSER_FUNCTIONS,
  FUNCTION_NAMES,
  call,
  cosh,
  defineFunction,
  diff,
  evaluate,
  expand,
  gradient,
  hessian,
  isFunctionName,
  loss,
  mul,
  num,
  parseExpr,
  pow,
  sinh,
  sym,
  tanh,
  toLatex,
  toText,
} from '../../src/symbolic/index.ts';
import { compile, emitModule } from '../../src/codegen/index.ts';
import { compileTf } from '../../src/codegen/tfjs.ts';
import { richardson, rng } from './support.ts';

const x = sym('x');
const y = sym('y');

describe('a function defined through the registry only', () => {
  it('is unknown before it is defined: the parser names it with its position, call() refuses it', () => {
    expect(isFunctionName('sech')).toBe(false);
    let err: unknown;
    try {
      parseExpr('x + sech(x)');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FormulaError);
    expect((err as FormulaError).position).toBe(4);
    expect((err as Error).message).toMatch(/unknown function 'sech'/);
    expect(() => call('sech', x)).toThrow(InputError);
  });

  it('defines sech and cube; bad definitions are refused with the reason', () => {
    defineFunction({
      name: 'sech',
      description: 'the hyperbolic secant 1/cosh',
      derivative: (u, self) => mul(num(-1), self, tanh(u)),
      evaluate: (u) => 1 / Math.cosh(u),
      latex: '\\operatorname{sech}',
      code: { helper: 'function sech(u: number): number {\n  return 1 / Math.cosh(u);\n}' },
      tf: (tf, t) => tf.div(1, tf.cosh(t)),
    });
    defineFunction({
      name: 'cube',
      derivative: (u) => mul(parseExpr('3'), pow(u, 2)),
      evaluate: (u) => u * u * u,
      code: { helper: 'function cube(u: number): number {\n  return u * u * u;\n}' },
    });
    expect(() => defineFunction({ name: 'sech', derivative: (u) => u, evaluate: (u) => u, code: { call: 'Math.abs' } })).toThrow(/already defined/);
    expect(() => defineFunction({ name: 'pi', derivative: (u) => u, evaluate: (u) => u, code: { call: 'Math.abs' } })).toThrow(/reserved/);
    expect(() => defineFunction({ name: '2f', derivative: (u) => u, evaluate: (u) => u, code: { call: 'Math.abs' } })).toThrow(InputError);
    expect(() => defineFunction({ name: 'f1', derivative: (u) => u, evaluate: (u) => u, code: {} })).toThrow(/helper/);
    expect(() => defineFunction({ name: 'f2', derivative: (u) => u, evaluate: (u) => u, code: { helper: 'function g(u: number): number { return u; }' } })).toThrow(/declare 'function f2/);
    expect(() => defineFunction({ name: 'f3', derivative: (u) => u, evaluate: (u) => u, code: { call: 'Math.abs', uses: ['nope'] } })).toThrow(/not defined/);
    expect(FUNCTION_NAMES).toContain('sech');
    expect(PARSER_FUNCTIONS).toContain('cube');
    expect(RESERVED_NAMES.has('sech')).toBe(true);
    // the variable `sech` of a loss is now refused: it names a function
    expect(() => loss('sech^2', { params: ['sech'] })).toThrow(InputError);
  });

  it('differentiates: ∂ sech(xy)/∂x = −y·sinh(xy)/cosh(xy)², exactly; Richardson to 2nd order', () => {
    const f = parseExpr('sech(x*y) + cube(x - y)');
    const xy = mul(x, y);
    // independent closed form: d/dx (1/cosh(xy)) = −y sinh(xy)/cosh(xy)²; d/dx (x−y)³ = 3(x−y)²
    const sechPart = diff(parseExpr('sech(x*y)'), x);
    const byHand = mul(parseExpr('-y'), sinh(xy), pow(cosh(xy), -2));
    const at = [{ x: 0.3, y: -1.2 }, { x: -0.7, y: 0.4 }];
    for (const env of at) expect(evaluate(sechPart, env)).toBeCloseTo(evaluate(byHand, env), 14);
    expect(expand(diff(parseExpr('cube(x - y)'), x))).toBe(expand(parseExpr('3*(x - y)^2')));
    const g = gradient(f, [x, y]);
    const H = hessian(f, [x, y]);
    const fv = (env: Record<string, number>): number => 1 / Math.cosh(env.x! * env.y!) + (env.x! - env.y!) ** 3;
    for (const env of at) {
      ['x', 'y'].forEach((v, i) => {
        expect(evaluate(g[i]!, env)).toBeCloseTo(richardson(fv, env, v), 9);
        ['x', 'y'].forEach((w, j) => {
          const d2 = richardson((e) => richardson(fv, e, v, 4e-3), env, w, 4e-3);
          expect(Math.abs(evaluate(H[i]![j]!, env) - d2)).toBeLessThan(1e-6 * Math.max(1, Math.abs(d2)));
        });
      });
    }
  });

  it('prints: the text form re-parses to the same object; LaTeX renders in KaTeX strict', () => {
    const f = parseExpr('sech(x*y)^2 + cube(x)/sech(y)');
    for (const e of [f, diff(f, x), diff(diff(f, x), y)]) {
      expect(parseExpr(toText(e))).toBe(e);
      const tex = toLatex(e);
      expect(() => katex.renderToString(tex, { throwOnError: true, strict: 'error' }), tex).not.toThrow();
    }
    expect(toText(parseExpr('sech(x)*cube(y)'))).toMatch(/^(sech\(x\)\*cube\(y\)|cube\(y\)\*sech\(x\))$/);
    expect(toLatex(parseExpr('sech(x)^2'))).toBe('\\operatorname{sech}^{2}\\left(x\\right)');
    expect(toLatex(parseExpr('cube(x)'))).toBe('\\operatorname{cube}\\left(x\\right)');
  });

  it('compiles: compile, emitModule (helpers included) and compileTf agree with evaluate', async () => {
    const L = loss('sech(w1*w2) + cube(w1)/3', { params: ['w1', 'w2'] });
    const g = gradient(L.expr, L.params);
    const H = hessian(L.expr, L.params);
    const c = compile({ L: L.expr, g, H }, L.params);
    const src = emitModule({ L: L.expr, g, H }, L.params, { name: 'custom' });
    expect(src).toContain('function sech(u: number): number');
    expect(src).toContain('function cube(u: number): number');
    const out = new Float64Array(c.outputSize);
    const r = rng(17);
    for (let i = 0; i < 20; i++) {
      const env = { w1: (r() - 0.5) * 4, w2: (r() - 0.5) * 4 };
      c.fn(Float64Array.of(env.w1, env.w2), out);
      const ref = [evaluate(L.expr, env), ...g.map((e) => evaluate(e, env)), ...H.flat().map((e) => evaluate(e, env))];
      ref.forEach((v, k) => expect(Math.abs(out[k]! - v)).toBeLessThanOrEqual(1e-13 * Math.max(1, Math.abs(v))));
    }
    const tfc = await compileTf({ g }, L.params);
    const pts = [[0.3, -0.8], [1.1, 0.5]];
    const res = tfc.fn(tfc.tf.tensor2d(pts)).arraySync() as number[][];
    const out2 = new Float64Array(2);
    const cg = compile({ g }, L.params);
    pts.forEach((p, i) => {
      cg.fn(Float64Array.from(p), out2);
      out2.forEach((v, k) => expect(Math.abs(res[i]![k]! - v)).toBeLessThan(1e-4 * Math.max(1, Math.abs(v))));
    });
    // cube has no tf form: compileTf refuses it up front, naming the function
    const cubeOnly = loss('cube(w)', { params: ['w'] });
    await expect(compileTf({ L: cubeOnly.expr }, cubeOnly.params)).rejects.toThrow(/'cube' has no TensorFlow.js form/);
  }, 60_000);
});
