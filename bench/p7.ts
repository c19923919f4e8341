/**
 * Task P7: growth with n and K (bench/README.md). Counter terms f_1 … f_K of
 *   chain:   ½(w1·…·wn − 1)²,                       n = 10, 20, 40; K = 3, 4
 *   lse:     Σ_{d=1..3} log(1 + exp(a_d·w)), a_d small integers (−2 … 2), n = 10, 20, 40; K = 3, 4, 5
 * compact and expanded, each run in a fresh process under /usr/bin/time (peak resident memory), with a
 * per-run time cap. Peers where they apply: SymPy's polynomial ring (chain, expanded; K = 3, 4) and GiNaC
 * (bench/ginac/p2.cpp: chain, expanded, K = 4). For each configuration the tools run one after another
 * (alternated), for P7_ROUNDS rounds (default 1); the row is the median time, and the ratio column the median
 * of per-round ratios. The growth exponent per tool is the least-squares slope of log time against log n.
 * The chain at n = 40, K = 4 (millions of terms) is beyond the cap and not run.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, ginacBinary, lastJson, runProcess, sympyMissing } from './lib.ts';
import { median } from './peers.ts';
import type { BenchRow, TaskOptions } from './types.ts';

export type P7Family = 'chain' | 'lse';

/** The loss of a P7 family at n parameters w1 … wn, as a formula. */
export function p7Formula(family: P7Family, n: number): string {
  const ws = Array.from({ length: n }, (_, i) => `w${i + 1}`);
  if (family === 'chain') return `(${ws.join('*')} - 1)^2/2`;
  const dots = [0, 1, 2].map((d) => ws.map((w, j) => `(${((j * 7 + d * 3) % 5) - 2})*${w}`).join(' + '));
  return dots.map((s) => `log(1 + exp(${s}))`).join(' + ');
}

interface Measured {
  seconds: number;
  size: number;
  peakMB: number;
}

const CAP_S = Number(process.env.P7_CAP_S ?? 60);

async function timed(cmd: string, args: string[]): Promise<Measured | string> {
  const r = await runProcess('/usr/bin/time', ['-f', 'maxrss_kb=%M', cmd, ...args], { timeoutS: CAP_S });
  if (r.timedOut) return `over the ${CAP_S} s cap`;
  if (r.code !== 0) return r.stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 120) || `exit ${r.code}`;
  const m = /maxrss_kb=(\d+)/.exec(r.stderr);
  const out = lastJson<{ seconds: number; size: number }>(r.stdout);
  return { seconds: out.seconds, size: out.size, peakMB: m ? Number(m[1]) / 1024 : NaN };
}

/** slope of log y against log x (least squares) */
export function growthExponent(points: ReadonlyArray<readonly [number, number]>): number {
  const xs = points.map(([x]) => Math.log(x));
  const ys = points.map(([, y]) => Math.log(y));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
  });
  return sxy / sxx;
}

export async function runP7(opts?: TaskOptions): Promise<BenchRow[]> {
  const log = opts?.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const rounds = Math.max(1, Number(process.env.P7_ROUNDS ?? 1));
  const tsx = join(BENCH_DIR, '..', 'node_modules', '.bin', 'tsx');
  const child = join(BENCH_DIR, 'eomkit', 'p7child.ts');
  const ring = (await sympyMissing()) ? undefined : join(BENCH_DIR, 'peers', 'p7_sympy_ring.py');
  const ginac = await ginacBinary('p2');
  if (ginac.missing) log(`P7: GiNaC rows skipped: ${ginac.missing}`);
  if (!existsSync(tsx)) log('P7: tsx not found under node_modules/.bin');

  const rows: BenchRow[] = [];
  const configs: Array<[P7Family, number, number]> = [];
  for (const K of [3, 4]) for (const n of [10, 20, 40]) if (!(K === 4 && n === 40)) configs.push(['chain', n, K]);
  for (const K of [3, 4, 5]) for (const n of [10, 20, 40]) configs.push(['lse', n, K]);
  const series = new Map<string, Array<[number, number]>>();

  for (const [family, n, K] of configs) {
    for (const mode of ['compact', 'expanded'] as const) {
      const tools: Array<[string, () => Promise<Measured | string>]> = [['eomkit', () => timed(tsx, [child, family, String(n), String(K), mode])]];
      if (family === 'chain' && mode === 'expanded' && ring) tools.push(['sympy-ring', () => timed('python3', [ring, String(n), String(K)])]);
      // p2.cpp <n> <warm repetitions> <K>: no warm repetitions here (one computation per process)
      if (family === 'chain' && mode === 'expanded' && ginac.path) tools.push(['ginac', () => timed(ginac.path!, [String(n), '0', String(K)])]);
      const results = new Map<string, Measured[]>();
      const failures = new Map<string, string>();
      for (let r = 0; r < rounds; r++) {
        for (const [tool, run] of tools) {
          if (failures.has(tool)) continue;
          log(`P7: ${family} n=${n} K=${K} ${mode}: ${tool} (round ${r + 1}/${rounds}) …`);
          const m = await run();
          if (typeof m === 'string') failures.set(tool, m);
          else results.set(tool, [...(results.get(tool) ?? []), m]);
        }
      }
      const ours = results.get('eomkit');
      const task = `P7-${family}-n${n}-K${K}-${mode}`;
      for (const [tool] of tools) {
        const ms = results.get(tool);
        if (!ms || failures.has(tool)) {
          rows.push({ task, tool, seconds: NaN, size: 'not finished', note: failures.get(tool) ?? 'no result' });
          continue;
        }
        const t = median(ms.map((m) => m.seconds));
        const peak = Math.max(...ms.map((m) => m.peakMB));
        const agrees = ours === undefined ? undefined : ms[0]!.size === ours[0]!.size;
        let note = `peak ${peak.toFixed(0)} MB`;
        if (tool !== 'eomkit' && ours) {
          const ratios = ms.map((m, i) => (ours[i] ?? ours[0]!).seconds / m.seconds);
          note += `; eomkit/${tool} ${median(ratios).toFixed(2)}× (median of per-round ratios), memory ${(Math.max(...ours.map((o) => o.peakMB)) / peak).toFixed(2)}×`;
        }
        const key = `${tool} ${family} K=${K} ${mode}`;
        series.set(key, [...(series.get(key) ?? []), [n, t]]);
        const pts = series.get(key)!;
        if (n === 40 || (family === 'chain' && K === 4 && n === 20)) {
          if (pts.length >= 2) note += `; time ∝ n^${growthExponent(pts).toFixed(1)} over n = ${pts.map(([x]) => x).join(', ')}`;
        }
        rows.push({ task, tool, seconds: t, size: ms[0]!.size, ...(agrees !== undefined ? { agrees } : {}), note });
      }
    }
  }
  return rows;
}
