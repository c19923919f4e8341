/**
 * Task P6 — Lyapunov equation A C + C Aᵀ = 2D in float64, n = 10, 50, 200 (bench/README.md):
 * eomkit's scaled sign-function solver (src/numeric/lyapunov.ts) against scipy's
 * `solve_continuous_lyapunov` (Bartels–Stewart; bench/peers/p6.py). Both build the same matrices
 * A_ij = 0.3 sin(7i + 3j)/√n + (1 + i/n) δ_ij (eigenvalues in Re > 0), D = diag(1 + cos² i), and report
 * ‖C‖_F, which must agree. Times: best of several repetitions (200 for n = 10, 20 for n = 50, 5 for n = 200,
 * the same counts in p6.py), after a warm-up of the same call, alternated with the single-threaded scipy peer
 * round by round (bench/rounds.ts: medians, the median of per-round ratios, each kernel's GFLOP/s).
 */
import type { BenchRow } from './types.ts';
import { lyapunov } from '../src/numeric/lyapunov.ts';
import { alternate, benchRounds, type OurPoint } from './rounds.ts';

export type { BenchRow };

export function p6Problem(n: number): { A: Float64Array; D: Float64Array } {
  const A = new Float64Array(n * n);
  const D = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) A[i * n + j] = (Math.sin(7 * i + 3 * j) * 0.3) / Math.sqrt(n);
    A[i * n + i] = A[i * n + i]! + 1 + i / n;
    D[i * n + i] = 1 + Math.cos(i) ** 2;
  }
  return { A, D };
}

export async function runP6(): Promise<BenchRow[]> {
  const log = (s: string): void => void process.stderr.write(s + '\n');
  const points: OurPoint[] = [10, 50, 200].map((n) => {
    const { A, D } = p6Problem(n);
    return {
      task: 'P6-lyapunov', size: n, reps: n <= 10 ? 200 : n <= 50 ? 20 : 5,
      // warm-up: lets the JIT reach its top tier (at n = 10 a few hundred calls, ~40 ms, are needed)
      warmups: n <= 10 ? 500 : n <= 50 ? 50 : 5,
      solve: () => {
        const res = lyapunov(A, D);
        let f = 0;
        for (const x of res.C) f += x * x;
        return `||C||_F ${Math.sqrt(f).toPrecision(12)}, residual ${res.relResidual.toExponential(1)}, ${res.iterations} sign iterations`;
      },
    };
  });
  return alternate(points, 'p6.py', benchRounds(), /\|\|C\|\|_F ([0-9.eE+-]+)/, log);
}
