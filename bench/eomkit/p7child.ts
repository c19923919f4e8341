/**
 * eomkit's side of task P7 in a fresh Node process: `p7child.ts <chain|lse> <n> <K> <compact|expanded>`.
 * Prints one JSON object {seconds, size}: the time of counterTerms (loss built beforehand) and the total
 * number of terms of f_1 … f_K (compact: terms at the top level of each component).
 */
import { loss } from '../../src/symbolic/loss.ts';
import { counterTerms } from '../../src/theory/eom/index.ts';
import { termCount } from '../check.ts';
import { p7Formula } from '../p7.ts';

const [family, nText, kText, mode] = process.argv.slice(2);
const n = Number(nText);
const K = Number(kText);
const params = Array.from({ length: n }, (_, i) => `w${i + 1}`);
const L = loss(p7Formula(family === 'lse' ? 'lse' : 'chain', n), { params });
const t0 = performance.now();
const s = counterTerms(L, K, { expanded: mode === 'expanded', maxNodes: 1e9 });
const seconds = (performance.now() - t0) / 1000;
let size = 0;
for (const fk of s.f) for (const e of fk) size += termCount(e);
process.stdout.write(JSON.stringify({ seconds, size }) + '\n');
