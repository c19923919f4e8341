/**
 * eomkit's side of P1/P2 in a fresh Node process: `child.ts <task> <n> <mode> [variant]`, started by
 * bench/peers.ts on the built package (bench/eomkit/launch.ts) or with tsx on src/.
 * Modes:
 * - `idle`: loads everything a computing run loads, computes nothing (the process's memory baseline);
 * - `run:<W>`: the cold run (the first computation in this process), then W warm runs with fresh symbol
 *   names (no memo can hit; only the JIT is warm); prints {seconds, warmSeconds?, size, note?};
 * - `check:<peers.json>`: one computation, then every peer's strings read into the core and compared with
 *   it (bench/check.ts); prints {seconds, size, note?, checks}.
 * The task modules are imported before the clock starts (module loading is not part of the work).
 */
import { readFileSync } from 'node:fs';
import type { Expr } from '../../src/symbolic/expr.ts';
import { checkEntries, type CheckResult } from '../check.ts';
import { computeP1 } from '../p1.ts';
import { computeP2, computeP2Jvp, loadCounterTermsApi } from '../p2.ts';

interface Computed {
  seconds: number;
  size: number;
  results: Expr[];
  note?: string;
}

const [task, nText, mode = 'run:0', variant] = process.argv.slice(2);
const n = Number(nText ?? 10);

if (task !== 'P1' && task !== 'P2') {
  process.stderr.write(`child.ts: unknown task ${task} (P1 or P2)\n`);
  process.exit(2);
}
const variants: Record<string, ReadonlyArray<string | undefined>> = { P1: [undefined, 'diff-expand'], P2: [undefined, 'jvp'] };
if (!variants[task]!.includes(variant)) {
  process.stderr.write(`child.ts: unknown ${task} variant ${variant} (${variants[task]!.filter(Boolean).join(', ')}, or none for the headline)\n`);
  process.exit(2);
}
// everything the computation loads, loaded before any clock starts (and in the idle mode)
if (task === 'P2') await loadCounterTermsApi();

async function compute(prefix: string): Promise<Computed> {
  if (task === 'P1') {
    const r = computeP1(n, prefix, variant === 'diff-expand' ? 'diff-expand' : 'expand-first');
    return { seconds: r.seconds, size: r.size, results: r.entries, ...(r.note ? { note: r.note } : {}) };
  }
  const r = variant === 'jvp' ? computeP2Jvp(n, prefix) : await computeP2(n, prefix);
  return { seconds: r.seconds, size: r.size, results: r.f.flat(), ...(r.note ? { note: r.note } : {}) };
}

/** P2: the printed size of f4, as the peers report it (after the clock) */
async function f4Chars(results: readonly Expr[]): Promise<string> {
  const { toText } = await import('../../src/symbolic/print.ts');
  const chars = results.slice(3 * n).reduce((s, e) => s + toText(e).length, 0);
  return `f4: ${chars.toLocaleString('en-US')} chars printed`;
}

if (mode === 'idle') {
  console.log(JSON.stringify({ idle: true }));
} else if (mode.startsWith('run:')) {
  const warmRuns = Number(mode.slice(4));
  const cold = await compute('w');
  let warm = Infinity;
  for (let r = 0; r < warmRuns; r++) warm = Math.min(warm, (await compute(`x${r}_`)).seconds);
  console.log(JSON.stringify({ seconds: cold.seconds, ...(warmRuns > 0 ? { warmSeconds: warm } : {}), size: cold.size, ...(cold.note ? { note: cold.note } : {}) }));
} else if (mode.startsWith('check:')) {
  const c = await compute('w');
  const peers = JSON.parse(readFileSync(mode.slice(6), 'utf8')) as Record<string, string[]>;
  const checks: Record<string, CheckResult> = {};
  for (const [tool, entries] of Object.entries(peers)) checks[tool] = checkEntries(tool, c.results, entries);
  const note = [c.note, task === 'P2' ? await f4Chars(c.results) : undefined].filter(Boolean).join('; ');
  console.log(JSON.stringify({ seconds: c.seconds, size: c.size, ...(note ? { note } : {}), checks }));
} else {
  process.stderr.write(`child.ts: unknown mode ${mode} (idle, run:<W>, check:<peers.json>)\n`);
  process.exit(2);
}
