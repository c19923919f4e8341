/**
 * Numeric check of the counter terms (eom.md, "Discretization error"): at a fixed time T, the distance
 * between n = T/η GD steps and the solution of EoM_j (gradient flow plus j counter terms) falls like
 * η^{j+1}; the fitted log-log slope must be within 0.15 of j + 1, j = 0…3.
 */
import { describe, expect, it } from 'vitest';
import { loss } from '../../../src/symbolic/index.ts';
import { counterTerms } from '../../../src/theory/eom/index.ts';
import { type Field, compile } from './compile.ts';

/** classical RK4 with fixed step, T/steps */
function rk4(F: Field, y0: readonly number[], T: number, steps: number): Float64Array {
  const n = y0.length;
  const h = T / steps;
  const y = Float64Array.from(y0);
  const k1 = new Float64Array(n), k2 = new Float64Array(n), k3 = new Float64Array(n), k4 = new Float64Array(n), tmp = new Float64Array(n);
  for (let s = 0; s < steps; s++) {
    F(y, k1);
    for (let i = 0; i < n; i++) tmp[i] = y[i]! + 0.5 * h * k1[i]!;
    F(tmp, k2);
    for (let i = 0; i < n; i++) tmp[i] = y[i]! + 0.5 * h * k2[i]!;
    F(tmp, k3);
    for (let i = 0; i < n; i++) tmp[i] = y[i]! + h * k3[i]!;
    F(tmp, k4);
    for (let i = 0; i < n; i++) y[i] = y[i]! + (h / 6) * (k1[i]! + 2 * k2[i]! + 2 * k3[i]! + k4[i]!);
  }
  return y;
}

function slope(xs: number[], ys: number[]): number {
  const lx = xs.map(Math.log), ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b) / lx.length, my = ly.reduce((a, b) => a + b) / ly.length;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < lx.length; i++) {
    sxy += (lx[i]! - mx) * (ly[i]! - my);
    sxx += (lx[i]! - mx) ** 2;
  }
  return sxy / sxx;
}

interface Case {
  name: string;
  formula: string;
  params: string[];
  theta0: number[];
  T: number;
  etas: number[];
}

const cases: Case[] = [
  {
    name: 'bench P4 L1 = (w1² + w2² − 1)²/4 + 3/10 w1 w2 + w1/10 + sin(w2)/5 from (1.3, −0.4)',
    formula: '(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5',
    params: ['w1', 'w2'],
    theta0: [1.3, -0.4],
    T: 1,
    etas: [0.04, 0.02, 0.01, 0.005],
  },
  {
    name: 'logistic-type L = log(1 + exp(−w1 w2)) + (w1² + w2²)/10 + w1³/6 from (0.8, 0.5)',
    formula: 'log(1 + exp(-w1*w2)) + (w1^2 + w2^2)/10 + w1^3/6',
    params: ['w1', 'w2'],
    theta0: [0.8, 0.5],
    T: 1,
    etas: [0.04, 0.02, 0.01, 0.005],
  },
  {
    name: '1-D L = w⁴/4 + cos(w) from w = 1.2',
    formula: 'w^4/4 + cos(w)',
    params: ['w'],
    theta0: [1.2],
    T: 1,
    etas: [0.04, 0.02, 0.01, 0.005],
  },
];

describe('GD vs EoM_j: global error ∝ η^{j+1} at fixed T', () => {
  for (const c of cases) {
    it(c.name, () => {
      const L = loss(c.formula, { params: c.params });
      const s = counterTerms(L, 4);
      const n = c.params.length;
      const fk = s.f.map((f) => compile(f, L.params));
      const grad = compile(s.f[0]!, L.params); // −g
      const errs: number[][] = [[], [], [], []];
      for (const eta of c.etas) {
        // GD
        const th = Float64Array.from(c.theta0);
        const d = new Float64Array(n);
        const steps = Math.round(c.T / eta);
        for (let k = 0; k < steps; k++) {
          grad(th, d);
          for (let i = 0; i < n; i++) th[i] = th[i]! + eta * d[i]!;
        }
        for (let j = 0; j <= 3; j++) {
          const tmp = new Float64Array(n);
          const F: Field = (y, out) => {
            out.fill(0);
            let p = 1;
            for (let k = 0; k <= j; k++) {
              fk[k]!(y, tmp);
              for (let i = 0; i < n; i++) out[i] = out[i]! + p * tmp[i]!;
              p *= eta;
            }
          };
          const y = rk4(F, c.theta0, steps * eta, 8 * steps);
          let e2 = 0;
          for (let i = 0; i < n; i++) e2 += (y[i]! - th[i]!) ** 2;
          errs[j]!.push(Math.sqrt(e2));
        }
      }
      const slopes = errs.map((e) => slope(c.etas, e));
      for (let j = 0; j <= 3; j++) expect(Math.abs(slopes[j]! - (j + 1)), `EoM_${j}: slope ${slopes[j]} errors ${errs[j]}`).toBeLessThan(0.15);
    });
  }
});
