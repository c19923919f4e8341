/**
 * Task P6-langevin — the Lyapunov solves behind SGD's stationary covariance (docs/theory/langevin.md), float64:
 *  - continuous A C + C Aᵀ = 2D at n = 10, 50, 200, 1000 (the P6 matrices of bench/p6.ts, extended to 1000),
 *    eomkit's sign-function solver against scipy's `solve_continuous_lyapunov`;
 *  - discrete X = M X Mᵀ + Q at n = 10, 50, 200 (phase space of p = n/2 parameters): the exact two-step SGD
 *    recursion M = [[(1+β)I − ηH, −βI], [I, 0]], Q = [[η²Σ, 0], [0, 0]] with η = 0.1, β = 0.5,
 *    H = diag(0.5 + 4.5 i/p) + 0.3 sin(10(i+j))/p, Σ = diag(1 + cos² i); eomkit's Smith doubling against
 *    scipy's `solve_discrete_lyapunov` (bilinear transform to the continuous equation for n ≥ 10).
 * Both sides build identical matrices, report ‖·‖_F (which must agree to 1e-9) and time the best of several
 * repetitions after a warm-up, alternated round by round with the single-threaded Python peer (bench/rounds.ts:
 * medians over the rounds, the median of the per-round ratios, each kernel's GFLOP/s).
 */
import type { BenchRow } from './types.ts';
import { alternate, benchRounds, type OurPoint } from './rounds.ts';
import { lyapunov, discreteLyapunov } from '../src/numeric/lyapunov.ts';
import { p6Problem } from './p6.ts';

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
  return n <= 10 ? 200 : n <= 50 ? 20 : n <= 200 ? 5 : 1;
}

function frob(a: Float64Array): number {
  let s = 0;
  for (const x of a) s += x * x;
  return Math.sqrt(s);
}

export async function runLangevinBench(): Promise<BenchRow[]> {
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const points: OurPoint[] = [];
  for (const n of CONTINUOUS_SIZES) {
    const { A, D } = p6Problem(n);
    points.push({
      task: 'P6-langevin-continuous', size: n, reps: reps(n), warmups: n <= 10 ? 500 : n <= 50 ? 50 : n <= 200 ? 5 : 1,
      solve: () => {
        const v = lyapunov(A, D);
        return `||C||_F ${frob(v.C).toPrecision(12)}, residual ${v.relResidual.toExponential(1)}, ${v.iterations} sign iterations`;
      },
    });
  }
  for (const n of DISCRETE_SIZES) {
    const { M, Q } = discreteProblem(n);
    points.push({
      task: 'P6-langevin-discrete', size: n, reps: reps(n), warmups: n <= 10 ? 500 : n <= 50 ? 50 : 5,
      solve: () => {
        const v = discreteLyapunov(M, Q);
        return `||X||_F ${frob(v.X).toPrecision(12)}, residual ${v.relResidual.toExponential(1)}, ${v.iterations} doubling steps`;
      },
    });
  }
  return alternate(points, 'langevin.py', benchRounds(), /\|\|[CX]\|\|_F ([0-9.eE+-]+)/, log);
}
