/**
 * End-to-end validation of derivations (docs/theory/eom.md, "Discretization error"): derive the counter
 * terms, compile them with codegen, run GD (heavy ball from the slow manifold), integrate GF and the truncated
 * EoM with DOP853 over an automatic η grid, and fit the global-error slopes: GF, EoM_1, EoM_2, EoM_3 must give
 * 1, 2, 3, 4 (±0.15); heavy ball's modified equation MF_0 … MF_3 the same. The scale-invariant loss of bench
 * P4 is measured in ‖θ‖², chosen automatically.
 */
import { InputError } from '../../../src/errors.ts';
import { describe, expect, it } from 'vitest';
import { type Loss, loss, quadraticLoss } from '../../../src/symbolic/index.ts';
import {
  type DerivationValidation,
  compileSeries,
  derivationValidationJson,
  formatDerivationValidation,
  initialPoint,
  validateDerivation,
} from '../../../src/theory/eom/verify.ts';
import { counterTerms } from '../../../src/theory/eom/index.ts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { CATALOGUE_DIR, lossOf, readSpec } from '../../../derivations/lib.ts';

interface Case {
  name: string;
  L: Loss;
  from: Record<string, number>;
  beta: number;
}

const L1 = loss('(w1^2 + w2^2 - 1)^2/4 + 3/10*w1*w2 + w1/10 + sin(w2)/5', { params: ['w1', 'w2'] });
const L2 = loss('(w1^2 - 2*w1*w2 + 3*w2^2)/(w1^2 + w2^2) + w1^3/(w1^2 + w2^2)^(3/2)', { params: ['w1', 'w2'] });
const cases: Case[] = [
  { name: 'quadratic ½θᵀAθ, A = [[2, ½], [½, 1]]', L: quadraticLoss([[2, 0.5], [0.5, 1]]), from: { w1: 1, w2: -1 }, beta: 0.5 },
  { name: 'P4 L₁ = (w1² + w2² − 1)²/4 + 3/10 w1w2 + w1/10 + sin(w2)/5', L: L1, from: { w1: 1.3, w2: -0.4 }, beta: 0.6 },
  { name: '½(w1w2 − 1)²', L: loss('(w1*w2 - 1)^2/2', { params: ['w1', 'w2'] }), from: { w1: 0.3, w2: 1.5 }, beta: 0.5 },
  {
    name: 'logistic regression (3 points, 2 weights)',
    L: loss('log(1 + exp(-(w1 + 2*w2))) + log(1 + exp(-(-w1 + w2/2))) + log(1 + exp(w1/2 - w2))', { params: ['w1', 'w2'] }),
    from: { w1: 0.4, w2: -0.7 },
    beta: 0.5,
  },
];

function expectSlopes(r: DerivationValidation, names: string[]): void {
  const table = formatDerivationValidation(r);
  expect(r.names, table).toEqual(names);
  expect(r.expectedSlope).toEqual(names.map((_, k) => k + 1));
  for (let k = 0; k < names.length; k++) {
    expect(r.fittedSlope[k], table).not.toBeNull();
    expect(Math.abs(r.fittedSlope[k]! - (k + 1)), `${names[k]}\n${table}`).toBeLessThanOrEqual(0.15);
    expect(r.asymptotic[k], table).toBe(true);
  }
  expect(r.pass.every(Boolean), table).toBe(true);
  expect(r.allPass).toBe(true);
}

describe('validateDerivation: GD against GF and EoM_1..EoM_3', () => {
  for (const c of cases) {
    it(c.name, async () => {
      const r = await validateDerivation(c.L, { order: 3, from: c.from });
      expectSlopes(r, ['GF', 'EoM_1', 'EoM_2', 'EoM_3']);
      expect(r.method).toBe('gd');
      expect(r.observableName).toBe('state');
      expect(r.invariances).toEqual({ scale: [], translation: [] });
    });
  }
});

describe('validateDerivation: heavy ball from the slow manifold against MF_0..MF_3', () => {
  for (const c of cases) {
    it(`${c.name}, β = ${c.beta}`, async () => {
      const r = await validateDerivation(c.L, { order: 3, from: c.from, momentum: c.beta });
      expectSlopes(r, ['MF_0', 'MF_1', 'MF_2', 'MF_3']);
      expect(r.method).toBe('heavy-ball');
      expect(r.beta).toBe(c.beta);
    });
  }
  it('order K validates K + 1 terms: slopes 1, 2 for K = 1', async () => {
    const r = await validateDerivation(cases[2]!.L, { order: 1, from: cases[2]!.from, momentum: 0.6 });
    expectSlopes(r, ['MF_0', 'MF_1']);
  });
});

