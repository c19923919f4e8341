/**
 * Task P3 (bench/README.md): counter terms of a network, to numeric code.
 *
 * Two problems, each: (1) time to derive the outputs and build a callable function, cold (a fresh process
 * per run, best of two), eomkit against SymPy `diff` + `cse` + `lambdify(cse=True)` (bench/peers/p3_sympy.py);
 * (2) seconds per evaluation at a fixed point of: the generated function, a hand-written one
 * (bench/handwritten), mathjs `compile().evaluate` (of eomkit's CSE'd program as a block of assignments),
 * and SymPy's lambdified function.
 *   P3:       f1, f2, f3 of the 2-3-1 tanh network (39 outputs)
 *   chain10:  g, ξ1 = −f2, ξ2 = −f3 of ½(w1·…·w10 − 1)² (30 outputs)
 * eomkit appears twice: `eomkit` derives through the engine API (`counterTerms` of src/theory/eom) and
 * `eomkit-forward` through forward-mode directional derivatives (src/codegen/directional.ts).
 *
 * `runP3()` returns the rows; `tsx bench/p3.ts` prints them as a table; `tsx bench/p3.ts --child <problem>
 * <route>` is the cold derive + build of one route (one JSON line).
 */
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { type Expr, type Loss, type Sym, gradient, loss, mlpLoss, scale, Rational } from '../src/symbolic/index.ts';
import { counterTerms } from '../src/theory/eom/index.ts';
import { type Compiled, compile, compileCounterTermsForward, counterTermsForward } from '../src/codegen/index.ts';
import { p3Handwritten, p3HandwrittenUnrolled } from './handwritten/p3.ts';
import { chain10Handwritten } from './handwritten/chain10.ts';
import { chainCounterTermsUnrolled } from './handwritten/chain.ts';
import { alternated } from './p7taylor.ts';
import type { BenchRow } from './types.ts';
import { BENCH_DIR, lastJson, runProcess, sympyMissing } from './lib.ts';

export type Problem = 'p3' | 'chain10';
export type Route = 'counterTerms' | 'forward' | 'taylor';

/**
 * Per problem: the hand-written function in loops (`handwritten`) and straight-line (`unrolled`, the limit
 * for generated code). `fSign`: the sign of f1…f3 relative to the problem's outputs (chain10's outputs are
 * g = −f1, ξ1 = −f2, ξ2 = −f3; the Taylor route and the unrolled chain give f1…f3).
 */
const PROBLEMS: Record<
  Problem,
  { label: string; outputs: number; theta: () => Float64Array; handwritten: (t: Float64Array, o: Float64Array) => void; unrolled: (t: Float64Array, o: Float64Array) => void; fSign: number }
> = {
  p3: { label: 'P3', outputs: 39, theta: () => Float64Array.from({ length: 13 }, (_, i) => 0.5 * Math.sin(i + 1)), handwritten: p3Handwritten, unrolled: p3HandwrittenUnrolled, fSign: 1 },
  chain10: {
    label: 'P3-chain10',
    outputs: 30,
    theta: () => Float64Array.from({ length: 10 }, (_, i) => 1 + 0.05 * Math.sin(i + 1)),
    handwritten: chain10Handwritten,
    unrolled: chainCounterTermsUnrolled(10),
    fSign: -1,
  },
};

export function p3Loss(): Loss {
  return mlpLoss({ sizes: [2, 3, 1], activation: 'tanh', X: [[1, 0], [0, 1], [1, 1], [-1, 0.5]], Y: [1, -1, 0, 0.5] });
}

export function chainLoss(n = 10): Loss {
  const names = Array.from({ length: n }, (_, i) => `w${i + 1}`);
  return loss(`1/2*(${names.join('*')} - 1)^2`, { params: names });
}

