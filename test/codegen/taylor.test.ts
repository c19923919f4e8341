import { describe, expect, it, beforeAll, afterAll } from 'vitest';
import { strictTypeCheck } from '../support/strict-tsc.ts';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { transform } from 'esbuild';
import { type Loss, gradient, loss, mlpLoss } from '../../src/symbolic/index.ts';
import { counterTerms } from '../../src/theory/eom/index.ts';
import { compile, compileCounterTermsForward, counterTermsProgram, emitCounterTermsModule, programStats } from '../../src/codegen/index.ts';
import { CodegenError } from '../../src/codegen/ir.ts';
import { BudgetError, InputError } from '../../src/errors.ts';

const DIR = join(process.cwd(), 'test/codegen/.tmp-taylor');
beforeAll(() => {
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
});
afterAll(() => rmSync(DIR, { recursive: true, force: true }));

/** deterministic uniform(-a, a) */
function lcg(seed: number): (a?: number) => number {
  let s = seed >>> 0;
  return (a = 1) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32 - 0.5) * 2 * a;
  };
}

const chain = (n: number): Loss => {
  const ws = Array.from({ length: n }, (_, i) => `w${i + 1}`);
  return loss(`1/2*(${ws.join('*')} - 1)^2`, { params: ws });
};

/** worst relative error of the Taylor route against the symbolic counter terms compiled by `compile` */
function worstAgainstSymbolic(L: Loss, K: number, points: Float64Array[], hyper: number[] = []): number {
  const s = counterTerms(L, K);
  const ref = compile(Object.fromEntries(s.f.map((fk, k) => [`f${k + 1}`, fk])), L.params, { hyper: L.symbols });
  const tay = compileCounterTermsForward(gradient(L.expr, L.params), L.params, K, { hyper: L.symbols });
  expect(tay.outputSize).toBe(ref.outputSize);
  let worst = 0;
  for (const th of points) {
    const a = new Float64Array(ref.outputSize);
    const b = new Float64Array(ref.outputSize);
    ref.fn(th, a, hyper);
    tay.fn(th, b, hyper);
    const big = Math.max(...a.map(Math.abs));
    a.forEach((r, i) => {
      expect(Number.isFinite(b[i]!)).toBe(true);
      worst = Math.max(worst, Math.abs(b[i]! - r) / Math.max(Math.abs(r), 1e-3 * big, 1e-300));
    });
  }
  return worst;
}

const pointsNear = (n: number, seed: number, count: number, centre = 1, spread = 0.1): Float64Array[] => {
  const r = lcg(seed);
  return Array.from({ length: count }, () => Float64Array.from({ length: n }, () => centre + r(spread)));
};