/**
 * Entries of the derivation catalogue (derivations/<name>/spec.json), loaded from their specs: one quadratic
 * (least squares), three non-quadratic, one scale invariant (measured in ‖θ‖², chosen automatically).
 * The P4 losses are not catalogue entries (yet); they are typed above.
 */
const catalogue: Array<{ entry: string; from: number[]; beta: number; observable: string }> = [
  { entry: 'linreg-2d', from: [1.5, -1], beta: 0.5, observable: 'state' },
  { entry: 'quartic', from: [0.3, 1.5], beta: 0.6, observable: 'state' },
  { entry: 'logistic-2pt', from: [0.5, -1.2], beta: 0.5, observable: 'state' },
  { entry: 'weightnorm-unit', from: [1, 0.5], beta: 0.5, observable: '‖θ‖²' },
];
describe('catalogue entries (derivations/): GD and heavy ball', () => {
  for (const c of catalogue) {
    const dir = join(CATALOGUE_DIR, c.entry);
    it.skipIf(!existsSync(join(dir, 'spec.json')))(`${c.entry}: GF, EoM_1..EoM_3 and MF_0..MF_3 give slopes 1..4`, async () => {
      const L = lossOf(readSpec(dir));
      const gdr = await validateDerivation(L, { order: 3, from: c.from });
      expectSlopes(gdr, ['GF', 'EoM_1', 'EoM_2', 'EoM_3']);
      expect(gdr.observableName).toBe(c.observable);
      const hb = await validateDerivation(L, { order: 3, from: c.from, momentum: c.beta });
      expectSlopes(hb, ['MF_0', 'MF_1', 'MF_2', 'MF_3']);
    });
  }
});

describe('scale-invariant loss (bench P4 L₂)', () => {
  it('defaults to the observable ‖θ‖² and says so; slopes 1..4', async () => {
    const r = await validateDerivation(L2, { order: 3, from: [0.8, 0.5] });
    expectSlopes(r, ['GF', 'EoM_1', 'EoM_2', 'EoM_3']);
    expect(r.observableName).toBe('‖θ‖²');
    expect(r.observable).toBe(true);
    expect(r.invariances!.scale).toEqual([['w1', 'w2']]);
    expect(r.notes.join('\n')).toMatch(/scale invariant.*‖θ‖²/);
  });
  it('heavy ball on L₂ in ‖θ‖²: slopes 1..4', async () => {
    const r = await validateDerivation(L2, { order: 3, from: [0.8, 0.5], momentum: 0.5 });
    expectSlopes(r, ['MF_0', 'MF_1', 'MF_2', 'MF_3']);
    expect(r.observableName).toBe('‖θ‖²');
  });
  it('observable "state" forces the state error (no invariance detection)', async () => {
    const r = await validateDerivation(L2, { order: 1, from: [0.8, 0.5], observable: 'state' });
    expect(r.observableName).toBe('state');
    expect(r.observable).toBe(false);
    expect(r.invariances).toBeUndefined();
    expectSlopes(r, ['GF', 'EoM_1']);
  });
});

describe('P4 protocol: fixed η ∈ {0.04, 0.02, 0.01, 0.005}, T = 1', () => {
  it('L₁: slopes 1, 2, 3, 4 on the fixed grid', async () => {
    const r = await validateDerivation(L1, { order: 3, from: [1.3, -0.4], etas: [0.04, 0.02, 0.01, 0.005] });
    expect(r.eta).toEqual([0.04, 0.02, 0.01, 0.005]);
    expect(r.steps).toEqual([25, 50, 100, 200]);
    r.fittedSlope.forEach((s, k) => expect(Math.abs(s! - (k + 1)), formatDerivationValidation(r)).toBeLessThan(0.15));
  });
  it('L₂ in ‖θ‖²: slopes 1, 2, 3, 4 on the fixed grid', async () => {
    const r = await validateDerivation(L2, { order: 3, from: [0.8, 0.5], etas: [0.04, 0.02, 0.01, 0.005] });
    r.fittedSlope.forEach((s, k) => expect(Math.abs(s! - (k + 1)), formatDerivationValidation(r)).toBeLessThan(0.15));
  });
});

