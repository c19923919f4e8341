/**
 * Ensembles of SGD chains on a quadratic loss L = ½θᵀHθ − bᵀθ (linear regression near its optimum;
 * docs/theory/langevin.md "Linear regression: exact solutions"), with heavy-ball momentum, weight decay and
 * Gaussian gradient noise ε = L z/√S, L Lᵀ = Σ: the update of `sgdGaussianEnsemble` (optimizers.ts,
 * langevin.md "Discrete update") with the gradient and the noise fused into one pass per chain, and the
 * normals of every chain drawn in one `RngBank.fillNormal` sweep. Chain c draws the numbers of
 * `new Rng(seed + c)` in the same order and the arithmetic is the same as `sgdGaussianEnsemble` with the
 * batched gradient (Hθ − b, row by row, left to right), so the two agree bit for bit (tested).
 *
 * `linearSgdEnsembleParallel` splits the chains into contiguous blocks, one per worker thread (piscina);
 * block [c0, c1) runs with seed + c0, so the result is identical to the serial run whatever the number of
 * threads. The worker file is loaded as TypeScript through tsx from the sources and as JavaScript when built;
 * if the pool cannot start, the run is serial (and says so).
 */
import { InputError } from '../errors.ts';
import { type MatrixInput, checkBeta, checkEta, checkFiniteNonNeg, checkSteps, choleskyPsd, toDense } from './linalg.ts';
import { RngBank } from './prng.ts';

export interface LinearEnsembleOptions {
  /** Hessian H (m×m) */
  H: MatrixInput;
  /** linear term b (gradient Hθ − b), default 0 */
  b?: ArrayLike<number>;
  /** gradient-noise covariance Σ (m×m); the minibatch noise is Σ/S */
  Sigma: MatrixInput;
  chains: number;
  /** θ_0: length m (all chains) or chains·m */
  theta0: ArrayLike<number>;
  /** θ_{−1}, same shapes; default θ_0 */
  thetaPrev?: ArrayLike<number>;
  eta: number;
  beta?: number;
  batchSize: number;
  weightDecay?: number;
  steps: number;
  /** chain c uses Rng(seed + c) (default 0) */
  seed?: number;
  /** steps at which the whole ensemble is recorded */
  record?: readonly number[];
}

export interface LinearEnsembleResult {
  /** final states [chains × m] */
  theta: Float64Array;
  m: number;
  chains: number;
  recordedSteps: number[];
  /** [recordedSteps.length × chains × m] */
  trajectory: Float64Array;
}

function dimOf(a: MatrixInput): number {
  return a instanceof Float64Array ? Math.round(Math.sqrt(a.length)) : a.length;
}

function expand(v: ArrayLike<number>, m: number, B: number, name: string, where: string): Float64Array {
  if (v.length === m) {
    const out = new Float64Array(B * m);
    for (let c = 0; c < B; c++) for (let i = 0; i < m; i++) out[c * m + i] = v[i]!;
    return out;
  }
  if (v.length !== B * m) throw new InputError(`${where}: ${name} has length ${v.length}, expected ${m} or chains·m = ${B * m}`);
  return Float64Array.from(v);
}