/** The outputs of a problem by a route: P3 → f1, f2, f3; chain10 → g, ξ1, ξ2. */
export function deriveOutputs(problem: Problem, route: Route): { outputs: Record<string, Expr[]>; params: readonly Sym[] } {
  const L = problem === 'p3' ? p3Loss() : chainLoss();
  let f: Expr[][];
  if (route === 'counterTerms') f = counterTerms(L, 3).f;
  else f = counterTermsForward(L.params, gradient(L.expr, L.params), 3);
  if (problem === 'p3') return { outputs: { f1: f[0]!, f2: f[1]!, f3: f[2]! }, params: L.params };
  const neg = (v: Expr[]) => v.map((x) => scale(x, Rational.MINUS_ONE));
  return { outputs: { g: neg(f[0]!), xi1: neg(f[1]!), xi2: neg(f[2]!) }, params: L.params };
}

/** Derive + build in this process; seconds of each step (Taylor route: the gradient, then its passes compiled). */
export function deriveAndBuild(problem: Problem, route: Route): { compiled: Compiled; deriveS: number; buildS: number } {
  const t0 = performance.now();
  if (route === 'taylor') {
    const L = problem === 'p3' ? p3Loss() : chainLoss();
    const g = gradient(L.expr, L.params);
    const t1 = performance.now();
    const compiled = compileCounterTermsForward(g, L.params, 3, { name: `${problem}_taylor` });
    return { compiled, deriveS: (t1 - t0) / 1000, buildS: (performance.now() - t1) / 1000 };
  }
  const { outputs, params } = deriveOutputs(problem, route);
  const t1 = performance.now();
  const compiled = compile(outputs, params, { name: `${problem}_${route}` });
  const t2 = performance.now();
  return { compiled, deriveS: (t1 - t0) / 1000, buildS: (t2 - t1) / 1000 };
}

/** Seconds per call of f, measured for about `budgetS` after a warm-up. */
export function secondsPerEval(f: () => void, budgetS = 1): number {
  const warm = performance.now();
  while (performance.now() - warm < 300) for (let i = 0; i < 100; i++) f();
  let n = 0;
  const t0 = performance.now();
  let el = 0;
  let batch = 100;
  while (el < budgetS * 1000) {
    for (let i = 0; i < batch; i++) f();
    n += batch;
    el = performance.now() - t0;
    if (el < 50) batch *= 2;
  }
  return el / 1000 / n;
}

/** eomkit's CSE'd program as a mathjs block of assignments (t0 = …; o_0 = …). */
function mathjsProgram(c: Compiled, params: readonly Sym[]): string {
  // one function body (no parts), whatever its size
  const single = compile({}, params, { program: c.program, partSize: Infinity });
  const lines: string[] = [];
  for (const line of single.js.split('\n')) {
    const l = line.trim();
    let m: RegExpExecArray | null;
    if ((m = /^const (t\d+) = (.*);$/.exec(l))) lines.push(`${m[1]} = ${m[2]}`);
    else if ((m = /^out\[(\d+)\] = (.*);$/.exec(l))) lines.push(`o_${m[1]} = ${m[2]}`);
  }
  return lines.join('\n').replace(/Math\./g, '');
}

interface SympyResult {
  derive_s: number;
  cse_s: number;
  lambdify_s: number;
  seconds: number;
  evals_per_s: number;
  values: number[];
  size: number;
  sympy: string;
}

function agreement(a: ArrayLike<number>, ref: ArrayLike<number>): { agrees: boolean; worst: number } {
  let big = 0;
  for (let i = 0; i < ref.length; i++) big = Math.max(big, Math.abs(ref[i]!));
  let worst = 0;
  for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(a[i]! - ref[i]!) / Math.max(Math.abs(ref[i]!), 1e-3 * big));
  return { agrees: a.length === ref.length && worst <= 1e-9, worst };
}

const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toPrecision(2));

