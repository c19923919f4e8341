/**
 * eomkit's side of a task, in a fresh Node process: `child.ts <task> <n> <peers.json | -> <warm runs>`.
 * 1. the cold run (the first computation in this process) → row `eomkit`;
 * 2. warm runs with fresh symbol names (no memo can hit; the JIT is warm) → row `eomkit-warm` (their best);
 * 3. only then, the peers' strings are read into the core and compared with the cold run's results.
 * Prints one JSON object {rows, checks} on stdout.
 */
import { readFileSync } from 'node:fs';
import type { Expr } from '../../src/symbolic/expr.ts';
import type { BenchRow } from '../types.ts';
import { checkEntries, type CheckResult } from '../check.ts';

interface Computed {
  seconds: number;
  size: number;
  results: Expr[];
  note?: string;
}

const [task, nText, peersArg, warmText, variant] = process.argv.slice(2);
const tool = variant ? `eomkit-${variant}` : 'eomkit';
const peersFile = peersArg && peersArg !== '-' ? peersArg : undefined;
const warmRuns = Number(warmText ?? 3);
const n = Number(nText ?? 10);

async function compute(prefix: string): Promise<Computed> {
  switch (task) {
    case 'P1': {
      const { computeP1 } = await import('../p1.ts');
      const r = computeP1(n, prefix, variant === 'expand-first');
      return { seconds: r.seconds, size: r.size, results: r.entries, ...(r.note ? { note: r.note } : {}) };
    }
    case 'P2': {
      const { computeP2, computeP2Jvp } = await import('../p2.ts');
      const r = variant === 'jvp' ? computeP2Jvp(n, prefix) : await computeP2(n, prefix);
      return { seconds: r.seconds, size: r.size, results: r.f.flat(), note: r.note };
    }
    default:
      throw new Error(`unknown task ${task}`);
  }
}

// import the task modules before the clock starts (module loading is not part of the work)
if (task === 'P1') await import('../p1.ts');
else {
  await import('../p2.ts');
  await import('../../src/theory/eom/index.ts').catch(() => undefined);
}

const cold = await compute('w');
let warm = Infinity;
for (let r = 0; r < warmRuns; r++) warm = Math.min(warm, (await compute(`x${r}_`)).seconds);

const checks: Record<string, CheckResult> = {};
const peers = peersFile ? (JSON.parse(readFileSync(peersFile, 'utf8')) as Record<string, string[]>) : {};
for (const [tool, entries] of Object.entries(peers)) checks[tool] = checkEntries(tool, cold.results, entries);

// P2: printed size of f4, as the peers report it (after the clock; the printer is optional)
if (task === 'P2') {
  try {
    const { toText } = await import('../../src/symbolic/print.ts');
    const chars = cold.results.slice(3 * n).reduce((s, e) => s + toText(e).length, 0);
    cold.note = `${cold.note ? cold.note + '; ' : ''}f4: ${chars.toLocaleString('en-US')} chars printed`;
  } catch {
    // no printer yet
  }
}

const rows: BenchRow[] = [
  { task: task!, tool, seconds: cold.seconds, size: cold.size, note: `first run in a fresh process${cold.note ? '; ' + cold.note : ''}` },
];
if (warmRuns > 0) rows.push({ task: task!, tool: `${tool}-warm`, seconds: warm, size: cold.size, note: `best of ${warmRuns} further runs, fresh symbols` });
console.log(JSON.stringify({ rows, checks }));