/** The serial kernel (see the module comment). */
export function linearSgdEnsemble(o: LinearEnsembleOptions): LinearEnsembleResult {
  const where = 'linearSgdEnsemble';
  checkEta(o.eta, where);
  checkSteps(o.steps, where);
  const beta = o.beta ?? 0;
  checkBeta(beta, where);
  const lambda = o.weightDecay ?? 0;
  checkFiniteNonNeg(lambda, 'weightDecay', where);
  const S = o.batchSize;
  if (typeof S !== 'number' || !Number.isFinite(S) || S <= 0) throw new InputError(`${where}: batchSize must be a finite number > 0, got ${S}`);
  const B = o.chains;
  if (!Number.isInteger(B) || B <= 0) throw new InputError(`${where}: chains must be a positive integer, got ${B}`);
  const m = dimOf(o.H);
  if (m === 0) throw new InputError(`${where}: H is empty`);
  const H = toDense(o.H, m, 'H', where);
  const L = choleskyPsd(toDense(o.Sigma, m, 'Sigma', where), m, undefined, `${where}: Sigma`);
  const bv = new Float64Array(m);
  if (o.b) {
    if (o.b.length !== m) throw new InputError(`${where}: b has length ${o.b.length}, expected ${m}`);
    for (let i = 0; i < m; i++) bv[i] = o.b[i]!;
  }
  const theta = expand(o.theta0, m, B, 'theta0', where);
  const prev = o.thetaPrev ? expand(o.thetaPrev, m, B, 'thetaPrev', where) : Float64Array.from(theta);
  for (let i = 0; i < theta.length; i++) if (!Number.isFinite(theta[i]!) || !Number.isFinite(prev[i]!)) throw new InputError(`${where}: theta0/thetaPrev has a non-finite entry at ${i}`);
  const rec = [...new Set(o.record ?? [])].sort((a, b) => a - b);
  for (const k of rec) if (!Number.isInteger(k) || k < 0 || k > o.steps) throw new InputError(`${where}: record step ${k} is not an integer in [0, ${o.steps}]`);
  const trajectory = new Float64Array(rec.length * B * m);
  let rp = 0;
  const visit = (k: number): void => {
    while (rp < rec.length && rec[rp] === k) trajectory.set(theta, B * m * rp++);
  };
  visit(0);
  const bank = new RngBank(B, o.seed ?? 0);
  const z = new Float64Array(B * m);
  const invSqrtS = 1 / Math.sqrt(S);
  const eta = o.eta;
  const chainStep = fusedChainStep(H, L, bv, m, { eta, beta, lambda, invSqrtS, hasB: o.b !== undefined });
  for (let k = 0; k < o.steps; ) {
    bank.fillNormal(z, m);
    for (let c = 0; c < B; c++) chainStep(theta, prev, z, c * m);
    k++;
    visit(k);
  }
  return { theta, m, chains: B, recordedSteps: rec, trajectory };
}

type ChainStep = (theta: Float64Array, prev: Float64Array, z: Float64Array, off: number) => void;

/**
 * One SGD step of one chain, generated for the given H, L and hyper-parameters with every constant inlined and
 * the state in locals (V8 keeps them in registers; about 3× faster than the loops for m = 10). Operations and
 * their order are those of the loop form: g_i = ((0 + H_i0 θ_0) + H_i1 θ_1) + … (− b_i), e_i = (0 + L_i0 z_0) + …,
 * θ_i ← θ_i − η((g_i + e_i/√S) + λθ_i) + β(θ_i − θ_{i−1}). Loops are used for m > 32 (code size).
 */
function fusedChainStep(H: Float64Array, L: Float64Array, b: Float64Array, m: number, p: { eta: number; beta: number; lambda: number; invSqrtS: number; hasB: boolean }): ChainStep {
  // shortest round-trip decimal: the literal is the same double
  const lit = (x: number): string => (Object.is(x, -0) ? '(-0)' : `(${x})`);
  if (m > 32) {
    const g = new Float64Array(m);
    return (theta, prev, z, off) => {
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < m; j++) s += H[i * m + j]! * theta[off + j]!;
        g[i] = p.hasB ? s - b[i]! : s;
      }
      for (let i = 0; i < m; i++) {
        let e = 0;
        for (let j = 0; j <= i; j++) e += L[i * m + j]! * z[off + j]!;
        const gi = g[i]! + e * p.invSqrtS;
        const th = theta[off + i]!;
        theta[off + i] = th - p.eta * (gi + p.lambda * th) + p.beta * (th - prev[off + i]!);
        prev[off + i] = th;
      }
    };
  }
  const lines: string[] = [];
  for (let j = 0; j < m; j++) lines.push(`const t${j} = theta[off + ${j}], z${j} = z[off + ${j}];`);
  for (let i = 0; i < m; i++) {
    let gs = '0';
    for (let j = 0; j < m; j++) gs = `(${gs} + ${lit(H[i * m + j]!)} * t${j})`;
    if (p.hasB) gs = `(${gs} - ${lit(b[i]!)})`;
    let es = '0';
    for (let j = 0; j <= i; j++) es = `(${es} + ${lit(L[i * m + j]!)} * z${j})`;
    lines.push(`const g${i} = ${gs} + ${es} * ${lit(p.invSqrtS)};`);
  }
  for (let i = 0; i < m; i++) {
    lines.push(`theta[off + ${i}] = t${i} - ${lit(p.eta)} * (g${i} + ${lit(p.lambda)} * t${i}) + ${lit(p.beta)} * (t${i} - prev[off + ${i}]);`);
    lines.push(`prev[off + ${i}] = t${i};`);
  }
  return new Function('theta', 'prev', 'z', 'off', lines.join('\n')) as ChainStep;
}