describe('compileCounterTermsForward: f1..f3 by Taylor-mode passes over the gradient program', () => {
  it('n-chain, n = 10 and 20: agrees with the symbolic counterTerms compiled by compile to 1e-12', () => {
    for (const n of [10, 20]) expect(worstAgainstSymbolic(chain(n), 3, pointsNear(n, 7 + n, 4))).toBeLessThan(1e-12);
  }, 120_000);

  it('K = 4 (f4 = −1/4 HHHg − 1/12 H∇³L[g,g] − 1/12 ∇³L[g,Hg]): chain, non-polynomial 2-D loss, hyper-parameter in an exponent, the P3 network', () => {
    expect(worstAgainstSymbolic(chain(5), 4, pointsNear(5, 41, 3, 0.9, 0.3))).toBeLessThan(1e-12);
    const np = loss('log(1 + exp(w1*w2)) + tanh(w1 - w2)^2 + sin(w1)*w2 + sqrt(1 + w1^2) + (2 + w2^2)^(5/3) + w1/(3 + w2^2)', { params: ['w1', 'w2'] });
    expect(worstAgainstSymbolic(np, 4, pointsNear(2, 43, 4, 0, 1.2))).toBeLessThan(1e-12);
    const hy = loss('(2 + w1^2)^(w2) + lam*w1^2*w2^2 + (1 + w2^2)^lam', { params: ['w1', 'w2'], symbols: ['lam'] });
    expect(worstAgainstSymbolic(hy, 4, pointsNear(2, 47, 3, 0.3, 0.5), [0.7])).toBeLessThan(1e-12);
    const p3 = mlpLoss({ sizes: [2, 3, 1], activation: 'tanh', X: [[1, 0], [0, 1], [1, 1], [-1, 0.5]], Y: [1, -1, 0, 0.5] });
    expect(worstAgainstSymbolic(p3, 4, pointsNear(13, 53, 2, 0, 0.8))).toBeLessThan(1e-12);
  }, 60_000);

  it('K = 1 and 2 give the leading blocks only', () => {
    const L = chain(4);
    for (const K of [1, 2] as const) expect(worstAgainstSymbolic(L, K, pointsNear(4, 3, 3))).toBeLessThan(1e-12);
  });

  it('non-polynomial 2-D loss (exp, log, tanh, sin, sqrt, a non-integer power, a quotient)', () => {
    const L = loss('log(1 + exp(w1*w2)) + tanh(w1 - w2)^2 + sin(w1)*w2 + sqrt(1 + w1^2) + (2 + w2^2)^(5/3) + w1/(3 + w2^2) + (1 + w1^2)^(2/5)', { params: ['w1', 'w2'] });
    expect(worstAgainstSymbolic(L, 3, pointsNear(2, 11, 6, 0, 1.5))).toBeLessThan(1e-12);
  });

  it('powers with a parameter or a hyper-parameter in the exponent', () => {
    const L = loss('(2 + w1^2)^(w2) + lam*w1^2*w2^2 + (1 + w2^2)^lam', { params: ['w1', 'w2'], symbols: ['lam'] });
    expect(worstAgainstSymbolic(L, 3, pointsNear(2, 5, 5, 0.3, 0.5), [0.7])).toBeLessThan(1e-12);
  });

  it('the P3 network (tanh MLP 2-3-1, 13 parameters)', () => {
    const L = mlpLoss({ sizes: [2, 3, 1], activation: 'tanh', X: [[1, 0], [0, 1], [1, 1], [-1, 0.5]], Y: [1, -1, 0, 0.5] });
    expect(worstAgainstSymbolic(L, 3, pointsNear(L.params.length, 17, 3, 0, 0.8))).toBeLessThan(1e-12);
  });

  it('program size is linear in the gradient program: code for f3 of the 40-chain stays small', () => {
    const small = compileCounterTermsForward(gradient(chain(10).expr, chain(10).params), chain(10).params, 3);
    const L = chain(40);
    const big = compileCounterTermsForward(gradient(L.expr, L.params), L.params, 3);
    const lines = (js: string) => js.split('\n').length;
    // the gradient program of the n-chain has O(n) nodes, so the passes have O(n) lines (not n^2.8)
    expect(lines(big.js) / lines(small.js)).toBeLessThan(4 * 1.5);
  });

  it('rejects K outside 1..4 (naming why f5 is not on this route), a gradient of the wrong length and bad arguments with an InputError', () => {
    const L = chain(3);
    const g = gradient(L.expr, L.params);
    expect(() => compileCounterTermsForward(g, L.params, 5)).toThrow(CodegenError);
    expect(() => compileCounterTermsForward(g, L.params, 5)).toThrow(/f5 and higher.*symbolic route/);
    expect(() => compileCounterTermsForward(g, L.params, 0)).toThrow(/K must be 1, 2, 3 or 4/);
    expect(() => compileCounterTermsForward(g, L.params, 2.5)).toThrow(InputError);
    expect(() => compileCounterTermsForward(g.slice(1), L.params, 3)).toThrow(/same parameters/);
    expect(() => compileCounterTermsForward('g' as never, L.params, 3)).toThrow(InputError);
    expect(() => compileCounterTermsForward(g, L.params, 3, null as never)).toThrow(InputError);
    expect(() => emitCounterTermsModule(g, L.params, 3, { target: 'c' as never })).toThrow(/'ts', 'js' or 'tfjs'/);
    // the generated-code budget bounds the passes as it bounds compile
    expect(() => compileCounterTermsForward(g, L.params, 3, { maxOperands: 40 })).toThrow(BudgetError);
    expect(() => compileCounterTermsForward(g, L.params, 3, { maxOperands: 40 })).toThrow(/maxOperands = 40/);
    // the compiled function checks its buffers like compile's
    const c = compileCounterTermsForward(g, L.params, 3);
    expect(() => c.fn(new Float64Array(2), new Float64Array(9))).toThrow(InputError);
    expect(() => c.fn(new Float64Array(3), new Float64Array(8))).toThrow(InputError);
  });

  it('a loss with constants and symbols: values to 1e-12 of the symbolic route, hyper-parameters in the order given', () => {
    const L = loss('(a*w1*w2 - c)^2/2 + lam*w1^4 + mu*log(1 + w2^2)*w1', { params: ['w1', 'w2'], symbols: ['lam', 'mu'], constants: { a: 2, c: '1/3' } });
    expect(worstAgainstSymbolic(L, 3, pointsNear(2, 21, 5, 0.2, 0.9), [0.3, -1.7])).toBeLessThan(1e-12);
  });

  it('zeros are pruned: a quadratic loss gives f1..f3 linear in θ with one operation per entry', () => {
    // L = ½w²: f1 = −w, f2 = −½w, f3 = −(1/12·0 + 1/3·w) — no ∇³L pass survives
    const L = loss('w^2/2', { params: ['w'] });
    const p = counterTermsProgram(gradient(L.expr, L.params), L.params, 3);
    expect(programStats(p).ops).toBeLessThanOrEqual(3);
    const c = compileCounterTermsForward(gradient(L.expr, L.params), L.params, 3);
    const out = new Float64Array(3);
    c.fn(Float64Array.of(0.6), out);
    [-0.6, -0.3, -0.6 / 3].forEach((v, i) => expect(out[i]).toBeCloseTo(v, 15));
  });

  it('the module forms: the TypeScript module type-checks under strict tsc, and it and the JS module run and agree with the symbolic route to 1e-12', async () => {
    const L = loss('tanh(w1*w2 + lam)^2 + (w1 - w2)^4/4 + exp(w1/3)', { params: ['w1', 'w2'], symbols: ['lam'] });
    const g = gradient(L.expr, L.params);
    const ts = emitCounterTermsModule(g, L.params, 3, { hyper: L.symbols, name: 'ctTaylor' });
    expect(ts).toContain('export function ctTaylor(theta: Float64Array, out: Float64Array, hyper');
    expect(ts).toContain('Taylor-mode passes');
    const js = emitCounterTermsModule(g, L.params, 3, { hyper: L.symbols, name: 'ctTaylor', target: 'js' });
    writeFileSync(join(DIR, 'ct.ts'), ts);
    writeFileSync(join(DIR, 'ct.mjs'), js);
    writeFileSync(join(DIR, 'ct-esbuild.mjs'), (await transform(ts, { loader: 'ts', format: 'esm' })).code);
    writeFileSync(join(DIR, 'use.ts'), "import { ctTaylor, ctTaylorLayout } from './ct.ts';\nconst out = new Float64Array(ctTaylorLayout.outputSize);\nctTaylor(Float64Array.of(1, 2), out, [0.5]);\nexport const n: 6 = ctTaylorLayout.outputSize;\n");
    strictTypeCheck(DIR, ['ct.ts', 'use.ts']);
    const s = counterTerms(L, 3);
    const ref = compile({ f1: s.f[0]!, f2: s.f[1]!, f3: s.f[2]! }, L.params, { hyper: L.symbols });
    type Mod = { ctTaylor: (t: Float64Array, o: Float64Array, h: number[]) => void };
    for (const file of ['ct.mjs', 'ct-esbuild.mjs']) {
      const mod = (await import(pathToFileURL(join(DIR, file)).href)) as Mod;
      for (const th of pointsNear(2, 31, 4, 0, 0.8)) {
        const a = new Float64Array(6);
        const b = new Float64Array(6);
        ref.fn(th, a, [0.4]);
        mod.ctTaylor(th, b, [0.4]);
        const big = Math.max(...a.map(Math.abs));
        a.forEach((r, i) => expect(Math.abs(b[i]! - r), `${file} entry ${i}`).toBeLessThanOrEqual(1e-12 * Math.max(Math.abs(r), big)));
      }
    }
  }, 60_000);

  it('build at n = 40: far under a second, and the program within O(n) of the gradient program', () => {
    const L = chain(40);
    const t0 = performance.now();
    const c = compileCounterTermsForward(gradient(L.expr, L.params), L.params, 3);
    const seconds = (performance.now() - t0) / 1000;
    expect(seconds).toBeLessThan(20); // a hang guard only; the bench (P7T) measures the build time
    const grad = compile({ g: gradient(L.expr, L.params) }, L.params);
    // value pass + an order-2 pass + an order-1 pass: a small multiple of the gradient program
    expect(c.stats.ops / grad.stats.ops).toBeLessThan(14); // 1 + 8 + 3 operations per binary product
  });
});
