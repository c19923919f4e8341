import { describe, it, expect } from 'vitest';
import katex from 'katex';
import { type Expr, loss, expand, evaluate, exp, neg, sub, mul, add, div, num, pow, sum, Rational, parseExpr, sym, logisticRegressionLoss } from '../../../src/symbolic/index.ts';
import { lyapunovKron, phaseSpaceOU } from '../../../src/numeric/lyapunov.ts';
import {
  type LangevinModel,
  type NoiseSpec,
  type SgdHyper,
  langevinModel,
  checkStationary,
  gibbsDensity,
  fokkerPlanckResidual,
  fokkerPlanckOperator,
  localGaussian,
} from '../../../src/theory/langevin/index.ts';
import { InputError } from '../../../src/errors.ts';

const strictKatex = (tex: string): string => katex.renderToString(tex, { throwOnError: true, strict: 'error' });

const QUARTIC = '(w1*w2 - 1)^2/2';
const SOFTPLUS = 'log(1 + exp(w1 - 2*w2)) + w1^4/4 + w2^2';
const p2 = { params: ['w1', 'w2'] };

function model(f: string, hyper: SgdHyper, noise: NoiseSpec): LangevinModel {
  return langevinModel(loss(f, p2), hyper, noise);
}

/** A phase-space point and hyper-parameter values by symbol name. */
function env(m: LangevinModel, x: readonly number[], extra: Record<string, number> = {}): Record<string, number> {
  const e: Record<string, number> = { ...extra };
  m.params.forEach((p, i) => (e[p.name] = x[i]!));
  m.velocity.forEach((v, i) => (e[v.name] = x[m.n + i]!));
  return e;
}

const POINTS = [
  [0.3, -0.7, 0.5, 1.1],
  [-1.2, 0.4, -0.8, 0.2],
  [0.9, 1.3, 1.5, -0.6],
];

describe('Gibbs density: stationary for isotropic constant noise on any loss', () => {
  const settings: [string, SgdHyper][] = [
    ['no momentum', { eta: 0.1, batchSize: 8 }],
    ['momentum 0.9, weight decay', { eta: 0.05, beta: 0.9, batchSize: 32, weightDecay: 0.01 }],
  ];
  for (const f of [QUARTIC, SOFTPLUS])
    for (const [name, hyper] of settings)
      it(`${f}, ${name}: FP[exp(−Ψ/T)] = 0, decided symbolically`, () => {
        const m = model(f, hyper, { kind: 'isotropic', variance: 2 });
        const r = checkStationary(m);
        expect(r.stationary).toBe(true);
        expect(r.decision.route).toBe('symbolic');
        expect(r.local).toBeUndefined();
        // T = η c s/(2(1−β)) written out here by hand; Ψ = L + λ/2‖θ‖² + m/2‖v‖², m = η(1+β)/2
        const eta = hyper.eta as number, beta = (hyper.beta as number | undefined) ?? 0, S = hyper.batchSize as number, lam = (hyper.weightDecay as number | undefined) ?? 0;
        const T = (eta * 2) / (S * 2 * (1 - beta));
        expect(evaluate(r.gibbs!.temperature, {})).toBeCloseTo(T, 15);
        // the operator applied directly to p (no division by p) vanishes at float points, relative to its terms
        const p = r.gibbs!.density;
        const direct = fokkerPlanckOperator(m, p);
        for (const x of POINTS) {
          const e = env(m, x);
          const L = evaluate(loss(f, p2).expr, e);
          const psi = L + (lam / 2) * (x[0]! ** 2 + x[1]! ** 2) + ((eta * (1 + beta)) / 4) * (x[2]! ** 2 + x[3]! ** 2);
          expect(evaluate(p, e)).toBeCloseTo(Math.exp(-psi / T), 12);
          expect(Math.abs(evaluate(direct, e))).toBeLessThan(1e-9 * Math.exp(-psi / T) * (1 / T + 1));
        }
        const tex = r.gibbs!.latex();
        expect(() => strictKatex(tex.density)).not.toThrow();
        expect(() => strictKatex(tex.psi)).not.toThrow();
        expect(() => strictKatex(tex.temperature)).not.toThrow();
      });

  it('symbolic hyper-parameters (η, β, S, λ, s): stationary, decided exactly in (θ, v) at random rational hyper-parameters', () => {
    const m = model(SOFTPLUS, { eta: 'eta', beta: 'beta', batchSize: 'S', weightDecay: 'lam' }, { kind: 'isotropic', variance: 's' });
    const r = checkStationary(m);
    expect(r.stationary).toBe(true);
    expect(['symbolic', 'symbolic-in-state']).toContain(r.decision.route);
    expect(r.decision.statement).toMatch(/expands to 0/);
    // T = η s/(2 S (1−β)) exactly (a second form, written here)
    const T = div(mul(sym('eta'), sym('s')), mul(num(2), sym('S'), sub(num(1), sym('beta'))));
    const vals = { eta: 0.07, s: 1.3, S: 16, beta: 0.6, lam: 0.02 };
    expect(evaluate(r.gibbs!.temperature, vals)).toBeCloseTo(evaluate(T, vals), 14);
    expect(() => strictKatex(r.gibbs!.latex().density)).not.toThrow();
    // the same route rejects the temperature without the factor 1/(1−β) (the β = 0 value)
    const wrong = checkStationary(m, { candidate: { psi: r.gibbs!.psi, temperature: mul(T, sub(num(1), sym('beta'))) }, localGaussian: false });
    expect(wrong.stationary).toBe(false);
    expect(wrong.residualText).toBeDefined();
  });

  it('sampling without replacement: the temperature carries (N−S)/(S(N−1))', () => {
    const m = model(QUARTIC, { eta: 0.1, batchSize: 4, nData: 10, sampling: 'without-replacement' }, { kind: 'isotropic', variance: 1 });
    const g = gibbsDensity(m);
    expect(g.temperature).toBe(num(Rational.of(1, 10).mul(Rational.of(6, 36)).div(Rational.TWO)));
    expect(checkStationary(m).stationary).toBe(true);
  });
});

