/**
 * Task P7: growth with n and K (bench/README.md). Counter terms f_1 … f_K of
 *   chain:   ½(w1·…·wn − 1)²,                       n = 10, 20, 40; K = 3, 4
 *   lse:     Σ_{d=1..3} log(1 + exp(a_d·w)), a_d small integers (−2 … 2), n = 10, 20, 40; K = 3, 4, 5
 * compact and expanded, each run in a fresh process under /usr/bin/time (peak resident memory), with a
 * per-run time cap. eomkit runs as a user gets it: plain `node` on the built package (bench/eomkit/p7child.mjs
 * over dist/, no TypeScript loader, no V8 flags). Peers: the chain, expanded, in SymPy's polynomial ring
 * (bench/peers/p7_sympy_ring.py) and GiNaC (bench/ginac/p2.cpp, K = 3, 4); the chain, compact, in GiNaC
 * (bench/ginac/p7lse.cpp with family `chain`: the product-rule jvp route without expansion); the log-sum-exp
 * family in GiNaC (bench/ginac/p7lse.cpp, compact and expanded) and in SymPy's ring over the three sigmoids
 * (bench/peers/p7_sympy_ring_lse.py, expanded: a hand reduction, values compared, not forms).
 * Agreement: chain expanded, equal term counts (the same canonical polynomial); compact rows and log-sum-exp,
 * f values at a fixed point to 1e-10 relative (compact term counts depend on the route and the canonical form).
 * Memory: the peak resident set of each process, and the peak above that runtime's idle baseline (the same
 * program doing no work: `idle` mode), in the row (peakMB, workMB) and in the note with the ratio of each to
 * eomkit's.
 * For each configuration the tools run one after another (alternated), for P7_ROUNDS rounds (default 3;
 * one when a tool's first round took over 5 s); the row is the median time, and the ratio the median of
 * per-round ratios. The growth exponent per tool is the least-squares slope of log time against log n.
 * The chain at n = 40, K = 4 (millions of terms) is beyond the cap and not run. eomkit's compact row notes its
 * time over eomkit's expanded row (compact/expanded: the ratio of the two medians).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_DIR, ginacBinary, runProcess, sympyMissing } from './lib.ts';
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
  /** wall-clock seconds of the whole process (decides the number of rounds) */
  wall: number;
  size: number;
  peakMB: number;
  values?: number[][];
}

const CAP_S = Number(process.env.P7_CAP_S ?? 60);
/** configurations whose slowest tool took longer than this in round 1 run one round only */
const LONG_S = 5;

/** the JSON objects a tool printed, one a line (a tool may print its time before its values) */
function jsonLines(stdout: string): Array<{ seconds: number; size: number; values?: number[][] }> {
  return stdout
    .split('\n')
    .filter((l) => l.trim().startsWith('{'))
    .map((l) => JSON.parse(l) as { seconds: number; size: number; values?: number[][] });
}

/**
 * One run under /usr/bin/time (peak resident set of the tool's process tree) and `timeout -s KILL` (the cap
 * kills the tool itself, not only the wrapper). A tool that printed its time but was stopped while
 * evaluating its result at the point keeps its time, without values.
 */
