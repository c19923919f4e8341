import { describe, expect, it } from 'vitest';
import katex from 'katex';
import {
  type Expr,
  Rational,
  ZERO,
  add,
  diff,
  expand,
  jvp,
  loss,
  mul,
  quadraticLoss,
  scale,
  sum,
  evaluate,
} from '../../../src/symbolic/index.ts';
import { ETA, counterTerms, discretizationError, modifiedLoss } from '../../../src/theory/eom/index.ts';
import { compile } from './compile.ts';

const katexOk = (tex: string): void => {
  expect(() => katex.renderToString(tex, { throwOnError: true, strict: 'error' }), tex.slice(0, 200)).not.toThrow();
};

const P4 = loss('(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5', { params: ['w1', 'w2'] });

describe('modified loss', () => {
  const losses = [
    P4,
    loss('w^4/4 + w^3', { params: ['w'] }),
    loss('sin(w) + w^2', { params: ['w'] }),
    loss('log(1 + exp(-w1*w2)) + w3^2*w1', { params: ['w1', 'w2', 'w3'] }),
  ];
  for (const L of losses) {
    it(`first order: L + (η/4)‖g‖² for ${L.formula}`, () => {
      const m = modifiedLoss(L, 2);
      const g = L.params.map((p) => diff(L.expr, p));
      const expected = add(L.expr, mul(ETA, scale(sum(g.map((gi) => mul(gi, gi))), Rational.of(1, 4))));
      expect(m.potentialOrder).toBeGreaterThanOrEqual(1);
      expect(expand(m.potential)).toBe(expand(expected));
      katexOk(m.latex());
    });
  }

  it('P4 L1: f_3 is not a gradient; the obstruction is the first asymmetric Jacobian entry', () => {
    const m = modifiedLoss(P4, 4);
    expect(m.isGradient).toBe(false);
    expect(m.potentialOrder).toBe(1);
    expect(m.orders.map((o) => o.symmetric)).toEqual([true, true, false, false]);
    const ob = m.obstruction!;
    expect([ob.k, ob.i, ob.j]).toEqual([3, 0, 1]);
    expect(ob.entry).not.toBe(ZERO);
    // independently: ∂f_3[0]/∂w2 − ∂f_3[1]/∂w1 at a point is non-zero
    const f3 = counterTerms(P4, 3).f[2]!;
    const [w1, w2] = P4.params as [typeof P4.params[0], typeof P4.params[0]];
    const asym = add(diff(f3[0]!, w2!), scale(diff(f3[1]!, w1!), -1));
    const at = { w1: 0.4, w2: -0.7 };
    expect(Math.abs(evaluate(asym, at))).toBeGreaterThan(1e-6);
    expect(evaluate(ob.entry, at)).toBeCloseTo(evaluate(asym, at), 10);
    expect(m.summary()).toMatch(/η\^2 \(f_3\): not a gradient/);
    katexOk(m.latex());
  });

  for (const A of [
    [
      [2, 1],
      [1, 3],
    ],
    [
      [1, -2, 0],
      [-2, 3, 1],
      [0, 1, -1],
    ],
  ]) {
    it(`quadratic ${JSON.stringify(A)}: gradient at every order, P_k = θᵀA^kθ/(2k)`, () => {
      const L = quadraticLoss(A);
      const m = modifiedLoss(L, 6);
      expect(m.isGradient).toBe(true);
      expect(m.potentialOrder).toBe(5);
      const th: Expr[] = [...L.params];
      let v = th; // A^k θ via jvp of the linear field g = Aθ
      const g = L.params.map((p) => diff(L.expr, p));
      for (let k = 1; k <= 6; k++) {
        v = k === 1 ? g : jvp(g, L.params, v);
        const expected = scale(sum(th.map((t, i) => mul(t, v[i]!))), Rational.of(1, 2 * k));
        expect(expand(m.orders[k - 1]!.potential!), `P_${k}`).toBe(expand(expected));
      }
    });
  }

  it('1-D polynomial loss: a potential at every order (radial homotopy), verified −∇P_k = f_k', () => {
    const L = loss('w^4/4 - w^2/2 + w/3', { params: ['w'] });
    const m = modifiedLoss(L, 5);
    const s = counterTerms(L, 5);
    expect(m.potentialOrder).toBe(4);
    for (let k = 1; k <= 5; k++) {
      expect(expand(add(diff(m.orders[k - 1]!.potential!, L.params[0]!), s.f[k - 1]![0]!))).toBe(ZERO);
    }
  });

  it('1-D transcendental loss: symmetric but no closed form beyond first order — reported, not invented', () => {
    const m = modifiedLoss(loss('sin(w) + w^2', { params: ['w'] }), 3);
    expect(m.isGradient).toBe(true);
    expect(m.orders[2]!.symmetric).toBe(true);
    expect(m.orders[2]!.potential).toBeUndefined();
    expect(m.potentialOrder).toBe(1);
  });
});

