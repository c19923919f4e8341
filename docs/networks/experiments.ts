/**
 * The experiments of docs/networks.md at their documented sizes; writes the SVG plots next to this file and
 * prints the tables. Run: npx tsx docs/networks/experiments.ts [cpu|wasm]   (about a minute on cpu)
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadTf, type TfBackendName } from '../../src/numeric/tfjs/backend.ts';
import { gdVersusFlows, weightNormGrowth, sgdStepSize, linePlotSpec, renderSvg, blobsMlp } from '../../src/theory/networks/experiments.ts';
import { gdAtSteps } from '../../src/numeric/tfjs/autodiff.ts';
import { mlpInit } from '../../src/numeric/tfjs/networks.ts';
import { hessianOperatorTf, topEigenpairs, hutchinsonTrace, spectralDensity, perExampleGradients, noiseCovariance, commutatorMeasure } from '../../src/numeric/tfjs/spectra.ts';

const here = dirname(fileURLToPath(import.meta.url));
const backend = (process.argv[2] ?? 'cpu') as TfBackendName;
const tf = await loadTf(backend);
const fmt = (x: number): string => (Math.abs(x) >= 1e-3 && Math.abs(x) < 1e4 ? x.toPrecision(4) : x.toExponential(2));

// 1 (and 3): GD against GF, EoM1, EoM2
{
  const t0 = performance.now();
  const r = gdVersusFlows(tf, { etas: [0.2, 0.1, 0.05], sizes: [2, 16, 2], examples: 32, time: 2, points: 8 });
  console.log(`\n## 1. MLP 2-16-2 (n = ${r.n}), softmax cross-entropy on 32 points, GD over t = 2 (${((performance.now() - t0) / 1000).toFixed(1)} s, ${backend})`);
  console.log('| η | steps | ‖GD − GF‖ | ‖GD − EoM₁‖ | ‖GD − EoM₂‖ | GF/EoM₁ | EoM₁/EoM₂ |\n|---|---|---|---|---|---|---|');
  for (const f of r.final) console.log(`| ${f.eta} | ${f.steps} | ${fmt(f.gf)} | ${fmt(f.eom1)} | ${fmt(f.eom2)} | ${f.gfOverEom1.toFixed(1)} | ${f.eom1OverEom2.toFixed(1)} |`);
  console.log('\n## 3. conserved 𝟙ᵀc of the softmax bias: max drift over the run');
  console.log('| η | GD | GF | EoM₁ | EoM₂ |\n|---|---|---|---|---|');
  for (const eta of [0.2, 0.1, 0.05]) {
    const d = (flow: string): string => fmt(r.conservedDrift.find((x) => x.eta === eta && x.flow === flow)!.drift);
    console.log(`| ${eta} | ${d('GD')} | ${d('GF')} | ${d('EoM1')} | ${d('EoM2')} |`);
  }
  const rows = r.rows.filter((x) => x.step > 0).map((x) => ({ ...x, eta: `η = ${x.eta}` }));
  const svg = await renderSvg(
    linePlotSpec(rows, {
      title: 'MLP 2-16-2 under full-batch GD: distance to the flows',
      x: { field: 'time', title: 'time t = kη' },
      y: { field: 'distance', title: '‖θ_GD(k) − θ_flow(kη)‖', log: true },
      color: { field: 'flow' },
      column: { field: 'eta', title: 'learning rate' },
      width: 220,
      height: 200,
    }),
  );
  writeFileSync(join(here, 'gd-vs-flows.svg'), svg);
}

// 2: weight normalisation
{
  const t0 = performance.now();
  const out: Record<string, unknown>[] = [];
  console.log('\n## 2. weight-normalised hidden layer (8 units): growth of ‖W‖²_F over 40 steps');
  console.log('| η | GD | GF | EoM₁ | EoM₂ | EoM₁/GD − 1 | EoM₂/GD − 1 |\n|---|---|---|---|---|---|---|');
  for (const eta of [0.2, 0.1, 0.05]) {
    const r = weightNormGrowth(tf, { eta, steps: 40, points: 8, hidden: 8, examples: 32 });
    const last = (k: string): number => r.growth[k]!.at(-1)!;
    console.log(`| ${eta} | ${fmt(last('GD'))} | ${fmt(last('GF'))} | ${fmt(last('EoM1'))} | ${fmt(last('EoM2'))} | ${fmt(last('EoM1') / last('GD') - 1)} | ${fmt(last('EoM2') / last('GD') - 1)} |`);
    for (const [flow, g] of Object.entries(r.growth)) r.steps.forEach((k, i) => out.push({ eta: `η = ${eta}`, step: k, flow, growth: g[i]! }));
  }
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const svg = await renderSvg(
    linePlotSpec(out, {
      title: 'Weight-normalised layer: ‖W‖² − ‖W₀‖² (scale invariance)',
      x: { field: 'step', title: 'step k' },
      y: { field: 'growth', title: '‖W_k‖² − ‖W_0‖²' },
      color: { field: 'flow' },
      column: { field: 'eta', title: 'learning rate' },
      width: 220,
      height: 200,
    }),
  );
  writeFileSync(join(here, 'weightnorm.svg'), svg);
}

// 4: SGD + momentum + weight decay at stationarity
{
  const t0 = performance.now();
  console.log('\n## 4. SGD + momentum + weight decay (λ = 1e-3, S = 8, MLP 2-8-2 on 64 points): stationary step size');
  console.log('| η | β | measured δ = ‖θ_{k+1} − θ_k‖² | ± | η² tr Σ/(S(1−β²)) | measured/predicted |\n|---|---|---|---|---|---|');
  const rows: Record<string, unknown>[] = [];
  for (const [eta, beta] of [[0.02, 0.9], [0.05, 0.9], [0.05, 0.5], [0.1, 0.5]] as const) {
    const r = sgdStepSize(tf, { eta, beta, weightDecay: 1e-3, batchSize: 8, burnIn: 1500, window: 1000 });
    console.log(`| ${eta} | ${beta} | ${fmt(r.measured)} | ${fmt(r.standardError)} | ${fmt(r.predicted)} | ${(r.measured / r.predicted).toFixed(3)} |`);
    // running mean of δ over blocks of 50 steps
    for (let b = 0; b + 50 <= r.delta.length; b += 50)
      rows.push({ step: b + 25, delta: r.delta.subarray(b, b + 50).reduce((a, c) => a + c, 0) / 50, run: `η = ${eta}, β = ${beta}` });
    for (const k of [0, r.delta.length - 1]) rows.push({ step: k, delta: r.predicted, run: `prediction η = ${eta}, β = ${beta}` });
  }
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  const svg = await renderSvg(
    linePlotSpec(rows, {
      title: 'SGD + momentum: step size δ(k) (block means of 50) against η² tr Σ/(S(1−β²))',
      x: { field: 'step', title: 'step k' },
      y: { field: 'delta', title: 'δ(k) = ‖θ_{k+1} − θ_k‖²', log: true },
      color: { field: 'run' },
      width: 520,
      height: 280,
    }),
  );
  writeFileSync(join(here, 'sgd-step-size.svg'), svg.replace(/<circle[^>]*\/>/g, ''));
}

// spectra at the end of training
{
  const sizes = [2, 16, 2];
  const L = blobsMlp(tf, sizes, 32, 1);
  const theta = gdAtSteps(L, mlpInit(sizes, 2), 0.2, [200])[0]!;
  const t0 = performance.now();
  const H = hessianOperatorTf(L, theta);
  const top = topEigenpairs(H, L.n, 10, { seed: 1 });
  const tr = hutchinsonTrace(H, L.n, 100, 2);
  const sd = spectralDensity(H, L.n, { runs: 8, steps: 40, seed: 3 });
  const S = noiseCovariance(perExampleGradients(L, theta), L.examples, L.n);
  const topS = topEigenpairs(S.apply, L.n, 5, { seed: 4 });
  const comm = commutatorMeasure(H, S.apply, L.n, 50, 5);
  console.log(`\n## Spectra after 200 GD steps (η = 0.2), n = ${L.n} (${((performance.now() - t0) / 1000).toFixed(1)} s, ${H.calls()} HVPs)`);
  console.log(`top-10 Hessian eigenvalues: ${Array.from(top.values, fmt).join(', ')}`);
  console.log(`max residual ‖Hu − λu‖: ${fmt(Math.max(...top.residuals))}`);
  console.log(`tr H (Hutchinson, 100 probes): ${fmt(tr.trace)} ± ${fmt(tr.standardError)}`);
  console.log(`tr Σ = ${fmt(S.trace)}; top-5 eigenvalues of Σ: ${Array.from(topS.values, fmt).join(', ')}`);
  console.log(`‖HΣ − ΣH‖_F/(‖H‖_F‖Σ‖_F) ≈ ${fmt(comm.relative)} (50 probes)`);
  H.dispose();
  const rows = Array.from(sd.grid, (t, i) => ({ eigenvalue: t, density: Math.max(sd.density[i]!, 1e-6), curve: 'SLQ density' }));
  const svg = await renderSvg(
    linePlotSpec(rows, {
      title: `Hessian spectral density (SLQ, 8 runs × 40 steps, σ = ${fmt(sd.sigma)})`,
      x: { field: 'eigenvalue', title: 'eigenvalue' },
      y: { field: 'density', title: 'density', log: true },
      color: { field: 'curve' },
      width: 480,
      height: 260,
    }),
  );
  writeFileSync(join(here, 'hessian-density.svg'), svg.replace(/<circle[^>]*\/>/g, ''));
}
