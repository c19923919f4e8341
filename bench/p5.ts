/**
 * Task P5 — numeric loops (bench/README.md):
 * - P5-gd-ls: full-batch GD on least squares L = (1/2N)‖Xθ − y‖², X 1000×100 float64, 1000 steps, two
 *   mat-vecs per step (r = Xθ − y, g = Xᵀr/N) in every tool: eomkit float64 JS (src/numeric/optimizers.ts
 *   `gd` with a Float64Array double-loop gradient), tfjs cpu / wasm (float32, Xᵀ precomputed as a tensor),
 *   numpy (BLAS; bench/peers/p5.py).
 *   The gradient fuses the two mat-vecs into one pass over the rows of X (src/numeric/kernels/least-squares.ts):
 *   row `eomkit-wasm-simd` is the public route `gd` + `leastSquaresGradient` (the f64x2 WebAssembly kernel,
 *   six rows per sweep), row `eomkit-js` the plain-JS kernel. X and y come from one deterministic formula in
 *   all tools, so the final losses (in `note`) can be compared (tfjs to float32 accuracy). Flops: 4NP per
 *   step in every tool (no Gram matrix anywhere).
 * - P5-sgd-ensemble: 10,000 independent chains, 2 parameters, 1000 steps of SGD with heavy ball (β = 0.5)
 *   and Gaussian gradient noise Σ/S on a quadratic: the batched float64 ensemble (`sgdGaussianEnsemble`,
 *   Ziggurat normals on xoshiro128** and the update in wasm SIMD; it reproduces the chain-by-chain paths exactly), plain JS chain by
 *   chain (`sgdGaussian`), tfjs cpu / wasm on one [10000, 2] tensor (noise drawn on the device), numpy
 *   vectorised over the ensemble (PCG64 + ziggurat).
 * eomkit's batched rows and the numpy peer alternate over `benchRounds()` rounds (EOMKIT_BENCH_ROUNDS, default
 * 3): each round takes the best of GD_REPS (ENS_REPS) runs on each side, rows give the median over the rounds
 * and the numpy rows the median of the per-round ratios eomkit/numpy with each round's ratio. The JS side is
 * warmed up by 3000 GD steps first (V8 runs a wasm function in its baseline tier until it has been hot for a
 * few hundred calls); the first, cold run is reported in the note. tfjs and chain-by-chain rows: one run each
 * after a short warm-up. Times exclude imports and data setup.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { BenchRow } from './types.ts';
import { gd, sgdGaussian, sgdGaussianEnsemble } from '../src/numeric/optimizers.ts';
import { leastSquaresGradient, leastSquaresGradientJs, type GradKernel } from '../src/numeric/kernels/least-squares.ts';
import { bestOf, benchRounds, median } from './rounds.ts';
import { loadTf, type Tf } from '../src/numeric/tfjs/backend.ts';
import { gdTf, sgdGaussianTf, type Tensor2D } from '../src/numeric/tfjs/optimizers.ts';

export type { BenchRow };

const HERE = dirname(fileURLToPath(import.meta.url));
const N = 1000;
const P = 100;
const STEPS = 1000;
const ETA = 0.1;

/** X_ij = sin(12.9898(i+1) + 78.233(j+1) + 0.5(i+1)(j+1)), y = X cos(0..P−1) + 0.1 sin(3.7 i) (as in p5.py). */
export function lsData(): { X: Float64Array; y: Float64Array } {
  const X = new Float64Array(N * P);
  const y = new Float64Array(N);
  for (let i = 0; i < N; i++) {
    let s = 0;
    for (let j = 0; j < P; j++) {
      const x = Math.sin(12.9898 * (i + 1) + 78.233 * (j + 1) + 0.5 * (i + 1) * (j + 1));
      X[i * P + j] = x;
      s += x * Math.cos(j);
    }
    y[i] = s + 0.1 * Math.sin(3.7 * i);
  }
  return { X, y };
}

