/**
 * Task P7T: counter terms f1…f3 of the n-chain ½(w1·…·wn − 1)², n = 10, 20, 40, by the routes
 *   taylor     gradient then compileCounterTermsForward (Taylor-mode passes over the ∇L program),
 *   auto       compileCounterTerms (the automatic choice: the smaller of the two programs),
 *   symbolic   counterTerms(L, 3) then compile (n ≤ P7T_SYMBOLIC_MAX_N, default 20: ~2 min at n = 40),
 * against two hand-written functions (bench/handwritten/chain.ts): `hand` (straight-line, the true limit)
 * and `hand-loop` (the same arithmetic in loops).
 *
 * Each n runs in a fresh process (so that one n's optimised code of the loop form does not serve another).
 * Build rows: seconds of derivation + code generation (the first build in the process, JIT warm-up
 * included). Evaluation rows: the functions are timed alternately, round by round (P7T_ROUNDS, default 9),
 * each round taking each function's best of 3 batches of ≥ 20 ms; a row's seconds is the median over the
 * rounds, its note the median of the per-round ratios to `hand`. Every function's values are checked against
 * the hand-written ones (relative 1e-12). P7T_NS overrides the list of n.
 */
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { gradient, loss, type Loss } from '../src/symbolic/index.ts';
import { compileCounterTerms, counterTerms } from '../src/theory/eom/index.ts';
import { compile, compileCounterTermsForward } from '../src/codegen/index.ts';
import { chainCounterTerms, chainCounterTermsUnrolled } from './handwritten/chain.ts';
import { BENCH_DIR, lastJson, runProcess } from './lib.ts';
import { join } from 'node:path';
import type { BenchRow, TaskOptions } from './types.ts';

export type Eval = (w: Float64Array, out: Float64Array) => void;

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : 0.5 * (s[m - 1]! + s[m]!);
}

type Runner = (f: Eval, w: Float64Array, out: Float64Array, calls: number) => void;

/** A calling loop of its own for each timed function (a fresh closure from new source), so that every call site stays monomorphic. */
function runner(): Runner {
  return new Function('f', 'w', 'out', 'calls', 'for (let i = 0; i < calls; i++) f(w, out);') as Runner;
}

/** seconds per call: calls doubled until a batch takes ≥ minMs, best of `batches` such batches */
function bestBatch(run: Runner, f: Eval, w: Float64Array, out: Float64Array, minMs: number, batches: number): number {
  let calls = 16;
  for (;;) {
    const t0 = performance.now();
    run(f, w, out, calls);
    if (performance.now() - t0 >= minMs) break;
    calls *= 2;
  }
  let best = Infinity;
  for (let b = 0; b < batches; b++) {
    const t0 = performance.now();
    run(f, w, out, calls);
    best = Math.min(best, (performance.now() - t0) / 1000 / calls);
  }
  return best;
}

/**
 * Alternated timing: per round, each function's best of 3 batches; returns per function the median
 * seconds over the rounds and the median of the per-round ratios to the function `ref`.
 */
export function alternated(fns: ReadonlyArray<readonly [string, Eval]>, w: Float64Array, outSize: number, ref: string, rounds: number): Map<string, { seconds: number; ratio: number }> {
  const out = new Float64Array(outSize);
  const runs = fns.map(() => runner());
  fns.forEach(([, f], k) => bestBatch(runs[k]!, f, w, out, 20, 1)); // warm-up
  const times = fns.map(() => [] as number[]);
  for (let r = 0; r < rounds; r++) fns.forEach(([, f], k) => times[k]!.push(bestBatch(runs[k]!, f, w, out, 20, 3)));
  const k0 = fns.findIndex(([name]) => name === ref);
  const res = new Map<string, { seconds: number; ratio: number }>();
  fns.forEach(([name], k) => res.set(name, { seconds: median(times[k]!), ratio: median(times[k]!.map((t, r) => t / times[k0]![r]!)) }));
  return res;
}

/** worst relative difference of f against ref at w (relative to the entry, floored at 1e-6 of the largest) */
export function worstRelative(f: Eval, ref: Eval, w: Float64Array, size: number): number {
  const a = new Float64Array(size), b = new Float64Array(size);
  f(w, a);
  ref(w, b);
  const big = Math.max(...b.map(Math.abs));
  let worst = 0;
  b.forEach((r, i) => (worst = Math.max(worst, Math.abs(a[i]! - r) / Math.max(Math.abs(r), 1e-6 * big))));
  return worst;
}

function chainLoss(n: number): Loss {
  const ws = Array.from({ length: n }, (_, i) => `w${i + 1}`);
  return loss(`(${ws.join('*')} - 1)^2/2`, { params: ws });
}

