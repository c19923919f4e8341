import { describe, it, expect, beforeAll } from 'vitest';
import { loadTf, type Tf } from '../../../src/numeric/tfjs/backend.ts';
import { gdVersusFlows, weightNormGrowth, sgdStepSize, linePlotSpec, renderSvg } from '../../../src/theory/networks/experiments.ts';
import { heavyBallAtSteps, heavyBallFieldTf, flowAtSteps } from '../../../src/numeric/tfjs/autodiff.ts';
import { eomFieldTf } from '../../../src/theory/networks/counter-terms.ts';
import { blobsMlp } from '../../../src/theory/networks/experiments.ts';
import { mlpInit } from '../../../src/numeric/tfjs/networks.ts';
import { InputError } from '../../../src/errors.ts';

// Hang guards only (generous); no assertion on time.
const GUARD = 60_000;

describe('experiments in miniature (tfjs cpu, float32 fields, float64 integrators)', () => {
  let tf: Tf;
  beforeAll(async () => {
    tf = await loadTf('cpu');
  });

  it(
    'MLP 2-8-2 under GD: EoM1 beats GF by a factor that grows as η shrinks (∝ 1/η); the softmax shift sum is conserved by GD, GF, EoM1',
    () => {
      const r = gdVersusFlows(tf, { etas: [0.2, 0.1, 0.05], sizes: [2, 8, 2], examples: 16, time: 1, points: 2, orders: [0, 1] });
      const ratios = r.final.map((f) => f.gfOverEom1);
      expect(ratios[0]!).toBeGreaterThan(3);
      // each halving of η roughly doubles GF/EoM1 (GF error O(η), EoM1 error O(η²))
      for (let i = 1; i < ratios.length; i++) expect(ratios[i]! / ratios[i - 1]!).toBeGreaterThan(1.6);
      // GF's error halves with η: first order
      for (let i = 1; i < r.final.length; i++) expect(r.final[i - 1]!.gf / r.final[i]!.gf).toBeGreaterThan(1.8);
      // translation invariance of the softmax layer: 𝟙ᵀc conserved to float32 precision on every trajectory
      for (const d of r.conservedDrift) expect(d.drift).toBeLessThan(1e-6 * d.scale);
      expect(r.rows.length).toBe(3 * 2 * 3);
    },
    GUARD,
  );

  it(
    'weight-normalised layer: GD grows ‖W‖², GF keeps it to float32 precision, EoM1 follows GD within 10 %',
    () => {
      const r = weightNormGrowth(tf, { eta: 0.05, steps: 20, points: 2, hidden: 4, examples: 16, orders: [0, 1] });
      const gd = r.growth['GD']!.at(-1)!;
      const gf = r.growth['GF']!.at(-1)!;
      const eom1 = r.growth['EoM1']!.at(-1)!;
      expect(gd).toBeGreaterThan(1e-4 * r.initialNormSq);
      expect(Math.abs(gf)).toBeLessThan(1e-7 * r.initialNormSq * 20);
      expect(Math.abs(gf)).toBeLessThan(1e-3 * gd);
      expect(Math.abs(eom1 - gd) / gd).toBeLessThan(0.1);
      // and along the way
      r.growth['EoM1']!.forEach((g, i) => {
        if (i > 0) expect(Math.abs(g - r.growth['GD']![i]!) / r.growth['GD']![i]!).toBeLessThan(0.1);
      });
    },
    GUARD,
  );

  it(
    'heavy ball on the MLP: the modified flow F0 + ηF1 from the slow-manifold start is closer to the iterates than F0 alone',
    () => {
      const L = blobsMlp(tf, [2, 6, 2], 12, 3);
      const theta0 = mlpInit([2, 6, 2], 4);
      const eta = 0.05;
      const beta = 0.5;
      const steps = [0, 20];
      // slow-manifold start θ_{−1} = φ_{−η}(θ_0) of the first-order modified flow (docs/theory/eom.md, "Heavy-ball momentum")
      const hb1 = heavyBallFieldTf(L, eta, beta);
      const back = flowAtSteps((y, out) => {
        hb1(y, out);
        for (let i = 0; i < out.length; i++) out[i] = -out[i]!;
      }, theta0, eta, [1]);
      const iterates = heavyBallAtSteps(L, theta0, eta, beta, steps, back[0]!);
      const F0 = eomFieldTf(L, eta, 0); // −g; F₀ = −g/(1−β)
      const f0Flow = flowAtSteps((y, out) => {
        F0(y, out);
        for (let i = 0; i < out.length; i++) out[i] = out[i]! / (1 - beta);
      }, theta0, eta, steps);
      const f1Flow = flowAtSteps(hb1, theta0, eta, steps);
      const d = (a: Float64Array, b: Float64Array): number => Math.sqrt(a.reduce((s, x, i) => s + (x - b[i]!) ** 2, 0));
      const e0 = d(iterates[1]!, f0Flow[1]!);
      const e1 = d(iterates[1]!, f1Flow[1]!);
      expect(e1).toBeLessThan(e0 / 3);
    },
    GUARD,
  );

  it(
    'SGD + momentum + weight decay at stationarity: δ(k) = ‖θ_{k+1} − θ_k‖² within 20 % of η² tr Σ/(S(1−β²))',
    () => {
      const r = sgdStepSize(tf, { eta: 0.05, beta: 0.9, weightDecay: 1e-3, batchSize: 8, burnIn: 1000, window: 800, sigmaSnapshots: 3 });
      expect(r.traceSigma).toBeGreaterThan(0);
      expect(Math.abs(r.measured / r.predicted - 1)).toBeLessThan(0.2);
      // and the prediction is not met by accident: without the 1/(1−β²) momentum factor it is off by 5×
      expect(r.measured / (r.predicted * (1 - 0.9 ** 2))).toBeGreaterThan(3);
    },
    GUARD,
  );

  it('a plot of the distances renders to SVG', async () => {
    const rows = [
      { eta: 0.1, step: 0, flow: 'GF', distance: 0 },
      { eta: 0.1, step: 10, flow: 'GF', distance: 0.02 },
      { eta: 0.1, step: 0, flow: 'EoM1', distance: 0 },
      { eta: 0.1, step: 10, flow: 'EoM1', distance: 0.002 },
    ];
    const svg = await renderSvg(
      linePlotSpec(rows, { title: 'GD vs flows', x: { field: 'step', title: 'step k' }, y: { field: 'distance', title: '‖θ_GD − θ_flow‖' }, color: { field: 'flow' }, column: { field: 'eta', title: 'η' } }),
    );
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('EoM1');
  }, GUARD);

  it('bad options are InputErrors', () => {
    expect(() => gdVersusFlows(tf, { etas: [] })).toThrow(InputError);
    expect(() => gdVersusFlows(tf, { etas: [-0.1] })).toThrow(InputError);
    expect(() => weightNormGrowth(tf, { eta: 0.1, steps: 0 })).toThrow(InputError);
    expect(() => sgdStepSize(tf, { eta: 0.1, beta: 1, weightDecay: 0, batchSize: 4, burnIn: 1, window: 10 })).toThrow(/beta/);
    expect(() => sgdStepSize(tf, { eta: 0.1, beta: 0.5, weightDecay: 0, batchSize: 0, burnIn: 1, window: 10 })).toThrow(/batchSize/);
  });
});
