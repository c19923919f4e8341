/**
 * Measures which tfjs ops differentiate to orders 2 and 3 by nested tf.grad, before and after
 * enableHigherOrderGradients (docs/networks.md). Run: npx tsx docs/networks/op-support.ts [cpu|wasm]
 * Prints the markdown table of docs/networks.md.
 */
import { loadTf, type TfBackendName } from '../../src/numeric/tfjs/backend.ts';
import { probeOpSupport } from '../../src/numeric/tfjs/op-support.ts';
import { enableHigherOrderGradients } from '../../src/numeric/tfjs/higher-order.ts';

const backend = (process.argv[2] ?? 'cpu') as TfBackendName;
const tf = await loadTf(backend);
const before = probeOpSupport(tf);
enableHigherOrderGradients(tf);
const after = probeOpSupport(tf);
const mark = (s: string): string => (s === 'ok' ? '✓' : s === 'wrong' ? 'wrong value' : '✗');
console.log(`| op (${backend}, tfjs ${tf.version.tfjs}) | stock: order 2 | stock: order 3 | with enableHigherOrderGradients: order 2 | order 3 | note (stock failure, or after) |`);
console.log('|---|---|---|---|---|---|');
before.forEach((b, i) => {
  const a = after[i]!;
  console.log(`| ${b.op} | ${mark(b.order2)} | ${mark(b.order3)} | ${mark(a.order2)} | ${mark(a.order3)} | ${(a.note ?? b.note ?? '').replace(/\|/g, '/')} |`);
});
