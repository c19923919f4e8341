import { describe, it, expect } from 'vitest';
import { validateSweep, runValidation, formatValidation, fitLogLogSlope, estimateCurvature, type ValidationResult } from '../../src/numeric/order-sweep.ts';
import type { VectorField } from '../../src/numeric/ode.ts';

type V = Float64Array;

function expectSlopes(r: ValidationResult, expected: number[]): void {
  const msg = formatValidation(r);
  expect(r.expectedSlope, msg).toEqual(expected);
  for (let k = 0; k < expected.length; k++) {
    expect(r.fittedSlope[k], msg).not.toBeNull();
    expect(Math.abs(r.fittedSlope[k]! - expected[k]!), `${r.names[k]}\n${msg}`).toBeLessThanOrEqual(0.15);
    expect(r.pass[k], msg).toBe(true);
    expect(r.asymptotic[k], msg).toBe(true);
  }
}

// ---- quadratic L = ½ θᵀAθ: f_k = −A^k θ / k (docs/theory/eom.md, closed form)
const A3 = [[2, 0.5, 0], [0.5, 1, -0.3], [0, -0.3, 0.7]];
function matvec(x: V, o: V): void {
  for (let i = 0; i < 3; i++) o[i] = A3[i]![0]! * x[0]! + A3[i]![1]! * x[1]! + A3[i]![2]! * x[2]!;
}
function quadTerm(k: number): VectorField {
  const t = new Float64Array(3), u = new Float64Array(3);
  return (x, o) => {
    t.set(x);
    for (let j = 0; j < k; j++) { matvec(t, u); t.set(u); }
    for (let i = 0; i < 3; i++) o[i] = -t[i]! / k;
  };
}

// ---- 1-D losses through the 1-D formulas of eom.md, with f = −g:
// f2 = −½ f′f, f3 = 1/12 f″ f² + 1/3 f′² f, f4 = −1/6 f² f′ f″ − 1/4 f f′³
function oneDTerms(f: (x: number) => number, fp: (x: number) => number, fpp: (x: number) => number): VectorField[] {
  return [
    (y, o) => { o[0] = f(y[0]!); },
    (y, o) => { const x = y[0]!; o[0] = -0.5 * fp(x) * f(x); },
    (y, o) => { const x = y[0]!; o[0] = (fpp(x) * f(x) ** 2) / 12 + (fp(x) ** 2 * f(x)) / 3; },
    (y, o) => { const x = y[0]!; o[0] = (-(f(x) ** 2) * fp(x) * fpp(x)) / 6 - (f(x) * fp(x) ** 3) / 4; },
  ];
}
// quartic L = θ⁴/4: f = −θ³
const quartic = oneDTerms((x) => -(x ** 3), (x) => -3 * x * x, (x) => -6 * x);
// pendulum L = −cos θ: f = −sin θ
const pendulum = oneDTerms((x) => -Math.sin(x), (x) => -Math.cos(x), (x) => Math.sin(x));

// ---- 2-D non-quadratic L₁ = (w1² + w2² − 1)²/4 + 3/10 w1w2 + w1/10 + sin(w2)/5 (bench P4), with
// f2 = −½Hg, f3 = −1/12 T(g,g) − 1/3 H²g, f4 = −1/12 T(g,Hg) − 1/12 H T(g,g) − 1/4 H³g (eom.md, tasks P2)
function gL1(w: V, o: V): void {
  const r = w[0]! ** 2 + w[1]! ** 2 - 1;
  o[0] = r * w[0]! + 0.3 * w[1]! + 0.1;
  o[1] = r * w[1]! + 0.3 * w[0]! + 0.2 * Math.cos(w[1]!);
}
function hL1(w: V, a: V, o: V): void {
  const r = w[0]! ** 2 + w[1]! ** 2 - 1;
  const h11 = 2 * w[0]! ** 2 + r, h12 = 2 * w[0]! * w[1]! + 0.3, h22 = 2 * w[1]! ** 2 + r - 0.2 * Math.sin(w[1]!);
  const a0 = a[0]!, a1 = a[1]!;
  o[0] = h11 * a0 + h12 * a1;
  o[1] = h12 * a0 + h22 * a1;
}
function tL1(w: V, a: V, b: V, o: V): void {
  // ∂³ of r²/4: T_ijk = 2(δ_ij w_k + δ_ik w_j + δ_jk w_i); sin(w2)/5 adds T_222 = −cos(w2)/5
  const wa = w[0]! * a[0]! + w[1]! * a[1]!, wb = w[0]! * b[0]! + w[1]! * b[1]!, ab = a[0]! * b[0]! + a[1]! * b[1]!;
  o[0] = 2 * (a[0]! * wb + b[0]! * wa + w[0]! * ab);
  o[1] = 2 * (a[1]! * wb + b[1]! * wa + w[1]! * ab) - 0.2 * Math.cos(w[1]!) * a[1]! * b[1]!;
}
const L1terms: VectorField[] = (() => {
  const g = new Float64Array(2), hg = new Float64Array(2), hhg = new Float64Array(2), hhhg = new Float64Array(2);
  const tgg = new Float64Array(2), tghg = new Float64Array(2), htgg = new Float64Array(2);
  return [
    (w, o) => { gL1(w, g); o[0] = -g[0]!; o[1] = -g[1]!; },
    (w, o) => { gL1(w, g); hL1(w, g, hg); o[0] = -0.5 * hg[0]!; o[1] = -0.5 * hg[1]!; },
    (w, o) => {
      gL1(w, g); hL1(w, g, hg); hL1(w, hg, hhg); tL1(w, g, g, tgg);
      for (let i = 0; i < 2; i++) o[i] = -tgg[i]! / 12 - hhg[i]! / 3;
    },
    (w, o) => {
      gL1(w, g); hL1(w, g, hg); hL1(w, hg, hhg); hL1(w, hhg, hhhg); tL1(w, g, g, tgg); tL1(w, g, hg, tghg); hL1(w, tgg, htgg);
      for (let i = 0; i < 2; i++) o[i] = -tghg[i]! / 12 - htgg[i]! / 12 - hhhg[i]! / 4;
    },
  ];
})();