function lsLoss(X: Float64Array, y: Float64Array, theta: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < N; i++) {
    let r = -y[i]!;
    for (let j = 0; j < P; j++) r += X[i * P + j]! * theta[j]!;
    s += r * r;
  }
  return (0.5 * s) / N;
}

function time<T>(f: () => T): { value: T; seconds: number } {
  const t0 = performance.now();
  const value = f();
  return { value, seconds: (performance.now() - t0) / 1000 };
}

function gdLsTf(tf: Tf, X: Float64Array, y: Float64Array, steps: number): { seconds: number; theta: Float32Array } {
  const Xt = tf.tensor2d(Float32Array.from(X), [N, P]);
  const XT = tf.tidy(() => Xt.transpose().mul(1 / N)) as Tensor2D;
  const yt = tf.tensor2d(Float32Array.from(y), [N, 1]);
  try {
    // θ as a column [P, 1]; gdTf works on rows [batch, n], so transpose around the mat-vecs
    const grad = (th: Tensor2D): Tensor2D => tf.matMul(XT, tf.matMul(Xt, th, false, true).sub(yt)).transpose() as Tensor2D;
    const t0 = performance.now();
    const res = gdTf(tf, { grad, theta0: new Float32Array(P), n: P, eta: ETA, steps });
    return { seconds: (performance.now() - t0) / 1000, theta: res.theta };
  } finally {
    Xt.dispose();
    XT.dispose();
    yt.dispose();
  }
}

// ---- ensemble: L = ½θᵀHθ, Σ = 0.1 H, S = 4, β = 0.5, η = 0.1, θ_0 = (1, 1)
const H = [1.0, 0.3, 0.3, 0.5];
const SIGMA = [[0.1, 0.03], [0.03, 0.05]];
const B = 10_000;
const ENS = { eta: 0.1, beta: 0.5, batchSize: 4, steps: 1000 };

function ensembleJs(chains: number, steps: number): { seconds: number; var1: number } {
  const grad = (x: Float64Array, o: Float64Array): void => {
    o[0] = H[0]! * x[0]! + H[1]! * x[1]!;
    o[1] = H[2]! * x[0]! + H[3]! * x[1]!;
  };
  let s = 0;
  let s2 = 0;
  const t0 = performance.now();
  for (let c = 0; c < chains; c++) {
    const r = sgdGaussian({ grad, theta0: [1, 1], eta: ENS.eta, beta: ENS.beta, batchSize: ENS.batchSize, noise: { sigma: SIGMA }, steps, seed: c });
    s += r.theta[0]!;
    s2 += r.theta[0]! ** 2;
  }
  const seconds = (performance.now() - t0) / 1000;
  return { seconds, var1: s2 / chains - (s / chains) ** 2 };
}

/** The same ensemble through `sgdGaussianEnsemble`: one [B × 2] Float64Array, one batched gradient call per
 * step; chain c uses seed c, so it reproduces `ensembleJs` chain for chain (checked: `agrees`). */
function ensembleBatchedJs(chains: number, steps: number): { seconds: number; var1: number; theta: Float64Array } {
  const h00 = H[0]!, h01 = H[1]!, h10 = H[2]!, h11 = H[3]!;
  const grad = (x: Float64Array, o: Float64Array, b: number): void => {
    for (let c = 0; c < 2 * b; c += 2) {
      const x0 = x[c]!, x1 = x[c + 1]!;
      o[c] = h00 * x0 + h01 * x1;
      o[c + 1] = h10 * x0 + h11 * x1;
    }
  };
  const t0 = performance.now();
  const r = sgdGaussianEnsemble({ grad, n: 2, chains, theta0: [1, 1], eta: ENS.eta, beta: ENS.beta, batchSize: ENS.batchSize, noise: { sigma: SIGMA }, steps, seed: 0 });
  const seconds = (performance.now() - t0) / 1000;
  let s = 0;
  let s2 = 0;
  for (let c = 0; c < chains; c++) {
    s += r.theta[2 * c]!;
    s2 += r.theta[2 * c]! ** 2;
  }
  return { seconds, var1: s2 / chains - (s / chains) ** 2, theta: r.theta };
}