/** The worker file next to this module, and how to load it (tsx for .ts sources). */
function workerSpec(): { filename: string; execArgv: string[] } {
  const fromTs = import.meta.url.endsWith('.ts');
  return {
    filename: new URL(fromTs ? './ensemble-linear-worker.ts' : './ensemble-linear-worker.js', import.meta.url).href,
    execArgv: fromTs ? ['--import', import.meta.resolve('tsx')] : [],
  };
}

/**
 * The same ensemble split over `threads` worker threads (default: available cores); identical to
 * `linearSgdEnsemble` (block [c0, c1) runs with seed + c0). Falls back to the serial kernel if the pool
 * cannot start; `mode` says which ran.
 */
export async function linearSgdEnsembleParallel(o: LinearEnsembleOptions, opts: { threads?: number } = {}): Promise<LinearEnsembleResult & { mode: 'parallel' | 'serial'; threads: number; note?: string }> {
  const where = 'linearSgdEnsembleParallel';
  const { availableParallelism } = await import('node:os');
  const B = o.chains;
  if (!Number.isInteger(B) || B <= 0) throw new InputError(`${where}: chains must be a positive integer, got ${B}`);
  const threads = Math.max(1, Math.min(opts.threads ?? availableParallelism(), B));
  const m = dimOf(o.H);
  const H = toDense(o.H, m, 'H', where);
  const Sg = toDense(o.Sigma, m, 'Sigma', where);
  const theta0 = expand(o.theta0, m, B, 'theta0', where);
  const thetaPrev = o.thetaPrev ? expand(o.thetaPrev, m, B, 'thetaPrev', where) : theta0;
  const seed = o.seed ?? 0;
  const blocks: [number, number][] = [];
  for (let t = 0; t < threads; t++) {
    const c0 = Math.floor((t * B) / threads);
    const c1 = Math.floor(((t + 1) * B) / threads);
    if (c1 > c0) blocks.push([c0, c1]);
  }
  const jobOf = ([c0, c1]: [number, number]): LinearEnsembleOptions => ({
    ...o,
    H,
    Sigma: Sg,
    chains: c1 - c0,
    theta0: theta0.slice(c0 * m, c1 * m),
    thetaPrev: thetaPrev.slice(c0 * m, c1 * m),
    seed: seed + c0,
  });
  // one thread by default (one core): no pool; an explicit `threads: 1` still uses one worker (scaling baselines)
  if (threads === 1 && opts.threads === undefined) return { ...linearSgdEnsemble(o), mode: 'serial', threads: 1 };
  let pool: import('piscina').Piscina | undefined;
  let parts: LinearEnsembleResult[];
  try {
    const { Piscina } = await import('piscina');
    pool = new Piscina({ ...workerSpec(), minThreads: blocks.length, maxThreads: blocks.length });
    parts = await Promise.all(blocks.map((bl) => pool!.run(jobOf(bl)) as Promise<LinearEnsembleResult>));
  } catch (e) {
    // a bad argument is reported by the serial kernel with its own message
    const r = linearSgdEnsemble(o);
    return { ...r, mode: 'serial', threads: 1, note: `worker pool unavailable (${(e instanceof Error ? e.message : String(e)).split('\n')[0]}); ran serially` };
  } finally {
    await pool?.destroy();
  }
  const theta = new Float64Array(B * m);
  const R = parts[0]!.recordedSteps.length;
  const trajectory = new Float64Array(R * B * m);
  blocks.forEach(([c0, c1], t) => {
    const p = parts[t]!;
    theta.set(p.theta, c0 * m);
    for (let r = 0; r < R; r++) trajectory.set(p.trajectory.subarray(r * (c1 - c0) * m, (r + 1) * (c1 - c0) * m), (r * B + c0) * m);
  });
  return { theta, m, chains: B, recordedSteps: parts[0]!.recordedSteps, trajectory, mode: 'parallel', threads: blocks.length };
}