describe('not stationary: anisotropic noise on a non-quadratic loss, and Σ ∝ H(θ)', () => {
  it('Σ = diag(2, 1) on the softplus loss: a non-zero residual with a witness, and the local Gaussian', () => {
    const m = model(SOFTPLUS, { eta: 0.1, beta: 0.5, batchSize: 8 }, { kind: 'matrix', sigma: [[2, 0], [0, 1]] });
    const r = checkStationary(m);
    expect(r.stationary).toBe(false);
    expect(r.decision.witness).toBeDefined();
    expect(Math.abs(r.decision.witness!.value)).toBeGreaterThan(1e-6);
    expect(r.residualText).toMatch(/v_w1/);
    // the witness value is the operator applied directly, divided by p, at that point
    // witness keys print velocities as v_<param>; map them back to the model's symbols
    const internal = (k: string): string => (k.startsWith('v_') ? m.velocity[m.params.findIndex((p) => `v_${p.name}` === k)]!.name : k);
    const pt = Object.fromEntries(Object.entries(r.decision.witness!.point).map(([k, v]) => [internal(k), evaluate(parseExpr(v, { resolve: () => { throw 'no symbols'; } }), {})]));
    expect(Object.keys(pt)).toContain(m.velocity[0]!.name);
    const p = exp(neg(fokkerPlanckResidual(m).exponent));
    const direct = evaluate(fokkerPlanckOperator(m, p), pt) / evaluate(p, pt);
    expect(direct).toBeCloseTo(r.decision.witness!.value, 8);
    expect(r.local).toBeDefined();
    expect(r.summary()).toMatch(/stationary: no/);
  });

  it('Σ = σ²H(θ) on a non-quadratic loss: not stationary, decided by exact rational evaluation', () => {
    const m = model('w1^4/4 + w1^2/2 + w2^2', { eta: 0.1, beta: 0.5, batchSize: 8 }, { kind: 'hessian', scale: 1 });
    const r = checkStationary(m);
    expect(r.stationary).toBe(false);
    expect(r.decision.route).toBe('exact-rational');
    expect(r.decision.statement).toMatch(/exact non-zero value/);
    // minimum at 0, H = Σ = diag(1, 2) there: the commuting closed form C_θθ = ηcΣH⁻¹/(2(1−β)) = 0.0125 I, C_vv = cΣ/(1−β²)
    const g = r.local!;
    expect(g.thetaTheta[0]).toBeCloseTo(0.1 / 8 / (2 * 0.5), 12);
    expect(g.thetaTheta[3]).toBeCloseTo(0.1 / 8 / (2 * 0.5), 12);
    expect(g.velocityVelocity[0]).toBeCloseTo(1 / (8 * 0.75), 12);
    expect(g.velocityVelocity[3]).toBeCloseTo(2 / (8 * 0.75), 12);
  });

  it('symbolic hyper-parameters, anisotropic noise: not stationary; the local Gaussian is skipped until values are given', () => {
    const m = model(QUARTIC, { eta: 'eta', beta: 'beta', batchSize: 'S' }, { kind: 'matrix', sigma: [[2, 0], [0, 1]] });
    const r = checkStationary(m);
    expect(r.stationary).toBe(false);
    expect(r.local).toBeUndefined();
    expect(r.localSkipped).toMatch(/'eta'/);
    expect(r.summary()).toMatch(/needs numeric values/);
    // the quartic alone has no isolated minimum (a valley w1 w2 = 1): with weight decay and values it does
    const m2 = model(QUARTIC, { eta: 'eta', beta: 'beta', batchSize: 'S', weightDecay: 0.1 }, { kind: 'matrix', sigma: [[2, 0], [0, 1]] });
    const r2 = checkStationary(m2, { symbols: { eta: 0.1, beta: 0.5, S: 8 } });
    expect(r2.stationary).toBe(false);
    expect(r2.local!.theta[0]! * r2.local!.theta[1]!).toBeCloseTo(0.9, 12); // w1 = w2, w1² − 1 + λ = 0
  });

  it('logistic regression with Σ = H(θ): not stationary (float64 route, stated), local Gaussian at its minimum', () => {
    const L = logisticRegressionLoss([[1, 0.5], [-0.3, 2], [0.7, -1], [1.5, 0.2]], [1, 0, 1, 1]);
    const m = langevinModel(L, { eta: 0.05, beta: 0.9, batchSize: 4, weightDecay: 0.01 }, { kind: 'hessian', scale: 1 });
    const r = checkStationary(m);
    expect(r.stationary).toBe(false);
    expect(r.decision.route).toBe('float64');
    expect(r.decision.statement).toMatch(/tolerance/);
    const g = r.local!;
    expect(g.gradientNorm).toBeLessThan(1e-12);
    // Σ = H at θ*: A C + C Aᵀ = 2D with the hand-built A, D (Kronecker solve)
    const H = [[g.H[0]!, g.H[1]!], [g.H[2]!, g.H[3]!]];
    const { A, D } = phaseSpaceOU(H, H, { eta: 0.05, beta: 0.9, batchSize: 4, weightDecay: 0.01 });
    const C = lyapunovKron(A, D);
    for (let i = 0; i < 16; i++) expect(g.C[i]).toBeCloseTo(C[i]!, 11);
    // commuting (Σ = H): C_θθ = ηΣ(H+λ)⁻¹/(2S(1−β)), a second closed form
    const lam = 0.01, k = 0.05 / (2 * 4 * 0.1);
    const det = (H[0]![0]! + lam) * (H[1]![1]! + lam) - H[0]![1]! ** 2;
    const inv = [[(H[1]![1]! + lam) / det, -H[0]![1]! / det], [-H[1]![0]! / det, (H[0]![0]! + lam) / det]];
    for (let i = 0; i < 2; i++)
      for (let j = 0; j < 2; j++) {
        const want = k * (H[i]![0]! * inv[0]![j]! + H[i]![1]! * inv[1]![j]!);
        expect(g.thetaTheta[i * 2 + j]).toBeCloseTo(want, 11);
      }
  });

  it('isotropic but θ-dependent noise Σ = (1 + w1²) I: the Gibbs form with T(θ) is not stationary', () => {
    const m = model(QUARTIC, { eta: 0.1, beta: 0.5, batchSize: 8, weightDecay: 0.1 }, { kind: 'matrix', sigma: [['1 + w1^2', 0], [0, '1 + w1^2']] });
    const g = gibbsDensity(m);
    expect(g.isotropic).toBe(true);
    expect(g.constantNoise).toBe(false);
    const r = checkStationary(m);
    expect(r.stationary).toBe(false);
    expect(r.decision.route).toBe('exact-rational');
    expect(r.local!.gradientNorm).toBeLessThan(1e-10);
  });

  it('not vacuous: a wrong temperature or a wrong mass is reported not stationary', () => {
    for (const f of [QUARTIC, SOFTPLUS]) {
      const m = model(f, { eta: 0.1, beta: 0.6, batchSize: 8 }, { kind: 'isotropic', variance: 1 });
      const g = gibbsDensity(m);
      expect(checkStationary(m, { candidate: g }).stationary).toBe(true);
      const hot = checkStationary(m, { candidate: { psi: g.psi, temperature: mul(num(Rational.of(11, 10)), g.temperature) }, localGaussian: false });
      expect(hot.stationary).toBe(false);
      // the mass without the (1+β) of the finite step: m' = η/2
      const V = loss(f, p2).expr;
      const wrongMass = add(V, mul(num(Rational.of(1, 40)), sum(m.velocity.map((v) => pow(v, 2)))));
      const heavy = checkStationary(m, { candidate: { psi: wrongMass, temperature: g.temperature }, localGaussian: false });
      expect(heavy.stationary).toBe(false);
      expect(heavy.residual).not.toBe(num(0));
    }
  });

  it('the exact Gaussian of a quadratic with anisotropic commuting noise is stationary (the closed form C_θθ = ηcΣ(H+λ)⁻¹/(2(1−β)), C_vv = cΣ/(1−β²))', () => {
    // H = diag(1, 3), Σ = diag(2, 1), λ = 1/10, β = 1/2, η = 1/10, S = 4: Gibbs with scalar T fails, the Gaussian with U = C⁻¹ holds
    const L = loss('(w1 - 1)^2/2 + 3*w2^2/2', p2);
    const hyper = { eta: 0.1, beta: 0.5, batchSize: 4, weightDecay: 0.1 };
    const m = langevinModel(L, hyper, { kind: 'matrix', sigma: [[2, 0], [0, 1]] });
    expect(checkStationary(m, { localGaussian: false }).stationary).toBe(false);
    const c = Rational.of(1, 4), eta = Rational.of(1, 10), beta = Rational.of(1, 2), lam = Rational.of(1, 10);
    const h = [Rational.ONE.add(lam), Rational.int(3).add(lam)];
    const s = [Rational.TWO, Rational.ONE];
    const mu = [Rational.ONE.div(h[0]!), Rational.ZERO]; // (H + λ)⁻¹ X y: minimum of L + λ/2‖θ‖²
    const Ctt = [0, 1].map((i) => eta.mul(c).mul(s[i]!).div(h[i]!).div(Rational.TWO.mul(Rational.ONE.sub(beta))));
    const Cvv = [0, 1].map((i) => c.mul(s[i]!).div(Rational.ONE.sub(beta.mul(beta))));
    const psi = sum([0, 1].flatMap((i) => [
      mul(num(Ctt[i]!.inv().mul(Rational.HALF)), pow(sub(m.params[i]!, num(mu[i]!)), 2)),
      mul(num(Cvv[i]!.inv().mul(Rational.HALF)), pow(m.velocity[i]!, 2)),
    ]));
    const r = checkStationary(m, { candidate: { psi, temperature: num(1) } });
    expect(r.stationary).toBe(true);
    expect(r.decision.route).toBe('symbolic');
    // and the local Gaussian is that distribution
    const g = localGaussian(m);
    expect(g.theta[0]).toBeCloseTo(mu[0]!.toNumber(), 12);
    for (let i = 0; i < 2; i++) {
      expect(g.thetaTheta[i * 3]).toBeCloseTo(Ctt[i]!.toNumber(), 13);
      expect(g.velocityVelocity[i * 3]).toBeCloseTo(Cvv[i]!.toNumber(), 13);
      expect(Math.abs(g.thetaVelocity[i * 3]!)).toBeLessThan(1e-13);
    }
  });
});

