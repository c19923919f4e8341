/**
 * eomkit's side of task P7 in a fresh, plain Node process, on the built package (dist/, `npm run build`):
 * what a user who imports eomkit gets, with no TypeScript loader in the process.
 *
 *   node p7child.mjs <formula> <n> <K> <compact|expanded|idle> <point>
 *
 * <formula> is the loss over w1 … wn (bench/p7.ts `p7Formula`), <point> the comma-separated values of
 * w1 … wn at which f_1 … f_K are evaluated (float64) for the cross-tool agreement check. Prints one JSON
 * object {seconds, size, values, rssMB, heapMB}: the time of counterTerms (loss built beforehand), the total
 * number of terms of f_1 … f_K (compact: terms at the top level of each component), values[k−1][i] = f_k,i at
 * the point, and this process's resident set and V8 heap after the work. `idle` imports the package, parses
 * the loss and does nothing else: the runtime's baseline for the same program.
 * P7_EOMKIT overrides the module imported (the tests point it at src/index.ts under tsx, needing no build).
 */
const { ZERO, counterTerms, evaluate, loss } = await import(process.env.P7_EOMKIT ?? new URL('../../dist/index.js', import.meta.url).href);

const [formula, nText, kText, mode, pointText] = process.argv.slice(2);
const n = Number(nText);
const K = Number(kText);
const params = Array.from({ length: n }, (_, i) => `w${i + 1}`);
const L = loss(formula, { params });
/** terms at the top level of an expression (bench/check.ts termCount) */
const termCount = (e) => (e === ZERO ? 0 : e.kind === 'add' ? e.terms.length + (e.constant.isZero() ? 0 : 1) : 1);

let seconds = 0;
let size = 0;
let values = [];
if (mode !== 'idle') {
  const t0 = performance.now();
  const s = counterTerms(L, K, { expanded: mode === 'expanded', maxNodes: 1e9 });
  seconds = (performance.now() - t0) / 1000;
  for (const fk of s.f) for (const e of fk) size += termCount(e);
  const w = pointText.split(',').map(Number);
  const point = Object.fromEntries(params.map((p, j) => [p, w[j]]));
  values = s.f.map((fk) => fk.map((e) => (e === ZERO ? 0 : evaluate(e, point))));
}
const mem = process.memoryUsage();
process.stdout.write(JSON.stringify({ seconds, size, values, rssMB: mem.rss / 2 ** 20, heapMB: mem.heapUsed / 2 ** 20 }) + '\n');
