/**
 * Task P7T: counter terms f1…f3 of the n-chain ½(w1·…·wn − 1)², n = 10, 20, 40, by three routes:
 *   symbolic  counterTerms(L, 3) then compile (the symbolic fields lowered to one program),
 *   taylor    gradient then compileCounterTermsForward (Taylor-mode passes over the ∇L program),
 *   hand      bench/handwritten/chain.ts (hand-written Taylor mode, O(n) per pass).
 * Rows: build seconds (derivation + code generation) and seconds per evaluation; every route's values
 * are checked against the hand-written ones (relative 1e-10). P7T_NS overrides the list of n.
 */
import { performance } from 'node:perf_hooks';
import { gradient, loss } from '../src/symbolic/index.ts';
import { counterTerms } from '../src/theory/eom/index.ts';
import { compile, compileCounterTermsForward } from '../src/codegen/index.ts';
import { chainCounterTerms } from './handwritten/chain.ts';
import type { BenchRow, TaskOptions } from './types.ts';

type Eval = (w: Float64Array, out: Float64Array) => void;

/** seconds per call: calls repeated until ≥ 0.2 s, best of 3 such batches */
function perEval(f: Eval, w: Float64Array, size: number): number {
  const out = new Float64Array(size);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    let calls = 0;
    const t0 = performance.now();
    let t = t0;
    while (t - t0 < 200) {
      for (let i = 0; i < 16; i++) f(w, out);
      calls += 16;
      t = performance.now();
    }
    best = Math.min(best, (t - t0) / 1000 / calls);
  }
  return best;
}

function worstRelative(f: Eval, ref: Eval, w: Float64Array, size: number): number {
  const a = new Float64Array(size), b = new Float64Array(size);
  f(w, a);
  ref(w, b);
  const big = Math.max(...b.map(Math.abs));
  let worst = 0;
  b.forEach((r, i) => (worst = Math.max(worst, Math.abs(a[i]! - r) / Math.max(Math.abs(r), 1e-6 * big))));
  return worst;
}

export async function runP7Taylor(opts: TaskOptions): Promise<BenchRow[]> {
  const ns = (process.env.P7T_NS ?? '10,20,40').split(',').map(Number);
  const rows: BenchRow[] = [];
  for (const n of ns) {
    const ws = Array.from({ length: n }, (_, i) => `w${i + 1}`);
    const L = loss(`(${ws.join('*')} - 1)^2/2`, { params: ws });
    const w = Float64Array.from({ length: n }, (_, i) => 1 + 0.05 * Math.cos(i + 1));
    const hand = chainCounterTerms(n);
    const routes: Array<[string, () => { fn: Eval; ops: number }]> = [
      ['taylor', () => {
        const c = compileCounterTermsForward(gradient(L.expr, L.params), L.params, 3);
        return { fn: c.fn, ops: c.js.split('\n').length };
      }],
      ['symbolic', () => {
        const s = counterTerms(L, 3);
        const c = compile({ f1: s.f[0]!, f2: s.f[1]!, f3: s.f[2]! }, L.params);
        return { fn: c.fn, ops: c.stats.ops };
      }],
      ['hand', () => ({ fn: hand, ops: 0 })],
    ];
    let handEval = NaN;
    for (const [tool, build] of routes) {
      opts.log(`P7T: n=${n} ${tool} …`);
      const t0 = performance.now();
      const { fn, ops } = build();
      const buildS = (performance.now() - t0) / 1000;
      const err = worstRelative(fn, hand, w, 3 * n);
      const ev = perEval(fn, w, 3 * n);
      if (tool === 'hand') handEval = ev;
      rows.push({ task: `P7T-chain-n${n}-K3-build`, tool, seconds: buildS, size: ops, agrees: err <= 1e-10, note: `size: ${tool === 'taylor' ? 'lines of JS' : 'ops'}; worst rel. err vs hand ${err.toExponential(1)}` });
      rows.push({ task: `P7T-chain-n${n}-K3-eval`, tool, seconds: ev, size: 3 * n, agrees: err <= 1e-10, note: 'seconds per evaluation (best of 3 batches ≥ 0.2 s)' });
    }
    for (const r of rows) if (r.task === `P7T-chain-n${n}-K3-eval` && r.tool !== 'hand') r.note += `; ${(r.seconds / handEval).toFixed(1)}× hand`;
  }
  return rows;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await runP7Taylor({ log: (s) => process.stderr.write(`${s}\n`) });
  for (const r of rows) console.log(`${r.task.padEnd(24)} ${r.tool.padEnd(9)} ${r.seconds.toExponential(3)} s  size ${r.size}  ${r.agrees ? 'ok' : 'MISMATCH'}  ${r.note ?? ''}`);
}