describe('API details', () => {
  it('compileSeries: the compiled terms equal the symbolic ones; field(j) is the Horner sum', () => {
    const s = counterTerms(L1, 3);
    const cs = compileSeries(L1, s.f);
    const theta = Float64Array.of(0.7, -0.2);
    const vals = s.valuesAt({ w1: 0.7, w2: -0.2 });
    const out = new Float64Array(2);
    for (let k = 0; k < 3; k++) {
      cs.terms[k]!(theta, out);
      for (let i = 0; i < 2; i++) expect(out[i]).toBeCloseTo(vals[k]![i]!, 12);
    }
    cs.grad(theta, out);
    for (let i = 0; i < 2; i++) expect(out[i]).toBeCloseTo(-vals[0]![i]!, 12);
    const eta = 0.03;
    cs.field(2)(theta, eta, out);
    for (let i = 0; i < 2; i++) expect(out[i]).toBeCloseTo(vals[0]![i]! + eta * vals[1]![i]! + eta * eta * vals[2]![i]!, 12);
    expect(() => cs.field(3)).toThrow(InputError);
  });

  it('symbolic hyper-parameters of the loss take values from `symbols`', async () => {
    const L = loss('(w1*w2 - c)^2/2', { params: ['w1', 'w2'], symbols: ['c'] });
    const r = await validateDerivation(L, { order: 1, from: [0.3, 1.5], symbols: { c: 1 } });
    expectSlopes(r, ['GF', 'EoM_1']);
    await expect(validateDerivation(L, { order: 1, from: [0.3, 1.5] })).rejects.toThrow(/symbol 'c'/);
  });

  it('initial points by name or by position; bad ones are RangeErrors', () => {
    expect([...initialPoint(L1, { w2: 2, w1: 1 })]).toEqual([1, 2]);
    expect([...initialPoint(L1, Float64Array.of(1, 2))]).toEqual([1, 2]);
    expect(() => initialPoint(L1, [1])).toThrow(InputError);
    expect(() => initialPoint(L1, { w1: 1 })).toThrow(/no value for w2/);
    expect(() => initialPoint(L1, { w1: 1, w2: 2, w3: 0 })).toThrow(/'w3'.*not a parameter/);
    expect(() => initialPoint(L1, { w1: 1, w2: Number.NaN })).toThrow(/not finite/);
  });

  it('rejects a bad order, β or T', async () => {
    await expect(validateDerivation(L1, { order: 1.5, from: [1, 0] })).rejects.toThrow(InputError);
    await expect(validateDerivation(L1, { order: 1, from: [1, 0], momentum: 1 })).rejects.toThrow(/β/);
    await expect(validateDerivation(L1, { order: 1, from: [1, 0], T: 0 })).rejects.toThrow(/T/);
  });

  it('retries on a denser grid when the first automatic grid does not confirm every order (L₁, EoM_1..EoM_6)', async () => {
    const r = await validateDerivation(L1, { order: 6, from: [1.3, -0.4] });
    expect(r.notes.join('\n'), formatDerivationValidation(r)).toMatch(/denser retry \(ratio √2/);
    expect(r.fittedSlope.map((s) => Math.round(s!)), formatDerivationValidation(r)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(r.allPass, formatDerivationValidation(r)).toBe(true);
    // explicit grids are never changed
    const fixed = await validateDerivation(L1, { order: 1, from: [1.3, -0.4], etas: [0.04, 0.02] });
    expect(fixed.eta).toEqual([0.04, 0.02]);
  });

  it('says when there is nothing to measure (linear loss: GD is exact): not confirmed, and not a failure of the theory', async () => {
    const r = await validateDerivation(loss('w1 + 2*w2', { params: ['w1', 'w2'] }), { order: 1, from: [1, 0] });
    expect(r.allPass).toBe(false);
    expect(r.verdict).toBe('not-measurable');
    expect(r.fittedSlope).toEqual([null, null]);
    expect(r.notes.join('\n')).toMatch(/agree to round-off at every η/);
    expect(formatDerivationValidation(r)).toMatch(/NOT MEASURABLE: GF, EoM_1/);
    expect(formatDerivationValidation(r)).not.toMatch(/FAILED/);
  });

  it('JSON form: plain data, one entry per flow; onProgress is called per η', async () => {
    const seen: number[] = [];
    const r = await validateDerivation(cases[2]!.L, { order: 2, from: cases[2]!.from, onProgress: (d) => seen.push(d) });
    expect(seen).toEqual(r.eta.map((_, j) => j + 1));
    const j = JSON.parse(JSON.stringify(derivationValidationJson(r)));
    expect(j.flows.map((f: { name: string }) => f.name)).toEqual(['GF', 'EoM_1', 'EoM_2']);
    expect(j.flows[2].expectedSlope).toBe(3);
    expect(j.pass).toBe(true);
    expect(j.from).toEqual({ w1: 0.3, w2: 1.5 });
    expect(j.timings.total).toBeGreaterThan(0);
  });
});
