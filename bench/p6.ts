/**
 * Task P6 — Lyapunov equation A C + C Aᵀ = 2D in float64, n = 10, 50, 200 (bench/README.md):
 * eomkit's scaled sign-function solver (src/numeric/lyapunov.ts) against scipy's
 * `solve_continuous_lyapunov` (Bartels–Stewart; bench/peers/p6.py). Both build the same matrices
 * A_ij = 0.3 sin(7i + 3j)/√n + (1 + i/n) δ_ij (eigenvalues in Re > 0), D = diag(1 + cos² i), and report
 * ‖C‖_F, which must agree. Times: best of several repetitions (200 for n = 10, 20 for n = 50, 5 for n = 200,
 * the same counts in p6.py), after a JIT warm-up of the same call.
 */
import type { BenchRow } from './types.ts';
import { lyapunov } from '../src/numeric/lyapunov.ts';
import { pythonRows } from './p5.ts';

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
  const rows: BenchRow[] = [];
  const norms = new Map<number, number>();
  for (const n of [10, 50, 200]) {
    const { A, D } = p6Problem(n);
    // warm-up: lets the JIT reach its top tier (at n = 10 a few hundred calls, ~40 ms, are needed)
    for (let w = 0; w < (n <= 10 ? 500 : n <= 50 ? 50 : 2); w++) lyapunov(A, D);
    const reps = n <= 10 ? 200 : n <= 50 ? 20 : 5;
    let best = Infinity;
    let res = lyapunov(A, D);
    for (let r = 0; r < reps; r++) {
      const t0 = performance.now();
      res = lyapunov(A, D);
      best = Math.min(best, (performance.now() - t0) / 1000);
    }
    let f = 0;
    for (const x of res.C) f += x * x;
    norms.set(n, Math.sqrt(f));
    rows.push({
      task: 'P6-lyapunov',
      tool: 'eomkit-js',
      seconds: best,
      size: n,
      note: `||C||_F ${Math.sqrt(f).toPrecision(12)}, residual ${res.relResidual.toExponential(1)}, ${res.iterations} sign iterations`,
    });
  }
  for (const r of pythonRows('p6.py', log)) {
    const m = /\|\|C\|\|_F ([0-9.eE+-]+)/.exec(r.note ?? '');
    const mine = norms.get(Number(r.size));
    if (m && mine !== undefined) r.agrees = Math.abs(Number(m[1]) / mine - 1) < 1e-9;
    rows.push(r);
  }
  return rows;
}
