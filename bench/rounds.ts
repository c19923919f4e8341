/**
 * Alternated measurement of eomkit against a Python peer (tasks P6, P6L): `rounds` rounds, each timing
 * eomkit's side (in this process, after a JIT warm-up) and then running the peer script once
 * (single-threaded BLAS: OPENBLAS/OMP/MKL_NUM_THREADS=1); each side takes the best of its repetitions
 * within a round. A row's `seconds` is the median over the rounds of its per-round time; the peer's note
 * carries the median of the per-round ratios eomkit/peer (the figure to quote on this shared machine) and
 * each round's ratio. The kernel's GFLOP/s (eomkit's wasm product, numpy's `@`) is measured at each size
 * in each round and reported as the median too.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchRow } from './types.ts';
import { wasmMatrices } from '../src/numeric/kernels/gemm-wasm.ts';

const HERE = dirname(fileURLToPath(import.meta.url));

/** one measured point of eomkit's side: its row (seconds filled per round) keyed by `${task} ${size}` */
export interface OurPoint {
  task: string;
  size: number;
  /** runs the solve once, returns the row's note (norm, residual, iterations) */
  solve(): string;
  reps: number;
  warmups: number;
}

export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

/** best of `count` timed calls (seconds) after one untimed call */
export function bestOf(count: number, fn: () => void): number {
  fn();
  let best = Infinity;
  for (let r = 0; r < count; r++) {
    const t0 = performance.now();
    fn();
    best = Math.min(best, (performance.now() - t0) / 1000);
  }
  return best;
}

/** GFLOP/s of the wasm SIMD product C = A B at n (2n³ flops, best of a few), NaN without wasm SIMD */
export function kernelGflops(n: number): number {
  const wm = wasmMatrices(n, 3);
  if (!wm) return NaN;
  const [a, b, c] = wm.views as [Float64Array, Float64Array, Float64Array];
  for (let i = 0; i < n * n; i++) {
    a[i] = Math.sin(i);
    b[i] = Math.cos(i);
  }
  const reps = Math.max(3, Math.min(200, Math.round(2e7 / n ** 3)));
  return (2 * n ** 3) / bestOf(reps, () => wm.gemm(a, b, c)) / 1e9;
}

function runPeer(script: string, log: (s: string) => void): BenchRow[] | null {
  const env = { ...process.env, OPENBLAS_NUM_THREADS: '1', OMP_NUM_THREADS: '1', MKL_NUM_THREADS: '1' };
  const r = spawnSync('python3', [join(HERE, 'peers', script)], { encoding: 'utf8', timeout: 900_000, env });
  if (r.error || r.status !== 0) {
    log(`${script}: scipy peer skipped (${r.error ? r.error.message : (r.stderr || '').trim().split('\n').pop()})`);
    return null;
  }
  const lines = r.stdout.trim().split('\n');
  return JSON.parse(lines[lines.length - 1]!) as BenchRow[];
}

/**
 * Alternate eomkit's points and the peer script for `rounds` rounds. `agreeKey` extracts the compared
 * figure (a norm) from a note; the peer's row agrees when it matches eomkit's to 1e-9 relative.
 */
export function alternate(points: OurPoint[], script: string, rounds: number, agreeKey: RegExp, log: (s: string) => void): BenchRow[] {
  const key = (task: string, size: number | string): string => `${task} ${size}`;
  const ours = new Map<string, { times: number[]; gflops: number[]; note: string }>();
  const peers = new Map<string, { row: BenchRow; times: number[]; gflops: number[] }>();
  let peerMissing = false;
  for (const p of points) for (let w = 0; w < p.warmups; w++) p.solve(); // JIT warm-up (numpy: its own first call)
  for (let round = 0; round < rounds; round++) {
    for (const p of points) {
      let note = '';
      const t = bestOf(p.reps, () => void (note = p.solve()));
      const e = ours.get(key(p.task, p.size)) ?? { times: [], gflops: [], note };
      e.times.push(t);
      e.gflops.push(kernelGflops(p.size));
      e.note = note;
      ours.set(key(p.task, p.size), e);
    }
    if (peerMissing) continue;
    const rows = runPeer(script, log);
    if (!rows) {
      peerMissing = true;
      continue;
    }
    for (const r of rows) {
      const e = peers.get(key(r.task, r.size)) ?? { row: r, times: [], gflops: [] };
      e.times.push(r.seconds);
      const g = /dgemm ([0-9.]+) GFLOP\/s/.exec(r.note ?? '');
      if (g) e.gflops.push(Number(g[1]));
      e.row = r;
      peers.set(key(r.task, r.size), e);
    }
    log(`${script}: round ${round + 1}/${rounds} done`);
  }
  const out: BenchRow[] = [];
  // the ratio to quote: the median of the per-round ratios eomkit/peer (the table's column and eomkit's note)
  const perRound = (k: string): number[] => {
    const mine = ours.get(k);
    const e = peers.get(k);
    return mine && e ? e.times.map((t, i) => mine.times[i]! / t) : [];
  };
  for (const p of points) {
    const k = key(p.task, p.size);
    const e = ours.get(k)!;
    const rs = perRound(k);
    const peer = peers.get(k);
    out.push({
      task: p.task,
      tool: 'eomkit-js',
      seconds: median(e.times),
      size: p.size,
      note: `${e.note}; wasm kernel ${median(e.gflops).toFixed(1)} GFLOP/s; median of ${rounds} rounds`,
      ...(rs.length && peer ? { ratio: median(rs), versus: peer.row.tool } : {}),
    });
  }
  for (const [k, e] of peers) {
    const mine = ours.get(k);
    const r = e.row;
    const ratios = mine ? e.times.map((t, i) => mine.times[i]! / t) : [];
    const m = agreeKey.exec(r.note ?? '');
    const mm = mine ? agreeKey.exec(mine.note) : null;
    if (m && mm) r.agrees = Math.abs(Number(m[1]) / Number(mm[1]) - 1) < 1e-9;
    const base = (r.note ?? '').replace(/; dgemm [0-9.]+ GFLOP\/s/, '');
    const ratioNote = ratios.length ? `; eomkit/scipy median of per-round ratios ${median(ratios).toFixed(2)} (${ratios.map((x) => x.toFixed(2)).join(', ')})` : '';
    out.push({ ...r, seconds: median(e.times), ...(ratios.length ? { ratio: median(ratios) } : {}), note: `${base}; numpy dgemm ${e.gflops.length ? median(e.gflops).toFixed(1) : '?'} GFLOP/s, 1 thread${ratioNote}` });
  }
  return out;
}

/** rounds of the alternation (EOMKIT_BENCH_ROUNDS overrides; 3 by default) */
export function benchRounds(): number {
  const r = Number(process.env['EOMKIT_BENCH_ROUNDS'] ?? 3);
  return Number.isInteger(r) && r > 0 ? r : 3;
}