describe('validateSweep: GD against GF and EoM_1..3 (slopes 1, 2, 3, 4)', () => {
  it('quadratic L = ½θᵀAθ in 3-D with the closed-form terms f_k = −A^k θ/k', () => {
    const r = validateSweep({ method: { kind: 'gd', grad: matvec }, theta0: [1, -0.5, 0.8], T: 1, terms: [1, 2, 3, 4].map(quadTerm) });
    expect(r.names).toEqual(['GF', 'EoM_1', 'EoM_2', 'EoM_3']);
    expectSlopes(r, [1, 2, 3, 4]);
  });
  it('1-D quartic L = θ⁴/4 (f_1..f_4 from the 1-D formulas)', () => {
    const r = validateSweep({ method: { kind: 'gd', grad: (y, o) => { o[0] = y[0]! ** 3; } }, theta0: [1], T: 1, terms: quartic });
    expectSlopes(r, [1, 2, 3, 4]);
  });
  it('1-D pendulum L = −cos θ', () => {
    const r = validateSweep({ method: { kind: 'gd', grad: (y, o) => { o[0] = Math.sin(y[0]!); } }, theta0: [2], T: 2, terms: pendulum });
    expectSlopes(r, [1, 2, 3, 4]);
  });
  it('2-D non-quadratic L₁ of bench P4 (g, H, ∇³L by hand), and with an observable ‖θ‖²', () => {
    const r = validateSweep({ method: { kind: 'gd', grad: gL1 }, theta0: [1.3, -0.4], T: 1, terms: L1terms });
    expectSlopes(r, [1, 2, 3, 4]);
    const ro = validateSweep({ method: { kind: 'gd', grad: gL1 }, theta0: [1.3, -0.4], T: 1, terms: L1terms, observable: (w) => w[0]! ** 2 + w[1]! ** 2 });
    expect(ro.observable).toBe(true);
    expectSlopes(ro, [1, 2, 3, 4]);
  });
  it('a wrong counter term is caught (f_3 with the wrong coefficient gives slope 3, not 4)', () => {
    const wrong = [...quartic];
    wrong[2] = (y, o) => { o[0] = -3 * y[0]! ** 7; }; // correct is −7/2 θ⁷
    const r = validateSweep({ method: { kind: 'gd', grad: (y, o) => { o[0] = y[0]! ** 3; } }, theta0: [1], T: 1, terms: wrong });
    expect(r.pass.slice(0, 2)).toEqual([true, true]);
    expect(r.pass[2]).toBe(false); // EoM_2 with the wrong f_3 stays at slope 2
    expect(Math.abs(r.fittedSlope[2]! - 2)).toBeLessThan(0.15);
  });
});