function ensembleTf(tf: Tf, steps: number): { seconds: number; var1: number } {
  const Ht = tf.tensor2d(H, [2, 2]);
  try {
    const theta0 = new Float32Array(2 * B).fill(1);
    const t0 = performance.now();
    const r = sgdGaussianTf(tf, { grad: (th) => tf.matMul(th, Ht), theta0, n: 2, eta: ENS.eta, beta: ENS.beta, batchSize: ENS.batchSize, sigma: SIGMA, steps, seed: 1, noiseSource: 'device' });
    const seconds = (performance.now() - t0) / 1000;
    let s = 0;
    let s2 = 0;
    for (let b = 0; b < B; b++) {
      s += r.theta[2 * b]!;
      s2 += r.theta[2 * b]! ** 2;
    }
    return { seconds, var1: s2 / B - (s / B) ** 2 };
  } finally {
    Ht.dispose();
  }
}

function pythonRows(script: string, log: (s: string) => void, extraEnv: Record<string, string> = {}): BenchRow[] {
  // single-threaded BLAS, as every Python peer of the bench (thread contention on this 2-core machine)
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1', ...extraEnv };
  const r = spawnSync('python3', [join(HERE, 'peers', script)], { encoding: 'utf8', timeout: 600_000, env });
  if (r.error || r.status !== 0) {
    log(`${script}: numpy/scipy peer skipped (${r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop()})`);
    return [];
  }
  try {
    const lines = r.stdout.trim().split('\n');
    return JSON.parse(lines[lines.length - 1]!) as BenchRow[];
  } catch (e) {
    log(`${script}: could not parse the peer's output (${(e as Error).message})`);
    return [];
  }
}

/** the kernel's rate: 4NP flops per gradient (X θ and Xᵀ r), STEPS gradients */
function gflopsOf(seconds: number): number {
  return (4 * N * P * STEPS) / seconds / 1e9;
}
function gflops(seconds: number): string {
  return `${gflopsOf(seconds).toFixed(1)} GFLOP/s`;
}

/** timed repetitions per round (best of), the same counts in p5.py (P5_GD_REPS / P5_ENS_REPS) */
const GD_REPS = 3;
const ENS_REPS = 2;

const fmtRatios = (rs: number[]): string => `${median(rs).toFixed(2)} (${rs.map((x) => x.toFixed(2)).join(', ')})`;

/** best wall-clock and best CPU time (this process, user + system) of `count` timed calls after one untimed call */
function bestOfBoth(count: number, fn: () => void): { wall: number; cpu: number } {
  fn();
  let wall = Infinity;
  let cpu = Infinity;
  for (let r = 0; r < count; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    fn();
    wall = Math.min(wall, (performance.now() - t0) / 1000);
    const c = process.cpuUsage(c0);
    cpu = Math.min(cpu, (c.user + c.system) / 1e6);
  }
  return { wall, cpu };
}