export async function runP3(opts: { log?: (line: string) => void; problems?: Problem[] } = {}): Promise<BenchRow[]> {
  const log = opts.log ?? ((l: string) => void process.stderr.write(`${l}\n`));
  const rows: BenchRow[] = [];
  const sympyGone = await sympyMissing();
  if (sympyGone) log(`P3: SymPy rows skipped (${sympyGone})`);
  let mathjs: typeof import('mathjs') | undefined;
  try {
    mathjs = await import('mathjs');
  } catch {
    log('P3: mathjs rows skipped (mathjs not installed)');
  }
  for (const problem of opts.problems ?? (['p3', 'chain10'] as const)) {
    const P = PROBLEMS[problem];
    const size = P.outputs;
    // --- cold derive + build, each route in fresh processes (best of two)
    const cold: Partial<Record<Route, { seconds: number; deriveS: number; buildS: number; ops: number }>> = {};
    for (const route of ['counterTerms', 'forward', 'taylor'] as const) {
      let best: { seconds: number; deriveS: number; buildS: number; ops: number } | undefined;
      for (let k = 0; k < 2; k++) {
        const r = await runProcess(process.execPath, ['--import', 'tsx', join(BENCH_DIR, 'p3.ts'), '--child', problem, route], { timeoutS: 300 });
        if (r.code !== 0) {
          log(`P3 ${problem} ${route}: child failed: ${r.stderr.split('\n').slice(0, 3).join(' | ')}`);
          continue;
        }
        const j = lastJson<{ seconds: number; deriveS: number; buildS: number; ops: number }>(r.stdout);
        if (!best || j.seconds < best.seconds) best = j;
      }
      if (best) cold[route] = best;
    }
    let sympy: SympyResult | undefined;
    if (!sympyGone) {
      log(`P3 ${problem}: SymPy (diff + cse + lambdify) …`);
      const r = await runProcess('python3', [join(BENCH_DIR, 'peers', 'p3_sympy.py'), problem], { timeoutS: 900 });
      if (r.code === 0) sympy = lastJson<SympyResult>(r.stdout);
      else log(`P3 ${problem}: SymPy failed or timed out: ${r.stderr.split('\n').slice(-3).join(' | ')}`);
    }
    const tools: Array<[string, Route]> = [
      ['eomkit', 'counterTerms'],
      ['eomkit-forward', 'forward'],
      ['eomkit-taylor', 'taylor'],
    ];
    for (const [tool, route] of tools) {
      const c = cold[route];
      if (!c) continue;
      rows.push({
        task: `${P.label}-derive`,
        tool,
        seconds: c.seconds,
        size,
        note: `derive ${fmt(c.deriveS * 1000)} ms + build ${fmt(c.buildS * 1000)} ms (${c.ops} ops), cold process, best of 2${sympy ? `; SymPy/this = ${fmt(sympy.seconds / c.seconds)}×` : ''}`,
      });
    }
    if (sympy) {
      rows.push({
        task: `${P.label}-derive`,
        tool: 'sympy',
        seconds: sympy.seconds,
        size: sympy.size,
        note: `SymPy ${sympy.sympy}: diff ${fmt(sympy.derive_s)} s + lambdify(cse=True) ${fmt(sympy.lambdify_s)} s (cse alone ${fmt(sympy.cse_s)} s)`,
      });
    }
    // --- evaluations: eomkit's functions and the hand-written ones timed alternately, round by round
    const theta = P.theta();
    const ref = new Float64Array(size);
    P.handwritten(theta, ref);
    const evalRows: BenchRow[] = [];
    const signed = (f: (t: Float64Array, o: Float64Array) => void, sign: number) => {
      const o = new Float64Array(size);
      f(theta, o);
      return sign === 1 ? o : o.map((x) => -x);
    };
    const timed: Array<readonly [string, (t: Float64Array, o: Float64Array) => void]> = [
      ['handwritten-unrolled', P.unrolled],
      ['handwritten', P.handwritten],
    ];
    const checks = new Map<string, { agrees: boolean; worst: number }>([
      ['handwritten-unrolled', agreement(signed(P.unrolled, P.fSign), ref)],
      ['handwritten', { agrees: true, worst: 0 }],
    ]);
    const built = new Map<string, Compiled>();
    for (const [tool, route] of tools) {
      const { compiled } = deriveAndBuild(problem, route);
      built.set(tool, compiled);
      timed.push([tool, compiled.fn]);
      checks.set(tool, agreement(signed(compiled.fn, route === 'taylor' ? P.fSign : 1), ref));
    }
    const rounds = Number(process.env.P3_ROUNDS ?? 9);
    log(`P3 ${problem}: evaluations, ${rounds} alternated rounds …`);
    const t = alternated(timed, theta, size, 'handwritten-unrolled', rounds);
    const handS = t.get('handwritten-unrolled')!.seconds;
    for (const [tool] of timed) {
      const m = t.get(tool)!;
      const c = built.get(tool);
      const ag = checks.get(tool)!;
      evalRows.push({
        task: `${P.label}-eval`,
        tool,
        seconds: m.seconds,
        size,
        agrees: ag.agrees,
        note:
          tool === 'handwritten-unrolled'
            ? `${fmt(1 / m.seconds / 1e6)} M evals/s (bench/handwritten, straight-line: the limit)`
            : `${fmt(1 / m.seconds / 1e6)} M evals/s, ${m.ratio.toFixed(2)}× hand-written straight-line (median of ${rounds} alternated per-round ratios)` +
              (c ? `; ${c.stats.ops} ops, ${c.stats.temps} temporaries; max rel. diff ${ag.worst.toExponential(1)}` : ' (bench/handwritten, loops)'),
      });
    }
    const forward = built.get('eomkit-forward');
    if (mathjs && forward) {
      const prog = mathjsProgram(forward, forward.params);
      const code = mathjs.compile(prog);
      const scope: Record<string, number> = {};
      const run = () => {
        forward.params.forEach((p, i) => (scope[p.name] = theta[i]!));
        code.evaluate(scope);
      };
      run();
      const mv = Array.from({ length: size }, (_, i) => scope[`o_${i}`]!);
      const agm = agreement(mv, ref);
      const ms = secondsPerEval(run, 1);
      evalRows.push({
        task: `${P.label}-eval`,
        tool: 'mathjs',
        seconds: ms,
        size,
        agrees: agm.agrees,
        note: `compile().evaluate of eomkit-forward's CSE'd program (${prog.split('\n').length} assignments): ${fmt(1 / ms / 1e3)} k evals/s, ${fmt(ms / handS)}× hand-written`,
      });
    }
    if (sympy) {
      const s = 1 / sympy.evals_per_s;
      const ag = agreement(sympy.values, ref);
      evalRows.push({ task: `${P.label}-eval`, tool: 'sympy', seconds: s, size, agrees: ag.agrees, note: `lambdify(cse=True), 'math': ${fmt(sympy.evals_per_s / 1e3)} k evals/s, ${fmt(s / handS)}× hand-written` });
    }
    rows.push(...evalRows);
  }
  return rows;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args[0] === '--child') {
    const problem = args[1] as Problem;
    const route = args[2] as Route;
    const t0 = performance.now();
    const r = deriveAndBuild(problem, route);
    const seconds = (performance.now() - t0) / 1000;
    process.stdout.write(`${JSON.stringify({ seconds, deriveS: r.deriveS, buildS: r.buildS, ops: r.compiled.stats.ops })}\n`);
    return;
  }
  const problems = args.filter((a) => a === 'p3' || a === 'chain10') as Problem[];
  const rows = await runP3({ problems: problems.length ? problems : undefined });
  for (const r of rows) console.log(`${r.task.padEnd(18)} ${r.tool.padEnd(15)} ${r.seconds.toExponential(3).padStart(10)} s  size ${String(r.size).padEnd(4)} ${r.agrees === false ? 'DISAGREES ' : ''}${r.note ?? ''}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
