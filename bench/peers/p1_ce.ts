/**
 * Task P1 in @cortex-js/compute-engine: ['D', f, wj] evaluated entry by entry (each entry the
 * derivative of its prefix entry, as in the other tools), then ['Expand', …]. The loss is built as
 * MathJSON directly (LaTeX input mangles w_10-style names, docs/design.md).
 * Prints one JSON object: {"seconds", "size", "entries": [text]} (text read by bench/polyparse.ts; printed
 * only with --strings). `p1_ce.ts idle`: loads the engine and computes nothing (the memory baseline).
 */
import { mathJsonTerms, mathJsonToText } from '../mathjson.ts';

const n = Number(process.argv[2] ?? 10);
const { ComputeEngine } = await import('@cortex-js/compute-engine');
const ce = new ComputeEngine();
if (process.argv[2] === 'idle') {
  console.log(JSON.stringify({ idle: true }));
  process.exit(0);
}
const t0 = performance.now();
const ws = Array.from({ length: n }, (_, i) => `w${i + 1}`);
const L: unknown = ['Multiply', ['Rational', 1, 2], ['Power', ['Subtract', ['Multiply', ...ws], 1], 2]];
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const box = (x: unknown) => ce.box(x as any).evaluate().json as unknown;
const entries: unknown[] = [];
for (let i = 0; i < n; i++) {
  const di = box(['D', L, ws[i]]);
  for (let j = i; j < n; j++) {
    const dij = box(['D', di, ws[j]]);
    for (let k = j; k < n; k++) entries.push(box(['Expand', box(['D', dij, ws[k]])]));
  }
}
const seconds = (performance.now() - t0) / 1000;
const size = entries.reduce((s: number, e) => s + mathJsonTerms(e), 0);
const strings = process.argv.includes('--strings');
console.log(JSON.stringify({ seconds, size, entries: strings ? entries.map(mathJsonToText) : [] }));
