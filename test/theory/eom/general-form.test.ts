/**
 * The modified loss in the general notation (docs/theory/eom.md, "Modified loss"): L̃ = L + η/4 ‖∇L‖² +
 * O(η²) for every loss, printed general form first and this loss's instance after; the heavy-ball
 * modified loss with β a number prints its coefficient as one number. The instance is checked against
 * L + (η/4) Σ_i (∂L/∂θ_i)² built here from first derivatives (not from the counter terms).
 */
import { describe, expect, it } from 'vitest';
import katex from 'katex';
import { type Loss, Rational, ZERO, add, diff, expand, loss, mul, scale, sub, sum } from '../../../src/symbolic/index.ts';
import { ETA, heavyBallModifiedLoss, modifiedLoss } from '../../../src/theory/eom/index.ts';

const strictKatex = (tex: string): void => {
  expect(() => katex.renderToString(tex, { throwOnError: true, strict: 'error' }), tex.slice(0, 160)).not.toThrow();
};

/** a seeded random polynomial loss in n parameters (coefficients in {−3, …, 3}/k, degree ≤ 4) */
function randomPolynomialLoss(seed: number, n: number): Loss {
  let a = seed >>> 0;
  const next = (m: number): number => {
    a = (Math.imul(a, 1664525) + 1013904223) >>> 0;
    return a % m;
  };
  const names = Array.from({ length: n }, (_, i) => `w${i + 1}`);
  const terms: string[] = [];
  for (let t = 0; t < 5; t++) {
    const c = next(7) - 3 || 1;
    const mono = names.map((w) => `${w}^${next(3)}`).join('*');
    terms.push(`${c}/${1 + next(4)}*${mono}`);
  }
  return loss(terms.join(' + '), { params: names });
}

const LOSSES: Loss[] = [
  loss('w^4/4 + w^3', { params: ['w'] }),
  loss('(w1*w2 - 1)^2/2 + sin(w1)/3', { params: ['w1', 'w2'] }),
  loss('log(1 + exp(-w1*x - w2))', { params: ['w1', 'w2'], symbols: ['x'] }),
  loss('(w1^2 + w2^2 + w3^2 - 1)^2/4 + w1*w3/5', { params: ['w1', 'w2', 'w3'] }),
  ...[1, 2, 3, 4].map((s) => randomPolynomialLoss(s, 1 + (s % 3))),
];

describe('the order-2 modified loss of any loss is L + η/4 ‖∇L‖²', () => {
  it.each(LOSSES.map((L) => [L.formula, L] as const))('%s', (_f, L) => {
    const m = modifiedLoss(L, 2);
    expect(m.potentialOrder).toBe(1);
    expect(m.general()!.text).toBe('L + η/4 ‖∇L‖²');
    const tex = m.latex();
    expect(tex.startsWith('\\tilde{L} = L + \\frac{\\eta}{4} \\lVert \\nabla L \\rVert^{2} = ')).toBe(true);
    strictKatex(tex);
    // P_2 = ¼ Φ([•]) structurally
    const sf = m.orders[1]!.scalarForm!;
    expect(sf.length).toBe(1);
    expect(sf[0]!.coefficient.equals(Rational.of(1, 4))).toBe(true);
    expect(String(sf[0]!.tree)).toBe('[•]');
    // the instance: L + η/4 Σ (∂L/∂θ_i)², from first derivatives
    const grad2 = sum(L.params.map((p) => mul(diff(L.expr, p), diff(L.expr, p))));
    const expected = add(L.expr, mul(ETA, scale(grad2, Rational.of(1, 4))));
    expect(expand(sub(m.potential, expected))).toBe(ZERO);
    expect(m.summary()).toContain('P_2 = 1/4 ‖∇L‖² = ');
  });

  it('higher orders: the potential particular to a loss shows as η² P_3, its scalar form marked as this loss’s', () => {
    const m = modifiedLoss(loss('w^4/4', { params: ['w'] }), 3);
    expect(m.general()!.text).toBe('L + η/4 ‖∇L‖² + η² P_3');
    expect(m.latex()).toContain('\\eta^{2} P_{3} = ');
    expect(m.summary()).toMatch(/P_3 = 7\/48 ∇Lᵀ∇²L∇L \(for this loss\) = 7\*w\^8\/16/);
    // 7/48 gᵀHg for L = w⁴/4: g = w³, H = 3w²: 7/48 · 3 w⁸ = 7/16 w⁸
    strictKatex(m.latex());
  });

  it('no general form when even f_2 has no potential found (order 1 only)', () => {
    const m = modifiedLoss(loss('w1^2 + w2^2', { params: ['w1', 'w2'] }), 1);
    expect(m.potentialOrder).toBe(0);
    expect(m.general()).toBeUndefined();
    expect(m.latex().startsWith('\\tilde{L} = w_{1}^{2}')).toBe(true);
  });
});

describe('heavy-ball modified loss with β a number', () => {
  it('η(1+β)/(4(1−β)²) at β = 3/5 prints as 5/2 η, after the general form', () => {
    const L = loss('w1^4/4 + w1*w2', { params: ['w1', 'w2'] });
    const tex = heavyBallModifiedLoss(L, { beta: '3/5' }).latex();
    // (1 + 3/5)/(4(1 − 3/5)²) = (8/5)/(16/25) = 5/2
    const b = Rational.of(3, 5);
    const c = Rational.ONE.add(b).div(Rational.of(4).mul(Rational.ONE.sub(b).powInt(2)));
    expect(c.toString()).toBe('5/2');
    expect(tex).toContain('\\tilde{L} = L + \\frac{\\eta\\left(1 + \\beta\\right)}{4\\left(1 - \\beta\\right)^{2}} \\lVert \\nabla L \\rVert^{2} = L + \\frac{5}{2} \\eta \\lVert \\nabla L \\rVert^{2} = ');
    expect(tex).not.toMatch(/1 - \\frac\{3\}\{5\}/);
    expect(tex).toContain('\\beta = \\frac{3}{5}');
    strictKatex(tex);
    // β symbolic: the general form, no number
    const g = heavyBallModifiedLoss(L).latex();
    expect(g.startsWith('\\tilde{L} = L + \\frac{\\eta\\left(1 + \\beta\\right)}')).toBe(true);
    strictKatex(g);
  });
});