export async function runP5(): Promise<BenchRow[]> {
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const rows: BenchRow[] = [];
  const rounds = benchRounds();
  const { X, y } = lsData();
  const size = `${N}x${P}, ${STEPS} steps`;
  const esize = `${B} chains x 2, ${ENS.steps} steps`;

  // the public route: leastSquaresGradient (wasm SIMD where the engine has it, else plain JS) in `gd`
  const auto = leastSquaresGradient(X, y, N, P);
  const gj = leastSquaresGradientJs(X, y, N, P);
  const runGd = (g: GradKernel): Float64Array => gd({ grad: g, theta0: new Float64Array(P), eta: ETA, steps: STEPS }).theta;
  // the first 1000-step run in this process, before any warm-up (wasm starts in V8's baseline tier)
  const cold = time(() => runGd(auto.grad));
  // warm-up: 3000 more steps (V8 compiles the kernel with its optimizing tier after a few hundred calls; the
  // JS loop of gd and the plain-JS kernel likewise), and the ensemble on 100 chains
  for (let w = 0; w < 3; w++) runGd(auto.grad);
  runGd(gj);
  ensembleBatchedJs(100, 50);

  // alternated rounds: eomkit's runs (best of GD_REPS / ENS_REPS), then the numpy peer (same counts)
  const tAuto: number[] = [], tJs: number[] = [], tEns: number[] = [], cAuto: number[] = [], cEns: number[] = [];
  const peerTimes = new Map<string, number[]>();
  const peerCpu = new Map<string, number[]>();
  const peerRows = new Map<string, BenchRow>();
  let thAuto: Float64Array = new Float64Array(P), thJs: Float64Array = new Float64Array(P);
  let ens = { var1: NaN, seconds: NaN };
  let peerMissing = false;
  for (let round = 0; round < rounds; round++) {
    const a = bestOfBoth(GD_REPS, () => void (thAuto = runGd(auto.grad)));
    tAuto.push(a.wall);
    cAuto.push(a.cpu);
    tJs.push(bestOf(1, () => void (thJs = runGd(gj))));
    const e = bestOfBoth(ENS_REPS, () => void (ens = ensembleBatchedJs(B, ENS.steps)));
    tEns.push(e.wall);
    cEns.push(e.cpu);
    if (peerMissing) continue;
    const pr = pythonRows('p5.py', log, { P5_GD_REPS: String(GD_REPS), P5_ENS_REPS: String(ENS_REPS) });
    if (!pr.length) {
      peerMissing = true;
      continue;
    }
    for (const r of pr as (BenchRow & { cpuSeconds?: number })[]) {
      peerTimes.set(r.task, [...(peerTimes.get(r.task) ?? []), r.seconds]);
      peerCpu.set(r.task, [...(peerCpu.get(r.task) ?? []), r.cpuSeconds ?? NaN]);
      const { cpuSeconds: _cpu, ...row } = r;
      peerRows.set(r.task, row);
    }
    log(`P5: round ${round + 1}/${rounds} done`);
  }
  const autoLoss = lsLoss(X, y, thAuto);
  const jsLoss = lsLoss(X, y, thJs);
  const gdAuto = median(tAuto);
  rows.push({
    task: 'P5-gd-ls',
    tool: auto.backend === 'wasm-simd' ? 'eomkit-wasm-simd' : 'eomkit-js',
    seconds: gdAuto,
    size,
    note:
      `leastSquaresGradient (${auto.backend}) in gd, float64, rows six at a time; ${gflops(gdAuto)} wall, ${gflops(median(cAuto))} CPU time (medians of ${rounds} rounds, best of ${GD_REPS}); ` +
      `first run in the process ${fmtMs(cold.seconds)} (${gflops(cold.seconds)}, JIT tiering); final loss ${autoLoss.toPrecision(12)}`,
  });
  if (auto.backend === 'wasm-simd') {
    rows.push({
      task: 'P5-gd-ls',
      tool: 'eomkit-js',
      seconds: median(tJs),
      size,
      agrees: Math.abs(jsLoss / autoLoss - 1) < 1e-9,
      note: `plain-JS fused kernel (leastSquaresGradientJs), float64; ${gflops(median(tJs))}; final loss ${jsLoss.toPrecision(12)}`,
    });
  } else log('P5 eomkit-wasm-simd: skipped (no WebAssembly SIMD in this engine)');

  for (const backend of ['cpu', 'wasm'] as const) {
    try {
      const tf = await loadTf(backend);
      gdLsTf(tf, X, y, 20); // warm-up
      const r = gdLsTf(tf, X, y, STEPS);
      const loss = lsLoss(X, y, r.theta);
      rows.push({
        task: 'P5-gd-ls',
        tool: `tfjs-${backend}`,
        seconds: r.seconds,
        size,
        agrees: Math.abs(loss / autoLoss - 1) < 1e-3,
        note: `float32, Xᵀ precomputed; one run; final loss ${loss.toPrecision(7)}`,
      });
    } catch (e) {
      log(`P5 tfjs-${backend}: skipped (${(e as Error).message})`);
    }
  }

  // ensemble: the batched route first (the reference row), chain by chain once
  const ensT = median(tEns);
  rows.push({
    task: 'P5-sgd-ensemble',
    tool: 'eomkit-js-batched',
    seconds: ensT,
    size: esize,
    note: `sgdGaussianEnsemble: Ziggurat normals in wasm (four xoshiro128** generators per i32x4 vector), each chain's update one f64x2 vector; median of ${rounds} rounds, best of ${ENS_REPS}; var(θ1) ${ens.var1.toPrecision(4)}`,
  });
  ensembleJs(100, 50);
  const ej = ensembleJs(B, ENS.steps);
  rows.push({
    task: 'P5-sgd-ensemble',
    tool: 'eomkit-js',
    seconds: ej.seconds,
    size: esize,
    agrees: ej.var1 === ens.var1, // same seeds, same arithmetic: identical chains
    note: `chain by chain (sgdGaussian), float64, one run; var(θ1) ${ej.var1.toPrecision(4)}`,
  });
  for (const backend of ['cpu', 'wasm'] as const) {
    try {
      const tf = await loadTf(backend);
      ensembleTf(tf, 5);
      const r = ensembleTf(tf, ENS.steps);
      rows.push({
        task: 'P5-sgd-ensemble',
        tool: `tfjs-${backend}`,
        seconds: r.seconds,
        size: esize,
        agrees: Math.abs(r.var1 / ens.var1 - 1) < 0.1, // Monte-Carlo: SE of a variance from 10^4 chains ≈ 1.4%
        note: `one [${B}, 2] tensor, device noise; one run; var(θ1) ${r.var1.toPrecision(4)}`,
      });
    } catch (e) {
      log(`P5 ensemble tfjs-${backend}: skipped (${(e as Error).message})`);
    }
  }

  for (const [task, r] of peerRows) {
    const times = peerTimes.get(task)!;
    const cpus = peerCpu.get(task)!;
    const ours = task === 'P5-gd-ls' ? tAuto : tEns;
    const oursCpu = task === 'P5-gd-ls' ? cAuto : cEns;
    const ratios = times.map((t, i) => ours[i]! / t);
    const cpuRatios = cpus.map((t, i) => oursCpu[i]! / t);
    const both = `eomkit/numpy median of per-round ratios: CPU time ${fmtRatios(cpuRatios)}, wall clock ${fmtRatios(ratios)}`;
    if (task === 'P5-gd-ls') {
      const m = /final loss ([0-9.eE+-]+)/.exec(r.note ?? '');
      if (m) r.agrees = Math.abs(Number(m[1]) / autoLoss - 1) < 1e-9;
      const gf = times.map(gflopsOf);
      r.note = `1 thread; ${median(gf).toFixed(1)} GFLOP/s wall, ${median(cpus.map(gflopsOf)).toFixed(1)} CPU time; final loss ${m ? m[1] : '?'}; median of ${rounds} rounds, best of ${GD_REPS}; ${both}`;
    } else {
      const m = /var\(theta1\) ([0-9.eE+-]+)/.exec(r.note ?? '');
      if (m) r.agrees = Math.abs(Number(m[1]) / ens.var1 - 1) < 0.1;
      r.note = `vectorised over the chains, PCG64 + ziggurat normals; median of ${rounds} rounds, best of ${ENS_REPS}; var(θ1) ${m ? m[1] : '?'}; ${both.replace('eomkit/', 'eomkit-js-batched/')}`;
    }
    // the ratio to quote (the table's column and eomkit's note): the median of per-round wall-clock ratios
    rows.push({ ...r, seconds: median(times), ratio: median(ratios) });
    const oursRow = rows.find((x) => x.task === task && x.tool === (task === 'P5-gd-ls' ? 'eomkit-wasm-simd' : 'eomkit-js-batched'));
    if (oursRow) Object.assign(oursRow, { ratio: median(ratios), versus: r.tool });
  }
  return rows;
}

function fmtMs(s: number): string {
  return `${(s * 1000).toFixed(1)} ms`;
}

export { pythonRows };