describe('local Gaussian at a minimum', () => {
  // L = (w1 w2 − 1)²/2 + (w1² + w2²)/10: minimum at w1 = w2 = a, a² = 4/5, where H = [[1, 3/5], [3/5, 1]] (by hand)
  const F = '(w1*w2 - 1)^2/2 + (w1^2 + w2^2)/10';
  const a = Math.sqrt(0.8);
  const H = [[1, 0.6], [0.6, 1]];

  it('anisotropic Σ: agrees with the Kronecker Lyapunov solve of the hand-built phase-space A, D at θ*', () => {
    const Sigma = [[2, 0.5], [0.5, 1]];
    const hyper = { eta: 0.1, beta: 0.9, batchSize: 16, weightDecay: 0.01 };
    const m = model(F, hyper, { kind: 'matrix', sigma: Sigma });
    const g = localGaussian(m, { start: [1, 0.5] });
    // with weight decay the minimum of L + λ/2‖θ‖² moves: (a² − 1)a + a/5 + λa = 0
    const as = Math.sqrt(0.8 - 0.01);
    expect(g.theta[0]).toBeCloseTo(as, 12);
    expect(g.theta[1]).toBeCloseTo(as, 12);
    const Hs = [[as * as + 0.2, 2 * as * as - 1], [2 * as * as - 1, as * as + 0.2]];
    const { A, D } = phaseSpaceOU(Hs, Sigma, hyper);
    const C = lyapunovKron(A, D);
    for (let i = 0; i < 16; i++) expect(g.C[i]).toBeCloseTo(C[i]!, 11);
    expect(g.relResidual).toBeLessThan(1e-12);
    // θ–v block antisymmetric and tr C_vv = tr Σ/(S(1−β²)) (docs/theory/langevin.md)
    expect(g.thetaVelocity[1]! + g.thetaVelocity[2]!).toBeCloseTo(0, 12);
    expect(g.velocityVelocity[0]! + g.velocityVelocity[3]!).toBeCloseTo(3 / (16 * (1 - 0.81)), 10);
    expect(() => strictKatex(g.latex())).not.toThrow();
  });

  it('Σ = σ²I: C_θθ = ηcσ²H⁻¹/(2(1−β)) and C_vv = cσ²/(1−β²) at the minimum (the commuting closed form)', () => {
    const hyper = { eta: 0.05, beta: 0.5, batchSize: 8 };
    const m = model(F, hyper, { kind: 'isotropic', variance: 3 });
    const g = localGaussian(m);
    expect(g.theta[0]).toBeCloseTo(a, 12);
    const det = 1 - 0.36;
    const Hinv = [1 / det, -0.6 / det, -0.6 / det, 1 / det];
    const k = (0.05 * 3) / 8 / (2 * 0.5);
    for (let i = 0; i < 4; i++) expect(g.thetaTheta[i]).toBeCloseTo(k * Hinv[i]!, 12);
    expect(g.velocityVelocity[0]).toBeCloseTo(3 / 8 / 0.75, 12);
    expect(Math.abs(g.velocityVelocity[1]!)).toBeLessThan(1e-12);
    void H;
  });

  it('input errors: a saddle start, a loss without minimum, missing symbol values, zero noise', () => {
    const sad = model(QUARTIC, { eta: 0.1, batchSize: 8 }, { kind: 'isotropic', variance: 1 });
    expect(() => localGaussian(sad, { start: [0, 0] })).toThrow(InputError);
    expect(() => localGaussian(sad, { start: [0, 0] })).toThrow(/not positive definite/);
    const cubic = langevinModel(loss('w^3 + w', { params: ['w'] }), { eta: 0.1, batchSize: 8 }, { kind: 'isotropic', variance: 1 });
    expect(() => localGaussian(cubic, { start: [1] })).toThrow(/did not converge|no decrease/);
    const symbolic = model(F, { eta: 'eta', batchSize: 8 }, { kind: 'isotropic', variance: 1 });
    expect(() => localGaussian(symbolic)).toThrow(/'eta'/);
    expect(localGaussian(symbolic, { symbols: { eta: 0.1 } }).theta[0]).toBeCloseTo(a, 12);
    const quiet = model(F, { eta: 0.1, batchSize: 8 }, { kind: 'isotropic', variance: 0 });
    expect(() => gibbsDensity(quiet)).toThrow(/zero/);
    expect(() => checkStationary(sad, { candidate: { psi: sad.params[0]!, temperature: num(0) } })).toThrow(/temperature/);
    expect(() => checkStationary(sad, { candidate: { psi: sym('zz'), temperature: num(1) } })).toThrow(/'zz'/);
    expect(() => checkStationary(undefined as never)).toThrow(InputError);
    expect(() => localGaussian({} as never)).toThrow(/langevinModel/);
    expect(() => localGaussian(sad, { maxIterations: 0 })).toThrow(/maxIterations/);
    expect(() => localGaussian(sad, { start: [1] })).toThrow(/expected 2/);
    expect(() => localGaussian(sad, { start: [NaN, 1] })).toThrow(/finite/);
  });
});
