/**
 * Task P8 — SGD diffusion ensembles (docs/theory/langevin.md, "Anomalous diffusion"): 10⁴ chains × 10⁴ steps
 * of SGD with heavy ball (β = 0.9, η = 0.5, S = 8) and Gaussian gradient noise Σ/S on a 10-D linear
 * regression whose Hessian spans four decades (src/theory/langevin/diffusion-sim.ts `linearRegressionData`,
 * seed 1; Σ the label-noise covariance from the data), every chain from θ_0 = 0 (the optimum):
 * - eomkit-js-fused: `linearSgdEnsemble` (src/numeric/ensemble-linear.ts), float64, one thread;
 * - eomkit-workers-N: the same split over N worker threads (piscina), N = 1, 2, … up to the cores
 *   (identical results to the serial run: checked); the per-core scaling is in the note;
 * - eomkit-js-generic: `sgdGaussianEnsemble` with a batched gradient callback, on fewer steps (scaled; note);
 * - tfjs-cpu / tfjs-wasm: `sgdGaussianTf` (float32, one [chains, 10] tensor, device noise), fewer steps (scaled);
 * - numpy (bench/peers/p8.py), vectorised over the ensemble, single-threaded BLAS (OPENBLAS_NUM_THREADS=1 …).
 * Agreement: mean ‖θ_T‖² over the chains against the exact discrete prediction E‖θ_T − θ_0‖² from θ_0 = 0
 * (src/theory/langevin/diffusion.ts), within 5 standard errors. EOMKIT_P8_STEPS=S runs S steps instead of 10⁴.
 * Times exclude imports and setup; each eomkit route is warmed up on a small run first; numpy runs right
 * after the fused kernel (on a shared machine the load drifts; adjacent runs compare more fairly).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow, TaskOptions } from './types.ts';
import { linearSgdEnsemble, linearSgdEnsembleParallel } from '../src/numeric/ensemble-linear.ts';
import { sgdGaussianEnsemble } from '../src/numeric/optimizers.ts';
import { loadTf } from '../src/numeric/tfjs/backend.ts';
import { sgdGaussianTf } from '../src/numeric/tfjs/optimizers.ts';
import { linearRegressionData } from '../src/theory/langevin/diffusion-sim.ts';
import { predictDiffusion } from '../src/theory/langevin/diffusion.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const CHAINS = 10_000;
const HYPER = { eta: 0.5, beta: 0.9, batchSize: 8 };

function meanSe(theta: ArrayLike<number>, B: number, m: number): { mean: number; se: number } {
  let s = 0;
  let s2 = 0;
  for (let c = 0; c < B; c++) {
    let d = 0;
    for (let i = 0; i < m; i++) d += theta[c * m + i]! ** 2;
    s += d;
    s2 += d * d;
  }
  const mean = s / B;
  return { mean, se: Math.sqrt(Math.max(0, s2 / B - mean * mean) / (B - 1)) };
}

export async function runP8(opts?: TaskOptions): Promise<BenchRow[]> {
  const log = opts?.log ?? ((s: string): void => void process.stderr.write(s + '\n'));
  const envSteps = Number(process.env['EOMKIT_P8_STEPS'] ?? '');
  const steps = Number.isInteger(envSteps) && envSteps > 0 ? envSteps : 10_000;
  const data = linearRegressionData({ dim: 10, samples: 2000, decades: 4, labelNoise: 0.5, seed: 1 });
  const m = 10;
  const problem = { H: data.H, Sigma: data.Sigma, hyper: HYPER };
  const want = predictDiffusion(problem, [steps], { theta0: new Array<number>(m).fill(0) }).discrete.dist2[0]!;
  const check = (mean: number, se: number): boolean => Math.abs(mean - want) < 5 * se;
  const size = `${CHAINS} chains x ${m}, ${steps} steps`;
  const rows: BenchRow[] = [];
  const base = { H: data.H, Sigma: data.Sigma, ...HYPER, theta0: new Float64Array(m), seed: 0 };

  linearSgdEnsemble({ ...base, chains: 200, steps: 50 }); // warm-up
  let t0 = performance.now();
  const fused = linearSgdEnsemble({ ...base, chains: CHAINS, steps });
  const tFused = (performance.now() - t0) / 1000;
  const f = meanSe(fused.theta, CHAINS, m);
  rows.push({ task: 'P8-diffusion-ensemble', tool: 'eomkit-js-fused', seconds: tFused, size, agrees: check(f.mean, f.se), note: `float64, 1 thread; mean ‖θ_T‖² ${f.mean.toPrecision(6)} ± ${f.se.toPrecision(2)} (exact ${want.toPrecision(6)})` });

  // numpy right after the fused kernel: on a shared machine the load drifts, adjacent runs compare fairly
  let numpySeconds: number | undefined;
  const dir = mkdtempSync(join(tmpdir(), 'eomkit-p8-'));
  const cfg = join(dir, 'p8.json');
  writeFileSync(cfg, JSON.stringify({ H: data.H, Sigma: data.Sigma, chains: CHAINS, steps, ...HYPER }));
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', MKL_NUM_THREADS: '1', OMP_NUM_THREADS: '1', NUMEXPR_NUM_THREADS: '1', VECLIB_MAXIMUM_THREADS: '1' };
  const py = spawnSync('python3', [join(HERE, 'peers', 'p8.py'), cfg], { encoding: 'utf8', env, timeout: 1_800_000 });
  if (py.error || py.status !== 0) log(`P8 numpy: skipped (${py.error ? py.error.message : (py.stderr || '').trim().split('\n').pop()})`);
  else {
    try {
      const lines = py.stdout.trim().split('\n');
      for (const r of JSON.parse(lines[lines.length - 1]!) as BenchRow[]) {
        const mm = /mean \|theta_T\|\^2 ([0-9.eE+-]+) se ([0-9.eE+-]+)/.exec(r.note ?? '');
        if (mm) r.agrees = check(Number(mm[1]), Number(mm[2]));
        rows.push(r);
        numpySeconds = r.seconds;
      }
    } catch (e) {
      log(`P8 numpy: could not parse the output (${(e as Error).message})`);
    }
  }

  const cores = availableParallelism();
  const counts = [...new Set([1, 2, 4, 8, 16].filter((k) => k <= cores).concat(cores))].sort((a, b) => a - b);
  for (const threads of counts) {
    t0 = performance.now();
    const r = await linearSgdEnsembleParallel({ ...base, chains: CHAINS, steps }, { threads });
    const dt = (performance.now() - t0) / 1000;
    const same = r.theta.every((x, i) => x === fused.theta[i]);
    rows.push({
      task: 'P8-diffusion-ensemble',
      tool: `eomkit-workers-${threads}`,
      seconds: dt,
      size,
      agrees: same,
      note: `${r.mode}${r.note ? ` (${r.note})` : ''}, ${r.threads} worker thread(s), pool start included; speed-up over 1 thread in-process ${(tFused / dt).toFixed(2)}× (${((tFused / dt) / threads).toFixed(2)} per core); identical to serial: ${same}`,
    });
  }

  // the generic ensemble with a gradient callback, fewer steps, scaled
  const gSteps = Math.max(1, Math.floor(steps / 10));
  const H = Float64Array.from(data.H.flat());
  const grad = (x: Float64Array, o: Float64Array, B: number): void => {
    for (let c = 0; c < B; c++) {
      const off = c * m;
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += H[i * m + j]! * x[off + j]!;
        o[off + i] = s;
      }
    }
  };
  sgdGaussianEnsemble({ grad, n: m, chains: 200, theta0: new Float64Array(m), ...HYPER, noise: { sigma: data.Sigma }, steps: 20 });
  t0 = performance.now();
  const gen = sgdGaussianEnsemble({ grad, n: m, chains: CHAINS, theta0: new Float64Array(m), ...HYPER, noise: { sigma: data.Sigma }, steps: gSteps, seed: 0 });
  const tGen = ((performance.now() - t0) / 1000) * (steps / gSteps);
  const fusedShort = linearSgdEnsemble({ ...base, chains: CHAINS, steps: gSteps });
  rows.push({
    task: 'P8-diffusion-ensemble',
    tool: 'eomkit-js-generic',
    seconds: tGen,
    size,
    agrees: gen.theta.every((x, i) => x === fusedShort.theta[i]),
    note: `sgdGaussianEnsemble + batched callback, ran ${gSteps} steps, time scaled ×${steps / gSteps}; bit-identical to the fused kernel`,
  });

  const tfSteps = Math.max(1, Math.floor(steps / 10));
  const wantTf = predictDiffusion(problem, [tfSteps], { theta0: new Array<number>(m).fill(0) }).discrete.dist2[0]!;
  for (const backend of ['cpu', 'wasm'] as const) {
    try {
      const tf = await loadTf(backend);
      const Ht = tf.tensor2d(Float32Array.from(H), [m, m]);
      try {
        const run = (B: number, T: number): { seconds: number; theta: Float32Array } => {
          const t = performance.now();
          const r = sgdGaussianTf(tf, { grad: (th) => tf.matMul(th, Ht), theta0: new Float32Array(B * m), n: m, ...HYPER, sigma: data.Sigma, steps: T, seed: 1, noiseSource: 'device' });
          return { seconds: (performance.now() - t) / 1000, theta: r.theta };
        };
        run(200, 5);
        const r = run(CHAINS, tfSteps);
        const s = meanSe(r.theta, CHAINS, m);
        rows.push({
          task: 'P8-diffusion-ensemble',
          tool: `tfjs-${backend}`,
          seconds: r.seconds * (steps / tfSteps),
          size,
          agrees: Math.abs(s.mean - wantTf) < 5 * s.se + 1e-5 * wantTf,
          note: `float32, device noise; ran ${tfSteps} steps, time scaled ×${steps / tfSteps}; mean ‖θ‖² ${s.mean.toPrecision(5)} ± ${s.se.toPrecision(2)} (exact ${wantTf.toPrecision(5)})`,
        });
      } finally {
        Ht.dispose();
      }
    } catch (e) {
      log(`P8 tfjs-${backend}: skipped (${(e as Error).message})`);
    }
  }

  if (numpySeconds !== undefined) {
    const best = Math.min(...rows.filter((x) => x.tool.startsWith('eomkit')).map((x) => x.seconds));
    log(`P8: fastest eomkit route / numpy = ${(best / numpySeconds).toFixed(2)}`);
  }
  return rows;
}
