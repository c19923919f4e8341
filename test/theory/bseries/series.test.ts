import { describe, expect, it } from 'vitest';
import katex from 'katex';
import { Rational } from '../../../src/symbolic/index.ts';
import { BudgetError, InputError } from '../../../src/errors.ts';
import {
  LEAF,
  tree,
  treesOfOrder,
  labellings,
  edgeCuts,
  treeCount,
  exactFlowCoefficients,
  oneDimensionalExponents,
  fNotation,
  fNotationLatex,
} from '../../../src/theory/bseries/index.ts';
import { generalSeries, modifiedEquationCoefficients, lossNotation, lossNotationLatex } from '../../../src/theory/eom/index.ts';

const katexOk = (tex: string): void => {
  expect(() => katex.renderToString(tex, { throwOnError: true, strict: 'error' }), tex).not.toThrow();
};
const q = (p: number, r = 1): Rational => Rational.of(p, r);
const L = LEAF;
const t21 = tree([L]); // [•]
const bush3 = tree([L, L]); // [•,•]
const chain3 = tree([t21]); // [[•]]

describe('rooted trees', () => {
  it('counts trees with n nodes (OEIS A000081)', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((n) => treesOfOrder(n).length)).toEqual([1, 1, 2, 4, 9, 20, 48, 115, 286, 719]);
  });

  it('treeCount follows A000081 without enumerating (to order 20) and agrees with the enumeration', () => {
    expect([11, 12, 13, 14, 15, 16, 17, 18, 19, 20].map((n) => treeCount(n))).toEqual([
      1842n, 4766n, 12486n, 32973n, 87811n, 235381n, 634847n, 1721159n, 4688676n, 12826228n,
    ]);
    for (let n = 1; n <= 10; n++) expect(BigInt(treesOfOrder(n).length)).toBe(treeCount(n));
  });

  it('enumerations past the tree budget are BudgetErrors, not hangs', () => {
    expect(() => treesOfOrder(25)).toThrow(BudgetError);
    expect(() => treesOfOrder(25)).toThrow(/maxTrees = 200000/);
    expect(() => treesOfOrder(30, 1000)).toThrow(/above the budget maxTrees = 1000/);
    expect(() => treeCount(0)).toThrow(InputError);
  });

  it('trees are canonical and interned', () => {
    expect(tree([t21, L])).toBe(tree([L, t21]));
    expect(new Set(treesOfOrder(8).map((t) => t.key)).size).toBe(115);
    for (const t of treesOfOrder(6)) expect(t.order).toBe(6);
  });

  it('σ and γ: classical values and Σ_{|t|=n} n!/(σγ) = (n−1)!', () => {
    expect([L, t21, bush3, chain3].map((t) => [t.symmetry, t.density])).toEqual([
      [1n, 1n],
      [1n, 2n],
      [2n, 3n],
      [1n, 6n],
    ]);
    expect(tree([L, L, L]).symmetry).toBe(6n);
    expect(tree([bush3, bush3]).symmetry).toBe(8n); // 2·2·2!
    let fact = 1n;
    for (let n = 1; n <= 10; n++) {
      if (n > 1) fact *= BigInt(n - 1);
      expect(treesOfOrder(n).reduce((s, t) => s + labellings(t), 0n)).toBe(fact);
    }
  });

  it('edge cuts: |t| − 1 per tree', () => {
    for (const t of treesOfOrder(7)) expect(edgeCuts(t).length).toBe(6);
    expect(edgeCuts(bush3).map((c) => [c.trunk, c.branch])).toEqual([
      [t21, L],
      [t21, L],
    ]);
  });

  it('elementary differentials in f- and loss notation', () => {
    expect([L, t21, bush3, chain3].map(fNotation)).toEqual(['f', 'f′f', 'f″(f,f)', 'f′f′f']);
    expect([L, t21, bush3, chain3].map(lossNotation)).toEqual(['g', 'Hg', '∇³L[g,g]', 'HHg']);
    for (const t of treesOfOrder(6)) {
      katexOk(fNotationLatex(t));
      katexOk(lossNotationLatex(t));
    }
  });
});

describe('modified equation of explicit Euler (B-series matching)', () => {
  it('the Lie-derivative formula gives the exact flow of θ̇ = f: coefficients 1/γ(t) to order 10', () => {
    const flow = exactFlowCoefficients(new Map([[LEAF, Rational.ONE]]), 10);
    for (let n = 1; n <= 10; n++) {
      for (const t of treesOfOrder(n)) expect(flow.get(t)?.toString(), t.toString()).toBe(Rational.of(1n, t.density).toString());
    }
  });

  it('the flow of the modified field is one Euler step: e^b = δ_• to order 10', () => {
    const flow = exactFlowCoefficients(modifiedEquationCoefficients(10), 10);
    expect([...flow.keys()]).toEqual([LEAF]);
    expect(flow.get(LEAF)!.isOne()).toBe(true);
  });

  it('classical coefficients: f_2 = −½ f′f, f_3 = 1/12 f″(f,f) + 1/3 f′f′f', () => {
    const s = generalSeries(3);
    expect(s.text(1)).toBe('f');
    expect(s.text(2)).toBe('-1/2 f′f');
    expect(s.text(3)).toBe('1/3 f′f′f + 1/12 f″(f,f)');
    expect(s.lossText(2)).toBe('-1/2 Hg');
    expect(s.lossText(3)).toBe('-1/3 HHg - 1/12 ∇³L[g,g]');
  });

  it('f_4 in 1-D reduces to −1/6 f² f′ f″ − 1/4 f f′³ and f‴(f,f,f) has coefficient 0', () => {
    const s = generalSeries(4);
    const bush4 = tree([L, L, L]);
    expect(s.terms[3]!.find((x) => x.tree === bush4)).toBeUndefined();
    expect(modifiedEquationCoefficients(4).get(bush4)).toBeUndefined();
    // Σ_t b(t)/σ(t) Π f^(m)^{c_m}: collect monomials by exponent vector
    const mono = new Map<string, Rational>();
    for (const { tree: t, weight } of s.terms[3]!) {
      const key = oneDimensionalExponents(t).join(',');
      mono.set(key, (mono.get(key) ?? Rational.ZERO).add(weight));
    }
    // exponents (f, f′, f″): f² f′ f″ → "2,1,1"; f f′³ → "1,3"
    expect(Object.fromEntries([...mono].filter(([, c]) => !c.isZero()).map(([k, c]) => [k, c.toString()]))).toEqual({
      '2,1,1': q(-1, 6).toString(),
      '1,3': q(-1, 4).toString(),
    });
  });

  it('chains carry the quadratic closed form: b([[…[•]]]) = (−1)^{k+1}/k', () => {
    const b = modifiedEquationCoefficients(10);
    let chain = LEAF;
    for (let k = 1; k <= 10; k++) {
      expect(b.get(chain)!.equals(q(k % 2 === 1 ? 1 : -1, k))).toBe(true);
      chain = tree([chain]);
    }
  });

  it('all orders to 10 (719 trees at order 10)', () => {
    const s = generalSeries(10);
    expect(treesOfOrder(10).length).toBe(719);
    expect(s.terms.length).toBe(10);
    // the printed series is valid KaTeX
    const tex = s.latex();
    for (const x of [...tex.f, ...tex.loss, ...tex.xi, tex.eom]) katexOk(x);
    expect(tex.eom.startsWith('\\dot{\\theta} = -g - \\eta\\left(\\frac{1}{2} H g\\right)')).toBe(true);
  });
});
