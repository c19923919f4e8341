/**
 * Task P6-langevin — the Lyapunov solves behind SGD's stationary covariance (docs/theory/langevin.md), float64:
 *  - continuous A C + C Aᵀ = 2D at n = 10, 50, 200, 1000 (the P6 matrices of bench/p6.ts, extended to 1000),
 *    eomkit's sign-function solver against scipy's `solve_continuous_lyapunov`;
 *  - discrete X = M X Mᵀ + Q at n = 10, 50, 200 (phase space of p = n/2 parameters): the exact two-step SGD
 *    recursion M = [[(1+β)I − ηH, −βI], [I, 0]], Q = [[η²Σ, 0], [0, 0]] with η = 0.1, β = 0.5,
 *    H = diag(0.5 + 4.5 i/p) + 0.3 sin(10(i+j))/p, Σ = diag(1 + cos² i); eomkit's Smith doubling against
 *    scipy's `solve_discrete_lyapunov` (bilinear transform to the continuous equation for n ≥ 10).
 * Both sides build identical matrices, report ‖·‖_F (which must agree to 1e-9) and time the best of several
 * repetitions after a warm-up. The Python peer runs single-threaded (OPENBLAS/OMP/MKL_NUM_THREADS=1).
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './types.ts';
import { lyapunov, discreteLyapunov } from '../src/numeric/lyapunov.ts';
import { p6Problem } from './p6.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

export const CONTINUOUS_SIZES = [10, 50, 200, 1000] as const;
export const DISCRETE_SIZES = [10, 50, 200] as const;

/** The discrete SGD recursion of a p = n/2 parameter quadratic (see the header). */
export function discreteProblem(n: number): { M: Float64Array; Q: Float64Array } {
  const p = n / 2, eta = 0.1, beta = 0.5;
  const M = new Float64Array(n * n), Q = new Float64Array(n * n);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < p; j++) {
      const h = (0.3 * Math.sin(10 * (i + j))) / p + (i === j ? 0.5 + (4.5 * i) / p : 0);
      M[i * n + j] = (i === j ? 1 + beta : 0) - eta * h;
    }
    M[i * n + p + i] = -beta;
    M[(p + i) * n + i] = 1;
    Q[i * n + i] = eta * eta * (1 + Math.cos(i) ** 2);
  }
  return { M, Q };
}

function reps(n: number): number {
  return n <= 10 ? 200 : n <= 50 ? 20 : n <= 200 ? 5 : 2;
}

function bestOf<T>(count: number, fn: () => T): { seconds: number; value: T } {
  let value = fn();
  let seconds = Infinity;
  for (let r = 0; r < count; r++) {
    const t0 = performance.now();
    value = fn();
    seconds = Math.min(seconds, (performance.now() - t0) / 1000);
  }
  return { seconds, value };
}

function frob(a: Float64Array): number {
  let s = 0;
  for (const x of a) s += x * x;
  return Math.sqrt(s);
}

export async function runLangevinBench(): Promise<BenchRow[]> {
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const rows: BenchRow[] = [];
  const norms = new Map<string, number>();
  for (const n of CONTINUOUS_SIZES) {
    const { A, D } = p6Problem(n);
    for (let w = 0; w < (n <= 10 ? 500 : n <= 50 ? 50 : 1); w++) lyapunov(A, D); // JIT warm-up
    const { seconds, value } = bestOf(reps(n), () => lyapunov(A, D));
    norms.set(`cont ${n}`, frob(value.C));
    rows.push({ task: 'P6-langevin-continuous', tool: 'eomkit-js', seconds, size: n, note: `||C||_F ${frob(value.C).toPrecision(12)}, residual ${value.relResidual.toExponential(1)}, ${value.iterations} sign iterations` });
  }
  for (const n of DISCRETE_SIZES) {
    const { M, Q } = discreteProblem(n);
    for (let w = 0; w < (n <= 10 ? 500 : n <= 50 ? 50 : 2); w++) discreteLyapunov(M, Q);
    const { seconds, value } = bestOf(reps(n), () => discreteLyapunov(M, Q));
    norms.set(`disc ${n}`, frob(value.X));
    rows.push({ task: 'P6-langevin-discrete', tool: 'eomkit-js', seconds, size: n, note: `||X||_F ${frob(value.X).toPrecision(12)}, residual ${value.relResidual.toExponential(1)}, ${value.iterations} doubling steps` });
  }
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync('python3', [join(HERE, 'peers', 'langevin.py')], { encoding: 'utf8', timeout: 900_000, env });
  if (r.error || r.status !== 0) {
    log(`langevin.py: scipy peer skipped (${r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop()})`);
    return rows;
  }
  const lines = r.stdout.trim().split('\n');
  for (const row of JSON.parse(lines[lines.length - 1]!) as BenchRow[]) {
    const m = /\|\|[CX]\|\|_F ([0-9.eE+-]+)/.exec(row.note ?? '');
    const key = `${row.task.endsWith('continuous') ? 'cont' : 'disc'} ${row.size}`;
    const mine = norms.get(key);
    if (m && mine !== undefined) row.agrees = Math.abs(Number(m[1]) / mine - 1) < 1e-9;
    rows.push(row);
  }
  return rows;
}