async function timed(cmd: string, args: string[]): Promise<Measured | string> {
  const t0 = performance.now();
  const r = await runProcess('/usr/bin/time', ['-f', 'maxrss_kb=%M', 'timeout', '-s', 'KILL', String(CAP_S), cmd, ...args], { timeoutS: CAP_S + 60 });
  const wall = (performance.now() - t0) / 1000;
  const outs = jsonLines(r.stdout);
  const m = /maxrss_kb=(\d+)/.exec(r.stderr);
  const killed = r.timedOut || r.code === 137 || r.code === 124;
  // a killed `timeout` reports its own resident set, not the tool's
  const peakMB = m && !killed ? Number(m[1]) / 1024 : NaN;
  if (killed && outs.length === 0) return `over the ${CAP_S} s cap`;
  if (!killed && r.code !== 0) return r.stderr.trim().split('\n').slice(-2).join(' | ').slice(0, 120) || `exit ${r.code}`;
  const out = outs[outs.length - 1]!;
  return { seconds: out.seconds, wall, size: out.size, peakMB, ...(out.values ? { values: out.values } : {}) };
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

/** The fixed point w1 … wn at which every tool's f values are compared (away from the chain's minimum). */
export function p7Point(family: P7Family, n: number): number[] {
  return Array.from({ length: n }, (_, j) => (family === 'chain' ? 1 + (((j * 3) % 7) - 3) / 50 : (((j * 5) % 11) - 5) / 20));
}

/** largest |a − b| / max(1, |b|) over every f_k,i, or Infinity when the shapes differ */
export function valuesGap(a: readonly (readonly number[])[], b: readonly (readonly number[])[]): number {
  if (a.length !== b.length) return Infinity;
  let gap = 0;
  for (let k = 0; k < a.length; k++) {
    if (a[k]!.length !== b[k]!.length) return Infinity;
    for (let i = 0; i < a[k]!.length; i++) gap = Math.max(gap, Math.abs(a[k]![i]! - b[k]![i]!) / Math.max(1, Math.abs(b[k]![i]!)));
  }
  return Number.isNaN(gap) ? Infinity : gap;
}

/** dist/ older than any file of src/: the child would measure stale code */
function distIsStale(root: string): boolean {
  const built = join(root, 'dist', 'index.js');
  if (!existsSync(built)) return true;
  const t = statSync(built).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((d) => (d.isDirectory() ? newer(join(dir, d.name)) : statSync(join(dir, d.name)).mtimeMs > t));
  return newer(join(root, 'src'));
}

export async function runP7(opts?: TaskOptions): Promise<BenchRow[]> {
  const log = opts?.log ?? ((s: string) => process.stderr.write(s + '\n'));
  const rounds = Math.max(1, Number(process.env.P7_ROUNDS ?? 3));
  const root = join(BENCH_DIR, '..');
  if (distIsStale(root)) {
    log('P7: building dist/ (npm run build) for the plain-node child …');
    const b = await runProcess('npm', ['run', 'build', '--silent'], { timeoutS: 600 });
    if (b.code !== 0) {
      log(`P7: skipped: npm run build failed: ${b.stderr.slice(0, 300)}`);
      return [];
    }
  }
  const node = process.execPath;
  const child = join(BENCH_DIR, 'eomkit', 'p7child.mjs');
  const noSympy = await sympyMissing();
  const ring = noSympy ? undefined : join(BENCH_DIR, 'peers', 'p7_sympy_ring.py');
  const ringLse = noSympy ? undefined : join(BENCH_DIR, 'peers', 'p7_sympy_ring_lse.py');
  const ginac = await ginacBinary('p2');
  const ginacLse = await ginacBinary('p7lse');
  if (ginac.missing) log(`P7: GiNaC rows skipped: ${ginac.missing}`);
  if (ginacLse.missing) log(`P7: GiNaC log-sum-exp and compact chain rows skipped: ${ginacLse.missing}`);

  // idle baselines: the same programs doing no work
  const baseline = new Map<string, number>();
  const idle = async (tool: string, cmd: string, args: string[]): Promise<void> => {
    const peaks: number[] = [];
    for (let r = 0; r < 3; r++) {
      const m = await timed(cmd, args);
      if (typeof m !== 'string') peaks.push(m.peakMB);
    }
    if (peaks.length > 0) baseline.set(tool, median(peaks));
  };
  await idle('eomkit', node, [child, p7Formula('lse', 10), '10', '3', 'idle', '']);
  if (ginacLse.path) await idle('ginac', ginacLse.path, ['10', '3', 'idle', '']);
  if (ringLse) await idle('sympy-ring', 'python3', [ringLse, '10', '3', 'idle']);
  log(`P7: idle baselines (peak RSS of the same program doing no work): ${[...baseline].map(([t, mb]) => `${t} ${mb.toFixed(0)} MB`).join(', ')}`);

  const rows: BenchRow[] = [];
  const configs: Array<[P7Family, number, number]> = [];
  for (const K of [3, 4]) for (const n of [10, 20, 40]) if (!(K === 4 && n === 40)) configs.push(['chain', n, K]);
  for (const K of [3, 4, 5]) for (const n of [10, 20, 40]) configs.push(['lse', n, K]);
  const series = new Map<string, Array<[number, number]>>();

  for (const [family, n, K] of configs) {
    const point = p7Point(family, n).join(',');
    for (const mode of ['compact', 'expanded'] as const) {
      const tools: Array<[string, () => Promise<Measured | string>]> = [['eomkit', () => timed(node, [child, p7Formula(family, n), String(n), String(K), mode, point])]];
      if (family === 'chain' && mode === 'expanded') {
        if (ring) tools.push(['sympy-ring', () => timed('python3', [ring, String(n), String(K)])]);
        // p2.cpp <n> <warm repetitions> <K>: no warm repetitions here (one computation per process)
        if (ginac.path) tools.push(['ginac', () => timed(ginac.path!, [String(n), '0', String(K)])]);
      }
      if (family === 'chain' && mode === 'compact' && ginacLse.path) tools.push(['ginac', () => timed(ginacLse.path!, [String(n), String(K), mode, point, 'chain'])]);
      if (family === 'lse') {
        if (ginacLse.path) tools.push(['ginac', () => timed(ginacLse.path!, [String(n), String(K), mode, point])]);
        if (mode === 'expanded' && ringLse) tools.push(['sympy-ring', () => timed('python3', [ringLse, String(n), String(K), point])]);
      }
      const results = new Map<string, Measured[]>();
      const failures = new Map<string, string>();
      let roundsHere = rounds;
      for (let r = 0; r < roundsHere; r++) {
        for (const [tool, run] of tools) {
          if (failures.has(tool)) continue;
          log(`P7: ${family} n=${n} K=${K} ${mode}: ${tool} (round ${r + 1}/${roundsHere}) …`);
          const m = await run();
          if (typeof m === 'string') failures.set(tool, m);
          else {
            results.set(tool, [...(results.get(tool) ?? []), m]);
            if (r === 0 && m.wall > LONG_S) roundsHere = 1;
          }
        }
        if (r === 0 && failures.size > 0) roundsHere = 1;
      }
      const ours = results.get('eomkit');
      const task = `P7-${family}-n${n}-K${K}-${mode}`;
      const ourPeak = ours ? Math.max(...ours.map((o) => o.peakMB)) : NaN;
      const work = (tool: string, peak: number): number => peak - (baseline.get(tool) ?? 0);
      for (const [tool] of tools) {
        const ms = results.get(tool);
        if (!ms || failures.has(tool)) {
          rows.push({ task, tool, seconds: NaN, size: 'not finished', note: failures.get(tool) ?? 'no result' });
          continue;
        }
        const t = median(ms.map((m) => m.seconds));
        const peak = Math.max(...ms.map((m) => m.peakMB));
        let agrees: boolean | undefined;
        let note = Number.isFinite(peak) ? `peak ${peak.toFixed(0)} MB (${work(tool, peak).toFixed(0)} MB above idle)` : 'peak not measured (stopped at the cap)';
        if (tool !== 'eomkit' && ours) {
          if (family === 'chain' && mode === 'expanded') agrees = ms[0]!.size === ours[0]!.size;
          else if (ms[0]!.values === undefined) note += `; f values not checked: evaluating the result at the point ran past the ${CAP_S} s cap`;
          else {
            const gap = valuesGap(ours[0]!.values ?? [], ms[0]!.values);
            agrees = gap <= 1e-10;
            note += `; f values at the point agree to ${gap.toExponential(1)}`;
          }
          const ratios = ms.map((m, i) => (ours[i] ?? ours[0]!).seconds / m.seconds);
          note += `; eomkit/${tool} ${median(ratios).toFixed(2)}× time (median of ${ratios.length} per-round ratio${ratios.length > 1 ? 's' : ''})`;
          if (Number.isFinite(peak)) note += `, memory ${(ourPeak / peak).toFixed(2)}× peak, ${(work('eomkit', ourPeak) / Math.max(work(tool, peak), 0.5)).toFixed(2)}× above idle`;
        }
        const key = `${tool} ${family} K=${K} ${mode}`;
        series.set(key, [...(series.get(key) ?? []), [n, t]]);
        const pts = series.get(key)!;
        if (n === 40 || (family === 'chain' && K === 4 && n === 20)) {
          if (pts.length >= 2) note += `; time ∝ n^${growthExponent(pts).toFixed(1)} over n = ${pts.map(([x]) => x).join(', ')}`;
        }
        const memory = Number.isFinite(peak) ? { peakMB: peak, workMB: work(tool, peak) } : {};
        rows.push({ task, tool, seconds: t, size: ms[0]!.size, ...(agrees !== undefined ? { agrees } : {}), ...memory, note });
      }
    }
    // eomkit's compact route against its expanded route for the same configuration (the medians of the two
    // rows: the modes run one after the other, not alternated round by round)
    const compact = rows.find((r) => r.task === `P7-${family}-n${n}-K${K}-compact` && r.tool === 'eomkit');
    const expanded = rows.find((r) => r.task === `P7-${family}-n${n}-K${K}-expanded` && r.tool === 'eomkit');
    if (compact && expanded && Number.isFinite(compact.seconds) && Number.isFinite(expanded.seconds)) {
      compact.note = `${compact.note ?? ''}; compact/expanded ${(compact.seconds / expanded.seconds).toFixed(2)}× (medians of the two eomkit rows)`;
    }
  }
  return rows;
}