/** The rows of one n (run in a child process by runP7Taylor). */
export function p7TaylorRows(n: number, opts: { rounds: number; symbolicMaxN: number; log: (s: string) => void }): BenchRow[] {
  const L = chainLoss(n);
  const w = Float64Array.from({ length: n }, (_, i) => 1 + 0.05 * Math.cos(i + 1));
  const hand = chainCounterTermsUnrolled(n);
  const handLoop = chainCounterTerms(n);
  const rows: BenchRow[] = [];
  const builds: Array<[string, () => { fn: Eval; note: string }]> = [
    [
      'taylor',
      () => {
        const c = compileCounterTermsForward(gradient(L.expr, L.params), L.params, 3);
        return { fn: c.fn, note: `${c.stats.ops} ops` };
      },
    ],
    [
      'auto',
      () => {
        const c = compileCounterTerms(L, 3);
        return { fn: c.fn, note: `${c.route} route (${c.reason}); ${c.stats.ops} ops` };
      },
    ],
  ];
  if (n <= opts.symbolicMaxN) {
    builds.push([
      'symbolic',
      () => {
        const s = counterTerms(L, 3);
        const c = compile({ f1: s.f[0]!, f2: s.f[1]!, f3: s.f[2]! }, L.params);
        return { fn: c.fn, note: `${c.stats.ops} ops` };
      },
    ]);
  } else opts.log(`P7T: n=${n} symbolic route skipped (n > P7T_SYMBOLIC_MAX_N = ${opts.symbolicMaxN}; ~2 min at n = 40)`);
  const fns: Array<[string, Eval]> = [['hand', hand], ['hand-loop', handLoop]];
  const agrees = new Map<string, number>();
  for (const [tool, build] of builds) {
    opts.log(`P7T: n=${n} ${tool} build …`);
    const t0 = performance.now();
    const { fn, note } = build();
    const buildS = (performance.now() - t0) / 1000;
    const err = worstRelative(fn, hand, w, 3 * n);
    agrees.set(tool, err);
    rows.push({ task: `P7T-chain-n${n}-K3-build`, tool, seconds: buildS, size: 3 * n, agrees: err <= 1e-12, note: `${note}; worst rel. diff vs hand ${err.toExponential(1)}` });
    if (tool !== 'auto') fns.push([tool, fn]);
  }
  agrees.set('hand-loop', worstRelative(handLoop, hand, w, 3 * n));
  opts.log(`P7T: n=${n} evaluations, ${opts.rounds} alternated rounds …`);
  const t = alternated(fns, w, 3 * n, 'hand', opts.rounds);
  for (const [tool] of fns) {
    const m = t.get(tool)!;
    const err = agrees.get(tool) ?? 0;
    rows.push({
      task: `P7T-chain-n${n}-K3-eval`,
      tool,
      seconds: m.seconds,
      size: 3 * n,
      agrees: err <= 1e-12,
      note:
        tool === 'hand'
          ? 'hand-written, straight-line (the limit); median of per-round best-of-3 batches'
          : `${m.ratio.toFixed(2)}× hand (median of ${opts.rounds} alternated per-round ratios)`,
    });
  }
  return rows;
}

export async function runP7Taylor(opts: Partial<TaskOptions> = {}): Promise<BenchRow[]> {
  const log = opts.log ?? ((s: string) => void process.stderr.write(`${s}\n`));
  const ns = (process.env.P7T_NS ?? '10,20,40').split(',').map(Number);
  const rows: BenchRow[] = [];
  for (const n of ns) {
    log(`P7T: n=${n} (child process) …`);
    const r = await runProcess(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'p7taylor.ts'), '--child', String(n)], { timeoutS: 600 });
    if (r.code !== 0) {
      log(`P7T: n=${n} child failed: ${r.stderr.split('\n').slice(-3).join(' | ')}`);
      continue;
    }
    rows.push(...lastJson<BenchRow[]>(r.stdout));
  }
  return rows;
}

function envInt(name: string, fallback: number): number {
  const v = process.env[name];
  return v === undefined ? fallback : Number(v);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const rows = p7TaylorRows(Number(args[1]), { rounds: envInt('P7T_ROUNDS', 9), symbolicMaxN: envInt('P7T_SYMBOLIC_MAX_N', 20), log: (s) => process.stderr.write(`${s}\n`) });
    process.stdout.write(`${JSON.stringify(rows)}\n`);
  } else {
    const rows = await runP7Taylor({ log: (s) => process.stderr.write(`${s}\n`) });
    for (const r of rows) console.log(`${r.task.padEnd(24)} ${r.tool.padEnd(9)} ${r.seconds.toExponential(3)} s  size ${r.size}  ${r.agrees ? 'ok' : 'MISMATCH'}  ${r.note ?? ''}`);
  }
}
