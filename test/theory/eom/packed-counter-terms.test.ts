import { describe, expect, it } from 'vitest';
import { expand, loss } from '../../../src/symbolic/index.ts';
import { counterTerms, generalSeries } from '../../../src/theory/eom/index.ts';
import { packedCounterTerms } from '../../../src/theory/eom/packed-counter-terms.ts';

/**
 * The packed route computes G(t) by the product rule over Jacobian–vector products (a second derivation,
 * independent of the substitution into ∇D^mL[v_1..v_m] of instantiate.ts); both must give the very same
 * canonical expressions.
 */
describe('expanded counter terms of polynomial losses by packed polynomial arithmetic', () => {
  const cases: Array<[string, string[], number]> = [
    ['(w1*w2*w3*w4*w5*w6 - 1)^2/2', ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'], 4],
    ['(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + w2^3/7', ['w1', 'w2'], 4],
    ['w1^2*w2^2 + w2*w3^3/3 - w1*w3 + w3^4/8 - 5/6', ['w1', 'w2', 'w3'], 5],
    ['w^4/4 - w^2/2 + w/3', ['w'], 5],
  ];
  for (const [formula, params, K] of cases) {
    it(`${formula}, K = ${K}: the same objects as expanding the compact series`, () => {
      const L = loss(formula, { params });
      const packed = packedCounterTerms(L, generalSeries(K));
      expect(packed).toBeDefined();
      const compact = counterTerms(L, K);
      for (let k = 0; k < K; k++) {
        for (let i = 0; i < params.length; i++) expect(packed![k]![i] === expand(compact.f[k]![i]!), `f_${k + 1}[${i}]`).toBe(true);
      }
      const viaApi = counterTerms(L, K, { expanded: true });
      expect(viaApi.f).toEqual(packed);
    });
  }

  it('declines losses that are not polynomials over Q in the parameters', () => {
    expect(packedCounterTerms(loss('w1^2*c + w2^2', { params: ['w1', 'w2'], symbols: ['c'] }), generalSeries(3))).toBeUndefined();
    expect(packedCounterTerms(loss('exp(w1) + w2^2', { params: ['w1', 'w2'] }), generalSeries(3))).toBeUndefined();
    // the expression route still answers, expanded
    const L = loss('w1^2*c + w2^4', { params: ['w1', 'w2'], symbols: ['c'] });
    const s = counterTerms(L, 3, { expanded: true });
    const c = counterTerms(L, 3);
    for (let k = 0; k < 3; k++) for (let i = 0; i < 2; i++) expect(s.f[k]![i]).toBe(expand(c.f[k]![i]!));
  });

  it('more variables than one float64 key holds: bigint keys, the same objects', () => {
    // 20 parameters, exponents up to 3·2 = 6 (3 bits each): 60 bits, past the 52 of a float64 key
    const ps = Array.from({ length: 20 }, (_, i) => `u${i + 1}`);
    const L = loss(`(${ps.join('*')} - 1)^2/2 + u1^2*u20/3`, { params: ps });
    const packed = packedCounterTerms(L, generalSeries(3));
    expect(packed).toBeDefined();
    const compact = counterTerms(L, 3);
    for (let k = 0; k < 3; k++) for (let i = 0; i < 20; i++) expect(packed![k]![i] === expand(compact.f[k]![i]!), `f_${k + 1}[${i}]`).toBe(true);
  });

  it('declines when integer coefficients would leave the safe range (denominators cleared to the power |t|), and the API falls back', () => {
    const L = loss('w^4/4 - w^2/2 + w/3', { params: ['w'] });
    expect(packedCounterTerms(L, generalSeries(8))).toBeUndefined();
    const s = counterTerms(L, 8, { expanded: true });
    const c = counterTerms(L, 8);
    for (let k = 0; k < 8; k++) expect(s.f[k]![0]).toBe(expand(c.f[k]![0]!));
  });
});
