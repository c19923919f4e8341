import { describe, expect, it } from 'vitest';
import { type Loss, gradient, loss, mlpLoss } from '../../src/symbolic/index.ts';
import { counterTerms } from '../../src/theory/eom/index.ts';
import { compile, compileCounterTermsForward } from '../../src/codegen/index.ts';
import { CodegenError } from '../../src/codegen/ir.ts';

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
function worstAgainstSymbolic(L: Loss, K: 1 | 2 | 3, points: Float64Array[], hyper: number[] = []): number {
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

  it('rejects K outside 1..3 and a gradient of the wrong length with an InputError naming the fix', () => {
    const L = chain(3);
    const g = gradient(L.expr, L.params);
    expect(() => compileCounterTermsForward(g, L.params, 4 as 3)).toThrow(CodegenError);
    expect(() => compileCounterTermsForward(g.slice(1), L.params, 3)).toThrow(/same parameters/);
  });
});