describe('validateSweep: heavy ball with its modified equation', () => {
  const beta = 0.6;
  it('quartic: F_0 = −g/(1−β), F_1 = −(1+β)/(2(1−β)³) Hg give slopes 1, 2 from the slow manifold', () => {
    const terms: VectorField[] = [
      (y, o) => { o[0] = -(y[0]! ** 3) / (1 - beta); },
      (y, o) => { o[0] = (-(1 + beta) / (2 * (1 - beta) ** 3)) * 3 * y[0]! ** 5; },
    ];
    const grad = (y: V, o: V): void => { o[0] = y[0]! ** 3; };
    const r = validateSweep({ method: { kind: 'heavy-ball', grad, beta }, theta0: [1], T: 1, terms });
    expect(r.names).toEqual(['MF_0', 'MF_1']);
    expectSlopes(r, [1, 2]);
    // from a zero-velocity start the iterates keep an O(η) offset: MF_1 no longer shows slope 2 (eom.md)
    const z = validateSweep({ method: { kind: 'heavy-ball', grad, beta }, theta0: [1], T: 1, terms, slowManifoldStart: false });
    expect(z.pass[1]).toBe(false);
    expect(Math.abs(z.fittedSlope[1]! - 1)).toBeLessThan(0.15);
    expect(z.notes.join('\n')).toMatch(/zero velocity/);
  });
  it('2-D L₁ and 3-D quadratic: slopes 1, 2', () => {
    const b = 0.5;
    const hb = (grad: (w: V, o: V) => void, hess: (w: V, a: V, o: V) => void, n: number): VectorField[] => {
      const g = new Float64Array(n), hg = new Float64Array(n);
      return [
        (w, o) => { grad(w, g); for (let i = 0; i < n; i++) o[i] = -g[i]! / (1 - b); },
        (w, o) => { grad(w, g); hess(w, g, hg); for (let i = 0; i < n; i++) o[i] = (-(1 + b) / (2 * (1 - b) ** 3)) * hg[i]!; },
      ];
    };
    const r1 = validateSweep({ method: { kind: 'heavy-ball', grad: gL1, beta: b }, theta0: [1.3, -0.4], T: 1, terms: hb(gL1, hL1, 2) });
    expectSlopes(r1, [1, 2]);
    const r2 = validateSweep({ method: { kind: 'heavy-ball', grad: matvec, beta: b }, theta0: [1, -0.5, 0.8], T: 1, terms: hb(matvec, (_w, a, o) => matvec(a, o), 3) });
    expectSlopes(r2, [1, 2]);
  });
});

describe('validateSweep: floor, notes, input checks', () => {
  it('says when the errors sit at the float64 floor and no slope can be fitted', () => {
    const r = validateSweep({ method: { kind: 'gd', grad: (y, o) => { o[0] = y[0]! ** 3; } }, theta0: [1], T: 1, terms: quartic, etas: [1 / 4096, 1 / 8192, 1 / 16384] });
    // EoM_3 errors ~1e-15 here: below the floor
    expect(r.fittedSlope[3]).toBeNull();
    expect(r.pass[3]).toBe(false);
    expect(r.notes.some((n) => n.startsWith('EoM_3') && /floor/.test(n))).toBe(true);
    expect(r.pass[0]).toBe(true);
  });
  it('says when the fit is not in the asymptotic regime', () => {
    // η up to 0.5 on the quartic: local slopes drift; with a 3-point grid no window is stable
    const r = validateSweep({ method: { kind: 'gd', grad: (y, o) => { o[0] = y[0]! ** 3; } }, theta0: [1], T: 1, terms: quartic.slice(0, 2), etas: [0.5, 0.25, 0.125], window: 3, slopeStability: 0.01 });
    expect(r.asymptotic.some((a) => !a)).toBe(true);
    expect(r.notes.join('\n')).toMatch(/pre-asymptotic/);
  });
  it('rejects bad input', () => {
    const grad = (y: V, o: V): void => { o[0] = y[0]!; };
    const base = { method: { kind: 'gd' as const, grad }, theta0: [1], terms: [(y: V, o: V) => { o[0] = -y[0]!; }] };
    expect(() => validateSweep({ ...base, T: 0 })).toThrow(/T must be finite and > 0/);
    expect(() => validateSweep({ ...base, etas: [0.1, Number.NaN] })).toThrow(/eta must be finite/);
    expect(() => validateSweep({ ...base, etas: [0.3, 0.1] })).toThrow(/does not divide/);
    expect(() => validateSweep({ ...base, etas: [0.5, -0.25] })).toThrow(/eta/);
    expect(() => validateSweep({ ...base, theta0: [Number.POSITIVE_INFINITY] })).toThrow(/not finite/);
    expect(() => validateSweep({ ...base, method: { kind: 'heavy-ball', grad, beta: 1.2 } })).toThrow(/beta/);
    expect(() => validateSweep({ method: base.method, theta0: [1] })).toThrow(/flows/);
  });
  it('runValidation (progress bar only on a TTY) returns the same table and reports progress', async () => {
    const opts = { method: { kind: 'gd' as const, grad: (y: V, o: V) => { o[0] = y[0]! ** 3; } }, theta0: [1], terms: quartic.slice(0, 2) };
    const seen: number[] = [];
    const a = await runValidation({ ...opts, progress: false, onProgress: (d) => seen.push(d) });
    const b = validateSweep(opts);
    expect(a.errors).toEqual(b.errors);
    expect(seen).toEqual(b.eta.map((_, j) => j + 1));
  });
  it('helpers: log–log slope fit and curvature estimate', () => {
    expect(fitLogLogSlope([1, 2, 4], [3, 12, 48])).toBeCloseTo(2, 12);
    expect(() => fitLogLogSlope([1, 2], [0, 1])).toThrow(/positive/);
    expect(estimateCurvature(matvec, Float64Array.from([0.3, 0.1, -0.2]))).toBeCloseTo(2.216121, 4);
  });
});