describe('discretization error', () => {
  it('GF: leading local error η² f_2 = −(η²/2) H g, global order 1', () => {
    const d = discretizationError(P4, 0);
    expect([d.localOrder, d.globalOrder]).toEqual([2, 1]);
    expect(d.general).toBe('-1/2 Hg');
    const g = P4.params.map((p) => diff(P4.expr, p));
    const Hg = jvp(g, P4.params, g);
    for (let i = 0; i < 2; i++) expect(expand(d.term[i]!)).toBe(expand(mul(ETA, ETA, scale(Hg[i]!, Rational.of(-1, 2)))));
    katexOk(d.latex());
    expect(discretizationError(P4, 2).general).toBe(counterTerms(P4, 4).general.lossText(4));
  });

  it('one step: (GD − flow of EoM_j over time η)/η^{j+2} → f_{j+2}, j = 0, 1, 2', () => {
    const s = counterTerms(P4, 5);
    const fk = s.f.map((f) => compile(f, P4.params));
    const th0 = [1.3, -0.4];
    for (let j = 0; j <= 2; j++) {
      const d = discretizationError(P4, j, { series: s });
      const lead = d.coefficient.map((e) => evaluate(e, { w1: th0[0]!, w2: th0[1]! }));
      const rel: number[] = [];
      for (const eta of [0.01, 0.005]) {
        const tmp = new Float64Array(2);
        const F = (y: Float64Array, out: Float64Array): void => {
          out.fill(0);
          let p = 1;
          for (let k = 0; k <= j; k++) {
            fk[k]!(y, tmp);
            for (let i = 0; i < 2; i++) out[i] = out[i]! + p * tmp[i]!;
            p *= eta;
          }
        };
        // RK4, 100 substeps over time η
        const y = Float64Array.from(th0);
        const k1 = new Float64Array(2), k2 = new Float64Array(2), k3 = new Float64Array(2), k4 = new Float64Array(2), z = new Float64Array(2);
        const h = eta / 100;
        for (let st = 0; st < 100; st++) {
          F(y, k1);
          for (let i = 0; i < 2; i++) z[i] = y[i]! + 0.5 * h * k1[i]!;
          F(z, k2);
          for (let i = 0; i < 2; i++) z[i] = y[i]! + 0.5 * h * k2[i]!;
          F(z, k3);
          for (let i = 0; i < 2; i++) z[i] = y[i]! + h * k3[i]!;
          F(z, k4);
          for (let i = 0; i < 2; i++) y[i] = y[i]! + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
        }
        fk[0]!(Float64Array.from(th0), tmp);
        const gd = th0.map((t, i) => t + eta * tmp[i]!);
        const scaled = gd.map((x, i) => (x - y[i]!) / eta ** (j + 2));
        rel.push(Math.hypot(scaled[0]! - lead[0]!, scaled[1]! - lead[1]!) / Math.hypot(lead[0]!, lead[1]!));
      }
      expect(rel[1]!, `j = ${j}: ${rel}`).toBeLessThan(0.1);
      expect(rel[1]! / rel[0]!, `j = ${j}: relative deviation should halve with η: ${rel}`).toBeLessThan(0.6);
    }
  });
});
