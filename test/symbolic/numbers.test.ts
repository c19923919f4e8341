/**
 * The numeric conventions of docs/design.md ("Numbers: literals, 0^0, real roots"), each held by the exact
 * core, evaluate and compiled code alike: literals outside float64's range are refused where they are
 * written; 0^0 = 1 (IEEE 754 pow); odd roots of negative numbers are real.
 */
import { describe, expect, it } from 'vitest';
import { FormulaError, ONE, compile, compileCounterTermsForward, counterTerms, emitModule, evaluate, gradient, loss, num, parseExpr, pow, sym } from '../../src/index.ts';
import { compileTf } from '../../src/codegen/tfjs.ts';
import { loadTf } from '../../src/numeric/tfjs/backend.ts';
import { transformSync } from 'esbuild';

const w = sym('w');
/** the compiled float64 value of e at w = x */
function compiledAt(e: ReturnType<typeof parseExpr>, x: number): number {
  const c = compile({ v: e }, [w]);
  const out = new Float64Array(1);
  c.fn(Float64Array.of(x), out);
  return out[0]!;
}

describe('number literals', () => {
  it('a literal that would be 0 or ±∞ in float64 is a FormulaError at its position, not a silent 0', () => {
    expect(() => parseExpr('w + 1e-400')).toThrow(FormulaError);
    expect(() => parseExpr('w + 1e-400')).toThrow(/'1e-400' underflows float64.*at position 5/s);
    expect(() => parseExpr('3*1e309')).toThrow(/'1e309' overflows float64/);
  });
  it('subnormal and tiny literals stay exact and evaluate to their float64 value', () => {
    expect(evaluate(parseExpr('1e-320'), {})).toBe(1e-320);
    // exact: 1e-200 · 1e200 is 1, not a rounded product
    expect(parseExpr('1e-200*1e200')).toBe(ONE);
  });
});

describe('0^0 = 1, as IEEE 754 pow', () => {
  it('in the core, in evaluate and in compiled code', () => {
    expect(parseExpr('0^0')).toBe(ONE);
    expect(pow(num(0), 0)).toBe(ONE);
    expect(evaluate(parseExpr('w^0'), { w: 0 })).toBe(1);
    expect(evaluate(parseExpr('0^w'), { w: 0 })).toBe(1);
    expect(compiledAt(parseExpr('0^w'), 0)).toBe(1);
    expect(Math.pow(0, 0)).toBe(1); // the convention followed
  });
});

describe('odd roots of negative numbers are real', () => {
  it('the exact core folds (−8)^(1/3) to −2, and evaluate and compiled code agree with Math.cbrt', () => {
    expect(parseExpr('(-8)^(1/3)')).toBe(num(-2));
    expect(parseExpr('(-8)^(2/3)')).toBe(num(4));
    const e = parseExpr('w^(1/3)');
    for (const x of [-8, -2, -0.5]) {
      expect(evaluate(e, { w: x })).toBeCloseTo(Math.cbrt(x), 15);
      expect(compiledAt(e, x)).toBeCloseTo(Math.cbrt(x), 15);
    }
    // the folded constant and the evaluated power are the same number
    expect(evaluate(parseExpr('(-2)^(1/3)'), {})).toBeCloseTo(evaluate(e, { w: -2 }), 15);
  });
  it('roots with odd denominators ≥ 5 (w^(1/5), w^(2/5), w^(-3/7)): evaluate, compiled code, the emitted module, tfjs and the Taylor route agree on negative w', async () => {
    const cases: Array<[string, (x: number) => number]> = [
      ['w^(1/5)', (x) => Math.sign(x) * Math.abs(x) ** (1 / 5)],
      ['w^(2/5)', (x) => Math.abs(x) ** (2 / 5)],
      ['w^(-3/7)', (x) => Math.sign(x) * Math.abs(x) ** (-3 / 7)],
      ['(w^2 - 3)^(4/5) + w^(3/5)', (x) => Math.abs(x * x - 3) ** 0.8 + Math.sign(x) * Math.abs(x) ** 0.6],
    ];
    const tf = await loadTf('cpu');
    for (const [f, closed] of cases) {
      const e = parseExpr(f);
      const c = compile({ v: e }, [w]);
      // the emitted module, stripped of types by esbuild and run
      const js = transformSync(emitModule({ v: e }, [w], { name: 'f' }), { loader: 'ts', format: 'esm' }).code;
      const mod = (await import(`data:text/javascript;base64,${Buffer.from(js).toString('base64')}`)) as { f: (t: Float64Array, o: Float64Array) => void };
      const ctf = await compileTf({ v: e }, [w], { tf });
      const xs = [-2.5, -0.7, -0.01, 0.3, 1.9];
      const batch = ctf.fn(tf.tensor2d(xs, [xs.length, 1])) as unknown as { arraySync(): number[][]; dispose(): void };
      const tfValues = batch.arraySync().map((r) => r[0]!);
      batch.dispose();
      xs.forEach((x, i) => {
        const want = closed(x);
        expect(evaluate(e, { w: x }), `${f} at ${x}`).toBeCloseTo(want, 12);
        expect(compiledAt(e, x), `${f} compiled at ${x}`).toBeCloseTo(want, 12);
        const out = new Float64Array(1);
        mod.f(Float64Array.of(x), out);
        expect(out[0]!, `${f} module at ${x}`).toBeCloseTo(want, 12);
        expect(Math.abs(tfValues[i]! - want) / Math.max(1, Math.abs(want)), `${f} tfjs at ${x}`).toBeLessThan(1e-5);
      });
      void c;
    }
    // the Taylor route's derivative passes keep the convention: f1…f3 of L = w^(6/5)·… against the symbolic route
    const L = loss('w^(6/5)/2 + w^2/5', { params: ['w'] });
    const sym3 = compile({ f: counterTerms(L, 3).f.flat() }, L.params);
    const tay = compileCounterTermsForward(gradient(L.expr, L.params), L.params, 3);
    for (const x of [-1.3, -0.4, 0.8]) {
      const a = new Float64Array(3);
      const b = new Float64Array(3);
      sym3.fn(Float64Array.of(x), a);
      tay.fn(Float64Array.of(x), b);
      for (let k = 0; k < 3; k++) {
        expect(Number.isFinite(b[k]!), `taylor f${k + 1} at ${x}`).toBe(true);
        expect(b[k]!, `taylor f${k + 1} at ${x}`).toBeCloseTo(a[k]!, 12);
      }
    }
  });
  it('an even root of a negative number is refused (core) or an evaluation error (at a point), never NaN', () => {
    expect(() => parseExpr('(-8)^(1/2)')).toThrow(/even root of a negative number is not real/);
    expect(() => evaluate(parseExpr('w^(1/2)'), { w: -1 })).toThrow(/evaluates to NaN/);
  });
});
